using System;
using System.Linq;
using PythonImages.Dockerfiles;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>The one image filter, and images carrying their parsed variant.</summary>
    public class ImageFilterAndVariantTests
    {
        private static readonly PythonImage[] Images = TagRules.Compute(MatrixLoader.Default).ToArray();

        private static Func<string, bool> Exactly(string text) => s => string.Equals(s, text, StringComparison.Ordinal);

        [Fact]
        public void NoFilterSelectsEverythingInOrder()
        {
            var filter = new ImageFilter(null, null);
            Assert.False(filter.IsFiltered);
            Assert.Equal(Images, filter.Select(Images));
        }

        [Fact]
        public void AVersionPatternMatchesTheKeyOrTheFullVersion()
        {
            var first = Images[0];
            var byKey = new ImageFilter(new[] { Exactly(first.VersionKey) }, null).Select(Images).ToList();
            var byVersion = new ImageFilter(new[] { Exactly(first.Version) }, null).Select(Images).ToList();
            Assert.NotEmpty(byKey);
            Assert.Equal(byKey, byVersion);
            Assert.All(byKey, i => Assert.Equal(first.VersionKey, i.VersionKey));
            Assert.Equal(Images.Count(i => i.VersionKey == first.VersionKey), byKey.Count);
        }

        [Fact]
        public void AVariantPatternMatchesThePathOrTheName()
        {
            var windows = Images.First(i => i.OS == ImageOS.Windows);
            Assert.StartsWith("windows/", windows.Variant, StringComparison.Ordinal);
            var byPath = new ImageFilter(null, new[] { Exactly(windows.Variant) }).Select(Images).ToList();
            var byName = new ImageFilter(null, new[] { Exactly(windows.Variant.Substring("windows/".Length)) }).Select(Images).ToList();
            Assert.Contains(windows, byPath);
            Assert.Equal(byPath, byName);
        }

        [Fact]
        public void TheOSListAndThePatternsAllApply()
        {
            var linux = new ImageFilter(null, null, new[] { ImageOS.Linux });
            Assert.True(linux.IsFiltered);
            Assert.All(linux.Select(Images), i => Assert.Equal(ImageOS.Linux, i.OS));
            Assert.Contains(Images, i => i.OS == ImageOS.Windows);
            var none = new ImageFilter(new[] { Exactly(Images[0].VersionKey) }, new[] { Exactly("no-such-variant") }, new[] { ImageOS.Linux });
            Assert.Empty(none.Select(Images));
        }

        [Theory]
        [InlineData("trixie", ImageFamily.DebianFull, "trixie", "trixie", "buildpack-deps:trixie")]
        [InlineData("slim-bookworm", ImageFamily.DebianSlim, "bookworm", "slim-bookworm", "debian:bookworm-slim")]
        [InlineData("alpine3.24", ImageFamily.Alpine, "3.24", "alpine3.24", "alpine:3.24")]
        [InlineData("windows/windowsservercore-ltsc2025", ImageFamily.WindowsServerCore, "ltsc2025", "windowsservercore-ltsc2025", "mcr.microsoft.com/windows/servercore:ltsc2025")]
        public void AnImageCarriesItsParsedVariant(string variant, ImageFamily family, string distro, string name, string baseImage)
        {
            var image = new PythonImage("3.14", "3.14.6", variant);
            Assert.NotNull(image.VariantInfo);
            Assert.Equal(family, image.VariantInfo!.Family);
            Assert.Equal(distro, image.VariantInfo.Distro);
            Assert.Equal(name, image.VariantName);
            Assert.Equal(family, image.Family);
            Assert.Equal(family == ImageFamily.WindowsServerCore ? ImageOS.Windows : ImageOS.Linux, image.OS);
            Assert.Equal(baseImage, image.BaseImage);
            Assert.Same(image.VariantInfo, image.Clone().VariantInfo);
        }

        [Fact]
        public void AnUnknownFormHasNoParsedVariantButKeepsItsName()
        {
            var image = new PythonImage("2.7", "2.7.18", "windows/nanoserver-1809");
            Assert.Null(image.VariantInfo);
            Assert.Equal("nanoserver-1809", image.VariantName);
            Assert.Null(image.BaseImage);
        }

        [Fact]
        public void MatrixImagesShareTheMatrixVariant()
        {
            foreach (var image in Images)
            {
                Assert.Same(image.Release!.Variants.Single(v => v.Path == image.Variant), image.VariantInfo);
            }
        }

        [Fact]
        public void ManifestImagesOfAnUnknownFormStillGetAFamily()
        {
            var image = LibraryManifest.Derive("2.7/windows/nanoserver-1809", new[] { "2.7.18-nanoserver-1809" }, Array.Empty<string>());
            Assert.Null(image.VariantInfo);
            Assert.Equal(ImageFamily.WindowsServerCore, image.Family);
            Assert.Equal(ImageOS.Windows, image.OS);
            var slim = LibraryManifest.Derive("3.7/stretch/slim", new[] { "3.7.3-slim-stretch" }, Array.Empty<string>());
            Assert.Equal("slim-stretch", slim.Variant);
            Assert.Equal(ImageFamily.DebianSlim, slim.VariantInfo!.Family);
            Assert.Equal("debian:stretch-slim", slim.BaseImage);
        }

        [Fact]
        public void TheRendererTakesTheSuiteFromTheParsedVariant()
        {
            var image = Images.First(i => i.Family == ImageFamily.DebianSlim);
            string text = DockerfileRenderer.Render(image, null).Content;
            Assert.Contains("FROM debian:" + image.VariantInfo!.Distro + "-slim", text, StringComparison.Ordinal);
        }
    }
}
