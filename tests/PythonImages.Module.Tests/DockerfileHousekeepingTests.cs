using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// Leftover temporary files of an interrupted New-PythonDockerfile (kill -9) are reported by Test-PythonDockerfile and
    /// removed by the next New-PythonDockerfile that writes the folder; concurrent writers of the same files succeed.
    /// </summary>
    public sealed class DockerfileHousekeepingTests : IDisposable
    {
        private const string Image = "Get-PythonTag -Version 3.14 -Variant slim-trixie";
        private readonly string root = Path.Combine(Path.GetTempPath(), "pi-h9-housekeeping-" + Guid.NewGuid().ToString("N")[..8]);

        public DockerfileHousekeepingTests() => Directory.CreateDirectory(root);

        public void Dispose()
        {
            try
            {
                Directory.Delete(root, true);
            }
            catch (IOException)
            {
            }
        }

        private string Folder => Path.Combine(root, "3.14", "slim-trixie");

        private string[] Temps() => Directory.GetFiles(root, ".*.tmp", SearchOption.AllDirectories);

        private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] vars) => vars.ToDictionary(v => v.Name, v => v.Value);

        private static void NoErrors(PsResult r) => Assert.True(!r.AllErrors.Any(), string.Join("\n", r.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e)));

        /// <summary>The report, then the clean-up, for a leftover next to a Dockerfile that is current and one whose write was cut short.</summary>
        [Fact]
        public void ALeftoverIsReportedByTestAndRemovedByTheNextWriteWithAVerboseLine()
        {
            using var s = new ModuleSession();
            var v = Vars(("root", root));
            NoErrors(s.Run(Image + " | New-PythonDockerfile -Path $root", v));
            string leftover = Path.Combine(Folder, ".Dockerfile." + Guid.NewGuid().ToString("N") + ".tmp");
            File.WriteAllBytes(leftover, Array.Empty<byte>()); // what kill -9 leaves

            var test = s.Run(Image + " | Test-PythonDockerfile -Path $root", v);
            NoErrors(test);
            Assert.Equal(new[] { "Current", "Leftover" }, test.Output.Select(o => o.Properties["Status"].Value.ToString()));
            Assert.Equal(leftover, test.Output[1].Properties["Path"].Value);
            Assert.Equal("3.14/slim-trixie", test.Output[1].Properties["Directory"].Value);
            var warning = Assert.Single(test.Warnings);
            Assert.Contains(leftover, warning.Message);
            Assert.Contains("build context", warning.Message);
            Assert.Equal(false, Assert.Single(s.Run(Image + " | Test-PythonDockerfile -Path $root -Quiet", v).Output).BaseObject);

            // The Dockerfile is current: nothing is written, so nothing is removed (and -WhatIf never removes anything).
            NoErrors(s.Run(Image + " | New-PythonDockerfile -Path $root", v));
            Assert.True(File.Exists(leftover));

            // The run that was killed had not renamed its file yet: the next one creates it and takes the leftover away.
            File.Delete(Path.Combine(Folder, "Dockerfile"));
            var whatIf = s.Run(Image + " | New-PythonDockerfile -Path $root -WhatIf", v);
            NoErrors(whatIf);
            Assert.True(File.Exists(leftover));

            var write = s.Run(Image + " | New-PythonDockerfile -Path $root -Verbose", v);
            NoErrors(write);
            Assert.False(File.Exists(leftover));
            Assert.Contains(write.Verbose, r => r.Message.Contains("Removed leftover temporary file " + leftover));
            Assert.Equal("Created", Assert.Single(write.Output).Properties["DockerfileAction"].Value);

            var clean = s.Run(Image + " | Test-PythonDockerfile -Path $root", v);
            NoErrors(clean);
            Assert.Empty(clean.Warnings);
            Assert.Equal("Current", Assert.Single(clean.Output).Properties["Status"].Value.ToString());
        }

        /// <summary>A real kill -9 while New-PythonDockerfile holds its temporary file, then the next runs.</summary>
        [Fact]
        public void KillDashNineDuringNewPythonDockerfileLeavesALeftoverThatTheNextRunReportsAndRemoves()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            string ready = Path.Combine(root, "ready");
            string work = Path.Combine(root, "images");
            string script =
                HookedSession("BeforeCommit")
                + $"$hook.SetValue($null, [Action[string]]{{ param($t) [IO.File]::WriteAllText({FreshProcess.Quote(ready)}, $t); [Threading.Thread]::Sleep(600000) }})\n"
                + $"$image | New-PythonDockerfile -Path {FreshProcess.Quote(work)}\n";
            using (var child = FreshProcess.Start(script))
            {
                var deadline = DateTime.UtcNow.AddSeconds(120);
                while (!File.Exists(ready) && !child.HasExited && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(50);
                }

                Assert.True(File.Exists(ready), "the child never reached the rename: " + (child.HasExited ? child.StandardError.ReadToEnd() : "timeout"));
                Thread.Sleep(100); // the hook has written the path; it now sleeps holding the temporary file
                child.Kill(); // SIGKILL
                Assert.True(child.WaitForExit(30_000));
            }

            string temp = File.ReadAllText(ready);
            string folder = Path.Combine(work, "3.14", "slim-trixie");
            Assert.True(File.Exists(temp), "the killed run left no temporary file");
            Assert.Equal(folder, Path.GetDirectoryName(temp));
            Assert.False(File.Exists(Path.Combine(folder, "Dockerfile")));

            using var s = new ModuleSession();
            var v = Vars(("work", work));
            var test = s.Run(Image + " | Test-PythonDockerfile -Path $work", v);
            NoErrors(test);
            Assert.Equal(new[] { "Missing", "Leftover" }, test.Output.Select(o => o.Properties["Status"].Value.ToString()));
            Assert.Contains(temp, Assert.Single(test.Warnings).Message);

            var write = s.Run(Image + " | New-PythonDockerfile -Path $work -Verbose", v);
            NoErrors(write);
            Assert.Contains(write.Verbose, r => r.Message.Contains("Removed leftover temporary file " + temp));
            Assert.False(File.Exists(temp));
            Assert.Equal(new[] { "Dockerfile" }, Directory.GetFiles(folder).Select(Path.GetFileName));
            Assert.Equal(true, Assert.Single(s.Run(Image + " | Test-PythonDockerfile -Path $work -Quiet", v).Output).BaseObject);
        }

        /// <summary>Two PowerShell processes write the same 42 Dockerfiles into the same folders at the same time, in opposite orders.</summary>
        [Fact]
        public async System.Threading.Tasks.Task TwoProcessesWritingTheSameDockerfilesAtOnceBothSucceed()
        {
            string go = Path.Combine(root, "go");
            // The host of the child process has no utility cmdlets: .NET calls only.
            string Script(bool reverse) =>
                $"Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop\n"
                + "$images = @(Get-PythonTag)\n"
                + (reverse ? "[array]::Reverse($images)\n" : string.Empty)
                + $"while (-not [IO.File]::Exists({FreshProcess.Quote(go)})) {{ [Threading.Thread]::Sleep(2) }}\n"
                + $"foreach ($n in 1..3) {{ $null = $images | New-PythonDockerfile -Path ([IO.Path]::Combine({FreshProcess.Quote(root)}, \"r$n\")) }}\n"
                + "'done'\n";
            using var a = FreshProcess.Start(Script(false));
            using var b = FreshProcess.Start(Script(true));
            Thread.Sleep(4000); // both have imported the module and wait for the signal
            File.WriteAllText(go, "go");
            var outA = a.StandardOutput.ReadToEndAsync();
            var errA = a.StandardError.ReadToEndAsync();
            var outB = b.StandardOutput.ReadToEndAsync();
            var errB = b.StandardError.ReadToEndAsync();
            Assert.True(a.WaitForExit(180_000) && b.WaitForExit(180_000), "the writers did not finish");
            Assert.True(a.ExitCode == 0, "first writer: " + (await errA));
            Assert.True(b.ExitCode == 0, "second writer: " + (await errB));
            Assert.Equal("done", (await outA).Trim());
            Assert.Equal("done", (await outB).Trim());
            Assert.Empty(Temps());

            using var s = new ModuleSession();
            foreach (var n in new[] { 1, 2, 3 })
            {
                var check = s.Run("Test-PythonDockerfile -Path $p", Vars(("p", Path.Combine(root, "r" + n))));
                NoErrors(check);
                Assert.Equal(42, check.Output.Count);
                Assert.All(check.Output, o => Assert.Equal("Current", o.Properties["Status"].Value.ToString()));
            }
        }

        /// <summary>
        /// Two processes create the same Dockerfile and both reach the rename before either renames (a hook holds each at
        /// the rename until the test releases both): the second finds an identical file and succeeds quietly.
        /// </summary>
        [Fact]
        public async System.Threading.Tasks.Task TwoProcessesRacingAtTheRenameOfTheSameNewDockerfileBothSucceed()
        {
            string work = Path.Combine(root, "images");
            string release = Path.Combine(root, "release");
            string Script(string name) =>
                HookedSession("BeforeCommit")
                + $"$hook.SetValue($null, [Action[string]]{{ param($t) [IO.File]::WriteAllText({FreshProcess.Quote(Path.Combine(root, name + ".ready"))}, $t); "
                + $"while (-not [IO.File]::Exists({FreshProcess.Quote(release)})) {{ [Threading.Thread]::Sleep(5) }} }})\n"
                + $"($image | New-PythonDockerfile -Path {FreshProcess.Quote(work)}).DockerfileAction\n";
            using var a = FreshProcess.Start(Script("a"));
            using var b = FreshProcess.Start(Script("b"));
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!(File.Exists(Path.Combine(root, "a.ready")) && File.Exists(Path.Combine(root, "b.ready"))) && !a.HasExited && !b.HasExited && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }

            Assert.True(File.Exists(Path.Combine(root, "a.ready")) && File.Exists(Path.Combine(root, "b.ready")), "both writers should be at the rename");
            var live = Temps();
            Assert.Equal(2, live.Length); // two live temporary files, one per writer

            // A third writer meanwhile (this process): the others' live temporary files are neither reported nor removed.
            using (var s = new ModuleSession())
            {
                var v = Vars(("work", work));
                var test = s.Run(Image + " | Test-PythonDockerfile -Path $work", v);
                NoErrors(test);
                Assert.Empty(test.Warnings);
                Assert.Equal("Missing", Assert.Single(test.Output).Properties["Status"].Value.ToString());
                var third = s.Run(Image + " | New-PythonDockerfile -Path $work -Verbose", v);
                NoErrors(third);
                Assert.DoesNotContain(third.Verbose, r => r.Message.Contains("leftover"));
                Assert.All(live, t => Assert.True(File.Exists(t)));
            }

            File.WriteAllText(release, "go");
            var outA = a.StandardOutput.ReadToEndAsync();
            var errA = a.StandardError.ReadToEndAsync();
            var outB = b.StandardOutput.ReadToEndAsync();
            var errB = b.StandardError.ReadToEndAsync();
            Assert.True(a.WaitForExit(60_000) && b.WaitForExit(60_000));
            Assert.True(a.ExitCode == 0, "first writer: " + (await errA));
            Assert.True(b.ExitCode == 0, "second writer: " + (await errB));
            Assert.Equal("Created", (await outA).Trim());
            Assert.Equal("Created", (await outB).Trim());
            Assert.Empty(Temps());
            Assert.Equal(new[] { "Dockerfile" }, Directory.GetFiles(Path.Combine(work, "3.14", "slim-trixie")).Select(Path.GetFileName));
        }

        /// <summary>
        /// A hand-written Dockerfile that appears between New-PythonDockerfile's look and its rename (a hook writes it there)
        /// is left as it is and reported as Dockerfile.NotOurs, as one that was there before; it was Dockerfile.IOError.
        /// </summary>
        [Fact]
        public void AHandWrittenDockerfileAppearingBeforeTheRenameIsNotOurs()
        {
            string work = Path.Combine(root, "images");
            string script =
                HookedSession("BeforeCommit")
                + "$hook.SetValue($null, [Action[string]]{ param($t) [IO.File]::WriteAllText([IO.Path]::Combine([IO.Path]::GetDirectoryName($t), 'Dockerfile'), \"FROM scratch`n\") })\n"
                + $"$out = $image | New-PythonDockerfile -Path {FreshProcess.Quote(work)} -ErrorVariable e -ErrorAction SilentlyContinue\n"
                + "\"$(@($out).Count) $($e.Count) $($e[0].FullyQualifiedErrorId) $($e[0].CategoryInfo.Category)\"\n";
            var run = FreshProcess.Run(script);
            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Equal("0 1 Dockerfile.NotOurs,PythonImages.Commands.NewPythonDockerfileCommand ResourceExists", string.Join("\n", run.Output).Trim());
            Assert.Equal("FROM scratch\n", File.ReadAllText(Path.Combine(work, "3.14", "slim-trixie", "Dockerfile")));
            Assert.Empty(Temps());
        }

        /// <summary>
        /// -Prune racing another run: the stale Dockerfile and its folder vanish after the listing, before the banner is read
        /// (a hook removes them there). That is what -Prune wanted: no error; it was Dockerfile.IOError.
        /// </summary>
        [Fact]
        public void PruneRacingAnotherRunThatRemovedTheFileReportsNoError()
        {
            string work = Path.Combine(root, "images");
            string script =
                HookedSession("BeforeDeleteStep")
                + $"$image | New-PythonDockerfile -Path {FreshProcess.Quote(work)} | Out-Null\n"
                + "$hook.SetValue($null, [Action[string,string]]{ param($p, $at) if ($at -eq 'banner') { [IO.File]::Delete($p); [IO.Directory]::Delete([IO.Path]::GetDirectoryName($p)) } })\n"
                + $"$out = Get-PythonTag -Version 3.13 -Variant slim-trixie | New-PythonDockerfile -Path {FreshProcess.Quote(work)} -Prune -ErrorVariable e -ErrorAction SilentlyContinue\n"
                + "\"$(@($out).Count) $($e.Count) $($e[0].FullyQualifiedErrorId)\"\n";
            var run = FreshProcess.Run(script);
            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Equal("1 0", string.Join("\n", run.Output).Trim());
            Assert.False(Directory.Exists(Path.Combine(work, "3.14")));
            Assert.True(File.Exists(Path.Combine(work, "3.13", "slim-trixie", "Dockerfile")));
        }

        /// <summary>
        /// An older generated Dockerfile that a hand-written one replaces (by rename, as an editor or git checkout does) while
        /// New-PythonDockerfile updates it: the hand-written file stays and the image is Dockerfile.NotOurs.
        /// </summary>
        [Fact]
        public void AGeneratedDockerfileReplacedByAHandWrittenOneWhileItIsUpdatedIsLeftAsItIs()
        {
            string work = Path.Combine(root, "images");
            string file = Path.Combine(work, "3.14", "slim-trixie", "Dockerfile");
            string mine = Path.Combine(root, "mine");
            File.WriteAllText(mine, "FROM scratch\n# written by hand\n");
            string script =
                HookedSession("BeforeCommit")
                + $"$image | New-PythonDockerfile -Path {FreshProcess.Quote(work)} | Out-Null\n"
                + $"[IO.File]::AppendAllText({FreshProcess.Quote(file)}, \"# an older generation\\n\")\n"
                + $"$hook.SetValue($null, [Action[string]]{{ param($t) [IO.File]::Move({FreshProcess.Quote(mine)}, {FreshProcess.Quote(file)}, $true) }})\n"
                + $"$out = $image | New-PythonDockerfile -Path {FreshProcess.Quote(work)} -ErrorVariable e -ErrorAction SilentlyContinue\n"
                + "\"$(@($out).Count) $($e.Count) $($e[0].FullyQualifiedErrorId)\"\n";
            var run = FreshProcess.Run(script);
            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Equal("0 1 Dockerfile.NotOurs,PythonImages.Commands.NewPythonDockerfileCommand", string.Join("\n", run.Output).Trim());
            Assert.Equal("FROM scratch\n# written by hand\n", File.ReadAllText(file));
            Assert.Empty(Temps());
        }

        /// <summary>
        /// The start of a fresh-process script: the module imported, <c>$image</c> the test's image and <c>$hook</c> the
        /// DockerfileStore test hook <paramref name="field"/> (BeforeCommit, BeforeDeleteStep), for the script to set.
        /// </summary>
        private static string HookedSession(string field) =>
            $"Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop\n"
            + $"$image = {Image}\n"
            + "$store = $image.GetType().Assembly.GetType('PythonImages.Dockerfiles.DockerfileStore')\n"
            + $"$hook = $store.GetField('{field}', [Reflection.BindingFlags]'NonPublic,Static')\n";
    }
}
