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
            VariantInfo = info;
            extras = new Extras { VersionKey = versionKey, Version = version, Variant = variant, Directory = string.Empty, DirectorySet = true };
        }

        /// <summary>
        /// An image computed from a matrix entry (<see cref="TagRules"/>): its Directory is VersionKey/Variant, made on first
        /// read, and <paramref name="architectures"/> is the array every image of the same base image shares, copied on the
        /// first read of <see cref="Architectures"/> (each image still owns its array).
        /// </summary>
        internal PythonImage(MatrixVersion entry, VariantInfo variant, string[] tags, string[] sharedTags, SharedArchitectures architectures)
        {
            origin = entry;
            VariantInfo = variant;
            Tags = tags;
            SharedTags = sharedTags;
            this.architectures = architectures;
        }

        // What an image holds, kept small: a large matrix makes thousands of images at once, and most of them are listed,
        // checked or turned into Dockerfiles without reading their manifest fields. So an image computed from a matrix
        // entry takes VersionKey, Version and Release from the entry and Variant from the parsed variant (an image made by
        // the public constructors keeps its strings in the side object), Family, OS and BaseImage come from the parsed
        // variant until they are set, Directory is made on each read until it is set (no field for it: a 1,000-version
        // matrix has 6,000 images), the architectures array of a computed image is shared until it is read, and the fields that only manifests and Dockerfiles fill live in a side object
        // made when one of them is set. None of this shows through the properties: each behaves as a plain field.
        private readonly MatrixVersion? origin; // the entry of an image computed from the matrix (null otherwise)
        private object? architectures = Array.Empty<string>(); // string[] owned by this image, or SharedArchitectures
        private Extras? extras;

        /// <summary>Matrix key, e.g. 3.14 or 3.15-rc.</summary>
        public string VersionKey => origin != null ? origin.Key.Text : extras!.VersionKey!;

        /// <summary>Full Python version, e.g. 3.14.6.</summary>
        public string Version => origin != null ? origin.Version.Text : extras!.Version!;

        /// <summary>The variant as written in the matrix (windows/windowsservercore-ltsc2025 keeps its prefix).</summary>
        public string Variant => origin != null ? VariantInfo!.Path : extras!.Variant!;

        /// <summary>
        /// The parsed variant (family, OS, distribution, name); null when <see cref="Variant"/> is none of the four known
        /// forms (an old manifest's nanoserver entry, say).
        /// </summary>
        public VariantInfo? VariantInfo { get; }

        /// <summary>The variant's basename, the tag suffix (windowsservercore-ltsc2025).</summary>
        public string VariantName => VariantInfo?.Name ?? VariantInfo.NameOf(Variant);

        /// <summary>Debian full or slim, Alpine or Windows Server Core.</summary>
        public ImageFamily Family
        {
            get => extras?.Family ?? (VariantInfo == null ? default : VariantInfo.Family);
            set => GetExtras().Family = value;
        }

        /// <summary>Linux or Windows.</summary>
        public ImageOS OS
        {
            get => extras?.OS ?? (VariantInfo == null ? default : VariantInfo.OS);
            set => GetExtras().OS = value;
        }

        /// <summary>The FROM image, e.g. buildpack-deps:trixie.</summary>
        public string? BaseImage
        {
            get => extras != null && extras.BaseImageSet ? extras.BaseImage : VariantInfo?.BaseImage;
            set
            {
                var e = GetExtras();
                e.BaseImage = value;
                e.BaseImageSet = true;
            }
        }

        /// <summary>Directory of the Dockerfile relative to the images root, e.g. 3.14/trixie.</summary>
        public string Directory
        {
            get => extras != null && extras.DirectorySet ? extras.Directory! : VersionKey + "/" + Variant;
            set
            {
                var e = GetExtras();
                e.Directory = value;
                e.DirectorySet = true;
            }
        }

        /// <summary>The simple tags, most specific first.</summary>
        public string[] Tags { get; set; } = Array.Empty<string>();

        /// <summary>The shared tags (one name for the Linux and Windows images of a version).</summary>
        public string[] SharedTags { get; set; } = Array.Empty<string>();

        /// <summary>The bashbrew architectures it is built for.</summary>
        public string[] Architectures
        {
            get
            {
                var current = architectures;
                if (current is SharedArchitectures shared)
                {
                    // First read: this image's own copy from now on (the same instance on every later read).
                    var own = (string[])shared.Items.Clone();
                    current = System.Threading.Interlocked.CompareExchange(ref architectures, own, shared);
                    return ReferenceEquals(current, shared) ? own : (string[])current!;
                }

                return (string[])current!;
            }

            set => architectures = value;
        }

        /// <summary>
        /// The architectures without making this image's own copy: for code of this assembly that only reads them and never
        /// hands the array out or changes it.
        /// </summary>
        internal string[] ArchitectureList => architectures is SharedArchitectures shared ? shared.Items : (string[])architectures!;

        /// <summary>Manifest Constraints (Windows: the variant basename).</summary>
        public string[] Constraints
        {
            get => extras == null ? Array.Empty<string>() : extras.Constraints;
            set => GetExtras().Constraints = value;
        }

        /// <summary>Manifest Builder for this entry (Windows: classic); null inherits the file's default.</summary>
        public string? Builder
        {
            get => extras?.Builder;
            set => GetExtras().Builder = value;
        }

        /// <summary>The matrix entry the image was computed from (checksums, setuptools); null for images read from a manifest.</summary>
        public MatrixVersion? Release
        {
            get => extras != null && extras.ReleaseSet ? extras.Release : origin;
            set
            {
                var e = GetExtras();
                e.Release = value;
                e.ReleaseSet = true;
            }
        }

        // Manifest-only data (Import-PythonLibraryManifest, Export-PythonLibraryManifest).
        /// <summary>The manifest's GitRepo of this entry, when it differs from the header's.</summary>
        public string? GitRepo
        {
            get => extras?.GitRepo;
            set => GetExtras().GitRepo = value;
        }

        /// <summary>The manifest's GitFetch.</summary>
        public string? GitFetch
        {
            get => extras?.GitFetch;
            set => GetExtras().GitFetch = value;
        }

        /// <summary>The commit of the Dockerfile (set by Export- and Import-PythonLibraryManifest).</summary>
        public string? GitCommit
        {
            get => extras?.GitCommit;
            set => GetExtras().GitCommit = value;
        }

        /// <summary>The manifest's File, when not Dockerfile.</summary>
        public string? File
        {
            get => extras?.File;
            set => GetExtras().File = value;
        }

        /// <summary>Per-architecture overrides from a manifest (e.g. "arm64v8-GitCommit" → value), kept as read.</summary>
        public IDictionary<string, string> ArchitectureFields
        {
            // Made on first use: most images (every image of a matrix) never have any, and a large matrix has thousands.
            get
            {
                var e = GetExtras();
                return e.ArchitectureFields
                    ?? System.Threading.Interlocked.CompareExchange(ref e.ArchitectureFields, new Dictionary<string, string>(StringComparer.Ordinal), null)
                    ?? e.ArchitectureFields!;
            }

            set => GetExtras().ArchitectureFields = value;
        }

        /// <summary>The manifest header an imported image was read with (null for images computed from the matrix).</summary>
        public ManifestHeader? ManifestHeader
        {
            get => extras?.ManifestHeader;
            set => GetExtras().ManifestHeader = value;
        }

        /// <summary>The line of the entry in its manifest file (0 when not imported).</summary>
        public int ManifestLine
        {
            get => extras == null ? 0 : extras.ManifestLine;
            set => GetExtras().ManifestLine = value;
        }

        // Filled by New-PythonDockerfile.
        /// <summary>The generated Dockerfile (set by New-PythonDockerfile).</summary>
        public string? DockerfilePath
        {
            get => extras?.DockerfilePath;
            set => GetExtras().DockerfilePath = value;
        }

        /// <summary>The build context folder (set by New-PythonDockerfile).</summary>
        public string? ContextPath
        {
            get => extras?.ContextPath;
            set => GetExtras().ContextPath = value;
        }

        /// <summary>A copy (arrays and dictionaries copied too; Release shared), so that a cmdlet or a user can change an image without changing its source.</summary>
        public PythonImage Clone()
        {
            var c = (PythonImage)MemberwiseClone();
            c.Tags = (string[])Tags.Clone();
            c.SharedTags = (string[])SharedTags.Clone();
            if (!(architectures is SharedArchitectures))
            {
                // A shared array stays shared: the copy makes its own on its first read, as this image does.
                c.architectures = (string[])((string[])architectures!).Clone();
            }

            if (extras != null)
            {
                c.extras = extras.Copy();
            }

            return c;
        }

        /// <inheritdoc/>
        public override string ToString() => Tags.Length > 0 ? Tags[0] : VersionKey + "/" + Variant;

        private Extras GetExtras() =>
            extras ?? System.Threading.Interlocked.CompareExchange(ref extras, new Extras(), null) ?? extras!;

        /// <summary>The values that most images never set (see the comment at the fields).</summary>
        private sealed class Extras
        {
            public string? VersionKey;
            public string? Version;
            public string? Variant;
            public bool ReleaseSet;
            public MatrixVersion? Release;
            public ImageFamily? Family;
            public ImageOS? OS;
            public bool BaseImageSet;
            public string? BaseImage;
            public bool DirectorySet;
            public string? Directory;
            public string[] Constraints = Array.Empty<string>();
            public string? Builder;
            public string? GitRepo;
            public string? GitFetch;
            public string? GitCommit;
            public string? File;
            public IDictionary<string, string>? ArchitectureFields;
            public ManifestHeader? ManifestHeader;
            public int ManifestLine;
            public string? DockerfilePath;
            public string? ContextPath;

            /// <summary>A copy for <see cref="Clone"/>: the Constraints array and the per-architecture fields copied.</summary>
            public Extras Copy()
            {
                var c = (Extras)MemberwiseClone();
                c.Constraints = (string[])Constraints.Clone();
                c.ArchitectureFields = ArchitectureFields == null ? null : new Dictionary<string, string>(ArchitectureFields, StringComparer.Ordinal);
                return c;
            }
        }
    }

    /// <summary>
    /// The architectures of one base image in one <see cref="TagRules.Compute(Matrix)"/>, shared by its images until one
    /// of them is asked for its own array.
    /// </summary>
    internal sealed class SharedArchitectures
    {
        public SharedArchitectures(string[] items) => Items = items;

        /// <summary>The architectures; never changed and never handed out.</summary>
        public string[] Items { get; }
    }
}
