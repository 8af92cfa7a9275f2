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
        protected override void BeginProcessing() =>
            (generatedByLines, singleCommit, commitsByDirectory) = ExportManifestParameters.Check(this);

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

            if (!ExportManifestParameters.ResolveCommits(this, new ManifestCommits(singleCommit, commitsByDirectory), entries))
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

            string full = FullPath(Path);
            if (ManifestExport.CheckTarget(full, Force) is { } target)
            {
                Exception problem = target.ErrorId == ManifestErrorIds.DirectoryNotFound ? new DirectoryNotFoundException(target.Message) : new IOException(target.Message);
                ThrowTerminatingError(Errors.Create(problem, target.ErrorId, target.Target, target.RecommendedAction));
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

        /// <summary>-Path as a full file-system path; an unusable one is a terminating Manifest.InvalidPath.</summary>
        private string FullPath(string path)
        {
            try
            {
                return System.IO.Path.GetFullPath(PathInputs.FileSystemPath(this, path));
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
            {
                ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-Path '{InputGrammar.Show(path)}' is not a usable file path: {ex.Message}", ex),
                    ManifestErrorIds.InvalidPath,
                    path,
                    "Pass a file system path without NUL or other characters the file system refuses, e.g. ./library/python."));
            }

            return string.Empty; // not reached
        }

        /// <summary>The imported header of the first image that has one (unless -MatrixPath is given), otherwise one from the matrix; then the parameters.</summary>
        private ManifestHeader BuildHeader(IReadOnlyList<PythonImage> source) => ManifestExport.Header(
            MatrixPath == null ? source.Select(i => i.ManifestHeader).FirstOrDefault(h => h != null) : null,
            () => LoadMatrix().Matrix,
            GeneratorCommit,
            generatedByLines,
            MyInvocation.BoundParameters.ContainsKey(nameof(Builder)),
            Builder);
    }
}
