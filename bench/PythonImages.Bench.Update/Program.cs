using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using PythonImages.Tests.ReleaseFixture;
using PythonImages.Updates;
using PythonImages.Updates.Http;
using PythonImages.Updates.Sigstore;

namespace PythonImages.Bench.Update
{
    /// <summary>
    /// Update-PythonMatrix's work for all six keys of the 2026-06 matrix against the loopback fixture, each key one release
    /// behind, with a fixed latency per answer standing in for the network's round trip: requests one at a time
    /// (sequential) versus 4 and 8 in flight, as wall-clock medians and their ratio.
    /// Usage: dotnet run -c Release --project bench/PythonImages.Bench.Update [-- latencyMs rounds]
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            int latencyMs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
            int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
            using var f = new PythonOrgFixture();
            string before = World(f);
            f.Server.Latency = TimeSpan.FromMilliseconds(latencyMs);
            var root = TrustedRoot.Load(f.TrustedRootPath);
            string dir = Path.Combine(Path.GetTempPath(), "pi-bench-update-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            try
            {
                string path = Path.Combine(dir, "versions.json");
                (double Ms, int Requests) Once(int parallel)
                {
                    File.WriteAllText(path, before);
                    int requestsBefore = f.Server.Requests.Count;
                    var sources = new UpdateSources { PythonOrg = new Uri(f.PythonOrgUri), CPythonSource = new Uri(f.CPythonSourceUri), PyPI = new Uri(f.PyPIUri) };
                    var fetch = new FetchOptions { AllowInsecure = true, Proxy = null, MaxParallelRequests = parallel };
                    var sw = Stopwatch.StartNew();
                    using (var updater = new MatrixUpdater(sources, fetch, root))
                    {
                        var plan = updater.PlanAsync(path, new UpdateRequest(), CancellationToken.None).GetAwaiter().GetResult();
                        if (!plan.Succeeded || plan.Results.Count(r => r.Change == UpdateChange.Updated) != 6)
                        {
                            throw new InvalidOperationException("the update did not update all six keys: " + string.Join("; ", plan.Failures.Select(x => x.Message)));
                        }

                        plan.Commit();
                    }

                    sw.Stop();
                    return (sw.Elapsed.TotalMilliseconds, f.Server.Requests.Count - requestsBefore);
                }

                Once(4); // warm-up: JIT, connection set-up
                var results = new Dictionary<int, List<double>>();
                int requests = 0;
                for (int i = 0; i < rounds; i++)
                {
                    foreach (int p in new[] { 1, 4, 8 })
                    {
                        var (ms, n) = Once(p);
                        requests = n;
                        (results.TryGetValue(p, out var l) ? l : results[p] = new List<double>()).Add(ms);
                    }
                }

                double Median(List<double> l) => l.OrderBy(x => x).ElementAt(l.Count / 2);
                Console.WriteLine($"Update all six keys, {requests} requests each run, {latencyMs} ms latency per answer, {rounds} rounds (interleaved)");
                foreach (var kv in results)
                {
                    Console.WriteLine($"  {(kv.Key == 1 ? "sequential  " : $"parallel {kv.Key,-3}")}: median {Median(kv.Value),8:0.0} ms  (min {kv.Value.Min():0.0}, max {kv.Value.Max():0.0})");
                }

                Console.WriteLine($"  ratio parallel 4 / sequential: {Median(results[4]) / Median(results[1]):0.000}");
                Console.WriteLine($"  ratio parallel 8 / sequential: {Median(results[8]) / Median(results[1]):0.000}");
                return 0;
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        /// <summary>The six keys of the 2026-06 matrix, each one release behind what the fixture publishes.</summary>
        private static string World(PythonOrgFixture f)
        {
            var keys = new (string Key, string Old, string New, bool Windows, string? Setuptools)[]
            {
                ("3.10", "3.10.19", "3.10.20", false, "79.0.1"),
                ("3.11", "3.11.14", "3.11.15", false, "79.0.1"),
                ("3.12", "3.12.12", "3.12.13", false, null),
                ("3.13", "3.13.13", "3.13.14", true, null),
                ("3.14", "3.14.5", "3.14.6", true, null),
                ("3.15-rc", "3.15.0b2", "3.15.0b3", true, null),
            };
            var json = new List<string>();
            foreach (var k in keys)
            {
                var old = f.Add(k.Old, k.Windows, k.Setuptools);
                f.Add(k.New, k.Windows, k.Setuptools);
                string variants = "\"trixie\", \"slim-trixie\", \"bookworm\", \"slim-bookworm\", \"alpine3.24\", \"alpine3.23\"" + (k.Windows ? ", \"windows/windowsservercore-ltsc2025\", \"windows/windowsservercore-ltsc2022\"" : string.Empty);
                string checksums = "\"source\": {\"sha256\": \"" + old.SourceSha256 + "\"}" + (k.Windows ? ", \"windows\": {\"sha256\": \"" + old.WindowsSha256 + "\"}" : string.Empty);
                json.Add($"\"{k.Key}\": {{\"version\": \"{k.Old}\", \"checksums\": {{{checksums}}}, " + (k.Setuptools != null ? $"\"setuptools\": {{\"version\": \"{k.Setuptools}\"}}, " : string.Empty) + $"\"variants\": [{variants}]}}");
            }

            return "{" + string.Join(", ", json) + "}";
        }
    }
}
