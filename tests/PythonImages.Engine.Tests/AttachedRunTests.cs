using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Engine.Tests
{
    /// <summary>A FROM scratch image with Debian's static busybox, built once for the attached-run tests (h15-app prefix).</summary>
    public sealed class BusyboxImage : IDisposable
    {
        private readonly TempContext context = new TempContext();

        public BusyboxImage()
        {
            Reference = "h15-app-busybox-" + Guid.NewGuid().ToString("N")[..8] + ":1";
            if (!DockerProbe.Available)
            {
                return;
            }

            context.AddBusybox();
            context.Write("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"echo\", \"the image's own command\"]\n");
            var (code, output) = Docker.Run("build", "-q", "-t", Reference, context.Root);
            Assert.True(code == 0, output);
        }

        public string Reference { get; }

        public void Dispose()
        {
            if (DockerProbe.Available)
            {
                Docker.Run("rmi", "-f", Reference);
            }

            context.Dispose();
        }
    }

    internal static class Docker
    {
        public static (int Code, string Output) Run(params string[] args) => PythonImages.Tests.DockerCommand.Run(args);

        public static bool ContainerExists(string name) => Run("container", "inspect", name).Code == 0;
    }

    /// <summary>Records a run's output by stream, and feeds its stdin from a queue the test fills.</summary>
    internal sealed class RecordingStreams : IContainerStreams, IDisposable
    {
        private readonly SemaphoreSlim available = new SemaphoreSlim(0);
        private readonly Queue<byte[]?> input = new Queue<byte[]?>();
        private readonly StringBuilder all = new StringBuilder();

        public string? Id { get; private set; }

        public StringBuilder StdOut { get; } = new StringBuilder();

        public StringBuilder StdErr { get; } = new StringBuilder();

        /// <summary>Called with everything received so far after each piece of output (on the engine's thread).</summary>
        public Action<RecordingStreams>? OnOutput { get; set; }

        public string All
        {
            get
            {
                lock (all)
                {
                    return all.ToString();
                }
            }
        }

        public void Created(string id) => Id = id;

        public void Dispose() => available.Dispose();

        public void Send(string text)
        {
            lock (input)
            {
                input.Enqueue(Encoding.UTF8.GetBytes(text));
            }

            available.Release();
        }

        public void End()
        {
            lock (input)
            {
                input.Enqueue(null);
            }

            available.Release();
        }

        public async Task<byte[]?> ReadInputAsync(CancellationToken cancellationToken)
        {
            await available.WaitAsync(cancellationToken);
            lock (input)
            {
                return input.Dequeue();
            }
        }

        public void Output(ContainerStreamKind stream, byte[] buffer, int offset, int count)
        {
            string text = Encoding.UTF8.GetString(buffer, offset, count);
            lock (all)
            {
                (stream == ContainerStreamKind.StdErr ? StdErr : StdOut).Append(text);
                all.Append(text);
            }

            OnOutput?.Invoke(this);
        }
    }

    public sealed class AttachedRunTests : IClassFixture<BusyboxImage>
    {
        private readonly BusyboxImage image;

        public AttachedRunTests(BusyboxImage image) => this.image = image;

        private AttachedRunRequest Request(params string[] shell) => new AttachedRunRequest
        {
            Image = image.Reference,
            Name = "h15-app-run-" + Guid.NewGuid().ToString("N")[..10],
            Command = shell.Length == 0 ? null : new List<string> { "/bin/busybox", "sh", "-c", shell[0] },
        };

        [DockerFact]
        public async Task StdoutAndStderrArriveSeparatelyStdinIsFedAndTheExitCodeComesBack()
        {
            using var engine = EngineFactory.Create();
            var request = Request("echo out1; echo err1 >&2; /bin/busybox cat; echo out2; echo \"env=$GREETING\"; exit 3");
            request.Stdin = true;
            request.Environment["GREETING"] = "hello there";
            using var streams = new RecordingStreams();
            streams.Send("line a\nline b\n");
            streams.End();
            var result = await engine.RunAttachedAsync(request, streams, CancellationToken.None);
            Assert.Equal(3, result.ExitCode);
            Assert.Equal("out1\nline a\nline b\nout2\nenv=hello there\n", streams.StdOut.ToString());
            Assert.Equal("err1\n", streams.StdErr.ToString());
            Assert.True(result.Removed);
            Assert.Equal(request.Name, result.Name);
            Assert.StartsWith(result.Id, streams.Id!, StringComparison.Ordinal);
            Assert.False(Docker.ContainerExists(request.Name));
        }

        [DockerFact]
        public async Task OutputArrivesWhileTheContainerRunsAndInputCanAnswerIt()
        {
            using var engine = EngineFactory.Create();
            var request = Request("echo question; read answer; echo \"answer: $answer\"");
            request.Stdin = true;
            using var streams = new RecordingStreams();
            int answered = 0;

            // The program waits for a line that is only sent once its first line has arrived: without streaming both ways, this never ends.
            streams.OnOutput = s =>
            {
                if (s.All.Contains("question\n", StringComparison.Ordinal) && Interlocked.Exchange(ref answered, 1) == 0)
                {
                    s.Send("42\n");
                    s.End();
                }
            };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var result = await engine.RunAttachedAsync(request, streams, timeout.Token);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("question\nanswer: 42\n", streams.StdOut.ToString());
        }

        [DockerFact]
        public async Task AFolderWithSpacesIsMountedAsTheWorkingDirectory()
        {
            using var ctx = new TempContext();
            string folder = Path.Combine(ctx.Root, "my app folder", "with 'quotes' & $(dollars)");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "in put.txt"), "from the host\n");
            using var engine = EngineFactory.Create();
            var request = Request("pwd; /bin/busybox cat 'in put.txt'; echo 'from the container' > out.txt");
            request.Mounts.Add(new BindMount(folder, "/usr/src/myapp"));
            request.WorkingDirectory = "/usr/src/myapp";
            using var streams = new RecordingStreams();
            var result = await engine.RunAttachedAsync(request, streams, CancellationToken.None);
            Assert.True(result.ExitCode == 0, streams.All);
            Assert.Equal("/usr/src/myapp\nfrom the host\n", streams.StdOut.ToString());
            Assert.Equal("from the container\n", File.ReadAllText(Path.Combine(folder, "out.txt")));
        }

        [DockerFact]
        public async Task WithoutACommandTheImagesOwnRuns()
        {
            using var engine = EngineFactory.Create();
            using var streams = new RecordingStreams();
            var result = await engine.RunAttachedAsync(Request(), streams, CancellationToken.None);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("the image's own command\n", streams.StdOut.ToString());
        }

        [DockerFact]
        public async Task CancellingKillsAndRemovesTheContainer()
        {
            using var engine = EngineFactory.Create();
            var request = Request("echo started; /bin/busybox sleep 300");
            using var streams = new RecordingStreams();
            using var cts = new CancellationTokenSource();
            streams.OnOutput = s =>
            {
                if (s.All.Contains("started", StringComparison.Ordinal))
                {
                    cts.Cancel();
                }
            };
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.RunAttachedAsync(request, streams, cts.Token));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), watch.Elapsed.ToString());
            Assert.NotNull(streams.Id);
            Assert.False(Docker.ContainerExists(request.Name));
        }

        [DockerFact]
        public async Task AKeptContainerStaysAndAKeptCancelledOneIsStopped()
        {
            using var engine = EngineFactory.Create();
            var request = Request("echo done");
            request.KeepContainer = true;
            using var streams = new RecordingStreams();
            try
            {
                var result = await engine.RunAttachedAsync(request, streams, CancellationToken.None);
                Assert.False(result.Removed);
                Assert.Equal("exited", Docker.Run("container", "inspect", "-f", "{{.State.Status}}", request.Name).Output.Trim());
            }
            finally
            {
                Docker.Run("rm", "-f", request.Name);
            }

            var slow = Request("echo started; /bin/busybox sleep 300");
            slow.KeepContainer = true;
            var slowStreams = new RecordingStreams();
            using var cts = new CancellationTokenSource();
            slowStreams.OnOutput = s => cts.Cancel();
            try
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.RunAttachedAsync(slow, slowStreams, cts.Token));
                Assert.Equal("exited", Docker.Run("container", "inspect", "-f", "{{.State.Status}}", slow.Name).Output.Trim());
            }
            finally
            {
                Docker.Run("rm", "-f", slow.Name);
            }
        }

        [DockerFact]
        public async Task ANameInUseIsRefusedAndTheOtherContainerIsLeftAlone()
        {
            using var engine = EngineFactory.Create();
            var request = Request("echo never");
            var (code, output) = Docker.Run("create", "--name", request.Name, image.Reference);
            Assert.True(code == 0, output);
            try
            {
                var ex = await Assert.ThrowsAsync<EngineRequestException>(() => engine.RunAttachedAsync(request, new RecordingStreams(), CancellationToken.None));
                Assert.Equal(409, ex.StatusCode);
                Assert.True(Docker.ContainerExists(request.Name));
            }
            finally
            {
                Docker.Run("rm", "-f", request.Name);
            }
        }

        [DockerFact]
        public async Task WithATerminalTheOutputIsOneRawStream()
        {
            using var engine = EngineFactory.Create();
            var request = Request("/bin/busybox tty; echo to-stderr >&2; echo bye");
            request.Tty = true;
            request.TtyWidth = 100;
            request.TtyHeight = 30;
            using var streams = new RecordingStreams();
            var result = await engine.RunAttachedAsync(request, streams, CancellationToken.None);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(string.Empty, streams.StdErr.ToString());
            Assert.Matches("^/dev/pts/[0-9]+\r\nto-stderr\r\nbye\r\n$", streams.StdOut.ToString());
        }

        [DockerFact]
        public async Task AnImageIsPulledFromARegistry()
        {
            string pushed = "127.0.0.1:5000/h15-app-" + Guid.NewGuid().ToString("N")[..8] + "/busybox:1";
            Assert.Equal(0, Docker.Run("tag", image.Reference, pushed).Code);
            var (code, output) = Docker.Run("push", pushed);
            Assert.True(code == 0, output);
            Assert.Equal(0, Docker.Run("rmi", pushed).Code);
            using var engine = EngineFactory.Create();
            try
            {
                Assert.Null(await engine.InspectImageAsync(pushed, CancellationToken.None));
                var events = new List<PullEvent>();
                await engine.PullImageAsync(pushed, new SyncProgress<PullEvent>(e => events.Add(e)), CancellationToken.None);
                Assert.NotNull(await engine.InspectImageAsync(pushed, CancellationToken.None));
                Assert.Contains(events, e => e.Status.StartsWith("Pulling from h15-app-", StringComparison.Ordinal)); // the layers are in the engine already: no layer lines
                Assert.Contains(events, e => e.Layer == null && e.Status.StartsWith("Status: Downloaded newer image", StringComparison.Ordinal));

                var missing = await Assert.ThrowsAsync<EngineRequestException>(() => engine.PullImageAsync(pushed.Replace(":1", ":nope", StringComparison.Ordinal), null, CancellationToken.None));
                Assert.Contains("nope", missing.Message, StringComparison.Ordinal);
            }
            finally
            {
                Docker.Run("rmi", "-f", pushed);
            }
        }

        private sealed class SyncProgress<T> : IProgress<T>
        {
            private readonly Action<T> action;

            public SyncProgress(Action<T> action) => this.action = action;

            public void Report(T value) => action(value);
        }
    }
}
