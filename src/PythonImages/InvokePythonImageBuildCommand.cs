using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PythonImages.Builds;
using PythonImages.Engine;
using PythonImages.Engine.Builds;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Builds python images from their generated Dockerfiles on a Docker engine (Linux or Windows), through the Engine API.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "PythonImageBuild", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ImageSet)]
    [OutputType(typeof(ImageBuildResult))]
    public sealed partial class InvokePythonImageBuildCommand : EngineCmdlet
    {
        internal const string ImageSet = "Image";
        internal const string PathSet = "Path";
        internal const string LiteralPathSet = "LiteralPath";

        private readonly List<ImageBuildJob> queued = new List<ImageBuildJob>();
        private ImageBuildInputs? inputs;
        private BuildOrchestrator? orchestrator;

        /// <summary>The image to build (from New-PythonDockerfile); its DockerfilePath/ContextPath/Tags/SharedTags/OS bind by name.</summary>
        [Parameter(ParameterSetName = ImageSet, ValueFromPipeline = true)]
        public PythonImage? InputObject { get; set; }

        /// <summary>The Dockerfile to build. Default: Dockerfile in the context.</summary>
        [Parameter(ParameterSetName = ImageSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string? DockerfilePath { get; set; }

        /// <summary>The build context folder. Default: the Dockerfile's folder.</summary>
        [Parameter(ParameterSetName = ImageSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? ContextPath { get; set; }

        /// <summary>Build context folders, or Dockerfiles (their folder is the context); wildcards allowed.</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary>Build context folders, or Dockerfiles, taken literally (no wildcards); binds the PSPath of piped items (Get-ChildItem -Directory | Invoke-PythonImageBuild).</summary>
        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[]? LiteralPath { get; set; }

        /// <summary>The image's own tags (bound from the pipeline).</summary>
        [Parameter(ParameterSetName = ImageSet, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyCollection]
        public string[]? Tags { get; set; }

        /// <summary>The image's shared tags (bound from the pipeline).</summary>
        [Parameter(ParameterSetName = ImageSet, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyCollection]
        public string[]? SharedTags { get; set; }

        /// <summary>Linux or Windows: the container OS the image needs. Checked against the engine before anything is uploaded.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet("Linux", "Windows", IgnoreCase = true)]
        public string? OS { get; set; }

        /// <summary>The repository every build is tagged under: the image's tags, bare -Tag values, and a -Path build without -Tag (Repository:latest). Default: python (a -Path build without -Tag or -Repository stays untagged).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Repository { get; set; } = "python";

        /// <summary>Extra tags: a bare tag goes under -Repository; repo:tag is used as is.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Tag { get; set; }

        /// <summary>Build arguments (--build-arg): a hashtable, or docker's NAME=value strings (NAME alone takes the value of the environment variable); names such as HTTP_PROXY, values never shown (they may be secrets).</summary>
        [Parameter]
        [BuildArgTransformation]
        public Hashtable? BuildArg { get; set; }

        /// <summary>Labels of the image (--label), e.g. @{ 'org.opencontainers.image.revision' = '...' }.</summary>
        [Parameter]
        public Hashtable? Label { get; set; }

        /// <summary>Build without the layer cache.</summary>
        [Parameter]
        public SwitchParameter NoCache { get; set; }

        /// <summary>Always try to pull a newer version of the base image.</summary>
        [Parameter]
        public SwitchParameter Pull { get; set; }

        /// <summary>Network mode for RUN steps (host, bridge, none, a network name).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Network { get; set; }

        /// <summary>Target platform (linux/amd64, windows/amd64).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Platform { get; set; }

        /// <summary>A folder (one log per image) or a file (all logs) for the full build log.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? LogPath { get; set; }

        /// <summary>How many images build at once. Results keep input order.</summary>
        [Parameter]
        [ValidateRange(1, 32)]
        public int ThrottleLimit { get; set; } = 1;

        /// <inheritdoc/>
        protected override EngineFailureIds EngineErrorIds => EngineFailureIds.ImageBuild;

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            // Everything that reaches the engine or the disk is checked here, before anything is uploaded or written.
            ValidateEngineParameters();
            inputs = new ImageBuildInputs(this);
            var options = inputs.ReadOptions();
            options.ReportLogLines = VerboseWanted; // read here, on the pipeline thread
            var selector = CreateEngineSelector(); // one engine, or -Engine's engines per platform
            orchestrator = new BuildOrchestrator(selector, options, new BuildStreamWriter(this));
            AttachLedger(options);
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (var job in inputs!.ResolveAll())
            {
                Process(job);
            }
        }

        private void Process(ImageBuildJob job)
        {
            string what = (job.References.Count > 0 ? string.Join(", ", job.References) : "an untagged image")
                + $" from {job.DockerfilePath}" + (job.OS != null ? $" ({job.OS})" : string.Empty);
            if (!ShouldBuild(job, what))
            {
                return;
            }

            if (ThrottleLimit > 1 || Engine != null)
            {
                queued.Add(job);
                return;
            }

            if (orchestrator!.Prepare(job))
            {
                RunPumped(async ct =>
                {
                    await orchestrator.BuildAsync(job, ct).ConfigureAwait(false);
                    return true;
                });
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            var ready = queued.Where(orchestrator!.Prepare).ToList();
            if (ready.Count == 0)
            {
                return;
            }

            RunPumped(async ct =>
            {
                await orchestrator.BuildAllAsync(ready, queued.Count, ct).ConfigureAwait(false);
                return true;
            });
        }
    }

    /// <summary>A build that the engine ran and that failed (a failing RUN step, a Dockerfile error).</summary>
    public sealed class ImageBuildException : Exception
    {
        /// <summary>A failed build: its message and the step that failed.</summary>
        public ImageBuildException(string message, string? failedStep)
            : base(message)
        {
            FailedStep = failedStep;
        }

        /// <summary>The step that failed ("Step 4/9 : RUN ..."), when one did.</summary>
        public string? FailedStep { get; }
    }
}
