using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages.Dockerfiles
{
    /// <summary>The CPU architecture switch for frame-pointer CFLAGS (perf-profiler support, 3.12+).</summary>
    public sealed class FramePointerRule
    {
        /// <summary>A frame-pointer rule: the command that prints the architecture, and the architectures with full and with no extra flags.</summary>
        public FramePointerRule(string archCommand, IReadOnlyList<string> fullFlagsArchs, IReadOnlyList<string> noFlagsArchs)
        {
            ArchCommand = archCommand;
            FullFlagsArchs = fullFlagsArchs;
            NoFlagsArchs = noFlagsArchs;
        }

        /// <summary>Shell text that sets <c>arch</c> to the architecture name.</summary>
        public string ArchCommand { get; }

        /// <summary>Architectures that get both frame-pointer flags (amd64/arm64, x86_64/aarch64).</summary>
        public IReadOnlyList<string> FullFlagsArchs { get; }

        /// <summary>Architectures that get nothing (32-bit x86: a measurable slowdown there).</summary>
        public IReadOnlyList<string> NoFlagsArchs { get; }

        /// <summary>The flags for architectures that support leaf frame pointers.</summary>
        public const string AllFlags = "-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer";
        /// <summary>The flags for the other architectures.</summary>
        public const string DefaultFlags = "-fno-omit-frame-pointer";
    }

    /// <summary>
    /// Every rule that decides what goes into a python image's Dockerfile, in one place. The renderer only lays the
    /// results out; a new CPython series, a new Debian suite or a new release manager is a change here.
    /// </summary>
    public static class ImageRules
    {
        private static readonly string[] AlpineFramePointers = { "x86_64", "aarch64" };

        private static readonly string[] AlpineNoFramePointers = { "x86" };

        private static readonly string[] DebianFramePointers = { "amd64", "arm64" };

        private static readonly string[] DebianNoFramePointers = { "i386" };

        // ----- Version rules --------------------------------------------------------------------------------

        /// <summary>ENV LANG C.UTF-8: only series before 3.13 (3.13+ default to UTF-8 mode for the C locale; see PEP 538/540).</summary>
        public static bool SetsLang(VersionKey key) => Before(key, 3, 13);

        /// <summary>PGP verification of the source tarball: series before 3.14 (PEP 761 ended PGP signatures).</summary>
        public static bool VerifiesPgp(VersionKey key) => Before(key, 3, 14);

        /// <summary>zstd development headers (compression.zstd, 3.14+). Keyed on the raw key: every -rc key counts as new.</summary>
        public static bool NeedsZstd(VersionKey key) => key.IsPreRelease || !Before(key, 3, 14);

        /// <summary>Frame-pointer CFLAGS: 3.12 and newer.</summary>
        public static bool UsesFramePointers(VersionKey key) => !Before(key, 3, 12);

        /// <summary>Release-manager signing keys by series (the matrix's gpgKey overrides).</summary>
        public static readonly IReadOnlyDictionary<string, string> ReleaseManagerKeys = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["2.7"] = "C01E1CAD5EA2C4F0B8E3571504C367C218ADD4FF", // Benjamin Peterson
            ["3.6"] = "0D96DF4D4110E5C43FBFB17F2D347EA6AA65421D", // Ned Deily
            ["3.7"] = "0D96DF4D4110E5C43FBFB17F2D347EA6AA65421D",
            ["3.8"] = "E3FF2839C048B25C084DEBE9B26995E310250568", // Łukasz Langa
            ["3.9"] = "E3FF2839C048B25C084DEBE9B26995E310250568",
            ["3.10"] = "A035C8C19219BA821ECEA86B64E628F8D684696D", // Pablo Galindo Salgado
            ["3.11"] = "A035C8C19219BA821ECEA86B64E628F8D684696D",
            ["3.12"] = "7169605F62C751356D054A26A821E680E5FA6305", // Thomas Wouters
            ["3.13"] = "7169605F62C751356D054A26A821E680E5FA6305",
        };

        /// <summary>The PGP key to verify with, or null when the series is not PGP-verified. Throws when a key is needed and unknown.</summary>
        public static string? GpgKey(VersionKey key, string? matrixOverride)
        {
            if (!VerifiesPgp(key))
            {
                return null;
            }

            if (!string.IsNullOrEmpty(matrixOverride))
            {
                return matrixOverride;
            }

            return ReleaseManagerKeys.TryGetValue(key.RcVersion, out var fpr)
                ? fpr
                : throw new DockerfileException(
                    DockerfileErrorIds.NoGpgKey,
                    $"Python {key.RcVersion} is verified with PGP but no release-manager key is known for it.",
                    $"Add 'gpgKey: <fingerprint>' to the {key.Text} entry of the matrix.");
        }

        /// <summary>setuptools pinned next to wheel&lt;0.46 (only entries that carry setuptools.version: 3.10 and 3.11).</summary>
        public static IReadOnlyList<string> PipRequirements(MatrixVersion release) =>
            string.IsNullOrEmpty(release.SetuptoolsVersion)
                ? Array.Empty<string>()
                : new[] { "setuptools==" + release.SetuptoolsVersion, "wheel<0.46" };

        /// <summary>The options of every pip install in the images.</summary>
        public static readonly IReadOnlyList<string> PipInstallOptions = new[] { "--disable-pip-version-check", "--no-cache-dir", "--no-compile" };

        // ----- Suite rules ----------------------------------------------------------------------------------

        /// <summary>
        /// How apt leaves no package lists behind: bookworm and every older suite remove /var/lib/apt/lists/*, trixie and
        /// newer (any suite not in <see cref="OldAptSuites"/>) have <c>apt-get dist-clean</c>.
        /// </summary>
        public static string AptCleanup(string suite) =>
            OldAptSuites.Contains(suite) ? "rm -rf /var/lib/apt/lists/*" : "apt-get dist-clean";

        /// <summary>
        /// Removes the build dependencies that nothing kept. Recommends and Suggests do not keep a package: the
        /// official Debian images already configure Suggests so (docker-autoremove-suggests), and saying it here gives
        /// the same image on bases without that file (e.g. a debootstrap imported with docker import).
        /// </summary>
        public const string AptPurge = "apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false -o APT::AutoRemove::SuggestsImportant=false";

        /// <summary>
        /// Suites whose apt has no dist-clean (it came with apt 2.7.8, first released in trixie): every Debian release
        /// before trixie. Upstream's template removes the lists for bookworm only because it builds nothing older; its
        /// 2019 template (stretch, jessie) removed them everywhere.
        /// </summary>
        public static readonly ISet<string> OldAptSuites = new HashSet<string>(StringComparer.Ordinal)
        {
            "buzz", "rex", "bo", "hamm", "slink", "potato", "woody", "sarge", "etch", "lenny", "squeeze",
            "wheezy", "jessie", "stretch", "buster", "bullseye", "bookworm",
        };

        // ----- Packages -------------------------------------------------------------------------------------

        /// <summary>Installed before the build and kept in the image.</summary>
        public static IReadOnlyList<string> RuntimePackages(ImageFamily family) => family switch
        {
            ImageFamily.Alpine => new[] { "ca-certificates", "tzdata" },
            ImageFamily.DebianSlim => new[] { "ca-certificates", "netbase", "tzdata" },
            ImageFamily.DebianFull => new[] { "libbluetooth-dev", "tk-dev", "uuid-dev" },
            _ => Array.Empty<string>(),
        };

        private static readonly string[] AlpineBuildPackages =
        {
            "bluez-dev", "bzip2-dev", "dpkg-dev dpkg", "findutils", "gcc", "gdbm-dev", "gnupg", "libc-dev", "libffi-dev",
            "libnsl-dev", "libtirpc-dev", "linux-headers", "make", "ncurses-dev", "openssl-dev", "pax-utils", "readline-dev",
            "sqlite-dev", "tar", "tcl-dev", "tk", "tk-dev", "util-linux-dev", "xz", "xz-dev", "zlib-dev",
        };

        private static readonly string[] SlimBuildPackages =
        {
            "dpkg-dev", "gcc", "gnupg", "libbluetooth-dev", "libbz2-dev", "libc6-dev", "libdb-dev", "libffi-dev", "libgdbm-dev",
            "liblzma-dev", "libncursesw5-dev", "libreadline-dev", "libsqlite3-dev", "libssl-dev", "make", "tk-dev", "uuid-dev",
            "wget", "xz-utils", "zlib1g-dev",
        };

        /// <summary>
        /// Installed for the build and removed after it, sorted by code point. Each entry is one line of the install
        /// list; Alpine's "dpkg-dev dpkg" entry names two packages. Full images build on buildpack-deps and only add zstd.
        /// </summary>
        public static IReadOnlyList<string> BuildPackages(ImageFamily family, VersionKey key)
        {
            var list = family switch
            {
                ImageFamily.Alpine => AlpineBuildPackages.ToList(),
                ImageFamily.DebianSlim => SlimBuildPackages.ToList(),
                _ => new List<string>(),
            };
            if (family != ImageFamily.WindowsServerCore && NeedsZstd(key))
            {
                list.Add(family == ImageFamily.Alpine ? "zstd-dev" : "libzstd-dev");
            }

            list.Sort(StringComparer.Ordinal);
            return list;
        }

        // ----- Build ----------------------------------------------------------------------------------------

        /// <summary>The configure flags; null entries are never emitted. LTO is added by the renderer through a riscv64 test.</summary>
        public static IReadOnlyList<string> ConfigureFlagsBeforeLto(ImageFamily family)
        {
            var flags = new List<string> { "--build=\"$gnuArch\"", "--enable-loadable-sqlite-extensions" };
            if (family != ImageFamily.Alpine)
            {
                // PGO on musl fails tests; Alpine images aim for size, not speed.
                flags.Add("--enable-optimizations");
            }

            flags.Add("--enable-option-checking=fatal");
            flags.Add("--enable-shared");
            return flags;
        }

        /// <summary>The configure flag that turns on link-time optimisation.</summary>
        public const string LtoFlag = "--with-lto";

        /// <summary>LTO is skipped when the GNU build triplet's CPU is one of these (link time and memory).</summary>
        public static readonly IReadOnlyList<string> NoLtoCpus = new[] { "riscv64" };

        /// <summary>The configure flags after the LTO flag.</summary>
        public static readonly IReadOnlyList<string> ConfigureFlagsAfterLto = new[] { "--with-ensurepip" };

        /// <summary>Shell text for the initial EXTRA_CFLAGS value.</summary>
        public static string InitialCflags(ImageFamily family) =>
            family == ImageFamily.Alpine ? "-DTHREAD_STACK_SIZE=0x100000" : "$(dpkg-buildflags --get CFLAGS)";

        /// <summary>Shell text for the initial LDFLAGS value, null when LDFLAGS starts unset.</summary>
        public static string? InitialLdflags(ImageFamily family) =>
            family == ImageFamily.Alpine ? null : "$(dpkg-buildflags --get LDFLAGS)";

        /// <summary>Slim and Alpine images are stripped; full images keep debug symbols.</summary>
        public static bool StripsBinaries(ImageFamily family) => family == ImageFamily.Alpine || family == ImageFamily.DebianSlim;

        /// <summary>The linker flag that strips the binaries.</summary>
        public const string StripFlag = "-Wl,--strip-all";

        /// <summary>Added to LDFLAGS of the second link of the python binary (as make sees it: $$ is make's escape for $).</summary>
        public const string RpathFlagForMake = "-Wl,-rpath='$$ORIGIN/../lib'";

        /// <summary>The frame-pointer rule of an image family (apk or dpkg architecture names).</summary>
        public static FramePointerRule FramePointers(ImageFamily family) => family == ImageFamily.Alpine
            ? new FramePointerRule("arch=\"$(apk --print-arch)\"", AlpineFramePointers, AlpineNoFramePointers)
            : new FramePointerRule("arch=\"$(dpkg --print-architecture)\"; arch=\"${arch##*-}\"", DebianFramePointers, DebianNoFramePointers);

        /// <summary>gdb auto-loading of libpython.py: full images only (they keep debug symbols).</summary>
        public static bool InstallsGdbHelper(ImageFamily family) => family == ImageFamily.DebianFull;

        /// <summary>Directories removed from the installed standard library.</summary>
        public static readonly IReadOnlyList<string> PrunedDirectories = new[] { "test", "tests", "idle_test" };

        /// <summary>Files removed from the installation.</summary>
        public static readonly IReadOnlyList<string> PrunedFiles = new[] { "*.pyc", "*.pyo", "libpython*.a" };

        /// <summary>Links created in /usr/local/bin: link name → existing command.</summary>
        public static readonly IReadOnlyList<KeyValuePair<string, string>> CommandLinks = new[]
        {
            new KeyValuePair<string, string>("idle", "idle3"),
            new KeyValuePair<string, string>("pip", "pip3"),
            new KeyValuePair<string, string>("pydoc", "pydoc3"),
            new KeyValuePair<string, string>("python", "python3"),
            new KeyValuePair<string, string>("python-config", "python3-config"),
        };

        // ----- Sources --------------------------------------------------------------------------------------

        /// <summary>Where CPython's sources and installers are downloaded from by default.</summary>
        public const string PythonOrgDownloads = "https://www.python.org/ftp/python/";

        /// <summary>The PGP key server used by default.</summary>
        public const string DefaultKeyServer = "hkps://keys.openpgp.org";

        // ----- Windows --------------------------------------------------------------------------------------

        /// <summary>The arguments of the silent Windows installer.</summary>
        public static readonly IReadOnlyList<string> WindowsInstallerArguments = new[]
        {
            "/quiet", "InstallAllUsers=1", @"TargetDir=C:\Python", "PrependPath=1", "Shortcuts=0", "Include_doc=0", "Include_pip=1", "Include_test=0",
        };

        /// <summary>Removes the pre-release suffix of a version to get the python.org directory (3.15.0b3 → 3.15.0).</summary>
        public const string WindowsVersionDirectoryRegex = "[a-z]+[0-9]*$";

        private static bool Before(VersionKey key, int major, int minor) =>
            key.Major < major || (key.Major == major && key.Minor < minor);
    }
}
