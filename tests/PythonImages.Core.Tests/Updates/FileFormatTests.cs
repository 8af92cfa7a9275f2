using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.ReleaseFixture;
using PythonImages.Updates;
using PythonImages.Updates.Http;
using Xunit;
using static PythonImages.Tests.Updates.UpdaterHarness;

namespace PythonImages.Tests.Updates
{
    /// <summary>versions.json as upstream writes it, and a hand-kept YAML matrix edited in place.</summary>
    public sealed class FileFormatTests
    {
        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

        /// <summary>
        /// A loopback python.org whose releases are those behind upstream's versions.json of 2026-06-23, and that file with
        /// each checksum replaced by the one of the file the fixture serves (the updater hashes the files it records, and
        /// the fixture cannot serve the real tarballs; what is compared is the format).
        /// </summary>
        private static (PythonOrgFixture Fixture, string Reference) FactsOf(string referencePath)
        {
            var f = new PythonOrgFixture();
            string text = File.ReadAllText(referencePath);
            using var doc = JsonDocument.Parse(text);
            foreach (var key in doc.RootElement.EnumerateObject())
            {
                var e = key.Value;
                string version = e.GetProperty("version").GetString()!;
                bool windows = e.GetProperty("checksums").TryGetProperty("windows", out var w);
                string? setuptools = e.TryGetProperty("setuptools", out var s) ? s.GetProperty("version").GetString() : null;
                var r = f.Add(version, windows, setuptools);
                text = text.Replace(e.GetProperty("checksums").GetProperty("source").GetProperty("sha256").GetString()!, r.SourceSha256);
                if (windows)
                {
                    text = text.Replace(w.GetProperty("sha256").GetString()!, r.WindowsSha256);
                }
            }

            return (f, text);
        }

        [Fact]
        public void VersionsJsonIsWrittenByteIdenticalToUpstream()
        {
            var (fixture, reference) = FactsOf(Fixture("versions-2026-06.json"));
            using var f = fixture;
            Assert.DoesNotContain("143b1dddefaec3bd2e21e3b839b34a2b7fb9842272883c576420d605e9f30c63", reference);
            // Older releases the fixture also publishes; the input file is upstream's file as it was before them.
            f.Add("3.14.5").SourceSha256 = new string('5', 64);
            f.Add("3.15.0b2").SourceSha256 = new string('2', 64);
            string before = reference
                .Replace("\"version\": \"3.14.6\"", "\"version\": \"3.14.5\"")
                .Replace(Sha(f, "3.14.6"), new string('5', 64))
                .Replace("\"version\": \"3.15.0b3\"", "\"version\": \"3.15.0b2\"")
                .Replace(Sha(f, "3.15.0b3"), new string('2', 64))
                .Replace(WinSha(f, "3.14.6"), new string('6', 64)) // an older release never has the newer one's checksum
                .Replace(WinSha(f, "3.15.0b3"), new string('3', 64));
            // and written by another tool: different key order and indentation, no trailing newline
            var reordered = JsonSerializer.Serialize(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(before)!.Reverse().ToDictionary(k => k.Key, k => k.Value));
            Assert.NotEqual(reference, reordered);

            var run = Run(f, reordered, extension: ".json");
            Assert.Empty(run.Failures);
            Assert.Equal(reference, run.After);
            Assert.Equal(new[] { "3.15-rc", "3.14", "3.13", "3.12", "3.11", "3.10" }, run.Plan!.Results.Select(r => r.VersionKey));
            Assert.Equal(UpdateChange.Updated, run.Result("3.14").Change);
            Assert.Equal(UpdateChange.Unchanged, run.Result("3.10").Change);

            // Already current: nothing to write, byte for byte the same.
            var again = Run(f, reference, extension: ".json");
            Assert.Empty(again.Failures);
            Assert.False(again.Plan!.Changed);
            Assert.Equal(reference, again.After);
        }

