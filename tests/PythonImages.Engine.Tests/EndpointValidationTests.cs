using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Fakes;
using Xunit;

namespace PythonImages.Engine.Tests
{
    /// <summary>Malformed engine addresses, missing sockets, refused connections and TLS files: clear errors, never userinfo.</summary>
    public sealed class EndpointValidationTests : IDisposable
    {
        private readonly string dir = Path.Combine(Path.GetTempPath(), "pitest9-ep-" + Guid.NewGuid().ToString("N")[..8]);

        public EndpointValidationTests() => Directory.CreateDirectory(dir);

        public void Dispose() => Directory.Delete(dir, true);

        [Theory]
        [InlineData("tcp://", "names no host")]
        [InlineData("tcp://:2375", "names no host")]
        [InlineData("tcp://user:secret@", "names no host")]
        [InlineData("tcp://host:0", "out of range (1-65535)")]
        [InlineData("tcp://host:65536", "out of range (1-65535)")]
        [InlineData("tcp://host:99999999999", "out of range (1-65535)")]
        [InlineData("tcp://host:-1", "is not a number")]
        [InlineData("tcp://host:http", "is not a number")]
        [InlineData("tcp://host:", "port after ':' is missing")]
        [InlineData("tcp://host:2375/v1.41", "without a path")]
        [InlineData("tcp://host:2375?x=1", "without a path")]
        [InlineData("tcp://ho$t:2375", "is not a host name or IP address")]
        [InlineData("tcp://[::1:2375", "no closing ']'")]
        [InlineData("tcp://[zz]:2375", "is not an IPv6 address")]
        [InlineData("unix://", "names no socket")]
        [InlineData("unix://var/run/docker.sock", "must be absolute")]
        [InlineData("unix:///run/docker.sock?x", "'?'")]
        [InlineData("npipe:////./pipe/docker_engine", "exist only on Windows")]
        [InlineData("ftp://host", "the scheme 'ftp' is not supported")]
        [InlineData("fd://", "the scheme 'fd' is not supported")]
        [InlineData("ssh://user@host", "ssh:// endpoints are not supported")]
        [InlineData("://host", "has no scheme")]
        [InlineData("not a uri", "U+0020")]
        [InlineData("garbage", "is not an engine address")]
        [InlineData("tcp://host\n:2375", "U+000A")]
        [InlineData("tcp://hóst:2375", "U+00F3")]
        [InlineData("   ", "is empty")]
        public void MalformedAddressesSayWhatIsWrong(string host, string expected)
        {
            var ex = Assert.Throws<EngineConfigurationException>(() => EndpointResolver.ValidateHost(host, "DOCKER_HOST", new Env(windows: false)));
            Assert.Equal(EngineConfigurationKind.Endpoint, ex.Kind);
            Assert.Contains(expected, ex.Message);
            Assert.StartsWith("DOCKER_HOST ", ex.Message);
            Assert.DoesNotContain("secret", ex.Message);
            Assert.DoesNotContain("\n", ex.Message);
        }

