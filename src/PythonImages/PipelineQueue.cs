using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Commands
{
    /// <summary>
    /// The stream writes of an engine cmdlet: run at once on the pipeline thread, queued from any other thread (log lines with
    /// back-pressure) and executed by <see cref="Run{T}"/> while async engine work goes on.
    /// </summary>
    internal sealed class PipelineQueue : IDisposable
    {
        /// <summary>How many posted log lines may wait for the pipeline thread before the engine's reader waits too.</summary>
        private const int MaxQueuedLines = 4096;

        private readonly EventPump pump = new EventPump();
        private readonly SemaphoreSlim lineSlots = new SemaphoreSlim(MaxQueuedLines, MaxQueuedLines);
        private int pipelineThread = -1;

        /// <summary>Remembers the calling thread as the pipeline thread.</summary>
        public void OnPipelineThread() => pipelineThread = Environment.CurrentManagedThreadId;

        /// <summary>Queues an action for the pipeline thread. Safe from any thread.</summary>
        public void Post(Action action) => pump.Post(action);

        /// <summary>
        /// Queues a log line's action with back-pressure: when many lines wait already, the calling (engine reading) thread
        /// waits for the pipeline to catch up. Ends with OperationCanceledException when the pipeline stops.
        /// </summary>
        public void PostLine(Action action)
        {
            lineSlots.Wait(pump.Token);
            pump.Post(() =>
            {
                try
                {
                    action();
                }
                finally
                {
                    lineSlots.Release();
                }
            });
        }

        /// <summary>Runs a stream write now on the pipeline thread, or queues it for the pipeline thread.</summary>
        public void Write(Action action, bool logLine)
        {
            if (Environment.CurrentManagedThreadId == pipelineThread)
            {
                action();
            }
            else if (logLine)
            {
                PostLine(action);
            }
            else
            {
                Post(action);
            }
        }

        /// <summary>Runs <paramref name="operation"/> on the thread pool, executing queued writes until it ends.</summary>
        public T Run<T>(Func<CancellationToken, Task<T>> operation) => pump.Run(operation);

        /// <summary>Cancelled when the pipeline is stopped.</summary>
        public CancellationToken Token => pump.Token;

        /// <summary>Cancels the running operation (StopProcessing).</summary>
        public void Cancel() => pump.Cancel();

        /// <summary>True when verbose records are shown or collected (-Verbose, or $VerbosePreference).</summary>
        public static bool VerboseWanted(PSCmdlet cmdlet)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue("Verbose", out var v))
            {
                return v is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(v);
            }

            var preference = cmdlet.SessionState.PSVariable.GetValue("VerbosePreference");
            return preference is ActionPreference p
                ? p != ActionPreference.SilentlyContinue && p != ActionPreference.Ignore
                : preference != null && !string.Equals(preference.ToString(), "SilentlyContinue", StringComparison.OrdinalIgnoreCase);
        }

        public void Dispose()
        {
            pump.Dispose();
            lineSlots.Dispose();
        }
    }
}
