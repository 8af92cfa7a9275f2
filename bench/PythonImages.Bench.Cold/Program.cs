using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

// Benchmark (issue 16): the cold one-shot command CI legs run, in a new PowerShell process each time,
//   pwsh -NoProfile -c 'Import-Module <module>/PythonImages.psd1; Get-PythonTag | New-PythonDockerfile -Path <tmp>'
// against `pwsh -NoProfile -c exit`, interleaved rounds. The module's share is the difference within each round, in wall
// time and in CPU time (user + system of the child, which a loaded machine disturbs less). Linux only (getrusage).
// Each round also runs the smallest binary module (bench/BaselineModule: one cmdlet, one view) the same way, which
// separates what any binary module costs PowerShell on a first Import-Module and a first cmdlet call from what
// PythonImages adds.
// Two PowerShell 7.6.9 hosts, measured in the same rounds: the `pwsh` on PATH (here the `dotnet tool` install, whose
// System.Management.Automation.dll is IL only, so PowerShell JIT-compiles its own code in every measured process) and
// bench/PwshHost (PowerShell's console host from Microsoft.PowerShell.SDK, published ReadyToRun for this machine like
// Microsoft's pwsh packages), which the benchmark publishes on first use into bench/PwshHost/bin/r2r-host/<rid>/.
// By default the module is the package build.ps1 makes (-Task Package -ReadyToRun <this machine's rid>: the
// dependencies compiled ReadyToRun, as PowerShell 7 users get it), built into a temp folder first.
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.Cold [-- <rounds> [<manifest path> | --repo]]
//   --repo: the repository's PythonImages.psd1 as dotnet build laid it out (IL only).
int pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
string repoRoot = BenchKit.RepoRoot();
string manifest = args.Length > 1
    ? (args[1] == "--repo" ? Path.Combine(repoRoot, "PythonImages.psd1") : Path.GetFullPath(args[1]))
    : Package(repoRoot);
string baseline = BaselineManifest(repoRoot);
var shells = new[] { new Shell("pwsh on PATH", BenchKit.Pwsh()), new Shell("ReadyToRun host (bench/PwshHost)", PwshHost(repoRoot)) };

// Each host gets a cache folder of its own (XDG_CACHE_HOME), as each PowerShell installation on a real machine has: the
// two hosts are the same PowerShell version, so with one folder each read the start-up profile (the methods the last
// process JIT-compiled, which .NET compiles again in the background at start, on this machine's second core) that the
// other wrote, and the IL-only host's profile is ~5,000 methods long. Session 17 found this mixing in the earlier runs.
// BENCH_CACHE=shared measures the old way; BENCH_CACHE=fresh gives every process an empty cache folder (a first run on
// a new machine or container: no start-up profile to replay).
string cacheMode = Environment.GetEnvironmentVariable("BENCH_CACHE") ?? "host";
if (cacheMode != "host" && cacheMode != "shared" && cacheMode != "fresh")
{
    throw new InvalidOperationException("BENCH_CACHE must be host, shared or fresh");
}

for (int i = 0; i < shells.Length && cacheMode == "host"; i++)
{
    shells[i].CacheHome = Path.Combine(Path.GetTempPath(), "pythonimages-bench-cold-cache", i.ToString(CultureInfo.InvariantCulture));
    Directory.CreateDirectory(shells[i].CacheHome!);
}
foreach (var shell in shells)
{
    Describe(shell);
}

string load0 = File.ReadAllText("/proc/loadavg").Trim();

(double Wall, double Cpu) Run(Shell shell, string command)
{
    double cpu0 = BenchKit.ChildrenCpuMs();
    var w = Stopwatch.StartNew();
    RunForOutput(shell, command);
    w.Stop();
    return (w.Elapsed.TotalMilliseconds, BenchKit.ChildrenCpuMs() - cpu0);
}

// Runs one `-c` command in a new process; its standard output (standard error must stay empty).
string RunForOutput(Shell shell, string command)
{
    var psi = new ProcessStartInfo(shell.Path) { RedirectStandardOutput = true, RedirectStandardError = true };
    string? fresh = cacheMode == "fresh" ? Directory.CreateTempSubdirectory("pythonimages-bench-cold-fresh-").FullName : null;
    if ((fresh ?? shell.CacheHome) is string cache)
    {
        psi.Environment["XDG_CACHE_HOME"] = cache;
    }

    foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-Command", command })
    {
        psi.ArgumentList.Add(a);
    }

    using var p = Process.Start(psi)!;
    string output = p.StandardOutput.ReadToEnd();
    string err = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (fresh != null)
    {
        Directory.Delete(fresh, true);
    }

    if (p.ExitCode != 0 || err.Length > 0)
    {
        throw new InvalidOperationException($"{shell.Path} -c {command} failed ({p.ExitCode}): {err}");
    }

    return output;
}

