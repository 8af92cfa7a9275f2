using System;
using System.IO;
using Xunit;

namespace PythonImages.Tests.Manifest
{
    /// <summary>GitCommits against real git repositories (the git CLI must be installed).</summary>
    public sealed class GitCommitsTests : IDisposable
    {
        private readonly GitTestRepository git = new GitTestRepository("pyimg core git ");

        private string repo => git.Path;

        public void Dispose() => git.Dispose();

        private string Git(params string[] args) => git.Run(args);

        private string Commit(string relative, string text)
        {
            string path = Path.Combine(repo, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.AppendAllText(path, text);
            Git("add", "--", relative);
            Git("commit", "-q", "-m", relative);
            return Git("rev-parse", "HEAD");
        }

        [Fact]
        public void PathsWithSpacesAndTheRootDirectoryAreAnswered()
        {
            string root = Commit("Dockerfile", "FROM scratch\n");
            string spaced = Commit("3.14/odd dir/Dockerfile", "FROM scratch\n");
            Commit("3.14/odd dir/Dockerfile.extra", "not it\n");
            var result = GitCommits.LastCommits(repo, new[] { ".", "3.14/odd dir", "3.14/absent" });
            Assert.Equal(root, result["."]);
            Assert.Equal(spaced, result["3.14/odd dir"]);
            Assert.False(result.ContainsKey("3.14/absent"));
        }

        [Fact]
        public void ARepositoryWithoutCommitsIsAGitFailure()
        {
            var ex = Assert.Throws<ManifestException>(() => GitCommits.LastCommits(repo, new[] { "3.14/trixie" }));
            Assert.Equal(ManifestErrorIds.GitFailed, ex.ErrorId);
            Assert.Contains(repo, ex.Message);
        }

        [Fact]
        public void AMissingGitExecutableIsGitNotFound()
        {
            Commit("Dockerfile", "x\n");
            var ex = Assert.Throws<ManifestException>(() => GitCommits.LastCommits(repo, new[] { "." }, "Dockerfile", Path.Combine(repo, "no-such-git")));
            Assert.Equal(ManifestErrorIds.GitNotFound, ex.ErrorId);
        }

        [Theory]
        [InlineData("plain", "plain")]
        [InlineData("two words", "\"two words\"")]
        [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
        [InlineData("trailing\\", "\"trailing\\\\\"")]
        [InlineData("", "\"\"")]
        public void ArgumentsAreQuoted(string arg, string quoted) => Assert.Equal(quoted, GitCommits.Quote(arg));
    }
}
