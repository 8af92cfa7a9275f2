using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using PythonImages.HelpBuilder;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Help
{
    /// <summary>
    /// The examples of the help are executable: every example that can run offline runs in a real pwsh with the built
    /// module, each in a new folder of its own, and must finish without an error (or with exactly the error it shows on
    /// purpose); an ```output block must appear in what it prints. Engine examples marked cheap run against the real engine.
    /// </summary>
    public sealed class HelpExampleTests : IClassFixture<HelpExampleTests.Runs>
    {
        /// <summary>One run of every example that needs nothing, in one pwsh process (a cold start per example would be slow).</summary>
        public sealed class Runs : IDisposable
        {
            private readonly Dictionary<string, Lazy<Dictionary<string, ExampleResult>>> batches = new Dictionary<string, Lazy<Dictionary<string, ExampleResult>>>();
            private readonly List<string> roots = new List<string>();

            public Runs()
            {
                batches["offline"] = new Lazy<Dictionary<string, ExampleResult>>(() => RunAll(Offline().ToList()));
                batches["engine"] = new Lazy<Dictionary<string, ExampleResult>>(() => RunAll(CheapEngine().ToList()));
            }

            public ExampleResult Get(string batch, string id) => batches[batch].Value.TryGetValue(id, out var r) ? r : throw new InvalidOperationException(id + " did not run");

            private Dictionary<string, ExampleResult> RunAll(List<(string Id, HelpExample Example)> cases)
            {
                string root = Directory.CreateTempSubdirectory("pi-help-examples-").FullName;
                roots.Add(root);
                string casesFile = Path.Combine(root, "cases.json");
                string resultsFile = Path.Combine(root, "results.json");
                File.WriteAllText(casesFile, JsonSerializer.Serialize(cases.Select(c => new { c.Id, Folder = Folder(c.Id), c.Example.Code, c.Example.Setup, c.Example.Cleanup })));
                var r = Pwsh.Run(RunnerScript, root, null, 900, ModuleSession.ManifestPath, casesFile, resultsFile);
                Assert.True(r.ExitCode == 0 && File.Exists(resultsFile), "the example runner failed: " + r);
                using var json = JsonDocument.Parse(File.ReadAllText(resultsFile));
                return json.RootElement.EnumerateArray().Select(e => new ExampleResult(
                        e.GetProperty("Id").GetString()!,
                        e.GetProperty("Output").GetString() ?? string.Empty,
                        e.GetProperty("SetupErrors").EnumerateArray().Select(x => x.GetString()!).ToList(),
                        e.GetProperty("Errors").EnumerateArray().Select(x => x.GetString()!).ToList()))
                    .ToDictionary(x => x.Id, StringComparer.Ordinal);
            }

            private static string Folder(string id) => Regex.Replace(id, "[^A-Za-z0-9-]", "_");

            public void Dispose()
            {
                foreach (var root in roots.Where(Directory.Exists))
                {
                    Directory.Delete(root, true);
                }
            }
        }

        public sealed record ExampleResult(string Id, string Output, IReadOnlyList<string> SetupErrors, IReadOnlyList<string> Errors);

        /// <summary>
        /// Runs each case in $root/&lt;folder&gt; (the current location), in a child scope: setup, the example (all streams
        /// rendered as a user sees them), cleanup. Errors are read from $Error, so non-terminating ones count too.
        /// </summary>
        private const string RunnerScript = @"
param([string] $Manifest, [string] $CasesFile, [string] $ResultsFile)
$PSStyle.OutputRendering = 'PlainText'
$ProgressPreference = 'SilentlyContinue'
Import-Module $Manifest -ErrorAction Stop
$root = (Get-Location).ProviderPath
$results = foreach ($case in (Get-Content -Raw -LiteralPath $CasesFile | ConvertFrom-Json)) {
    $folder = New-Item -ItemType Directory -Path (Join-Path $root $case.Folder)
    Push-Location -LiteralPath $folder.FullName
    $Error.Clear()
    $output = ''
    $setupErrors = @()
    try {
        foreach ($setup in @($case.Setup)) {
            try { $null = & ([scriptblock]::Create($setup)) } catch { }
        }
        $setupErrors = @($Error | ForEach-Object { $_.FullyQualifiedErrorId + ': ' + $_ })
        $Error.Clear()
        try {
            $output = & ([scriptblock]::Create($case.Code)) *>&1 | Out-String -Width 250
        }
        catch {
            $output += ($_ | Out-String -Width 250)
        }
    }
    finally {
        $errors = @($Error | ForEach-Object { $_.FullyQualifiedErrorId + ': ' + $_ })
        foreach ($cleanup in @($case.Cleanup)) {
            try { $null = & ([scriptblock]::Create($cleanup)) } catch { }
        }
        Pop-Location
    }
    [pscustomobject]@{ Id = $case.Id; Output = $output; SetupErrors = $setupErrors; Errors = $errors }
}
ConvertTo-Json -InputObject @($results) -Depth 4 | Set-Content -LiteralPath $ResultsFile -Encoding utf8
";

        private readonly Runs runs;

        public HelpExampleTests(Runs runs) => this.runs = runs;

        private static IEnumerable<(string Id, HelpExample Example)> All() =>
            HelpSources.Commands.SelectMany(c => c.Examples.Select(e => ($"{c.Name} example {e.Number}", e)))
                .Concat(HelpSources.Topics.SelectMany(t => Array.Empty<(string, HelpExample)>()));

        private static IEnumerable<(string Id, HelpExample Example)> Offline() => All().Where(x => x.Example.Requires.Count == 0);

        private static IEnumerable<(string Id, HelpExample Example)> CheapEngine() =>
            All().Where(x => x.Example.Cheap && x.Example.Requires.SequenceEqual(new[] { "engine" }));

        public static IEnumerable<object[]> OfflineExamples() => Offline().Select(x => new object[] { x.Id });

        public static IEnumerable<object[]> CheapEngineExamples() => CheapEngine().Select(x => new object[] { x.Id });

        private static HelpExample Example(string id) => All().Single(x => x.Id == id).Example;

        [PwshTheory]
        [MemberData(nameof(OfflineExamples))]
        public void EveryOfflineExampleRunsWithoutErrors(string id) => Check(runs.Get("offline", id), Example(id));

        [Fact]
        public void EveryCmdletHasAnExampleThatRunsHereOrIsMarkedWithWhatItNeeds()
        {
            // The conventions are the builder's (docs/README.md); here: the examples that run are not a handful of trivial ones.
            var offline = Offline().Count();
            Assert.True(offline >= HelpSources.Commands.Count, $"only {offline} examples run offline for {HelpSources.Commands.Count} cmdlets");
            var untested = HelpSources.Commands.Where(c => c.Examples.All(e => e.Requires.Count > 0 && !e.Cheap)).Select(c => c.Name).ToList();
            Assert.True(untested.Count == 0, "cmdlets none of whose examples runs here: " + string.Join(", ", untested)
                + " (add an example that runs offline, e.g. with -WhatIf, a setup comment, or an error it shows on purpose)");
        }

        [PwshDockerFact]
        public void CheapEngineExamplesRunAgainstTheRealEngine()
        {
            var cases = CheapEngine().ToList();
            Assert.NotEmpty(cases);
            foreach (var (id, example) in cases)
            {
                Check(runs.Get("engine", id), example);
            }
        }

        private static void Check(ExampleResult result, HelpExample example)
        {
            string what = $"{result.Id} ({example.Title})";
            Assert.True(result.SetupErrors.Count == 0, $"{what}: its <!-- setup: --> failed:\n" + string.Join("\n", result.SetupErrors));
            if (example.ExpectError != null)
            {
                Assert.True(result.Errors.Count > 0, $"{what} shows the error {example.ExpectError} but wrote none.\n{result.Output}");
                Assert.All(result.Errors, e => Assert.True(e.StartsWith(example.ExpectError + ",", StringComparison.Ordinal), $"{what} wrote an error other than {example.ExpectError}: {e}"));
            }
            else
            {
                Assert.True(result.Errors.Count == 0, $"{what} wrote {result.Errors.Count} error(s):\n" + string.Join("\n", result.Errors) + "\n--- output ---\n" + result.Output);
            }

            // An ```output block must be what the example prints: each of its lines, with runs of spaces collapsed, in order.
            foreach (var block in example.Remarks.OfType<CodeBlock>().Where(b => b.Language == "output"))
            {
                var actual = Normalize(result.Output).ToList();
                int at = 0;
                foreach (var line in Normalize(block.Code))
                {
                    int found = actual.FindIndex(at, l => l.Contains(line, StringComparison.Ordinal));
                    Assert.True(found >= 0, $"{what}: its output block says '{line}', which is not in what it printed (in order):\n{result.Output}");
                    at = found + 1;
                }
            }
        }

        private static IEnumerable<string> Normalize(string text) =>
            text.Replace("\r\n", "\n").Split('\n').Select(l => Regex.Replace(l.Trim(), " +", " ")).Where(l => l.Length > 0);
    }
}
