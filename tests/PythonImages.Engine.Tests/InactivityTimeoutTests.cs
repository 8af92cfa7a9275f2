using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Fakes;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Engine.Tests
{
    /// <summary>
    /// Engines that go silent: a loopback server that answers /_ping and /version like dockerd but stalls on /build and on
    /// the container calls, and the real engine with a quiet RUN step. Nothing may hang; stalled requests are abandoned
    /// (the server sees the connection closed) and test containers are removed.
    /// </summary>
    public sealed class InactivityTimeoutTests
    {
        private const string Step1 = "{\"stream\":\"Step 1/2 : FROM scratch\\n\"}\r\n";
        private const string Step2 = "{\"stream\":\"Step 2/2 : COPY a /a\\n\"}\r\n";
        private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1.5);

        private static EngineBuildRequest Build(TempContext ctx) => new EngineBuildRequest { ContextDirectory = ctx.Root, InactivityTimeout = Limit };

        [Fact]
        public async Task ABuildThatIsNeverAnsweredStallsAndItsConnectionIsClosed()
        {
            using var fake = new FakeEngine();
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY a /a\n");
            ctx.Write("a");
            using var engine = EngineFactory.Create(fake.Host("admin:hunter2"));
            var watch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<EngineStalledException>(() => engine.BuildAsync(Build(ctx), null, CancellationToken.None));
            Assert.True(watch.Elapsed < Limit + TimeSpan.FromSeconds(10), "took " + watch.Elapsed);
            Assert.True(watch.Elapsed >= Limit, "gave up early: " + watch.Elapsed);
            Assert.Equal(Limit, ex.Timeout);
            Assert.Equal("building", ex.Operation);
            Assert.Contains("showed no sign of life for 1.5 s while building", ex.Message, StringComparison.Ordinal);
            Assert.Equal(fake.Host("***"), ex.Endpoint);
            Assert.DoesNotContain("hunter2", ex.Message);
            Assert.Contains(fake.Requests, r => r.Path == "/build");
            Assert.True(fake.WaitForStalledConnectionsClosed(TimeSpan.FromSeconds(10)), $"stalled {fake.Stalled}, closed {fake.StalledClosed}");
        }

        [Fact]
        public async Task ABuildThatStopsTalkingAfterAStepReportsTheStepAndTheLastLines()
        {
            using var fake = new FakeEngine(r => r.Path == "/build" ? new FakeResponse { Body = Step1 + Step2, StallAfterBody = true } : FakeResponse.Stall);
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY a /a\n");
            ctx.Write("a");
            using var engine = EngineFactory.Create(fake.Host());
            var events = new List<BuildEvent>();
            var ex = await Assert.ThrowsAsync<EngineStalledException>(() => engine.BuildAsync(Build(ctx), new ListProgress(events), CancellationToken.None));
            Assert.Equal("Step 2/2 : COPY a /a", ex.Step);
            Assert.Equal(new[] { "Step 1/2 : FROM scratch", "Step 2/2 : COPY a /a" }, ex.Tail);
            Assert.Contains("(Step 2/2 : COPY a /a)", ex.Message);
            Assert.Equal(2, events.Count(e => e.Kind == BuildEventKind.Step));
            Assert.True(fake.WaitForStalledConnectionsClosed(TimeSpan.FromSeconds(10)));
        }

        [Fact]
        public async Task OutputArrivingInTimeKeepsALongBuildAlive()
        {
            // 5 s in all, never more than 0.5 s without a message: inactivity, not total time, is what counts.
            var limit = TimeSpan.FromSeconds(2.5);
            var chunks = new List<(int, string)> { (0, Step1) };
            for (int i = 0; i < 10; i++)
            {
                chunks.Add((500, "{\"stream\":\"tick " + i + "\\n\"}\r\n"));
            }

            chunks.Add((0, Step2));
            chunks.Add((0, "{\"aux\":{\"ID\":\"sha256:" + new string('a', 64) + "\"}}\r\n"));
            chunks.Add((0, "{\"stream\":\"Successfully built aaaaaaaaaaaa\\n\"}\r\n"));
            using var fake = new FakeEngine(r => r.Path == "/build" ? new FakeResponse { Chunks = chunks } : FakeResponse.Stall);
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY a /a\n");
            ctx.Write("a");
            using var engine = EngineFactory.Create(fake.Host());
            var watch = Stopwatch.StartNew();
            var result = await engine.BuildRetryingAsync(new EngineBuildRequest { ContextDirectory = ctx.Root, InactivityTimeout = limit }, null, CancellationToken.None);
            Assert.True(watch.Elapsed > limit + limit, "the stream was not slow: " + watch.Elapsed);
            Assert.True(result.Succeeded, result.ErrorMessage);
            Assert.Equal("sha256:" + new string('a', 64), result.ImageId);
            Assert.Contains("tick 9", result.Log);
        }

        [Fact]
        public async Task TheCallersCancellationStaysACancellation()
        {
            using var fake = new FakeEngine();
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            using var engine = EngineFactory.Create(fake.Host());
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                engine.BuildAsync(new EngineBuildRequest { ContextDirectory = ctx.Root, InactivityTimeout = TimeSpan.FromMinutes(5) }, null, cts.Token));
        }

        [Fact]
        public async Task AStalledContainerWaitIsAbandonedAndTheContainerRemovalAttempted()
        {
            using var fake = new FakeEngine(ContainerRoutes(inspect: null));
            using var engine = EngineFactory.Create(fake.Host()).WithInactivityTimeout(Limit);
            var watch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<EngineStalledException>(() => engine.RunAsync(new ContainerRunRequest { Image = "x", Timeout = TimeSpan.FromMinutes(5) }, CancellationToken.None));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(12), "took " + watch.Elapsed);
            Assert.Contains("waiting for the container", ex.Message);
            Assert.Contains(fake.Requests, r => r.Method == "POST" && r.Path == "/containers/fakeid/wait");
            Assert.True(fake.Requests.Any(r => r.Method == "DELETE" && r.Path == "/containers/fakeid" && (r.Query.Contains("force=1", StringComparison.Ordinal) || r.Query.Contains("force=true", StringComparison.OrdinalIgnoreCase))), string.Join("\n", fake.Requests));
        }

        [Fact]
        public async Task AnEngineThatSaysTheContainerStoppedButNeverEndsTheWaitIsStalled()
        {
            using var fake = new FakeEngine(ContainerRoutes(inspect: "{\"Id\":\"fakeid\",\"State\":{\"Status\":\"exited\",\"Running\":false,\"ExitCode\":0}}"));
            using var engine = EngineFactory.Create(fake.Host()).WithInactivityTimeout(TimeSpan.FromSeconds(3));
            var ex = await Assert.ThrowsAsync<EngineStalledException>(() => engine.RunAsync(new ContainerRunRequest { Image = "x", Timeout = TimeSpan.FromMinutes(5) }, CancellationToken.None));
            Assert.Contains("never ended the wait", ex.Message);
            Assert.Contains(fake.Requests, r => r.Method == "DELETE" && r.Path == "/containers/fakeid");
        }

        [Fact]
        public async Task ARunningContainerIsNotAStallButItsTimeLimitStillApplies()
        {
            // The engine keeps saying "running": alive, so only the run's own time limit ends it (killed, TimedOut).
            using var fake = new FakeEngine(ContainerRoutes(inspect: "{\"Id\":\"fakeid\",\"State\":{\"Status\":\"running\",\"Running\":true},\"Config\":{\"Tty\":false}}"));
            using var engine = EngineFactory.Create(fake.Host()).WithInactivityTimeout(TimeSpan.FromSeconds(3));
            var result = await engine.RunAsync(new ContainerRunRequest { Image = "x", Timeout = TimeSpan.FromSeconds(4) }, CancellationToken.None);
            Assert.True(result.TimedOut);
            Assert.Contains(fake.Requests, r => r.Method == "POST" && r.Path == "/containers/fakeid/kill");
            Assert.True(fake.Requests.Count(r => r.Path == "/containers/fakeid/json") >= 2, "the engine was not asked about the container while it ran");
        }

        [DockerFact]
        public async Task AQuietRunStepOnTheRealEngineStallsAndLeavesNoContainer()
        {
            // Robust on a loaded machine: busybox goes into a base image first, built without a limit, so the timed build
            // sends only its Dockerfile and reaches its RUN step at once (a slow COPY or upload cannot be taken for the stall),
            // and the limit leaves room for a slow container start; the RUN then stays quiet far longer than the limit.
            using var engine = EngineFactory.Create();
            string baseTag = Names.Image("h9-engine-quiet-base");
            using (var baseCtx = new TempContext())
            {
                baseCtx.AddBusybox();
                baseCtx.Write("Dockerfile", "FROM scratch\nCOPY busybox /busybox\n");
                var built = await engine.BuildRetryingAsync(new EngineBuildRequest { ContextDirectory = baseCtx.Root, Tags = new List<string> { baseTag } }, null, CancellationToken.None);
                Assert.True(built.Succeeded, built.ErrorMessage);
            }

            try
            {
                using var ctx = new TempContext();
                string marker = "pitest9" + Guid.NewGuid().ToString("N")[..8];
                ctx.Write("Dockerfile", $"FROM {baseTag}\nRUN [\"/busybox\", \"sh\", \"-c\", \"echo started; /busybox sleep 60; echo {marker}\"]\n");
                string tag = Names.Image("h9-engine-quiet");
                var limit = TimeSpan.FromSeconds(8);
                var watch = Stopwatch.StartNew();
                var ex = await Assert.ThrowsAsync<EngineStalledException>(() => engine.BuildAsync(
                    new EngineBuildRequest { ContextDirectory = ctx.Root, NoCache = true, Tags = new List<string> { tag }, InactivityTimeout = limit }, null, CancellationToken.None));
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), "took " + watch.Elapsed);
                Assert.True(watch.Elapsed >= limit, "gave up early: " + watch.Elapsed);
                Assert.StartsWith("Step 2/2 : RUN", ex.Step);

                IReadOnlyList<ContainerSummary> left = Array.Empty<ContainerSummary>();
                for (int i = 0; i < 120; i++)
                {
                    left = (await engine.ListContainersAsync(true, CancellationToken.None)).Where(c => c.Command.Contains(marker, StringComparison.Ordinal)).ToList();
                    if (left.Count == 0)
                    {
                        break;
                    }

                    await Task.Delay(250);
                }

                Assert.Empty(left);
                Assert.Null(await engine.InspectImageAsync(tag, CancellationToken.None));
            }
            finally
            {
                await engine.RemoveImageAsync(baseTag, true, CancellationToken.None);
            }
        }

        [DockerFact]
        public async Task ARunStepThatTalksSlowlyButSteadilyOnTheRealEngineIsNotStalled()
        {
            using var ctx = new TempContext();
            ctx.AddBusybox();
            // 12 s of output, a line every 2 s, with an 8 s limit (room for a slow container start on a loaded machine).
            ctx.Write("Dockerfile", "FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"for i in 1 2 3 4 5 6; do echo tick $i; /busybox sleep 2; done\"]\n");
            using var engine = EngineFactory.Create();
            string tag = Names.Image("h9-engine-steady");
            try
            {
                var result = await engine.BuildRetryingAsync(
                    new EngineBuildRequest { ContextDirectory = ctx.Root, NoCache = true, Tags = new List<string> { tag }, InactivityTimeout = TimeSpan.FromSeconds(8) }, null, CancellationToken.None);
                Assert.True(result.Succeeded, result.ErrorMessage);
                Assert.Contains("tick 6", result.Log);
            }
            finally
            {
                await engine.RemoveImageAsync(tag, true, CancellationToken.None);
            }
        }

        /// <summary>create → fakeid, start → 204, wait → stall, container inspect → the given JSON (null: stall), kill → 204, logs → empty.</summary>
        private static Func<FakeRequest, FakeResponse> ContainerRoutes(string? inspect) => r =>
        {
            if (r.Method == "POST" && r.Path == "/containers/create")
            {
                return FakeResponse.Json("{\"Id\":\"fakeid\",\"Warnings\":[]}", 201);
            }

            if (r.Method == "POST" && r.Path == "/containers/fakeid/start")
            {
                return new FakeResponse { Status = 204 };
            }

            if (r.Method == "GET" && r.Path == "/containers/fakeid/json" && inspect != null)
            {
                return FakeResponse.Json(inspect);
            }

            if (r.Method == "POST" && r.Path == "/containers/fakeid/kill")
            {
                return new FakeResponse { Status = 204 };
            }

            if (r.Method == "GET" && r.Path == "/containers/fakeid/logs")
            {
                return new FakeResponse { ContentType = "application/vnd.docker.raw-stream", Chunks = new List<(int, string)>() };
            }

            return FakeResponse.Stall;
        };
    }
}
