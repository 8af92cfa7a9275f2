using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages.Ledger
{
    /// <summary>
    /// What one build of one image on one platform was made of and produced: the inputs that decide whether it must be
    /// built again (Dockerfile, context, build arguments, base image) and its outputs (image id, tags, pushed digests).
    /// </summary>
    public sealed class LedgerEntry
    {
        /// <summary>What names the image: its matrix directory (3.14/slim-trixie), or the full path of its Dockerfile.</summary>
        public string Image { get; set; } = string.Empty;

        /// <summary>The platform it was built for (linux/amd64).</summary>
        public string Platform { get; set; } = string.Empty;

        /// <summary>The sha256 of the Dockerfile (64 lowercase hex digits).</summary>
        public string DockerfileSha256 { get; set; } = string.Empty;

        /// <summary>The digest of the build context as it is sent (every file's path, mode and content; .dockerignore applied).</summary>
        public string ContextDigest { get; set; } = string.Empty;

        /// <summary>The build arguments: name → fingerprint of the value (<see cref="BuildArgFingerprint"/>; values may be secrets and are never stored).</summary>
        public IDictionary<string, string> BuildArgs { get; set; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The base image the Dockerfile starts from (its first FROM), null when none could be read.</summary>
        public string? BaseImage { get; set; }

        /// <summary>The base image's id on the engine at build time (null for scratch, or when it was not there).</summary>
        public string? BaseImageId { get; set; }

        /// <summary>The base image's repository digest (sha256:...) when the engine knows one.</summary>
        public string? BaseImageDigest { get; set; }

        /// <summary>The image id the build produced.</summary>
        public string ImageId { get; set; } = string.Empty;

        /// <summary>The full references the image was tagged with (python:3.14-slim, ...).</summary>
        public IList<string> Tags { get; set; } = new List<string>();

        /// <summary>The image's shared tags (3.14, latest): Publish-PythonImage -SharedTagsOnly writes their indexes.</summary>
        public IList<string> SharedTags { get; set; } = new List<string>();

        /// <summary>When the image was built (UTC).</summary>
        public DateTime Created { get; set; }

        /// <summary>The registry references the image was pushed to → the manifest digest the registry holds.</summary>
        public IDictionary<string, string> Pushed { get; set; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The image and platform, as messages name an entry: 3.14/slim-trixie (linux/amd64).</summary>
        public string Key => KeyOf(Image, Platform);

        /// <summary>How messages name the entry of <paramref name="image"/> on <paramref name="platform"/>.</summary>
        public static string KeyOf(string image, string platform) => image + " (" + platform + ")";

        /// <summary>Whether <paramref name="other"/> records the same build: the same inputs, image id and tags (pushes aside).</summary>
        public bool SameBuild(LedgerEntry other) =>
            SameInputs(other)
            && string.Equals(ImageId, other.ImageId, StringComparison.Ordinal)
            && Tags.SequenceEqual(other.Tags, StringComparer.Ordinal)
            && SharedTags.SequenceEqual(other.SharedTags, StringComparer.Ordinal);

        /// <summary>Whether <paramref name="other"/> was built from the same inputs (Dockerfile, context, arguments, base image).</summary>
        public bool SameInputs(LedgerEntry other) =>
            string.Equals(Image, other.Image, StringComparison.Ordinal)
            && string.Equals(Platform, other.Platform, StringComparison.Ordinal)
            && string.Equals(DockerfileSha256, other.DockerfileSha256, StringComparison.Ordinal)
            && string.Equals(ContextDigest, other.ContextDigest, StringComparison.Ordinal)
            && SameArgs(BuildArgs, other.BuildArgs)
            && string.Equals(BaseImage, other.BaseImage, StringComparison.Ordinal)
            && string.Equals(BaseImageId, other.BaseImageId, StringComparison.Ordinal);

        /// <summary>A copy (its collections are copies too).</summary>
        public LedgerEntry Clone()
        {
            var copy = (LedgerEntry)MemberwiseClone();
            copy.BuildArgs = new SortedDictionary<string, string>(BuildArgs, StringComparer.Ordinal);
            copy.Tags = Tags.ToList();
            copy.SharedTags = SharedTags.ToList();
            copy.Pushed = new SortedDictionary<string, string>(Pushed, StringComparer.Ordinal);
            return copy;
        }

        /// <inheritdoc/>
        public override string ToString() => Key + " " + ImageId;

        private static bool SameArgs(IDictionary<string, string> a, IDictionary<string, string> b) =>
            a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out string? v) && string.Equals(v, kv.Value, StringComparison.Ordinal));
    }

    /// <summary>
    /// The build ledger: one <see cref="LedgerEntry"/> per image and platform. Not thread-safe; its users lock around it.
    /// Read and written by <see cref="LedgerJson"/>.
    /// </summary>
    public sealed class BuildLedger
    {
        /// <summary>The schema name every ledger file carries.</summary>
        public const string Schema = "pythonimages/build-ledger";

        /// <summary>The schema version this module reads and writes.</summary>
        public const int Version = 1;

        private readonly SortedDictionary<string, LedgerEntry> entries = new SortedDictionary<string, LedgerEntry>(StringComparer.Ordinal);

        /// <summary>The entries, ordered by image and platform.</summary>
        public IReadOnlyList<LedgerEntry> Entries => entries.Values.ToList();

        /// <summary>How many entries the ledger holds.</summary>
        public int Count => entries.Count;

        /// <summary>The entry of <paramref name="image"/> on <paramref name="platform"/>, or null.</summary>
        public LedgerEntry? Find(string image, string platform) =>
            entries.TryGetValue(IdOf(image, platform), out var entry) ? entry : null;

        /// <summary>Adds or replaces the entry of its image and platform.</summary>
        public void Set(LedgerEntry entry) => entries[IdOf(entry.Image, entry.Platform)] = entry;

        /// <summary>
        /// The entries whose image id or one of whose tags is one of <paramref name="sources"/>, by that name (an entry
        /// once per name, in ledger order), in one pass over the ledger: searching every entry's tags for each pushed
        /// reference made a ledger of a million tags and a push of 600 references take 6 s.
        /// </summary>
        public IReadOnlyDictionary<string, List<LedgerEntry>> EntriesOf(IEnumerable<string> sources)
        {
            var wanted = new HashSet<string>(sources, StringComparer.Ordinal);
            var result = new Dictionary<string, List<LedgerEntry>>(StringComparer.Ordinal);
            foreach (var entry in entries.Values)
            {
                Add(entry.ImageId, entry);
                foreach (string tag in entry.Tags)
                {
                    Add(tag, entry);
                }
            }

            return result;

            void Add(string name, LedgerEntry entry)
            {
                if (name == null || !wanted.Contains(name))
                {
                    return;
                }

                if (!result.TryGetValue(name, out var list))
                {
                    list = new List<LedgerEntry>();
                    result[name] = list;
                }

                if (list.Count == 0 || !ReferenceEquals(list[list.Count - 1], entry))
                {
                    list.Add(entry); // an entry's names are looked at together: a repeat of this entry is the last one
                }
            }
        }

        /// <summary>Whether an entry of that image and platform exists.</summary>
        public bool Contains(LedgerEntry entry) => entries.ContainsKey(IdOf(entry.Image, entry.Platform));

        private static string IdOf(string image, string platform) => image + "\n" + platform;
    }

    /// <summary>A ledger that cannot be read, merged or written: the catalogue id, and what to do.</summary>
    public sealed class LedgerException : Exception
    {
        /// <summary>A ledger failure with its <paramref name="errorId"/> (<see cref="LedgerErrorIds"/>).</summary>
        public LedgerException(string errorId, string message, string? recommendedAction = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            RecommendedAction = recommendedAction;
        }

        /// <summary>The catalogue id.</summary>
        public string ErrorId { get; }

        /// <summary>What to do, when more precise than the catalogue's action.</summary>
        public string? RecommendedAction { get; }
    }
}