        [Fact]
        public void YamlMatrixWithCommentsRoundTrips()
        {
            string original = File.ReadAllText(Fixture("update/matrix-commented.yaml"));
            using var f = new PythonOrgFixture();
            f.Add("3.15.0b3");
            f.Add("3.14.6");
            var r13 = f.Add("3.13.14", windows: false);       // 3.13 went security-only: no installer any more
            r13.SourceSha256 = "639e43243c620a308f968213df9e00f2f8f62332f7adbaa7a7eeb9783057c690";
            f.Add("3.11.15", windows: false, setuptools: "79.0.1");

            var run = Run(f, original);
            Assert.Empty(run.Failures);
            string Sha(string v) => f.Releases.Single(r => r.Version == v).SourceSha256;
            string Win(string v) => f.Releases.Single(r => r.Version == v).WindowsSha256!;
            string expected = original
                .Replace("version: 3.15.0b2          # bumped by the bot", "version: 3.15.0b3          # bumped by the bot")
                .Replace(new string('1', 64), Sha("3.15.0b3"))
                .Replace(new string('2', 64), Win("3.15.0b3"))
                .Replace("version: \"3.14.5\"", "version: \"3.14.6\"")
                .Replace(new string('3', 64), Sha("3.14.6"))
                .Replace(new string('4', 64), Win("3.14.6"))
                .Replace("      windows: {sha256: c54d9b9bbb8a36e6489363ddd01139707fd781d72f1f9e90c7ec65d0061368e0}\n", string.Empty)
                .Replace("    - slim-trixie\n    - windows/windowsservercore-ltsc2025\n", "    - slim-trixie\n")
                .Replace("version: 3.11.14", "version: 3.11.15")
                .Replace("setuptools: {version: 65.5.0}", "setuptools: {version: 79.0.1}")
                .Replace(new string('5', 64), Sha("3.11.15"));
            Assert.Equal(expected, run.After);
            Assert.Equal(UpdateChange.Updated, run.Result("3.13").Change);
        }

        [Fact]
        public void YamlEditorAddsAndRemovesEntriesInTheStyleOfTheFile()
        {
            string text = "versions:\n  \"3.14\":\n    version: \"3.14.5\"\n    variants: [trixie, windows/windowsservercore-ltsc2025]\n  \"3.13\":\n      version: 3.13.1\n      checksums:\n          source:\n              sha256: " + new string('a', 64) + "\n      variants:\n        - trixie\n";
            var before = MatrixLoader.Parse(text, "t.yaml", MatrixLoader.Default.Architectures);
            var doc = MatrixText.Open(text, "t.yaml");
            Assert.False(doc.IsJson);
            var set = new[]
            {
                new KeyEntry("3.14", "3.14.6", new[] { "trixie" }) { SourceSha256 = new string('b', 64), SetuptoolsVersion = "79.0.1" },
                new KeyEntry("3.13", "3.13.2", new[] { "trixie", "windows/windowsservercore-ltsc2025" }) { SourceSha256 = new string('c', 64), WindowsSha256 = new string('d', 64) },
                new KeyEntry("3.15-rc", "3.15.0a1", new[] { "trixie" }) { SourceSha256 = new string('e', 64) },
            };
            string after = doc.ApplyChecked(before, set, Array.Empty<string>());
            string expected = "versions:\n"
                + "  \"3.15-rc\":\n    version: 3.15.0a1\n    checksums:\n      source: {sha256: " + new string('e', 64) + "}\n    variants: [trixie]\n"
                + "  \"3.14\":\n    version: \"3.14.6\"\n    checksums:\n      source: {sha256: " + new string('b', 64) + "}\n    setuptools: {version: 79.0.1}\n    variants: [trixie]\n"
                + "  \"3.13\":\n      version: 3.13.2\n      checksums:\n          source:\n              sha256: " + new string('c', 64) + "\n          windows:\n              sha256: " + new string('d', 64) + "\n      variants:\n        - trixie\n        - windows/windowsservercore-ltsc2025\n";
            Assert.Equal(expected, after);

            // and back: removing a key and the checksums again
            var mid = MatrixLoader.Parse(after, "t.yaml", MatrixLoader.Default.Architectures);
            string back = MatrixText.Open(after, "t.yaml").ApplyChecked(mid, new[] { new KeyEntry("3.13", "3.13.2", new[] { "trixie" }) }, new[] { "3.15-rc" });
            Assert.Equal("versions:\n"
                + "  \"3.14\":\n    version: \"3.14.6\"\n    checksums:\n      source: {sha256: " + new string('b', 64) + "}\n    setuptools: {version: 79.0.1}\n    variants: [trixie]\n"
                + "  \"3.13\":\n      version: 3.13.2\n      variants:\n        - trixie\n", back);
        }

