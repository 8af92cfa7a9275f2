using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>.ci/run step 4d: the second dockerd is started with its own socket, data root, exec root and pid file, once.</summary>
    public sealed class CiSecondEngineTests
    {
        private static readonly string ScriptPath = Path.Combine(Hosting.ModuleSession.RepoRoot, ".ci", "run");

        [CiScriptTests.UnixFact]
        public void StartsASecondDockerdOnceAndExportsItsSocket()
        {
            string dir = Path.Combine(Path.GetTempPath(), "pitest5-s4-engines-ci-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            try
            {
                var first = RunStep(dir);
                Assert.True(first.ExitCode == 0, first.Output);
                string sock = Path.Combine(dir, "run", "docker2.sock");
                Assert.Contains("ci: starting a second dockerd on unix://" + sock, first.Output, StringComparison.Ordinal);
                Assert.Contains("PYTHONIMAGES_SECOND_ENGINE=unix://" + sock, first.Output, StringComparison.Ordinal);
                string args = File.ReadAllText(Path.Combine(dir, "dockerd.args")).Trim();
                Assert.Equal(
                    $"-H unix://{sock} --data-root {dir}/docker2 --exec-root {dir}/run/docker2-exec --pidfile {dir}/run/docker2.pid " +
                    "--storage-driver=vfs --iptables=false --ip-masq=false --bridge=none",
                    args);

                var second = RunStep(dir);
                Assert.True(second.ExitCode == 0, second.Output);
                Assert.Contains("ci: the second Docker engine already answers on unix://" + sock, second.Output, StringComparison.Ordinal);
                Assert.Single(File.ReadAllLines(Path.Combine(dir, "dockerd.args"))); // not started again
                Assert.Contains("PYTHONIMAGES_SECOND_ENGINE=unix://" + sock, second.Output, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        /// <summary>Runs step 4d with a stand-in dockerd (records its arguments, then "answers") and docker (answers once it ran).</summary>
        private static (int ExitCode, string Output) RunStep(string dir)
        {
            string script = File.ReadAllText(ScriptPath).Replace("\r\n", "\n");
            int start = script.IndexOf("# 4d.", StringComparison.Ordinal);
            int end = script.IndexOf("# 5.", start + 1, StringComparison.Ordinal);
            Assert.True(start > 0 && end > start, "the step # 4d. is missing from .ci/run");
            string bin = Directory.CreateDirectory(Path.Combine(dir, "fakebin")).FullName;
            Executable(Path.Combine(bin, "dockerd"), "#!/bin/sh\necho \"$*\" >> \"" + dir + "/dockerd.args\"\ntouch \"" + dir + "/up\"\nexec sleep 2\n");
            Executable(Path.Combine(bin, "docker"), "#!/bin/sh\n[ -e \"" + dir + "/up\" ] && echo 20.10\n");
            string step = Path.Combine(dir, "step.sh");
            File.WriteAllText(step, "set -euo pipefail\nstate=\"" + dir + "\"\nsay() { echo \"ci: $*\"; }\ndie() { echo \"ci: ERROR: $*\" >&2; exit 1; }\n"
                + script.Substring(start, end - start) + "\necho \"PYTHONIMAGES_SECOND_ENGINE=$PYTHONIMAGES_SECOND_ENGINE\"\n");
            var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(step);
            psi.Environment["PATH"] = bin + ":/usr/bin:/bin";
            psi.Environment["PYTHONIMAGES_CI_RUN_DIR"] = Path.Combine(dir, "run");
            using var p = Process.Start(psi)!;
            var error = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output + error.Result);
        }

        private static void Executable(string path, string text)
        {
            File.WriteAllText(path, text);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }
}
