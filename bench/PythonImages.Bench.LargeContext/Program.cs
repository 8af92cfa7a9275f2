using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

// Benchmark (issue 16): a FROM scratch + COPY . /data build of a large context (default 500 MB: 50 files of 10 MB of
// random bytes), Invoke-PythonImageBuild in a warm hosted runspace against `DOCKER_BUILDKIT=0 docker build`, alternating
// pairs; wall-clock and client CPU ratios per pair (min / median / max). Then the peak memory of the build in a fresh
// pwsh against an idle pwsh. Linux only (getrusage, /proc).
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.LargeContext [-- <pairs> <megabytes> <memory rounds> [<manifest>]]
// Every build replaces the image its tag named; the replaced image is removed right away (on vfs each is 1 GB).
int pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
int megabytes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
int memoryRounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7;
string id = Guid.NewGuid().ToString("N")[..8];
string repo = "h16-speed-bench-" + id;
string manifestPath = args.Length > 3 ? Path.GetFullPath(args[3]) : Path.Combine(BenchKit.RepoRoot(), "PythonImages.psd1");
string ctx = Path.Combine(Path.GetTempPath(), "h16-speed-bench-" + id);
string load0 = File.ReadAllText("/proc/loadavg").Trim();
string pwsh = BenchKit.Pwsh(); // the memory part starts fresh pwsh processes; a missing one stops the run before the builds

Directory.CreateDirectory(ctx);
try
{
    var random = new Random(16);
    var chunk = new byte[1 << 20];
    for (int f = 0; f < (megabytes + 9) / 10; f++)
    {
        using var file = File.Create(Path.Combine(ctx, $"part{f:000}.bin"));
        for (int m = 0; m < Math.Min(10, megabytes - f * 10); m++)
        {
            random.NextBytes(chunk);
            file.Write(chunk, 0, chunk.Length);
        }
    }

    File.WriteAllText(Path.Combine(ctx, "Dockerfile"), "FROM scratch\nCOPY . /data\n");

    using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
    runspace.Open();
    Invoke(runspace, ps => ps.AddCommand("Import-Module").AddParameter("Name", manifestPath).AddParameter("ErrorAction", "Stop"));

    (double Wall, double Cpu) ModuleBuild()
    {
        string? replaced = ImageId(repo + ":module");
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var w = Stopwatch.StartNew();
        var r = Invoke(runspace, ps => ps.AddCommand("Invoke-PythonImageBuild").AddParameter("Path", ctx).AddParameter("Tag", repo + ":module").AddParameter("NoCache"));
        w.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        if (!(bool)r.Single().Properties["Succeeded"].Value)
        {
            throw new InvalidOperationException("module build failed");
        }

        RemoveReplaced(replaced, repo + ":module");
        return (w.Elapsed.TotalMilliseconds, cpu.TotalMilliseconds);
    }

    // The same build: the module labels its images (io.github.pythonimages.built-by, which its provenance checks read),
    // and the classic builder applies build labels as one more step (LABEL: a container made from the image so far, on
    // the vfs storage driver a full copy of its 500 MB). The CLI gets the labels the module's image has.
    var labels = new List<string>();

    (double Wall, double Cpu) CliBuild()
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "build", "-q", "--no-cache", "-t", repo + ":cli" }.Concat(labels.SelectMany(l => new[] { "--label", l })).Concat(new[] { ctx }))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOCKER_BUILDKIT"] = "0";
        string? replaced = ImageId(repo + ":cli");
        double cpu0 = BenchKit.ChildrenCpuMs();
        var w = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        w.Stop();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException("docker build failed: " + err);
        }

        double cpu = BenchKit.ChildrenCpuMs() - cpu0;
        RemoveReplaced(replaced, repo + ":cli");
        return (w.Elapsed.TotalMilliseconds, cpu);
    }

    // One warm-up each, then alternating pairs (module first on even pairs).
    ModuleBuild();
    foreach (var line in Run("docker", "image", "inspect", "--format", "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{println}}{{end}}", repo + ":module").Split('\n'))
    {
        if (line.Trim().Length > 0)
        {
            labels.Add(line.Trim());
        }
    }

    CliBuild();
    var module = new List<(double Wall, double Cpu)>();
    var cli = new List<(double Wall, double Cpu)>();
    for (int i = 0; i < pairs; i++)
    {
        if (i % 2 == 0)
        {
            module.Add(ModuleBuild());
            cli.Add(CliBuild());
        }
        else
        {
            cli.Add(CliBuild());
            module.Add(ModuleBuild());
        }
    }

    var wallRatios = module.Zip(cli, (m, c) => m.Wall / c.Wall).ToList();
    var cpuRatios = module.Zip(cli, (m, c) => m.Cpu / c.Cpu).ToList();
    Console.WriteLine($"{megabytes} MB context, FROM scratch + COPY . /data, --no-cache, {pairs} alternating pairs, warm; the CLI with the module's labels ({string.Join(", ", labels)})");
    Console.WriteLine($"  Invoke-PythonImageBuild   wall median {BenchKit.Median(module.Select(x => x.Wall)),8:0} ms   client CPU median {BenchKit.Median(module.Select(x => x.Cpu)),6:0} ms");
    Console.WriteLine($"  DOCKER_BUILDKIT=0 docker  wall median {BenchKit.Median(cli.Select(x => x.Wall)),8:0} ms   client CPU median {BenchKit.Median(cli.Select(x => x.Cpu)),6:0} ms");
    Console.WriteLine($"  wall ratio module/cli     {Summary(wallRatios)}   (target median <= 1.02) {(BenchKit.Median(wallRatios) <= 1.02 ? "OK" : "MISSED")}");
    Console.WriteLine($"  client CPU ratio          {Summary(cpuRatios)}   (target median <= 1.5) {(BenchKit.Median(cpuRatios) <= 1.5 ? "OK" : "MISSED")}");

    // Peak memory: fresh pwsh processes, idle and importing the module and building, interleaved; each reports its own
    // peak resident set (VmHWM of /proc/self/status) as its last act, read the same way in both.
    string manifest = manifestPath.Replace("'", "''", StringComparison.Ordinal);
    const string Peak = "[Console]::Out.WriteLine(([IO.File]::ReadAllLines('/proc/self/status') -match '^VmHWM:')[0])";
    var idle = new List<double>();
    var build = new List<double>();
    var loads = new List<string>();
    for (int i = 0; i < memoryRounds; i++)
    {
        string? replaced = ImageId(repo + ":memory");
        if (i % 2 == 0)
        {
            idle.Add(PeakKiB(Run(pwsh, "-NoProfile", "-NonInteractive", "-Command", Peak)) * 1024.0);
        }

        build.Add(PeakKiB(Run(pwsh, "-NoProfile", "-NonInteractive", "-Command", $"Import-Module '{manifest}'; $r = Invoke-PythonImageBuild -Path '{ctx}' -Tag {repo}:memory -NoCache; if (-not $r.Succeeded) {{ exit 3 }}; {Peak}")) * 1024.0);
        if (i % 2 == 1)
        {
            idle.Add(PeakKiB(Run(pwsh, "-NoProfile", "-NonInteractive", "-Command", Peak)) * 1024.0);
        }

        RemoveReplaced(replaced, repo + ":memory");
        loads.Add(File.ReadAllText("/proc/loadavg").Split(' ')[0]);
    }

    double growth = (BenchKit.Median(build) - BenchKit.Median(idle)) / 1048576.0;
    var perRound = build.Zip(idle, (b, d) => (b - d) / 1048576.0).ToList();
    Console.WriteLine($"peak resident set (VmHWM), fresh pwsh, {memoryRounds} interleaved rounds each (load average after each round: {string.Join(", ", loads)})");
    Console.WriteLine($"  idle pwsh                 median {BenchKit.Median(idle) / 1048576.0,8:0.0} MB (min {idle.Min() / 1048576.0:0.0}, max {idle.Max() / 1048576.0:0.0})");
    Console.WriteLine($"  pwsh + {megabytes} MB build       median {BenchKit.Median(build) / 1048576.0,8:0.0} MB (min {build.Min() / 1048576.0:0.0}, max {build.Max() / 1048576.0:0.0})");
    Console.WriteLine($"  growth (median - median)  {growth,8:0.0} MB   (target <= +50 MB) {(growth <= 50 ? "OK" : "MISSED")}");
    Console.WriteLine($"  growth per round          median {BenchKit.Median(perRound):0.0} MB (min {perRound.Min():0.0}, max {perRound.Max():0.0})");
    Console.WriteLine($"  machine: {Environment.ProcessorCount} logical CPUs (shared); load average before {load0}, after {File.ReadAllText("/proc/loadavg").Trim()}");
}
finally
{
    foreach (var tag in new[] { "module", "cli", "memory" })
    {
        Run("docker", "rmi", "-f", repo + ":" + tag);
    }

    Directory.Delete(ctx, true);
}

