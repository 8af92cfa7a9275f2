using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace PythonImages
{
    /// <summary>
    /// Which commit each exported manifest entry gets: one commit for all (<see cref="ForAll"/>), a commit per Directory
    /// (<see cref="ByDirectory"/>), then the last commit git found for the entry's Dockerfile, then the entry's own.
    /// </summary>
    public sealed class ManifestCommits
    {
        /// <summary>Commits as the user gave them: one for every entry, or a table Directory → commit (keys as <see cref="DirectoryKey"/> makes them).</summary>
        public ManifestCommits(string? forAll, IReadOnlyDictionary<string, string>? byDirectory)
        {
            ForAll = forAll;
            ByDirectory = byDirectory;
        }

        /// <summary>The commit of every entry, when one was given.</summary>
        public string? ForAll { get; }

        /// <summary>Commits by Directory (keys cleaned with <see cref="DirectoryKey"/>), when a table was given.</summary>
        public IReadOnlyDictionary<string, string>? ByDirectory { get; }

        /// <summary>A -GitCommit table key as it is compared with the entries' directories: trimmed, '\' as '/', cleaned.</summary>
        public static string DirectoryKey(string directory) => SlashPath.Clean(directory.Trim().Replace('\\', '/'));

        /// <summary>An entry's Directory, "." when it has none.</summary>
        public static string DirectoryOf(PythonImage entry) => string.IsNullOrEmpty(entry.Directory) ? "." : entry.Directory;

        /// <summary>
        /// The directories whose last commit git has to find: those of the entries the given commits do not cover, and only
        /// valid ones (the others are reported by the validation and never passed to git), each once.
        /// </summary>
        public IReadOnlyList<string> DirectoriesForGit(IEnumerable<PythonImage> entries) =>
            entries.Where(e => ForAll == null && (ByDirectory == null || !ByDirectory.ContainsKey(DirectoryKey(e.Directory))))
                .Select(DirectoryOf)
                .Where(d => ManifestValidator.WhyNotDirectory(d) == null)
                .Distinct(StringComparer.Ordinal)
                .ToList();

        /// <summary>The directories of the table that no entry has (a typo, most likely).</summary>
        public IReadOnlyList<string> UnusedDirectories(IEnumerable<PythonImage> entries)
        {
            if (ByDirectory == null)
            {
                return Array.Empty<string>();
            }

            var known = new HashSet<string>(entries.Select(e => DirectoryKey(DirectoryOf(e))), StringComparer.Ordinal);
            return ByDirectory.Keys.Where(k => !known.Contains(k)).ToList();
        }

        /// <summary>
        /// Sets each entry's GitCommit (given commit, table, <paramref name="fromGit"/>, else its own) and returns one
        /// <see cref="ManifestErrorIds.NoCommitForDirectory"/> problem for all the valid entries left without one (one cause,
        /// one error: <see cref="MissingCommits"/>; Subject: the directory, or the directories), or none.
        /// <paramref name="repository"/> is where git looked, for the message.
        /// </summary>
        public IReadOnlyList<ManifestException> Assign(IEnumerable<PythonImage> entries, IReadOnlyDictionary<string, string>? fromGit, string? repository)
        {
            var missing = new List<string>();
            foreach (var entry in entries)
            {
                string dir = DirectoryOf(entry);
                if (ForAll != null)
                {
                    entry.GitCommit = ForAll;
                }
                else if (ByDirectory != null && ByDirectory.TryGetValue(DirectoryKey(dir), out var c))
                {
                    entry.GitCommit = c;
                }
                else if (fromGit != null && fromGit.TryGetValue(dir, out var g))
                {
                    entry.GitCommit = g;
                }
                else if (string.IsNullOrEmpty(entry.GitCommit) && ManifestValidator.WhyNotDirectory(dir) == null)
                {
                    // (An invalid Directory is reported by the validation that follows, as Manifest.InvalidDirectory.)
                    missing.Add(dir);
                }
            }

            if (missing.Count == 0)
            {
                return Array.Empty<ManifestException>();
            }

            var problem = MissingCommits.Error(missing, repository);
            problem.Subject = missing.Count == 1 ? missing[0] : missing.ToArray();
            return new[] { problem };
        }
    }

    /// <summary>A reason the manifest cannot be written to a path, with its error id, target and what to do.</summary>
    public sealed class ManifestTargetProblem
    {
        internal ManifestTargetProblem(string errorId, string message, string target, string recommendedAction)
        {
            ErrorId = errorId;
            Message = message;
            Target = target;
            RecommendedAction = recommendedAction;
        }

        /// <summary>The ErrorId (a <see cref="ManifestErrorIds"/> constant).</summary>
        public string ErrorId { get; }

        /// <summary>What is wrong.</summary>
        public string Message { get; }

        /// <summary>The path concerned.</summary>
        public string Target { get; }

        /// <summary>What to do next.</summary>
        public string RecommendedAction { get; }
    }

    /// <summary>What Export-PythonLibraryManifest decides besides the entries: the header and where the text may go.</summary>
    public static class ManifestExport
    {
        /// <summary>The first comment line of a manifest made from a matrix.</summary>
        public const string OwnGeneratedByLine = "# this file is generated by PythonImages (Export-PythonLibraryManifest)";

        /// <summary>-GeneratedBy text as comment lines: one per line, '# ' added where missing, trailing whitespace removed.</summary>
        public static List<string> GeneratedByLines(string text) =>
            text.Replace("\r\n", "\n").Split('\n')
                .Select(l => (l.TrimStart().StartsWith("#", StringComparison.Ordinal) ? l : "# " + l).TrimEnd())
                .ToList();

        /// <summary>
        /// The header to export: a copy of <paramref name="imported"/> (without its source) or a new one from
        /// <paramref name="matrix"/>; then the generated-by line (upstream's form for <paramref name="generatorCommit"/>,
        /// or <paramref name="generatedByLines"/>, else the comment lines without trailing whitespace) and, when
        /// <paramref name="setBuilder"/>, <paramref name="builder"/> ("" or null: none).
        /// </summary>
        public static ManifestHeader Header(ManifestHeader? imported, Func<Matrix> matrix, string? generatorCommit, IReadOnlyList<string>? generatedByLines, bool setBuilder, string? builder)
        {
            ManifestHeader header;
            if (imported != null)
            {
                header = imported.Clone();
                header.Source = null;
            }
            else
            {
                var m = matrix();
                header = new ManifestHeader
                {
                    CommentLines = { OwnGeneratedByLine },
                    Maintainers = m.Maintainers.ToList(),
                    GitRepo = LibraryManifest.RepositoryUrl(m.Repository ?? string.Empty) + ".git",
                    Builder = LibraryManifest.DefaultBuilder,
                };
            }

            if (generatorCommit != null)
            {
                string repository = header.GitRepo ?? matrix().Repository ?? string.Empty;
                header.CommentLines = new List<string> { LibraryManifest.UpstreamGeneratedByLine(repository, generatorCommit) };
            }
            else if (generatedByLines != null)
            {
                header.CommentLines = new List<string>(generatedByLines);
            }
            else
            {
                // Import keeps comment lines without trailing whitespace; write them that way so they read back as written.
                header.CommentLines = (header.CommentLines ?? new List<string>()).Select(c => c?.TrimEnd()!).ToList();
            }

            if (setBuilder)
            {
                header.Builder = string.IsNullOrEmpty(builder) ? null : builder;
            }

            return header;
        }

        /// <summary>
        /// Why the manifest cannot be written to the full path <paramref name="full"/>, or null: a directory, anything but
        /// a regular file (a FIFO, device or socket is never renamed over, -Force or not), a missing parent directory, or
        /// an existing file without <paramref name="force"/>.
        /// </summary>
        public static ManifestTargetProblem? CheckTarget(string full, bool force)
        {
            var kind = FileProbe.KindOf(full);
            if (kind == FileKind.Directory)
            {
                return new ManifestTargetProblem(ManifestErrorIds.PathIsDirectory, $"'{full}' is a directory.", full, "Pass a file path, e.g. library/python.");
            }

            if (kind != FileKind.Missing && kind != FileKind.Regular)
            {
                return new ManifestTargetProblem(
                    ManifestErrorIds.NotAFile,
                    $"'{full}' is {FileProbe.Describe(kind)}, not a regular file; the manifest is not written there.",
                    full,
                    "Pass the path of a regular file (or of a new one), e.g. library/python.");
            }

            string? parent = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            {
                return new ManifestTargetProblem(ManifestErrorIds.DirectoryNotFound, $"The directory '{parent}' does not exist.", parent!, "Create the directory first, or choose another -Path.");
            }

            if (File.Exists(full) && !force)
            {
                return new ManifestTargetProblem(ManifestErrorIds.FileExists, $"The file '{full}' already exists.", full, "Add -Force to overwrite it, or choose another -Path.");
            }

            return null;
        }
    }
}
