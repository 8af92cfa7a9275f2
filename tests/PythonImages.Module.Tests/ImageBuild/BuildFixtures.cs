using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace PythonImages.Tests.ImageBuild
{
    /// <summary>Temporary build contexts (FROM scratch + Debian's static busybox) and docker CLI helpers for cleanup/checks.</summary>
    internal sealed class Contexts : IDisposable
    {
        private readonly List<string> roots = new List<string>();

        /// <summary>A context set whose images go under pitest5[-owner]-&lt;random&gt;.</summary>
        public Contexts(string? owner = null)
        {
            Repository = "pitest5-" + (owner != null ? owner + "-" : string.Empty) + Guid.NewGuid().ToString("N")[..10];
        }

        public string Repository { get; }

        public string Create(string dockerfile, bool busybox = false, IDictionary<string, string>? files = null)
        {
            string root = Path.Combine(Path.GetTempPath(), "pitest5-mod-" + Guid.NewGuid().ToString("N")[..10]);
            Directory.CreateDirectory(root);
            roots.Add(root);
            File.WriteAllText(Path.Combine(root, "Dockerfile"), dockerfile);
            if (busybox)
            {
                // The set's name appended to the static binary (the loader ignores bytes past its segments): the
                // "COPY busybox" cache entry is this set's own, like the small images' (see Small).
                string copy = Path.Combine(root, "busybox");
                File.Copy("/bin/busybox", copy);
                File.AppendAllText(copy, "\n" + Repository + "\n");
            }

            foreach (var kv in files ?? new Dictionary<string, string>())
            {
                File.WriteAllText(Path.Combine(root, kv.Key), kv.Value);
            }

            return root;
        }

        /// <summary>
        /// A small image that builds in well under a second. Its marker file also names this context set, so that its build
        /// cache is its own: tests run in parallel against one engine, and with a cache entry shared between two tests one
        /// test's clean-up (rmi -f) could remove the intermediate image the other's build was about to use ("unable to find
        /// image"). The instructions stay those of every small image (the tests count steps).
        /// </summary>
        public string Small(string marker) => Create("FROM scratch\nCOPY marker.txt /marker.txt\nCMD [\"/marker\"]\n", files: new Dictionary<string, string> { ["marker.txt"] = marker + "\n" + Repository + "\n" });

        public string Failing() => Create("FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"false\"]\n", busybox: true);

        public void Dispose()
        {
            foreach (var r in roots)
            {
                try
                {
                    Directory.Delete(r, true);
                }
                catch (IOException)
                {
                }
            }

            foreach (var image in DockerCli.Lines("images", "--format", "{{.Repository}}:{{.Tag}}").Where(i => i.StartsWith(Repository + ":", StringComparison.Ordinal)))
            {
                DockerCli.Run("rmi", "-f", image);
            }
        }
    }

    internal static class DockerCli
    {
        public static (int Code, string Output) Run(params string[] args) => PythonImages.Tests.DockerCommand.Run(args);

        public static string[] Lines(params string[] args) =>
            Run(args).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public static bool ImageExists(string reference) => Run("image", "inspect", reference).Code == 0;
    }
}
