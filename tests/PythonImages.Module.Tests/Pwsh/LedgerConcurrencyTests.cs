using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.PwshSuite
{
    /// <summary>
    /// One -Ledger file changed by two real pwsh processes at once (two terminals, two CI steps on one agent): every change
    /// goes through LedgerJson.Update, the one way Invoke-PythonImageBuild -Ledger and Publish-PythonImage -Ledger change
    /// a ledger. Without a lock between processes their read-change-write cycles interleaved and lost each other's entries.
    /// </summary>
    public sealed class LedgerConcurrencyTests : IDisposable
    {
        /// <summary>A process that adds <c>$Count</c> entries (<c>$Who/0</c>, ...) one change at a time, once every process is ready.</summary>
        private const string Writer = @"param([string]$Manifest, [string]$Ledger, [string]$Who, [int]$Count, [string]$Go, [int]$HoldSeconds)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $Manifest
$null = Get-PythonTag | Select-Object -First 1 # loads PythonImages.Core (in the module's own load context)
$core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'PythonImages.Core' } | Select-Object -First 1
$entryType = $core.GetType('PythonImages.Ledger.LedgerEntry', $true)
$change = [Func``2].MakeGenericType($core.GetType('PythonImages.Ledger.BuildLedger', $true), [bool])
$update = $core.GetType('PythonImages.Ledger.LedgerJson', $true).GetMethod('Update', [type[]]@([string], $change))
function Entry([string]$image) {
    $e = [Activator]::CreateInstance($entryType)
    $e.Image = $image; $e.Platform = 'linux/amd64'; $e.DockerfileSha256 = 'a' * 64
    $e.ContextDigest = 'sha256:' + 'b' * 64; $e.ImageId = 'sha256:' + 'c' * 64; $e.Created = [datetime]::UtcNow
    $e
}
[IO.File]::WriteAllText(""$Go.$Who.ready"", '')
while (-not [IO.File]::Exists($Go)) { Start-Sleep -Milliseconds 5 }
$slowest = 0
for ($i = 0; $i -lt $Count; $i++) {
    $entry = Entry ""$Who/$i""
    $add = [Management.Automation.LanguagePrimitives]::ConvertTo({
        param($ledger)
        $ledger.Set($entry)
        if ($HoldSeconds -gt 0) { [IO.File]::WriteAllText(""$Go.$Who.holding"", ''); Start-Sleep -Seconds $HoldSeconds }
        $true
    }.GetNewClosure(), $change)
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $null = $update.Invoke($null, @($Ledger, $add))
    $slowest = [Math]::Max($slowest, $clock.ElapsedMilliseconds)
}
""Done, slowest change $slowest ms""
";

        private readonly PwshWorkspace workspace = new PwshWorkspace("ledger15");

        private string LedgerPath => workspace["ledger.json"];

        private string Go => workspace["go"];

        public void Dispose() => workspace.Dispose();

        private Process Start(string who, int count, int holdSeconds = 0)
        {
            string script = workspace["writer.ps1"];
            if (!File.Exists(script))
            {
                File.WriteAllText(script, Writer);
            }

            var start = Pwsh.StartInfo(script, workspace.Root, null, "-Manifest", ModuleSession.ManifestPath, "-Ledger", LedgerPath, "-Who", who, "-Count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-Go", Go, "-HoldSeconds", holdSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var p = Process.Start(start)!;
            p.StandardInput.Close();
            return p;
        }

        private static void WaitFor(string file, Process p)
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(file))
            {
                if (p.HasExited)
                {
                    Assert.Fail($"pwsh exited before {Path.GetFileName(file)}: " + p.StandardError.ReadToEnd());
                }

                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"no {Path.GetFileName(file)} within 120 s");
                Thread.Sleep(20);
            }
        }

        private List<string> Images()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(LedgerPath));
            return doc.RootElement.GetProperty("images").EnumerateArray().Select(e => e.GetProperty("image").GetString()!).ToList();
        }

        [PwshFact]
        public async Task TwoProcessesChangingOneLedgerKeepEveryChange()
        {
            const int Count = 120;
            var writers = new[] { Start("a", Count), Start("b", Count) };
            WaitFor(Go + ".a.ready", writers[0]);
            WaitFor(Go + ".b.ready", writers[1]);
            File.WriteAllText(Go, string.Empty);
            var results = await Task.WhenAll(writers.Select(w => Task.Run(() => Pwsh.Collect(w, 300))));
            Assert.All(results, r => Assert.True(r.ExitCode == 0 && r.Output.Contains("Done", StringComparison.Ordinal), r.Output + r.Error));

            var images = Images();
            var expected = Enumerable.Range(0, Count).SelectMany(i => new[] { "a/" + i, "b/" + i }).Order(StringComparer.Ordinal).ToList();
            var lost = expected.Except(images, StringComparer.Ordinal).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {expected.Count} changes were lost: {string.Join(", ", lost.Take(20))}");
            Assert.Equal(expected, images);
        }

        [PwshFact]
        public void AProcessKilledWhileItHoldsTheLockDoesNotBlockTheNextChange()
        {
            var holder = Start("held", 1, holdSeconds: 600);
            File.WriteAllText(Go, string.Empty);
            WaitFor(Go + ".held.holding", holder);

            // kill -9 in the middle of a change: no clean-up runs, the lock file stays; the OS drops the lock.
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
            Assert.True(File.Exists(workspace[".ledger.json.lock"]));

            var next = Start("next", 1);
            var r = Pwsh.Collect(next, 300);
            Assert.True(r.ExitCode == 0, r.Output + r.Error);
            int slowest = int.Parse(System.Text.RegularExpressions.Regex.Match(r.Output, "slowest change ([0-9]+) ms").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(slowest < 5000, $"the change waited {slowest} ms for a dead process's lock");
            Assert.Equal(new[] { "next/0" }, Images()); // the killed change wrote nothing
        }
    }
}
