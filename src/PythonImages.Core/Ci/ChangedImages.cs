using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Linq;
using System.Text;
using PythonImages.Security;

namespace PythonImages.Ci
{
    /// <summary>
    /// -ChangedSince: the images whose build inputs changed since a git revision. An image changed when a file under
    /// &lt;ImagesPath&gt;/&lt;Directory&gt;/ differs from the revision (its Dockerfile or anything else in its build context,
    /// untracked files included), or when its matrix entry did: the matrix file at the revision gives no image for that
    /// Directory, or one with another version, base image, tags, architectures, constraints, builder or checksums.
    /// </summary>
    public static class ChangedImages
    {
        private static readonly string[] GitDir = { "rev-parse", "--git-dir" };
        private static readonly char[] Nul = { '\0' };

        /// <summary>The images of <paramref name="images"/> that changed since <paramref name="revision"/>, in their order.</summary>
        /// <param name="images">The candidates (already checked by <see cref="BuildPlanner"/>'s grammars or from the matrix).</param>
        /// <param name="repository">The git work tree; <paramref name="imagesPath"/> and <paramref name="matrixFile"/> are relative to it.</param>
        /// <param name="revision">A branch, tag or commit (checked against <see cref="CiGrammar.GitRevision"/>).</param>
        /// <param name="imagesPath">The folder of the Dockerfiles inside the repository ('.' for its root).</param>
        /// <param name="matrixFile">The matrix file inside the repository; null when the images come from the embedded matrix.</param>
        /// <param name="gitExecutable">git, by PATH name or full path.</param>
        public static IReadOnlyList<PythonImage> Filter(IReadOnlyList<PythonImage> images, string repository, string revision, string imagesPath, string? matrixFile, string gitExecutable = "git")
        {
            if (CiGrammar.GitRevision.Why(revision) is { } why)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.InvalidRevision, $"-ChangedSince '{InputGrammar.Show(revision)}' is not accepted: {why}.", revision);
            }

            var git = new Git(gitExecutable, repository);
            var resolved = git.Run(new[] { "rev-parse", "--verify", "--quiet", revision + "^{commit}" }, 1 << 16);
            if (resolved.ExitCode != 0)
            {
                if (git.Run(GitDir, 1 << 16).ExitCode != 0)
                {
                    throw new BuildMatrixException(BuildMatrixErrorIds.GitFailed, $"'{repository}' is not a git work tree.", repository);
                }

                throw new BuildMatrixException(BuildMatrixErrorIds.RevisionNotFound, $"The revision '{revision}' does not exist in {repository}.", revision);
            }

