using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

// Benchmark: Invoke-PythonImageBuild (hosted PowerShell, real module) against `DOCKER_BUILDKIT=0 docker build`,
// alternating on the same small context, and 6 small builds with -ThrottleLimit 2 against one at a time.
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.Build [-- <pairs> <rounds>]
int pairs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10;
int rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
string repo = "pitest5-bench-" + Guid.NewGuid().ToString("N")[..8];
string root = BenchKit.RepoRoot();
var temp = new List<string>();

string NewContext(string marker)
{
    string dir = Path.Combine(Path.GetTempPath(), "pitest5-bench-" + Guid.NewGuid().ToString("N")[..8]);
    Directory.CreateDirectory(dir);
    temp.Add(dir);
    File.Copy("/bin/busybox", Path.Combine(dir, "busybox"));
    File.WriteAllText(Path.Combine(dir, "marker.txt"), marker);
    File.WriteAllText(Path.Combine(dir, "Dockerfile"), "FROM scratch\nCOPY busybox /busybox\nCOPY marker.txt /marker.txt\nRUN [\"/busybox\", \"true\"]\nCMD [\"/busybox\", \"cat\", \"/marker.txt\"]\n");
    return dir;
}

var iss = InitialSessionState.CreateDefault2();
using var runspace = RunspaceFactory.CreateRunspace(iss);
runspace.Open();
Invoke(ps => ps.AddCommand("Import-Module").AddParameter("Name", Path.Combine(root, "PythonImages.psd1")).AddParameter("ErrorAction", "Stop"));

List<PSObject> Invoke(Action<PowerShell> build) => BenchRunspace.Invoke(runspace, build);

double ModuleBuild(string ctx, string tag)
{
    var w = Stopwatch.StartNew();
    var r = Invoke(ps => ps.AddCommand("Invoke-PythonImageBuild").AddParameter("Path", ctx).AddParameter("Tag", tag).AddParameter("NoCache"));
    w.Stop();
    if (!(bool)r.Single().Properties["Succeeded"].Value)
    {
        throw new InvalidOperationException("module build failed");
    }

    return w.Elapsed.TotalMilliseconds;
}

double CliBuild(string ctx, string tag)
{
    var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { "build", "-q", "--no-cache", "-t", tag, ctx })
    {
        psi.ArgumentList.Add(a);
    }

    psi.Environment["DOCKER_BUILDKIT"] = "0";
    var w = Stopwatch.StartNew();
    using var p = Process.Start(psi)!;
    p.StandardOutput.ReadToEnd();
    p.StandardError.ReadToEnd();
    p.WaitForExit();
    w.Stop();
    if (p.ExitCode != 0)
    {
        throw new InvalidOperationException("docker build failed");
    }

    return w.Elapsed.TotalMilliseconds;
}


try
{
    // 1. Same context, alternating (module first on even pairs, CLI first on odd ones), one warm-up each.
    string ctx = NewContext("same");
    ModuleBuild(ctx, repo + ":module");
    CliBuild(ctx, repo + ":cli");
    var module = new List<double>();
    var cli = new List<double>();
    for (int i = 0; i < pairs; i++)
    {
        if (i % 2 == 0)
        {
            module.Add(ModuleBuild(ctx, repo + ":module"));
            cli.Add(CliBuild(ctx, repo + ":cli"));
        }
        else
        {
            cli.Add(CliBuild(ctx, repo + ":cli"));
            module.Add(ModuleBuild(ctx, repo + ":module"));
        }
    }

    double ratio = BenchKit.Median(module) / BenchKit.Median(cli);
    Console.WriteLine($"same small context, --no-cache, {pairs} alternating pairs");
    Console.WriteLine($"  Invoke-PythonImageBuild   median {BenchKit.Median(module),8:0} ms  (min {module.Min():0}, max {module.Max():0})");
    Console.WriteLine($"  DOCKER_BUILDKIT=0 docker  median {BenchKit.Median(cli),8:0} ms  (min {cli.Min():0}, max {cli.Max():0})");
    Console.WriteLine($"  ratio module/cli          {ratio:0.000}   (target <= 1.02) {(ratio <= 1.02 ? "OK" : "MISSED")}");

    // 2. Six small, different images: -ThrottleLimit 2 against one at a time, alternating, several rounds.
    var seq = new List<double>();
    var par = new List<double>();
    for (int round = 0; round < rounds; round++)
    {
        foreach (bool parallel in round % 2 == 0 ? new[] { false, true } : new[] { true, false })
        {
            var contexts = Enumerable.Range(0, 6).Select(i => NewContext($"round {round} {parallel} {i}")).ToArray();
            var w = Stopwatch.StartNew();
            var results = Invoke(ps =>
            {
                ps.AddScript("param($c, $repo, $t) $i = 0; $c | ForEach-Object { [pscustomobject]@{ ContextPath = $_; Tags = @(\"six$i\"); OS = 'Linux' }; $i++ } | Invoke-PythonImageBuild -Repository $repo -NoCache -ThrottleLimit $t")
                  .AddArgument(contexts).AddArgument(repo).AddArgument(parallel ? 2 : 1);
            });
            w.Stop();
            if (results.Count != 6 || results.Any(r => !(bool)r.Properties["Succeeded"].Value))
            {
                throw new InvalidOperationException("six builds: not all succeeded");
            }

            (parallel ? par : seq).Add(w.Elapsed.TotalMilliseconds);
        }
    }

    double speed = BenchKit.Median(par) / BenchKit.Median(seq);
    Console.WriteLine($"6 small images, --no-cache, {rounds} rounds");
    Console.WriteLine($"  sequential (-ThrottleLimit 1) median {BenchKit.Median(seq),8:0} ms");
    Console.WriteLine($"  -ThrottleLimit 2              median {BenchKit.Median(par),8:0} ms");
    Console.WriteLine($"  wall ratio                    {speed:0.000}   (target <= 0.6) {(speed <= 0.6 ? "OK" : "MISSED")}");
    Console.WriteLine($"  machine: {Environment.ProcessorCount} logical CPUs (shared)");
}
finally
{
    foreach (var line in Run("images", "--format", "{{.Repository}}:{{.Tag}}").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith(repo + ":", StringComparison.Ordinal)))
    {
        Run("rmi", "-f", line.Trim());
    }

    foreach (var d in temp)
    {
        Directory.Delete(d, true);
    }
}

static string Run(params string[] args)
{
    var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
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

