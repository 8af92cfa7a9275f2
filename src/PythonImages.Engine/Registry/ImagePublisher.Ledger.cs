using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Publish;
using PythonImages.Security;

namespace PythonImages.Engine.Registry
{
    /// <content>Shared tags from images pushed earlier (a merged build ledger), without pushing them again.</content>
    public sealed partial class ImagePublisher
    {
        /// <summary>
        /// Adds an image pushed earlier as <paramref name="pushed"/> with the manifest <paramref name="digest"/> to the index of
        /// each of its <paramref name="sharedTags"/> (written by <see cref="PublishSharedTagsAsync"/>). The manifest is read
        /// back by its digest (and its platform from its config); when it is not in the registry, those indexes are not
        /// written (an error says why). False when <paramref name="pushed"/> is not under this registry and namespace.
        /// </summary>
        public async Task<bool> AddPushedAsync(string source, ImageReference pushed, string digest, IReadOnlyList<string> sharedTags, CancellationToken cancellationToken)
        {
            if (pushed.Tag == null || !string.Equals(Destination(pushed).ToString(), pushed.ToString(), StringComparison.Ordinal))
            {
                return false;
            }

            PublishedImage? image = null;
            string? failure = null;
            try
            {
                var manifest = await client.GetManifestAsync(pushed.Path, digest, cancellationToken, forPush: true).ConfigureAwait(false);
                if (manifest == null || MediaTypes.IsIndex(manifest.MediaType) || !string.Equals(manifest.Digest, digest, StringComparison.Ordinal))
                {
                    failure = $"the registry {RegistryHost} has no image manifest {digest} for {pushed} (recorded in the ledger)";
                }
                else
                {
                    image = await DescribeAsync(pushed, manifest, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (RegistryException ex)
            {
                failure = ex.Message;
            }

            foreach (var sharedTag in sharedTags)
            {
                var destination = Destination(pushed, sharedTag);
                if (!shared.TryGetValue(destination.ToString(), out var entry))
                {
                    entry = new SharedTag(destination);
                    shared.Add(destination.ToString(), entry);
                }

                if (image != null)
                {
                    entry.Images.Add(image);
                }
                else
                {
                    entry.Failed.Add(new KeyValuePair<string, string>(source, "could not be listed (" + failure! + ")"));
                }
            }

            return true;
        }
    }
}
