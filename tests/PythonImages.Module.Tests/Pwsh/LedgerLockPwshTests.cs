using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Hosting;
using PythonImages.Tests.ImageBuild;
using Xunit;

namespace PythonImages.Tests.PwshSuite
{
    /// <summary>
    /// The ledger's lock through the cmdlets, with real processes: a pwsh that holds a ledger's lock makes the commands
    /// that change that ledger wait, then fail with Ledger.Busy (category, message and advice naming the lock); and a
    /// pwsh started with DOTNET_SYSTEM_IO_DISABLEFILELOCKING=1, where .NET takes no lock at all, says so once instead of
    /// writing over another process's change in silence.
    /// </summary>
    public sealed class LedgerLockPwshTests : IDisposable
    {
        /// <summary>Holds the lock of <c>$Ledger</c> as a change of another process does (the lock file opened without sharing) until <c>$Release</c> exists.</summary>
        private const string Holder = @"param([string]$Ledger, [string]$Release)
$lock = [IO.Path]::Combine([IO.Path]::GetDirectoryName($Ledger), '.' + [IO.Path]::GetFileName($Ledger) + '.lock')
$held = [IO.File]::Open($lock, 'OpenOrCreate', 'Read', 'None')
[IO.File]::WriteAllText($Release + '.' + [IO.Path]::GetFileName($Ledger) + '.holding', '')
while (-not [IO.File]::Exists($Release)) { Start-Sleep -Milliseconds 50 }
$held.Dispose()
";

        private readonly PwshWorkspace workspace = new PwshWorkspace("ledger16");

        public void Dispose() => workspace.Dispose();

        private string Fragment => workspace["fragment.json"];

        /// <summary>Starts a pwsh that holds the lock of <paramref name="ledger"/>; returns once it holds it.</summary>
        private Process Hold(string ledger)
        {
            File.WriteAllText(workspace["holder.ps1"], Holder);
            var p = Process.Start(Pwsh.StartInfo(workspace["holder.ps1"], workspace.Root, null, "-Ledger", ledger, "-Release", workspace["release"]))!;
            p.StandardInput.Close();
            string holding = workspace["release"] + "." + Path.GetFileName(ledger) + ".holding";
            var clock = Stopwatch.StartNew();
            while (!File.Exists(holding))
            {
                if (p.HasExited)
                {
                    Assert.Fail("the holder ended before it took the lock: " + p.StandardError.ReadToEnd());
                }

                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "the holder took no lock within 120 s");
                Thread.Sleep(20);
            }

            return p;
        }

        private void Release(Process holder)
        {
            File.WriteAllText(workspace["release"], string.Empty);
            Assert.True(holder.WaitForExit(60000));
            holder.Dispose();
        }

        /// <summary>A valid one-entry ledger (a CI leg's fragment).</summary>
        private void WriteFragment() => File.WriteAllText(Fragment,
            "{\"schema\":\"pythonimages/build-ledger\",\"version\":1,\"images\":[{\"image\":\"3.14/slim-trixie\",\"platform\":\"linux/amd64\"," +
            "\"dockerfileSha256\":\"" + new string('a', 64) + "\",\"contextDigest\":\"sha256:" + new string('b', 64) + "\"," +
            "\"buildArgs\":{},\"baseImage\":null,\"baseImageId\":null,\"baseImageDigest\":null," +
            "\"imageId\":\"sha256:" + new string('c', 64) + "\",\"tags\":[],\"sharedTags\":[],\"created\":\"2026-12-01T00:00:00Z\",\"pushed\":{}}]}\n");

