using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using PythonImages.Tests.Fakes;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.ImageBuild
{
    /// <summary>
    /// Invoke-PythonImageBuild and Test-PythonImage against engines that stall (a loopback imitation of dockerd) and against
    /// the real engine with a build that prints 50 MB: no hang, clear errors, no secret in any stream, bounded memory.
    /// </summary>
    public sealed class EngineHardeningTests
    {
        private const string Secret = "pw-h9SECRET";

        [Fact]
        public void AStalledBuildIsAnOperationTimeoutErrorWithAFailedResult()
        {
            using var fake = new FakeEngine(r => r.Path == "/build"
                ? new FakeResponse { Body = "{\"stream\":\"Step 1/2 : FROM scratch\\n\"}\r\n{\"stream\":\"Step 2/2 : RUN make profile-opt\\n\"}\r\n{\"stream\":\"compiling...\\n\"}\r\n", StallAfterBody = true }
                : r.Path.StartsWith("/images/", StringComparison.Ordinal) ? FakeResponse.Json("{\"message\":\"No such image\"}", 404) // the tag does not exist yet
                : FakeResponse.Stall);
            using var c = new Contexts("h9-engine");
            using var s = new ModuleSession();
            string logDir = Path.Combine(Path.GetTempPath(), "pitest9-stall-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var watch = Stopwatch.StartNew();
                var r = s.Run("Invoke-PythonImageBuild -Path $ctx -Tag $tag -DockerHost $h -InactivityTimeout 2 -LogPath $log",
                    new Dictionary<string, object?> { ["ctx"] = c.Small("stall"), ["tag"] = c.Repository + ":stall", ["h"] = fake.Host(), ["log"] = logDir + "/" });
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), "took " + watch.Elapsed);
                var e = Assert.Single(r.Errors);
                Assert.Equal("ImageBuild.Stalled,PythonImages.Commands.InvokePythonImageBuildCommand", e.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.OperationTimeout, e.CategoryInfo.Category);
                Assert.Contains("no sign of life for 2 s", e.ErrorDetails.Message);
                Assert.Contains("Step 2/2 : RUN make profile-opt", e.ErrorDetails.Message);
                Assert.Contains("compiling...", e.ErrorDetails.Message);
                Assert.Contains("-InactivityTimeout", e.ErrorDetails.RecommendedAction);
                var result = Assert.Single(r.Output);
                Assert.False((bool)result.Properties["Succeeded"].Value);
                Assert.Equal("Step 2/2 : RUN make profile-opt", result.Properties["FailedStep"].Value);
                Assert.True(fake.WaitForStalledConnectionsClosed(TimeSpan.FromSeconds(10)), "the stalled /build request was not abandoned");

                // What arrived is in the log, marked as stalled; no temporary file is left behind.
                string logFile = (string)result.Properties["LogPath"].Value;
                string log = File.ReadAllText(logFile);
                Assert.StartsWith($"# {c.Repository}:stall (", log);
                Assert.Contains("STALLED at Step 2/2 : RUN make profile-opt (no sign of life for 2 s)", log);
                Assert.Contains("compiling...", log);
                Assert.Equal(new[] { Path.GetFileName(logFile) }, Directory.GetFiles(logDir).Select(Path.GetFileName));
            }
            finally
            {
                if (Directory.Exists(logDir))
                {
                    Directory.Delete(logDir, true);
                }
            }
        }

        [Theory]
        [InlineData("2")]
        [InlineData("'00:00:02'")]
        [InlineData("([TimeSpan]::FromSeconds(2))")]
        [InlineData("2.0")]
        public void InactivityTimeoutTakesSecondsOrATimeSpan(string value)
        {
            using var fake = new FakeEngine();
            using var c = new Contexts("h9-engine");
            using var s = new ModuleSession();
            var watch = Stopwatch.StartNew();
            var r = s.Run($"Invoke-PythonImageBuild -Path $ctx -DockerHost $h -InactivityTimeout {value}",
                new Dictionary<string, object?> { ["ctx"] = c.Small("t"), ["h"] = fake.Host() });
            var elapsed = watch.Elapsed;
            Assert.StartsWith("ImageBuild.Stalled,", Assert.Single(r.Errors).FullyQualifiedErrorId);
            Assert.True(elapsed >= TimeSpan.FromSeconds(2) && elapsed < TimeSpan.FromSeconds(12), $"{value}: {elapsed}");
        }

        [Fact]
        public void AStalledTestContainerStopsTestPythonImageAndItsRemovalIsAttempted()
        {
            using var fake = new FakeEngine(r =>
            {
                if (r.Method == "GET" && r.Path == "/images/pyimg-h9:stall/json")
                {
                    return FakeResponse.Json("{\"Id\":\"sha256:" + new string('b', 64) + "\",\"Os\":\"linux\",\"Config\":{}}");
                }

                if (r.Method == "POST" && r.Path == "/containers/create")
                {
                    return FakeResponse.Json("{\"Id\":\"c1\",\"Warnings\":[]}", 201);
                }

                if (r.Method == "POST" && r.Path == "/containers/c1/start")
                {
                    return new FakeResponse { Status = 204 };
                }

                return FakeResponse.Stall; // wait, container inspect, logs, delete
            });
            using var s = new ModuleSession();
            var watch = Stopwatch.StartNew();
            var r = s.Run("Test-PythonImage -Image pyimg-h9:stall, pyimg-h9:other -Test utc, python-sqlite3 -DockerHost $h -InactivityTimeout 2",
                new Dictionary<string, object?> { ["h"] = fake.Host() });
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "took " + watch.Elapsed);
            Assert.Empty(r.Output);
            var e = Assert.Single(r.AllErrors); // terminating: the second image is never asked for (below)
            Assert.Equal("ImageTest.Stalled,PythonImages.Commands.TestPythonImageCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.OperationTimeout, e.CategoryInfo.Category);
            Assert.Equal("pyimg-h9:stall", e.TargetObject);
            Assert.Contains("-InactivityTimeout", e.ErrorDetails.RecommendedAction);
            Assert.Contains(fake.Requests, q => q.Method == "DELETE" && q.Path == "/containers/c1");
            Assert.DoesNotContain(fake.Requests, q => q.Path.Contains("pyimg-h9:other", StringComparison.Ordinal));
        }

        [Fact]
        public void UserInfoInAnEngineAddressReachesNoStream()
        {
            using var fake = new FakeEngine();
            using var c = new Contexts("h9-engine");
            using var s = new ModuleSession();
            string ctx = c.Small("secret");
            int refused = FreePort();
            var hosts = new[]
            {
                fake.Host("admin:" + Secret),                         // stalls
                $"tcp://admin:{Secret}@127.0.0.1:{refused}",           // connection refused
                $"tcp://admin:{Secret}@",                              // no host
                $"tcp://admin:{Secret}@127.0.0.1:99999",               // port out of range
                $"ftp://admin:{Secret}@127.0.0.1",                     // unknown scheme
                $"admin:{Secret}@127.0.0.1:{refused}",                 // bare host:port
            };

            foreach (var h in hosts)
            {
                foreach (var script in new[]
                {
                    "Invoke-PythonImageBuild -Path $ctx -Tag $tag -DockerHost $h -InactivityTimeout 1 -Verbose",
                    "Test-PythonImage -Image pyimg-h9:x -DockerHost $h -InactivityTimeout 1 -Verbose",
                    "try { Invoke-PythonImageBuild -Path $ctx -DockerHost $h -InactivityTimeout 1 -ErrorAction Stop } catch { $_; $_.Exception.ToString(); $_.ScriptStackTrace }",
                })
                {
                    var r = s.Run(script, new Dictionary<string, object?> { ["ctx"] = ctx, ["tag"] = c.Repository + ":s", ["h"] = h });
                    Assert.True(r.AllErrors.Any() || r.Output.Any(o => o.BaseObject is ErrorRecord), $"{h} / {script}: no error");
                    foreach (var text in Texts(r))
                    {
                        Assert.False(text.Contains(Secret, StringComparison.Ordinal), $"{h} / {script}: the secret leaked: {text}");
                    }
                }
            }
        }

        [DockerFact]
        public void ABuildPrinting50MBStreamsItsLogAndKeepsMemoryBounded()
        {
            using var c = new Contexts("h9-engine");
            string warm = c.Create("FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"echo\", \"warm\"]\n", busybox: true);
            string big = c.Create(BigLogDockerfile, busybox: true);
            string logDir = Path.Combine(Path.GetTempPath(), "pitest9-biglog-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var run = FreshProcess.Run(MeasureScript(warm, big, c.Repository, logDir), timeoutSeconds: 600);
                Assert.True(run.ExitCode == 0, run.ToString());
                var numbers = run.Output.Last().Split(' ').Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                long before = numbers[0], after = numbers[1], logBytes = numbers[2];
                long growth = after - before;
                Assert.True(logBytes >= BigLogBytes, $"the log holds {logBytes} bytes");
                Assert.True(growth < 50L * 1024 * 1024, $"peak working set grew by {growth / (1024 * 1024)} MB for a {logBytes / (1024 * 1024)} MB log (before {before / (1024 * 1024)} MB, after {after / (1024 * 1024)} MB)");

                // The full log is on disk, complete and in order; nothing temporary is left.
                var files = Directory.GetFiles(logDir);
                string logFile = Assert.Single(files);
                using var reader = new StreamReader(logFile);
                Assert.StartsWith("# " + c.Repository + ":big (", reader.ReadLine());
                long lines = 0;
                string? line;
                string? last = null;
                while ((line = reader.ReadLine()) != null)
                {
                    if (line.StartsWith("0123456789", StringComparison.Ordinal))
                    {
                        lines++;
                    }

                    last = line;
                }

                Assert.True(lines >= BigLogBytes / 100 - 1, $"{lines} output lines in the log");
                Assert.StartsWith("Successfully tagged " + c.Repository + ":big", last);
            }
            finally
            {
                if (Directory.Exists(logDir))
                {
                    Directory.Delete(logDir, true);
                }
            }
        }

        [DockerFact]
        public void AStoppedBuildLeavesNoLogAndNoTemporaryFile()
        {
            using var c = new Contexts("h9-engine");
            string marker = "pitest9" + Guid.NewGuid().ToString("N")[..8];
            string ctx = c.Create($"FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"echo started; sleep 30; echo {marker}\"]\n", busybox: true);
            string logDir = Path.Combine(Path.GetTempPath(), "pitest9-stoplog-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(logDir);
            try
            {
                using var s = new ModuleSession();
                using var ps = PowerShell.Create();
                ps.Runspace = s.Runspace;
                ps.AddCommand("Invoke-PythonImageBuild").AddParameter("Path", ctx).AddParameter("Tag", c.Repository + ":stop").AddParameter("NoCache").AddParameter("LogPath", logDir).AddParameter("Verbose");
                using var started = new ManualResetEventSlim();
                ps.Streams.Verbose.DataAdded += (_, e) =>
                {
                    if (ps.Streams.Verbose[e.Index].Message.Contains("started", StringComparison.Ordinal))
                    {
                        started.Set();
                    }
                };
                var async = ps.BeginInvoke();
                Assert.True(started.Wait(TimeSpan.FromSeconds(60)), "the RUN step never started");
                Assert.Single(Directory.GetFiles(logDir)); // the log is being written (a temporary file) while the build runs
                ps.Stop();
                Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(async));
                Assert.Empty(Directory.GetFiles(logDir));
            }
            finally
            {
                Directory.Delete(logDir, true);
            }
        }

        internal const long BigLogBytes = 50L * 1024 * 1024;

        /// <summary>A RUN step that prints 50 MB: 100-byte lines from busybox yes | head.</summary>
        internal static readonly string BigLogDockerfile =
            "FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"/busybox yes " + string.Concat(Enumerable.Repeat("0123456789", 10)).Substring(0, 99) +
            " | /busybox head -c " + BigLogBytes.ToString(CultureInfo.InvariantCulture) + "\"]\n";

        /// <summary>
        /// In a fresh process: import, build a small image (warm-up), note the peak working set, build the 50 MB one with
        /// -LogPath, note the peak again. Prints "before after logBytes".
        /// </summary>
        internal static string MeasureScript(string warm, string big, string repository, string logDir) =>
            "$ErrorActionPreference = 'Stop'\n" +
            $"Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)}\n" +
            "$p = [Diagnostics.Process]::GetCurrentProcess()\n" +
            $"$null = Invoke-PythonImageBuild -Path {FreshProcess.Quote(warm)} -Tag {FreshProcess.Quote(repository + ":warm")} -Network host -NoCache -LogPath {FreshProcess.Quote(logDir + "-warm/")}\n" +
            "[GC]::Collect(); $p.Refresh(); $before = $p.PeakWorkingSet64\n" +
            $"$r = Invoke-PythonImageBuild -Path {FreshProcess.Quote(big)} -Tag {FreshProcess.Quote(repository + ":big")} -Network host -NoCache -LogPath {FreshProcess.Quote(logDir + "/")}\n" +
            "$p.Refresh()\n" +
            "if (-not $r.Succeeded) { throw 'the build failed' }\n" +
            $"[IO.Directory]::Delete({FreshProcess.Quote(logDir + "-warm")}, $true)\n" +
            "'{0} {1} {2}' -f $before, $p.PeakWorkingSet64, ([IO.FileInfo]$r.LogPath).Length\n";

        private static int FreePort()
        {
            var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            l.Start();
            int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        /// <summary>Every text a pipeline produced: output objects and their properties, errors with everything they carry, all other streams, the host.</summary>
        internal static IEnumerable<string> Texts(PsResult r)
        {
            foreach (var o in r.Output)
            {
                foreach (var t in ObjectTexts(o))
                {
                    yield return t;
                }
            }

            foreach (var e in r.AllErrors)
            {
                yield return e.ToString();
                yield return e.FullyQualifiedErrorId;
                yield return e.CategoryInfo.ToString();
                yield return e.TargetObject?.ToString() ?? string.Empty;
                yield return e.ErrorDetails?.Message ?? string.Empty;
                yield return e.ErrorDetails?.RecommendedAction ?? string.Empty;
                for (Exception? x = e.Exception; x != null; x = x.InnerException)
                {
                    yield return x.Message;
                    yield return x.ToString();
                }
            }

            foreach (var v in r.Verbose)
            {
                yield return v.Message;
            }

            foreach (var w in r.Warnings)
            {
                yield return w.Message;
            }

            foreach (var i in r.Information)
            {
                yield return i.MessageData?.ToString() ?? string.Empty;
            }

            foreach (var p in r.Progress)
            {
                yield return p.Activity + " " + p.StatusDescription + " " + p.CurrentOperation;
            }

            yield return r.HostText;
            if (r.Terminating != null)
            {
                yield return r.Terminating.ToString();
            }
        }

        private static IEnumerable<string> ObjectTexts(object? value, int depth = 0)
        {
            if (value == null || depth > 3)
            {
                yield break;
            }

            if (value is PSObject pso)
            {
                yield return pso.ToString();
                foreach (var p in pso.Properties)
                {
                    object? v;
                    try
                    {
                        v = p.Value;
                    }
                    catch (GetValueException)
                    {
                        continue;
                    }

                    foreach (var t in ObjectTexts(v, depth + 1))
                    {
                        yield return t;
                    }
                }

                yield break;
            }

            if (value is string s)
            {
                yield return s;
                yield break;
            }

            if (value is IEnumerable e)
            {
                foreach (var item in e)
                {
                    foreach (var t in ObjectTexts(item, depth + 1))
                    {
                        yield return t;
                    }
                }

                yield break;
            }

            yield return value.ToString() ?? string.Empty;
            if (!value.GetType().IsPrimitive && !(value is TimeSpan) && !(value is DateTime) && !(value is Enum))
            {
                foreach (var t in ObjectTexts(PSObject.AsPSObject(value), depth + 1))
                {
                    yield return t;
                }
            }
        }
    }
}
