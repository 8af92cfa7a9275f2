using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

// Benchmark: planning every image of the embedded matrix (42) against a build ledger in which nothing changed, with the
// engine inspections (each image and its base image), the Dockerfile and context hashes and the ledger read: once as
// -WhatIf (the plan only) and once for real (every result Skipped). Goal: at most 1 s for all 42.
// The images are FROM-scratch stand-ins (one per matrix image, each with its own context and tags), built once first.
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.Ledger [-- <rounds>]
int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
string repo = "pitest5-bench-ledger-" + Guid.NewGuid().ToString("N")[..8];
string root = BenchKit.RepoRoot();
string work = Directory.CreateTempSubdirectory("pitest5-bench-ledger-").FullName;
string ledger = Path.Combine(work, "ledger.json");

var iss = InitialSessionState.CreateDefault2();
using var runspace = RunspaceFactory.CreateRunspace(iss);
runspace.Open();
Run("Import-Module $root/PythonImages.psd1 -ErrorAction Stop");

List<PSObject> Run(string script, bool tolerateErrors = false)
{
    using var ps = PowerShell.Create();
    ps.Runspace = runspace;
    runspace.SessionStateProxy.SetVariable("root", root);
    runspace.SessionStateProxy.SetVariable("work", work);
    runspace.SessionStateProxy.SetVariable("repo", repo);
    runspace.SessionStateProxy.SetVariable("ledger", ledger);
    ps.AddScript(script);
    var output = ps.Invoke().ToList();
    if (ps.Streams.Error.Count > 0 && !tolerateErrors)
    {
        throw new InvalidOperationException(string.Join("; ", ps.Streams.Error));
    }

    return output;
}

// One context per matrix image: a Dockerfile the size of a generated one (about 8 KB) and a small file.
const string Images = @"
$script:jobs = foreach ($img in Get-PythonTag) {
    $ctx = [IO.Path]::Combine($work, 'images', $img.Directory)
    $null = [IO.Directory]::CreateDirectory($ctx)
    [IO.File]::WriteAllText([IO.Path]::Combine($ctx, 'marker.txt'), $img.Directory)
    [IO.File]::WriteAllText([IO.Path]::Combine($ctx, 'Dockerfile'), ('# ' + ('x' * 78) + ""`n"") * 100 + ""FROM scratch`nCOPY marker.txt /marker.txt`n"")
    $c = $img.Clone(); $c.ContextPath = $ctx; $c.DockerfilePath = [IO.Path]::Combine($ctx, 'Dockerfile')
    # All on one (Linux) engine here: the Windows images' shared tags (3.14, latest) would move between images.
    if ($img.OS -eq 'Windows') { $c.SharedTags = @() }
    $c
}
";
try
{
    Run(Images);
    int count = Run("$jobs.Count").Select(o => (int)o.BaseObject).Single();
    var setup = Stopwatch.StartNew();
    // A build the shared engine fails (another process removing images meanwhile) is simply built again: the ledger skips the rest.
    for (int attempt = 1; ; attempt++)
    {
        var first = Run("$jobs | Invoke-PythonImageBuild -OS Linux -Repository $repo -Ledger $ledger -ErrorAction SilentlyContinue", tolerateErrors: true);
        if (first.Count == count && first.All(r => r.Properties["Status"].Value.ToString() != "Failed"))
        {
            break;
        }

        if (attempt == 3)
        {
            throw new InvalidOperationException("the setup did not build every image");
        }
    }

    setup.Stop();

    Console.WriteLine($"{count} images built and recorded in {setup.Elapsed.TotalSeconds:0.0} s (setup, not measured).");
    var plans = new List<double>();
    var skips = new List<double>();
    for (int i = 0; i < rounds; i++)
    {
        var w = Stopwatch.StartNew();
        var planned = Run("$jobs | Invoke-PythonImageBuild -OS Linux -Repository $repo -Ledger $ledger -WhatIf");
        plans.Add(w.Elapsed.TotalMilliseconds);

        w.Restart();
        var skipped = Run("$jobs | Invoke-PythonImageBuild -OS Linux -Repository $repo -Ledger $ledger");
        skips.Add(w.Elapsed.TotalMilliseconds);
        if (skipped.Count != count || skipped.Any(r => r.Properties["Status"].Value.ToString() != "Skipped"))
        {
            throw new InvalidOperationException("a run over unchanged images did not skip them all: " + string.Join("; ", skipped.Where(r => r.Properties["Status"].Value.ToString() != "Skipped").Select(r => r.Properties["Name"].Value + " " + r.Properties["Status"].Value + " (" + r.Properties["Reason"].Value + ")")));
        }
    }

    double planMedian = BenchKit.Median(plans);
    double skipMedian = BenchKit.Median(skips);
    Console.WriteLine($"plan (-WhatIf), {count} images, nothing changed: median {planMedian:0} ms ({planMedian / count:0.0} ms per image), {planMedian / 1000:0.00}x the 1 s goal");
    Console.WriteLine($"run (all Skipped), {count} images:              median {skipMedian:0} ms ({skipMedian / count:0.0} ms per image), {skipMedian / 1000:0.00}x the 1 s goal");
    Console.WriteLine($"rounds: plan {string.Join(", ", plans.Select(p => p.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))} ms; run {string.Join(", ", skips.Select(p => p.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))} ms");
}
finally
{
    var images = Process.Start(new ProcessStartInfo("docker", "images --format {{.Repository}}:{{.Tag}}") { RedirectStandardOutput = true })!;
    var mine = images.StandardOutput.ReadToEnd().Split('\n').Where(l => l.StartsWith(repo + ":", StringComparison.Ordinal)).ToList();
    images.WaitForExit();
    foreach (var batch in mine.Chunk(50))
    {
        using var rmi = Process.Start(new ProcessStartInfo("docker", "rmi -f " + string.Join(" ", batch)) { RedirectStandardOutput = true })!;
        rmi.StandardOutput.ReadToEnd();
        rmi.WaitForExit();
    }

    Directory.Delete(work, true);
}

