using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;
using PythonImages.Engine.Builds;
using Xunit;

namespace PythonImages.Engine.Tests.Builds
{
    /// <summary>The orchestrator against an in-process engine: throttling, order, events, hooks, cancellation.</summary>
    public sealed class BuildOrchestratorTests : IDisposable
    {
        private readonly JobFolder folder = new JobFolder();
        private readonly ScriptedEngine engine = new ScriptedEngine();
        private readonly RecordingEvents events = new RecordingEvents();

        public void Dispose() => folder.Dispose();

        private BuildOrchestrator Orchestrator(ImageBuildOptions? options = null, Action? onConnect = null) =>
            new BuildOrchestrator(new SingleEngineSelector(() =>
            {
                onConnect?.Invoke();
                return new EngineTarget(engine, engine.Info);
            }), options ?? new ImageBuildOptions(), events);

        private static EngineBuildResult Built(string tag) => new EngineBuildResult { Succeeded = true, ImageId = "sha256:" + tag.GetHashCode(StringComparison.Ordinal).ToString("x8", System.Globalization.CultureInfo.InvariantCulture).PadLeft(64, '0') };

        [Fact]
        public async Task ThrottleLimitBoundsHowManyBuildsRunAtOnce()
        {
            int running = 0, peak = 0;
            engine.OnBuild = async (request, progress, ct) =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                await Task.Delay(60, ct);
                Interlocked.Decrement(ref running);
                return Built(request.Tags[0]);
            };
            var orchestrator = Orchestrator(new ImageBuildOptions { ThrottleLimit = 2 });
            var jobs = Enumerable.Range(0, 6).Select(i => folder.Job(i)).ToList();
            Assert.All(jobs, j => Assert.True(orchestrator.Prepare(j)));

            await orchestrator.BuildAllAsync(jobs, jobs.Count, CancellationToken.None);

            Assert.Equal(2, peak);
            Assert.Equal(6, engine.Builds.Count);
            Assert.Equal(jobs.Select(j => j.Index), events.Results.Select(r => r.Job.Index));
        }

        [Fact]
        public async Task ResultsLeaveInJobOrderWhenLaterBuildsFinishFirst()
        {
            var finished = new List<string>();
            engine.OnBuild = async (request, progress, ct) =>
            {
                int index = int.Parse(request.Tags[0].Split('-', ':')[2], System.Globalization.CultureInfo.InvariantCulture);
                await Task.Delay((3 - index) * 80, ct);
                lock (finished)
                {
                    finished.Add(request.Tags[0]);
                }

                return Built(request.Tags[0]);
            };
            var orchestrator = Orchestrator(new ImageBuildOptions { ThrottleLimit = 4 });
            var jobs = Enumerable.Range(0, 4).Select(i => folder.Job(i)).ToList();
            jobs.ForEach(j => orchestrator.Prepare(j));

            await orchestrator.BuildAllAsync(jobs, jobs.Count, CancellationToken.None);

            Assert.Equal("pitest5-orch-3:t", finished[0]); // the last job finished first ...
            Assert.Equal(new[] { 0, 1, 2, 3 }, events.Results.Select(r => r.Job.Index)); // ... and was reported last
            var overall = events.Progresses.Where(p => p.ActivityId == BuildProgress.OverallActivityId).ToList();
            Assert.Equal(new[] { "1 of 4 done", "2 of 4 done", "3 of 4 done", "4 of 4 done", "Done" }, overall.Select(p => p.Status));
            Assert.True(overall[^1].Completed);
        }

