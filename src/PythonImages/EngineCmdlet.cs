using System;
using System.Collections.Concurrent;
using System.Globalization;
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

        /// <summary>How many posted log lines may wait for the pipeline thread before the engine's reader waits too.</summary>
        private const int MaxQueuedLines = 4096;

        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly BlockingCollection<Action> pending = new BlockingCollection<Action>();
        private readonly SemaphoreSlim lineSlots = new SemaphoreSlim(MaxQueuedLines, MaxQueuedLines);
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

        /// <summary>Cancelled when the pipeline is stopped.</summary>
        protected CancellationToken StopToken => stop.Token;

        /// <summary>The engine, connected (API version negotiated), with this invocation's inactivity timeout; a terminating error when there is none.</summary>
        protected IDockerEngine Engine
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

        /// <summary>The area used in this cmdlet's error ids ("ImageBuild").</summary>
        /// <summary>The engine failure ids of this cmdlet's area (ImageBuild.*, ImageTest.*).</summary>
        protected abstract EngineFailureIds EngineErrorIds { get; }

        /// <summary>
        /// Checks -DockerHost (syntax only: nothing is contacted) and -InactivityTimeout; a terminating error with a specific
        /// id when either is unusable. Call first in BeginProcessing.
        /// </summary>
        protected void ValidateEngineParameters()
        {
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
                    ThrowTerminatingError(ConfigurationError(ex));
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
                string key = endpoint.ToString() + "|" + endpoint.CertPath;
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
                ThrowTerminatingError(ConfigurationError(ex));
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException) && !(ex is ActionPreferenceStopException) && !(ex is OperationCanceledException))
            {
                ThrowTerminatingError(EngineError(ex, DockerHost == null ? null : Redaction.Endpoint(DockerHost)));
            }
        }

        /// <summary>The record for an endpoint, docker-context or TLS configuration that cannot be used (userinfo masked).</summary>
        private ErrorRecord ConfigurationError(EngineConfigurationException ex)
        {
            switch (ex.Kind)
            {
                case EngineConfigurationKind.Endpoint:
                    return Errors.Create(ex, EngineErrorIds.InvalidDockerHost, DockerHost == null ? null : Redaction.Endpoint(DockerHost));
                case EngineConfigurationKind.Tls:
                    return Errors.Create(ex, EngineErrorIds.TlsConfiguration, DockerHost == null ? null : Redaction.Endpoint(DockerHost));
                default:
                    return Errors.Create(ex, EngineErrorIds.EngineConfiguration, DockerHost == null ? null : Redaction.Endpoint(DockerHost));
            }
        }

        /// <summary>
        /// The record for an engine failure that is not a configuration problem: stalled (OperationTimeout), unavailable or
        /// lost (ConnectionError), or a request the engine refused or an unexpected failure (.EngineError).
        /// </summary>
        protected ErrorRecord EngineError(Exception ex, object? target, string? what = null)
        {
            switch (ex)
            {
                case EngineStalledException stalled:
                    return Errors.Create(stalled, EngineErrorIds.Stalled, target,
                        $"If the work is legitimately quiet for longer, raise -InactivityTimeout (now {EngineStalledException.Describe(stalled.Timeout)}); otherwise check the engine ('docker info') and what it was waiting for.");
                case EngineUnavailableException unavailable:
                    return Errors.Create(unavailable, EngineErrorIds.EngineUnavailable, target ?? unavailable.Endpoint);
                case EngineConfigurationException configuration:
                    return ConfigurationError(configuration);
                case EngineRequestException request:
                    string? words = PythonImages.ImageTests.EngineMessages.Explain(request.Message);
                    return Errors.Create(request, EngineErrorIds.EngineError, target,
                        "Read the engine's message above; check the engine ('docker info', its log) and try again.",
                        message: words == null ? null : char.ToUpperInvariant(words[0]) + words.Substring(1) + ". " + request.Message);
                default:
                    string message = Redaction.UrlUserInfo((what != null ? what + ": " : string.Empty) + ex.Message);
                    return Errors.Create(new InvalidOperationException(message, ex), EngineErrorIds.EngineError, target,
                        "Check the engine ('docker info') and try again; if it keeps failing, report this message.");
            }
        }

        /// <summary>True when verbose records are shown or collected (-Verbose, or $VerbosePreference).</summary>
        protected bool VerboseWanted
        {
            get
            {
                if (verbose == null)
                {
                    if (MyInvocation.BoundParameters.TryGetValue("Verbose", out var v))
                    {
                        verbose = v is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(v);
                    }
                    else
                    {
                        var preference = SessionState.PSVariable.GetValue("VerbosePreference");
                        verbose = preference is ActionPreference p
                            ? p != ActionPreference.SilentlyContinue && p != ActionPreference.Ignore
                            : preference != null && !string.Equals(preference.ToString(), "SilentlyContinue", StringComparison.OrdinalIgnoreCase);
                    }
                }

                return verbose.Value;
            }
        }

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
        /// Queues a log line's action for the pipeline thread with back-pressure: when many lines wait already, the
        /// calling (engine reading) thread waits for the pipeline to catch up, so memory stays bounded however fast the
        /// engine writes. Ends with OperationCanceledException when the pipeline stops.
        /// </summary>
        protected void PostLine(Action action)
        {
            lineSlots.Wait(stop.Token);
            Post(() =>
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

        /// <inheritdoc/>
        protected override void StopProcessing() => stop.Cancel();

        /// <inheritdoc/>
        public void Dispose()
        {
            // The engine is shared (see Engines); it lives as long as the process.
            stop.Dispose();
            pending.Dispose();
            lineSlots.Dispose();
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>
    /// Binds a timeout given as seconds (90, 1.5, '90') or as a time span ('00:45:00', [TimeSpan]) to a TimeSpan parameter.
    /// PowerShell alone would read a bare number as ticks.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class TimeoutTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc/>
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object? value = inputData is PSObject p ? p.BaseObject : inputData;
            switch (value)
            {
                case null:
                    return inputData;
                case TimeSpan span:
                    return span;
                case string text:
                    string t = text.Trim();
                    if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed))
                    {
                        return Seconds(parsed, text);
                    }

                    if (TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var fromText))
                    {
                        return fromText;
                    }

                    throw new ArgumentTransformationMetadataException($"'{InputGrammar.Show(text)}' is not a timeout: give seconds (90) or a time span (00:45:00).");
                case byte _:
                case sbyte _:
                case short _:
                case ushort _:
                case int _:
                case uint _:
                case long _:
                case ulong _:
                case float _:
                case double _:
                case decimal _:
                    return Seconds(Convert.ToDouble(value, CultureInfo.InvariantCulture), value);
                default:
                    return inputData;
            }
        }

        private static TimeSpan Seconds(double seconds, object original)
        {
            if (double.IsNaN(seconds) || double.IsInfinity(seconds))
            {
                throw new ArgumentTransformationMetadataException($"'{original}' is not a timeout: give seconds (90) or a time span (00:45:00).");
            }

            // Out-of-range values are kept out of range (and reported by the cmdlet), not wrapped or thrown here.
            if (seconds >= TimeSpan.MaxValue.TotalSeconds)
            {
                return TimeSpan.MaxValue;
            }

            if (seconds <= TimeSpan.MinValue.TotalSeconds)
            {
                return TimeSpan.MinValue;
            }

            return TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
        }
    }
}
