using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// Issue 16: matrix loading made linear (default aliases once per matrix, architectures once per base image, each
    /// variant read once, one tag table) must give exactly the images it gave before. Large generated matrices (many
    /// majors, pre-release keys, every variant form, per-version exclusions, explicit aliases) are checked image by image
    /// against a reference written here from the rules as documented (README, Get-PythonTag), independent of TagRules;
    /// the errors the load-time tag checks raise keep their lines in a large file.
    /// </summary>
    public sealed class MatrixScaleTests
    {
        private static readonly string[] Bases = { "trixie", "bookworm" };

        // The architecture table the generated matrices carry (merged over the embedded one; each entry replaces its base).
        private static readonly Dictionary<string, string[]> Table = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["buildpack-deps:trixie"] = new[] { "s390x", "amd64", "arm64v8", "i386", "mips64le" },
            ["buildpack-deps:bookworm"] = new[] { "amd64", "arm32v7", "arm64v8", "ppc64le" },
            ["debian:trixie-slim"] = new[] { "riscv64", "amd64", "arm64v8", "arm32v5" },
            ["debian:bookworm-slim"] = new[] { "amd64", "i386" },
            ["alpine:3.24"] = new[] { "amd64", "arm32v6", "s390x", "arm64v8" },
            ["alpine:3.23"] = new[] { "amd64", "riscv64" },
        };

        /// <summary>One generated version entry, as the reference sees it.</summary>
        internal sealed class Entry
        {
            public Entry(int major, int minor, bool rc, string version, string[] variants, string[] exclude)
            {
                Major = major;
                Minor = minor;
                Rc = rc;
                Version = version;
                Variants = variants;
                Exclude = exclude;
            }

            public int Major { get; }
            public int Minor { get; }
            public bool Rc { get; }
            public string Key => Major.ToString(CultureInfo.InvariantCulture) + "." + Minor.ToString(CultureInfo.InvariantCulture) + (Rc ? "-rc" : string.Empty);
            public string Version { get; }
            public string[] Variants { get; }
            public string[] Exclude { get; }
        }

        /// <summary>
        /// <paramref name="count"/> versions over several majors (keys 3.0 ... in file order oldest first, so the loader has
        /// to sort), every 7th a pre-release key, variant lists that rotate the default Debian suite and Alpine, Windows
        /// variants on some, a per-version exclusion on some.
        /// </summary>
        internal static List<Entry> Generate(int count)
        {
            var entries = new List<Entry>();
            for (int i = 0; i < count; i++)
            {
                int major = 3 + (i / 100), minor = i % 100;
                bool rc = i % 7 == 6;
                string version = $"{major}.{minor}." + (rc ? "0rc2" : (i % 5).ToString(CultureInfo.InvariantCulture));
                var variants = new List<string>();
                string first = Bases[i % 2], second = Bases[(i + 1) % 2];
                if (i % 3 == 0)
                {
                    variants.Add("slim-" + first); // a slim variant before the default suite: still its short tags
                }

                variants.Add(first);
                variants.Add(second);
                if (i % 3 != 0)
                {
                    variants.Add("slim-" + first);
                }

                variants.Add("slim-" + second);
                variants.Add(i % 4 == 0 ? "alpine3.23" : "alpine3.24");
                variants.Add(i % 4 == 0 ? "alpine3.24" : "alpine3.23");
                if (i % 5 == 0)
                {
                    variants.Add("windows/windowsservercore-ltsc2025");
                    variants.Add("windows/windowsservercore-ltsc2022");
                }

                var exclude = i % 11 == 0 ? new[] { "arm64v8" } : Array.Empty<string>();
                entries.Add(new Entry(major, minor, rc, version, variants.ToArray(), exclude));
            }

            return entries;
        }

        internal static string Yaml(List<Entry> entries, Dictionary<string, string[]>? aliases)
        {
            var sb = new StringBuilder();
            sb.Append("excludeArchitectures: [mips64le, riscv64]\n");
            sb.Append("architectures:\n");
            foreach (var kv in Table)
            {
                sb.Append("  ").Append(kv.Key).Append(": [").Append(string.Join(", ", kv.Value)).Append("]\n");
            }

            if (aliases != null)
            {
                sb.Append("aliases:\n");
                foreach (var kv in aliases)
                {
                    sb.Append("  '").Append(kv.Key).Append("': [").Append(string.Join(", ", kv.Value)).Append("]\n");
                }
            }

            sb.Append("versions:\n");
            foreach (var e in entries)
            {
                sb.Append("  '").Append(e.Key).Append("':\n")
                  .Append("    version: ").Append(e.Version).Append('\n')
                  .Append("    checksums:\n      source: {sha256: ").Append(new string('a', 64)).Append("}\n");
                if (e.Exclude.Length > 0)
                {
                    sb.Append("    excludeArchitectures: [").Append(string.Join(", ", e.Exclude)).Append("]\n");
                }

                sb.Append("    variants: [").Append(string.Join(", ", e.Variants)).Append("]\n");
            }

            return sb.ToString();
        }

        /// <summary>The default alias rule, from its description: the highest released key of each major gets MAJOR, the
        /// highest released key of all also latest; pre-release keys get none.</summary>
        private static Dictionary<string, string[]> DefaultAliases(List<Entry> entries)
        {
            var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var released = entries.Where(e => !e.Rc).ToList();
            int topMajor = released.Max(e => e.Major);
            int topMinor = released.Where(e => e.Major == topMajor).Max(e => e.Minor);
            foreach (var major in released.Select(e => e.Major).Distinct())
            {
                var best = released.Where(e => e.Major == major).OrderBy(e => e.Minor).Last();
                string m = major.ToString(CultureInfo.InvariantCulture);
                result[best.Key] = major == topMajor && best.Minor == topMinor ? new[] { m, "latest" } : new[] { m };
            }

            return result;
        }

        private static string BaseImage(string variant)
        {
            if (variant.StartsWith("slim-", StringComparison.Ordinal))
            {
                return string.Concat("debian:", variant.AsSpan(5), "-slim");
            }

            return variant.StartsWith("alpine", StringComparison.Ordinal) ? string.Concat("alpine:", variant.AsSpan(6)) : "buildpack-deps:" + variant;
        }

        /// <summary>The images the rules give, one line each: directory | tags | shared tags | architectures | constraints | builder.</summary>
        private static List<string> Reference(List<Entry> entries, Dictionary<string, string[]> aliases, string[] globalExclude)
        {
            var lines = new List<string>();
            foreach (var e in entries.OrderByDescending(e => e.Major).ThenByDescending(e => e.Minor))
            {
                var words = new List<string> { e.Version, e.Key };
                if (aliases.TryGetValue(e.Key, out var extra))
                {
                    words.AddRange(extra);
                }

                string? debian = e.Variants.FirstOrDefault(v => Bases.Contains(v));
                string? alpine = e.Variants.FirstOrDefault(v => v.StartsWith("alpine", StringComparison.Ordinal));
                foreach (var v in e.Variants)
                {
                    bool windows = v.StartsWith("windows/", StringComparison.Ordinal);
                    string name = windows ? v.Substring("windows/".Length) : v;
                    var tags = words.Select(w => w + "-" + name).ToList();
                    if (debian != null && name == "slim-" + debian)
                    {
                        tags.AddRange(words.Select(w => w + "-slim"));
                    }
                    else if (name == alpine)
                    {
                        tags.AddRange(words.Select(w => w + "-alpine"));
                    }

                    var shared = new List<string>();
                    if (windows)
                    {
                        shared.AddRange(words.Select(w => (w + "-windowsservercore").Replace("latest-", string.Empty)));
                    }

                    if (windows || name == debian)
                    {
                        shared.AddRange(words);
                    }

                    string arches = windows
                        ? "windows-amd64"
                        : string.Join(",", Table[BaseImage(v)].Where(a => !globalExclude.Contains(a) && !e.Exclude.Contains(a)).OrderBy(a => a, StringComparer.Ordinal));
                    lines.Add(string.Join(" | ", e.Key + "/" + v, Strip(tags), string.Join(",", shared), arches, windows ? name : string.Empty, windows ? "classic" : string.Empty));
                }
            }

            return lines;
        }

        private static string Strip(IEnumerable<string> tags) => string.Join(",", tags.Select(t => t.Replace("latest-", string.Empty)));

        private static List<string> Actual(IReadOnlyList<PythonImage> images) =>
            images.Select(i => string.Join(" | ", i.Directory, string.Join(",", i.Tags), string.Join(",", i.SharedTags), string.Join(",", i.Architectures), string.Join(",", i.Constraints), i.Builder ?? string.Empty)).ToList();

        private static void AssertSameImages(List<string> expected, List<string> actual)
        {
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.True(expected[i] == actual[i], $"image {i}:\n expected {expected[i]}\n actual   {actual[i]}");
            }
        }

        [Theory]
        [InlineData(100)]
        [InlineData(1000)]
        public void ALargeMatrixWithTheDefaultAliasRuleGivesTheReferenceImages(int count)
        {
            var entries = Generate(count);
            var matrix = MatrixLoader.Parse(Yaml(entries, null), "scale.yaml", MatrixLoader.Default.Architectures);
            var images = TagRules.Compute(matrix);

            Assert.Equal(entries.Sum(e => e.Variants.Length), images.Count);
            AssertSameImages(Reference(entries, DefaultAliases(entries), new[] { "mips64le", "riscv64" }), Actual(images));
            AssertTagCount(matrix, images);

            // Computing twice gives equal, separate images (no array shared between two results or two images).
            var again = TagRules.Compute(matrix);
            AssertSameImages(Actual(images), Actual(again));
            Assert.NotSame(images[0].Architectures, again[0].Architectures);
            Assert.NotSame(images[1].Architectures, images[1 + matrix.Versions[0].Variants.Count].Architectures);
        }

        [Fact]
        public void ALargeMatrixWithExplicitAliasesGivesTheReferenceImages()
        {
            var entries = Generate(600);
            var aliases = new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                ["8.98"] = new[] { "8", "latest", "stable" },
                ["7.97"] = new[] { "7" },
                ["3.21"] = new[] { "old-three" },
                ["5.2-rc"] = new[] { "next" },
            };
            Assert.Contains(entries, e => e.Key == "5.2-rc");
            var matrix = MatrixLoader.Parse(Yaml(entries, aliases), "scale.yaml", MatrixLoader.Default.Architectures);
            var images = TagRules.Compute(matrix);
            AssertSameImages(Reference(entries, aliases, new[] { "mips64le", "riscv64" }), Actual(images));
            AssertTagCount(matrix, images);
        }

        /// <summary>
        /// The number of tags TagRules counts before making the images (the loader sizes its tag table with it) is the number
        /// the images have.
        /// </summary>
        private static void AssertTagCount(Matrix matrix, IReadOnlyList<PythonImage> images) =>
            Assert.Equal(images.Sum(i => (long)i.Tags.Length + i.SharedTags.Length), TagRules.CountTags(matrix));

        [Fact]
        public void TheDefaultAliasesOfALargeMatrixAreTheReferenceOnes()
        {
            var entries = Generate(1000);
            var matrix = MatrixLoader.Parse(Yaml(entries, null), "scale.yaml", MatrixLoader.Default.Architectures);
            var expected = DefaultAliases(entries);
            Assert.Equal(10, expected.Count); // majors 3 ... 12
            foreach (var e in entries)
            {
                var key = matrix.Find(e.Key)!.Key;
                Assert.Equal(expected.TryGetValue(e.Key, out var words) ? words : Array.Empty<string>(), matrix.AliasesFor(key));
            }
        }

        [Fact]
        public void TheEmbeddedMatrixTextGivesTheSameImagesAsItsBuildTimeData()
        {
            // The real matrix through the (changed) YAML path and through the build-time data: the same 42 images.
            using var stream = typeof(MatrixLoader).Assembly.GetManifestResourceStream("PythonImages.matrix.yaml")!;
            using var reader = new System.IO.StreamReader(stream);
            var parsed = TagRules.Compute(MatrixLoader.Parse(reader.ReadToEnd(), "matrix.yaml", MatrixLoader.Default.Architectures));
            Assert.Equal(42, parsed.Count);
            AssertSameImages(Actual(TagRules.Compute(MatrixLoader.Default)), Actual(parsed));
            AssertTagCount(MatrixLoader.Default, parsed);
        }

        /// <summary>
        /// The generated text with version <paramref name="key"/>'s variants written as a block list (one per line), and
        /// <paramref name="extra"/> lines before it; returns the text and the 1-based line of each listed variant.
        /// </summary>
        private static (string Text, int[] Lines) WithBlockVariants(string text, string key, string[] variants, params string[] extra)
        {
            var lines = text.Split('\n').ToList();
            int entry = lines.FindIndex(l => l == "  '" + key + "':");
            int at = lines.FindIndex(entry, l => l.StartsWith("    variants: [", StringComparison.Ordinal));
            lines.RemoveAt(at);
            lines.InsertRange(at, extra.Concat(new[] { "    variants:" }).Concat(variants.Select(v => "      - " + v)));
            int first = at + extra.Length + 2;
            return (string.Join("\n", lines), Enumerable.Range(first, variants.Length).ToArray());
        }

        private static MatrixException LoadFails(string text) =>
            Assert.Throws<MatrixException>(() => MatrixLoader.Parse(text, "scale.yaml", MatrixLoader.Default.Architectures));

        [Fact]
        public void ATagOfTwoImagesDeepInALargeMatrixNamesTheLineOfTheSecondImagesVariant()
        {
            // 12.99 is 'latest', so its slim-trixie image has the tag slim-trixie; 12.98's alias 'slim' gives its trixie
            // image the same tag.
            var entries = Generate(1000);
            var aliases = new Dictionary<string, string[]>(StringComparer.Ordinal) { ["12.99"] = new[] { "latest" }, ["12.98"] = new[] { "slim" } };
            var (text, lines) = WithBlockVariants(Yaml(entries, aliases), "12.98", new[] { "alpine3.24", "trixie" });
            var ex = LoadFails(text);
            Assert.Equal(MatrixErrorIds.DuplicateTag, ex.ErrorId);
            Assert.Equal(lines[1], ex.Line);
            Assert.Contains("Tag 'slim-trixie' of 12.98/trixie is also a tag of 12.99/slim-trixie", ex.Message);
        }

        [Fact]
        public void ASharedTagThatIsAnotherImagesSimpleTagDeepInALargeMatrixNamesItsLine()
        {
            // 12.99 ('latest') has slim-bookworm before its default suite bookworm: the simple tag 'slim'. 12.98's alias
            // 'slim' makes 'slim' a shared tag of its default-suite image.
            var entries = Generate(1000);
            var aliases = new Dictionary<string, string[]>(StringComparer.Ordinal) { ["12.99"] = new[] { "latest" }, ["12.98"] = new[] { "slim" } };
            var (text, _) = WithBlockVariants(Yaml(entries, aliases), "12.99", new[] { "slim-bookworm", "bookworm" });
            var (text2, lines) = WithBlockVariants(text, "12.98", new[] { "alpine3.24", "trixie" });
            var ex = LoadFails(text2);
            Assert.Equal(MatrixErrorIds.DuplicateTag, ex.ErrorId);
            Assert.Equal(lines[1], ex.Line);
            Assert.Contains("Shared tag 'slim' of 12.98/trixie is a tag of 12.99/slim-bookworm", ex.Message);
        }

        [Fact]
        public void AnImageWithoutArchitecturesDeepInALargeMatrixNamesItsVariantLine()
        {
            // alpine:3.23 has amd64 and riscv64 in the generated table; riscv64 is excluded everywhere, amd64 here.
            var entries = Generate(1000);
            var (text, lines) = WithBlockVariants(Yaml(entries, null), "9.51", new[] { "trixie", "alpine3.24", "alpine3.23" }, "    excludeArchitectures: [amd64]");
            var ex = LoadFails(text);
            Assert.Equal(MatrixErrorIds.NoArchitectures, ex.ErrorId);
            Assert.Equal(lines[2], ex.Line);
            Assert.StartsWith("Image 9.51/alpine3.23 has no architecture left", ex.Message.Substring(ex.Message.IndexOf("Image", StringComparison.Ordinal)));
        }

        [Fact]
        public void AVariantListedTwiceDeepInALargeMatrixIsReportedAtItsSecondLine()
        {
            // Variants are read once per file and reused: a repeat inside one version is still a DuplicateVariant, and a
            // bad variant seen first deep in the file is still its own error at its line.
            var entries = Generate(1000);
            var (text, lines) = WithBlockVariants(Yaml(entries, null), "11.40", new[] { "trixie", "alpine3.24", "trixie" });
            var ex = LoadFails(text);
            Assert.Equal(MatrixErrorIds.DuplicateVariant, ex.ErrorId);
            Assert.Equal(lines[2], ex.Line);

            var (bad, badLines) = WithBlockVariants(Yaml(entries, null), "11.41", new[] { "trixie", "alpine3.2x" });
            var badEx = LoadFails(bad);
            Assert.Equal(MatrixErrorIds.UnknownVariantForm, badEx.ErrorId);
            Assert.Equal(badLines[1], badEx.Line);
        }

        [Fact]
        public void VersionsListingTheSameVariantsShareOneListAndStillNameTheirOwnLines()
        {
            // Four versions in file order: 3.14 and 3.13 list the same variants (3.13 keeps 3.14's list), 3.12 lists them
            // in another order (a list of its own), 3.11 the same as 3.12 but one per line (3.12's list, its own lines).
            string text = string.Join("\n", new[]
            {
                "aliases:", "  '3.11': ['3.13-slim']", "versions:",
                "  '3.14':", "    version: 3.14.6", "    variants: [trixie, slim-trixie]",
                "  '3.13':", "    version: 3.13.14", "    variants: [trixie, slim-trixie]",
                "  '3.12':", "    version: 3.12.11", "    variants: [slim-trixie, trixie]",
                "  '3.11':", "    version: 3.11.13", "    variants:", "      - slim-trixie", "      - trixie",
            }) + "\n";
            var byKey = new Func<Matrix, string, IReadOnlyList<VariantInfo>>((m, key) => m.Versions.Single(v => v.Key.Text == key).Variants);

            // 3.11's alias '3.13-slim' makes its trixie image's tag '3.13-slim-trixie', 3.13/slim-trixie's: an error at the
            // line of 3.11's trixie (line 17), not at the line its list shares with 3.12's.
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.Parse(text, "shared.yaml", MatrixLoader.Default.Architectures));
            Assert.Equal(MatrixErrorIds.DuplicateTag, ex.ErrorId);
            Assert.Equal(17, ex.Line);
            Assert.Contains("'3.13-slim-trixie' of 3.11/trixie", ex.Message);

            var matrix = MatrixLoader.Parse(text.Replace("'3.11': ['3.13-slim']", "'3.11': ['3.11-extra']"), "shared.yaml", MatrixLoader.Default.Architectures);
            Assert.Same(byKey(matrix, "3.14"), byKey(matrix, "3.13"));
            Assert.NotSame(byKey(matrix, "3.13"), byKey(matrix, "3.12"));
            Assert.Same(byKey(matrix, "3.12"), byKey(matrix, "3.11"));
            Assert.Equal(new[] { "trixie", "slim-trixie" }, byKey(matrix, "3.13").Select(v => v.Path));
            Assert.Equal(new[] { "slim-trixie", "trixie" }, byKey(matrix, "3.11").Select(v => v.Path));
            Assert.Equal(
                new[] { "3.14/trixie", "3.14/slim-trixie", "3.13/trixie", "3.13/slim-trixie", "3.12/slim-trixie", "3.12/trixie", "3.11/slim-trixie", "3.11/trixie" },
                TagRules.Compute(matrix).Select(i => i.Directory));
        }
    }
}
