using System.Linq;
using PythonImages.Builds;
using static PythonImages.FailureCategory;

namespace PythonImages.Builds
{
    /// <summary>Stable error ids of Invoke-PythonImageBuild ("ImageBuild.Reason").</summary>
    public static partial class ImageBuildErrorIds
    {
        /// <summary>-Platform is not os[/architecture[/variant]].</summary>
        public const string InvalidPlatform = "ImageBuild.InvalidPlatform";

        /// <summary>-Network is not a network name.</summary>
        public const string InvalidNetwork = "ImageBuild.InvalidNetwork";

        /// <summary>A -BuildArg name or value is not accepted (values are never shown: they may be secrets).</summary>
        public const string InvalidBuildArg = "ImageBuild.InvalidBuildArg";

        /// <summary>A -Label key or value is not accepted.</summary>
        public const string InvalidLabel = "ImageBuild.InvalidLabel";

        /// <summary>-Repository is not a repository name (lowercase, no tag or digest).</summary>
        public const string InvalidRepository = "ImageBuild.InvalidRepository";

        /// <summary>A -Tag, or a tag of a piped image, is not a valid Docker tag or reference.</summary>
        public const string InvalidTag = "ImageBuild.InvalidTag";

        /// <summary>-LogPath cannot hold build logs (control characters, a device, a missing parent).</summary>
        public const string InvalidLogPath = "ImageBuild.InvalidLogPath";

        /// <summary>The input has neither a Dockerfile nor a context folder.</summary>
        public const string NoDockerfile = "ImageBuild.NoDockerfile";

        /// <summary>The context or Dockerfile path is not a usable file-system path.</summary>
        public const string InvalidPath = "ImageBuild.InvalidPath";

        /// <summary>The context folder or the Dockerfile does not exist.</summary>
        public const string ContextNotFound = "ImageBuild.ContextNotFound";

        /// <summary>A symbolic link in the context points outside it; nothing was uploaded.</summary>
        public const string ContextSymlinkEscapes = "ImageBuild.ContextSymlinkEscapes";

        /// <summary>The Dockerfile lies outside the context folder.</summary>
        public const string ContextDockerfileOutside = "ImageBuild.ContextDockerfileOutside";

        /// <summary>A file or folder of the context cannot be read.</summary>
        public const string ContextUnreadable = "ImageBuild.ContextUnreadable";

        /// <summary>The context's .dockerignore holds a pattern the docker CLI refuses (an empty character class, a backwards range).</summary>
        public const string InvalidDockerignore = "ImageBuild.InvalidDockerignore";

        /// <summary>The image is for another OS than the engine's containers (Windows vs Linux).</summary>
        public const string OSMismatch = "ImageBuild.OSMismatch";

        /// <summary>The build log could not be written.</summary>
        public const string LogWriteFailed = "ImageBuild.LogWriteFailed";

        /// <summary>A build step failed (the message names it and shows the end of the log).</summary>
        public const string StepFailed = "ImageBuild.StepFailed";

        /// <summary>The build failed before or outside any step.</summary>
        public const string Failed = "ImageBuild.Failed";

        /// <summary>The base image of a FROM step could not be found or pulled (no such image, no access, no network).</summary>
        public const string BaseImageUnavailable = "ImageBuild.BaseImageUnavailable";

        /// <summary>The engine refused an image reference (a FROM line or a tag) as invalid.</summary>
        public const string InvalidReference = "ImageBuild.InvalidReference";

        /// <summary>-InactivityTimeout is out of range.</summary>
        public const string InvalidInactivityTimeout = "ImageBuild.InvalidInactivityTimeout";

        /// <summary>No Docker engine answers at the endpoint.</summary>
        public const string EngineUnavailable = "ImageBuild.EngineUnavailable";

        /// <summary>-DockerHost (or DOCKER_HOST, or the docker context's endpoint) is not a usable endpoint.</summary>
        public const string InvalidDockerHost = "ImageBuild.InvalidDockerHost";

        /// <summary>The TLS settings (DOCKER_CERT_PATH, DOCKER_TLS_VERIFY) cannot be used.</summary>
        public const string TlsConfiguration = "ImageBuild.TlsConfiguration";

        /// <summary>The docker configuration (a docker context) cannot be used.</summary>
        public const string EngineConfiguration = "ImageBuild.EngineConfiguration";

        /// <summary>The engine showed no sign of life for longer than -InactivityTimeout.</summary>
        public const string Stalled = "ImageBuild.Stalled";

        /// <summary>The engine refused a request or failed unexpectedly.</summary>
        public const string EngineError = "ImageBuild.EngineError";
    }

