using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Engine;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Builds python images from their generated Dockerfiles on a Docker engine (Linux or Windows), through the Engine API.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "PythonImageBuild", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ImageSet)]
    [OutputType(typeof(ImageBuildResult))]
    public sealed class InvokePythonImageBuildCommand : EngineCmdlet
    {
        private const string ImageSet = "Image";
        private const string PathSet = "Path";
        private const int OverallActivityId = 1;
        private static readonly Regex WindowsBase = new Regex(@"^\s*FROM\s+(--platform=\S+\s+)?\S*(windows/servercore|windows/nanoserver|windowsservercore|nanoserver|mcr\.microsoft\.com/windows)", RegexOptions.IgnoreCase | RegexOptions.Multiline);

        private readonly List<BuildItem> queued = new List<BuildItem>();
        private readonly object logGate = new object();
        private readonly StringBuilder combinedLog = new StringBuilder();
        private string? logFull;
        private bool logIsDirectory;
        private int index;
        private int done;

        /// <summary>The image to build (from New-PythonDockerfile); its DockerfilePath/ContextPath/Tags/SharedTags/OS bind by name.</summary>
        [Parameter(ParameterSetName = ImageSet, ValueFromPipeline = true)]
        public PythonImage? InputObject { get; set; }

        /// <summary>The Dockerfile to build. Default: Dockerfile in the context.</summary>
        [Parameter(ParameterSetName = ImageSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? DockerfilePath { get; set; }

        /// <summary>The build context folder. Default: the Dockerfile's folder.</summary>
        [Parameter(ParameterSetName = ImageSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? ContextPath { get; set; }

        /// <summary>A build context folder (instead of pipeline input).</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

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

        /// <summary>The repository the tags go under. Default: python.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Repository { get; set; } = "python";

        /// <summary>Extra tags: a bare tag goes under -Repository; repo:tag is used as is.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Tag { get; set; }

        [Parameter]
        public Hashtable? BuildArg { get; set; }

        [Parameter]
        public Hashtable? Label { get; set; }

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

        protected override string ErrorIdPrefix => "ImageBuild";

        protected override void BeginProcessing()
        {
            if (LogPath != null)
            {
                logFull = GetUnresolvedProviderPathFromPSPath(LogPath);
                logIsDirectory = Directory.Exists(logFull) || LogPath.EndsWith("/", StringComparison.Ordinal) || LogPath.EndsWith("\\", StringComparison.Ordinal);
            }
        }

        protected override void ProcessRecord()
        {
            var item = Resolve();
            if (item == null)
            {
                return;
            }

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
        private BuildItem? Resolve()
        {
            object target = (object?)InputObject ?? Path ?? (object?)DockerfilePath ?? ContextPath ?? "input";
            string? dockerfile = DockerfilePath ?? InputObject?.DockerfilePath;
            string? context = ParameterSetName == PathSet ? Path : (ContextPath ?? InputObject?.ContextPath);
            if (dockerfile == null && context == null)
            {
                WriteError(Errors.Create(
                    new ArgumentException($"{target} has no DockerfilePath or ContextPath, so there is nothing to build."),
                    "ImageBuild.NoDockerfile",
                    ErrorCategory.InvalidArgument,
                    target,
                    "Generate the Dockerfiles first (Get-PythonTag ... | New-PythonDockerfile | Invoke-PythonImageBuild), or pass a context folder with -Path."));
                return null;
            }

            string? contextFull = context == null ? null : GetUnresolvedProviderPathFromPSPath(context);
            string dockerfileFull = dockerfile != null
                ? (System.IO.Path.IsPathRooted(dockerfile) || contextFull == null ? GetUnresolvedProviderPathFromPSPath(dockerfile) : System.IO.Path.GetFullPath(System.IO.Path.Combine(contextFull, dockerfile)))
                : System.IO.Path.Combine(contextFull!, "Dockerfile");
            contextFull ??= System.IO.Path.GetDirectoryName(dockerfileFull)!;

            var refs = new List<string>();
            foreach (var t in (Tags ?? InputObject?.Tags ?? Array.Empty<string>()).Concat(SharedTags ?? InputObject?.SharedTags ?? Array.Empty<string>()))
            {
                refs.Add(Repository + ":" + t);
            }

            foreach (var t in Tag ?? Array.Empty<string>())
            {
                refs.Add(t.Contains(":") || t.Contains("/") ? t : Repository + ":" + t);
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
                WriteError(new ErrorRecord(new FileNotFoundException($"Cannot build {Describe(item)}: {missing} does not exist.", missing), "ImageBuild.ContextNotFound", ErrorCategory.ObjectNotFound, item.Target)
                {
                    ErrorDetails = new ErrorDetails($"Cannot build {Describe(item)}: {missing} does not exist.")
                    {
                        RecommendedAction = "Run New-PythonDockerfile for this image first, or pass an existing context folder with -Path.",
                    },
                });
                return false;
            }

            string? os = item.OS ?? SniffOS(item.DockerfileFull);
            string engineOS = EngineInfo.OSType;
            if (os != null && engineOS.Length > 0 && !string.Equals(os, engineOS, StringComparison.OrdinalIgnoreCase))
            {
                string message = $"Cannot build {Describe(item)}: it is a {Title(os)} image, but the engine at {EngineInfo.Endpoint} runs {Title(engineOS)} containers. Nothing was uploaded.";
                WriteError(Errors.Create(
                    new InvalidOperationException(message),
                    "ImageBuild.OSMismatch",
                    ErrorCategory.InvalidOperation,
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
            Post(() =>
            {
                Progress(activityId, activity, "Sending build context", 0);
                WriteVerbose($"{prefix}Building {item.DockerfileFull} (context {item.ContextFull}) with the classic builder (API version=1) on {EngineInfo.Endpoint}.");
            });
            var request = new EngineBuildRequest
            {
                ContextDirectory = item.ContextFull,
                Dockerfile = MakeRelative(item.ContextFull, item.DockerfileFull),
                Tags = item.References.ToList(),
                BuildArgs = ToDictionary(BuildArg),
                Labels = ToDictionary(Label),
                NoCache = NoCache.IsPresent,
                Pull = Pull.IsPresent,
                NetworkMode = Network,
                Platform = Platform,
                ForceRemoveIntermediate = true,

                // Windows images use the classic builder (upstream's manifest says so); API builds are classic anyway.
                Builder = BuilderKind.Classic,
            };

            var events = new PostingProgress(this, e =>
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
            });

            try
            {
                outcome.Build = await Engine.BuildAsync(request, events, ct).ConfigureAwait(false);
                if (outcome.Build.Succeeded && outcome.Build.ImageId != null)
                {
                    var details = await Engine.InspectImageAsync(outcome.Build.ImageId, ct).ConfigureAwait(false);
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
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                outcome.EngineError = ex;
            }

            outcome.Duration = watch.Elapsed;
            if (outcome.Build != null && logFull != null)
            {
                outcome.LogPath = WriteLog(item, outcome.Build);
            }

            return outcome;
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
                WriteError(new ErrorRecord(ex, "ImageBuild.Context" + ex.Reason, ex.Reason == "NotFound" ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidData, item.Target)
                {
                    ErrorDetails = new ErrorDetails($"Cannot build {Describe(item)}: {ex.Message} Nothing was uploaded.")
                    {
                        RecommendedAction = ex.Reason == "SymlinkEscapes"
                            ? "Replace the link with a copy of its target, or exclude it in .dockerignore."
                            : "Check the context folder and Dockerfile path (regenerate with New-PythonDockerfile).",
                    },
                });
                return;
            }

            if (o.EngineError != null)
            {
                string message = $"Building {Describe(item)} failed: the engine at {Engine.Endpoint} reported: {o.EngineError.Message}";
                WriteError(new ErrorRecord(o.EngineError, "ImageBuild.EngineError", ErrorCategory.ConnectionError, item.Target)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Check that the Docker engine is still running (docker info), then build this image again." },
                });
                return;
            }

            var build = o.Build!;
            var result = new ImageBuildResult
            {
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
                string step = build.FailedStep != null ? $" at {(build.FailedStep.Length > 120 ? build.FailedStep.Substring(0, 117) + "..." : build.FailedStep)}" : string.Empty;
                string? hint = PythonImages.Builds.BuildFailureHints.Explain(build.Log);
                string message = $"Building {Describe(item)} failed{step}: " + (hint != null ? hint + Environment.NewLine : string.Empty) + PythonImages.Builds.BuildFailureHints.ShortenEngineMessage(build.ErrorMessage)
                    + Environment.NewLine + "Last " + tail.Count + " log lines:" + Environment.NewLine + string.Join(Environment.NewLine, tail);
                var record = new ErrorRecord(new ImageBuildException(message, build.FailedStep), build.FailedStep != null ? "ImageBuild.StepFailed" : "ImageBuild.Failed", ErrorCategory.InvalidResult, item.Target)
                {
                    ErrorDetails = new ErrorDetails(message)
                    {
                        RecommendedAction = $"Fix the failing step in {item.DockerfileFull} (full log: " + (o.LogPath ?? "run with -Verbose or -LogPath") + "), then build again; add -NoCache if a cached layer is stale.",
                    },
                };
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

        private string WriteLog(BuildItem item, EngineBuildResult build)
        {
            string header = $"# {Describe(item)} ({item.DockerfileFull}) — {(build.Succeeded ? "succeeded " + build.ImageId : "FAILED" + (build.FailedStep != null ? " at " + build.FailedStep : string.Empty))}";
            string body = header + Environment.NewLine + string.Join(Environment.NewLine, build.Log) + Environment.NewLine;
            string file;
            string content;
            lock (logGate)
            {
                if (logIsDirectory)
                {
                    string name = item.References.Length > 0 ? item.References[0] : "image-" + item.Index;
                    foreach (var c in System.IO.Path.GetInvalidFileNameChars().Concat(new[] { ':', '/', '\\' }))
                    {
                        name = name.Replace(c, '_');
                    }

                    file = System.IO.Path.Combine(logFull!, name + ".log");
                    content = body;
                }
                else
                {
                    file = logFull!;
                    combinedLog.Append(body);
                    content = combinedLog.ToString();
                }

                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
                AtomicFile.WriteAllText(file, content);
            }

            return file;
        }

        private static string MakeRelative(string root, string file)
        {
            string r = root.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
            return file.StartsWith(r, StringComparison.Ordinal) ? file.Substring(r.Length).Replace('\\', '/') : file;
        }

        private static Dictionary<string, string> ToDictionary(Hashtable? table)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (table != null)
            {
                foreach (DictionaryEntry e in table)
                {
                    result[e.Key.ToString() ?? string.Empty] = LanguagePrimitives.ConvertTo<string>(e.Value) ?? string.Empty;
                }
            }

            return result;
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
            public TimeSpan Duration { get; set; }
            public long Size { get; set; }
            public string? LogPath { get; set; }
        }

        /// <summary>Engine events are posted to the pipeline thread, in the order they were reported.</summary>
        private sealed class PostingProgress : IProgress<BuildEvent>
        {
            private readonly InvokePythonImageBuildCommand owner;
            private readonly Action<BuildEvent> write;

            public PostingProgress(InvokePythonImageBuildCommand owner, Action<BuildEvent> write)
            {
                this.owner = owner;
                this.write = write;
            }

            public void Report(BuildEvent value) => owner.Post(() => write(value));
        }
    }

    /// <summary>A build that the engine ran and that failed (a failing RUN step, a Dockerfile error).</summary>
    public sealed class ImageBuildException : Exception
    {
        public ImageBuildException(string message, string? failedStep)
            : base(message)
        {
            FailedStep = failedStep;
        }

        public string? FailedStep { get; }
    }
}
