using System;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.PwshSuite
{
    /// <summary>
    /// tests/smoke/Smoke.ps1, which the GitHub workflow runs in Windows PowerShell 5.1 and PowerShell 7 on Windows: it runs
    /// here in pwsh against an installed-style copy of the module, and uses nothing Windows PowerShell 5.1 lacks.
    /// </summary>
    public sealed class SmokeScriptTests
    {
        private static string ScriptPath => Path.Combine(ModuleSession.RepoRoot, "tests", "smoke", "Smoke.ps1");

        [PwshFact]
        public void TheSmokeTestPassesForTheBuiltModule()
        {
            using var ws = new PwshWorkspace("smoke");
            PwshWorkspace.CopyModule(ws["modules/PythonImages"]);
            var r = Pwsh.Run($"& {Pwsh.Quote(ScriptPath)} -ModulesPath ./modules", ws.Root);
            Assert.True(r.ExitCode == 0 && r.Error.Length == 0, r.ToString());
            Assert.Equal("smoke: ok", r.Output.Trim().Split('\n').Last().Trim());
            Assert.Contains("from " + ws["modules/PythonImages"], r.Output, StringComparison.Ordinal);
        }

        [PwshFact]
        public void TheSmokeTestFailsWhenTheHelpIsMissing()
        {
            using var ws = new PwshWorkspace("smoke-nohelp");
            PwshWorkspace.CopyModule(ws["modules/PythonImages"]);
            Directory.Delete(ws["modules/PythonImages/en-US"], true);
            var r = Pwsh.Run($"& {Pwsh.Quote(ScriptPath)} -ModulesPath ./modules", ws.Root);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("has no help", r.Error, StringComparison.Ordinal);
        }

        [PwshFact]
        public void TheSmokeTestFailsWhenTheViewsAreMissing()
        {
            using var ws = new PwshWorkspace("smoke-noviews");
            PwshWorkspace.CopyModule(ws["modules/PythonImages"]);
            foreach (string file in Directory.GetFiles(ws["modules/PythonImages"], "PythonImages.*", SearchOption.AllDirectories))
            {
                if (file.EndsWith(".views.bin", StringComparison.Ordinal) || file.EndsWith(".format.ps1xml", StringComparison.Ordinal))
                {
                    File.Delete(file);
                }
            }

            var r = Pwsh.Run($"& {Pwsh.Quote(ScriptPath)} -ModulesPath ./modules", ws.Root);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("no view for PythonImages.PythonImage", r.Error, StringComparison.Ordinal);
        }

        [Fact]
        public void UsesNoSyntaxThatWindowsPowerShell51Lacks()
        {
            var ast = Parser.ParseFile(ScriptPath, out _, out var errors);
            Assert.Empty(errors);
            var newer = ast.FindAll(n => n is TernaryExpressionAst || n is PipelineChainAst
                || (n is BinaryExpressionAst b && b.Operator == TokenKind.QuestionQuestion)
                || (n is AssignmentStatementAst a && a.Operator == TokenKind.QuestionQuestionEquals)
                || (n is MemberExpressionAst m && m.NullConditional) || (n is IndexExpressionAst i && i.NullConditional), true);
            Assert.Empty(newer.Select(n => $"line {n.Extent.StartLineNumber}: {n.Extent.Text}"));
            Assert.StartsWith("#Requires -Version 5.1", File.ReadAllText(ScriptPath), StringComparison.Ordinal);
        }
    }
}
