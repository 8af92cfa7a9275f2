using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using PythonImages.Engine.Registry;
using PythonImages.Publish;
using Xunit;

namespace PythonImages.Engine.Tests.Registry
{
    public class ImageIndexTests
    {
        private const string D1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        private const string D2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
        private const string D3 = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

        [Fact]
        public void PlatformsComeFromTheImageConfig()
        {
            var windows = ImagePlatform.FromConfig(Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.26100.4061\",\"rootfs\":{}}"));
            Assert.Equal("windows", windows.OS);
            Assert.Equal("10.0.26100.4061", windows.OSVersion);
            var arm = ImagePlatform.FromConfig(Encoding.UTF8.GetBytes("{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"}"));
            Assert.Equal("linux/arm/v7", arm.ToString());
            var ex = Assert.Throws<RegistryException>(() => ImagePlatform.FromConfig(Encoding.UTF8.GetBytes("{\"os\":\"linux\"}")));
            Assert.Equal(PublishErrorIds.RegistryError, ex.ErrorId);
        }

        [Fact]
        public void DockerManifestsMakeAManifestListWithEveryPlatformField()
        {
            var entries = new List<IndexEntry>
            {
                new IndexEntry(D1, MediaTypes.DockerManifest, 500, new ImagePlatform("linux", "amd64"), "a"),
                new IndexEntry(D2, MediaTypes.DockerManifest, 600, new ImagePlatform("windows", "amd64", null, "10.0.20348.1"), "b"),
                new IndexEntry(D3, MediaTypes.DockerManifest, 700, new ImagePlatform("linux", "arm", "v7"), "c"),
            };
            byte[] index = ImageIndexBuilder.Build("r:latest", entries, out string mediaType);
            Assert.Equal(MediaTypes.DockerManifestList, mediaType);
            using var doc = JsonDocument.Parse(index);
            Assert.Equal(mediaType, doc.RootElement.GetProperty("mediaType").GetString());
            var manifests = doc.RootElement.GetProperty("manifests").EnumerateArray().ToList();
            Assert.Equal(new[] { D1, D2, D3 }, manifests.Select(m => m.GetProperty("digest").GetString()));
            Assert.Equal(600, manifests[1].GetProperty("size").GetInt64());
            Assert.Equal("10.0.20348.1", manifests[1].GetProperty("platform").GetProperty("os.version").GetString());
            Assert.Equal("v7", manifests[2].GetProperty("platform").GetProperty("variant").GetString());
            Assert.False(manifests[0].GetProperty("platform").TryGetProperty("variant", out _));
        }

        [Fact]
        public void AnOciManifestMakesAnOciIndex()
        {
            var entries = new List<IndexEntry>
            {
                new IndexEntry(D1, MediaTypes.OciManifest, 500, new ImagePlatform("linux", "amd64"), "a"),
                new IndexEntry(D2, MediaTypes.DockerManifest, 600, new ImagePlatform("linux", "arm64", "v8"), "b"),
            };
            ImageIndexBuilder.Build("r:latest", entries, out string mediaType);
            Assert.Equal(MediaTypes.OciIndex, mediaType);
        }

        [Fact]
        public void TwoImagesForOnePlatformAreACollisionAndTheSameImageTwiceIsNot()
        {
            var same = new List<IndexEntry>
            {
                new IndexEntry(D1, MediaTypes.DockerManifest, 500, new ImagePlatform("linux", "amd64"), "r:a"),
                new IndexEntry(D1, MediaTypes.DockerManifest, 500, new ImagePlatform("linux", "amd64"), "r:b"),
            };
            using (var doc = JsonDocument.Parse(ImageIndexBuilder.Build("r:3", same, out _)))
            {
                Assert.Single(doc.RootElement.GetProperty("manifests").EnumerateArray());
            }

            var colliding = new List<IndexEntry>
            {
                new IndexEntry(D1, MediaTypes.DockerManifest, 500, new ImagePlatform("linux", "amd64"), "r:slim"),
                new IndexEntry(D2, MediaTypes.DockerManifest, 500, new ImagePlatform("linux", "amd64"), "r:bookworm"),
            };
            var ex = Assert.Throws<RegistryException>(() => ImageIndexBuilder.Build("r:3", colliding, out _));
            Assert.Equal(PublishErrorIds.PlatformCollision, ex.ErrorId);
            Assert.Contains("linux/amd64", ex.Message);
            Assert.Contains("r:slim and r:bookworm", ex.Message);

            // Windows builds differ by os.version: no collision.
            var windows = new List<IndexEntry>
            {
                new IndexEntry(D1, MediaTypes.DockerManifest, 500, new ImagePlatform("windows", "amd64", null, "10.0.26100.1"), "ltsc2025"),
                new IndexEntry(D2, MediaTypes.DockerManifest, 500, new ImagePlatform("windows", "amd64", null, "10.0.20348.1"), "ltsc2022"),
            };
            ImageIndexBuilder.Build("r:3", windows, out _);
        }

