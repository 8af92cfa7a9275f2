using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>What the proxy does to a connection it picked.</summary>
    public enum ProxyFault
    {
        /// <summary>Reset the connection (TCP RST) right after reading the request.</summary>
        Reset,

        /// <summary>Answer 503 Service Unavailable (with the registry's error body) and close.</summary>
        Unavailable,
    }

    /// <summary>
    /// A TCP proxy on loopback in front of a registry. It passes every connection through byte for byte (TLS probes, the
    /// engine's pushes, keep-alive requests), except the first connections whose first request comes from the module's
    /// registry client (User-Agent PythonImages-Publish): those get the queued faults, one per connection.
    /// </summary>
    public sealed class FaultyRegistryProxy : IDisposable
    {
        private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly int upstreamPort;
        private readonly ConcurrentQueue<ProxyFault> faults = new ConcurrentQueue<ProxyFault>();
        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly Task loop;

        public FaultyRegistryProxy(int upstreamPort, params ProxyFault[] queued)
        {
            this.upstreamPort = upstreamPort;
            foreach (var f in queued)
            {
                faults.Enqueue(f);
            }

            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            loop = Task.Run(AcceptAsync);
        }

        public int Port { get; }

        public string Host => "127.0.0.1:" + Port;

        /// <summary>"Reset GET /v2/", "Unavailable GET /v2/": the faults given, in order.</summary>
        public ConcurrentQueue<string> Faulted { get; } = new ConcurrentQueue<string>();

        /// <summary>The first request line of every connection passed through, with its User-Agent.</summary>
        public ConcurrentQueue<string> Passed { get; } = new ConcurrentQueue<string>();

        private async Task AcceptAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stop.Token).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    return;
                }

                _ = Task.Run(() => HandleAsync(client));
            }
        }

        private async Task HandleAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var head = await ReadHeadAsync(stream).ConfigureAwait(false);
                    string text = Encoding.ASCII.GetString(head);
                    string line = text.Split("\r\n")[0];
                    string agent = text.Split("\r\n").FirstOrDefault(h => h.StartsWith("User-Agent:", StringComparison.OrdinalIgnoreCase)) ?? string.Empty;
                    if (agent.Contains("PythonImages-Publish", StringComparison.Ordinal) && faults.TryDequeue(out var fault))
                    {
                        string request = string.Join(' ', line.Split(' ').Take(2));
                        Faulted.Enqueue(fault + " " + request);
                        await FaultAsync(client, stream, fault).ConfigureAwait(false);
                        return;
                    }

                    Passed.Enqueue(line + " | " + agent);
                    await PipeAsync(client, head).ConfigureAwait(false);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                }
                catch (IOException)
                {
                }
                catch (SocketException)
                {
                }
            }
        }

        /// <summary>The bytes up to the end of the first request's head (or whatever came first: a TLS hello is no HTTP).</summary>
        private static async Task<byte[]> ReadHeadAsync(NetworkStream stream)
        {
            var buffer = new MemoryStream();
            var chunk = new byte[16384];
            while (buffer.Length < 65536)
            {
                int read = await stream.ReadAsync(chunk).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                buffer.Write(chunk, 0, read);
                byte first = buffer.GetBuffer()[0];
                if (first < 'A' || first > 'Z' || Encoding.ASCII.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    break;
                }
            }

            return buffer.ToArray();
        }

        private static async Task FaultAsync(TcpClient client, NetworkStream stream, ProxyFault fault)
        {
            if (fault == ProxyFault.Reset)
            {
                client.Client.LingerState = new LingerOption(true, 0); // closing now sends RST
                client.Client.Close();
                return;
            }

            byte[] body = Encoding.UTF8.GetBytes("{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"s4 proxy: try again\"}]}");
            byte[] answer = Encoding.ASCII.GetBytes($"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(answer).ConfigureAwait(false);
            await stream.WriteAsync(body).ConfigureAwait(false);
            await stream.FlushAsync().ConfigureAwait(false);
        }

        private async Task PipeAsync(TcpClient client, byte[] head)
        {
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, upstreamPort).ConfigureAwait(false);
            var up = upstream.GetStream();
            var down = client.GetStream();
            await up.WriteAsync(head).ConfigureAwait(false);
            var toUpstream = Copy(down, up, upstream.Client);
            var toClient = Copy(up, down, client.Client);
            await Task.WhenAll(toUpstream, toClient).ConfigureAwait(false);
        }

        private async Task Copy(NetworkStream from, NetworkStream to, Socket toSocket)
        {
            try
            {
                await from.CopyToAsync(to, 81920, stop.Token).ConfigureAwait(false);
                toSocket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception)
            {
                // one side went away: the other copy ends too
                toSocket.Close();
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            listener.Stop();
            try
            {
                loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }

            stop.Dispose();
        }
    }

    /// <summary>
    /// Transient failures on a real loopback connection: a proxy in front of the plain registry resets the module's first
    /// connection and answers the next one 503. The publish retries with backoff (each retry in the verbose stream), the
    /// engine's push goes through the same proxy, and the pushed manifest is the image's.
    /// </summary>
    public sealed class PublishRetryTests : IClassFixture<PublishImages>
    {
        private readonly PublishImages images;

        public PublishRetryTests(PublishImages images) => this.images = images;

        [RegistryFact]
        public void AResetAndA503AreRetriedAndThePushSucceeds()
        {
            using var proxy = new FaultyRegistryProxy(5000, ProxyFault.Reset, ProxyFault.Unavailable);
            string ns = "s4retry" + Guid.NewGuid().ToString("N")[..6];
            using var s = new ModuleSession();
            var r = s.Run($"Publish-PythonImage -Image {images.Amd64} -Registry {proxy.Host}/{ns} -Verbose");
            Assert.True(!r.AllErrors.Any(), string.Join("\n", r.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
            var result = Assert.Single(r.Output);
            Assert.Equal("Pushed", result.Properties["Status"].Value.ToString());
            Assert.Equal($"{proxy.Host}/{ns}/{images.Repository}:amd64", result.Properties["Reference"].Value.ToString());

            // Both faults happened, to the module's first request, and each shows as a numbered retry in the verbose stream.
            Assert.Equal(new[] { "Reset GET /v2/", "Unavailable GET /v2/" }, proxy.Faulted.ToArray());
            var retries = r.Verbose.Select(v => v.Message).Where(m => m.StartsWith(proxy.Host + ": retry ", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, retries.Count);
            Assert.StartsWith($"{proxy.Host}: retry 1 of GET /v2/ in ", retries[0], StringComparison.Ordinal);
            Assert.EndsWith("(HttpRequestException).", retries[0], StringComparison.Ordinal);
            Assert.StartsWith($"{proxy.Host}: retry 2 of GET /v2/ in ", retries[1], StringComparison.Ordinal);
            Assert.EndsWith("(HTTP 503).", retries[1], StringComparison.Ordinal);

            // The engine pushed through the proxy too, and the registry behind it holds the image.
            Assert.Contains(proxy.Passed, p => p.Contains("docker/", StringComparison.Ordinal));
            using var reader = new RegistryReader(TestRegistries.Plain);
            var (status, _, body) = reader.Manifest($"{ns}/{images.Repository}", "amd64");
            Assert.Equal(200, status);
            using var doc = JsonDocument.Parse(body);
            Assert.Equal(images.AmdId, doc.RootElement.GetProperty("config").GetProperty("digest").GetString());
            Assert.Equal(result.Properties["Digest"].Value.ToString(), "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body))));
        }
    }
}
