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
            int step = script.IndexOf("# 6. ", StringComparison.Ordinal);
            Assert.True(step > 0, "the test step (# 6.) is missing from .ci/run");
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

        [Theory]
        [InlineData(0, 0, 0, null)]
        [InlineData(1, 0, 1, "ci: ERROR: the build has errors or warnings")]
        [InlineData(0, 1, 1, "ci: ERROR: the code does not follow .editorconfig")]
        public void BuildsWithWarningsAsErrorsAndChecksTheFormatBeforeTheTests(int buildExit, int formatExit, int expectedExit, string? expectedError)
        {
            string script = File.ReadAllText(ScriptPath).Replace("\r\n", "\n");
            int checks = script.IndexOf("# 5. ", StringComparison.Ordinal);
            int tests = script.IndexOf("# 6. ", StringComparison.Ordinal);
            Assert.True(checks > 0 && tests > checks, "the checks step (# 5.) must come right before the test step (# 6.)");

            // Run that step for real, with a stand-in dotnet that records its arguments and exits as told.
            string dir = Directory.CreateTempSubdirectory("pi-ci-").FullName;
            try
            {
                string fakeDotnet = Path.Combine(dir, "dotnet");
                File.WriteAllText(fakeDotnet, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$FAKE_LOG\"\necho \"dotnet $1 output\"\ncase \"$1\" in build) exit $FAKE_BUILD_EXIT;; format) exit $FAKE_FORMAT_EXIT;; *) exit 99;; esac\n");
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fakeDotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                string stepScript = Path.Combine(dir, "step.sh");
                File.WriteAllText(stepScript, "set -euo pipefail\nrepo=\"" + dir + "\"\nstate=\"" + dir + "\"\nsay() { echo \"ci: $*\"; }\ndie() { echo \"ci: ERROR: $*\" >&2; exit 1; }\n"
                    + script[checks..tests]);
                var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                start.ArgumentList.Add(stepScript);
                start.Environment["PATH"] = dir + ":" + Environment.GetEnvironmentVariable("PATH");
                start.Environment["FAKE_LOG"] = Path.Combine(dir, "calls.txt");
                start.Environment["FAKE_BUILD_EXIT"] = buildExit.ToString(System.Globalization.CultureInfo.InvariantCulture);
                start.Environment["FAKE_FORMAT_EXIT"] = formatExit.ToString(System.Globalization.CultureInfo.InvariantCulture);
                using var p = Process.Start(start)!;
                string output = p.StandardOutput.ReadToEnd();
                string errors = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.True(expectedExit == p.ExitCode, $"exit {p.ExitCode}, expected {expectedExit}\n{output}\n{errors}");

                var calls = File.ReadAllLines(Path.Combine(dir, "calls.txt"));
                var expectedCalls = new[] { "build PythonImages.sln -warnaserror -nologo", "format PythonImages.sln --verify-no-changes" };
                Assert.Equal(expectedCalls.Take(buildExit != 0 ? 1 : 2), calls);
                if (expectedError != null)
                {
                    Assert.Contains(expectedError, errors);
                    Assert.Contains("dotnet " + (buildExit != 0 ? "build" : "format") + " output", errors); // the end of the log is shown
                }
                else
                {
                    Assert.Equal(new[] { "ci: dotnet build PythonImages.sln -warnaserror", "ci: dotnet format PythonImages.sln --verify-no-changes" }, output.TrimEnd('\n').Split('\n'));
                }
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void InstallsPython3AndRunsEveryTestIncludingTheSlowEngineBuild()
        {
            string script = File.ReadAllText(ScriptPath).Replace("\r\n", "\n");
            var packages = script.Split('\n').Single(l => l.StartsWith("packages=(", StringComparison.Ordinal));
            Assert.Contains(" python3", packages);
            Assert.Contains(" busybox-static", packages);
            string tests = script[script.IndexOf("# 6. ", StringComparison.Ordinal)..];
            int slow = tests.IndexOf("export PYTHONIMAGES_SLOW_DOCKER_TESTS=1\n", StringComparison.Ordinal);
            Assert.True(slow > 0 && slow < tests.IndexOf(TestCommand + " </dev/null", StringComparison.Ordinal), "the test step must turn the slow engine test on before dotnet test");
        }
    }
}
