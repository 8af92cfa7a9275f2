using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace PythonImages.Tests.Manifest
{
    public class ManifestRoundTripTests
    {
        private static string Read(string fixture) => File.ReadAllText(ManifestOracle.Fixture(fixture));

        [Theory]
        [InlineData("library-python-2019-04.txt", "readme-2019-04.tags-block.md", "readme-2019-04.architectures-line.md", TagMarkdownFormat.Italic)]
        [InlineData("library-python-2026-06.txt", "readme-2026-06.tags-block.md", "readme-2026-06.architectures-line.md", TagMarkdownFormat.Spaced)]
        public void ReferenceManifestRendersTheReadmeBlockByteForByte(string manifest, string block, string archLine, TagMarkdownFormat format)
        {
            var parsed = LibraryManifest.Parse(Read(manifest), manifest);
            var result = TagMarkdown.Render(parsed.Images, format);
            Assert.Equal(Read(block), result.Markdown);
            Assert.Equal(Read(archLine), result.ArchitecturesLine);
        }

        [Theory]
        [InlineData("library-python-2019-04.txt")]
        [InlineData("library-python-2026-06.txt")]
        public void ImportThenExportRoundTripsByteForByte(string manifest)
        {
            string text = Read(manifest);
            var parsed = LibraryManifest.Parse(text, manifest);
            Assert.Equal(text, LibraryManifest.Write(parsed.Header, parsed.Images));
        }

        [Fact]
        public void ParsedEntriesMatchTheIndependentOracle()
        {
            var parsed = LibraryManifest.Parse(Read("library-python-2026-06.txt"));
            var oracle = ManifestOracle.Entries("library-python-2026-06.txt");
            Assert.Equal(oracle.Count, parsed.Images.Count);
            for (int i = 0; i < oracle.Count; i++)
            {
                var img = parsed.Images[i];
                Assert.Equal(ManifestOracle.Get(oracle[i], "Tags"), string.Join(", ", img.Tags));
                Assert.Equal(ManifestOracle.Get(oracle[i], "SharedTags"), string.Join(", ", img.SharedTags));
                Assert.Equal(ManifestOracle.Get(oracle[i], "GitCommit"), img.GitCommit);
                Assert.Equal(ManifestOracle.Get(oracle[i], "Directory"), img.Directory);
                Assert.Equal("https://github.com/docker-library/python.git", img.GitRepo);
                Assert.Equal("refs/heads/master", img.GitFetch);
                Assert.Equal("Dockerfile", img.File);
                Assert.Equal(img.OS == ImageOS.Windows ? "classic" : "buildkit", img.Builder);
            }
        }

        [Fact]
        public void ImportDerivesVersionVariantFamilyFromDirectoryAndTags()
        {
            var images = LibraryManifest.Parse(Read("library-python-2026-06.txt")).Images;
            var win = images.Single(i => i.Directory == "3.14/windows/windowsservercore-ltsc2025");
            Assert.Equal("3.14", win.VersionKey);
            Assert.Equal("3.14.6", win.Version);
            Assert.Equal("windows/windowsservercore-ltsc2025", win.Variant);
            Assert.Equal(ImageFamily.WindowsServerCore, win.Family);
            Assert.Equal(ImageOS.Windows, win.OS);
            var rc = images.Single(i => i.Directory == "3.15-rc/slim-trixie");
            Assert.Equal("3.15-rc", rc.VersionKey);
            Assert.Equal("3.15.0b3", rc.Version);
            Assert.Equal(ImageFamily.DebianSlim, rc.Family);
            Assert.Equal("debian:trixie-slim", rc.BaseImage);

            // 2019 layout: 3.6/jessie/slim is the slim-jessie variant.
            var old = LibraryManifest.Parse(Read("library-python-2019-04.txt")).Images.Single(i => i.Directory == "3.6/jessie/slim");
            Assert.Equal("3.6", old.VersionKey);
            Assert.Equal("3.6.8", old.Version);
            Assert.Equal("slim-jessie", old.Variant);
            Assert.Equal(ImageFamily.DebianSlim, old.Family);
        }

        [Fact]
        public void MatrixImagesExportToThe2026ManifestWithTheReferenceCommits()
        {
            var reference = LibraryManifest.Parse(Read("library-python-2026-06.txt"));
            var commits = reference.Images.ToDictionary(i => i.Directory, i => i.GitCommit!);
            var images = TagRules.Compute(MatrixLoader.Default).Select(i =>
            {
                var c = i.Clone();
                c.GitCommit = commits[i.Directory];
                return c;
            }).ToList();
            var matrix = MatrixLoader.Default;
            var header = new ManifestHeader
            {
                CommentLines = { LibraryManifest.UpstreamGeneratedByLine(matrix.Repository, "59e4abf1fb132d2f7be0b808bdc0b3e616519eeb") },
                Maintainers = matrix.Maintainers.ToList(),
                GitRepo = LibraryManifest.RepositoryUrl(matrix.Repository) + ".git",
                Builder = "buildkit",
            };
            foreach (var i in images)
            {
                i.GitRepo = header.GitRepo;
            }

            Assert.Empty(LibraryManifest.Validate(header, images));
            Assert.Equal(Read("library-python-2026-06.txt"), LibraryManifest.Write(header, images));
        }

        [Theory]
        [InlineData("", "")]
        [InlineData(" , ,\t", "")]
        [InlineData("a", "a")]
        [InlineData("a,", "a")]
        [InlineData(",a", "a")]
        [InlineData("a, b,,\tc ,\n d,\r\n", "a|b|c|d")]
        [InlineData("  spaced item  ,x", "spaced item|x")]
        [InlineData("a,a, b ,a", "a|a|b|a")]
        public void AListFieldSplitsOnCommasAndDropsEmptyItems(string value, string expected)
        {
            // Split on commas, each item trimmed of spaces, tabs and line breaks (a continued value keeps its line feeds),
            // empty items dropped; repeats are kept (the parser decides what a repeat means per field).
            Assert.Equal(expected.Length == 0 ? Array.Empty<string>() : expected.Split('|'), LibraryManifest.SplitList(value));
        }

        [Fact]
        public void RepeatedArchitecturesAndSharedTagsAreKeptOnceAndTagsAsWritten()
        {
            // Architectures: sorted, each once; SharedTags: each once, in the order written; Tags and Constraints as written.
            const string text = "Maintainers: A B <a@b.c> (@ab)\nGitRepo: https://example.com/r.git\n\n"
                + "Tags: 3.14.6-trixie, 3.14-trixie\nSharedTags: 3.14, 3.14.6, 3.14, latest, 3.14.6\n"
                + "Architectures: s390x, amd64,\n  arm64v8, amd64, s390x, i386\nConstraints: b, a\n"
                + "GitCommit: 0123456789012345678901234567890123456789\nDirectory: 3.14/trixie\n";
            var image = LibraryManifest.Parse(text).Images.Single();
            Assert.Equal(new[] { "amd64", "arm64v8", "i386", "s390x" }, image.Architectures);
            Assert.Equal(new[] { "3.14", "3.14.6", "latest" }, image.SharedTags);
            Assert.Equal(new[] { "3.14.6-trixie", "3.14-trixie" }, image.Tags);
            Assert.Equal(new[] { "b", "a" }, image.Constraints);

            // More than a few shared tags take the other path of the same rule.
            string many = string.Join(", ", Enumerable.Range(0, 40).Select(i => "s" + (i % 25)));
            var manyImage = LibraryManifest.Parse(text.Replace("SharedTags: 3.14, 3.14.6, 3.14, latest, 3.14.6", "SharedTags: " + many, StringComparison.Ordinal)).Images.Single();
            Assert.Equal(Enumerable.Range(0, 25).Select(i => "s" + i), manyImage.SharedTags);
        }

        [Fact]
        public void HeaderValuesAreInheritedAndDefaultsApply()
        {
            const string text = "# c1\n# c2\nMaintainers: A B <a@b.c> (@ab)\nGitRepo: https://example.com/r.git\nArchitectures: s390x, amd64, amd64\nConstraints: x\n\n"
                + "Tags: one\nGitCommit: 0123456789012345678901234567890123456789\n\n"
                + "Tags: two\nArchitectures: arm64v8\nDirectory: 3.14/trixie\nFile: Dockerfile.alt\narm64v8-GitCommit: 1111111111111111111111111111111111111111\nGitCommit: 0123456789012345678901234567890123456789\n";
            var parsed = LibraryManifest.Parse(text);
            Assert.Equal(new[] { "# c1", "# c2" }, parsed.Header.CommentLines);
            var one = parsed.Images[0];
            Assert.Equal(new[] { "amd64", "s390x" }, one.Architectures);
            Assert.Equal(new[] { "x" }, one.Constraints);
            Assert.Equal(".", one.Directory);
            Assert.Equal("Dockerfile", one.File);
            Assert.Equal("refs/heads/master", one.GitFetch);
            Assert.Equal("https://example.com/r.git", one.GitRepo);
            Assert.Null(one.Builder);
            var two = parsed.Images[1];
            Assert.Equal(new[] { "arm64v8" }, two.Architectures);
            Assert.Equal("Dockerfile.alt", two.File);
            Assert.Equal("1111111111111111111111111111111111111111", two.ArchitectureFields["arm64v8-GitCommit"]);

            // the link follows the per-architecture override; other hosts get no link
            Assert.Null(TagMarkdown.DockerfileUrl(two));
            two.GitRepo = "git://github.com/o/r.git";
            Assert.Equal("https://github.com/o/r/blob/1111111111111111111111111111111111111111/3.14/trixie/Dockerfile.alt", TagMarkdown.DockerfileUrl(two));
            two.GitRepo = "https://gitlab.com/o/r";
            Assert.Equal("https://gitlab.com/o/r/-/blob/1111111111111111111111111111111111111111/3.14/trixie/Dockerfile.alt", TagMarkdown.DockerfileUrl(two));
        }

        [Fact]
        public void ContinuationLinesCommentsAndExtraBlankLinesAreAccepted()
        {
            const string text = "\n\n# top\n\nMaintainers: A B <a@b.c> (@ab),\n\tC D (@cd)\n# a comment inside the header\nGitRepo: https://github.com/o/r.git\n\n\n\n"
                + "Tags: a,\n  b ,c\n   # indented comment\nSharedTags: s, s, t\nGitCommit: 0123456789012345678901234567890123456789\n\n\n";
            var parsed = LibraryManifest.Parse(text);
            Assert.Equal(new[] { "A B <a@b.c> (@ab)", "C D (@cd)" }, parsed.Header.Maintainers);
            var e = Assert.Single(parsed.Images);
            Assert.Equal(new[] { "a", "b", "c" }, e.Tags);
            Assert.Equal(new[] { "s", "t" }, e.SharedTags);
        }

        private const string OneEntry = "\nTags: x\nGitCommit: 0123456789abcdef0123456789abcdef01234567\nDirectory: 3.14/trixie\n";

        // Part A.1: a line that starts with whitespace continues the previous field, and list fields are split on commas.
        // A header default written over several lines or left empty is read in the form the writer gives it (one line,
        // items joined with ", "; no empty default), so that it exports again and reads back the same.
        [Theory]
        [InlineData("Architectures: amd64,\n               arm64v8\n", "Architectures", "amd64, arm64v8")]
        [InlineData("SharedTags: s,\n t\n", "SharedTags", "s, t")]
        [InlineData("Constraints:\n", null, null)]
        [InlineData("Constraints: ,\n", null, null)]
        [InlineData("amd64-GitCommit:\n", null, null)]
        [InlineData("GitFetch:\n", null, null)]
        public void HeaderDefaultsOnSeveralLinesOrEmptyExportAgain(string headerField, string? name, string? value)
        {
            var parsed = LibraryManifest.Parse("Maintainers: A B <a@b.c> (@ab)\nGitRepo: https://github.com/o/r.git\n" + headerField + OneEntry);
            Assert.Equal(name == null ? string.Empty : name + "=" + value, string.Join(";", parsed.Header.OtherFields.Select(kv => kv.Key + "=" + kv.Value)));
            Assert.Empty(LibraryManifest.Validate(parsed.Header, parsed.Images));
            string text = LibraryManifest.WriteVerified(parsed.Header, parsed.Images); // Manifest.RoundTripMismatch before
            var back = LibraryManifest.Parse(text);
            Assert.Equal(parsed.Images[0].Architectures, back.Images[0].Architectures);
            Assert.Equal(parsed.Images[0].SharedTags, back.Images[0].SharedTags);
            Assert.Equal(text, LibraryManifest.Write(back.Header, back.Images));
        }

        // The writer puts each further maintainer on a continuation line; a maintainer starting with '#' would be read
        // back as a comment, so the grammar refuses it. A '#' further in is kept.
        [Fact]
        public void EveryAcceptedMaintainerSurvivesWriteAndRead()
        {
            var parsed = LibraryManifest.Parse("Maintainers: A B <a@b.c> (@ab), C #D (@cd)\nGitRepo: https://github.com/o/r.git\n" + OneEntry);
            Assert.Equal(2, parsed.Header.Maintainers.Count);
            var back = LibraryManifest.Parse(LibraryManifest.Write(parsed.Header, parsed.Images));
            Assert.Equal(parsed.Header.Maintainers, back.Header.Maintainers);

            var ex = Assert.Throws<ManifestException>(() => LibraryManifest.Parse("Maintainers: A B <a@b.c> (@ab), #C D (@cd)\nGitRepo: https://github.com/o/r.git\n" + OneEntry));
            Assert.Equal(ManifestErrorIds.InvalidMaintainer, ex.ErrorId);
            parsed.Header.Maintainers.Add("#E F (@ef)");
            Assert.Contains(LibraryManifest.Validate(parsed.Header, parsed.Images), p => p.ErrorId == ManifestErrorIds.InvalidMaintainer);
        }

        [Fact]
        public void IdenticalBuildInputsAreMergedIntoTheEarlierEntry()
        {
            const string text = "Maintainers: A B (@ab)\nGitRepo: https://github.com/o/r.git\n\n"
                + "Tags: a\nSharedTags: s\nGitCommit: 0123456789012345678901234567890123456789\nDirectory: d\n\n"
                + "Tags: z\nGitCommit: 0123456789012345678901234567890123456789\nDirectory: other\n\n"
                + "Tags: b\nSharedTags: s, t\nGitCommit: 0123456789012345678901234567890123456789\nDirectory: d\n";
            var images = LibraryManifest.Parse(text).Images;
            Assert.Equal(2, images.Count);
            Assert.Equal(new[] { "a", "b" }, images[0].Tags);
            Assert.Equal(new[] { "s", "t" }, images[0].SharedTags);
        }
    }
}
