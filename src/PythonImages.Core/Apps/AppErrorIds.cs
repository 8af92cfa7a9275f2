using System.Linq;
using PythonImages.Apps;
using static PythonImages.FailureCategory;

namespace PythonImages.Apps
{
    /// <summary>Stable error ids of New-PythonAppDockerfile ("App.Reason").</summary>
    public static class AppErrorIds
    {
        /// <summary>The app folder does not exist.</summary>
        public const string PathNotFound = "App.PathNotFound";

        /// <summary>-Path is not a file-system path of a folder.</summary>
        public const string InvalidPath = "App.InvalidPath";

        /// <summary>No -Script or -Module, and the folder has no top-level .py file.</summary>
        public const string NoEntryPoint = "App.NoEntryPoint";

        /// <summary>No -Script or -Module, and the folder has several top-level .py files.</summary>
        public const string AmbiguousEntryPoint = "App.AmbiguousEntryPoint";

        /// <summary>The -Script file does not exist.</summary>
        public const string ScriptNotFound = "App.ScriptNotFound";

        /// <summary>-Script is not a plain relative .py path inside the app folder.</summary>
        public const string InvalidScript = "App.InvalidScript";

        /// <summary>The only top-level script has a name that cannot be written into a Dockerfile.</summary>
        public const string UnsafeFileName = "App.UnsafeFileName";

        /// <summary>-Module is not a Python module name.</summary>
        public const string InvalidModule = "App.InvalidModule";

        /// <summary>-User is not an account name (or is root).</summary>
        public const string InvalidUser = "App.InvalidUser";

        /// <summary>A path that must be a regular file (the script, requirements.txt, pyproject.toml, Dockerfile) is a folder or device.</summary>
        public const string NotAFile = "App.NotAFile";

        /// <summary>-Tag is not a tag at all.</summary>
        public const string InvalidTag = "App.InvalidTag";

        /// <summary>-Tag is no tag of the matrix.</summary>
        public const string TagNotFound = "App.TagNotFound";

        /// <summary>-BaseImageRegistry is not host[:port][/namespace], or its host is one Docker reads as a Docker Hub namespace.</summary>
        public const string InvalidRegistry = "App.InvalidRegistry";

        /// <summary>A Dockerfile or .dockerignore with other content is there and -Force was not given.</summary>
        public const string FileExists = "App.FileExists";

        /// <summary>A value reached the Dockerfile renderer without passing its grammar (defence in depth).</summary>
        public const string UnsafeValue = "App.UnsafeValue";

        /// <summary>The app folder or a file in it could not be read or written.</summary>
        public const string IOError = "App.IOError";

        /// <summary>Reading or writing in the app folder was denied.</summary>
        public const string AccessDenied = "App.AccessDenied";
    }

    /// <summary>Stable error ids of Invoke-PythonContainer ("PythonContainer.Reason").</summary>
    public static class PythonContainerErrorIds
    {
        /// <summary>The script is a folder, or its name has control characters.</summary>
        public const string InvalidScript = "PythonContainer.InvalidScript";

        /// <summary>The script does not exist.</summary>
        public const string ScriptNotFound = "PythonContainer.ScriptNotFound";

        /// <summary>The script is not inside the folder that is mounted.</summary>
        public const string ScriptOutsidePath = "PythonContainer.ScriptOutsidePath";

        /// <summary>-Path is not a file-system path of a folder.</summary>
        public const string InvalidPath = "PythonContainer.InvalidPath";

        /// <summary>The -Path folder does not exist.</summary>
        public const string PathNotFound = "PythonContainer.PathNotFound";

        /// <summary>An -ArgumentList value is null or holds NUL.</summary>
        public const string InvalidArgument = "PythonContainer.InvalidArgument";

        /// <summary>An -Environment name is not a variable name, or a value holds NUL.</summary>
        public const string InvalidEnvironment = "PythonContainer.InvalidEnvironment";

        /// <summary>-Name is not a container name.</summary>
        public const string InvalidName = "PythonContainer.InvalidName";

        /// <summary>-Network is not a network name.</summary>
        public const string InvalidNetwork = "PythonContainer.InvalidNetwork";

        /// <summary>-Image is not an image reference or id.</summary>
        public const string InvalidImage = "PythonContainer.InvalidImage";

