using PythonImages.Builds;
using static PythonImages.FailureCategory;

namespace PythonImages.Builds
{
    /// <summary>The error ids of Invoke-PythonImageBuild's registry logins (for pulling base images).</summary>
    public static partial class ImageBuildErrorIds
    {
        /// <summary>-CredentialRegistry is not a registry host[:port] (or is given without -Credential).</summary>
        public const string InvalidCredentialRegistry = "ImageBuild.InvalidCredentialRegistry";

        /// <summary>-Credential without -CredentialRegistry, for a Dockerfile whose base images come from several registries.</summary>
        public const string CredentialRegistryAmbiguous = "ImageBuild.CredentialRegistryAmbiguous";

        /// <summary>The registry of a base image refused the login the build sent (the message names the registry and the user, never the secret).</summary>
        public const string BaseImageLoginFailed = "ImageBuild.BaseImageLoginFailed";
    }
}

namespace PythonImages
{
    /// <summary>The registry-login part of the Invoke-PythonImageBuild error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        /// <summary>What to do when a base image's registry refuses the login.</summary>
        internal const string FixBuildLogin =
            "Check the user name and password (or token) for that registry: pass the right -Credential (with -CredentialRegistry when the Dockerfile names several registries), or fix its entry in the docker configuration (docker login <registry>).";

        private static ErrorDescriptor[] BuildLogins() => new[]
        {
            D(ImageBuildErrorIds.InvalidCredentialRegistry, InvalidArgument, "Give the registry -Credential is for as host[:port] (registry.example:5000, or docker.io for Docker Hub), together with -Credential."),
            D(ImageBuildErrorIds.CredentialRegistryAmbiguous, InvalidArgument, "Name the registry -Credential is for with -CredentialRegistry <host[:port]>; the other registries use the docker configuration's logins."),
            D(ImageBuildErrorIds.BaseImageLoginFailed, AuthenticationError, FixBuildLogin),
        };
    }
}
