using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

// Benchmark (issue 16): the cold one-shot command CI legs run, in a new pwsh each time,
//   pwsh -NoProfile -c 'Import-Module <module>/PythonImages.psd1; Get-PythonTag | New-PythonDockerfile -Path <tmp>'
// against `pwsh -NoProfile -c exit`, interleaved rounds. The module's share is the difference within each round, in wall
// time and in CPU time (user + system of the child, which a loaded machine disturbs less). Linux only (getrusage).
// Each round also runs the smallest binary module (bench/BaselineModule: one cmdlet, one view) the same way, which
// separates what any binary module costs PowerShell on a first Import-Module and a first cmdlet call from what
// PythonImages adds.
// By default the module is the package build.ps1 makes (-Task Package -ReadyToRun <this machine's rid>: the
// dependencies compiled ReadyToRun, as PowerShell 7 users get it), built into a temp folder first.
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.Cold [-- <rounds> [<manifest path> | --repo]]
//   --repo: the repository's PythonImages.psd1 as dotnet build laid it out (IL only).
int pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
string pwsh = "pwsh";
string repoRoot = FindRepoRoot();
string manifest = args.Length > 1
    ? (args[1] == "--repo" ? Path.Combine(repoRoot, "PythonImages.psd1") : Path.GetFullPath(args[1]))
    : Package(repoRoot);
string baseline = BaselineManifest(repoRoot);
string load0 = File.ReadAllText("/proc/loadavg").Trim();

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

(double Wall, double Cpu) Baseline() => Run($"Import-Module '{baseline.Replace("'", "''", StringComparison.Ordinal)}'; Get-BenchBaseline | Out-Null");

// Warm the file cache, then interleaved rounds (the order rotates).
Regenerate();
Exit();
Baseline();
var full = new List<(double Wall, double Cpu)>();
var bare = new List<(double Wall, double Cpu)>();
var trivial = new List<(double Wall, double Cpu)>();
for (int i = 0; i < pairs; i++)
{
    switch (i % 3)
    {
        case 0:
            full.Add(Regenerate());
            bare.Add(Exit());
            trivial.Add(Baseline());
            break;
        case 1:
            bare.Add(Exit());
            trivial.Add(Baseline());
            full.Add(Regenerate());
            break;
        default:
            trivial.Add(Baseline());
            full.Add(Regenerate());
            bare.Add(Exit());
            break;
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
var trivialWall = trivial.Zip(bare, (t, b) => t.Wall - b.Wall).ToList();
var trivialCpu = trivial.Zip(bare, (t, b) => t.Cpu - b.Cpu).ToList();
var aboveWall = full.Zip(trivial, (f, t) => f.Wall - t.Wall).ToList();
var aboveCpu = full.Zip(trivial, (f, t) => f.Cpu - t.Cpu).ToList();
Console.WriteLine($"  smallest binary module (Import-Module + one cmdlet) over exit: wall median {Median(trivialWall),5:0} ms, CPU median {Median(trivialCpu),5:0} ms");
Console.WriteLine($"  PythonImages over the smallest binary module:                 wall median {Median(aboveWall),5:0} ms, CPU median {Median(aboveCpu),5:0} ms");
Console.WriteLine($"  PowerShell: {PowerShellAutomation()}");
Console.WriteLine($"  machine: {Environment.ProcessorCount} logical CPUs (shared); load average before {load0}, after {File.ReadAllText("/proc/loadavg").Trim()}");

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

// build.ps1 -Task Package -ReadyToRun <rid> into a temp folder; the packaged manifest.
string Package(string root)
{
    string output = Path.Combine(Path.GetTempPath(), "pythonimages-bench-cold-package");
    string rid = RuntimeInformation.RuntimeIdentifier;
    var psi = new ProcessStartInfo(pwsh) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-File", Path.Combine(root, "build.ps1"), "-Task", "Package", "-ReadyToRun", rid, "-OutputPath", output })
    {
        psi.ArgumentList.Add(a);
    }

    Console.WriteLine($"packaging the module (build.ps1 -Task Package -ReadyToRun {rid}) into {output} ...");
    using var p = Process.Start(psi)!;
    var stdout = p.StandardOutput.ReadToEndAsync();
    string err = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0)
    {
        throw new InvalidOperationException($"build.ps1 -Task Package failed ({p.ExitCode}): {err}{stdout.Result}");
    }

    return Directory.GetFiles(Path.Combine(output, "PythonImages"), "PythonImages.psd1", SearchOption.AllDirectories).Single();
}

// A manifest for bench/BaselineModule (built with this bench), written to a temp folder.
static string BaselineManifest(string root)
{
    string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0/
    string output = Path.Combine(root, "bench", "BaselineModule", "bin", configuration, "netstandard2.0");
    string dll = Path.Combine(output, "BaselineModule.dll");
    if (!File.Exists(dll))
    {
        throw new InvalidOperationException(dll + " is missing; build this bench project (it builds BaselineModule).");
    }

    string dir = Path.Combine(Path.GetTempPath(), "pythonimages-bench-cold-baseline");
    Directory.CreateDirectory(dir);
    string path = Path.Combine(dir, "BaselineModule.psd1");
    File.WriteAllText(path,
        "@{ RootModule = '" + dll.Replace("'", "''", StringComparison.Ordinal) + "'; ModuleVersion = '1.0.0'; GUID = 'f0f0f0f0-0000-4000-8000-000000000001'; " +
        "CmdletsToExport = @('Get-BenchBaseline'); FunctionsToExport = @(); " +
        "FormatsToProcess = @('" + Path.Combine(output, "BaselineModule.format.ps1xml").Replace("'", "''", StringComparison.Ordinal) + "') }");
    return path;
}

// Whether PowerShell's own engine (System.Management.Automation) is compiled ReadyToRun: the pwsh packages are, the
// `dotnet tool` install is IL only, and then every PowerShell code path a first Import-Module or a first parameter
// binding takes is JIT-compiled too, which this benchmark counts as the module's share.
string PowerShellAutomation()
{
    var psi = new ProcessStartInfo(pwsh) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-Command", "$p = [System.Management.Automation.PSObject].Assembly.Location; $s = [IO.File]::OpenRead($p); try { $r = [System.Reflection.PortableExecutable.PEReader]::new($s); '{0} {1}, {2}' -f $PSVersionTable.PSVersion, $p, ($(if ($r.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0) { 'ReadyToRun' } else { 'IL only (not ReadyToRun)' })) } finally { $s.Dispose() }" })
    {
        psi.ArgumentList.Add(a);
    }

    using var p = Process.Start(psi)!;
    string text = p.StandardOutput.ReadToEnd().Trim();
    p.WaitForExit();
    return text;
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
