using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Fakes;
using Xunit;

namespace PythonImages.Engine.Tests
{
    /// <summary>
    /// The build context upload: the tar is produced while the transport sends it, from one buffer, in writes of
    /// <see cref="UploadStream.WriteBytes"/>, exactly <see cref="BuildContext.TarLength"/> bytes long; a file that changes or
    /// disappears during the upload is a context error; an engine that stops reading stalls the build, and the caller can
    /// cancel it, whatever the size of the context.
    /// </summary>
    public sealed class ContextUploadTests
    {
        private const string Built = "{\"stream\":\"Step 1/1 : FROM scratch\\n\"}\r\n{\"aux\":{\"ID\":\"sha256:" + "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" + "\"}}\r\n";

        [Fact]
        public async Task TheUploadIsTheTarInWritesOfWriteBytesAndExactlyTarLength()
        {
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY . /data\n");
            var contents = new Dictionary<string, byte[]>();
            var random = new Random(5);
            foreach (var (name, size) in new[] { ("a.bin", 1), ("sub/b.bin", UploadStream.WriteBytes - 300), ("sub/c.bin", (3 * UploadStream.WriteBytes) + 7), (string.Join("/", Enumerable.Repeat("long-folder-name", 8)) + "/d.bin", 513) })
            {
                var bytes = new byte[size];
                random.NextBytes(bytes);
                string path = ctx.Write(name);
                File.WriteAllBytes(path, bytes);
                contents[name] = bytes;
            }

            var context = BuildContext.Scan(ctx.Root);
            var sink = new RecordingStream();
            int touches = 0;
            using (var upload = new UploadStream(context.OpenTar(), context.TarLength, () => touches++, CancellationToken.None))
            {
                Assert.Equal(context.TarLength, upload.Length);
                await upload.CopyToAsync(sink, 81920, CancellationToken.None);
            }

            Assert.Equal(context.TarLength, sink.Data.Length);
            Assert.True(sink.Writes.Count > 3, "writes: " + sink.Writes.Count);
            Assert.All(sink.Writes.Take(sink.Writes.Count - 1), n => Assert.Equal(UploadStream.WriteBytes, n));
            Assert.InRange(sink.Writes[^1], 1, UploadStream.WriteBytes);
            Assert.True(touches >= sink.Writes.Count, "signs of life: " + touches);

            // What a standard tar reader finds in the body is the context, byte for byte.
            var found = new Dictionary<string, byte[]>();
            using (var reader = new TarReader(new MemoryStream(sink.Data)))
            {
                TarEntry? e;
                while ((e = reader.GetNextEntry(copyData: true)) != null)
                {
                    if (e.EntryType == TarEntryType.RegularFile || e.EntryType == TarEntryType.V7RegularFile)
                    {
                        using var data = new MemoryStream();
                        e.DataStream?.CopyTo(data);
                        found[e.Name] = data.ToArray();
                    }
                }
            }

            foreach (var (name, bytes) in contents)
            {
                Assert.True(found.ContainsKey(name), name + " is missing from the tar");
                Assert.True(bytes.AsSpan().SequenceEqual(found[name]), name + " differs");
            }
        }

