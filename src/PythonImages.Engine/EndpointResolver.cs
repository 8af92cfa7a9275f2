using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PythonImages.Security;

namespace PythonImages.Engine
{
    /// <summary>Where an engine endpoint came from, in the docker CLI's order of precedence.</summary>
    public enum EndpointSource
    {
        /// <summary>-DockerHost.</summary>
        Parameter,
        /// <summary>The DOCKER_HOST variable.</summary>
        DockerHostVariable,
        /// <summary>A docker context (DOCKER_CONTEXT or the current context).</summary>
        Context,
        /// <summary>The platform's default socket or pipe.</summary>
        PlatformDefault,

        /// <summary>An engine of Invoke-PythonImageBuild -Engine given by its address.</summary>
        EngineMap,
    }

    /// <summary>A resolved engine endpoint and its transport security.</summary>
    public sealed class EngineEndpoint
    {
        private EndpointAddress? address;
        private string host = string.Empty;

        /// <summary>
        /// The endpoint as messages show it (unix:///..., npipe:////./pipe/..., tcp://host:port): userinfo is masked
        /// (tcp://***@host), so this text can go into any message, error or result.
        /// </summary>
        public string Host
        {
            get => host;
            set
            {
                host = Redaction.Endpoint(value);
                address = null;
            }
        }

        /// <summary>The parsed address (set by the resolver; parsed from <see cref="Host"/> otherwise).</summary>
        public EndpointAddress Address
        {
            get => address ??= EndpointAddress.Parse(host, "The engine address", isWindows: true);
            set
            {
                address = value;
                host = value.Display;
            }
        }

        /// <summary>Where the endpoint came from.</summary>
        public EndpointSource Source { get; set; }

        /// <summary>The docker context the endpoint came from, when it came from one.</summary>
        public string? ContextName { get; set; }

        /// <summary>Talk TLS (https) to a tcp endpoint.</summary>
        public bool UseTls { get; set; }

        /// <summary>Verify the server certificate against ca.pem (DOCKER_TLS_VERIFY; a context's SkipTLSVerify=false).</summary>
        public bool VerifyServer { get; set; }

        /// <summary>Directory holding ca.pem, cert.pem and key.pem, when TLS is in use.</summary>
        public string? CertPath { get; set; }

        /// <summary>True when the certificate folder was named explicitly (DOCKER_CERT_PATH), so that a missing folder is an error.</summary>
        public bool CertPathExplicit { get; set; }

        /// <summary>The URI given to the HTTP layer, without userinfo: tcp → http/https with the docker default port filled in.</summary>
        public Uri Uri => Address.ToUri(UseTls);

        /// <summary>Where the endpoint came from, in words (-DockerHost, DOCKER_HOST, docker context 'x', the platform default).</summary>
        public string Origin => Source switch
        {
            EndpointSource.Parameter => "-DockerHost",
            EndpointSource.DockerHostVariable => "DOCKER_HOST",
            EndpointSource.Context => "docker context '" + ContextName + "'",
            EndpointSource.EngineMap => "-Engine",
            _ => "the platform default",
        };

        /// <inheritdoc/>
        public override string ToString() => Host + (UseTls ? (VerifyServer ? " (TLS, verified)" : " (TLS)") : string.Empty);

        /// <summary>What tells two endpoints' clients apart (address, TLS and certificate folder): one client per key.</summary>
        public string ClientKey => ToString() + "|" + CertPath;
    }

    /// <summary>The environment the resolver reads; replaceable in tests.</summary>
    public interface IEndpointEnvironment
    {
        /// <summary>The value of an environment variable, or null.</summary>
        string? GetVariable(string name);

        /// <summary>The user's home directory (for ~/.docker).</summary>
        string HomeDirectory { get; }

        /// <summary>Whether the platform is Windows.</summary>
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

    /// <summary>What kind of configuration an <see cref="EngineConfigurationException"/> is about.</summary>
    public enum EngineConfigurationKind
    {
        /// <summary>An engine address (-DockerHost, DOCKER_HOST, a context's host) that is malformed or unsupported.</summary>
        Endpoint,

        /// <summary>The docker CLI configuration: config.json, a context that does not exist or is broken.</summary>
        Context,

        /// <summary>TLS material: DOCKER_CERT_PATH, ca.pem, cert.pem, key.pem.</summary>
        Tls,
    }

    /// <summary>Thrown for an endpoint or docker configuration that cannot be used (bad DOCKER_HOST, unknown context, TLS files).
    /// The message never holds userinfo.</summary>
    public sealed class EngineConfigurationException : Exception
    {
        /// <summary>An endpoint configuration that cannot be used.</summary>
        public EngineConfigurationException(string message, Exception? inner = null)
            : this(EngineConfigurationKind.Context, message, inner)
        {
        }