        /// <summary>-Tag is not a tag at all.</summary>
        public const string InvalidTag = "PythonContainer.InvalidTag";

        /// <summary>-Tag is no tag of the matrix.</summary>
        public const string TagNotFound = "PythonContainer.TagNotFound";

        /// <summary>The engine has no such image and it cannot be pulled (an image id), or it went away.</summary>
        public const string ImageNotFound = "PythonContainer.ImageNotFound";

        /// <summary>The engine has no network of the -Network name.</summary>
        public const string NetworkNotFound = "PythonContainer.NetworkNotFound";

        /// <summary>The image could not be pulled.</summary>
        public const string PullFailed = "PythonContainer.PullFailed";

        /// <summary>The tag's images are of another OS than the engine's containers.</summary>
        public const string OSMismatch = "PythonContainer.OSMismatch";

        /// <summary>Another container has the -Name.</summary>
        public const string NameInUse = "PythonContainer.NameInUse";

        /// <summary>The program exited with a code other than 0.</summary>
        public const string NonZeroExitCode = "PythonContainer.NonZeroExitCode";

        /// <summary>-InactivityTimeout is out of range.</summary>
        public const string InvalidInactivityTimeout = "PythonContainer.InvalidInactivityTimeout";

        /// <summary>No Docker engine answers at the endpoint.</summary>
        public const string EngineUnavailable = "PythonContainer.EngineUnavailable";

        /// <summary>-DockerHost (or DOCKER_HOST, or the docker context's endpoint) is not a usable endpoint.</summary>
        public const string InvalidDockerHost = "PythonContainer.InvalidDockerHost";

        /// <summary>The TLS settings (DOCKER_CERT_PATH, DOCKER_TLS_VERIFY) cannot be used.</summary>
        public const string TlsConfiguration = "PythonContainer.TlsConfiguration";

        /// <summary>The docker configuration (a docker context) cannot be used.</summary>
        public const string EngineConfiguration = "PythonContainer.EngineConfiguration";

        /// <summary>The engine showed no sign of life for longer than -InactivityTimeout.</summary>
        public const string Stalled = "PythonContainer.Stalled";

        /// <summary>The engine refused a request or failed unexpectedly.</summary>
        public const string EngineError = "PythonContainer.EngineError";
    }
}

namespace PythonImages
{
    using PythonImages.Builds;

    /// <summary>The New-PythonAppDockerfile and Invoke-PythonContainer parts of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private const string PassAppFolder = "Pass the folder that holds your app (-Path, the current location by default).";
        private const string NameEntryPoint = "Name the script that starts the app with -Script (e.g. -Script app.py) or the module with -Module.";
        private const string CheckAppFolder = "Check that you may read and write the app folder, then run the command again.";
        private const string PassScriptFolder = "Pass the folder to mount with -Path (the current location by default) and a script inside it.";

        /// <summary>What to do when the engine has no network of the -Network name (Invoke-PythonContainer and Test-PythonImage).</summary>
        private const string NameExistingNetwork = "Pass the name of a network the engine has (docker network ls lists them; host, bridge and none always exist), or create it first (docker network create <name>).";

