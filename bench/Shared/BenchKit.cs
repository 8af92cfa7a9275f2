using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

/// <summary>What every benchmark needs: the repository it runs from and the median of its measurements.</summary>
internal static class BenchKit
{
    /// <summary>The folder holding PythonImages.psd1, searched upwards from the benchmark's binaries.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PythonImages.psd1")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("PythonImages.psd1 not found");
    }

    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 0)
        {
            throw new InvalidOperationException("no measurements");
        }

        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
