using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using PythonImages.Security;

namespace PythonImages.Ci
{
    /// <summary>The CI system a build matrix is written for.</summary>
    public enum BuildMatrixFormat
    {
        /// <summary>A GitHub Actions workflow (.github/workflows/*.yml).</summary>
        GitHubActions,

        /// <summary>An Azure Pipelines pipeline (azure-pipelines.yml).</summary>
        AzurePipelines,
    }

    /// <summary>What Export-PythonBuildMatrix writes besides the legs. Every value is checked against its grammar by <see cref="BuildMatrixOptions.Validate"/>.</summary>
    public sealed class BuildMatrixOptions
    {
        /// <summary>The CI system.</summary>
        public BuildMatrixFormat Format { get; set; }

        /// <summary>One leg per lineage (images FROM the same base image on the same platform) instead of one per image and platform.</summary>
        public bool PerLineage { get; set; }

        /// <summary>Overrides of the runner table: platform key (linux/amd64, windows/amd64/ltsc2025) → runner label; an empty label removes the platform.</summary>
        public IDictionary<string, string> RunnerLabels { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>At most this many legs run at once (GitHub max-parallel, Azure maxParallel).</summary>
        public int MaxParallel { get; set; } = 8;

        /// <summary>Where the legs publish (host[:port][/namespace]); null writes no publish steps.</summary>
        public string? Registry { get; set; }

        /// <summary>The branch whose pushes publish; other branches and pull requests only build and test.</summary>
        public string DefaultBranch { get; set; } = "main";

        /// <summary>The module version each leg installs from the PowerShell Gallery.</summary>
        public string ModuleVersion { get; set; } = "0.1.0";

        /// <summary>The folder of the Dockerfiles inside the repository (&lt;ImagesPath&gt;/&lt;Directory&gt;/Dockerfile); '.' is the root.</summary>
        public string ImagesPath { get; set; } = ".";

        /// <summary>The matrix file inside the repository that the legs read (-MatrixPath); null: the module's embedded matrix.</summary>
        public string? MatrixFile { get; set; }

        /// <summary>The default runner table of the issue: ubuntu-24.04 (amd64), ubuntu-24.04-arm (arm64, GitHub only), windows-2022, windows-2025.</summary>
        public static IReadOnlyDictionary<string, string> DefaultRunnerLabels(BuildMatrixFormat format)
        {
            var table = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["linux/amd64"] = "ubuntu-24.04",
                ["windows/amd64/ltsc2022"] = "windows-2022",
                ["windows/amd64/ltsc2025"] = "windows-2025",
            };
            if (format == BuildMatrixFormat.GitHubActions)
            {
                // Azure Pipelines has no hosted arm64 image: name a pool's image with -RunnerLabel to build there.
                table["linux/arm64"] = "ubuntu-24.04-arm";
            }

            return table;
        }

        /// <summary>The runner table in effect: the defaults of the format, then the overrides (an empty label removes a platform).</summary>
        public IReadOnlyDictionary<string, string> EffectiveRunnerLabels()
        {
            var table = DefaultRunnerLabels(Format).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            foreach (var kv in RunnerLabels)
            {
                if (string.IsNullOrEmpty(kv.Value))
                {
                    table.Remove(kv.Key);
                }
                else
                {
                    table[kv.Key] = kv.Value;
                }
            }

            return table;
        }