        private static ErrorDescriptor[] App() => new[]
        {
            D(AppErrorIds.PathNotFound, ObjectNotFound, PassAppFolder),
            D(AppErrorIds.InvalidPath, InvalidArgument, PassAppFolder),
            D(AppErrorIds.NoEntryPoint, ObjectNotFound, NameEntryPoint),
            D(AppErrorIds.AmbiguousEntryPoint, InvalidOperation, "Choose one of the scripts the message lists with -Script, or a module with -Module."),
            D(AppErrorIds.ScriptNotFound, ObjectNotFound, "Give -Script as a path relative to the app folder of a script that exists (e.g. -Script tools/run.py)."),
            D(AppErrorIds.InvalidScript, InvalidArgument, "Give -Script as a relative path inside the app folder of letters, digits, '_', '.', '-' and '/', ending in .py."),
            D(AppErrorIds.UnsafeFileName, InvalidData, "Rename the script to letters, digits, '_', '.' and '-', or pass another one with -Script or -Module."),
            D(AppErrorIds.InvalidModule, InvalidArgument, "Give a module name as python -m takes it (e.g. -Module myapp or -Module myapp.server)."),
            D(AppErrorIds.InvalidUser, InvalidArgument, "Give a user name of lowercase letters, digits, '_' and '-' (at most 20 characters, not root), e.g. -User app."),
            D(AppErrorIds.NotAFile, InvalidData, "Move the folder or device away (or rename it), then run the command again.", ResourceExists),
            D(AppErrorIds.InvalidTag, InvalidArgument, "Give a tag of the python image such as 3, 3.13-slim or alpine (Get-PythonTag lists them; Tab completes them)."),
            D(AppErrorIds.TagNotFound, ObjectNotFound, "Give a tag of the matrix (Get-PythonTag lists them; Tab completes -Tag)."),
            D(AppErrorIds.InvalidRegistry, InvalidArgument, "Give a registry prefix as host[:port][/namespace] in lowercase, e.g. registry.example:5000/hub."),
            D(AppErrorIds.FileExists, ResourceExists, "Pass -Force to replace the files with the generated ones (see -WhatIf first), or move them away."),
            D(AppErrorIds.UnsafeValue, InvalidData, "Report this: a value reached the Dockerfile without passing its check, and nothing was written."),
            D(AppErrorIds.IOError, WriteError, CheckAppFolder, ReadError),
            D(AppErrorIds.AccessDenied, PermissionDenied, CheckAppFolder),
        };

        private static ErrorDescriptor[] PythonContainer() => new[]
        {
            D(PythonContainerErrorIds.InvalidScript, InvalidArgument, "Pass a script file (not a folder) whose name has no control characters."),
            D(PythonContainerErrorIds.ScriptNotFound, ObjectNotFound, "Check the script's name; a relative -Script is looked for in -Path first, then in the current location."),
            D(PythonContainerErrorIds.ScriptOutsidePath, InvalidArgument, PassScriptFolder),
            D(PythonContainerErrorIds.InvalidPath, InvalidArgument, PassScriptFolder),
            D(PythonContainerErrorIds.PathNotFound, ObjectNotFound, PassScriptFolder),
            D(PythonContainerErrorIds.InvalidArgument, InvalidArgument, "Pass arguments as strings without NUL characters."),
            D(PythonContainerErrorIds.InvalidEnvironment, InvalidArgument, "Use variable names of letters, digits and '_' that do not start with a digit, and values without NUL."),
            D(PythonContainerErrorIds.InvalidName, InvalidArgument, "Give a name of letters, digits, '_', '.' and '-' that starts with a letter or digit, e.g. -Name my-script."),
            D(PythonContainerErrorIds.InvalidNetwork, InvalidArgument, "Give host, bridge, none or the name of an existing network."),
            D(PythonContainerErrorIds.InvalidImage, InvalidArgument, "Give an image reference (my-python-app, registry.example/team/app:1.0) or an image id (sha256:...)."),
            D(PythonContainerErrorIds.InvalidTag, InvalidArgument, "Give a tag of the python image such as 3, 3.13-slim or alpine (Get-PythonTag lists them; Tab completes them)."),
            D(PythonContainerErrorIds.TagNotFound, ObjectNotFound, "Give a tag of the matrix (Get-PythonTag lists them; Tab completes -Tag)."),
            D(PythonContainerErrorIds.ImageNotFound, ObjectNotFound, "Build or pull the image first (an image id cannot be pulled), then run again."),
            D(PythonContainerErrorIds.NetworkNotFound, ObjectNotFound, NameExistingNetwork),
            D(PythonContainerErrorIds.PullFailed, ObjectNotFound, "Check the image name and that the engine can reach its registry (or pull it from your mirror and tag it), then run again."),
            D(PythonContainerErrorIds.OSMismatch, InvalidOperation, "Use a tag of the engine's OS (Get-PythonTag -OS), or point -DockerHost / DOCKER_HOST at an engine of the image's OS."),
            D(PythonContainerErrorIds.NameInUse, ResourceExists, "Pass another -Name, or remove the other container (docker rm <name>)."),
            D(PythonContainerErrorIds.NonZeroExitCode, InvalidResult, "Read what the program wrote to stderr (-InformationVariable captures it); -PassThru gives the exit code as ExitCode."),
        }.Concat(EngineFailures(EngineFailureIds.PythonContainer)).ToArray();
    }
}
