using System;
using Xunit;

namespace PythonImages.Tests.Manifest
{
    /// <summary>The bad-input catalogue: each mistake gets its own ErrorId and names its line.</summary>
    public class ManifestParserErrorTests
    {
        private const string Header = "Maintainers: A B <a@b.c> (@ab)\nGitRepo: https://github.com/o/r.git\n\n"; // lines 1-3
        private const string Commit = "GitCommit: 0123456789abcdef0123456789abcdef01234567\n";

        [Theory]
        [InlineData("entry without Tags", Header + "SharedTags: x\n" + Commit, ManifestErrorIds.MissingTags, 4)]
        [InlineData("missing GitCommit", Header + "Tags: a\nDirectory: d\n", ManifestErrorIds.MissingGitCommit, 4)]
        [InlineData("bad commit hex", Header + "Tags: a\n\nTags: b\nGitCommit: 0123456789abcdefg123456789abcdef01234567\n", ManifestErrorIds.MissingGitCommit, 4)]
        [InlineData("bad commit hex 2", Header + "Tags: b\nGitCommit: 0123456789abcdefg123456789abcdef01234567\n", ManifestErrorIds.InvalidGitCommit, 5)]
        [InlineData("short commit", Header + "Tags: b\nGitCommit: 0123456789abcdef\n", ManifestErrorIds.InvalidGitCommit, 5)]
        [InlineData("unknown architecture", Header + "Tags: a\nArchitectures: amd64, sparc64\n" + Commit, ManifestErrorIds.UnknownArchitecture, 5)]
        [InlineData("unknown per-arch field", Header + "Tags: a\n" + Commit + "sparc-GitCommit: 0123456789abcdef0123456789abcdef01234567\n", ManifestErrorIds.UnknownArchitecture, 6)]
        [InlineData("duplicate tag", Header + "Tags: a, b\n" + Commit + "Directory: x\n\nTags: c, b\n" + Commit + "Directory: y\n", ManifestErrorIds.DuplicateTag, 8)]
        [InlineData("duplicate tag in one entry", Header + "Tags: a, a\n" + Commit, ManifestErrorIds.DuplicateTag, 4)]
        [InlineData("simple tag reused as shared", Header + "Tags: a\n" + Commit + "Directory: x\n\nTags: b\nSharedTags: a\n" + Commit + "Directory: y\n", ManifestErrorIds.SharedTagIsSimpleTag, 9)]
        [InlineData("bad tag syntax", Header + "Tags: good, -bad\n" + Commit, ManifestErrorIds.InvalidTag, 4)]
        [InlineData("bad shared tag syntax", Header + "Tags: good\nSharedTags: no/slash\n" + Commit, ManifestErrorIds.InvalidTag, 5)]
        [InlineData("continuation before any field", "  indented\nMaintainers: A B (@ab)\n", ManifestErrorIds.ContinuationWithoutField, 1)]
        [InlineData("continuation at start of entry", Header + "\tb\nTags: a\n" + Commit, ManifestErrorIds.ContinuationWithoutField, 4)]
        [InlineData("field without a colon", Header + "Tags a\n" + Commit, ManifestErrorIds.MissingColon, 4)]
        [InlineData("empty file", "", ManifestErrorIds.Empty, 0)]
        [InlineData("only comments", "# just a comment\n\n\n", ManifestErrorIds.Empty, 0)]
        [InlineData("Tags in the header", "Maintainers: A B (@ab)\nGitRepo: https://github.com/o/r.git\nTags: a\n" + Commit, ManifestErrorIds.TagsInHeader, 3)]
        [InlineData("no Maintainers", "GitRepo: https://github.com/o/r.git\n\nTags: a\n" + Commit, ManifestErrorIds.MissingMaintainers, 1)]
        [InlineData("bad maintainer", "Maintainers: nobody\n", ManifestErrorIds.InvalidMaintainer, 1)]
        [InlineData("unknown field", Header + "Tag: a\n" + Commit, ManifestErrorIds.UnknownField, 4)]
        [InlineData("bad field name", Header + "Ta gs: a\n" + Commit, ManifestErrorIds.InvalidFieldName, 4)]
        [InlineData("duplicate field", Header + "Tags: a\nTags: b\n" + Commit, ManifestErrorIds.DuplicateField, 5)]
        [InlineData("bad GitFetch", Header + "Tags: a\nGitFetch: main\n" + Commit, ManifestErrorIds.InvalidGitFetch, 5)]
        [InlineData("line-based format (before 2016-06)", "# maintainer: A B <a@b.c> (@ab)\n\n2.7.11: git://github.com/docker-library/python@0123456789abcdef0123456789abcdef01234567 2.7\n", ManifestErrorIds.LineBasedFormat, 3)]
        [InlineData("missing GitRepo", "Maintainers: A B (@ab)\n\nTags: a\n" + Commit, ManifestErrorIds.MissingGitRepo, 3)]
        public void BadInputIsRejectedWithItsErrorIdAndLine(string what, string text, string errorId, int line)
        {
            var ex = Assert.Throws<ManifestException>(() => LibraryManifest.Parse(text, "bad.txt"));
            Assert.True(errorId == ex.ErrorId, $"{what}: expected {errorId}, got {ex.ErrorId}: {ex.Message}");
            Assert.Equal(line, ex.Line);
            Assert.Equal("bad.txt", ex.File);
            Assert.StartsWith(line > 0 ? $"bad.txt:{line}: " : "bad.txt: ", ex.Message);
        }

        [Fact]
        public void ValidationOfGeneratedEntriesNamesTheEntryAndReportsEveryProblem()
        {
            var header = new ManifestHeader { Maintainers = { "A B (@ab)" }, GitRepo = "https://github.com/o/r.git" };
            var a = new PythonImage("3.14", "3.14.6", "trixie") { Directory = "3.14/trixie", Tags = new[] { "x", "y" }, Architectures = new[] { "amd64" }, GitRepo = header.GitRepo, GitCommit = "abc" };
            var b = new PythonImage("3.14", "3.14.6", "slim-trixie") { Directory = "3.14/slim-trixie", Tags = new[] { "y" }, SharedTags = new[] { "x" }, Architectures = new[] { "vax" }, GitRepo = header.GitRepo };
            var problems = LibraryManifest.Validate(header, new[] { a, b });
            Assert.Contains(problems, p => p.ErrorId == ManifestErrorIds.InvalidGitCommit && p.Entry!.Contains("3.14/trixie"));
            Assert.Contains(problems, p => p.ErrorId == ManifestErrorIds.MissingGitCommit && p.Message.Contains("3.14/slim-trixie"));
            Assert.Contains(problems, p => p.ErrorId == ManifestErrorIds.UnknownArchitecture && p.Message.Contains("vax"));
            Assert.Contains(problems, p => p.ErrorId == ManifestErrorIds.DuplicateTag && p.Message.Contains("'y'"));
            Assert.Contains(problems, p => p.ErrorId == ManifestErrorIds.SharedTagIsSimpleTag && p.Message.Contains("'x'"));
            Assert.All(problems, p => Assert.Equal(0, p.Line));
        }
    }
}