        [Fact]
        public async Task AFailedStepIsExplainedWithItsStepHintAndLogTail()
        {
            engine.OnBuild = (request, progress, ct) =>
            {
                progress!.Report(new BuildEvent(BuildEventKind.Step, "RUN make") { Step = 2, TotalSteps = 3 });
                for (int i = 1; i <= 30; i++)
                {
                    progress.Report(new BuildEvent(BuildEventKind.Log, "line " + i));
                }

                return Task.FromResult(new EngineBuildResult
                {
                    Succeeded = false,
                    FailedStep = "Step 2/3 : RUN make",
                    ErrorMessage = "The command '/bin/sh -c make' returned a non-zero code: 2",
                    Log = Enumerable.Range(1, 30).Select(i => "line " + i).ToArray(),
                });
            };
            var orchestrator = Orchestrator();
            var job = folder.Job(0);
            Assert.True(orchestrator.Prepare(job));

            await orchestrator.BuildAsync(job, CancellationToken.None);

            var failure = Assert.Single(events.Failures);
            Assert.Equal(BuildFailureKind.BuildFailed, failure.Kind);
            Assert.Equal(ImageBuildErrorIds.StepFailed, failure.ErrorId);
            Assert.Equal("Step 2/3 : RUN make", failure.FailedStep);
            Assert.StartsWith("Building pitest5-orch-0:t failed at Step 2/3 : RUN make: ", failure.Message, StringComparison.Ordinal);
            Assert.Contains("Last 20 log lines:", failure.Message, StringComparison.Ordinal);
            Assert.Contains("line 30", failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("line 10" + Environment.NewLine, failure.Message, StringComparison.Ordinal);
            Assert.Contains(job.DockerfilePath, failure.RecommendedAction, StringComparison.Ordinal);
            var result = Assert.Single(events.Results);
            Assert.False(result.Succeeded);
            Assert.Empty(result.Tags);
            Assert.Equal("Step 2/3 : RUN make", result.FailedStep);

            // The step is progress and a verbose line; log lines are not reported unless asked for.
            Assert.Contains(events.Progresses, p => p.Status == "Step 2/3 : RUN make" && p.Percent == 33);
            Assert.Contains("Step 2/3 : RUN make", events.Lines);
            Assert.DoesNotContain("line 30", events.Lines);
        }

        [Fact]
        public async Task LogLinesAreReportedWhenAskedAndPrefixedWhenBuildsRunInParallel()
        {
            engine.OnBuild = (request, progress, ct) =>
            {
                progress!.Report(new BuildEvent(BuildEventKind.Log, "hello from " + request.Tags[0]));
                return Task.FromResult(Built(request.Tags[0]));
            };
            var orchestrator = Orchestrator(new ImageBuildOptions { ThrottleLimit = 2, ReportLogLines = true });
            var jobs = new[] { folder.Job(0), folder.Job(1) };
            jobs.ToList().ForEach(j => orchestrator.Prepare(j));

            await orchestrator.BuildAllAsync(jobs, 2, CancellationToken.None);

            Assert.Contains("[pitest5-orch-1:t] hello from pitest5-orch-1:t", events.Lines);
            Assert.Contains(events.Lines, l => l.StartsWith("[pitest5-orch-0:t] Building " + jobs[0].DockerfilePath, StringComparison.Ordinal));
        }

        [Fact]
        public void AMissingContextFailsBeforeAnyEngineIsChosen()
        {
            bool connected = false;
            var orchestrator = Orchestrator(onConnect: () => connected = true);
            var job = new ImageBuildJob(0, "t", Path.Combine(folder.Root, "nope"), Path.Combine(folder.Root, "nope", "Dockerfile"), new[] { "x:y" });

            Assert.False(orchestrator.Prepare(job));

            Assert.False(connected);
            var failure = Assert.Single(events.Failures);
            Assert.Equal(ImageBuildErrorIds.ContextNotFound, failure.ErrorId);
            Assert.IsType<FileNotFoundException>(failure.Exception);
        }

        [Fact]
        public void AWindowsImageIsRefusedByALinuxEngineBeforeAnythingIsSent()
        {
            var orchestrator = Orchestrator();
            var job = folder.Job(0, "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo\n");

            Assert.False(orchestrator.Prepare(job));

            var failure = Assert.Single(events.Failures);
            Assert.Equal(BuildFailureKind.OSMismatch, failure.Kind);
            Assert.Equal(ImageBuildErrorIds.OSMismatch, failure.ErrorId);
            Assert.Contains("it is a Windows image, but the engine at fake://engine runs Linux containers", failure.Message, StringComparison.Ordinal);
            Assert.Empty(engine.Builds);
        }

        [Fact]
        public async Task AnEngineFailureIsReportedWithoutAResult()
        {
            engine.OnBuild = (request, progress, ct) => throw new EngineRequestException("fake://engine", 500, "boom");
            var orchestrator = Orchestrator();
            var job = folder.Job(0);
            orchestrator.Prepare(job);

            await orchestrator.BuildAsync(job, CancellationToken.None);

            var failure = Assert.Single(events.Failures);
            Assert.Equal(BuildFailureKind.Engine, failure.Kind);
            Assert.Null(failure.ErrorId); // the caller's area names it
            Assert.IsType<EngineRequestException>(failure.Exception);
            Assert.Equal("Building pitest5-orch-0:t failed: boom", failure.Message);
            Assert.Empty(events.Results);
        }

        [Fact]
        public async Task AStalledBuildIsExplainedAndStillHasAResult()
        {
            engine.OnBuild = (request, progress, ct) =>
                throw new EngineStalledException("fake://engine", "building", TimeSpan.FromSeconds(5), "quiet for 5 s", "Step 3/4 : RUN sleep", new[] { "a", "b" });
            var orchestrator = Orchestrator();
            var job = folder.Job(0);
            orchestrator.Prepare(job);

            await orchestrator.BuildAsync(job, CancellationToken.None);

            var failure = Assert.Single(events.Failures);
            Assert.Equal(BuildFailureKind.Stalled, failure.Kind);
            Assert.Contains("Last 2 log lines:", failure.Message, StringComparison.Ordinal);
            Assert.Contains("raise -InactivityTimeout (now 5 s", failure.RecommendedAction, StringComparison.Ordinal);
            var result = Assert.Single(events.Results);
            Assert.False(result.Succeeded);
            Assert.Equal("Step 3/4 : RUN sleep", result.FailedStep);
        }

        [Fact]
        public async Task CancellationEndsTheRunWithoutResults()
        {
            var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            engine.OnBuild = async (request, progress, ct) =>
            {
                started.TrySetResult(true);
                await Task.Delay(Timeout.Infinite, ct);
                return Built("never");
            };
            var orchestrator = Orchestrator(new ImageBuildOptions { ThrottleLimit = 2 });
            var jobs = Enumerable.Range(0, 3).Select(i => folder.Job(i)).ToList();
            jobs.ForEach(j => orchestrator.Prepare(j));
            using var cts = new CancellationTokenSource();

            var run = orchestrator.BuildAllAsync(jobs, 3, cts.Token);
            await started.Task;
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.Empty(events.Results);
            Assert.Empty(events.Failures);
            Assert.True(engine.Builds.Count <= 2, "the third build must not start after cancellation");
        }

        [Fact]
        public async Task ASlotFreedDuringCancellationStartsNoWaitingBuild()
        {
            // The running build gives up its slot from inside the cancellation itself (its callback is
            // registered after the waiting job's, so it runs first): the waiter must not start a build.
            var waiting = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            engine.OnBuild = async (request, progress, ct) =>
            {
                await waiting.Task.ConfigureAwait(false);
                var stop = new TaskCompletionSource<bool>();
                using (ct.Register(() => stop.TrySetCanceled()))
                {
                    await stop.Task.ConfigureAwait(false);
                }

                return Built("never");
            };
            var orchestrator = Orchestrator(new ImageBuildOptions { ThrottleLimit = 1 });
            var jobs = Enumerable.Range(0, 2).Select(i => folder.Job(i)).ToList();
            jobs.ForEach(j => orchestrator.Prepare(j));
            using var cts = new CancellationTokenSource();

            var run = orchestrator.BuildAllAsync(jobs, 2, cts.Token);
            waiting.SetResult(true);
            while (engine.Builds.IsEmpty)
            {
                await Task.Delay(10);
            }

            await Task.Delay(100); // the first build registers its cancellation callback
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            await Task.Delay(200); // a wrongly started second build would show up here
            Assert.Single(engine.Builds);
            Assert.Empty(events.Results);
        }

        [Fact]
        public async Task ACancelledBuildRecordsNothingInTheLedger()
        {
            var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            engine.OnBuild = async (request, progress, ct) =>
            {
                started.TrySetResult(true);
                await Task.Delay(Timeout.Infinite, ct);
                return Built("never");
            };
            string ledgerPath = Path.Combine(Path.GetTempPath(), "pitest5-ledger-" + Guid.NewGuid().ToString("N") + ".json");
            var options = new ImageBuildOptions();
            var hooks = new LedgerBuildHooks(ledgerPath, new PythonImages.Ledger.BuildLedger(), options);
            var orchestrator = Orchestrator(options);
            orchestrator.Decider = hooks;
            orchestrator.AfterBuild = hooks;
            var job = folder.Job(0);
            orchestrator.Prepare(job);
            using var cts = new CancellationTokenSource();

            var run = orchestrator.BuildAsync(job, cts.Token);
            await started.Task;
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.Empty(events.Results);
            Assert.False(File.Exists(ledgerPath), "a cancelled build must not write the ledger");
        }

        [Fact]
        public async Task TheDeciderCanSkipOrRetagInsteadOfBuilding()
        {
            var orchestrator = Orchestrator();
            orchestrator.Decider = new Decider(job => job.Index == 0
                ? BuildDecision.Skip("unchanged since the last build", "sha256:" + new string('1', 64))
                : BuildDecision.Retag("sha256:" + new string('2', 64), "same Dockerfile as another image"));
            var skip = folder.Job(0);
            var retag = folder.Job(1, references: new[] { "pitest5-a:1", "pitest5-a:latest" });
            orchestrator.Prepare(skip);
            orchestrator.Prepare(retag);

            await orchestrator.BuildAsync(skip, CancellationToken.None);
            await orchestrator.BuildAsync(retag, CancellationToken.None);

            Assert.Empty(engine.Builds);
            var results = events.Results;
            Assert.Equal(BuildAction.Skip, results[0].Action);
            Assert.True(results[0].Succeeded);
            Assert.Empty(results[0].Tags);
            Assert.Equal("unchanged since the last build", results[0].Reason);
            Assert.Equal(BuildAction.Retag, results[1].Action);
            Assert.Equal(new[] { "pitest5-a:1", "pitest5-a:latest" }, results[1].Tags);
            Assert.Equal(new[] { ("sha256:" + new string('2', 64), "pitest5-a:1"), ("sha256:" + new string('2', 64), "pitest5-a:latest") }, engine.TagCalls.ToArray());
            Assert.Equal(4242, results[1].Size);
            Assert.Contains(events.Lines, l => l.StartsWith("Skipping pitest5-orch-0:t: unchanged", StringComparison.Ordinal));
        }

        [Fact]
        public async Task ThePostBuildHookSeesEverySuccessfulBuildBeforeItsResult()
        {
            int calls = 0;
            engine.OnBuild = (request, progress, ct) => Task.FromResult(request.Tags[0].StartsWith("pitest5-orch-1", StringComparison.Ordinal)
                ? new EngineBuildResult { Succeeded = false, ErrorMessage = "no" }
                : Built(request.Tags[0]));
            var orchestrator = Orchestrator(new ImageBuildOptions { ThrottleLimit = 2 });
            orchestrator.AfterBuild = new Hook((outcome, sink) =>
            {
                Interlocked.Increment(ref calls);
                Assert.True(outcome.Succeeded);
                sink.Warning(outcome.Job, "published " + outcome.Tags[0]);
            });
            var jobs = new[] { folder.Job(0), folder.Job(1) };
            jobs.ToList().ForEach(j => orchestrator.Prepare(j));

            await orchestrator.BuildAllAsync(jobs, 2, CancellationToken.None);

            Assert.Equal(1, calls);
            var all = events.All;
            int warning = all.FindIndex(e => e is ValueTuple<string, string> w && w.Item2 == "published pitest5-orch-0:t");
            int result = all.FindIndex(e => e is ImageBuildOutcome o && o.Job.Index == 0);
            Assert.InRange(warning, 0, result - 1);
        }

        [Fact]
        public async Task LogsGoOneFilePerImageInAFolder()
        {
            engine.OnBuild = (request, progress, ct) =>
            {
                progress!.Report(new BuildEvent(BuildEventKind.Log, "log of " + request.Tags[0]));
                return Task.FromResult(Built(request.Tags[0]));
            };
            string logs = Path.Combine(folder.Root, "logs");
            var orchestrator = Orchestrator(new ImageBuildOptions { ThrottleLimit = 2, Log = new BuildLogTarget(logs, isDirectory: true) });
            var jobs = new[] { folder.Job(0), folder.Job(1) };
            jobs.ToList().ForEach(j => orchestrator.Prepare(j));

            await orchestrator.BuildAllAsync(jobs, 2, CancellationToken.None);

            foreach (var r in events.Results)
            {
                string expected = Path.Combine(logs, r.Job.References[0].Replace(':', '_') + ".log");
                Assert.Equal(expected, r.LogPath);
                var lines = File.ReadAllLines(expected);
                Assert.StartsWith("# " + r.Job.References[0] + " (", lines[0], StringComparison.Ordinal);
                Assert.EndsWith("— succeeded " + r.ImageId, lines[0], StringComparison.Ordinal);
                Assert.Equal("log of " + r.Job.References[0], lines[1]);
            }
        }

        [Fact]
        public void AVariantIsReadThroughVariantInfo()
        {
            Assert.Equal(ImageOS.Windows, BuildPlatform.OSOf(new PythonImage("3.14", "3.14.6", "windows/windowsservercore-ltsc2025")));
            Assert.Equal(ImageFamily.Alpine, BuildPlatform.Variant(new PythonImage("3.14", "3.14.6", "alpine3.22"))!.Family);
            Assert.Equal(ImageOS.Linux, BuildPlatform.OSOf(new PythonImage("3.14", "3.14.6", "slim-trixie") { OS = ImageOS.Windows }));
            Assert.Equal(ImageOS.Windows, BuildPlatform.OSOf(new PythonImage("3.14", "3.14.6", "no such form!") { OS = ImageOS.Windows }));
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }

        private sealed class Decider : IBuildDecider
        {
            private readonly Func<ImageBuildJob, BuildDecision> decide;

            public Decider(Func<ImageBuildJob, BuildDecision> decide) => this.decide = decide;

            public Task<BuildDecision> DecideAsync(ImageBuildJob job, EngineTarget engine, CancellationToken cancellationToken) => Task.FromResult(decide(job));
        }

        private sealed class Hook : IPostBuildHook
        {
            private readonly Action<ImageBuildOutcome, IImageBuildEvents> after;

            public Hook(Action<ImageBuildOutcome, IImageBuildEvents> after) => this.after = after;

            public Task AfterBuildAsync(ImageBuildOutcome outcome, EngineTarget engine, IImageBuildEvents events, CancellationToken cancellationToken)
            {
                after(outcome, events);
                return Task.CompletedTask;
            }
        }
    }
}
