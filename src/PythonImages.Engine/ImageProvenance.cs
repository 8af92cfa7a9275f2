using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;

namespace PythonImages.Engine
{
    /// <summary>A local tag that points to an image the module did not build (no <see cref="ImageLabels.BuiltBy"/> label).</summary>
    public sealed class ForeignTag
    {
        /// <summary>A tag and the image it points to now.</summary>
        public ForeignTag(string reference, string imageId)
        {
            Reference = reference;
            ImageId = imageId;
        }

        /// <summary>The reference (python:3-slim).</summary>
        public string Reference { get; }

        /// <summary>The id of the image it points to now.</summary>
        public string ImageId { get; }
    }

    /// <summary>What the engine knows about the images a build replaces and builds on.</summary>
    public static class ImageProvenance
    {
        /// <summary>
        /// The references among <paramref name="references"/> that exist on the engine and point to an image without the
        /// module's marker label: building would move those tags away from an image someone else made (a pulled
        /// python:3-slim, say).
        /// </summary>
        public static async Task<IReadOnlyList<ForeignTag>> ForeignTagsAsync(IDockerEngine engine, IEnumerable<string> references, CancellationToken cancellationToken)
        {
            var found = new List<ForeignTag>();
            foreach (var reference in references.Distinct(StringComparer.Ordinal))
            {
                var details = await engine.InspectImageAsync(reference, cancellationToken).ConfigureAwait(false);
                if (details == null || !details.RepoTags.Contains(Normalized(reference), StringComparer.Ordinal) && !details.RepoTags.Contains(reference, StringComparer.Ordinal))
                {
                    continue; // no such tag (an id prefix or a digest is never a tag we move)
                }

                if (!details.Labels.TryGetValue(ImageLabels.BuiltBy, out var by) || !string.Equals(by, ImageLabels.BuiltByValue, StringComparison.Ordinal))
                {
                    found.Add(new ForeignTag(reference, details.Id));
                }
            }

            return found;
        }

        /// <summary>The digest of the base image as the engine has it now (see <see cref="ImageLabels.BaseDigestOf"/>), or null when it is not there yet.</summary>
        public static async Task<string?> BaseDigestAsync(IDockerEngine engine, string baseName, CancellationToken cancellationToken)
        {
            var details = await engine.InspectImageAsync(baseName, cancellationToken).ConfigureAwait(false);
            return details == null ? null : ImageLabels.BaseDigestOf(baseName, details.RepoDigests, details.Id);
        }

        /// <summary>A reference as the engine lists it in RepoTags: with ":latest" when it names no tag.</summary>
        private static string Normalized(string reference)
        {
            int slash = reference.LastIndexOf('/');
            return reference.IndexOf('@') < 0 && reference.IndexOf(':', slash + 1) < 0 ? reference + ":latest" : reference;
        }
    }
}
