using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

// Benchmark: memory of Invoke-PythonImageBuild on a build whose RUN step prints a big log (default 50 MB of 100-byte
// lines). Each measurement runs in a fresh process (this program with --child, a hosted runspace; then pwsh with -Verbose,
// whose console host prints the records): after a warm-up build, the growth of the peak working set during the big
// build, with the full log streamed to -LogPath.
// The ratio printed is growth / log size: the whole log kept in memory as strings would be well above 2.
// Also: the same build's wall time against `DOCKER_BUILDKIT=0 docker build -q` (the CLI keeps nothing either).
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.BuildLog [-- <MB> <rounds>]
if (args.Length > 0 && args[0] == "--child")
{
    return Child(args[1], args[2], args[3], args[4]);
}

long megabytes = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 50;
int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
long bytes = megabytes * 1024 * 1024;
string repo = "pitest9-h9-engine-bench-" + Guid.NewGuid().ToString("N")[..8];
var temp = new List<string>();

string NewContext(string dockerfile)
{
    string dir = Path.Combine(Path.GetTempPath(), "pitest9-h9-engine-bench-" + Guid.NewGuid().ToString("N")[..8]);
    Directory.CreateDirectory(dir);
    temp.Add(dir);
    File.Copy("/bin/busybox", Path.Combine(dir, "busybox"));
    File.WriteAllText(Path.Combine(dir, "Dockerfile"), dockerfile);
    return dir;
}

try
{
    string line = string.Concat(Enumerable.Repeat("0123456789", 10)).Substring(0, 99);
    string warm = NewContext("FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"echo\", \"warm\"]\n");
    string big = NewContext($"FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"/busybox yes {line} | /busybox head -c {bytes}\"]\n");
    Console.WriteLine($"a RUN step printing {megabytes} MB ({bytes / 100} lines of 100 bytes), --no-cache, {rounds} rounds, each in a fresh process");
    foreach (bool verbose in new[] { false, true })
    {
        var growth = new List<double>();
        var seconds = new List<double>();
        long logBytes = 0;
        for (int round = 0; round < rounds; round++)
        {
            string logDir = Path.Combine(Path.GetTempPath(), "pitest9-h9-engine-benchlog-" + Guid.NewGuid().ToString("N")[..8]);
            temp.Add(logDir);
            var (code, output) = verbose
                ? ExecLastLine(BenchKit.Pwsh(), "-NoProfile", "-NonInteractive", "-Command", PwshScript(warm, big, repo, logDir))
                : Exec(Environment.ProcessPath!, "--child", warm, big, repo, logDir, "quiet");
            if (code != 0)
            {
                throw new InvalidOperationException("the measuring process failed: " + output);
            }

            var n = output.Trim().Split('\n').First(l => l.Split(' ').Length == 4 && char.IsDigit(l[0])).Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            growth.Add(n[1] - n[0]);
            logBytes = (long)n[2];
            seconds.Add(n[3]);
        }

        double ratio = growth.Max() / logBytes;
        Console.WriteLine(verbose ? "  pwsh with -LogPath and -Verbose (every line printed to a pipe as VERBOSE:)" : "  hosted runspace with -LogPath");
        Console.WriteLine($"    log file                 {logBytes / 1048576.0,8:0.0} MB");
        Console.WriteLine($"    peak working set growth  {growth.Max() / 1048576.0,8:0.0} MB (max of {rounds}; min {growth.Min() / 1048576.0:0.0})");
        Console.WriteLine($"    build time               {seconds.OrderBy(x => x).ElementAt(seconds.Count / 2),8:0.0} s (median)");
        Console.WriteLine($"    ratio growth/log         {ratio,8:0.000}   (target <= 1.0: the process grows by less than the log) {(ratio <= 1.0 ? "OK" : "MISSED")}");
    }

    var cli = new List<double>();
    for (int round = 0; round < rounds; round++)
    {
        var w = Stopwatch.StartNew();
        var (code, output) = Exec("docker", "build", "-q", "--no-cache", "--network", "host", "-t", repo + ":cli", big);
        w.Stop();
        if (code != 0)
        {
            throw new InvalidOperationException("docker build failed: " + output);
        }

        cli.Add(w.Elapsed.TotalSeconds);
    }

    Console.WriteLine($"  DOCKER_BUILDKIT=0 docker build -q, same context: {cli.OrderBy(x => x).ElementAt(cli.Count / 2):0.0} s (median)");
}
finally
{
    var (_, images) = Exec("docker", "images", "--format", "{{.Repository}}:{{.Tag}}");
    foreach (var image in images.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith(repo + ":", StringComparison.Ordinal)))
    {
        Exec("docker", "rmi", "-f", image.Trim());
    }

    foreach (var d in temp.Where(Directory.Exists))
    {
        Directory.Delete(d, true);
    }
}