        [Fact]
        public void FlowStyleVersionEntryGetsFlowStyleChecksums()
        {
            string text = "versions:\n  '3.14': {version: 3.14.5, variants: [trixie]}\n  '3.13': {version: 3.13.1, setuptools: {version: 65.5.0}, variants: [trixie]}\n";
            var before = MatrixLoader.Parse(text, "t.yaml", MatrixLoader.Default.Architectures);
            var doc = MatrixText.Open(text, "t.yaml");
            var set = new[]
            {
                new KeyEntry("3.14", "3.14.6", new[] { "trixie" }) { SourceSha256 = new string('b', 64), WindowsSha256 = new string('c', 64) },
                new KeyEntry("3.13", "3.13.2", new[] { "trixie" }) { SourceSha256 = new string('d', 64), SetuptoolsVersion = "65.5.0" },
            };
            string after = doc.ApplyChecked(before, set, Array.Empty<string>());
            Assert.Equal("versions:\n"
                + "  '3.14': {version: 3.14.6, checksums: {source: {sha256: " + new string('b', 64) + "}, windows: {sha256: " + new string('c', 64) + "}}, variants: [trixie]}\n"
                + "  '3.13': {version: 3.13.2, checksums: {source: {sha256: " + new string('d', 64) + "}}, setuptools: {version: 65.5.0}, variants: [trixie]}\n", after);
            var m = MatrixLoader.Parse(after, "t.yaml", MatrixLoader.Default.Architectures);
            Assert.Equal(new string('b', 64), m.Find("3.14")!.SourceSha256);
            Assert.Equal(new string('d', 64), m.Find("3.13")!.SourceSha256);
        }

        [Fact]
        public void CrLfFilesKeepTheirLineEndings()
        {
            string text = "versions:\r\n  '3.14':\r\n    version: 3.14.5\r\n    variants:\r\n      - trixie\r\n";
            var before = MatrixLoader.Parse(text, "t.yaml", MatrixLoader.Default.Architectures);
            string after = MatrixText.Open(text, "t.yaml").ApplyChecked(before, new[] { new KeyEntry("3.14", "3.14.6", new[] { "trixie", "slim-trixie" }) { SourceSha256 = new string('f', 64) } }, Array.Empty<string>());
            Assert.Equal("versions:\r\n  '3.14':\r\n    version: 3.14.6\r\n    checksums:\r\n      source: {sha256: " + new string('f', 64) + "}\r\n    variants:\r\n      - trixie\r\n      - slim-trixie\r\n", after);
        }

        [Fact]
        public void JqWriterEscapesLikeJq()
        {
            Assert.True(JsonTree.TryParse("{\"b\": [], \"a\": {\"z\": \"x\\u0001\\u007f\\t\\\"é\", \"y\": {}}, \"c\": 1.50}", out var tree));
            Assert.Equal("{\n  \"a\": {\n    \"y\": {},\n    \"z\": \"x\\u0001\\u007f\\t\\\"é\"\n  },\n  \"b\": [],\n  \"c\": 1.50\n}\n", tree!.ToJqSorted());
            Assert.False(JsonTree.TryParse("{\"a\": 1, \"a\": 2}", out _));
        }

