using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// Issue 16: the matrix is read on YamlDotNet's parser events instead of its representation model. The loader that
    /// built the node tree was run once (before the change) on the inputs below and its results kept as data in
    /// tests/fixtures/matrix-loader: the whole matrix (versions, checksums, variants, aliases, architectures, maintainers)
    /// and every image (tags, shared tags, architectures) for the real matrices and large generated ones; the ErrorId,
    /// line, key and message for hand-written hostile files and 1,500 mutated matrices. The event reader must give exactly
    /// those, including which error a file with several problems reports first. The base table and maintainers are the
    /// frozen copy of the embedded matrix the results were made with.
    /// </summary>
    public sealed class MatrixEventReaderTests
    {
        internal static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "fixtures");

        private static readonly Lazy<Matrix> Base = new Lazy<Matrix>(() =>
            MatrixLoader.Parse(File.ReadAllText(Path.Combine(Dir, "matrix-loader", "matrix-2026-06.yaml")), "base.yaml", null));

        private static Matrix Load(string text, string source, bool subset = true) =>
            MatrixLoader.Parse(text, source, () => Base.Value.Architectures, () => Base.Value.Maintainers, subset);

        /// <summary>The matrix and its images as text (the format the node-tree loader's results were written in), or the error.</summary>
        internal static string Result(string text, string source, bool subset = true)
        {
            Matrix m;
            try
            {
                m = Load(text, source, subset);
            }
            catch (MatrixException ex)
            {
                return $"ERR {ex.ErrorId} {ex.Line} [{ex.Key}] {ex.Message}";
            }

            var sb = new StringBuilder("OK ");
            sb.Append(m.Source).Append('|').Append(m.Repository).Append('|').Append(Join(m.Maintainers)).Append('|').Append(Join(m.ExcludeArchitectures)).Append('\n');
            if (m.Aliases != null)
            {
                foreach (var kv in m.Aliases)
                {
                    sb.Append("alias ").Append(kv.Key).Append('=').Append(Join(kv.Value)).Append('\n');
                }
            }

            foreach (var kv in m.Architectures)
            {
                sb.Append("arch ").Append(kv.Key).Append('=').Append(Join(kv.Value)).Append('\n');
            }

            foreach (var v in m.Versions)
            {
                string variants = string.Join(" ", v.Variants.Select(x => x.Path + "/" + x.Family + "/" + x.Distro + "/" + x.BaseImage));
                sb.Append(CultureInfo.InvariantCulture, $"v {v.Key.Text} {v.Version.Text} {v.SourceSha256} {v.WindowsSha256} {v.SetuptoolsVersion} {v.GpgKey} line {v.Line} x {Join(v.ExcludeArchitectures)} : {variants}\n");
            }

            foreach (var im in TagRules.Compute(m))
            {
                sb.Append(CultureInfo.InvariantCulture, $"i {im.Directory} {Join(im.Tags)} | {Join(im.SharedTags)} | {Join(im.Architectures)} | {Join(im.Constraints)} {im.Builder}\n");
            }

            return sb.ToString();
        }

        private static string Join(IEnumerable<string> values) => string.Join(",", values);

        private static string Short(string result) =>
            result.StartsWith("OK ", StringComparison.Ordinal)
                ? "OK " + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(result))).ToLowerInvariant()
                : result;

        [Theory]
        [InlineData("matrix-loader/matrix-2026-06.yaml")]
        [InlineData("versions-2026-06.json")]
        [InlineData("matrix-2019-04.yaml")]
        [InlineData("update/matrix-commented.yaml")]
        public void TheRealMatricesGiveWhatTheNodeTreeLoaderGave(string name)
        {
            string all = File.ReadAllText(Path.Combine(Dir, "matrix-loader", "expected-real.txt"));
            var sections = all.Split("== ", StringSplitOptions.RemoveEmptyEntries).ToDictionary(s => s.Substring(0, s.IndexOf('\n', StringComparison.Ordinal)), s => s.Substring(s.IndexOf('\n', StringComparison.Ordinal) + 1));
            string expected = sections[name];
            Assert.StartsWith("OK ", expected, StringComparison.Ordinal);
            string actual = Result(File.ReadAllText(Path.Combine(Dir, name)), name);
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            for (int i = 0; i < Math.Min(e.Length, a.Length); i++)
            {
                Assert.True(e[i] == a[i], $"{name} line {i + 1}:\n expected {e[i]}\n actual   {a[i]}");
            }

            Assert.Equal(e.Length, a.Length);
            Assert.Contains(e, l => l.StartsWith("i ", StringComparison.Ordinal)); // images were compared too
        }

        [Fact]
        public void LargeGeneratedMatricesGiveWhatTheNodeTreeLoaderGave()
        {
            var expected = File.ReadAllLines(Path.Combine(Dir, "matrix-loader", "expected-generated.txt"))
                .ToDictionary(l => l.Substring(0, l.IndexOf(' ', StringComparison.Ordinal)), l => l.Substring(l.IndexOf(' ', StringComparison.Ordinal) + 1));
            var aliases = new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                ["8.98"] = new[] { "8", "latest", "stable" },
                ["7.97"] = new[] { "7" },
                ["3.21"] = new[] { "old-three" },
                ["5.2-rc"] = new[] { "next" },
            };
            var texts = new Dictionary<string, string>
            {
                ["bench-100"] = BenchText(100),
                ["bench-1000"] = BenchText(1000),
                ["scale-1000"] = MatrixScaleTests.Yaml(MatrixScaleTests.Generate(1000), null),
                ["scale-600-aliases"] = MatrixScaleTests.Yaml(MatrixScaleTests.Generate(600), aliases),
            };
            Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), texts.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var kv in texts)
            {
                string result = Result(kv.Value, kv.Key);
                Assert.StartsWith("OK ", result, StringComparison.Ordinal);
                Assert.True(expected[kv.Key] == Short(result), kv.Key);
            }
        }

        [Fact]
        public void HandWrittenFilesGiveTheSameMatrixOrTheSameFirstError()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "matrix-loader", "cases.json")));
            int count = 0;
            foreach (var c in doc.RootElement.EnumerateArray())
            {
                string name = c.GetProperty("name").GetString()!;
                string expected = c.GetProperty("expected").GetString()!;
                string actual = Result(c.GetProperty("text").GetString()!, name + ".yaml");
                Assert.True(expected == actual, $"{name}:\n expected {expected}\n actual   {actual}");
                count++;
            }

            Assert.True(count >= 60, $"only {count} cases");
        }

        [Fact]
        public void MutatedMatricesGiveTheSameFirstErrorAsTheNodeTreeLoader()
        {
            // Structure errors anywhere in the file win over content errors before them; top-level settings after the
            // versions are checked before the versions; a map key given twice is reported once its value is read.
            var bases = new[]
            {
                File.ReadAllText(Path.Combine(Dir, "matrix-loader", "matrix-2026-06.yaml")),
                File.ReadAllText(Path.Combine(Dir, "versions-2026-06.json")),
                File.ReadAllText(Path.Combine(Dir, "update", "matrix-commented.yaml")),
            };
            var expected = File.ReadAllLines(Path.Combine(Dir, "matrix-loader", "expected-mutations.txt"));
            Assert.Equal(1500, expected.Length);
            var failures = new List<string>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in expected)
            {
                int tab = line.IndexOf('\t', StringComparison.Ordinal);
                int i = int.Parse(line.AsSpan(0, tab), CultureInfo.InvariantCulture);
                string want = line.Substring(tab + 1);
                string got = Short(Result(Mutate(bases, i), "fuzz.yaml")).Replace("\n", "\\n", StringComparison.Ordinal);
                if (want != got)
                {
                    failures.Add($"#{i}:\n expected {want}\n actual   {got}");
                }

                ids.Add(want.Split(' ')[0] + " " + (want.StartsWith("ERR", StringComparison.Ordinal) ? want.Split(' ')[1] : string.Empty));
            }

            Assert.True(failures.Count == 0, $"{failures.Count} differ:\n" + string.Join("\n", failures.Take(5)));
            Assert.True(ids.Count >= 15, "the mutations reach few errors: " + string.Join(", ", ids)); // the corpus is varied
        }

        // ------------------------------------------------------------------ the images computed at load

        private const string Two = "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie, alpine3.24]\n  '3.13':\n    version: 3.13.5\n    variants: [trixie]\n";

        [Fact]
        public void TheFirstTagComputationTakesTheCheckedImagesAndTheNextOnesMakeNewOnes()
        {
            var m = Load(Two, "two.yaml");
            var first = TagRules.Compute(m);
            var second = TagRules.Compute(m);
            Assert.Equal(3, first.Count);
            Assert.Equal(first.Select(i => string.Join(",", i.Tags)), second.Select(i => string.Join(",", i.Tags)));
            for (int i = 0; i < first.Count; i++)
            {
                Assert.NotSame(first[i], second[i]);
                Assert.NotSame(first[i].Architectures, second[i].Architectures);
            }

            first[0].Tags[0] = "changed";
            Assert.NotEqual("changed", TagRules.Compute(m)[0].Tags[0]);
        }

        [Fact]
        public void ChangedSettingsAfterLoadingAreNotServedFromTheCheckedImages()
        {
            var m = Load(Two, "two.yaml");
            m.ExcludeArchitectures = new[] { "amd64" };
            Assert.DoesNotContain(TagRules.Compute(m), i => i.Architectures.Contains("amd64"));

            var m2 = Load(Two, "two.yaml");
            m2.Versions[0].ExcludeArchitectures = new[] { "arm64v8" };
            var images = TagRules.Compute(m2);
            Assert.DoesNotContain("arm64v8", images[0].Architectures);
            Assert.Contains("arm64v8", images[2].Architectures);

            var m3 = Load(Two, "two.yaml");
            m3.Aliases = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { ["3.13"] = new[] { "old" } };
            Assert.Contains("old-trixie", TagRules.Compute(m3)[2].Tags);
        }

        // ------------------------------------------------------------------ versions read without a regex match

        [Fact]
        public void VersionsAndKeysParseAsTheirRegularExpressionsSay()
        {
            // The grammars as regular expressions (what the parsers used to match), against the hand-written parsers.
            var version = new Regex(@"\A(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:(a|b|rc)(0|[1-9][0-9]*))?\z", RegexOptions.CultureInvariant);
            var key = new Regex(@"\A(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-rc)?\z", RegexOptions.CultureInvariant);
            var samples = new List<string>
            {
                "3.14.6", "3.15.0b3", "3.8.0a3", "3.15.0rc1", "0.0.0", "3.14", "3.15-rc", "3.14.6rc", "3.14.6c1", "03.14.6", "3.014.6", "3.14.06",
                "3.14.6\n", "3.14.6 ", " 3.14.6", "3.14.", "3..6", "3.14-rc.1", "3.14-r", "3.14-rcx", "3.14.6b", "3.14.6b0", "3.14.6b01", "2147483647.0.0",
                "2147483648.0.0", "3.99999999999.1", "3.14.6a1b2", "\u0663.14.6", "3.14.6rc1 ", "3.14-RC", "3.14rc", "",
            };
            var random = new Random(16);
            const string Alphabet = "0123456789.-abcr\n 9";
            for (int i = 0; i < 3000; i++)
            {
                var chars = new char[1 + random.Next(10)];
                for (int c = 0; c < chars.Length; c++)
                {
                    chars[c] = Alphabet[random.Next(Alphabet.Length)];
                }

                samples.Add(new string(chars));
            }

            foreach (var s in samples)
            {
                var vm = version.Match(s);
                bool fitsInt = vm.Success && new[] { 1, 2, 3, 5 }.All(g => !vm.Groups[g].Success || long.TryParse(vm.Groups[g].Value, out long n) && n <= int.MaxValue);
                Assert.True((vm.Success && fitsInt) == PythonVersion.TryParse(s, out var v), $"version '{s}'");
                if (v != null)
                {
                    Assert.Equal(int.Parse(vm.Groups[1].Value, CultureInfo.InvariantCulture), v.Major);
                    Assert.Equal(int.Parse(vm.Groups[3].Value, CultureInfo.InvariantCulture), v.Patch);
                    Assert.Equal(vm.Groups[4].Success ? int.Parse(vm.Groups[5].Value, CultureInfo.InvariantCulture) : 0, v.PreReleaseNumber);
                    Assert.Equal(vm.Groups[4].Value switch { "a" => PreReleaseKind.Alpha, "b" => PreReleaseKind.Beta, "rc" => PreReleaseKind.ReleaseCandidate, _ => PreReleaseKind.None }, v.PreRelease);
                }

                var km = key.Match(s);
                bool keyFits = km.Success && long.TryParse(km.Groups[1].Value, out long kn) && kn <= int.MaxValue && long.TryParse(km.Groups[2].Value, out long kn2) && kn2 <= int.MaxValue;
                Assert.True(keyFits == VersionKey.TryParse(s, out var k), $"key '{s}'");
                if (k != null)
                {
                    Assert.Equal(int.Parse(km.Groups[2].Value, CultureInfo.InvariantCulture), k.Minor);
                    Assert.Equal(km.Groups[3].Success, k.IsPreRelease);
                }
            }
        }

        // ------------------------------------------------------------------ inputs

        /// <summary>The benchmark's matrix (bench/PythonImages.Bench.MatrixScale): keys 3.0 ..., six variants each.</summary>
        internal static string BenchText(int versions)
        {
            var sb = new StringBuilder("versions:\n");
            for (int i = 0; i < versions; i++)
            {
                string key = (3 + (i / 100)).ToString(CultureInfo.InvariantCulture) + "." + (i % 100).ToString(CultureInfo.InvariantCulture);
                string sha = (i * 7919).ToString("x8", CultureInfo.InvariantCulture).PadLeft(64, 'a');
                sb.Append("  '").Append(key).Append("':\n").Append("    version: ").Append(key).Append(".1\n")
                  .Append("    checksums:\n      source: {sha256: ").Append(sha).Append("}\n")
                  .Append("    variants: [trixie, slim-trixie, bookworm, slim-bookworm, alpine3.24, alpine3.23]\n");
            }

            return sb.ToString();
        }

        private static readonly string[] Inserts =
        {
            "[", "]", "{", "}", ":", "- ", "\n", "\"", "'", "&a ", "*a", "!!str ", "---\n", "\t", "  ", "99999999999", "#", ",", "?", "|", ">",
            "\narchitectures: {'buildpack-deps:trixie': [amd64]}\n", "\naliases: {'3.14': [x]}\n", "\nfoo: 1\n", "\n'3.99': {version: 3.99.1, variants: [trixie]}\n", "\nversions: {}\n",
            "\n  '3.14':\n    version: 3.14.1\n", "\n  - trixie\n", "\n  - forky\n", "\n    variants: [forky]\n", "? [a]\n: 1\n", "\nrepository: x\n", "\nmaintainers: [x]\n",
            "\n    version: 3.14.99999\n", "\n    excludeArchitectures: [amd64, arm64v8, i386]\n",
        };

        /// <summary>Mutation <paramref name="i"/>: one to four random edits (inserts of YAML structure and matrix lines, deletions, replaced characters) of a base file.</summary>
        internal static string Mutate(string[] bases, int i)
        {
            var random = new Random(i);
            var sb = new StringBuilder(bases[i % bases.Length]);
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(sb.Length);
                switch (random.Next(4))
                {
                    case 0:
                    case 3:
                        sb.Insert(at, Inserts[random.Next(Inserts.Length)]);
                        break;
                    case 1:
                        sb.Remove(at, Math.Min(1 + random.Next(8), sb.Length - at));
                        break;
                    default:
                        sb[at] = (char)random.Next(1, 128);
                        break;
                }
            }

            return sb.ToString();
        }
    }
}
