using System.Collections.Generic;
using System.Linq;

namespace PythonImages
{
    /// <summary>
    /// The one error for entries without a GitCommit: whatever the number of entries, the cause is the same (no commit
    /// source, or a repository where their Dockerfiles were never committed), so it is said once, naming the directories.
    /// </summary>
    public static class MissingCommits
    {
        /// <summary>How many directories the message names before "and N more".</summary>
        public const int Shown = 8;

        /// <summary>
        /// The error for <paramref name="directories"/> (in entry order) that have no commit; <paramref name="repository"/> is
        /// the -GitRepository searched, or null when no commit source was given at all.
        /// </summary>
        public static ManifestException Error(IReadOnlyList<string> directories, string? repository)
        {
            var named = repository != null ? directories.Select(d => d + "/Dockerfile") : directories;
            string list = string.Join(", ", named.Take(Shown)) + (directories.Count > Shown ? $" and {directories.Count - Shown} more" : string.Empty);
            string what = directories.Count == 1 ? "The entry for " + list + " has" : $"{directories.Count} entries ({list}) have";
            string why = repository != null
                ? $"HEAD of {repository} does not have " + (directories.Count == 1 ? "it" : "them") + " (commit the generated Dockerfiles there first)"
                : "no commit source was given: pass -GitRepository <work tree of the generated Dockerfiles> or -GitCommit (one commit, or a hashtable Directory → commit)";
            return new ManifestException(ManifestErrorIds.NoCommitForDirectory, $"{what} no GitCommit: {why}.", null, 0, directories.Count == 1 ? directories[0] : null);
        }
    }
}
