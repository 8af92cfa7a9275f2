using System;
using System.IO;
using System.Linq;
using PythonImages.Ci;
using Xunit;

namespace PythonImages.Tests.Ci
{
    /// <summary>-ChangedSince against a real temporary git repository: Dockerfile folders and matrix entries.</summary>
    public sealed class ChangedImagesTests : IDisposable
    {
        private readonly GitTestRepository git = new GitTestRepository("pi-h14-changed-");

        public void Dispose() => git.Dispose();

        private static string EmbeddedMatrixText()
        {
            using var stream = typeof(MatrixLoader).Assembly.GetManifestResourceStream("PythonImages.matrix.yaml")!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        private void Write(string relative, string content)
        {
            string full = Path.Combine(git.Path, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }

        /// <summary>A repository with images/&lt;dir&gt;/Dockerfile for every image and the matrix as matrix.yaml, committed; returns the images.</summary>
        private System.Collections.Generic.IReadOnlyList<PythonImage> Seed()
        {
            var images = TagRules.Compute(MatrixLoader.Parse(EmbeddedMatrixText(), "matrix.yaml", MatrixLoader.Default.Architectures));
            foreach (var image in images)
            {
                Write("images/" + image.Directory + "/Dockerfile", "FROM " + image.BaseImage + "\n");
            }

            Write("matrix.yaml", EmbeddedMatrixText());
            git.Run("add", "-A");
            git.Run("commit", "-q", "-m", "seed");
            git.Run("tag", "v1");
            return images;
        }

        private System.Collections.Generic.IReadOnlyList<PythonImage> Current() =>
            TagRules.Compute(MatrixLoader.LoadFile(Path.Combine(git.Path, "matrix.yaml")));

        [Fact]
        public void NothingChangedGivesNoImage()
        {
            var images = Seed();
            Assert.Empty(ChangedImages.Filter(images, git.Path, "v1", "images", "matrix.yaml"));
            Assert.Empty(ChangedImages.Filter(images, git.Path, "HEAD", "images", "matrix.yaml"));
        }

        [Fact]
        public void AChangedDockerfileFolderGivesItsImageOnly()
        {
            var images = Seed();
            Write("images/3.13/slim-bookworm/Dockerfile", "FROM debian:bookworm-slim\nRUN true\n");
            git.Run("commit", "-q", "-am", "one Dockerfile");
            Write("images/3.12/alpine3.23/new-file.sh", "echo\n"); // untracked file in a build context
            Write("README.md", "not an image\n");
            var changed = ChangedImages.Filter(images, git.Path, "v1", "images", "matrix.yaml");
            Assert.Equal(new[] { "3.13/slim-bookworm", "3.12/alpine3.23" }.OrderBy(d => d, StringComparer.Ordinal), changed.Select(i => i.Directory).OrderBy(d => d, StringComparer.Ordinal));

            // 3.13/trixie is no prefix match for 3.13/trixie-something, and HEAD~0 of the commit sees only the untracked file.
            Assert.Equal(new[] { "3.12/alpine3.23" }, ChangedImages.Filter(images, git.Path, "HEAD", "images", "matrix.yaml").Select(i => i.Directory));
            Assert.Equal(new[] { "3.13/slim-bookworm", "3.12/alpine3.23" }.OrderBy(d => d, StringComparer.Ordinal), ChangedImages.Filter(images, git.Path, "HEAD~1", "images", "matrix.yaml").Select(i => i.Directory).OrderBy(d => d, StringComparer.Ordinal));
        }

        [Fact]
        public void AChangedMatrixEntryGivesTheImagesOfThatVersion()
        {
            Seed();
            string text = EmbeddedMatrixText();
            Assert.Contains("version: 3.13.14\n", text, StringComparison.Ordinal);
            Write("matrix.yaml", text.Replace("version: 3.13.14\n", "version: 3.13.15\n", StringComparison.Ordinal));
            git.Run("commit", "-q", "-am", "3.13.15");
            var now = Current();
            var changed = ChangedImages.Filter(now, git.Path, "v1", "images", "matrix.yaml");
            var expected = now.Where(i => i.VersionKey == "3.13").Select(i => i.Directory).ToList();
            Assert.Equal(8, expected.Count);
            Assert.Equal(expected, changed.Select(i => i.Directory));

            // Without the matrix file (the embedded matrix), only Dockerfile folders count.
            Assert.Empty(ChangedImages.Filter(now, git.Path, "v1", "images", null));
        }

        [Fact]
        public void AMatrixFileThatDidNotExistMakesEveryImageNew()
        {
            var images = Seed();
            git.Run("mv", "matrix.yaml", "matrix2.yaml");
            git.Run("commit", "-q", "-m", "rename");
            Assert.Equal(images.Count, ChangedImages.Filter(images, git.Path, "v1", "images", "matrix2.yaml").Count);
        }

        [Theory]
        [InlineData("--output=/tmp/pi-h14-pwned")]
        [InlineData("-p")]
        [InlineData("HEAD..main")]
        [InlineData("HEAD:matrix.yaml")]
        [InlineData("HEAD@{1}")]
        [InlineData("$(touch /tmp/pi-h14-pwned)")]
        [InlineData("main; touch /tmp/pi-h14-pwned")]
        [InlineData("a\nb")]
        [InlineData("")]
        public void ARevisionOutsideTheGrammarIsRefusedBeforeGitRuns(string revision)
        {
            // No repository at all: git never runs, or this would be GitFailed.
            var ex = Assert.Throws<BuildMatrixException>(() => ChangedImages.Filter(Array.Empty<PythonImage>(), "/nonexistent-pi-h14", revision, ".", null, "/nonexistent/git"));
            Assert.Equal(BuildMatrixErrorIds.InvalidRevision, ex.ErrorId);
            Assert.False(File.Exists("/tmp/pi-h14-pwned"));
        }

        [Fact]
        public void AMissingRevisionGitAndRepositoryHaveTheirOwnErrors()
        {
            var images = Seed();
            Assert.Equal(BuildMatrixErrorIds.RevisionNotFound, Assert.Throws<BuildMatrixException>(() => ChangedImages.Filter(images, git.Path, "no-such-branch", "images", null)).ErrorId);
            Assert.Equal(BuildMatrixErrorIds.GitNotFound, Assert.Throws<BuildMatrixException>(() => ChangedImages.Filter(images, git.Path, "v1", "images", null, "/nonexistent/git")).ErrorId);
            string notARepo = Path.Combine(Path.GetTempPath(), "pi-h14-norepo-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(notARepo);
            try
            {
                Assert.Equal(BuildMatrixErrorIds.GitFailed, Assert.Throws<BuildMatrixException>(() => ChangedImages.Filter(images, notARepo, "v1", "images", null)).ErrorId);
            }
            finally
            {
                Directory.Delete(notARepo);
            }
        }
    }
}
