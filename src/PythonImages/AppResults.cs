using System;

namespace PythonImages.Commands
{
    /// <summary>
    /// What New-PythonAppDockerfile wrote for one app. DockerfilePath, ContextPath, OS and AppPath bind by name to
    /// Invoke-PythonImageBuild (New-PythonAppDockerfile | Invoke-PythonImageBuild -Tag my-python-app).
    /// </summary>
    public sealed class PythonAppDockerfile
    {
        /// <summary>The app folder. Bound by Invoke-PythonImageBuild: an app's bare -Tag names its image (my-python-app:latest).</summary>
        public string AppPath { get; set; } = string.Empty;

        public string DockerfilePath { get; set; } = string.Empty;

        public string DockerignorePath { get; set; } = string.Empty;

        /// <summary>The build context: the app folder.</summary>
        public string ContextPath { get; set; } = string.Empty;

        /// <summary>Linux or Windows: the container OS of the base image.</summary>
        public string OS { get; set; } = "Linux";

        /// <summary>The python image's tag (3.14-slim).</summary>
        public string PythonTag { get; set; } = string.Empty;

        /// <summary>The FROM reference (python:3.14-slim).</summary>
        public string BaseImage { get; set; } = string.Empty;

        /// <summary>None, Requirements, Project or RequirementsAndProject.</summary>
        public string Install { get; set; } = string.Empty;

        /// <summary>The script (relative to the app folder) that starts the app, when it starts from a script.</summary>
        public string? Script { get; set; }

        /// <summary>The module that starts the app (python -m), when it starts from a module.</summary>
        public string? Module { get; set; }

        /// <summary>The image's CMD.</summary>
        public string[] Command { get; set; } = Array.Empty<string>();

        /// <summary>The user the app runs as, when -User was given.</summary>
        public string? User { get; set; }

        /// <summary>Created, Replaced or Unchanged.</summary>
        public string DockerfileAction { get; set; } = string.Empty;

        public string DockerignoreAction { get; set; } = string.Empty;

        public override string ToString() => DockerfilePath;
    }

    /// <summary>What Invoke-PythonContainer ran (with -PassThru): the exit code as $LASTEXITCODE would hold it, and the container.</summary>
    public sealed class PythonContainerResult
    {
        /// <summary>The program's exit code (0 for success).</summary>
        public long ExitCode { get; set; }

        public bool Succeeded => ExitCode == 0;

        public string Image { get; set; } = string.Empty;

        /// <summary>The container's command (python ./script.py args), or empty when the image's own CMD ran.</summary>
        public string[] Command { get; set; } = Array.Empty<string>();

        public string ContainerName { get; set; } = string.Empty;

        public string ContainerId { get; set; } = string.Empty;

        /// <summary>True when the container was removed after the run (false with -KeepContainer).</summary>
        public bool Removed { get; set; }

        /// <summary>The host folder mounted into the container, for a script run.</summary>
        public string? Path { get; set; }

        /// <summary>Where the folder was mounted (/usr/src/myapp, C:\src).</summary>
        public string? MountTarget { get; set; }

        public TimeSpan Duration { get; set; }

        /// <summary>Lines written to stdout and to stderr.</summary>
        public long OutputLines { get; set; }

        public long ErrorLines { get; set; }

        /// <summary>True when the container had a terminal (-Interactive on a console host).</summary>
        public bool Tty { get; set; }

        public override string ToString() => ContainerName + " exited with " + ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The program in the container exited with a non-zero code (the non-terminating error Invoke-PythonContainer writes).</summary>
    public sealed class ContainerExitException : Exception
    {
        public ContainerExitException(string message, long exitCode)
            : base(message)
        {
            ExitCode = exitCode;
        }

        public ContainerExitException()
            : base("The program in the container failed.")
        {
        }

        public ContainerExitException(string message)
            : base(message)
        {
        }

        public ContainerExitException(string message, Exception innerException)
            : base(message, innerException)
        {
        }

        public long ExitCode { get; }
    }
}
