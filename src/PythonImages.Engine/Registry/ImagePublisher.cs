using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Publish;
using PythonImages.Security;

namespace PythonImages.Engine.Registry
{
    /// <summary>What happened to one tag.</summary>
    public enum PublishStatus
    {
        /// <summary>The tag was pushed (or its index written).</summary>
        Pushed,

        /// <summary>The registry already had exactly this image (or index) under the tag; nothing was sent.</summary>
        AlreadyPresent,

        /// <summary>The tag could not be published (an error says why).</summary>
        Failed,
    }

    /// <summary>The result of publishing one tag: a per-platform image tag, or a shared tag's index.</summary>
    public sealed class PublishResult
    {
        /// <summary>The full reference in the registry: localhost:5000/library/python:3.14-slim.</summary>
        public string Reference { get; set; } = string.Empty;

        /// <summary>The manifest's (or index's) digest, sha256:...; null when it failed.</summary>
        public string? Digest { get; set; }

        /// <summary>Bytes in the registry: config and layers of an image, the images of an index.</summary>
        public long Size { get; set; }

        /// <summary>os/architecture[/variant] of an image; the platforms of an index, comma separated.</summary>
        public string Platform { get; set; } = string.Empty;

        /// <summary>Pushed, AlreadyPresent or Failed.</summary>
        public PublishStatus Status { get; set; }

        /// <summary>Whether this is a shared tag's index (multi-platform).</summary>
        public bool IsIndex { get; set; }

        /// <summary>The local image it came from (reference or id); the shared tag's images for an index.</summary>
        public string Source { get; set; } = string.Empty;

        /// <summary>Why it failed, when it did.</summary>
        public string? Reason { get; set; }

        /// <inheritdoc/>
        public override string ToString() => Reference + " " + Status + (Digest != null ? " " + Digest : string.Empty);
    }

    /// <summary>One image to publish: the local image, its tags (full local references) and the shared tags it belongs to.</summary>
    public sealed class PublishTarget
    {
        /// <summary>An image.</summary>
        public PublishTarget(string image, IReadOnlyList<ImageReference> tags, IReadOnlyList<string> sharedTags)
        {
            Image = image;
            Tags = tags;
            SharedTags = sharedTags;
        }

        /// <summary>The image on the engine (an id or a reference).</summary>
        public string Image { get; }

        /// <summary>Its tags as local references (python:3.14.6-slim, ...); each is pushed under the target registry.</summary>
        public IReadOnlyList<ImageReference> Tags { get; }

        /// <summary>Its shared tags (3.14, latest): indexes written after every image was pushed.</summary>
        public IReadOnlyList<string> SharedTags { get; }
    }

    /// <summary>A result and, when it failed, why (the exception the module turns into an error record).</summary>
    public sealed class PublishOutcome
    {
        /// <summary>An outcome.</summary>
        public PublishOutcome(PublishResult result, Exception? failure = null)
        {
            Result = result;
            Failure = failure;
        }

        /// <summary>The result.</summary>
        public PublishResult Result { get; }

        /// <summary>The failure (a <see cref="RegistryException"/>, or an engine exception), when there is one.</summary>
        public Exception? Failure { get; }
    }

    /// <summary>Progress of a publish: which reference, and the engine's per-layer message.</summary>
    public sealed class PublishProgress
    {
        /// <summary>A progress message.</summary>
        public PublishProgress(string reference, PushEvent layer)
        {
            Reference = reference;
            Layer = layer;
        }

        /// <summary>The reference being pushed.</summary>
        public string Reference { get; }

        /// <summary>The engine's message.</summary>
        public PushEvent Layer { get; }
    }

    /// <summary>
    /// Publishes images to one registry namespace: every tag through the engine's push API, then every shared tag as an
    /// index (Docker manifest list or OCI image index) of the pushed manifests, written through the registry API with the
    /// platform of each image read from its config. Every read of the registry on the way to a push asks for the pull,push
    /// scope (one token for the repository): a registry like Docker Hub refuses a pull-only token for a repository that
    /// does not exist yet, which would fail the first publish of a repository.
    /// </summary>
    public sealed partial class ImagePublisher : IDisposable
    {
        private readonly IDockerEngine? engine;
        private readonly RegistryClient client;
        private readonly RegistryClientOptions options;
        private readonly string namespacePath;
        private readonly Dictionary<string, ImagePlatform> platforms = new Dictionary<string, ImagePlatform>(StringComparer.Ordinal);
        private readonly Dictionary<string, SharedTag> shared = new Dictionary<string, SharedTag>(StringComparer.Ordinal);

