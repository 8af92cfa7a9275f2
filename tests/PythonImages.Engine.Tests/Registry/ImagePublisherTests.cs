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
    }
}
