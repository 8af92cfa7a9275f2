using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Apps
{
    /// <summary>The second recipe: one-off scripts run in a container with their folder mounted, output streamed back.</summary>
    [Collection(PythonImageCollection.Name)]
    public sealed class InvokePythonContainerTests
    {
        private readonly PythonImageFixture python;

        public InvokePythonContainerTests(PythonImageFixture python) => this.python = python;

        private string Name(string what) => python.Prefix + "-" + what + "-" + Guid.NewGuid().ToString("N")[..6];

        private Dictionary<string, object?> Vars(string folder, string name, params (string, object?)[] more)
        {
            var vars = new Dictionary<string, object?> { ["folder"] = folder, ["image"] = python.Reference, ["name"] = name };
            foreach (var (k, v) in more)
            {
                vars[k] = v;
            }

            return vars;
        }

        /// <summary>Runs with the folder as the current location (as a user types it), the stand-in image, and the test's container name.</summary>
        private static PsResult Run(ModuleSession s, string script, Dictionary<string, object?> vars) =>
            s.Run("$ExecutionContext.SessionState.Path.SetLocation($folder) > $null\n" + script, vars);

        private static string[] Strings(PsResult r) => r.Output.Where(o => o.BaseObject is string).Select(o => (string)o.BaseObject).ToArray();

        [DockerFact]
        public void StdoutLinesAreOutputStderrIsInformationAndExitCode3IsAnErrorWithTheCode()
        {
            string folder = TestApp.Write(python.Folder("exit"), new Dictionary<string, string>
            {
                ["fail.py"] = "import sys, os\nprint('one')\nprint('warning: careful', file=sys.stderr)\nprint('two', os.environ['APP_MODE'])\nsys.stdout.write('no line break')\nsys.exit(3)\n",
            });
            string name = Name("exit");
            using var s = new ModuleSession();
            var r = Run(s, "Invoke-PythonContainer fail.py -Image $image -Name $name -Environment @{ APP_MODE = 'test mode' } -PassThru", Vars(folder, name));

            Assert.Null(r.Terminating);
            Assert.Equal(new[] { "one", "two test mode", "no line break" }, Strings(r));
            var stderr = Assert.Single(r.Information);
            Assert.Equal("warning: careful", stderr.MessageData.ToString());
            Assert.Contains("stderr", stderr.Tags);
            Assert.DoesNotContain(r.Output, o => o.BaseObject.ToString()!.Contains("careful", StringComparison.Ordinal));

            var error = Assert.Single(r.Errors);
            Assert.Equal("PythonContainer.NonZeroExitCode,PythonImages.Commands.InvokePythonContainerCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidResult, error.CategoryInfo.Category);
            Assert.Equal(3L, (long)PSObject.AsPSObject(error.Exception).Properties["ExitCode"].Value);
            Assert.Contains("exited with code 3", error.Exception.Message);
            Assert.Contains("warning: careful", error.ErrorDetails.Message);
            Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));

            var result = r.Output.Last();
            Assert.Equal("PythonImages.Commands.PythonContainerResult", result.BaseObject.GetType().FullName);
            Assert.Equal(3L, (long)result.Properties["ExitCode"].Value);
            Assert.False((bool)result.Properties["Succeeded"].Value);
            Assert.True((bool)result.Properties["Removed"].Value);
            Assert.Equal(name, result.Properties["ContainerName"].Value);
            Assert.Equal(new[] { "python", "./fail.py" }, (string[])result.Properties["Command"].Value);
            Assert.Equal("/usr/src/myapp", result.Properties["MountTarget"].Value);
            Assert.Equal(3L, (long)result.Properties["OutputLines"].Value);
            Assert.Equal(1L, (long)result.Properties["ErrorLines"].Value);
            Assert.False(Docker.ContainerExists(name));
            Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);

            // The default view of the result.
            var view = s.Run("$r | Out-Default", new Dictionary<string, object?> { ["r"] = result });
            Assert.Contains("ExitCode", view.HostText);
            Assert.Contains(name + " (removed)", view.HostText);
        }

        [DockerFact]
        public void PipelineInputIsTheScriptsStdinLineByLine()
        {
            string folder = TestApp.Write(python.Folder("stdin"), new Dictionary<string, string>
            {
                ["upper.py"] = "import sys\nfor line in sys.stdin:\n    print(line.rstrip('\\n').upper())\nprint('end of input')\n",
                ["count.py"] = "import sys\nnumbers = [int(l) for l in sys.stdin]\nprint(len(numbers), sum(numbers))\n",
                ["ignore.py"] = "print('never reads stdin')\n",
            });
            using var s = new ModuleSession();
            var r = Run(s, "'alpha', 'beta gamma', 3, '' | Invoke-PythonContainer upper.py -Image $image -Name $name", Vars(folder, Name("stdin")));
            Assert.Empty(r.AllErrors);
            Assert.Equal(new[] { "ALPHA", "BETA GAMMA", "3", string.Empty, "end of input" }, Strings(r));

            // Much more input than the queue holds: the producer waits for the container, nothing is lost.
            var many = Run(s, "1..20000 | Invoke-PythonContainer count.py -Image $image -Name $name", Vars(folder, Name("many")));
            Assert.Empty(many.AllErrors);
            Assert.Equal(new[] { "20000 200010000" }, Strings(many));

            // A script that never reads its input is no error.
            var ignored = Run(s, "1..5000 | Invoke-PythonContainer ignore.py -Image $image -Name $name", Vars(folder, Name("ignore")));
            Assert.Empty(ignored.AllErrors);
            Assert.Equal(new[] { "never reads stdin" }, Strings(ignored));
        }

        [DockerFact]
        public void AFileWrittenInTheMountedFolderAppearsOnTheHostAndPathsWithSpacesWork()
        {
            string folder = TestApp.Write(python.Folder("my scripts (v2)"), new Dictionary<string, string>
            {
                ["sub dir/write me.py"] = "import os, sys\nopen('out put.txt', 'w').write('written in ' + os.getcwd() + '\\n')\nprint('argv', sys.argv)\n",
            });
            string elsewhere = python.Folder("elsewhere");
            using var s = new ModuleSession();

            // From another location, the folder given with -Path and the script named relative to it.
            var r = s.Run("$ExecutionContext.SessionState.Path.SetLocation($elsewhere) > $null\nInvoke-PythonContainer 'sub dir/write me.py' -Path $folder -Image $image -Name $name -ArgumentList 'an arg', '$(not expanded)'",
                Vars(folder, Name("mount"), ("elsewhere", elsewhere)));
            Assert.Empty(r.AllErrors);
            Assert.Equal(new[] { "argv ['./sub dir/write me.py', 'an arg', '$(not expanded)']" }, Strings(r));
            Assert.Equal("written in /usr/src/myapp\n", File.ReadAllText(Path.Combine(folder, "out put.txt")));

            // A script outside the mounted folder is refused before anything runs.
            var outside = s.Run("Invoke-PythonContainer $script -Path $elsewhere -Image $image", Vars(folder, Name("outside"), ("elsewhere", elsewhere), ("script", Path.Combine(folder, "sub dir", "write me.py"))));
            Assert.Equal("PythonContainer.ScriptOutsidePath", outside.AllErrors.Single().FullyQualifiedErrorId.Split(',')[0]);
        }

        [DockerFact]
        public void ARelativeScriptIsTakenFromPathBeforeTheCurrentLocation()
        {
            // main.py both in the current location and in -Path: the one the container sees is the one meant.
            string folder = TestApp.Write(python.Folder("both"), new Dictionary<string, string>
            {
                ["main.py"] = "print('top')\n",
                ["sub/main.py"] = "print('sub')\n",
            });
            string sub = Path.Combine(folder, "sub");
            using var s = new ModuleSession();

            var whatIf = Run(s, "Invoke-PythonContainer main.py -Path sub -Image $image -Name $name -WhatIf", Vars(folder, Name("both-whatif")));
            Assert.Empty(whatIf.AllErrors);
            Assert.Contains("python ./main.py with " + sub + " mounted at /usr/src/myapp", whatIf.HostText);

            var r = Run(s, "Invoke-PythonContainer main.py -Path sub -Image $image -Name $name", Vars(folder, Name("both")));
            Assert.Empty(r.AllErrors);
            Assert.Equal(new[] { "sub" }, Strings(r));

            // The same rule with -Path above the current location: the folder's main.py, not the one beside the location.
            var up = s.Run("$ExecutionContext.SessionState.Path.SetLocation($sub) > $null\nInvoke-PythonContainer main.py -Path .. -Image $image -Name $name",
                Vars(folder, Name("both-up"), ("sub", sub)));
            Assert.Empty(up.AllErrors);
            Assert.Equal(new[] { "top" }, Strings(up));

            // A path as tab completion writes it (relative to the current location) still works when -Path has no such file.
            var completed = Run(s, "Invoke-PythonContainer ./sub/main.py -Path ./sub -Image $image -Name $name", Vars(folder, Name("both-completed")));
            Assert.Empty(completed.AllErrors);
            Assert.Equal(new[] { "sub" }, Strings(completed));

            // A script in neither place is reported where the container would have looked for it.
            var missing = Run(s, "Invoke-PythonContainer missing.py -Path sub -Image $image -Name $name", Vars(folder, Name("both-missing")));
            var error = Assert.Single(missing.AllErrors);
            Assert.Equal("PythonContainer.ScriptNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains(Path.Combine(sub, "missing.py"), error.Exception.Message);
        }

        [DockerFact]
        public void AHostileScriptNameReachesPythonAsItIs()
        {
            string script = "it's $(touch pwned) `touch pwned` \"quoted\" & -x.py";
            string folder = TestApp.Write(python.Folder("hostile"), new Dictionary<string, string> { [script] = "import sys\nprint(sys.argv[0])\n" });
            using var s = new ModuleSession();
            var r = Run(s, "Invoke-PythonContainer -Script $script -Image $image -Name $name", Vars(folder, Name("hostile"), ("script", script)));
            Assert.Empty(r.AllErrors);
            Assert.Equal(new[] { "./" + script }, Strings(r));
            Assert.False(File.Exists(Path.Combine(folder, "pwned")));
        }

        [DockerFact]
        public void LinesArriveAsTheScriptWritesThem()
        {
            string folder = TestApp.Write(python.Folder("stream"), new Dictionary<string, string>
            {
                ["wait.py"] = "import os, time\nprint('first')\nwhile not os.path.exists('go'):\n    time.sleep(0.1)\nprint('second')\n",
            });
            using var s = new ModuleSession();
            s.Run("$ExecutionContext.SessionState.Path.SetLocation($folder) > $null", Vars(folder, "x"));
            using var ps = PowerShell.Create();
            ps.Runspace = s.Runspace;
            ps.AddCommand("Invoke-PythonContainer").AddParameter("Script", "wait.py").AddParameter("Image", python.Reference).AddParameter("Name", Name("stream"));
            var output = new PSDataCollection<PSObject>();

            // 'second' is only written after the test has seen 'first': a run that gave its output at the end would never end.
            output.DataAdded += (_, e) =>
            {
                if ((string)output[e.Index].BaseObject == "first")
                {
                    File.WriteAllText(Path.Combine(folder, "go"), string.Empty);
                }
            };
            var async = ps.BeginInvoke<PSObject, PSObject>(null, output);
            Assert.True(async.AsyncWaitHandle.WaitOne(TimeSpan.FromMinutes(2)), "the script never saw the file written after its first line");
            ps.EndInvoke(async);
            Assert.Equal(new[] { "first", "second" }, output.Select(o => (string)o.BaseObject));
        }

        [DockerFact]
        public void StoppingThePipelineStopsAndRemovesTheContainer()
        {
            string folder = TestApp.Write(python.Folder("stop"), new Dictionary<string, string>
            {
                ["sleep.py"] = "import time\nprint('started')\ntime.sleep(600)\nprint('not reached')\n",
            });
            string name = Name("stop");
            using var s = new ModuleSession();
            s.Run("$ExecutionContext.SessionState.Path.SetLocation($folder) > $null", Vars(folder, name));
            using var ps = PowerShell.Create();
            ps.Runspace = s.Runspace;
            ps.AddCommand("Invoke-PythonContainer").AddParameter("Script", "sleep.py").AddParameter("Image", python.Reference).AddParameter("Name", name);
            var output = new PSDataCollection<PSObject>();
            using var started = new ManualResetEventSlim();
            output.DataAdded += (_, e) => started.Set();
            var async = ps.BeginInvoke<PSObject, PSObject>(null, output);
            Assert.True(started.Wait(TimeSpan.FromMinutes(2)), "the script never started");
            Assert.True(Docker.ContainerExists(name));
            var watch = Stopwatch.StartNew();
            ps.Stop();
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(async));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), watch.Elapsed.ToString());

            // Removed before the command returned.
            Assert.False(Docker.ContainerExists(name));
            Assert.DoesNotContain(output, o => (string)o.BaseObject == "not reached");
        }

        [TerminalDockerFact]
        public void CtrlCInARealPwshOnATerminalStopsAndRemovesTheContainer()
        {
            string folder = TestApp.Write(python.Folder("ctrlc"), new Dictionary<string, string>
            {
                ["sleep.py"] = "import time\nprint('started', flush=True)\ntime.sleep(600)\n",
            });
            string name = Name("ctrlc");
            string ps1 = Path.Combine(folder, "run.ps1");
            File.WriteAllText(ps1,
                $"Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop\n" +
                "$ProgressPreference = 'SilentlyContinue'\n" +
                $"Invoke-PythonContainer sleep.py -Path {FreshProcess.Quote(folder)} -Image {FreshProcess.Quote(python.Reference)} -Name {FreshProcess.Quote(name)}\n" +
                "'after the run'\n");
            using var pwsh = new TerminalProcess(ps1);
            Assert.True(pwsh.WaitFor("started", TimeSpan.FromMinutes(2)), pwsh.Output);
            Assert.True(Docker.ContainerExists(name));
            pwsh.Type("\u0003");
            Assert.True(pwsh.WaitForExit(TimeSpan.FromSeconds(90)), "pwsh did not stop on Ctrl+C: " + pwsh.Output);
            Assert.DoesNotContain("after the run", pwsh.Output);
            Assert.Empty(Docker.ContainersAfterCleanup(name));
        }

        [TerminalDockerFact]
        public void InteractiveOnATerminalGivesTheScriptATerminalAndTheKeysTyped()
        {
            string folder = TestApp.Write(python.Folder("tty"), new Dictionary<string, string>
            {
                ["ask.py"] = "import sys\nprint('terminal', sys.stdin.isatty(), sys.stdout.isatty())\nname = input('name? ')\nprint('hello', name)\n",
            });
            string name = Name("tty");
            string ps1 = Path.Combine(folder, "run.ps1");
            File.WriteAllText(ps1,
                $"Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop\n" +
                "$ProgressPreference = 'SilentlyContinue'\n" +
                $"$r = Invoke-PythonContainer ask.py -Path {FreshProcess.Quote(folder)} -Image {FreshProcess.Quote(python.Reference)} -Name {FreshProcess.Quote(name)} -Interactive -PassThru\n" +
                "'result: exit ' + $r.ExitCode + ' tty ' + $r.Tty\n");
            using var pwsh = new TerminalProcess(ps1);
            Assert.True(pwsh.WaitFor("name? ", TimeSpan.FromMinutes(2)), pwsh.Output);
            pwsh.Type("World\r");
            Assert.True(pwsh.WaitForExit(TimeSpan.FromSeconds(90)), pwsh.Output);
            Assert.Contains("terminal True True", pwsh.Output);
            Assert.Contains("hello World", pwsh.Output);
            Assert.Contains("result: exit 0 tty True", pwsh.Output);
            Assert.Empty(Docker.ContainersAfterCleanup(name));
        }

        [DockerFact]
        public void InteractiveWithoutATerminalWarnsAndRunsWithoutOne()
        {
            string folder = TestApp.Write(python.Folder("notty"), new Dictionary<string, string> { ["isatty.py"] = "import sys\nprint('terminal', sys.stdin.isatty())\n" });
            using var s = new ModuleSession();
            var r = Run(s, "Invoke-PythonContainer isatty.py -Image $image -Name $name -Interactive", Vars(folder, Name("notty")));
            Assert.Empty(r.AllErrors);
            Assert.Equal(new[] { "terminal False" }, Strings(r));
            Assert.Contains(r.Warnings, w => w.Message.Contains("no terminal", StringComparison.Ordinal));
        }

        [DockerFact]
        public void KeepContainerLeavesTheContainerForInspection()
        {
            string folder = TestApp.Write(python.Folder("keep"), new Dictionary<string, string> { ["ok.py"] = "print('kept')\n" });
            string name = Name("keep");
            using var s = new ModuleSession();
            try
            {
                var r = Run(s, "Invoke-PythonContainer ok.py -Image $image -Name $name -KeepContainer -PassThru", Vars(folder, name));
                Assert.Empty(r.AllErrors);
                Assert.False((bool)r.Output.Last().Properties["Removed"].Value);
                Assert.Equal("exited 0", Docker.Run("container", "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name).Output.Trim());
            }
            finally
            {
                Docker.Run("rm", "-f", name);
            }
        }

        [DockerFact]
        public void TheContainerJoinsTheNetworkAsked()
        {
            string folder = TestApp.Write(python.Folder("net"), new Dictionary<string, string> { ["net.py"] = "import os\nprint(' '.join(sorted(os.listdir('/sys/class/net'))))\n" });
            using var s = new ModuleSession();

            // -Network none: a network namespace of its own with only the loopback interface.
            var none = Run(s, "Invoke-PythonContainer net.py -Image $image -Name $name -Network none", Vars(folder, Name("net-none")));
            Assert.Empty(none.AllErrors);
            Assert.Equal(new[] { "lo" }, Strings(none));

            // -Network host: the host's interfaces, as this test process sees them.
            string host = string.Join(" ", Directory.GetFileSystemEntries("/sys/class/net").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
            Assert.NotEqual("lo", host);
            var hostRun = Run(s, "Invoke-PythonContainer net.py -Image $image -Name $name -Network host", Vars(folder, Name("net-host")));
            Assert.Empty(hostRun.AllErrors);
            Assert.Equal(new[] { host }, Strings(hostRun));
        }

        [DockerFact]
        public void WhatIfRunsNothing()
        {
            string folder = TestApp.Write(python.Folder("whatif"), new Dictionary<string, string> { ["w.py"] = "open('ran', 'w').write('x')\n" });
            string name = Name("whatif");
            using var s = new ModuleSession();
            var r = Run(s, "Invoke-PythonContainer w.py -Image $image -Name $name -WhatIf", Vars(folder, name));
            Assert.Empty(r.AllErrors);
            Assert.Empty(r.Output);
            Assert.Contains("python ./w.py", r.HostText);
            Assert.False(File.Exists(Path.Combine(folder, "ran")));
            Assert.False(Docker.ContainerExists(name));
        }

        [DockerFact]
        public void AMissingImageIsPulledWithProgress()
        {
            // A tiny image in the local registry, absent from the engine: Invoke-PythonContainer pulls it, as docker run does.
            string context = python.Folder("pull");
            // The test's prefix appended to the static binary (the loader ignores bytes past its segments): its "COPY busybox"
            // cache entry is its own, so no other test's clean-up removes a layer this build reuses.
            File.Copy("/bin/busybox", Path.Combine(context, "busybox"));
            File.AppendAllText(Path.Combine(context, "busybox"), "\n" + python.Prefix + "\n");
            File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"echo\", \"pulled and run\"]\n");
            string reference = "127.0.0.1:5000/" + python.Prefix + "/tiny:1";
            Assert.Equal(0, Docker.Run("build", "-q", "-t", reference, context).Code);
            Assert.Equal(0, Docker.Run("push", reference).Code);
            Assert.Equal(0, Docker.Run("rmi", reference).Code);
            using var s = new ModuleSession();
            var r = s.Run("Invoke-PythonContainer -Image $image -Name $name -Verbose", new Dictionary<string, object?> { ["image"] = reference, ["name"] = Name("pull") });
            Assert.Empty(r.AllErrors);
            Assert.Equal(new[] { "pulled and run" }, Strings(r));
            Assert.Contains(r.Progress, p => p.StatusDescription == "Pulling " + reference);
            Assert.Contains(r.Verbose, v => v.Message.Contains("pulling it", StringComparison.Ordinal));

            var missing = s.Run("Invoke-PythonContainer -Image $image", new Dictionary<string, object?> { ["image"] = reference.Replace(":1", ":missing", StringComparison.Ordinal) });
            var error = missing.AllErrors.Single();
            Assert.Equal("PythonContainer.PullFailed", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Empty(missing.Output);
        }
    }
}
