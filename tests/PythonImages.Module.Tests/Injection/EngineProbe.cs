using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PythonImages.Tests.Hosting;

namespace PythonImages.Tests.Injection
{
    /// <summary>What the real engine made of one Dockerfile.</summary>
    public sealed class ProbeResult
    {
        /// <summary>N of "Step 1/N": the instructions the engine's parser found.</summary>
        public int Steps { get; init; }

        /// <summary>Each stubbed command the build ran, with its arguments exactly as the shell passed them.</summary>
        public IReadOnlyList<(string Command, IReadOnlyList<string> Args)> Calls { get; init; } = Array.Empty<(string, IReadOnlyList<string>)>();

        /// <summary>`docker diff` of the container of the step that stopped the build: what the download step changed.</summary>
        public IReadOnlyList<string> Changes { get; init; } = Array.Empty<string>();

        public string Output { get; init; } = string.Empty;

        public IReadOnlyList<string> Args(string command) => Calls.Where(c => c.Command == command).Select(c => c.Args).FirstOrDefault()
            ?? throw new InvalidOperationException($"{command} was not run; build output:\n{Output}");
    }

    /// <summary>
    /// Builds generated Dockerfiles with the engine's classic builder on a tiny local base image instead of their FROM: Debian's
    /// dash as /bin/sh (the shell the official images run RUN with), busybox for the ordinary utilities (touch included, so a
    /// payload that ran would leave /tmp/pwned), and stubs for apt-get, apt-mark, apk, wget, sha256sum, gpg and gpgconf that
    /// print their arguments and succeed. The stub for tar stops the build right after the download-and-verify part with exit
    /// code 97, and that step's container is kept for `docker diff`. Nothing leaves the machine (--network none).
    /// </summary>
    public sealed class EngineProbe : IDisposable
    {
        private const string Prefix = "pi-h9-dockerfile-injection";
        private static readonly string[] Stubs = { "apt-get", "apt-mark", "apk", "wget", "sha256sum", "gpg", "gpgconf", "tar", "pip3" };
        private readonly string dir = Path.Combine(Path.GetTempPath(), Prefix + "-" + Guid.NewGuid().ToString("N"));
        private string? baseImage;

        // The engine's answers depend only on the Dockerfile's text (every build runs with --no-cache), so a text seen before
        // (the clean references, built once per hostile case otherwise) is answered from here instead of building it again.
        private readonly Dictionary<string, ProbeResult> probes = new Dictionary<string, ProbeResult>(StringComparer.Ordinal);
        private readonly Dictionary<string, int> stepCounts = new Dictionary<string, int>(StringComparer.Ordinal);

        public string BaseImage => baseImage ??= BuildBase();

        /// <summary>
        /// (a) The instruction count of <paramref name="dockerfile"/> as the engine parses it, with its FROM pointed at an image
        /// the loopback registry does not have (the build stops right after "Step 1/N"). (b) Its download step run by the
        /// engine: a build of the stub image, the file's ENV values (one ENV instruction) and the file's RUN that downloads,
        /// copied verbatim. The containers and layers it leaves are removed.
        /// </summary>
        public ProbeResult Probe(string dockerfile)
        {
            if (!probes.TryGetValue(dockerfile, out var result))
            {
                result = ProbeUncached(dockerfile);
                probes[dockerfile] = result;
            }

            return result;
        }

        private ProbeResult ProbeUncached(string dockerfile)
        {
            int steps = Steps(dockerfile);
            var lines = dockerfile.Split('\n');

            var env = lines.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)).Select(l => l.Substring(4)).Select(l =>
            {
                int sp = l.IndexOf(' ');
                return l[..sp] + "=" + l[(sp + 1)..];
            });
            var download = new List<string>();
            for (int i = 0; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith("RUN ", StringComparison.Ordinal))
                {
                    continue;
                }

                int end = i;
                while (end + 1 < lines.Length && (lines[end].EndsWith('\\') || lines[end].TrimStart().StartsWith('#')))
                {
                    end++;
                }

                var run = lines.Skip(i).Take(end - i + 1).ToList();
                if (run.Any(l => l.Contains("wget ", StringComparison.Ordinal) || l.Contains("Invoke-WebRequest", StringComparison.Ordinal)))
                {
                    download = run;
                    break;
                }

