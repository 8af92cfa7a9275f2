using System;
using System.Diagnostics;
using System.IO;
using PythonImages;
using PythonImages.Ci;
using YamlDotNet.RepresentationModel;

// Build matrix benchmark: generating both CI formats (plan + validated YAML text) for the 42 images of the embedded
// matrix, per image and per lineage. The reference is reading the same text back with YamlDotNet: a ratio below 1 means
// writing the file costs less than parsing it once.
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.BuildMatrix [-- <iterations>]
internal static class Program
{
    private static int Main(string[] args)
    {
        int iterations = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 500;
        var images = TagRules.Compute(MatrixLoader.Default);
        Console.WriteLine($"{images.Count} images, {iterations} iterations each");

        double? github = null;
        foreach (var format in new[] { BuildMatrixFormat.GitHubActions, BuildMatrixFormat.AzurePipelines })
        {
            foreach (bool lineage in new[] { false, true })
            {
                var options = new BuildMatrixOptions { Format = format, PerLineage = lineage, Registry = "ghcr.io/example" };
                string text = BuildMatrixWriter.Write(BuildPlanner.Plan(images, options));
                int legs = BuildPlanner.Plan(images, options).Legs.Count;
                double generate = Measure(iterations, () => BuildMatrixWriter.Write(BuildPlanner.Plan(images, options)));
                double parse = Measure(iterations, () => new YamlStream().Load(new StringReader(text)));
                github ??= generate;
                Console.WriteLine(
                    $"{format,-15} {(lineage ? "per lineage" : "per image"),-12} {legs,4} legs {text.Length,7} chars: generate {generate,8:F3} ms, " +
                    $"YamlDotNet parse {parse,8:F3} ms, generate/parse {generate / parse,6:F3}, vs GitHub per image {generate / github.Value,6:F3}");
            }
        }

        return 0;
    }

    private static double Measure(int iterations, Action action)
    {
        action(); // warm-up
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            action();
        }

        return sw.Elapsed.TotalMilliseconds / iterations;
    }
}
