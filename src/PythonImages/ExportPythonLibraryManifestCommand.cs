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
    /// <para type="synopsis">Writes the official-images library manifest (library/python) for python images.</para>
    /// <para type="description">Takes images from the pipeline (or every image of the matrix), finds each entry's GitCommit (-GitRepository: the
    /// last commit that touched &lt;Directory&gt;/Dockerfile; -GitCommit: one commit or a hashtable Directory → commit; imported images keep
    /// theirs), validates the result as bashbrew does and writes it exactly as generate-stackbrew-library.sh lays it out.</para>
    /// </summary>
    [Cmdlet(VerbsData.Export, "PythonLibraryManifest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(string))]
    [OutputType(typeof(PythonImage))]
    public sealed class ExportPythonLibraryManifestCommand : MatrixCmdlet
    {
        /// <summary>The images, in manifest order. Without pipeline input: every image of the matrix.</summary>
        [Parameter(ValueFromPipeline = true)]
        [AllowEmptyCollection]
        public PythonImage[]? InputObject { get; set; }

        /// <summary>Write the manifest to this file (atomically). Without it the text is the output.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>Overwrite an existing -Path.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Output the entries as written (with their GitRepo and GitCommit), e.g. for ConvertTo-PythonTagMarkdown, instead of the text.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>A git work tree of the generated Dockerfiles: each entry gets the last commit that touched &lt;Directory&gt;/Dockerfile.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? GitRepository { get; set; }

        /// <summary>One commit for every entry (a string), or a hashtable Directory → commit.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? GitCommit { get; set; }

        /// <summary>Write upstream's generated-by line, pointing at generate-stackbrew-library.sh at this commit of the matrix repository.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? GeneratorCommit { get; set; }

        /// <summary>A free text for the first comment line (a leading '# ' is added when missing).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? GeneratedBy { get; set; }

        /// <summary>The header's Builder (default buildkit; '' leaves it out, as manifests before 2023 did).</summary>
        [Parameter]
        [AllowEmptyString]
        [AllowNull]
        public string? Builder { get; set; }

        private readonly List<PythonImage> images = new List<PythonImage>();
        private bool anyInput;
        private string? singleCommit;
        private Dictionary<string, string>? commitsByDirectory;
        private List<string>? generatedByLines;

        /// <summary>Every parameter that reaches the manifest is checked here, before any input is read.</summary>
        protected override void BeginProcessing()
        {
            if (GeneratorCommit != null && GeneratedBy != null)
            {
                ThrowTerminatingError(Errors.Create(
                    new ArgumentException("-GeneratorCommit and -GeneratedBy both set the generated-by line; give only one."),
                    ManifestErrorIds.ConflictingParameters,
                    null,
                    "Use -GeneratorCommit <sha> for upstream's line, or -GeneratedBy <text> for your own."));
            }

            if (GeneratorCommit != null && InputGrammar.GitCommit.Why(GeneratorCommit) is { } badGenerator)
            {
                ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-GeneratorCommit '{InputGrammar.Show(GeneratorCommit)}' is not a commit id: {badGenerator} (40 or 64 lowercase hexadecimal digits)."),
                    ManifestErrorIds.InvalidGitCommit,
                    GeneratorCommit,
                    "Pass the full commit id of generate-stackbrew-library.sh's repository (git rev-parse HEAD).", category: FailureCategory.InvalidArgument));
            }

            if (!string.IsNullOrEmpty(Builder) && ManifestGrammar.Builder.Why(Builder) is { } badBuilder)
            {
                ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-Builder '{InputGrammar.Show(Builder)}' is not accepted: {badBuilder}."),
                    ManifestErrorIds.InvalidBuilder,
                    Builder,
                    "Pass -Builder buildkit, classic or oci-import, or -Builder '' to leave the header's Builder out.", category: FailureCategory.InvalidArgument));
            }

            if (GeneratedBy != null)
            {
                generatedByLines = GeneratedBy.Replace("\r\n", "\n").Split('\n')
                    .Select(l => (l.TrimStart().StartsWith("#", StringComparison.Ordinal) ? l : "# " + l).TrimEnd())
                    .ToList();
                foreach (var line in generatedByLines)
                {
                    if (ManifestGrammar.Comment.Why(line.TrimStart(' ', '\t')) is { } badLine)
                    {
                        ThrowTerminatingError(Errors.Create(
                            new ArgumentException($"-GeneratedBy is not accepted: the comment line '{InputGrammar.Show(line)}' is not valid: {badLine}."),
                            ManifestErrorIds.InvalidComment,
                            GeneratedBy,
                            "Pass plain text lines (no control or format characters); each becomes one '# ' comment line.", category: FailureCategory.InvalidArgument));
                    }
                }
            }

            ReadGitCommitParameter();
        }

        /// <summary>-GitCommit: one commit id, or a hashtable whose keys are directories and whose values are commit ids; each checked now.</summary>
        private void ReadGitCommitParameter()
        {
            object? value = GitCommit is PSObject pso ? pso.BaseObject : GitCommit;
            if (value == null)
            {
                return;
            }

            if (value is string s)
            {
                RequireCommit(s, s);
                singleCommit = s;
                return;
            }

            if (value is IDictionary table)
            {
                commitsByDirectory = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (DictionaryEntry kv in table)
                {
                    string rawKey = (kv.Key is PSObject k ? k.BaseObject : kv.Key)?.ToString() ?? string.Empty;
                    string key = Key(rawKey);
                    if (LibraryManifest.WhyNotDirectory(key) is { } badKey)
                    {
                        ThrowTerminatingError(Errors.Create(
                            new ArgumentException($"-GitCommit names the directory '{InputGrammar.Show(rawKey)}', which is not accepted: {badKey}."),
                            ManifestErrorIds.InvalidDirectory,
                            rawKey,
                            "Use the images' Directory values as keys, e.g. @{ '3.14/trixie' = '<commit>' }.", category: FailureCategory.InvalidArgument));
                    }

                    string commit = (kv.Value is PSObject v ? v.BaseObject : kv.Value)?.ToString() ?? string.Empty;
                    RequireCommit(commit, kv.Value);
                    commitsByDirectory[key] = commit;
                }

                return;
            }

            ThrowTerminatingError(Errors.Create(
                new ArgumentException($"-GitCommit must be a commit id or a hashtable of Directory → commit, not {value.GetType().Name}."),
                ManifestErrorIds.InvalidGitCommitArgument,
                value,
                "Pass -GitCommit 'abc…' or -GitCommit @{ '3.14/trixie' = 'abc…' }."));
        }

        private void RequireCommit(string commit, object? target)
        {
            if (InputGrammar.GitCommit.Why(commit) is { } why)
            {
                ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-GitCommit '{InputGrammar.Show(commit)}' is not a commit id: {why}."),
                    ManifestErrorIds.InvalidGitCommit,
                    target,
                    "Give a full commit id (40 or 64 lowercase hexadecimal digits, as printed by git rev-parse HEAD).", category: FailureCategory.InvalidArgument));
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            if (InputObject == null)
            {
                return;
            }

            anyInput = true;
            images.AddRange(InputObject.Where(i => i != null));
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            var source = anyInput || MyInvocation.ExpectingInput ? images : LoadMatrix().Images.ToList();
            var header = BuildHeader(source);
            var entries = LibraryManifest.PrepareForExport(header, source);

            if (!ResolveCommits(entries))
            {
                return;
            }

            var problems = LibraryManifest.Validate(header, entries);
            foreach (var problem in problems)
            {
                WriteError(Errors.FromManifest(problem, problem.Subject ?? problem.Entry));
            }

            if (problems.Count > 0)
            {
                return;
            }

            string text;
            try
            {
                text = LibraryManifest.WriteVerified(header, entries);
            }
            catch (ManifestException ex)
            {
                WriteError(Errors.FromManifest(ex, ex.Subject ?? ex.Entry));
                return;
            }

            if (Path == null)
            {
                if (PassThru)
                {
                    WriteObject(entries, enumerateCollection: true);
                }
                else
                {
                    WriteObject(text);
                }

                return;
            }

            string full = string.Empty;
            try
            {
                full = GetUnresolvedProviderPathFromPSPath(Path);
                full = System.IO.Path.GetFullPath(full);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
            {
                ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-Path '{InputGrammar.Show(Path)}' is not a usable file path: {ex.Message}", ex),
                    ManifestErrorIds.InvalidPath,
                    Path,
                    "Pass a file system path without NUL or other characters the file system refuses, e.g. ./library/python."));
            }

            var kind = FileProbe.KindOf(full);
            if (kind == FileKind.Directory)
            {
                ThrowTerminatingError(Errors.Create(
                    new IOException($"'{full}' is a directory."), ManifestErrorIds.PathIsDirectory, full, "Pass a file path, e.g. library/python."));
            }

            if (kind != FileKind.Missing && kind != FileKind.Regular)
            {
                // Never rename a file over a FIFO, a device or a socket (-Force or not).
                ThrowTerminatingError(Errors.Create(
                    new IOException($"'{full}' is {FileProbe.Describe(kind)}, not a regular file; the manifest is not written there."),
                    ManifestErrorIds.NotAFile,
                    full,
                    "Pass the path of a regular file (or of a new one), e.g. library/python."));
            }

            string? parent = System.IO.Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            {
                ThrowTerminatingError(Errors.Create(
                    new DirectoryNotFoundException($"The directory '{parent}' does not exist."), ManifestErrorIds.DirectoryNotFound, parent, "Create the directory first, or choose another -Path."));
            }

            if (File.Exists(full) && !Force)
            {
                ThrowTerminatingError(Errors.Create(
                    new IOException($"The file '{full}' already exists."), ManifestErrorIds.FileExists, full, "Add -Force to overwrite it, or choose another -Path."));
            }

            if (!ShouldProcess(full, $"Write the library manifest ({entries.Count} entries)"))
            {
                return;
            }

            try
            {
                // Without -Force a file that appears meanwhile is not replaced either.
                AtomicFile.WriteAllBytes(full, new System.Text.UTF8Encoding(false).GetBytes(text), Force ? AtomicWriteMode.Replace : AtomicWriteMode.CreateNew);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(Errors.Create(ex, ManifestErrorIds.WriteFailed, full, "Check that the directory is writable; the previous file, if any, was left unchanged."));
            }

            WriteVerbose($"Wrote {entries.Count} entries to {full}.");
            if (PassThru)
            {
                WriteObject(entries, enumerateCollection: true);
            }
        }

        /// <summary>The imported header of the first image that has one (unless -MatrixPath is given), otherwise one from the matrix; then the parameters.</summary>
        private ManifestHeader BuildHeader(IReadOnlyList<PythonImage> source)
        {
            var imported = MatrixPath == null ? source.Select(i => i.ManifestHeader).FirstOrDefault(h => h != null) : null;
            ManifestHeader header;
            if (imported != null)
            {
                header = imported.Clone();
                header.Source = null;
            }
            else
            {
                var matrix = LoadMatrix().Matrix;
                header = new ManifestHeader
                {
                    CommentLines = { "# this file is generated by PythonImages (Export-PythonLibraryManifest)" },
                    Maintainers = matrix.Maintainers.ToList(),
                    GitRepo = LibraryManifest.RepositoryUrl(matrix.Repository ?? string.Empty) + ".git",
                    Builder = LibraryManifest.DefaultBuilder,
                };
            }

            if (GeneratorCommit != null)
            {
                string repository = header.GitRepo ?? LoadMatrix().Matrix.Repository ?? string.Empty;
                header.CommentLines = new List<string> { LibraryManifest.UpstreamGeneratedByLine(repository, GeneratorCommit) };
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

            if (MyInvocation.BoundParameters.ContainsKey(nameof(Builder)))
            {
                header.Builder = string.IsNullOrEmpty(Builder) ? null : Builder;
            }

            return header;
        }

        /// <summary>Fills GitCommit: -GitCommit (one, or by Directory), then -GitRepository, then the image's own. False when nothing can continue.</summary>
        private bool ResolveCommits(List<PythonImage> entries)
        {
            string? single = singleCommit;
            Dictionary<string, string>? byDirectory = commitsByDirectory;
            IReadOnlyDictionary<string, string>? fromGit = null;
            string? repository = null;
            if (GitRepository != null)
            {
                repository = GetUnresolvedProviderPathFromPSPath(GitRepository);
                if (!Directory.Exists(repository))
                {
                    ThrowTerminatingError(Errors.Create(
                        new DirectoryNotFoundException($"The git repository '{repository}' does not exist."),
                        ManifestErrorIds.GitRepositoryNotFound,
                        repository,
                        "Pass the work tree that holds the generated Dockerfiles (the directory with 3.14/trixie/Dockerfile...)."));
                }

                var wanted = entries.Where(e => single == null && (byDirectory == null || !byDirectory.ContainsKey(Key(e.Directory))))
                    .Select(e => string.IsNullOrEmpty(e.Directory) ? "." : e.Directory)
                    .Where(d => LibraryManifest.WhyNotDirectory(d) == null) // the others are reported by the validation, never passed to git
                    .Distinct(StringComparer.Ordinal).ToList();
                var progress = new ProgressRecord(1, "Export-PythonLibraryManifest", $"Finding the last commit of {wanted.Count} Dockerfiles in {repository}");
                WriteProgress(progress);
                try
                {
                    fromGit = GitCommits.LastCommits(repository, wanted);
                }
                catch (ManifestException ex)
                {
                    ThrowTerminatingError(Errors.FromManifest(ex, repository));
                }
                finally
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }
            }

            if (byDirectory != null)
            {
                var known = new HashSet<string>(entries.Select(e => Key(string.IsNullOrEmpty(e.Directory) ? "." : e.Directory)), StringComparer.Ordinal);
                foreach (var unused in byDirectory.Keys.Where(k => !known.Contains(k)))
                {
                    WriteWarning($"-GitCommit names the directory '{unused}', which no entry has; check for a typo.");
                }
            }

            var missing = new List<string>();
            foreach (var entry in entries)
            {
                string dir = string.IsNullOrEmpty(entry.Directory) ? "." : entry.Directory;
                if (single != null)
                {
                    entry.GitCommit = single;
                }
                else if (byDirectory != null && byDirectory.TryGetValue(Key(dir), out var c))
                {
                    entry.GitCommit = c;
                }
                else if (fromGit != null && fromGit.TryGetValue(dir, out var g))
                {
                    entry.GitCommit = g;
                }
                else if (string.IsNullOrEmpty(entry.GitCommit) && LibraryManifest.WhyNotDirectory(dir) == null)
                {
                    // (An invalid Directory is reported by the validation that follows, as Manifest.InvalidDirectory.)
                    missing.Add(dir);
                }
            }

            if (missing.Count > 0)
            {
                // One cause, one error, however many entries it concerns.
                WriteError(Errors.FromManifest(MissingCommits.Error(missing, repository), missing.Count == 1 ? missing[0] : (object)missing.ToArray()));
                return false;
            }

            return true;
        }

        private static string Key(string directory) => LibraryManifest.CleanPath(directory.Trim().Replace('\\', '/'));
    }
}
