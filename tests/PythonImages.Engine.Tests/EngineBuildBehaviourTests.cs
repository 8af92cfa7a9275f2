using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Engine.Tests
{
    public sealed class EngineBuildBehaviourTests
    {
        private const string ListingDockerfile = "FROM scratch\nCOPY . /ctx/\nENTRYPOINT [\"/ctx/busybox\"]\n";

        /// <summary>
        /// The .dockerignore scenario built twice, through our engine and through the docker CLI's classic builder; the
        /// files that land in the image must be the same, and the ones we expect.
        /// </summary>
        [DockerFact]
        public async Task DockerignoreMatchesTheDockerCli()
        {
            using var ctx = BuildContextTests.Scenario(ListingDockerfile);
            string ours = Names.Image("ign-ours");
            string cli = Names.Image("ign-cli");
            using var engine = EngineFactory.Create();
            try
            {
                var build = await engine.BuildRetryingAsync(new EngineBuildRequest { ContextDirectory = ctx.Root, Tags = new List<string> { ours } }, null, CancellationToken.None);
                Assert.True(build.Succeeded, build.ErrorMessage);
                var (code, output) = Docker("build", "-q", "-t", cli, ctx.Root);
                Assert.True(code == 0, output);

                var oursFiles = await ListFiles(engine, ours);
                var cliFiles = await ListFiles(engine, cli);
                Assert.True(cliFiles.SequenceEqual(oursFiles), "docker CLI: " + string.Join(", ", cliFiles) + "\nours: " + string.Join(", ", oursFiles));
                // What we send, less the Dockerfile and .dockerignore, which the daemon drops when the patterns exclude them.
                Assert.Equal(BuildContextTests.ScenarioExpected.Where(f => f != "Dockerfile" && f != ".dockerignore"), oursFiles);
            }
            finally
            {
                await engine.RemoveImageAsync(ours, true, CancellationToken.None);
                await engine.RemoveImageAsync(cli, true, CancellationToken.None);
            }
        }

        [DockerFact]
        public async Task FailingRunStepIsReportedNotThrownAndLeavesNoContainer()
        {
            using var ctx = new TempContext();
            ctx.AddBusybox();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"echo\", \"about to fail\"]\nRUN [\"/busybox\", \"false\"]\nCMD [\"/busybox\"]\n");
            using var engine = EngineFactory.Create();
            var before = (await engine.ListContainersAsync(true, CancellationToken.None)).Select(c => c.Id).ToHashSet();
            var result = await engine.BuildRetryingAsync(new EngineBuildRequest { ContextDirectory = ctx.Root, Tags = new List<string> { Names.Image("fail") } }, null, CancellationToken.None);
            Assert.False(result.Succeeded);
            Assert.Equal("Step 4/5 : RUN [\"/busybox\", \"false\"]", result.FailedStep);
            Assert.Contains("returned a non-zero code: 1", result.ErrorMessage);
            Assert.Contains("about to fail", result.Log);
            var after = await engine.ListContainersAsync(true, CancellationToken.None);
            Assert.DoesNotContain(after, c => !before.Contains(c.Id) && c.Command.Contains("/busybox false", StringComparison.Ordinal));
        }

        [DockerFact]
        public async Task DockerfileSyntaxErrorIsAFailedResult()
        {
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nNOTANINSTRUCTION x\n");
            using var engine = EngineFactory.Create();
            var result = await engine.BuildRetryingAsync(new EngineBuildRequest { ContextDirectory = ctx.Root }, null, CancellationToken.None);
            Assert.False(result.Succeeded);
            Assert.Contains("notaninstruction", result.ErrorMessage, StringComparison.OrdinalIgnoreCase);
        }

        [DockerFact]
        public async Task CancellationStopsTheBuildAndLeavesNoIntermediateContainers()
        {
            using var ctx = new TempContext();
            ctx.AddBusybox();
            string marker = "pitest5" + Guid.NewGuid().ToString("N")[..8];
            ctx.Write("Dockerfile", $"FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"echo started; sleep 30; echo {marker}\"]\n");
            using var engine = EngineFactory.Create();
            using var cts = new CancellationTokenSource();
            var progress = new CallbackProgress(e =>
            {
                if (e.Kind == BuildEventKind.Log && e.Text.Contains("started", StringComparison.Ordinal))
                {
                    cts.CancelAfter(500);
                }
            });
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.BuildAsync(new EngineBuildRequest { ContextDirectory = ctx.Root, NoCache = true }, progress, cts.Token));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the build was not stopped: " + watch.Elapsed);

            // The daemon removes the RUN container once it notices the closed connection (forcerm).
            IReadOnlyList<ContainerSummary> left = Array.Empty<ContainerSummary>();
            for (int i = 0; i < 40; i++)
            {
                left = (await engine.ListContainersAsync(true, CancellationToken.None)).Where(c => c.Command.Contains(marker, StringComparison.Ordinal)).ToList();
                if (left.Count == 0)
                {
                    break;
                }

                await Task.Delay(250);
            }

            Assert.Empty(left);
        }

        private static async Task<string[]> ListFiles(IDockerEngine engine, string image)
        {
            var run = await engine.RunAsync(new ContainerRunRequest { Image = image, Command = new List<string> { "find", "/ctx", "-type", "f" } }, CancellationToken.None);
            Assert.Equal(0, run.ExitCode);
            return run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Substring("/ctx/".Length)).OrderBy(p => p, StringComparer.Ordinal).ToArray();
        }

        internal static (int Code, string Output) Docker(params string[] args) => PythonImages.Tests.DockerCommand.Run(args);
    }

    internal sealed class CallbackProgress : IProgress<BuildEvent>
    {
        private readonly Action<BuildEvent> action;

        public CallbackProgress(Action<BuildEvent> action) => this.action = action;

        public void Report(BuildEvent value) => action(value);
    }
}
