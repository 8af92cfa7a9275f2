using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// Export-PythonLibraryManifest's parameters that reach the manifest, checked before any input is read (terminating
    /// errors): -GeneratorCommit, -Builder, -GeneratedBy and -GitCommit (a commit, or a table Directory → commit).
    /// </summary>
    internal static class ExportManifestParameters
    {
        /// <summary>Every parameter that reaches the manifest is checked here, before any input is read.</summary>
        internal static (List<string>? GeneratedByLines, string? Commit, Dictionary<string, string>? CommitsByDirectory) Check(ExportPythonLibraryManifestCommand c)
        {
            if (c.GeneratorCommit != null && c.GeneratedBy != null)
            {
                c.ThrowTerminatingError(Errors.Create(
                    new ArgumentException("-GeneratorCommit and -GeneratedBy both set the generated-by line; give only one."),
                    ManifestErrorIds.ConflictingParameters,
                    null,
                    "Use -GeneratorCommit <sha> for upstream's line, or -GeneratedBy <text> for your own."));
            }

            if (c.GeneratorCommit != null && InputGrammar.GitCommit.Why(c.GeneratorCommit) is { } badGenerator)
            {
                c.ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-GeneratorCommit '{InputGrammar.Show(c.GeneratorCommit)}' is not a commit id: {badGenerator} (40 or 64 lowercase hexadecimal digits)."),
                    ManifestErrorIds.InvalidGitCommit,
                    c.GeneratorCommit,
                    "Pass the full commit id of generate-stackbrew-library.sh's repository (git rev-parse HEAD).", category: FailureCategory.InvalidArgument));
            }

            if (!string.IsNullOrEmpty(c.Builder) && ManifestGrammar.Builder.Why(c.Builder) is { } badBuilder)
            {
                c.ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-Builder '{InputGrammar.Show(c.Builder)}' is not accepted: {badBuilder}."),
                    ManifestErrorIds.InvalidBuilder,
                    c.Builder,
                    "Pass -Builder buildkit, classic or oci-import, or -Builder '' to leave the header's c.Builder out.", category: FailureCategory.InvalidArgument));
            }

            List<string>? generatedByLines = null;
            if (c.GeneratedBy != null)
            {
                generatedByLines = ManifestExport.GeneratedByLines(c.GeneratedBy);
                foreach (var line in generatedByLines)
                {
                    if (ManifestGrammar.Comment.Why(line.TrimStart(' ', '\t')) is { } badLine)
                    {
                        c.ThrowTerminatingError(Errors.Create(
                            new ArgumentException($"-GeneratedBy is not accepted: the comment line '{InputGrammar.Show(line)}' is not valid: {badLine}."),
                            ManifestErrorIds.InvalidComment,
                            c.GeneratedBy,
                            "Pass plain text lines (no control or format characters); each becomes one '# ' comment line.", category: FailureCategory.InvalidArgument));
                    }
                }
            }

            var (commit, table) = ReadGitCommitParameter(c);
            return (generatedByLines, commit, table);
        }

        /// <summary>-GitCommit: one commit id, or a hashtable whose keys are directories and whose values are commit ids; each checked now.</summary>
        private static (string? Commit, Dictionary<string, string>? Table) ReadGitCommitParameter(ExportPythonLibraryManifestCommand c)
        {
            object? value = c.GitCommit is PSObject pso ? pso.BaseObject : c.GitCommit;
            if (value == null)
            {
                return (null, null);
            }

            if (value is string s)
            {
                RequireCommit(c, s, s);
                return (s, null);
            }

            if (value is IDictionary table)
            {
                var commitsByDirectory = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (DictionaryEntry kv in table)
                {
                    string rawKey = (kv.Key is PSObject k ? k.BaseObject : kv.Key)?.ToString() ?? string.Empty;
                    string key = ManifestCommits.DirectoryKey(rawKey);
                    if (LibraryManifest.WhyNotDirectory(key) is { } badKey)
                    {
                        c.ThrowTerminatingError(Errors.Create(
                            new ArgumentException($"-GitCommit names the directory '{InputGrammar.Show(rawKey)}', which is not accepted: {badKey}."),
                            ManifestErrorIds.InvalidDirectory,
                            rawKey,
                            "Use the images' Directory values as keys, e.g. @{ '3.14/trixie' = '<commit>' }.", category: FailureCategory.InvalidArgument));
                    }

                    string commit = (kv.Value is PSObject v ? v.BaseObject : kv.Value)?.ToString() ?? string.Empty;
                    RequireCommit(c, commit, kv.Value);
                    if (commitsByDirectory.TryGetValue(key, out var other) && other != commit)
                    {
                        // '3.14/trixie' and '3.14/trixie/' (or './3.14/trixie', '3.14\trixie') name one directory: which commit
                        // it would get depended on the table's order.
                        c.ThrowTerminatingError(Errors.Create(
                            new ArgumentException($"-GitCommit names the directory '{InputGrammar.Show(key)}' twice (also as '{InputGrammar.Show(rawKey)}'), with two commits ({other} and {commit})."),
                            ManifestErrorIds.InvalidGitCommitArgument,
                            rawKey,
                            "Name each directory once in the -GitCommit table, with the commit its Dockerfile was last changed in."));
                    }

                    commitsByDirectory[key] = commit;
                }

                return (null, commitsByDirectory);
            }

            c.ThrowTerminatingError(Errors.Create(
                new ArgumentException($"-GitCommit must be a commit id or a hashtable of Directory → commit, not {value.GetType().Name}."),
                ManifestErrorIds.InvalidGitCommitArgument,
                value,
                "Pass -GitCommit 'abc…' or -GitCommit @{ '3.14/trixie' = 'abc…' }."));
            return (null, null); // not reached
        }

        private static void RequireCommit(ExportPythonLibraryManifestCommand c, string commit, object? target)
        {
            if (InputGrammar.GitCommit.Why(commit) is { } why)
            {
                c.ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-GitCommit '{InputGrammar.Show(commit)}' is not a commit id: {why}."),
                    ManifestErrorIds.InvalidGitCommit,
                    target,
                    "Give a full commit id (40 or 64 lowercase hexadecimal digits, as printed by git rev-parse HEAD).", category: FailureCategory.InvalidArgument));
            }
        }

        /// <summary>Fills GitCommit: -GitCommit (one, or by Directory), then -GitRepository, then the image's own. False when nothing can continue.</summary>
        internal static bool ResolveCommits(ExportPythonLibraryManifestCommand c, ManifestCommits commits, List<PythonImage> entries)
        {
            IReadOnlyDictionary<string, string>? fromGit = null;
            string? repository = null;
            if (c.GitRepository != null)
            {
                try
                {
                    repository = PathInputs.FileSystemPath(c, c.GitRepository);
                }
                catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
                {
                    c.ThrowTerminatingError(Errors.Create(
                        new ArgumentException($"-GitRepository '{InputGrammar.Show(c.GitRepository)}' is not a usable file system path: {ex.Message}.", ex),
                        ManifestErrorIds.InvalidPath,
                        c.GitRepository,
                        "Pass the git work tree of the generated Dockerfiles as a file system path, e.g. ./python."));
                    return false; // not reached
                }

                fromGit = LastCommits(c, repository, commits.DirectoriesForGit(entries));
            }

            foreach (var unused in commits.UnusedDirectories(entries))
            {
                c.WriteWarning($"-GitCommit names the directory '{unused}', which no entry has; check for a typo.");
            }

            var problems = commits.Assign(entries, fromGit, repository);
            foreach (var problem in problems)
            {
                c.WriteError(Errors.FromManifest(problem, problem.Subject));
            }

            return problems.Count == 0;
        }

        /// <summary>The last commit of each directory's Dockerfile in the work tree <paramref name="repository"/>, with progress.</summary>
        private static IReadOnlyDictionary<string, string>? LastCommits(ExportPythonLibraryManifestCommand c, string repository, IReadOnlyList<string> wanted)
        {
            if (!Directory.Exists(repository))
            {
                c.ThrowTerminatingError(Errors.Create(
                    new DirectoryNotFoundException($"The git repository '{repository}' does not exist."),
                    ManifestErrorIds.GitRepositoryNotFound,
                    repository,
                    "Pass the work tree that holds the generated Dockerfiles (the directory with 3.14/trixie/Dockerfile...)."));
            }

            var progress = new ProgressRecord(1, "Export-PythonLibraryManifest", $"Finding the last commit of {wanted.Count} Dockerfiles in {repository}");
            c.WriteProgress(progress);
            try
            {
                return GitCommits.LastCommits(repository, wanted);
            }
            catch (ManifestException ex)
            {
                c.ThrowTerminatingError(Errors.FromManifest(ex, repository));
                return null; // not reached
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                c.WriteProgress(progress);
            }
        }
    }
}
