using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using PythonImages.ImageTests;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>Command construction and judgement of the official-images tests (no Docker needed).</summary>
    public class ImageTestsTests
    {
        private static readonly ImageTestContext Linux = new ImageTestContext(ImageOS.Linux, "n0nce");
        private static readonly ImageTestContext Windows = new ImageTestContext(ImageOS.Windows, "n0nce");

        private static ImageTest T(string name) => PythonImageTests.Find(name) ?? throw new InvalidOperationException(name);

        private static ImageTestRun Run(long exit, string stdout = "", string stderr = "") => new ImageTestRun { ExitCode = exit, StdOut = stdout, StdErr = stderr, Timeout = TimeSpan.FromMinutes(5) };

        [Fact]
        public void CatalogHasTheEightPythonTests()
        {
            Assert.Equal(
                new[] { "utc", "no-hard-coded-passwords", "override-cmd", "python-imports", "python-no-pyc", "python-pip-requests-ssl", "python-sqlite3", "python-stack-size" },
                PythonImageTests.Names);
            Assert.Equal(new[] { "python-pip-requests-ssl" }, PythonImageTests.All.Where(t => t.NeedsInternet).Select(t => t.Name));
            Assert.Same(T("utc"), PythonImageTests.Find("UTC"));
            Assert.Null(PythonImageTests.Find("nope"));
        }

        [Theory]
        [InlineData("python-imports")]
        [InlineData("python-sqlite3")]
        [InlineData("python-stack-size")]
        [InlineData("python-pip-requests-ssl")]
        public void PythonTestsRunTheScriptFromTheEnvironmentWithTheImagesInterpreter(string name)
        {
            var linux = T(name).CreateCommand(Linux);
            Assert.Null(linux.Entrypoint); // the image's entrypoint stays, as with `docker run image python ...`
            Assert.Equal(new[] { "python3", "-c", PythonImageTests.Bootstrap }, linux.Command);
            Assert.StartsWith("# pythonimages-test: " + name + "\n", linux.Environment[PythonImageTests.ScriptVariable]);
            Assert.EndsWith("print('pythonimages-test: ok')\n", linux.Environment[PythonImageTests.ScriptVariable]);

            var windows = T(name).CreateCommand(Windows);
            Assert.Equal(new[] { "python", "-c", PythonImageTests.Bootstrap }, windows.Command);
            Assert.Null(T(name).NotApplicableReason(Windows));
        }

        [Fact]
        public void PipTestSetsTheRunnersPipEnvironmentAndNeedsTheNetwork()
        {
            var cmd = T("python-pip-requests-ssl").CreateCommand(Linux);
            Assert.True(cmd.NeedsNetwork);
            Assert.Equal("1", cmd.Environment["PIP_DISABLE_PIP_VERSION_CHECK"]);
            Assert.Equal("1", cmd.Environment["PIP_NO_PYTHON_VERSION_WARNING"]);
            Assert.Equal("ignore", cmd.Environment["PIP_ROOT_USER_ACTION"]);
            Assert.Contains("'-m', 'pip', 'install', '--quiet', 'requests'", cmd.Environment[PythonImageTests.ScriptVariable]);
            Assert.False(T("python-sqlite3").CreateCommand(Linux).Environment.ContainsKey("PIP_ROOT_USER_ACTION"));
        }

        [Fact]
        public void ImportsLinuxFormImportsTheSystemLibraryModulesAndTheWindowsFormDoesNot()
        {
            var linux = ((PythonScriptTest)T("python-imports")).Script(Linux);
            var windows = ((PythonScriptTest)T("python-imports")).Script(Windows);
            Assert.Contains("'curses', 'readline', 'dbm.gnu', 'dbm.ndbm'", linux);
            Assert.DoesNotContain("curses", windows);
            foreach (var s in new[] { linux, windows })
            {
                Assert.Contains("bundled = sys.version_info < (3, 12)", s);
                Assert.Contains("if sys.version_info >= (3, 14):\n    codecs.append('compression.zstd')", s);
            }
        }

        [Fact]
        public void OverrideCmdEchoesTheNonceThroughShOrCmd()
        {
            Assert.Equal(new[] { "echo", "pythonimages override-cmd n0nce" }, T("override-cmd").CreateCommand(Linux).Command);
            Assert.Null(T("override-cmd").CreateCommand(Linux).Entrypoint);
            Assert.Equal(new[] { "cmd", "/Q", "/S", "/C", "echo pythonimages override-cmd n0nce" }, T("override-cmd").CreateCommand(Windows).Command);

            Assert.True(T("override-cmd").Evaluate(Linux, Run(0, "pythonimages override-cmd n0nce\n")).Passed);
            Assert.True(T("override-cmd").Evaluate(Windows, Run(0, "pythonimages override-cmd n0nce\r\n")).Passed);
            var hijacked = T("override-cmd").Evaluate(Linux, Run(0, "entrypoint says hi\n"));
            Assert.False(hijacked.Passed);
            Assert.Contains("printed 'entrypoint says hi'", hijacked.Reason);
            Assert.False(T("override-cmd").Evaluate(Linux, Run(0, "pythonimages override-cmd other\n")).Passed);
        }

        [Theory]
        [InlineData("utc")]
        [InlineData("python-no-pyc")]
        [InlineData("no-hard-coded-passwords")]
        public void LinuxOnlyTestsHaveNoWindowsForm(string name)
        {
            Assert.Contains("no Windows form", T(name).NotApplicableReason(Windows));
            Assert.Null(T(name).NotApplicableReason(Linux));
        }

        [Fact]
        public void UtcRunsDateAndWantsUtc()
        {
            var cmd = T("utc").CreateCommand(Linux);
            Assert.Equal(new[] { "date" }, cmd.Entrypoint);
            Assert.Equal(new[] { "+%Z" }, cmd.Command);
            Assert.True(T("utc").Evaluate(Linux, Run(0, "UTC\n")).Passed);
            var est = T("utc").Evaluate(Linux, Run(0, "EST\n"));
            Assert.False(est.Passed);
            Assert.Equal("the time zone is 'EST', not UTC", est.Reason);
        }

        [Fact]
        public void NoPycListsWhatItFound()
        {
            var cmd = T("python-no-pyc").CreateCommand(Linux);
            Assert.Equal(new[] { "/bin/sh", "-c" }, cmd.Entrypoint);
            Assert.Contains("/usr/local /opt", cmd.Command[0]);
            Assert.True(T("python-no-pyc").Evaluate(Linux, Run(0, "")).Passed);
            var v = T("python-no-pyc").Evaluate(Linux, Run(0, "/usr/local/lib/a.pyc\n/opt/b.pyo\n"));
            Assert.False(v.Passed);
            Assert.Equal("2 compiled file(s) found, e.g. /usr/local/lib/a.pyc, /opt/b.pyo", v.Reason);
            Assert.False(T("python-no-pyc").Evaluate(Linux, Run(1, "", "find: bad")).Passed);
        }

        [Fact]
        public void NoPycShellScriptReallyFindsCompiledFiles()
        {
            if (!File.Exists("/bin/sh"))
            {
                return;
            }

            var dir = Directory.CreateTempSubdirectory("pyimg-nopyc-").FullName;
            try
            {
                Directory.CreateDirectory(Path.Combine(dir, "usr/local/lib/python3.13/__pycache__"));
                File.WriteAllText(Path.Combine(dir, "usr/local/lib/python3.13/os.py"), "");
                var script = NoPycTest.Script.Replace("/usr/local /opt", dir + "/usr/local " + dir + "/opt");
                Assert.Equal("", Shell(script).Out);
                File.WriteAllText(Path.Combine(dir, "usr/local/lib/python3.13/__pycache__/os.cpython-313.pyc"), "");
                var (code, stdout) = Shell(script);
                Assert.Equal(0, code);
                Assert.EndsWith("/usr/local/lib/python3.13/__pycache__/os.cpython-313.pyc\n", stdout);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void PasswordDumpsAreJudgedPerAccount()
        {
            const string clean =
                "--- /etc/passwd\nroot:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" +
                "--- /etc/shadow\nroot:*:20781:0:99999:7:::\ndaemon:!:20781:0:99999:7:::\nnobody:!*:1::::::\n";
            Assert.Empty(NoHardCodedPasswordsTest.FindProblems(clean, out int accounts));
            Assert.Equal(2, accounts);
            Assert.True(T("no-hard-coded-passwords").Evaluate(Linux, Run(0, clean)).Passed);

            var hashed = clean.Replace("root:*:", "root:$6$salt$abcdef:");
            Assert.Equal(new[] { "root has a hard-coded password in /etc/shadow" }, NoHardCodedPasswordsTest.FindProblems(hashed, out _));
            var empty = clean.Replace("daemon:!:", "daemon::");
            Assert.Equal(new[] { "daemon has an empty password in /etc/shadow" }, NoHardCodedPasswordsTest.FindProblems(empty, out _));
            var inPasswd = "--- /etc/passwd\nroot::0:0:root:/root:/bin/sh\nadm:abc123hash:3:4::/:/bin/sh\n";
            Assert.Equal(new[] { "root has an empty password in /etc/passwd", "adm has a hard-coded password in /etc/passwd" }, NoHardCodedPasswordsTest.FindProblems(inPasswd, out _));
            var v = T("no-hard-coded-passwords").Evaluate(Linux, Run(0, hashed));
            Assert.False(v.Passed);
            Assert.Equal("root has a hard-coded password in /etc/shadow", v.Reason);
            Assert.False(T("no-hard-coded-passwords").Evaluate(Linux, Run(0, "")).Passed);
        }

        [Fact]
        public void PythonTestsPassOnlyWithTheOkMarkerAndExitZero()
        {
            var t = T("python-sqlite3");
            var ok = t.Evaluate(Linux, Run(0, "sqlite 3.40.1\npythonimages-test: ok\n"));
            Assert.True(ok.Passed);
            Assert.Equal("sqlite 3.40.1", ok.Reason);
            Assert.False(t.Evaluate(Linux, Run(0, "sqlite 3.40.1\n")).Passed);
            var failed = t.Evaluate(Linux, Run(1, "", "Traceback (most recent call last):\n  ...\nSystemExit: boom\nsqlite3 returned []\n"));
            Assert.False(failed.Passed);
            Assert.Equal("sqlite3 returned [] (exit code 1)", failed.Reason);
        }

        [Fact]
        public void CrashesAndTimeoutsAreNamed()
        {
            var segv = T("python-stack-size").Evaluate(Linux, Run(139));
            Assert.False(segv.Passed);
            Assert.Equal("the container was killed by signal 11 (SIGSEGV, a crash) (exit code 139)", segv.Reason);
            var slow = T("utc").Evaluate(Linux, new ImageTestRun { TimedOut = true, Timeout = TimeSpan.FromSeconds(30), StdOut = "UTC" });
            Assert.False(slow.Passed);
            Assert.Equal("timed out after 30 s", slow.Reason);
        }

        // The scripts themselves, run by the host's python3 through the same bootstrap the containers use.
        // sitecustomize.py in PYTHONPATH pretends another interpreter version; shadow modules make setuptools/wheel present or absent.

        [HostPythonFact]
        public void Sqlite3AndStackSizeScriptsPassOnARealInterpreter()
        {
            foreach (var name in new[] { "python-sqlite3", "python-stack-size" })
            {
                var (code, stdout, stderr) = HostPython(name, Linux, null);
                var v = T(name).Evaluate(Linux, Run(code, stdout, stderr));
                Assert.True(v.Passed, name + ": " + v.Reason + "\n" + stdout + stderr);
            }
        }

        [HostPythonFact]
        public void SetuptoolsAndWheelMustBeImportableBelow312()
        {
            var (code, stdout, stderr) = HostPython("python-imports", Windows, new FakePython("(3, 11, 9, 'final', 0)", setuptools: true, wheel: true));
            Assert.True(T("python-imports").Evaluate(Windows, Run(code, stdout, stderr)).Passed, stdout + stderr);
            Assert.Contains("setuptools importable as expected", stdout);

            (code, stdout, stderr) = HostPython("python-imports", Windows, new FakePython("(3, 11, 9, 'final', 0)", setuptools: true, wheel: false));
            var v = T("python-imports").Evaluate(Windows, Run(code, stdout, stderr));
            Assert.False(v.Passed);
            Assert.Equal("wheel is not importable on Python 3.11, but must be importable (importable iff Python < 3.12) (exit code 1)", v.Reason);
        }

        [HostPythonFact]
        public void SetuptoolsMustBeAbsentFrom312On()
        {
            var (code, stdout, stderr) = HostPython("python-imports", Windows, new FakePython("(3, 12, 0, 'final', 0)", setuptools: false, wheel: false));
            Assert.True(T("python-imports").Evaluate(Windows, Run(code, stdout, stderr)).Passed, stdout + stderr);

            (code, stdout, stderr) = HostPython("python-imports", Windows, new FakePython("(3, 13, 5, 'final', 0)", setuptools: true, wheel: false));
            var v = T("python-imports").Evaluate(Windows, Run(code, stdout, stderr));
            Assert.False(v.Passed);
            Assert.StartsWith("setuptools is importable on Python 3.13, but must be absent", v.Reason);
        }

        [HostPythonFact]
        public void ZstdRoundTripIsRequiredFrom314On()
        {
            // The host interpreter is older than 3.14, so compression.zstd does not exist: pretending 3.14 must fail on it.
            var (code, stdout, stderr) = HostPython("python-imports", Windows, new FakePython("(3, 14, 0, 'final', 0)", setuptools: false, wheel: false));
            var v = T("python-imports").Evaluate(Windows, Run(code, stdout, stderr));
            Assert.False(v.Passed);
            Assert.StartsWith("cannot import compression.zstd", v.Reason);
            Assert.Contains("round trip lzma", stdout);
        }

        private sealed class FakePython
        {
            public FakePython(string versionInfo, bool setuptools, bool wheel)
            {
                VersionInfo = versionInfo;
                Setuptools = setuptools;
                Wheel = wheel;
            }

            public string VersionInfo { get; }
            public bool Setuptools { get; }
            public bool Wheel { get; }
        }

        private static (int Code, string Out, string Err) HostPython(string test, ImageTestContext context, FakePython? fake)
        {
            var cmd = T(test).CreateCommand(context);
            var dir = Directory.CreateTempSubdirectory("pyimg-hostpy-").FullName;
            try
            {
                var psi = new ProcessStartInfo(HostPythonFactAttribute.Python ?? "python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in cmd.Command.Skip(1))
                {
                    psi.ArgumentList.Add(a);
                }

                foreach (var kv in cmd.Environment)
                {
                    psi.Environment[kv.Key] = kv.Value;
                }

                if (fake != null)
                {
                    File.WriteAllText(Path.Combine(dir, "sitecustomize.py"), "import sys\nsys.version_info = " + fake.VersionInfo + "\n");
                    File.WriteAllText(Path.Combine(dir, "setuptools.py"), fake.Setuptools ? "" : "raise ImportError('shadowed by the test')\n");
                    File.WriteAllText(Path.Combine(dir, "wheel.py"), fake.Wheel ? "" : "raise ImportError('shadowed by the test')\n");
                    psi.Environment["PYTHONPATH"] = dir;
                }

                using var p = Process.Start(psi)!;
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEnd();
                p.WaitForExit();
                return (p.ExitCode, stdout.Result, stderr);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        private static (int Code, string Out) Shell(string script)
        {
            var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            using var p = Process.Start(psi)!;
            var o = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, o);
        }
    }

    /// <summary>
    /// A test that runs a script on the host's python3; skipped when there is none, except under CI=true, where .ci/run
    /// installs python3: there a missing python3 is not a reason to skip, so the test runs and fails.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class HostPythonFactAttribute : FactAttribute
    {
        public static readonly string? Python = Find();

        public HostPythonFactAttribute()
        {
            if (Python == null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Skip = "No python3 on PATH to run the test scripts with.";
            }
        }

        private static string? Find()
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
            {
                var candidate = Path.Combine(dir, "python3");
                if (dir.Length > 0 && File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }
    }
}
