using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Engine
{
    /// <summary>
    /// The module's only view of a Docker engine. Implemented over Docker.DotNet; no Docker.DotNet type crosses
    /// this interface, so cmdlets and their parameters/outputs never see one.
    /// </summary>
    public partial interface IDockerEngine : IDisposable
    {
        /// <summary>The endpoint this engine talks to (unix:///var/run/docker.sock, npipe://..., tcp://...), userinfo masked.</summary>
        string Endpoint { get; }

        /// <summary>
        /// How long a request, a build's stream or a container run may go without any sign of life from the engine before
        /// it is abandoned with <see cref="EngineStalledException"/> (see <see cref="EngineTimeouts"/>).
        /// </summary>
        TimeSpan InactivityTimeout { get; }

        /// <summary>The same engine (same connection, same negotiated API version) with another inactivity timeout.</summary>
        IDockerEngine WithInactivityTimeout(TimeSpan inactivityTimeout);

        /// <summary>Pings the daemon and negotiates the API version. Throws <see cref="EngineUnavailableException"/> when unreachable.</summary>
        Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken);

        /// <summary>
        /// Which daemon answers (its /info): two addresses of one daemon (a socket and a link to it, localhost and 127.0.0.1)
        /// give the same identity. Not part of <see cref="GetInfoAsync"/>: only engine maps ask for it.
        /// </summary>
        Task<EngineIdentity> GetIdentityAsync(CancellationToken cancellationToken);

        /// <summary>Builds an image. Build log lines and step changes are reported through <paramref name="events"/>
        /// (called on the client's reading thread). A failing step yields a result with <c>Succeeded = false</c>.</summary>
        Task<EngineBuildResult> BuildAsync(EngineBuildRequest request, IProgress<BuildEvent>? events, CancellationToken cancellationToken);

        /// <summary>Null when no such image exists.</summary>
        Task<ImageDetails?> InspectImageAsync(string image, CancellationToken cancellationToken);

        /// <summary>Creates a container, runs it to completion, collects stdout/stderr, and removes it.</summary>
        Task<ContainerRunResult> RunAsync(ContainerRunRequest request, CancellationToken cancellationToken);

        /// <summary>Tags <paramref name="image"/> (a reference or id) as <paramref name="repository"/>:<paramref name="tag"/>.</summary>
        Task TagImageAsync(string image, string repository, string tag, CancellationToken cancellationToken);

        /// <summary>Pushes one tag to its registry (the engine's push API, X-Registry-Auth from <see cref="EnginePushRequest.Credential"/>),
        /// reporting per-layer progress through <paramref name="events"/>. A refused push yields a result with <c>Succeeded = false</c>.</summary>
        Task<EnginePushResult> PushImageAsync(EnginePushRequest request, IProgress<PushEvent>? events, CancellationToken cancellationToken);
    }

    /// <summary>What the engine says about itself.</summary>
    public sealed class EngineInfo
    {
        /// <summary>The endpoint, userinfo masked.</summary>
        public string Endpoint { get; set; } = string.Empty;
        /// <summary>The engine's version.</summary>
        public string ServerVersion { get; set; } = string.Empty;
        /// <summary>The newest API version the engine speaks.</summary>
        public string ApiVersion { get; set; } = string.Empty;
        /// <summary>The API version the client uses.</summary>
        public string NegotiatedApiVersion { get; set; } = string.Empty;

        /// <summary>linux or windows.</summary>
        public string OSType { get; set; } = string.Empty;
        /// <summary>The engine's CPU architecture.</summary>
        public string Architecture { get; set; } = string.Empty;

        /// <summary>The engine host's kernel version (on Windows "10.0 26100 (26100.1.amd64fre...)": its build tells the Windows version).</summary>
        public string KernelVersion { get; set; } = string.Empty;
    }

    /// <summary>
    /// Who a daemon is, from its /info: its ID, host name and data root. The ID alone does not tell daemons apart: Engine 20.10
    /// derives it from /etc/docker/key.json, which every daemon of a machine (and of a cloned machine) shares, while two
    /// daemons of one machine never share a data root.
    /// </summary>
    public sealed class EngineIdentity
    {
        /// <summary>The daemon's ID.</summary>
        public string Id { get; set; } = string.Empty;
        /// <summary>The daemon host's name.</summary>
        public string Name { get; set; } = string.Empty;
        /// <summary>The daemon's data root (/var/lib/docker).</summary>
        public string RootDirectory { get; set; } = string.Empty;

        /// <summary>
        /// The key two addresses of one daemon share with <paramref name="info"/> (its /version: the same daemon says the same),
        /// or null when the daemon does not say its ID (nothing can be compared).
        /// </summary>
        public string? Key(EngineInfo info) => Id.Length == 0
            ? null
            : string.Join("\n", Id, Name, RootDirectory, info.ServerVersion, info.OSType, info.Architecture, info.KernelVersion);
    }

    /// <summary>What to build and how.</summary>
    public sealed class EngineBuildRequest
    {
        /// <summary>The build context directory (streamed as a tar, .dockerignore honoured).</summary>
        public string ContextDirectory { get; set; } = string.Empty;

        /// <summary>Dockerfile path relative to the context (default "Dockerfile").</summary>
        public string Dockerfile { get; set; } = "Dockerfile";
        /// <summary>The references to tag the image with.</summary>
        public IList<string> Tags { get; set; } = new List<string>();
        /// <summary>Build arguments (values may be secrets: never logged).</summary>
        public IDictionary<string, string> BuildArgs { get; set; } = new Dictionary<string, string>();
        /// <summary>Labels of the image.</summary>
        public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();
        /// <summary>Build without the layer cache.</summary>
        public bool NoCache { get; set; }
        /// <summary>Pull a newer base image first.</summary>
        public bool Pull { get; set; }
        /// <summary>The network of the RUN steps.</summary>
        public string? NetworkMode { get; set; }
        /// <summary>The platform to build for.</summary>
        public string? Platform { get; set; }

        /// <summary>Remove intermediate containers, also after a failed step.</summary>
        public bool ForceRemoveIntermediate { get; set; } = true;

        /// <summary>Which builder the engine uses. API builds use the classic builder (version=1); BuildKit needs a session.</summary>
        public BuilderKind Builder { get; set; } = BuilderKind.Classic;

        /// <summary>No upload progress and no output for this long stalls the build (null: the engine's <see cref="IDockerEngine.InactivityTimeout"/>).</summary>
        public TimeSpan? InactivityTimeout { get; set; }

        /// <summary>The logins for pulling the base images (sent as X-Registry-Config; only the registries the Dockerfile names).</summary>
        public IList<Registry.BuildRegistryLogin> RegistryLogins { get; set; } = new List<Registry.BuildRegistryLogin>();
    }

    /// <summary>The engine's builder.</summary>
    public enum BuilderKind
    {
        /// <summary>The classic builder (API version=1): what upstream uses for Windows, and what 20.10 does for API builds.</summary>
        Classic,

        /// <summary>BuildKit (API version=2). Only where the engine supports session-less BuildKit builds.</summary>
        BuildKit,
    }

    /// <summary>The kinds of build events.</summary>
    public enum BuildEventKind
    {
        /// <summary>A log line.</summary>
        Log,
        /// <summary>A new step.</summary>
        Step,
        /// <summary>An error the engine reported.</summary>
        Error,
        /// <summary>The id of the built image.</summary>
        ImageId,
    }

    /// <summary>One thing a build reported: a log line, a new step ("Step 3/8 : RUN ..."), an error, the final image id.</summary>
    public sealed class BuildEvent
    {
        /// <summary>An event of <paramref name="kind"/> with its text.</summary>
        public BuildEvent(BuildEventKind kind, string text)
        {
            Kind = kind;
            Text = text;
        }

        /// <summary>What kind of event.</summary>
        public BuildEventKind Kind { get; }
        /// <summary>The line, step or id.</summary>
        public string Text { get; }
        /// <summary>The step number, for a step.</summary>
        public int Step { get; set; }
        /// <summary>The number of steps, for a step.</summary>
        public int TotalSteps { get; set; }
    }

    /// <summary>The outcome of a build.</summary>
    public sealed class EngineBuildResult
    {
        /// <summary>Whether the build succeeded.</summary>
        public bool Succeeded { get; set; }
        /// <summary>The image id, when it did.</summary>
        public string? ImageId { get; set; }
        /// <summary>The engine's error, when it did not.</summary>
        public string? ErrorMessage { get; set; }

        /// <summary>The step that failed ("Step 3/8 : RUN ..."), when one did.</summary>
        public string? FailedStep { get; set; }

        /// <summary>The last lines of the build log (at most a few hundred, bounded in size); every line was reported as a
        /// <see cref="BuildEventKind.Log"/> event as it arrived.</summary>
        public IReadOnlyList<string> Log { get; set; } = Array.Empty<string>();

        /// <summary>How many log lines the build wrote in all.</summary>
        public long TotalLogLines { get; set; }
    }

    /// <summary>What the engine knows about an image.</summary>
    public sealed class ImageDetails
    {
        /// <summary>The image id (sha256:...).</summary>
        public string Id { get; set; } = string.Empty;
        /// <summary>The references it is tagged with.</summary>
        public IReadOnlyList<string> RepoTags { get; set; } = Array.Empty<string>();
        /// <summary>The repository digests it was pulled or pushed as (repo@sha256:...).</summary>
        public IReadOnlyList<string> RepoDigests { get; set; } = Array.Empty<string>();
        /// <summary>Its size in bytes.</summary>
        public long Size { get; set; }
        /// <summary>linux or windows.</summary>
        public string OS { get; set; } = string.Empty;
        /// <summary>Its CPU architecture.</summary>
        public string Architecture { get; set; } = string.Empty;
        /// <summary>Its CMD.</summary>
        public IReadOnlyList<string> Cmd { get; set; } = Array.Empty<string>();
        /// <summary>Its environment.</summary>
        public IReadOnlyList<string> Env { get; set; } = Array.Empty<string>();
        /// <summary>Its labels.</summary>
        public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();
        /// <summary>When it was created (UTC).</summary>
        public DateTime Created { get; set; }
    }

    /// <summary>A container to run to completion.</summary>
    public sealed class ContainerRunRequest
    {
        /// <summary>The image to run.</summary>
        public string Image { get; set; } = string.Empty;

        /// <summary>Container name (optional; give a unique prefix so leftovers can be found).</summary>
        public string? Name { get; set; }

        /// <summary>The working directory, if not the image's.</summary>
        public string? WorkingDirectory { get; set; }

        /// <summary>Labels of the container.</summary>
        public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

        /// <summary>Null keeps the image's CMD.</summary>
        public IList<string>? Command { get; set; }
        /// <summary>The entrypoint, if not the image's.</summary>
        public IList<string>? Entrypoint { get; set; }
        /// <summary>Extra environment variables.</summary>
        public IDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>();
        /// <summary>The user, if not the image's.</summary>
        public string? User { get; set; }
        /// <summary>The network, if not the default.</summary>
        public string? NetworkMode { get; set; }

        /// <summary>How long the container may run; then it is killed and the result says <see cref="ContainerRunResult.TimedOut"/>.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>How long the engine may leave a request about this container unanswered (null: the engine's
        /// <see cref="IDockerEngine.InactivityTimeout"/>); a running container counts as alive while the engine reports on it.</summary>
        public TimeSpan? InactivityTimeout { get; set; }

        /// <summary>Keep at most this many bytes of each of stdout and stderr (its start and its end).</summary>
        public int MaxOutputBytes { get; set; } = 1024 * 1024;
    }

    /// <summary>The outcome of a container run.</summary>
    public sealed class ContainerRunResult
    {
        /// <summary>The exit code.</summary>
        public long ExitCode { get; set; }
        /// <summary>Standard output (bounded).</summary>
        public string StdOut { get; set; } = string.Empty;
        /// <summary>Standard error (bounded).</summary>
        public string StdErr { get; set; } = string.Empty;
        /// <summary>How long it ran.</summary>
        public TimeSpan Duration { get; set; }
        /// <summary>Whether it was stopped at its time limit.</summary>
        public bool TimedOut { get; set; }
    }

    /// <summary>Timeouts of the engine layer.</summary>
    public static class EngineTimeouts
    {
        /// <summary>
        /// Default inactivity timeout: 30 minutes. Generous on purpose: the classic builder streams a RUN step's output as
        /// it is written, but a PGO + LTO build of CPython has quiet phases (profile-guided recompilation, the final link)
        /// that last many minutes on a small machine.
        /// </summary>
        public static readonly TimeSpan DefaultInactivity = TimeSpan.FromMinutes(30);

        /// <summary>Longest inactivity timeout accepted (7 days).</summary>
        public static readonly TimeSpan MaxInactivity = TimeSpan.FromDays(7);

        /// <summary>How long cleanup after a failure (removing a test container) may wait for the engine at most.</summary>
        public static readonly TimeSpan MaxCleanup = TimeSpan.FromSeconds(30);
    }

    /// <summary>The engine went silent: no answer, no output and no upload progress for the inactivity timeout.
    /// The operation was cancelled.</summary>
    public sealed class EngineStalledException : Exception
    {
        /// <summary>The engine at <paramref name="endpoint"/> went quiet for <paramref name="timeout"/> during <paramref name="operation"/>.</summary>
        public EngineStalledException(string endpoint, string operation, TimeSpan timeout, string message, string? step = null, IReadOnlyList<string>? tail = null)
            : base(message)
        {
            Endpoint = endpoint;
            Operation = operation;
            Timeout = timeout;
            Step = step;
            Tail = tail ?? Array.Empty<string>();
        }

        /// <summary>The endpoint, userinfo masked.</summary>
        public string Endpoint { get; }

        /// <summary>What was going on ("building", "waiting for the test container").</summary>
        public string Operation { get; }

        /// <summary>The inactivity limit that was reached.</summary>
        public TimeSpan Timeout { get; }

        /// <summary>The build step that was running, for a build.</summary>
        public string? Step { get; }

        /// <summary>The last log lines received, for a build.</summary>
        public IReadOnlyList<string> Tail { get; }

        /// <summary>A timeout as people say it: 30 min, 90 s, 1 h 30 min.</summary>
        public static string Describe(TimeSpan timeout)
        {
            if (timeout.TotalSeconds < 60)
            {
                return timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";
            }

            var parts = new List<string>();
            if (timeout.Days > 0)
            {
                parts.Add(timeout.Days + " d");
            }

            if (timeout.Hours > 0)
            {
                parts.Add(timeout.Hours + " h");
            }

            if (timeout.Minutes > 0)
            {
                parts.Add(timeout.Minutes + " min");
            }

            if (timeout.Seconds > 0)
            {
                parts.Add(timeout.Seconds + " s");
            }

            return string.Join(" ", parts);
        }
    }

    /// <summary>The engine answered a request with an error (HTTP status and the engine's message).</summary>
    public sealed class EngineRequestException : Exception
    {
        /// <summary>The engine answered a request with an error status.</summary>
        public EngineRequestException(string endpoint, int statusCode, string message, Exception? inner = null)
            : base(message, inner)
        {
            Endpoint = endpoint;
            StatusCode = statusCode;
        }

        /// <summary>The endpoint, userinfo masked.</summary>
        public string Endpoint { get; }

        /// <summary>The HTTP status (404, 409, 500, ...); 0 when the answer could not be read at all.</summary>
        public int StatusCode { get; }
    }

    /// <summary>No engine answers at the resolved endpoint.</summary>
    public sealed class EngineUnavailableException : Exception
    {
        /// <summary>No engine answers at <paramref name="endpoint"/>.</summary>
        public EngineUnavailableException(string endpoint, string message, Exception? inner = null)
            : base(message, inner)
        {
            Endpoint = endpoint;
        }

        /// <summary>The endpoint, userinfo masked.</summary>
        public string Endpoint { get; }
    }
}
