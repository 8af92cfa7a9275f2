using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;
using PythonImages.Builds;
using PythonImages.Security;
using Version = System.Version;

namespace PythonImages.Engine
{
    /// <summary>Creates engines. The only way the module obtains an <see cref="IDockerEngine"/>.</summary>
    public static class EngineFactory
    {
        /// <summary>Default connect timeout for named pipes (Windows engines): seconds, not milliseconds.</summary>
        public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

        /// <summary>
        /// An engine for <paramref name="dockerHost"/>, or, when null, for DOCKER_HOST / the current docker context /
        /// the platform default. Nothing is contacted until the first call.
        /// </summary>
        public static IDockerEngine Create(string? dockerHost = null, TimeSpan? connectTimeout = null, IEndpointEnvironment? environment = null)
        {
            var endpoint = EndpointResolver.Resolve(dockerHost, environment);
            return new DockerEngine(endpoint, connectTimeout ?? DefaultConnectTimeout);
        }

        /// <summary>A client of the engine at <paramref name="endpoint"/>; nothing is contacted until the first call.</summary>
        public static IDockerEngine Create(EngineEndpoint endpoint, TimeSpan? connectTimeout = null) =>
            new DockerEngine(endpoint, connectTimeout ?? DefaultConnectTimeout);
    }

    /// <summary><see cref="IDockerEngine"/> over Docker.DotNet.Enhanced.</summary>
    internal sealed partial class DockerEngine : IDockerEngine
    {
        /// <summary>The newest Engine API this client speaks (Docker.DotNet.Enhanced 4.3 models Engine 29).</summary>
        public static readonly Version ClientMaxApiVersion = new Version(1, 52);

        private static Regex? stepLine;
        private static Regex? builtLine;
        private static Regex? ansiEscape;

        private readonly Connection connection;
        private readonly bool ownsConnection;

        public DockerEngine(EngineEndpoint endpoint, TimeSpan connectTimeout)
            : this(new Connection(endpoint, connectTimeout), EngineTimeouts.DefaultInactivity, ownsConnection: true)
        {
        }

        private DockerEngine(Connection connection, TimeSpan inactivityTimeout, bool ownsConnection)
        {
            this.connection = connection;
            this.ownsConnection = ownsConnection;
            InactivityTimeout = inactivityTimeout;
        }

        private static Regex StepLine => stepLine ??= new Regex(@"^Step (\d+)/(\d+) : (.*)$", RegexOptions.CultureInvariant);

        private static Regex BuiltLine => builtLine ??= new Regex(@"^Successfully built ([0-9a-f]{12,64})\s*$", RegexOptions.CultureInvariant);

        /// <summary>The classic builder colours a RUN's stderr with SGR escapes (ESC[91m ... ESC[0m); log lines keep the text only.</summary>
        private static Regex AnsiEscape => ansiEscape ??= new Regex(@"\x1b\[[0-9;]*[A-Za-z]", RegexOptions.CultureInvariant);

        public string Endpoint => connection.Endpoint.Host;

        public TimeSpan InactivityTimeout { get; }

        public IDockerEngine WithInactivityTimeout(TimeSpan inactivityTimeout) => new DockerEngine(connection, inactivityTimeout, ownsConnection: false);

        public async Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken)
        {
            await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return connection.Info!;
        }

        /// <summary>How long /info may take: an engine that answers /version but not /info is not worth a build's patience.</summary>
        private static readonly TimeSpan IdentityTimeout = TimeSpan.FromSeconds(30);

        public async Task<EngineIdentity> GetIdentityAsync(CancellationToken cancellationToken)
        {
            var system = await CallAsync("asking which daemon it is (/info)", (docker, ct) => docker.System.GetSystemInfoAsync(ct), cancellationToken, IdentityTimeout).ConfigureAwait(false);
            return new EngineIdentity { Id = system.ID ?? string.Empty, Name = system.Name ?? string.Empty, RootDirectory = system.DockerRootDir ?? string.Empty };
        }

