using System.Linq;
using PythonImages.ImageTests;
using static PythonImages.FailureCategory;

namespace PythonImages.ImageTests
{
    /// <summary>Stable error ids of Test-PythonImage ("ImageTest.Reason").</summary>
    public static class ImageTestErrorIds
    {
        /// <summary>-Repository is not a repository name (lowercase, no tag or digest).</summary>
        public const string InvalidRepository = "ImageTest.InvalidRepository";

        /// <summary>-Network is not a network name.</summary>
        public const string InvalidNetwork = "ImageTest.InvalidNetwork";

        /// <summary>The pipeline input is neither a build result, a python image nor an image name.</summary>
        public const string UnsupportedInput = "ImageTest.UnsupportedInput";

        /// <summary>A python image without tags cannot be found on the engine.</summary>
        public const string NoTag = "ImageTest.NoTag";

        /// <summary>An image name is not an image reference or id.</summary>
        public const string InvalidImage = "ImageTest.InvalidImage";

        /// <summary>The engine has no image of that name.</summary>
        public const string ImageNotFound = "ImageTest.ImageNotFound";

        /// <summary>The engine has no network of the -Network name.</summary>
        public const string NetworkNotFound = "ImageTest.NetworkNotFound";

        /// <summary>-InactivityTimeout is out of range.</summary>
        public const string InvalidInactivityTimeout = "ImageTest.InvalidInactivityTimeout";

        /// <summary>No Docker engine answers at the endpoint.</summary>
        public const string EngineUnavailable = "ImageTest.EngineUnavailable";

        /// <summary>-DockerHost (or DOCKER_HOST, or the docker context's endpoint) is not a usable endpoint.</summary>
        public const string InvalidDockerHost = "ImageTest.InvalidDockerHost";

        /// <summary>The TLS settings (DOCKER_CERT_PATH, DOCKER_TLS_VERIFY) cannot be used.</summary>
        public const string TlsConfiguration = "ImageTest.TlsConfiguration";

        /// <summary>The docker configuration (a docker context) cannot be used.</summary>
        public const string EngineConfiguration = "ImageTest.EngineConfiguration";

        /// <summary>The engine showed no sign of life for longer than -InactivityTimeout.</summary>
        public const string Stalled = "ImageTest.Stalled";

        /// <summary>The engine refused a request or failed unexpectedly.</summary>
        public const string EngineError = "ImageTest.EngineError";
    }
}

namespace PythonImages
{
    using PythonImages.Builds;

    /// <summary>The Test-PythonImage part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private static ErrorDescriptor[] ImageTest() => new[]
        {
            D(ImageTestErrorIds.InvalidRepository, InvalidArgument, "Give a repository such as python or registry.example:5000/team/python (lowercase, no tag)."),
            D(ImageTestErrorIds.InvalidNetwork, InvalidArgument, "Give host, bridge, none or the name of an existing network."),
            D(ImageTestErrorIds.UnsupportedInput, InvalidArgument, "Pass the image by name with -Image, or pipe the build result of Invoke-PythonImageBuild."),
            D(ImageTestErrorIds.NoTag, InvalidArgument, "Pass the image by name with -Image, or pipe the build result of Invoke-PythonImageBuild."),
            D(ImageTestErrorIds.InvalidImage, InvalidArgument, "Give an image reference (python:3.14-slim, registry.example/python:3.14) or an image id (sha256:...)."),
            D(ImageTestErrorIds.ImageNotFound, ObjectNotFound, "Build it first (New-PythonDockerfile | Invoke-PythonImageBuild), or pass the name of an existing image with -Image."),
            D(ImageTestErrorIds.NetworkNotFound, ObjectNotFound, NameExistingNetwork),
        }.Concat(EngineFailures(EngineFailureIds.ImageTest)).ToArray();
    }
}
