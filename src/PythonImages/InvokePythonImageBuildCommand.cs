using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;
using PythonImages.Engine;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Builds python images from their generated Dockerfiles on a Docker engine (Linux or Windows), through the Engine API.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "PythonImageBuild", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ImageSet)]
    [OutputType(typeof(ImageBuildResult))]
    public sealed class InvokePythonImageBuildCommand : EngineCmdlet
    {
        private static readonly char[] ExtraInvalidNameCharacters = { ':', '/', '\\' };

        private const string ImageSet = "Image";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const int OverallActivityId = 1;
        private static readonly Regex WindowsBase = new Regex(@"^\s*FROM\s+(--platform=\S+\s+)?\S*(windows/servercore|windows/nanoserver|windowsservercore|nanoserver|mcr\.microsoft\.com/windows)", RegexOptions.IgnoreCase | RegexOptions.Multiline);

        private readonly List<BuildItem> queued = new List<BuildItem>();
        private readonly object logGate = new object();
        private readonly Dictionary<string, string> buildArgs = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> labels = new Dictionary<string, string>(StringComparer.Ordinal);
        private string[] extraReferences = Array.Empty<string>();
        private string? logFull;
        private bool logIsDirectory;
        private bool combinedLogStarted;
        private int index;
        private int done;

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
            _ = VerboseWanted; // read here, on the pipeline thread; the builds read the cached answer
            ValidateRepository();
            extraReferences = (Tag ?? Array.Empty<string>()).Select(ValidateTag).ToArray();
            if (Platform != null)
            {
                Require(EngineGrammar.Platform, Platform, ImageBuildErrorIds.InvalidPlatform, "-Platform", "Give os[/architecture[/variant]], e.g. linux/amd64 or windows/amd64.");
            }

            if (Network != null)
            {
                Require(EngineGrammar.Network, Network, ImageBuildErrorIds.InvalidNetwork, "-Network", "Give host, bridge, none or the name of an existing network.");
            }

            ReadTable(BuildArg, buildArgs, EngineGrammar.BuildArgName, ImageBuildErrorIds.InvalidBuildArg, "-BuildArg", secretValues: true);
            ReadTable(Label, labels, EngineGrammar.LabelKey, ImageBuildErrorIds.InvalidLabel, "-Label", secretValues: false);
            if (LogPath != null)
            {
                ValidateLogPath(LogPath);
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (var item in ResolveInputs())
            {
                Process(item);
            }
        }

        /// <summary>The build items of this input: the piped image, or one per existing -Path / -LiteralPath item.</summary>
        private List<BuildItem> ResolveInputs()
        {
            var items = new List<BuildItem>();
            if (ParameterSetName == ImageSet)
            {
                var item = Resolve(null);
                if (item != null)
                {
                    items.Add(item);
                }

                return items;
            }

            bool literal = ParameterSetName == LiteralPathSet;
            foreach (var full in PathInputs.Resolve(this, (literal ? LiteralPath : Path) ?? Array.Empty<string>(), literal, ImageBuildErrorIds.ContextNotFound, ImageBuildErrorIds.InvalidPath, "build context folder or Dockerfile"))
            {
                var item = Resolve(full);
                if (item != null)
                {
                    items.Add(item);
                }
            }

            return items;
        }

        private void Process(BuildItem item)
        {
            string what = (item.References.Length > 0 ? string.Join(", ", item.References) : "an untagged image")
                + $" from {item.DockerfileFull}" + (item.OS != null ? $" ({item.OS})" : string.Empty);
            if (!ShouldProcess(what, "Build image"))
            {
                return;
            }

            if (ThrottleLimit > 1)
            {
                queued.Add(item);
                return;
            }

            if (!Prepare(item))
            {
                return;
            }

            var outcome = RunPumped(ct => BuildOneAsync(item, ct));
            Emit(outcome);
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            if (queued.Count == 0)
            {
                return;
            }

            var ready = queued.Where(Prepare).ToList();
            if (ready.Count == 0)
            {
                return;
            }

            RunPumped(async ct =>
            {
                using var slots = new SemaphoreSlim(ThrottleLimit, ThrottleLimit);
                var tasks = ready.Select(async item =>
                {
                    await slots.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        return await BuildOneAsync(item, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }).ToList();

                // Results leave in input order, each as soon as it and all before it are done.
                foreach (var task in tasks)
                {
                    var outcome = await task.ConfigureAwait(false);
                    Post(() => Emit(outcome));
                }

                return true;
            });
            Complete(OverallActivityId, "Building python images", null);
        }

        /// <summary>Binds one input to a build item, or writes why it cannot be built.</summary>
        private BuildItem? Resolve(string? pathFull)
        {
            object target = (object?)InputObject ?? pathFull ?? (object?)DockerfilePath ?? ContextPath ?? "input";
            string? dockerfile = pathFull != null && File.Exists(pathFull) ? pathFull : DockerfilePath ?? InputObject?.DockerfilePath;
            string? context = pathFull != null ? (File.Exists(pathFull) ? System.IO.Path.GetDirectoryName(pathFull) : pathFull) : (ContextPath ?? InputObject?.ContextPath);
            if (dockerfile == null && context == null)
            {
                WriteError(Errors.Create(
                    new ArgumentException($"{target} has no DockerfilePath or ContextPath, so there is nothing to build."),
                    ImageBuildErrorIds.NoDockerfile,
                    target,
                    "Generate the Dockerfiles first (Get-PythonTag ... | New-PythonDockerfile | Invoke-PythonImageBuild), or pass a context folder with -Path."));
                return null;
            }

            string? contextFull;
            string dockerfileFull;
            try
            {
                contextFull = context == null ? null : FileSystemPath(context);
                dockerfileFull = dockerfile != null
                    ? (System.IO.Path.IsPathRooted(dockerfile) || contextFull == null ? FileSystemPath(dockerfile) : System.IO.Path.GetFullPath(System.IO.Path.Combine(contextFull, dockerfile)))
                    : System.IO.Path.Combine(contextFull!, "Dockerfile");
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException || ex is PSInvalidOperationException)
            {
                WriteError(Errors.Create(
                    new ArgumentException($"Cannot build {target}: its context or Dockerfile path is not a usable file-system path: {ex.Message}", ex),
                    ImageBuildErrorIds.InvalidPath,
                    target,
                    "Pass the context folder and Dockerfile as file-system paths (New-PythonDockerfile sets them)."));
                return null;
            }
            contextFull ??= System.IO.Path.GetDirectoryName(dockerfileFull)!;

            var refs = new List<string>();
            foreach (var t in (Tags ?? InputObject?.Tags ?? Array.Empty<string>()).Concat(SharedTags ?? InputObject?.SharedTags ?? Array.Empty<string>()))
            {
                string? why = InputGrammar.DockerTag.Why(t);
                if (why != null)
                {
                    WriteError(Errors.Create(
                        new InputRejectedException(ImageBuildErrorIds.InvalidTag, InputGrammar.DockerTag, $"The tag '{InputGrammar.Show(t)}' of {target}", why),
                        ImageBuildErrorIds.InvalidTag,
                        target,
                        "Fix the tag where the image comes from (the matrix, or the object's Tags/SharedTags); nothing was built for this image."));
                    return null;
                }

                refs.Add(Repository + ":" + t);
            }

            refs.AddRange(extraReferences);
            if (pathFull != null && refs.Count == 0 && MyInvocation.BoundParameters.ContainsKey(nameof(Repository)))
            {
                // -Repository applies to a -Path build too: without -Tag it is Repository:latest, as docker build -t repo.
                refs.Add(Repository + ":latest");
            }

            return new BuildItem
            {
                Index = index++,
                Target = target,
                Image = InputObject,
                ContextFull = contextFull,
                DockerfileFull = dockerfileFull,
                References = refs.Distinct(StringComparer.Ordinal).ToArray(),
                OS = OS ?? InputObject?.OS.ToString(),
            };
        }

        /// <summary>
        /// Checks done before anything is sent: the context exists, and the image's OS is the engine's. Connects to
        /// the engine (a terminating error when there is none).
        /// </summary>
        private bool Prepare(BuildItem item)
        {
            if (!Directory.Exists(item.ContextFull) || !File.Exists(item.DockerfileFull))
            {
                string missing = !Directory.Exists(item.ContextFull) ? item.ContextFull : item.DockerfileFull;
                WriteError(Errors.Create(
                    new FileNotFoundException($"Cannot build {Describe(item)}: {missing} does not exist.", missing),
                    ImageBuildErrorIds.ContextNotFound,
                    item.Target));
                return false;
            }

            string? os = item.OS ?? SniffOS(item.DockerfileFull);
            string engineOS = EngineInfo.OSType;
            if (os != null && engineOS.Length > 0 && !string.Equals(os, engineOS, StringComparison.OrdinalIgnoreCase))
            {
                string message = $"Cannot build {Describe(item)}: it is a {Title(os)} image, but the engine at {EngineInfo.Endpoint} runs {Title(engineOS)} containers. Nothing was uploaded.";
                WriteError(Errors.Create(
                    new InvalidOperationException(message),
                    ImageBuildErrorIds.OSMismatch,
                    item.Target,
                    string.Equals(os, "windows", StringComparison.OrdinalIgnoreCase)
                        ? "Build Windows images on a Windows engine: switch Docker Desktop to Windows containers, or pass -DockerHost npipe:////./pipe/docker_engine (or tcp://<windows-host>:2376) / select its docker context."
                        : "Build Linux images on a Linux engine: switch Docker Desktop to Linux containers, or pass -DockerHost / DOCKER_HOST / a docker context of a Linux engine."));
                return false;
            }

            item.OS = os;
            return true;
        }

        private static string? SniffOS(string dockerfile)
        {
            try
            {
                return WindowsBase.IsMatch(File.ReadAllText(dockerfile)) ? "Windows" : null;
            }
            catch (IOException)
            {
                return null;
            }
        }

        private static string Title(string os) => os.Length == 0 ? os : char.ToUpperInvariant(os[0]) + os.Substring(1).ToLowerInvariant();

        private static string Describe(BuildItem item) => item.References.Length > 0 ? item.References[0] : item.DockerfileFull;

        /// <summary>Runs on the thread pool; talks to PowerShell only through Post.</summary>
        private async Task<BuildOutcome> BuildOneAsync(BuildItem item, CancellationToken ct)
        {
            var outcome = new BuildOutcome { Item = item };
            var watch = Stopwatch.StartNew();
            int activityId = OverallActivityId + 1 + item.Index;
            string activity = "Building " + Describe(item);
            string prefix = ThrottleLimit > 1 ? "[" + Describe(item) + "] " : string.Empty;
            bool verbose = VerboseWanted;
            var engine = Engine;
            string endpoint = EngineInfo.Endpoint;
            Post(() =>
            {
                Progress(activityId, activity, "Sending build context", 0);
                WriteVerbose($"{prefix}Building {item.DockerfileFull} (context {item.ContextFull}) with the classic builder (API version=1) on {endpoint}.");
            });

            // The full log goes to disk as it arrives; memory keeps the engine's bounded tail only.
            BuildLogFile? log = null;
            if (logFull != null)
            {
                string target = LogFileFor(item);
                try
                {
                    log = BuildLogFile.Start(target);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    outcome.LogError = ex;
                    outcome.LogPath = target;
                    return outcome;
                }
            }

            try
            {
                IDictionary<string, string> imageLabels;
                try
                {
                    imageLabels = await BuildLabelsAsync(item, engine, ct).ConfigureAwait(false);
                    outcome.ForeignTags = await ImageProvenance.ForeignTagsAsync(engine, item.References, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    throw;
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    outcome.EngineError = ex;
                    outcome.Duration = watch.Elapsed;
                    return outcome;
                }

                var request = new EngineBuildRequest
                {
                    ContextDirectory = item.ContextFull,
                    Dockerfile = MakeRelative(item.ContextFull, item.DockerfileFull),
                    Tags = item.References.ToList(),
                    BuildArgs = new Dictionary<string, string>(buildArgs),
                    Labels = imageLabels,
                    NoCache = NoCache.IsPresent,
                    Pull = Pull.IsPresent,
                    NetworkMode = Network,
                    Platform = Platform,
                    ForceRemoveIntermediate = true,

                    // Windows images use the classic builder (upstream's manifest says so); API builds are classic anyway.
                    Builder = BuilderKind.Classic,
                };

                var events = new LogRouter(this, log, outcome.Hints, prefix, e =>
                {
                    switch (e.Kind)
                    {
                        case BuildEventKind.Step:
                            string status = $"Step {e.Step}/{e.TotalSteps} : {e.Text}";
                            int percent = e.TotalSteps > 0 ? Math.Min(99, (e.Step - 1) * 100 / e.TotalSteps) : 0;
                            Progress(activityId, activity, status, percent);
                            WriteVerbose(prefix + status);
                            break;
                        case BuildEventKind.Log:
                        case BuildEventKind.Error:
                            WriteVerbose(prefix + e.Text);
                            break;
                    }
                }, verbose);

                try
                {
                    outcome.Build = await engine.BuildAsync(request, events, ct).ConfigureAwait(false);
                    if (outcome.Build.Succeeded && outcome.Build.ImageId != null)
                    {
                        var details = await engine.InspectImageAsync(outcome.Build.ImageId, ct).ConfigureAwait(false);
                        outcome.Size = details?.Size ?? 0;
                    }
                }
                catch (BuildContextException ex)
                {
                    outcome.ContextError = ex;
                }
                catch (OperationCanceledException)
                {
                    throw;
                }
                catch (EngineStalledException ex)
                {
                    outcome.Stalled = ex;
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    outcome.EngineError = ex;
                }

                outcome.Duration = watch.Elapsed;
                if (log != null && (outcome.Build != null || outcome.Stalled != null))
                {
                    outcome.LogPath = log.Target;
                    try
                    {
                        lock (logGate)
                        {
                            log.Commit(LogHeader(item, outcome), appendToTarget: !logIsDirectory && combinedLogStarted);
                            combinedLogStarted = true;
                        }
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                    {
                        outcome.LogError = ex;
                    }
                }

                return outcome;
            }
            finally
            {
                log?.Dispose();
            }
        }

        /// <summary>
        /// The labels of one build: the module's marker, the OCI labels of an image from the matrix (its base's digest as
        /// the engine has it now), then -Label (which wins over both but the marker).
        /// </summary>
        private async Task<IDictionary<string, string>> BuildLabelsAsync(BuildItem item, IDockerEngine engine, CancellationToken ct)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (item.Image != null && !string.IsNullOrEmpty(item.Image.Version))
            {
                string? baseName = null;
                try
                {
                    baseName = ImageLabels.BaseImageOf(File.ReadAllText(item.DockerfileFull));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    // The build reports an unreadable Dockerfile itself.
                }

                string? baseDigest = null;
                if (baseName != null && ImageReference.TryParse(baseName, out _))
                {
                    baseDigest = await ImageProvenance.BaseDigestAsync(engine, baseName, ct).ConfigureAwait(false);
                }

                foreach (var kv in ImageLabels.ForMatrixImage(item.Image, DateTime.UtcNow, baseName, baseDigest))
                {
                    result[kv.Key] = kv.Value;
                }
            }

            foreach (var kv in labels)
            {
                result[kv.Key] = kv.Value;
            }

            result[ImageLabels.BuiltBy] = ImageLabels.BuiltByValue;
            return result;
        }

        private static string LogHeader(BuildItem item, BuildOutcome outcome)
        {
            var build = outcome.Build;
            string state = outcome.Stalled != null
                ? "STALLED" + (outcome.Stalled.Step != null ? " at " + outcome.Stalled.Step : string.Empty) + $" (no sign of life for {EngineStalledException.Describe(outcome.Stalled.Timeout)})"
                : build!.Succeeded ? "succeeded " + build.ImageId : "FAILED" + (build.FailedStep != null ? " at " + build.FailedStep : string.Empty);
            return $"# {Describe(item)} ({item.DockerfileFull}) — {state}";
        }

        /// <summary>The log file of one image: the -LogPath file, or a file named after the image in the -LogPath folder.</summary>
        private string LogFileFor(BuildItem item)
        {
            if (!logIsDirectory)
            {
                return logFull!;
            }

            string name = item.References.Length > 0 ? item.References[0] : "image-" + item.Index;
            foreach (var c in System.IO.Path.GetInvalidFileNameChars().Concat(ExtraInvalidNameCharacters))
            {
                name = name.Replace(c, '_');
            }

            return System.IO.Path.Combine(logFull!, name + ".log");
        }

        /// <summary>Writes the result, or the error, for one image (pipeline thread).</summary>
        private void Emit(BuildOutcome o)
        {
            var item = o.Item;
            int activityId = OverallActivityId + 1 + item.Index;
            Complete(activityId, "Building " + Describe(item), OverallActivityId);
            done++;
            if (ThrottleLimit > 1 && queued.Count > 0)
            {
                Progress(OverallActivityId, "Building python images", $"{done} of {queued.Count} done", done * 100 / queued.Count, -1);
            }

            if (o.ContextError != null)
            {
                var ex = o.ContextError;
                WriteError(Errors.Create(ex, ex.ErrorId, item.Target, message: $"Cannot build {Describe(item)}: {ex.Message} Nothing was uploaded."));
                return;
            }

            if (o.LogError != null && o.Build == null && o.Stalled == null)
            {
                // The log could not even be started: nothing was uploaded.
                WriteError(Errors.Create(
                    new IOException($"Cannot build {Describe(item)}: its log {o.LogPath} cannot be written: {o.LogError.Message} Nothing was uploaded.", o.LogError),
                    ImageBuildErrorIds.LogWriteFailed,
                    item.Target,
                    "Give -LogPath a folder or file you can write to, or leave -LogPath out and use -Verbose."));
                return;
            }

            if (o.EngineError != null)
            {
                var record = EngineError(o.EngineError, item.Target, "Building " + Describe(item));
                string message = $"Building {Describe(item)} failed: {o.EngineError.Message}";
                record.ErrorDetails = new ErrorDetails(message)
                {
                    RecommendedAction = record.ErrorDetails?.RecommendedAction ?? "Check that the Docker engine is still running (docker info), then build this image again.",
                };
                WriteError(record);
                return;
            }

            if (o.LogError != null)
            {
                WriteError(Errors.Create(
                    new IOException($"The build log of {Describe(item)} could not be written to {o.LogPath}: {o.LogError.Message}", o.LogError),
                    ImageBuildErrorIds.LogWriteFailed,
                    item.Target,
                    "Free space or fix the permissions of the -LogPath folder; the build itself went on (see its result)."));
            }

            if (o.Stalled != null)
            {
                var stalled = o.Stalled;
                var tail = stalled.Tail.Skip(Math.Max(0, stalled.Tail.Count - 20)).ToList();
                string message = $"Building {Describe(item)} stalled: {stalled.Message} Intermediate containers are removed by the engine." +
                    (tail.Count > 0 ? Environment.NewLine + "Last " + tail.Count + " log lines:" + Environment.NewLine + string.Join(Environment.NewLine, tail) : string.Empty);
                var record = EngineError(stalled, item.Target);
                record.ErrorDetails = new ErrorDetails(message)
                {
                    RecommendedAction = $"If this step is legitimately quiet for longer (a PGO + LTO build's final link can be), raise -InactivityTimeout (now {EngineStalledException.Describe(stalled.Timeout)}, e.g. -InactivityTimeout 01:00:00); otherwise check what the step waits for (network, input) and the engine ('docker info')."
                        + (o.LogPath != null ? " Full log: " + o.LogPath + "." : string.Empty),
                };
                WriteError(record);
                WriteObject(new ImageBuildResult
                {
                    Name = Describe(item),
                    Tags = Array.Empty<string>(),
                    Duration = o.Duration,
                    Succeeded = false,
                    LogPath = o.LogPath,
                    FailedStep = stalled.Step,
                    ErrorMessage = stalled.Message,
                    ContextPath = item.ContextFull,
                    DockerfilePath = item.DockerfileFull,
                    Image = item.Image,
                });
                return;
            }

            var build = o.Build!;
            if (build.Succeeded)
            {
                foreach (var foreign in o.ForeignTags.Where(f => !string.Equals(f.ImageId, build.ImageId, StringComparison.Ordinal)))
                {
                    WriteWarning($"The tag {foreign.Reference} pointed to the image {foreign.ImageId}, which PythonImages did not build; it now points to {build.ImageId}. "
                        + $"To keep both, tag the old image again (docker tag {foreign.ImageId} <name>) and build under another -Repository.");
                }
            }

            var result = new ImageBuildResult
            {
                Name = Describe(item),
                ImageId = build.ImageId,
                Tags = build.Succeeded ? item.References : Array.Empty<string>(),
                Duration = o.Duration,
                Size = o.Size,
                Succeeded = build.Succeeded,
                LogPath = o.LogPath,
                FailedStep = build.FailedStep,
                ErrorMessage = build.ErrorMessage,
                ContextPath = item.ContextFull,
                DockerfilePath = item.DockerfileFull,
                Image = item.Image,
            };

            if (!build.Succeeded)
            {
                var tail = build.Log.Skip(Math.Max(0, build.Log.Count - 20)).ToList();
                var cause = BuildFailureCause.Classify(build.FailedStep, build.ErrorMessage, item.Image?.BaseImage, item.DockerfileFull);
                string step = build.FailedStep != null ? $" at {(build.FailedStep.Length > 120 ? build.FailedStep.Substring(0, 117) + "..." : build.FailedStep)}" : string.Empty;
                string? hint = cause.Kind == BuildFailureKind.Step || cause.Kind == BuildFailureKind.Other ? o.Hints.Hint : cause.Summary;
                string message = $"Building {Describe(item)} failed{step}: " + (hint != null && hint.Length > 0 ? hint + Environment.NewLine : string.Empty) + PythonImages.Builds.BuildFailureHints.ShortenEngineMessage(build.ErrorMessage)
                    + Environment.NewLine + "Last " + tail.Count + " log lines:" + Environment.NewLine + string.Join(Environment.NewLine, tail);
                var record = Errors.Create(
                    new ImageBuildException(message, build.FailedStep),
                    cause.ErrorId,
                    item.Target,
                    cause.RecommendedAction + " Full log: " + (o.LogPath ?? "run with -Verbose or -LogPath") + ".");
                WriteError(record);
            }

            WriteObject(result);
        }

        private void Progress(int id, string activity, string status, int percent, int parent = OverallActivityId)
        {
            var record = new ProgressRecord(id, activity, status) { PercentComplete = percent };
            if (parent >= 0 && id != parent)
            {
                record.ParentActivityId = parent;
            }

            WriteProgress(record);
        }

        private void Complete(int id, string activity, int? parent)
        {
            var record = new ProgressRecord(id, activity, "Done") { RecordType = ProgressRecordType.Completed, PercentComplete = 100 };
            if (parent.HasValue)
            {
                record.ParentActivityId = parent.Value;
            }

            WriteProgress(record);
        }

        /// <summary>A path on the file system (a path of another provider, or with control characters, is refused).</summary>
        private string FileSystemPath(string path)
        {
            if (path.Any(c => c < 0x20 || c == 0x7F))
            {
                throw new ArgumentException($"'{InputGrammar.Show(path)}' contains a control character");
            }

            string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"'{InputGrammar.Show(path)}' is a {provider.Name} path");
            }

            return full;
        }

        private static string MakeRelative(string root, string file)
        {
            string r = root.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
            return file.StartsWith(r, StringComparison.Ordinal) ? file.Substring(r.Length).Replace('\\', '/') : file;
        }

        /// <summary>-Repository: a repository name in Docker's reference grammar, without tag or digest.</summary>
        private void ValidateRepository()
        {
            if (!ImageReference.TryParse(Repository, out var reference, out string? why) || reference!.Tag != null || reference.Digest != null)
            {
                why ??= "a repository has no tag or digest (the tags come from the images and -Tag)";
                ThrowTerminatingError(Errors.Create(
                    new InputRejectedException(ImageBuildErrorIds.InvalidRepository, InputGrammar.RepositoryPath, $"-Repository '{InputGrammar.Show(Repository)}'", why),
                    ImageBuildErrorIds.InvalidRepository,
                    Repository,
                    "Give a repository such as python, library/python or registry.example:5000/team/python (lowercase, no tag)."));
            }
        }

        /// <summary>-Tag: a bare tag goes under -Repository, anything with ':' or '/' is a reference of its own; no digests.</summary>
        private string ValidateTag(string tag)
        {
            try
            {
                var reference = ImageReference.FromTagOrReference(tag, Repository, ImageBuildErrorIds.InvalidTag);
                if (reference.Digest != null)
                {
                    throw new InputRejectedException(ImageBuildErrorIds.InvalidTag, InputGrammar.DockerTag, $"-Tag '{InputGrammar.Show(tag)}'", "an image cannot be tagged with a digest (@sha256:...)");
                }

                // A full reference without a tag gets :latest, as the engine would give it.
                return reference.Tag == null ? reference + ":latest" : reference.ToString();
            }
            catch (InputRejectedException ex)
            {
                ThrowTerminatingError(Errors.Create(ex, ImageBuildErrorIds.InvalidTag, tag,
                    "Give a tag (letters, digits, '_', '.', '-'; at most 128) that goes under -Repository, or a full reference such as registry.example/python:ci-123."));
                throw;
            }
        }

        private void Require(Grammar grammar, string value, string errorId, string parameter, string action)
        {
            string? why = grammar.Why(value);
            if (why != null)
            {
                ThrowTerminatingError(Errors.Create(
                    new InputRejectedException(errorId, grammar, $"{parameter} '{InputGrammar.Show(value)}'", why),
                    errorId,
                    value,
                    action));
            }
        }

        /// <summary>
        /// -BuildArg / -Label: names in their grammar, values without control characters. Build argument values can be
        /// secrets (a proxy with a password): they never appear in a message or a target object.
        /// </summary>
        private void ReadTable(Hashtable? table, Dictionary<string, string> into, Grammar names, string errorId, string parameter, bool secretValues)
        {
            if (table == null)
            {
                return;
            }

            foreach (DictionaryEntry e in table)
            {
                object? rawKey = e.Key is PSObject pk ? pk.BaseObject : e.Key;
                string key = rawKey as string ?? LanguagePrimitives.ConvertTo<string>(rawKey) ?? string.Empty;
                string? why = names.Why(key);
                if (why != null)
                {
                    ThrowTerminatingError(Errors.Create(
                        new InputRejectedException(errorId, names, $"The {parameter} name '{InputGrammar.Show(key)}'", why),
                        errorId,
                        InputGrammar.Show(key),
                        $"Use {names.Name}s such as " + (parameter == "-BuildArg" ? "HTTP_PROXY or PYTHON_VERSION" : "org.opencontainers.image.revision") + "."));
                }

                object? rawValue = e.Value is PSObject pv ? pv.BaseObject : e.Value;
                string value = rawValue == null ? string.Empty : LanguagePrimitives.ConvertTo<string>(rawValue) ?? string.Empty;
                string? whyValue = EngineGrammar.WhyNotFreeText(value);
                if (whyValue != null)
                {
                    ThrowTerminatingError(Errors.Create(
                        new ArgumentException($"The {parameter} value of '{key}' is not accepted: {whyValue}." + (secretValues ? " (The value itself is not shown.)" : string.Empty)),
                        errorId,
                        key,
                        "Pass values without control characters (line breaks, NUL, escapes)."));
                }

                into[key] = value;
            }
        }

        /// <summary>
        /// -LogPath: a file-system path without control characters; an existing target is a folder (one log per image) or a
        /// regular file (all logs), never a device, pipe or socket; its nearest existing parent is a folder.
        /// </summary>
        private void ValidateLogPath(string path)
        {
            void Fail(string why, Exception? inner = null) => ThrowTerminatingError(Errors.Create(
                new ArgumentException($"-LogPath '{InputGrammar.Show(path)}' cannot hold build logs: {why}.", inner),
                ImageBuildErrorIds.InvalidLogPath,
                InputGrammar.Show(path),
                "Give a folder (ending in / for a new one: one log per image) or a file (all logs in one) on the file system."));

            for (int i = 0; i < path.Length; i++)
            {
                char c = path[i];
                if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029')
                {
                    Fail($"it contains the control character U+{(int)c:X4} at position {i + 1}");
                }
            }

            string full;
            ProviderInfo provider;
            try
            {
                full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException || ex is NotSupportedException || ex is ArgumentException || ex is PSInvalidOperationException)
            {
                Fail(ex.Message.TrimEnd('.'), ex);
                return;
            }

            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                Fail($"it is a {provider.Name} path, not a file-system path");
            }

            if (Directory.Exists(full))
            {
                logFull = full;
                logIsDirectory = true;
                return;
            }

            if (File.Exists(full))
            {
                string? type = UnixItemType(full);
                if (type != null && type != "regular file")
                {
                    Fail($"{full} is a {type}, not a regular file");
                }
            }

            for (string? parent = System.IO.Path.GetDirectoryName(full); !string.IsNullOrEmpty(parent); parent = System.IO.Path.GetDirectoryName(parent))
            {
                if (Directory.Exists(parent))
                {
                    break;
                }

                if (File.Exists(parent))
                {
                    Fail($"{parent} is a file, so nothing can be created below it");
                }
            }

            logFull = full;
            logIsDirectory = path.EndsWith("/", StringComparison.Ordinal) || path.EndsWith("\\", StringComparison.Ordinal);
        }

        /// <summary>What kind of file-system entry <paramref name="full"/> is on Unix (PowerShell 7's UnixStat), or null when unknown.</summary>
        private string? UnixItemType(string full)
        {
            try
            {
                var items = InvokeProvider.Item.Get(new[] { full }, true, true);
                var stat = items.Count > 0 ? items[0].Properties["UnixStat"]?.Value : null;
                var mode = stat == null ? null : PSObject.AsPSObject(stat).Properties["Mode"]?.Value;
                if (mode == null)
                {
                    return null;
                }

                int type = Convert.ToInt32(mode, System.Globalization.CultureInfo.InvariantCulture) & 0xF000;
                return type switch
                {
                    0x8000 => "regular file",
                    0x4000 => "folder",
                    0xA000 => "regular file", // a link is replaced by the new log, its target is not touched
                    0x1000 => "named pipe (FIFO)",
                    0x2000 => "character device",
                    0x6000 => "block device",
                    0xC000 => "socket",
                    _ => "special file",
                };
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                return null;
            }
        }

        private sealed class BuildItem
        {
            public int Index { get; set; }
            public object Target { get; set; } = string.Empty;
            public PythonImage? Image { get; set; }
            public string ContextFull { get; set; } = string.Empty;
            public string DockerfileFull { get; set; } = string.Empty;
            public string[] References { get; set; } = Array.Empty<string>();
            public string? OS { get; set; }
        }

        private sealed class BuildOutcome
        {
            public BuildItem Item { get; set; } = new BuildItem();
            public EngineBuildResult? Build { get; set; }
            public BuildContextException? ContextError { get; set; }
            public Exception? EngineError { get; set; }
            public EngineStalledException? Stalled { get; set; }
            public Exception? LogError { get; set; }
            public BuildFailureHints.Tracker Hints { get; } = new BuildFailureHints.Tracker();
            public IReadOnlyList<ForeignTag> ForeignTags { get; set; } = Array.Empty<ForeignTag>();
            public TimeSpan Duration { get; set; }
            public long Size { get; set; }
            public string? LogPath { get; set; }
        }

        /// <summary>
        /// Routes build events on the engine's reading thread: every log line to the log file and the failure hints as it
        /// arrives; to the pipeline thread (verbose, progress) only what will be shown, with back-pressure for log lines.
        /// </summary>
        private sealed class LogRouter : IProgress<BuildEvent>
        {
            private readonly InvokePythonImageBuildCommand owner;
            private readonly BuildLogFile? log;
            private readonly BuildFailureHints.Tracker hints;
            private readonly Action<BuildEvent> write;
            private readonly bool verbose;
            private readonly string prefix;

            public LogRouter(InvokePythonImageBuildCommand owner, BuildLogFile? log, BuildFailureHints.Tracker hints, string prefix, Action<BuildEvent> write, bool verbose)
            {
                this.owner = owner;
                this.log = log;
                this.hints = hints;
                this.prefix = prefix;
                this.write = write;
                this.verbose = verbose;
            }

            public void Report(BuildEvent value)
            {
                switch (value.Kind)
                {
                    case BuildEventKind.Log:
                    case BuildEventKind.Error:
                        log?.WriteLine(value.Text);
                        hints.Observe(value.Text);
                        if (EngineWarnings.Warning(value.Text) is { } warning)
                        {
                            // The engine's own warnings (unused build arguments, ...) are shown without -Verbose.
                            owner.Post(() => owner.WriteWarning(prefix + warning));
                        }

                        if (verbose)
                        {
                            owner.PostLine(() => write(value));
                        }

                        break;
                    case BuildEventKind.Step:
                        log?.WriteLine($"Step {value.Step}/{value.TotalSteps} : {value.Text}");
                        owner.Post(() => write(value));
                        break;
                }
            }
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