        private static void AssertBusy(ErrorRecord error, string ledger)
        {
            string lockFile = Path.Combine(Path.GetDirectoryName(ledger)!, "." + Path.GetFileName(ledger) + ".lock");
            Assert.Equal("Ledger.Busy", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
            Assert.Contains("is being changed by another process", error.ToString(), StringComparison.Ordinal);
            Assert.Contains("stayed held for 30 s", error.ToString(), StringComparison.Ordinal);
            Assert.Contains("Let the other command that writes this ledger", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            Assert.Contains(lockFile, error.ErrorDetails.RecommendedAction, StringComparison.Ordinal); // which file to look for a holder of
        }

        [PwshDockerFact]
        public async Task ABuildAndAMergeWaitingOnALedgerAnotherProcessHoldsFailWithLedgerBusyAndWriteNothing()
        {
            // One wait of 30 s (the documented one) for both commands: they wait side by side, each in its own runspace.
            using var contexts = new Contexts("s16busy");
            string ledger = workspace["ledger.json"];
            string merged = workspace["merged.json"];
            WriteFragment();
            var holders = new[] { Hold(ledger), Hold(merged) };
            try
            {
                var clock = Stopwatch.StartNew();
                var build = Task.Run(() =>
                {
                    using var session = new ModuleSession();
                    return session.Run("Invoke-PythonImageBuild -Path $ctx -Repository $repo -Tag busy -Ledger $ledger", new Dictionary<string, object?> { ["ctx"] = contexts.Small("busy"), ["repo"] = contexts.Repository, ["ledger"] = ledger });
                });
                var merge = Task.Run(() =>
                {
                    using var session = new ModuleSession();
                    return session.Run("Merge-PythonBuildLedger -Path $fragment -Destination $merged", new Dictionary<string, object?> { ["fragment"] = Fragment, ["merged"] = merged });
                });
                var results = await Task.WhenAll(build, merge);
                Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(29), $"the commands gave up after {clock.Elapsed}");

                // The image was built (its result says so) and the error says the ledger was not written; nothing was.
                var built = results[0];
                Assert.Equal("Built", built.Output.Single().Properties["Status"].Value.ToString());
                AssertBusy(built.Errors.Single(), ledger);
                Assert.Contains("The image itself was built; the next run builds it again.", built.Errors.Single().ToString(), StringComparison.Ordinal);
                Assert.False(File.Exists(ledger));

                AssertBusy(results[1].AllErrors.Single(), merged);
                Assert.False(File.Exists(merged));
            }
            finally
            {
                foreach (var h in holders)
                {
                    Release(h);
                }
            }
        }

        /// <summary>Runs Merge-PythonBuildLedger in a real pwsh, with or without .NET's file locking, reporting its warnings and whether it wrote.</summary>
        private Pwsh.Result Merge(bool lockingOff, string extra = "", string? destination = null)
        {
            string script = $"Import-Module {Pwsh.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop\n"
                + $"try {{ Merge-PythonBuildLedger -Path {Pwsh.Quote(Fragment)} -Destination {Pwsh.Quote(destination ?? workspace["merged.json"])} -Force -WarningVariable w{extra} 3>$null; 'MERGED' }}\n"
                + "catch { 'REFUSED ' + $_.FullyQualifiedErrorId }\n"
                + "'WARNINGS ' + $w.Count\n"
                + "$w | ForEach-Object { 'WARNING ' + $_.Message }\n";
            return Pwsh.Run(script, workspace.Root, lockingOff ? new Dictionary<string, string?> { ["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "1" } : null);
        }

        [PwshFact]
        public void UnderWhatIfOnlyALockFileAlreadyThereTellsThatLockingIsOffAndNothingIsWritten()
        {
            // -WhatIf made and deleted a probe file beside the destination to find out whether locks work. Under -WhatIf the
            // lock file an earlier change left is tried instead (opened, never written); without one nothing is said.
            WriteFragment();
            string folder = Directory.CreateDirectory(workspace["out"]).FullName;
            string merged = Path.Combine(folder, "merged.json");
            string lockFile = Path.Combine(folder, ".merged.json.lock");
            var longAgo = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            void AssertUntouched(Pwsh.Result r, params string[] files)
            {
                Assert.True(r.ExitCode == 0 && r.Output.Contains("MERGED", StringComparison.Ordinal), r.ToString());
                Assert.Equal(files, Directory.GetFileSystemEntries(folder));
                Assert.Equal(longAgo, Directory.GetLastWriteTimeUtc(folder));
            }

            Directory.SetLastWriteTimeUtc(folder, longAgo);
            var none = Merge(lockingOff: true, " -WhatIf", merged);
            AssertUntouched(none);
            Assert.Contains("WARNINGS 0", none.Output, StringComparison.Ordinal);

            File.WriteAllBytes(lockFile, Array.Empty<byte>());
            File.SetLastWriteTimeUtc(lockFile, longAgo);
            Directory.SetLastWriteTimeUtc(folder, longAgo);
            var off = Merge(lockingOff: true, " -WhatIf", merged);
            AssertUntouched(off, lockFile);
            Assert.Contains("WARNINGS 1", off.Output, StringComparison.Ordinal);
            Assert.Contains($"WARNING The ledger '{merged}' is not protected by its lock: DOTNET_SYSTEM_IO_DISABLEFILELOCKING is '1' in this process", off.Output, StringComparison.Ordinal);
            Assert.Equal(longAgo, File.GetLastWriteTimeUtc(lockFile));
            Assert.Equal(0, new FileInfo(lockFile).Length);

            var on = Merge(lockingOff: false, " -WhatIf", merged);
            AssertUntouched(on, lockFile);
            Assert.Contains("WARNINGS 0", on.Output, StringComparison.Ordinal);
        }

        [PwshFact]
        public void AProcessWithFileLockingOffWarnsOnceAndRefusesWithWarningActionStop()
        {
            WriteFragment();
            string merged = workspace["merged.json"];

            // With file locking on, no warning; and a change waits for the lock another process holds (here: none held).
            var on = Merge(lockingOff: false);
            Assert.True(on.ExitCode == 0 && on.Output.Contains("MERGED", StringComparison.Ordinal), on.ToString());
            Assert.Contains("WARNINGS 0", on.Output, StringComparison.Ordinal);

            // With DOTNET_SYSTEM_IO_DISABLEFILELOCKING=1 the lock excludes nobody: the merge writes over a ledger another
            // process holds the lock of, without waiting. One warning says so, naming the ledger and the variable.
            File.Delete(merged);
            var holder = Hold(merged);
            Pwsh.Result off;
            try
            {
                off = Merge(lockingOff: true);
            }
            finally
            {
                Release(holder);
            }

            Assert.True(off.ExitCode == 0 && off.Output.Contains("MERGED", StringComparison.Ordinal), off.ToString());
            Assert.True(File.Exists(merged), "with locking off the merge did not get past a held lock: " + off);
            Assert.Contains("WARNINGS 1", off.Output, StringComparison.Ordinal);
            string warning = off.Output.Split('\n').Single(l => l.StartsWith("WARNING ", StringComparison.Ordinal));
            Assert.Contains($"The ledger '{merged}' is not protected by its lock: DOTNET_SYSTEM_IO_DISABLEFILELOCKING is '1' in this process", warning, StringComparison.Ordinal);
            Assert.Contains("-WarningAction Stop", warning, StringComparison.Ordinal);

            // A CI job that wants no unprotected ledger: -WarningAction Stop refuses before anything is written.
            File.Delete(merged);
            var stop = Merge(lockingOff: true, " -WarningAction Stop");
            Assert.Contains("REFUSED ActionPreferenceStop", stop.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(merged), stop.ToString());
            Assert.Empty(Directory.GetFiles(workspace.Root, "*.probe").Concat(Directory.GetFiles(workspace.Root, ".*.probe")));
        }
    }
}
