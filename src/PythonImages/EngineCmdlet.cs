using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;
using PythonImages.Engine;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// Base of the cmdlets that talk to a Docker engine: the -DockerHost and -InactivityTimeout parameters, engine creation
    /// with clear errors, and a pump that runs async engine work while writing its queued events (progress, verbose, log
    /// lines) on the pipeline thread only. StopProcessing (Ctrl+C) cancels the work.
    /// </summary>
    public abstract class EngineCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>
        /// Engines by endpoint, shared by every invocation in the process: the API version is negotiated once and
        /// HTTP connections are reused (each engine is stateless apart from that). A failed connection is not cached.
        /// </summary>
        private static readonly ConcurrentDictionary<string, IDockerEngine> Engines = new ConcurrentDictionary<string, IDockerEngine>(StringComparer.Ordinal);

        /// <summary>
        /// Clients this invocation made for addresses of -Engine that <see cref="Engines"/> did not have: shared with the process
        /// once their route keeps them (<see cref="KeepEngine"/>), disposed when their route builds through another address
        /// of the same daemon (<see cref="ReleaseEngine"/>) or, left unshared, when the command ends. Pipeline thread only.
        /// </summary>
        private readonly Dictionary<string, IDockerEngine> ownClients = new Dictionary<string, IDockerEngine>(StringComparer.Ordinal);

        private readonly PipelineQueue queue = new PipelineQueue();
        private IDockerEngine? engine;
        private EngineInfo? info;
        private bool? verbose;

        /// <summary>The engine to use: unix:///var/run/docker.sock, npipe:////./pipe/docker_engine, tcp://host:2376.
        /// Default: DOCKER_HOST, then the current docker context, then the platform default.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DockerHost { get; set; }

        /// <summary>
        /// How long the engine may show no sign of life (no build output, no upload progress, no answer about a test
        /// container) before the operation is cancelled as stalled. Seconds (90) or a time span (00:45:00). Default 30 minutes,
        /// enough for the quiet phases of a PGO + LTO build.
        /// </summary>
        [Parameter]
        [TimeoutTransformation]
        public TimeSpan InactivityTimeout { get; set; } = TimeSpan.FromMinutes(30);

        /// <summary>The engine, connected (API version negotiated), with this invocation's inactivity timeout; a terminating error when there is none.</summary>
        protected internal IDockerEngine Engine
        {
            get
            {
                EnsureEngine();
                return engine!;
            }
        }

        /// <summary>The engine (connected on first use).</summary>
        protected EngineInfo EngineInfo
        {
            get
            {
                EnsureEngine();
                return info!;
            }
        }

        /// <summary>The engine failure ids of this cmdlet's area (ImageBuild.*, ImageTest.*).</summary>
        protected abstract EngineFailureIds EngineErrorIds { get; }

        /// <summary>
        /// Checks -DockerHost (syntax only: nothing is contacted) and -InactivityTimeout; a terminating error with a specific
        /// id when either is unusable. Call first in BeginProcessing.
        /// </summary>
        protected void ValidateEngineParameters()
        {
            queue.OnPipelineThread();
            if (InactivityTimeout <= TimeSpan.Zero || InactivityTimeout > EngineTimeouts.MaxInactivity)
            {
                ThrowTerminatingError(Errors.Create(
                    new ArgumentOutOfRangeException(nameof(InactivityTimeout), $"-InactivityTimeout {InactivityTimeout} is out of range: give a time between 1 second and {EngineTimeouts.MaxInactivity.TotalDays:0} days."),
                    EngineErrorIds.InvalidInactivityTimeout,
                    InactivityTimeout,
                    "Give seconds (-InactivityTimeout 90) or a time span (-InactivityTimeout 01:00:00); the default, 30 minutes, suits a PGO + LTO build."));
            }

            if (DockerHost != null)
            {
                try
                {
                    EndpointResolver.ValidateHost(DockerHost);
                }
                catch (EngineConfigurationException ex)
                {
                    ThrowTerminatingError(EngineErrorRecords.Configuration(ex, EngineErrorIds, DockerHost));
                }
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
                string key = endpoint.ClientKey;
                var shared = Engines.GetOrAdd(key, _ => EngineFactory.Create(endpoint));
                var connected = RunPumped(ct => shared.GetInfoAsync(ct));
                engine = shared.WithInactivityTimeout(InactivityTimeout);
                info = connected;
                WriteVerbose($"Docker engine {info.ServerVersion} ({info.OSType}/{info.Architecture}) at {info.Endpoint}, API {info.NegotiatedApiVersion} (server {info.ApiVersion}).");
            }
            catch (EngineUnavailableException ex)
            {
                ThrowTerminatingError(Errors.Create(ex, EngineErrorIds.EngineUnavailable, ex.Endpoint));
            }
            catch (EngineConfigurationException ex)
            {
                ThrowTerminatingError(EngineErrorRecords.Configuration(ex, EngineErrorIds, DockerHost));
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException) && !(ex is ActionPreferenceStopException) && !(ex is OperationCanceledException))
            {
                ThrowTerminatingError(EngineError(ex, DockerHost == null ? null : Redaction.Endpoint(DockerHost)));
            }
        }

        /// <summary>
        /// The client of the engine at <paramref name="endpoint"/> with this invocation's inactivity timeout; nothing is
        /// contacted (engines per platform connect lazily). The process's shared client when it has one (one per endpoint, like
        /// the default engine's); else a new one that this invocation alone holds until <see cref="KeepEngine"/> shares it.
        /// </summary>
        protected internal IDockerEngine MapEngine(EngineEndpoint endpoint)
        {
            string key = endpoint.ClientKey;
            if (!Engines.TryGetValue(key, out var client) && !ownClients.TryGetValue(key, out client))
            {
                client = EngineFactory.Create(endpoint);
                ownClients[key] = client;
            }

            return client.WithInactivityTimeout(InactivityTimeout);
        }

        /// <summary>
        /// Shares the client <see cref="MapEngine"/> made for <paramref name="endpoint"/> with the process (the next command
        /// reuses it). When another command shared one meanwhile, this one's stays its own and ends with it.
        /// </summary>
        protected internal void KeepEngine(EngineEndpoint endpoint)
        {
            string key = endpoint.ClientKey;
            if (ownClients.TryGetValue(key, out var own) && ReferenceEquals(Engines.GetOrAdd(key, own), own))
            {
                ownClients.Remove(key);
            }
        }

        /// <summary>
        /// Disposes the client <see cref="MapEngine"/> made for <paramref name="endpoint"/> (its connection closes): its route
        /// builds through the client of another address of the same daemon. A client the process shared before is left alone.
        /// </summary>
        protected internal void ReleaseEngine(EngineEndpoint endpoint)
        {
            string key = endpoint.ClientKey;
            if (ownClients.TryGetValue(key, out var own))
            {
                ownClients.Remove(key);
                own.Dispose();
            }
        }

        /// <summary>The addresses whose client the process shares now (their client keys): what a test looks at.</summary>
        internal static string[] SharedClientKeys() => Engines.Keys.ToArray();

        /// <summary>
        /// The record for an engine failure that is not a configuration problem: stalled (OperationTimeout), unavailable or
        /// lost (ConnectionError), or a request the engine refused or an unexpected failure (.EngineError).
        /// </summary>
        protected internal ErrorRecord EngineError(Exception ex, object? target, string? what = null) =>
            EngineErrorRecords.Failure(ex, EngineErrorIds, DockerHost, target, what);

        /// <summary>True when verbose records are shown or collected (-Verbose, or $VerbosePreference).</summary>
        protected bool VerboseWanted => verbose ??= PipelineQueue.VerboseWanted(this);

        /// <summary>Queues an action for the pipeline thread. Safe from any thread (engine callbacks).</summary>
        protected internal void Post(Action action) => queue.Post(action);

        /// <summary>
        /// Queues a log line's action for the pipeline thread with back-pressure: when many lines wait already, the
        /// calling (engine reading) thread waits for the pipeline to catch up, so memory stays bounded however fast the
        /// engine writes. Ends with OperationCanceledException when the pipeline stops.
        /// </summary>
        protected internal void PostLine(Action action) => queue.PostLine(action);

        /// <summary>Runs a stream write now on the pipeline thread, or queues it for the pipeline thread (log lines with back-pressure).</summary>
        internal void OnPipeline(Action action, bool logLine = false) => queue.Write(action, logLine);

        /// <summary>
        /// Runs <paramref name="operation"/> on the thread pool and, until it ends, executes queued actions on this
        /// (the pipeline) thread. Cancellation by StopProcessing surfaces as PipelineStoppedException; the operation is
        /// always awaited to its end, so no request is left running behind the user's back.
        /// </summary>
        protected internal T RunPumped<T>(Func<CancellationToken, Task<T>> operation) => queue.Run(operation);

        /// <inheritdoc/>
        protected override void StopProcessing() => queue.Cancel();

        /// <summary>Cancelled when the pipeline is stopped.</summary>
        protected CancellationToken StopToken => queue.Token;

        /// <inheritdoc/>
        public void Dispose()
        {
            // The engine is shared (see Engines); it lives as long as the process. Clients of -Engine this invocation made and
            // did not share (refused engines, or shared by another command meanwhile) end with it.
            foreach (var own in ownClients.Values)
            {
                own.Dispose();
            }

            ownClients.Clear();
            queue.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