    /// <summary>
    /// The engine failures of one cmdlet area (Invoke-PythonImageBuild, Test-PythonImage): the same failures under the
    /// area's own ids, so that a script can tell which command failed.
    /// </summary>
    public sealed class EngineFailureIds
    {
        /// <summary>What to do when no engine answers or the endpoint is wrong.</summary>
        public const string HowToPoint =
            "Point the module at an engine with -DockerHost (e.g. unix:///var/run/docker.sock, npipe:////./pipe/docker_engine, tcp://host:2376), " +
            "or set DOCKER_HOST (with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH for TLS), or select a docker context ('docker context use NAME' or DOCKER_CONTEXT); " +
            "and make sure the daemon is running.";

        private EngineFailureIds(string invalidInactivityTimeout, string engineUnavailable, string invalidDockerHost, string tlsConfiguration, string engineConfiguration, string stalled, string engineError)
        {
            InvalidInactivityTimeout = invalidInactivityTimeout;
            EngineUnavailable = engineUnavailable;
            InvalidDockerHost = invalidDockerHost;
            TlsConfiguration = tlsConfiguration;
            EngineConfiguration = engineConfiguration;
            Stalled = stalled;
            EngineError = engineError;
        }

        /// <summary>The ids of Invoke-PythonImageBuild.</summary>
        public static EngineFailureIds ImageBuild { get; } = new EngineFailureIds(
            ImageBuildErrorIds.InvalidInactivityTimeout, ImageBuildErrorIds.EngineUnavailable, ImageBuildErrorIds.InvalidDockerHost,
            ImageBuildErrorIds.TlsConfiguration, ImageBuildErrorIds.EngineConfiguration, ImageBuildErrorIds.Stalled, ImageBuildErrorIds.EngineError);

        /// <summary>The ids of Test-PythonImage.</summary>
        public static EngineFailureIds ImageTest { get; } = new EngineFailureIds(
            ImageTests.ImageTestErrorIds.InvalidInactivityTimeout, ImageTests.ImageTestErrorIds.EngineUnavailable, ImageTests.ImageTestErrorIds.InvalidDockerHost,
            ImageTests.ImageTestErrorIds.TlsConfiguration, ImageTests.ImageTestErrorIds.EngineConfiguration, ImageTests.ImageTestErrorIds.Stalled, ImageTests.ImageTestErrorIds.EngineError);

        /// <summary>The ids of Invoke-PythonContainer.</summary>
        public static EngineFailureIds PythonContainer { get; } = new EngineFailureIds(
            Apps.PythonContainerErrorIds.InvalidInactivityTimeout, Apps.PythonContainerErrorIds.EngineUnavailable, Apps.PythonContainerErrorIds.InvalidDockerHost,
            Apps.PythonContainerErrorIds.TlsConfiguration, Apps.PythonContainerErrorIds.EngineConfiguration, Apps.PythonContainerErrorIds.Stalled, Apps.PythonContainerErrorIds.EngineError);
        /// <summary>The ids of Publish-PythonImage.</summary>
        public static EngineFailureIds Publish { get; } = new EngineFailureIds(
            PythonImages.Publish.PublishErrorIds.InvalidInactivityTimeout, PythonImages.Publish.PublishErrorIds.EngineUnavailable, PythonImages.Publish.PublishErrorIds.InvalidDockerHost,
            PythonImages.Publish.PublishErrorIds.TlsConfiguration, PythonImages.Publish.PublishErrorIds.EngineConfiguration, PythonImages.Publish.PublishErrorIds.Stalled, PythonImages.Publish.PublishErrorIds.EngineError);

        /// <summary>-InactivityTimeout is out of range.</summary>
        public string InvalidInactivityTimeout { get; }

        /// <summary>No engine answers.</summary>
        public string EngineUnavailable { get; }

        /// <summary>The endpoint is not usable.</summary>
        public string InvalidDockerHost { get; }

        /// <summary>The TLS settings are not usable.</summary>
        public string TlsConfiguration { get; }

        /// <summary>The docker configuration is not usable.</summary>
        public string EngineConfiguration { get; }

        /// <summary>The engine went quiet for too long.</summary>
        public string Stalled { get; }

        /// <summary>The engine refused a request or failed.</summary>
        public string EngineError { get; }
    }
}

namespace PythonImages
{
    /// <summary>The Invoke-PythonImageBuild part of the error catalogue (and the engine failures both engine cmdlets share).</summary>
    public static partial class ErrorCatalogue
    {
        private const string GiveTimeout = "Give seconds (-InactivityTimeout 90) or a time span (-InactivityTimeout 01:00:00); the default, 30 minutes, suits a PGO + LTO build.";
        private const string FixTls = "Point DOCKER_CERT_PATH at a folder with ca.pem, cert.pem and key.pem for the engine, or unset DOCKER_TLS_VERIFY / DOCKER_TLS for an endpoint without TLS.";
        private const string RaiseTimeout = "If the work is legitimately quiet for longer, raise -InactivityTimeout; otherwise check the engine ('docker info') and what it was waiting for.";
        private const string CheckEngine = "Read the engine's message; check the engine ('docker info', its log) and try again.";

