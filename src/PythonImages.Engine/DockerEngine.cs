using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Pipelines;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;
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

        public static IDockerEngine Create(EngineEndpoint endpoint, TimeSpan? connectTimeout = null) =>
            new DockerEngine(endpoint, connectTimeout ?? DefaultConnectTimeout);
    }

    /// <summary><see cref="IDockerEngine"/> over Docker.DotNet.Enhanced.</summary>
    internal sealed class DockerEngine : IDockerEngine
    {
        /// <summary>The newest Engine API this client speaks (Docker.DotNet.Enhanced 4.3 models Engine 29).</summary>
        public static readonly Version ClientMaxApiVersion = new Version(1, 52);

        private static readonly Regex StepLine = new Regex(@"^Step (\d+)/(\d+) : (.*)$", RegexOptions.Compiled);
        private static readonly Regex BuiltLine = new Regex(@"^Successfully built ([0-9a-f]{12,64})\s*$", RegexOptions.Compiled);

        /// <summary>The classic builder colours a RUN's stderr with SGR escapes (ESC[91m ... ESC[0m); log lines keep the text only.</summary>
        private static readonly Regex AnsiEscape = new Regex(@"\x1b\[[0-9;]*[A-Za-z]", RegexOptions.Compiled);

        private readonly EngineEndpoint endpoint;
        private readonly TimeSpan connectTimeout;
        private readonly SemaphoreSlim gate = new SemaphoreSlim(1, 1);
        private DockerClient? client;
        private EngineInfo? info;
        private bool disposed;

        public DockerEngine(EngineEndpoint endpoint, TimeSpan connectTimeout)
        {
            this.endpoint = endpoint;
            this.connectTimeout = connectTimeout;
        }

        public string Endpoint => endpoint.Host;

        public EngineEndpoint ResolvedEndpoint => endpoint;

        public async Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken)
        {
            await ConnectAsync(cancellationToken).ConfigureAwait(false);
            return info!;
        }

        /// <summary>Pings /version with an unversioned client, then creates the client pinned to min(server, client max).</summary>
        private async Task<DockerClient> ConnectAsync(CancellationToken cancellationToken)
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

                VersionResponse version;
                using (var probe = CreateClient(null, connectTimeout + connectTimeout))
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timeout.CancelAfter(connectTimeout + connectTimeout);
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
                        string reason = ex is OperationCanceledException ? $"no answer within {(connectTimeout + connectTimeout).TotalSeconds:0} s" : Innermost(ex).Message;
                        throw new EngineUnavailableException(
                            endpoint.Host,
                            $"Cannot reach a Docker engine at {endpoint.Host} (from {Describe(endpoint)}): {reason}. {EndpointHelp.HowToPoint}",
                            ex);
                    }
                }

                var negotiated = Negotiate(version.APIVersion, ClientMaxApiVersion);
                client = CreateClient(negotiated, System.Threading.Timeout.InfiniteTimeSpan);
                info = new EngineInfo
                {
                    Endpoint = endpoint.Host,
                    ServerVersion = version.Version ?? string.Empty,
                    ApiVersion = version.APIVersion ?? string.Empty,
                    NegotiatedApiVersion = negotiated.ToString(2),
                    OSType = version.Os ?? string.Empty,
                    Architecture = version.Arch ?? string.Empty,
                };
                return client;
            }
            finally
            {
                gate.Release();
            }
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

        private static string Describe(EngineEndpoint e) => e.Source switch
        {
            EndpointSource.Parameter => "-DockerHost",
            EndpointSource.DockerHostVariable => "DOCKER_HOST",
            EndpointSource.Context => "docker context '" + e.ContextName + "'",
            _ => "the platform default",
        };

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null && !(ex is DockerApiException))
            {
                ex = ex.InnerException;
            }

            return ex;
        }

        private DockerClient CreateClient(Version? apiVersion, TimeSpan timeout)
        {
            var builder = new DockerClientBuilder(new DockerConfig(new FixedCliSettings(endpoint.Host)))
                .WithEndpoint(endpoint.Uri)
                .WithApiVersion(apiVersion)
                .WithTimeout(timeout);
            if (endpoint.UseTls)
            {
                builder = builder.WithAuthProvider(new TlsAuthProvider(endpoint));
            }

            if (endpoint.Uri.Scheme == "npipe")
            {
                return builder.WithTransportOptions(PipeOptions(connectTimeout)).Build();
            }

            return builder.Build();
        }

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
            var docker = await ConnectAsync(cancellationToken).ConfigureAwait(false);

            // Everything that can be refused is refused before a byte is uploaded.
            var context = BuildContext.Scan(request.ContextDirectory, request.Dockerfile);

            var parameters = new ImageBuildParameters
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

            var state = new BuildStreamState(events);
            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
            using var uploadCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var producer = Task.Run(
                async () =>
                {
                    Exception? failure = null;
                    try
                    {
                        using var writerStream = pipe.Writer.AsStream(leaveOpen: true);
                        await context.WriteTarAsync(writerStream, uploadCts.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        failure = ex;
                    }

                    await pipe.Writer.CompleteAsync(failure).ConfigureAwait(false);
                },
                CancellationToken.None);

            try
            {
                using var body = pipe.Reader.AsStream();
                await docker.Images.BuildImageFromDockerfileAsync(parameters, body, null, null, new SyncProgress<JSONMessage>(state.Handle), cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                // Dockerfile parse errors, unknown base platform etc. come back as an HTTP error.
                state.Fail(ExtractMessage(ex.ResponseBody) ?? ex.Message);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                uploadCts.Cancel();
                throw new OperationCanceledException(cancellationToken);
            }
            finally
            {
                uploadCts.Cancel();
                try
                {
                    await producer.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // the producer reports through the pipe
                }
            }

            state.Flush();
            return state.ToResult();
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
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m))
                {
                    return m.GetString();
                }
            }
            catch (JsonException)
            {
            }

            return body!.Trim();
        }

        public async Task TagAsync(string image, string repository, string tag, CancellationToken cancellationToken)
        {
            var docker = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            await docker.Images.TagImageAsync(image, new ImageTagParameters { RepositoryName = repository, Tag = tag }, cancellationToken).ConfigureAwait(false);
        }

        public async Task<ImageDetails?> InspectImageAsync(string image, CancellationToken cancellationToken)
        {
            var docker = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            ImageInspectResponse r;
            try
            {
                r = await docker.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            return new ImageDetails
            {
                Id = r.ID ?? string.Empty,
                RepoTags = (r.RepoTags ?? new List<string>()).ToArray(),
                Size = r.Size,
                OS = r.Os ?? string.Empty,
                Architecture = r.Architecture ?? string.Empty,
                Cmd = (r.Config?.Cmd ?? new List<string>()).ToArray(),
                Env = (r.Config?.Env ?? new List<string>()).ToArray(),
                Labels = new Dictionary<string, string>(r.Config?.Labels ?? new Dictionary<string, string>()),
                Created = r.Created ?? default,
            };
        }

        public async Task RemoveImageAsync(string image, bool force, CancellationToken cancellationToken)
        {
            var docker = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await docker.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = force }, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                // already gone
            }
        }

        public async Task<ContainerRunResult> RunAsync(ContainerRunRequest request, CancellationToken cancellationToken)
        {
            var docker = await ConnectAsync(cancellationToken).ConfigureAwait(false);
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
            var created = await docker.Containers.CreateContainerAsync(create, cancellationToken).ConfigureAwait(false);
            string id = created.ID;
            try
            {
                await docker.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
                var result = new ContainerRunResult();
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    timeout.CancelAfter(request.Timeout);
                    try
                    {
                        var wait = await docker.Containers.WaitContainerAsync(id, timeout.Token).ConfigureAwait(false);
                        result.ExitCode = wait.StatusCode;
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        result.TimedOut = true;
                        result.ExitCode = -1;
                        await docker.Containers.KillContainerAsync(id, new ContainerKillParameters(), CancellationToken.None).ConfigureAwait(false);
                    }
                }

                result.Duration = watch.Elapsed;
                using (var logs = await docker.Containers.GetContainerLogsAsync(id, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Follow = false }, cancellationToken).ConfigureAwait(false))
                {
                    var (stdout, stderr) = await logs.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
                    result.StdOut = stdout;
                    result.StdErr = stderr;
                }

                return result;
            }
            finally
            {
                try
                {
                    await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, CancellationToken.None).ConfigureAwait(false);
                }
                catch (DockerApiException)
                {
                    // already gone
                }
            }
        }

        /// <summary>Empty means "not set" for the API (Docker.DotNet's models are not nullable-annotated).</summary>
        private static string OrNull(string? value) => string.IsNullOrEmpty(value) ? null! : value!;

        public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(bool all, CancellationToken cancellationToken)
        {
            var docker = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            var list = await docker.Containers.ListContainersAsync(new ContainersListParameters { All = all }, cancellationToken).ConfigureAwait(false);
            return list.Select(c => new ContainerSummary
            {
                Id = c.ID ?? string.Empty,
                Image = c.Image ?? string.Empty,
                ImageId = c.ImageID ?? string.Empty,
                Command = c.Command ?? string.Empty,
                State = c.State ?? string.Empty,
                Names = (c.Names ?? new List<string>()).ToArray(),
            }).ToList();
        }

        public void Dispose()
        {
            disposed = true;
            client?.Dispose();
            gate.Dispose();
        }

        /// <summary>Calls back synchronously on the reporting thread, in order (System.Progress posts asynchronously).</summary>
        private sealed class SyncProgress<T> : IProgress<T>
        {
            private readonly Action<T> action;

            public SyncProgress(Action<T> action) => this.action = action;

            public void Report(T value) => action(value);
        }

        /// <summary>Turns the build's JSON messages into log lines, steps, the image id and the error, if any.</summary>
        private sealed class BuildStreamState
        {
            private readonly IProgress<BuildEvent>? events;
            private readonly List<string> log = new List<string>();
            private readonly System.Text.StringBuilder partial = new System.Text.StringBuilder();
            private string? currentStep;
            private string? error;
            private string? imageId;

            public BuildStreamState(IProgress<BuildEvent>? events) => this.events = events;

            public void Handle(JSONMessage message)
            {
                if (!string.IsNullOrEmpty(message.Stream))
                {
                    partial.Append(message.Stream);
                    string text = partial.ToString();
                    int start = 0;
                    int nl;
                    while ((nl = text.IndexOf('\n', start)) >= 0)
                    {
                        Line(text.Substring(start, nl - start).TrimEnd('\r'));
                        start = nl + 1;
                    }

                    partial.Clear();
                    partial.Append(text.Substring(start));
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
                error = message.TrimEnd();
                log.Add(error);
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
                line = AnsiEscape.Replace(line, string.Empty);
                log.Add(line);
                var step = StepLine.Match(line);
                if (step.Success)
                {
                    currentStep = line;
                    events?.Report(new BuildEvent(BuildEventKind.Step, step.Groups[3].Value)
                    {
                        Step = int.Parse(step.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                        TotalSteps = int.Parse(step.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
                    });
                }
                else
                {
                    events?.Report(new BuildEvent(BuildEventKind.Log, line));
                    var built = BuiltLine.Match(line);
                    if (built.Success && imageId == null)
                    {
                        imageId = built.Groups[1].Value;
                    }
                }
            }

            public EngineBuildResult ToResult() => new EngineBuildResult
            {
                Succeeded = error == null && imageId != null,
                ImageId = imageId,
                ErrorMessage = error ?? (imageId == null ? "The engine finished the build without reporting an image id." : null),
                FailedStep = error != null || imageId == null ? currentStep : null,
                Log = log.ToArray(),
            };
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