        /// <summary>min(server API version, the client's maximum); the client's maximum when the server says nothing parseable.</summary>
        public static Version Negotiate(string? serverApiVersion, Version clientMax)
        {
            if (Version.TryParse(serverApiVersion, out var server) && server < clientMax)
            {
                return new Version(server.Major, server.Minor);
            }

            return clientMax;
        }

        /// <summary>
        /// Runs one request: connected first, bounded by the inactivity timeout, and every failure turned into one of the
        /// engine layer's exceptions (stalled, unavailable, request refused); the caller's cancellation stays a cancellation.
        /// </summary>
        /// <summary>One engine call with the watchdog, the connection and error translation (internal: test helpers use it too).</summary>
        internal async Task<T> CallAsync<T>(string what, Func<DockerClient, CancellationToken, Task<T>> operation, CancellationToken cancellationToken, TimeSpan? timeout = null)
        {
            var docker = await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
            var limit = timeout ?? InactivityTimeout;
            using var watchdog = new InactivityWatchdog(limit, cancellationToken);
            try
            {
                return await watchdog.RunAsync(token => operation(docker, token)).ConfigureAwait(false);
            }
            catch (InactivityTimeoutException)
            {
                throw Stalled(what, limit);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw Translate(ex, what, cancellationToken);
            }
        }

        private EngineStalledException Stalled(string what, TimeSpan limit, string? step = null, IReadOnlyList<string>? tail = null) =>
            new EngineStalledException(
                Endpoint,
                what,
                limit,
                $"The engine at {Endpoint} showed no sign of life for {EngineStalledException.Describe(limit)} while {what}" + (step != null ? $" ({Shorten(step, 120)})" : string.Empty) + "; the operation was cancelled.",
                step,
                tail);

        /// <summary>A Docker.DotNet or transport exception as an engine-layer exception (ours pass through).</summary>
        private Exception Translate(Exception ex, string what, CancellationToken cancellationToken)
        {
            switch (ex)
            {
                case EngineStalledException _:
                case EngineUnavailableException _:
                case EngineRequestException _:
                case EngineConfigurationException _:
                case BuildContextException _:
                    return ex;
                case OperationCanceledException _ when cancellationToken.IsCancellationRequested:
                    return ex;
                case DockerApiException api:
                    return new EngineRequestException(Endpoint, (int)api.StatusCode, Redaction.UrlUserInfo($"The engine at {Endpoint} refused {what}: {ExtractMessage(api.ResponseBody) ?? api.Message}"), ex);
                case JsonException _:
                    return new EngineRequestException(Endpoint, 0, $"The engine at {Endpoint} sent an answer that could not be read while {what}: {Redaction.UrlUserInfo(ex.Message)}", ex);
                case System.Net.Http.HttpRequestException _:
                case IOException _:
                case System.Net.Sockets.SocketException _:
                case ObjectDisposedException _:
                case TimeoutException _:
                    return new EngineUnavailableException(Endpoint, $"Lost the connection to the engine at {Endpoint} while {what}: {Connection.Reason(ex, connection.Endpoint)}.", ex);
                default:
                    return new EngineUnavailableException(Endpoint, $"The exchange with the engine at {Endpoint} failed while {what}: {Connection.Reason(ex, connection.Endpoint)}.", ex);
            }
        }

        private static string Shorten(string text, int max) => text.Length <= max ? text : text.Substring(0, max - 3) + "...";

        /// <summary>
        /// Named-pipe options with the connect timeout. ConnectTimeout is an init-only property whose setter signature
        /// differs between the package's netstandard2.0 and net8+ builds (IsExternalInit modreq), so it is set by
        /// reflection: the same code then works whichever build of Docker.DotNet.NPipe the host resolves.
        /// </summary>
        internal static Docker.DotNet.NPipe.NPipeTransportOptions PipeOptions(TimeSpan connectTimeout)
        {
            var options = new Docker.DotNet.NPipe.NPipeTransportOptions();
            typeof(Docker.DotNet.NPipe.NPipeTransportOptions).GetProperty("ConnectTimeout")?.SetValue(options, connectTimeout);
            return options;
        }