        private static ErrorDescriptor[] ImageBuild() => new[]
        {
            D(ImageBuildErrorIds.InvalidPlatform, InvalidArgument, "Give os[/architecture[/variant]], e.g. linux/amd64 or windows/amd64."),
            D(ImageBuildErrorIds.InvalidNetwork, InvalidArgument, "Give host, bridge, none or the name of an existing network."),
            D(ImageBuildErrorIds.InvalidBuildArg, InvalidArgument, "Use build argument names such as HTTP_PROXY or PYTHON_VERSION and values without control characters."),
            D(ImageBuildErrorIds.InvalidLabel, InvalidArgument, "Use label keys such as org.opencontainers.image.revision and values without control characters."),
            D(ImageBuildErrorIds.InvalidRepository, InvalidArgument, "Give a repository such as python, library/python or registry.example:5000/team/python (lowercase, no tag)."),
            D(ImageBuildErrorIds.InvalidTag, InvalidArgument, "Give a tag (letters, digits, '_', '.', '-'; at most 128) that goes under -Repository, or a full reference such as registry.example/python:ci-123."),
            D(ImageBuildErrorIds.InvalidLogPath, InvalidArgument, "Give a folder (ending in / for a new one: one log per image) or a file (all logs in one) on the file system."),
            D(ImageBuildErrorIds.NoDockerfile, InvalidArgument, "Generate the Dockerfiles first (Get-PythonTag ... | New-PythonDockerfile | Invoke-PythonImageBuild), or pass a context folder with -Path."),
            D(ImageBuildErrorIds.InvalidPath, InvalidArgument, "Pass the context folder and Dockerfile as file-system paths (New-PythonDockerfile sets them)."),
            D(ImageBuildErrorIds.ContextNotFound, ObjectNotFound, "Run New-PythonDockerfile for this image first, or pass an existing context folder with -Path."),
            D(ImageBuildErrorIds.ContextSymlinkEscapes, InvalidData, "Replace the link with a copy of its target, or exclude it in .dockerignore."),
            D(ImageBuildErrorIds.ContextDockerfileOutside, InvalidData, "Check the context folder and Dockerfile path (regenerate with New-PythonDockerfile)."),
            D(ImageBuildErrorIds.ContextUnreadable, InvalidData, "Check the context folder and Dockerfile path (regenerate with New-PythonDockerfile)."),
            D(ImageBuildErrorIds.InvalidDockerignore, InvalidData, "Fix or remove the pattern the message names in the context's .dockerignore (a character class needs at least one character, and a range goes from low to high, e.g. [a-z])."),
            D(ImageBuildErrorIds.OSMismatch, InvalidOperation, "Build Windows images on a Windows engine and Linux images on a Linux engine: switch Docker Desktop, or pass -DockerHost / DOCKER_HOST / a docker context of the right engine."),
            D(ImageBuildErrorIds.LogWriteFailed, WriteError, "Give -LogPath a folder or file you can write to (free space, fix permissions), or leave -LogPath out and use -Verbose."),
            D(ImageBuildErrorIds.StepFailed, InvalidResult, "Fix the failing step in the Dockerfile (see the full log), then build again; add -NoCache if a cached layer is stale."),
            D(ImageBuildErrorIds.Failed, InvalidResult, "Read the engine's message and the end of the log, fix the Dockerfile or the context, then build again."),
            D(ImageBuildErrorIds.BaseImageUnavailable, ResourceUnavailable, BuildFailureCause.PullAction),
            D(ImageBuildErrorIds.InvalidReference, InvalidData, BuildFailureCause.ReferenceAction),
        }.Concat(EngineFailures(EngineFailureIds.ImageBuild)).ToArray();

        /// <summary>The descriptors of an engine cmdlet's engine failures (the same categories and advice in every area).</summary>
        private static ErrorDescriptor[] EngineFailures(EngineFailureIds ids) => new[]
        {
            D(ids.InvalidInactivityTimeout, InvalidArgument, GiveTimeout),
            D(ids.EngineUnavailable, ConnectionError, EngineFailureIds.HowToPoint),
            D(ids.InvalidDockerHost, InvalidArgument, EngineFailureIds.HowToPoint),
            D(ids.TlsConfiguration, InvalidArgument, FixTls),
            D(ids.EngineConfiguration, InvalidArgument, EngineFailureIds.HowToPoint),
            D(ids.Stalled, OperationTimeout, RaiseTimeout),
            D(ids.EngineError, InvalidOperation, CheckEngine),
        };
    }
}
