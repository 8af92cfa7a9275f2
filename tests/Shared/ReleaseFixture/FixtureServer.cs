using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Tests.ReleaseFixture
{
    /// <summary>An HTTP request as the fixture server saw it.</summary>
    public sealed class FixtureRequest
    {
        public FixtureRequest(string method, string path, IReadOnlyDictionary<string, string> headers, bool viaProxy = false)
        {
            Method = method;
            Path = path;
            Headers = headers;
            ViaProxy = viaProxy;
        }

        /// <summary>The request line named a full URL (a client talking to a proxy).</summary>
        public bool ViaProxy { get; }

        public string Method { get; }
        public string Path { get; }
        public IReadOnlyDictionary<string, string> Headers { get; }
    }

    /// <summary>What the fixture server does with a request.</summary>
    public sealed class FixtureResponse
    {
        public int Status { get; init; } = 200;
        public byte[] Body { get; init; } = Array.Empty<byte>();
        public string ContentType { get; init; } = "application/octet-stream";
        public IReadOnlyDictionary<string, string>? Headers { get; init; }

        /// <summary>Never answer (the connection stays open until the server stops).</summary>
        public bool Stall { get; init; }

        /// <summary>Reset the connection (TCP RST) instead of answering.</summary>
        public bool Reset { get; init; }

        /// <summary>Send the body chunked, without a Content-Length.</summary>
        public bool Chunked { get; init; }

        /// <summary>With <see cref="Chunked"/>: a pause before each chunk (a slow but steady download).</summary>
        public TimeSpan ChunkDelay { get; init; }

        /// <summary>Content-Length to announce instead of the body's.</summary>
        public long? DeclaredLength { get; init; }

        public static FixtureResponse Text(string text, string contentType = "text/html") =>
            new FixtureResponse { Body = Encoding.UTF8.GetBytes(text), ContentType = contentType };

        public static FixtureResponse NotFound() => new FixtureResponse { Status = 404, Body = Encoding.ASCII.GetBytes("not found"), ContentType = "text/plain" };
    }

    /// <summary>
    /// A small real HTTP/1.1 server on 127.0.0.1 (TcpListener): one request per connection (Connection: close), HEAD
    /// and GET, and the misbehaviours the updater must survive (stalls, resets, chunked floods, redirects).
    /// </summary>
    public sealed class FixtureServer : IDisposable
    {
        private readonly TcpListener listener;
        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly Func<FixtureRequest, FixtureResponse> route;
        private readonly Task loop;

        public FixtureServer(Func<FixtureRequest, FixtureResponse> route, IPAddress? address = null)
        {
            this.route = route;
            listener = new TcpListener(address ?? IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            loop = Task.Run(AcceptLoop);
        }

        public int Port { get; }

        public string BaseUrl => "http://127.0.0.1:" + Port + "/";

        /// <summary>Added before every answer (a stand-in for a real network's round trip), for benchmarks.</summary>
        public TimeSpan Latency { get; set; }

        public ConcurrentQueue<FixtureRequest> Requests { get; } = new ConcurrentQueue<FixtureRequest>();

        private async Task AcceptLoop()
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(stop.Token);
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (SocketException)
                {
                    continue;
                }

                _ = Task.Run(() => Serve(client));
            }
        }

        private async Task Serve(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var request = await ReadRequest(stream);
                    if (request == null)
                    {
                        return;
                    }

                    Requests.Enqueue(request);
                    var response = route(request);
                    if (Latency > TimeSpan.Zero)
                    {
                        await Task.Delay(Latency, stop.Token);
                    }

                    if (response.Stall)
                    {
                        await Task.Delay(Timeout.Infinite, stop.Token);
                        return;
                    }

                    if (response.Reset)
                    {
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Client.Close();
                        return;
                    }

                    var head = new StringBuilder();
                    head.Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(Reason(response.Status)).Append("\r\n");
                    head.Append("Content-Type: ").Append(response.ContentType).Append("\r\n");
                    head.Append("Connection: close\r\n");
                    if (response.Chunked)
                    {
                        head.Append("Transfer-Encoding: chunked\r\n");
                    }
                    else
                    {
                        head.Append("Content-Length: ").Append(response.DeclaredLength ?? response.Body.Length).Append("\r\n");
                    }

                    if (response.Headers != null)
                    {
                        foreach (var h in response.Headers)
                        {
                            head.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
                        }
                    }

                    head.Append("\r\n");
                    byte[] headBytes = Encoding.ASCII.GetBytes(head.ToString());
                    await stream.WriteAsync(headBytes, stop.Token);
                    if (request.Method != "HEAD")
                    {
                        if (response.Chunked)
                        {
                            const int chunk = 65536;
                            for (int i = 0; i < response.Body.Length; i += chunk)
                            {
                                int n = Math.Min(chunk, response.Body.Length - i);
                                if (response.ChunkDelay > TimeSpan.Zero)
                                {
                                    await stream.FlushAsync(stop.Token);
                                    await Task.Delay(response.ChunkDelay, stop.Token);
                                }

                                await stream.WriteAsync(Encoding.ASCII.GetBytes(n.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n"), stop.Token);
                                await stream.WriteAsync(response.Body.AsMemory(i, n), stop.Token);
                                await stream.WriteAsync(Encoding.ASCII.GetBytes("\r\n"), stop.Token);
                            }

                            await stream.WriteAsync(Encoding.ASCII.GetBytes("0\r\n\r\n"), stop.Token);
                        }
                        else
                        {
                            await stream.WriteAsync(response.Body, stop.Token);
                        }
                    }

                    await stream.FlushAsync(stop.Token);
                    client.Client.Shutdown(SocketShutdown.Send);
                }
                catch (Exception ex) when (ex is IOException || ex is SocketException || ex is OperationCanceledException || ex is ObjectDisposedException)
                {
                    // the client went away, or the server is stopping
                }
            }
        }

        private static async Task<FixtureRequest?> ReadRequest(NetworkStream stream)
        {
            var buffer = new List<byte>();
            var one = new byte[1];
            while (buffer.Count < 65536)
            {
                int n = await stream.ReadAsync(one.AsMemory(0, 1));
                if (n == 0)
                {
                    return null;
                }

                buffer.Add(one[0]);
                int c = buffer.Count;
                if (c >= 4 && buffer[c - 4] == '\r' && buffer[c - 3] == '\n' && buffer[c - 2] == '\r' && buffer[c - 1] == '\n')
                {
                    break;
                }
            }

            string[] lines = Encoding.ASCII.GetString(buffer.ToArray()).Split("\r\n");
            string[] first = lines[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string line in lines[1..])
            {
                int colon = line.IndexOf(':');
                if (colon > 0)
                {
                    headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
            }

            string target = first.Length > 1 ? first[1] : "/";
            bool viaProxy = target.StartsWith("http://", StringComparison.Ordinal);
            if (viaProxy)
            {
                target = new Uri(target).PathAndQuery; // asked as a proxy
            }

            return new FixtureRequest(first[0], target, headers, viaProxy);
        }

        private static string Reason(int status) => status switch
        {
            200 => "OK",
            301 => "Moved Permanently",
            302 => "Found",
            404 => "Not Found",
            500 => "Internal Server Error",
            503 => "Service Unavailable",
            _ => "Status",
        };

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
}
