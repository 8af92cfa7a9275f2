using System;
using System.Collections.Generic;
using System.Globalization;
using PythonImages.Security;

namespace PythonImages.Engine.Builds
{
    /// <summary>
    /// A platform as Invoke-PythonImageBuild -Engine keys engines by it: linux or windows, optionally an architecture (docker's
    /// names: amd64, arm64, arm, 386, ...) and a variant (arm's v5/v6/v7) or Windows version (ltsc2019, ltsc2022, ltsc2025).
    /// </summary>
    public sealed class EnginePlatform
    {
        private static readonly Dictionary<string, string> ArchitectureAliases = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["amd64"] = "amd64",
            ["x86_64"] = "amd64",
            ["arm64"] = "arm64",
            ["aarch64"] = "arm64",
            ["arm"] = "arm",
            ["armhf"] = "arm",
            ["386"] = "386",
            ["i386"] = "386",
            ["i686"] = "386",
            ["ppc64le"] = "ppc64le",
            ["s390x"] = "s390x",
            ["riscv64"] = "riscv64",
            ["mips64le"] = "mips64le",
        };

        /// <summary>The Windows Server versions an engine can be checked against, with their build numbers.</summary>
        private static readonly Dictionary<string, int> WindowsBuilds = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["ltsc2019"] = 17763,
            ["ltsc2022"] = 20348,
            ["ltsc2025"] = 26100,
        };

        private static readonly char[] KernelSeparators = { ' ', '.' };

        private EnginePlatform(string os, string? architecture, string? variant)
        {
            OS = os;
            Architecture = architecture;
            Variant = variant;
        }

        /// <summary>linux or windows.</summary>
        public string OS { get; }

        /// <summary>The architecture in docker's names (amd64, arm64, arm, 386, ...); null: any.</summary>
        public string? Architecture { get; }

        /// <summary>arm's v5, v6 or v7, or a Windows version (ltsc2025); null: any.</summary>
        public string? Variant { get; }

        /// <summary>The normalised key: linux/arm/v7, windows/amd64/ltsc2025, linux.</summary>
        public string Key => OS + (Architecture != null ? "/" + Architecture : Variant != null ? "/*" : string.Empty) + (Variant != null ? "/" + Variant : string.Empty);

        /// <inheritdoc/>
        public override string ToString() => Key;

        /// <summary>
        /// <paramref name="text"/> (any case) as a platform, or null with <paramref name="why"/>: checked against
        /// <see cref="EngineGrammar.EnginePlatformKey"/>, then for a known architecture and variant (x86_64 is amd64, aarch64 arm64,
        /// i386 386; arm64/v8 is arm64) and, on Windows, a known server version.
        /// </summary>
        public static EnginePlatform? Parse(string text, out string? why)
        {
            string lower = text.ToLowerInvariant();
            why = EngineGrammar.EnginePlatformKey.Why(lower);
            if (why != null)
            {
                return null;
            }

            var parts = lower.Split('/');
            string os = parts[0];
            string? architecture = null;
            if (parts.Length > 1)
            {
                if (!ArchitectureAliases.TryGetValue(parts[1], out architecture))
                {
                    why = $"'{parts[1]}' is not an architecture docker names (amd64, arm64, arm, 386, ppc64le, s390x, riscv64, mips64le)";
                    return null;
                }
            }

            string? variant = parts.Length > 2 ? parts[2] : null;
            why = os == "windows" ? WhyNotWindows(architecture, variant) : WhyNotLinuxVariant(architecture, ref variant);
            return why == null ? new EnginePlatform(os, architecture, variant) : null;
        }

        /// <summary>A platform of <paramref name="os"/> (linux or windows) with a Windows version (or null) and no architecture.</summary>
        public static EnginePlatform OfOS(string os, string? windowsVersion) =>
            new EnginePlatform(string.Equals(os, "windows", StringComparison.OrdinalIgnoreCase) ? "windows" : "linux", null, windowsVersion);

        /// <summary>This platform with <paramref name="windowsVersion"/> when it is a Windows platform without a version of its own.</summary>
        public EnginePlatform WithWindowsVersion(string? windowsVersion) =>
            OS == "windows" && Variant == null && windowsVersion != null && WindowsBuilds.ContainsKey(windowsVersion) ? new EnginePlatform(OS, Architecture, windowsVersion) : this;

        /// <summary>
        /// How well this key serves <paramref name="wanted"/>: -1 when it cannot (another OS, architecture or variant); otherwise
        /// higher for each part both name alike (2) than for a part the key leaves open (1) or only the key names (0).
        /// </summary>
        public int Score(EnginePlatform wanted)
        {
            if (OS != wanted.OS)
            {
                return -1;
            }

            int a = Part(Architecture, wanted.Architecture);
            int v = Part(Variant, wanted.Variant);
            return a < 0 || v < 0 ? -1 : (a * 3) + v;
        }

        /// <summary>
        /// Why the engine that said <paramref name="info"/> (its /version) cannot build this platform, or null when it can: its
        /// OS, its architecture (an amd64 engine also runs 386, an arm64 engine arm: 32-bit code runs on those CPUs), and the
        /// Windows build of a Windows version.
        /// </summary>
        public string? WhyNotOn(EngineInfo info)
        {
            string engineOS = info.OSType.ToLowerInvariant();
            if (engineOS != OS)
            {
                return engineOS.Length == 0 ? $"it does not say which containers it runs, so it cannot be checked for {OS}" : $"it runs {InputGrammar.Show(engineOS)} containers, not {OS}";
            }

            string? engineArch = NativeArchitecture(info);
            if (Architecture != null && engineArch != Architecture && !(engineArch == "amd64" && Architecture == "386") && !(engineArch == "arm64" && Architecture == "arm"))
            {
                return $"its architecture is {(info.Architecture.Length == 0 ? "unknown" : InputGrammar.Show(info.Architecture))}, which cannot build {Architecture}";
            }

            if (OS == "windows" && Variant != null)
            {
                int? build = WindowsBuild(info.KernelVersion);
                if (build != WindowsBuilds[Variant])
                {
                    return build == null
                        ? $"it does not say its Windows build (kernel version '{InputGrammar.Show(info.KernelVersion)}'), so it cannot be checked for {Variant} (build {WindowsBuilds[Variant]})"
                        : $"it runs Windows build {build}, not {Variant} (build {WindowsBuilds[Variant]})";
                }
            }

            return null;
        }

        /// <summary>
        /// The platform to ask the engine of <paramref name="info"/> for: this one when its architecture is not the engine's
        /// own (linux/386 on an amd64 engine); null when the engine builds its own platform.
        /// </summary>
        public string? RequestOn(EngineInfo info)
        {
            if (OS != "linux" || Architecture == null || Architecture == NativeArchitecture(info))
            {
                return null;
            }

            return OS + "/" + Architecture + (Variant != null ? "/" + Variant : string.Empty);
        }

        /// <summary>The engine's architecture in docker's names (x86_64 → amd64), or null when it says none.</summary>
        public static string? NativeArchitecture(EngineInfo info)
        {
            string arch = info.Architecture.ToLowerInvariant();
            return ArchitectureAliases.TryGetValue(arch, out var known) ? known : arch.Length == 0 ? null : arch;
        }

        /// <summary>The Windows build in a kernel version ("10.0 26100 (26100.1.amd64fre...)" → 26100), or null.</summary>
        public static int? WindowsBuild(string kernelVersion)
        {
            var parts = kernelVersion.Split(KernelSeparators, StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 2 && parts[0] == "10" && parts[1] == "0" && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int build) ? build : null;
        }

        /// <summary>The Windows version in a name (windowsservercore-ltsc2025, a FROM line), when it is one the module knows.</summary>
        public static string? WindowsVersionIn(string text)
        {
            foreach (var version in WindowsBuilds.Keys)
            {
                if (text.IndexOf(version, StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return version;
                }
            }

            return null;
        }

        private static int Part(string? key, string? wanted) => key == null ? 1 : wanted == null ? 0 : key == wanted ? 2 : -1;

        private static string? WhyNotWindows(string? architecture, string? variant)
        {
            if (architecture != null && architecture != "amd64" && architecture != "arm64")
            {
                return $"Windows containers are amd64 or arm64, not {architecture}";
            }

            return variant == null || WindowsBuilds.ContainsKey(variant)
                ? null
                : $"'{variant}' is not a Windows Server version the module can check (ltsc2019, ltsc2022, ltsc2025)";
        }

        private static string? WhyNotLinuxVariant(string? architecture, ref string? variant)
        {
            if (variant == null)
            {
                return null;
            }

            if (architecture == "arm64" && variant == "v8")
            {
                variant = null;
                return null;
            }

            return architecture == "arm" && (variant == "v5" || variant == "v6" || variant == "v7")
                ? null
                : $"'{variant}' is not a variant of {architecture} (arm has v5, v6 and v7; arm64 v8)";
        }
    }
}