        /// <summary>Checks every value against its grammar; throws <see cref="BuildMatrixException"/> naming the first bad one.</summary>
        public void Validate()
        {
            foreach (var kv in RunnerLabels)
            {
                if (CiGrammar.PlatformKey.Why(kv.Key) is { } badKey)
                {
                    throw new BuildMatrixException(BuildMatrixErrorIds.InvalidRunnerLabel, $"-RunnerLabel key '{InputGrammar.Show(kv.Key)}' is not accepted: {badKey}.", kv.Key);
                }

                if (!string.IsNullOrEmpty(kv.Value) && CiGrammar.RunnerLabel.Why(kv.Value) is { } badLabel)
                {
                    throw new BuildMatrixException(BuildMatrixErrorIds.InvalidRunnerLabel, $"-RunnerLabel value '{InputGrammar.Show(kv.Value)}' for {kv.Key} is not accepted: {badLabel}.", kv.Value);
                }
            }

            if (MaxParallel < 1 || MaxParallel > 256)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxParallel), MaxParallel, "MaxParallel must be between 1 and 256.");
            }

            if (Registry != null && InputGrammar.RegistryPrefix.Why(Registry) is { } badRegistry)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.InvalidRegistry, $"-Registry '{InputGrammar.Show(Registry)}' is not accepted: {badRegistry}.", Registry);
            }

            if (CiGrammar.BranchName.Why(DefaultBranch) is { } badBranch)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.InvalidBranch, $"-DefaultBranch '{InputGrammar.Show(DefaultBranch)}' is not accepted: {badBranch}.", DefaultBranch);
            }

            if (CiGrammar.RepositoryPath.Why(ImagesPath) is { } badImages)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.InvalidRepositoryPath, $"-ImagesPath '{InputGrammar.Show(ImagesPath)}' is not accepted: {badImages}.", ImagesPath);
            }

            if (MatrixFile != null && (MatrixFile == "." || CiGrammar.RepositoryPath.Why(MatrixFile) is { }))
            {
                throw new BuildMatrixException(
                    BuildMatrixErrorIds.InvalidRepositoryPath,
                    $"The matrix file '{InputGrammar.Show(MatrixFile)}' is not accepted: the legs read it by its path inside the repository, which must be relative, of letters, digits, '.', '_', '-' and '/'.",
                    MatrixFile);
            }

            if (CiGrammar.ModuleVersion.Why(ModuleVersion) is { } badVersion)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.UnsafeValue, $"The module version '{InputGrammar.Show(ModuleVersion)}' is not accepted: {badVersion}.", ModuleVersion);
            }
        }
    }

    /// <summary>One job of the generated matrix: the images it builds, on which platform and runner.</summary>
    public sealed class BuildLeg
    {
        internal BuildLeg(string id, string name, string platform, string platformKey, string runner, IReadOnlyList<PythonImage> images)
        {
            Id = id;
            Name = name;
            Platform = platform;
            PlatformKey = platformKey;
            Runner = runner;
            Images = images;
            Directories = images.Select(i => i.Directory).ToList();
        }

        /// <summary>A job-safe id (letters, digits, '_'), unique in the matrix: py_3_14_6_trixie_amd64.</summary>
        public string Id { get; }

        /// <summary>The display name: 3.14.6-trixie linux/amd64.</summary>
        public string Name { get; }

        /// <summary>The platform given to Invoke-PythonImageBuild -Platform: linux/amd64, windows/amd64.</summary>
        public string Platform { get; }

        /// <summary>The key of the runner table: linux/arm64, windows/amd64/ltsc2025.</summary>
        public string PlatformKey { get; }

        /// <summary>The runner label (GitHub runs-on, Azure vmImage).</summary>
        public string Runner { get; }

        /// <summary>The images' directories, in build order.</summary>
        public IReadOnlyList<string> Directories { get; }

        /// <summary>The images the leg builds.</summary>
        public IReadOnlyList<PythonImage> Images { get; }

        /// <inheritdoc/>
        public override string ToString() => Name;
    }

    /// <summary>The legs of a matrix and the platforms left without a runner.</summary>
    public sealed class BuildPlan
    {
        internal BuildPlan(BuildMatrixOptions options, IReadOnlyList<BuildLeg> legs, int imageCount, IReadOnlyDictionary<string, int> unrouted)
        {
            Options = options;
            Legs = legs;
            ImageCount = imageCount;
            Unrouted = unrouted;
        }

        /// <summary>The options it was planned with.</summary>
        public BuildMatrixOptions Options { get; }

        /// <summary>The legs, in image order.</summary>
        public IReadOnlyList<BuildLeg> Legs { get; }

        /// <summary>How many images were planned.</summary>
        public int ImageCount { get; }

        /// <summary>Platform keys that no runner label covers → how many images would have built there.</summary>
        public IReadOnlyDictionary<string, int> Unrouted { get; }
    }

    /// <summary>Turns images into legs: each image's architectures become platforms, each platform with a runner label a leg.</summary>
    public static class BuildPlanner
    {
        private static readonly Dictionary<string, string> LinuxPlatforms = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["amd64"] = "linux/amd64",
            ["arm64v8"] = "linux/arm64",
            ["arm32v7"] = "linux/arm/v7",
            ["arm32v6"] = "linux/arm/v6",
            ["arm32v5"] = "linux/arm/v5",
            ["i386"] = "linux/386",
            ["ppc64le"] = "linux/ppc64le",
            ["s390x"] = "linux/s390x",
            ["riscv64"] = "linux/riscv64",
            ["mips64le"] = "linux/mips64le",
        };

        /// <summary>The plan for <paramref name="images"/>; an image that fails a grammar stops it (<see cref="BuildMatrixException"/>).</summary>
        public static BuildPlan Plan(IReadOnlyList<PythonImage> images, BuildMatrixOptions options)
        {
            options.Validate();
            var runners = options.EffectiveRunnerLabels();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var unrouted = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var routed = new List<(PythonImage Image, string Arch, string Platform, string Key)>();
            foreach (var image in images)
            {
                CheckImage(image);
                if (!seen.Add(image.Directory))
                {
                    throw new BuildMatrixException(BuildMatrixErrorIds.DuplicateImage, $"Two images have the Directory '{image.Directory}'; each image is built once.", image);
                }

                foreach (var arch in image.ArchitectureList)
                {
                    var (platform, key) = PlatformOf(image, arch);
                    if (runners.ContainsKey(key))
                    {
                        routed.Add((image, arch, platform, key));
                    }
                    else
                    {
                        unrouted[key] = unrouted.TryGetValue(key, out var n) ? n + 1 : 1;
                    }
                }
            }

            var legs = new List<BuildLeg>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var nextNumber = new Dictionary<string, int>(StringComparer.Ordinal);
            if (options.PerLineage)
            {
                foreach (var group in routed.GroupBy(r => (r.Image.BaseImage ?? r.Image.Directory) + "\n" + r.Key, StringComparer.Ordinal))
                {
                    var first = group.First();
                    var members = group.Select(r => r.Image).ToList();
                    string name = members[0].Tags[0] + (members.Count > 1 ? " +" + (members.Count - 1).ToString(CultureInfo.InvariantCulture) : string.Empty) + " " + first.Key;
                    legs.Add(new BuildLeg(UniqueId("lineage_" + members[0].Tags[0] + "_" + first.Arch, ids, nextNumber), name, first.Platform, first.Key, runners[first.Key], members));
                }
            }
            else
            {
                foreach (var r in routed)
                {
                    legs.Add(new BuildLeg(UniqueId("py_" + r.Image.Tags[0] + "_" + r.Arch, ids, nextNumber), r.Image.Tags[0] + " " + r.Key, r.Platform, r.Key, runners[r.Key], new[] { r.Image }));
                }
            }

            return new BuildPlan(options, legs, images.Count, unrouted);
        }

        /// <summary>The engine platform and the runner-table key of an architecture of an image (Windows: the server version from its constraints).</summary>
        public static (string Platform, string Key) PlatformOf(PythonImage image, string architecture)
        {
            if (LinuxPlatforms.TryGetValue(architecture, out var linux))
            {
                return (linux, linux);
            }

            if (architecture == TagRules.WindowsArchitecture)
            {
                string? release = image.Constraints.Concat(new[] { image.VariantName })
                    .Select(WindowsRelease).FirstOrDefault(r => r != null);
                return ("windows/amd64", release == null ? "windows/amd64" : "windows/amd64/" + release);
            }

            throw new BuildMatrixException(
                BuildMatrixErrorIds.UnknownArchitecture, $"The image {InputGrammar.Show(image.ToString())} names the architecture '{InputGrammar.Show(architecture)}', which has no platform.", image);
        }

        /// <summary>ltsc2025 from windowsservercore-ltsc2025 (or nanoserver-ltsc2022); null when the name carries none.</summary>
        private static string? WindowsRelease(string name)
        {
            int at = name.LastIndexOf("-ltsc", StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            string release = name.Substring(at + 1);
            return release.Length <= 16 && release.Skip(4).All(c => c >= '0' && c <= '9') && release.Length > 4 ? release : null;
        }

        private static void CheckImage(PythonImage image)
        {
            if (image == null)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.InvalidImage, "An image is null.");
            }

            Require(CiGrammar.RepositoryPath, image.Directory, image, "Directory");
            if (image.Directory == ".")
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.InvalidImage, "An image's Directory is '.': each image needs its own folder under the images path.", image);
            }

            if (image.Tags == null || image.Tags.Length == 0)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.InvalidImage, $"The image in {image.Directory} has no tags; its legs are named after its first tag.", image);
            }

            Require(InputGrammar.DockerTag, image.Tags[0], image, "Tags[0]");
            if (image.ArchitectureList == null || image.ArchitectureList.Length == 0)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.InvalidImage, $"The image {image.Tags[0]} has no architectures, so it has no platform to build on.", image);
            }

            foreach (var arch in image.ArchitectureList)
            {
                Require(InputGrammar.Architecture, arch, image, "Architectures");
            }

            foreach (var constraint in image.Constraints ?? Array.Empty<string>())
            {
                Require(ManifestGrammar.Constraint, constraint, image, "Constraints");
            }
        }

        private static void Require(Grammar grammar, string? value, PythonImage image, string field)
        {
            if (grammar.Why(value) is { } why)
            {
                throw new BuildMatrixException(
                    BuildMatrixErrorIds.InvalidImage,
                    $"The image in '{InputGrammar.Show(image.Directory)}' has the {field} '{InputGrammar.Show(value)}', which is not accepted: {why}.",
                    image);
            }
        }

        /// <summary>The longest leg id: Azure refuses a matrix configuration name of more than 100 characters.</summary>
        public const int MaxLegIdLength = 100;

        /// <summary>A job id of letters, digits and '_', at most <see cref="MaxLegIdLength"/> long (Azure's rules for matrix legs; valid for GitHub too), unique in the plan.</summary>
        private static string UniqueId(string raw, HashSet<string> ids, Dictionary<string, int> nextNumber)
        {
            var sb = new StringBuilder(Math.Min(raw.Length, MaxLegIdLength));
            foreach (char c in raw)
            {
                if (sb.Length == MaxLegIdLength)
                {
                    break;
                }

                sb.Append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
            }

            string id = sb.ToString();
            string candidate = id;
            if (ids.Add(candidate))
            {
                return candidate;
            }

            // Numbered from where the last leg of this id stopped: 16,384 first tags that differ only in '.' and '-' (one
            // id) tried every earlier number again, 134 million strings (7.5 s, 19 GB).
            int n = nextNumber.TryGetValue(id, out int next) ? next : 2;
            candidate = Numbered(id, n);
            while (!ids.Add(candidate))
            {
                candidate = Numbered(id, ++n);
            }

            nextNumber[id] = n + 1;
            return candidate;
        }

        private static string Numbered(string id, int n)
        {
            string suffix = "_" + n.ToString(CultureInfo.InvariantCulture);
            return (id.Length + suffix.Length > MaxLegIdLength ? id.Substring(0, MaxLegIdLength - suffix.Length) : id) + suffix;
        }
    }
}
