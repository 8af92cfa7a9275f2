using System;
using System.Management.Automation;
using PythonImages.Builds;
using PythonImages.Engine;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>The ErrorRecords of engine failures, per area (ImageBuild.*, ImageTest.*); endpoints always with userinfo masked.</summary>
    internal static class EngineErrorRecords
    {
        /// <summary>The record for an endpoint, docker-context or TLS configuration that cannot be used.</summary>
        public static ErrorRecord Configuration(EngineConfigurationException ex, EngineFailureIds ids, string? dockerHost)
        {
            object? target = dockerHost == null ? null : Redaction.Endpoint(dockerHost);
            switch (ex.Kind)
            {
                case EngineConfigurationKind.Endpoint:
                    return Errors.Create(ex, ids.InvalidDockerHost, target);
                case EngineConfigurationKind.Tls:
                    return Errors.Create(ex, ids.TlsConfiguration, target);
                default:
                    return Errors.Create(ex, ids.EngineConfiguration, target);
            }
        }

        /// <summary>
        /// The record for an engine failure that is not a configuration problem: stalled (OperationTimeout), unavailable or
        /// lost (ConnectionError), or a request the engine refused or an unexpected failure (.EngineError).
        /// </summary>
        public static ErrorRecord Failure(Exception ex, EngineFailureIds ids, string? dockerHost, object? target, string? what)
        {
            switch (ex)
            {
                case EngineStalledException stalled:
                    return Errors.Create(stalled, ids.Stalled, target,
                        $"If the work is legitimately quiet for longer, raise -InactivityTimeout (now {EngineStalledException.Describe(stalled.Timeout)}); otherwise check the engine ('docker info') and what it was waiting for.");
                case EngineUnavailableException unavailable:
                    return Errors.Create(unavailable, ids.EngineUnavailable, target ?? unavailable.Endpoint);
                case EngineConfigurationException configuration:
                    return Configuration(configuration, ids, dockerHost);
                case EngineRequestException request:
                    // The engine's known messages (no interpreter in the image, another CPU, ...) said in words first.
                    string? words = PythonImages.ImageTests.EngineMessages.Explain(request.Message);
                    return Errors.Create(request, ids.EngineError, target,
                        "Read the engine's message above; check the engine ('docker info', its log) and try again.",
                        message: words == null ? null : char.ToUpperInvariant(words[0]) + words.Substring(1) + ". " + request.Message);
                default:
                    string message = Redaction.UrlUserInfo((what != null ? what + ": " : string.Empty) + ex.Message);
                    return Errors.Create(new InvalidOperationException(message, ex), ids.EngineError, target,
                        "Check the engine ('docker info') and try again; if it keeps failing, report this message.");
            }
        }
    }
}
