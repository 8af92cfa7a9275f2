using System;
using System.Collections.Concurrent;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Apps;
using PythonImages.Builds;
using PythonImages.Engine;

namespace PythonImages.Commands
{
    /// <summary>
    /// The PowerShell side of one container run (Invoke-PythonContainer): pipeline input queued for the container's stdin
    /// (bounded, so a fast producer waits for the container), and the container's output turned into lines (or, with a
    /// terminal, into raw text) handed to the cmdlet's sinks on the engine's reading thread. The sinks only post to the
    /// pipeline thread.
    /// </summary>
    internal sealed class ContainerSession : IContainerStreams, IDisposable
    {
        private const int MaxQueuedInputs = 64;
        private const int StdErrTailLines = 20;

        private static readonly Encoding Utf8NoBom = new UTF8Encoding(false);

        private readonly ConcurrentQueue<byte[]?> input = new ConcurrentQueue<byte[]?>();
        private readonly SemaphoreSlim available = new SemaphoreSlim(0);
        private readonly SemaphoreSlim space = new SemaphoreSlim(MaxQueuedInputs, MaxQueuedInputs);
        private readonly CancellationTokenSource ended = new CancellationTokenSource();
        private readonly LineDecoder stdout = new LineDecoder();
        private readonly LineDecoder stderr = new LineDecoder();
        private readonly Decoder terminal = new UTF8Encoding(false, false).GetDecoder();
        private readonly LogTail stderrTail = new LogTail(StdErrTailLines);
        private readonly bool tty;
        private readonly Action<ContainerStreamKind, string> line;
        private readonly Action<string> text;
        private int inputCompleted;

        /// <param name="tty">The container has a terminal: output is raw text for the console, not lines.</param>
        /// <param name="line">Receives each complete line of stdout or stderr (engine thread).</param>
        /// <param name="text">Receives terminal output as it arrives (engine thread).</param>
        public ContainerSession(bool tty, Action<ContainerStreamKind, string> line, Action<string> text)
        {
            this.tty = tty;
            this.line = line;
            this.text = text;
        }

        public string? ContainerId { get; private set; }

        public long OutputLines => stdout.Lines;

        public long ErrorLines => stderr.Lines;

        /// <summary>The last lines the program wrote to stderr, for the error about its exit code.</summary>
        public string[] StdErrTail
        {
            get
            {
                lock (stderrTail)
                {
                    return stderrTail.ToArray();
                }
            }
        }

        public void Created(string id) => ContainerId = id;

        public void Output(ContainerStreamKind stream, byte[] buffer, int offset, int count)
        {
            if (tty)
            {
                var chars = new char[terminal.GetCharCount(buffer, offset, count, flush: false)];
                int n = terminal.GetChars(buffer, offset, count, chars, 0, flush: false);
                if (n > 0)
                {
                    text(new string(chars, 0, n));
                }

                return;
            }

            var decoder = stream == ContainerStreamKind.StdErr ? stderr : stdout;
            foreach (var l in decoder.Add(buffer, offset, count))
            {
                Deliver(stream, l);
            }
        }

        /// <summary>Passes on what is left of unfinished lines (the program ended without a final line break). Call after the run.</summary>
        public void Flush()
        {
            if (stdout.Flush() is { } outLine)
            {
                Deliver(ContainerStreamKind.StdOut, outLine);
            }

            if (stderr.Flush() is { } errLine)
            {
                Deliver(ContainerStreamKind.StdErr, errLine);
            }
        }

        private void Deliver(ContainerStreamKind stream, string l)
        {
            if (stream == ContainerStreamKind.StdErr)
            {
                lock (stderrTail)
                {
                    stderrTail.Add(l);
                }
            }

            line(stream, l);
        }

        /// <summary>Queues one line of pipeline input (with a line break) for stdin; waits while the queue is full.</summary>
        public Task EnqueueLineAsync(string value, CancellationToken cancellationToken) => EnqueueAsync(Utf8NoBom.GetBytes(value + "\n"), cancellationToken);

        /// <summary>Queues bytes for stdin (keys typed at a terminal); waits while the queue is full; dropped once the run is over.</summary>
        public async Task EnqueueAsync(byte[] bytes, CancellationToken cancellationToken)
        {
            if (ended.IsCancellationRequested || Volatile.Read(ref inputCompleted) != 0)
            {
                return;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, ended.Token);
            try
            {
                await space.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return; // the container is gone: like writing to a closed pipe, the input goes nowhere
            }

            input.Enqueue(bytes);
            available.Release();
        }

        /// <summary>No more input: the container's stdin is closed once what is queued has been written.</summary>
        public void CompleteInput()
        {
            if (Interlocked.Exchange(ref inputCompleted, 1) == 0)
            {
                input.Enqueue(null);
                available.Release();
            }
        }

        public async Task<byte[]?> ReadInputAsync(CancellationToken cancellationToken)
        {
            await available.WaitAsync(cancellationToken).ConfigureAwait(false);
            input.TryDequeue(out var chunk);
            if (chunk != null)
            {
                space.Release();
            }

            return chunk;
        }

        /// <summary>The run is over: whoever waits to queue input stops waiting.</summary>
        public void End() => ended.Cancel();

        public void Dispose()
        {
            ended.Dispose();
            available.Dispose();
            space.Dispose();
        }
    }
}