(double Wall, double Cpu) Regenerate(Shell shell)
{
    string dir = Path.Combine(Path.GetTempPath(), "h16-cold-" + Guid.NewGuid().ToString("N")[..8]);
    try
    {
        var r = Run(shell, $"Import-Module '{manifest.Replace("'", "''", StringComparison.Ordinal)}'; Get-PythonTag | New-PythonDockerfile -Path '{dir}' | Out-Null");
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

(double Wall, double Cpu) Exit(Shell shell) => Run(shell, "exit");

(double Wall, double Cpu) Baseline(Shell shell) => Run(shell, $"Import-Module '{baseline.Replace("'", "''", StringComparison.Ordinal)}'; Get-BenchBaseline | Out-Null");

// Warm the file cache, then interleaved rounds: every round runs the three commands with both hosts, in an order that
// rotates from round to round.
var steps = new List<(Shell Shell, int Kind)>();
foreach (var shell in shells)
{
    Regenerate(shell);
    Exit(shell);
    Baseline(shell);
    for (int kind = 0; kind < 3; kind++)
    {
        steps.Add((shell, kind));
    }
}

for (int i = 0; i < pairs; i++)
{
    for (int k = 0; k < steps.Count; k++)
    {
        var (shell, kind) = steps[(i + k) % steps.Count];
        var list = kind switch { 0 => shell.Full, 1 => shell.Bare, _ => shell.Trivial };
        list.Add(kind switch { 0 => Regenerate(shell), 1 => Exit(shell), _ => Baseline(shell) });
    }
}

// Inside one cold process: a stopwatch between the steps and the methods JIT-compiled in each (all threads,
// System.Runtime.JitInfo), the medians of a few processes per host. This says where the module's share goes; what the
// process costs before the first step and after the last (start-up, the startup profile PowerShell writes at exit,
// tearing the process down) is in the share above but not here.
string StepsCommand(string dir) =>
    "$w = [Diagnostics.Stopwatch]::StartNew(); $r = @(); " +
    "function m { $script:r += '{0:0.00}/{1}' -f $w.Elapsed.TotalMilliseconds, [System.Runtime.JitInfo]::GetCompiledMethodCount($false); $w.Restart() }; " +
    $"m; Import-Module '{manifest.Replace("'", "''", StringComparison.Ordinal)}'; m; Get-PythonTag | Out-Null; m; " +
    $"Get-PythonTag | New-PythonDockerfile -Path '{dir}' | Out-Null; m; $r -join ' '";
var stepNames = new[] { "Import-Module", "first Get-PythonTag", "first regeneration (42 files)" };
foreach (var shell in shells)
{
    var ms = new List<double>[stepNames.Length];
    var jitted = new List<double>[stepNames.Length];
    for (int k = 0; k < stepNames.Length; k++)
    {
        ms[k] = new List<double>();
        jitted[k] = new List<double>();
    }

    for (int i = 0; i < 7; i++)
    {
        string dir = Path.Combine(Path.GetTempPath(), "h16-cold-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var marks = RunForOutput(shell, StepsCommand(dir)).Trim().Split(' ')
                .Select(x => x.Split('/')).Select(x => (Ms: double.Parse(x[0], CultureInfo.InvariantCulture), Jit: double.Parse(x[1], CultureInfo.InvariantCulture))).ToList();
            for (int k = 0; k < stepNames.Length; k++)
            {
                ms[k].Add(marks[k + 1].Ms);
                jitted[k].Add(marks[k + 1].Jit - marks[k].Jit);
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }

    shell.Steps = string.Join(", ", stepNames.Select((n, k) => $"{n} {BenchKit.Median(ms[k]):0.0} ms ({BenchKit.Median(jitted[k]):0} methods compiled)"));
}

Console.WriteLine($"cold -c: Import-Module + Get-PythonTag | New-PythonDockerfile (42 files) vs -c exit, {pairs} interleaved rounds");
Console.WriteLine($"  module  {manifest}");
Console.WriteLine(cacheMode switch
{
    "shared" => "  one cache folder for both hosts (BENCH_CACHE=shared)",
    "fresh" => "  an empty cache folder for every process (BENCH_CACHE=fresh: no start-up profile)",
    _ => "  a cache folder (XDG_CACHE_HOME) of its own for each host",
});
foreach (var shell in shells)
{
    Report(shell);
}

Console.WriteLine($"  machine: {Environment.ProcessorCount} logical CPUs (shared); load average before {load0}, after {File.ReadAllText("/proc/loadavg").Trim()}");

static void Report(Shell shell)
{
    var full = shell.Full;
    var bare = shell.Bare;
    var trivial = shell.Trivial;
    var wallShare = full.Zip(bare, (f, b) => f.Wall - b.Wall).ToList();
    var cpuShare = full.Zip(bare, (f, b) => f.Cpu - b.Cpu).ToList();
    var wallRatio = full.Zip(bare, (f, b) => f.Wall / b.Wall).ToList();
    Console.WriteLine($"  {shell.Name}: {shell.Description}");
    Console.WriteLine($"    -c regenerate        wall median {BenchKit.Median(full.Select(x => x.Wall)),7:0} ms   CPU median {BenchKit.Median(full.Select(x => x.Cpu)),6:0} ms");
    Console.WriteLine($"    -c exit              wall median {BenchKit.Median(bare.Select(x => x.Wall)),7:0} ms   CPU median {BenchKit.Median(bare.Select(x => x.Cpu)),6:0} ms");
    Console.WriteLine($"    wall ratio           median {BenchKit.Median(wallRatio):0.000} (min {wallRatio.Min():0.000}, max {wallRatio.Max():0.000})");
    Console.WriteLine($"    module share, wall   median {BenchKit.Median(wallShare),7:0} ms (min {wallShare.Min():0}, max {wallShare.Max():0})   (target <= 150 ms) {(BenchKit.Median(wallShare) <= 150 ? "OK" : "MISSED")}");
    Console.WriteLine($"    module share, CPU    median {BenchKit.Median(cpuShare),7:0} ms (min {cpuShare.Min():0}, max {cpuShare.Max():0})   (target <= 150 ms) {(BenchKit.Median(cpuShare) <= 150 ? "OK" : "MISSED")}");
    var trivialWall = trivial.Zip(bare, (t, b) => t.Wall - b.Wall).ToList();
    var trivialCpu = trivial.Zip(bare, (t, b) => t.Cpu - b.Cpu).ToList();
    var aboveWall = full.Zip(trivial, (f, t) => f.Wall - t.Wall).ToList();
    var aboveCpu = full.Zip(trivial, (f, t) => f.Cpu - t.Cpu).ToList();
    Console.WriteLine($"    smallest binary module (Import-Module + one cmdlet) over exit: wall median {BenchKit.Median(trivialWall),5:0} ms, CPU median {BenchKit.Median(trivialCpu),5:0} ms");
    Console.WriteLine($"    PythonImages over the smallest binary module:                 wall median {BenchKit.Median(aboveWall),5:0} ms, CPU median {BenchKit.Median(aboveCpu),5:0} ms");
    Console.WriteLine($"    inside one cold process (medians of 7): {shell.Steps}");
}

// build.ps1 -Task Package -ReadyToRun <rid> into a temp folder; the packaged manifest.
static string Package(string root)
{
    string output = Path.Combine(Path.GetTempPath(), "pythonimages-bench-cold-package");
    string rid = RuntimeInformation.RuntimeIdentifier;
    var psi = new ProcessStartInfo(BenchKit.Pwsh()) { RedirectStandardOutput = true, RedirectStandardError = true };
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

// bench/PwshHost published ReadyToRun for this machine (dotnet publish -c Release -r <rid>), reused while it is newer
// than its sources; its $PSHOME gets the in-box modules (Modules/) of the pwsh on PATH when that is the same version,
// so both hosts start with the same module folders. The host's path.
static string PwshHost(string root)
{
    string rid = RuntimeInformation.RuntimeIdentifier;
    string project = Path.Combine(root, "bench", "PwshHost");
    string output = Path.Combine(project, "bin", "r2r-host", rid);
    string host = Path.Combine(output, RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "pwsh-r2r.exe" : "pwsh-r2r");
    var sources = new[] { Path.Combine(project, "PwshHost.csproj"), Path.Combine(project, "Program.cs"), Path.Combine(root, "Directory.Packages.props") };
    if (!File.Exists(host) || sources.Any(s => File.GetLastWriteTimeUtc(s) > File.GetLastWriteTimeUtc(host)))
    {
        Console.WriteLine($"publishing bench/PwshHost ReadyToRun for {rid} into {output} (a few minutes, once) ...");
        var (code, text) = Capture("dotnet", "publish", Path.Combine(project, "PwshHost.csproj"), "-c", "Release", "-r", rid, "--self-contained", "false", "-nologo", "-o", output);
        if (code != 0)
        {
            throw new InvalidOperationException("dotnet publish bench/PwshHost failed: " + text);
        }

        File.SetLastWriteTimeUtc(host, DateTime.UtcNow);
    }

    string modules = Path.Combine(output, "Modules");
    if (!Directory.Exists(modules))
    {
        var (code, text) = Capture(BenchKit.Pwsh(), "-NoProfile", "-NonInteractive", "-Command", "$PSVersionTable.PSVersion.ToString(); $PSHOME");
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string source = lines.Length >= 2 ? Path.Combine(lines[1], "Modules") : string.Empty;
        if (code == 0 && lines[0] == "7.6.9" && Directory.Exists(source))
        {
            CopyDirectory(source, modules);
        }
        else
        {
            Console.WriteLine("  (no pwsh 7.6.9 on PATH to take the in-box modules from: the ReadyToRun host runs without $PSHOME/Modules)");
        }
    }

    return host;
}

static void CopyDirectory(string from, string to)
{
    Directory.CreateDirectory(to);
    foreach (var file in Directory.GetFiles(from))
    {
        File.Copy(file, Path.Combine(to, Path.GetFileName(file)), true);
    }

    foreach (var dir in Directory.GetDirectories(from))
    {
        CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}

static (int Code, string Output) Capture(string file, params string[] arguments)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments)
    {
        psi.ArgumentList.Add(a);
    }

    using var p = Process.Start(psi)!;
    var stderr = p.StandardError.ReadToEndAsync();
    string stdout = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    return (p.ExitCode, stdout + stderr.Result);
}

// What each host is, checked before anything is measured: its PowerShell version, whether its engine
// (System.Management.Automation.dll) is ReadyToRun (the pwsh packages are, the `dotnet tool` install is IL only, and
// then every PowerShell code path a first Import-Module or a first parameter binding takes is JIT-compiled too, which
// this benchmark counts as the module's share), that -c runs, and that it imports the module and finds its cmdlets.
void Describe(Shell shell)
{
    string script =
        "$p = [System.Management.Automation.PSObject].Assembly.Location; $s = [IO.File]::OpenRead($p); " +
        "try { $r = [System.Reflection.PortableExecutable.PEReader]::new($s); $rtr = $r.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0 } finally { $s.Dispose() }; " +
        $"$m = Import-Module '{manifest.Replace("'", "''", StringComparison.Ordinal)}' -PassThru; " +
        "'{0}|{1}|{2}|{3} {4} ({5} cmdlets)' -f $PSVersionTable.PSVersion, $p, $(if ($rtr) { 'ReadyToRun' } else { 'IL only (not ReadyToRun)' }), $m.Name, $m.Version, $m.ExportedCmdlets.Count";
    var (code, text) = Capture(shell.Path, "-NoProfile", "-NonInteractive", "-Command", script);
    string[] parts = text.Trim().Split('|');
    if (code != 0 || parts.Length != 4 || !parts[0].StartsWith("7.", StringComparison.Ordinal) || !parts[3].StartsWith("PythonImages ", StringComparison.Ordinal))
    {
        throw new InvalidOperationException($"{shell.Path} -c does not run PowerShell 7 with the module ({code}): {text}");
    }

    if (shell.Path != BenchKit.Pwsh() && parts[2] != "ReadyToRun")
    {
        throw new InvalidOperationException($"{shell.Path}: System.Management.Automation.dll is not ReadyToRun ({parts[1]})");
    }

    shell.Description = $"PowerShell {parts[0]}, {parts[1]}: {parts[2]}; imports {parts[3]}";
    Console.WriteLine($"{shell.Name}: {shell.Path}");
    Console.WriteLine($"  {shell.Description}");
}

internal sealed class Shell(string name, string path)
{
    public string Name { get; } = name;

    public string Path { get; } = path;

    public string Description { get; set; } = string.Empty;

    public string? CacheHome { get; set; }

    public List<(double Wall, double Cpu)> Full { get; } = [];

    public List<(double Wall, double Cpu)> Bare { get; } = [];

    public List<(double Wall, double Cpu)> Trivial { get; } = [];

    public string Steps { get; set; } = string.Empty;
}
