using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Apps;
using PythonImages.Builds;
using PythonImages.Engine;
using PythonImages.ImageTests;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// Invoke-PythonContainer's engine work and streams: the image check and pull (with progress), the run's request, its
    /// output lines (stdout as strings, stderr on the information stream), progress, the exit error and the result.
    /// </summary>
    internal sealed class ContainerRunStreams
    {
        private const int ProgressId = 70;
        private const string Activity = "Invoke-PythonContainer";

        private static readonly string[] StdErrTags = { "PSHOST", "stderr" };

        private readonly InvokePythonContainerCommand cmdlet;
        private readonly ContainerRunInputs inputs;
        private readonly Stopwatch progressClock = Stopwatch.StartNew();
        private bool progressShown;
        private string running = string.Empty;

        public ContainerRunStreams(InvokePythonContainerCommand cmdlet, ContainerRunInputs inputs)
        {
            this.cmdlet = cmdlet;
            this.inputs = inputs;
        }

        /// <summary>The run's session (set when the run starts).</summary>
        public ContainerSession? Session { get; private set; }

        /// <summary>The run (set when it starts): its result when the container has exited and is removed (or kept).</summary>
        public Task<AttachedRunResult>? Run { get; private set; }

        /// <summary>True when the container has a terminal.</summary>
        public bool Tty { get; private set; }

        /// <summary>The console keys forwarded to a terminal (null without one).</summary>
        public ConsoleKeys? Keys { get; private set; }

        /// <summary>Inspects the image and pulls it when the engine does not have it (as docker run does), with progress.</summary>
        public void EnsureImage()
        {
            var engine = cmdlet.Engine;
            string image = inputs.Image;
            ImageDetails? details;
            try
            {
                details = cmdlet.RunPumped(ct => engine.InspectImageAsync(image, ct));
            }
            catch (Exception ex) when (ex is EngineRequestException || ex is EngineStalledException || ex is EngineUnavailableException)
            {
                cmdlet.ThrowTerminatingError(cmdlet.EngineError(ex, image));
                return;
            }

            if (details != null)
            {
                cmdlet.WriteVerbose($"Using {image} ({Short(details.Id)}, {details.OS}/{details.Architecture}).");
                return;
            }

            if (EngineGrammar.ImageId.Why(image) == null && !image.Contains(":"))
            {
                cmdlet.ThrowTerminatingError(Errors.Create(
                    new ItemNotFoundException($"The engine at {engine.Endpoint} has no image {image}."),
                    PythonContainerErrorIds.ImageNotFound, image,
                    "Build or pull the image first (an image id cannot be pulled)."));
            }

            cmdlet.WriteVerbose($"The engine has no image {image}: pulling it.");
            Pull(engine, image);
        }

        /// <summary>Starts the run in the background: its output reaches the pipeline whenever the pipeline thread pumps.</summary>
        public void Start(bool windows, IDockerEngine engine, CancellationToken token)
        {
            bool tty = Tty = cmdlet.Interactive && !cmdlet.MyInvocation.ExpectingInput && cmdlet.Host.Name == "ConsoleHost" && ConsoleKeys.HostHasTerminal();
            if (cmdlet.Interactive && !tty)
            {
                cmdlet.WriteWarning(cmdlet.MyInvocation.ExpectingInput
                    ? "-Interactive: the script's stdin is the pipeline input, so the container runs without a terminal."
                    : "-Interactive: this host has no terminal (its input or output is redirected, or it is not a console), so the container runs without one.");
            }

            var request = Request(tty, windows);
            var s = Session = new ContainerSession(tty, OnLine, text => cmdlet.Post(() => cmdlet.Host.UI.Write(text)));
            var run = Run = Task.Run(() => engine.RunAttachedAsync(request, s, token));

            // Once the program has exited, input still arriving from the pipeline goes nowhere (as into a closed pipe).
            _ = run.ContinueWith(_ => s.End(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            if (tty)
            {
                Keys = new ConsoleKeys(s.EnqueueAsync);
            }
        }

        /// <summary>Ends the progress, writes the exit (verbose; an error when non-zero) and, with -PassThru, the result.</summary>
        public void Finish(AttachedRunResult result)
        {
            bool tty = Tty;
            if (progressShown)
            {
                cmdlet.WriteProgress(new ProgressRecord(ProgressId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
            }

            cmdlet.WriteVerbose($"The container {result.Name} ({Short(result.Id)}) exited with code {result.ExitCode} after {result.Duration.TotalSeconds:0.0} s; " + (result.Removed ? "removed." : "kept."));
            if (result.ExitCode != 0)
            {
                cmdlet.WriteError(ExitError(result));
            }

            if (cmdlet.PassThru)
            {
                cmdlet.WriteObject(new PythonContainerResult
                {
                    ExitCode = result.ExitCode,
                    Image = inputs.Image,
                    Command = inputs.Command ?? Array.Empty<string>(),
                    ContainerName = result.Name,
                    ContainerId = result.Id,
                    Removed = result.Removed,
                    Path = inputs.Plan?.Folder,
                    MountTarget = inputs.Plan?.MountTarget,
                    Duration = result.Duration,
                    OutputLines = Session!.OutputLines,
                    ErrorLines = Session.ErrorLines,
                    Tty = tty,
                });
            }
        }

        /// <summary>The run's request: the checked inputs, a terminal when <paramref name="tty"/>.</summary>
        private AttachedRunRequest Request(bool tty, bool windows)
        {
            var plan = inputs.Plan;
            var request = new AttachedRunRequest
            {
                Image = inputs.Image,
                Name = inputs.Name,
                Command = inputs.Command?.ToList(),
                WorkingDirectory = plan?.MountTarget,
                Environment = inputs.Environment,
                Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["org.pythonimages.command"] = "Invoke-PythonContainer" },
                NetworkMode = cmdlet.Network,
                Stdin = cmdlet.MyInvocation.ExpectingInput || tty,
                Tty = tty,
                KeepContainer = cmdlet.KeepContainer.IsPresent,
                InactivityTimeout = cmdlet.InactivityTimeout,
            };
            if (plan != null)
            {
                request.Mounts.Add(new BindMount(plan.Folder, plan.MountTarget));
            }

            if (tty)
            {
                try
                {
                    var size = cmdlet.Host.UI.RawUI.WindowSize;
                    request.TtyWidth = size.Width;
                    request.TtyHeight = size.Height;
                }
                catch (Exception ex) when (ex is NotImplementedException || ex is System.Management.Automation.Host.HostException || ex is System.IO.IOException)
                {
                    // the terminal keeps the engine's default size
                }
            }

            running = (plan != null ? ScriptRun.Display(plan.Command) : inputs.Image) + " in " + inputs.Name;
            cmdlet.WriteVerbose($"Running {running}" + (plan != null ? $" ({plan.Folder} mounted at {plan.MountTarget}, {(windows ? "Windows" : "Linux")} container)" : string.Empty) + (tty ? " with a terminal." : "."));
            Progress("Starting " + inputs.Name);
            return request;
        }

        /// <summary>Engine thread: one line of output, posted to the pipeline thread (with back-pressure).</summary>
        private void OnLine(ContainerStreamKind stream, string line)
        {
            if (stream == ContainerStreamKind.StdErr)
            {
                cmdlet.PostLine(() => cmdlet.WriteInformation(new HostInformationMessage { Message = line }, StdErrTags));
            }
            else
            {
                cmdlet.PostLine(() =>
                {
                    cmdlet.WriteObject(line);
                    if (progressClock.ElapsedMilliseconds > 500)
                    {
                        Progress($"Running {running}: {Session!.OutputLines} lines");
                    }
                });
            }
        }

        /// <summary>
        /// Ctrl+C while the pipeline thread is elsewhere (a slow upstream command): the run kills and removes its
        /// container itself; wait for that (bounded) so the container is gone when the prompt returns.
        /// </summary>
        public void WaitForRemoval()
        {
            try
            {
                Run?.Wait(EngineTimeouts.MaxCleanup + TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // cancelled, as asked
            }
        }

        /// <summary>A failed run: a name in use, an image gone, the engine's own message, or the engine stalled or gone.</summary>
        public ErrorRecord RunFailed(Exception failure)
        {
            if (!(failure is EngineRequestException ex))
            {
                return cmdlet.EngineError(failure, inputs.Image);
            }

            if (ex.StatusCode == 409)
            {
                return Errors.Create(ex, PythonContainerErrorIds.NameInUse, inputs.Name,
                    $"Another container is called {inputs.Name}: pass another -Name, or remove it (docker rm {inputs.Name}).");
            }

            if (ex.StatusCode == 404 && cmdlet.Network != null && EngineMessages.IsNetworkNotFound(ex.Message))
            {
                return Errors.Create(ex, PythonContainerErrorIds.NetworkNotFound, cmdlet.Network, message: $"The engine has no network '{cmdlet.Network}' (-Network). {ex.Message}");
            }

            if (ex.StatusCode == 404)
            {
                return Errors.Create(ex, PythonContainerErrorIds.ImageNotFound, inputs.Image,
                    "The image went away before the container was created; build or pull it again.");
            }

            return cmdlet.EngineError(ex, inputs.Image);
        }

        private void Pull(IDockerEngine engine, string image)
        {
            try
            {
                cmdlet.RunPumped(async ct =>
                {
                    var progress = new PullProgress(this, image);
                    await engine.PullImageAsync(image, progress, ct).ConfigureAwait(false);
                    return true;
                });
            }
            catch (EngineRequestException ex)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(ex, PythonContainerErrorIds.PullFailed, image,
                    cmdlet.Image != null
                        ? "Check the image name; build it first (New-PythonAppDockerfile | Invoke-PythonImageBuild -Tag <name>), or log in and pull it with the docker CLI."
                        : "Check that the engine can reach Docker Hub (or pull python:" + cmdlet.Tag + " from your mirror and tag it), then run again."));
            }
            catch (Exception ex) when (ex is EngineStalledException || ex is EngineUnavailableException)
            {
                cmdlet.ThrowTerminatingError(cmdlet.EngineError(ex, image));
            }
        }

        private void Progress(string status)
        {
            cmdlet.WriteProgress(new ProgressRecord(ProgressId, Activity, status));
            progressShown = true;
            progressClock.Restart();
        }

        private ErrorRecord ExitError(AttachedRunResult result)
        {
            var plan = inputs.Plan;
            string what = plan != null ? ScriptRun.Display(plan.Command) : inputs.Image;
            var tail = Session!.StdErrTail;
            string message = $"{what} exited with code {result.ExitCode} (container {result.Name}).";
            var record = Errors.Create(new ContainerExitException(message, result.ExitCode), PythonContainerErrorIds.NonZeroExitCode, plan?.Script ?? inputs.Image,
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

        private static string Short(string id)
        {
            string hex = id.StartsWith("sha256:", StringComparison.Ordinal) ? id.Substring(7) : id;
            return hex.Length > 12 ? hex.Substring(0, 12) : hex;
        }

        /// <summary>Pull progress as one progress record (engine thread; posted).</summary>
        private sealed class PullProgress : IProgress<PullEvent>
        {
            private readonly ContainerRunStreams streams;
            private readonly string image;
            private readonly Dictionary<string, (long Current, long Total)> layers = new Dictionary<string, (long, long)>(StringComparer.Ordinal);

            public PullProgress(ContainerRunStreams streams, string image)
            {
                this.streams = streams;
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
                var cmdlet = streams.cmdlet;
                cmdlet.Post(() =>
                {
                    cmdlet.WriteProgress(new ProgressRecord(ProgressId, Activity, "Pulling " + image) { CurrentOperation = status, PercentComplete = percent });
                    streams.progressShown = true;
                });
            }
        }
    }
}
