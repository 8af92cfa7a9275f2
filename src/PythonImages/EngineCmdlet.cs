using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Engine;

namespace PythonImages.Commands
{
    /// <summary>
    /// Base of the cmdlets that talk to a Docker engine: the -DockerHost parameter, engine creation with clear errors,
    /// and a pump that runs async engine work while writing its queued events (progress, verbose, log lines) on the
    /// pipeline thread only. StopProcessing (Ctrl+C) cancels the work.
    /// </summary>
    public abstract class EngineCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>
        /// Engines by endpoint, shared by every invocation in the process: the API version is negotiated once and
        /// HTTP connections are reused (each engine is stateless apart from that). A failed connection is not cached.
        /// </summary>
        private static readonly ConcurrentDictionary<string, IDockerEngine> Engines = new ConcurrentDictionary<string, IDockerEngine>(StringComparer.Ordinal);

        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly BlockingCollection<Action> pending = new BlockingCollection<Action>();
        private IDockerEngine? engine;
        private EngineInfo? info;

        /// <summary>The engine to use: unix:///var/run/docker.sock, npipe:////./pipe/docker_engine, tcp://host:2376.
        /// Default: DOCKER_HOST, then the current docker context, then the platform default.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DockerHost { get; set; }

        /// <summary>Cancelled when the pipeline is stopped.</summary>
        protected CancellationToken StopToken => stop.Token;

        /// <summary>The engine, connected (API version negotiated); a terminating error when there is none.</summary>
        protected IDockerEngine Engine
        {
            get
            {
                EnsureEngine();
                return engine!;
            }
        }

        protected EngineInfo EngineInfo
        {
            get
            {
                EnsureEngine();
                return info!;
            }
        }

        private void EnsureEngine()
        {
            if (info != null)
            {
                return;
            }

            try
            {
                var endpoint = EndpointResolver.Resolve(DockerHost);
                string key = endpoint.ToString() + "|" + endpoint.CertPath;
                engine = Engines.GetOrAdd(key, _ => EngineFactory.Create(endpoint));
                var created = engine;
                info = RunPumped(ct => created.GetInfoAsync(ct));
                WriteVerbose($"Docker engine {info.ServerVersion} ({info.OSType}/{info.Architecture}) at {info.Endpoint}, API {info.NegotiatedApiVersion} (server {info.ApiVersion}).");
            }
            catch (EngineUnavailableException ex)
            {
                ThrowTerminatingError(Errors.Create(ex, ErrorIdPrefix + ".EngineUnavailable", ErrorCategory.ConnectionError, ex.Endpoint, EndpointHelp.HowToPoint));
            }
            catch (EngineConfigurationException ex)
            {
                ThrowTerminatingError(Errors.Create(ex, ErrorIdPrefix + ".EngineConfiguration", ErrorCategory.InvalidArgument, DockerHost, EndpointHelp.HowToPoint));
            }
        }

        /// <summary>The area used in this cmdlet's error ids ("ImageBuild").</summary>
        protected abstract string ErrorIdPrefix { get; }

        /// <summary>Queues an action for the pipeline thread. Safe from any thread (engine callbacks).</summary>
        protected void Post(Action action)
        {
            if (!pending.IsAddingCompleted)
            {
                try
                {
                    pending.Add(action);
                }
                catch (InvalidOperationException)
                {
                    // completed concurrently: the cmdlet is ending
                }
            }
        }

        /// <summary>
        /// Runs <paramref name="operation"/> on the thread pool and, until it ends, executes queued actions on this
        /// (the pipeline) thread. Cancellation by StopProcessing surfaces as PipelineStoppedException; the operation is
        /// always awaited to its end, so no request is left running behind the user's back.
        /// </summary>
        protected T RunPumped<T>(Func<CancellationToken, Task<T>> operation)
        {
            var task = Task.Run(() => operation(stop.Token));
            task.ContinueWith(_ => Post(() => { }), TaskScheduler.Default);
            Exception? writeFailure = null;
            while (!task.IsCompleted || pending.Count > 0)
            {
                if (pending.TryTake(out var action, 100))
                {
                    if (writeFailure != null)
                    {
                        continue; // stopping: drop the rest, but keep waiting for the operation
                    }

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
                // Observe the operation's own failure (cancellation) and rethrow what stopped the pipeline.
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

        protected override void StopProcessing() => stop.Cancel();

        public void Dispose()
        {
            // The engine is shared (see Engines); it lives as long as the process.
            stop.Dispose();
            pending.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
