using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Engine
{
    /// <summary>Thrown by <see cref="InactivityWatchdog.RunAsync{T}"/> when the operation showed no sign of life in time.</summary>
    internal sealed class InactivityTimeoutException : Exception
    {
        public InactivityTimeoutException(TimeSpan timeout)
            : base("No activity for " + EngineStalledException.Describe(timeout) + ".")
        {
            Timeout = timeout;
        }

        public TimeSpan Timeout { get; }
    }

    /// <summary>
    /// Cancels an operation that shows no sign of life (<see cref="Touch"/>) for a set time. When the operation does not
    /// end soon after its cancellation (a transport that ignores cancellation), it is abandoned: the caller gets
    /// <see cref="InactivityTimeoutException"/> either way and never waits longer than the timeout plus a short grace.
    /// </summary>
    internal sealed class InactivityWatchdog : IDisposable
    {
        /// <summary>How long a cancelled operation may take to end before it is abandoned.</summary>
        internal static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(5);

        private readonly TimeSpan grace;

        private readonly CancellationToken outer;
        private readonly CancellationTokenSource cts;
        private readonly TaskCompletionSource<bool> stalled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Timer? timer;
        private readonly long limitTicks;
        private long lastTouch;

        public InactivityWatchdog(TimeSpan timeout, CancellationToken outer, TimeSpan? abandonGrace = null)
        {
            Timeout = timeout;
            grace = abandonGrace ?? AbandonGrace;
            this.outer = outer;
            cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
            lastTouch = Stopwatch.GetTimestamp();
            if (timeout > TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan)
            {
                limitTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
                long periodMs = Math.Max(20, Math.Min(2000, (long)timeout.TotalMilliseconds / 8));
                timer = new Timer(Check, null, periodMs, periodMs);
            }
        }

        public TimeSpan Timeout { get; }

        /// <summary>Cancelled by the caller's token or by the watchdog.</summary>
        public CancellationToken Token => cts.Token;

        public bool IsStalled => stalled.Task.IsCompleted;

        /// <summary>A sign of life: data arrived, a request was answered, upload progressed.</summary>
        public void Touch() => Interlocked.Exchange(ref lastTouch, Stopwatch.GetTimestamp());

        /// <summary>
        /// Runs <paramref name="operation"/> with <see cref="Token"/>. Throws <see cref="InactivityTimeoutException"/> when the
        /// watchdog fired (the caller's own cancellation wins and surfaces as OperationCanceledException).
        /// </summary>
        public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation)
        {
            Touch();
            Task<T> task;
            try
            {
                task = operation(Token);
            }
            catch (OperationCanceledException) when (IsStalled && !outer.IsCancellationRequested)
            {
                throw new InactivityTimeoutException(Timeout);
            }

            var first = await Task.WhenAny(task, stalled.Task).ConfigureAwait(false);
            if (first != task)
            {
                // Give the cancelled operation a moment to end; abandon it otherwise (its outcome is observed, never thrown).
                await Task.WhenAny(task, Task.Delay(grace)).ConfigureAwait(false);
                _ = task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                outer.ThrowIfCancellationRequested();

                throw new InactivityTimeoutException(Timeout);
            }

            try
            {
                return await task.ConfigureAwait(false);
            }
            catch (Exception) when (IsStalled && !outer.IsCancellationRequested)
            {
                throw new InactivityTimeoutException(Timeout);
            }
        }

        /// <summary>Forces the stall now (tests, and callers that detect a stall themselves).</summary>
        public void Trip()
        {
            stalled.TrySetResult(true);
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            timer?.Dispose();
            cts.Dispose();
        }

        private void Check(object? state)
        {
            if (IsStalled)
            {
                return;
            }

            long idle = Stopwatch.GetTimestamp() - Interlocked.Read(ref lastTouch);
            if (idle > limitTicks)
            {
                Trip();
            }
        }
    }

    /// <summary>The start and the end of a byte stream, at most a set size in all; the middle is counted, not kept.</summary>
    internal sealed class BoundedCapture
    {
        private readonly int half;
        private readonly byte[] head;
        private int headCount;
        private readonly byte[] tail;
        private int tailStart;
        private int tailCount;
        private long total;

        public BoundedCapture(int maxBytes)
        {
            half = Math.Max(1, maxBytes / 2);
            head = new byte[half];
            tail = new byte[half];
        }

        public void Add(byte[] buffer, int offset, int count)
        {
            total += count;
            int toHead = Math.Min(count, half - headCount);
            if (toHead > 0)
            {
                Buffer.BlockCopy(buffer, offset, head, headCount, toHead);
                headCount += toHead;
                offset += toHead;
                count -= toHead;
            }

            if (count >= tail.Length)
            {
                Buffer.BlockCopy(buffer, offset + count - tail.Length, tail, 0, tail.Length);
                tailStart = 0;
                tailCount = tail.Length;
                return;
            }

            for (int i = 0; i < count; i++)
            {
                int at = (tailStart + tailCount) % tail.Length;
                tail[at] = buffer[offset + i];
                if (tailCount < tail.Length)
                {
                    tailCount++;
                }
                else
                {
                    tailStart = (tailStart + 1) % tail.Length;
                }
            }
        }

        public override string ToString()
        {
            var utf8 = new System.Text.UTF8Encoding(false, false);
            string start = utf8.GetString(head, 0, headCount);
            if (tailCount == 0)
            {
                return start;
            }

            var end = new byte[tailCount];
            for (int i = 0; i < tailCount; i++)
            {
                end[i] = tail[(tailStart + i) % tail.Length];
            }

            long omitted = total - headCount - tailCount;
            return start + (omitted > 0 ? $"\n… ({omitted} bytes omitted) …\n" : string.Empty) + utf8.GetString(end);
        }
    }
}
