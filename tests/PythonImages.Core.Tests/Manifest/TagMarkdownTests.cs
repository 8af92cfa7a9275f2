using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace PythonImages.Tests.Manifest
{
    public class TagMarkdownTests
    {
        private const string C1 = "1111111111111111111111111111111111111111";
        private const string C2 = "2222222222222222222222222222222222222222";

        private static Matrix Load(string yaml) => MatrixLoader.Parse(yaml, "test.yaml", null);

        private const string Arches = "architectures:\n  buildpack-deps:bullseye: [amd64, arm64v8]\n  debian:bullseye-slim: [amd64, arm64v8]\n";

        /// <summary>January 2022: Linux already on 3.10.2, Windows still on 3.10.1. Two matrices, one manifest.</summary>
        private static List<PythonImage> WindowsLagsLinux()
        {
            var linux = Load("repository: https://github.com/o/python\n" + Arches + "versions:\n  '3.10':\n    version: 3.10.2\n    variants: [bullseye, slim-bullseye]\n");
            var windows = Load("repository: https://github.com/o/python\n" + Arches + "versions:\n  '3.10':\n    version: 3.10.1\n    variants: [windows/windowsservercore-ltsc2022, windows/windowsservercore-1809]\n");
            var images = TagRules.Compute(linux).Select(i => { i.GitCommit = C1; return i; })
                .Concat(TagRules.Compute(windows).Select(i => { i.GitCommit = C2; return i; }))
                .ToList();
            foreach (var i in images)
            {
                i.GitRepo = "https://github.com/o/python.git";
            }

            return images;
        }

        [Fact]
        public void WindowsOnAnOlderPatchSplitsSharedTagsIntoThreeGroups()
        {
            var images = WindowsLagsLinux();
            var groups = TagMarkdown.SharedGroups(images);
            Assert.Equal(3, groups.Count);
            Assert.Equal(new[] { "3.10.2" }, groups[0].Tags);
            Assert.Equal(new[] { "3.10.2-bullseye" }, groups[0].Entries.Select(e => e.Tags[0]));
            Assert.Equal(new[] { "3.10", "3", "latest" }, groups[1].Tags);
            Assert.Equal(new[] { "3.10.2-bullseye", "3.10.1-windowsservercore-ltsc2022", "3.10.1-windowsservercore-1809" }, groups[1].Entries.Select(e => e.Tags[0]));
            Assert.Equal(new[] { "3.10.1-windowsservercore", "3.10-windowsservercore", "3-windowsservercore", "windowsservercore", "3.10.1" }, groups[2].Tags);
            Assert.Equal(2, groups[2].Entries.Count);

            string expected =
                "## Simple Tags\n\n"
                + "-\t[`3.10.2-bullseye`, `3.10-bullseye`, `3-bullseye`, `bullseye`](https://github.com/o/python/blob/" + C1 + "/3.10/bullseye/Dockerfile)\n"
                + "-\t[`3.10.2-slim-bullseye`, `3.10-slim-bullseye`, `3-slim-bullseye`, `slim-bullseye`, `3.10.2-slim`, `3.10-slim`, `3-slim`, `slim`](https://github.com/o/python/blob/" + C1 + "/3.10/slim-bullseye/Dockerfile)\n"
                + "-\t[`3.10.1-windowsservercore-ltsc2022`, `3.10-windowsservercore-ltsc2022`, `3-windowsservercore-ltsc2022`, `windowsservercore-ltsc2022`](https://github.com/o/python/blob/" + C2 + "/3.10/windows/windowsservercore-ltsc2022/Dockerfile)\n"
                + "-\t[`3.10.1-windowsservercore-1809`, `3.10-windowsservercore-1809`, `3-windowsservercore-1809`, `windowsservercore-1809`](https://github.com/o/python/blob/" + C2 + "/3.10/windows/windowsservercore-1809/Dockerfile)\n"
                + "\n## Shared Tags\n\n"
                + "-\t`3.10.2`:\n"
                + "\t-\t[`3.10.2-bullseye`](https://github.com/o/python/blob/" + C1 + "/3.10/bullseye/Dockerfile)\n"
                + "-\t`3.10`, `3`, `latest`:\n"
                + "\t-\t[`3.10.2-bullseye`](https://github.com/o/python/blob/" + C1 + "/3.10/bullseye/Dockerfile)\n"
                + "\t-\t[`3.10.1-windowsservercore-ltsc2022`](https://github.com/o/python/blob/" + C2 + "/3.10/windows/windowsservercore-ltsc2022/Dockerfile)\n"
                + "\t-\t[`3.10.1-windowsservercore-1809`](https://github.com/o/python/blob/" + C2 + "/3.10/windows/windowsservercore-1809/Dockerfile)\n"
                + "-\t`3.10.1-windowsservercore`, `3.10-windowsservercore`, `3-windowsservercore`, `windowsservercore`, `3.10.1`:\n"
                + "\t-\t[`3.10.1-windowsservercore-ltsc2022`](https://github.com/o/python/blob/" + C2 + "/3.10/windows/windowsservercore-ltsc2022/Dockerfile)\n"
                + "\t-\t[`3.10.1-windowsservercore-1809`](https://github.com/o/python/blob/" + C2 + "/3.10/windows/windowsservercore-1809/Dockerfile)";
            Assert.Equal(expected, TagMarkdown.TagsBlock(images, TagMarkdownFormat.Plain));
            Assert.Equal(TagMarkdown.FaqSentence + "\n\n" + expected, TagMarkdown.TagsBlock(images, TagMarkdownFormat.Faq));
            Assert.Equal(
                "[`amd64`](https://hub.docker.com/r/amd64/python/), [`arm64v8`](https://hub.docker.com/r/arm64v8/python/), [`windows-amd64`](https://hub.docker.com/r/winamd64/python/)",
                TagMarkdown.ArchitecturesLine(images));
        }

        [Fact]
        public void WithoutSharedTagsThereAreNoHeadings()
        {
            var images = WindowsLagsLinux().Take(2).Select(i => { var c = i.Clone(); c.SharedTags = Array.Empty<string>(); return c; }).ToList();
            foreach (var format in new[] { TagMarkdownFormat.Italic, TagMarkdownFormat.Plain, TagMarkdownFormat.Faq, TagMarkdownFormat.Spaced })
            {
                string block = TagMarkdown.TagsBlock(images, format);
                Assert.DoesNotContain("## ", block);
                Assert.DoesNotContain("(See", block);
                Assert.StartsWith("-\t[`3.10.2-bullseye`", block);
                Assert.False(block.EndsWith('\n'));
            }

            Assert.Equal(
                "-\t[`3.10.2-bullseye`, `3.10-bullseye`, `3-bullseye`, `bullseye` (*3.10/bullseye/Dockerfile*)](https://github.com/o/python/blob/" + C1 + "/3.10/bullseye/Dockerfile)\n"
                + "-\t[`3.10.2-slim-bullseye`, `3.10-slim-bullseye`, `3-slim-bullseye`, `slim-bullseye`, `3.10.2-slim`, `3.10-slim`, `3-slim`, `slim` (*3.10/slim-bullseye/Dockerfile*)](https://github.com/o/python/blob/" + C1 + "/3.10/slim-bullseye/Dockerfile)",
                TagMarkdown.TagsBlock(images, TagMarkdownFormat.Italic));
            Assert.Equal(
                "-\t[`3.10.2-bullseye`, `3.10-bullseye`, `3-bullseye`, `bullseye`](https://github.com/o/python/blob/" + C1 + "/3.10/bullseye/Dockerfile)\n\n"
                + "-\t[`3.10.2-slim-bullseye`, `3.10-slim-bullseye`, `3-slim-bullseye`, `slim-bullseye`, `3.10.2-slim`, `3.10-slim`, `3-slim`, `slim`](https://github.com/o/python/blob/" + C1 + "/3.10/slim-bullseye/Dockerfile)",
                TagMarkdown.TagsBlock(images, TagMarkdownFormat.Spaced));
        }

        [Fact]
        public void OneEntryManifest()
        {
            var images = LibraryManifest.Parse("Maintainers: A B (@ab)\nGitRepo: git://github.com/o/r.git\n\nTags: 1.0, latest\nSharedTags: one\nGitCommit: " + C1 + "\n").Images;
            Assert.Equal(
                "(See [\"What's the difference between 'Shared' and 'Simple' tags?\" in the FAQ](https://github.com/docker-library/faq#whats-the-difference-between-shared-and-simple-tags).)\n\n"
                + "## Simple Tags\n\n"
                + "-\t[`1.0`, `latest`](https://github.com/o/r/blob/" + C1 + "/Dockerfile)\n\n"
                + "## Shared Tags\n\n"
                + "-\t`one`:\n\n"
                + "\t-\t[`1.0`](https://github.com/o/r/blob/" + C1 + "/Dockerfile)",
                TagMarkdown.TagsBlock(images, TagMarkdownFormat.Spaced));
            Assert.Equal("[`amd64`](https://hub.docker.com/r/amd64/python/)", TagMarkdown.ArchitecturesLine(images));
        }

        // Part B.1: the link's repo is GitRepo with git:// made https:// and a trailing .git stripped (the docs template's
        // replace "git://" "https://" | trimSuffixes ".git"); nothing else is removed, a trailing '/' neither.
        [Theory]
        [InlineData("https://github.com/o/r/", "https://github.com/o/r/")]
        [InlineData("https://github.com/o/r.git", "https://github.com/o/r")]
        [InlineData("git://github.com/o/r.git", "https://github.com/o/r")]
        [InlineData("https://github.com/o/r.git/", "https://github.com/o/r.git/")]
        public void DockerfileLinkOnlySwapsGitSchemeAndStripsATrailingDotGit(string gitRepo, string linkRepo)
        {
            const string commit = "0123456789abcdef0123456789abcdef01234567";
            var images = LibraryManifest.Parse("Maintainers: A B (@ab)\nGitRepo: " + gitRepo + "\n\nTags: x\nGitCommit: " + commit + "\nDirectory: 3.14/trixie\n").Images;
            Assert.Equal("-\t[`x`](" + linkRepo + "/blob/" + commit + "/3.14/trixie/Dockerfile)", TagMarkdown.TagsBlock(images, TagMarkdownFormat.Plain));
        }

        [Fact]
        public void OtherHostsGetNoLinkButItalicKeepsThePath()
        {
            var images = LibraryManifest.Parse("Maintainers: A B (@ab)\nGitRepo: https://example.org/r.git\n\nTags: 1.0\nArchitectures: riscv64\nGitCommit: " + C1 + "\nDirectory: x\n").Images;
            Assert.Equal("-\t`1.0` (*x/Dockerfile*)", TagMarkdown.TagsBlock(images, TagMarkdownFormat.Italic));
            Assert.Equal("-\t`1.0`", TagMarkdown.TagsBlock(images, TagMarkdownFormat.Plain));
            Assert.Equal("[`riscv64`](https://hub.docker.com/r/riscv64/python/)", TagMarkdown.ArchitecturesLine(images, "python"));
        }

        [Fact]
        public void EmptyManifestHasNoSupportedTags()
        {
            var parsed = LibraryManifest.Parse("# nothing yet\nMaintainers: A B (@ab)\nGitRepo: https://github.com/o/r.git\n");
            Assert.Empty(parsed.Images);
            var result = TagMarkdown.Render(parsed.Images, TagMarkdownFormat.Spaced);
            Assert.Equal("**No supported tags**", result.Markdown);
            Assert.Equal("**No supported architectures**", result.ArchitecturesLine);
        }
    }
}
