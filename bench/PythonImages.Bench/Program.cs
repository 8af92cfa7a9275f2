using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PythonImages.Bench
{
    /// <summary>
    /// On-demand speed measurements (never part of dotnet test):
    ///   dotnet run -c Release --project bench/PythonImages.Bench [-- --iterations N --processes M]
    /// Prints medians, and measured/target ratios for the targets of issue 2.
    /// </summary>
    public static class Program
    {
        private const double GetPythonTagTargetMs = 5;
        private const double ImportTargetMs = 150;

        public static int Main(string[] args)
        {
            // Child modes: one cold measurement in a fresh process, printed as milliseconds.
            if (args.Length == 1 && args[0] == "--import-once")
            {
                using var runspace = OpenRunspace();
                var (wall, cpu) = TimeWithCpu(() => Import(runspace));
                Console.WriteLine(Ms(wall) + " " + Ms(cpu));
                return 0;
            }

            if (args.Length >= 1 && args[0] == "--import-after-baseline")
            {
                // PowerShell's own first-import cost (the smallest binary module with one cmdlet and one table view),
                // then ours in the same fresh process: the second number is what this module adds.
                using var runspace = OpenRunspace();
                var (b, bCpu) = TimeWithCpu(() => Import(runspace, BaselineManifest()));
                var (ours, oursCpu) = TimeWithCpu(() => Import(runspace, args.Length > 1 ? args[1] : ManifestPath));
                Console.WriteLine(Ms(b) + " " + Ms(ours) + " " + Ms(bCpu) + " " + Ms(oursCpu));
                return 0;
            }

            if (args.Length == 1 && args[0] == "--loaded-after-import")
            {
                // Diagnostics: which assemblies an import loads beyond PowerShell's own (domain and dependencies should wait for first use).
                using var runspace = OpenRunspace();
                Import(runspace, BaselineManifest());
                var before = new HashSet<string>(AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "?"));
                Import(runspace);
                foreach (var a in AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "?").Where(n => !before.Contains(n)).OrderBy(n => n))
                {
                    Console.WriteLine(a);
                }

                return 0;
            }

            if (args.Length == 1 && args[0] == "--load-once")
            {
                Console.WriteLine(Ms(Time(() => TagRules.Compute(MatrixLoader.Default))));
                return 0;
            }

            int iterations = Option(args, "--iterations", 300);
            int processes = Option(args, "--processes", 9);
            var rows = new List<Row>();
            Console.WriteLine($"PythonImages benchmark: {iterations} iterations, {processes} fresh processes for cold numbers; {RuntimeInfo()}");
            Console.WriteLine($"load average at start: {LoadAverage()} (wall times on a shared machine inflate with load; CPU times less so)");
            Console.WriteLine($"module: {ManifestPath}");
            Console.WriteLine();

            // 1. The embedded matrix: first load in this process (includes JIT), then cold in fresh processes, then warm.
            var first = Time(() => TagRules.Compute(MatrixLoader.Default));
            rows.Add(new Row("embedded matrix: load+parse+tags, first call in this process", new[] { first }, null));
            rows.Add(new Row("embedded matrix: load+parse+tags, cold (fresh process)", Children("--load-once", processes), null));
            string text = EmbeddedText();
            rows.Add(new Row("embedded matrix: parse only, warm", Repeat(iterations, () => MatrixLoader.Parse(text, "(bench)", null)), null));
            rows.Add(new Row("embedded matrix: parse+tags, warm", Repeat(iterations, () => TagRules.Compute(MatrixLoader.Parse(text, "(bench)", null))), null));

            // 2. Get-PythonTag in a hosted runspace, warm (the matrix is cached per process; each call is a new pipeline).
            using (var runspace = OpenRunspace())
            {
                Import(runspace);
                int count = 0;
                var full = Repeat(iterations, () => count = Invoke(runspace, ps => ps.AddCommand("Get-PythonTag")), warmup: 50);
                if (count != 42)
                {
                    throw new InvalidOperationException($"Get-PythonTag returned {count} images, expected 42.");
                }

                rows.Add(new Row("Get-PythonTag, full matrix (42 images), warm", full, GetPythonTagTargetMs));
                rows.Add(new Row("Get-PythonTag -Name latest, warm", Repeat(iterations, () => Invoke(runspace, ps => ps.AddCommand("Get-PythonTag").AddParameter("Name", "latest")), warmup: 50), null));
                rows.Add(new Row("Get-PythonTag -Variant alpine* | Where-Object {...}, warm", Repeat(iterations, () => Invoke(runspace, ps => ps.AddScript("Get-PythonTag -Variant alpine* | Where-Object { $_.VersionKey -eq '3.14' }")), warmup: 50), null));
            }

            // 3. Import-Module of the root manifest in a fresh runspace: module assemblies already loaded in this process (warm),
            //    and in a fresh process each time (cold: assembly loading, dependency resolver, JIT).
            var warmImports = new List<TimeSpan>();
            for (int i = 0; i < Math.Max(10, iterations / 10); i++)
            {
                warmImports.Add(ImportOnce());
            }

            rows.Add(new Row("Import-Module PythonImages.psd1, fresh runspace (warm process)", warmImports, ImportTargetMs));
            var cold = ChildColumns("--import-once", processes);
            rows.Add(new Row("Import-Module PythonImages.psd1, fresh runspace (cold process)", cold[0], ImportTargetMs));
            rows.Add(new Row("  same, CPU time of the process (all threads)", cold[1], ImportTargetMs));
            var split = ChildColumns("--import-after-baseline", processes);
            rows.Add(new Row("  PowerShell's own: minimal binary module + 1 view, cold", split[0], null));
            rows.Add(new Row("  PythonImages right after that one, cold (what it adds)", split[1], ImportTargetMs));
            rows.Add(new Row("  PowerShell's own, CPU time", split[2], null));
            rows.Add(new Row("  PythonImages after it, CPU time", split[3], ImportTargetMs));

            Print(rows);
            return 0;
        }

        private sealed class Row
        {
            public Row(string name, IReadOnlyList<TimeSpan> samples, double? targetMs)
            {
                Name = name;
                Samples = samples.Select(s => s.TotalMilliseconds).OrderBy(x => x).ToArray();
                TargetMs = targetMs;
            }

            public string Name { get; }
            public double[] Samples { get; }
            public double? TargetMs { get; }
            public double Median => Samples.Length % 2 == 1 ? Samples[Samples.Length / 2] : (Samples[Samples.Length / 2 - 1] + Samples[Samples.Length / 2]) / 2;
            public double P90 => Samples[Math.Min(Samples.Length - 1, (int)Math.Ceiling(Samples.Length * 0.9) - 1)];
        }

        private static void Print(IReadOnlyList<Row> rows)
        {
            int w = rows.Max(r => r.Name.Length);
            Console.WriteLine($"{"measurement".PadRight(w)}  {"n",5}  {"median ms",10}  {"min ms",9}  {"p90 ms",9}  {"target ms",9}  {"ratio",6}");
            Console.WriteLine(new string('-', w + 60));
            foreach (var r in rows)
            {
                string target = r.TargetMs is double t ? F(t) : "";
                string ratio = r.TargetMs is double t2 ? (r.Median / t2).ToString("0.00", CultureInfo.InvariantCulture) : "";
                Console.WriteLine($"{r.Name.PadRight(w)}  {r.Samples.Length,5}  {F(r.Median),10}  {F(r.Samples[0]),9}  {F(r.P90),9}  {target,9}  {ratio,6}");
            }

            Console.WriteLine();
            foreach (var r in rows.Where(r => r.TargetMs != null))
            {
                bool met = r.Median <= r.TargetMs;
                Console.WriteLine($"{(met ? "MET   " : "MISSED")} {r.Name}: median {F(r.Median)} ms / target {F(r.TargetMs!.Value)} ms = {(r.Median / r.TargetMs.Value).ToString("0.00", CultureInfo.InvariantCulture)}");
            }
        }

        private static string F(double ms) => ms.ToString(ms < 10 ? "0.000" : "0.0", CultureInfo.InvariantCulture);

        private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture);

        private static TimeSpan Time(Action action)
        {
            var sw = Stopwatch.StartNew();
            action();
            return sw.Elapsed;
        }

        /// <summary>Wall time and the process's CPU time (user + system, all threads: JIT, GC) of one action.</summary>
        private static (TimeSpan Wall, TimeSpan Cpu) TimeWithCpu(Action action)
        {
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var wall = Time(action);
            process.Refresh();
            return (wall, process.TotalProcessorTime - cpu);
        }

        private static List<TimeSpan> Repeat(int iterations, Action action, int warmup = 20)
        {
            for (int i = 0; i < warmup; i++)
            {
                action();
            }

            var samples = new List<TimeSpan>(iterations);
            for (int i = 0; i < iterations; i++)
            {
                samples.Add(Time(action));
            }

            return samples;
        }

        private static List<TimeSpan> Children(string mode, int processes) => ChildColumns(mode, processes)[0];

        /// <summary>Runs the bench in <paramref name="mode"/> in fresh processes; each prints one or more numbers (ms) on a line.</summary>
        private static List<TimeSpan>[] ChildColumns(string mode, int processes)
        {
            List<TimeSpan>[]? columns = null;
            string self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find the bench executable.");
            var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                start.ArgumentList.Add(typeof(Program).Assembly.Location);
            }

            start.ArgumentList.Add(mode);
            for (int i = 0; i < processes; i++)
            {
                using var p = Process.Start(start)!;
                string output = p.StandardOutput.ReadToEnd();
                string error = p.StandardError.ReadToEnd();
                p.WaitForExit();
                var values = output.Split(new[] { ' ', '\n', '\r' }, StringSplitOptions.RemoveEmptyEntries);
                if (p.ExitCode != 0 || values.Length == 0)
                {
                    throw new InvalidOperationException($"{mode} failed (exit {p.ExitCode}): {output} {error}");
                }

                columns ??= values.Select(_ => new List<TimeSpan>()).ToArray();
                for (int c = 0; c < columns.Length; c++)
                {
                    columns[c].Add(TimeSpan.FromMilliseconds(double.Parse(values[c], NumberStyles.Float, CultureInfo.InvariantCulture)));
                }
            }

            return columns!;
        }

        private static Runspace OpenRunspace()
        {
            var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            return runspace;
        }

        /// <summary>Opens a fresh runspace (not timed) and times Import-Module of the root manifest in it.</summary>
        private static TimeSpan ImportOnce()
        {
            using var runspace = OpenRunspace();
            return Time(() => Import(runspace));
        }

        private static void Import(Runspace runspace) => Import(runspace, ManifestPath);

        private static void Import(Runspace runspace, string manifest)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", ActionPreference.Stop).Invoke();
        }

        private static int Invoke(Runspace runspace, Action<PowerShell> build)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            build(ps);
            var output = ps.Invoke();
            if (ps.HadErrors)
            {
                throw new InvalidOperationException("The benchmarked pipeline failed: " + string.Join("; ", ps.Streams.Error));
            }

            return output.Count;
        }

        private static string EmbeddedText()
        {
            using var stream = typeof(MatrixLoader).Assembly.GetManifestResourceStream("PythonImages.matrix.yaml")
                ?? throw new InvalidOperationException("The embedded matrix resource is missing.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        private static string ManifestPath { get; } = FindManifest();

        /// <summary>A manifest for bench/BaselineModule (built with this bench), written to a temp folder.</summary>
        private static string BaselineManifest()
        {
            string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0/
            string output = Path.Combine(Path.GetDirectoryName(ManifestPath)!, "bench", "BaselineModule", "bin", configuration, "netstandard2.0");
            string dll = Path.Combine(output, "BaselineModule.dll");
            if (!File.Exists(dll))
            {
                throw new InvalidOperationException(dll + " is missing; build the bench project (it builds BaselineModule).");
            }

            string dir = Path.Combine(Path.GetTempPath(), "PythonImagesBenchBaseline");
            Directory.CreateDirectory(dir);
            string manifest = Path.Combine(dir, "BaselineModule.psd1");
            File.WriteAllText(manifest,
                "@{ RootModule = '" + dll.Replace("'", "''") + "'; ModuleVersion = '1.0.0'; GUID = 'f0f0f0f0-0000-4000-8000-000000000001'; " +
                "CmdletsToExport = @('Get-BenchBaseline'); FunctionsToExport = @(); " +
                "FormatsToProcess = @('" + Path.Combine(output, "BaselineModule.format.ps1xml").Replace("'", "''") + "') }");
            return manifest;
        }

        private static string FindManifest()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PythonImages.psd1")))
            {
                dir = dir.Parent;
            }

            return dir != null ? Path.Combine(dir.FullName, "PythonImages.psd1") : throw new InvalidOperationException("PythonImages.psd1 not found above " + AppContext.BaseDirectory);
        }

        private static int Option(string[] args, string name, int fallback)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int v) && v > 0 ? v : fallback;
        }

        private static string LoadAverage()
        {
            try
            {
                return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
            }
            catch (IOException)
            {
                return "n/a";
            }
        }

        private static string RuntimeInfo() =>
            $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} CPUs, PowerShell {typeof(PSObject).Assembly.GetName().Version}";
    }
}
