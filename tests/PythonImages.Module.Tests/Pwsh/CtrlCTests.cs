using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using PythonImages.Tests.Fakes;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.PwshSuite
{
    /// <summary>
    /// Ctrl+C in a terminal sends SIGINT to the foreground process group: here a real pwsh (in a process group of its own,
    /// made with setsid) runs a long command, gets SIGINT, and must stop cleanly, leaving nothing behind.
    /// </summary>
    public sealed class CtrlCTests
    {
        private const string Marker = "h11-help-ctrlc";

        /// <summary>A pwsh running a script in a new session and process group (as a shell's foreground job).</summary>
        private sealed class Job : IDisposable
        {
            private readonly Process process;
            private readonly System.Text.StringBuilder output = new System.Text.StringBuilder();
            private readonly string scriptFile;

            public Job(string script, string workingDirectory, IDictionary<string, string?>? environment = null)
            {
                scriptFile = Path.Combine(workingDirectory, "job.ps1");
                File.WriteAllText(scriptFile, Pwsh.Prelude + script);
                var start = Pwsh.StartInfo(scriptFile, workingDirectory, environment);
                start.ArgumentList.Insert(0, start.FileName);
                start.FileName = "setsid";
                process = Process.Start(start)!;
                process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
                process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                process.StandardInput.Close();
            }

            public string Output { get { lock (output) { return output.ToString(); } } }

            public int Id => process.Id;

            /// <summary>Ctrl+C: SIGINT to the whole process group (the pwsh launcher and the pwsh it starts).</summary>
            public void Interrupt()
            {
                Assert.True(ProcessGroup(process.Id) == process.Id, $"pwsh {process.Id} is not the leader of its own process group; setsid did not make one");
                using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", "--", "-" + process.Id }, UseShellExecute = false })!;
                kill.WaitForExit();
                Assert.Equal(0, kill.ExitCode);
            }

            public bool WaitForExit(TimeSpan timeout)
            {
                if (!process.WaitForExit((int)timeout.TotalMilliseconds))
                {
                    return false;
                }

                process.WaitForExit(); // flush the output
                return true;
            }

            /// <summary>The processes still in the job's process group.</summary>
            public List<int> Left() => Directory.GetDirectories("/proc").Select(d => Path.GetFileName(d)).Where(n => n.All(char.IsAsciiDigit))
                .Select(int.Parse).Where(pid => ProcessGroup(pid) == process.Id).ToList();

            public void Dispose()
            {
                foreach (var pid in Left())
                {
                    try
                    {
                        Process.GetProcessById(pid).Kill();
                    }
                    catch (ArgumentException)
                    {
                    }
                }

                process.Dispose();
            }
        }

        /// <summary>The process group of a process (field 5 of /proc/&lt;pid&gt;/stat), or -1 when it is gone.</summary>
        private static int ProcessGroup(int pid)
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
                return int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return -1;
            }
        }

        private static void Until(Func<bool> condition, TimeSpan timeout, Func<string> what)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(watch.Elapsed < timeout, what());
                Thread.Sleep(200);
            }
        }

        [PwshFact]
        public void CtrlCStopsABuildThatWaitsOnAStalledEngineAndLeavesNothingBehind()
        {
            if (OperatingSystem.IsWindows())
            {
                return; // SIGINT and process groups are Unix; Windows delivers Ctrl+C as a console event.
            }

            // Answers /_ping and /version, has no images (the build asks about its base image and tags first), then never answers the build.
            using var fake = new FakeEngine(r => r.Path.StartsWith("/images/", StringComparison.Ordinal) ? FakeResponse.Json("{\"message\":\"No such image\"}", 404) : FakeResponse.Stall);
            using var ws = new PwshWorkspace("ctrlc");
            string script = "Import-Module " + Pwsh.Quote(ModuleSession.ManifestPath) + "\n"
                + "Get-PythonTag -Version 3.14 -Variant slim-trixie | New-PythonDockerfile -Path ./images | Invoke-PythonImageBuild -Network host -LogPath ./logs/\n"
                + "'after the build'\n";
            using var job = new Job(script, ws.Root, new Dictionary<string, string?> { ["DOCKER_HOST"] = fake.Host() });
            Until(() => fake.Requests.Any(r => r.Path == "/build") && fake.Stalled > 0, TimeSpan.FromSeconds(90), () => "the build never reached the engine:\n" + job.Output);

            var watch = Stopwatch.StartNew();
            job.Interrupt();
            Assert.True(job.WaitForExit(TimeSpan.FromSeconds(30)), "pwsh did not stop within 30 s of Ctrl+C:\n" + job.Output);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
            Assert.DoesNotContain("after the build", job.Output, StringComparison.Ordinal); // the script stopped, as at a prompt
            Assert.Empty(job.Left());
            Assert.True(fake.WaitForStalledConnectionsClosed(TimeSpan.FromSeconds(10)), "the stalled build request was not abandoned");

            // The Dockerfile written before the build stays; no temporary file, no half-written log.
            var files = ws.Files().Where(f => f != "job.ps1").ToList();
            Assert.Contains("images/3.14/slim-trixie/Dockerfile", files);
            Assert.All(files, f => Assert.True(f == "images/3.14/slim-trixie/Dockerfile" || (f.StartsWith("logs/", StringComparison.Ordinal) && f.EndsWith(".log", StringComparison.Ordinal)),
                "left behind: " + f + "\n" + string.Join("\n", files)));
        }

        [PwshDockerFact]
        public void CtrlCStopsASlowBuildOnTheRealEngineAndTheEngineKeepsNoContainer()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            string unique = Guid.NewGuid().ToString("N")[..8];
            string id = Marker + "-" + unique;
            string tag = Marker + ":" + unique;
            using var ws = new PwshWorkspace("ctrlc-engine");
            Directory.CreateDirectory(ws["ctx"]);
            File.WriteAllText(ws["ctx/Dockerfile"], $"FROM debian:bookworm-slim\nRUN sleep 600 # {id}\n");
            string script = "Import-Module " + Pwsh.Quote(ModuleSession.ManifestPath) + "\n"
                + $"Invoke-PythonImageBuild -Path ./ctx -Tag {tag} -Network host\n'after the build'\n";
            try
            {
                using var job = new Job(script, ws.Root);
                Until(() => Containers(id).Any(c => c.Contains("Up", StringComparison.Ordinal)), TimeSpan.FromSeconds(120), () => "the RUN step never started:\n" + job.Output);

                job.Interrupt();
                Assert.True(job.WaitForExit(TimeSpan.FromSeconds(60)), "pwsh did not stop within 60 s of Ctrl+C:\n" + job.Output);
                Assert.DoesNotContain("after the build", job.Output, StringComparison.Ordinal);
                Assert.Empty(job.Left());
                Until(() => Containers(id).Count == 0, TimeSpan.FromSeconds(60), () => "the engine kept the build's container: " + string.Join("; ", Containers(id)));
                Assert.NotEqual(0, Docker("image", "inspect", tag).ExitCode);
            }
            finally
            {
                foreach (var c in Containers(id))
                {
                    Docker("rm", "-f", c.Split(' ')[0]);
                }

                Docker("image", "rm", "-f", tag);
            }
        }

        private static List<string> Containers(string marker)
        {
            var r = Docker("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Status}} {{.Command}}");
            return r.Output.Split('\n').Where(l => l.Contains(marker, StringComparison.Ordinal)).ToList();
        }

        private static (int ExitCode, string Output) Docker(params string[] args)
        {
            var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            using var p = Process.Start(start)!;
            string output = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }
    }
}
