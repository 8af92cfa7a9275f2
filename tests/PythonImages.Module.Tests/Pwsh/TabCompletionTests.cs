using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.PwshSuite
{
    /// <summary>Tab completion in a real pwsh, through TabExpansion2 as PSReadLine calls it: versions, variants and tag names.</summary>
    public sealed class TabCompletionTests
    {
        /// <summary>The version keys and variants written in the embedded matrix file, read as text (not through the module).</summary>
        private static (List<string> Keys, Dictionary<string, List<string>> Variants) EmbeddedMatrix()
        {
            var lines = File.ReadAllLines(Path.Combine(ModuleSession.RepoRoot, "src", "PythonImages.Core", "Data", "matrix.yaml"));
            var keys = new List<string>();
            var variants = new Dictionary<string, List<string>>();
            string? key = null;
            bool inVariants = false;
            bool inVersions = false;
            foreach (var line in lines)
            {
                if (line.Length > 0 && line[0] != ' ')
                {
                    inVersions = line.StartsWith("versions:", StringComparison.Ordinal);
                }

                var k = inVersions ? Regex.Match(line, @"^  '(\d+\.\d+(-rc)?)':") : Match.Empty;
                if (k.Success)
                {
                    key = k.Groups[1].Value;
                    keys.Add(key);
                    variants[key] = new List<string>();
                    inVariants = false;
                    continue;
                }

                if (key != null && Regex.IsMatch(line, @"^    variants:\s*$"))
                {
                    inVariants = true;
                    continue;
                }

                var v = Regex.Match(line, @"^      - (\S+)\s*$");
                if (inVariants && v.Success)
                {
                    variants[key!].Add(v.Groups[1].Value);
                }
                else if (!line.StartsWith("      ", StringComparison.Ordinal))
                {
                    inVariants = false;
                }
            }

            Assert.True(keys.Count >= 3 && variants.Values.All(l => l.Count > 0), "could not read the embedded matrix's keys and variants");
            return (keys, variants);
        }

        /// <summary>Completes each input line at its end in one pwsh process; one line of completion texts (tab-separated) per input.</summary>
        private static List<string[]> Complete(params string[] inputs) => CompleteIn(null, inputs);

        private static List<string[]> CompleteIn(string? workingDirectory, params string[] inputs)
        {
            string list = string.Join(", ", inputs.Select(Pwsh.Quote));
            var r = Pwsh.Run($@"
Import-Module {Pwsh.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop
foreach ($line in @({list})) {{
    $result = TabExpansion2 -inputScript $line -cursorColumn $line.Length
    '>' + (@($result.CompletionMatches | ForEach-Object CompletionText) -join ""`t"")
}}
", workingDirectory);
            Assert.True(r.ExitCode == 0 && r.Error.Length == 0, r.ToString());
            var lines = r.Output.Split('\n').Where(l => l.StartsWith('>')).Select(l => l.Substring(1).Split('\t', StringSplitOptions.RemoveEmptyEntries)).ToList();
            Assert.Equal(inputs.Length, lines.Count);
            return lines;
        }

        [PwshFact]
        public void VersionsVariantsAndNamesCompleteFromTheEmbeddedMatrix()
        {
            var (keys, variants) = EmbeddedMatrix();
            var results = Complete(
                "Get-PythonTag -Version ",
                "Get-PythonTag -Version 3.1",
                "Get-PythonTag -Variant slim-",
                "New-PythonDockerfile -Path ./images -Variant ",
                "Get-PythonTag -Name 3.14-sl",
                "Get-PythonTag 3.13-alp");

            Assert.All(keys, k => Assert.Contains(k, results[0]));
            Assert.Equal(keys.Where(k => k.StartsWith("3.1", StringComparison.Ordinal)).OrderBy(k => k), results[1].Where(c => keys.Contains(c)).OrderBy(k => k));
            Assert.All(results[1], c => Assert.StartsWith("3.1", c, StringComparison.Ordinal));

            var slim = variants.Values.SelectMany(v => v).Where(v => v.StartsWith("slim-", StringComparison.Ordinal)).Distinct().OrderBy(v => v).ToList();
            Assert.NotEmpty(slim);
            Assert.Equal(slim, results[2].OrderBy(v => v));
            Assert.Equal(variants.Values.SelectMany(v => v).Distinct().OrderBy(v => v), results[3].OrderBy(v => v));

            // Tag names: every slim variant of 3.14 gives a 3.14-<variant> tag; nothing that does not start with what was typed.
            Assert.All(variants["3.14"].Where(v => v.StartsWith("slim-", StringComparison.Ordinal)), v => Assert.Contains("3.14-" + v, results[4]));
            Assert.All(results[4], c => Assert.StartsWith("3.14-sl", c, StringComparison.Ordinal));
            Assert.Contains("3.13-alpine", results[5]);
            Assert.All(results[5], c => Assert.StartsWith("3.13-alp", c, StringComparison.Ordinal));
        }

        [PwshFact]
        public void TheMatrixPathTypedOnTheLineIsWhatCompletes()
        {
            string dir = Directory.CreateTempSubdirectory("pi-h11-complete-").FullName;
            try
            {
                File.WriteAllText(Path.Combine(dir, "mine.yaml"), "versions:\n  '3.9':\n    version: 3.9.23\n    checksums:\n      source: {sha256: " + new string('a', 64) + "}\n    variants: [bookworm, slim-bookworm]\n");
                var results = CompleteIn(dir,
                    "Get-PythonTag -MatrixPath ./mine.yaml -Version ",
                    "Get-PythonTag -MatrixPath ./mine.yaml -Variant ",
                    "Get-PythonTag -MatrixPath ./mine.yaml -Name 3.9-",
                    "Get-PythonTag -MatrixPath ./missing.yaml -Version ");
                Assert.Equal(new[] { "3.9", "3.9.23" }, results[0].OrderBy(v => v));
                Assert.Equal(new[] { "bookworm", "slim-bookworm" }, results[1].OrderBy(v => v));
                Assert.Contains("3.9-bookworm", results[2]);
                Assert.Contains("3.9-slim", results[2]);
                Assert.DoesNotContain(results[3], c => Regex.IsMatch(c, @"^\d")); // a missing matrix offers no version (PowerShell may fall back to file names)
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
