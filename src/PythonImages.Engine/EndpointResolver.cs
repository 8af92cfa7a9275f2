using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PythonImages.Engine
{
    /// <summary>Where an engine endpoint came from, in the docker CLI's order of precedence.</summary>
    public enum EndpointSource
    {
        Parameter,
        DockerHostVariable,
        Context,
        PlatformDefault,
    }

    /// <summary>A resolved engine endpoint and its transport security.</summary>
    public sealed class EngineEndpoint
    {
        /// <summary>The endpoint as the user wrote it (unix:///..., npipe:////./pipe/..., tcp://host:port).</summary>
        public string Host { get; set; } = string.Empty;

        public EndpointSource Source { get; set; }

        /// <summary>The docker context the endpoint came from, when it came from one.</summary>
        public string? ContextName { get; set; }

        /// <summary>Talk TLS (https) to a tcp endpoint.</summary>
        public bool UseTls { get; set; }

        /// <summary>Verify the server certificate against ca.pem (DOCKER_TLS_VERIFY; a context's SkipTLSVerify=false).</summary>
        public bool VerifyServer { get; set; }

        /// <summary>Directory holding ca.pem, cert.pem and key.pem, when TLS is in use.</summary>
        public string? CertPath { get; set; }

        /// <summary>The URI given to the HTTP layer: tcp → http/https with the docker default port filled in.</summary>
        public Uri Uri
        {
            get
            {
                var uri = new Uri(Host);
                if (uri.Scheme == "tcp")
                {
                    var b = new UriBuilder(uri) { Scheme = UseTls ? "https" : "http" };
                    if (uri.IsDefaultPort || uri.Port <= 0)
                    {
                        b.Port = UseTls ? 2376 : 2375;
                    }

                    return b.Uri;
                }

                return uri;
            }
        }

        public override string ToString() => Host + (UseTls ? (VerifyServer ? " (TLS, verified)" : " (TLS)") : string.Empty);
    }

    /// <summary>The environment the resolver reads; replaceable in tests.</summary>
    public interface IEndpointEnvironment
    {
        string? GetVariable(string name);

        string HomeDirectory { get; }

        bool IsWindows { get; }
    }

    internal sealed class ProcessEndpointEnvironment : IEndpointEnvironment
    {
        public static readonly ProcessEndpointEnvironment Instance = new ProcessEndpointEnvironment();

        public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);

        public string HomeDirectory => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } h
            ? h
            : Environment.GetEnvironmentVariable("HOME") ?? ".";

        public bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
    }

    /// <summary>Thrown for an endpoint or docker configuration that cannot be used (bad DOCKER_HOST, unknown context).</summary>
    public sealed class EngineConfigurationException : Exception
    {
        public EngineConfigurationException(string message, Exception? inner = null)
            : base(message, inner)
        {
        }
    }

    /// <summary>
    /// Resolves the engine endpoint the way the docker CLI does: an explicit host, then DOCKER_HOST, then the
    /// current docker context (DOCKER_CONTEXT, else currentContext in config.json), then the platform default.
    /// TLS comes from DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH, or from the context's TLS material.
    /// </summary>
    public static class EndpointResolver
    {
        public const string LinuxDefault = "unix:///var/run/docker.sock";
        public const string WindowsDefault = "npipe:////./pipe/docker_engine";

        public static EngineEndpoint Resolve(string? dockerHost = null, IEndpointEnvironment? environment = null)
        {
            var env = environment ?? ProcessEndpointEnvironment.Instance;
            string configDir = ConfigDirectory(env);

            if (!string.IsNullOrWhiteSpace(dockerHost))
            {
                return WithEnvironmentTls(Validate(dockerHost!.Trim(), "-DockerHost"), EndpointSource.Parameter, env, configDir);
            }

            string? fromEnv = env.GetVariable("DOCKER_HOST");
            if (!string.IsNullOrWhiteSpace(fromEnv))
            {
                return WithEnvironmentTls(Validate(fromEnv!.Trim(), "DOCKER_HOST"), EndpointSource.DockerHostVariable, env, configDir);
            }

            string? context = env.GetVariable("DOCKER_CONTEXT");
            if (string.IsNullOrWhiteSpace(context))
            {
                context = CurrentContextFromConfig(configDir);
            }

            if (!string.IsNullOrWhiteSpace(context) && context != "default")
            {
                return FromContext(context!.Trim(), configDir);
            }

            return WithEnvironmentTls(env.IsWindows ? WindowsDefault : LinuxDefault, EndpointSource.PlatformDefault, env, configDir);
        }

        /// <summary>DOCKER_CONFIG, else ~/.docker.</summary>
        public static string ConfigDirectory(IEndpointEnvironment env) =>
            env.GetVariable("DOCKER_CONFIG") is { Length: > 0 } dir ? dir : Path.Combine(env.HomeDirectory, ".docker");

        /// <summary>The directory name docker uses for a context: the hex SHA-256 of its name.</summary>
        public static string ContextDirectoryName(string contextName)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(contextName));
            var sb = new StringBuilder(hash.Length * 2);
            foreach (var b in hash)
            {
                sb.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }

        private static string Validate(string host, string origin)
        {
            if (!Uri.TryCreate(host, UriKind.Absolute, out var uri))
            {
                throw new EngineConfigurationException($"{origin} '{host}' is not an engine address; use unix:///path/to/docker.sock, npipe:////./pipe/docker_engine or tcp://host:port.");
            }

            switch (uri.Scheme)
            {
                case "unix":
                case "npipe":
                case "tcp":
                case "http":
                case "https":
                    return host;
                case "ssh":
                    throw new EngineConfigurationException($"{origin} '{host}': ssh:// endpoints are not supported; forward the engine socket (ssh -L) and use its unix:// or tcp:// address.");
                default:
                    throw new EngineConfigurationException($"{origin} '{host}': the scheme '{uri.Scheme}' is not supported; use unix://, npipe:// or tcp://.");
            }
        }

        private static EngineEndpoint WithEnvironmentTls(string host, EndpointSource source, IEndpointEnvironment env, string configDir)
        {
            var endpoint = new EngineEndpoint { Host = host, Source = source };
            bool verify = !string.IsNullOrEmpty(env.GetVariable("DOCKER_TLS_VERIFY"));
            bool tls = verify || !string.IsNullOrEmpty(env.GetVariable("DOCKER_TLS")) || host.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            bool network = host.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase) || host.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            if (tls && network)
            {
                endpoint.UseTls = true;
                endpoint.VerifyServer = verify;
                endpoint.CertPath = env.GetVariable("DOCKER_CERT_PATH") is { Length: > 0 } p ? p : configDir;
            }

            return endpoint;
        }

        private static string? CurrentContextFromConfig(string configDir)
        {
            string file = Path.Combine(configDir, "config.json");
            if (!File.Exists(file))
            {
                return null;
            }

            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file));
                return doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("currentContext", out var cc)
                    && cc.ValueKind == JsonValueKind.String
                    ? cc.GetString()
                    : null;
            }
            catch (JsonException ex)
            {
                throw new EngineConfigurationException($"The docker configuration file {file} is not valid JSON: {ex.Message}", ex);
            }
        }

        private static EngineEndpoint FromContext(string name, string configDir)
        {
            string id = ContextDirectoryName(name);
            string meta = Path.Combine(configDir, "contexts", "meta", id, "meta.json");
            if (!File.Exists(meta))
            {
                throw new EngineConfigurationException($"The docker context '{name}' does not exist (no {meta}); run 'docker context ls', or set -DockerHost / DOCKER_HOST.");
            }

            string? host = null;
            bool skipVerify = false;
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(meta));
                if (doc.RootElement.TryGetProperty("Endpoints", out var eps)
                    && eps.ValueKind == JsonValueKind.Object
                    && eps.TryGetProperty("docker", out var docker)
                    && docker.ValueKind == JsonValueKind.Object)
                {
                    if (docker.TryGetProperty("Host", out var h) && h.ValueKind == JsonValueKind.String)
                    {
                        host = h.GetString();
                    }

                    if (docker.TryGetProperty("SkipTLSVerify", out var s) && (s.ValueKind == JsonValueKind.True || s.ValueKind == JsonValueKind.False))
                    {
                        skipVerify = s.GetBoolean();
                    }
                }
            }
            catch (JsonException ex)
            {
                throw new EngineConfigurationException($"The metadata of docker context '{name}' ({meta}) is not valid JSON: {ex.Message}", ex);
            }

            if (string.IsNullOrWhiteSpace(host))
            {
                throw new EngineConfigurationException($"The docker context '{name}' has no docker endpoint host ({meta}).");
            }

            var endpoint = new EngineEndpoint { Host = Validate(host!, $"Docker context '{name}'"), Source = EndpointSource.Context, ContextName = name };
            string tlsDir = Path.Combine(configDir, "contexts", "tls", id, "docker");
            bool hasTlsMaterial = File.Exists(Path.Combine(tlsDir, "ca.pem")) || File.Exists(Path.Combine(tlsDir, "cert.pem"));
            bool network = endpoint.Host.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase) || endpoint.Host.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            if (network && (hasTlsMaterial || endpoint.Host.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            {
                endpoint.UseTls = true;
                endpoint.VerifyServer = !skipVerify;
                endpoint.CertPath = tlsDir;
            }

            return endpoint;
        }
    }

    /// <summary>Helper for tests and callers that want to describe the resolution order.</summary>
    public static class EndpointHelp
    {
        public const string HowToPoint =
            "Point the module at an engine with -DockerHost (e.g. unix:///var/run/docker.sock, npipe:////./pipe/docker_engine, tcp://host:2376), " +
            "or set DOCKER_HOST (with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH for TLS), or select a docker context ('docker context use NAME' or DOCKER_CONTEXT); " +
            "and make sure the daemon is running.";

        public static IReadOnlyList<string> Order { get; } = new[] { "-DockerHost", "DOCKER_HOST", "docker context", "platform default" };
    }
}
