using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Apps;
using PythonImages.Builds;
using PythonImages.Engine;
using PythonImages.Security;

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
        private const int ProgressId = 70;
        private const string Activity = "Invoke-PythonContainer";

        private static readonly string[] StdErrTags = { "PSHOST", "stderr" };

        private readonly Stopwatch progressClock = Stopwatch.StartNew();
        private string image = string.Empty;
        private string name = string.Empty;
        private string? folder;
        private string? scriptFull;
        private ScriptRun? plan;
        private IDictionary<string, string> environment = new Dictionary<string, string>(StringComparer.Ordinal);
        private string[] arguments = Array.Empty<string>();
        private string? tagOS; // Linux or Windows when the tag names images of one OS only (a string: no Core value type in a field)
        private ContainerSession? session;
        private ConsoleKeys? keys;
        private Task<AttachedRunResult>? run;
        private bool tty;
        private bool progressShown;
        private string running = string.Empty;

        /// <summary>The script to run: a path like any other (relative to the current location; a name relative to -Path works too).</summary>
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
            ValidateParameters();
            string what = plan != null ? string.Join(" ", plan.Command) + $" with {plan.Folder} mounted at {plan.MountTarget}" : (ArgumentList != null ? string.Join(" ", arguments) : "its CMD");
            if (!ShouldProcess(image, "Run a container: " + what))
            {
                return;
            }

            var info = EngineInfo;
            bool windows = string.Equals(info.OSType, "windows", StringComparison.OrdinalIgnoreCase);
            if (tagOS != null && (tagOS == "Windows") != windows)
            {
                ThrowTerminatingError(Errors.Create(
                    new InvalidOperationException($"python:{Tag} is a {tagOS} image, but the engine at {info.Endpoint} runs {(windows ? "Windows" : "Linux")} containers."),
                    PythonContainerErrorIds.OSMismatch, Tag,
                    "Use a tag of the engine's OS (Get-PythonTag -OS " + (windows ? "Windows" : "Linux") + "), or point -DockerHost / DOCKER_HOST at an engine of the image's OS."));
            }

            if (scriptFull != null)
            {
                plan = Checked(() => ScriptRun.Plan(folder!, scriptFull, arguments, windows));
            }

            EnsureImage();
            Start(windows);
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            if (run == null || session == null || !MyInvocation.ExpectingInput || tty)
            {
                return;
            }

            object? value = InputObject?.BaseObject;
            string line = value == null ? string.Empty : value as string ?? LanguagePrimitives.ConvertTo<string>(InputObject);
            Pump(ct => Done(session.EnqueueLineAsync(line, ct)));
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            if (run == null || session == null)
            {
                return;
            }

            if (!tty)
            {
                session.CompleteInput(); // the end of pipeline input is the end of stdin; a terminal stays open until the program exits
            }

            AttachedRunResult result;
            try
            {
                result = Pump(_ => run);
            }
            catch (EngineRequestException ex)
            {
                ThrowTerminatingError(RunRefused(ex));
                return;
            }
            catch (Exception ex) when (ex is EngineStalledException || ex is EngineUnavailableException)
            {
                ThrowTerminatingError(EngineError(ex, image));
                return;
            }
            finally
            {
                keys?.Dispose();
                session.End();
            }

            session.Flush();
            Drain();
            if (progressShown)
            {
                WriteProgress(new ProgressRecord(ProgressId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
            }

            WriteVerbose($"The container {result.Name} ({Short(result.Id)}) exited with code {result.ExitCode} after {result.Duration.TotalSeconds:0.0} s; " + (result.Removed ? "removed." : "kept."));
            if (result.ExitCode != 0)
            {
                WriteError(ExitError(result));
            }

            if (PassThru)
            {
                WriteObject(new PythonContainerResult
                {
                    ExitCode = result.ExitCode,
                    Image = image,
                    Command = plan?.Command.ToArray() ?? (ArgumentList != null ? arguments : Array.Empty<string>()),
                    ContainerName = result.Name,
                    ContainerId = result.Id,
                    Removed = result.Removed,
                    Path = plan?.Folder,
                    MountTarget = plan?.MountTarget,
                    Duration = result.Duration,
                    OutputLines = session.OutputLines,
                    ErrorLines = session.ErrorLines,
                    Tty = tty,
                });
            }
        }

        /// <inheritdoc/>
        protected override void StopProcessing()
        {
            base.StopProcessing();

            // Ctrl+C while the pipeline thread is elsewhere (a slow upstream command): the run kills and removes its
            // container itself; wait for that (bounded) so the container is gone when the prompt returns.
            var pending = run;
            if (pending != null)
            {
                try
                {
                    pending.Wait(EngineTimeouts.MaxCleanup + TimeSpan.FromSeconds(5));
                }
                catch (AggregateException)
                {
                    // cancelled, as asked
                }
            }
        }

        /// <summary>Checks every parameter and plans the run; terminating errors with PythonContainer.* ids.</summary>
        private void ValidateParameters()
        {
            name = Name ?? ScriptRun.DefaultName();
            Require(AppGrammar.ContainerName, name, PythonContainerErrorIds.InvalidName, "-Name", "Give a name of letters, digits, '_', '.' and '-' that starts with a letter or digit, e.g. -Name my-script.");
            if (Network != null)
            {
                Require(EngineGrammar.Network, Network, PythonContainerErrorIds.InvalidNetwork, "-Network", "Give host, bridge, none or the name of an existing network.");
            }

            arguments = Checked(() => (ArgumentList ?? Array.Empty<string>()).Select((a, i) => ScriptRun.CheckArgument(a, i)).ToArray());
            var pairs = (Environment ?? new Hashtable()).Cast<DictionaryEntry>()
                .Select(e => new KeyValuePair<string, string?>(LanguagePrimitives.ConvertTo<string>(e.Key) ?? string.Empty, e.Value == null ? null : LanguagePrimitives.ConvertTo<string>(e.Value)));
            environment = Checked(() => ScriptRun.CheckEnvironment(pairs));
            if (!environment.ContainsKey("PYTHONUNBUFFERED"))
            {
                environment["PYTHONUNBUFFERED"] = "1"; // lines leave python as they are printed, not when a buffer fills
            }

            if (Image != null)
            {
                if (EngineGrammar.ImageId.Why(Image) != null && !ImageReference.TryParse(Image, out _, out string? why))
                {
                    ThrowTerminatingError(Errors.Create(
                        new InputRejectedException(PythonContainerErrorIds.InvalidImage, InputGrammar.RepositoryPath, $"-Image '{InputGrammar.Show(Image)}'", why!),
                        PythonContainerErrorIds.InvalidImage, InputGrammar.Show(Image),
                        "Give an image reference (my-python-app, registry.example/team/app:1.0) or an image id (sha256:...)."));
                }

                image = Image;
            }
            else
            {
                var matrixImages = MatrixCache.Get(null).Images;
                var python = Checked(() => PythonBase.Resolve(matrixImages, Tag), PythonContainerErrorIds.InvalidTag, PythonContainerErrorIds.TagNotFound);
                image = python.Reference;
                tagOS = python.Images.All(i => i.OS == ImageOS.Windows) ? "Windows" : python.Images.All(i => i.OS == ImageOS.Linux) ? "Linux" : null;
            }

            if (Script != null)
            {
                folder = Path != null ? FileSystemPathOrFail(Path, "-Path") : SessionState.Path.CurrentFileSystemLocation.ProviderPath;
                scriptFull = FileSystemPathOrFail(Script, "-Script");
                if (Path != null && FileProbe.KindOf(scriptFull) == FileKind.Missing && !System.IO.Path.IsPathRooted(Script))
                {
                    string besideFolder = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, Script));
                    if (FileProbe.KindOf(besideFolder) != FileKind.Missing)
                    {
                        scriptFull = besideFolder; // a name relative to -Path
                    }
                }

                plan = Checked(() => ScriptRun.Plan(folder, scriptFull, arguments, windows: false));
            }
        }

        /// <summary>Inspects the image and pulls it when the engine does not have it (as docker run does), with progress.</summary>
        private void EnsureImage()
        {
            var engine = Engine;
            ImageDetails? details;
            try
            {
                details = RunPumped(ct => engine.InspectImageAsync(image, ct));
            }
            catch (Exception ex) when (ex is EngineRequestException || ex is EngineStalledException || ex is EngineUnavailableException)
            {
                ThrowTerminatingError(EngineError(ex, image));
                return;
            }

            if (details != null)
            {
                WriteVerbose($"Using {image} ({Short(details.Id)}, {details.OS}/{details.Architecture}).");
                return;
            }

            if (EngineGrammar.ImageId.Why(image) == null && !image.Contains(":"))
            {
                ThrowTerminatingError(Errors.Create(
                    new ItemNotFoundException($"The engine at {engine.Endpoint} has no image {image}."),
                    PythonContainerErrorIds.ImageNotFound, image,
                    "Build or pull the image first (an image id cannot be pulled)."));
            }

            WriteVerbose($"The engine has no image {image}: pulling it.");
            try
            {
                RunPumped(async ct =>
                {
                    var progress = new PullProgress(this, image);
                    await engine.PullImageAsync(image, progress, ct).ConfigureAwait(false);
                    return true;
                });
            }
            catch (EngineRequestException ex)
            {
                ThrowTerminatingError(Errors.Create(ex, PythonContainerErrorIds.PullFailed, image,
                    Image != null
                        ? "Check the image name; build it first (New-PythonAppDockerfile | Invoke-PythonImageBuild -Tag <name>), or log in and pull it with the docker CLI."
                        : "Check that the engine can reach Docker Hub (or pull python:" + Tag + " from your mirror and tag it), then run again."));
            }
            catch (Exception ex) when (ex is EngineStalledException || ex is EngineUnavailableException)
            {
                ThrowTerminatingError(EngineError(ex, image));
            }
        }

        /// <summary>Starts the run in the background: its output reaches the pipeline whenever the pipeline thread pumps.</summary>
        private void Start(bool windows)
        {
            tty = Interactive && !MyInvocation.ExpectingInput && Host.Name == "ConsoleHost" && ConsoleKeys.HostHasTerminal();
            if (Interactive && !tty)
            {
                WriteWarning(MyInvocation.ExpectingInput
                    ? "-Interactive: the script's stdin is the pipeline input, so the container runs without a terminal."
                    : "-Interactive: this host has no terminal (its input or output is redirected, or it is not a console), so the container runs without one.");
            }

            var request = new AttachedRunRequest
            {
                Image = image,
                Name = name,
                Command = plan != null ? plan.Command.ToList() : (ArgumentList != null ? arguments.ToList() : null),
                WorkingDirectory = plan?.MountTarget,
                Environment = environment,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["org.pythonimages.command"] = "Invoke-PythonContainer" },
                NetworkMode = Network,
                Stdin = MyInvocation.ExpectingInput || tty,
                Tty = tty,
                KeepContainer = KeepContainer.IsPresent,
                InactivityTimeout = InactivityTimeout,
            };
            if (plan != null)
            {
                request.Mounts.Add(new BindMount(plan.Folder, plan.MountTarget));
            }

            if (tty)
            {
                try
                {
                    var size = Host.UI.RawUI.WindowSize;
                    request.TtyWidth = size.Width;
                    request.TtyHeight = size.Height;
                }
                catch (Exception ex) when (ex is NotImplementedException || ex is System.Management.Automation.Host.HostException || ex is System.IO.IOException)
                {
                    // the terminal keeps the engine's default size
                }
            }

            running = (plan != null ? string.Join(" ", plan.Command) : image) + " in " + name;
            WriteVerbose($"Running {running}" + (plan != null ? $" ({plan.Folder} mounted at {plan.MountTarget}, {(windows ? "Windows" : "Linux")} container)" : string.Empty) + (tty ? " with a terminal." : "."));
            Progress("Starting " + name);

            session = new ContainerSession(tty, OnLine, text => Post(() => Host.UI.Write(text)));
            var engine = Engine;
            var s = session;
            var token = StopToken;
            run = Task.Run(() => engine.RunAttachedAsync(request, s, token));

            // Once the program has exited, input still arriving from the pipeline goes nowhere (as into a closed pipe).
            _ = run.ContinueWith(_ => s.End(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (tty)
            {
                keys = new ConsoleKeys(s.EnqueueAsync);
            }
        }

        /// <summary>Engine thread: one line of output, posted to the pipeline thread (with back-pressure).</summary>
        private void OnLine(ContainerStreamKind stream, string line)
        {
            if (stream == ContainerStreamKind.StdErr)
            {
                PostLine(() => WriteInformation(new HostInformationMessage { Message = line }, StdErrTags));
            }
            else
            {
                PostLine(() =>
                {
                    WriteObject(line);
                    if (progressClock.ElapsedMilliseconds > 500)
                    {
                        Progress($"Running {running}: {session!.OutputLines} lines");
                    }
                });
            }
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

        /// <summary>Writes what the run posted after the last pump (the final lines).</summary>
        private void Drain() => RunPumped(_ => Task.FromResult(true));

        private static async Task<bool> Done(Task task)
        {
            await task.ConfigureAwait(false);
            return true;
        }

        private void Progress(string status)
        {
            WriteProgress(new ProgressRecord(ProgressId, Activity, status));
            progressShown = true;
            progressClock.Restart();
        }

        private ErrorRecord ExitError(AttachedRunResult result)
        {
            string what = plan != null ? string.Join(" ", plan.Command) : image;
            var tail = session!.StdErrTail;
            string message = $"{what} exited with code {result.ExitCode} (container {result.Name}).";
            var record = Errors.Create(new ContainerExitException(message, result.ExitCode), PythonContainerErrorIds.NonZeroExitCode, plan?.Script ?? image,
                "Read what the program wrote to stderr (shown above; -InformationVariable captures it); -PassThru gives the exit code as ExitCode.");
            if (tail.Length > 0)
            {
                record.ErrorDetails = new ErrorDetails(message + " Its last lines on stderr:\n" + string.Join("\n", tail))
                {
                    RecommendedAction = record.ErrorDetails.RecommendedAction,
                };
            }

            return record;
        }

        /// <summary>An engine refusal of the run: a name in use, an image gone, or the engine's own message.</summary>
        private ErrorRecord RunRefused(EngineRequestException ex)
        {
            if (ex.StatusCode == 409)
            {
                return Errors.Create(ex, PythonContainerErrorIds.NameInUse, name,
                    $"Another container is called {name}: pass another -Name, or remove it (docker rm {name}).");
            }

            if (ex.StatusCode == 404)
            {
                return Errors.Create(ex, PythonContainerErrorIds.ImageNotFound, image,
                    "The image went away before the container was created; build or pull it again.");
            }

            return EngineError(ex, image);
        }

        private string FileSystemPathOrFail(string path, string parameter)
        {
            string? full = AppErrors.FileSystemPath(this, path, out string? why);
            if (full == null)
            {
                ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"{parameter} '{InputGrammar.Show(path)}' is not a usable file-system path: {why}."),
                    parameter == "-Path" ? PythonContainerErrorIds.InvalidPath : PythonContainerErrorIds.InvalidScript, InputGrammar.Show(path),
                    parameter == "-Path" ? "Pass the folder to mount as a file-system path." : "Pass the script as a file-system path."));
            }

            return full!;
        }

        /// <summary>Runs a domain check; its <see cref="AppException"/> becomes a terminating error (App.* ids renamed to the given PythonContainer.* ones).</summary>
        private T Checked<T>(Func<T> check, string? invalidTagId = null, string? tagNotFoundId = null)
        {
            try
            {
                return check();
            }
            catch (AppException ex)
            {
                string id = ex.ErrorId == AppErrorIds.InvalidTag && invalidTagId != null ? invalidTagId
                    : ex.ErrorId == AppErrorIds.TagNotFound && tagNotFoundId != null ? tagNotFoundId
                    : ex.ErrorId;
                ThrowTerminatingError(AppErrors.From(id == ex.ErrorId ? ex : new AppException(id, ex.Message, ex.RecommendedAction, ex.Target, ex.InnerException)));
                throw; // not reached
            }
        }

        private void Require(Grammar grammar, string value, string errorId, string parameter, string action)
        {
            string? why = grammar.Why(value);
            if (why != null)
            {
                ThrowTerminatingError(Errors.Create(
                    new InputRejectedException(errorId, grammar, $"{parameter} '{InputGrammar.Show(value)}'", why),
                    errorId, InputGrammar.Show(value), action));
            }
        }

        private static string Short(string id)
        {
            string hex = id.StartsWith("sha256:", StringComparison.Ordinal) ? id.Substring(7) : id;
            return hex.Length > 12 ? hex.Substring(0, 12) : hex;
        }

        /// <summary>Pull progress as one progress record (engine thread; posted).</summary>
        private sealed class PullProgress : IProgress<PullEvent>
        {
            private readonly InvokePythonContainerCommand cmdlet;
            private readonly string image;
            private readonly Dictionary<string, (long Current, long Total)> layers = new Dictionary<string, (long, long)>(StringComparer.Ordinal);

            public PullProgress(InvokePythonContainerCommand cmdlet, string image)
            {
                this.cmdlet = cmdlet;
                this.image = image;
            }

            public void Report(PullEvent value)
            {
                if (value.Layer != null && value.Total > 0 && value.Status.StartsWith("Downloading", StringComparison.Ordinal))
                {
                    layers[value.Layer] = (value.Current, value.Total);
                }

                long total = layers.Values.Sum(l => l.Total);
                int percent = total > 0 ? (int)Math.Min(99, layers.Values.Sum(l => l.Current) * 100 / total) : -1;
                string status = (value.Layer != null ? value.Layer + ": " : string.Empty) + value.Status;
                cmdlet.Post(() =>
                {
                    cmdlet.WriteProgress(new ProgressRecord(ProgressId, Activity, "Pulling " + image) { CurrentOperation = status, PercentComplete = percent });
                    cmdlet.progressShown = true;
                });
            }
        }
    }
}
