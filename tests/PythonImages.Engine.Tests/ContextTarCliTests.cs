using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests;
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

            var mine = await HeadersAsTheCliSendsThemAsync(ctx.Root);
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
            SpecialFiles.HardLink(original, Path.Combine(ctx.Root, "hard", "second.txt"));
            var setuid = ctx.Write("setuid", "x");
            File.SetUnixFileMode(setuid, (UnixFileMode)0x9ED); // 04755
            // File capabilities: the CLI sends them as a PAX record (its bytes as they are); the classic builder's COPY cache
            // key counts them.
            var capable = ctx.Write("capable", "a program allowed to bind low ports");
            using (var setcap = Process.Start("setcap", new[] { "cap_net_bind_service+ep", capable })!)
            {
                setcap.WaitForExit();
                Assert.Equal(0, setcap.ExitCode);
            }

            Directory.CreateDirectory(Path.Combine(ctx.Root, "sticky"));
            File.SetUnixFileMode(Path.Combine(ctx.Root, "sticky"), (UnixFileMode)0x3FF); // 01777

            await HeadersAsTheCliSendsThemAsync(ctx.Root);
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
            var mine = (await OurHeadersAsync(ctx.Root)).Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
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

        /// <summary>
        /// The headers we send for <paramref name="folder"/>, asserted equal to the docker CLI's (every entry, every field the
        /// engine reads) and to the length announced to the engine.
        /// </summary>
        private static async Task<Dictionary<string, string>> HeadersAsTheCliSendsThemAsync(string folder)
        {
            var cli = Headers(await CliContextOrFailAsync(folder));
            var mine = await OurHeadersAsync(folder);
            Assert.Equal(cli.Keys.OrderBy(k => k, StringComparer.Ordinal), mine.Keys.OrderBy(k => k, StringComparer.Ordinal));
            var differ = cli.Keys.Where(k => cli[k] != mine[k]).Select(k => k + ": the docker CLI sends " + cli[k] + ", we send " + mine[k]).ToList();
            Assert.True(differ.Count == 0, string.Join("\n", differ));
            return mine;
        }

        /// <summary>Our tar of <paramref name="folder"/>, read back (its length checked against the one announced to the engine).</summary>
        private static async Task<Dictionary<string, string>> OurHeadersAsync(string folder)
        {
            var c = BuildContext.Scan(folder);
            using var ours = new MemoryStream();
            await c.WriteTarAsync(ours, CancellationToken.None);
            Assert.Equal(c.TarLength, ours.Length); // PAX records included
            ours.Position = 0;
            return Headers(ours);
        }

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
            using var listener = new HttpListener();
            int port = LoopbackHttp.StartOnFreePort(listener);
            var captured = new TaskCompletionSource<MemoryStream>(TaskCreationOptions.RunContinuationsAsynchronously);
            var serve = Task.Run(() => Answer(listener, captured));

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
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await p.WaitForExitAsync(cts.Token);
                listener.Close(); // not Stop: the disposal after it would bind the port again (a flaky "Address already in use")
                await serve;
                if (!captured.Task.IsCompleted)
                {
                    return (null, await output + await error);
                }
            }

            var body = await captured.Task;
            body.Position = 0;
            return (body, string.Empty);
        }

        /// <summary>Answers /_ping as an engine does, keeps the body of POST /build (and fails that build), 404 for the rest; until stopped.</summary>
        private static void Answer(HttpListener listener, TaskCompletionSource<MemoryStream> captured)
        {
            var engine = new Dictionary<string, string> { ["Api-Version"] = "1.41", ["Ostype"] = "linux", ["Docker-Experimental"] = "false" };
            while (true)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = listener.GetContext();
                }
                catch (Exception ex) when (ex is HttpListenerException || ex is ObjectDisposedException || ex is InvalidOperationException)
                {
                    return; // stopped
                }

                string path = ctx.Request.Url!.AbsolutePath;
                if (path.EndsWith("/_ping", StringComparison.Ordinal))
                {
                    LoopbackHttp.Respond(ctx, 200, "text/plain", ctx.Request.HttpMethod == "HEAD" ? Array.Empty<byte>() : Encoding.ASCII.GetBytes("OK"), engine);
                }
                else if (path.EndsWith("/build", StringComparison.Ordinal) && ctx.Request.HttpMethod == "POST")
                {
                    var body = new MemoryStream();
                    ctx.Request.InputStream.CopyTo(body); // the listener undoes the chunked framing
                    captured.TrySetResult(body);
                    LoopbackHttp.Respond(ctx, 200, "application/json", Encoding.ASCII.GetBytes("{\"errorDetail\":{\"message\":\"captured\"},\"error\":\"captured\"}\r\n"));
                }
                else
                {
                    LoopbackHttp.Respond(ctx, 404, "application/json", Encoding.ASCII.GetBytes("{\"message\":\"not here\"}"));
                }
            }
        }
    }
}
