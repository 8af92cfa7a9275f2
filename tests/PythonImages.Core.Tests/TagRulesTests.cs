using System;
using System.IO;
using System.Linq;
using Xunit;

namespace PythonImages.Tests
{
    public class TagRulesTests
    {
        private static string Join(string[] values) => string.Join(", ", values);

        [Fact]
        public void EmbeddedMatrixReproducesThe2026Manifest()
        {
            var images = TagRules.Compute(MatrixLoader.Default);
            var expected = ManifestOracle.Entries("library-python-2026-06.txt");
            Assert.Equal(42, expected.Count);
            Assert.Equal(expected.Count, images.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                var e = expected[i];
                var img = images[i];
                Assert.Equal(ManifestOracle.Get(e, "Directory"), img.Directory);
                Assert.Equal(ManifestOracle.Get(e, "Tags"), Join(img.Tags));
                Assert.Equal(ManifestOracle.Get(e, "SharedTags"), Join(img.SharedTags));
                Assert.Equal(ManifestOracle.Get(e, "Architectures"), Join(img.Architectures));
                Assert.Equal(ManifestOracle.Get(e, "Constraints"), Join(img.Constraints));
                Assert.Equal(ManifestOracle.Get(e, "Builder"), img.Builder ?? string.Empty);
            }
        }

        [Fact]
        public void UpstreamVersionsJsonGivesTheSameImagesAsTheEmbeddedMatrix()
        {
            var fromJson = TagRules.Compute(MatrixLoader.LoadFile(ManifestOracle.Fixture("versions-2026-06.json")));
            var embedded = TagRules.Compute(MatrixLoader.Default);
            Assert.Equal(42, fromJson.Count);
            Assert.Equal(
                embedded.Select(i => $"{i.Directory}|{Join(i.Tags)}|{Join(i.SharedTags)}|{Join(i.Architectures)}|{i.Builder}|{i.Release!.SourceSha256}|{i.Release.WindowsSha256}|{i.Release.SetuptoolsVersion}"),
                fromJson.Select(i => $"{i.Directory}|{Join(i.Tags)}|{Join(i.SharedTags)}|{Join(i.Architectures)}|{i.Builder}|{i.Release!.SourceSha256}|{i.Release.WindowsSha256}|{i.Release.SetuptoolsVersion}"));
        }

        // upstream-image-system.md 3.4: Tags and the -windowsservercore shared tags have "latest-" deleted; the plain
        // versionAliases appended to SharedTags are not (sharedTags+=( "${versionAliases[@]}" )).
        [Fact]
        public void PlainVersionAliasesInSharedTagsKeepLatestDash()
        {
            var matrix = MatrixLoader.Parse(
                "aliases:\n  '3.14': ['3', latest, latest-lts]\nversions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie, windows/windowsservercore-ltsc2025]\n",
                "m.yaml",
                MatrixLoader.Default.Architectures);
            var images = TagRules.Compute(matrix);
            Assert.Equal("3.14.6-trixie, 3.14-trixie, 3-trixie, trixie, lts-trixie", Join(images[0].Tags));
            Assert.Equal("3.14.6, 3.14, 3, latest, latest-lts", Join(images[0].SharedTags));
            Assert.Equal(
                "3.14.6-windowsservercore, 3.14-windowsservercore, 3-windowsservercore, windowsservercore, lts-windowsservercore, 3.14.6, 3.14, 3, latest, latest-lts",
                Join(images[1].SharedTags));
        }

        [Fact]
        public void April2019MatrixReproducesThe2019ManifestTags()
        {
            var images = TagRules.Compute(MatrixLoader.LoadFile(ManifestOracle.Fixture("matrix-2019-04.yaml")));
            var expected = ManifestOracle.Entries("library-python-2019-04.txt");
            Assert.Equal(37, expected.Count);
            Assert.Equal(37, images.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(ManifestOracle.Get(expected[i], "Tags"), Join(images[i].Tags));
                Assert.Equal(ManifestOracle.Get(expected[i], "SharedTags"), Join(images[i].SharedTags));
                Assert.Equal(ManifestOracle.Get(expected[i], "Architectures"), Join(images[i].Architectures));
                // 2019 kept slim under <suite>/slim; the matrix names it slim-<suite>.
                Assert.Equal(ManifestOracle.Get(expected[i], "Directory").Replace("stretch/slim", "slim-stretch").Replace("jessie/slim", "slim-jessie"), images[i].Directory);
            }
        }
    }
}
