using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

/// <summary>What every benchmark needs: the repository it runs from, the median of its measurements, the CPU time of its children.</summary>
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

    /// <summary>
    /// The pwsh to start: the one on PATH, else the `dotnet tool` install in ~/.dotnet/tools (which is not on a
    /// non-login shell's PATH). Benchmarks resolve it before their long parts, so a missing pwsh stops them at once with
    /// what to do instead of after minutes of builds.
    /// </summary>
    public static string Pwsh()
    {
        string name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "pwsh.exe" : "pwsh";
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        folders.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"));
        foreach (string folder in folders)
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "no pwsh on PATH or in ~/.dotnet/tools: install PowerShell 7 (dotnet tool install --global PowerShell --version 7.6.9) or put its folder on PATH");
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

    /// <summary>
    /// User + system CPU time, in milliseconds, of the children this process has waited for (getrusage(RUSAGE_CHILDREN);
    /// Linux only).
    /// </summary>
    public static double ChildrenCpuMs()
    {
        var usage = new long[18];
        if (getrusage(-1, usage) != 0)
        {
            throw new InvalidOperationException("getrusage failed");
        }

        return (usage[0] * 1000.0) + (usage[1] / 1000.0) + (usage[2] * 1000.0) + (usage[3] / 1000.0);
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable CA5392, SYSLIB1054 // a benchmark-only P/Invoke into libc
    private static extern int getrusage(int who, [Out] long[] usage);
#pragma warning restore CA5392, SYSLIB1054
}
