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

        /// <summary>The folder of the Dockerfiles inside the repository (default '.', the root): images, ./images, .\images or a full path inside it.</summary>
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
            repository = BuildMatrixInputs.Repository(this, GitRepository);
            options = new BuildMatrixOptions
            {
                Format = string.Equals(Format, "AzurePipelines", StringComparison.OrdinalIgnoreCase) ? BuildMatrixFormat.AzurePipelines : BuildMatrixFormat.GitHubActions,
                PerLineage = PerLineage,
                RunnerLabels = BuildMatrixInputs.RunnerLabels(RunnerLabel),
                MaxParallel = MaxParallel,
                Registry = Registry,
                DefaultBranch = DefaultBranch,
                MatrixFile = MatrixPath == null ? null : RelativeMatrixFile(),
                ModuleVersion = BuildMatrixInputs.ModuleVersion(MyInvocation),
            };
            Try(() => options.ImagesPath = RepositoryRelativePath.Normalize(ImagesPath, repository, "-ImagesPath"));
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

            string full = BuildMatrixInputs.ResolveOutput(this, Path, Force);
            if (ShouldProcess(full, $"Write the {Format} build matrix ({plan.Legs.Count} legs for {plan.ImageCount} images)"))
            {
                BuildMatrixInputs.Write(this, full, text, Force);
                WriteVerbose($"Wrote {plan.Legs.Count} legs to {full}.");
            }
        }

        /// <summary>-MatrixPath as a path inside the repository (forward slashes), which the legs pass to Get-PythonTag -MatrixPath.</summary>
        private string RelativeMatrixFile()
        {
            string full = MatrixFullPath()!;
            string relative = string.Empty;
            Try(() => relative = BuildMatrixInputs.RelativeMatrixFile(full, repository, MatrixPath!));
            return relative;
        }

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