        [Fact]
        public void AttestationsNeverCollideAndKeepTheirAnnotations()
        {
            var attestation = new[] { new KeyValuePair<string, string>("vnd.docker.reference.type", "attestation-manifest"), new KeyValuePair<string, string>("vnd.docker.reference.digest", D1) };
            var entries = new List<IndexEntry>
            {
                new IndexEntry(D1, MediaTypes.DockerManifest, 500, new ImagePlatform("linux", "amd64"), "a"),
                new IndexEntry(D2, MediaTypes.OciManifest, 100, new ImagePlatform("unknown", "unknown"), D2, attestation),
                new IndexEntry(D3, MediaTypes.OciManifest, 100, new ImagePlatform("unknown", "unknown"), D3, attestation),
            };
            Assert.True(entries[1].IsAttestation);
            Assert.Equal(D1, entries[1].AttestationOf);
            Assert.False(entries[0].IsAttestation);
            using var doc = JsonDocument.Parse(ImageIndexBuilder.Build("r:3", entries, out string mediaType));
            Assert.Equal(MediaTypes.OciIndex, mediaType);
            var manifests = doc.RootElement.GetProperty("manifests").EnumerateArray().ToList();
            Assert.Equal(3, manifests.Count);
            Assert.False(manifests[0].TryGetProperty("annotations", out _));
            Assert.Equal(D1, manifests[2].GetProperty("annotations").GetProperty("vnd.docker.reference.digest").GetString());
        }

        [Theory]
        [InlineData("linux", "arm64", "v8", null, "linux", "arm64", null, null, true)]
        [InlineData("linux", "aarch64", null, null, "linux", "arm64", null, null, true)]
        [InlineData("linux", "arm", null, null, "linux", "arm", "v7", null, true)]
        [InlineData("linux", "arm", "v6", null, "linux", "arm", "v7", null, false)]
        [InlineData("linux", "arm", "5", null, "linux", "arm", "v5", null, true)]
        [InlineData("linux", "arm", "8", null, "linux", "arm", "V8", null, true)]
        [InlineData("linux", "arm", "7", null, "linux", "arm", null, null, true)]
        [InlineData("linux", "arm", "9", null, "linux", "arm", "v9", null, false)]
        [InlineData("linux", "arm", "4", null, "linux", "arm", "v4", null, false)]
        [InlineData("linux", "armhf", null, null, "linux", "arm", "7", null, true)]
        [InlineData("linux", "armel", null, null, "linux", "arm", "6", null, true)]
        [InlineData("linux", "amd64", "v1", null, "linux", "amd64", null, null, true)]
        [InlineData("linux", "x86_64", null, null, "linux", "amd64", null, null, true)]
        [InlineData("linux", "386", null, null, "linux", "amd64", null, null, false)]
        [InlineData("windows", "amd64", null, "10.0.20348.2655", "windows", "amd64", null, "10.0.20348.2700", true)]
        [InlineData("windows", "amd64", null, "10.0.20348.2655", "windows", "amd64", null, "10.0.26100.2655", false)]
        public void PlatformsAreComparedAsContainerdNormalisesThemAndWindowsUpToTheBuild(string os1, string arch1, string? v1, string? osv1, string os2, string arch2, string? v2, string? osv2, bool same)
        {
            var a = new ImagePlatform(os1, arch1, v1, osv1);
            var b = new ImagePlatform(os2, arch2, v2, osv2);
            Assert.Equal(same, a.Equals(b));
            Assert.Equal(same, a.GetHashCode() == b.GetHashCode() && a.Equals(b));
        }

        [Fact]
        public void TwoRevisionsOfOneWindowsBuildAreACollision()
        {
            var entries = new List<IndexEntry>
            {
                new IndexEntry(D1, MediaTypes.DockerManifest, 500, new ImagePlatform("windows", "amd64", null, "10.0.20348.2655"), "old"),
                new IndexEntry(D2, MediaTypes.DockerManifest, 500, new ImagePlatform("windows", "amd64", null, "10.0.20348.2700"), "new"),
            };
            Assert.Equal(PublishErrorIds.PlatformCollision, Assert.Throws<RegistryException>(() => ImageIndexBuilder.Build("r:3", entries, out _)).ErrorId);
        }
    }
}
