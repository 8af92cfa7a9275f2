using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using PythonImages.Publish;
using PythonImages.Security;

namespace PythonImages.Engine.Registry
{
    /// <summary>The platform an image runs on, as an image index lists it (read from the image's config).</summary>
    public sealed class ImagePlatform : IEquatable<ImagePlatform>
    {
        /// <summary>A platform.</summary>
        public ImagePlatform(string os, string architecture, string? variant = null, string? osVersion = null)
        {
            OS = os;
            Architecture = architecture;
            Variant = string.IsNullOrEmpty(variant) ? null : variant;
            OSVersion = string.IsNullOrEmpty(osVersion) ? null : osVersion;
            Slot = SlotOf(os, architecture, Variant, OSVersion);
        }

        /// <summary>
        /// The platform as an index slot: normalised the way containerd matches platforms (arm64/v8 is arm64, arm is
        /// arm/v7, x86_64 is amd64, ...), and a Windows os.version up to its build number (10.0.20348.2655 and
        /// 10.0.20348.2700 are one slot: a rebuild replaces the other). Two images of one slot collide; equality is by slot.
        /// </summary>
        public string Slot { get; }

        /// <summary>linux or windows.</summary>
        public string OS { get; }

        /// <summary>amd64, arm64, arm, ...</summary>
        public string Architecture { get; }

        /// <summary>v7, v8, ... when there is one.</summary>
        public string? Variant { get; }

        /// <summary>The Windows build (10.0.26100.1234), for Windows images.</summary>
        public string? OSVersion { get; }

        /// <summary>The platform fields of an image config (os, architecture, variant, os.version).</summary>
        public static ImagePlatform FromConfig(byte[] config)
        {
            try
            {
                using var doc = JsonDocument.Parse(config);
                var root = doc.RootElement;
                string? Field(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                string? os = Field("os");
                string? architecture = Field("architecture");
                if (string.IsNullOrEmpty(os) || string.IsNullOrEmpty(architecture))
                {
                    throw new RegistryException(PublishErrorIds.RegistryError, "The image config has no os or architecture.", statusCode: 0);
                }

                string? Checked(string name, string? value)
                {
                    if (string.IsNullOrEmpty(value))
                    {
                        return null;
                    }

                    if (RegistryGrammar.PlatformField.Why(value) is { } why)
                    {
                        throw new RegistryException(PublishErrorIds.RegistryError, $"The image config's {name} '{InputGrammar.Show(value)}' is not accepted: {why}.");
                    }

                    return value;
                }

                return new ImagePlatform(Checked("os", os)!, Checked("architecture", architecture)!, Checked("variant", Field("variant")), Checked("os.version", Field("os.version")));
            }
            catch (JsonException ex)
            {
                throw new RegistryException(PublishErrorIds.RegistryError, "The image config is not JSON: " + ex.Message, inner: ex);
            }
        }

        /// <summary>os/architecture[/variant][ (os.version)], e.g. linux/arm/v7 or windows/amd64 (10.0.26100.1234).</summary>
        public override string ToString() =>
            OS + "/" + Architecture + (Variant != null ? "/" + Variant : string.Empty) + (OSVersion != null ? " (" + OSVersion + ")" : string.Empty);

        /// <inheritdoc/>
        public bool Equals(ImagePlatform? other) => other is not null && string.Equals(Slot, other.Slot, StringComparison.Ordinal);

        /// <inheritdoc/>
        public override bool Equals(object? obj) => Equals(obj as ImagePlatform);

        /// <inheritdoc/>
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Slot);

        private static string SlotOf(string os, string architecture, string? variant, string? osVersion)
        {
            os = os.ToLowerInvariant();
            string arch = architecture.ToLowerInvariant();
            string v = (variant ?? string.Empty).ToLowerInvariant();
            if (arch == "x86_64" || arch == "x86-64" || arch == "amd64")
            {
                arch = "amd64";
                v = v == "v1" ? string.Empty : v;
            }
            else if (arch == "aarch64" || arch == "arm64")
            {
                arch = "arm64";
                v = v == "8" || v == "v8" || v == "v8.0" ? string.Empty : v == "9" || v == "9.0" || v == "v9.0" ? "v9" : v;
            }
            else if (arch == "i386")
            {
                arch = "386";
                v = string.Empty;
            }
            else if (arch == "armhf" || arch == "armel")
            {
                v = arch == "armhf" ? "v7" : "v6";
                arch = "arm";
            }
            else if (arch == "arm")
            {
                // As containerd: no variant is v7, and only the digits 5 to 8 gain a 'v' (a '3' or a '9' stays as written).
                v = v.Length == 0 ? "v7" : v == "5" || v == "6" || v == "7" || v == "8" ? "v" + v : v;
            }

            string build = string.Empty;
            if (osVersion != null)
            {
                // major.minor.build: the revision after it changes with every monthly update of the same Windows release.
                var parts = osVersion.Split('.');
                build = string.Join(".", parts.Take(os == "windows" ? 3 : parts.Length));
            }

            return os + "/" + arch + (v.Length > 0 ? "/" + v : string.Empty) + (build.Length > 0 ? " (" + build + ")" : string.Empty);
        }
    }

