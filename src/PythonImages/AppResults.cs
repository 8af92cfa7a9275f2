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

        /// <summary>The Dockerfile written (or kept). Bound by Invoke-PythonImageBuild.</summary>
        public string DockerfilePath { get; set; } = string.Empty;

        /// <summary>The .dockerignore written (or kept).</summary>
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

        /// <summary>Created, Replaced or Unchanged.</summary>
        public string DockerignoreAction { get; set; } = string.Empty;

        /// <summary>The Dockerfile's path.</summary>
        public override string ToString() => DockerfilePath;
    }

    /// <summary>What Invoke-PythonContainer ran (with -PassThru): the exit code as $LASTEXITCODE would hold it, and the container.</summary>
    public sealed class PythonContainerResult
    {
        /// <summary>The program's exit code (0 for success).</summary>
        public long ExitCode { get; set; }

        /// <summary>True when the exit code is 0.</summary>
        public bool Succeeded => ExitCode == 0;

        /// <summary>The image that ran (python:3, or -Image).</summary>
        public string Image { get; set; } = string.Empty;

        /// <summary>The container's command (python ./script.py args), or empty when the image's own CMD ran.</summary>
        public string[] Command { get; set; } = Array.Empty<string>();

        /// <summary>The container's name.</summary>
        public string ContainerName { get; set; } = string.Empty;

        /// <summary>The container's id.</summary>
        public string ContainerId { get; set; } = string.Empty;

        /// <summary>True when the container was removed after the run (false with -KeepContainer).</summary>
        public bool Removed { get; set; }

        /// <summary>The host folder mounted into the container, for a script run.</summary>
        public string? Path { get; set; }

        /// <summary>Where the folder was mounted (/usr/src/myapp, C:\src).</summary>
        public string? MountTarget { get; set; }

        /// <summary>From the container's start to its exit.</summary>
        public TimeSpan Duration { get; set; }

        /// <summary>Lines written to stdout.</summary>
        public long OutputLines { get; set; }

        /// <summary>Lines written to stderr.</summary>
        public long ErrorLines { get; set; }

        /// <summary>True when the container had a terminal (-Interactive on a console host).</summary>
        public bool Tty { get; set; }

        /// <summary>The container and its exit code.</summary>
        public override string ToString() => ContainerName + " exited with " + ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The program in the container exited with a non-zero code (the non-terminating error Invoke-PythonContainer writes).</summary>
    public sealed class ContainerExitException : Exception
    {
        /// <summary>The program exited with <paramref name="exitCode"/>.</summary>
        public ContainerExitException(string message, long exitCode)
            : base(message)
        {
            ExitCode = exitCode;
        }

        /// <summary>A failure without details.</summary>
        public ContainerExitException()
            : base("The program in the container failed.")
        {
        }

        /// <summary>A failure with a message.</summary>
        public ContainerExitException(string message)
            : base(message)
        {
        }

        /// <summary>A failure with a message and its cause.</summary>
        public ContainerExitException(string message, Exception innerException)
            : base(message, innerException)
        {
        }

        /// <summary>The program's exit code.</summary>
        public long ExitCode { get; }
    }
}
