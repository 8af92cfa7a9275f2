using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;
using PythonImages.Engine.Builds;
using Xunit;

namespace PythonImages.Engine.Tests.Builds
{
    /// <summary>Engines per platform: platform keys, routing by OS, architecture and Windows version, refusals, lazy connection, per-engine throttle.</summary>
    public sealed class EngineMapSelectorTests : IDisposable
    {
        private readonly JobFolder folder = new JobFolder();
        private readonly RecordingEvents events = new RecordingEvents();
        private readonly Dictionary<string, ScriptedEngine> engines = new Dictionary<string, ScriptedEngine>(StringComparer.Ordinal);
        private readonly List<string> created = new List<string>();
        private readonly List<string> connected = new List<string>();

        public void Dispose() => folder.Dispose();

        [Theory]
        [InlineData("linux/amd64", "linux/amd64")]
        [InlineData("LINUX/X86_64", "linux/amd64")]
        [InlineData("linux/aarch64", "linux/arm64")]
        [InlineData("linux/arm64/v8", "linux/arm64")]
        [InlineData("linux/arm/v7", "linux/arm/v7")]
        [InlineData("linux/i386", "linux/386")]
        [InlineData("linux", "linux")]
        [InlineData("windows/amd64/ltsc2025", "windows/amd64/ltsc2025")]
        [InlineData("Windows/AMD64/LTSC2022", "windows/amd64/ltsc2022")]
        public void PlatformKeysAreNormalised(string key, string expected)
        {
            var platform = EnginePlatform.Parse(key, out string? why);
            Assert.Null(why);
            Assert.Equal(expected, platform!.Key);
        }

        [Theory]
        [InlineData("linux/amd64\n", "U+000A")]
        [InlineData("freebsd/amd64", "not a valid engine platform key")]
        [InlineData("linux/sparc", "'sparc' is not an architecture")]
        [InlineData("linux/amd64/v7", "'v7' is not a variant of amd64")]
        [InlineData("linux/arm/v9", "'v9' is not a variant of arm")]
        [InlineData("windows/amd64/ltsc2016", "'ltsc2016' is not a Windows Server version")]
        [InlineData("windows/s390x", "Windows containers are amd64 or arm64")]
        [InlineData("linux/../amd64", "not a valid engine platform key")]
        [InlineData("linux/amd64/v1/x", "not a valid engine platform key")]
        [InlineData("", "empty")]
        public void BadPlatformKeysSayWhy(string key, string reason)
        {
            Assert.Null(EnginePlatform.Parse(key, out string? why));
            Assert.Contains(reason, why, StringComparison.Ordinal);
        }

        [Fact]
        public void AnImageGoesToTheEngineOfItsFirstArchitectureThatHasOne()
        {
            var selector = Selector(("linux/arm64", "arm"), ("linux/386", "amd"), ("windows/amd64/ltsc2025", "win"));
            var job = ImageJob(0, "trixie", "ppc64le", "i386", "arm64v8");

            var target = selector.Choose(job, null);

            Assert.Same(engines["amd"], target.Engine);
            Assert.Equal("linux/386", target.Platform); // an amd64 engine asked for 386, not its own platform
            Assert.Equal(new[] { "amd" }, connected); // the others were never contacted
        }

        [Fact]
        public void PlatformChoosesAmongTheImagesArchitectures()
        {
            var selector = Selector(("linux/amd64", "amd"), ("linux/arm64", "arm"));
            engines["arm"].Info.Architecture = "aarch64";

            var target = selector.Choose(ImageJob(0, "trixie", "amd64", "arm64v8"), "linux/arm64/v8");

            Assert.Same(engines["arm"], target.Engine);
            Assert.Null(target.Platform); // the engine's own platform
        }

        [Fact]
        public void WindowsImagesGoByTheServerVersionOfTheirVariant()
        {
            var selector = Selector(("windows/amd64/ltsc2022", "w22"), ("windows/amd64/ltsc2025", "w25"), ("linux", "lin"));
            engines["w22"].Info.KernelVersion = "10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)";
            engines["w25"].Info.KernelVersion = "10.0 26100 (26100.1.amd64fre.ge_release.240331-1435)";

            var on2025 = selector.Choose(ImageJob(0, "windows/windowsservercore-ltsc2025", TagRules.WindowsArchitecture), null);
            var on2022 = selector.Choose(ImageJob(1, "windows/windowsservercore-ltsc2022", TagRules.WindowsArchitecture), null);
            var linux = selector.Choose(ImageJob(2, "slim-trixie", "amd64"), null);

            Assert.Same(engines["w25"], on2025.Engine);
            Assert.Same(engines["w22"], on2022.Engine);
            Assert.Same(engines["lin"], linux.Engine);
        }

