using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages
{
    /// <summary>Image family, from the variant's form.</summary>
    public enum ImageFamily
    {
        /// <summary>Debian, full (buildpack-deps).</summary>
        DebianFull,
        /// <summary>Debian slim.</summary>
        DebianSlim,
        /// <summary>Alpine.</summary>
        Alpine,
        /// <summary>Windows Server Core.</summary>
        WindowsServerCore,
    }

    /// <summary>The operating system of an image's containers.</summary>
    public enum ImageOS
    {
        /// <summary>Linux containers.</summary>
        Linux,
        /// <summary>Windows containers.</summary>
        Windows,
    }

    /// <summary>A parsed matrix variant such as <c>trixie</c>, <c>slim-bookworm</c>, <c>alpine3.24</c> or <c>windows/windowsservercore-ltsc2025</c>.</summary>
    public sealed class VariantInfo
    {
        private VariantInfo(string path, ImageFamily family, string distro, string baseImage)
        {
            Path = path;
            Family = family;
            Distro = distro;
            BaseImage = baseImage;
        }

        /// <summary>The variant as written in the matrix (Windows variants keep their <c>windows/</c> prefix).</summary>
        public string Path { get; }

        /// <summary>The basename: the tag suffix (<c>windowsservercore-ltsc2025</c>).</summary>
        public string Name => NameOf(Path);

        /// <summary>
        /// The basename of a variant path: without the <c>windows/</c> prefix (the one place it is stripped), whether or
        /// not the rest is a known form.
        /// </summary>
        public static string NameOf(string path) =>
            path.StartsWith(WindowsPrefix, StringComparison.Ordinal) ? path.Substring(WindowsPrefix.Length) : path;

        /// <summary>The family the variant's name says.</summary>
        public ImageFamily Family { get; }

        /// <summary>The container OS of the family.</summary>
        public ImageOS OS => Family == ImageFamily.WindowsServerCore ? ImageOS.Windows : ImageOS.Linux;

        /// <summary>Debian suite (trixie), Alpine version (3.24) or Windows release (ltsc2025).</summary>
        public string Distro { get; }

        /// <summary>The FROM image.</summary>
        public string BaseImage { get; }

        /// <summary>A variant from the build-time matrix data (<see cref="MatrixData"/>): already parsed and checked.</summary>
        internal static VariantInfo FromData(string path, ImageFamily family, string distro, string baseImage) =>
            new VariantInfo(path, family, distro, baseImage);

        /// <summary>The prefix of the Windows variants.</summary>
        public const string WindowsPrefix = "windows/";

        // Anchored at the real end (\z: "$" also matches before a trailing newline); built on first use.
        private static System.Text.RegularExpressions.Regex? suite, alpineVersion, windowsRelease;

        private static System.Text.RegularExpressions.Regex Suite => suite ??= new System.Text.RegularExpressions.Regex(@"\A[a-z][a-z0-9]*\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        private static System.Text.RegularExpressions.Regex AlpineVersion => alpineVersion ??= new System.Text.RegularExpressions.Regex(@"\Aalpine([0-9]+\.[0-9]+)\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        private static System.Text.RegularExpressions.Regex WindowsRelease => windowsRelease ??= new System.Text.RegularExpressions.Regex(@"\Awindowsservercore-([a-z0-9]+)\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>Parses a variant; returns null and a reason when its form is not one of the four known forms.</summary>
        public static VariantInfo? TryParse(string path, out string reason)
        {
            reason = string.Empty;
            if (path.StartsWith(WindowsPrefix, StringComparison.Ordinal))
            {
                var m = WindowsRelease.Match(NameOf(path));
                if (!m.Success)
                {
                    reason = "a Windows variant must be windows/windowsservercore-<release>, e.g. windows/windowsservercore-ltsc2025";
                    return null;
                }

                return new VariantInfo(path, ImageFamily.WindowsServerCore, m.Groups[1].Value, "mcr.microsoft.com/windows/servercore:" + m.Groups[1].Value);
            }

            if (path.StartsWith("windowsservercore", StringComparison.Ordinal))
            {
                reason = "Windows variants live under windows/: write windows/" + path;
                return null;
            }

            var a = AlpineVersion.Match(path);
            if (a.Success)
            {
                return new VariantInfo(path, ImageFamily.Alpine, a.Groups[1].Value, "alpine:" + a.Groups[1].Value);
            }

            if (path.StartsWith("alpine", StringComparison.Ordinal))
            {
                reason = "an Alpine variant must be alpine<MAJOR.MINOR>, e.g. alpine3.24";
                return null;
            }

            if (path.StartsWith("slim-", StringComparison.Ordinal))
            {
                string suite = path.Substring(5);
                if (!Suite.IsMatch(suite))
                {
                    reason = "a slim variant must be slim-<suite>, e.g. slim-trixie";
                    return null;
                }

                return new VariantInfo(path, ImageFamily.DebianSlim, suite, "debian:" + suite + "-slim");
            }

            if (Suite.IsMatch(path))
            {
                return new VariantInfo(path, ImageFamily.DebianFull, path, "buildpack-deps:" + path);
            }

            reason = "known forms are <suite>, slim-<suite>, alpine<X.Y> and windows/windowsservercore-<release>";
            return null;
        }

        /// <inheritdoc/>
        public override string ToString() => Path;
    }

    /// <summary>One version key of the matrix: the full version, its checksums and its variants in priority order.</summary>
    public sealed class MatrixVersion
    {
        /// <summary>A version entry of the matrix.</summary>
        public MatrixVersion(VersionKey key, PythonVersion version, IReadOnlyList<VariantInfo> variants)
        {
            Key = key;
            Version = version;
            Variants = variants;
        }

        /// <summary>The version key (3.14, 3.15-rc).</summary>
        public VersionKey Key { get; }
        /// <summary>The full version (3.14.6).</summary>
        public PythonVersion Version { get; }
        /// <summary>The variants, in matrix order.</summary>
        public IReadOnlyList<VariantInfo> Variants { get; }
        /// <summary>The sha256 of the source tarball.</summary>
        public string? SourceSha256
        {
            get
            {
                var held = sourceSha256;
                if (held is Sha256Words words)
                {
                    // First read of a checksum read from a matrix file: its string from now on (unless it was set meanwhile).
                    string text = words.ToString();
                    held = System.Threading.Interlocked.CompareExchange(ref sourceSha256, text, words);
                    return ReferenceEquals(held, words) ? text : (string?)held;
                }

                return (string?)held;
            }

            set => sourceSha256 = value;
        }

        // The source sha256 as a string, or as its 32 bytes (Sha256Words) when it was read from a matrix file, until it is
        // first read: every version has one, and as a string of 64 characters it was 150 of the ~2,300 bytes a version of
        // a large matrix costs to load (issue 16's linear loading). None of this shows through the property.
        private object? sourceSha256;

        /// <summary>Sets <see cref="SourceSha256"/> from its 64 hexadecimal digits read as four words (shown in lowercase).</summary>
        internal void SetSourceSha256(Sha256Words words) => sourceSha256 = words;
        /// <summary>The sha256 of the Windows installer.</summary>
        public string? WindowsSha256
        {
            get => seldom?.WindowsSha256;
            set
            {
                if (value != null || seldom != null)
                {
                    (seldom ??= new SeldomFields()).WindowsSha256 = value;
                }
            }
        }

        /// <summary>The setuptools version pinned for this version (older series only).</summary>
        public string? SetuptoolsVersion
        {
            get => seldom?.SetuptoolsVersion;
            set
            {
                if (value != null || seldom != null)
                {
                    (seldom ??= new SeldomFields()).SetuptoolsVersion = value;
                }
            }
        }

        /// <summary>The release manager's PGP key fingerprint, when the matrix overrides it.</summary>
        public string? GpgKey
        {
            get => seldom?.GpgKey;
            set
            {
                if (value != null || seldom != null)
                {
                    (seldom ??= new SeldomFields()).GpgKey = value;
                }
            }
        }
        /// <summary>Architectures this version is not built for.</summary>
        public IReadOnlyList<string> ExcludeArchitectures { get; set; } = Array.Empty<string>();

        /// <summary>The line of this entry in its file (0 when built in code).</summary>
        public int Line { get; set; }

        /// <summary>
        /// The line of each variant in the matrix file, in order (null when built in code, or when they share one line,
        /// <see cref="VariantsLine"/>): for the load-time tag checks' messages.
        /// </summary>
        internal int[]? VariantLines
        {
            get => seldom?.VariantLines;
            set
            {
                if (value != null || seldom != null)
                {
                    (seldom ??= new SeldomFields()).VariantLines = value;
                }
            }
        }

        // The fields most versions leave empty (a Windows checksum, a setuptools pin, a key of their own, a line per
        // variant when they are on lines apart and not one a line), in a side object made when one is set: 24 bytes less
        // for each version of a large matrix.
        private SeldomFields? seldom;

        private sealed class SeldomFields
        {
            public string? WindowsSha256;
            public string? SetuptoolsVersion;
            public string? GpgKey;
            public int[]? VariantLines;
        }

        /// <summary>
        /// The line of every variant in the matrix file when they are on one line; when it is negative, variant i is on line
        /// -VariantsLine + i (one variant a line, as in a block list or a versions.json: no array of lines kept); 0 otherwise.
        /// </summary>
        internal int VariantsLine { get; set; }

        /// <inheritdoc/>
        public override string ToString() => Key + " = " + Version;
    }

    /// <summary>A sha256 digest as four words (the first hexadecimal digits in the first), shown as 64 lowercase digits.</summary>
    internal sealed class Sha256Words
    {
        private readonly ulong a;
        private readonly ulong b;
        private readonly ulong c;
        private readonly ulong d;

        public Sha256Words(ulong a, ulong b, ulong c, ulong d)
        {
            this.a = a;
            this.b = b;
            this.c = c;
            this.d = d;
        }

        /// <summary>The 64 lowercase hexadecimal digits.</summary>
        public override string ToString()
        {
            var chars = new char[64];
            Put(chars, 0, a);
            Put(chars, 16, b);
            Put(chars, 32, c);
            Put(chars, 48, d);
            return new string(chars);
        }

        private static void Put(char[] chars, int at, ulong word)
        {
            for (int i = 15; i >= 0; i--)
            {
                int v = (int)(word & 0xF);
                chars[at + i] = (char)(v < 10 ? '0' + v : 'a' + v - 10);
                word >>= 4;
            }
        }
    }

    /// <summary>The whole matrix: versions, aliases, base-image architectures and manifest header data.</summary>
    public sealed class Matrix
    {
        /// <summary>The repository of the official python Dockerfiles.</summary>
        public const string DefaultRepository = "https://github.com/docker-library/python";

        /// <summary>Architectures excluded from every image by default.</summary>
        public static readonly IReadOnlyList<string> DefaultExcludeArchitectures = new[] { "mips64le" };

        /// <summary>Architecture names bashbrew knows.</summary>
        public static readonly IReadOnlyCollection<string> KnownArchitectures = new HashSet<string>(StringComparer.Ordinal)
        {
            "amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "mips64le", "ppc64le", "riscv64", "s390x", "windows-amd64",
        };

        /// <summary>A matrix of <paramref name="versions"/>, newest first.</summary>
        public Matrix(IReadOnlyList<MatrixVersion> versions)
        {
            // Manifest order: newest key first by version sort; entries with equal keys keep their order. A list in that
            // order already (the embedded matrix, a file the module wrote) is copied, one strictly oldest first is copied
            // backwards; any other is sorted through an index array with a comparison delegate: LINQ's OrderBy over a key
            // type of ours is generic code that no ready-to-run image holds, and the first Get-PythonTag of a process would
            // compile it.
            bool newestFirst = true, oldestFirst = true;
            for (int i = 1; i < versions.Count && (newestFirst || oldestFirst); i++)
            {
                int byKey = versions[i - 1].Key.CompareTo(versions[i].Key);
                newestFirst &= byKey >= 0;
                oldestFirst &= byKey < 0;
            }

            if (newestFirst || oldestFirst)
            {
                var copied = new MatrixVersion[versions.Count];
                for (int i = 0; i < copied.Length; i++)
                {
                    copied[i] = versions[newestFirst ? i : copied.Length - 1 - i];
                }

                Versions = copied;
                return;
            }

            var given = new MatrixVersion[versions.Count];
            var order = new int[given.Length];
            for (int i = 0; i < given.Length; i++)
            {
                given[i] = versions[i];
                order[i] = i;
            }

            Array.Sort(order, (a, b) =>
            {
                int byKey = given[b].Key.CompareTo(given[a].Key);
                return byKey != 0 ? byKey : a.CompareTo(b);
            });
            var sorted = new MatrixVersion[given.Length];
            for (int i = 0; i < sorted.Length; i++)
            {
                sorted[i] = given[order[i]];
            }

            Versions = sorted;
        }

        /// <summary>Where the matrix came from: a file path, or "(embedded)".</summary>
        public string Source { get; set; } = "(embedded)";

        /// <summary>The version entries, newest first.</summary>
        public IReadOnlyList<MatrixVersion> Versions { get; }

        /// <summary>The repository the manifest points to.</summary>
        public string Repository { get; set; } = DefaultRepository;

        /// <summary>The manifest's maintainers.</summary>
        public IReadOnlyList<string> Maintainers { get; set; } = Array.Empty<string>();

        /// <summary>Explicit aliases; null means the default rule (highest non-rc key gets MAJOR and latest, ...).</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>>? Aliases { get; set; }

        /// <summary>The architectures of each variant family.</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>> Architectures { get; set; } = new Dictionary<string, IReadOnlyList<string>>();

        /// <summary>Architectures excluded from every image.</summary>
        public IReadOnlyList<string> ExcludeArchitectures { get; set; } = DefaultExcludeArchitectures;

        /// <summary>The entry of version key <paramref name="key"/>, or null.</summary>
        public MatrixVersion? Find(string key)
        {
            // A table made on first use (the versions never change): callers look keys up once per version.
            var table = byKey;
            if (table == null)
            {
                table = new Dictionary<string, MatrixVersion>(Versions.Count, StringComparer.Ordinal);
                foreach (var v in Versions)
                {
                    if (!table.ContainsKey(v.Key.Text))
                    {
                        table[v.Key.Text] = v; // the first, as a scan would find it
                    }
                }

                byKey = table;
            }

            return key != null && table.TryGetValue(key, out var found) ? found : null;
        }

        private Dictionary<string, MatrixVersion>? byKey;

        // The images the loader computed to check this matrix's tags, for the first TagRules.Compute of the matrix: a file
        // that is loaded and then listed has its tags made once, not twice. Taken once; later calls compute new images.
        private HandedImages? handedImages;

        /// <summary>Keeps <paramref name="images"/> (computed from this matrix, referenced by nobody else) for the first <see cref="TagRules.Compute(Matrix)"/>.</summary>
        internal void HandOver(IReadOnlyList<PythonImage> images) => handedImages = new HandedImages(this, images);

        /// <summary>The images kept by <see cref="HandOver"/>, once, and only while the matrix still has the settings they were computed from.</summary>
        internal IReadOnlyList<PythonImage>? TakeHandedImages()
        {
            var handed = handedImages == null ? null : System.Threading.Interlocked.Exchange(ref handedImages, null);
            return handed != null && handed.ComputedFrom(this) ? handed.Images : null;
        }

        /// <summary>Images and the settings they were computed from (the same objects: the matrix's settings are replaced, not changed).</summary>
        private sealed class HandedImages
        {
            private readonly IReadOnlyDictionary<string, IReadOnlyList<string>>? aliases;
            private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> architectures;
            private readonly IReadOnlyList<string> exclude;
            private readonly IReadOnlyList<string>[]? versionExcludes; // null: every version's was the empty array

            public HandedImages(Matrix matrix, IReadOnlyList<PythonImage> images)
            {
                Images = images;
                aliases = matrix.Aliases;
                architectures = matrix.Architectures;
                exclude = matrix.ExcludeArchitectures;
                int first = 0;
                while (first < matrix.Versions.Count && ReferenceEquals(matrix.Versions[first].ExcludeArchitectures, Array.Empty<string>()))
                {
                    first++;
                }

                if (first < matrix.Versions.Count)
                {
                    versionExcludes = new IReadOnlyList<string>[matrix.Versions.Count];
                    for (int i = 0; i < versionExcludes.Length; i++)
                    {
                        versionExcludes[i] = matrix.Versions[i].ExcludeArchitectures;
                    }
                }
            }

            public IReadOnlyList<PythonImage> Images { get; }

            public bool ComputedFrom(Matrix matrix)
            {
                if (!ReferenceEquals(aliases, matrix.Aliases) || !ReferenceEquals(architectures, matrix.Architectures) || !ReferenceEquals(exclude, matrix.ExcludeArchitectures))
                {
                    return false;
                }

                for (int i = 0; i < matrix.Versions.Count; i++)
                {
                    if (!ReferenceEquals(versionExcludes == null ? Array.Empty<string>() : versionExcludes[i], matrix.Versions[i].ExcludeArchitectures))
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        /// <summary>The alias words of a version key (explicit table, or the default rule).</summary>
        public IReadOnlyList<string> AliasesFor(VersionKey key)
        {
            if (Aliases != null)
            {
                return Aliases.TryGetValue(key.Text, out var list) ? list : Array.Empty<string>();
            }

            if (key.IsPreRelease)
            {
                return Array.Empty<string>();
            }

            return DefaultAliases.TryGetValue(key.Text, out var words) ? words : Array.Empty<string>();
        }

        private Dictionary<string, string[]>? defaultAliases;

        /// <summary>
        /// The default rule for every key at once (computed once: per-key sorting would make a matrix with many keys
        /// quadratic): the highest released key of each major gets MAJOR, the highest of all also latest.
        /// </summary>
        private Dictionary<string, string[]> DefaultAliases
        {
            get
            {
                if (defaultAliases != null)
                {
                    return defaultAliases;
                }

                // One pass over the versions, already newest first: no list of the released keys is made.
                var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
                VersionKey? highest = null;
                var seenMajors = new HashSet<int>();
                for (int i = 0; i < Versions.Count; i++)
                {
                    var key = Versions[i].Key;
                    if (key.IsPreRelease)
                    {
                        continue;
                    }

                    highest ??= key;
                    if (!seenMajors.Add(key.Major))
                    {
                        continue;
                    }

                    string major = key.Major.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    result[key.Text] = key.Equals(highest) ? new[] { major, "latest" } : new[] { major };
                }

                return defaultAliases = result;
            }
        }
    }
}