        private IDockerEngine Engine => engine ?? throw new InvalidOperationException("This publisher has no engine: it only writes the indexes of shared tags.");

        /// <summary>
        /// A publisher to <paramref name="registryPrefix"/> (host[:port]/namespace, validated here) of images on
        /// <paramref name="engine"/>; without an engine it only writes shared tags' indexes of images already in the registry
        /// (<see cref="AddPushedAsync"/>), and <see cref="PushAsync"/> is refused.
        /// </summary>
        public ImagePublisher(IDockerEngine? engine, string registryPrefix, RegistryClientOptions options)
        {
            RegistryHost = ParseRegistry(registryPrefix, out namespacePath);
            this.engine = engine;
            this.options = options;
            client = RegistryClient.Create(RegistryHost, options);
        }

        /// <summary>The host[:port] of <paramref name="registryPrefix"/> (host[:port]/namespace), and its namespace; a
        /// <see cref="RegistryException"/> (<see cref="PublishErrorIds.InvalidRegistry"/>) when it is not one.</summary>
        public static string ParseRegistry(string registryPrefix, out string namespacePath)
        {
            string trimmed = (registryPrefix ?? string.Empty).TrimEnd('/');
            string? why = InputGrammar.RegistryPrefix.Why(trimmed);
            if (why == null && !ImageReference.NamesRegistryHost(trimmed.Split('/')[0]))
            {
                why = "it does not start with a registry host (a host has a '.' or a ':port', or is localhost)";
            }

            if (why != null)
            {
                throw new RegistryException(PublishErrorIds.InvalidRegistry, $"-Registry '{InputGrammar.Show(registryPrefix)}' is not accepted: {why}.");
            }

            int slash = trimmed.IndexOf('/');
            namespacePath = slash < 0 ? string.Empty : trimmed.Substring(slash + 1);
            return slash < 0 ? trimmed : trimmed.Substring(0, slash);
        }

        /// <summary>The registry host[:port].</summary>
        public string RegistryHost { get; }

        /// <summary>The shared tags whose index <see cref="PublishSharedTagsAsync"/> would write (full references).</summary>
        public IReadOnlyList<string> PendingSharedTags => shared.Keys.ToList();

        /// <summary>The registry client (tests and the module read manifests through it).</summary>
        public RegistryClient Client => client;

        /// <summary>The reference <paramref name="local"/> gets in the registry: host/namespace/last-component:tag.</summary>
        public ImageReference Destination(ImageReference local, string? tag = null)
        {
            string path = (namespacePath.Length > 0 ? namespacePath + "/" : string.Empty) + local.LastComponent;
            return ImageReference.Parse(RegistryHost + "/" + path + ":" + (tag ?? local.Tag ?? "latest"), PublishErrorIds.InvalidImage);
        }

        /// <summary>Checks that the registry answers and takes the login (before anything is pushed).</summary>
        public Task ConnectAsync(CancellationToken cancellationToken) => client.PingAsync(cancellationToken);

