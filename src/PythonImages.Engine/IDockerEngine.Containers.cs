using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Engine
{
    /// <summary>Interactive container runs and image pulls (Invoke-PythonContainer).</summary>
    public partial interface IDockerEngine
    {
        /// <summary>
        /// Pulls <paramref name="reference"/> (anonymously). Layer progress is reported through <paramref name="events"/> on the
        /// client's reading thread. A refusal (unknown repository, no such tag, registry unreachable) is an
        /// <see cref="EngineRequestException"/> with the engine's message.
        /// </summary>
        Task PullImageAsync(string reference, IProgress<PullEvent>? events, CancellationToken cancellationToken);

        /// <summary>
        /// Creates a container, attaches to its streams before it starts (so no output is lost), starts it, feeds its stdin
        /// from <paramref name="streams"/> while reporting its stdout and stderr as they arrive, waits for it to exit, and
        /// removes it unless <see cref="AttachedRunRequest.KeepContainer"/>. Cancelling kills the container and removes it
        /// (a kept container is left stopped); the task then ends with <see cref="OperationCanceledException"/>.
        /// </summary>
        Task<AttachedRunResult> RunAttachedAsync(AttachedRunRequest request, IContainerStreams streams, CancellationToken cancellationToken);
    }

    /// <summary>One status line of a pull: a layer's state and, while it downloads or extracts, its progress.</summary>
    public sealed class PullEvent
    {
        /// <summary>A status line of a pull.</summary>
        public PullEvent(string? layer, string status, long current, long total)
        {
            Layer = layer;
            Status = status;
            Current = current;
            Total = total;
        }

        /// <summary>The layer id (short), or null for a message about the whole image.</summary>
        public string? Layer { get; }

        /// <summary>Pulling fs layer, Downloading, Extracting, Pull complete, Digest: ..., Status: ...</summary>
        public string Status { get; }

        /// <summary>Bytes done so far (0 when unknown).</summary>
        public long Current { get; }

        /// <summary>0 when unknown.</summary>
        public long Total { get; }
    }

    /// <summary>A host folder mounted into a container.</summary>
    public sealed class BindMount
    {
        /// <summary>A mount of <paramref name="source"/> at <paramref name="target"/>.</summary>
        public BindMount(string source, string target, bool readOnly = false)
        {
            Source = source;
            Target = target;
            ReadOnly = readOnly;
        }

        /// <summary>The folder on the engine's host (a full path; spaces and any other character are fine).</summary>
        public string Source { get; }

        /// <summary>Where it appears in the container (/usr/src/myapp, C:\src).</summary>
        public string Target { get; }

        /// <summary>Mounted read-only.</summary>
        public bool ReadOnly { get; }
    }

    /// <summary>What to run in an attached container, and how.</summary>
    public sealed class AttachedRunRequest
    {
        /// <summary>The image reference or id.</summary>
        public string Image { get; set; } = string.Empty;

        /// <summary>The container's name (required: a cancelled create is cleaned up by name).</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>Null keeps the image's CMD.</summary>
        public IList<string>? Command { get; set; }

        /// <summary>The working directory (null: the image's).</summary>
        public string? WorkingDirectory { get; set; }

        /// <summary>Environment variables, in addition to the image's.</summary>
        public IDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>();

        /// <summary>Labels for the container.</summary>
        public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

        /// <summary>Host folders to mount.</summary>
        public IList<BindMount> Mounts { get; set; } = new List<BindMount>();

        /// <summary>The network (host, none, bridge, a network name; null: the engine's default).</summary>
        public string? NetworkMode { get; set; }

        /// <summary>Attach stdin and read it from <see cref="IContainerStreams.ReadInputAsync"/>; the container sees end of input when that returns null.</summary>
        public bool Stdin { get; set; }

        /// <summary>Give the container a terminal (output then arrives as one raw stream, reported as stdout).</summary>
        public bool Tty { get; set; }

        /// <summary>The terminal's size (columns × rows) when <see cref="Tty"/>; 0 leaves the engine's default.</summary>
        public int TtyWidth { get; set; }

        /// <summary>The terminal's rows; 0 leaves the engine's default.</summary>
        public int TtyHeight { get; set; }

        /// <summary>Leave the container on the engine after it exits (stopped, if it was cancelled).</summary>
        public bool KeepContainer { get; set; }

        /// <summary>How long a request about the container may go unanswered (null: the engine's <see cref="IDockerEngine.InactivityTimeout"/>).
        /// A container that runs quietly is alive as long as the engine answers about it.</summary>
        public TimeSpan? InactivityTimeout { get; set; }
    }

    /// <summary>What a container run exchanges with its caller. Called on the engine's threads.</summary>
    public interface IContainerStreams
    {
        /// <summary>The container exists (it is not started yet).</summary>
        void Created(string id);

        /// <summary>The next piece of stdin, or null at the end of input. Only called when the request attaches stdin.</summary>
        Task<byte[]?> ReadInputAsync(CancellationToken cancellationToken);

        /// <summary>Output as it arrives, in the order the engine sent it.</summary>
        void Output(ContainerStreamKind stream, byte[] buffer, int offset, int count);
    }

    /// <summary>Which output stream a piece of a container's output came from.</summary>
    public enum ContainerStreamKind
    {
        /// <summary>Standard output (and everything, with a terminal).</summary>
        StdOut,
        /// <summary>Standard error.</summary>
        StdErr,
    }

    /// <summary>How an attached run ended.</summary>
    public sealed class AttachedRunResult
    {
        /// <summary>The container's id.</summary>
        public string Id { get; set; } = string.Empty;

        /// <summary>The container's name.</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>The program's exit code (137 after a kill).</summary>
        public long ExitCode { get; set; }

        /// <summary>From the start of the container to its exit.</summary>
        public TimeSpan Duration { get; set; }

        /// <summary>False when the container was kept, or could not be removed.</summary>
        public bool Removed { get; set; }
    }
}