            string commit = resolved.Output.Trim();
            if (InputGrammar.GitCommit.Why(commit) != null)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.GitFailed, $"git rev-parse answered '{InputGrammar.Show(commit)}' for '{revision}', which is not a commit id.", revision);
            }

            string scope = imagesPath == "." ? "." : imagesPath;
            var changed = new HashSet<string>(StringComparer.Ordinal);
            var diff = new List<string> { "-c", "core.quotepath=off", "diff", "--name-only", "--no-renames", "--relative", "-z", commit, "--", scope };
            var untracked = new List<string> { "-c", "core.quotepath=off", "ls-files", "-z", "--others", "--exclude-standard", "--", scope };
            foreach (var args in new[] { diff, untracked })
            {
                var r = git.Run(args, 64 << 20);
                if (r.ExitCode != 0)
                {
                    throw new BuildMatrixException(BuildMatrixErrorIds.GitFailed, $"git {args[2]} failed in {repository} (exit {r.ExitCode}): {InputGrammar.Show(r.Error.Trim())}", repository);
                }

                foreach (var path in r.Output.Split(Nul, StringSplitOptions.RemoveEmptyEntries))
                {
                    changed.Add(path);
                }
            }

            string prefix = imagesPath == "." ? string.Empty : imagesPath.TrimEnd('/') + "/";
            Dictionary<string, string>? oldEntries = matrixFile == null ? null : OldFingerprints(git, commit, revision, matrixFile);
            var touched = TouchedFolders(images.Select(image => prefix + image.Directory), changed);
            return images.Where(image =>
                touched.Contains(prefix + image.Directory)
                || (oldEntries != null && (!oldEntries.TryGetValue(image.Directory, out var old) || old != Fingerprint(image)))).ToList();
        }

        /// <summary>
        /// The <paramref name="folders"/> that hold one of the <paramref name="changedPaths"/> (at any depth). Each path is
        /// looked at once, up to the length of the longest folder: a diff of a million files against a matrix of thousands
        /// of images is not a million times thousands of comparisons.
        /// </summary>
        internal static HashSet<string> TouchedFolders(IEnumerable<string> folders, IEnumerable<string> changedPaths)
        {
            var wanted = new HashSet<string>(folders, StringComparer.Ordinal);
            int longest = wanted.Count == 0 ? -1 : wanted.Max(f => f.Length);
            var lengths = new bool[longest + 1]; // a prefix is cut (a string made) only at a length some folder has
            foreach (string f in wanted)
            {
                lengths[f.Length] = true;
            }

            var touched = new HashSet<string>(StringComparer.Ordinal);
            foreach (string path in changedPaths)
            {
                for (int slash = path.IndexOf('/'); slash >= 0 && slash <= longest; slash = path.IndexOf('/', slash + 1))
                {
                    if (lengths[slash] && wanted.Contains(path.Substring(0, slash)))
                    {
                        touched.Add(path.Substring(0, slash));
                    }
                }
            }

            return touched;
        }

        /// <summary>Directory → fingerprint of every image of the matrix file at <paramref name="commit"/>; empty when the file did not exist there.</summary>
        private static Dictionary<string, string> OldFingerprints(Git git, string commit, string revision, string matrixFile)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            var shown = git.Run(new[] { "show", commit + ":./" + matrixFile }, MatrixLoader.MaxFileBytes + 1);
            if (shown.ExitCode != 0)
            {
                return result; // not in that revision: every image of the matrix is new
            }

            IReadOnlyList<PythonImage> old;
            try
            {
                old = TagRules.Compute(MatrixLoader.Parse(shown.Output, revision + ":" + matrixFile, MatrixLoader.Default.Architectures));
            }
            catch (MatrixException ex)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.OldMatrixInvalid, $"The matrix file {matrixFile} at {revision} cannot be read: {ex.Message}", revision, inner: ex);
            }

            foreach (var image in old)
            {
                result[image.Directory] = Fingerprint(image);
            }

            return result;
        }

        /// <summary>What of a matrix entry reaches an image's build: version, base image, tags, architectures, constraints, builder, checksums.</summary>
        internal static string Fingerprint(PythonImage i)
        {
            var r = i.Release;
            return string.Join(
                "\n",
                i.Version,
                i.Variant,
                i.BaseImage ?? string.Empty,
                string.Join(",", i.Tags),
                string.Join(",", i.SharedTags),
                string.Join(",", i.ArchitectureList),
                string.Join(",", i.Constraints),
                i.Builder ?? string.Empty,
                r?.SourceSha256 ?? string.Empty,
                r?.WindowsSha256 ?? string.Empty,
                r?.SetuptoolsVersion ?? string.Empty,
                r?.GpgKey ?? string.Empty);
        }

        /// <summary>git, run like <see cref="GitCommits"/> runs it (literal pathspecs, no prompt, C locale), with a bounded output.</summary>
        private sealed class Git
        {
            private readonly string executable;
            private readonly string repository;

            public Git(string executable, string repository)
            {
                this.executable = executable;
                this.repository = repository;
            }

            public (int ExitCode, string Output, string Error) Run(IEnumerable<string> args, int maxChars)
            {
                var psi = new ProcessStartInfo(executable)
                {
                    UseShellExecute = false,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    RedirectStandardInput = true,
                    CreateNoWindow = true,
                    StandardOutputEncoding = new UTF8Encoding(false),
                    StandardErrorEncoding = new UTF8Encoding(false),
                };
                psi.Arguments = string.Join(" ", new[] { "--literal-pathspecs", "-C", repository }.Concat(args).Select(GitCommits.Quote));
                psi.EnvironmentVariables["GIT_TERMINAL_PROMPT"] = "0";
                psi.EnvironmentVariables["LC_ALL"] = "C";

                Process process;
                try
                {
                    process = Process.Start(psi) ?? throw new Win32Exception("git did not start");
                }
                catch (Win32Exception ex)
                {
                    throw new BuildMatrixException(BuildMatrixErrorIds.GitNotFound, $"Could not run '{executable}' ({ex.Message}); install git or put it on PATH.", executable, inner: ex);
                }

                using (process)
                {
                    process.StandardInput.Close();
                    var stderr = new StringBuilder();
                    process.ErrorDataReceived += (_, e) =>
                    {
                        if (e.Data != null)
                        {
                            lock (stderr)
                            {
                                if (stderr.Length < 4096)
                                {
                                    stderr.AppendLine(e.Data);
                                }
                            }
                        }
                    };
                    process.BeginErrorReadLine();
                    var stdout = new StringBuilder();
                    var buffer = new char[8192];
                    int n;
                    while ((n = process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        if (stdout.Length < maxChars)
                        {
                            stdout.Append(buffer, 0, Math.Min(n, maxChars - stdout.Length));
                        }
                    }

                    process.WaitForExit();
                    lock (stderr)
                    {
                        return (process.ExitCode, stdout.ToString(), stderr.ToString());
                    }
                }
            }
        }
    }
}