                i = end;
            }

            if (download.Count == 0)
            {
                throw new InvalidOperationException("no download RUN in:\n" + dockerfile);
            }

            string context = Path.Combine(dir, "probe-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(context);
            File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM " + BaseImage + "\nENV " + string.Join(" ", env) + "\n" + string.Join("\n", download) + "\n");
            var (_, output) = Docker("build", "--network", "none", "--no-cache", context);
            try
            {
                var changes = new List<string>();
                var failed = Regex.Matches(output, @"---> Running in ([0-9a-f]{12})").Select(m => m.Groups[1].Value).LastOrDefault();
                if (failed != null && output.Contains("returned a non-zero code", StringComparison.Ordinal))
                {
                    var (code, diff) = Docker("diff", failed);
                    if (code == 0)
                    {
                        changes.AddRange(diff.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                    }
                }

                return new ProbeResult { Steps = steps, Calls = ParseCalls(failed == null ? string.Empty : CopyCallLog(failed)), Changes = changes, Output = output };
            }
            finally
            {
                Cleanup(output);
            }
        }

        /// <summary>N of "Step 1/N" for <paramref name="dockerfile"/>, its FROM pointed at an image the loopback registry does not have.</summary>
        public int Steps(string dockerfile)
        {
            var lines = dockerfile.Split('\n');
            int from = Array.FindIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal));
            lines[from] = "FROM 127.0.0.1:5000/" + Prefix + "-absent:none";
            return StepsOnly(string.Join("\n", lines));
        }

        private static void Cleanup(string output)
        {
            // One docker call for the containers and one for the layers (newest first), not one per id.
            var containers = Regex.Matches(output, @"---> Running in ([0-9a-f]{12})").Select(m => m.Groups[1].Value).ToList();
            if (containers.Count > 0)
            {
                Docker(new[] { "rm", "-f" }.Concat(containers).ToArray());
            }

            // The first id is the FROM image (our base, kept for the next probe); the others are this build's layers.
            var layers = Regex.Matches(output, @"^ ---> ([0-9a-f]{12})\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Skip(1).Reverse().ToList();
            if (layers.Count > 0)
            {
                Docker(new[] { "rmi" }.Concat(layers).ToArray());
            }
        }

        /// <summary>N of "Step 1/N" for the Dockerfile as it is (its FROM is not replaced; a FROM that cannot be pulled only ends the build).</summary>
        public int StepsOnly(string dockerfile)
        {
            if (!stepCounts.TryGetValue(dockerfile, out int count))
            {
                count = StepsUncached(dockerfile);
                stepCounts[dockerfile] = count;
            }

            return count;
        }

        private int StepsUncached(string dockerfile)
        {
            string context = Path.Combine(dir, "steps-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(context);
            File.WriteAllText(Path.Combine(context, "Dockerfile"), dockerfile);
            var (_, output) = Docker("build", "--network", "none", "--no-cache", context);
            var step = Regex.Match(output, @"^Step 1/(\d+) : ", RegexOptions.Multiline);
            Cleanup(output);

            return step.Success ? int.Parse(step.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : throw new InvalidOperationException("The engine printed no 'Step 1/N' line:\n" + output);
        }

        /// <summary>
        /// Runs one shell statement (as the Dockerfile hands it to /bin/sh) in a container of the stub image; returns the stub
        /// calls and whether /tmp/pwned exists afterwards.
        /// </summary>
        public (IReadOnlyList<(string Command, IReadOnlyList<string> Args)> Calls, bool Pwned, string Output) RunStatement(string statement, IDictionary<string, string> env)
        {
            var args = new List<string> { "run", "--rm", "--network", "none" };
            foreach (var kv in env)
            {
                args.Add("-e");
                args.Add(kv.Key + "=" + kv.Value);
            }

            args.AddRange(new[] { "-e", "PROBE_SCRIPT=" + statement, BaseImage, "/bin/sh", "-c", "/bin/sh -c \"$PROBE_SCRIPT\"; echo \"exit=$?\"; if [ -e /tmp/pwned ]; then echo MARKER-FOUND; fi; cat " + CallLog + " 2>/dev/null" });
            var (_, output) = Docker(args.ToArray());
            return (ParseCalls(output), output.Contains("MARKER-FOUND", StringComparison.Ordinal), output);
        }

        /// <summary>Where the stubs record their calls inside the container.</summary>
        private const string CallLog = "/tmp/.stub-calls";

        /// <summary>The stubs' call log of the (stopped) container <paramref name="container"/>, or "" when no stub ran.</summary>
        private string CopyCallLog(string container)
        {
            string target = Path.Combine(dir, "calls-" + Guid.NewGuid().ToString("N"));
            var (code, _) = Docker("cp", container + ":" + CallLog, target);
            return code == 0 && File.Exists(target) ? File.ReadAllText(target) : string.Empty;
        }

        private static List<(string, IReadOnlyList<string>)> ParseCalls(string output)
        {
            var calls = new List<(string, IReadOnlyList<string>)>();
            string? command = null;
            var args = new List<string>();
            foreach (var line in output.Split('\n'))
            {
                if (line.StartsWith("STUB ", StringComparison.Ordinal))
                {
                    command = line.Substring(5);
                    args = new List<string>();
                }
                else if (command != null && line.StartsWith("ARG ", StringComparison.Ordinal))
                {
                    args.Add(line.Substring(4));
                }
                else if (command != null && line == "END")
                {
                    calls.Add((command, args));
                    command = null;
                }
            }

            return calls;
        }

        private string BuildBase()
        {
            string context = Path.Combine(dir, "base");
            string rootfs = Path.Combine(context, "rootfs");
            foreach (var sub in new[] { "bin", "lib/x86_64-linux-gnu", "lib64", "usr/local/bin", "tmp" })
            {
                Directory.CreateDirectory(Path.Combine(rootfs, sub));
            }

            File.Copy("/bin/dash", Path.Combine(rootfs, "bin/dash"));
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin/sh"), "dash");
            File.Copy("/lib/x86_64-linux-gnu/libc.so.6", Path.Combine(rootfs, "lib/x86_64-linux-gnu/libc.so.6"));
            File.Copy("/lib64/ld-linux-x86-64.so.2", Path.Combine(rootfs, "lib64/ld-linux-x86-64.so.2"));
            File.Copy("/bin/busybox", Path.Combine(rootfs, "bin/busybox"));
            var (code, list) = Run("/bin/busybox", "--list");
            if (code != 0)
            {
                throw new InvalidOperationException("busybox --list failed: " + list);
            }

            foreach (var applet in list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(a => a.Trim()))
            {
                if (applet != "sh" && applet != "busybox" && !Stubs.Contains(applet) && !File.Exists(Path.Combine(rootfs, "bin", applet)))
                {
                    File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
                }
            }

            foreach (var stub in Stubs)
            {
                string path = Path.Combine(rootfs, "usr/local/bin", stub);
                // The report is appended to a file in the container, not written to the build's output: the engine and
                // the CLI may reorder stderr chunks against set -x traces, a file written by one stub at a time cannot.
                File.WriteAllText(path, "#!/bin/sh\n{ printf 'STUB %s\\n' \"${0##*/}\"; for a in \"$@\"; do printf 'ARG %s\\n' \"$a\"; done; echo END; } >> " + CallLog + "\n"
                    + (stub == "tar" ? "exit 97\n" : "exit 0\n"));
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
            }

            File.WriteAllText(Path.Combine(context, "Dockerfile"),
                "FROM scratch\nCOPY rootfs/ /\nENV PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
            string tag = Prefix + ":" + Guid.NewGuid().ToString("N")[..12];
            var (built, output) = Docker("build", "--network", "none", "-t", tag, context);
            if (built != 0)
            {
                throw new InvalidOperationException("Could not build the stub base image:\n" + output);
            }

            return tag;
        }

        private static (int Code, string Output) Docker(params string[] args) => PythonImages.Tests.DockerCommand.Run(args);

        private static (int Code, string Output) Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment["DOCKER_BUILDKIT"] = "0";
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(300_000))
            {
                p.Kill(true);
                throw new TimeoutException(file + " " + string.Join(" ", args));
            }

            // The CLI colours the container's stderr (set -x traces) with ANSI escapes, sometimes at the start of a stub's line.
            return (p.ExitCode, Regex.Replace(output + err.Result, "\u001b\\[[0-9;]*m", string.Empty));
        }

        public void Dispose()
        {
            if (baseImage != null)
            {
                Docker("rmi", "-f", baseImage);
            }

            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException)
            {
            }
        }

        /// <summary>Skips nothing by itself: the tests that use it are [DockerFact].</summary>
        public static bool Available => DockerProbe.Available;
    }
}