        /// <summary>A configuration problem of kind <paramref name="kind"/>.</summary>
        public EngineConfigurationException(EngineConfigurationKind kind, string message, Exception? inner = null)
            : base(message, inner)
        {
            Kind = kind;
        }

        /// <summary>Endpoint, context or TLS.</summary>
        public EngineConfigurationKind Kind { get; }
    }

    /// <summary>
    /// Resolves the engine endpoint the way the docker CLI does: an explicit host, then DOCKER_HOST, then the
    /// current docker context (DOCKER_CONTEXT, else currentContext in config.json), then the platform default.
    /// TLS comes from DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH, or from the context's TLS material.
    /// </summary>
    public static class EndpointResolver
    {
        /// <summary>The default endpoint on Linux and macOS.</summary>
        public const string LinuxDefault = "unix:///var/run/docker.sock";
        /// <summary>The default endpoint on Windows.</summary>
        public const string WindowsDefault = "npipe:////./pipe/docker_engine";

        /// <summary>The endpoint as the docker CLI would choose it: -DockerHost, DOCKER_HOST, the docker context, the platform default.</summary>
        public static EngineEndpoint Resolve(string? dockerHost = null, IEndpointEnvironment? environment = null)
        {
            var env = environment ?? ProcessEndpointEnvironment.Instance;
            string configDir = ConfigDirectory(env);

            if (!string.IsNullOrWhiteSpace(dockerHost))
            {
                return WithEnvironmentTls(EndpointAddress.Parse(dockerHost, "-DockerHost", env.IsWindows), EndpointSource.Parameter, env, configDir);
            }

            string? fromEnv = env.GetVariable("DOCKER_HOST");
            if (!string.IsNullOrWhiteSpace(fromEnv))
            {
                return WithEnvironmentTls(EndpointAddress.Parse(fromEnv, "DOCKER_HOST", env.IsWindows), EndpointSource.DockerHostVariable, env, configDir);
            }

            string? context = env.GetVariable("DOCKER_CONTEXT");
            if (string.IsNullOrWhiteSpace(context))
            {
                context = CurrentContextFromConfig(configDir);
            }

            if (!string.IsNullOrWhiteSpace(context) && context != "default")
            {
                return FromContext(context!.Trim(), configDir, env.IsWindows);
            }

            return WithEnvironmentTls(EndpointAddress.Parse(env.IsWindows ? WindowsDefault : LinuxDefault, "The platform default", env.IsWindows), EndpointSource.PlatformDefault, env, configDir);
        }

        /// <summary>
        /// Checks the syntax of an explicit engine address (no file or network access): throws
        /// <see cref="EngineConfigurationException"/> (kind Endpoint) for a malformed or unsupported one.
        /// </summary>
        public static EndpointAddress ValidateHost(string dockerHost, string origin = "-DockerHost", IEndpointEnvironment? environment = null) =>
            EndpointAddress.Parse(dockerHost, origin, (environment ?? ProcessEndpointEnvironment.Instance).IsWindows);

