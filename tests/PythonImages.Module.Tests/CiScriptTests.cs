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

        [Theory]
        [InlineData(0, "Passed!  - Failed:     0, Passed:   328, Skipped:     0, Total:   328, Duration: 10 s - A.dll (net10.0)\nPassed!  - Failed:     0, Passed:     5, Skipped:     1, Total:     6, Duration: 1 s - B.dll (net10.0)", "tests: 333 passed, 0 failed, 1 skipped")]
        [InlineData(1, "Failed!  - Failed:     2, Passed:    10, Skipped:     0, Total:    12, Duration: 1 s - A.dll (net10.0)", "tests: 10 passed, 2 failed, 0 skipped")]
        [InlineData(1, "error CS1002: ; expected", "tests: 0 passed, 0 failed, 0 skipped")]
        public void RunsTheReadmeTestCommandKeepsItsExitCodeAndSumsUp(int exitCode, string dotnetOutput, string closingLine)
        {
            // The README's test command is what the last step runs.
            string readme = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "README.md")).Replace("\r\n", "\n");
            Assert.Contains("```sh\n" + TestCommand + "\n```", readme);
            string script = File.ReadAllText(ScriptPath).Replace("\r\n", "\n");
            int step = script.IndexOf("# 5. ", StringComparison.Ordinal);
            Assert.True(step > 0, "the test step (# 5.) is missing from .ci/run");
            Assert.Contains(TestCommand + " </dev/null", script.Substring(step));

            // Run that step for real, with a stand-in dotnet that prints what dotnet test prints and exits as told.
            string dir = Directory.CreateTempSubdirectory("pi-ci-").FullName;
            try
            {
                string fakeDotnet = Path.Combine(dir, "dotnet");
                File.WriteAllText(fakeDotnet, "#!/bin/sh\n[ \"$1 $2\" = \"test PythonImages.sln\" ] || { echo \"unexpected: $*\" >&2; exit 99; }\nprintf '%s\\n' \"$FAKE_OUTPUT\"\nexit $FAKE_EXIT\n");
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fakeDotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                string stepScript = Path.Combine(dir, "step.sh");
                File.WriteAllText(stepScript, "set -euo pipefail\nrepo=\"" + dir + "\"\nstate=\"" + dir + "\"\nsay() { echo \"ci: $*\"; }\n" + script.Substring(step));
                var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                start.ArgumentList.Add(stepScript);
                start.Environment["PATH"] = dir + ":" + Environment.GetEnvironmentVariable("PATH");
                start.Environment["FAKE_OUTPUT"] = dotnetOutput;
                start.Environment["FAKE_EXIT"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
                using var p = Process.Start(start)!;
                string output = p.StandardOutput.ReadToEnd();
                string errors = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.True(exitCode == p.ExitCode, $"exit {p.ExitCode}, expected {exitCode}\n{output}\n{errors}");
                var lines = output.TrimEnd('\n').Split('\n');
                Assert.Equal(closingLine, lines[^1]);
                Assert.Contains(dotnetOutput.Split('\n')[0], output);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
