using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using PythonImages.Tests.Fakes;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.ImageBuild
{
    /// <summary>
    /// The classic builder's cache probe lists the candidate images, then reads each; an image another client removes in
    /// between fails the build with 'unable to find image "sha256:…"' (seen in this project's CI, where tests remove their
    /// images while others build). Invoke-PythonImageBuild runs such a build again, up to twice, against a loopback
    /// imitation of the engine that answers the first builds with exactly what dockerd sends.
    /// </summary>
    public sealed class CacheRaceTests
    {
        private const string Lost = "sha256:3762530feeaf45e97bab8183a0111ecca2648922c6cda75e23793531ea2e4e1e";

        private static readonly string ImageId = "sha256:" + new string('7', 64);

        private static string Race(string id = Lost) =>
            "{\"stream\":\"Step 1/3 : FROM scratch\\n\"}\r\n{\"stream\":\" ---\\u003e \\n\"}\r\n{\"stream\":\"Step 2/3 : COPY marker.txt /marker.txt\\n\"}\r\n"
            + "{\"errorDetail\":{\"message\":\"unable to find image \\\"" + id + "\\\"\"},\"error\":\"unable to find image \\\"" + id + "\\\"\"}\r\n";

        private static readonly string Success =
            "{\"stream\":\"Step 1/3 : FROM scratch\\n\"}\r\n{\"stream\":\"Step 2/3 : COPY marker.txt /marker.txt\\n\"}\r\n"
            + "{\"aux\":{\"ID\":\"" + ImageId + "\"}}\r\n{\"stream\":\"Successfully built 777777777777\\n\"}\r\n";

        /// <summary>A fake engine whose n-th /build answers <paramref name="builds"/>[n] (the last one from then on).</summary>
        private static FakeEngine Engine(params string[] builds)
        {
            int n = -1;
            return new FakeEngine(r =>
                r.Path == "/build" ? new FakeResponse { Body = builds[Math.Min(Interlocked.Increment(ref n), builds.Length - 1)] }
                : r.Path.StartsWith("/images/", StringComparison.Ordinal) && r.Path.EndsWith("/json", StringComparison.Ordinal) && r.Path.Contains(ImageId, StringComparison.Ordinal)
                    ? FakeResponse.Json("{\"Id\":\"" + ImageId + "\",\"Size\":1234,\"Os\":\"linux\"}")
                : r.Path.StartsWith("/images/", StringComparison.Ordinal) ? FakeResponse.Json("{\"message\":\"No such image\"}", 404)
                : FakeResponse.Json("{\"message\":\"not implemented by the test engine\"}", 404));
        }

        private static PsResult Build(FakeEngine fake, out Contexts contexts)
        {
            contexts = new Contexts("race");
            using var s = new ModuleSession();
            return s.Run("Invoke-PythonImageBuild -Path $ctx -Tag $tag -DockerHost $h -Verbose",
                new Dictionary<string, object?> { ["ctx"] = contexts.Small("race"), ["tag"] = contexts.Repository + ":race", ["h"] = fake.Host() });
        }

        private static int Builds(FakeEngine fake) => fake.Requests.Count(q => q.Path == "/build");

        [Fact]
        public void ABuildThatLostTheCacheProbeRaceIsBuiltAgainAndSucceeds()
        {
            using var fake = Engine(Race(), Success);
            var r = Build(fake, out var contexts);
            using (contexts)
            {
                Assert.Empty(r.AllErrors);
                var result = Assert.Single(r.Output);
                Assert.True((bool)result.Properties["Succeeded"].Value);
                Assert.Equal(ImageId, result.Properties["ImageId"].Value);
                Assert.Equal(2, Builds(fake));
                Assert.Single(r.Verbose, v => v.Message.Contains("The engine's build cache lost " + Lost + " to another client's removal", StringComparison.Ordinal)
                    && v.Message.Contains("building " + contexts.Repository + ":race again", StringComparison.Ordinal));
            }
        }

        [Fact]
        public void ARaceLostThreeTimesIsTheEnginesFailureAfterTwoMoreBuilds()
        {
            using var fake = Engine(Race());
            var r = Build(fake, out var contexts);
            using (contexts)
            {
                Assert.Equal(3, Builds(fake));
                var e = Assert.Single(r.Errors);
                Assert.Equal("ImageBuild.StepFailed,PythonImages.Commands.InvokePythonImageBuildCommand", e.FullyQualifiedErrorId);
                Assert.Contains("unable to find image \"" + Lost + "\"", e.Exception.Message + e.ErrorDetails?.Message, StringComparison.Ordinal);
                Assert.False((bool)Assert.Single(r.Output).Properties["Succeeded"].Value);
                Assert.Equal(2, r.Verbose.Count(v => v.Message.Contains("The engine's build cache lost", StringComparison.Ordinal)));
            }
        }

        [Theory]
        [InlineData("sha256:3762530feeaf45e97bab8183a0111ecca2648922c6cda75e23793531ea2e4e1")] // 63 digits
        [InlineData("sha256:3762530feeaf45e97bab8183a0111ecca2648922c6cda75e23793531ea2e4e1e\\\" or not")] // more after the id
        [InlineData("python:3.14")] // a name: what a missing FROM image would say, never a race
        public void OtherFailuresAreNotBuiltAgain(string what)
        {
            using var fake = Engine(Race(what), Success);
            var r = Build(fake, out var contexts);
            using (contexts)
            {
                Assert.Equal(1, Builds(fake));
                Assert.Single(r.Errors);
                Assert.DoesNotContain(r.Verbose, v => v.Message.Contains("The engine's build cache lost", StringComparison.Ordinal));
            }
        }
    }
}
