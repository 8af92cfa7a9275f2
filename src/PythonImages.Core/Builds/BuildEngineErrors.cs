using PythonImages.Builds;
using static PythonImages.FailureCategory;

namespace PythonImages.Builds
{
    /// <summary>Stable error ids of Invoke-PythonImageBuild -Engine, the engines per platform ("BuildEngine.Reason").</summary>
    public static class BuildEngineErrorIds
    {
        /// <summary>A platform key of -Engine is not linux or windows[/architecture[/variant or Windows version]], or names one platform twice.</summary>
        public const string InvalidPlatformKey = "BuildEngine.InvalidPlatformKey";

        /// <summary>An engine of -Engine is neither an engine address nor an existing docker context, or -Engine was combined with -DockerHost.</summary>
        public const string InvalidEngine = "BuildEngine.InvalidEngine";

        /// <summary>No engine of -Engine matches the image's platform (OS, architecture, Windows version); nothing was uploaded for it.</summary>
        public const string NoEngine = "BuildEngine.NoEngine";

        /// <summary>The engine mapped to a platform runs another OS, architecture or Windows version than the platform says; nothing was uploaded to it.</summary>
        public const string PlatformMismatch = "BuildEngine.PlatformMismatch";
    }
}

namespace PythonImages
{
    /// <summary>The Invoke-PythonImageBuild -Engine part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private static ErrorDescriptor[] BuildEngine() => new[]
        {
            D(BuildEngineErrorIds.InvalidPlatformKey, InvalidArgument, "Key -Engine by platform: linux, linux/amd64, linux/arm64, linux/arm/v7, windows/amd64/ltsc2022 or windows/amd64/ltsc2025, each platform once."),
            D(BuildEngineErrorIds.InvalidEngine, InvalidArgument, "Give each platform an engine address (unix:///var/run/docker.sock, tcp://host:2376, npipe:////./pipe/docker_engine) or the name of a docker context ('docker context ls'); use -Engine or -DockerHost, not both."),
            D(BuildEngineErrorIds.NoEngine, ObjectNotFound, "Add an engine for the image's platform to -Engine (e.g. @{ 'linux/arm64' = 'tcp://arm-builder:2376' }), or pass -Platform to build the image for a platform that has one."),
            D(BuildEngineErrorIds.PlatformMismatch, InvalidOperation, "Map the platform to an engine that runs it (check 'docker version' on that engine: OS/Arch, and the Windows build for ltsc2022 = 20348, ltsc2025 = 26100), or correct the platform key."),
        };
    }
}
