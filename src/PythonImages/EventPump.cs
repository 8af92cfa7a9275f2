using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Commands
{
    /// <summary>
    /// Runs async library work on the thread pool while executing the actions it posts (progress, warnings, verbose
    /// lines) on the pipeline thread, the only thread allowed to write to PowerShell's streams.
    /// </summary>
    internal sealed class EventPump : IDisposable
    {
        private readonly BlockingCollection<Action> pending = new BlockingCollection<Action>();
        private readonly CancellationTokenSource stop = new CancellationTokenSource();

        public CancellationToken Token => stop.Token;

        /// <summary>Queues an action for the pipeline thread; safe from any thread.</summary>
        public void Post(Action action)
        {
            try
            {
                if (!pending.IsAddingCompleted)
                {
                    pending.Add(action);
                }
            }
            catch (InvalidOperationException)
            {
                // completed concurrently: the cmdlet is ending
            }
        }

        public void Cancel() => stop.Cancel();

        /// <summary>Runs <paramref name="operation"/>, pumping posted actions until it ends; Ctrl+C becomes PipelineStoppedException.</summary>
        public T Run<T>(Func<CancellationToken, Task<T>> operation)
        {
            var task = Task.Run(() => operation(stop.Token));
            task.ContinueWith(_ => Post(() => { }), TaskScheduler.Default);
            Exception? writeFailure = null;
            while (!task.IsCompleted || pending.Count > 0)
            {
                if (pending.TryTake(out var action, 100) && writeFailure == null)
                {
                    try
                    {
                        action();
                    }
                    catch (Exception ex) when (ex is PipelineStoppedException || ex is ActionPreferenceStopException)
                    {
                        writeFailure = ex;
                        stop.Cancel();
                    }
                }
            }

            if (writeFailure != null)
            {
                _ = task.Exception;
                throw writeFailure;
            }

            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        public void Dispose()
        {
            stop.Dispose();
            pending.Dispose();
        }
    }
}
