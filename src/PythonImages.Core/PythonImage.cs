using System;
using System.Collections.Generic;

namespace PythonImages
{
    /// <summary>
    /// One python image (version × variant): the unit that flows through the module's pipeline
    /// (Get-PythonTag → New-PythonDockerfile → Invoke-PythonImageBuild → Test-PythonImage, and the manifest cmdlets).
    /// </summary>
    public sealed class PythonImage
    {
        /// <summary>
        /// An image of <paramref name="versionKey"/>, <paramref name="version"/> and <paramref name="variant"/>; the variant
        /// is parsed (<see cref="VariantInfo"/>), and Family, OS and BaseImage start as its form says.
        /// </summary>
        public PythonImage(string versionKey, string version, string variant)
            : this(versionKey, version, variant, variant == null ? null : VariantInfo.TryParse(variant, out _))
        {
        }

        /// <summary>An image of <paramref name="versionKey"/>, <paramref name="version"/> and the parsed <paramref name="variant"/>.</summary>
        public PythonImage(string versionKey, string version, VariantInfo variant)
            : this(versionKey, version, (variant ?? throw new ArgumentNullException(nameof(variant))).Path, variant)
        {
        }

        private PythonImage(string versionKey, string version, string variant, VariantInfo? info)
        {
            VersionKey = versionKey;
            Version = version;
            Variant = variant;
            VariantInfo = info;
            if (info != null)
            {
                Family = info.Family;
                OS = info.OS;
                BaseImage = info.BaseImage;
            }
        }

        /// <summary>Matrix key, e.g. 3.14 or 3.15-rc.</summary>
        public string VersionKey { get; }

        /// <summary>Full Python version, e.g. 3.14.6.</summary>
        public string Version { get; }

        /// <summary>The variant as written in the matrix (windows/windowsservercore-ltsc2025 keeps its prefix).</summary>
        public string Variant { get; }

        /// <summary>
        /// The parsed variant (family, OS, distribution, name); null when <see cref="Variant"/> is none of the four known
        /// forms (an old manifest's nanoserver entry, say).
        /// </summary>
        public VariantInfo? VariantInfo { get; }

        /// <summary>The variant's basename, the tag suffix (windowsservercore-ltsc2025).</summary>
        public string VariantName => VariantInfo?.Name ?? VariantInfo.NameOf(Variant);

        /// <summary>Debian full or slim, Alpine or Windows Server Core.</summary>
        public ImageFamily Family { get; set; }

        /// <summary>Linux or Windows.</summary>
        public ImageOS OS { get; set; }

        /// <summary>The FROM image, e.g. buildpack-deps:trixie.</summary>
        public string? BaseImage { get; set; }

        /// <summary>Directory of the Dockerfile relative to the images root, e.g. 3.14/trixie.</summary>
        public string Directory { get; set; } = string.Empty;

        /// <summary>The simple tags, most specific first.</summary>
        public string[] Tags { get; set; } = Array.Empty<string>();

        /// <summary>The shared tags (one name for the Linux and Windows images of a version).</summary>
        public string[] SharedTags { get; set; } = Array.Empty<string>();

        /// <summary>The bashbrew architectures it is built for.</summary>
        public string[] Architectures { get; set; } = Array.Empty<string>();

        /// <summary>Manifest Constraints (Windows: the variant basename).</summary>
        public string[] Constraints { get; set; } = Array.Empty<string>();

        /// <summary>Manifest Builder for this entry (Windows: classic); null inherits the file's default.</summary>
        public string? Builder { get; set; }

        /// <summary>The matrix entry the image was computed from (checksums, setuptools); null for images read from a manifest.</summary>
        public MatrixVersion? Release { get; set; }

        // Manifest-only data (Import-PythonLibraryManifest, Export-PythonLibraryManifest).
        /// <summary>The manifest's GitRepo of this entry, when it differs from the header's.</summary>
        public string? GitRepo { get; set; }

        /// <summary>The manifest's GitFetch.</summary>
        public string? GitFetch { get; set; }

        /// <summary>The commit of the Dockerfile (set by Export- and Import-PythonLibraryManifest).</summary>
        public string? GitCommit { get; set; }

        /// <summary>The manifest's File, when not Dockerfile.</summary>
        public string? File { get; set; }

        /// <summary>Per-architecture overrides from a manifest (e.g. "arm64v8-GitCommit" → value), kept as read.</summary>
        public IDictionary<string, string> ArchitectureFields
        {
            // Made on first use: most images (every image of a matrix) never have any, and a large matrix has thousands.
            get => architectureFields
                ?? System.Threading.Interlocked.CompareExchange(ref architectureFields, new Dictionary<string, string>(StringComparer.Ordinal), null)
                ?? architectureFields!;
            set => architectureFields = value;
        }

        private IDictionary<string, string>? architectureFields;

        /// <summary>The manifest header an imported image was read with (null for images computed from the matrix).</summary>
        public ManifestHeader? ManifestHeader { get; set; }

        /// <summary>The line of the entry in its manifest file (0 when not imported).</summary>
        public int ManifestLine { get; set; }

        // Filled by New-PythonDockerfile.
        /// <summary>The generated Dockerfile (set by New-PythonDockerfile).</summary>
        public string? DockerfilePath { get; set; }

        /// <summary>The build context folder (set by New-PythonDockerfile).</summary>
        public string? ContextPath { get; set; }

        /// <summary>A copy (arrays and dictionaries copied too; Release shared), so that a cmdlet or a user can change an image without changing its source.</summary>
        public PythonImage Clone()
        {
            var c = (PythonImage)MemberwiseClone();
            c.Tags = (string[])Tags.Clone();
            c.SharedTags = (string[])SharedTags.Clone();
            c.Architectures = (string[])Architectures.Clone();
            c.Constraints = (string[])Constraints.Clone();
            c.architectureFields = architectureFields == null ? null : new Dictionary<string, string>(architectureFields, StringComparer.Ordinal);
            return c;
        }

        /// <inheritdoc/>
        public override string ToString() => Tags.Length > 0 ? Tags[0] : VersionKey + "/" + Variant;
    }
}
