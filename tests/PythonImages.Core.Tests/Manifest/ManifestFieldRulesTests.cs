using Xunit;

namespace PythonImages.Tests.Manifest
{
    public class ManifestFieldRulesTests
    {
        private const string Entry = "\n\nTags: a\nGitCommit: 0123456789abcdef0123456789abcdef01234567\n";

        [Theory]
        [InlineData("Tianon Gravi <admwiggin@gmail.com> (@tianon)", true)]
        [InlineData("Joseph Ferguson (@yosifkit)", true)]
        [InlineData("Some One <https://example.com/contact> (@some-one)", true)]
        [InlineData("Tianon Gravi <admwiggin@gmail.com>", false)]
        [InlineData("(@nobody)", false)]
        [InlineData("Name <a b> (@x)", false)]
        [InlineData("#C D (@cd)", false)] // a continuation line starting with '#' is a comment to the reader
        [InlineData("C #D <c#d@e.f> (@cd)", true)]
        public void MaintainerFormat(string maintainer, bool valid)
        {
            string text = "Maintainers: " + maintainer + "\nGitRepo: https://github.com/o/r.git" + Entry;
            if (valid)
            {
                Assert.Equal(maintainer, Assert.Single(LibraryManifest.Parse(text).Header.Maintainers));
            }
            else
            {
                Assert.Equal(ManifestErrorIds.InvalidMaintainer, Assert.Throws<ManifestException>(() => LibraryManifest.Parse(text)).ErrorId);
            }
        }

        [Theory]
        [InlineData("refs/heads/master", true)]
        [InlineData("refs/tags/v1.2", true)]
        [InlineData("refs/heads/ugh-3.10.2-3.9.10-3.11.0a4", true)]
        [InlineData("refs/pull/1/head", false)]
        [InlineData("refs/heads/a*b", false)]
        [InlineData("master", false)]
        public void GitFetchFormat(string fetch, bool valid)
        {
            string text = "Maintainers: A B (@ab)\nGitRepo: https://github.com/o/r.git\nGitFetch: " + fetch + Entry;
            if (valid)
            {
                Assert.Equal(fetch, Assert.Single(LibraryManifest.Parse(text).Images).GitFetch);
            }
            else
            {
                var ex = Assert.Throws<ManifestException>(() => LibraryManifest.Parse(text));
                Assert.Equal(ManifestErrorIds.InvalidGitFetch, ex.ErrorId);
            }
        }

        [Theory]
        [InlineData("3.14/trixie", "3.14/trixie")]
        [InlineData("3.14/trixie/", "3.14/trixie")]
        [InlineData("./3.14//trixie", "3.14/trixie")]
        [InlineData("3.14/x/../trixie", "3.14/trixie")]
        [InlineData("", ".")]
        [InlineData(".", ".")]
        [InlineData("../a/./b/..", "../a")] // .dockerignore patterns: a leading '..' of a relative path stays
        [InlineData("a/../../b", "../b")]
        [InlineData("/../a//b/", "/a/b")] // '..' at the root is dropped
        [InlineData("/", "/")]
        public void DirectoriesAreCleaned(string raw, string clean) => Assert.Equal(clean, SlashPath.Clean(raw));

        [Theory]
        [InlineData("0123456789abcdef0123456789abcdef01234567", true)]
        [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
        [InlineData("0123456789ABCDEF0123456789ABCDEF01234567", false)]
        [InlineData("0123456789abcdef0123456789abcdef0123456", false)]
        [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef", false)]
        public void CommitSyntaxIs40Or64LowercaseHex(string commit, bool valid) => Assert.Equal(valid, LibraryManifest.IsValidCommit(commit));

        [Theory]
        [InlineData("3.14.6-trixie", true)]
        [InlineData("_x", true)]
        [InlineData("latest", true)]
        [InlineData(".hidden", false)]
        [InlineData("-x", false)]
        [InlineData("a:b", false)]
        [InlineData("ünicode", false)]
        public void TagSyntax(string tag, bool valid) => Assert.Equal(valid, LibraryManifest.IsValidTag(tag));

        [Fact]
        public void TagsOf128CharactersAreTheLimit()
        {
            Assert.True(LibraryManifest.IsValidTag(new string('a', 128)));
            Assert.False(LibraryManifest.IsValidTag(new string('a', 129)));
        }
    }
}