        [Fact]
        public void AFolderBuildGoesByItsDockerfileAndTheLeastSpecificFittingKey()
        {
            var selector = Selector(("linux/amd64", "amd"), ("linux", "any"), ("windows/amd64/ltsc2022", "w22"));
            engines["w22"].Info.KernelVersion = "10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)";
            var windowsJob = folder.Job(0, "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo\n");
            var linuxJob = folder.Job(1);

            Assert.Same(engines["w22"], selector.Choose(windowsJob, null).Engine);
            Assert.Same(engines["any"], selector.Choose(linuxJob, null).Engine); // no architecture wanted: the key that names none
            Assert.Same(engines["amd"], selector.Choose(linuxJob, "linux/amd64").Engine); // an exact key beats an open one
        }

        [Fact]
        public void NoMatchingEngineIsOneFailureAndNothingIsSent()
        {
            var selector = Selector(("linux/arm64", "arm"), ("windows/amd64/ltsc2025", "win"));
            var orchestrator = new BuildOrchestrator(selector, new ImageBuildOptions(), events);
            var job = ImageJob(0, "windows/windowsservercore-ltsc2022", TagRules.WindowsArchitecture);

            Assert.False(orchestrator.Prepare(job));

            var failure = Assert.Single(events.Failures);
            Assert.Equal(BuildFailureKind.EngineRoute, failure.Kind);
            Assert.Equal(BuildEngineErrorIds.NoEngine, failure.ErrorId);
            Assert.Contains("windows/amd64/ltsc2022", failure.Message, StringComparison.Ordinal);
            Assert.Contains("-Engine maps linux/arm64, windows/amd64/ltsc2025", failure.Message, StringComparison.Ordinal);
            Assert.Empty(connected);
            Assert.All(engines.Values, e => Assert.Empty(e.Builds));
        }

        [Fact]
        public void AnEngineOfTheWrongOSIsRefusedOnceBeforeAnyUpload()
        {
            var selector = Selector(("windows/amd64", "lin"));
            var orchestrator = new BuildOrchestrator(selector, new ImageBuildOptions(), events);

            Assert.False(orchestrator.Prepare(ImageJob(0, "windows/windowsservercore-ltsc2025", TagRules.WindowsArchitecture)));
            Assert.False(orchestrator.Prepare(ImageJob(1, "windows/windowsservercore-ltsc2022", TagRules.WindowsArchitecture)));

            Assert.Equal(2, events.Failures.Count);
            Assert.All(events.Failures, f => Assert.Equal(BuildEngineErrorIds.PlatformMismatch, f.ErrorId));
            Assert.Contains("runs linux containers, not windows", events.Failures[0].Message, StringComparison.Ordinal);
            Assert.Equal(new[] { "lin" }, connected); // checked once
            Assert.Empty(engines["lin"].Builds);
        }