// The id of the image a tag names now (null when there is none).
static string? ImageId(string tag)
{
    string id = Run("docker", "image", "inspect", "--format", "{{.Id}}", tag).Trim();
    return id.StartsWith("sha256:", StringComparison.Ordinal) ? id : null;
}

// The image a build replaced (its tag moved to the new one): removed, with its own layers, unless the tag still names it.
static void RemoveReplaced(string? replaced, string tag)
{
    if (replaced != null && replaced != ImageId(tag))
    {
        Run("docker", "rmi", replaced);
    }
}

static List<PSObject> Invoke(Runspace runspace, Action<PowerShell> build)
{
    using var ps = PowerShell.Create();
    ps.Runspace = runspace;
    build(ps);
    var output = ps.Invoke().ToList();
    if (ps.Streams.Error.Count > 0)
    {
        throw new InvalidOperationException(string.Join("; ", ps.Streams.Error));
    }

    return output;
}

// "VmHWM:   123456 kB" → 123456.
static double PeakKiB(string output)
{
    string line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
        ?? throw new InvalidOperationException("no VmHWM line in: " + output);
    return double.Parse(line.Substring(6).Replace("kB", string.Empty, StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
}

static string Run(string file, params string[] args)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in args)
    {
        psi.ArgumentList.Add(a);
    }

    using var p = Process.Start(psi)!;
    string output = p.StandardOutput.ReadToEnd();
    p.StandardError.ReadToEnd();
    p.WaitForExit();
    return output;
}

static string Summary(List<double> ratios) =>
    $"median {BenchKit.Median(ratios):0.000} (min {ratios.Min():0.000}, max {ratios.Max():0.000})";