        [Fact]
        public async Task Utf8BomOfAYamlMatrixIsKept()
        {
            using var f = World();
            string dir = Path.Combine(Path.GetTempPath(), "pi-bom-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            try
            {
                string path = Path.Combine(dir, "matrix.yaml");
                byte[] original = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(Matrix(f))).ToArray();
                File.WriteAllBytes(path, original);
                var sources = new UpdateSources { PythonOrg = new Uri(f.PythonOrgUri), CPythonSource = new Uri(f.CPythonSourceUri), PyPI = new Uri(f.PyPIUri) };
                using var updater = new MatrixUpdater(sources, Fast(), PythonImages.Updates.Sigstore.TrustedRoot.Load(f.TrustedRootPath));
                var plan = await updater.PlanAsync(path, new UpdateRequest { VersionKeys = new[] { "3.14" } }, CancellationToken.None);
                Assert.True(plan.Succeeded);
                Assert.True(plan.Changed);
                Assert.DoesNotContain('\uFEFF', plan.NewText!); // the text has no BOM character: the file keeps its BOM bytes
                plan.Commit();
                byte[] after = File.ReadAllBytes(path);
                Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, after.Take(3).ToArray());
                Assert.Equal(plan.NewText, Encoding.UTF8.GetString(after, 3, after.Length - 3));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Theory]
        [InlineData("latin1-comment")]
        [InlineData("utf16")]
        public async Task AMatrixThatIsNotUtf8IsRefusedBeforeAnythingIsWritten(string form)
        {
            using var f = World();
            string dir = Path.Combine(Path.GetTempPath(), "pi-enc-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            try
            {
                string path = Path.Combine(dir, "matrix.yaml");
                byte[] original = form == "utf16"
                    ? new byte[] { 0xFF, 0xFE }.Concat(Encoding.Unicode.GetBytes(Matrix(f))).ToArray()
                    : Encoding.Latin1.GetBytes("# caf\u00e9 (Latin-1)\n").Concat(Encoding.UTF8.GetBytes(Matrix(f))).ToArray();
                File.WriteAllBytes(path, original);
                var sources = new UpdateSources { PythonOrg = new Uri(f.PythonOrgUri), CPythonSource = new Uri(f.CPythonSourceUri), PyPI = new Uri(f.PyPIUri) };
                using var updater = new MatrixUpdater(sources, Fast(), PythonImages.Updates.Sigstore.TrustedRoot.Load(f.TrustedRootPath));
                var ex = await Assert.ThrowsAsync<UpdateException>(() => updater.PlanAsync(path, new UpdateRequest { VersionKeys = new[] { "3.14" } }, CancellationToken.None));
                Assert.Equal(UpdateErrorIds.EditFailed, ex.ErrorId);
                Assert.Contains("not UTF-8", ex.Message);
                Assert.Equal(original, File.ReadAllBytes(path));
                Assert.Empty(f.Server.Requests);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void JqSortIsByCodePoint()
        {
            // jq -S: "！" (U+FF01) before "😀" (U+1F600), whose first UTF-16 unit (U+D83D) is smaller
            Assert.True(JsonTree.TryParse("{\"\\ud83d\\ude00\": 2, \"\\uff01\": 1, \"\\ud7ff\": 0, \"b\": 3, \"ab\": 4}", out var tree));
            Assert.Equal("{\n  \"ab\": 4,\n  \"b\": 3,\n  \"\ud7ff\": 0,\n  \"\uff01\": 1,\n  \"\ud83d\ude00\": 2\n}\n", tree!.ToJqSorted());
        }

        [Fact]
        public async System.Threading.Tasks.Task ProxyFromTheEnvironmentIsUsedAndLoopbackBypassesIt()
        {
            using var f = World();
            var env = new Dictionary<string, string?> { ["https_proxy"] = "http://u%40x:s3cret@127.0.0.1:" + f.Server.Port, ["HTTP_PROXY"] = "http://127.0.0.1:" + f.Server.Port, ["no_proxy"] = ".internal.test,example.org" };
            var proxy = EnvironmentProxy.FromEnvironment(n => env.TryGetValue(n, out var v) ? v : null)!;
            Assert.Equal("u@x", proxy.Credentials!.GetCredential(new Uri("http://127.0.0.1:" + f.Server.Port), "Basic")!.UserName);
            Assert.True(proxy.IsBypassed(new Uri("http://127.0.0.1:1/")));
            Assert.True(proxy.IsBypassed(new Uri("https://mirror.internal.test/")));
            Assert.True(proxy.IsBypassed(new Uri("https://example.org/")));
            Assert.False(proxy.IsBypassed(new Uri("https://www.python.org/")));
            Assert.DoesNotContain("s3cret", proxy.Describe(new Uri("https://www.python.org/")));
            Assert.Null(EnvironmentProxy.FromEnvironment(_ => null));

            // "." and "*." leave no name: they match no host (curl and Go read them so); "*" alone matches every host.
            foreach (var (entries, bypassed) in new[] { (".", false), ("*.", false), (" . , *. ", false), ("*", true), ("*.python.org", true) })
            {
                var only = EnvironmentProxy.FromEnvironment(n => n == "https_proxy" ? "http://127.0.0.1:3128" : n == "no_proxy" ? entries : null)!;
                Assert.True(bypassed == only.IsBypassed(new Uri("https://www.python.org/")), $"no_proxy '{entries}'");
            }

            // a name that only the proxy can resolve: the request must go through it (the fixture doubles as the proxy)
            var fetch = Fast();
            fetch.Proxy = proxy;
            using var client = new ReleaseHttpClient(fetch);
            var page = await client.GetAsync(new Uri("http://python.test/ftp/python/"), ReleaseRules.IndexLimit, default);
            Assert.NotNull(page);
            Assert.Contains(f.Server.Requests, r => r.ViaProxy && r.Path == "/ftp/python/" && r.Headers["Host"] == "python.test");
        }

        [Fact]
        public async Task ProxyPasswordNeverReachesAConnectionError()
        {
            // a proxy that refuses every CONNECT (403): .NET's error text quotes the proxy URL it was given
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var stop = new CancellationTokenSource();
            var loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    TcpClient c;
                    try { c = await listener.AcceptTcpClientAsync(stop.Token); } catch { return; }
                    _ = Task.Run(async () =>
                    {
                        using (c)
                        {
                            var s = c.GetStream();
                            var buf = new byte[4096];
                            try { _ = await s.ReadAsync(buf.AsMemory()); } catch { }
                            byte[] answer = Encoding.ASCII.GetBytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                            try { await s.WriteAsync(answer.AsMemory()); } catch { }
                        }
                    });
                }
            });

            var env = new Dictionary<string, string?> { ["https_proxy"] = "http://alice:s3cret@127.0.0.1:" + port };
            var fetch = Fast();
            fetch.Retries = 1;
            fetch.Proxy = EnvironmentProxy.FromEnvironment(n => env.TryGetValue(n, out var v) ? v : null);
            Assert.DoesNotContain("s3cret", fetch.Proxy!.GetProxy(new Uri("https://python.test/"))!.AbsoluteUri);
            var log = new List<string>();
            using var client = new ReleaseHttpClient(fetch, log.Add);
            var ex = await Assert.ThrowsAsync<UpdateException>(() => client.GetAsync(new Uri("https://python.test/ftp/python/"), ReleaseRules.IndexLimit, default));
            stop.Cancel();
            listener.Stop();
            Assert.Equal(UpdateErrorIds.ConnectionFailed, ex.ErrorId);
            Assert.DoesNotContain("s3cret", ex.Message);
            Assert.DoesNotContain("s3cret", ex.Target ?? string.Empty);
            Assert.DoesNotContain(log, l => l.Contains("s3cret"));
        }

