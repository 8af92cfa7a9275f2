using System;

namespace PythonImages.Commands
{
    /// <summary>What Invoke-PythonImageBuild produced for one image.</summary>
    public sealed class ImageBuildResult
    {
        /// <summary>The image: the first reference it is (or was to be) tagged with, or its Dockerfile when it has no tag.</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>The image id (sha256:...), null when the build failed.</summary>
        public string? ImageId { get; set; }

        /// <summary>The full references the image was tagged with (python:3.14-slim, ...).</summary>
        public string[] Tags { get; set; } = Array.Empty<string>();

        /// <summary>How long the build took.</summary>
        public TimeSpan Duration { get; set; }

        /// <summary>Image size in bytes, as the engine reports it.</summary>
        public long Size { get; set; }

        /// <summary>Whether the image was built.</summary>
        public bool Succeeded { get; set; }

        /// <summary>The file holding the full build log, when -LogPath was given.</summary>
        public string? LogPath { get; set; }

        /// <summary>The step that failed ("Step 4/9 : RUN ..."), when one did.</summary>
        public string? FailedStep { get; set; }

        /// <summary>The engine's error, when it failed.</summary>
        public string? ErrorMessage { get; set; }

        /// <summary>The build context folder.</summary>
        public string ContextPath { get; set; } = string.Empty;

        /// <summary>The Dockerfile.</summary>
        public string DockerfilePath { get; set; } = string.Empty;

        /// <summary>The image object the build came from (null for -Path builds).</summary>
        public PythonImage? Image { get; set; }

        /// <summary>Built, Retagged or Skipped (with -Ledger: the image was current), or Failed.</summary>
        public ImageBuildStatus Status { get; set; }

        /// <summary>Why the image was built, re-tagged or skipped (with -Ledger), when there is a reason.</summary>
        public string? Reason { get; set; }

        /// <inheritdoc/>
        public override string ToString() => (Name.Length > 0 ? Name : Tags.Length > 0 ? Tags[0] : ContextPath) + (Succeeded ? " " + ImageId : " (failed)");
    }

    /// <summary>What Invoke-PythonImageBuild did with an image.</summary>
    public enum ImageBuildStatus
    {
        /// <summary>The image was built.</summary>
        Built,

        /// <summary>The existing image was tagged with the image's references instead of building (-Ledger: only its tags changed).</summary>
        Retagged,

        /// <summary>Nothing was done: the image is current (-Ledger).</summary>
        Skipped,

        /// <summary>The build failed or stalled.</summary>
        Failed,
    }
}
