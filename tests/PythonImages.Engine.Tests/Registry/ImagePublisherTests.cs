using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Engine.Registry;
using PythonImages.Publish;
using PythonImages.Security;
using Xunit;
using static PythonImages.Engine.Tests.Registry.RegistryFixtures;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>The publisher against a scripted registry on loopback and a stub engine: pushes, shared-tag indexes, registry values.</summary>
    public class ImagePublisherTests
    {
        /// <summary>An engine exception (not a registry error) while tagging one image keeps its shared tag from being written without it.</summary>
        [Fact]
        public async Task AnEngineFailureWhileTaggingKeepsTheSharedTagFromBeingWrittenWithoutThatImage()
        {
            string amdConfig = Config("amd64");
            string amd = ImageManifest(amdConfig);
            var puts = new List<string>();
            using var server = Serve(
                new Dictionary<string, string> { [Dg(amdConfig)] = amdConfig },
                new Dictionary<string, (string, string)> { [Dg(amd)] = ("application/vnd.oci.image.manifest.v1+json", amd), ["3.14-amd64"] = ("application/vnd.oci.image.manifest.v1+json", amd) },
                puts);
            var engine = new StubEngine
            {
                Inspect = i => new ImageDetails { Id = i == "amd-image" ? Dg(amdConfig) : "sha256:" + new string('9', 64) },
                Tag = i =>
                {
                    if (i == "sha256:" + new string('9', 64))
                    {
                        throw new EngineRequestException("stub://engine", 500, "the engine could not tag the image");
                    }
                },
            };
            using var publisher = new ImagePublisher(engine, server.Host + "/library", Options());
            var amdTarget = new PublishTarget("amd-image", new[] { ImageReference.Parse("python:3.14-amd64", PublishErrorIds.InvalidImage) }, new[] { "3.14" });
            var armTarget = new PublishTarget("arm-image", new[] { ImageReference.Parse("python:3.14-arm64", PublishErrorIds.InvalidImage) }, new[] { "3.14" });
            await publisher.PushAsync(amdTarget, _ => true, null, CancellationToken.None);
            await Assert.ThrowsAsync<EngineRequestException>(() => publisher.PushAsync(armTarget, _ => true, null, CancellationToken.None));
            var index = Assert.Single(await publisher.PublishSharedTagsAsync(_ => true, CancellationToken.None));
            Assert.True(index.Result.Status == PublishStatus.Failed && puts.Count == 0, $"the index {index.Result.Reference} was written ({index.Result.Status}, {index.Result.Platform}) without the image that failed");
        }

        /// <summary>An index written by buildx (images plus attestation manifests for unknown/unknown) is rewritten, not a platform collision.</summary>
        [Fact]
        public async Task AnExistingIndexWithAttestationManifestsIsNotAPlatformCollision()
        {
            string amdConfig = Config("amd64");
            string amd = ImageManifest(amdConfig);
            string armConfig = Config("arm64");
            string arm = ImageManifest(armConfig);
            string Att(char subject) => "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + new string(subject, 64) + "\",\"size\":100,\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"},\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}";
            string existing = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + Dg(amd) + "\",\"size\":" + amd.Length + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + Dg(arm) + "\",\"size\":" + arm.Length + ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
                + Att('a') + "," + Att('b') + "]}";
            var blobs = new Dictionary<string, string> { [Dg(amdConfig)] = amdConfig, [Dg(armConfig)] = armConfig };
            var manifests = new Dictionary<string, (string, string)>
            {
                [Dg(amd)] = ("application/vnd.oci.image.manifest.v1+json", amd),
                ["3.14"] = ("application/vnd.oci.image.index.v1+json", existing),
            };
            using var server = new ScriptedRegistry(r =>
            {
                string p = r.Url!.AbsolutePath;
                if (p == "/v2/")
                {
                    return ScriptedRegistry.Answer(200, "application/json", "{}");
                }

                if (r.HttpMethod == "PUT")
                {
                    return ScriptedRegistry.Answer(201, "text/plain", string.Empty);
                }

                string last = p.Substring(p.LastIndexOf('/') + 1);
                if (p.Contains("/blobs/") && blobs.TryGetValue(last, out var b))
                {
                    return ScriptedRegistry.Answer(200, "application/octet-stream", b);
                }

                if (p.Contains("/manifests/") && manifests.TryGetValue(last, out var m))
                {
                    return ScriptedRegistry.Answer(200, m.Item1, m.Item2);
                }

                return ScriptedRegistry.Answer(404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"unknown\"}]}");
            });
            using var publisher = new ImagePublisher(null!, server.Host + "/library", Options());
            var pushed = ImageReference.Parse(server.Host + "/library/python:3.14.6-slim", PublishErrorIds.InvalidImage);
            Assert.True(await publisher.AddPushedAsync("python:3.14.6-slim", pushed, Dg(amd), new[] { "3.14" }, CancellationToken.None));
            var outcomes = await publisher.PublishSharedTagsAsync(_ => true, CancellationToken.None);
            var outcome = Assert.Single(outcomes);
            Assert.True(outcome.Result.Status != PublishStatus.Failed, outcome.Result.Reason);
        }

        /// <summary>Replacing an image drops the attestation about the old manifest and keeps the others, with their annotations.</summary>
        [Fact]
        public async Task AReplacedImageTakesItsAttestationAlongAndTheOthersKeepTheirAnnotations()
        {
            string amdConfig = Config("amd64");
            string amd = ImageManifest(amdConfig);
            string oldAmd = "sha256:" + new string('1', 64);
            string arm = "sha256:" + new string('2', 64);
            string Att(char digit, string subject) => "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + new string(digit, 64) + "\",\"size\":100,\"annotations\":{\"vnd.docker.reference.digest\":\"" + subject + "\",\"vnd.docker.reference.type\":\"attestation-manifest\"},\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}";
            string existing = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + oldAmd + "\",\"size\":500,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + arm + "\",\"size\":600,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
                + Att('a', oldAmd) + "," + Att('b', arm) + "]}";
            var puts = new List<string>();
            using var server = Serve(
                new Dictionary<string, string> { [Dg(amdConfig)] = amdConfig },
                new Dictionary<string, (string, string)> { [Dg(amd)] = ("application/vnd.oci.image.manifest.v1+json", amd), ["3.14"] = ("application/vnd.oci.image.index.v1+json", existing) },
                puts);
            using var publisher = new ImagePublisher(null!, server.Host + "/library", Options());
            var pushed = ImageReference.Parse(server.Host + "/library/python:3.14.6-slim", PublishErrorIds.InvalidImage);
            Assert.True(await publisher.AddPushedAsync("python:3.14.6-slim", pushed, Dg(amd), new[] { "3.14" }, CancellationToken.None));
            var outcome = Assert.Single(await publisher.PublishSharedTagsAsync(_ => true, CancellationToken.None));
            Assert.True(outcome.Result.Status == PublishStatus.Pushed, outcome.Result.Reason);
            Assert.Equal("linux/amd64, linux/arm64", outcome.Result.Platform);
            using var written = System.Text.Json.JsonDocument.Parse(Assert.Single(puts));
            Assert.Equal(MediaTypes.OciIndex, written.RootElement.GetProperty("mediaType").GetString());
            var manifests = written.RootElement.GetProperty("manifests").EnumerateArray().ToList();
            Assert.Equal(new[] { Dg(amd), arm, "sha256:" + new string('b', 64) }, manifests.Select(m => m.GetProperty("digest").GetString()));
            var annotations = manifests[2].GetProperty("annotations");
            Assert.Equal("attestation-manifest", annotations.GetProperty("vnd.docker.reference.type").GetString());
            Assert.Equal(arm, annotations.GetProperty("vnd.docker.reference.digest").GetString());
            Assert.Equal("unknown", manifests[2].GetProperty("platform").GetProperty("os").GetString());
        }

        /// <summary>The manifest recorded is the one the engine says it pushed (by digest), not whatever another CI leg pushed to the tag right after.</summary>
        [Fact]
        public async Task ThePushedManifestIsReadByTheDigestTheEngineReportedNotByTag()
        {
            string amdConfig = Config("amd64");
            string amd = ImageManifest(amdConfig);
            string armConfig = Config("arm64");
            string arm = ImageManifest(armConfig);
            var manifests = new Dictionary<string, (string, string)>();
            using var server = Serve(new Dictionary<string, string> { [Dg(amdConfig)] = amdConfig, [Dg(armConfig)] = armConfig }, manifests);
            var engine = new StubEngine
            {
                Inspect = _ => new ImageDetails { Id = Dg(amdConfig) },
                Push = _ =>
                {
                    // This push stores the amd64 manifest; the arm64 leg pushes the same tag right after it.
                    manifests[Dg(amd)] = ("application/vnd.oci.image.manifest.v1+json", amd);
                    manifests["3.14.6-slim"] = ("application/vnd.oci.image.manifest.v1+json", arm);
                    return new EnginePushResult { Succeeded = true, Digest = Dg(amd) };
                },
            };
            using var publisher = new ImagePublisher(engine, server.Host + "/library", Options());
            var target = new PublishTarget("amd-image", new[] { ImageReference.Parse("python:3.14.6-slim", PublishErrorIds.InvalidImage) }, Array.Empty<string>());
            var outcome = Assert.Single(await publisher.PushAsync(target, _ => true, null, CancellationToken.None));
            Assert.Equal("linux/amd64", outcome.Result.Platform);
            Assert.Equal(Dg(amd), outcome.Result.Digest);
        }

        /// <summary>
        /// The first publish to a repository that does not exist yet, on a registry that refuses a pull-only token for it (as
        /// Docker Hub does): every read on the way to the push asks for pull,push, with one token for all of them.
        /// </summary>
        [Fact]
        public async Task TheFirstPublishToANewRepositoryReadsWithOnePullPushToken()
        {
            using var server = new LoopbackRegistry(hubScopes: true);
            string config = Config("amd64");
            byte[] manifest = Encoding.UTF8.GetBytes(ImageManifest(config));
            var engine = new StubEngine
            {
                Inspect = _ => new ImageDetails { Id = Dg(config) },
                Push = _ =>
                {
                    server.StoreBlob("library/python", Encoding.UTF8.GetBytes(config));
                    server.StoreManifest("library/python", "3.14.6-slim", MediaTypes.OciManifest, manifest);
                    return new EnginePushResult { Succeeded = true, Digest = RegistryClient.Digest(manifest) };
                },
            };
            using var publisher = new ImagePublisher(engine, server.Host + "/library", Options(new RegistryCredential(LoopbackRegistry.User, LoopbackRegistry.Password, "test")));
            await publisher.ConnectAsync(CancellationToken.None);
            var target = new PublishTarget("amd-image", new[] { ImageReference.Parse("python:3.14.6-slim", PublishErrorIds.InvalidImage) }, new[] { "3.14" });
            var pushed = Assert.Single(await publisher.PushAsync(target, _ => true, null, CancellationToken.None));
            Assert.True(pushed.Result.Status == PublishStatus.Pushed, pushed.Result.Reason);
            var index = Assert.Single(await publisher.PublishSharedTagsAsync(_ => true, CancellationToken.None));
            Assert.True(index.Result.Status == PublishStatus.Pushed, index.Result.Reason);
            Assert.Equal(new[] { "repository:library/python:pull,push" }, server.TokenScopes.Where(s => s.Length > 0));
        }

        /// <summary>linux/arm64/v8 and linux/arm64 are one platform (containerd normalises v8 away): the new image replaces the old entry.</summary>
        [Fact]
        public async Task AnArm64V8ImageReplacesTheArm64EntryOfTheExistingIndex()
        {
            string config = "{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\"}";
            string manifest = ImageManifest(config);
            const string old = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
            string existing = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + old + "\",\"size\":500,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}}]}";
            var puts = new List<string>();
            using var server = Serve(
                new Dictionary<string, string> { [Dg(config)] = config },
                new Dictionary<string, (string, string)> { [Dg(manifest)] = ("application/vnd.oci.image.manifest.v1+json", manifest), ["3.14"] = ("application/vnd.oci.image.index.v1+json", existing) },
                puts);
            using var publisher = new ImagePublisher(null!, server.Host + "/library", Options());
            var pushed = ImageReference.Parse(server.Host + "/library/python:3.14.6-slim", PublishErrorIds.InvalidImage);
            await publisher.AddPushedAsync("python:3.14.6-slim", pushed, Dg(manifest), new[] { "3.14" }, CancellationToken.None);
            var outcome = Assert.Single(await publisher.PublishSharedTagsAsync(_ => true, CancellationToken.None));
            Assert.Equal(PublishStatus.Pushed, outcome.Result.Status);
            Assert.DoesNotContain(old, Assert.Single(puts));
        }

        /// <summary>A manifest that is not JSON (a proxy's page) is a registry error for its shared tags, not a JsonException.</summary>
        [Fact]
        public async Task AManifestThatIsNotJsonIsARegistryErrorNotAJsonException()
        {
            const string page = "<html>proxy</html>";
            using var server = new ScriptedRegistry(r => r.Url!.AbsolutePath == "/v2/"
                ? ScriptedRegistry.Answer(200, "application/json", "{}")
                : ScriptedRegistry.Answer(200, "application/vnd.oci.image.manifest.v1+json", page));
            using var publisher = new ImagePublisher(null!, server.Host + "/library", Options());
            var pushed = ImageReference.Parse(server.Host + "/library/python:3.14.6-slim", PublishErrorIds.InvalidImage);
            var ex = await Record.ExceptionAsync(() => publisher.AddPushedAsync("python:3.14.6-slim", pushed, Dg(page), new[] { "3.14" }, CancellationToken.None));
            Assert.Null(ex);
            var outcome = Assert.Single(await publisher.PublishSharedTagsAsync(_ => true, CancellationToken.None));
            Assert.Equal(PublishStatus.Failed, outcome.Result.Status);
            Assert.Contains("not JSON", outcome.Result.Reason);
        }
        /// <summary>A config digest from the registry is checked by the digest grammar before it reaches a URL or a message.</summary>
        [Fact]
        public async Task AConfigDigestFromTheRegistryIsCheckedBeforeItIsShown()
        {
            string manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,\"digest\":\"sha256:\\u001b]0;owned\\u0007\\u001b[2J\"},\"layers\":[]}";
            using var server = Serve(new Dictionary<string, string>(), new Dictionary<string, (string, string)> { [Dg(manifest)] = ("application/vnd.oci.image.manifest.v1+json", manifest) });
            using var publisher = new ImagePublisher(null!, server.Host + "/library", Options());
            var pushed = ImageReference.Parse(server.Host + "/library/python:3.14.6-slim", PublishErrorIds.InvalidImage);
            await publisher.AddPushedAsync("python:3.14.6-slim", pushed, Dg(manifest), new[] { "3.14" }, CancellationToken.None);
            var outcome = Assert.Single(await publisher.PublishSharedTagsAsync(_ => true, CancellationToken.None));
            Assert.Equal(PublishStatus.Failed, outcome.Result.Status);
            Assert.DoesNotContain('\u001b', outcome.Result.Reason!);
            Assert.DoesNotContain('\u001b', outcome.Failure!.Message);
        }

        /// <summary>Platform fields from an image config are checked before they reach a result or an index.</summary>
        [Fact]
        public async Task APlatformFromTheRegistryIsCheckedBeforeItIsShownAndWritten()
        {
            string config = "{\"architecture\":\"amd64\\u001b[2J\",\"os\":\"linux\"}";
            string manifest = ImageManifest(config);
            using var server = Serve(new Dictionary<string, string> { [Dg(config)] = config }, new Dictionary<string, (string, string)> { [Dg(manifest)] = ("application/vnd.oci.image.manifest.v1+json", manifest) });
            using var publisher = new ImagePublisher(null!, server.Host + "/library", Options());
            var pushed = ImageReference.Parse(server.Host + "/library/python:3.14.6-slim", PublishErrorIds.InvalidImage);
            await publisher.AddPushedAsync("python:3.14.6-slim", pushed, Dg(manifest), new[] { "3.14" }, CancellationToken.None);
            var outcome = Assert.Single(await publisher.PublishSharedTagsAsync(_ => true, CancellationToken.None));
            Assert.DoesNotContain('\u001b', outcome.Result.Platform);
            Assert.Equal(PublishStatus.Failed, outcome.Result.Status);
            Assert.Contains("\\u001B", outcome.Result.Reason);
        }
    }
}