        [Theory]
        [InlineData("windows/amd64/ltsc2025", "windows", "x86_64", "10.0 20348 (20348.1.amd64fre)", "runs Windows build 20348, not ltsc2025")]
        [InlineData("windows/amd64/ltsc2025", "windows", "x86_64", "", "does not say its Windows build")]
        [InlineData("linux/arm64", "linux", "x86_64", "6.1", "its architecture is x86_64, which cannot build arm64")]
        [InlineData("linux/386", "linux", "aarch64", "6.1", "its architecture is aarch64, which cannot build 386")]
        [InlineData("linux/amd64", "windows", "x86_64", "10.0 26100 (26100.1)", "runs windows containers, not linux")]
        public void AnEngineThatDoesNotFitItsKeyIsRefused(string key, string os, string arch, string kernel, string reason)
        {
            var selector = Selector((key, "e"));
            engines["e"].Info.OSType = os;
            engines["e"].Info.Architecture = arch;
            engines["e"].Info.KernelVersion = kernel;
            string architecture = key.EndsWith("386", StringComparison.Ordinal) ? "i386" : key.EndsWith("arm64", StringComparison.Ordinal) ? "arm64v8" : "amd64";
            var job = key.StartsWith("windows", StringComparison.Ordinal)
                ? ImageJob(0, "windows/windowsservercore-ltsc2025", TagRules.WindowsArchitecture)
                : ImageJob(0, "trixie", architecture);

            var ex = Assert.Throws<EngineRouteException>(() => selector.Choose(job, null));

            Assert.Equal(BuildEngineErrorIds.PlatformMismatch, ex.Failure.ErrorId);
            Assert.Contains(reason, ex.Failure.Message, StringComparison.Ordinal);
            Assert.Contains("Nothing was uploaded", ex.Failure.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AnEngineThatDoesNotAnswerFailsItsJobsAndTheOthersBuild()
        {
            var selector = Selector(("linux/amd64", "amd"), ("linux/386", "down"));
            var orchestrator = new BuildOrchestrator(selector, new ImageBuildOptions(), events);
            var down = ImageJob(0, "trixie", "i386");
            var up = ImageJob(1, "trixie", "amd64");

            Assert.False(orchestrator.Prepare(down));
            Assert.False(orchestrator.Prepare(ImageJob(2, "slim-trixie", "i386")));
            Assert.True(orchestrator.Prepare(up));

            Assert.Equal(2, events.Failures.Count);
            Assert.All(events.Failures, f => Assert.Equal(BuildFailureKind.Engine, f.Kind));
            Assert.IsType<EngineUnavailableException>(events.Failures[0].Exception);
            Assert.Contains("The engine for linux/386, unix:///fake/down.sock, cannot be used", events.Failures[0].Message, StringComparison.Ordinal);
            Assert.Equal(1, connected.Count(c => c == "down")); // not asked again for the second image
        }

        [Fact]
        public void TwoAddressesOfOneDaemonAreOneEngineAndAnotherDataRootIsAnotherDaemon()
        {
            var selector = Selector(("linux/amd64", "amd"), ("linux/386", "alias"), ("linux", "other"), ("linux/arm64", "mute"));
            engines["alias"].Identity = engines["amd"].Identity;
            engines["other"].Identity = new EngineIdentity { Id = engines["amd"].Identity.Id, Name = "fake", RootDirectory = "/srv/docker2" }; // 20.10: one ID per machine
            var warnings = new List<string>();
            selector.Duplicate = warnings.Add;
            selector.Identify = engine => engine == engines["mute"]
                ? throw new EngineRequestException("unix:///fake/mute.sock", 403, "/info is not allowed here")
                : engine.GetIdentityAsync(CancellationToken.None).Result;

            Assert.Same(engines["amd"], selector.Choose(ImageJob(0, "trixie", "amd64"), null).Engine);
            Assert.Same(engines["amd"], selector.Choose(ImageJob(1, "trixie", "i386"), null).Engine);
            Assert.Equal("linux/386", selector.Choose(ImageJob(2, "trixie", "i386"), null).Platform);
            Assert.Same(engines["other"], selector.Choose(ImageJob(3, "trixie"), null).Engine);
            engines["mute"].Info.Architecture = "arm64";
            Assert.Same(engines["mute"], selector.Choose(ImageJob(4, "trixie", "arm64v8"), null).Engine); // /info refused: still an engine

            var warning = Assert.Single(warnings);
            Assert.Contains("linux/386 unix:///fake/alias.sock and linux/amd64 unix:///fake/amd.sock", warning, StringComparison.Ordinal);
        }

        [Fact]
        public void TheClientOfASecondAddressOfOneDaemonIsReleasedAndNeverUsedAgain()
        {
            // linux/386 and linux both name the alias of amd's daemon: the alias's client is released once, and the linux route
            // (the same alias address) builds through amd's client too, with its own warning, as before.
            var selector = Selector(("linux/amd64", "amd"), ("linux/386", "alias"), ("linux", "alias"));
            engines["alias"].Identity = engines["amd"].Identity;
            var warnings = new List<string>();
            var kept = new List<string>();
            var released = new List<string>();
            selector.Duplicate = warnings.Add;
            selector.Identify = engine => engine.GetIdentityAsync(CancellationToken.None).Result;
            selector.Keep = e => kept.Add(e.Host);
            selector.Release = e => released.Add(e.Host);

            Assert.Same(engines["amd"], selector.Choose(ImageJob(0, "trixie", "amd64"), null).Engine);
            Assert.Same(engines["amd"], selector.Choose(ImageJob(1, "trixie", "i386"), null).Engine);
            Assert.Same(engines["amd"], selector.Choose(ImageJob(2, "trixie"), null).Engine);

            Assert.Equal(new[] { "unix:///fake/alias.sock" }, released);
            Assert.Equal(new[] { "unix:///fake/amd.sock", "unix:///fake/alias.sock" }, kept); // linux: in use, through amd's client
            Assert.Equal(new[] { "amd", "alias", "amd" }, connected); // the released client is never asked again
            Assert.Equal(2, warnings.Count);
            Assert.Contains("linux unix:///fake/alias.sock and linux/amd64 unix:///fake/amd.sock", warnings[1], StringComparison.Ordinal);
        }

        [Fact]
        public async Task EachEngineHasItsOwnThrottleAndBuildsItsOwnImages()
        {
            var selector = Selector(("linux/amd64", "amd"), ("linux/386", "i386"));
            int running = 0, peak = 0;
            var peaks = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (name, engine) in engines)
            {
                int mine = 0;
                engine.OnBuild = async (request, progress, ct) =>
                {
                    int now = Interlocked.Increment(ref running);
                    int own = Interlocked.Increment(ref mine);
                    lock (peaks)
                    {
                        peak = Math.Max(peak, now);
                        peaks[name] = Math.Max(peaks.TryGetValue(name, out var p) ? p : 0, own);
                    }

                    await Task.Delay(80, ct);
                    Interlocked.Decrement(ref mine);
                    Interlocked.Decrement(ref running);
                    return new EngineBuildResult { Succeeded = true, ImageId = "sha256:" + new string('b', 64) };
                };
            }

            var orchestrator = new BuildOrchestrator(selector, new ImageBuildOptions { ThrottleLimit = 1 }, events);
            var jobs = Enumerable.Range(0, 4).Select(i => ImageJob(i, "trixie", i % 2 == 0 ? "amd64" : "i386")).ToList();
            Assert.All(jobs, j => Assert.True(orchestrator.Prepare(j)));

            await orchestrator.BuildAllAsync(jobs, jobs.Count, CancellationToken.None);

            Assert.Equal(2, peak); // one per engine, both engines at once
            Assert.Equal(1, peaks["amd"]);
            Assert.Equal(1, peaks["i386"]);
            Assert.Equal(new[] { "pitest5-orch-0:t", "pitest5-orch-2:t" }, engines["amd"].Builds.Select(b => b.Tags[0]).OrderBy(t => t, StringComparer.Ordinal));
            Assert.Equal(new[] { "pitest5-orch-1:t", "pitest5-orch-3:t" }, engines["i386"].Builds.Select(b => b.Tags[0]).OrderBy(t => t, StringComparer.Ordinal));
            Assert.All(engines["amd"].Builds, b => Assert.Null(b.Platform));
            Assert.All(engines["i386"].Builds, b => Assert.Equal("linux/386", b.Platform));
            Assert.Equal(new[] { 0, 1, 2, 3 }, events.Results.Select(r => r.Job.Index));
            Assert.Contains(events.Lines, l => l.StartsWith("[pitest5-orch-1:t] ", StringComparison.Ordinal)); // interleaved logs say whose they are
        }

        /// <summary>A selector over fake engines: each (key, name) is an engine at unix:///fake/name.sock; "down" does not answer.</summary>
        private EngineMapSelector Selector(params (string Key, string Name)[] map)
        {
            var routes = new List<EngineRoute>();
            foreach (var (key, name) in map)
            {
                if (!engines.ContainsKey(name))
                {
                    var engine = new ScriptedEngine(key.StartsWith("windows", StringComparison.Ordinal) && name != "lin" ? "windows" : "linux");
                    engine.Info.Endpoint = "unix:///fake/" + name + ".sock";
                    engines[name] = engine;
                }

                routes.Add(new EngineRoute(EnginePlatform.Parse(key, out _)!, new EngineEndpoint { Host = "unix:///fake/" + name + ".sock" }));
            }

            return new EngineMapSelector(
                routes,
                endpoint =>
                {
                    created.Add(endpoint.Host);
                    return engines[endpoint.Host.Substring("unix:///fake/".Length).Replace(".sock", string.Empty, StringComparison.Ordinal)];
                },
                engine =>
                {
                    var name = engines.Single(e => ReferenceEquals(e.Value, engine)).Key;
                    connected.Add(name);
                    if (name == "down")
                    {
                        throw new EngineUnavailableException("unix:///fake/down.sock", "the socket does not exist");
                    }

                    return engine.GetInfoAsync(CancellationToken.None).Result;
                });
        }

        private ImageBuildJob ImageJob(int index, string variant, params string[] architectures)
        {
            var job = folder.Job(index);
            var image = new PythonImage("3.14", "3.14.6", variant) { Architectures = architectures, Tags = new[] { "t" + index } };
            return new ImageBuildJob(job.Index, image, job.ContextPath, job.DockerfilePath, job.References)
            {
                Image = image,
                OS = variant.StartsWith("windows/", StringComparison.Ordinal) ? "Windows" : "Linux",
            };
        }
    }
}
