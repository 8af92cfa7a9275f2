using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>Export-PythonLibraryManifest -GitRepository against a real git repository built with the git CLI.</summary>
    public sealed class ManifestGitRepositoryTests : IDisposable
    {
        private readonly GitTestRepository git = new GitTestRepository("pyimg-git-");

        private string repo => git.Path;

        public void Dispose() => git.Dispose();

        private string Git(params string[] args) => git.Run(args);

        private string Commit(string message, params string[] dockerfiles)
        {
            foreach (var dir in dockerfiles)
            {
                string path = Path.Combine(repo, dir, "Dockerfile");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.AppendAllText(path, "# " + message + "\n");
                Git("add", "--", dir + "/Dockerfile");
            }

            if (dockerfiles.Length == 0)
            {
                File.AppendAllText(Path.Combine(repo, "README.md"), message + "\n");
                Git("add", "README.md");
            }

            Git("commit", "-q", "-m", message);
            return Git("rev-parse", "HEAD");
        }

        [Fact]
        public void GitRepositoryGivesEachDirectoryTheLastCommitThatTouchedItsDockerfile()
        {
            string c1 = Commit("all 3.14", "3.14/trixie", "3.14/slim-trixie", "3.14/alpine3.24", "3.14/windows/windowsservercore-ltsc2025");
            string c2 = Commit("trixie again", "3.14/trixie");
            Commit("readme only");
            Git("checkout", "-q", "-b", "side");
            string c4 = Commit("alpine on a branch", "3.14/alpine3.24");
            Git("checkout", "-q", "main");
            string c5 = Commit("windows", "3.14/windows/windowsservercore-ltsc2025");
            Git("merge", "-q", "--no-ff", "-m", "merge side", "side");
            Commit("readme again");
            File.WriteAllText(Path.Combine(repo, "3.14", "slim-trixie", "other-file"), "not the Dockerfile\n");
            Git("add", "-A");
            Git("commit", "-q", "-m", "a file beside the slim Dockerfile");

            var expected = new Dictionary<string, string>
            {
                ["3.14/trixie"] = c2,
                ["3.14/slim-trixie"] = c1,
                ["3.14/alpine3.24"] = c4,
                ["3.14/windows/windowsservercore-ltsc2025"] = c5,
            };

            // the oracle: git itself, one path at a time
            foreach (var kv in expected)
            {
                Assert.Equal(kv.Value, Git("log", "-1", "--format=%H", "--", kv.Key + "/Dockerfile"));
            }

            using var s = new ModuleSession();
            var r = s.Run(
                "Get-PythonTag -Version 3.14 -Variant trixie, slim-trixie, alpine3.24, windowsservercore-ltsc2025 | Export-PythonLibraryManifest -GitRepository $r -PassThru",
                new Dictionary<string, object?> { ["r"] = repo });
            Assert.True(!r.AllErrors.Any(), string.Join("\n", r.AllErrors.Select(e => e.ToString())));
            Assert.Equal(4, r.Output.Count);
            foreach (var o in r.Output)
            {
                Assert.Equal(expected[(string)o.Properties["Directory"].Value], o.Properties["GitCommit"].Value);
            }

            Assert.NotEmpty(r.Progress);
            Assert.Equal(System.Management.Automation.ProgressRecordType.Completed, r.Progress.Last().RecordType);

            var text = (string)s.Run("Get-PythonTag -Version 3.14 -Variant trixie | Export-PythonLibraryManifest -GitRepository $r", new Dictionary<string, object?> { ["r"] = repo }).Output.Single().BaseObject;
            Assert.Contains("GitCommit: " + c2 + "\nDirectory: 3.14/trixie\n", text);

            // an explicit hashtable entry wins over the repository for its directory
            var mixed = s.Run(
                "Get-PythonTag -Version 3.14 -Variant trixie, slim-trixie | Export-PythonLibraryManifest -GitRepository $r -GitCommit @{ '3.14/trixie' = $c } -PassThru",
                new Dictionary<string, object?> { ["r"] = repo, ["c"] = c5 });
            Assert.Equal(new[] { c5, c1 }, mixed.Output.Select(o => (string)o.Properties["GitCommit"].Value));
        }

        [Fact]
        public void ADirectoryNoCommitTouchedIsAnErrorNamingIt()
        {
            Commit("only trixie", "3.14/trixie");
            using var s = new ModuleSession();
            string target = Path.Combine(repo, "library-python");
            var r = s.Run(
                "Get-PythonTag -Version 3.14 -Variant trixie, slim-trixie | Export-PythonLibraryManifest -GitRepository $r -Path $t",
                new Dictionary<string, object?> { ["r"] = repo, ["t"] = target });
            var e = Assert.Single(r.Errors);
            Assert.Equal("Manifest.NoCommitForDirectory", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("3.14/slim-trixie/Dockerfile", e.ErrorDetails.Message);
            Assert.False(File.Exists(target));
        }

        [Fact]
        public void NotARepositoryIsATerminatingGitError()
        {
            string plain = Path.Combine(Path.GetTempPath(), "pyimg-nogit-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(plain);
            try
            {
                using var s = new ModuleSession();
                var r = s.Run("Get-PythonTag -Name 3.14-trixie | Export-PythonLibraryManifest -GitRepository $r", new Dictionary<string, object?> { ["r"] = plain });
                // statement-terminating: the pipeline stops with this one error and writes nothing
                var e = Assert.Single(r.AllErrors);
                Assert.Empty(r.Output);
                Assert.Equal("Manifest.GitFailed", e.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(System.Management.Automation.ErrorCategory.ReadError, e.CategoryInfo.Category);
                Assert.Contains(plain, e.ErrorDetails.Message);
                Assert.Contains("-GitRepository", e.ErrorDetails.RecommendedAction);

                var missing = s.Run("Get-PythonTag -Name 3.14-trixie | Export-PythonLibraryManifest -GitRepository $r", new Dictionary<string, object?> { ["r"] = Path.Combine(plain, "nope") });
                Assert.Equal("Manifest.GitRepositoryNotFound", missing.AllErrors.Single().FullyQualifiedErrorId.Split(',')[0]);
            }

            finally
            {
                Directory.Delete(plain, true);
            }
        }
    }
}
