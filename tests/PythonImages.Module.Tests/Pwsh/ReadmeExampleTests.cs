using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Web;
using PythonImages.Tests.Fakes;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.PwshSuite
{
    /// <summary>
    /// The README's PowerShell examples, verbatim, in real pwsh processes. Each ```powershell block runs in a folder of its
    /// own; a statement runs unless it needs what this machine cannot offer (a Docker build or test, python.org, git
    /// history, a path outside the folder, an environment change, a native program), decided from the statement's syntax
    /// tree. What the README shows as output (after `PS>`, or as comment lines right after a command) must be printed, and
    /// the only errors allowed are those it shows. The quick start runs verbatim against a loopback engine.
    /// </summary>
    public sealed class ReadmeExampleTests : IClassFixture<ReadmeExampleTests.Runs>
    {
        private static readonly string[] NeedsEngineOrNetwork = { "Invoke-PythonImageBuild", "Test-PythonImage", "Update-PythonMatrix", "Invoke-PythonContainer", "Publish-PythonImage" };

        internal sealed record Block(int Index, int Line, string Code, bool Prompted)
        {
            public override string ToString() => $"README block {Index} (line {Line})";
        }

        internal static List<Block> Blocks()
        {
            var lines = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "README.md")).Replace("\r\n", "\n").Split('\n');
            var blocks = new List<Block>();
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].StartsWith("```", StringComparison.Ordinal))
                {
                    string lang = lines[i].Substring(3).Trim();
                    int end = Array.FindIndex(lines, i + 1, l => l.StartsWith("```", StringComparison.Ordinal));
                    if (lang == "powershell")
                    {
                        string code = string.Join("\n", lines.Skip(i + 1).Take(end - i - 1));
                        blocks.Add(new Block(blocks.Count, i + 1, code, code.TrimStart().StartsWith("PS>", StringComparison.Ordinal)));
                    }

                    i = end;
                }
            }

            return blocks;
        }

        /// <summary>The statements of a block with what the README shows each one prints.</summary>
        internal static List<(string Code, string? Skip, List<string> Shown)> Statements(Block block)
        {
            var result = new List<(string, string?, List<string>)>();
            var lines = block.Code.Split('\n');
            if (block.Prompted)
            {
                for (int i = 0; i < lines.Length; i++)
                {
                    if (lines[i].StartsWith("PS> ", StringComparison.Ordinal))
                    {
                        var shown = lines.Skip(i + 1).TakeWhile(l => !l.StartsWith("PS> ", StringComparison.Ordinal)).Where(l => l.Trim().Length > 0).ToList();
                        string code = lines[i].Substring(4);
                        result.Add((code, WhyNot(code, new HashSet<string>()), shown));
                    }
                }

                return result;
            }

            var ast = Parser.ParseInput(block.Code, out _, out var errors);
            Assert.True(errors.Length == 0, $"{block} does not parse: {string.Join("; ", errors.Select(e => e.Message))}");
            var assigned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var statement in ast.EndBlock.Statements)
            {
                string code = statement.Extent.Text;
                string? skip = WhyNot(statement, assigned);
                if (skip == null)
                {
                    foreach (var a in statement.FindAll(n => n is AssignmentStatementAst, true).Cast<AssignmentStatementAst>())
                    {
                        if (a.Left is VariableExpressionAst v)
                        {
                            assigned.Add(v.VariablePath.UserPath);
                        }
                    }
                }

                // Comment lines right after the statement (no blank line between) show its output.
                var shown = lines.Skip(statement.Extent.EndLineNumber).TakeWhile(l => l.TrimStart().StartsWith("# ", StringComparison.Ordinal))
                    .Select(l => l.TrimStart().Substring(2)).ToList();
                result.Add((code, skip, shown));
            }

            return result;
        }

        private static string? WhyNot(string code, HashSet<string> assigned)
        {
            var ast = Parser.ParseInput(code, out _, out var errors);
            return errors.Length > 0 ? "does not parse" : WhyNot(ast, assigned);
        }

        /// <summary>Why a statement cannot run offline in a fresh folder, or null.</summary>
        private static string? WhyNot(Ast statement, HashSet<string> assigned)
        {
            foreach (var command in statement.FindAll(n => n is CommandAst, true).Cast<CommandAst>())
            {
                string? name = command.GetCommandName();
                if (name == null || !Regex.IsMatch(name, @"\A[A-Za-z]+-[A-Za-z]+\z"))
                {
                    return $"runs the program {name ?? command.Extent.Text}";
                }

                if (NeedsEngineOrNetwork.Contains(name, StringComparer.OrdinalIgnoreCase)
                    && !(name == "Invoke-PythonImageBuild" && command.CommandElements.OfType<CommandParameterAst>().Any(p => p.ParameterName.Equals("WhatIf", StringComparison.OrdinalIgnoreCase))))
                {
                    return $"{name} needs a Docker engine or the internet";
                }
            }

            string text = statement.Extent.Text;
            if (Regex.IsMatch(text, @"(^|[\s'""])(~|[A-Za-z]:\\|\.\\)"))
            {
                return "uses a path outside the example's folder";
            }

            foreach (var v in statement.FindAll(n => n is VariableExpressionAst, true).Cast<VariableExpressionAst>())
            {
                var path = v.VariablePath;
                if (path.IsDriveQualified || (!path.IsUnqualified && !path.IsScript && !path.IsGlobal))
                {
                    return "uses $" + path.UserPath + " (an environment or provider variable)";
                }

                string n = path.UserPath;
                bool automatic = n is "_" or "PSItem" or "true" or "false" or "null" or "args" or "LASTEXITCODE" or "PWD" or "HOME" or "IsWindows" or "IsLinux" or "IsMacOS";
                bool assignedHere = statement.FindAll(x => x is AssignmentStatementAst a && a.Left is VariableExpressionAst l && l.VariablePath.UserPath.Equals(n, StringComparison.OrdinalIgnoreCase), true).Any();
                if (!automatic && !assignedHere && !assigned.Contains(n))
                {
                    return "uses $" + n + ", which the README does not set";
                }
            }

            return null;
        }

        public static IEnumerable<object[]> RunnableBlocks() =>
            Blocks().Where(b => Statements(b).Any(s => s.Skip == null)).Select(b => new object[] { b.Index });

        [Fact]
        public void MostOfTheReadmesExamplesRunHere()
        {
            var all = Blocks().SelectMany(b => Statements(b).Select(s => (b, s))).ToList();
            int runnable = all.Count(x => x.s.Skip == null);
            Assert.True(runnable >= 15, $"only {runnable} of {all.Count} README statements run offline:\n"
                + string.Join("\n", all.Where(x => x.s.Skip != null).Select(x => $"{x.b}: {x.s.Code.Split('\n')[0]} -- {x.s.Skip}")));
        }

        /// <summary>
        /// Every runnable block, run once in one pwsh process (a cold start and an import per block would be slow): each block
        /// in a folder of its own (the current location, with the README's matrix.yaml and ./library/python manifest), in a
        /// child scope, its errors read from $Error.
        /// </summary>
        public sealed class Runs : IDisposable
        {
            private readonly Lazy<Dictionary<int, (string Output, List<string> Errors)>> results;
            private readonly string root = Directory.CreateTempSubdirectory("pi-h11-readme-").FullName;

            public Runs() => results = new Lazy<Dictionary<int, (string, List<string>)>>(RunAll);

            public (string Output, List<string> Errors) Get(int index) =>
                results.Value.TryGetValue(index, out var r) ? r : throw new InvalidOperationException("README block " + index + " did not run");

            private Dictionary<int, (string, List<string>)> RunAll()
            {
                string matrix = Path.Combine(ModuleSession.RepoRoot, "src", "PythonImages.Core", "Data", "matrix.yaml");
                var cases = RunnableBlocks().Select(b => Blocks()[(int)b[0]]).Select(b => new
                {
                    b.Index,
                    Code = string.Join("\n", Statements(b).Where(st => st.Skip == null).Select(st => st.Code)),
                }).ToList();
                string casesFile = Path.Combine(root, "cases.json");
                string resultsFile = Path.Combine(root, "results.json");
                File.WriteAllText(casesFile, JsonSerializer.Serialize(cases));
                var r = Pwsh.Run(RunnerScript, root, null, 900, ModuleSession.ManifestPath, matrix, casesFile, resultsFile);
                Assert.True(r.ExitCode == 0 && File.Exists(resultsFile), "the README block runner failed: " + r);
                using var json = JsonDocument.Parse(File.ReadAllText(resultsFile));
                return json.RootElement.EnumerateArray().ToDictionary(
                    e => e.GetProperty("Index").GetInt32(),
                    // One entry per line, as a per-block process printed them.
                    e => (e.GetProperty("Output").GetString() ?? string.Empty, e.GetProperty("Errors").EnumerateArray()
                        .SelectMany(x => x.GetString()!.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList()));
            }

            public void Dispose()
            {
                try
                {
                    Directory.Delete(root, true);
                }
                catch (IOException)
                {
                }
            }
        }

        private const string RunnerScript = @"
param([string] $Manifest, [string] $Matrix, [string] $CasesFile, [string] $ResultsFile)
$PSStyle.OutputRendering = 'PlainText'
$ProgressPreference = 'SilentlyContinue'
Import-Module $Manifest -ErrorAction Stop
$root = (Get-Location).ProviderPath
$results = foreach ($case in (Get-Content -Raw -LiteralPath $CasesFile | ConvertFrom-Json)) {
    $folder = New-Item -ItemType Directory -Path (Join-Path $root ('block-' + $case.Index))
    Copy-Item -LiteralPath $Matrix -Destination (Join-Path $folder.FullName 'matrix.yaml')
    Push-Location -LiteralPath $folder.FullName
    $output = ''
    try {
        $null = New-Item -ItemType Directory -Path ./library
        Get-PythonTag | Export-PythonLibraryManifest -GitCommit 0123456789abcdef0123456789abcdef01234567 -Path ./library/python
        $Error.Clear()
        try {
            $output = & ([scriptblock]::Create($case.Code)) *>&1 | Out-String -Width 300
        }
        catch {
            $output += ($_ | Out-String -Width 300)
        }
    }
    finally {
        $errors = @($Error | ForEach-Object { $_.FullyQualifiedErrorId + ' :: ' + $(if ($_.ErrorDetails) { $_.ErrorDetails.Message } else { $_.Exception.Message }) })
        Pop-Location
    }
    [pscustomobject]@{ Index = $case.Index; Output = $output; Errors = $errors }
}
ConvertTo-Json -InputObject @($results) -Depth 4 | Set-Content -LiteralPath $ResultsFile -Encoding utf8
";

        private readonly Runs runs;

        public ReadmeExampleTests(Runs runs) => this.runs = runs;

        [PwshTheory]
        [MemberData(nameof(RunnableBlocks))]
        public void ReadmeBlockRunsVerbatim(int index)
        {
            var block = Blocks()[index];
            var statements = Statements(block);
            string runnable = string.Join("\n", statements.Where(s => s.Skip == null).Select(s => s.Code));
            var (output, errors) = runs.Get(index);

            string shownText = string.Join("\n", statements.SelectMany(s => s.Shown));
            foreach (var e in errors)
            {
                string message = e.Substring(e.IndexOf(" :: ", StringComparison.Ordinal) + 4).Trim();
                Assert.True(shownText.Contains(message, StringComparison.Ordinal), $"{block} wrote an error the README does not show: {e}\n--- ran ---\n{runnable}\n--- output ---\n{output}");
            }

            var printed = Normalize(output).ToList();
            int at = 0;
            foreach (var line in statements.Where(s => s.Skip == null).SelectMany(s => s.Shown).SelectMany(Normalize))
            {
                // An error as the interactive prompt shows it ("Get-PythonTag: message"): a script shows it with its position.
                var shownError = Regex.Match(line, @"\A[A-Z][a-z]+-[A-Za-z]+: (.+)\z");
                if (shownError.Success && errors.Any(e => Normalize(e).Single().EndsWith(" :: " + shownError.Groups[1].Value, StringComparison.Ordinal)))
                {
                    continue;
                }

                int found = printed.FindIndex(at, l => l.Contains(line, StringComparison.Ordinal));
                Assert.True(found >= 0, $"{block}: the README shows '{line}', which the commands did not print (in this order).\n--- ran ---\n{runnable}\n--- output ---\n{output}");
                at = found + 1;
            }
        }

        private static IEnumerable<string> Normalize(string text) =>
            text.Replace("\r\n", "\n").Split('\n').Select(l => Regex.Replace(l.Trim(), @"\s+", " ")).Where(l => l.Length > 0);

        /// <summary>The quick start's pwsh command, exactly as the README gives it.</summary>
        internal static string QuickStartCommand()
        {
            string readme = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "README.md")).Replace("\r\n", "\n");
            int section = readme.IndexOf("## Quick start", StringComparison.Ordinal);
            Assert.True(section >= 0, "README.md has no '## Quick start' section");
            var block = Blocks().First(b => b.Line > readme.Substring(0, section).Count(c => c == '\n'));
            string line = block.Code.Split('\n').Single(l => l.StartsWith("pwsh -c '", StringComparison.Ordinal));
            return line.Substring("pwsh -c '".Length, line.Length - "pwsh -c '".Length - 1).Replace("''", "'");
        }

        [PwshFact]
        public void TheQuickStartRunsVerbatimAgainstALoopbackEngine()
        {
            string command = QuickStartCommand();
            Assert.Contains("Import-Module ./PythonImages.psd1", command);
            string imageId = "sha256:" + new string('5', 64);
            using var fake = new FakeEngine(r => r.Path switch
            {
                "/build" => new FakeResponse
                {
                    Body = "{\"stream\":\"Step 1/2 : FROM debian:trixie-slim\\n\"}\r\n{\"stream\":\"Step 2/2 : RUN true\\n\"}\r\n"
                        + "{\"aux\":{\"ID\":\"" + imageId + "\"}}\r\n{\"stream\":\"Successfully built 555555555555\\n\"}\r\n",
                },
                var p when p.StartsWith("/images/", StringComparison.Ordinal) && p.EndsWith("/json", StringComparison.Ordinal) =>
                    FakeResponse.Json("{\"Id\":\"" + imageId + "\",\"Size\":123456789,\"Os\":\"linux\"}"),
                _ => FakeResponse.Json("{\"message\":\"not implemented by the test engine\"}", 404),
            });
            using var ws = new PwshWorkspace("quickstart", withModule: true);
            var r = Pwsh.Run(command + " | ForEach-Object { 'ImageId=' + $_.ImageId; 'Succeeded=' + $_.Succeeded }", ws.Root, new Dictionary<string, string?> { ["DOCKER_HOST"] = fake.Host() });
            Assert.True(r.ExitCode == 0 && r.Error.Length == 0, r.ToString());

            // The Dockerfile was written where the README says, and the image was built from it with the image's tags.
            Assert.Equal(new[] { "images/3.14/slim-trixie/Dockerfile" }, ws.Files());
            Assert.Contains("FROM debian:trixie-slim", File.ReadAllText(ws["images/3.14/slim-trixie/Dockerfile"]), StringComparison.Ordinal);
            var build = Assert.Single(fake.Requests, q => q.Path == "/build");
            var tags = HttpUtility.ParseQueryString(build.Query).GetValues("t") ?? Array.Empty<string>();
            Assert.Contains("python:3.14-slim-trixie", tags);
            Assert.Contains("python:3-slim", tags);
            Assert.Contains("networkmode=host", build.Query, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("ImageId=" + imageId, r.Output, StringComparison.Ordinal);
            Assert.Contains("Succeeded=True", r.Output, StringComparison.Ordinal);
        }
    }
}
