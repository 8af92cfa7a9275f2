using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Engine;

// Benchmark (issue 16, "measure both"): the same large build context sent to the same engine through the module's engine
// client (Docker.DotNet's managed transport, the tar streamed through a bounded pipe in 128 KiB writes) and through .NET's
// own HTTP stack (SocketsHttpHandler, what Docker.DotNet's native transport is built on, available on PowerShell 7 only),
// with the tar written straight into the request stream. Same context, same Dockerfile, same query; alternating pairs;
// wall clock and this process's CPU per build. The Dockerfile copies one small file, so the engine's work per build is
// receiving and unpacking the context, not copying it into a layer.
// Usage: dotnet run -c Release --project bench/PythonImages.Bench.Transport [-- <pairs> <megabytes> [<unix socket>]]
int pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 6;
int megabytes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
string socketPath = args.Length > 2 ? args[2] : "/var/run/docker.sock";
string id = Guid.NewGuid().ToString("N")[..8];
string repo = "pitest5-transport-bench-" + id;
string ctx = Path.Combine(Path.GetTempPath(), repo);
Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");

Directory.CreateDirectory(ctx);
try
{
    WriteContext(ctx, megabytes);
    using var engine = EngineFactory.Create("unix://" + socketPath);
    var info = await engine.GetInfoAsync(CancellationToken.None);
    using var native = new HttpClient(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://docker/"), Timeout = Timeout.InfiniteTimeSpan };

    async Task ModuleBuild(string tag)
    {
        var result = await engine.BuildAsync(new EngineBuildRequest { ContextDirectory = ctx, Tags = new List<string> { tag }, NoCache = true }, null, CancellationToken.None);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("module transport: build failed: " + result.ErrorMessage);
        }
    }

    async Task NativeBuild(string tag)
    {
        var context = BuildContext.Scan(ctx);
        string query = $"v{info.NegotiatedApiVersion}/build?t={Uri.EscapeDataString(tag)}&nocache=1&rm=1&forcerm=1&version=1";
        using var request = new HttpRequestMessage(HttpMethod.Post, query) { Content = new TarContent(context) };
        using var response = await native.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || body.Contains("\"error\"", StringComparison.Ordinal) || !body.Contains("Successfully built", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"native transport: build failed ({(int)response.StatusCode}): {body[..Math.Min(400, body.Length)]}");
        }
    }

    async Task<(double Wall, double Cpu)> Measure(Func<string, Task> build, string tag)
    {
        GC.Collect();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await build(tag);
        watch.Stop();
        return (watch.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds);
    }

    // Warm both paths (JIT, connections) before measuring.
    await ModuleBuild(repo + ":module");
    await NativeBuild(repo + ":native");

    var module = new List<(double Wall, double Cpu)>();
    var nativeRuns = new List<(double Wall, double Cpu)>();
    for (int i = 0; i < pairs; i++)
    {
        if (i % 2 == 0)
        {
            module.Add(await Measure(ModuleBuild, repo + ":module"));
            nativeRuns.Add(await Measure(NativeBuild, repo + ":native"));
        }
        else
        {
            nativeRuns.Add(await Measure(NativeBuild, repo + ":native"));
            module.Add(await Measure(ModuleBuild, repo + ":module"));
        }

        Console.WriteLine($"pair {i + 1}: module {module[^1].Wall,8:0} ms wall {module[^1].Cpu,6:0} ms CPU | native {nativeRuns[^1].Wall,8:0} ms wall {nativeRuns[^1].Cpu,6:0} ms CPU");
    }

    Print("module transport (Docker.DotNet managed, pipe)", module);
    Print("SocketsHttpHandler (tar into the request)", nativeRuns);
    Ratio("wall ratio native/module", nativeRuns.Zip(module, (n, m) => n.Wall / m.Wall));
    Ratio("CPU ratio native/module", nativeRuns.Zip(module, (n, m) => n.Cpu / m.Cpu));
    Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
}
finally
{
    Directory.Delete(ctx, recursive: true);
    foreach (var tag in new[] { ":module", ":native" })
    {
        using var rmi = Process.Start(new ProcessStartInfo("docker", $"rmi -f {repo}{tag}") { RedirectStandardOutput = true, RedirectStandardError = true });
        rmi?.WaitForExit();
    }
}

static void WriteContext(string dir, int megabytes)
{
    var random = new Random(16);
    var chunk = new byte[1 << 20];
    for (int f = 0; f < (megabytes + 9) / 10; f++)
    {
        using var file = File.Create(Path.Combine(dir, $"part{f:000}.bin"));
        for (int m = 0; m < Math.Min(10, megabytes - (f * 10)); m++)
        {
            random.NextBytes(chunk);
            file.Write(chunk, 0, chunk.Length);
        }
    }

    File.WriteAllText(Path.Combine(dir, "Dockerfile"), "FROM scratch\nCOPY Dockerfile /Dockerfile\n");
}


static void Print(string name, List<(double Wall, double Cpu)> runs) =>
    Console.WriteLine($"{name,-48} wall median {BenchKit.Median(runs.Select(r => r.Wall)),8:0} ms   CPU median {BenchKit.Median(runs.Select(r => r.Cpu)),6:0} ms");

static void Ratio(string name, IEnumerable<double> ratios)
{
    var list = ratios.ToList();
    Console.WriteLine($"{name,-48} median {BenchKit.Median(list):0.000} (min {list.Min():0.000}, max {list.Max():0.000})");
}

/// <summary>The context's tar written straight into the request stream, with its exact length.</summary>
internal sealed class TarContent : HttpContent
{
    private readonly BuildContext context;

    public TarContent(BuildContext context)
    {
        this.context = context;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? transportContext) =>
        context.WriteTarAsync(stream, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? transportContext, CancellationToken cancellationToken) =>
        context.WriteTarAsync(stream, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = context.TarLength;
        return true;
    }
}
