using System;
using System.IO;
using System.Threading;
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

        // A Dockerfile removed from HEAD was last touched by the commit that removed it: that commit has no Dockerfile to build
        // (bashbrew fails there, the README links to nothing). Upstream looks up only the directories HEAD has.
        [Fact]
        public void ADockerfileThatHeadNoLongerHasGetsNoCommit()
        {
            string kept = Commit("3.14/trixie/Dockerfile", "FROM scratch\n");
            Commit("3.14/slim-trixie/Dockerfile", "FROM scratch\n");
            Git("rm", "-q", "--", "3.14/slim-trixie/Dockerfile");
            Git("commit", "-q", "-m", "drop slim-trixie");
            Commit("3.14/trixie/README", "not the Dockerfile\n");
            var result = GitCommits.LastCommits(repo, new[] { "3.14/trixie", "3.14/slim-trixie" });
            Assert.Equal(kept, result["3.14/trixie"]);
            Assert.False(result.ContainsKey("3.14/slim-trixie"), "answered with " + (result.TryGetValue("3.14/slim-trixie", out var c) ? c : null));

            // The single lookup (the batch's answers that fail the HEAD check) is held to the same rule.
            Assert.False(GitCommits.LastCommits(repo, new[] { "3.14/slim-trixie" }).ContainsKey("3.14/slim-trixie"));
        }

        private void Write(string relative, string text)
        {
            string path = Path.Combine(repo, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            Git("add", "--", relative);
        }

        // Upstream's dirCommit is `git log -1 HEAD -- <dir>/Dockerfile`, per directory. One log over all the paths simplifies
        // history for all of them at once: a merge that kept main's trixie and side's slim-trixie is TREESAME to neither parent,
        // so both sides are walked and the newer side commit (whose trixie the merge discarded) came first for trixie.
        [Fact]
        public void AMergeThatKeptOurDockerfileIsNotAnsweredWithTheDiscardedSideCommit() => MergeKeepingOurTrixieIsAnswered();

        // A user whose git shows signatures in every log (log.showSignature=true) and signs commits: git prints the
        // verification ("Good ... signature for ...") on standard output before each commit's own lines, which made the
        // answers unreadable (a GitFailed error for the merge's single-path look-ups). The module's logs turn it off.
        [Fact]
        public void SignedCommitsWithShowSignatureConfiguredAreAnsweredAsWithout()
        {
            string key = Path.Combine(repo, ".git", "signing-key");
            var keygen = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ssh-keygen", $"-q -t ed25519 -N \"\" -f \"{key}\"") { UseShellExecute = false })!;
            keygen.WaitForExit();
            Assert.Equal(0, keygen.ExitCode);
            File.WriteAllText(key + ".allowed", "test@example.invalid " + File.ReadAllText(key + ".pub"));
            Git("config", "gpg.format", "ssh");
            Git("config", "user.signingkey", key + ".pub");
            Git("config", "gpg.ssh.allowedSignersFile", key + ".allowed");
            Git("config", "commit.gpgsign", "true");
            Git("config", "log.showSignature", "true");

            MergeKeepingOurTrixieIsAnswered();

            Assert.Contains("signature", Git("log", "-1", "--format=%H", "HEAD"), StringComparison.OrdinalIgnoreCase); // git does show them here
        }

        private void MergeKeepingOurTrixieIsAnswered()
        {
            Write("3.14/trixie/Dockerfile", "base\n");
            Write("3.14/slim-trixie/Dockerfile", "base\n");
            Git("commit", "-q", "-m", "base");
            Git("branch", "side");
            Write("3.14/trixie/Dockerfile", "main\n");
            Git("commit", "-q", "-m", "main changes trixie");
            Thread.Sleep(1100); // the side branch's commits are newer (git log orders by commit date)
            Git("checkout", "-q", "side");
            Write("3.14/trixie/Dockerfile", "side\n");
            Git("commit", "-q", "-m", "side changes trixie");
            Write("3.14/slim-trixie/Dockerfile", "side\n");
            Git("commit", "-q", "-m", "side changes slim-trixie");
            Git("checkout", "-q", "main");
            Git("merge", "-q", "-X", "ours", "--no-edit", "side"); // trixie keeps main's file, slim-trixie takes side's

            var result = GitCommits.LastCommits(repo, new[] { "3.14/trixie", "3.14/slim-trixie" });

            Assert.Equal(Git("-c", "log.showSignature=false", "log", "-1", "--format=%H", "HEAD", "--", "3.14/trixie/Dockerfile"), result["3.14/trixie"]);
            Assert.Equal("main", Git("show", "--no-show-signature", result["3.14/trixie"] + ":3.14/trixie/Dockerfile")); // the Dockerfile HEAD has
            Assert.Equal(Git("-c", "log.showSignature=false", "log", "-1", "--format=%H", "HEAD", "--", "3.14/slim-trixie/Dockerfile"), result["3.14/slim-trixie"]);
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
