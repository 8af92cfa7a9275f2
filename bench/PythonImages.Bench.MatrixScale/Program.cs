using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using PythonImages;

// Benchmark (issue 16): parse + tags of a matrix of 1,000 versions × 6 variants against one of 100 versions × 6
// variants, with the default alias rule (what a bare versions.json gets); paired, interleaved rounds after a warm-up,
// the ratio of each pair printed as min / median / max. Linear loading gives about 10.
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.MatrixScale [-- <rounds>]
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
string small = MatrixText(100);
string large = MatrixText(1000);
var baseArchitectures = MatrixLoader.Default.Architectures;
var wall = new List<double>();

// CPU time of the process, not wall time: on a shared machine a long measurement is preempted more often than a short
// one, which alone makes wall-clock ratios look superlinear. Every measurement starts after a full collection.
double ParseAndTags(string text, int expectedImages)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var process = Process.GetCurrentProcess();
    var cpu0 = process.TotalProcessorTime;
    var w = Stopwatch.StartNew();
    var matrix = MatrixLoader.Parse(text, "bench.yaml", baseArchitectures);
    var images = TagRules.Compute(matrix);
    w.Stop();
    process.Refresh();
    double cpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
    if (images.Count != expectedImages)
    {
        throw new InvalidOperationException($"expected {expectedImages} images, got {images.Count}");
    }

    wall.Add(w.Elapsed.TotalMilliseconds);
    return cpu;
}

for (int i = 0; i < 3; i++)
{
    ParseAndTags(small, 600);
    ParseAndTags(large, 6000);
}

wall.Clear();

var smallMs = new List<double>();
var largeMs = new List<double>();
for (int i = 0; i < rounds; i++)
{
    if (i % 2 == 0)
    {
        smallMs.Add(ParseAndTags(small, 600));
        largeMs.Add(ParseAndTags(large, 6000));
    }
    else
    {
        largeMs.Add(ParseAndTags(large, 6000));
        smallMs.Add(ParseAndTags(small, 600));
    }
}

var smallWall = wall.Where((_, i) => (i / 2 % 2 == 0) == (i % 2 == 0)).ToList();
var largeWall = wall.Where((_, i) => (i / 2 % 2 == 0) != (i % 2 == 0)).ToList();
var wallRatios = largeWall.Zip(smallWall, (l, s) => l / s).OrderBy(x => x).ToList();
var ratios = largeMs.Zip(smallMs, (l, s) => l / s).OrderBy(x => x).ToList();
double median = ratios.Count % 2 == 1 ? ratios[ratios.Count / 2] : (ratios[ratios.Count / 2 - 1] + ratios[ratios.Count / 2]) / 2;
Console.WriteLine($"matrix parse + tags, default alias rule, {rounds} interleaved pairs (warm, a full GC before each)");
Console.WriteLine($"  100 versions × 6 variants    CPU median {Median(smallMs),8:0.0} ms (min {smallMs.Min():0.0}, max {smallMs.Max():0.0}); wall median {Median(smallWall):0.0} ms");
Console.WriteLine($"  1,000 versions × 6 variants  CPU median {Median(largeMs),8:0.0} ms (min {largeMs.Min():0.0}, max {largeMs.Max():0.0}); wall median {Median(largeWall):0.0} ms");
Console.WriteLine($"  CPU ratio 1,000 / 100        median {median:0.00} (min {ratios.Min():0.00}, max {ratios.Max():0.00})   (target <= 10) {(median <= 10 ? "OK" : "MISSED")}");
Console.WriteLine($"  wall ratio 1,000 / 100       median {Median(wallRatios):0.00} (min {wallRatios.Min():0.00}, max {wallRatios.Max():0.00})");

static double Median(List<double> xs)
{
    var s = xs.OrderBy(x => x).ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

// A bare versions.json-like matrix in the module's YAML: keys 3.0 ... (major 3 + i / 100).(i % 100), newest last.
static string MatrixText(int versions)
{
    var sb = new StringBuilder("versions:\n");
    for (int i = 0; i < versions; i++)
    {
        string key = (3 + (i / 100)).ToString(CultureInfo.InvariantCulture) + "." + (i % 100).ToString(CultureInfo.InvariantCulture);
        string sha = (i * 7919).ToString("x8", CultureInfo.InvariantCulture).PadLeft(64, 'a');
        sb.Append("  '").Append(key).Append("':\n")
          .Append("    version: ").Append(key).Append(".1\n")
          .Append("    checksums:\n      source: {sha256: ").Append(sha).Append("}\n")
          .Append("    variants: [trixie, slim-trixie, bookworm, slim-bookworm, alpine3.24, alpine3.23]\n");
    }

    return sb.ToString();
}
