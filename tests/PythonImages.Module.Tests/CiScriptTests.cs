using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>.ci/run: a valid, executable bash script that ends by running the README's test command.</summary>
    public class CiScriptTests
    {
        private static string ScriptPath => Path.Combine(ModuleSession.RepoRoot, ".ci", "run");

        private const string TestCommand = "dotnet test PythonImages.sln";

        [Fact]
        public void IsAnExecutableBashScript()
        {
            Assert.StartsWith("#!/usr/bin/env bash\n", File.ReadAllText(ScriptPath));
            if (!OperatingSystem.IsWindows())
            {
                Assert.True(File.GetUnixFileMode(ScriptPath).HasFlag(UnixFileMode.UserExecute), ".ci/run is not executable");
            }
        }

        [Fact]
        public void BashParsesIt()
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(ScriptPath);
            using var p = Process.Start(start)!;
            string errors = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, errors);
        }

        [Fact]
        public void EndsByRunningTheReadmeTestCommandAndKeepingItsExitCode()
        {
            var lines = File.ReadAllLines(ScriptPath).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("#", StringComparison.Ordinal)).ToArray();
            Assert.Equal("exec " + TestCommand + " </dev/null", lines[lines.Length - 1]);
            Assert.Contains("set -euo pipefail", lines);

            string readme = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "README.md"));
            Assert.Contains("```sh\n" + TestCommand + "\n```", readme.Replace("\r\n", "\n"));
        }
    }
}
