using System;
using System.Collections;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;
using PythonImages.Engine;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Runs a Python script in a python container with the folder mounted, or runs an app image, and streams its output.</para>
    /// <para type="description">The folder (-Path, the current location by default) is mounted at /usr/src/myapp (C:\src in a
    /// Windows container) and is the working directory; the container runs python &lt;script&gt; &lt;arguments&gt; and is removed
    /// afterwards. stdout lines are output as strings as they arrive; stderr lines go to the information stream (tag stderr,
    /// shown like Write-Host); pipeline input is the script's stdin; a non-zero exit code is a non-terminating error.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "PythonContainer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ScriptSet)]
    [OutputType(typeof(string), typeof(PythonContainerResult))]
    public sealed class InvokePythonContainerCommand : EngineCmdlet
    {
        private const string ScriptSet = "Script";
        private const string ScriptImageSet = "ScriptImage";
        private const string ImageSet = "Image";
        private readonly ContainerRunInputs inputs;
        private readonly ContainerRunStreams streams;

        /// <summary>Creates the cmdlet.</summary>
        public InvokePythonContainerCommand()
        {
            inputs = new ContainerRunInputs(this);
            streams = new ContainerRunStreams(this, inputs);
        }

        /// <summary>The script to run: a relative path is looked for in -Path first, then in the current location.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ScriptSet)]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ScriptImageSet)]
        [ValidateNotNullOrEmpty]
        public string? Script { get; set; }

        /// <summary>Arguments for the script (or, with -Image alone, the command that replaces the image's CMD).</summary>
        [Parameter(Position = 1)]
        [Alias("Args")]
        [AllowEmptyString]
        [AllowEmptyCollection]
        public string[]? ArgumentList { get; set; }

        /// <summary>The python image's tag (default 3: python:3).</summary>
        [Parameter(ParameterSetName = ScriptSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TagCompleter))]
        public string Tag { get; set; } = "3";

        /// <summary>An image to run instead of python:&lt;tag&gt;: with -Script, any image with python; alone, an app image and its CMD.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ScriptImageSet)]
        [Parameter(Mandatory = true, ParameterSetName = ImageSet)]
        [ValidateNotNullOrEmpty]
        public string? Image { get; set; }

        /// <summary>The folder to mount (default: the current location).</summary>
        [Parameter(ParameterSetName = ScriptSet)]
        [Parameter(ParameterSetName = ScriptImageSet)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>The container's name (default python-run-&lt;random&gt;).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>Environment variables for the container (PYTHONUNBUFFERED=1 is set unless you set it).</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? Environment { get; set; }

        /// <summary>The container's network (host, none, bridge or a network name; default: the engine's).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Network { get; set; }

        /// <summary>Give the container a terminal and forward the keys typed at the console, when the console is a terminal.</summary>
        [Parameter]
        public SwitchParameter Interactive { get; set; }

        /// <summary>Leave the container on the engine after it exits.</summary>
        [Parameter]
        public SwitchParameter KeepContainer { get; set; }

        /// <summary>Write a result with the exit code (ExitCode) after the output.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Lines for the script's stdin (each object as a line of text).</summary>
        [Parameter(ValueFromPipeline = true)]
        [AllowNull]
        [AllowEmptyString]
        public PSObject? InputObject { get; set; }

        /// <inheritdoc/>
        protected override EngineFailureIds EngineErrorIds => EngineFailureIds.PythonContainer;

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            // Everything that reaches the engine is checked before it is contacted.
            ValidateEngineParameters();
            inputs.Read();
            if (!ShouldProcess(inputs.Image, "Run a container: " + inputs.Description))
            {
                return;
            }

            var info = EngineInfo;
            bool windows = string.Equals(info.OSType, "windows", StringComparison.OrdinalIgnoreCase);
            inputs.PlanFor(info, windows);
            streams.EnsureImage();
            streams.Start(windows, Engine, StopToken);
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            var session = streams.Session;
            if (streams.Run == null || session == null || !MyInvocation.ExpectingInput || streams.Tty)
            {
                return;
            }

            object? value = InputObject?.BaseObject;
            string line = value == null ? string.Empty : value as string ?? LanguagePrimitives.ConvertTo<string>(InputObject);
            Pump(async ct =>
            {
                await session.EnqueueLineAsync(line, ct).ConfigureAwait(false);
                return true;
            });
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            var run = streams.Run;
            var session = streams.Session;
            if (run == null || session == null)
            {
                return;
            }

            if (!streams.Tty)
            {
                session.CompleteInput(); // the end of pipeline input is the end of stdin; a terminal stays open until the program exits
            }

            AttachedRunResult result;
            try
            {
                result = Pump(_ => run);
            }
            catch (Exception ex) when (ex is EngineRequestException || ex is EngineStalledException || ex is EngineUnavailableException)
            {
                ThrowTerminatingError(streams.RunFailed(ex));
                return;
            }
            finally
            {
                streams.Keys?.Dispose();
                session.End();
            }

            session.Flush();
            RunPumped(_ => Task.FromResult(true)); // writes what the run posted after the last pump (the final lines)
            streams.Finish(result);
        }

        /// <inheritdoc/>
        protected override void StopProcessing()
        {
            base.StopProcessing();
            streams.WaitForRemoval();
        }

        /// <summary>Runs an operation while pumping the run's output; a stopped pipeline waits for the container's removal.</summary>
        private T Pump<T>(Func<CancellationToken, Task<T>> operation)
        {
            try
            {
                return RunPumped(operation);
            }
            catch (Exception ex) when (ex is PipelineStoppedException || ex is ActionPreferenceStopException)
            {
                // Downstream stopped the pipeline (Select-Object -First, -ErrorAction Stop) or Ctrl+C: the run was
                // cancelled; let it remove its container before the exception leaves.
                StopProcessing();
                throw;
            }
        }
    }
}