return 0;

// One measurement, in this (fresh) process: prints "peakBefore peakAfter logBytes seconds".
static int Child(string warm, string big, string repo, string logDir)
{
    using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
    runspace.Open();
    using var ps = PowerShell.Create();
    ps.Runspace = runspace;
    ps.AddScript(
        "param($module, $warm, $big, $repo, $log)\n" +
        "$ErrorActionPreference = 'Stop'\n" +
        "Import-Module $module\n" +
        "$p = [Diagnostics.Process]::GetCurrentProcess()\n" +
        "$null = Invoke-PythonImageBuild -Path $warm -Tag ($repo + ':warm') -Network host -NoCache -LogPath ($log + '-warm/')\n" +
        "[GC]::Collect(); $p.Refresh(); $before = $p.PeakWorkingSet64\n" +
        "$w = [Diagnostics.Stopwatch]::StartNew()\n" +
        "$r = Invoke-PythonImageBuild -Path $big -Tag ($repo + ':big') -Network host -NoCache -LogPath ($log + '/')\n" +
        "$w.Stop(); $p.Refresh()\n" +
        "if (-not $r.Succeeded) { throw 'the big build failed' }\n" +
        "[IO.Directory]::Delete($log + '-warm', $true)\n" +
        "'{0} {1} {2} {3}' -f $before, $p.PeakWorkingSet64, ([IO.FileInfo]$r.LogPath).Length, $w.Elapsed.TotalSeconds.ToString([Globalization.CultureInfo]::InvariantCulture)\n")
        .AddArgument(Path.Combine(BenchKit.RepoRoot(), "PythonImages.psd1")).AddArgument(warm).AddArgument(big).AddArgument(repo).AddArgument(logDir);
    var output = ps.Invoke();
    foreach (var o in output)
    {
        Console.WriteLine(o);
    }

    return ps.HadErrors ? 1 : 0;
}

// The same measurement in pwsh, the console host: verbose records are printed as they come, not kept.
static string PwshScript(string warm, string big, string repo, string logDir)
{
    static string Q(string s) => "'" + s.Replace("'", "''") + "'";
    return "$ErrorActionPreference = 'Stop'\n" +
        $"Import-Module {Q(Path.Combine(BenchKit.RepoRoot(), "PythonImages.psd1"))}\n" +
        "$p = [Diagnostics.Process]::GetCurrentProcess()\n" +
        $"$null = Invoke-PythonImageBuild -Path {Q(warm)} -Tag {Q(repo + ":warm")} -Network host -NoCache -LogPath {Q(logDir + "-warm/")} -Verbose\n" +
        "[GC]::Collect(); $p.Refresh(); $before = $p.PeakWorkingSet64\n" +
        "$w = [Diagnostics.Stopwatch]::StartNew()\n" +
        $"$r = Invoke-PythonImageBuild -Path {Q(big)} -Tag {Q(repo + ":big")} -Network host -NoCache -LogPath {Q(logDir + "/")} -Verbose\n" +
        "$w.Stop(); $p.Refresh()\n" +
        "if (-not $r.Succeeded) { throw 'the big build failed' }\n" +
        $"[IO.Directory]::Delete({Q(logDir + "-warm")}, $true)\n" +
        "'{0} {1} {2} {3}' -f $before, $p.PeakWorkingSet64, ([IO.FileInfo]$r.LogPath).Length, $w.Elapsed.TotalSeconds.ToString([Globalization.CultureInfo]::InvariantCulture)\n";
}

// Runs a process whose output is large: keeps only its last line (and stderr).
static (int Code, string Output) ExecLastLine(string file, params string[] arguments)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments)
    {
        psi.ArgumentList.Add(a);
    }

    using var p = Process.Start(psi)!;
    var err = p.StandardError.ReadToEndAsync();
    string? line;
    string last = string.Empty;
    while ((line = p.StandardOutput.ReadLine()) != null)
    {
        if (line.Trim().Length > 0)
        {
            last = line;
        }
    }

    p.WaitForExit();
    return (p.ExitCode, last + "\n" + err.Result);
}

static (int Code, string Output) Exec(string file, params string[] arguments)
{
    var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments)
    {
        psi.ArgumentList.Add(a);
    }

    psi.Environment["DOCKER_BUILDKIT"] = "0";
    using var p = Process.Start(psi)!;
    var err = p.StandardError.ReadToEndAsync();
    string output = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    return (p.ExitCode, output + err.Result);
}