        /// <summary>Pushes every tag of <paramref name="target"/>: one outcome per tag, failures included.</summary>
        public async Task<IReadOnlyList<PublishOutcome>> PushAsync(PublishTarget target, Func<PublishResult, bool> shouldPush, IProgress<PublishProgress>? progress, CancellationToken cancellationToken)
        {
            var outcomes = new List<PublishOutcome>();
            PublishedImage? first = null;
            string? firstFailure = null;
            bool skipped = false;
            try
            {
                var image = await Engine.InspectImageAsync(target.Image, cancellationToken).ConfigureAwait(false);
                if (image == null)
                {
                    var failure = new RegistryException(PublishErrorIds.ImageNotFound, $"No image '{target.Image}' on the engine at {Engine.Endpoint}.", RegistryHost);
                    foreach (var tag in target.Tags)
                    {
                        outcomes.Add(new PublishOutcome(new PublishResult { Reference = Destination(tag).ToString(), Source = target.Image, Status = PublishStatus.Failed, Reason = failure.Message }, outcomes.Count == 0 ? failure : null));
                    }

                    Remember(target, null, null, failure.Message);
                    return outcomes;
                }

                foreach (var tag in target.Tags)
                {
                    var destination = Destination(tag);
                    var result = new PublishResult { Reference = destination.ToString(), Source = target.Image };
                    try
                    {
                        var existing = await client.GetManifestAsync(destination.Path, destination.Tag!, cancellationToken, forPush: true).ConfigureAwait(false);
                        if (existing != null && !MediaTypes.IsIndex(existing.MediaType) && string.Equals(existing.ConfigDigest, image.Id, StringComparison.Ordinal))
                        {
                            var present = await DescribeAsync(destination, existing, cancellationToken).ConfigureAwait(false);
                            Fill(result, present, PublishStatus.AlreadyPresent);
                            first ??= present;
                            outcomes.Add(new PublishOutcome(result));
                            continue;
                        }

                        if (!shouldPush(result))
                        {
                            skipped = true;
                            continue;
                        }

                        var published = await TagAndPushAsync(image.Id, destination, progress, cancellationToken).ConfigureAwait(false);
                        Fill(result, published, PublishStatus.Pushed);
                        first ??= published;
                        outcomes.Add(new PublishOutcome(result));
                    }
                    catch (RegistryException ex)
                    {
                        result.Status = PublishStatus.Failed;
                        result.Reason = ex.Message;
                        firstFailure ??= ex.Message;
                        outcomes.Add(new PublishOutcome(result, ex));
                    }
                }
            }
            catch (Exception ex)
            {
                // Any other failure (the engine refusing to tag an image, a cancellation) stops this image here: it is
                // recorded as not published, so that its shared tags are not written without it, and goes on as before.
                Remember(target, null, null, firstFailure ?? ex.Message);
                throw;
            }

            Remember(target, first, target.Tags.Count > 0 ? target.Tags[0] : null, firstFailure, skipped);
            return outcomes;
        }