        public async Task<EngineBuildResult> BuildAsync(EngineBuildRequest request, IProgress<BuildEvent>? events, CancellationToken cancellationToken)
        {
            var docker = await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);

            // Everything that can be refused is refused before a byte is uploaded.
            var context = BuildContext.Scan(request.ContextDirectory, request.Dockerfile);
            foreach (string skipped in context.Skipped)
            {
                // Docker leaves sockets out too, with a warning; here it is a line of the build's log.
                events?.Report(new BuildEvent(BuildEventKind.Log, $"Not sent with the build context: '{PythonImages.Security.InputGrammar.Show(skipped)}' is a socket, which a tar cannot hold (docker leaves sockets out too)."));
            }

            var parameters = BuildParameters(request, context);

            // Signs of life: the engine reading the context, and every message it sends back.
            var limit = request.InactivityTimeout ?? InactivityTimeout;
            using var watchdog = new InactivityWatchdog(limit, cancellationToken);
            var state = new BuildStreamState(events, watchdog.Touch);

            // The tar is produced as the transport sends it, by one thread that blocks in each write, from one 128 KiB buffer:
            // no producer thread, no pipe between them, nothing read ahead (UploadStream).
            using var body = new UploadStream(context.OpenTar(), context.TarLength, watchdog.Touch, watchdog.Token);
            try
            {
                await watchdog.RunAsync(async token =>
                {
                    await docker.Images.BuildImageFromDockerfileAsync(parameters, body, null, BuildLoginHeaders(request.RegistryLogins), new SyncProgress<JSONMessage>(state.Handle), token).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
            }
            catch (InactivityTimeoutException)
            {
                state.Flush();
                throw Stalled("building", limit, state.CurrentStep, state.Tail.ToArray());
            }
            catch (DockerApiException ex)
            {
                // Dockerfile parse errors, unknown base platform etc. come back as an HTTP error.
                state.Fail(ExtractMessage(ex.ResponseBody) ?? ex.Message);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (Exception ex) when (ContextFailure(ex) is BuildContextException failure)
            {
                // A context file that changed or became unreadable during the upload (the transport may wrap it).
                throw failure;
            }
            catch (Exception ex)
            {
                throw Translate(ex, "building", cancellationToken);
            }

            state.Flush();
            return state.ToResult();
        }

        /// <summary>The engine's build parameters for a request whose context has been scanned.</summary>
        private static ImageBuildParameters BuildParameters(EngineBuildRequest request, BuildContext context)
        {
            return new ImageBuildParameters
            {
                Dockerfile = context.Dockerfile,
                Tags = request.Tags.ToList(),
                BuildArgs = new Dictionary<string, string>(request.BuildArgs),
                Labels = new Dictionary<string, string>(request.Labels),
                NoCache = request.NoCache,
                Pull = request.Pull ? "1" : null,
                NetworkMode = string.IsNullOrEmpty(request.NetworkMode) ? null : request.NetworkMode,
                Platform = string.IsNullOrEmpty(request.Platform) ? null : request.Platform,
                Remove = true,
                ForceRemove = request.ForceRemoveIntermediate,

                // The builder is chosen explicitly: "1" is the classic builder, the only one an API client can drive
                // without a BuildKit session, and the one upstream uses for the Windows images.
                Version = request.Builder == BuilderKind.Classic ? "1" : "2",
            };
        }

        /// <summary>The <see cref="BuildContextException"/> in <paramref name="ex"/>'s chain of inner exceptions, if any.</summary>
        private static BuildContextException? ContextFailure(Exception ex)
        {
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (e is BuildContextException failure)
                {
                    return failure;
                }
            }

            return null;
        }

        private static string? ExtractMessage(string? body)
        {
            if (string.IsNullOrWhiteSpace(body))
            {
                return null;
            }

            try
            {
                using var doc = JsonDocument.Parse(body!);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    return m.GetString();
                }
            }
            catch (JsonException)
            {
            }

            string text = body!.Trim();
            return text.Length > 2000 ? text.Substring(0, 2000) + "..." : text;
        }

