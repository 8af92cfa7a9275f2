using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Engine.Tests
{
    public sealed class EngineIntegrationTests
    {
        [DockerFact]
        public async Task BuildsScratchImageWithAllTagsAndInspectShowsThem()
        {
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\nCMD [\"/hello\"]\n");
            ctx.Write("hello.txt", "hi");
            string repo = Names.Image("tags");
            using var engine = EngineFactory.Create();
            var events = new List<BuildEvent>();
            try
            {
                var result = await engine.BuildRetryingAsync(
                    new EngineBuildRequest { ContextDirectory = ctx.Root, Tags = new List<string> { repo + ":a", repo + ":b" }, Labels = new Dictionary<string, string> { ["pitest5"] = "1" } },
                    new ListProgress(events),
                    CancellationToken.None);
                Assert.True(result.Succeeded, result.ErrorMessage + "\n" + string.Join("\n", result.Log));
                Assert.StartsWith("sha256:", result.ImageId);
                Assert.Contains(events, e => e.Kind == BuildEventKind.Step && e.Step == 4 && e.Text.StartsWith("LABEL", StringComparison.Ordinal)); // -Label is the last step
                Assert.Contains(events, e => e.Kind == BuildEventKind.Step && e.Step == 2 && e.TotalSteps == 4 && e.Text.StartsWith("COPY", StringComparison.Ordinal));

                var details = await engine.InspectImageAsync(repo + ":a", CancellationToken.None);
                Assert.NotNull(details);
                Assert.Equal(result.ImageId, details!.Id);
                Assert.Contains(repo + ":a", details.RepoTags);
                Assert.Contains(repo + ":b", details.RepoTags);
                Assert.Equal("1", details.Labels["pitest5"]);
                Assert.Equal(new[] { "/hello" }, details.Cmd);
                Assert.Equal("linux", details.OS);
            }
            finally
            {
                await engine.RemoveImageAsync(repo + ":a", true, CancellationToken.None);
                await engine.RemoveImageAsync(repo + ":b", true, CancellationToken.None);
            }
        }

        [DockerFact]
        public async Task AContextWithAFifoHardLinksAndASocketBuilds()
        {
            // The FIFO goes as a header of type '6', the second names of a.bin as hard links (type '1'), the socket is left
            // out: the engine takes that tar and copies all of it into the image, as it does with docker's own.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY . /data\n");
            string a = ctx.Write("a.bin", "data " + Path.GetFileName(ctx.Root));
            Directory.CreateDirectory(Path.Combine(ctx.Root, "sub"));
            SpecialFiles.HardLink(a, Path.Combine(ctx.Root, "b.bin"));
            SpecialFiles.HardLink(a, Path.Combine(ctx.Root, "sub", "c.bin"));
            PythonImages.Tests.SpecialFiles.MakeFifo(Path.Combine(ctx.Root, "pipe"));
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(ctx.Root, "app.sock")));
            var kinds = BuildContext.Scan(ctx.Root).Entries.ToDictionary(e => e.Path, e => e.Kind);
            Assert.Equal(ContextEntryKind.Fifo, kinds["pipe"]);
            Assert.Equal(ContextEntryKind.HardLink, kinds["b.bin"]);
            Assert.Equal(ContextEntryKind.HardLink, kinds["sub/c.bin"]);

            string repo = Names.Image("special");
            using var engine = EngineFactory.Create();
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                var result = await engine.BuildRetryingAsync(new EngineBuildRequest { ContextDirectory = ctx.Root, Tags = new List<string> { repo + ":1" } }, null, cts.Token);
                Assert.True(result.Succeeded, result.ErrorMessage + "\n" + string.Join("\n", result.Log));
                var details = await engine.InspectImageAsync(repo + ":1", CancellationToken.None);
                Assert.NotNull(details);
                Assert.Equal(result.ImageId, details!.Id);
            }
            finally
            {
                await engine.RemoveImageAsync(repo + ":1", true, CancellationToken.None);
            }
        }

        [DockerFact]
        public async Task InspectOfMissingImageIsNull()
        {
            using var engine = EngineFactory.Create();
            Assert.Null(await engine.InspectImageAsync("pitest5-does-not-exist:nope", CancellationToken.None));
        }

        [DockerFact]
        public async Task RunCollectsStdoutStderrAndExitCodeAndRemovesTheContainer()
        {
            using var ctx = new TempContext();
            ctx.AddBusybox();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY busybox /busybox\nENTRYPOINT [\"/busybox\"]\n");
            string repo = Names.Image("run");
            using var engine = EngineFactory.Create();
            try
            {
                var build = await engine.BuildRetryingAsync(new EngineBuildRequest { ContextDirectory = ctx.Root, Tags = new List<string> { repo + ":1" } }, null, CancellationToken.None);
                Assert.True(build.Succeeded, build.ErrorMessage);
                string name = "pitest5-run-" + Guid.NewGuid().ToString("N")[..8];
                var run = await engine.RunAsync(
                    new ContainerRunRequest
                    {
                        Image = repo + ":1",
                        Name = name,
                        Command = new List<string> { "sh", "-c", "echo out-$GREETING; echo err >&2; exit 3" },
                        Environment = new Dictionary<string, string> { ["GREETING"] = "hello" },
                    },
                    CancellationToken.None);
                Assert.Equal(3, run.ExitCode);
                Assert.Equal("out-hello\n", run.StdOut);
                Assert.Equal("err\n", run.StdErr);
                Assert.False(run.TimedOut);
                var containers = await engine.ListContainersAsync(true, CancellationToken.None);
                Assert.DoesNotContain(containers, c => c.Names.Any(n => n.TrimStart('/') == name));

                var slow = await engine.RunAsync(
                    new ContainerRunRequest { Image = repo + ":1", Command = new List<string> { "sleep", "30" }, Timeout = TimeSpan.FromSeconds(1) },
                    CancellationToken.None);
                Assert.True(slow.TimedOut);
            }
            finally
            {
                await engine.RemoveImageAsync(repo + ":1", true, CancellationToken.None);
            }
        }

        [DockerFact]
        public async Task InfoNegotiatesTheApiVersion()
        {
            using var engine = EngineFactory.Create();
            var info = await engine.GetInfoAsync(CancellationToken.None);
            Assert.Equal("linux", info.OSType);
            Assert.False(string.IsNullOrEmpty(info.ApiVersion));
            var expected = new Version(info.ApiVersion) < DockerEngine.ClientMaxApiVersion ? new Version(info.ApiVersion) : DockerEngine.ClientMaxApiVersion;
            Assert.Equal(expected.ToString(2), info.NegotiatedApiVersion);
        }

        [Fact]
        public async Task NoEngineGivesEngineUnavailable()
        {
            using var engine = EngineFactory.Create("unix:///nonexistent.sock");
            var ex = await Assert.ThrowsAsync<EngineUnavailableException>(() => engine.GetInfoAsync(CancellationToken.None));
            Assert.Equal("unix:///nonexistent.sock", ex.Endpoint);
            Assert.Contains("-DockerHost", ex.Message);
            Assert.Contains("DOCKER_HOST", ex.Message);
            Assert.Contains("docker context", ex.Message);
        }
    }

    internal sealed class ListProgress : IProgress<BuildEvent>
    {
        private readonly List<BuildEvent> list;

        public ListProgress(List<BuildEvent> list) => this.list = list;

        public void Report(BuildEvent value)
        {
            lock (list)
            {
                list.Add(value);
            }
        }
    }
}
