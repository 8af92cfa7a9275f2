using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>build.ps1 at the repository root: valid for PowerShell 7 and Windows PowerShell 5.1, and a working Package task.</summary>
    public class BuildScriptTests
    {
        private static string ScriptPath => Path.Combine(ModuleSession.RepoRoot, "build.ps1");

        private static ScriptBlockAst Parse()
        {
            var ast = Parser.ParseFile(ScriptPath, out _, out var errors);
            Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
            return ast;
        }

        [Fact]
        public void ParsesWithoutErrors() => Parse();

        [Fact]
        public void DeclaresTheExpectedParameters()
        {
            var ast = Parse();
            Assert.NotNull(ast.ParamBlock);
            Assert.Contains(ast.ParamBlock!.Attributes, a => a.TypeName.Name == "CmdletBinding");
            var parameters = ast.ParamBlock.Parameters.ToDictionary(p => p.Name.VariablePath.UserPath, StringComparer.OrdinalIgnoreCase);
            Assert.Equal(new[] { "Configuration", "OutputPath", "ReadyToRun", "Task" }, parameters.Keys.OrderBy(k => k));

            Assert.Equal(typeof(string[]), parameters["Task"].StaticType);
            Assert.Equal(new[] { "Build", "Format", "Test", "Package" }, ValidateSet(parameters["Task"]));
            Assert.Equal(new[] { "Build", "Format", "Test", "Package" }, ((ArrayExpressionAst)parameters["Task"].DefaultValue!).SubExpression.Statements
                .SelectMany(st => st.FindAll(n => n is StringConstantExpressionAst, true)).Select(n => ((StringConstantExpressionAst)n).Value));

            Assert.Equal(typeof(string), parameters["Configuration"].StaticType);
            Assert.Equal(new[] { "Debug", "Release" }, ValidateSet(parameters["Configuration"]));
            Assert.Equal(typeof(string), parameters["OutputPath"].StaticType);
            Assert.Equal(typeof(string[]), parameters["ReadyToRun"].StaticType);
        }

        private static string[] ValidateSet(ParameterAst p)
        {
            var attr = p.Attributes.OfType<AttributeAst>().Single(a => a.TypeName.Name == "ValidateSet");
            return attr.PositionalArguments.Cast<StringConstantExpressionAst>().Select(s => s.Value).ToArray();
        }

        [Fact]
        public void UsesNoSyntaxThatWindowsPowerShell51Lacks()
        {
            var ast = Parse();
            var problems = new List<string>();
            foreach (var node in ast.FindAll(_ => true, true))
            {
                string? what = node switch
                {
                    TernaryExpressionAst => "ternary ?:",
                    PipelineChainAst => "&& / ||",
                    BinaryExpressionAst b when b.Operator == TokenKind.QuestionQuestion => "??",
                    AssignmentStatementAst a when a.Operator == TokenKind.QuestionQuestionEquals => "??=",
                    MemberExpressionAst m when m.NullConditional => "?. / ?[]",
                    IndexExpressionAst i when i.NullConditional => "?[]",
                    CommandParameterAst c when c.ParameterName.Equals("Parallel", StringComparison.OrdinalIgnoreCase) => "ForEach-Object -Parallel",
                    _ => null,
                };
                if (what != null)
                {
                    problems.Add($"line {node.Extent.StartLineNumber}: {what}");
                }
            }

            Assert.Empty(problems);
            Assert.Null(ast.CleanBlock);
            Assert.Contains("#Requires -Version 5.1", File.ReadAllText(ScriptPath));
        }

        [Fact]
        public void CallsOnlyCmdletsEveryHostHas()
        {
            // Only Microsoft.PowerShell.Core cmdlets, functions of the script itself and dotnet: the script then runs on
            // Windows PowerShell 5.1, PowerShell 7 and in minimal hosts alike.
            var ast = Parse();
            var own = ast.FindAll(n => n is FunctionDefinitionAst, true).Select(f => ((FunctionDefinitionAst)f).Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var allowed = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "dotnet", "Set-StrictMode", "Test-ModuleManifest" };
            var called = ast.FindAll(n => n is CommandAst, true).Select(c => ((CommandAst)c).GetCommandName()).Where(n => n != null).Distinct();
            Assert.All(called, n => Assert.True(own.Contains(n!) || allowed.Contains(n!), n + " is not available in every host"));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        public void FormatRunsTheFormatCheckAndFailsWithIt(int formatExit)
        {
            // A stand-in dotnet first on PATH (in a fresh process: PATH is process-wide) records its arguments.
            string dir = Path.Combine(Path.GetTempPath(), "pi-format-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string log = Path.Combine(dir, "args.txt");
                string fake = Path.Combine(dir, OperatingSystem.IsWindows() ? "dotnet.cmd" : "dotnet");
                File.WriteAllText(fake, OperatingSystem.IsWindows()
                    ? $"@echo %* > \"{log}\"\r\n@exit /b {formatExit}\r\n"
                    : $"#!/bin/sh\nprintf '%s\\n' \"$*\" > '{log}'\nexit {formatExit}\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(fake, (UnixFileMode)Convert.ToInt32("755", 8));
                }

                var run = FreshProcess.Run($"$env:PATH = {FreshProcess.Quote(dir)} + [IO.Path]::PathSeparator + $env:PATH; & {FreshProcess.Quote(ScriptPath)} -Task Format; 'exit=' + $LASTEXITCODE");
                Assert.Contains("exit=" + (formatExit == 0 ? 0 : 1), run.Output);
                Assert.Equal("format " + Path.Combine(ModuleSession.RepoRoot, "PythonImages.sln") + " --verify-no-changes", File.ReadAllText(log).Trim());
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        [Fact]
        public void RejectsAnUnknownTask()
        {
            using var s = new ModuleSession(importModule: false);
            var r = s.Run("& $script -Task Deploy", new Dictionary<string, object?> { ["script"] = ScriptPath });
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("ParameterArgumentValidationError", e.FullyQualifiedErrorId);
        }

        [Fact]
        public void PackageProducesAPublishableModuleFolder()
        {
            string output = Path.Combine(Path.GetTempPath(), "pi-package-" + Guid.NewGuid().ToString("N"));
            try
            {
                using var s = new ModuleSession(importModule: false);
                var r = s.Run("& $script -Task Package -OutputPath $out; $LASTEXITCODE", new Dictionary<string, object?> { ["script"] = ScriptPath, ["out"] = output });
                Assert.True(r.Output.Count > 0, r.HostText);
                Assert.True(Equals(0, r.Output[r.Output.Count - 1].BaseObject), "exit code " + r.Output[r.Output.Count - 1] + "\n" + r.HostText + string.Join("\n", r.AllErrors));

                string version = (string)ModuleManifestTests.ManifestData()["ModuleVersion"]!;
                string module = Path.Combine(output, "PythonImages", version);
                Assert.Equal(new[] { Path.Combine(output, "PythonImages") }, Directory.GetDirectories(output));
                Assert.Equal(new[] { module }, Directory.GetDirectories(Path.Combine(output, "PythonImages")));
                Assert.Equal(new[] { "CHANGELOG.md", "LICENSE", "PythonImages.psd1" }, Directory.GetFiles(module).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
                Assert.Equal(File.ReadAllText(ModuleSession.ManifestPath), File.ReadAllText(Path.Combine(module, "PythonImages.psd1")));
                foreach (var file in new[] { "LICENSE", "CHANGELOG.md" })
                {
                    Assert.Equal(File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, file)), File.ReadAllText(Path.Combine(module, file)));
                }

                // The help next to bin/: the MAML file and one topic per docs/en-US/about_*.md.
                Assert.Equal(new[] { "bin", "en-US" }, Directory.GetDirectories(module).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
                var topics = Directory.GetFiles(Path.Combine(ModuleSession.RepoRoot, "docs", "en-US"), "about_*.md").Select(f => Path.GetFileNameWithoutExtension(f) + ".help.txt");
                Assert.Equal(topics.Append("PythonImages.dll-Help.xml").OrderBy(n => n, StringComparer.Ordinal),
                    Directory.GetFiles(Path.Combine(module, "en-US")).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));

                string bin = Path.Combine(module, "bin");
                var rootFiles = Directory.GetFiles(bin).Select(Path.GetFileName).OrderBy(n => n).ToArray();
                Assert.Equal(new[] { "PythonImages.dll", "PythonImages.format.ps1xml", "PythonImages.views.bin" }, rootFiles);
                var deps = Directory.GetFiles(Path.Combine(bin, "dependencies")).Select(Path.GetFileName).ToArray();
                Assert.Contains("PythonImages.Core.dll", deps);
                Assert.Contains("YamlDotNet.dll", deps);
                Assert.Contains("SharpCompress.dll", deps); // Update-PythonMatrix's xz decoder: shipped as IL only, never ReadyToRun
                Assert.All(Directory.GetDirectories(Path.Combine(bin, "r2r")), rid => Assert.False(File.Exists(Path.Combine(rid, "SharpCompress.dll")), rid));
                Assert.DoesNotContain("System.Management.Automation.dll", deps);
                Assert.DoesNotContain(deps, d => d!.EndsWith(".pdb", StringComparison.Ordinal));
                // dependencies/ (netstandard2.0, every host) and r2r/ (the same dependencies ReadyToRun, per runtime identifier).
                Assert.Equal(new[] { "dependencies", "r2r" }, Directory.GetDirectories(bin).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
                Assert.False(Directory.Exists(module + ".staging"));

                // The packaged module imports and works (in a fresh process: this one already holds the repository's copy).
                string psd1 = Path.Combine(module, "PythonImages.psd1");
                var fresh = FreshProcess.Run($"Import-Module {FreshProcess.Quote(psd1)} -ErrorAction Stop; (Get-Module PythonImages).ModuleBase; [PythonImages.Commands.GetPythonTagCommand].Assembly.Location; (Get-PythonTag).Count; (Get-PythonTag -Name 3-slim).Directory; @((Get-Help Get-PythonTag -Full).examples.example).Count -ge 2; (Get-Help about_PythonImages_Matrix).Name");
                Assert.True(fresh.ExitCode == 0, fresh.ToString());
                Assert.Equal(new[] { module, Path.Combine(bin, "PythonImages.dll"), "42", "3.14/slim-trixie", "True", "about_PythonImages_Matrix" }, fresh.Output);
            }
            finally
            {
                if (Directory.Exists(output))
                {
                    Directory.Delete(output, recursive: true);
                }
            }
        }
    }
}
