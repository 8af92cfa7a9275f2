using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Tests.Fakes
{
    /// <summary>One HTTP request the fake engine received.</summary>
    internal sealed class FakeRequest
    {
        public string Method { get; init; } = string.Empty;

        /// <summary>The path without the API version prefix (/v1.41/build → /build).</summary>
        public string Path { get; init; } = string.Empty;

        public string Query { get; init; } = string.Empty;

        public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

        public string Body { get; set; } = string.Empty;

        public override string ToString() => Method + " " + Path + (Query.Length > 0 ? "?" + Query : string.Empty);
    }

    /// <summary>What the fake engine answers; <see cref="Stall"/> answers nothing (more) and keeps the connection open.</summary>
    internal sealed class FakeResponse
    {
        public int Status { get; init; } = 200;

        public string ContentType { get; init; } = "application/json";

        public string Body { get; init; } = string.Empty;

        /// <summary>Send the status line, headers (chunked) and <see cref="Body"/> as one chunk (or <see cref="Chunks"/>), then nothing more.</summary>
        public bool StallAfterBody { get; init; }

        /// <summary>A chunked body sent piece by piece, each after its delay (then the end, or a stall with <see cref="StallAfterBody"/>).</summary>
        public IReadOnlyList<(int DelayMs, string Text)>? Chunks { get; init; }

        /// <summary>A body known later: the answer is sent once this task gives it (a container wait that ends when the test says so).</summary>
        public Task<string>? DeferredBody { get; init; }

        /// <summary>Called once the answer has been sent (a body answer only).</summary>
        public Action? Answered { get; init; }

        /// <summary>
        /// Upgrades the connection as the engine does for an attach (101, then a raw stream): the connection is then the
        /// handler's, which writes the container's output and ends it in order or with a reset.
        /// </summary>
        public Func<FakeHijackedConnection, Task>? Hijack { get; init; }

        public static FakeResponse Stall { get; } = new FakeResponse { Status = -1 };

        public static FakeResponse Json(string body, int status = 200) => new FakeResponse { Status = status, Body = body };
    }

    /// <summary>
    /// A loopback HTTP/1.1 server that imitates a Docker engine: it answers /_ping, /version and /info like dockerd 20.10, and every
    /// other request through a route function (a stall by default). It records each request and notices when the client
    /// closes a connection that it left stalled: that is how a test sees that a stalled request was really abandoned.
    /// </summary>
    internal sealed class FakeEngine : IDisposable
    {
        private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource cts = new CancellationTokenSource();
        private readonly Func<FakeRequest, FakeResponse> route;
        private readonly ConcurrentQueue<FakeRequest> requests = new ConcurrentQueue<FakeRequest>();
        private readonly List<TcpClient> clients = new List<TcpClient>();
        private int stalled;
        private int stalledClosed;

        public FakeEngine(Func<FakeRequest, FakeResponse>? route = null, string os = "linux")
        {
            this.route = route ?? (_ => FakeResponse.Stall);
            OS = os;
            listener.Start();
            _ = AcceptLoop();
        }

        public string OS { get; }

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        /// <summary>tcp://127.0.0.1:port (optionally with userinfo, which the engine layer must never repeat).</summary>
        public string Host(string? userInfo = null) => "tcp://" + (userInfo != null ? userInfo + "@" : string.Empty) + "127.0.0.1:" + Port;

        public IReadOnlyList<FakeRequest> Requests => requests.ToArray();

        /// <summary>Requests left without (a complete) answer.</summary>
        public int Stalled => Volatile.Read(ref stalled);

        /// <summary>Stalled requests whose connection the client has closed since.</summary>
        public int StalledClosed => Volatile.Read(ref stalledClosed);

        /// <summary>Waits until every stalled connection has been closed by the client (true), or the timeout passes.</summary>
        public bool WaitForStalledConnectionsClosed(TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < timeout)
            {
                if (Stalled > 0 && StalledClosed == Stalled)
                {
                    return true;
                }

                Thread.Sleep(50);
            }

            return false;
        }

        public void Dispose()
        {
            cts.Cancel();
            listener.Stop();
            lock (clients)
            {
                foreach (var c in clients)
                {
                    c.Dispose();
                }
            }
        }

        private async Task AcceptLoop()
        {
            while (!cts.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(cts.Token);
                }
                catch (Exception)
                {
                    return;
                }

                lock (clients)
                {
                    clients.Add(client);
                }

                _ = Task.Run(() => Serve(client));
            }
        }

        private async Task Serve(TcpClient client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new HttpReader(stream);
                while (!cts.IsCancellationRequested)
                {
                    var request = await reader.ReadRequestHeadAsync(cts.Token);
                    if (request == null)
                    {
                        return;
                    }

                    requests.Enqueue(request);
                    var response = Answer(request);
                    if (response.Status < 0)
                    {
                        await StallUntilClosed(stream, reader);
                        return;
                    }

                    request.Body = await reader.ReadBodyAsync(request, cts.Token);
                    if (response.Hijack != null)
                    {
                        await UpgradeAsync(client, reader, response.Hijack);
                        return;
                    }

                    if (response.StallAfterBody || response.Chunks != null)
                    {
                        string head = $"HTTP/1.1 {response.Status} OK\r\nContent-Type: {response.ContentType}\r\nApi-Version: 1.41\r\nTransfer-Encoding: chunked\r\n\r\n";
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                        foreach (var (delay, text) in response.Chunks ?? new[] { (0, response.Body) })
                        {
                            if (delay > 0)
                            {
                                await Task.Delay(delay, cts.Token);
                            }

                            byte[] body = Encoding.UTF8.GetBytes(text);
                            await stream.WriteAsync(Encoding.ASCII.GetBytes(body.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n"));
                            await stream.WriteAsync(body);
                            await stream.WriteAsync(Encoding.ASCII.GetBytes("\r\n"));
                            await stream.FlushAsync();
                        }

                        if (response.StallAfterBody)
                        {
                            await StallUntilClosed(stream, reader);
                            return;
                        }

                        await stream.WriteAsync(Encoding.ASCII.GetBytes("0\r\n\r\n"));
                        await stream.FlushAsync();
                        continue;
                    }

                    byte[] content = Encoding.UTF8.GetBytes(response.DeferredBody != null ? await response.DeferredBody.WaitAsync(cts.Token) : response.Body);
                    string headers = $"HTTP/1.1 {response.Status} {(response.Status < 300 ? "OK" : "Error")}\r\nContent-Type: {response.ContentType}\r\nApi-Version: 1.41\r\nContent-Length: {content.Length}\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(headers));
                    await stream.WriteAsync(content);
                    await stream.FlushAsync();
                    response.Answered?.Invoke();
                }
            }
            catch (Exception)
            {
                // the client went away
            }
            finally
            {
                client.Dispose();
            }
        }

        private FakeResponse Answer(FakeRequest request)
        {
            if (request.Path == "/_ping")
            {
                return new FakeResponse { ContentType = "text/plain", Body = "OK" };
            }

            if (request.Path == "/version")
            {
                return FakeResponse.Json("{\"Version\":\"20.10.99-fake\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\",\"Os\":\"" + OS + "\",\"Arch\":\"amd64\"}");
            }

            if (request.Path == "/info")
            {
                // a daemon of its own: its own ID and data root (engine maps compare them)
                return FakeResponse.Json("{\"ID\":\"FAKE:" + Port + "\",\"Name\":\"fake\",\"DockerRootDir\":\"/var/lib/docker-fake-" + Port + "\",\"OSType\":\"" + OS + "\"}");
            }

            return route(request);
        }

        /// <summary>Answers an attach with the engine's upgrade to a raw stream, then hands the connection to the handler.</summary>
        private async Task UpgradeAsync(TcpClient client, HttpReader reader, Func<FakeHijackedConnection, Task> hijack)
        {
            client.NoDelay = true; // each frame leaves at once: a reset right after it cannot overtake it
            const string Head = "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: 1.41\r\n\r\n";
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(Head), cts.Token);
            await stream.FlushAsync(cts.Token);
            await hijack(new FakeHijackedConnection(client, reader.ReadRawAsync, cts.Token));
        }

        /// <summary>Reads and discards whatever the client sends until it closes the connection.</summary>
        private async Task StallUntilClosed(NetworkStream stream, HttpReader reader)
        {
            Interlocked.Increment(ref stalled);
            try
            {
                var buffer = new byte[64 * 1024];
                while (!cts.IsCancellationRequested)
                {
                    int n = await stream.ReadAsync(buffer, cts.Token);
                    if (n == 0)
                    {
                        break;
                    }
                }
            }
            catch (Exception)
            {
                // reset by the client: closed as well
            }

            if (!cts.IsCancellationRequested)
            {
                Interlocked.Increment(ref stalledClosed);
            }

            GC.KeepAlive(reader);
        }

        /// <summary>A minimal HTTP/1.1 request reader (request line, headers, Content-Length or chunked body).</summary>
        private sealed class HttpReader
        {
            private readonly Stream stream;
            private readonly byte[] buffer = new byte[64 * 1024];
            private int start;
            private int end;

            public HttpReader(Stream stream) => this.stream = stream;

            public async Task<FakeRequest?> ReadRequestHeadAsync(CancellationToken ct)
            {
                string? line = await ReadLineAsync(ct);
                while (line != null && line.Length == 0)
                {
                    line = await ReadLineAsync(ct);
                }

                if (line == null)
                {
                    return null;
                }

                var parts = line.Split(' ');
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                string? header;
                while (!string.IsNullOrEmpty(header = await ReadLineAsync(ct)))
                {
                    int colon = header.IndexOf(':');
                    if (colon > 0)
                    {
                        headers[header.Substring(0, colon).Trim()] = header.Substring(colon + 1).Trim();
                    }
                }

                string target = parts.Length > 1 ? parts[1] : "/";
                int q = target.IndexOf('?');
                string path = q >= 0 ? target.Substring(0, q) : target;
                string query = q >= 0 ? target.Substring(q + 1) : string.Empty;
                if (path.StartsWith("/v1.", StringComparison.Ordinal))
                {
                    int slash = path.IndexOf('/', 1);
                    path = slash > 0 ? path.Substring(slash) : "/";
                }

                return new FakeRequest { Method = parts[0], Path = path, Query = Uri.UnescapeDataString(query), Headers = headers };
            }

            public async Task<string> ReadBodyAsync(FakeRequest request, CancellationToken ct)
            {
                var body = new MemoryStream();
                if (request.Headers.TryGetValue("Content-Length", out var length) && long.TryParse(length, out long n))
                {
                    await CopyAsync(body, n, ct);
                }
                else if (request.Headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                {
                    while (true)
                    {
                        string size = await ReadLineAsync(ct) ?? "0";
                        long chunk = Convert.ToInt64(size.Split(';')[0].Trim(), 16);
                        if (chunk == 0)
                        {
                            while (!string.IsNullOrEmpty(await ReadLineAsync(ct)))
                            {
                            }

                            break;
                        }

                        await CopyAsync(body, chunk, ct);
                        await ReadLineAsync(ct);
                    }
                }

                return Encoding.UTF8.GetString(body.ToArray());
            }

            /// <summary>Raw bytes after the request head (what the reader buffered first); 0 at the end of the stream.</summary>
            public async Task<int> ReadRawAsync(byte[] into, CancellationToken ct)
            {
                if (start == end && !await FillAsync(ct))
                {
                    return 0;
                }

                int take = Math.Min(into.Length, end - start);
                Array.Copy(buffer, start, into, 0, take);
                start += take;
                return take;
            }

            private async Task CopyAsync(Stream to, long count, CancellationToken ct)
            {
                while (count > 0)
                {
                    if (start == end && !await FillAsync(ct))
                    {
                        throw new EndOfStreamException();
                    }

                    int take = (int)Math.Min(count, end - start);
                    to.Write(buffer, start, take);
                    start += take;
                    count -= take;
                }
            }

            private async Task<string?> ReadLineAsync(CancellationToken ct)
            {
                var sb = new StringBuilder();
                while (true)
                {
                    if (start == end && !await FillAsync(ct))
                    {
                        return sb.Length > 0 ? sb.ToString() : null;
                    }

                    char c = (char)buffer[start++];
                    if (c == '\n')
                    {
                        return sb.ToString().TrimEnd('\r');
                    }

                    sb.Append(c);
                }
            }

            private async Task<bool> FillAsync(CancellationToken ct)
            {
                start = 0;
                end = await stream.ReadAsync(buffer.AsMemory(0, buffer.Length), ct);
                return end > 0;
            }
        }
    }

    /// <summary>
    /// An attach connection after the upgrade, as the engine holds it: the container's output goes out in multiplexed frames
    /// (stream byte, three zeros, big-endian length), its input comes in raw, and the engine ends it in order (the output
    /// is complete, the input was read) or with a reset (a close with input unread, or an abortive close).
    /// </summary>
    internal sealed class FakeHijackedConnection
    {
        private readonly TcpClient client;
        private readonly Func<byte[], CancellationToken, Task<int>> read;
        private readonly CancellationToken token;

        public FakeHijackedConnection(TcpClient client, Func<byte[], CancellationToken, Task<int>> read, CancellationToken token)
        {
            this.client = client;
            this.read = read;
            this.token = token;
        }

        /// <summary>Sends <paramref name="text"/> as one frame of stdout (1) or stderr (2).</summary>
        public async Task SendFrameAsync(int stream, string text)
        {
            byte[] payload = Encoding.UTF8.GetBytes(text);
            byte[] frame = new byte[8 + payload.Length];
            frame[0] = (byte)stream;
            frame[4] = (byte)(payload.Length >> 24);
            frame[5] = (byte)(payload.Length >> 16);
            frame[6] = (byte)(payload.Length >> 8);
            frame[7] = (byte)payload.Length;
            payload.CopyTo(frame, 8);
            var network = client.GetStream();
            await network.WriteAsync(frame, token);
            await network.FlushAsync(token);
        }

        /// <summary>The client's input until it closes its side of the connection (the end of the container's stdin).</summary>
        public async Task<string> ReadInputToEndAsync()
        {
            var input = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await read(buffer, token)) > 0)
            {
                input.Write(buffer, 0, n);
            }

            return Encoding.UTF8.GetString(input.ToArray());
        }

        /// <summary>The orderly end: the engine's side is closed (the client reads the end of the stream), then the connection.</summary>
        public void Close()
        {
            client.Client.Shutdown(SocketShutdown.Send);
            client.Close();
        }

        /// <summary>An abortive close: the client's next read fails with a connection reset, after the frames already sent.</summary>
        /// <remarks>The socket itself is closed: closing the TcpClient would dispose its NetworkStream first, which shuts the
        /// connection down in order (the client would read the end of the stream) before the reset.</remarks>
        public void Reset()
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }
    }
}
