using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Linq;
using System.Text;

namespace PythonImages
{
    /// <summary>
    /// The commit that last touched each image's Dockerfile in a git repository of generated Dockerfiles, found with the
    /// git CLI, as upstream's <c>git log -1 HEAD -- &lt;dir&gt;/Dockerfile</c> finds it. One <c>git log --name-only</c> over all
    /// the paths answers most directories at once; an answer whose Dockerfile differs from HEAD's (the batch's merged history
    /// simplification walked a side a merge discarded) and any path it leaves unanswered (merge commits list no files) is
    /// asked with <c>git log -1 -- &lt;path&gt;</c> on its own.
    /// </summary>
    public static class GitCommits
    {
        private static readonly string[] RevParseHead = { "rev-parse", "--verify", "--quiet", "HEAD^{commit}" };

        private static readonly char[] CharactersToQuote = { ' ', '\t', '"', '\\', '\n' };

        /// <summary>Maps each directory to the last commit that touched &lt;directory&gt;/&lt;file&gt;; directories nothing touched are absent.</summary>
        /// <param name="repository">A git work tree with at least one commit.</param>
        /// <param name="directories">The manifest directories ('.' for the repository root).</param>
        /// <param name="file">The file within each directory whose history counts.</param>
        public static IReadOnlyDictionary<string, string> LastCommits(string repository, IEnumerable<string> directories, string file = "Dockerfile") =>
            LastCommits(repository, directories, file, "git");

        /// <summary>As <see cref="LastCommits(string, IEnumerable{string}, string)"/>, running <paramref name="gitExecutable"/> (a PATH name or a full path).</summary>
        internal static IReadOnlyDictionary<string, string> LastCommits(string repository, IEnumerable<string> directories, string file, string gitExecutable)
        {
            var byPath = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var dir in directories.Distinct(StringComparer.Ordinal))
            {
                string path = dir == "." || dir.Length == 0 ? file : dir.TrimEnd('/') + "/" + file;
                byPath[path] = dir;
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (byPath.Count == 0)
            {
                return result;
            }

            // Is this a work tree with at least one commit? Gives a clear error instead of a confusing log failure.
            Run(gitExecutable, repository, RevParseHead, "has no commit (HEAD does not exist) or is not a git repository");
            KeepPathsAtHead(gitExecutable, repository, byPath);
            if (byPath.Count == 0)
            {
                return result;
            }

            var args = new List<string> { "-c", "core.quotepath=off", "log", "--format=%x01%H", "--name-only", "--relative", "HEAD", "--" };
            args.AddRange(byPath.Keys);
            string output = Run(gitExecutable, repository, args, "could not be read with git log");
            string? commit = null;
            foreach (var raw in output.Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                if (line.StartsWith("\u0001", StringComparison.Ordinal))
                {
                    commit = line.Substring(1).Trim();
                    continue;
                }

                if (line.Length == 0 || commit == null)
                {
                    continue;
                }

                if (byPath.TryGetValue(line, out var dir) && !result.ContainsKey(dir))
                {
                    result[dir] = commit;
                }
            }

            // The batch walks one history simplified for all the paths at once: at a merge that kept one path's Dockerfile
            // from one parent and another's from the other, both parents are walked, and the newest commit that touched a
            // path may be on a side whose Dockerfile the merge discarded. `git log -1 -- <path>` (upstream's per-directory
            // lookup) follows the parent the merge kept. An answer stands only when its Dockerfile is the one HEAD has
            // (no difference between the commit and HEAD at that path, one diff-tree per distinct commit); the rest are
            // asked on their own.
            foreach (var group in byPath.Where(kv => result.ContainsKey(kv.Value)).GroupBy(kv => result[kv.Value], StringComparer.Ordinal).ToList())
            {
                var diffArgs = new List<string> { "diff-tree", "-r", "-z", "--name-only", "--no-renames", "--relative", group.Key, "HEAD", "--" };
                diffArgs.AddRange(group.Select(kv => kv.Key));
                string changed = Run(gitExecutable, repository, diffArgs, "could not be read with git diff-tree");
                foreach (var path in changed.Split('\0'))
                {
                    if (byPath.TryGetValue(path, out var dir))
                    {
                        result.Remove(dir);
                    }
                }
            }

            foreach (var kv in byPath.Where(kv => !result.ContainsKey(kv.Value)))
            {
                string single = Run(gitExecutable, repository, new[] { "log", "-1", "--format=%H", "HEAD", "--", kv.Key }, "could not be read with git log").Trim();
                if (single.Length > 0)
                {
                    result[kv.Value] = single;
                }
            }

            return result;
        }

