using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.ImageTests;
using Xunit;

namespace PythonImages.Engine.Tests
{
    /// <summary>How the runner turns a test into a container run and the run into a result (a recording engine, no Docker).</summary>
    public class ImageTestRunnerTests
    {
        private sealed class RecordingEngine : IDockerEngine
        {
            public List<ContainerRunRequest> Runs { get; } = new List<ContainerRunRequest>();
            public Func<ContainerRunRequest, ContainerRunResult> Answer { get; set; } = _ => new ContainerRunResult();
            public ImageDetails? Image { get; set; } = new ImageDetails { Id = "sha256:abc", OS = "linux" };

            public string Endpoint => "unix:///recording";

            public TimeSpan InactivityTimeout => EngineTimeouts.DefaultInactivity;

            public IDockerEngine WithInactivityTimeout(TimeSpan inactivityTimeout) => this;

            public Task<ContainerRunResult> RunAsync(ContainerRunRequest request, CancellationToken cancellationToken)
            {
                Runs.Add(request);
                return Task.FromResult(Answer(request));
            }

            public Task<ImageDetails?> InspectImageAsync(string image, CancellationToken cancellationToken) => Task.FromResult(Image);

            public Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<EngineIdentity> GetIdentityAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<EngineBuildResult> BuildAsync(EngineBuildRequest request, IProgress<BuildEvent>? events, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task PullImageAsync(string reference, IProgress<PullEvent>? events, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<AttachedRunResult> RunAttachedAsync(AttachedRunRequest request, IContainerStreams streams, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task TagImageAsync(string image, string repository, string tag, CancellationToken cancellationToken) => throw new NotSupportedException();
            public Task<EnginePushResult> PushImageAsync(EnginePushRequest request, IProgress<PushEvent>? events, CancellationToken cancellationToken) => throw new NotSupportedException();
            public void Dispose() { }
        }

        private static ImageTest T(string name) => PythonImageTests.Find(name)!;

        [Fact]
        public async Task ResolveReadsIdAndOSFromTheImage()
        {
            var engine = new RecordingEngine { Image = new ImageDetails { Id = "sha256:win", OS = "windows" } };
            var target = await ImageTestRunner.ResolveAsync(engine, "python:3.14-windowsservercore", "python:3.14-windowsservercore", CancellationToken.None);
            Assert.Equal(ImageOS.Windows, target!.OS);
            Assert.Equal("sha256:win", target.ImageId);
            engine.Image = null;
            Assert.Null(await ImageTestRunner.ResolveAsync(engine, "missing", "missing", CancellationToken.None));
        }

        [Fact]
        public async Task APythonTestBecomesOneContainerRunWithTheScriptInTheEnvironment()
        {
            var engine = new RecordingEngine { Answer = _ => new ContainerRunResult { ExitCode = 0, StdOut = "sqlite 3.46.1\npythonimages-test: ok\n", Duration = TimeSpan.FromSeconds(2) } };
            var target = new ImageTestTarget("sha256:abc", "python:3.13-slim", "sha256:abc", ImageOS.Linux);
            var options = new ImageTestOptions { NetworkMode = "host", Timeout = TimeSpan.FromSeconds(42), Nonce = "n" };
            var r = await ImageTestRunner.RunAsync(engine, target, T("python-sqlite3"), options, CancellationToken.None);

            var run = Assert.Single(engine.Runs);
            Assert.Equal("sha256:abc", run.Image);
            Assert.Null(run.Entrypoint);
            Assert.Equal(new[] { "python3", "-c", PythonImageTests.Bootstrap }, run.Command);
            Assert.StartsWith("# pythonimages-test: python-sqlite3", run.Environment[PythonImageTests.ScriptVariable]);
            Assert.Equal("host", run.NetworkMode);
            Assert.Equal(TimeSpan.FromSeconds(42), run.Timeout);

            Assert.Equal(ImageTestStatus.Passed, r.Status);
            Assert.True(r.Passed);
            Assert.Equal("python:3.13-slim", r.Image);
            Assert.Equal("sqlite 3.46.1", r.Reason);
            Assert.Equal(TimeSpan.FromSeconds(2), r.Duration);
            Assert.Equal("sqlite 3.46.1\npythonimages-test: ok", r.Output);
            Assert.Equal("linux", r.Platform);
        }

        [Fact]
        public async Task OfflineAndMissingWindowsFormsSkipWithoutAContainer()
        {
            var engine = new RecordingEngine();
            var linux = new ImageTestTarget("x", "x", "sha256:x", ImageOS.Linux);
            var windows = new ImageTestTarget("w", "w", "sha256:w", ImageOS.Windows);
            var pip = await ImageTestRunner.RunAsync(engine, linux, T("python-pip-requests-ssl"), new ImageTestOptions { Offline = true }, CancellationToken.None);
            Assert.Equal(ImageTestStatus.Skipped, pip.Status);
            Assert.Null(pip.Passed);
            Assert.Contains("-Offline", pip.Reason);
            var utc = await ImageTestRunner.RunAsync(engine, windows, T("utc"), new ImageTestOptions(), CancellationToken.None);
            Assert.Equal(ImageTestStatus.Skipped, utc.Status);
            Assert.Contains("no Windows form", utc.Reason);
            Assert.Empty(engine.Runs);

            await ImageTestRunner.RunAsync(engine, windows, T("override-cmd"), new ImageTestOptions { Nonce = "w1" }, CancellationToken.None);
            Assert.Equal(new[] { "cmd", "/Q", "/S", "/C", "echo pythonimages override-cmd w1" }, Assert.Single(engine.Runs).Command);
        }

        [Fact]
        public async Task AContainerThatCannotStartFailsTheTestButAnUnreachableEnginePropagates()
        {
            var target = new ImageTestTarget("x", "x", "sha256:x", ImageOS.Linux);
            var engine = new RecordingEngine { Answer = _ => throw new EngineRequestException("unix:///x", 400, "OCI runtime create failed: exec: \"python3\": executable file not found in $PATH\nmore") };
            var r = await ImageTestRunner.RunAsync(engine, target, T("python-imports"), new ImageTestOptions(), CancellationToken.None);
            Assert.Equal(ImageTestStatus.Failed, r.Status);
            // The engine's message said in words (issue 11); the engine's own text stays in the output.
            Assert.StartsWith("the test container could not run: the image has no Python interpreter: 'python3' is not on its PATH", r.Reason, StringComparison.Ordinal);
            Assert.Contains("OCI runtime create failed: exec: \"python3\": executable file not found in $PATH", r.Output, StringComparison.Ordinal);

            engine.Answer = _ => throw new EngineUnavailableException("unix:///x", "gone");
            await Assert.ThrowsAsync<EngineUnavailableException>(() => ImageTestRunner.RunAsync(engine, target, T("utc"), new ImageTestOptions(), CancellationToken.None));
            engine.Answer = _ => throw new EngineStalledException("unix:///x", "waiting", TimeSpan.FromSeconds(1), "stalled");
            await Assert.ThrowsAsync<EngineStalledException>(() => ImageTestRunner.RunAsync(engine, target, T("utc"), new ImageTestOptions(), CancellationToken.None));

            // Anything else is not the image's fault either: it reaches the caller, which reports it as an error.
            engine.Answer = _ => throw new IOException("broken pipe");
            await Assert.ThrowsAsync<IOException>(() => ImageTestRunner.RunAsync(engine, target, T("utc"), new ImageTestOptions(), CancellationToken.None));
            engine.Answer = _ => throw new OperationCanceledException();
            await Assert.ThrowsAsync<OperationCanceledException>(() => ImageTestRunner.RunAsync(engine, target, T("utc"), new ImageTestOptions(), CancellationToken.None));
        }

        [Fact]
        public async Task TheInactivityTimeoutTravelsWithEachContainerRun()
        {
            var engine = new RecordingEngine { Answer = _ => new ContainerRunResult { ExitCode = 0, StdOut = "UTC\n" } };
            var target = new ImageTestTarget("x", "x", "sha256:x", ImageOS.Linux);
            await ImageTestRunner.RunAsync(engine, target, T("utc"), new ImageTestOptions { InactivityTimeout = TimeSpan.FromSeconds(7) }, CancellationToken.None);
            Assert.Equal(TimeSpan.FromSeconds(7), Assert.Single(engine.Runs).InactivityTimeout);
        }

        [Fact]
        public async Task PasswordHashesNeverReachTheResult()
        {
            const string hash = "$6$pyimgsalt$Qm9vYmFyYmF6cXV4aGFzaGhhc2hoYXNoaGFzaA";
            const string locked = "!$y$j9T$c2FsdHNhbHQ$bG9ja2VkaGFzaGxvY2tlZGhhc2g";
            string dump = "--- /etc/passwd\nroot:x:0:0:root:/root:/bin/sh\nold:" + hash + ":1:1::/:/bin/sh\n--- /etc/shadow\n" +
                "root:" + hash + ":19000:0:99999:7:::\nnobody:!:19000::::::\nlocked:" + locked + ":19000::::::\nempty::19000::::::\nstar:*:19000::::::\n" + hash + "\n";
            var target = new ImageTestTarget("x", "x", "sha256:x", ImageOS.Linux);
            var engine = new RecordingEngine { Answer = _ => new ContainerRunResult { ExitCode = 0, StdOut = dump, StdErr = "cat: " + hash } };
            var r = await ImageTestRunner.RunAsync(engine, target, T("no-hard-coded-passwords"), new ImageTestOptions(), CancellationToken.None);
            Assert.Equal(ImageTestStatus.Failed, r.Status);
            foreach (var secret in new[] { hash, locked, "Qm9vYmFy", "bG9ja2Vk", "pyimgsalt" })
            {
                Assert.DoesNotContain(secret, r.Output);
                Assert.DoesNotContain(secret, r.Reason);
                Assert.DoesNotContain(secret, r.ToString());
            }

            // User names and the state of each password stay readable.
            var lines = r.Output.Split('\n');
            Assert.Contains("root:x:0:0:root:/root:/bin/sh", lines);
            Assert.Contains("old:<hash redacted>:1:1::/:/bin/sh", lines);
            Assert.Contains("root:<hash redacted>:19000:0:99999:7:::", lines);
            Assert.Contains("nobody:!:19000::::::", lines);
            Assert.Contains("locked:!<hash redacted>:19000::::::", lines);
            Assert.Contains("empty::19000::::::", lines);
            Assert.Contains("star:*:19000::::::", lines);
            Assert.Contains("<line redacted>", lines);
            Assert.Contains("root has a hard-coded password in /etc/shadow", r.Reason);
            Assert.Contains("empty has an empty password in /etc/shadow", r.Reason);

            // A failed read reports its last words redacted as well.
            engine.Answer = _ => new ContainerRunResult { ExitCode = 1, StdOut = "root:" + hash + ":19000:0:99999:7:::\n" };
            var failed = await ImageTestRunner.RunAsync(engine, target, T("no-hard-coded-passwords"), new ImageTestOptions(), CancellationToken.None);
            Assert.DoesNotContain(hash, failed.Reason);
            Assert.Contains("root:<hash redacted>:", failed.Reason);
        }

        [Fact]
        public async Task LongOutputIsCapped()
        {
            var engine = new RecordingEngine { Answer = _ => new ContainerRunResult { ExitCode = 0, StdOut = new string('x', 10000) } };
            var r = await ImageTestRunner.RunAsync(engine, new ImageTestTarget("x", "x", "x", ImageOS.Linux), T("utc"), new ImageTestOptions(), CancellationToken.None);
            Assert.Equal(ImageTestStatus.Failed, r.Status);
            Assert.StartsWith(new string('x', ImageTestRunner.MaxOutputChars) + "\n... (6000 more characters)", r.Output);
        }
    }
}