        public Task<ImageDetails?> InspectImageAsync(string image, CancellationToken cancellationToken) =>
            CallAsync(
                "inspecting the image " + image,
                async (docker, ct) =>
                {
                    ImageInspectResponse r;
                    try
                    {
                        r = await docker.Images.InspectImageAsync(image, ct).ConfigureAwait(false);
                    }
                    catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                    {
                        return null;
                    }

                    return (ImageDetails?)new ImageDetails
                    {
                        Id = r.ID ?? string.Empty,
                        RepoTags = (r.RepoTags ?? new List<string>()).ToArray(),
                        RepoDigests = (r.RepoDigests ?? new List<string>()).ToArray(),
                        Size = r.Size,
                        OS = r.Os ?? string.Empty,
                        Architecture = r.Architecture ?? string.Empty,
                        Cmd = (r.Config?.Cmd ?? new List<string>()).ToArray(),
                        Env = (r.Config?.Env ?? new List<string>()).ToArray(),
                        Labels = new Dictionary<string, string>(r.Config?.Labels ?? new Dictionary<string, string>()),
                        Created = r.Created ?? default,
                    };
                },
                cancellationToken);

        public async Task<ContainerRunResult> RunAsync(ContainerRunRequest request, CancellationToken cancellationToken)
        {
            var limit = request.InactivityTimeout ?? InactivityTimeout;
            var create = new CreateContainerParameters
            {
                Image = request.Image,
                Name = OrNull(request.Name),
                Cmd = request.Command?.ToList()!,
                Entrypoint = request.Entrypoint?.ToList()!,
                Env = request.Environment.Select(kv => kv.Key + "=" + kv.Value).ToList(),
                User = OrNull(request.User),
                WorkingDir = OrNull(request.WorkingDirectory),
                Labels = new Dictionary<string, string>(request.Labels),
                Tty = false,
                AttachStdout = false,
                AttachStderr = false,
                HostConfig = new HostConfig { NetworkMode = OrNull(request.NetworkMode) },
            };

            var watch = Stopwatch.StartNew();
            var created = await CallAsync("creating the container", (docker, ct) => docker.Containers.CreateContainerAsync(create, ct), cancellationToken, limit).ConfigureAwait(false);
            string id = created.ID;
            try
            {
                await CallAsync(
                    "starting the container",
                    async (docker, ct) =>
                    {
                        await docker.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct).ConfigureAwait(false);
                        return true;
                    },
                    cancellationToken,
                    limit).ConfigureAwait(false);

                var result = new ContainerRunResult();
                var (exitCode, timedOut) = await WaitAsync(id, request.Timeout, limit, cancellationToken).ConfigureAwait(false);
                result.ExitCode = exitCode;
                result.TimedOut = timedOut;
                result.Duration = watch.Elapsed;
                var (stdout, stderr) = await ReadLogsAsync(id, request.MaxOutputBytes, limit, cancellationToken).ConfigureAwait(false);
                result.StdOut = stdout;
                result.StdErr = stderr;
                return result;
            }
            finally
            {
                // Removed whatever happened; a stalled engine gets a bounded last chance.
                var cleanup = limit < EngineTimeouts.MaxCleanup ? limit : EngineTimeouts.MaxCleanup;
                try
                {
                    await CallAsync(
                        "removing the container",
                        async (docker, ct) =>
                        {
                            try
                            {
                                await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct).ConfigureAwait(false);
                            }
                            catch (DockerApiException)
                            {
                                // already gone
                            }

                            return true;
                        },
                        CancellationToken.None,
                        cleanup).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is EngineStalledException || ex is EngineUnavailableException || ex is EngineRequestException)
                {
                    // the engine is gone or stalled: nothing more can be done from here
                }
            }
        }

        /// <summary>
        /// Waits for the container to exit, at most <paramref name="runTimeout"/> (then it is killed). While it runs, the
        /// engine is asked about it regularly: an answer is a sign of life, silence for <paramref name="limit"/> is a stall,
        /// and so is an engine that reports the container stopped but never ends the wait.
        /// </summary>
        private async Task<(long ExitCode, bool TimedOut)> WaitAsync(string id, TimeSpan runTimeout, TimeSpan limit, CancellationToken cancellationToken)
        {
            var docker = await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
            using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var wait = docker.Containers.WaitContainerAsync(id, waitCts.Token);
            var watch = Stopwatch.StartNew();
            var poll = TimeSpan.FromMilliseconds(Math.Max(100, Math.Min(2000, limit.TotalMilliseconds / 4)));
            Stopwatch? stoppedFor = null;
            try
            {
                while (true)
                {
                    var remaining = runTimeout - watch.Elapsed;
                    var delay = remaining < poll ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) : poll;
                    var first = await Task.WhenAny(wait, Task.Delay(delay, cancellationToken)).ConfigureAwait(false);
                    if (first == wait)
                    {
                        try
                        {
                            return ((await wait.ConfigureAwait(false)).StatusCode, false);
                        }
                        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                        {
                            throw Translate(ex, "waiting for the container", cancellationToken);
                        }
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    if (watch.Elapsed >= runTimeout)
                    {
                        await KillQuietlyAsync(id, "stopping the container after its time limit", limit, cancellationToken).ConfigureAwait(false);
                        return (-1, true);
                    }

                    var state = await CallAsync("waiting for the container", (d, ct) => d.Containers.InspectContainerAsync(id, ct), cancellationToken, limit).ConfigureAwait(false);
                    if (state.State != null && !state.State.Running && !state.State.Restarting)
                    {
                        stoppedFor ??= Stopwatch.StartNew();
                        if (stoppedFor.Elapsed >= limit)
                        {
                            throw Stalled("waiting for the container (it has stopped, but the engine never ended the wait)", limit);
                        }
                    }
                }
            }
            finally
            {
                waitCts.Cancel();
                _ = wait.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        /// <summary>The container's stdout and stderr, each bounded (start and end kept); reading is watched for inactivity.</summary>
        private async Task<(string StdOut, string StdErr)> ReadLogsAsync(string id, int maxBytes, TimeSpan limit, CancellationToken cancellationToken)
        {
            var docker = await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
            using var watchdog = new InactivityWatchdog(limit, cancellationToken);
            var stdout = new BoundedCapture(maxBytes);
            var stderr = new BoundedCapture(maxBytes);
            try
            {
                await watchdog.RunAsync(async token =>
                {
                    using var logs = await docker.Containers.GetContainerLogsAsync(id, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Follow = false }, token).ConfigureAwait(false);
                    var buffer = new byte[16 * 1024];
                    while (true)
                    {
                        watchdog.Touch();
                        var read = await logs.ReadOutputAsync(buffer, 0, buffer.Length, token).ConfigureAwait(false);
                        if (read.EOF || read.Count == 0)
                        {
                            break;
                        }

                        (read.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout).Add(buffer, 0, read.Count);
                    }

                    return true;
                }).ConfigureAwait(false);
            }
            catch (InactivityTimeoutException)
            {
                throw Stalled("reading the container's output", limit);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw Translate(ex, "reading the container's output", cancellationToken);
            }

            return (stdout.ToString(), stderr.ToString());
        }

        /// <summary>Empty means "not set" for the API (Docker.DotNet's models are not nullable-annotated).</summary>
        private static string OrNull(string? value) => string.IsNullOrEmpty(value) ? null! : value!;

        public void Dispose()
        {
            if (ownsConnection)
            {
                connection.Dispose();
            }
        }

        /// <summary>Calls back synchronously on the reporting thread, in order (System.Progress posts asynchronously).</summary>
        private sealed class SyncProgress<T> : IProgress<T>
        {
            private readonly Action<T> action;

            public SyncProgress(Action<T> action) => this.action = action;

            public void Report(T value) => action(value);
        }

        /// <summary>
        /// Turns the build's JSON messages into log lines, steps, the image id and the error, if any. Every line is reported
        /// as it arrives; only a bounded tail is kept. A line without an end is cut at <see cref="MaxPartialChars"/>.
        /// </summary>
        private sealed class BuildStreamState
        {
            private const int MaxPartialChars = 64 * 1024;

            private readonly IProgress<BuildEvent>? events;
            private readonly Action touch;
            private readonly System.Text.StringBuilder partial = new System.Text.StringBuilder();
            private string? error;
            private string? imageId;

            public BuildStreamState(IProgress<BuildEvent>? events, Action touch)
            {
                this.events = events;
                this.touch = touch;
            }

            public LogTail Tail { get; } = new LogTail();

            public string? CurrentStep { get; private set; }

            public void Handle(JSONMessage message)
            {
                touch();
                if (!string.IsNullOrEmpty(message.Stream))
                {
                    string chunk = message.Stream!;
                    int start = 0;
                    int nl;
                    while ((nl = chunk.IndexOf('\n', start)) >= 0)
                    {
                        partial.Append(chunk, start, nl - start);
                        Line(partial.ToString().TrimEnd('\r'));
                        partial.Clear();
                        start = nl + 1;
                    }

                    partial.Append(chunk, start, chunk.Length - start);
                    if (partial.Length > MaxPartialChars)
                    {
                        Line(partial.ToString());
                        partial.Clear();
                    }
                }
                else if (!string.IsNullOrEmpty(message.Status))
                {
                    Line(string.IsNullOrEmpty(message.ID) ? message.Status! : message.ID + ": " + message.Status);
                }

                if (message.Aux?.ExtensionData != null && message.Aux.ExtensionData.TryGetValue("ID", out var id) && id != null)
                {
                    string value = id is JsonElement je && je.ValueKind == JsonValueKind.String ? je.GetString() ?? string.Empty : id.ToString() ?? string.Empty;
                    if (value.Length > 0)
                    {
                        imageId = value;
                        events?.Report(new BuildEvent(BuildEventKind.ImageId, value));
                    }
                }

                if (message.Error != null && !string.IsNullOrEmpty(message.Error.Message))
                {
                    Flush();
                    Fail(message.Error.Message!);
                }
            }

            public void Fail(string message)
            {
                error = Redaction.UrlUserInfo(message.TrimEnd());
                Tail.Add(error);
                events?.Report(new BuildEvent(BuildEventKind.Error, error));
            }

            public void Flush()
            {
                if (partial.Length > 0)
                {
                    Line(partial.ToString().TrimEnd('\r'));
                    partial.Clear();
                }
            }

            private void Line(string line)
            {
                if (line.IndexOf('\x1b') >= 0)
                {
                    line = AnsiEscape.Replace(line, string.Empty);
                }

                line = Redaction.UrlUserInfo(line);
                Tail.Add(line);
                var step = line.StartsWith("Step ", StringComparison.Ordinal) ? StepLine.Match(line) : Match.Empty;
                if (step.Success)
                {
                    CurrentStep = line;
                    events?.Report(new BuildEvent(BuildEventKind.Step, step.Groups[3].Value)
                    {
                        Step = int.TryParse(step.Groups[1].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : 0,
                        TotalSteps = int.TryParse(step.Groups[2].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int t) ? t : 0,
                    });
                }
                else
                {
                    events?.Report(new BuildEvent(BuildEventKind.Log, line));
                    if (imageId == null && line.StartsWith("Successfully built ", StringComparison.Ordinal))
                    {
                        var built = BuiltLine.Match(line);
                        if (built.Success)
                        {
                            imageId = built.Groups[1].Value;
                        }
                    }
                }
            }

            public EngineBuildResult ToResult() => new EngineBuildResult
            {
                Succeeded = error == null && imageId != null,
                ImageId = imageId,
                ErrorMessage = error ?? (imageId == null ? "The engine finished the build without reporting an image id." : null),
                FailedStep = error != null || imageId == null ? CurrentStep : null,
                Log = Tail.ToArray(),
                TotalLogLines = Tail.TotalLines,
            };
        }

        /// <summary>
        /// The connection to one endpoint, shared by every view of the engine (<see cref="WithInactivityTimeout"/>):
        /// pings /version with an unversioned client once, then keeps a client pinned to min(server, client max).
        /// </summary>
        private sealed class Connection : IDisposable
        {
            private readonly SemaphoreSlim gate = new SemaphoreSlim(1, 1);
            private readonly TimeSpan connectTimeout;
            private readonly List<TlsAuthProvider> tlsProviders = new List<TlsAuthProvider>();
            private DockerClient? client;
            private bool disposed;

            public Connection(EngineEndpoint endpoint, TimeSpan connectTimeout)
            {
                Endpoint = endpoint;
                this.connectTimeout = connectTimeout;
            }

            public EngineEndpoint Endpoint { get; }

            public EngineInfo? Info { get; private set; }

            public async Task<DockerClient> ConnectAsync(CancellationToken cancellationToken)
            {
                if (client != null)
                {
                    return client;
                }

                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (client != null)
                    {
                        return client;
                    }

                    if (disposed)
                    {
                        throw new ObjectDisposedException(nameof(DockerEngine));
                    }

                    CheckSocket();
                    var probeTimeout = connectTimeout + connectTimeout;
                    VersionResponse version;
                    using (var probe = CreateClient(null, probeTimeout))
                    using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                    {
                        timeout.CancelAfter(probeTimeout);
                        try
                        {
                            version = await probe.System.GetVersionAsync(timeout.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                        {
                            throw;
                        }
                        catch (Exception ex) when (!(ex is EngineConfigurationException))
                        {
                            string reason = ex is OperationCanceledException ? $"no answer within {probeTimeout.TotalSeconds:0} s" : Reason(ex, Endpoint);
                            throw Unavailable(reason, ex);
                        }
                    }

                    var negotiated = Negotiate(version.APIVersion, ClientMaxApiVersion);
                    var created = CreateClient(negotiated, System.Threading.Timeout.InfiniteTimeSpan);
                    Info = new EngineInfo
                    {
                        Endpoint = Endpoint.Host,
                        ServerVersion = version.Version ?? string.Empty,
                        ApiVersion = version.APIVersion ?? string.Empty,
                        NegotiatedApiVersion = negotiated.ToString(2),
                        OSType = version.Os ?? string.Empty,
                        Architecture = version.Arch ?? string.Empty,
                        KernelVersion = version.KernelVersion ?? string.Empty,
                    };
                    client = created;
                    return created;
                }
                finally
                {
                    gate.Release();
                }
            }

            /// <summary>A unix socket that is not there is said so plainly (the transport would say "Cannot assign requested address").</summary>
            private void CheckSocket()
            {
                if (Endpoint.Address.Scheme != "unix")
                {
                    return;
                }

                string path = Endpoint.Address.Path!;
                if (Directory.Exists(path))
                {
                    throw Unavailable($"{path} is a folder, not the engine's socket");
                }

                if (!File.Exists(path))
                {
                    throw Unavailable($"the socket {path} does not exist: no Docker daemon is listening there. Start the daemon ('sudo systemctl start docker', or 'dockerd'), or point {Endpoint.Origin} at the socket it does use");
                }
            }

            private EngineUnavailableException Unavailable(string reason, Exception? inner = null) =>
                new EngineUnavailableException(
                    Endpoint.Host,
                    $"Cannot reach a Docker engine at {Endpoint.Host} (from {Endpoint.Origin}): {reason}. {EngineFailureIds.HowToPoint}",
                    inner);

            /// <summary>Why a connection failed, in words that say what to do; never holds userinfo.</summary>
            public static string Reason(Exception ex, EngineEndpoint endpoint)
            {
                var address = endpoint.Address;
                for (Exception? e = ex; e != null; e = e.InnerException)
                {
                    if (e is System.Net.Sockets.SocketException socket)
                    {
                        switch (socket.SocketErrorCode)
                        {
                            case System.Net.Sockets.SocketError.ConnectionRefused:
                                return address.Scheme == "unix"
                                    ? $"nothing accepts connections on the socket {address.Path} (connection refused): the Docker daemon is not running"
                                    : $"nothing listens at {address.HostName}:{endpoint.Uri.Port} (connection refused): the daemon is not running there, or listens on another port";
                            case System.Net.Sockets.SocketError.AccessDenied:
                                return $"permission denied on {(address.Scheme == "unix" ? address.Path : address.Display)}: run as root or as a member of the 'docker' group";
                            case System.Net.Sockets.SocketError.HostNotFound:
                            case System.Net.Sockets.SocketError.NoData:
                            case System.Net.Sockets.SocketError.TryAgain:
                                return $"the host name '{address.HostName}' does not resolve";
                            case System.Net.Sockets.SocketError.TimedOut:
                                return "the connection attempt timed out";
                            case System.Net.Sockets.SocketError.HostUnreachable:
                            case System.Net.Sockets.SocketError.NetworkUnreachable:
                                return "the host is unreachable";
                            case System.Net.Sockets.SocketError.AddressNotAvailable when address.Scheme == "unix":
                                return $"the socket {address.Path} does not exist or is not a socket";
                            case System.Net.Sockets.SocketError.ConnectionReset:
                            case System.Net.Sockets.SocketError.ConnectionAborted:
                            case System.Net.Sockets.SocketError.Shutdown:
                                return "the engine closed the connection";
                        }

                        return Redaction.UrlUserInfo(socket.Message);
                    }

                    if (e is System.Security.Authentication.AuthenticationException auth)
                    {
                        return $"the TLS handshake failed ({Redaction.UrlUserInfo(auth.Message)}): is the server's certificate issued for this host by the CA in ca.pem, and does it accept our client certificate?";
                    }

                    if (e is UnauthorizedAccessException)
                    {
                        return $"permission denied on {(address.Scheme == "unix" ? address.Path : address.Display)}: run as root or as a member of the 'docker' group";
                    }

                    if (e is DockerApiException api)
                    {
                        return $"the server answered {(int)api.StatusCode} {api.StatusCode}" + (ExtractMessage(api.ResponseBody) is { } m ? ": " + Redaction.UrlUserInfo(m) : string.Empty);
                    }

                    if (e is JsonException)
                    {
                        return "the server does not answer like a Docker engine (its /version reply is not the Engine API's JSON)";
                    }
                }

                var innermost = ex;
                while (innermost.InnerException != null)
                {
                    innermost = innermost.InnerException;
                }

                string text = Redaction.UrlUserInfo(innermost.Message.Trim().TrimEnd('.'));
                return text.Length > 0 ? text : ex.GetType().Name;
            }

            private DockerClient CreateClient(Version? apiVersion, TimeSpan timeout)
            {
                var builder = new DockerClientBuilder(new DockerConfig(new FixedCliSettings(Endpoint.Host)))
                    .WithEndpoint(Endpoint.Uri)
                    .WithApiVersion(apiVersion)
                    .WithTimeout(timeout);
                if (Endpoint.UseTls)
                {
                    var tls = new TlsAuthProvider(Endpoint);
                    lock (tlsProviders)
                    {
                        tlsProviders.Add(tls);
                    }

                    builder = builder.WithAuthProvider(tls);
                }

                if (Endpoint.Uri.Scheme == "npipe")
                {
                    return builder.WithTransportOptions(PipeOptions(connectTimeout)).Build();
                }

                return builder.Build();
            }

            public void Dispose()
            {
                disposed = true;
                client?.Dispose();
                gate.Dispose();
                lock (tlsProviders)
                {
                    foreach (var tls in tlsProviders)
                    {
                        tls.Dispose();
                    }

                    tlsProviders.Clear();
                }
            }
        }

        /// <summary>Settings for DockerConfig that never read the user's environment: resolution is ours.</summary>
        private sealed class FixedCliSettings : IDockerCliSettings
        {
            public FixedCliSettings(string host) => DockerHost = host;

            public string DockerConfig => Path.Combine(Path.GetTempPath(), "pythonimages-no-docker-config");

            public string DockerHost { get; }

            public string DockerTlsVerify => string.Empty;

            public string DockerContext => string.Empty;
        }
    }
}
