using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PythonImages.Builds;
using PythonImages.Security;

namespace PythonImages.Engine.Registry
{
    /// <summary>A login a build sends to the engine for pulling base images of one registry. Its secret is never shown.</summary>
    public sealed class BuildRegistryLogin
    {
        /// <summary>The login <paramref name="credential"/> for <paramref name="registry"/> (host[:port], or docker.io).</summary>
        public BuildRegistryLogin(string registry, RegistryCredential credential)
        {
            Registry = registry;
            Credential = credential;
        }

        /// <summary>The registry: host[:port], or docker.io for Docker Hub.</summary>
        public string Registry { get; }

        /// <summary>The key the engine looks the login up under: host[:port], or Docker Hub's legacy https://index.docker.io/v1/.</summary>
        public string ServerAddress => Registry == DockerfileBaseImages.DockerHub ? DockerCredentials.DockerHubKey : Registry;

        /// <summary>The user (or identity token) and where it came from.</summary>
        public RegistryCredential Credential { get; }

        /// <summary>The registry, the user and the source; never the secret.</summary>
        public override string ToString() => Registry + ": " + Credential;
    }

    /// <summary>A build's logins cannot be chosen (a -CredentialRegistry that is no registry, -Credential for a Dockerfile of several registries).</summary>
    public sealed class BuildLoginException : Exception
    {
        /// <summary>A failure with the id <paramref name="errorId"/> (an ImageBuildErrorIds constant).</summary>
        public BuildLoginException(string errorId, string message, string? recommendedAction = null)
            : base(message)
        {
            ErrorId = errorId;
            RecommendedAction = recommendedAction;
        }

        /// <summary>The ErrorId.</summary>
        public string ErrorId { get; }

        /// <summary>A more precise recommended action than the catalogue's, when there is one.</summary>
        public string? RecommendedAction { get; }
    }

    /// <summary>
    /// The logins a build sends for pulling its base images, like the docker CLI finds them: -Credential for its registry,
    /// else the docker configuration (credHelpers, credsStore, auths). Only the registries the Dockerfile's FROM lines name
    /// get a login; a Dockerfile FROM scratch gets none. Used on one thread at a time (the orchestrator prepares jobs on
    /// the caller's thread); each registry's configured login is looked up once per instance.
    /// </summary>
    public sealed class BuildRegistryLogins
    {
        private readonly RegistryCredential? credential;
        private readonly string? credentialRegistry;
        private readonly CredentialEnvironment? environment;
        private readonly Dictionary<string, RegistryCredential?> configured = new Dictionary<string, RegistryCredential?>(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// Logins with <paramref name="credential"/> (null: the configuration only) for <paramref name="credentialRegistry"/>
        /// (host[:port] or docker.io; null: the one registry a Dockerfile names), the configuration read from <paramref name="environment"/>.
        /// </summary>
        public BuildRegistryLogins(RegistryCredential? credential, string? credentialRegistry, CredentialEnvironment? environment = null)
        {
            if (credentialRegistry != null && CheckRegistry(credentialRegistry) is { } why)
            {
                throw new BuildLoginException(ImageBuildErrorIds.InvalidCredentialRegistry, $"-CredentialRegistry '{InputGrammar.Show(credentialRegistry)}' is not accepted: {why}.");
            }

            this.credential = credential;
            this.credentialRegistry = credentialRegistry == null ? null : DockerfileBaseImages.Normalize(credentialRegistry);
            this.environment = environment;
        }

        /// <summary>Why <paramref name="registry"/> is not a registry host[:port] (docker.io for Docker Hub), or null when it is one.</summary>
        public static string? CheckRegistry(string registry)
        {
            if (registry.IndexOf("://", StringComparison.Ordinal) >= 0 || registry.IndexOf('/') >= 0)
            {
                return "give the host[:port] alone, without a scheme or path (registry.example:5000, or docker.io for Docker Hub)";
            }

            return InputGrammar.RegistryHost.Why(registry);
        }

        /// <summary>
        /// The logins for the base images of <paramref name="dockerfilePath"/> built with <paramref name="buildArgs"/>.
        /// <paramref name="note"/> receives what is sent to whom (never a secret), <paramref name="warn"/> a configuration
        /// that cannot be used (the pull then goes without that login, as with the docker CLI).
        /// </summary>
        public IReadOnlyList<BuildRegistryLogin> For(string dockerfilePath, IDictionary<string, string>? buildArgs, Action<string> note, Action<string> warn)
        {
            string text;
            try
            {
                text = DockerfileReader.ReadText(dockerfilePath);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return Array.Empty<BuildRegistryLogin>(); // the build reports the unreadable Dockerfile itself
            }

            var registries = DockerfileBaseImages.Registries(text, buildArgs);
            if (credential != null && credentialRegistry == null && registries.Count > 1)
            {
                throw new BuildLoginException(
                    ImageBuildErrorIds.CredentialRegistryAmbiguous,
                    $"-Credential does not say which registry it is for, and {dockerfilePath} builds FROM images of {registries.Count} registries ({string.Join(", ", registries)}); nothing was sent.",
                    $"Add -CredentialRegistry with one of {string.Join(", ", registries)}; the other registries use the logins of the docker configuration.");
            }

            if (credential != null && credentialRegistry != null && !registries.Contains(credentialRegistry, StringComparer.OrdinalIgnoreCase))
            {
                note($"-Credential is for {credentialRegistry}, which no FROM line of {dockerfilePath} names: it is not sent.");
            }

            var logins = new List<BuildRegistryLogin>();
            foreach (var registry in registries)
            {
                bool given = credential != null && (credentialRegistry == null || string.Equals(credentialRegistry, registry, StringComparison.OrdinalIgnoreCase));
                var login = given ? credential : Configured(registry, warn);
                note(login != null ? $"Base images from {registry}: pulled with the login {login}." : $"Base images from {registry}: pulled without a login.");
                if (login != null)
                {
                    logins.Add(new BuildRegistryLogin(registry, login));
                }
            }

            return logins;
        }

        /// <summary>The configured login of <paramref name="registry"/> (looked up once); a configuration that cannot be used is a warning.</summary>
        private RegistryCredential? Configured(string registry, Action<string> warn)
        {
            if (configured.TryGetValue(registry, out var known))
            {
                return known;
            }

            RegistryCredential? found = null;
            try
            {
                found = DockerCredentials.Find(registry, environment);
            }
            catch (RegistryException ex)
            {
                warn($"The login for {registry} in the docker configuration cannot be used, so its base images are pulled without one: {ex.Message}");
            }

            configured[registry] = found;
            return found;
        }
    }
}
