using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Engine.Registry;
using PythonImages.Publish;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>The registry client against real servers on loopback: a token server written here, and the TLS + basic-auth registry of .ci/run.</summary>
    public class RegistryClientTests
    {
        private static readonly byte[] Manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":2,\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},\"layers\":[]}");

        private static RegistryClientOptions Options(RegistryCredential? credential) =>
            new RegistryClientOptions { Credential = credential, RetryDelay = TimeSpan.FromMilliseconds(20), CertsDirectory = Path.GetTempPath() };

        [Fact]
        public async Task BearerTokenLoginWithAPasswordStoresAndReadsAManifest()
        {
            using var server = new LoopbackRegistry();
            using var client = RegistryClient.Create(server.Host, Options(new RegistryCredential(LoopbackRegistry.User, LoopbackRegistry.Password, "test")));
            await client.PingAsync(CancellationToken.None);
            Assert.Equal("http", client.Scheme); // loopback without TLS: plain HTTP
            string digest = await client.PutManifestAsync("team/app", "1.0", MediaTypes.DockerManifest, Manifest, CancellationToken.None);
            Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Manifest)), digest);
            var read = await client.GetManifestAsync("team/app", "1.0", CancellationToken.None);
            Assert.NotNull(read);
            Assert.Equal(digest, read!.Digest);
            Assert.Equal(MediaTypes.DockerManifest, read.MediaType);
            Assert.Equal(Manifest, read.Content);
            Assert.Equal("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", read.ConfigDigest);
            Assert.Null(await client.GetManifestAsync("team/app", "2.0", CancellationToken.None));

            // The token came from the realm with the Basic login; the registry saw only bearer tokens.
            Assert.Contains("GET /token", server.Requests);
            var exchanges = server.Requests.Zip(server.Authorizations).ToList();
            Assert.All(exchanges.Where(p => p.First.Contains(" /v2/", StringComparison.Ordinal)), p => Assert.True(p.Second.Length == 0 || p.Second.StartsWith("Bearer bearer-", StringComparison.Ordinal), p.First + ": " + p.Second));
            Assert.Contains(exchanges, p => p.First == "PUT /v2/team/app/manifests/1.0" && p.Second.StartsWith("Bearer bearer-", StringComparison.Ordinal));
        }

        /// <summary>A read that is not part of a push asks for a pull-only token, whatever the challenge names.</summary>
        [Fact]
        public async Task AReadOutsideAPushAsksForAPullOnlyToken()
        {
            using var server = new LoopbackRegistry(hubScopes: true);
            server.StoreManifest("team/app", "1.0", MediaTypes.DockerManifest, Manifest);
            using var client = RegistryClient.Create(server.Host, Options(new RegistryCredential(LoopbackRegistry.User, LoopbackRegistry.Password, "test")));
            Assert.NotNull(await client.GetManifestAsync("team/app", "1.0", CancellationToken.None));
            Assert.Null(await client.GetManifestAsync("team/app", "2.0", CancellationToken.None));
            Assert.Equal(new[] { "repository:team/app:pull" }, server.TokenScopes.Where(s => s.Length > 0));

            // A read of a repository that does not exist yet is refused with a pull-only token, as Docker Hub does.
            var ex = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync("team/new", "1.0", CancellationToken.None));
            Assert.Equal(PublishErrorIds.AuthenticationFailed, ex.ErrorId);
            Assert.StartsWith($"The registry {server.Host} refused the login at its token server for {LoopbackRegistry.User}", ex.Message);
            Assert.Null(await client.GetManifestAsync("team/new", "1.0", CancellationToken.None, forPush: true));
        }

        [Fact]
        public async Task AnIdentityTokenIsExchangedThroughTheOAuthForm()
        {
            using var server = new LoopbackRegistry();
            using var client = RegistryClient.Create(server.Host, Options(new RegistryCredential("<token>", LoopbackRegistry.IdentityToken, "test", isIdentityToken: true)));
            await client.PutManifestAsync("team/app", "id", MediaTypes.DockerManifest, Manifest, CancellationToken.None);
            Assert.Contains("POST /token", server.Requests);
            Assert.DoesNotContain("GET /token", server.Requests);
        }

        [Fact]
        public async Task AWrongPasswordIsAuthenticationFailedNamingTheRegistryAndUserButNotTheSecret()
        {
            using var server = new LoopbackRegistry();
            const string wrong = "not-the-password-77aa";
            using var client = RegistryClient.Create(server.Host, Options(new RegistryCredential(LoopbackRegistry.User, wrong, "-Credential")));
            var ex = await Assert.ThrowsAsync<RegistryException>(() => client.PingAsync(CancellationToken.None));
            Assert.Equal(PublishErrorIds.AuthenticationFailed, ex.ErrorId);
            Assert.Contains(server.Host, ex.Message);
            Assert.Contains(LoopbackRegistry.User, ex.Message);
            Assert.DoesNotContain(wrong, ex.ToString());

            using var anonymous = RegistryClient.Create(server.Host, Options(null));
            var none = await Assert.ThrowsAsync<RegistryException>(() => anonymous.GetManifestAsync("team/app", "1", CancellationToken.None));
            Assert.Equal(PublishErrorIds.AuthenticationFailed, none.ErrorId);
        }

        [Fact]
        public async Task ServerErrorsAndTooManyRequestsAreRetriedWithBackoff()
        {
            using var server = new LoopbackRegistry();
            using var client = RegistryClient.Create(server.Host, Options(new RegistryCredential(LoopbackRegistry.User, LoopbackRegistry.Password, "test")));
            await client.PutManifestAsync("team/app", "r", MediaTypes.DockerManifest, Manifest, CancellationToken.None);
            server.FailNext(503, 502, 429);
            int before = server.Requests.Count(r => r == "GET /v2/team/app/manifests/r");
            var read = await client.GetManifestAsync("team/app", "r", CancellationToken.None);
            Assert.Equal(Manifest, read!.Content);
            Assert.True(before + 5 == server.Requests.Count(r => r == "GET /v2/team/app/manifests/r"), string.Join("\n", server.Requests));
        }

        [Fact]
        public async Task ServerErrorsBeyondTheRetriesAreOneRegistryError()
        {
            using var server = new LoopbackRegistry();
            var options = Options(new RegistryCredential(LoopbackRegistry.User, LoopbackRegistry.Password, "test"));
            options.Retries = 2;
            using var client = RegistryClient.Create(server.Host, options);
            await client.PingAsync(CancellationToken.None);
            server.FailNext(500, 500, 500, 500);
            var ex = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync("team/app", "x", CancellationToken.None));
            Assert.Equal(PublishErrorIds.RegistryError, ex.ErrorId);
            Assert.Equal(500, ex.StatusCode);
            Assert.Contains("3 times", ex.Message);
            Assert.Contains("UNAVAILABLE try later", ex.Message);
        }

        [Fact]
        public async Task NothingListeningIsRegistryUnavailable()
        {
            int port;
            using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
            {
                l.Start();
                port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
                l.Stop();
            }

            using var client = RegistryClient.Create("127.0.0.1:" + port, Options(null));
            var ex = await Assert.ThrowsAsync<RegistryException>(() => client.PingAsync(CancellationToken.None));
            Assert.Equal(PublishErrorIds.RegistryUnavailable, ex.ErrorId);
            Assert.Contains("127.0.0.1:" + port, ex.Message);
        }

        [Theory]
        [InlineData("localhost:5000", true)]
        [InlineData("127.0.0.1:5000", true)]
        [InlineData("127.8.9.10", true)]
        [InlineData("[::1]:5000", true)]
        [InlineData("registry.example:5000", false)]
        [InlineData("10.0.0.1:5000", false)]
        [InlineData("localhost.example", false)]
        public void PlainHttpIsOnlyForLoopbackRegistries(string registry, bool loopback) => Assert.Equal(loopback, RegistryClient.IsLoopback(registry));

        [Fact]
        public void ChallengesAreParsedWithQuotedCommas()
        {
            var p = RegistryClient.ChallengeParameters("realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"");
            Assert.Equal("https://auth.example/token", p["realm"]);
            Assert.Equal("registry.example", p["service"]);
            Assert.Equal("repository:a/b:pull,push", p["scope"]);
        }

        /// <summary>An error body whose "errors" items are not objects is still a RegistryError, showing the items.</summary>
        [Fact]
        public async Task AnErrorBodyWithBareStringItemsIsARegistryError()
        {
            using var server = new ScriptedRegistry(r => r.Url!.AbsolutePath == "/v2/"
                ? ScriptedRegistry.Answer(200, "application/json", "{}")
                : ScriptedRegistry.Answer(500, "application/json", "{\"errors\":[\"internal\"]}"));
            using var client = RegistryClient.Create(server.Host, RegistryFixtures.Options());
            await client.PingAsync(CancellationToken.None);
            var ex = await Record.ExceptionAsync(() => client.GetManifestAsync("team/app", "1", CancellationToken.None));
            Assert.Equal(PublishErrorIds.RegistryError, Assert.IsType<RegistryException>(ex).ErrorId);
            Assert.Contains("internal", ex.Message);
        }

        /// <summary>An error item with a numeric code is still a RegistryError, showing the code.</summary>
        [Fact]
        public async Task AnErrorWithANumericCodeIsARegistryError()
        {
            using var server = new ScriptedRegistry(r => r.Url!.AbsolutePath == "/v2/"
                ? ScriptedRegistry.Answer(200, "application/json", "{}")
                : ScriptedRegistry.Answer(400, "application/json", "{\"errors\":[{\"code\":400,\"message\":\"bad\"}]}"));
            using var client = RegistryClient.Create(server.Host, RegistryFixtures.Options());
            await client.PingAsync(CancellationToken.None);
            var ex = await Record.ExceptionAsync(() => client.GetManifestAsync("team/app", "1", CancellationToken.None));
            Assert.Equal(PublishErrorIds.RegistryError, Assert.IsType<RegistryException>(ex).ErrorId);
            Assert.Contains("400 bad", ex.Message);
        }

        /// <summary>Retries = 0 means one attempt and no retry (not Polly's ValidationException).</summary>
        [Fact]
        public async Task NoRetriesIsAValidOptionAndMeansOneAttempt()
        {
            var ex = Record.Exception(() => RegistryClient.Create("127.0.0.1:5000", new RegistryClientOptions { Retries = 0, CertsDirectory = Path.GetTempPath() }).Dispose());
            Assert.Null(ex);
            using var server = new ScriptedRegistry(r => r.Url!.AbsolutePath == "/v2/"
                ? ScriptedRegistry.Answer(200, "application/json", "{}")
                : ScriptedRegistry.Answer(503, "application/json", "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"later\"}]}"));
            var options = RegistryFixtures.Options();
            options.Retries = 0;
            using var client = RegistryClient.Create(server.Host, options);
            await client.PingAsync(CancellationToken.None);
            var failed = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync("team/app", "1", CancellationToken.None));
            Assert.Contains("1 times", failed.Message);
            Assert.Single(server.Requests, r => r.StartsWith("GET /v2/team/app/manifests/1", StringComparison.Ordinal));
        }

        private static (System.Security.Cryptography.X509Certificates.X509Certificate2 Ca, System.Security.Cryptography.X509Certificates.X509Certificate2 Leaf) Pki(string name)
        {
            using var caKey = System.Security.Cryptography.RSA.Create(2048);
            var caReq = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=" + name, caKey, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            caReq.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
            caReq.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign | System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.CrlSign, true));
            var ca = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            using var leafKey = System.Security.Cryptography.RSA.Create(2048);
            var leafReq = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", leafKey, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            leafReq.CertificateExtensions.Add(san.Build());
            leafReq.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension(new System.Security.Cryptography.OidCollection { new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1") }, false));
            using var signed = leafReq.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), new byte[] { 1, 2, 3, 4 });
            using var withKey = signed.CopyWithPrivateKey(leafKey);
            var leaf = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(withKey.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
            return (ca, leaf);
        }

        private static async Task ServeTlsAsync(TcpListener listener, System.Security.Cryptography.X509Certificates.X509Certificate2 leaf)
        {
            while (true)
            {
                TcpClient c;
                try
                {
                    c = await listener.AcceptTcpClientAsync();
                }
                catch (Exception)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (c)
                    {
                        try
                        {
                            using var ssl = new System.Net.Security.SslStream(c.GetStream());
                            await ssl.AuthenticateAsServerAsync(leaf);
                            var buffer = new byte[8192];
                            int read = await ssl.ReadAsync(buffer);
                            Assert.True(read > 0);
                            await ssl.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));
                            await ssl.FlushAsync();
                        }
                        catch (Exception)
                        {
                        }
                    }
                });
            }
        }

        /// <summary>Every certificate of a ca.crt bundle is trusted (docker reads them all), not only the first.</summary>
        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task EveryCertificateOfACaBundleIsTrusted(bool bundle)
        {
            var (ca, leaf) = Pki("h13 review root");
            var (other, otherLeaf) = Pki("h13 unrelated root");
            string folder = Directory.CreateTempSubdirectory("h13-review-ca-").FullName;
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                File.WriteAllText(Path.Combine(folder, "ca.crt"), (bundle ? other.ExportCertificatePem() + "\n" : string.Empty) + ca.ExportCertificatePem() + "\n");
                _ = ServeTlsAsync(listener, leaf);
                string host = "127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port;
                using var client = RegistryClient.Create(host, new RegistryClientOptions { CertificatePath = folder, Retries = 1, CertsDirectory = Path.GetTempPath() });
                await client.PingAsync(CancellationToken.None);
                Assert.Equal("https", client.Scheme);
            }
            finally
            {
                listener.Stop();
                Directory.Delete(folder, true);
                ca.Dispose();
                leaf.Dispose();
                other.Dispose();
                otherLeaf.Dispose();
            }
        }

        [RegistryFact(engine: false, auth: true)]
        public async Task TheTlsRegistryIsTrustedThroughItsCaAndRefusedWithout()
        {
            var (user, password) = TestRegistries.Login;
            var credential = new RegistryCredential(user, password, "test");
            string empty = Directory.CreateTempSubdirectory("h13-publish-certs-").FullName;
            try
            {
                using (var untrusted = RegistryClient.Create(TestRegistries.Auth, new RegistryClientOptions { Credential = credential, CertsDirectory = empty }))
                {
                    var ex = await Assert.ThrowsAsync<RegistryException>(() => untrusted.PingAsync(CancellationToken.None));
                    Assert.Equal(PublishErrorIds.TlsFailed, ex.ErrorId);
                    Assert.DoesNotContain(password, ex.ToString());
                }

                using var trusted = RegistryClient.Create(TestRegistries.Auth, new RegistryClientOptions { Credential = credential, CertificatePath = TestRegistries.AuthDirectory, CertsDirectory = empty });
                await trusted.PingAsync(CancellationToken.None);
                Assert.Equal("https", trusted.Scheme);

                using var wrong = RegistryClient.Create(TestRegistries.Auth, new RegistryClientOptions { Credential = new RegistryCredential(user, "wrong-" + password, "test"), CertificatePath = TestRegistries.AuthDirectory });
                var refused = await Assert.ThrowsAsync<RegistryException>(() => wrong.PingAsync(CancellationToken.None));
                Assert.Equal(PublishErrorIds.AuthenticationFailed, refused.ErrorId);
                Assert.DoesNotContain(password, refused.ToString());
            }
            finally
            {
                Directory.Delete(empty, true);
            }
        }
    }
}
