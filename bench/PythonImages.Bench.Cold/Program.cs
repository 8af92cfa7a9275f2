using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

// Benchmark (issue 16): the cold one-shot command CI legs run, in a new pwsh each time,
//   pwsh -NoProfile -c 'Import-Module <repo>/PythonImages.psd1; Get-PythonTag | New-PythonDockerfile -Path <tmp>'
// against `pwsh -NoProfile -c exit`, alternating pairs. The module's share is the difference within each pair, in wall
// time and in CPU time (user + system of the child, which a loaded machine disturbs less). Linux only (getrusage).
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.Cold [-- <pairs> [<manifest path>]]
int pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
string manifest = args.Length > 1 ? Path.GetFullPath(args[1]) : Path.Combine(FindRepoRoot(), "PythonImages.psd1");
string pwsh = "pwsh";

(double Wall, double Cpu) Run(string command)
{
    var psi = new ProcessStartInfo(pwsh) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-Command", command })
    {
        psi.ArgumentList.Add(a);
    }

    double cpu0 = ChildrenCpuMs();
    var w = Stopwatch.StartNew();
    using var p = Process.Start(psi)!;
    p.StandardOutput.ReadToEnd();
    string err = p.StandardError.ReadToEnd();
    p.WaitForExit();
    w.Stop();
    if (p.ExitCode != 0 || err.Length > 0)
    {
        throw new InvalidOperationException($"pwsh -c {command} failed ({p.ExitCode}): {err}");
    }

    return (w.Elapsed.TotalMilliseconds, ChildrenCpuMs() - cpu0);
}

(double Wall, double Cpu) Regenerate()
{
    string dir = Path.Combine(Path.GetTempPath(), "h16-cold-" + Guid.NewGuid().ToString("N")[..8]);
    try
    {
        var r = Run($"Import-Module '{manifest.Replace("'", "''", StringComparison.Ordinal)}'; Get-PythonTag | New-PythonDockerfile -Path '{dir}' | Out-Null");
        int written = Directory.GetFiles(dir, "Dockerfile", SearchOption.AllDirectories).Length;
        if (written != 42)
        {
            throw new InvalidOperationException($"expected 42 Dockerfiles, found {written}");
        }

        return r;
    }
    finally
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }
    }
}

(double Wall, double Cpu) Exit() => Run("exit");

// Warm the file cache, then alternating pairs.
Regenerate();
Exit();
var full = new List<(double Wall, double Cpu)>();
var bare = new List<(double Wall, double Cpu)>();
for (int i = 0; i < pairs; i++)
{
    if (i % 2 == 0)
    {
        full.Add(Regenerate());
        bare.Add(Exit());
    }
    else
    {
        bare.Add(Exit());
        full.Add(Regenerate());
    }
}

var wallShare = full.Zip(bare, (f, b) => f.Wall - b.Wall).ToList();
var cpuShare = full.Zip(bare, (f, b) => f.Cpu - b.Cpu).ToList();
var wallRatio = full.Zip(bare, (f, b) => f.Wall / b.Wall).ToList();
Console.WriteLine($"cold pwsh -c: Import-Module + Get-PythonTag | New-PythonDockerfile (42 files) vs pwsh -c exit, {pairs} alternating pairs");
Console.WriteLine($"  module  {manifest}");
Console.WriteLine($"  pwsh -c regenerate   wall median {Median(full.Select(x => x.Wall)),7:0} ms   CPU median {Median(full.Select(x => x.Cpu)),6:0} ms");
Console.WriteLine($"  pwsh -c exit         wall median {Median(bare.Select(x => x.Wall)),7:0} ms   CPU median {Median(bare.Select(x => x.Cpu)),6:0} ms");
Console.WriteLine($"  wall ratio           median {Median(wallRatio):0.000} (min {wallRatio.Min():0.000}, max {wallRatio.Max():0.000})");
Console.WriteLine($"  module share, wall   median {Median(wallShare),7:0} ms (min {wallShare.Min():0}, max {wallShare.Max():0})   (target <= 150 ms) {(Median(wallShare) <= 150 ? "OK" : "MISSED")}");
Console.WriteLine($"  module share, CPU    median {Median(cpuShare),7:0} ms (min {cpuShare.Min():0}, max {cpuShare.Max():0})");
Console.WriteLine($"  machine: {Environment.ProcessorCount} logical CPUs (shared)");

static double Median(IEnumerable<double> values)
{
    var s = values.OrderBy(x => x).ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

static double ChildrenCpuMs()
{
    // getrusage(RUSAGE_CHILDREN): user + system time of the terminated, waited-for children.
    var usage = new long[18];
    if (Native.getrusage(-1, usage) != 0)
    {
        throw new InvalidOperationException("getrusage failed");
    }

    return (usage[0] * 1000.0) + (usage[1] / 1000.0) + (usage[2] * 1000.0) + (usage[3] / 1000.0);
}

static string FindRepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PythonImages.psd1")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("PythonImages.psd1 not found");
}

internal static class Native
{
    [DllImport("libc", SetLastError = true)]
#pragma warning disable CA5392, SYSLIB1054 // a benchmark-only P/Invoke into libc
    internal static extern int getrusage(int who, [Out] long[] usage);
#pragma warning restore CA5392, SYSLIB1054
}
