using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Fakes;
using Xunit;

namespace PythonImages.Engine.Tests
{
    /// <summary>
    /// How an attached run's output ends, against the loopback imitation of the engine. A container that exits without
    /// reading all of its input has its attach connection closed by the engine with that input unread: the client sees a
    /// reset instead of the end of the stream. After the exit that is the end of the output (everything sent before it is
    /// still read); while the container runs it is a lost connection. The imitation reads the input to its end before it
    /// resets the connection (the reset itself does not depend on it), so that the read of the output is what sees the
    /// reset; a write of the input can see it instead, as the last test arranges.
    /// </summary>
    public sealed class AttachResetTests
    {
        private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

        private static AttachedRunRequest Request(TimeSpan limit) => new AttachedRunRequest
        {
            Image = "x",
            Name = "attach-reset-" + Guid.NewGuid().ToString("N")[..8],
            Stdin = true,
            InactivityTimeout = limit,
        };

        private static RecordingStreams Input()
        {
            var streams = new RecordingStreams();
            streams.Send("input the program never reads\n");
            streams.End();
            return streams;
        }

        private static async Task SendOutputAsync(FakeHijackedConnection c)
        {
            await c.SendFrameAsync(1, "one\n");
            await c.SendFrameAsync(2, "a warning\n");
            await c.SendFrameAsync(1, "two\n");
        }

        private static void AssertRemoved(FakeEngine fake) =>
            Assert.True(fake.Requests.Any(r => r.Method == "DELETE" && r.Path == "/containers/" + FakeContainerRun.Id), string.Join("\n", fake.Requests));

        [Fact]
        public async Task AResetAfterTheWaitAnsweredIsTheEndOfTheOutput()
        {
            var container = new FakeContainerRun(async (run, c) =>
            {
                await run.Started;
                Assert.Equal("input the program never reads\n", await c.ReadInputToEndAsync());
                await SendOutputAsync(c);
                run.Exit(3);
                await run.WaitAnswered;
                c.Reset();
            });
            using var fake = new FakeEngine(container.Route);
            using var engine = EngineFactory.Create(fake.Host());
            using var streams = Input();

            var result = await engine.RunAttachedAsync(Request(TimeSpan.FromSeconds(20)), streams, CancellationToken.None).WaitAsync(Guard);

            Assert.Null(await container.AttachEnded.WaitAsync(Guard));
            Assert.Equal(3, result.ExitCode);
            Assert.Equal("one\ntwo\n", streams.StdOut.ToString());
            Assert.Equal("a warning\n", streams.StdErr.ToString());
            Assert.Equal(FakeContainerRun.Id, result.Id);
            Assert.True(result.Removed);
            AssertRemoved(fake);
        }

        [Fact]
        public async Task AResetJustBeforeTheEngineReportsTheExitIsTheEndOfTheOutput()
        {
            // The real engine's order: the attach ends as the program exits, the wait answers a moment later.
            var container = new FakeContainerRun(async (run, c) =>
            {
                await run.Started;
                await c.ReadInputToEndAsync();
                await SendOutputAsync(c);
                c.Reset();
                await Task.Delay(300);
                run.Exit(0);
            });
            using var fake = new FakeEngine(container.Route);
            using var engine = EngineFactory.Create(fake.Host());
            using var streams = Input();

            var result = await engine.RunAttachedAsync(Request(TimeSpan.FromSeconds(20)), streams, CancellationToken.None).WaitAsync(Guard);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal("one\ntwo\n", streams.StdOut.ToString());
            Assert.Equal("a warning\n", streams.StdErr.ToString());
            Assert.True(result.Removed);
        }

        [Fact]
        public async Task AResetWhileTheContainerRunsIsALostConnectionNotTheEnd()
        {
            var container = FakeContainerRun.ResetWhileRunning();
            using var fake = new FakeEngine(container.Route);
            using var engine = EngineFactory.Create(fake.Host());
            using var streams = Input();

            var ex = await Assert.ThrowsAsync<EngineUnavailableException>(() => engine.RunAttachedAsync(Request(TimeSpan.FromSeconds(2)), streams, CancellationToken.None).WaitAsync(Guard));

            Assert.Equal($"Lost the connection to the engine at {fake.Host()} while reading the container's output: the engine closed the connection.", ex.Message);
            Assert.Equal("one\n", streams.StdOut.ToString());
            Assert.False(container.WaitAnswered.IsCompleted);
            Assert.True(fake.Requests.Any(r => r.Method == "DELETE" && r.Path == "/containers/" + FakeContainerRun.Id && r.Query.Contains("force=1", StringComparison.Ordinal)), string.Join("\n", fake.Requests));
        }

        [Fact]
        public async Task AnOrderlyEndAfterTheExitIsTheEndOfTheOutputWithTheInputRead()
        {
            string? input = null;
            var container = new FakeContainerRun(async (run, c) =>
            {
                await run.Started;
                input = await c.ReadInputToEndAsync();
                await SendOutputAsync(c);
                run.Exit(0);
                await run.WaitAnswered;
                c.Close();
            });
            using var fake = new FakeEngine(container.Route);
            using var engine = EngineFactory.Create(fake.Host());
            using var streams = new RecordingStreams();
            streams.Send("line a\n");
            streams.Send("line b\n");
            streams.End();

            var result = await engine.RunAttachedAsync(Request(TimeSpan.FromSeconds(20)), streams, CancellationToken.None).WaitAsync(Guard);

            Assert.Null(await container.AttachEnded.WaitAsync(Guard));
            Assert.Equal("line a\nline b\n", input);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("one\ntwo\n", streams.StdOut.ToString());
            Assert.Equal("a warning\n", streams.StdErr.ToString());
            Assert.True(result.Removed);
            AssertRemoved(fake);
        }

        [Fact]
        public async Task AResetSeenByAWriteOfTheInputWhileTheContainerRunsIsALostConnection()
        {
            // The read of the output is held (in the output callback) while the connection is reset and input is written:
            // the write sees the reset, and the read then only sees an end of stream, before the container has exited.
            var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reset = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var release = new ManualResetEventSlim();
            var container = new FakeContainerRun(async (run, c) =>
            {
                await run.Started;
                await c.SendFrameAsync(1, "one\n");
                await held.Task;
                c.Reset();
                reset.TrySetResult();
            });
            using var fake = new FakeEngine(container.Route);
            using var engine = EngineFactory.Create(fake.Host());
            using var streams = new RecordingStreams { OnOutput = _ => Hold(held, release) };

            var running = engine.RunAttachedAsync(Request(TimeSpan.FromSeconds(2)), streams, CancellationToken.None);
            await reset.Task.WaitAsync(Guard);
            streams.Send("input after the reset\n");
            await Task.Delay(500); // time for the write to fail (the run fails either way)
            release.Set();
            var ex = await Assert.ThrowsAsync<EngineUnavailableException>(() => running.WaitAsync(Guard));

            Assert.Equal($"Lost the connection to the engine at {fake.Host()} while reading the container's output: the engine closed the connection.", ex.Message);
            Assert.Equal("one\n", streams.StdOut.ToString());
            Assert.False(container.WaitAnswered.IsCompleted);
        }

        private static void Hold(TaskCompletionSource held, ManualResetEventSlim release)
        {
            held.TrySetResult();
            release.Wait(Guard);
        }
    }
}
