using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using PythonImages;
using PythonImages.Dockerfiles;

// Renders and writes the Dockerfiles of every image of the embedded matrix, warm, and compares with the target.
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.Dockerfiles [-- <iterations> [<output dir>]]
int iterations = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 50;
string root = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "pythonimages-bench-" + Guid.NewGuid().ToString("N"));
const double TargetMs = 40;
const double UpstreamMs = 4000; // apply-templates.sh (bash + jq) over the same 42 files on these machines

var images = TagRules.Compute(MatrixLoader.Default);
string fullRoot = DockerfileStore.FullRoot(root);

// Each round writes new content (the version is alternated) so that every file is really replaced, as after a matrix change.
var variants = new[] { images, images.Select(Bump).ToList() };

void Round(int n)
{
    foreach (var image in variants[n % 2])
    {
        var plan = DockerfileStore.Plan(fullRoot, DockerfileRenderer.Render(image));
        DockerfileStore.Commit(plan);
    }
}

for (int i = 0; i < 5; i++) Round(i); // warm-up (JIT, file system caches)

var times = new double[iterations];
var cpu = new double[iterations];
var process = Process.GetCurrentProcess();
for (int i = 0; i < iterations; i++)
{
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    Round(i);
    sw.Stop();
    process.Refresh();
    times[i] = sw.Elapsed.TotalMilliseconds;
    cpu[i] = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
}

var renderTimes = new double[iterations];
for (int i = 0; i < iterations; i++)
{
    var sw = Stopwatch.StartNew();
    foreach (var image in variants[i % 2])
    {
        DockerfileRenderer.Render(image);
    }

    renderTimes[i] = sw.Elapsed.TotalMilliseconds;
}

var sameTimes = new double[iterations];
for (int i = 0; i < iterations; i++)
{
    var sw = Stopwatch.StartNew();
    Round(1); // same content as the file on disk after an odd round: every plan is Unchanged, nothing is written
    sameTimes[i] = sw.Elapsed.TotalMilliseconds;
}

Array.Sort(sameTimes);
Array.Sort(renderTimes);
Array.Sort(times);
Array.Sort(cpu);
double median = times[iterations / 2];
double p90 = times[(int)(iterations * 0.9)];
int files = Directory.GetFiles(fullRoot, "Dockerfile", SearchOption.AllDirectories).Length;
Console.WriteLine($"images: {images.Count}, files on disk: {files}, iterations: {iterations}");
Console.WriteLine($"render + atomic write of all Dockerfiles (warm): median {median:F2} ms, p90 {p90:F2} ms, min {times[0]:F2} ms");
Console.WriteLine($"  CPU time (user+sys) of the process per round: median {cpu[iterations / 2]:F2} ms (less sensitive to other load on the machine)");
Console.WriteLine($"  machine load average: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a")}, cores: {Environment.ProcessorCount}");
Console.WriteLine($"render only (no files): median {renderTimes[iterations / 2]:F2} ms");
Console.WriteLine($"render + compare, all files already current (nothing written): median {sameTimes[iterations / 2]:F2} ms");
Console.WriteLine($"target {TargetMs} ms: median/target = {median / TargetMs:F3} ({(median <= TargetMs ? "met" : "MISSED")})");
Console.WriteLine($"upstream apply-templates.sh ~{UpstreamMs} ms: {UpstreamMs / median:F0}x faster");
if (args.Length < 2)
{
    Directory.Delete(fullRoot, recursive: true);
}

return median <= TargetMs ? 0 : 1;

static PythonImage Bump(PythonImage image)
{
    var r = image.Release!;
    var bumped = new MatrixVersion(r.Key, PythonVersion.Parse(r.Version.Text.EndsWith('0') ? r.Version.Text + "" : r.Version.Text), r.Variants)
    {
        SourceSha256 = new string('0', 64),
        WindowsSha256 = new string('1', 64),
        SetuptoolsVersion = r.SetuptoolsVersion,
        GpgKey = r.GpgKey,
    };
    var c = image.Clone();
    c.Release = bumped;
    return c;
}
