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
    public interface IDockerEngine : IDisposable
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

        /// <summary>Builds an image. Build log lines and step changes are reported through <paramref name="events"/>
        /// (called on the client's reading thread). A failing step yields a result with <c>Succeeded = false</c>.</summary>
        Task<EngineBuildResult> BuildAsync(EngineBuildRequest request, IProgress<BuildEvent>? events, CancellationToken cancellationToken);

        /// <summary>Null when no such image exists.</summary>
        Task<ImageDetails?> InspectImageAsync(string image, CancellationToken cancellationToken);

        /// <summary>Creates a container, runs it to completion, collects stdout/stderr, and removes it.</summary>
        Task<ContainerRunResult> RunAsync(ContainerRunRequest request, CancellationToken cancellationToken);
    }

    public sealed class EngineInfo
    {
        public string Endpoint { get; set; } = string.Empty;
        public string ServerVersion { get; set; } = string.Empty;
        public string ApiVersion { get; set; } = string.Empty;
        public string NegotiatedApiVersion { get; set; } = string.Empty;

        /// <summary>linux or windows.</summary>
        public string OSType { get; set; } = string.Empty;
        public string Architecture { get; set; } = string.Empty;
    }

    public sealed class EngineBuildRequest
    {
        /// <summary>The build context directory (streamed as a tar, .dockerignore honoured).</summary>
        public string ContextDirectory { get; set; } = string.Empty;

        /// <summary>Dockerfile path relative to the context (default "Dockerfile").</summary>
        public string Dockerfile { get; set; } = "Dockerfile";
        public IList<string> Tags { get; set; } = new List<string>();
        public IDictionary<string, string> BuildArgs { get; set; } = new Dictionary<string, string>();
        public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();
        public bool NoCache { get; set; }
        public bool Pull { get; set; }
        public string? NetworkMode { get; set; }
        public string? Platform { get; set; }

        /// <summary>Remove intermediate containers, also after a failed step.</summary>
        public bool ForceRemoveIntermediate { get; set; } = true;

        /// <summary>Which builder the engine uses. API builds use the classic builder (version=1); BuildKit needs a session.</summary>
        public BuilderKind Builder { get; set; } = BuilderKind.Classic;

        /// <summary>No upload progress and no output for this long stalls the build (null: the engine's <see cref="IDockerEngine.InactivityTimeout"/>).</summary>
        public TimeSpan? InactivityTimeout { get; set; }
    }

    public enum BuilderKind
    {
        /// <summary>The classic builder (API version=1): what upstream uses for Windows, and what 20.10 does for API builds.</summary>
        Classic,

        /// <summary>BuildKit (API version=2). Only where the engine supports session-less BuildKit builds.</summary>
        BuildKit,
    }

    public enum BuildEventKind
    {
        Log,
        Step,
        Error,
        ImageId,
    }

    /// <summary>One thing a build reported: a log line, a new step ("Step 3/8 : RUN ..."), an error, the final image id.</summary>
    public sealed class BuildEvent
    {
        public BuildEvent(BuildEventKind kind, string text)
        {
            Kind = kind;
            Text = text;
        }

        public BuildEventKind Kind { get; }
        public string Text { get; }
        public int Step { get; set; }
        public int TotalSteps { get; set; }
    }

    public sealed class EngineBuildResult
    {
        public bool Succeeded { get; set; }
        public string? ImageId { get; set; }
        public string? ErrorMessage { get; set; }

        /// <summary>The step that failed ("Step 3/8 : RUN ..."), when one did.</summary>
        public string? FailedStep { get; set; }

        /// <summary>The last lines of the build log (at most a few hundred, bounded in size); every line was reported as a
        /// <see cref="BuildEventKind.Log"/> event as it arrived.</summary>
        public IReadOnlyList<string> Log { get; set; } = Array.Empty<string>();

        /// <summary>How many log lines the build wrote in all.</summary>
        public long TotalLogLines { get; set; }
    }

    public sealed class ImageDetails
    {
        public string Id { get; set; } = string.Empty;
        public IReadOnlyList<string> RepoTags { get; set; } = Array.Empty<string>();
        public long Size { get; set; }
        public string OS { get; set; } = string.Empty;
        public string Architecture { get; set; } = string.Empty;
        public IReadOnlyList<string> Cmd { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> Env { get; set; } = Array.Empty<string>();
        public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();
        public DateTime Created { get; set; }
    }

    public sealed class ContainerRunRequest
    {
        public string Image { get; set; } = string.Empty;

        /// <summary>Container name (optional; give a unique prefix so leftovers can be found).</summary>
        public string? Name { get; set; }

        public string? WorkingDirectory { get; set; }

        public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

        /// <summary>Null keeps the image's CMD.</summary>
        public IList<string>? Command { get; set; }
        public IList<string>? Entrypoint { get; set; }
        public IDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>();
        public string? User { get; set; }
        public string? NetworkMode { get; set; }

        /// <summary>How long the container may run; then it is killed and the result says <see cref="ContainerRunResult.TimedOut"/>.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>How long the engine may leave a request about this container unanswered (null: the engine's
        /// <see cref="IDockerEngine.InactivityTimeout"/>); a running container counts as alive while the engine reports on it.</summary>
        public TimeSpan? InactivityTimeout { get; set; }

        /// <summary>Keep at most this many bytes of each of stdout and stderr (its start and its end).</summary>
        public int MaxOutputBytes { get; set; } = 1024 * 1024;
    }

    public sealed class ContainerRunResult
    {
        public long ExitCode { get; set; }
        public string StdOut { get; set; } = string.Empty;
        public string StdErr { get; set; } = string.Empty;
        public TimeSpan Duration { get; set; }
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
        public EngineStalledException(string endpoint, string operation, TimeSpan timeout, string message, string? step = null, IReadOnlyList<string>? tail = null)
            : base(message)
        {
            Endpoint = endpoint;
            Operation = operation;
            Timeout = timeout;
            Step = step;
            Tail = tail ?? Array.Empty<string>();
        }

        public string Endpoint { get; }

        /// <summary>What was going on ("building", "waiting for the test container").</summary>
        public string Operation { get; }

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
        public EngineRequestException(string endpoint, int statusCode, string message, Exception? inner = null)
            : base(message, inner)
        {
            Endpoint = endpoint;
            StatusCode = statusCode;
        }

        public string Endpoint { get; }

        /// <summary>The HTTP status (404, 409, 500, ...); 0 when the answer could not be read at all.</summary>
        public int StatusCode { get; }
    }

    /// <summary>No engine answers at the resolved endpoint.</summary>
    public sealed class EngineUnavailableException : Exception
    {
        public EngineUnavailableException(string endpoint, string message, Exception? inner = null)
            : base(message, inner)
        {
            Endpoint = endpoint;
        }

        public string Endpoint { get; }
    }
}
