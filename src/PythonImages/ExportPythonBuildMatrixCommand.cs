using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Ci;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Writes a GitHub Actions workflow or an Azure Pipelines pipeline that builds, tests and publishes python images in parallel legs.</para>
    /// <para type="description">One leg per image and platform (or per lineage with -PerLineage) on the runner of its platform; a final job merges the
    /// ledger fragments, assembles the shared-tag indexes and writes the library manifest and the README tags block. The generation lives in
    /// PythonImages.Ci; this cmdlet binds the parameters and writes the text.</para>
    /// </summary>
    [Cmdlet(VerbsData.Export, "PythonBuildMatrix", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(string))]
    public sealed class ExportPythonBuildMatrixCommand : MatrixCmdlet
    {
        /// <summary>The images to build. Without pipeline input: every image of the matrix.</summary>
        [Parameter(ValueFromPipeline = true)]
        [AllowEmptyCollection]
        public PythonImage[]? InputObject { get; set; }

        /// <summary>GitHubActions or AzurePipelines. (A string: a field of a Core value type would load Core while PowerShell scans the module.)</summary>
        [Parameter(Mandatory = true)]
        [ValidateSet("GitHubActions", "AzurePipelines", IgnoreCase = true)]
        public string Format { get; set; } = "GitHubActions";

        /// <summary>Write the file here (atomically). Without it the text is the output.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>Replace an existing -Path.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>One leg per lineage (images FROM the same base image on the same platform) instead of one per image and platform.</summary>
        [Parameter]
        public SwitchParameter PerLineage { get; set; }

        /// <summary>Runner labels by platform, over the defaults (linux/amd64, linux/arm64, windows/amd64/ltsc2022, windows/amd64/ltsc2025); '' removes one.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? RunnerLabel { get; set; }

        /// <summary>At most this many legs at once.</summary>
        [Parameter]
        [ValidateRange(1, 256)]
        public int MaxParallel { get; set; } = 8;

        /// <summary>Publish to this registry (host[:port][/namespace]) on pushes to -DefaultBranch; without it nothing is published.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Registry { get; set; }

        /// <summary>The branch whose pushes publish (default main).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string DefaultBranch { get; set; } = "main";

        /// <summary>The folder of the Dockerfiles inside the repository (default '.', the root).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ImagesPath { get; set; } = ".";

        /// <summary>Only images whose Dockerfile folder or matrix entry changed since this git revision.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ChangedSince { get; set; }

        /// <summary>The repository's work tree (default: the current location); -MatrixPath must lie inside it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? GitRepository { get; set; }

        private readonly List<PythonImage> images = new List<PythonImage>();
        private bool anyInput;
        private BuildMatrixOptions? options;
        private string repository = string.Empty;

        /// <summary>Every parameter is checked before any input is read.</summary>
        protected override void BeginProcessing()
        {
            repository = SessionState.Path.GetUnresolvedProviderPathFromPSPath(GitRepository ?? ".");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry kv in RunnerLabel ?? new Hashtable())
            {
                labels[Text(kv.Key)] = Text(kv.Value);
            }

            options = new BuildMatrixOptions
            {
                Format = string.Equals(Format, "AzurePipelines", StringComparison.OrdinalIgnoreCase) ? BuildMatrixFormat.AzurePipelines : BuildMatrixFormat.GitHubActions,
                PerLineage = PerLineage,
                RunnerLabels = labels,
                MaxParallel = MaxParallel,
                Registry = Registry,
                DefaultBranch = DefaultBranch,
                ImagesPath = ImagesPath.Replace('\\', '/').TrimEnd('/'),
                MatrixFile = MatrixPath == null ? null : RelativeMatrixFile(),
                ModuleVersion = ModuleVersion(),
            };
            Try(() => options.Validate());
            if (ChangedSince != null && CiGrammar.GitRevision.Why(ChangedSince) is { } badRevision)
            {
                Try(() => throw new BuildMatrixException(BuildMatrixErrorIds.InvalidRevision, $"-ChangedSince '{InputGrammar.Show(ChangedSince)}' is not accepted: {badRevision}.", ChangedSince));
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            if (InputObject != null)
            {
                anyInput = true;
                images.AddRange(InputObject.Where(i => i != null));
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            IReadOnlyList<PythonImage> source = anyInput || MyInvocation.ExpectingInput ? images : LoadMatrix().Images;
            BuildPlan? plan = null;
            string text = string.Empty;
            Try(() =>
            {
                if (ChangedSince != null)
                {
                    if (!Directory.Exists(repository))
                    {
                        throw new BuildMatrixException(BuildMatrixErrorIds.RepositoryNotFound, $"The git repository '{repository}' does not exist.", repository);
                    }

                    var candidates = BuildPlanner.Plan(source, options!).Legs.SelectMany(l => l.Images).Distinct().ToList();
                    source = ChangedImages.Filter(source.Where(candidates.Contains).ToList(), repository, ChangedSince, options!.ImagesPath, options.MatrixFile);
                    WriteVerbose($"{source.Count} of {candidates.Count} images changed since {ChangedSince}.");
                }

                plan = BuildPlanner.Plan(source, options!);
                text = plan.Legs.Count > 0 ? BuildMatrixWriter.Write(plan) : string.Empty;
            });

            foreach (var kv in plan!.Unrouted)
            {
                WriteVerbose($"No runner label for {kv.Key}: {kv.Value} image(s) get no leg there (add -RunnerLabel @{{ '{kv.Key}' = '<label>' }} to build them).");
            }

            if (plan.Legs.Count == 0)
            {
                WriteWarning(ChangedSince != null ? $"No image changed since {ChangedSince}: nothing to build, nothing written." : "No image has a platform with a runner label: nothing written.");
                return;
            }

            if (Path == null)
            {
                WriteObject(text);
                return;
            }

            string full = ResolveOutput(Path);
            if (ShouldProcess(full, $"Write the {Format} build matrix ({plan.Legs.Count} legs for {plan.ImageCount} images)"))
            {
                try
                {
                    AtomicFile.WriteAllBytes(full, new System.Text.UTF8Encoding(false).GetBytes(text), Force ? AtomicWriteMode.Replace : AtomicWriteMode.CreateNew);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(Errors.Create(ex, File.Exists(full) && !Force ? BuildMatrixErrorIds.FileExists : BuildMatrixErrorIds.WriteFailed, full));
                }

                WriteVerbose($"Wrote {plan.Legs.Count} legs to {full}.");
            }
        }

        private string ResolveOutput(string path)
        {
            string full = string.Empty;
            try
            {
                full = System.IO.Path.GetFullPath(GetUnresolvedProviderPathFromPSPath(path));
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is ProviderInvocationException)
            {
                ThrowTerminatingError(Errors.Create(new ArgumentException($"-Path '{InputGrammar.Show(path)}' is not a usable file path: {ex.Message}", ex), BuildMatrixErrorIds.InvalidPath, path));
            }

            var kind = FileProbe.KindOf(full);
            if (kind != FileKind.Missing && kind != FileKind.Regular)
            {
                ThrowTerminatingError(Errors.Create(new IOException($"'{full}' is {FileProbe.Describe(kind)}, not a regular file; nothing is written there."), BuildMatrixErrorIds.NotAFile, full));
            }

            string? parent = System.IO.Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            {
                ThrowTerminatingError(Errors.Create(new DirectoryNotFoundException($"The directory '{parent}' does not exist."), BuildMatrixErrorIds.DirectoryNotFound, parent));
            }

            if (kind == FileKind.Regular && !Force)
            {
                ThrowTerminatingError(Errors.Create(new IOException($"The file '{full}' already exists."), BuildMatrixErrorIds.FileExists, full));
            }

            return full;
        }

        /// <summary>-MatrixPath as a path inside the repository (forward slashes), which the legs pass to Get-PythonTag -MatrixPath.</summary>
        private string RelativeMatrixFile()
        {
            string full = System.IO.Path.GetFullPath(SessionState.Path.GetUnresolvedProviderPathFromPSPath(MatrixPath));
            string root = System.IO.Path.GetFullPath(repository).TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
            if (!full.StartsWith(root, StringComparison.Ordinal))
            {
                Try(() => throw new BuildMatrixException(
                    BuildMatrixErrorIds.InvalidRepositoryPath,
                    $"-MatrixPath '{InputGrammar.Show(full)}' is not inside the repository '{InputGrammar.Show(root)}': the legs read the matrix from their checkout.",
                    MatrixPath,
                    "Pass a matrix file inside -GitRepository (default: the current location)."));
            }

            return full.Substring(root.Length).Replace('\\', '/');
        }

        private string ModuleVersion()
        {
            var v = MyInvocation.MyCommand.Module?.Version ?? typeof(ExportPythonBuildMatrixCommand).Assembly.GetName().Version ?? new Version(0, 1, 0);
            return new Version(v.Major, v.Minor, Math.Max(0, v.Build)).ToString();
        }

        private static string Text(object? value) => (value is PSObject p ? p.BaseObject : value)?.ToString() ?? string.Empty;

        /// <summary>Runs <paramref name="action"/>; a <see cref="BuildMatrixException"/> becomes the terminating error of its id.</summary>
        private void Try(Action action)
        {
            try
            {
                action();
            }
            catch (BuildMatrixException ex)
            {
                ThrowTerminatingError(Errors.Create(ex, ex.ErrorId, ex.Target, ex.RecommendedAction));
            }
            catch (MatrixException ex)
            {
                ThrowTerminatingError(Errors.FromMatrix(ex));
            }
        }
    }
}
