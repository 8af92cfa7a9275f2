using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security.Cryptography;

// Benchmark: Publish-PythonImage (hosted PowerShell, real module) against `docker push`, alternating, pushing a ~100 MB
// image (FROM scratch, four layers of random files) to the plain registry on 127.0.0.1:5000. Every push sends an image
// of its own (each layer carries a fresh stamp, built before the clock starts) to a fresh repository, so no layer
// "already exists" and none can be mounted from an earlier push: both sides send every byte.
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.Push [-- <pairs> <megabytes>]
int pairs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
int megabytes = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100;
const string Registry = "127.0.0.1:5000";
const int Layers = 4;
string run = "s4-publish-bench-" + Guid.NewGuid().ToString("N")[..8];
string root = BenchKit.RepoRoot();
string context = Path.Combine(Path.GetTempPath(), run);
Directory.CreateDirectory(context);

// The context: four folders of random files (incompressible, as layers of binaries are close to), one COPY each.
var random = new byte[1024 * 1024];
for (int layer = 0; layer < Layers; layer++)
{
    string dir = Path.Combine(context, "l" + layer);
    Directory.CreateDirectory(dir);
    for (int file = 0; file < megabytes / Layers; file++)
    {
        RandomNumberGenerator.Fill(random);
        File.WriteAllBytes(Path.Combine(dir, $"blob{file:000}.bin"), random);
    }
}

File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\n" + string.Concat(Enumerable.Range(0, Layers).Select(l => $"COPY l{l} /l{l}\n")));

var iss = InitialSessionState.CreateDefault2();
using var runspace = RunspaceFactory.CreateRunspace(iss);
runspace.Open();
Invoke(ps => ps.AddCommand("Import-Module").AddParameter("Name", Path.Combine(root, "PythonImages.psd1")).AddParameter("ErrorAction", "Stop"));

List<PSObject> Invoke(Action<PowerShell> build) => BenchRunspace.Invoke(runspace, build);

int built = 0;

// A new image (new stamps in every layer), built before the clock starts: name:tag.
string NewImage()
{
    string stamp = Guid.NewGuid().ToString("N");
    for (int layer = 0; layer < Layers; layer++)
    {
        File.WriteAllText(Path.Combine(context, "l" + layer, "stamp"), stamp + layer);
    }

    string image = $"{run}:i{built++}";
    Docker("build", "-q", "--network", "host", "-t", image, context);
    return image;
}

double ModulePush(string image)
{
    string ns = run + "-m" + built;
    var w = Stopwatch.StartNew();
    var r = Invoke(ps => ps.AddCommand("Publish-PythonImage").AddParameter("Image", image).AddParameter("Registry", Registry + "/" + ns));
    w.Stop();
    if (r.Single().Properties["Status"].Value.ToString() != "Pushed")
    {
        throw new InvalidOperationException("module push failed");
    }

    return w.Elapsed.TotalMilliseconds;
}

double CliPush(string image)
{
    string target = $"{Registry}/{run}-c{built}/bench:latest";
    Docker("tag", image, target);
    var w = Stopwatch.StartNew();
    Docker("push", "-q", target);
    w.Stop();
    return w.Elapsed.TotalMilliseconds;
}


// Pushes one fresh image each way and removes it (vfs keeps a full copy per layer).
double Measure(Func<string, double> push)
{
    string image = NewImage();
    try
    {
        return push(image);
    }
    finally
    {
        RemoveImages(image.Split(':')[1]);
    }
}

try
{
    // One warm-up each (module load, first connections), then alternating pairs: module first on even pairs.
    Measure(ModulePush);
    Measure(CliPush);
    var module = new List<double>();
    var cli = new List<double>();
    for (int i = 0; i < pairs; i++)
    {
        if (i % 2 == 0)
        {
            module.Add(Measure(ModulePush));
            cli.Add(Measure(CliPush));
        }
        else
        {
            cli.Add(Measure(CliPush));
            module.Add(Measure(ModulePush));
        }
    }

    double ratio = BenchKit.Median(module) / BenchKit.Median(cli);
    Console.WriteLine($"~{megabytes} MB image in {Layers} layers (random files), FROM scratch, fresh image and repository per push, {pairs} alternating pairs, to {Registry}");
    Console.WriteLine($"  Publish-PythonImage   median {BenchKit.Median(module),8:0} ms  (min {module.Min():0}, max {module.Max():0})");
    Console.WriteLine($"  docker push           median {BenchKit.Median(cli),8:0} ms  (min {cli.Min():0}, max {cli.Max():0})");
    Console.WriteLine($"  ratio module/cli      {ratio:0.000}   (goal <= 1.05) {(ratio <= 1.05 ? "OK" : "MISSED")}");
    Console.WriteLine($"  machine: {Environment.ProcessorCount} logical CPUs (shared), load average {File.ReadAllText("/proc/loadavg").Trim()}");
}
finally
{
    RemoveImages(null);
    Directory.Delete(context, true);
}

// Every local tag of this run (of one image when <paramref name="tag"/> is given), under any repository.
void RemoveImages(string? tag)
{
    foreach (var line in Docker("images", "--format", "{{.Repository}}:{{.Tag}}").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()))
    {
        if (line.Contains(run, StringComparison.Ordinal) && (tag == null || line.EndsWith(":" + tag, StringComparison.Ordinal) || !line.StartsWith(run + ":", StringComparison.Ordinal)))
        {
            Docker("rmi", "-f", line);
        }
    }
}

static string Docker(params string[] args)
{
    var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in args)
    {
        psi.ArgumentList.Add(a);
    }

    psi.Environment["DOCKER_BUILDKIT"] = "0";
    using var p = Process.Start(psi)!;
    var error = p.StandardError.ReadToEndAsync();
    string output = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0)
    {
        throw new InvalidOperationException($"docker {string.Join(' ', args)} failed: {error.Result}");
    }

    return output;
}

