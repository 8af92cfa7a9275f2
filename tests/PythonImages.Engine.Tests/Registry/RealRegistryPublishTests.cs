using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Engine.Registry;
using PythonImages.Publish;
using PythonImages.Security;
using PythonImages.Tests;
using PythonImages.Tests.Hosting;
using Xunit;
using static PythonImages.Engine.Tests.Registry.RegistryFixtures;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>
    /// The publisher with the real Docker engine and the real registry on 127.0.0.1:5000 (.ci/run starts both): what the
    /// scripted registry of <see cref="ImagePublisherTests"/> imitates, done by the real thing. Images are FROM scratch and
    /// named r2-…; the test removes the local tags it made.
    /// </summary>
    public class RealRegistryPublishTests
    {
        private const string OciConfig = "application/vnd.oci.image.config.v1+json";

        private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

        /// <summary>
        /// Another leg pushes its image to the same tag right after the engine's push returns: the result is still the
        /// manifest the engine reported in its push's aux message (read back by that digest), not the tag's new manifest.
        /// </summary>
        [RegistryFact]
        public async Task ThePushedDigestIsTheEnginesEvenWhenAnotherLegTakesTheTagRightAfter()
        {
            string repository = Unique("r2-"), ns = Unique("r2ns");
            var made = new List<string>();
            try
            {
                string amd = Build(repository + ":amd64", "linux/amd64", made);
                string arm = Build(repository + ":arm64", "linux/arm64", made);
                using var real = EngineFactory.Create(DockerProbe.Endpoint);
                string? otherLeg = null;
                var engine = new ForwardingEngine(real, async request =>
                {
                    made.Add(request.Repository + ":" + request.Tag);
                    if (otherLeg == null)
                    {
                        await real.TagImageAsync(arm, request.Repository, request.Tag, CancellationToken.None);
                        var other = await real.PushImageAsync(request, null, CancellationToken.None);
                        Assert.True(other.Succeeded && other.Digest != null, other.ErrorMessage);
                        otherLeg = other.Digest;
                    }
                });
                using var publisher = new ImagePublisher(engine, TestRegistries.Plain + "/" + ns, Options());
                var target = new PublishTarget(amd, new[] { ImageReference.Parse(repository + ":3.14", PublishErrorIds.InvalidImage) }, Array.Empty<string>());
                var outcome = Assert.Single(await publisher.PushAsync(target, _ => true, null, CancellationToken.None));
                Assert.True(outcome.Result.Status == PublishStatus.Pushed, outcome.Result.Reason);

                using var api = new PlainRegistryApi(TestRegistries.Plain);
                var tagged = await api.GetManifestAsync(ns + "/" + repository, "3.14");
                Assert.Equal(otherLeg, Dg(tagged.Body));
                Assert.NotEqual(otherLeg, outcome.Result.Digest);
                Assert.Equal("linux/amd64", outcome.Result.Platform);
                var ours = await api.GetManifestAsync(ns + "/" + repository, outcome.Result.Digest!);
                Assert.Equal(200, ours.Status);
                using var doc = JsonDocument.Parse(ours.Body);
                Assert.Equal(amd, doc.RootElement.GetProperty("config").GetProperty("digest").GetString());
            }
            finally
            {
                Remove(made);
            }
        }

        /// <summary>
        /// The shared tag already holds an index as buildx writes it (images plus attestation manifests for unknown/unknown,
        /// uploaded here): publishing a new amd64 image rewrites it, and the real registry, which checks that every manifest
        /// an index lists exists, takes it. The old amd64 image and its attestation go; arm64 and its attestation stay.
        /// </summary>
        [RegistryFact]
        public async Task AnExistingIndexWithAttestationManifestsIsRewrittenOnTheRealRegistry()
        {
            string repository = Unique("r2-"), ns = Unique("r2ns"), path = ns + "/" + repository;
            var made = new List<string>();
            try
            {
                string amd = Build(repository + ":3.14-amd64", "linux/amd64", made);
                made.Add($"{TestRegistries.Plain}/{path}:3.14-amd64");
                using var api = new PlainRegistryApi(TestRegistries.Plain);
                var oldAmd = await UploadImageAsync(api, path, "amd64", "old");
                var arm = await UploadImageAsync(api, path, "arm64", "kept");
                var oldAmdAttestation = await UploadAttestationAsync(api, path, oldAmd.Digest);
                var armAttestation = await UploadAttestationAsync(api, path, arm.Digest);
                string existing = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciIndex + "\",\"manifests\":["
                    + Entry(oldAmd, "{\"architecture\":\"amd64\",\"os\":\"linux\"}") + "," + Entry(arm, "{\"architecture\":\"arm64\",\"os\":\"linux\"}") + ","
                    + Entry(oldAmdAttestation, "{\"architecture\":\"unknown\",\"os\":\"unknown\"}", oldAmd.Digest) + "," + Entry(armAttestation, "{\"architecture\":\"unknown\",\"os\":\"unknown\"}", arm.Digest) + "]}";
                await api.PutManifestAsync(path, "3.14", MediaTypes.OciIndex, existing);

                using var engine = EngineFactory.Create(DockerProbe.Endpoint);
                using var publisher = new ImagePublisher(engine, TestRegistries.Plain + "/" + ns, Options());
                var target = new PublishTarget(amd, new[] { ImageReference.Parse(repository + ":3.14-amd64", PublishErrorIds.InvalidImage) }, new[] { "3.14" });
                var pushed = Assert.Single(await publisher.PushAsync(target, _ => true, null, CancellationToken.None));
                Assert.True(pushed.Result.Status == PublishStatus.Pushed, pushed.Result.Reason);
                var written = Assert.Single(await publisher.PublishSharedTagsAsync(_ => true, CancellationToken.None));
                Assert.True(written.Result.Status == PublishStatus.Pushed, written.Result.Reason);
                Assert.Equal("linux/amd64, linux/arm64", written.Result.Platform);

                var index = await api.GetManifestAsync(path, "3.14");
                Assert.Equal(written.Result.Digest, Dg(index.Body));
                using var doc = JsonDocument.Parse(index.Body);
                var manifests = doc.RootElement.GetProperty("manifests").EnumerateArray().ToList();
                Assert.Equal(new[] { pushed.Result.Digest, arm.Digest, armAttestation.Digest }, manifests.Select(m => m.GetProperty("digest").GetString()));
                Assert.Equal(new[] { "linux/amd64", "linux/arm64", "unknown/unknown" }, manifests.Select(m => m.GetProperty("platform").GetProperty("os").GetString() + "/" + m.GetProperty("platform").GetProperty("architecture").GetString()));
                var annotations = manifests[2].GetProperty("annotations");
                Assert.Equal("attestation-manifest", annotations.GetProperty(ManifestInfo.ReferenceTypeAnnotation).GetString());
                Assert.Equal(arm.Digest, annotations.GetProperty(ManifestInfo.ReferenceDigestAnnotation).GetString());
            }
            finally
            {
                Remove(made);
            }
        }

        /// <summary>An image FROM scratch with one file, built for <paramref name="platform"/>; returns its id.</summary>
        private static string Build(string tag, string platform, List<string> made)
        {
            string context = Directory.CreateTempSubdirectory("r2-ctx-").FullName;
            try
            {
                File.WriteAllText(Path.Combine(context, "stamp"), tag + " " + platform + "\n");
                File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY stamp /stamp\n");
                var (code, output) = DockerCommand.Run("build", "--network", "host", "--no-cache", "-q", "--platform", platform, "-t", tag, context);
                made.Add(tag);
                Assert.True(code == 0, "docker build " + tag + " failed: " + output);
                string id = DockerCommand.Run("image", "inspect", "--format", "{{.Id}}", tag).Output.Trim();
                made.Add(id);
                return id;
            }
            finally
            {
                Directory.Delete(context, true);
            }
        }

        /// <summary>Removes the tags and then the images (by id, with the registry digests a push gave them) that the test made.</summary>
        private static void Remove(List<string> made)
        {
            foreach (var reference in made.Where(m => !m.StartsWith("sha256:", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal))
            {
                DockerCommand.Run("rmi", reference);
            }

            foreach (var id in made.Where(m => m.StartsWith("sha256:", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal))
            {
                DockerCommand.Run("rmi", "-f", id);
            }
        }

        /// <summary>An image manifest (one layer, a config for linux/<paramref name="architecture"/>) uploaded by digest.</summary>
        private static async Task<(string Digest, int Size)> UploadImageAsync(PlainRegistryApi api, string path, string architecture, string stamp)
        {
            byte[] layer = System.Text.Encoding.UTF8.GetBytes("r2 layer " + stamp + " " + path);
            string layerDigest = await api.PutBlobAsync(path, layer);
            string config = "{\"architecture\":\"" + architecture + "\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layerDigest + "\"]}}";
            string configDigest = await api.PutBlobAsync(path, config);
            string manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"config\":{\"mediaType\":\"" + OciConfig + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.Length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.Length + "}]}";
            return (await api.PutManifestAsync(path, Dg(manifest), MediaTypes.OciManifest, manifest), manifest.Length);
        }

        /// <summary>A provenance attestation manifest as buildx writes it (an in-toto layer, a config for unknown/unknown) about <paramref name="subject"/>.</summary>
        private static async Task<(string Digest, int Size)> UploadAttestationAsync(PlainRegistryApi api, string path, string subject)
        {
            string statement = "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://slsa.dev/provenance/v0.2\",\"subject\":[{\"name\":\"_\",\"digest\":{\"sha256\":\"" + subject[7..] + "\"}}],\"predicate\":{}}";
            string statementDigest = await api.PutBlobAsync(path, statement);
            string config = "{\"architecture\":\"unknown\",\"os\":\"unknown\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + statementDigest + "\"]}}";
            string configDigest = await api.PutBlobAsync(path, config);
            string manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"config\":{\"mediaType\":\"" + OciConfig + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.Length + "},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.in-toto+json\",\"digest\":\"" + statementDigest + "\",\"size\":" + statement.Length + ",\"annotations\":{\"in-toto.io/predicate-type\":\"https://slsa.dev/provenance/v0.2\"}}]}";
            return (await api.PutManifestAsync(path, Dg(manifest), MediaTypes.OciManifest, manifest), manifest.Length);
        }

        /// <summary>An index entry; with <paramref name="attestationOf"/>, the annotations buildx gives an attestation.</summary>
        private static string Entry((string Digest, int Size) manifest, string platform, string? attestationOf = null) =>
            "{\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"digest\":\"" + manifest.Digest + "\",\"size\":" + manifest.Size
            + (attestationOf == null ? string.Empty : ",\"annotations\":{\"" + ManifestInfo.ReferenceDigestAnnotation + "\":\"" + attestationOf + "\",\"" + ManifestInfo.ReferenceTypeAnnotation + "\":\"attestation-manifest\"}")
            + ",\"platform\":" + platform + "}";
    }
}