        [Theory]
        [InlineData("tcp://admin:pa/hunter2@127.0.0.1:2376")]
        [InlineData("tcp://admin:pa#hunter2@127.0.0.1:2376")]
        [InlineData("tcp://admin:pa?hunter2@127.0.0.1:2376")]
        [InlineData("https://admin:hunter2/x@127.0.0.1")]
        [InlineData("admin:pa/hunter2@127.0.0.1:2376")]
        [InlineData("tcp://admin:hunter2 @127.0.0.1:2376")]
        public void APasswordWithAnAuthorityEndingCharacterIsNeverEchoed(string host)
        {
            // A raw password holding '/', '#' or '?' ends the URL's authority early, so the address is refused; the
            // message must still not carry any part of the user name or password.
            var ex = Assert.Throws<EngineConfigurationException>(() => EndpointResolver.ValidateHost(host, "DOCKER_HOST", new Env(windows: false)));
            Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("admin", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", PythonImages.Security.Redaction.Endpoint(host), StringComparison.Ordinal);
        }

        [Fact]
        public async Task ACertificateFolderWithControlCharactersIsShownEscaped()
        {
            // DOCKER_CERT_PATH reaches the error that says it is not a folder: a terminal escape in it must not reach the console.
            string certPath = Path.Combine(dir, "none\u001b]0;owned\u0007\u001b[2J");
            var env = new Env(windows: false, ("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", certPath));
            using var engine = EngineFactory.Create(null, null, env);
            var ex = await Assert.ThrowsAnyAsync<Exception>(() => engine.GetInfoAsync(CancellationToken.None));
            Assert.Contains("DOCKER_CERT_PATH", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(ex.Message, c => c < 0x20 || c == 0x7F);
        }

        [Fact]
        public void NoAddressEndsInAnythingButAnEndpointOrAConfigurationError()
        {
            // Random addresses built from the characters that matter to URI parsing: either a usable endpoint (whose URI
            // can be built) or EngineConfigurationException, never UriFormatException, OverflowException, ...
            var random = new Random(9);
            string[] prefixes = { "tcp://", "unix://", "npipe://", "http://", "https://", "ssh://", "", "TCP://", "unix:///", "tcp://u:p@" };
            const string alphabet = "ab1:/@[]%?#.-_~+ 0\\\n\tä$;`'\"";
            for (int i = 0; i < 20000; i++)
            {
                var sb = new System.Text.StringBuilder(prefixes[random.Next(prefixes.Length)]);
                int length = random.Next(0, 14);
                for (int j = 0; j < length; j++)
                {
                    sb.Append(alphabet[random.Next(alphabet.Length)]);
                }

                string host = sb.ToString();
                foreach (bool windows in new[] { false, true })
                {
                    try
                    {
                        var e = EndpointResolver.Resolve(host, new Env(windows));
                        Assert.NotNull(e.Uri);
                        Assert.Equal(string.Empty, e.Uri.UserInfo);
                        Assert.DoesNotContain("u:p@", e.Host);
                    }
                    catch (EngineConfigurationException ex)
                    {
                        Assert.DoesNotContain("u:p@", ex.Message);
                    }
                    catch (Exception ex) when (!string.IsNullOrWhiteSpace(host))
                    {
                        Assert.Fail($"'{host}' (windows: {windows}) threw {ex.GetType().Name}: {ex.Message}");
                    }
                }
            }
        }

        [Fact]
        public void AHugeAddressIsRefusedWithoutEchoingIt()
        {
            string host = "tcp://" + new string('a', 5000);
            var ex = Assert.Throws<EngineConfigurationException>(() => EndpointResolver.ValidateHost(host));
            Assert.Contains("5006 characters", ex.Message);
            Assert.True(ex.Message.Length < 400, ex.Message);
        }

        [Theory]
        [InlineData("tcp://127.0.0.1:2375", "tcp://127.0.0.1:2375", "http://127.0.0.1:2375/")]
        [InlineData("tcp://build01.example:2376", "tcp://build01.example:2376", "http://build01.example:2376/")]
        [InlineData("tcp://[::1]:2375", "tcp://[::1]:2375", "http://[::1]:2375/")]
        [InlineData("TCP://127.0.0.1:2375/", "tcp://127.0.0.1:2375", "http://127.0.0.1:2375/")]
        [InlineData("127.0.0.1:2375", "tcp://127.0.0.1:2375", "http://127.0.0.1:2375/")]
        [InlineData("tcp://user:secret@127.0.0.1:2375", "tcp://***@127.0.0.1:2375", "http://127.0.0.1:2375/")]
        [InlineData("user:secret@127.0.0.1:2375", "tcp://***@127.0.0.1:2375", "http://127.0.0.1:2375/")]
        [InlineData("unix:///var/run/docker.sock", "unix:///var/run/docker.sock", "unix:///var/run/docker.sock")]
        public void ValidAddressesAreNormalisedAndNeverKeepUserInfo(string host, string display, string uri)
        {
            var e = EndpointResolver.Resolve(host, new Env(windows: false));
            Assert.Equal(display, e.Host);
            Assert.Equal(uri, e.Uri.ToString());
            Assert.Equal(string.Empty, e.Uri.UserInfo);
            Assert.DoesNotContain("secret", e.ToString());
        }

        [Fact]
        public void AContextWithABadHostNamesTheContext()
        {
            string config = Path.Combine(dir, "cfg");
            string meta = Path.Combine(config, "contexts", "meta", EndpointResolver.ContextDirectoryName("bad"));
            Directory.CreateDirectory(meta);
            File.WriteAllText(Path.Combine(meta, "meta.json"), "{\"Endpoints\":{\"docker\":{\"Host\":\"tcp://u:secret@:2375\"}}}");
            var env = new Env(windows: false, ("DOCKER_CONFIG", config), ("DOCKER_CONTEXT", "bad"));
            var ex = Assert.Throws<EngineConfigurationException>(() => EndpointResolver.Resolve(null, env));
            Assert.Equal(EngineConfigurationKind.Endpoint, ex.Kind);
            Assert.Contains("Docker context 'bad'", ex.Message);
            Assert.DoesNotContain("secret", ex.Message);
        }

        [Fact]
        public void AnUnreadableConfigIsAContextError()
        {
            string config = Path.Combine(dir, "cfg2");
            Directory.CreateDirectory(Path.Combine(config, "config.json")); // a folder where the file should be
            var ex = Assert.Throws<EngineConfigurationException>(() => EndpointResolver.Resolve(null, new Env(windows: false, ("DOCKER_CONFIG", config))));
            Assert.Equal(EngineConfigurationKind.Context, ex.Kind);
        }

        [Fact]
        public async Task AMissingSocketIsSaidToNotExist()
        {
            string socket = Path.Combine(dir, "docker.sock");
            using var engine = EngineFactory.Create("unix://" + socket, null, new Env(windows: false));
            var ex = await Assert.ThrowsAsync<EngineUnavailableException>(() => engine.GetInfoAsync(CancellationToken.None));
            Assert.Contains($"the socket {socket} does not exist", ex.Message);
            Assert.Contains("systemctl start docker", ex.Message);
            Assert.DoesNotContain("Cannot assign requested address", ex.Message);
        }

        [Fact]
        public async Task AFolderOrAStaleSocketFileIsNotAnEngine()
        {
            using (var engine = EngineFactory.Create("unix://" + dir, null, new Env(windows: false)))
            {
                var ex = await Assert.ThrowsAsync<EngineUnavailableException>(() => engine.GetInfoAsync(CancellationToken.None));
                Assert.Contains("is a folder, not the engine's socket", ex.Message);
            }

            // A socket file that nobody listens on any more (a daemon that died): bound by another process, which
            // leaves the file behind (.NET removes the files of the sockets it bound itself).
            string stale = Path.Combine(dir, "stale.sock");
            var python = Process.Start(new ProcessStartInfo("python3") { ArgumentList = { "-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", stale } })!;
            python.WaitForExit();
            Assert.True(File.Exists(stale), "python3 could not leave a stale socket behind");

            using (var engine = EngineFactory.Create("unix://" + stale, null, new Env(windows: false)))
            {
                var ex = await Assert.ThrowsAsync<EngineUnavailableException>(() => engine.GetInfoAsync(CancellationToken.None));
                Assert.True(ex.Message.Contains("connection refused") && ex.Message.Contains("not running"), ex.Message);
            }
        }

        [Fact]
        public async Task ARefusedTcpConnectionSaysNothingListens()
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            using var engine = EngineFactory.Create($"tcp://admin:hunter2@127.0.0.1:{port}", null, new Env(windows: false));
            var ex = await Assert.ThrowsAsync<EngineUnavailableException>(() => engine.GetInfoAsync(CancellationToken.None));
            Assert.Contains($"nothing listens at 127.0.0.1:{port} (connection refused)", ex.Message);
            Assert.Equal($"tcp://***@127.0.0.1:{port}", ex.Endpoint);
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                Assert.DoesNotContain("hunter2", e.Message);
                Assert.DoesNotContain("admin", e.Message);
            }
        }

