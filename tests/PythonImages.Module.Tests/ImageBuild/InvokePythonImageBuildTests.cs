using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.ImageBuild
{
    public sealed class InvokePythonImageBuildTests
    {
        // Real PythonImage objects (from Get-PythonTag) pointed at our own small contexts, as New-PythonDockerfile would.
        private const string Images = @"
$script:imgs = @(Get-PythonTag -OS Linux)
function Img([int]$i, [string]$ctx) { $c = $imgs[$i].Clone(); $c.ContextPath = $ctx; $c.DockerfilePath = [IO.Path]::Combine($ctx, 'Dockerfile'); $c }
";

        [DockerFact]
        public void ScratchImageBuildsWithAllItsTags()
        {
            using var c = new Contexts();
            using var s = new ModuleSession();
            string ctx = c.Small("one");
            var r = s.Run(Images + "Img 0 $ctx | Invoke-PythonImageBuild -Repository $repo -Tag extra, other/repo:x -Label @{ 'org.pitest5' = 'yes' } -Verbose",
                new Dictionary<string, object?> { ["ctx"] = ctx, ["repo"] = c.Repository });
            Assert.Empty(r.AllErrors);
            var result = Assert.Single(r.Output);
            Assert.Equal("PythonImages.Commands.ImageBuildResult", result.BaseObject.GetType().FullName);
            Assert.True((bool)result.Properties["Succeeded"].Value);
            string id = (string)result.Properties["ImageId"].Value;
            Assert.StartsWith("sha256:", id);
            var image = PSObject.AsPSObject(result.Properties["Image"].Value);
            var expectedTags = ((string[])image.Properties["Tags"].Value).Concat((string[])image.Properties["SharedTags"].Value).Select(t => c.Repository + ":" + t)
                .Concat(new[] { c.Repository + ":extra", "other/repo:x" }).ToArray();
            Assert.True(expectedTags.Length >= 4);
            Assert.Equal(expectedTags, (string[])result.Properties["Tags"].Value);

            // Every tag points at the image, as the engine layer's inspect reports.
            foreach (var tag in expectedTags)
            {
                var (code, output) = DockerCli.Run("image", "inspect", "--format", "{{.Id}} {{index .Config.Labels \"org.pitest5\"}}", tag);
                Assert.True(code == 0, tag + ": " + output);
                Assert.Equal(id + " yes", output.Trim());
            }

            Assert.True((long)result.Properties["Size"].Value > 0);
            Assert.Contains(r.Verbose, v => v.Message.StartsWith("Step 2/", StringComparison.Ordinal) && v.Message.Contains("COPY marker.txt", StringComparison.Ordinal));
            Assert.Contains(r.Progress, p => p.StatusDescription.StartsWith("Step 2/", StringComparison.Ordinal) && p.ParentActivityId == 1);
            Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);
            DockerCli.Run("rmi", "-f", "other/repo:x");
        }

        [DockerFact]
        public void FailingStepIsAnErrorRecordAndTheNextImageStillBuilds()
        {
            using var c = new Contexts();
            using var s = new ModuleSession();
            string logFile = Path.Combine(Path.GetTempPath(), "pitest5-" + Guid.NewGuid().ToString("N")[..8] + ".log");
            var r = s.Run(Images + "@((Img 0 $bad), (Img 1 $good)) | Invoke-PythonImageBuild -Repository $repo -LogPath $log",
                new Dictionary<string, object?> { ["bad"] = c.Failing(), ["good"] = c.Small("good"), ["repo"] = c.Repository, ["log"] = logFile });
            Assert.Null(r.Terminating);

            // One log file for both builds, named in the error's recommended action and in both results.
            string log = File.ReadAllText(logFile);
            File.Delete(logFile);
            Assert.Matches(@"FAILED at Step 3/[0-9]+ : RUN \[""/busybox"", ""false""\]", log); // more steps: the LABEL lines the engine adds for the build's labels
            Assert.Contains("succeeded sha256:", log);
            Assert.Equal(logFile, r.Output[0].Properties["LogPath"].Value);
            Assert.Equal(logFile, r.Output[1].Properties["LogPath"].Value);
            Assert.Contains(logFile, r.Errors[0].ErrorDetails.RecommendedAction);
            var error = Assert.Single(r.Errors);
            Assert.Equal("ImageBuild.StepFailed,PythonImages.Commands.InvokePythonImageBuildCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidResult, error.CategoryInfo.Category);
            Assert.Equal("PythonImage", error.TargetObject.GetType().Name);
            Assert.Matches(@"Step 3/[0-9]+ : RUN \[""/busybox"", ""false""\]", error.ErrorDetails.Message);
            Assert.Contains("returned a non-zero code: 1", error.ErrorDetails.Message);
            Assert.Contains("Last ", error.ErrorDetails.Message);
            Assert.Matches("Step 1/[0-9]+ : FROM scratch", error.ErrorDetails.Message); // the log tail
            Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));

            Assert.Equal(2, r.Output.Count);
            Assert.False((bool)r.Output[0].Properties["Succeeded"].Value);
            Assert.True((bool)r.Output[1].Properties["Succeeded"].Value);
            Assert.True(DockerCli.ImageExists((string)((string[])r.Output[1].Properties["Tags"].Value)[0]));
        }

        [DockerFact]
        public void ErrorActionStopStopsAtTheFailure()
        {
            using var c = new Contexts();
            using var s = new ModuleSession();
            var r = s.Run(Images + "@((Img 0 $bad), (Img 1 $good)) | Invoke-PythonImageBuild -Repository $repo -ErrorAction Stop",
                new Dictionary<string, object?> { ["bad"] = c.Failing(), ["good"] = c.Small("good"), ["repo"] = c.Repository });
            Assert.NotNull(r.Terminating);
            Assert.Empty(r.Output);
            Assert.DoesNotContain(DockerCli.Lines("images", "--format", "{{.Repository}}"), l => l == c.Repository);
        }

        [DockerFact]
        public void StoppingThePipelineCancelsTheBuildAndLeavesNoContainers()
        {
            using var c = new Contexts();
            string marker = "pitest5" + Guid.NewGuid().ToString("N")[..8];
            string ctx = c.Create($"FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"echo started; sleep 30; echo {marker}\"]\n", busybox: true);
            using var s = new ModuleSession();
            using var ps = PowerShell.Create();
            ps.Runspace = s.Runspace;
            ps.AddCommand("Invoke-PythonImageBuild").AddParameter("Path", ctx).AddParameter("Tag", c.Repository + ":cancel").AddParameter("NoCache").AddParameter("Verbose");
            using var started = new ManualResetEventSlim();
            ps.Streams.Verbose.DataAdded += (_, e) =>
            {
                if (ps.Streams.Verbose[e.Index].Message.Contains("started", StringComparison.Ordinal))
                {
                    started.Set();
                }
            };
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var async = ps.BeginInvoke();
            Assert.True(started.Wait(TimeSpan.FromSeconds(60)), "the RUN step never started");
            ps.Stop();
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(async));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(25), "not cancelled: " + watch.Elapsed);
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);

            string[] left = Array.Empty<string>();
            for (int i = 0; i < 40; i++)
            {
                left = DockerCli.Lines("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}").Where(l => l.Contains(marker, StringComparison.Ordinal)).ToArray();
                if (left.Length == 0)
                {
                    break;
                }

                Thread.Sleep(250);
            }

            Assert.Empty(left);
            Assert.False(DockerCli.ImageExists(c.Repository + ":cancel"));
        }

        [Fact]
        public void NoEngineIsOneTerminatingErrorSayingHowToPointAtOne()
        {
            using var c = new Contexts();
            using var s = new ModuleSession();
            // Two inputs: one terminating error (caught by try/catch, which only sees terminating errors), no error per image.
            var r = s.Run(
                "try { [pscustomobject]@{ ContextPath = $a }, [pscustomobject]@{ ContextPath = $b } | Invoke-PythonImageBuild -DockerHost unix:///nonexistent.sock; 'went on' } catch { 'terminated'; $_ }",
                new Dictionary<string, object?> { ["a"] = c.Small("a"), ["b"] = c.Small("b") });
            Assert.Empty(r.Errors);
            Assert.Equal(2, r.Output.Count);
            Assert.Equal("terminated", r.Output[0].ToString());
            var error = Assert.IsType<ErrorRecord>(r.Output[1].BaseObject);
            Assert.Equal("ImageBuild.EngineUnavailable,PythonImages.Commands.InvokePythonImageBuildCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
            Assert.Equal("unix:///nonexistent.sock", error.TargetObject);
            Assert.Contains("unix:///nonexistent.sock", error.ErrorDetails.Message);
            foreach (var how in new[] { "-DockerHost", "DOCKER_HOST", "docker context" })
            {
                Assert.Contains(how, error.ErrorDetails.RecommendedAction);
            }
        }

        [DockerFact]
        public void ThrottleLimitBuildsSixImagesAndKeepsInputOrder()
        {
            using var c = new Contexts();
            using var s = new ModuleSession();
            var contexts = Enumerable.Range(0, 6).Select(i => c.Small("image " + i)).ToArray();
            var r = s.Run(Images + "0..5 | ForEach-Object { Img $_ $ctxs[$_] } | Invoke-PythonImageBuild -Repository $repo -ThrottleLimit 2",
                new Dictionary<string, object?> { ["ctxs"] = contexts, ["repo"] = c.Repository });
            Assert.Empty(r.AllErrors);
            Assert.Equal(6, r.Output.Count);
            var input = s.Run(Images + "0..5 | ForEach-Object { $imgs[$_].Tags[0] }").Output.Select(o => o.ToString()).ToArray();
            for (int i = 0; i < 6; i++)
            {
                Assert.True((bool)r.Output[i].Properties["Succeeded"].Value);
                Assert.Equal(contexts[i], r.Output[i].Properties["ContextPath"].Value);
                Assert.Equal(c.Repository + ":" + input[i], ((string[])r.Output[i].Properties["Tags"].Value)[0]);
            }

            // Builds overlapped: the second image started before the first one's result was written.
            int secondStarted = r.Progress.ToList().FindIndex(p => p.ActivityId == 3);
            int firstDone = r.Progress.ToList().FindIndex(p => p.ActivityId == 2 && p.RecordType == ProgressRecordType.Completed);
            Assert.True(secondStarted >= 0 && firstDone > secondStarted, $"second started at {secondStarted}, first completed at {firstDone}");
            Assert.Contains(r.Progress, p => p.ActivityId == 1 && p.StatusDescription == "6 of 6 done");

            // Six different images (their marker files differ).
            Assert.Equal(6, r.Output.Select(o => (string)o.Properties["ImageId"].Value).Distinct().Count());
        }

        [DockerFact]
        public void WindowsImageAgainstTheLinuxEngineIsRefusedBeforeUpload()
        {
            using var c = new Contexts();
            using var s = new ModuleSession();
            // The context would build fine on this engine: only the OS check can stop it.
            string ctx = c.Small("win");
            var r = s.Run("$w = @(Get-PythonTag -OS Windows)[0].Clone(); $w.ContextPath = $ctx; $w.DockerfilePath = [IO.Path]::Combine($ctx, 'Dockerfile'); $w | Invoke-PythonImageBuild -Repository $repo",
                new Dictionary<string, object?> { ["ctx"] = ctx, ["repo"] = c.Repository });
            var error = Assert.Single(r.Errors);
            Assert.Equal("ImageBuild.OSMismatch,PythonImages.Commands.InvokePythonImageBuildCommand", error.FullyQualifiedErrorId);
            Assert.Contains("Windows image", error.ErrorDetails.Message);
            Assert.Contains("runs Linux containers", error.ErrorDetails.Message);
            Assert.Contains("Windows containers", error.ErrorDetails.RecommendedAction);
            Assert.Empty(r.Output);
            Assert.DoesNotContain(DockerCli.Lines("images", "--format", "{{.Repository}}"), l => l == c.Repository);
        }

        [Fact]
        public void WhatIfShowsThePlanAndSendsNothing()
        {
            using var c = new Contexts();
            using var s = new ModuleSession();
            string ctx = c.Small("whatif");
            // An unreachable engine proves that nothing is contacted at all.
            var r = s.Run(Images + "Img 0 $ctx | Invoke-PythonImageBuild -Repository $repo -DockerHost unix:///nonexistent.sock -WhatIf",
                new Dictionary<string, object?> { ["ctx"] = ctx, ["repo"] = c.Repository });
            Assert.Empty(r.AllErrors);
            Assert.Empty(r.Output);
            Assert.Contains("What if: Performing the operation \"Build image\" on target \"" + c.Repository + ":", r.HostText);
            Assert.Contains(Path.Combine(ctx, "Dockerfile"), r.HostText);
        }

        [DockerFact]
        public void PathModeWithBuildArgsNetworkLogFileAndTableView()
        {
            using var c = new Contexts();
            using var s = new ModuleSession();
            string ctx = c.Create("FROM scratch\nARG GREETING=none\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"echo greeting=$GREETING\"]\n", busybox: true);
            string logDir = Path.Combine(Path.GetTempPath(), "pitest5-logs-" + Guid.NewGuid().ToString("N")[..8]) + Path.DirectorySeparatorChar;
            try
            {
                var r = s.Run("Invoke-PythonImageBuild $ctx -Tag $tag -BuildArg @{ GREETING = 'hello' } -Network host -Platform linux/amd64 -LogPath $log -NoCache | Out-Default",
                    new Dictionary<string, object?> { ["ctx"] = ctx, ["tag"] = c.Repository + ":path", ["log"] = logDir });
                Assert.Empty(r.AllErrors);
                string logFile = Path.Combine(logDir, c.Repository + "_path.log");
                Assert.True(File.Exists(logFile));
                string log = File.ReadAllText(logFile);
                Assert.Contains("greeting=hello", log);
                Assert.Contains("Step 4/5 : RUN", log); // step 5: the LABEL the engine adds for the module's marker label
                Assert.Matches(@"(?m)^Status\s+ImageId\s+Duration", r.HostText);
                Assert.Matches(@"(?m)^Built\s+[0-9a-f]{12}\s", r.HostText);
                Assert.Contains(c.Repository + ":path", r.HostText);
                Assert.True(DockerCli.ImageExists(c.Repository + ":path"));
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
        public void MissingDockerfileAndEscapingSymlinkAreErrorsBeforeUpload()
        {
            using var c = new Contexts();
            using var s = new ModuleSession();
            string ctx = c.Small("link");
            File.CreateSymbolicLink(Path.Combine(ctx, "escape"), "/etc/passwd");
            var r = s.Run("Invoke-PythonImageBuild $ctx -Tag $tag; Invoke-PythonImageBuild ([IO.Path]::Combine($ctx, 'nope'))",
                new Dictionary<string, object?> { ["ctx"] = ctx, ["tag"] = c.Repository + ":link" });
            Assert.Equal(2, r.Errors.Count);
            Assert.StartsWith("ImageBuild.ContextSymlinkEscapes", r.Errors[0].FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, r.Errors[0].CategoryInfo.Category);
            Assert.Contains("escape", r.Errors[0].ErrorDetails.Message);
            Assert.StartsWith("ImageBuild.ContextNotFound", r.Errors[1].FullyQualifiedErrorId);
            Assert.False(DockerCli.ImageExists(c.Repository + ":link"));
        }

        [DockerFact]
        public void ADockerignorePatternDockerRefusesIsAnErrorBeforeUpload()
        {
            // Matching nothing would send what the line keeps out (here secrets/); docker build refuses it too.
            using var c = new Contexts();
            using var s = new ModuleSession();
            string ctx = c.Small("ignore");
            Directory.CreateDirectory(Path.Combine(ctx, "secrets"));
            File.WriteAllText(Path.Combine(ctx, "secrets", "a.key"), "k");
            File.WriteAllText(Path.Combine(ctx, ".dockerignore"), "secrets/[z-a]*\n");
            var r = s.Run("Invoke-PythonImageBuild $ctx -Tag $tag", new Dictionary<string, object?> { ["ctx"] = ctx, ["tag"] = c.Repository + ":ignore" });
            Assert.Single(r.Errors);
            Assert.StartsWith("ImageBuild.InvalidDockerignore", r.Errors[0].FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, r.Errors[0].CategoryInfo.Category);
            Assert.Contains("z-a", r.Errors[0].ErrorDetails.Message);
            Assert.False(DockerCli.ImageExists(c.Repository + ":ignore"));
        }
    }
}
