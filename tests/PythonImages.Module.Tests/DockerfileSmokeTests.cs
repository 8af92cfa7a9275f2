using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// Generated Linux Dockerfiles against the real engine (debian:bookworm-slim is the only base image here, and
    /// the network is reachable for apt inside builds only): the runtime-dependency step really runs, the build
    /// dependency names resolve in bookworm, every RUN script is valid for Debian's /bin/sh, and the links step works.
    /// </summary>
    public class DockerfileSmokeTests
    {
        private static (int Code, string Output) Docker(string? workingDirectory, params string[] arguments)
        {
            const int timeoutSeconds = 900;
            var psi = new ProcessStartInfo("docker")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            };
            foreach (var a in arguments)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(timeoutSeconds * 1000))
            {
                p.Kill(true);
                throw new TimeoutException("docker " + string.Join(" ", arguments));
            }

            return (p.ExitCode, stdout + stderr.Result);
        }

        /// <summary>The lines of a Dockerfile up to the end of its first RUN instruction.</summary>
        private static string ThroughFirstRun(string dockerfile)
        {
            var lines = dockerfile.Split('\n');
            int i = Array.FindIndex(lines, l => l.StartsWith("RUN ", StringComparison.Ordinal));
            while (lines[i].EndsWith('\\') || lines[i + 1].TrimStart().StartsWith('#'))
            {
                i++;
            }

            return string.Join("\n", lines.Take(i + 1)) + "\n";
        }

        /// <summary>Each RUN's command as Docker hands it to /bin/sh -c: continuation lines joined, comment lines dropped.</summary>
        private static IEnumerable<string> RunScripts(string dockerfile)
        {
            var lines = dockerfile.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith("RUN ", StringComparison.Ordinal))
                {
                    continue;
                }

                var parts = new List<string>();
                string current = lines[i].Substring(4);
                while (true)
                {
                    if (!current.EndsWith('\\'))
                    {
                        parts.Add(current);
                        break;
                    }

                    parts.Add(current.Substring(0, current.Length - 1));
                    do
                    {
                        current = lines[++i];
                    }
                    while (current.TrimStart().StartsWith('#'));
                }

                yield return string.Concat(parts);
            }
        }

        [DockerFact]
        public void SlimBookwormRuntimeStepBuildsAndItsBuildDependenciesResolve()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            string dockerfile = (string)s.Run("Get-PythonDockerfile -Version 3.14 -Variant slim-bookworm -Raw").Output.Single().BaseObject;
            string build = RunScripts(dockerfile).ElementAt(1);
            int start = build.IndexOf("apt-get install -y --no-install-recommends", StringComparison.Ordinal);
            string packages = build.Substring(start + 42, build.IndexOf(';', start) - start - 42).Trim();
            Assert.Contains("libzstd-dev", packages);

            // The generated first instructions, plus a dry run of the build-dependency install on top.
            File.WriteAllText(Path.Combine(tmp.Path, "Dockerfile"), ThroughFirstRun(dockerfile)
                + "RUN set -eux; apt-get update; apt-get install -s -y --no-install-recommends " + packages + " > /tmp/plan; grep -c '^Inst ' /tmp/plan; rm -rf /var/lib/apt/lists/*\n");
            string tag = "pi-issue4-smoke-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                var b = Docker(tmp.Path, "build", "--network", "host", "--no-cache", "-t", tag, ".");
                Assert.True(b.Code == 0, b.Output);
                var q = Docker(null, "run", "--rm", "--network", "none", tag, "sh", "-c", "dpkg-query -W -f '${Package}\\n' ca-certificates netbase tzdata; ls /var/lib/apt/lists | wc -l; echo PATH=$PATH");
                Assert.True(q.Code == 0, q.Output);
                Assert.Contains("ca-certificates\nnetbase\ntzdata\n", q.Output);
                Assert.Contains("\n0\n", q.Output); // apt lists removed (bookworm cleanup)
                Assert.Contains("PATH=/usr/local/bin:", q.Output);
            }
            finally
            {
                Docker(null, "rmi", "-f", tag);
            }
        }

        [DockerFact]
        public void EveryLinuxRunScriptIsValidShAndTheLinksStepWorks()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            var files = s.Run("Get-PythonTag -OS Linux | Get-PythonDockerfile").Output;
            Assert.Equal(36, files.Count);
            int n = 0;
            foreach (var f in files)
            {
                foreach (var script in RunScripts((string)f.Properties["Content"].Value))
                {
                    File.WriteAllText(Path.Combine(tmp.Path, $"run{n++:D3}.sh"), script + "\n");
                }
            }

            Assert.Equal(36 * 3, n);
            string links = RunScripts((string)files[0].Properties["Content"].Value).Last();
            File.WriteAllText(Path.Combine(tmp.Path, "links.sh"), links + "\n");
            const string fakeCommands = "mkdir -p /usr/local/bin; for c in idle3 pip3 pydoc3 python3 python3-config; do echo x > /usr/local/bin/$c; done; ";
            var r = Docker(null, "run", "--rm", "--network", "none", "-v", tmp.Path + ":/scripts:ro", "debian:bookworm-slim", "sh", "-c",
                "for f in /scripts/run*.sh; do sh -n \"$f\" || { echo BAD $f; exit 1; }; done; echo checked; "
                + fakeCommands + "sh -c \"$(cat /scripts/links.sh)\" && ls -l /usr/local/bin");
            Assert.True(r.Code == 0, r.Output);
            Assert.Contains("checked\n", r.Output);
            foreach (var (name, target) in new[] { ("idle", "idle3"), ("pip", "pip3"), ("pydoc", "pydoc3"), ("python", "python3"), ("python-config", "python3-config") })
            {
                Assert.Matches($@"\s{System.Text.RegularExpressions.Regex.Escape(name)} -> {System.Text.RegularExpressions.Regex.Escape(target)}\n", r.Output);
            }

            // A second run of the links step must fail: the links already exist.
            var again = Docker(null, "run", "--rm", "--network", "none", "-v", tmp.Path + ":/scripts:ro", "debian:bookworm-slim", "sh", "-c",
                fakeCommands + "sh -c \"$(cat /scripts/links.sh)\"; sh -c \"$(cat /scripts/links.sh)\"");
            Assert.NotEqual(0, again.Code);
        }
    }
}
