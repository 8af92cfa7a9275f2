using System;
using System.IO;
using System.Text.RegularExpressions;
using PythonImages.Builds;

namespace PythonImages.Engine.Builds
{
    /// <summary>The container OS a build needs, and whether an engine can build it.</summary>
    public static class BuildPlatform
    {
        private static Regex? windowsBase;

        private static Regex WindowsBase => windowsBase ??= new Regex(
            @"^\s*FROM\s+(--platform=\S+\s+)?\S*(windows/servercore|windows/nanoserver|windowsservercore|nanoserver|mcr\.microsoft\.com/windows)",
            RegexOptions.IgnoreCase | RegexOptions.Multiline);

        /// <summary>
        /// The variant of <paramref name="image"/> as <see cref="VariantInfo"/> (family, OS), or null when its text is not one
        /// of the known forms. The one place the build and test layers read a variant.
        /// </summary>
        public static VariantInfo? Variant(PythonImage image) => VariantInfo.TryParse(image.Variant, out _);

        /// <summary>The container OS of <paramref name="image"/>: its variant's, or the object's own when the variant is not a known form.</summary>
        public static ImageOS OSOf(PythonImage image) => Variant(image)?.OS ?? image.OS;

        /// <summary>"Windows" when the Dockerfile starts from a Windows base image; null when it cannot tell.</summary>
        public static string? SniffOS(string dockerfile)
        {
            try
            {
                return WindowsBase.IsMatch(DockerfileReader.ReadText(dockerfile)) ? "Windows" : null;
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>The failure when an image of <paramref name="os"/> cannot be built on the engine <paramref name="engine"/>; null when it can.</summary>
        public static BuildFailure? CheckOS(ImageBuildJob job, string? os, EngineInfo engine)
        {
            string engineOS = engine.OSType;
            if (os == null || engineOS.Length == 0 || string.Equals(os, engineOS, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            string message = $"Cannot build {job.DisplayName}: it is a {Title(os)} image, but the engine at {engine.Endpoint} runs {Title(engineOS)} containers. Nothing was uploaded.";
            return new BuildFailure(BuildFailureKind.OSMismatch, message)
            {
                ErrorId = ImageBuildErrorIds.OSMismatch,
                Exception = new InvalidOperationException(message),
                RecommendedAction = string.Equals(os, "windows", StringComparison.OrdinalIgnoreCase)
                    ? "Build Windows images on a Windows engine: switch Docker Desktop to Windows containers, or pass -DockerHost npipe:////./pipe/docker_engine (or tcp://<windows-host>:2376) / select its docker context."
                    : "Build Linux images on a Linux engine: switch Docker Desktop to Linux containers, or pass -DockerHost / DOCKER_HOST / a docker context of a Linux engine.",
            };
        }

        private static string Title(string os) => os.Length == 0 ? os : char.ToUpperInvariant(os[0]) + os.Substring(1).ToLowerInvariant();
    }
}
