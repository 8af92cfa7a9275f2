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

        private const string NotOnWindows = ".ci/run is the CI entry point of Debian machines; its steps run in bash there (the Linux job of the workflow runs these tests).";

        /// <summary>A test that runs .ci/run or a step of it in bash: skipped on Windows.</summary>
        [AttributeUsage(AttributeTargets.Method)]
        public sealed class UnixFactAttribute : FactAttribute
        {
            public UnixFactAttribute()
            {
                if (OperatingSystem.IsWindows())
                {
                    Skip = NotOnWindows;
                }
            }
        }

        /// <summary>The theory form of <see cref="UnixFactAttribute"/>.</summary>
        [AttributeUsage(AttributeTargets.Method)]
        public sealed class UnixTheoryAttribute : TheoryAttribute
        {
            public UnixTheoryAttribute()
            {
                if (OperatingSystem.IsWindows())
                {
                    Skip = NotOnWindows;
                }
            }
        }

        [Fact]
        public void IsAnExecutableBashScript()
        {
            Assert.StartsWith("#!/usr/bin/env bash\n", File.ReadAllText(ScriptPath));
            if (!OperatingSystem.IsWindows())
            {
                Assert.True(File.GetUnixFileMode(ScriptPath).HasFlag(UnixFileMode.UserExecute), ".ci/run is not executable");
            }
        }

        [UnixFact]
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

        [UnixTheory]
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
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(fakeDotnet, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
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

        /// <summary>Runs the step of .ci/run between two "# N." headings with a stand-in dotnet, in a HOME of its own.</summary>
        private static (int ExitCode, string Output, string DotnetCalls) RunStep(string from, string to, string dir, string? otherPwsh = null, bool installFails = false)
        {
            string script = File.ReadAllText(ScriptPath).Replace("\r\n", "\n");
            int start = script.IndexOf(from, StringComparison.Ordinal);
            int end = script.IndexOf(to, start + 1, StringComparison.Ordinal);
            Assert.True(start > 0 && end > start, $"the step {from} is missing from .ci/run");
            string bin = Directory.CreateDirectory(Path.Combine(dir, "fakebin")).FullName;
            string home = Directory.CreateDirectory(Path.Combine(dir, "home")).FullName;
            void Executable(string path, string text)
            {
                File.WriteAllText(path, text);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            // The stand-in dotnet records its calls; a tool install or update of PowerShell puts a pwsh into ~/.dotnet/tools.
            Executable(Path.Combine(bin, "dotnet"), "#!/bin/sh\necho \"$*\" >> \"$HOME/dotnet.log\"\n"
                + (installFails ? "exit 1\n" : "case \"$*\" in\n  \"tool update --global PowerShell --version 7.6.9\"|\"tool install --global PowerShell --version 7.6.9\")\n"
                    + "    mkdir -p \"$HOME/.dotnet/tools\" && printf '#!/bin/sh\\necho PowerShell 7.6.9\\n' > \"$HOME/.dotnet/tools/pwsh\" && chmod +x \"$HOME/.dotnet/tools/pwsh\";;\n  *) exit 99;;\nesac\n"));
            if (otherPwsh != null)
            {
                Executable(Path.Combine(bin, "pwsh"), "#!/bin/sh\necho PowerShell " + otherPwsh + "\n");
            }

            string stepScript = Path.Combine(dir, "step.sh");
            File.WriteAllText(stepScript, "set -euo pipefail\nstate=\"" + dir + "\"\nsay() { echo \"ci: $*\"; }\ndie() { echo \"ci: ERROR: $*\" >&2; exit 1; }\n"
                + script.Substring(start, end - start) + "\necho \"pwsh is $(command -v pwsh)\"\n");
            var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(stepScript);
            psi.Environment["PATH"] = bin + ":/usr/bin:/bin";
            psi.Environment["HOME"] = home;
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            string log = Path.Combine(home, "dotnet.log");
            return (p.ExitCode, output, File.Exists(log) ? File.ReadAllText(log) : string.Empty);
        }

        [UnixFact]
        public void InstallsPwshWhenMissingAndLeavesItAloneTheSecondTime()
        {
            if (OperatingSystem.IsWindows() || File.Exists("/usr/bin/pwsh") || File.Exists("/bin/pwsh"))
            {
                return; // the step is bash on the CI machine; a pwsh in /usr/bin would hide the missing case
            }

            string dir = Directory.CreateTempSubdirectory("pi-ci-pwsh-").FullName;
            try
            {
                var first = RunStep("# 4a. ", "# 4b. ", dir);
                Assert.True(first.ExitCode == 0, first.Output);
                Assert.Contains("ci: installing pwsh 7.6.9", first.Output, StringComparison.Ordinal);
                Assert.Contains("tool update --global PowerShell --version 7.6.9", first.DotnetCalls, StringComparison.Ordinal);
                Assert.Contains("pwsh is " + Path.Combine(dir, "home", ".dotnet", "tools", "pwsh"), first.Output, StringComparison.Ordinal);

                File.Delete(Path.Combine(dir, "home", "dotnet.log"));
                var second = RunStep("# 4a. ", "# 4b. ", dir);
                Assert.True(second.ExitCode == 0, second.Output);
                Assert.Contains("ci: pwsh 7.6.9 present", second.Output, StringComparison.Ordinal);
                Assert.Equal(string.Empty, second.DotnetCalls);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [UnixFact]
        public void ReplacesAnotherPwshVersionAndFailsClearlyWhenTheInstallFails()
        {
            if (OperatingSystem.IsWindows() || File.Exists("/usr/bin/pwsh") || File.Exists("/bin/pwsh"))
            {
                return;
            }

            string dir = Directory.CreateTempSubdirectory("pi-ci-pwsh-").FullName;
            try
            {
                var other = RunStep("# 4a. ", "# 4b. ", dir, otherPwsh: "7.4.6");
                Assert.True(other.ExitCode == 0, other.Output);
                Assert.Contains("ci: installing pwsh 7.6.9", other.Output, StringComparison.Ordinal);
                Assert.Contains("pwsh is " + Path.Combine(dir, "home", ".dotnet", "tools", "pwsh"), other.Output, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, true);
            }

            dir = Directory.CreateTempSubdirectory("pi-ci-pwsh-").FullName;
            try
            {
                var failed = RunStep("# 4a. ", "# 4b. ", dir, installFails: true);
                Assert.NotEqual(0, failed.ExitCode);
                Assert.Contains("ci: ERROR: could not install pwsh 7.6.9", failed.Output, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [UnixTheory]
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
        public void TheNewStepsComeBeforeTheTestsAndKeepItIdempotent()
        {
            string script = File.ReadAllText(ScriptPath).Replace("\r\n", "\n");
            int pwsh = script.IndexOf("# 4a. ", StringComparison.Ordinal);
            int lint = script.IndexOf("# 4b. ", StringComparison.Ordinal);
            int tests = script.IndexOf("# 5. ", StringComparison.Ordinal); // the build checks, then the tests (# 6.)
            Assert.True(pwsh > 0 && lint > pwsh && tests > lint, "the pwsh (4a) and workflow lint (4b) steps must come before the build checks (5) and the tests (6)");
            Assert.Contains("npm ci", script.Substring(lint, tests - lint), StringComparison.Ordinal);
            Assert.Contains(".installed-lock.json", script.Substring(lint, tests - lint), StringComparison.Ordinal); // installs only when the lock file changed
        }

        [Fact]
        public void InstallsPython3AndLeavesTheSlowEngineBuildToTheCaller()
        {
            // The stand-in CPython build (4-6 minutes) does not fit the 20-minute budget: .ci/run passes the caller's
            // PYTHONIMAGES_SLOW_DOCKER_TESTS through instead of turning it on, and says how to ask for it.
            string script = File.ReadAllText(ScriptPath).Replace("\r\n", "\n");
            var packages = script.Split('\n').Single(l => l.StartsWith("packages=(", StringComparison.Ordinal));
            Assert.Contains(" python3", packages);
            Assert.Contains(" busybox-static", packages);
            string tests = script[script.IndexOf("# 6. ", StringComparison.Ordinal)..];
            Assert.Contains(TestCommand + " </dev/null", tests, StringComparison.Ordinal);
            Assert.DoesNotContain("PYTHONIMAGES_SLOW_DOCKER_TESTS=1\n", tests, StringComparison.Ordinal);
            Assert.Contains("PYTHONIMAGES_SLOW_DOCKER_TESTS=1 CI=true .ci/run", tests, StringComparison.Ordinal);
        }
    }
}