        /// <summary>
        /// Tags image <paramref name="imageId"/> as <paramref name="destination"/> on the engine, pushes it and reads back the
        /// manifest this push stored: by the digest the engine reported (another push of the same tag by another CI leg
        /// right after it must not be taken for ours), else by the tag.
        /// </summary>
        private async Task<PublishedImage> TagAndPushAsync(string imageId, ImageReference destination, IProgress<PublishProgress>? progress, CancellationToken cancellationToken)
        {
            await Engine.TagImageAsync(imageId, destination.Repository, destination.Tag!, cancellationToken).ConfigureAwait(false);
            string reference = destination.ToString();
            var pushed = await Engine.PushImageAsync(
                new EnginePushRequest
                {
                    Repository = destination.Repository,
                    Tag = destination.Tag!,
                    ServerAddress = DockerCredentials.IsDockerHub(RegistryHost) ? DockerCredentials.DockerHubKey : RegistryHost,
                    Credential = options.Credential,
                },
                progress == null ? null : new ForwardProgress(e => progress.Report(new PublishProgress(reference, e))),
                cancellationToken).ConfigureAwait(false);
            if (!pushed.Succeeded)
            {
                throw new RegistryException(PublishErrorIds.PushFailed, $"The engine could not push {reference}: {pushed.ErrorMessage}", RegistryHost);
            }

            // The manifest this push stored, by the digest the engine reported: another push of the same tag
            // (another CI leg) right after it must not be taken for ours. Without a digest, the tag is read.
            var manifest = await client.GetManifestAsync(destination.Path, pushed.Digest ?? destination.Tag!, cancellationToken, forPush: true).ConfigureAwait(false)
                ?? throw new RegistryException(PublishErrorIds.RegistryError, $"The registry {RegistryHost} has no manifest {(pushed.Digest != null ? pushed.Digest + " " : string.Empty)}for {reference} right after the push.", RegistryHost, statusCode: 404);
            return await DescribeAsync(destination, manifest, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Writes the index of every shared tag collected by <see cref="PushAsync"/>: one outcome per shared tag.</summary>
        public async Task<IReadOnlyList<PublishOutcome>> PublishSharedTagsAsync(Func<PublishResult, bool> shouldWrite, CancellationToken cancellationToken)
        {
            var outcomes = new List<PublishOutcome>();
            foreach (var pair in shared)
            {
                var tag = pair.Value;
                var result = new PublishResult
                {
                    Reference = tag.Destination.ToString(),
                    IsIndex = true,
                    Source = string.Join(", ", tag.Images.Select(i => i.Source).Concat(tag.Failed.Select(f => f.Key)).Distinct(StringComparer.Ordinal)),
                    Platform = string.Join(", ", tag.Images.Select(i => i.Platform.ToString()).Distinct(StringComparer.Ordinal)),
                };
                if (tag.Skipped)
                {
                    shouldWrite(result);
                    continue;
                }

                try
                {
                    if (tag.Failed.Count > 0)
                    {
                        throw new RegistryException(PublishErrorIds.PushFailed, $"The index of {result.Reference} was not written: {string.Join("; ", tag.Failed.Select(f => f.Key + " " + f.Value))}.", RegistryHost);
                    }

                    var entries = tag.Images.Select(i => new IndexEntry(i.Digest, i.MediaType, i.ManifestSize, i.Platform, i.Source)).ToList();
                    var existing = await client.GetManifestAsync(tag.Destination.Path, tag.Destination.Tag!, cancellationToken, forPush: true).ConfigureAwait(false);
                    if (existing != null && MediaTypes.IsIndex(existing.MediaType))
                    {
                        entries = Merge(entries, existing.IndexEntries());
                    }

                    byte[] index = ImageIndexBuilder.Build(result.Reference, entries, out string mediaType);
                    string digest = RegistryClient.Digest(index);
                    result.Platform = string.Join(", ", entries.Where(e => !e.IsAttestation).Select(e => e.Platform.ToString()).Distinct(StringComparer.Ordinal));
                    result.Size = tag.Images.GroupBy(i => i.Digest, StringComparer.Ordinal).Sum(g => g.First().ContentSize);
                    if (existing != null && MediaTypes.IsIndex(existing.MediaType) && SameEntries(existing, entries))
                    {
                        result.Digest = existing.Digest;
                        result.Status = PublishStatus.AlreadyPresent;
                        outcomes.Add(new PublishOutcome(result));
                        continue;
                    }

                    if (!shouldWrite(result))
                    {
                        continue;
                    }

                    result.Digest = await client.PutManifestAsync(tag.Destination.Path, tag.Destination.Tag!, mediaType, index, cancellationToken).ConfigureAwait(false);
                    result.Status = digest == result.Digest ? PublishStatus.Pushed : PublishStatus.Failed;
                    outcomes.Add(new PublishOutcome(result));
                }
                catch (RegistryException ex)
                {
                    result.Status = PublishStatus.Failed;
                    result.Reason = ex.Message;
                    result.Digest = null;
                    outcomes.Add(new PublishOutcome(result, ex));
                }
            }

            shared.Clear();
            return outcomes;
        }

        /// <summary>
        /// The entries of the new index: <paramref name="mine"/>, then the images of the existing index on other platforms
        /// (Windows images published from a Windows engine stay), then its attestations (buildx provenance and SBOMs) except
        /// those about a manifest that is no longer listed (one this publish replaces).
        /// </summary>
        private static List<IndexEntry> Merge(List<IndexEntry> mine, IReadOnlyList<IndexEntry> existing)
        {
            var platforms = new HashSet<ImagePlatform>(mine.Select(e => e.Platform));
            var merged = new List<IndexEntry>(mine);
            merged.AddRange(existing.Where(e => !e.IsAttestation && !platforms.Contains(e.Platform)));
            var listed = new HashSet<string>(merged.Select(e => e.Digest), StringComparer.Ordinal);
            merged.AddRange(existing.Where(e => e.IsAttestation && (e.AttestationOf == null || listed.Contains(e.AttestationOf))));
            return merged;
        }

        private static bool SameEntries(ManifestInfo existing, List<IndexEntry> entries)
        {
            var have = existing.IndexEntries().Select(e => e.Digest + " " + e.Platform).OrderBy(s => s, StringComparer.Ordinal);
            var want = entries.Select(e => e.Digest + " " + e.Platform).Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal);
            return have.SequenceEqual(want, StringComparer.Ordinal);
        }

        private void Remember(PublishTarget target, PublishedImage? image, ImageReference? firstTag, string? failure, bool skipped = false)
        {
            var local = firstTag ?? (target.Tags.Count > 0 ? target.Tags[0] : null);
            if (local == null)
            {
                return;
            }

            foreach (var sharedTag in target.SharedTags)
            {
                var destination = Destination(local, sharedTag);
                string key = destination.ToString();
                if (!shared.TryGetValue(key, out var entry))
                {
                    entry = new SharedTag(destination);
                    shared.Add(key, entry);
                }

                if (failure == null && skipped)
                {
                    entry.Skipped = true;
                }
                else if (image != null && failure == null)
                {
                    entry.Images.Add(image);
                }
                else
                {
                    entry.Failed.Add(new KeyValuePair<string, string>(target.Image, "was not published (" + (failure ?? "its push failed") + ")"));
                }
            }
        }

        private static void Fill(PublishResult result, PublishedImage image, PublishStatus status)
        {
            result.Digest = image.Digest;
            result.Size = image.ContentSize;
            result.Platform = image.Platform.ToString();
            result.Status = status;
        }

        private async Task<PublishedImage> DescribeAsync(ImageReference destination, ManifestInfo manifest, CancellationToken cancellationToken)
        {
            string configDigest = manifest.ConfigDigest
                ?? throw new RegistryException(PublishErrorIds.RegistryError, $"The manifest of {destination} names no image config.", RegistryHost);
            if (LedgerGrammar.Digest.Why(configDigest) is { } bad)
            {
                throw new RegistryException(PublishErrorIds.RegistryError, $"The manifest of {destination} names the image config '{InputGrammar.Show(configDigest)}', which is not accepted: {bad}.", RegistryHost);
            }

            if (!platforms.TryGetValue(configDigest, out var platform))
            {
                byte[] config = await client.GetBlobAsync(destination.Path, configDigest, cancellationToken, forPush: true).ConfigureAwait(false);
                platform = ImagePlatform.FromConfig(config);
                platforms[configDigest] = platform;
            }

            long size = 0;
            using (var doc = JsonDocument.Parse(manifest.Content))
            {
                if (doc.RootElement.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty("size", out var cs) && cs.ValueKind == JsonValueKind.Number && cs.TryGetInt64(out long configSize))
                {
                    size += configSize;
                }

                if (doc.RootElement.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array)
                {
                    foreach (var layer in layers.EnumerateArray())
                    {
                        if (layer.ValueKind == JsonValueKind.Object && layer.TryGetProperty("size", out var ls) && ls.ValueKind == JsonValueKind.Number && ls.TryGetInt64(out long layerSize))
                        {
                            size += layerSize;
                        }
                    }
                }
            }

            return new PublishedImage(destination.ToString(), manifest.Digest, manifest.MediaType, manifest.Size, size, platform);
        }

        /// <inheritdoc/>
        public void Dispose() => client.Dispose();

        private sealed class PublishedImage
        {
            public PublishedImage(string source, string digest, string mediaType, long manifestSize, long contentSize, ImagePlatform platform)
            {
                Source = source;
                Digest = digest;
                MediaType = mediaType;
                ManifestSize = manifestSize;
                ContentSize = contentSize;
                Platform = platform;
            }

            public string Source { get; }

            public string Digest { get; }

            public string MediaType { get; }

            public long ManifestSize { get; }

            public long ContentSize { get; }

            public ImagePlatform Platform { get; }
        }

        private sealed class SharedTag
        {
            public SharedTag(ImageReference destination)
            {
                Destination = destination;
            }

            public ImageReference Destination { get; }

            public List<PublishedImage> Images { get; } = new List<PublishedImage>();

            public List<KeyValuePair<string, string>> Failed { get; } = new List<KeyValuePair<string, string>>();

            /// <summary>An image of the tag was not pushed (-WhatIf): the index is only announced.</summary>
            public bool Skipped { get; set; }
        }

        private sealed class ForwardProgress : IProgress<PushEvent>
        {
            private readonly Action<PushEvent> action;

            public ForwardProgress(Action<PushEvent> action)
            {
                this.action = action;
            }

            public void Report(PushEvent value) => action(value);
        }
    }
}
