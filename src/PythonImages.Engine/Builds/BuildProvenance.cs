using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;
using PythonImages.Security;

namespace PythonImages.Engine.Builds
{
    /// <content>
    /// What each build says about where it comes from: the module's marker label and, for an image of the matrix, its OCI
    /// labels (the base image's digest as the engine has it now); and the tags it would take away from images the module
    /// did not build (a warning once the build succeeded).
    /// </content>
    public sealed partial class BuildOrchestrator
    {
        /// <summary>
        /// The labels of one build: the OCI labels of an image from the matrix, then the caller's labels (which win over
        /// them), then the module's marker (which nothing overrides).
        /// </summary>
        private async Task<Dictionary<string, string>> LabelsAsync(ImageBuildJob job, IDockerEngine engine, CancellationToken ct)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (job.Image != null && !string.IsNullOrEmpty(job.Image.Version))
            {
                string? baseName = BaseImageOf(job.DockerfilePath);
                string? baseDigest = null;
                if (baseName != null && ImageReference.TryParse(baseName, out _))
                {
                    baseDigest = await ImageProvenance.BaseDigestAsync(engine, baseName, ct).ConfigureAwait(false);
                }

                foreach (var kv in ImageLabels.ForMatrixImage(job.Image, DateTime.UtcNow, baseName, baseDigest))
                {
                    result[kv.Key] = kv.Value;
                }
            }

            foreach (var kv in options.Labels)
            {
                result[kv.Key] = kv.Value;
            }

            result[ImageLabels.BuiltBy] = ImageLabels.BuiltByValue;
            return result;
        }

        private static string? BaseImageOf(string dockerfile)
        {
            try
            {
                return ImageLabels.BaseImageOf(DockerfileReader.ReadText(dockerfile));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return null; // the build reports an unreadable Dockerfile itself
            }
        }

        /// <summary>After a successful build: a warning for each tag it moved away from an image the module did not build.</summary>
        private void WarnForeignTags(BuildRun run)
        {
            var build = run.Build;
            if (build == null || !build.Succeeded)
            {
                return;
            }

            foreach (var foreign in run.ForeignTags.Where(f => !string.Equals(f.ImageId, build.ImageId, StringComparison.Ordinal)))
            {
                events.Warning(run.Job, $"The tag {foreign.Reference} pointed to the image {foreign.ImageId}, which PythonImages did not build; it now points to {build.ImageId}. "
                    + $"To keep both, tag the old image again (docker tag {foreign.ImageId} <name>) and build under another -Repository.");
            }
        }
    }
}
