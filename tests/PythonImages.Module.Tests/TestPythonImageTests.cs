using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// Small images FROM scratch with Debian's static busybox and a fake python3 (tests/fixtures/image-tests/fake-python3):
    /// a base without python, a good image that passes every check, a bad one that fails each check on purpose, and one
    /// whose ENTRYPOINT swallows the command. Tiny layers keep container creation fast even on the vfs storage driver.
    /// </summary>
    public sealed class FakePythonImages : IDisposable
    {
        public const string NoPython = "pyimg-i6-nopython:latest";
        public const string Good = "pyimg-i6-good:latest";
        public const string Bad = "pyimg-i6-bad:latest";
        public const string Entry = "pyimg-i6-entry:latest";
        public const string Retagged = "pyimg-i6-repo";

        private static readonly string[] Applets = { "sh", "cat", "date", "echo", "find", "grep", "kill", "printf", "sed", "sha256sum", "true", "false" };

        private readonly string context;
        private readonly List<string> built = new List<string>();

        public FakePythonImages()
        {
            if (!DockerProbe.Available)
            {
                context = string.Empty;
                return;
            }

            var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists);
            Assert.True(busybox != null, "These tests need a static busybox on the host (Debian: apt-get install busybox-static).");
            context = Directory.CreateTempSubdirectory("pyimg-i6-ctx-").FullName;

            // base: busybox and its applets, accounts without passwords
            Write("base/bin/busybox", File.ReadAllBytes(busybox!), 0x1ED);
            foreach (var applet in Applets)
            {
                File.CreateSymbolicLink(Path.Combine(context, "base/bin", applet), "busybox");
            }

            Write("base/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
            Write("base/etc/shadow", "root:*:19000:0:99999:7:::\nnobody:!:19000::::::\n", 0x1A0);
            Write("good/usr/local/bin/python3", File.ReadAllBytes(ModuleSession.Fixture("image-tests/fake-python3")), 0x1ED);

            // bad: a .pyc file, a hashed root password, the python tests failing (stack-size by a crash); TZ below
            Write("bad/usr/local/lib/python3.13/__pycache__/os.cpython-313.pyc", string.Empty);
            Write("bad/etc/shadow", "root:$6$pyimg$notarealhashbutahardcodedone:19000:0:99999:7:::\nnobody:!:19000::::::\n", 0x1A0);
            Write("bad/etc/fake-python-fail", "python-imports\npython-sqlite3\npython-stack-size:crash\npython-pip-requests-ssl\n");

            Build(NoPython, "FROM scratch\nCOPY base/ /\nENV PATH /usr/local/bin:/bin\nCMD [\"sh\"]\n");
            Build(Good, "FROM " + NoPython + "\nCOPY good/ /\nCMD [\"python3\"]\n");
            Build(Bad, "FROM " + Good + "\nCOPY bad/ /\nENV TZ JST-9\n");
            Build(Entry, "FROM " + Good + "\nENTRYPOINT [\"/bin/echo\", \"the entrypoint ignores its arguments\"]\n");
            Docker("tag", Good, Retagged + ":3.14.6-slim-trixie");
            built.Add(Retagged + ":3.14.6-slim-trixie");
        }

        private void Write(string relative, string text, int mode = 0x1A4) => Write(relative, System.Text.Encoding.ASCII.GetBytes(text), mode);

        private void Write(string relative, byte[] bytes, int mode = 0x1A4)
        {
            var path = Path.Combine(context, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)mode);
            }
        }

        private void Build(string tag, string dockerfile)
        {
            File.WriteAllText(Path.Combine(context, "Dockerfile"), dockerfile);
            var (code, output) = Docker("build", "--network", "host", "-q", "-t", tag, context);
            Assert.True(code == 0, "docker build " + tag + " failed: " + output);
            built.Add(tag);
        }

        public static (int Code, string Output) Docker(params string[] args) => PythonImages.Tests.DockerCommand.Run(args);

        public void Dispose()
        {
            foreach (var tag in Enumerable.Reverse(built))
            {
                Docker("rmi", "-f", tag);
            }

            if (context.Length > 0)
            {
                Directory.Delete(context, true);
            }
        }
    }

    public class TestPythonImageTests : IClassFixture<FakePythonImages>
    {
        private static Dictionary<string, PSObject> ByTest(PsResult r) => r.Output.ToDictionary(o => (string)o.Properties["Test"].Value);

        private static string Status(PSObject o) => o.Properties["Status"].Value.ToString()!;

        private static string Reason(PSObject o) => (string)o.Properties["Reason"].Value;

        [DockerFact]
        public void GoodImagePassesEveryTest()
        {
            using var s = new ModuleSession();
            var r = s.Run($"Test-PythonImage -Image {FakePythonImages.Good}");
            Assert.Empty(r.AllErrors);
            Assert.Empty(r.Warnings);
            Assert.Equal(new[] { "utc", "no-hard-coded-passwords", "override-cmd", "python-imports", "python-no-pyc", "python-pip-requests-ssl", "python-sqlite3", "python-stack-size" },
                r.Output.Select(o => (string)o.Properties["Test"].Value));
            foreach (var o in r.Output)
            {
                Assert.True(Status(o) == "Passed", o.Properties["Test"].Value + ": " + Reason(o) + "\n" + o.Properties["Output"].Value);
                Assert.Equal(true, o.Properties["Passed"].Value);
                Assert.Equal(FakePythonImages.Good, o.Properties["Image"].Value);
                Assert.StartsWith("sha256:", (string)o.Properties["ImageId"].Value);
                Assert.Equal("linux", o.Properties["Platform"].Value);
                Assert.True((TimeSpan)o.Properties["Duration"].Value > TimeSpan.Zero);
            }

            Assert.Contains(r.Progress, p => p.StatusDescription == "python-sqlite3 (7/8)" && p.Activity == "Test-PythonImage " + FakePythonImages.Good);
            Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);

            var t = ByTest(r);
            Assert.Matches("^pythonimages override-cmd [0-9a-f]{12}$", (string)t["override-cmd"].Properties["Output"].Value);
            Assert.Equal("UTC", t["utc"].Properties["Output"].Value);
            Assert.Equal("sqlite 3.40.1", Reason(t["python-sqlite3"]));
            Assert.Contains("none with a password", Reason(t["no-hard-coded-passwords"]));
        }

        [DockerFact]
        public void BadImageFailsEachCheckWithItsReasonAndNoError()
        {
            using var s = new ModuleSession();
            var r = s.Run($"Test-PythonImage -Image {FakePythonImages.Bad}");
            Assert.Empty(r.AllErrors);
            var t = ByTest(r);
            Assert.Equal(8, t.Count);
            Assert.Equal("Passed", Status(t["override-cmd"]));
            foreach (var name in new[] { "utc", "no-hard-coded-passwords", "python-imports", "python-no-pyc", "python-pip-requests-ssl", "python-sqlite3", "python-stack-size" })
            {
                Assert.True(Status(t[name]) == "Failed", name + " did not fail: " + Reason(t[name]));
                Assert.Equal(false, t[name].Properties["Passed"].Value);
            }

            Assert.Equal("the time zone is 'JST', not UTC", Reason(t["utc"]));
            Assert.Equal("root has a hard-coded password in /etc/shadow", Reason(t["no-hard-coded-passwords"]));
            Assert.Equal("1 compiled file(s) found, e.g. /usr/local/lib/python3.13/__pycache__/os.cpython-313.pyc", Reason(t["python-no-pyc"]));
            Assert.Equal("fake python3 fails python-imports on purpose (exit code 1)", Reason(t["python-imports"]));
            Assert.Equal("fake python3 fails python-sqlite3 on purpose (exit code 1)", Reason(t["python-sqlite3"]));
            Assert.Equal("the container was killed by signal 11 (SIGSEGV, a crash) (exit code 139)", Reason(t["python-stack-size"]));

            var warning = Assert.Single(r.Warnings);
            Assert.Equal($"{FakePythonImages.Bad}: 7 of 8 tests failed: utc, no-hard-coded-passwords, python-imports, python-no-pyc, python-pip-requests-ssl, python-sqlite3, python-stack-size.", warning.Message);
        }

        [DockerFact]
        public void PasswordHashesOfTheImageReachNoStream()
        {
            using var s = new ModuleSession();
            var r = s.Run($"Test-PythonImage -Image {FakePythonImages.Bad} -Test no-hard-coded-passwords -Verbose; Test-PythonImage -Image {FakePythonImages.Bad} -Test no-hard-coded-passwords | Out-Default");
            var o = r.Output.Single(x => x.BaseObject.GetType().Name == "ImageTestResult");
            string output = (string)o.Properties["Output"].Value;
            var lines = output.Split('\n');

            // The user names and the state of every password stay; the hash goes.
            Assert.Contains("root:<hash redacted>:19000:0:99999:7:::", lines);
            Assert.Contains("nobody:!:19000::::::", lines);
            Assert.Contains("root:x:0:0:root:/root:/bin/sh", lines);
            Assert.Equal("root has a hard-coded password in /etc/shadow", Reason(o));
            foreach (var text in PythonImages.Tests.ImageBuild.EngineHardeningTests.Texts(r))
            {
                Assert.DoesNotContain("notarealhash", text);
                Assert.DoesNotContain("$6$pyimg", text);
            }
        }

        [DockerFact]
        public void EntrypointThatSwallowsTheCommandFailsOverrideCmd()
        {
            using var s = new ModuleSession();
            var r = s.Run($"Test-PythonImage -Image {FakePythonImages.Entry} -Test override-cmd");
            var o = Assert.Single(r.Output);
            Assert.Equal("Failed", Status(o));
            Assert.Contains("printed 'the entrypoint ignores its arguments echo pythonimages override-cmd ", Reason(o));
            Assert.Contains("ENTRYPOINT", Reason(o));

            var good = Assert.Single(s.Run($"Test-PythonImage -Image {FakePythonImages.Good} -Test override-cmd").Output);
            Assert.Equal("Passed", Status(good));
        }

        [DockerFact]
        public void OfflineSkipsOnlyTheInternetTest()
        {
            using var s = new ModuleSession();
            var r = s.Run($"Test-PythonImage -Image {FakePythonImages.Bad} -Offline -Test python-pip-requests-ssl, python-imports");
            Assert.Empty(r.AllErrors);
            var t = ByTest(r);
            Assert.Equal(new[] { "python-imports", "python-pip-requests-ssl" }, r.Output.Select(o => (string)o.Properties["Test"].Value));
            Assert.Equal("Skipped", Status(t["python-pip-requests-ssl"]));
            Assert.Null(t["python-pip-requests-ssl"].Properties["Passed"].Value);
            Assert.Equal(TimeSpan.Zero, t["python-pip-requests-ssl"].Properties["Duration"].Value);
            Assert.Contains("skipped under -Offline", Reason(t["python-pip-requests-ssl"]));
            Assert.Equal("Failed", Status(t["python-imports"]));
            Assert.Equal("WARNING: " + FakePythonImages.Bad + ": 1 of 1 tests failed: python-imports.", "WARNING: " + Assert.Single(r.Warnings).Message);
        }

        [DockerFact]
        public void AnImageWithoutPythonFailsThePythonTests()
        {
            using var s = new ModuleSession();
            var r = s.Run($"Test-PythonImage -Image {FakePythonImages.NoPython} -Test python-sqlite3, utc");
            Assert.Empty(r.AllErrors);
            var t = ByTest(r);
            Assert.Equal("Passed", Status(t["utc"]));
            Assert.Equal("Failed", Status(t["python-sqlite3"]));
            Assert.StartsWith("the test container could not run: ", Reason(t["python-sqlite3"]));
            Assert.Contains("python3", Reason(t["python-sqlite3"]));
        }

        [DockerFact]
        public void PythonImagesFromThePipelineAreFoundByTheirFirstTagUnderRepository()
        {
            using var s = new ModuleSession();
            var r = s.Run($"Get-PythonTag -Name 3.14-slim-trixie | Test-PythonImage -Repository {FakePythonImages.Retagged} -Test utc");
            Assert.Empty(r.AllErrors);
            var o = Assert.Single(r.Output);
            Assert.Equal(FakePythonImages.Retagged + ":3.14.6-slim-trixie", o.Properties["Image"].Value);
            Assert.Equal("Passed", Status(o));

            // Under the default repository no python:3.14.6-slim-trixie exists here: a non-terminating, actionable error.
            var missing = s.Run("Get-PythonTag -Name 3.14-slim-trixie | Test-PythonImage -Repository pyimg-i6-nonexistent -Test utc");
            Assert.Empty(missing.Output);
            Assert.Null(missing.Terminating);
            var e = Assert.Single(missing.Errors);
            Assert.Equal("ImageTest.ImageNotFound,PythonImages.Commands.TestPythonImageCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Equal("pyimg-i6-nonexistent:3.14.6-slim-trixie", e.TargetObject);
            Assert.Contains("Invoke-PythonImageBuild", e.ErrorDetails.RecommendedAction);
        }

        [DockerFact]
        public void BuildResultsAreTestedByImageIdAndNamedByTheirFirstTag()
        {
            using var s = new ModuleSession();
            var id = FakePythonImages.Docker("image", "inspect", "--format", "{{.Id}}", FakePythonImages.Good).Output.Trim();
            var r = s.Run(
                "[pscustomobject]@{ ImageId = $id; Tags = @('pyimg-i6-good:built', 'pyimg-i6-good:other'); Succeeded = $true }, " +
                "[pscustomobject]@{ ImageId = $null; Tags = @('pyimg-i6-good:broken'); Succeeded = $false } | Test-PythonImage -Test utc, python-sqlite3",
                new Dictionary<string, object?> { ["id"] = id });
            Assert.Empty(r.AllErrors);
            Assert.Equal(2, r.Output.Count);
            Assert.All(r.Output, o => Assert.Equal("pyimg-i6-good:built", o.Properties["Image"].Value));
            Assert.All(r.Output, o => Assert.Equal(id, o.Properties["ImageId"].Value));
            Assert.All(r.Output, o => Assert.Equal("Passed", Status(o)));
            Assert.Equal("Not testing pyimg-i6-good:broken: its build failed.", Assert.Single(r.Warnings).Message);
        }

        [DockerFact]
        public void AChecksumFailureIsNamedInTheBuildErrorAndTheFailedBuildIsNotTested()
        {
            var ctx = Directory.CreateTempSubdirectory("pyimg-i6-sumfail-").FullName;
            try
            {
                File.WriteAllText(Path.Combine(ctx, "Dockerfile"),
                    "FROM " + FakePythonImages.NoPython + "\n" +
                    "RUN cd / && echo 'not the release' > python.tar.xz && echo '93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640 *python.tar.xz' | sha256sum -c -\n");
                using var s = new ModuleSession();
                var r = s.Run("Invoke-PythonImageBuild -Path $ctx -Tag pyimg-i6-sumfail:latest -Network host | Test-PythonImage", new Dictionary<string, object?> { ["ctx"] = ctx });
                Assert.Empty(r.Output);
                var e = Assert.Single(r.Errors);
                Assert.Equal("ImageBuild.StepFailed,PythonImages.Commands.InvokePythonImageBuildCommand", e.FullyQualifiedErrorId);
                var message = e.ErrorDetails.Message;
                Assert.Contains("failed at Step 2/3 : RUN cd / && echo", message); // step 3: the LABEL of the build's labels
                Assert.True(message.Contains("The downloaded Python source failed its sha256 checksum (PYTHON_SHA256)"), message);
                Assert.Contains("python.tar.xz: FAILED", message);
                Assert.DoesNotContain("\u001b[", message, StringComparison.Ordinal); // the classic builder's stderr colouring is stripped
                Assert.Equal("Not testing " + ctx + ": its build failed.", Assert.Single(r.Warnings).Message);
            }
            finally
            {
                Directory.Delete(ctx, true);
                FakePythonImages.Docker("rmi", "-f", "pyimg-i6-sumfail:latest");
            }
        }

        [DockerFact]
        public void TestContainersAreRemoved()
        {
            using var s = new ModuleSession();
            s.Run($"Test-PythonImage -Image {FakePythonImages.Bad}, {FakePythonImages.Entry}");
            var (code, output) = FakePythonImages.Docker("ps", "-a", "-q", "--filter", "ancestor=" + FakePythonImages.Bad, "--filter", "ancestor=" + FakePythonImages.Entry);
            Assert.Equal(0, code);
            Assert.Equal(string.Empty, output.Trim());
        }

        [DockerFact]
        public void DefaultViewGroupsByImage()
        {
            using var s = new ModuleSession();
            var r = s.Run($"Test-PythonImage -Image {FakePythonImages.Bad} -Offline -Test utc, python-pip-requests-ssl | Out-Default");
            Assert.Contains("Image: " + FakePythonImages.Bad, r.HostText);
            Assert.Matches(@"Test\s+Status\s+Duration\s+Reason", r.HostText);
            Assert.Matches(@"utc\s+Failed\s+\d+\.\ds\s+the time zone is 'JST', not UTC", r.HostText);
            Assert.Matches(@"python-pip-requests-ssl\s+Skipped\s+needs the internet", r.HostText);
        }
    }

    public class TestPythonImageCmdletTests
    {
        [Fact]
        public void UnknownTestNamesAreRejectedByValidation()
        {
            using var s = new ModuleSession();
            var r = s.Run("Test-PythonImage -Image x -Test python-nope");
            Assert.Empty(r.Output);
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("ParameterArgumentValidationError", e.FullyQualifiedErrorId);
        }

        [Fact]
        public void UnsupportedInputIsANonTerminatingError()
        {
            using var s = new ModuleSession();
            var r = s.Run("[pscustomobject]@{ Name = 'x' } | Test-PythonImage -DockerHost unix:///nonexistent/docker.sock");
            Assert.Null(r.Terminating);
            var e = Assert.Single(r.Errors);
            Assert.Equal("ImageTest.UnsupportedInput,PythonImages.Commands.TestPythonImageCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
        }

        /// <summary>
        /// Objects from anywhere (Import-Csv, Import-Clixml) may carry Tags, ContextPath or ImageId that are no image names:
        /// the names that label the warning and the errors are shown with control characters escaped, never passed on to
        /// the terminal as they are.
        /// </summary>
        [DockerFact]
        public void NamesThatComeWithPipedObjectsReachNoStreamWithTheirControlCharacters()
        {
            using var s = new ModuleSession();
            var r = s.Run(
                "[pscustomobject]@{ Succeeded = $false; ContextPath = \"/tmp/x`e]0;owned`a\" } | Test-PythonImage -DockerHost unix:///nonexistent/docker.sock\n" +
                "[pscustomobject]@{ ImageId = 'sha256:' + ('a' * 64); Tags = @(\"x`e[2J\") } | Test-PythonImage");
            var warning = Assert.Single(r.Warnings);
            Assert.Contains("Not testing /tmp/x\\u001B]0;owned\\u0007", warning.Message);
            var error = Assert.Single(r.AllErrors);
            Assert.Equal("ImageTest.ImageNotFound", error.FullyQualifiedErrorId.Split(',')[0]); // no image has that id
            Assert.Equal("python:x\\u001B[2J", error.TargetObject);
            Assert.DoesNotContain(r.Warnings.Select(w => w.Message).Append(error.ToString()).Append(r.HostText), t => t.Contains('\u001b', StringComparison.Ordinal) || t.Contains('\u0007', StringComparison.Ordinal));
        }

        [Fact]
        public void NoEngineIsOneTerminatingErrorSayingWhatToDo()
        {
            using var s = new ModuleSession();
            var r = s.Run("Test-PythonImage -Image a, b -DockerHost unix:///nonexistent/docker.sock");
            Assert.Empty(r.Output);
            var e = Assert.Single(r.AllErrors); // statement-terminating: b is not tried after a failed to reach the engine
            Assert.Equal("ImageTest.EngineUnavailable,PythonImages.Commands.TestPythonImageCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
            Assert.Contains("-DockerHost", e.ErrorDetails.RecommendedAction);
        }
    }
}
