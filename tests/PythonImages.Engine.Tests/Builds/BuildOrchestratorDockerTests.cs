using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;
using PythonImages.Engine.Builds;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Engine.Tests.Builds
{
    /// <summary>The orchestrator against the real engine, with FROM scratch images.</summary>
    public sealed class BuildOrchestratorDockerTests
    {
        [DockerFact]
        public async Task BuildsTagsAndLogsOnTheRealEngine()
        {
            using var folder = new JobFolder();
            using var engine = EngineFactory.Create();
            var info = await engine.GetInfoAsync(CancellationToken.None);
            var events = new RecordingEvents();
            string reference = Names.Image("h10-engine-orch") + ":one";
            string log = Path.Combine(folder.Root, "all.log");
            var orchestrator = new BuildOrchestrator(new SingleEngineSelector(() => new EngineTarget(engine, info)), new ImageBuildOptions { Log = new BuildLogTarget(log, false), Network = "host" }, events);
            var job = folder.Job(0, "FROM scratch\nCOPY a.txt /a.txt\nLABEL h10=engine\n", reference);
            try
            {
                Assert.True(orchestrator.Prepare(job));
                await orchestrator.BuildAsync(job, CancellationToken.None);

                Assert.Empty(events.Failures);
                var result = Assert.Single(events.Results);
                Assert.True(result.Succeeded);
                Assert.Equal(new[] { reference }, result.Tags);
                var details = await engine.InspectImageAsync(reference, CancellationToken.None);
                Assert.NotNull(details);
                Assert.Equal(details!.Id, result.ImageId);
                Assert.Equal(details.Size, result.Size);
                Assert.Contains(events.Progresses, p => p.Status.StartsWith("Step 2/4 : COPY a.txt /a.txt", StringComparison.Ordinal));
                Assert.Contains(events.Progresses, p => p.Completed && p.ActivityId == 2);
                var lines = File.ReadAllLines(log);
                Assert.Equal($"# {reference} ({job.DockerfilePath}) — succeeded {result.ImageId}", lines[0]);
                Assert.Contains("Step 3/4 : LABEL h10=engine", lines); // step 4: the LABEL the engine adds for the build's labels
                Assert.Equal(PythonImages.Builds.ImageLabels.BuiltByValue, details.Labels[PythonImages.Builds.ImageLabels.BuiltBy]); // the module's marker
            }
            finally
            {
                await engine.RemoveImageAsync(reference, true, CancellationToken.None);
            }
        }

        [DockerFact]
        public async Task AFailingStepOnTheRealEngineIsExplained()
        {
            using var folder = new JobFolder();
            using var engine = EngineFactory.Create();
            var info = await engine.GetInfoAsync(CancellationToken.None);
            var events = new RecordingEvents();
            string reference = Names.Image("h10-engine-fail") + ":x";
            var orchestrator = new BuildOrchestrator(new SingleEngineSelector(() => new EngineTarget(engine, info)), new ImageBuildOptions { Network = "host" }, events);
            var job = folder.Job(0, "FROM scratch\nCOPY a.txt /a.txt\nRUN [\"/no-such-program\"]\n", reference);

            Assert.True(orchestrator.Prepare(job));
            await orchestrator.BuildAsync(job, CancellationToken.None);

            var failure = Assert.Single(events.Failures);
            Assert.Equal(BuildFailureKind.BuildFailed, failure.Kind);
            Assert.Equal(ImageBuildErrorIds.StepFailed, failure.ErrorId);
            Assert.Equal("Step 3/4 : RUN [\"/no-such-program\"]", failure.FailedStep); // step 4: the LABEL of the build's labels
            Assert.Contains("Last ", failure.Message, StringComparison.Ordinal);
            var result = Assert.Single(events.Results);
            Assert.False(result.Succeeded);
            Assert.Null(await engine.InspectImageAsync(reference, CancellationToken.None));
        }

        [DockerFact]
        public async Task RetagGivesAnExistingImageTheJobsReferences()
        {
            using var folder = new JobFolder();
            using var engine = EngineFactory.Create();
            var info = await engine.GetInfoAsync(CancellationToken.None);
            string first = Names.Image("h10-engine-retag") + ":built";
            string second = Names.Image("h10-engine-retag") + ":retagged";
            var built = new RecordingEvents();
            var target = new EngineTarget(engine, info);
            try
            {
                var builder = new BuildOrchestrator(new SingleEngineSelector(() => target), new ImageBuildOptions(), built);
                var job = folder.Job(0, "FROM scratch\nCOPY a.txt /a.txt\n", first);
                Assert.True(builder.Prepare(job));
                await builder.BuildAsync(job, CancellationToken.None);
                string id = Assert.Single(built.Results).ImageId!;

                var retagged = new RecordingEvents();
                var retagger = new BuildOrchestrator(new SingleEngineSelector(() => target), new ImageBuildOptions(), retagged)
                {
                    Decider = new FixedDecider(BuildDecision.Retag(id, "same content")),
                };
                var again = folder.Job(1, "FROM scratch\nCOPY a.txt /a.txt\n", second);
                Assert.True(retagger.Prepare(again));
                await retagger.BuildAsync(again, CancellationToken.None);

                var result = Assert.Single(retagged.Results);
                Assert.Equal(BuildAction.Retag, result.Action);
                Assert.Equal(new[] { second }, result.Tags);
                Assert.Equal(id, (await engine.InspectImageAsync(second, CancellationToken.None))!.Id);
            }
            finally
            {
                await engine.RemoveImageAsync(second, true, CancellationToken.None);
                await engine.RemoveImageAsync(first, true, CancellationToken.None);
            }
        }

        private sealed class FixedDecider : IBuildDecider
        {
            private readonly BuildDecision decision;

            public FixedDecider(BuildDecision decision) => this.decision = decision;

            public Task<BuildDecision> DecideAsync(ImageBuildJob job, EngineTarget engine, CancellationToken cancellationToken) => Task.FromResult(decision);
        }
    }
}