        /// <summary>
        /// Removes the paths HEAD does not have: the last commit that touched a Dockerfile HEAD no longer has is the one that
        /// removed it, which has no Dockerfile to build (upstream looks up the directories that exist).
        /// </summary>
        private static void KeepPathsAtHead(string gitExecutable, string repository, Dictionary<string, string> byPath)
        {
            var listArgs = new List<string> { "ls-tree", "-r", "-z", "--name-only", "HEAD", "--" };
            listArgs.AddRange(byPath.Keys);
            var atHead = new HashSet<string>(Run(gitExecutable, repository, listArgs, "could not be read with git ls-tree").Split('\0'), StringComparer.Ordinal);
            foreach (var gone in byPath.Keys.Where(p => !atHead.Contains(p)).ToList())
            {
                byPath.Remove(gone);
            }
        }

        private static string Run(string gitExecutable, string repository, IEnumerable<string> args, string failure)
        {
            var psi = new ProcessStartInfo(gitExecutable)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
                StandardOutputEncoding = new UTF8Encoding(false),
                StandardErrorEncoding = new UTF8Encoding(false),
            };
            // Literal pathspecs: a directory name is never read as pathspec magic (":(exclude)...", globs). No signatures:
            // a user's log.showSignature=true puts their verification on standard output, before a commit's own lines.
            psi.Arguments = string.Join(" ", new[] { "--literal-pathspecs", "-c", "log.showSignature=false", "-C", repository }.Concat(args).Select(Quote));
            psi.EnvironmentVariables["GIT_TERMINAL_PROMPT"] = "0";
            psi.EnvironmentVariables["LC_ALL"] = "C";

            Process process;
            try
            {
                process = Process.Start(psi) ?? throw new Win32Exception("git did not start");
            }
            catch (Win32Exception ex)
            {
                throw new ManifestException(
                    ManifestErrorIds.GitNotFound,
                    $"Could not run '{gitExecutable}' ({ex.Message}); install git or put it on PATH.",
                    null,
                    0,
                    null,
                    ex);
            }

            using (process)
            {
                var stderr = new StringBuilder();
                process.ErrorDataReceived += (_, e) =>
                {
                    if (e.Data != null)
                    {
                        lock (stderr)
                        {
                            stderr.AppendLine(e.Data);
                        }
                    }
                };
                process.BeginErrorReadLine();
                string stdout = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    string err;
                    lock (stderr)
                    {
                        err = stderr.ToString().Trim();
                    }

                    throw new ManifestException(
                        ManifestErrorIds.GitFailed,
                        $"The git repository '{repository}' {failure}: git exited with {process.ExitCode}" + (err.Length > 0 ? ": " + err : "."),
                        null,
                        0);
                }

                return stdout;
            }
        }

        /// <summary>Quotes one argument for ProcessStartInfo.Arguments (MSVC rules, which .NET also applies on Unix).</summary>
        internal static string Quote(string arg)
        {
            if (arg.Length > 0 && arg.IndexOfAny(CharactersToQuote) < 0)
            {
                return arg;
            }

            var sb = new StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in arg)
            {
                if (c == '\\')
                {
                    backslashes++;
                    continue;
                }

                if (c == '"')
                {
                    sb.Append('\\', backslashes * 2 + 1).Append('"');
                }
                else
                {
                    sb.Append('\\', backslashes).Append(c);
                }

                backslashes = 0;
            }

            sb.Append('\\', backslashes * 2).Append('"');
            return sb.ToString();
        }
    }
}