        [Fact]
        public void ProxyCredentialsGoOnlyToTheProxyWhoseUrlCarriedThem()
        {
            var env = new Dictionary<string, string?> { ["https_proxy"] = "http://alice:s3cret@secure-proxy.test:3128", ["http_proxy"] = "http://other-proxy.test:8080" };
            var proxy = EnvironmentProxy.FromEnvironment(n => env.TryGetValue(n, out var v) ? v : null)!;
            var https = proxy.GetProxy(new Uri("https://www.python.org/"))!;
            var http = proxy.GetProxy(new Uri("http://www.python.org/"))!;
            Assert.Equal("http://secure-proxy.test:3128/", https.AbsoluteUri);
            Assert.Equal("s3cret", proxy.Credentials!.GetCredential(https, "Basic")!.Password);

            // a 407 from the http proxy asks for credentials of its own URL: it has none
            Assert.Null(proxy.Credentials.GetCredential(http, "Basic"));
            Assert.Null(proxy.Credentials.GetCredential(new Uri("http://secure-proxy.test:8080/"), "Basic"));

            // and the other way round
            env = new Dictionary<string, string?> { ["http_proxy"] = "http://bob:hunter2@plain-proxy.test:8080", ["https_proxy"] = "http://secure-proxy.test:3128" };
            proxy = EnvironmentProxy.FromEnvironment(n => env.TryGetValue(n, out var v) ? v : null)!;
            Assert.Equal("hunter2", proxy.Credentials!.GetCredential(proxy.GetProxy(new Uri("http://www.python.org/"))!, "Basic")!.Password);
            Assert.Null(proxy.Credentials.GetCredential(proxy.GetProxy(new Uri("https://www.python.org/"))!, "Basic"));
        }

        [Theory]
        [InlineData("https://www.python.org/a", "https://python.org/b", true)]
        [InlineData("https://github.com/python/cpython/raw/v3.14.6/x", "https://raw.githubusercontent.com/python/cpython/v3.14.6/x", true)]
        [InlineData("https://www.python.org/a", "http://www.python.org/a", false)]
        [InlineData("https://www.python.org/a", "https://evil.example/a", false)]
        [InlineData("https://www.python.org/a", "https://user:pw@www.python.org/a", false)]
        [InlineData("http://127.0.0.1:8/a", "http://127.0.0.1:9/b", true)]
        [InlineData("http://127.0.0.1:8/a", "http://127.0.0.2:8/a", false)]
        [InlineData("https://pypi.org/pypi/x", "ftp://pypi.org/x", false)]
        [InlineData("https://python.org/a", "https://www.python.org/a", true)]
        [InlineData("https://mirror.example.co.uk/ftp/python/", "https://attacker.co.uk/x", false)]
        [InlineData("https://mirror.s3.amazonaws.com/ftp/python/", "https://attacker.s3.amazonaws.com/x", false)]
        [InlineData("https://www.python.org/a", "https://evil.python.org/a", false)]
        [InlineData("https://raw.githubusercontent.com/a", "https://github.com/a", false)]
        [InlineData("https://github.com/a", "https://evil.github.com/a", false)]
        [InlineData("https://github.com/a", "https://evil.githubusercontent.com/a", false)]
        [InlineData("https://WWW.Python.ORG./a", "https://www.python.org/b", true)]
        public void RedirectPolicyRules(string from, string to, bool followed) =>
            Assert.Equal(followed, RedirectPolicy.Refusal(new Uri(from), new Uri(to), allowInsecure: true) == null);
    }
}