    /// <summary>One manifest an index points at.</summary>
    public sealed class IndexEntry
    {
        private static readonly IReadOnlyList<KeyValuePair<string, string>> None = Array.Empty<KeyValuePair<string, string>>();

        /// <summary>An entry.</summary>
        public IndexEntry(string digest, string mediaType, long size, ImagePlatform platform, string source, IReadOnlyList<KeyValuePair<string, string>>? annotations = null)
        {
            Digest = digest;
            MediaType = mediaType;
            Size = size;
            Platform = platform;
            Source = source;
            Annotations = annotations ?? None;
        }

        /// <summary>sha256:... of the manifest.</summary>
        public string Digest { get; }

        /// <summary>The manifest's media type.</summary>
        public string MediaType { get; }

        /// <summary>The manifest's size in bytes.</summary>
        public long Size { get; }

        /// <summary>Its platform.</summary>
        public ImagePlatform Platform { get; }

        /// <summary>Which pushed reference it is (for messages).</summary>
        public string Source { get; }

        /// <summary>The entry's annotations, in their order (written back as they were read).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Annotations { get; }

        /// <summary>Whether it is an attestation manifest (buildx provenance or SBOM) rather than an image.</summary>
        public bool IsAttestation => Annotations.Any(a => a.Key == ManifestInfo.ReferenceTypeAnnotation && a.Value == "attestation-manifest");

        /// <summary>The manifest an attestation is about (its <see cref="ManifestInfo.ReferenceDigestAnnotation"/>), or null.</summary>
        public string? AttestationOf => IsAttestation ? Annotations.Where(a => a.Key == ManifestInfo.ReferenceDigestAnnotation).Select(a => a.Value).FirstOrDefault() : null;
    }

    /// <summary>Media types of the distribution API.</summary>
    public static class MediaTypes
    {
        /// <summary>Docker image manifest, schema 2.</summary>
        public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

        /// <summary>Docker manifest list.</summary>
        public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

        /// <summary>OCI image manifest.</summary>
        public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

        /// <summary>OCI image index.</summary>
        public const string OciIndex = "application/vnd.oci.image.index.v1+json";

        /// <summary>What a manifest GET accepts.</summary>
        public static readonly string[] Accepted = { OciIndex, DockerManifestList, OciManifest, DockerManifest };

        /// <summary>Whether <paramref name="mediaType"/> is an index or manifest list.</summary>
        public static bool IsIndex(string? mediaType) => mediaType == OciIndex || mediaType == DockerManifestList;
    }

    /// <summary>Writes the index of a shared tag.</summary>
    public static class ImageIndexBuilder
    {
        /// <summary>
        /// The index for <paramref name="entries"/>: a Docker manifest list when every entry is a Docker manifest without
        /// annotations, else an OCI image index. Two images with the same platform are an error
        /// (<see cref="PublishErrorIds.PlatformCollision"/>); attestation entries (unknown/unknown) are not images and
        /// never collide. Annotations are written as they were read.
        /// </summary>
        public static byte[] Build(string tag, IReadOnlyList<IndexEntry> entries, out string mediaType)
        {
            var collision = entries.Where(e => !e.IsAttestation).GroupBy(e => e.Platform).FirstOrDefault(g => g.Select(e => e.Digest).Distinct(StringComparer.Ordinal).Count() > 1);
            if (collision != null)
            {
                throw new RegistryException(
                    PublishErrorIds.PlatformCollision,
                    $"The shared tag '{tag}' would list two images for the platform {collision.Key}: {string.Join(" and ", collision.Select(e => e.Source).Distinct(StringComparer.Ordinal))}; its index was not written.");
            }

            var unique = entries.GroupBy(e => e.Digest, StringComparer.Ordinal).Select(g => g.First()).ToList();
            mediaType = unique.All(e => e.MediaType == MediaTypes.DockerManifest && e.Annotations.Count == 0) ? MediaTypes.DockerManifestList : MediaTypes.OciIndex;
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteNumber("schemaVersion", 2);
                json.WriteString("mediaType", mediaType);
                json.WriteStartArray("manifests");
                foreach (var e in unique)
                {
                    json.WriteStartObject();
                    json.WriteString("mediaType", e.MediaType);
                    json.WriteNumber("size", e.Size);
                    json.WriteString("digest", e.Digest);
                    json.WriteStartObject("platform");
                    json.WriteString("architecture", e.Platform.Architecture);
                    json.WriteString("os", e.Platform.OS);
                    if (e.Platform.OSVersion != null)
                    {
                        json.WriteString("os.version", e.Platform.OSVersion);
                    }

                    if (e.Platform.Variant != null)
                    {
                        json.WriteString("variant", e.Platform.Variant);
                    }

                    json.WriteEndObject();
                    if (e.Annotations.Count > 0)
                    {
                        json.WriteStartObject("annotations");
                        foreach (var a in e.Annotations)
                        {
                            json.WriteString(a.Key, a.Value);
                        }

                        json.WriteEndObject();
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            return buffer.ToArray();
        }
    }
}
