using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.BadInput;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.ImageBuild
{
    /// <summary>
    /// Invoke-PythonImageBuild -Engine on two real engines of this machine: images land on the engine they were routed to and
    /// on no other. DOCKER_CONFIG is process-wide: this class runs in the engine environment collection.
    /// </summary>
    [Collection(EngineEnvironmentCollection.Name)]
    public sealed class EngineMapTests
    {
        private const string Images = @"
$script:imgs = @(Get-PythonTag -OS Linux)
function Img([int]$i, [string]$ctx, [string]$tag, [string[]]$arch) {
    $c = $imgs[$i].Clone(); $c.ContextPath = $ctx; $c.DockerfilePath = [IO.Path]::Combine($ctx, 'Dockerfile')
    $c.Tags = @($tag); $c.SharedTags = @(); $c.Architectures = $arch; $c
}
";

        [SecondEngineFact]
        public void TwoImagesLandOnTheEnginesTheirPlatformsMapTo()
        {
            using var c = new Contexts("s4-engines");
            using var s = new ModuleSession();
            string config = Path.Combine(Path.GetTempPath(), "pitest5-s4-engines-cfg-" + Guid.NewGuid().ToString("N")[..8]);
            WriteContext(config, "pitest5-second", SecondEngine.Endpoint);
            string first = c.Repository + ":amd", second = c.Repository + ":i386";
            try
            {
                // linux/amd64 by address, linux/386 by docker context (read from DOCKER_CONFIG like the CLI).
                var r = s.Run(
                    Images +
                    "$saved = $env:DOCKER_CONFIG; $env:DOCKER_CONFIG = $config\n" +
                    "try { (Img 0 $a 'amd' 'amd64'), (Img 1 $b 'i386' 'i386') | Invoke-PythonImageBuild -Repository $repo -Engine @{ 'linux/amd64' = $first; 'linux/386' = 'pitest5-second' } -Verbose }\n" +
                    "finally { $env:DOCKER_CONFIG = $saved }",
                    new Dictionary<string, object?> { ["a"] = c.Small("on the first engine"), ["b"] = c.Small("on the second engine"), ["repo"] = c.Repository, ["config"] = config, ["first"] = DockerProbe.Endpoint });

                Assert.Empty(r.AllErrors);
                Assert.Empty(r.Warnings); // another daemon, though dockerd 20.10 gives both the same ID (from /etc/docker/key.json)
                Assert.Equal(2, r.Output.Count);
                Assert.All(r.Output, o => Assert.True((bool)o.Properties["Succeeded"].Value));
                string firstId = (string)r.Output[0].Properties["ImageId"].Value;
                string secondId = (string)r.Output[1].Properties["ImageId"].Value;

                Assert.Equal(firstId + " amd64", Inspect(null, first));
                Assert.Null(Inspect(SecondEngine.Endpoint, first));
                Assert.Equal(secondId + " 386", Inspect(SecondEngine.Endpoint, second)); // an amd64 engine asked for linux/386
                Assert.Null(Inspect(null, second));
                Assert.Contains(r.Verbose, v => v.Message.Contains("at " + SecondEngine.Endpoint, StringComparison.Ordinal) && v.Message.EndsWith("builds linux/386.", StringComparison.Ordinal));
                Assert.Contains(r.Verbose, v => v.Message.Contains("at " + DockerProbe.Endpoint, StringComparison.Ordinal) && v.Message.EndsWith("builds linux/amd64.", StringComparison.Ordinal));
            }
            finally
            {
                DockerCli.Run("-H", SecondEngine.Endpoint, "rmi", "-f", second);
                DockerCli.Run("-H", SecondEngine.Endpoint, "rmi", "-f", first);
                Directory.Delete(config, true);
            }
        }

        [DockerFact]
        public void TheSameEngineUnderTwoAddressesIsOneEngineWithOneThrottle()
        {
            // The default engine's socket and a symbolic link to it: two addresses, one daemon. It builds at most -ThrottleLimit
            // (1) images at once, the second image's build starts after the first's has ended, and a warning names both addresses.
            var socket = new Uri(DockerProbe.Endpoint);
            Assert.True(socket.Scheme == "unix", "this test needs the default engine on a unix socket, not " + DockerProbe.Endpoint);
            string links = Directory.CreateTempSubdirectory("pitest16-same-engine-").FullName;
            string alias = Path.Combine(links, "docker.sock");
            File.CreateSymbolicLink(alias, socket.AbsolutePath);
            using var c = new Contexts("s16-same-engine");
            using var s = new ModuleSession();
            try
            {
                string Slow(string name) => c.Create("FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"echo " + name + "; /busybox sleep 3\"]\n", busybox: true);
                var r = s.Run(
                    Images + "(Img 0 $a 'amd' 'amd64'), (Img 1 $b 'i386' 'i386') | Invoke-PythonImageBuild -Repository $repo -ThrottleLimit 1 -Engine @{ 'linux/amd64' = $first; 'linux/386' = $second } -Verbose",
                    new Dictionary<string, object?> { ["a"] = Slow("pitest16-first"), ["b"] = Slow("pitest16-second"), ["repo"] = c.Repository, ["first"] = DockerProbe.Endpoint, ["second"] = "unix://" + alias });

                Assert.Empty(r.AllErrors);
                Assert.Equal(2, r.Output.Count);
                Assert.All(r.Output, o => Assert.True((bool)o.Properties["Succeeded"].Value));
                var warning = Assert.Single(r.Warnings).Message;
                Assert.Contains(DockerProbe.Endpoint, warning, StringComparison.Ordinal);
                Assert.Contains("unix://" + alias, warning, StringComparison.Ordinal);
                Assert.Contains("same Docker engine", warning, StringComparison.Ordinal);

                var log = r.Verbose.Select(v => v.Message).ToList();
                int firstStarts = log.FindIndex(m => m.Contains("echo pitest16-first", StringComparison.Ordinal));
                int secondStarts = log.FindIndex(m => m.Contains("echo pitest16-second", StringComparison.Ordinal));
                int firstEnds = log.FindIndex(m => m.Contains("Successfully built", StringComparison.Ordinal));
                Assert.True(firstStarts >= 0 && secondStarts >= 0 && firstEnds >= 0, string.Join("\n", log));
                Assert.True(Math.Min(firstStarts, secondStarts) < firstEnds && Math.Max(firstStarts, secondStarts) > firstEnds, "the second build started before the first ended:\n" + string.Join("\n", log));
            }
            finally
            {
                Directory.Delete(links, true);
            }
        }

        /// <summary>The client keys (address|certificate folder) of the engine clients the process shares, from the module's own cache.</summary>
        private const string SharedClients = "@((Get-Command Invoke-PythonImageBuild).ImplementingType.BaseType.GetMethod('SharedClientKeys', [Reflection.BindingFlags]'NonPublic,Static').Invoke($null, @()))";

        [DockerFact]
        public void TheSecondAddressOfOneDaemonLeavesNoClientBehindAndStillWorksOnItsOwn()
        {
            // The alias's client was made, asked /info, found to reach the first address's daemon, and then left in the
            // process-wide cache of clients, its connection open for the life of the process, never used again.
            var socket = new Uri(DockerProbe.Endpoint);
            Assert.True(socket.Scheme == "unix", "this test needs the default engine on a unix socket, not " + DockerProbe.Endpoint);
            string links = Directory.CreateTempSubdirectory("pitest17-alias-client-").FullName;
            string alias = "unix://" + Path.Combine(links, "docker.sock");
            File.CreateSymbolicLink(Path.Combine(links, "docker.sock"), socket.AbsolutePath);
            using var c = new Contexts("s17-alias-client");
            using var s = new ModuleSession();
            var vars = new Dictionary<string, object?> { ["a"] = c.Small("amd"), ["b"] = c.Small("i386"), ["repo"] = c.Repository, ["first"] = DockerProbe.Endpoint, ["second"] = alias };
            const string FanOut = Images + "(Img 0 $a 'amd' 'amd64'), (Img 1 $b 'i386' 'i386') | Invoke-PythonImageBuild -Repository $repo -Engine @{ 'linux/amd64' = $first; 'linux/386' = $second }";
            try
            {
                string[] Shared() => s.Run(SharedClients).Output.Select(o => o.ToString()).ToArray();
                void AssertBuilt(PsResult r, int images, int warnings)
                {
                    Assert.Empty(r.AllErrors);
                    Assert.Equal(images, r.Output.Count);
                    Assert.All(r.Output, o => Assert.True((bool)o.Properties["Succeeded"].Value));
                    Assert.Equal(warnings, r.Warnings.Count);
                }

                AssertBuilt(s.Run(FanOut, vars), 2, 1);
                Assert.Contains(DockerProbe.Endpoint + "|", Shared());
                Assert.DoesNotContain(Shared(), k => k.Contains(links, StringComparison.Ordinal));

                // A later command that names only the alias connects anew, and its client is shared from then on.
                AssertBuilt(s.Run("Invoke-PythonImageBuild -Path $b -Tag \"${repo}:alone\" -DockerHost $second", vars), 1, 0);
                AssertBuilt(s.Run("Invoke-PythonImageBuild -Path $b -Tag \"${repo}:mapped\" -Engine @{ linux = $second }", vars), 1, 0);
                Assert.Contains(alias + "|", Shared());

                // Shared before the fan-out, the alias's client is another command's too: it stays, and still works after.
                AssertBuilt(s.Run(FanOut, vars), 2, 1);
                AssertBuilt(s.Run("Invoke-PythonImageBuild -Path $b -Tag \"${repo}:again\" -DockerHost $second", vars), 1, 0);
            }
            finally
            {
                Directory.Delete(links, true);
            }
        }

        [Theory]
        [InlineData("'tcp://admin:hunter2@127.0.0.1:2376'")]
        [InlineData("'linux/amd64=unix:///none.sock', 'admin:hunter2@127.0.0.1:2376'")]
        [InlineData("'tcp://admin:hunter2@127.0.0.1:2376', 'tcp://admin:hunter2@127.0.0.1:2376'")]
        [InlineData("'tcp://admin:hunter2=x@127.0.0.1:2376'")]
        public void AnEngineGivenWithoutItsPlatformNeverShowsItsPassword(string engines)
        {
            // 'platform=engine' strings: an engine address given without its platform is taken as a platform key, and the
            // error about that key must not repeat the address's user name and password.
            string dir = Directory.CreateTempSubdirectory("pitest14-r3-engine-key-").FullName;
            try
            {
                File.WriteAllText(Path.Combine(dir, "Dockerfile"), "FROM scratch\n");
                using var s = new ModuleSession();
                var r = s.Run("Invoke-PythonImageBuild -Path $dir -Tag pitest14-r3-key:x -Engine " + engines, new Dictionary<string, object?> { ["dir"] = dir });
                var e = Assert.Single(r.AllErrors);
                Assert.Equal("BuildEngine.InvalidPlatformKey", e.FullyQualifiedErrorId.Split(',')[0]);
                string shown = e.ToString() + "|" + e.Exception.Message + "|" + e.ErrorDetails?.Message + "|" + e.TargetObject + "|" + e.CategoryInfo.TargetName;
                Assert.DoesNotContain("hunter2", shown, StringComparison.Ordinal);
                Assert.DoesNotContain("admin", shown, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [DockerFact]
        public void AnEngineOfAnotherArchitectureIsRefusedAndNothingIsBuilt()
        {
            using var c = new Contexts("s4-engines");
            using var s = new ModuleSession();
            string reference = c.Repository + ":arm";
            var r = s.Run(
                Images + "(Img 0 $a 'arm' 'arm64v8'), (Img 1 $b 'arm2' 'arm64v8', 'amd64') | Invoke-PythonImageBuild -Repository $repo -Engine @{ 'linux/arm64' = $engine }",
                new Dictionary<string, object?> { ["a"] = c.Small("a"), ["b"] = c.Small("b"), ["repo"] = c.Repository, ["engine"] = DockerProbe.Endpoint });

            Assert.Empty(r.Output);
            Assert.Equal(2, r.Errors.Count); // one per image, the engine checked once
            Assert.All(r.Errors, e =>
            {
                Assert.Equal("BuildEngine.PlatformMismatch", e.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(ErrorCategory.InvalidOperation, e.CategoryInfo.Category);
                Assert.Contains("which cannot build arm64", e.ErrorDetails.Message, StringComparison.Ordinal);
                Assert.False(string.IsNullOrEmpty(e.ErrorDetails.RecommendedAction));
            });
            Assert.Null(Inspect(null, reference));
        }

        [DockerFact]
        public void AnEngineThatFailsWhileTheLedgerDecidesFailsOnlyTheImagesRoutedToIt()
        {
            // The linux/386 engine answers 'docker version', then fails every image inspection: the ledger's look at the
            // base image of the image routed to it fails. That image is an error record; the image routed to the other
            // engine is still built, reported and recorded in the ledger.
            using var fake = new Fakes.FakeEngine(r => r.Path.StartsWith("/images/", StringComparison.Ordinal)
                ? Fakes.FakeResponse.Json("{\"message\":\"the engine is shutting down\"}", 500)
                : Fakes.FakeResponse.Stall);
            using var c = new Contexts("s4-engine-fails");
            using var s = new ModuleSession();
            string ledger = Path.Combine(Path.GetTempPath(), "pitest5-s4-engine-fails-" + Guid.NewGuid().ToString("N")[..8] + ".json");
            string built = c.Repository + ":amd";
            try
            {
                var r = s.Run(
                    Images + "(Img 0 $a 'i386' 'i386'), (Img 1 $b 'amd' 'amd64') | Invoke-PythonImageBuild -Repository $repo -Ledger $ledger -Engine @{ 'linux/amd64' = $real; 'linux/386' = $broken }",
                    new Dictionary<string, object?>
                    {
                        ["a"] = c.Create("FROM debian:bookworm-slim\nRUN true\n"),
                        ["b"] = c.Small("on the engine that works"),
                        ["repo"] = c.Repository,
                        ["ledger"] = ledger,
                        ["real"] = DockerProbe.Endpoint,
                        ["broken"] = fake.Host(),
                    });

                var e = Assert.Single(r.AllErrors);
                Assert.Equal("ImageBuild.EngineError", e.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Contains("the engine is shutting down", e.Exception.Message, StringComparison.Ordinal);
                Assert.Contains("i386", e.TargetObject?.ToString() ?? string.Empty, StringComparison.Ordinal);
                var result = Assert.Single(r.Output);
                Assert.True((bool)result.Properties["Succeeded"].Value);
                string id = (string)result.Properties["ImageId"].Value;
                Assert.Equal(id + " amd64", Inspect(null, built));
                Assert.Contains(id, File.ReadAllText(ledger), StringComparison.Ordinal);
                Assert.DoesNotContain(fake.Requests, q => q.Path == "/build");
            }
            finally
            {
                File.Delete(ledger);
            }
        }

        /// <summary>"id architecture" of an image on the engine at <paramref name="host"/> (null: the default), or null when it has none.</summary>
        private static string? Inspect(string? host, string reference)
        {
            var args = new List<string>();
            if (host != null)
            {
                args.AddRange(new[] { "-H", host });
            }

            args.AddRange(new[] { "image", "inspect", "--format", "{{.Id}} {{.Architecture}}", reference });
            var (code, output) = DockerCli.Run(args.ToArray());
            return code == 0 ? output.Trim() : null;
        }

        private static void WriteContext(string config, string name, string host)
        {
            string meta = Path.Combine(config, "contexts", "meta", Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))).ToLowerInvariant());
            Directory.CreateDirectory(meta);
            File.WriteAllText(Path.Combine(meta, "meta.json"), "{\"Name\":\"" + name + "\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"" + host + "\",\"SkipTLSVerify\":false}}}");
        }
    }
}