        [Fact]
        public async Task AServerThatIsNotAnEngineIsSaidSo()
        {
            using var fake = new FakeEngine(_ => FakeResponse.Json("{}"));
            using var engine = EngineFactory.Create(fake.Host(), null, new Env(windows: false));
            await engine.GetInfoAsync(CancellationToken.None); // sanity: the fake answers /version

            using var html = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>");
            using var wrong = EngineFactory.Create($"tcp://127.0.0.1:{html.Port}", null, new Env(windows: false));
            var ex = await Assert.ThrowsAsync<EngineUnavailableException>(() => wrong.GetInfoAsync(CancellationToken.None));
            Assert.Contains("does not answer like a Docker engine", ex.Message);
        }

        [Fact]
        public async Task TlsFilesThatAreMissingOrBrokenAreTlsConfigurationErrors()
        {
            async Task<EngineConfigurationException> Fails(params (string, string)[] vars)
            {
                var env = new Env(false, vars);
                using var engine = EngineFactory.Create(null, null, env);
                return await Assert.ThrowsAsync<EngineConfigurationException>(() => engine.GetInfoAsync(CancellationToken.None));
            }

            var missing = await Fails(("DOCKER_HOST", "tcp://127.0.0.1:1"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", Path.Combine(dir, "nope")));
            Assert.Equal(EngineConfigurationKind.Tls, missing.Kind);
            Assert.Contains("not an existing folder", missing.Message);

            string certs = Path.Combine(dir, "certs");
            Directory.CreateDirectory(certs);
            File.WriteAllText(Path.Combine(certs, "ca.pem"), "this is not a certificate");
            var garbage = await Fails(("DOCKER_HOST", "tcp://127.0.0.1:1"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", certs));
            Assert.Equal(EngineConfigurationKind.Tls, garbage.Kind);
            Assert.Contains("Cannot read the CA certificate", garbage.Message);

            File.Delete(Path.Combine(certs, "ca.pem"));
            File.WriteAllText(Path.Combine(certs, "cert.pem"), "x");
            var half = await Fails(("DOCKER_HOST", "tcp://127.0.0.1:1"), ("DOCKER_TLS", "1"), ("DOCKER_CERT_PATH", certs));
            Assert.Equal(EngineConfigurationKind.Tls, half.Kind);
            Assert.Contains("needs both cert.pem and key.pem", half.Message);

            File.WriteAllText(Path.Combine(certs, "key.pem"), "y");
            var bad = await Fails(("DOCKER_HOST", "tcp://127.0.0.1:1"), ("DOCKER_TLS", "1"), ("DOCKER_CERT_PATH", certs));
            Assert.Contains("Cannot load the TLS client certificate", bad.Message);
        }

        internal sealed class Env : IEndpointEnvironment
        {
            private readonly Dictionary<string, string> vars = new Dictionary<string, string>();

            public Env(bool windows, params (string, string)[] values)
            {
                IsWindows = windows;
                foreach (var (k, v) in values)
                {
                    vars[k] = v;
                }
            }

            public string? GetVariable(string name) => vars.TryGetValue(name, out var v) ? v : null;

            public string HomeDirectory => Path.GetTempPath();

            public bool IsWindows { get; }
        }

        /// <summary>Answers every connection with a fixed raw HTTP response.</summary>
        private sealed class RawHttpServer : IDisposable
        {
            private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);

            public RawHttpServer(string response)
            {
                listener.Start();
                _ = Task.Run(async () =>
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

                        using (client)
                        {
                            var buffer = new byte[8192];
                            try
                            {
                                await client.GetStream().ReadAtLeastAsync(buffer, 1, throwOnEndOfStream: false);
                                await client.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes(response));
                            }
                            catch (Exception)
                            {
                            }
                        }
                    }
                });
            }

            public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

            public void Dispose() => listener.Stop();
        }
    }
}
