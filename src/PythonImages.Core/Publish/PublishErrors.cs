using System.Linq;
using PythonImages.Builds;
using PythonImages.Publish;
using static PythonImages.FailureCategory;

namespace PythonImages.Publish
{
    /// <summary>Stable error ids of Publish-PythonImage ("Publish.Reason").</summary>
    public static class PublishErrorIds
    {
        /// <summary>-Registry is not host[:port]/namespace.</summary>
        public const string InvalidRegistry = "Publish.InvalidRegistry";

        /// <summary>An image reference (-Image, or a tag of a piped image) is not a Docker reference.</summary>
        public const string InvalidImage = "Publish.InvalidImage";

        /// <summary>The piped object is neither a build result, an image object nor a name.</summary>
        public const string UnsupportedInput = "Publish.UnsupportedInput";

        /// <summary>The image to push does not exist on the engine.</summary>
        public const string ImageNotFound = "Publish.ImageNotFound";

        /// <summary>-CertificatePath (or the certs.d folder) holds no usable CA, client certificate or key.</summary>
        public const string InvalidCertificate = "Publish.InvalidCertificate";

        /// <summary>Plain HTTP to a registry that is not on loopback, without -AllowInsecureRegistry.</summary>
        public const string InsecureRegistry = "Publish.InsecureRegistry";

        /// <summary>The docker configuration (config.json) cannot be read.</summary>
        public const string InvalidDockerConfig = "Publish.InvalidDockerConfig";

        /// <summary>A docker-credential-NAME helper is missing, failed, or answered something unreadable.</summary>
        public const string CredentialHelperFailed = "Publish.CredentialHelperFailed";

        /// <summary>The registry refused the credentials (or asked for some and none were found).</summary>
        public const string AuthenticationFailed = "Publish.AuthenticationFailed";

        /// <summary>The registry's TLS certificate is not trusted or does not match.</summary>
        public const string TlsFailed = "Publish.TlsFailed";

        /// <summary>The registry cannot be reached (after the retries).</summary>
        public const string RegistryUnavailable = "Publish.RegistryUnavailable";

        /// <summary>The registry answered a request with an error (or with something that is not the distribution API).</summary>
        public const string RegistryError = "Publish.RegistryError";

        /// <summary>The engine's push of one tag failed.</summary>
        public const string PushFailed = "Publish.PushFailed";

        /// <summary>Two images of one shared tag have the same platform; the index was not written.</summary>
        public const string PlatformCollision = "Publish.PlatformCollision";

        /// <summary>-InactivityTimeout is out of range.</summary>
        public const string InvalidInactivityTimeout = "Publish.InvalidInactivityTimeout";

        /// <summary>No Docker engine answers at the endpoint.</summary>
        public const string EngineUnavailable = "Publish.EngineUnavailable";

        /// <summary>-DockerHost (or DOCKER_HOST, or the docker context's endpoint) is not a usable endpoint.</summary>
        public const string InvalidDockerHost = "Publish.InvalidDockerHost";

        /// <summary>The engine's TLS settings (DOCKER_CERT_PATH, DOCKER_TLS_VERIFY) cannot be used.</summary>
        public const string TlsConfiguration = "Publish.TlsConfiguration";

        /// <summary>The docker configuration (a docker context) cannot be used for the engine.</summary>
        public const string EngineConfiguration = "Publish.EngineConfiguration";

        /// <summary>The engine showed no sign of life for longer than -InactivityTimeout.</summary>
        public const string Stalled = "Publish.Stalled";

        /// <summary>The engine refused a request or failed unexpectedly.</summary>
        public const string EngineError = "Publish.EngineError";
    }
}

namespace PythonImages
{
    /// <summary>The Publish-PythonImage part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private const string FixLogin =
            "Check the user name and password (or token) for this registry: pass -Credential, or log in with 'docker login <registry>' so that config.json (or its credential helper) holds them.";

        private static ErrorDescriptor[] Publish() => new[]
        {
            D(PublishErrorIds.InvalidRegistry, InvalidArgument, "Give the target as host[:port]/namespace, e.g. localhost:5000/library or registry.example/team."),
            D(PublishErrorIds.InvalidImage, InvalidArgument, "Give an image reference (python:3.14-slim, registry.example/python:3.14) or an image id (sha256:...)."),
            D(PublishErrorIds.UnsupportedInput, InvalidArgument, "Pipe Invoke-PythonImageBuild or Get-PythonTag output, or pass -Image <name>."),
            D(PublishErrorIds.ImageNotFound, ObjectNotFound, "Build the image first (Invoke-PythonImageBuild), or pass the name of an existing image with -Image."),
            D(PublishErrorIds.InvalidCertificate, InvalidArgument, "Point -CertificatePath at a folder with ca.crt (and client.cert + client.key for client authentication), in PEM, as /etc/docker/certs.d/<host:port>/ holds them."),
            D(PublishErrorIds.InsecureRegistry, SecurityError, "Serve the registry over TLS (and trust its CA with -CertificatePath or /etc/docker/certs.d), or pass -AllowInsecureRegistry knowingly."),
            D(PublishErrorIds.InvalidDockerConfig, InvalidData, "Fix the docker configuration file the message names (DOCKER_CONFIG or ~/.docker/config.json), or pass -Credential."),
            D(PublishErrorIds.CredentialHelperFailed, ResourceUnavailable, "Install the docker-credential-<name> program the configuration names (on PATH), log in again with 'docker login', or pass -Credential."),
            D(PublishErrorIds.AuthenticationFailed, AuthenticationError, FixLogin),
            D(PublishErrorIds.TlsFailed, SecurityError, "Trust the registry's CA: put ca.crt in /etc/docker/certs.d/<host:port>/ or pass -CertificatePath; check that the certificate names the host."),
            D(PublishErrorIds.RegistryUnavailable, ConnectionError, "Check that the registry runs and that host and port in -Registry are right; then publish again (what was pushed stays)."),
            D(PublishErrorIds.RegistryError, ProtocolError, "Read the registry's message; check that -Registry names a registry (distribution API v2) and that the repository accepts pushes."),
            D(PublishErrorIds.PushFailed, InvalidResult, "Read the engine's message for the tag; check the credentials and the registry, then publish again (layers already pushed are not sent twice)."),
            D(PublishErrorIds.PlatformCollision, InvalidData, "Give each image of a shared tag its own platform (os/architecture/variant/os.version), or publish the images under separate tags."),
        }.Concat(EngineFailures(EngineFailureIds.Publish)).ToArray();
    }
}
