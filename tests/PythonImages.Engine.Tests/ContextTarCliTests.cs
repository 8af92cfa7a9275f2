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
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Engine.Tests
{
    /// <summary>
    /// The build context as the docker CLI sends it, captured: `docker build` (classic builder) pointed at a loopback
    /// listener that answers /_ping as an engine does and keeps the body of POST /build. Each entry's header fields that
    /// the engine reads (name, type, mode, owner, modification time, link target, size) must be what we send for the
    /// same folder: the classic builder's COPY cache is keyed on them, so a difference means a cache miss between a
    /// CLI build and a module build of the same context, and a different mode in the image.
    /// </summary>
    public sealed class ContextTarCliTests
    {
        [DockerFact]
        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // modes and links as on Linux, where CI runs it
        public async Task TheContextTarHasTheCliHeadersForFilesFoldersAndLinks()
        {
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY . /ctx/\n");
            var script = ctx.Write("run.sh", "#!/bin/sh\n");
            File.SetUnixFileMode(script, (UnixFileMode)0x1ED); // 0755
            var secret = ctx.Write("data/file.txt", "data");
            File.SetUnixFileMode(secret, (UnixFileMode)0x180); // 0600: a link to it must not carry this mode
            ctx.Write("data/deeper/empty.txt", string.Empty);
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "link"), "data/file.txt");
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "dirlink"), "data");
            File.SetUnixFileMode(Path.Combine(ctx.Root, "data", "deeper"), (UnixFileMode)0x1C0); // 0700
            var when = new DateTime(2021, 6, 1, 12, 30, 45, DateTimeKind.Utc);
            foreach (var path in Directory.EnumerateFileSystemEntries(ctx.Root, "*", SearchOption.AllDirectories).Where(p => new FileInfo(p).LinkTarget == null))
            {
                File.SetLastWriteTimeUtc(path, when);
            }

            var cli = Headers(await CliContextOrFailAsync(ctx.Root));
            var c = BuildContext.Scan(ctx.Root);
            using var ours = new MemoryStream();
            await c.WriteTarAsync(ours, CancellationToken.None);
            Assert.Equal(c.TarLength, ours.Length); // the length announced to the engine, PAX records included
            ours.Position = 0;
            var mine = Headers(ours);

            Assert.Equal(cli.Keys.OrderBy(k => k, StringComparer.Ordinal), mine.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var name in cli.Keys)
            {
                Assert.True(cli[name] == mine[name], name + ": the docker CLI sends " + cli[name] + ", we send " + mine[name]);
            }

            Assert.Contains("symlink 777", mine["link"], StringComparison.Ordinal); // the link's own mode, as lstat gives it
        }

        [DockerFact]
        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        public async Task TheContextTarHasTheCliHeadersForOddTimesNamesModesCapabilitiesAndHardLinks()
        {
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY . /ctx/\n");
            var old = ctx.Write("old.txt", "before 1970");
            File.SetLastWriteTimeUtc(old, new DateTime(1960, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            var late = ctx.Write("late.txt", "past the octal field");
            File.SetLastWriteTimeUtc(late, new DateTime(2300, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            ctx.Write(string.Join("/", Enumerable.Repeat("a-rather-long-folder-name", 5)) + "/file-ü.txt", "long");
            var original = ctx.Write("hard/original.txt", "same inode");
            Assert.Equal(0, Link(original, Path.Combine(ctx.Root, "hard", "second.txt")));
            var setuid = ctx.Write("setuid", "x");
            File.SetUnixFileMode(setuid, (UnixFileMode)0x9ED); // 04755
            // File capabilities: the CLI sends them as a PAX record (its bytes as they are); the classic builder's COPY cache
            // key counts them.
            var capable = ctx.Write("capable", "a program allowed to bind low ports");
            Assert.Equal(0, Process.Start("setcap", new[] { "cap_net_bind_service+ep", capable })!.WaitForExitAndCode());
            Directory.CreateDirectory(Path.Combine(ctx.Root, "sticky"));
            File.SetUnixFileMode(Path.Combine(ctx.Root, "sticky"), (UnixFileMode)0x3FF); // 01777

            var cli = Headers(await CliContextOrFailAsync(ctx.Root));
            var c = BuildContext.Scan(ctx.Root);
            using var ours = new MemoryStream();
            await c.WriteTarAsync(ours, CancellationToken.None);
            Assert.Equal(c.TarLength, ours.Length); // the length announced to the engine, PAX records included
            ours.Position = 0;
            var mine = Headers(ours);

            Assert.Equal(cli.Keys.OrderBy(k => k, StringComparer.Ordinal), mine.Keys.OrderBy(k => k, StringComparer.Ordinal));
            var differ = cli.Keys.Where(k => cli[k] != mine[k]).Select(k => k + ": the docker CLI sends " + cli[k] + ", we send " + mine[k]).ToList();
            Assert.True(differ.Count == 0, string.Join("\n", differ));
        }

        private static readonly string[] PatternFiles =
        {
            "a1", "b2", "_3", "[x", ":y", "ab", "é1", "9z", "Z9", "^a", "a^b", "x y", "keep.txt", "drop.txt", "dir/x", "dir/sub/x", "dir/sub/keep.txt", "dir/y.txt",
            "new\nline/x", "dir/new\nline",
        };

        /// <summary>
        /// .dockerignore patterns past the usual ones, where docker's regular expressions read more than filepath.Match
        /// does: the files the docker CLI leaves out are the ones we leave out, and a pattern it refuses we refuse.
        /// </summary>
        [DockerTheory]
        [InlineData("[[:alpha:]]?")]
        [InlineData("[[:^alpha:]]?")]
        [InlineData("[[:digit:][:upper:]]*")]
        [InlineData("[_[:lower:]]?")]
        [InlineData("[[:alpha:]")]
        [InlineData("[[:foo:]]")]
        [InlineData("[[:alpha]?")]
        [InlineData("\\d*")]
        [InlineData("[\\d]?")]
        [InlineData("\\w\\w")]
        [InlineData("\\S?")]
        [InlineData("[^\\s]?")]
        [InlineData("x\\sy")]
        [InlineData("[\\d-z]?")]
        [InlineData("[\\d-\\w]?")]
        [InlineData("[a-\\d]?")]
        [InlineData("[\\d-]?")]
        [InlineData("[[:digit:]-a]?")]
        [InlineData("[\\t]?")]
        [InlineData("^a*")]
        [InlineData("a^b*")]
        [InlineData("^a")]
        [InlineData("a^b")]
        [InlineData("**^a")]
        [InlineData("*^a?")]
        [InlineData("**/^a?")]
        [InlineData("**/dir/**")]
        [InlineData("**/**")]
        [InlineData("\\^a")]
        [InlineData("[^a]?")]
        [InlineData("[!a]?")]
        [InlineData("**/*.txt\n!**/keep*")]
        [InlineData("dir/**")]
        [InlineData("dir/**/x")]
        [InlineData("*/*/x")]
        [InlineData("\\[x")]
        [InlineData("?")]
        [InlineData("a?")]
        [InlineData("dir\n!dir/sub")]
        [InlineData("./a1\n/b2")]
        [InlineData("dir/../a1")]
        [InlineData("**/x*")]
        [InlineData("**/x")]
        [InlineData("d*/**")]
        [InlineData("*/**/x")]
        [InlineData("new?line")]
        [InlineData("\\q")]
        [InlineData("\\é1")]
        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        public async Task IgnorePatternsLeaveOutWhatTheCliLeavesOut(string ignore)
        {
            using var ctx = PatternContext(ignore);
            var (body, output) = await CliContextAsync(ctx.Root);
            if (body == null)
            {
                // The CLI refused the pattern: so do we, naming the file.
                var refused = Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root));
                Assert.True(refused.Reason == BuildContextFailure.InvalidIgnorePattern, "docker CLI: " + output + "\nours: " + refused.Message);
                return;
            }

            var cli = Headers(body).Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            using var ours = new MemoryStream();
            await BuildContext.Scan(ctx.Root).WriteTarAsync(ours, CancellationToken.None);
            ours.Position = 0;
            var mine = Headers(ours).Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            Assert.True(cli.SequenceEqual(mine), "docker CLI: " + string.Join(" ", cli).Replace("\n", "\\n", StringComparison.Ordinal) + "\nours:       " + string.Join(" ", mine).Replace("\n", "\\n", StringComparison.Ordinal));
        }

        /// <summary>
        /// Patterns docker accepts but reads in a way a file name never needs (an expression's word boundary, a hexadecimal
        /// escape, a Unicode class, '*' inside a class, which it turns into a class of its own): refused with what to write
        /// instead, never read as something else.
        /// </summary>
        [Theory]
        [InlineData("a\\b*", "\\b")]
        [InlineData("\\x41", "\\x")]
        [InlineData("\\pL", "\\p")]
        [InlineData("[*]", "inside a character class")]
        [InlineData("[a?]", "inside a character class")]
        [InlineData("\\1", "\\1")]
        public void PatternsDockerReadsAsExpressionsAreRefusedWithWhatToWrite(string ignore, string named)
        {
            using var ctx = PatternContext(ignore);
            var refused = Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root));
            Assert.Equal(BuildContextFailure.InvalidIgnorePattern, refused.Reason);
            Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        }

        private static TempContext PatternContext(string ignore)
        {
            var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\nCOPY . /ctx/\n");
            foreach (var f in PatternFiles)
            {
                ctx.Write(f, f);
            }

            ctx.Write(".dockerignore", ignore.Replace("\\n", "\n", StringComparison.Ordinal) + "\n");
            return ctx;
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true, CharSet = System.Runtime.InteropServices.CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        private static extern int Link(string existing, string created);

        /// <summary>Each entry's fields that the engine reads, by name (a folder's name without its trailing '/').</summary>
        private static Dictionary<string, string> Headers(Stream tar)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            using var reader = new TarReader(tar);
            TarEntry? e;
            while ((e = reader.GetNextEntry()) != null)
            {
                string type = e.EntryType switch
                {
                    TarEntryType.Directory => "dir",
                    TarEntryType.SymbolicLink => "symlink",
                    TarEntryType.HardLink => "hardlink",
                    TarEntryType.RegularFile or TarEntryType.V7RegularFile => "file",
                    _ => e.EntryType.ToString(),
                };
                string xattrs = e is PaxTarEntry pax
                    ? string.Concat(pax.ExtendedAttributes.Where(a => a.Key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal)).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => " " + a.Key + "=" + Convert.ToHexString(Encoding.Latin1.GetBytes(a.Value))))
                    : string.Empty;
                result[e.Name.TrimEnd('/')] = type + " " + Convert.ToString((int)e.Mode, 8) + " uid " + e.Uid + " gid " + e.Gid
                    + " mtime " + e.ModificationTime.ToUnixTimeSeconds() + " link '" + e.LinkName + "' size " + e.Length + xattrs;
            }

            return result;
        }

        /// <summary>The body of the POST /build that `docker build <paramref name="folder"/>` sends (the test fails if it sends none).</summary>
        private static async Task<MemoryStream> CliContextOrFailAsync(string folder)
        {
            var (body, output) = await CliContextAsync(folder);
            Assert.True(body != null, "the docker CLI sent no build context: " + output);
            return body!;
        }

        /// <summary>The body of the POST /build that `docker build <paramref name="folder"/>` sends, or null and what the CLI said when it sent none.</summary>
        private static async Task<(MemoryStream? Body, string Output)> CliContextAsync(string folder)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var captured = new TaskCompletionSource<MemoryStream>(TaskCreationOptions.RunContinuationsAsynchronously);
            var serve = Task.Run(async () =>
            {
                while (!captured.Task.IsCompleted && !cts.IsCancellationRequested)
                {
                    using var client = await listener.AcceptTcpClientAsync(cts.Token);
                    using var stream = client.GetStream();
                    await AnswerAsync(stream, captured);
                }
            });

            var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.Environment["DOCKER_BUILDKIT"] = "0";
            psi.Environment["DOCKER_HOST"] = "tcp://127.0.0.1:" + port;
            psi.Environment.Remove("DOCKER_TLS_VERIFY");
            psi.Environment.Remove("DOCKER_CONTEXT");
            foreach (var a in new[] { "build", "-q", folder })
            {
                psi.ArgumentList.Add(a);
            }

            using (var p = Process.Start(psi)!)
            {
                var output = p.StandardOutput.ReadToEndAsync();
                var error = p.StandardError.ReadToEndAsync();
                await p.WaitForExitAsync(cts.Token);
                listener.Stop();
                if (!captured.Task.IsCompleted)
                {
                    return (null, await output + await error);
                }
            }

            var body = await captured.Task;
            body.Position = 0;
            return (body, string.Empty);
        }

        /// <summary>Answers one connection's requests: /_ping as an engine, POST /build by keeping its body, anything else 404.</summary>
        private static async Task AnswerAsync(NetworkStream stream, TaskCompletionSource<MemoryStream> captured)
        {
            while (true)
            {
                var head = await ReadHeadAsync(stream);
                if (head == null)
                {
                    return;
                }

                string[] requestLine = head[0].Split(' ');
                string path = requestLine[1].Split('?')[0];
                var headers = head.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                    .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
                var body = await ReadBodyAsync(stream, headers);
                if (path.EndsWith("/_ping", StringComparison.Ordinal))
                {
                    await WriteAsync(stream, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nOstype: linux\r\nDocker-Experimental: false\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n" + (requestLine[0] == "HEAD" ? string.Empty : "OK"));
                    continue;
                }

                if (path.EndsWith("/build", StringComparison.Ordinal) && requestLine[0] == "POST")
                {
                    captured.TrySetResult(body);
                    const string answer = "{\"errorDetail\":{\"message\":\"captured\"},\"error\":\"captured\"}\r\n";
                    await WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + answer.Length + "\r\nConnection: close\r\n\r\n" + answer);
                    return;
                }

                const string missing = "{\"message\":\"not here\"}";
                await WriteAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " + missing.Length + "\r\n\r\n" + missing);
            }
        }

        private static async Task<List<string>?> ReadHeadAsync(NetworkStream stream)
        {
            var lines = new List<string>();
            var line = new StringBuilder();
            var one = new byte[1];
            while (true)
            {
                if (await stream.ReadAsync(one) == 0)
                {
                    return null;
                }

                if (one[0] == '\n')
                {
                    string text = line.ToString().TrimEnd('\r');
                    line.Clear();
                    if (text.Length == 0)
                    {
                        return lines;
                    }

                    lines.Add(text);
                }
                else
                {
                    line.Append((char)one[0]);
                }
            }
        }

        private static async Task<MemoryStream> ReadBodyAsync(NetworkStream stream, Dictionary<string, string> headers)
        {
            var body = new MemoryStream();
            if (headers.TryGetValue("content-length", out var length))
            {
                await CopyAsync(stream, body, long.Parse(length, System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (true)
                {
                    var size = await ReadHeadLineAsync(stream);
                    long n = Convert.ToInt64(size.Split(';')[0].Trim(), 16);
                    if (n == 0)
                    {
                        await ReadHeadLineAsync(stream); // the empty line after the last chunk (no trailers)
                        break;
                    }

                    await CopyAsync(stream, body, n);
                    await ReadHeadLineAsync(stream);
                }
            }

            body.Position = 0;
            return body;
        }

        private static async Task<string> ReadHeadLineAsync(NetworkStream stream)
        {
            var line = new StringBuilder();
            var one = new byte[1];
            while (await stream.ReadAsync(one) == 1 && one[0] != '\n')
            {
                line.Append((char)one[0]);
            }

            return line.ToString().TrimEnd('\r');
        }

        private static async Task CopyAsync(NetworkStream from, Stream to, long count)
        {
            var buffer = new byte[64 * 1024];
            while (count > 0)
            {
                int n = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)));
                if (n == 0)
                {
                    throw new EndOfStreamException();
                }

                await to.WriteAsync(buffer.AsMemory(0, n));
                count -= n;
            }
        }

        private static Task WriteAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();
    }

    internal static class ProcessExit
    {
        public static int WaitForExitAndCode(this Process p)
        {
            p.WaitForExit();
            return p.ExitCode;
        }
    }
}
