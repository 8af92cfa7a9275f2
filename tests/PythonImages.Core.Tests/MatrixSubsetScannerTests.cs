using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// Issue 16: the matrix loader reads a file within a small subset of YAML with its own scanner
    /// (<see cref="MatrixSubsetScanner"/>) and every other file with YamlDotNet. The scanner must either decline or give
    /// exactly YamlDotNet's events (kind, value, plain or quoted, start line), and the loaded matrix, images or first error
    /// must be the same whichever path read the file. Checked on every matrix text the tests have and on mutated texts.
    /// </summary>
    public sealed class MatrixSubsetScannerTests
    {
        private static string Fixture(params string[] path) => File.ReadAllText(Path.Combine(new[] { MatrixEventReaderTests.Dir }.Concat(path).ToArray()));

        private static string Embedded()
        {
            using var stream = typeof(MatrixLoader).Assembly.GetManifestResourceStream("PythonImages.matrix.yaml")!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        /// <summary>YamlDotNet's events as text, and whether its parser failed on the text.</summary>
        private static (List<string> Events, bool Failed) YamlDotNetEvents(string text)
        {
            var list = new List<string>();
            var source = new YamlEventSource(text);
            try
            {
                while (source.Next(out var e))
                {
                    list.Add(e + (source.Anchor != null ? " &" + source.Anchor : string.Empty) + (source.Tag != null ? " !" + source.Tag : string.Empty));
                }
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                return (list, true); // YamlDotNet reports some syntax errors with other exceptions
            }

            return (list, false);
        }

        /// <summary>The scanner's events as text; null when it declines.</summary>
        private static List<string>? ScannerEvents(string text)
        {
            if (!MatrixSubsetScanner.TryScan(text, out var events, out int count))
            {
                return null;
            }

            try
            {
                return events.Take(count).Select(e => e.ToString()).ToList();
            }
            finally
            {
                MatrixSubsetScanner.Release(events);
            }
        }

        /// <summary>
        /// Checks one text: the scanner declines, or its events are YamlDotNet's and the loader's result is the same on both
        /// paths. Returns whether the scanner took the text; adds what differs to <paramref name="failures"/>.
        /// </summary>
        private static bool Check(string name, string text, List<string> failures)
        {
            var fast = ScannerEvents(text);
            if (fast == null)
            {
                return false;
            }

            var (slow, failed) = YamlDotNetEvents(text);
            if (failed)
            {
                failures.Add($"{name}: the scanner took a text YamlDotNet refuses:\n{Show(text)}");
                return true;
            }

            int at = 0;
            while (at < Math.Min(fast.Count, slow.Count) && fast[at] == slow[at])
            {
                at++;
            }

            if (at < fast.Count || at < slow.Count)
            {
                failures.Add($"{name}: event {at} differs: scanner {(at < fast.Count ? fast[at] : "(end)")}, YamlDotNet {(at < slow.Count ? slow[at] : "(end)")}\n{Show(text)}");
                return true;
            }

            string subset = MatrixEventReaderTests.Result(text, name, subset: true);
            string yaml = MatrixEventReaderTests.Result(text, name, subset: false);
            if (subset != yaml)
            {
                failures.Add($"{name}: the loader differs:\n subset   {subset}\n YamlDotNet {yaml}");
            }

            return true;
        }

        private static string Show(string text) => text.Length > 400 ? string.Concat(text.AsSpan(0, 400), "...") : text;

        private static Dictionary<string, string> RealTexts() => new Dictionary<string, string>
        {
            ["embedded"] = Embedded(),
            ["matrix-2026-06.yaml"] = Fixture("matrix-loader", "matrix-2026-06.yaml"),
            ["matrix-2019-04.yaml"] = Fixture("matrix-2019-04.yaml"),
            ["matrix-commented.yaml"] = Fixture("update", "matrix-commented.yaml"),
            ["versions-2026-06.json"] = Fixture("versions-2026-06.json"),
            ["bench-100"] = MatrixEventReaderTests.BenchText(100),
            ["bench-1000"] = MatrixEventReaderTests.BenchText(1000),
            ["scale-1000"] = MatrixScaleTests.Yaml(MatrixScaleTests.Generate(1000), null),
            ["scale-300-aliases"] = MatrixScaleTests.Yaml(MatrixScaleTests.Generate(300), new Dictionary<string, string[]>(StringComparer.Ordinal) { ["3.21"] = new[] { "old-three" } }),
            ["json-100"] = JsonBenchText(100),
            ["json-1000"] = JsonBenchText(1000),
        };

        /// <summary>The benchmark's matrix as upstream writes a versions.json (jq: sorted keys, two-space indentation).</summary>
        internal static string JsonBenchText(int versions)
        {
            var sb = new StringBuilder("{\n");
            for (int i = 0; i < versions; i++)
            {
                string key = (3 + (i / 100)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + (i % 100).ToString(System.Globalization.CultureInfo.InvariantCulture);
                string sha = (i * 7919).ToString("x8", System.Globalization.CultureInfo.InvariantCulture).PadLeft(64, 'a');
                sb.Append("  \"").Append(key).Append("\": {\n    \"checksums\": {\n      \"source\": {\n        \"sha256\": \"").Append(sha)
                  .Append("\"\n      }\n    },\n    \"variants\": [\n      \"trixie\",\n      \"slim-trixie\",\n      \"bookworm\",\n")
                  .Append("      \"slim-bookworm\",\n      \"alpine3.24\",\n      \"alpine3.23\"\n    ],\n    \"version\": \"").Append(key).Append(".1\"\n  }")
                  .Append(i + 1 < versions ? ",\n" : "\n");
            }

            return sb.Append("}\n").ToString();
        }

        [Fact]
        public void TheRealMatricesAndTheBenchmarksTextsTakeTheSubsetPathWithYamlDotNetsEvents()
        {
            var failures = new List<string>();
            var declined = new List<string>();
            foreach (var kv in RealTexts())
            {
                if (!Check(kv.Key, kv.Value, failures))
                {
                    declined.Add(kv.Key);
                }
            }

            Assert.True(failures.Count == 0, string.Join("\n", failures));
            Assert.True(declined.Count == 0, "declined: " + string.Join(", ", declined)); // else the speed-up is not real

            // The loader itself takes the path (not only the scanner when asked).
            var reader = new MatrixFileReader(MatrixEventReaderTests.BenchText(10), "bench.yaml", () => MatrixLoader.Default.Architectures, () => MatrixLoader.Default.Maintainers);
            Assert.True(reader.Subset);
            Assert.False(new MatrixFileReader(MatrixEventReaderTests.BenchText(10), "bench.yaml", () => null, () => Array.Empty<string>(), subset: false).Subset);
        }

        [Fact]
        public void AVersionsJsonAsJqWritesItIsTakenWithYamlDotNetsEvents()
        {
            // Upstream's versions.json and what Update-PythonMatrix writes back (jq -S): the same events, lines and results.
            var failures = new List<string>();
            string real = Fixture("versions-2026-06.json");
            Assert.True(Check("versions-2026-06.json", real, failures));
            Assert.True(Check("json-12", JsonBenchText(12), failures));
            Assert.True(Check("json-1", JsonBenchText(1), failures));
            Assert.True(Check("json with an empty object and array", "{\n  \"3.14\": {\n    \"checksums\": {},\n    \"variants\": [],\n    \"version\": \"3.14.6\"\n  }\n}\n", failures));
            Assert.True(Check("json after a comment and blank lines", "# c\n\n{\n  \"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\"\n  }\n}\n\n", failures));
            Assert.True(Check("json on one line", "{\"3.14\": {\"variants\": [\"trixie\"], \"version\": \"3.14.6\"}}\n", failures));
            Assert.True(failures.Count == 0, string.Join("\n", failures));

            // The loader takes the path for a versions.json, and its result is the one YamlDotNet's events give.
            Assert.True(new MatrixFileReader(real, "versions.json", () => MatrixLoader.Default.Architectures, () => MatrixLoader.Default.Maintainers).Subset);
        }

        /// <summary>A small versions.json with one construct that jq does not write (the JSON path declines it).</summary>
        public static TheoryData<string, string> OutsideJson() => new TheoryData<string, string>
        {
            { "escape", "{\n  \"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.\\u0036\"\n  }\n}\n" },
            { "number", "{\n  \"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": 3.14\n  }\n}\n" },
            { "null", "{\n  \"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": null\n  }\n}\n" },
            { "true", "{\n  \"3.14\": {\n    \"variants\": [true],\n    \"version\": \"3.14.6\"\n  }\n}\n" },
            { "trailing comma in an object", "{\n  \"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\",\n  }\n}\n" },
            { "trailing comma in an array", "{\n  \"3.14\": {\n    \"variants\": [\"trixie\",],\n    \"version\": \"3.14.6\"\n  }\n}\n" },
            { "key without a space after the colon", "{\n  \"3.14\":{\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\"\n  }\n}\n" },
            { "value on the next line", "{\n  \"3.14\":\n  {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\"\n  }\n}\n" },
            { "single-quoted string", "{\n  '3.14': {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\"\n  }\n}\n" },
            { "plain key", "{\n  versions: {\n    \"variants\": [\"trixie\"]\n  }\n}\n" },
            { "comment after the root", "{\n  \"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\"\n  }\n}\n# c\n" },
            { "second root", "{\n  \"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\"\n  }\n}\n{}\n" },
            { "indented root", "  {\n  \"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\"\n  }\n}\n" },
            { "tab", "{\n\t\"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\"\n  }\n}\n" },
            { "carriage returns", "{\r\n  \"3.14\": {\r\n    \"variants\": [\"trixie\"],\r\n    \"version\": \"3.14.6\"\r\n  }\r\n}\r\n" },
            { "unclosed", "{\n  \"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\"\n  }\n" },
            { "too deep", "{\n  \"3.14\": {\n    \"x\": " + string.Concat(Enumerable.Repeat("[", 40)) + string.Concat(Enumerable.Repeat("]", 40)) + "\n  }\n}\n" },
            { "array root", "[\n  \"3.14\"\n]\n" },
        };


        private static readonly string[] JsonEdits =
        {
            " ", "\n", "\n  ", ",", ", ", ":", ": ", "\"", "\"\"", "\"x\"", "\"x\": ", "\"x\": \"y\"", "\"x\": \"y\",", "[", "]", "{", "}", "[]", "{}",
            "\\", "#", " #c", "\t", "1", "null", "'", "-", "?", "&a ", "*a", "!t ", "|", ">", "%", "@", "`", "\"3.14\": {}", "\"variants\": [\"x\"],",
        };

        [Fact]
        public void MutatedVersionsJsonTextsGiveTheSameEventsAndResultsOnBothPaths()
        {
            var bases = new[] { Fixture("versions-2026-06.json"), JsonBenchText(3), "{\n  \"3.14\": {\n    \"variants\": [\"trixie\"],\n    \"version\": \"3.14.6\"\n  }\n}\n" };
            var failures = new List<string>();
            int taken = 0;
            const int Count = 30000;
            for (int i = 0; i < Count; i++)
            {
                taken += Check("json mutation " + i, MutateLines(bases[i % bases.Length], new Random(1_016_000 + i), JsonEdits), failures) ? 1 : 0;
            }

            Assert.True(failures.Count == 0, $"{failures.Count} differ:\n" + string.Join("\n", failures.Take(5)));
            Assert.True(taken >= Count / 20 && taken < Count, $"the scanner took {taken} of {Count} files");
        }

        /// <summary>A small matrix within the subset, and the same with one construct outside it.</summary>
        public static TheoryData<string, string> Outside() => new TheoryData<string, string>
        {
            { "tab", "versions:\n  '3.14':\n\tversion: 3.14.6\n" },
            { "tab in a comment", "versions: # a\tb\n  '3.14': {version: 3.14.6, variants: [trixie]}\n" },
            { "anchor", "versions:\n  '3.14': &a\n    version: 3.14.6\n    variants: [trixie]\n" },
            { "alias", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: *a\n" },
            { "tag", "versions:\n  '3.14':\n    version: !!str 3.14.6\n    variants: [trixie]\n" },
            { "complex key", "versions:\n  ? '3.14'\n  : {version: 3.14.6, variants: [trixie]}\n" },
            { "literal block scalar", "versions:\n  '3.14':\n    version: |\n      3.14.6\n    variants: [trixie]\n" },
            { "folded block scalar", "versions:\n  '3.14':\n    version: >\n      3.14.6\n    variants: [trixie]\n" },
            { "multi-line plain scalar", "versions:\n  '3.14':\n    version: 3.14.6\n      more\n    variants: [trixie]\n" },
            { "multi-line quoted scalar", "versions:\n  '3.14':\n    version: '3.14.6\n      more'\n    variants: [trixie]\n" },
            { "escape", "versions:\n  '3.14':\n    version: \"3.14.\\x36\"\n    variants: [trixie]\n" },
            { "doubled single quote", "versions:\n  '3.14':\n    version: '3.14''6'\n    variants: [trixie]\n" },
            { "directive", "%YAML 1.1\n---\nversions:\n  '3.14': {version: 3.14.6, variants: [trixie]}\n" },
            { "document start", "---\nversions:\n  '3.14': {version: 3.14.6, variants: [trixie]}\n" },
            { "document end", "versions:\n  '3.14': {version: 3.14.6, variants: [trixie]}\n...\n" },
            { "odd indentation", "versions:\n  '3.14':\n    version: 3.14.6\n   variants: [trixie]\n" },
            { "indented root", "  versions:\n    '3.14': {version: 3.14.6, variants: [trixie]}\n" },
            { "byte order mark", "\uFEFFversions:\n  '3.14': {version: 3.14.6, variants: [trixie]}\n" },
            { "non-ASCII", "versions:\n  '3.14': {version: 3.14.6, variants: [trixié]}\n" },
            { "carriage return", "versions:\r\n  '3.14': {version: 3.14.6, variants: [trixie]}\r\n" },
            { "no final line feed", "versions:\n  '3.14': {version: 3.14.6, variants: [trixie]}" },
            { "empty list item", "versions:\n  '3.14':\n    version: 3.14.6\n    variants:\n      -\n      - trixie\n" },
            { "list in a list item", "versions:\n  '3.14':\n    version: 3.14.6\n    variants:\n      - - trixie\n" },
            { "map in a list item", "versions:\n  '3.14':\n    version: 3.14.6\n    variants:\n      - name: trixie\n" },
            { "multi-line flow list", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie,\n      bookworm]\n" },
            { "unclosed flow list at the end", "versions:\n  '3.14': {version: 3.14.6, variants: [trixie\n" },
            { "unclosed flow map at the end", "versions:\n  '3.14': {version: 3.14.6\n" },
            { "trailing comma", "versions:\n  '3.14': {version: 3.14.6, variants: [trixie,]}\n" },
            { "colon in a flow scalar", "versions:\n  '3.14': {version: 3.14.6, variants: [a:b]}\n" },
            { "JSON-style pair", "versions:\n  '3.14': {\"version\":\"3.14.6\", variants: [trixie]}\n" },
            { "empty file", "\n" },
            { "comments only", "# nothing\n" },
            { "flow root", "{versions: {'3.14': {version: 3.14.6, variants: [trixie]}}}\n" },
            { "scalar root", "versions\n" },
            { "indicator at the start of a scalar", "versions:\n  '3.14': {version: 3.14.6, variants: [@trixie]}\n" },
            { "comment without a space", "versions:\n  '3.14': {version: 3.14.6, variants: [trixie]}# c\n" },
            { "too deep", "versions:\n  '3.14': {version: 3.14.6, variants: [trixie], x: " + new string('[', 40) + new string(']', 40) + "}\n" },
            { "long key", "versions:\n  '3.14': {version: 3.14.6, variants: [trixie]}\n" + new string('k', 1100) + ": x\n" },
        };

        [Theory]
        [MemberData(nameof(Outside))]
        [MemberData(nameof(OutsideJson))]
        public void ItDeclinesEveryConstructOutsideTheSubset(string construct, string text)
        {
            Assert.Null(ScannerEvents(text));

            // The loader still reads such a file (with YamlDotNet): the same result as when forced to YamlDotNet.
            Assert.Equal(MatrixEventReaderTests.Result(text, "outside.yaml", subset: false), MatrixEventReaderTests.Result(text, "outside.yaml"));
            Assert.False(string.IsNullOrEmpty(construct));
        }

        [Fact]
        public void TheControlsOfTheDeclinedConstructsAreWithinTheSubset()
        {
            // The same shapes without the construct are taken, so each case above declines for its construct.
            var within = new[]
            {
                "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie]\n",
                "versions: # a b\n  '3.14': {version: 3.14.6, variants: [trixie]}\n",
                "versions:\n  '3.14':\n    version: \"3.14.6\"\n    variants:\n      - trixie\n      - 'bookworm'\n",
                "versions:\n  '3.14':\n    variants:\n    - trixie\n    - bookworm\n    version: 3.14.6\n",
                "versions:\n  '3.14': {version: 3.14.6, variants: [trixie]} # c\n",
                "versions:\n  '3.14': {version: 3.14.6, variants: [trixie], x: " + new string('[', 20) + new string(']', 20) + "}\n",
                "versions:\n  '3.14': {version: 3.14.6, variants: [trixie]}\n" + new string('k', 900) + ": x\n",
                "versions:\n  '3.14':\n    version:\n    variants: []\n    checksums: {}\n",
                "repository: https://github.com/docker-library/python\nmaintainers:\n  - Tianon Gravi <admwiggin@gmail.com> (@tianon)\n",
            };
            var failures = new List<string>();
            foreach (var text in within)
            {
                Assert.True(Check("within", text, failures), "declined:\n" + text);
            }

            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }

        [Fact]
        public void TheStoredHostileAndMutatedFilesGiveTheSameEventsAndResultsOnBothPaths()
        {
            var failures = new List<string>();
            int taken = 0, total = 0;
            using (var doc = JsonDocument.Parse(Fixture("matrix-loader", "cases.json")))
            {
                foreach (var c in doc.RootElement.EnumerateArray())
                {
                    total++;
                    taken += Check(c.GetProperty("name").GetString()!, c.GetProperty("text").GetString()!, failures) ? 1 : 0;
                }
            }

            var bases = new[]
            {
                Fixture("matrix-loader", "matrix-2026-06.yaml"),
                Fixture("versions-2026-06.json"),
                Fixture("update", "matrix-commented.yaml"),
            };
            for (int i = 0; i < 80000; i++)
            {
                total++;
                taken += Check("mutation " + i, MatrixEventReaderTests.Mutate(bases, i), failures) ? 1 : 0;
            }

            Assert.True(failures.Count == 0, $"{failures.Count} differ:\n" + string.Join("\n", failures.Take(5)));
            Assert.True(taken >= 150, $"the scanner took only {taken} of {total} files"); // the comparison is not vacuous (185 taken when written)
        }

        private static readonly string[] Edits =
        {
            " ", "  ", ":", ": ", " #x", "#", "-", "- ", "'", "\"", "''", "\"\"", ",", ", ", "[", "]", "{", "}", "[]", "{}", "\n", "\n  ",
            "\n    ", "\n      - x\n", "~", "@", "(", ")", "<", ">", "=", "+", "a b", "x:y", "...", "---", "\\", "\t", "\r", "\u00e9", "&a ", "*a",
            "!t ", "?", "|", ">", "%", "`", "null", "\n    variants:\n", "\n  '3.99':\n", ":x", " :", "\n# c\n", "\n\n",
        };

        [Fact]
        public void NewlyMutatedTextsGiveTheSameEventsAndResultsOnBothPaths()
        {
            var bases = new[]
            {
                Embedded(),
                Fixture("matrix-2019-04.yaml"),
                Fixture("update", "matrix-commented.yaml"),
                MatrixEventReaderTests.BenchText(12),
                "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie, alpine3.24]\n  '3.13':\n    version: 3.13.5\n    variants:\n      - trixie\n",
            };
            var failures = new List<string>();
            int taken = 0;
            const int Count = 80000;
            for (int i = 0; i < Count; i++)
            {
                taken += Check("new mutation " + i, MutateLines(bases[i % bases.Length], new Random(2_016_000 + i)), failures) ? 1 : 0;
            }

            Assert.True(failures.Count == 0, $"{failures.Count} differ:\n" + string.Join("\n", failures.Take(5)));
            Assert.True(taken >= Count / 5 && taken < Count, $"the scanner took {taken} of {Count} files");
        }

        private static readonly string[] Pieces =
        {
            "a", "b", "a:", "b: ", "k: v", "- ", "-", "[", "]", "{", "}", ", ", ",", ": ", ":", "'x'", "'x y'", "\"y\"", "''", " #c", "#c", "x y",
            "a:b", "3.14", " ", "  ", "[a, b]", "{k: v}", "~", "(z)", "<m@n>", "x-y", "'", "\"",
        };

        private static readonly string[] Values =
        {
            "v", "'q'", "\"d\"", "[a, b]", "{x: y}", "[]", "{}", "a b", "a:b", "3.14", "v #c", "[a, [b]]", "{x: [y], z: {}}", "'a #b'", "",
        };

        [Fact]
        public void GeneratedSmallDocumentsGiveTheSameEventsAsYamlDotNet()
        {
            // Short documents of YAML pieces at random indentation: most are at the subset's edges, inside or just outside.
            var failures = new List<string>();
            int taken = 0;
            const int Count = 6000;
            for (int i = 0; i < Count; i++)
            {
                var random = new Random(77_000 + i);
                var sb = new StringBuilder("k:\n");
                int lines = 1 + random.Next(6);
                for (int l = 0; l < lines; l++)
                {
                    sb.Append(' ', random.Next(3) * 2 + (random.Next(8) == 0 ? 1 : 0));
                    switch (random.Next(4))
                    {
                        case 0:
                            sb.Append('k').Append(random.Next(4)).Append(": ").Append(Values[random.Next(Values.Length)]);
                            break;
                        case 1:
                            sb.Append('k').Append(random.Next(4)).Append(':');
                            break;
                        case 2:
                            sb.Append("- ").Append(Values[random.Next(Values.Length)]);
                            break;
                        default:
                            break;
                    }

                    int noise = random.Next(3) == 0 ? 1 + random.Next(2) : 0;
                    for (int p = 0; p < noise; p++)
                    {
                        sb.Insert(sb.Length - random.Next(Math.Min(4, sb.Length - 3)), Pieces[random.Next(Pieces.Length)]);
                    }

                    sb.Append('\n');
                }

                taken += Check("generated " + i, sb.ToString(), failures) ? 1 : 0;
            }

            Assert.True(failures.Count == 0, $"{failures.Count} differ:\n" + string.Join("\n", failures.Take(5)));
            Assert.True(taken >= Count / 10 && taken < Count, $"the scanner took {taken} of {Count} files");
        }

        /// <summary>
        /// One to three edits at the subset's edges: inserted pieces (of <paramref name="edits"/>, else YAML's), deleted
        /// spans, lines re-indented, duplicated or removed.
        /// </summary>
        private static string MutateLines(string text, Random random, string[]? edits = null)
        {
            var pieces = edits ?? Edits;
            var sb = new StringBuilder(text);
            int count = 1 + random.Next(3);
            for (int e = 0; e < count && sb.Length > 1; e++)
            {
                int at = random.Next(sb.Length);
                int lineStart = at;
                while (lineStart > 0 && sb[lineStart - 1] != '\n')
                {
                    lineStart--;
                }

                int lineEnd = at;
                while (lineEnd < sb.Length && sb[lineEnd] != '\n')
                {
                    lineEnd++;
                }

                switch (random.Next(6))
                {
                    case 0:
                    case 1:
                        sb.Insert(at, pieces[random.Next(pieces.Length)]);
                        break;
                    case 2:
                        sb.Remove(at, Math.Min(1 + random.Next(3), sb.Length - at));
                        break;
                    case 3:
                        if (random.Next(2) == 0)
                        {
                            sb.Insert(lineStart, new string(' ', 1 + random.Next(2)));
                        }
                        else if (sb[lineStart] == ' ')
                        {
                            sb.Remove(lineStart, 1);
                        }

                        break;
                    case 4:
                        sb.Insert(lineStart, sb.ToString(lineStart, Math.Min(lineEnd + 1, sb.Length) - lineStart));
                        break;
                    default:
                        sb.Remove(lineStart, Math.Min(lineEnd + 1, sb.Length) - lineStart);
                        break;
                }
            }

            return sb.ToString();
        }
    }
}