        [Fact]
        public async Task ALargeContextIsSentWithoutHoldingItInMemory()
        {
            // 64 MiB of context through a sink that records, at its first and last write, what the writing thread has
            // allocated so far: the copy runs on one thread of its own, and between its first and last write it allocates
            // headers and bookkeeping only, far below the size of the context.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            for (int i = 0; i < 4; i++)
            {
                using var f = File.Create(Path.Combine(ctx.Root, $"big{i}.bin"));
                f.SetLength(16L << 20);
            }

            var context = BuildContext.Scan(ctx.Root);
            var sink = new CountingStream();
            using (var upload = new UploadStream(context.OpenTar(), context.TarLength, () => { }, CancellationToken.None))
            {
                await upload.CopyToAsync(sink, 81920, CancellationToken.None);
            }

            Assert.Equal(context.TarLength, sink.Written);
            Assert.Single(sink.Threads);
            Assert.NotEqual(Environment.CurrentManagedThreadId, sink.Threads.Single());
            long allocated = sink.AllocatedAtLastWrite - sink.AllocatedAtFirstWrite;
            Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated to send {sink.Written} bytes");
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task CancellationEndsAWriteTheSocketDoesNotTake(bool callersToken)
        {
            // The copy blocks in each write until the socket takes it. When the engine stops reading, only closing the
            // destination ends such a write: the caller's token and the watchdog's both do, and the copy ends as cancelled.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            ctx.Write("data.bin", new string('x', 3 * UploadStream.WriteBytes));
            var context = BuildContext.Scan(ctx.Root);
            using var watchdog = new CancellationTokenSource();
            using var caller = new CancellationTokenSource();
            var sink = new StuckStream();
            using var upload = new UploadStream(context.OpenTar(), context.TarLength, () => { }, watchdog.Token);
            var copy = upload.CopyToAsync(sink, 81920, caller.Token);
            Assert.True(sink.Blocked.Wait(TimeSpan.FromSeconds(30)), "the first write never started");
            Assert.False(copy.IsCompleted);
            (callersToken ? caller : watchdog).Cancel();
            var ended = await Task.WhenAny(copy, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.Same(copy, ended);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => copy);
            Assert.True(sink.Disposed);
        }

        [Fact]
        public async Task AFileRemovedAfterTheScanIsAContextError()
        {
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            string gone = ctx.Write("gone.txt", "soon gone");
            var context = BuildContext.Scan(ctx.Root);
            File.Delete(gone);

            var ex = await Assert.ThrowsAsync<BuildContextException>(() => context.WriteTarAsync(Stream.Null, CancellationToken.None));
            Assert.Equal(BuildContextFailure.Unreadable, ex.Reason);
            Assert.Equal(gone, ex.Path);
            Assert.Contains("gone.txt", ex.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("link")]
        [InlineData("fifo")]
        public async Task AFileSwappedForALinkOrAFifoAfterTheScanIsNotOpened(string swap)
        {
            // open(2) follows a link: a same-size file outside the context was sent in the file's place. A FIFO would hang.
            using var outside = new TempContext();
            string secret = outside.Write("secret.txt", "SECRET=1234");
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            string data = ctx.Write("data.txt", "public 1234");
            var context = BuildContext.Scan(ctx.Root);
            File.Delete(data);
            if (swap == "link")
            {
                File.CreateSymbolicLink(data, secret);
            }
            else
            {
                PythonImages.Tests.SpecialFiles.MakeFifo(data);
            }

            using var ms = new MemoryStream();
            var upload = Task.Run(() => context.WriteTarAsync(ms, CancellationToken.None));
            if (await Task.WhenAny(upload, Task.Delay(TimeSpan.FromSeconds(10))) != upload)
            {
                using (new FileStream(data, FileMode.Open, FileAccess.Write))
                {
                }

                Assert.Fail("the upload opened a FIFO put in the place of a file");
            }

            var ex = await Assert.ThrowsAsync<BuildContextException>(() => upload);
            Assert.Equal(BuildContextFailure.Unreadable, ex.Reason);
            Assert.Contains("'data.txt'", ex.Message, StringComparison.Ordinal);
            Assert.Contains(swap == "link" ? "replaced by a symbolic link" : "replaced by a FIFO", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRET", Encoding.ASCII.GetString(ms.ToArray()), StringComparison.Ordinal);
        }

        [Fact]
        public async Task AFolderSwappedForALinkAfterTheScanIsNotFollowed()
        {
            // lstat of "sub/data.txt" follows a link put in the place of "sub": a same-size file outside the context looked
            // like the regular file scanned, and its bytes were sent in its place.
            using var outside = new TempContext();
            outside.Write("data.txt", "SECRET=1234");
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            ctx.Write("sub/data.txt", "public 1234");
            var context = BuildContext.Scan(ctx.Root);
            Directory.Delete(Path.Combine(ctx.Root, "sub"), recursive: true);
            Directory.CreateSymbolicLink(Path.Combine(ctx.Root, "sub"), outside.Root);

            using var ms = new MemoryStream();
            var ex = await Assert.ThrowsAsync<BuildContextException>(() => context.WriteTarAsync(ms, CancellationToken.None));
            Assert.Equal(BuildContextFailure.Unreadable, ex.Reason);
            Assert.Contains("'sub/data.txt'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("replaced by another file", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRET", Encoding.ASCII.GetString(ms.ToArray()), StringComparison.Ordinal);
        }

        [Fact]
        public async Task TheEngineGetsAContentLengthAndTheTarOfTheContext()
        {
            using var fake = new FakeEngine(r => r.Path == "/build" ? new FakeResponse { Chunks = new List<(int, string)> { (0, Built) } } : FakeResponse.Stall);
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY . /data\n");
            ctx.Write("text/a.txt", new string('a', (2 * UploadStream.WriteBytes) + 11));
            using var engine = EngineFactory.Create(fake.Host());

            var result = await engine.BuildRetryingAsync(new EngineBuildRequest { ContextDirectory = ctx.Root }, null, CancellationToken.None);

            Assert.True(result.Succeeded, result.ErrorMessage);
            var build = Assert.Single(fake.Requests, r => r.Path == "/build");
            Assert.Equal(BuildContext.Scan(ctx.Root).TarLength.ToString(System.Globalization.CultureInfo.InvariantCulture), build.Headers["Content-Length"]);
            Assert.False(build.Headers.ContainsKey("Transfer-Encoding"), "the body was sent chunked");
            var names = new List<string>();
            using (var reader = new TarReader(new MemoryStream(Encoding.Latin1.GetBytes(build.Body))))
            {
                TarEntry? e;
                while ((e = reader.GetNextEntry()) != null)
                {
                    names.Add(e.Name);
                }
            }

            Assert.Equal(new[] { "Dockerfile", "text/", "text/a.txt" }, names);
        }

        [Fact]
        public async Task AFileCutDuringTheUploadIsAContextErrorNotALostEngine()
        {
            // The engine's answer to the request head truncates the big file; the body cannot have been sent whole by then
            // (64 MiB, far more than the loopback socket buffers hold while the engine reads nothing).
            string? big = null;
            using var fake = new FakeEngine(r =>
            {
                if (r.Path != "/build")
                {
                    return FakeResponse.Stall;
                }

                using (var f = new FileStream(big!, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                {
                    f.SetLength(0);
                }

                return new FakeResponse { Chunks = new List<(int, string)> { (0, Built) } };
            });
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY . /data\n");
            big = ctx.Write("big.bin", string.Empty);
            using (var f = File.OpenWrite(big))
            {
                f.SetLength(64L << 20);
            }

            using var engine = EngineFactory.Create(fake.Host());
            var ex = await Assert.ThrowsAsync<BuildContextException>(() => engine.BuildAsync(new EngineBuildRequest { ContextDirectory = ctx.Root }, null, CancellationToken.None));
            Assert.Equal(BuildContextFailure.Unreadable, ex.Reason);
            Assert.Contains("big.bin", ex.Message, StringComparison.Ordinal);
            Assert.Contains("changed size", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task AnEngineThatStopsReadingTheContextStallsTheBuild()
        {
            using var deaf = new DeafEngine();
            using var ctx = LargeContext();
            var limit = TimeSpan.FromSeconds(1.5);
            using var engine = EngineFactory.Create(deaf.Host);
            var watch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<EngineStalledException>(() => engine.BuildAsync(new EngineBuildRequest { ContextDirectory = ctx.Root, InactivityTimeout = limit }, null, CancellationToken.None));
            Assert.True(watch.Elapsed >= limit, "gave up early: " + watch.Elapsed);
            Assert.True(watch.Elapsed < limit + InactivityWatchdog.AbandonGrace + TimeSpan.FromSeconds(10), "took " + watch.Elapsed);
            Assert.Equal("building", ex.Operation);
        }

        [Fact]
        public async Task TheCallerCanCancelAnUploadThatTheEngineDoesNotRead()
        {
            using var deaf = new DeafEngine();
            using var ctx = LargeContext();
            using var engine = EngineFactory.Create(deaf.Host);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.BuildAsync(new EngineBuildRequest { ContextDirectory = ctx.Root, InactivityTimeout = TimeSpan.FromMinutes(5) }, null, cts.Token));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1) + InactivityWatchdog.AbandonGrace + TimeSpan.FromSeconds(10), "took " + watch.Elapsed);
        }

        [Fact]
        public async Task AFifoInTheContextIsSentAsAFifoHeaderWithoutOpeningIt()
        {
            // Opening a FIFO for reading waits for a writer: the upload hung forever. Docker sends it as a header of type '6'.
            using var ctx = new TempContext();
            var (c, fifo) = ScanWithFifo(ctx);
            Assert.Equal(ContextEntryKind.Fifo, c.Entries.Single(e => e.Path == "pipe").Kind);

            using var ms = new MemoryStream();
            var upload = Task.Run(() => c.WriteTarAsync(ms, CancellationToken.None));
            bool finished = await EndsWithin(upload, TimeSpan.FromSeconds(10), fifo);
            await upload;
            Assert.True(finished, "the upload hung opening a FIFO of the context");
            Assert.Equal(c.TarLength, ms.Length);
            ms.Position = 0;
            using var reader = new TarReader(ms);
            TarEntry? entry;
            while ((entry = reader.GetNextEntry()) != null && entry.Name != "pipe")
            {
            }

            Assert.NotNull(entry);
            Assert.Equal(TarEntryType.Fifo, entry!.EntryType);
            Assert.Equal(0, entry.Length);
        }

        [Fact]
        public async Task AnUploadStreamOfAContextWithAFifoEndsBeforeItsCancellation()
        {
            // No cancellation reaches a thread blocked in open(2) on a FIFO: the FIFO must never be opened at all.
            using var ctx = new TempContext();
            var (c, fifo) = ScanWithFifo(ctx);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var upload = new UploadStream(c.OpenTar(), c.TarLength, () => { }, cts.Token);
            var copy = upload.CopyToAsync(Stream.Null, 81920, cts.Token);
            bool ended = await EndsWithin(copy, TimeSpan.FromSeconds(8), fifo);

            Assert.True(ended, "the upload was still blocked 8 s in");
            await copy; // complete, not cancelled
        }

        /// <summary>
        /// Whether <paramref name="task"/> ends within <paramref name="limit"/>; if not, the FIFO is opened for writing, which
        /// releases a reader blocked in open(2), so the test run keeps no hung thread (and the task can be awaited).
        /// </summary>
        /// <summary>A context of a Dockerfile and a FIFO named pipe, scanned; the FIFO's path.</summary>
        private static (BuildContext Context, string Fifo) ScanWithFifo(TempContext ctx)
        {
            ctx.Write("Dockerfile", "FROM scratch\n");
            string fifo = Path.Combine(ctx.Root, "pipe");
            PythonImages.Tests.SpecialFiles.MakeFifo(fifo);
            return (BuildContext.Scan(ctx.Root), fifo);
        }

        private static async Task<bool> EndsWithin(Task task, TimeSpan limit, string fifo)
        {
            bool ended = await Task.WhenAny(task, Task.Delay(limit)) == task;
            if (!ended)
            {
                using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
                {
                }
            }

            return ended;
        }

        [Fact]
        public async Task ASocketInTheContextIsLeftOutAndReportedNotAFailure()
        {
            // A tar has no type for a socket: docker skips it with a warning; the scan used to fail on it.
            using var fake = new FakeEngine(r => r.Path == "/build" ? new FakeResponse { Chunks = new List<(int, string)> { (0, Built) } } : FakeResponse.Stall);
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(ctx.Root, "app.sock")));
            var c = BuildContext.Scan(ctx.Root);
            Assert.DoesNotContain(c.Entries, e => e.Path == "app.sock");
            Assert.Equal(new[] { "app.sock" }, c.Skipped);

            using var engine = EngineFactory.Create(fake.Host());
            var events = new List<BuildEvent>();
            var result = await engine.BuildRetryingAsync(new EngineBuildRequest { ContextDirectory = ctx.Root }, new ListProgress(events), CancellationToken.None);
            Assert.True(result.Succeeded, result.ErrorMessage);
            Assert.Contains(events, e => e.Kind == BuildEventKind.Log && e.Text.Contains("'app.sock' is a socket", StringComparison.Ordinal));
        }

        /// <summary>A context of 64 MiB (sparse): more than the loopback socket buffers hold.</summary>
        private static TempContext LargeContext()
        {
            var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY . /data\n");
            using (var f = File.Create(Path.Combine(ctx.Root, "big.bin")))
            {
                f.SetLength(64L << 20);
            }

            return ctx;
        }

        /// <summary>
        /// A loopback engine that answers /version and then reads the head of any other request and nothing more: the
        /// request's body stays in the socket buffers, and once they are full the client's writes wait.
        /// </summary>
        private sealed class DeafEngine : IDisposable
        {
            private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);
            private readonly List<TcpClient> clients = new List<TcpClient>();

            public DeafEngine()
            {
                listener.Start();
                _ = AcceptLoop();
            }

            public string Host => "tcp://127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port;

            public void Dispose()
            {
                listener.Stop();
                lock (clients)
                {
                    clients.ForEach(c => c.Dispose());
                }
            }

            private async Task AcceptLoop()
            {
                while (true)
                {
                    TcpClient client;
                    try
                    {
                        client = await listener.AcceptTcpClientAsync();
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

            private static async Task Serve(TcpClient client)
            {
                try
                {
                    var stream = client.GetStream();
                    while (true)
                    {
                        string head = await ReadHeadAsync(stream);
                        string[] line = head.Split(' ');
                        if (line.Length < 2 || line[0] != "GET" || !line[1].EndsWith("/version", StringComparison.Ordinal))
                        {
                            return; // deaf from here on: the body is never read
                        }

                        byte[] body = Encoding.ASCII.GetBytes("{\"Version\":\"20.10.99-deaf\",\"ApiVersion\":\"1.41\",\"Os\":\"linux\",\"Arch\":\"amd64\"}");
                        byte[] answer = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\nContent-Length: {body.Length}\r\n\r\n");
                        await stream.WriteAsync(answer);
                        await stream.WriteAsync(body);
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException || ex is SocketException)
                {
                    // the client went away
                }
            }

            private static async Task<string> ReadHeadAsync(NetworkStream stream)
            {
                var head = new StringBuilder();
                var one = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
                {
                    if (await stream.ReadAsync(one) == 0)
                    {
                        throw new IOException("closed");
                    }

                    head.Append((char)one[0]);
                }

                return head.ToString();
            }
        }

        /// <summary>Keeps every byte and the size of every write.</summary>
        private sealed class RecordingStream : Stream
        {
            private readonly MemoryStream data = new MemoryStream();

            public List<int> Writes { get; } = new List<int>();

            public byte[] Data => data.ToArray();

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => data.Length;

            public override long Position { get => data.Length; set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count)
            {
                Writes.Add(count);
                data.Write(buffer, offset, count);
            }
        }

        /// <summary>
        /// Counts what is written, by which threads, and what the writing thread had allocated at the first and the last
        /// write; every write completes synchronously and allocates nothing.
        /// </summary>
        private sealed class CountingStream : Stream
        {
            public long Written { get; private set; }

            public HashSet<int> Threads { get; } = new HashSet<int>();

            public long AllocatedAtFirstWrite { get; private set; } = -1;

            public long AllocatedAtLastWrite { get; private set; }

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => Written;

            public override long Position { get => Written; set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => Count(count);

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                Count(count);
                return Task.CompletedTask;
            }

            public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                Count(buffer.Length);
                return ValueTask.CompletedTask;
            }

            private void Count(int count)
            {
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                if (AllocatedAtFirstWrite < 0)
                {
                    AllocatedAtFirstWrite = allocated;
                }

                AllocatedAtLastWrite = allocated;
                Threads.Add(Environment.CurrentManagedThreadId);
                Written += count;
            }
        }

        /// <summary>A socket the engine stopped reading: every write blocks until the stream is disposed, then fails.</summary>
        private sealed class StuckStream : Stream
        {
            private readonly ManualResetEventSlim closed = new ManualResetEventSlim();

            public ManualResetEventSlim Blocked { get; } = new ManualResetEventSlim();

            public bool Disposed => closed.IsSet;

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count)
            {
                Blocked.Set();
                closed.Wait();
                throw new ObjectDisposedException(nameof(StuckStream));
            }

            protected override void Dispose(bool disposing)
            {
                closed.Set();
                base.Dispose(disposing);
            }
        }
    }
}