        /// <summary>
        /// The endpoint of one engine of Invoke-PythonImageBuild -Engine: an engine address (with "://": parsed as -DockerHost,
        /// with DOCKER_TLS_VERIFY / DOCKER_CERT_PATH), or the name of a docker context read from the docker configuration
        /// folder (DOCKER_CONFIG, else ~/.docker) like the docker CLI; "default" is DOCKER_HOST, else the platform default.
        /// Throws <see cref="EngineConfigurationException"/> for an unusable address or context; contacts nothing.
        /// </summary>
        public static EngineEndpoint ResolveEngine(string value, string origin, IEndpointEnvironment? environment = null)
        {
            var env = environment ?? ProcessEndpointEnvironment.Instance;
            string configDir = ConfigDirectory(env);
            if (value.IndexOf("://", StringComparison.Ordinal) >= 0)
            {
                return WithEnvironmentTls(EndpointAddress.Parse(value, origin, env.IsWindows), EndpointSource.EngineMap, env, configDir);
            }

            if (value == "default")
            {
                string? fromEnv = env.GetVariable("DOCKER_HOST");
                return string.IsNullOrWhiteSpace(fromEnv)
                    ? WithEnvironmentTls(EndpointAddress.Parse(env.IsWindows ? WindowsDefault : LinuxDefault, "The platform default", env.IsWindows), EndpointSource.PlatformDefault, env, configDir)
                    : WithEnvironmentTls(EndpointAddress.Parse(fromEnv, "DOCKER_HOST", env.IsWindows), EndpointSource.DockerHostVariable, env, configDir);
            }

            return FromContext(value, configDir, env.IsWindows);
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

        private static EngineEndpoint WithEnvironmentTls(EndpointAddress address, EndpointSource source, IEndpointEnvironment env, string configDir)
        {
            var endpoint = new EngineEndpoint { Address = address, Source = source };
            bool verify = !string.IsNullOrEmpty(env.GetVariable("DOCKER_TLS_VERIFY"));
            bool tls = verify || !string.IsNullOrEmpty(env.GetVariable("DOCKER_TLS")) || address.Scheme == "https";
            if (tls && (address.Scheme == "tcp" || address.Scheme == "https"))
            {
                endpoint.UseTls = true;
                endpoint.VerifyServer = verify;
                string? certPath = env.GetVariable("DOCKER_CERT_PATH");
                endpoint.CertPathExplicit = !string.IsNullOrEmpty(certPath);
                endpoint.CertPath = endpoint.CertPathExplicit ? certPath : configDir;
            }

            return endpoint;
        }

        private static string? CurrentContextFromConfig(string configDir)
        {
            string file = Path.Combine(configDir, "config.json");
            if (Directory.Exists(file))
            {
                throw new EngineConfigurationException(EngineConfigurationKind.Context, $"The docker configuration file {file} is a folder. Check DOCKER_CONFIG.");
            }

            if (!File.Exists(file))
            {
                return null;
            }

            try
            {
                using var doc = JsonDocument.Parse(ReadConfig(file));
                return doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("currentContext", out var cc)
                    && cc.ValueKind == JsonValueKind.String
                    ? cc.GetString()
                    : null;
            }
            catch (JsonException ex)
            {
                throw new EngineConfigurationException(EngineConfigurationKind.Context, $"The docker configuration file {file} is not valid JSON: {ex.Message}", ex);
            }
        }

        /// <summary>A docker configuration file's text; unreadable files are configuration errors, not raw IO exceptions.</summary>
        private static string ReadConfig(string file)
        {
            try
            {
                var info = new FileInfo(file);
                if (info.Length > 4 * 1024 * 1024)
                {
                    throw new EngineConfigurationException(EngineConfigurationKind.Context, $"The docker configuration file {file} is {info.Length} bytes long; docker's own files are far smaller. Check DOCKER_CONFIG.");
                }

                return File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new EngineConfigurationException(EngineConfigurationKind.Context, $"Cannot read the docker configuration file {file}: {ex.Message}", ex);
            }
        }

        private static EngineEndpoint FromContext(string name, string configDir, bool isWindows)
        {
            if (InputGrammar.FirstNonPrintable(name) >= 0 || name.Length > 256)
            {
                throw new EngineConfigurationException(EngineConfigurationKind.Context, $"The docker context name '{InputGrammar.Show(name)}' is not valid (printable ASCII without spaces, at most 256 characters).");
            }

            string id = ContextDirectoryName(name);
            string meta = Path.Combine(configDir, "contexts", "meta", id, "meta.json");
            if (!File.Exists(meta))
            {
                throw new EngineConfigurationException(EngineConfigurationKind.Context, $"The docker context '{name}' does not exist (no {meta}); run 'docker context ls', or set -DockerHost / DOCKER_HOST.");
            }

            string? host = null;
            bool skipVerify = false;
            try
            {
                using var doc = JsonDocument.Parse(ReadConfig(meta));
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
                throw new EngineConfigurationException(EngineConfigurationKind.Context, $"The metadata of docker context '{name}' ({meta}) is not valid JSON: {ex.Message}", ex);
            }

            if (string.IsNullOrWhiteSpace(host))
            {
                throw new EngineConfigurationException(EngineConfigurationKind.Context, $"The docker context '{name}' has no docker endpoint host ({meta}).");
            }

            var endpoint = new EngineEndpoint { Address = EndpointAddress.Parse(host, $"Docker context '{name}'", isWindows), Source = EndpointSource.Context, ContextName = name };
            string tlsDir = Path.Combine(configDir, "contexts", "tls", id, "docker");
            bool hasTlsMaterial = File.Exists(Path.Combine(tlsDir, "ca.pem")) || File.Exists(Path.Combine(tlsDir, "cert.pem"));
            string scheme = endpoint.Address.Scheme;
            if ((scheme == "tcp" || scheme == "https") && (hasTlsMaterial || scheme == "https"))
            {
                endpoint.UseTls = true;
                endpoint.VerifyServer = !skipVerify;
                endpoint.CertPath = tlsDir;
            }

            return endpoint;
        }
    }
}
