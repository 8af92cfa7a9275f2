using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using PythonImages;

// Manifest benchmark: parse / write / render of the reference manifests, and the git commit lookup
// (one batched git log vs one git log per directory) on a synthetic repository of 42 Dockerfiles.
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.Manifest [-- <commits-per-dockerfile>]
internal static class Program
{
    private static int Main(string[] args)
    {
        string root = BenchKit.RepoRoot();
        string m2026 = File.ReadAllText(Path.Combine(root, "tests", "fixtures", "library-python-2026-06.txt"));
        string m2019 = File.ReadAllText(Path.Combine(root, "tests", "fixtures", "library-python-2019-04.txt"));

        Measure("parse 2026 manifest (42 entries)", 2000, () => LibraryManifest.Parse(m2026));
        Measure("parse 2019 manifest (37 entries)", 2000, () => LibraryManifest.Parse(m2019));
        // A manifest at the size limit (4 MiB, what a hostile file may be): entries like the real ones, distinct.
        string limit = AtTheLimit(out int entries);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Measure($"parse a manifest at the 4 MiB limit ({entries} entries)", 5, () => LibraryManifest.Parse(limit));
        Console.WriteLine($"{"  allocated per parse",-62} {(GC.GetAllocatedBytesForCurrentThread() - before) / 6 / 1e6,10:F1} MB");
        var parsed = LibraryManifest.Parse(m2026);
        Measure("write 2026 manifest", 2000, () => LibraryManifest.Write(parsed.Header, parsed.Images));
        Measure("render Spaced tags block + architectures", 2000, () => TagMarkdown.Render(parsed.Images, TagMarkdownFormat.Spaced));

        int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
        string repo = Path.Combine(Path.GetTempPath(), "pyimg-bench-git-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var dirs = parsed.Images.Select(i => i.Directory).ToList();
            BuildRepository(repo, dirs, rounds);
            IReadOnlyDictionary<string, string>? batched = null;
            Measure($"git: batched lookup, {dirs.Count} Dockerfiles x {rounds} commits", 5, () => batched = GitCommits.LastCommits(repo, dirs));
            var single = new Dictionary<string, string>();
            Measure($"git: one git log per directory ({dirs.Count} processes)", 5, () =>
            {
                foreach (var d in dirs)
                {
                    single[d] = Git(repo, "log", "-1", "--format=%H", "--", d + "/Dockerfile");
                }
            });
            bool same = dirs.All(d => batched![d] == single[d]);
            Console.WriteLine($"batched and per-directory results agree: {same}");
            return same ? 0 : 1;
        }
        finally
        {
            try
            {
                Directory.Delete(repo, true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Measure(string name, int iterations, Action action)
    {
        action(); // warm-up
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            action();
        }

        sw.Stop();
        Console.WriteLine($"{name,-62} {sw.Elapsed.TotalMilliseconds / iterations,10:F3} ms/op  ({iterations} ops)");
    }

    private static string AtTheLimit(out int entries)
    {
        var sb = new System.Text.StringBuilder("Maintainers: A B <a@b.c> (@ab)\nGitRepo: https://github.com/docker-library/python.git\nBuilder: buildkit\n");
        entries = 0;
        while (true)
        {
            string entry = $"\nTags: 9.{entries}.1-trixie, 9.{entries}-trixie\nSharedTags: 9.{entries}.1, 9.{entries}\n" +
                "Architectures: amd64, arm32v5, arm32v7, arm64v8, i386, ppc64le, riscv64, s390x\n" +
                $"GitCommit: 4f07059567fa61c80397126e8063dbbde011b794\nDirectory: 9.{entries}/trixie\n";
            if (sb.Length + entry.Length > LibraryManifest.MaxChars)
            {
                return sb.ToString();
            }

            sb.Append(entry);
            entries++;
        }
    }

    private static void BuildRepository(string repo, IReadOnlyList<string> dirs, int rounds)
    {
        Directory.CreateDirectory(repo);
        Git(repo, "init", "-q", "-b", "main");
        var random = new Random(42);
        for (int round = 0; round < rounds; round++)
        {
            foreach (var d in dirs.Where(_ => round == 0 || random.Next(3) == 0))
            {
                string path = Path.Combine(repo, d, "Dockerfile");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.AppendAllText(path, $"# round {round}\n");
                Git(repo, "add", "--", d + "/Dockerfile");
                Git(repo, "commit", "-q", "-m", $"{d} round {round}");
            }
        }
    }

    private static string Git(string repo, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-C");
        psi.ArgumentList.Add(repo);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["GIT_AUTHOR_NAME"] = psi.Environment["GIT_COMMITTER_NAME"] = "Bench";
        psi.Environment["GIT_AUTHOR_EMAIL"] = psi.Environment["GIT_COMMITTER_EMAIL"] = "bench@example.invalid";
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output.Trim();
    }

}
