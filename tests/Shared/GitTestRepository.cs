using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// A throw-away git repository in the temp directory, driven through the git CLI (which must be installed).
    /// Shared by the Core and Module test projects as a linked source file (tests/Shared).
    /// </summary>
    public sealed class GitTestRepository : IDisposable
    {
        /// <summary>Creates an empty repository (branch main) in a new temp directory whose name starts with <paramref name="prefix"/>.</summary>
        public GitTestRepository(string prefix)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(Path);
            Run("init", "-q", "-b", "main");
        }

        /// <summary>The repository's working tree.</summary>
        public string Path { get; }

        /// <summary>Runs git in the repository with a fixed identity and no global config; fails the test on a non-zero exit; returns trimmed stdout.</summary>
        public string Run(params string[] args) => RunIn(Path, args);

        /// <summary>As <see cref="Run"/>, in <paramref name="directory"/> (a folder that is not, or not yet, a repository of this class).</summary>
        public static string RunIn(string directory, params string[] args)
        {
            var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-C");
            psi.ArgumentList.Add(directory);
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            psi.Environment["GIT_AUTHOR_NAME"] = psi.Environment["GIT_COMMITTER_NAME"] = "Test";
            psi.Environment["GIT_AUTHOR_EMAIL"] = psi.Environment["GIT_COMMITTER_EMAIL"] = "test@example.invalid";
            psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "git " + string.Join(" ", args) + ": " + error);
            return output.Trim();
        }

        public void Dispose()
        {
            try
            {
                // git marks object files read-only; clear that so the delete also works where it matters.
                foreach (var f in Directory.GetFiles(Path, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(f, FileAttributes.Normal);
                }

                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
