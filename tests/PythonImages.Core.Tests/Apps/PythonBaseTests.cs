using System.Collections.Generic;
using System.Linq;
using PythonImages.Apps;
using Xunit;

namespace PythonImages.Tests.Apps
{
    public sealed class PythonBaseTests
    {
        private static readonly IReadOnlyList<PythonImage> Images = TagRules.Compute(MatrixLoader.Default);

        [Theory]
        [InlineData("3", "python:3", AppForm.Debian)]
        [InlineData("latest", "python:latest", AppForm.Debian)]
        [InlineData("LATEST", "python:latest", AppForm.Debian)]
        [InlineData("3.13-slim", "python:3.13-slim", AppForm.Debian)]
        [InlineData("slim-bookworm", "python:slim-bookworm", AppForm.Debian)]
        [InlineData("alpine", "python:alpine", AppForm.Alpine)]
        [InlineData("3.12-alpine3.23", "python:3.12-alpine3.23", AppForm.Alpine)]
        [InlineData("3.14-windowsservercore-ltsc2025", "python:3.14-windowsservercore-ltsc2025", AppForm.Windows)]
        [InlineData("3.14-windowsservercore", "python:3.14-windowsservercore", AppForm.Windows)]
        public void TagsOfTheMatrixGiveTheirImageAndForm(string tag, string reference, AppForm form)
        {
            var b = PythonBase.Resolve(Images, tag);
            Assert.Equal(reference, b.Reference);
            Assert.Equal(form, b.Form);
            Assert.Equal(reference.Substring("python:".Length), b.Tag);
            Assert.All(b.Images, i => Assert.Contains(b.Tag, i.Tags.Concat(i.SharedTags)));
        }

        [Fact]
        public void ASharedTagOfLinuxAndWindowsImagesKeepsThemAll()
        {
            var b = PythonBase.Resolve(Images, "3");
            Assert.Contains(b.Images, i => i.OS == ImageOS.Windows);
            Assert.Contains(b.Images, i => i.OS == ImageOS.Linux);
            Assert.Equal(ImageOS.Linux, b.OS);
        }

        [Theory]
        [InlineData("registry.example:5000/hub", "registry.example:5000/hub/python:3.13-slim")]
        [InlineData("localhost:5000", "localhost:5000/python:3.13-slim")]
        [InlineData("localhost:5000/", "localhost:5000/python:3.13-slim")]
        [InlineData("localhost", "localhost/python:3.13-slim")]
        [InlineData("mirror.internal/hub", "mirror.internal/hub/python:3.13-slim")]
        [InlineData("[::1]:5000", "[::1]:5000/python:3.13-slim")]
        public void ARegistryPrefixGoesInFront(string prefix, string reference) =>
            Assert.Equal(reference, PythonBase.Resolve(Images, "3.13-slim", prefix).Reference);

        [Theory]
        [InlineData("nope", "App.TagNotFound")]
        [InlineData("3.9", "App.TagNotFound")]
        [InlineData("3*", "App.InvalidTag")]
        [InlineData("3\nRUN id", "App.InvalidTag")]
        [InlineData("python:3", "App.InvalidTag")]
        [InlineData("-3", "App.InvalidTag")]
        public void TagsOutsideTheMatrixAreRefused(string tag, string errorId) =>
            Assert.Equal(errorId, Assert.Throws<AppException>(() => PythonBase.Resolve(Images, tag)).ErrorId);

        [Theory]
        [InlineData("http://registry.example")]
        [InlineData("registry example")]
        [InlineData("registry.example/Hub")]
        [InlineData("registry.example\n")]
        public void BadRegistriesAreRefused(string prefix) =>
            Assert.Equal("App.InvalidRegistry", Assert.Throws<AppException>(() => PythonBase.Resolve(Images, "3", prefix)).ErrorId);

        /// <summary>
        /// A first component without '.', ':port' or localhost is not a registry host for Docker: FROM mirror/python:3 pulls
        /// docker.io/mirror/python:3, an image of whoever owns the Docker Hub namespace "mirror", not one of the mirror the
        /// user named. Such a prefix is refused rather than written.
        /// </summary>
        [Theory]
        [InlineData("mirror")]
        [InlineData("mirror/hub")]
        [InlineData("mirror/")]
        [InlineData("library")]
        public void APrefixThatDockerReadsAsADockerHubNamespaceIsRefused(string prefix)
        {
            var ex = Assert.Throws<AppException>(() => PythonBase.Resolve(Images, "3", prefix));
            Assert.Equal("App.InvalidRegistry", ex.ErrorId);
            Assert.Contains("Docker Hub", ex.Message);
        }
    }
}
