using System;
using System.Collections.Generic;

namespace PythonImages.Engine.Builds
{
    /// <summary>One image to build: its context, Dockerfile and the full references to tag it with, already checked.</summary>
    public sealed class ImageBuildJob
    {
        /// <summary>A job for the build context <paramref name="contextPath"/> and the Dockerfile <paramref name="dockerfilePath"/> (full paths).</summary>
        public ImageBuildJob(int index, object target, string contextPath, string dockerfilePath, IReadOnlyList<string> references)
        {
            Index = index;
            Target = target;
            ContextPath = contextPath;
            DockerfilePath = dockerfilePath;
            References = references;
        }

        /// <summary>The position of the job in its invocation (0, 1, ...): the order results leave in, and its progress id.</summary>
        public int Index { get; }

        /// <summary>What the job came from (the image object, a path): the target of its errors.</summary>
        public object Target { get; }

        /// <summary>The image object the job came from (null for a build of a context folder).</summary>
        public PythonImage? Image { get; set; }

        /// <summary>The build context folder (full path).</summary>
        public string ContextPath { get; }

        /// <summary>The Dockerfile (full path).</summary>
        public string DockerfilePath { get; }

        /// <summary>The full references the image is tagged with (python:3.14-slim, ...), in order.</summary>
        public IReadOnlyList<string> References { get; }

        /// <summary>Linux or Windows when known (from the image or the caller); sniffed from the Dockerfile otherwise.</summary>
        public string? OS { get; set; }

        /// <summary>How messages name the job: its first reference, or its Dockerfile.</summary>
        public string DisplayName => References.Count > 0 ? References[0] : DockerfilePath;

        /// <summary>The engine chosen for the job by <see cref="BuildOrchestrator.Prepare"/>.</summary>
        internal EngineTarget? Engine { get; set; }
    }

    /// <summary>How every job of an invocation is built (the parameters shared by all images).</summary>
    public sealed class ImageBuildOptions
    {
        /// <summary>Build arguments (values may be secrets: they reach only the engine, never an event).</summary>
        public IDictionary<string, string> BuildArgs { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Labels of the images.</summary>
        public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Build without the layer cache.</summary>
        public bool NoCache { get; set; }

        /// <summary>Always try to pull a newer base image.</summary>
        public bool Pull { get; set; }

        /// <summary>The network of the RUN steps.</summary>
        public string? Network { get; set; }

        /// <summary>The platform to build for (linux/amd64).</summary>
        public string? Platform { get; set; }

        /// <summary>How many images build at once (results keep input order).</summary>
        public int ThrottleLimit { get; set; } = 1;

        /// <summary>Where full build logs go (null: nowhere but the log line events).</summary>
        public BuildLogTarget? Log { get; set; }

        /// <summary>Whether every build log line is reported as an event (verbose output); steps always are.</summary>
        public bool ReportLogLines { get; set; }

        /// <summary>Where the logins for base-image pulls come from (null: none are sent).</summary>
        public Registry.BuildRegistryLogins? RegistryLogins { get; set; }
    }

    /// <summary>Where build logs are written: a folder (one log per image) or one file (all logs).</summary>
    public sealed class BuildLogTarget
    {
        /// <summary>A log target at the full path <paramref name="path"/>.</summary>
        public BuildLogTarget(string path, bool isDirectory)
        {
            Path = path;
            IsDirectory = isDirectory;
        }

        /// <summary>The folder or file (full path).</summary>
        public string Path { get; }

        /// <summary>True for a folder.</summary>
        public bool IsDirectory { get; }
    }
}
