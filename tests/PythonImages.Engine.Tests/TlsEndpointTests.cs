using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Engine.Tests
{
    /// <summary>
    /// TLS against a real engine: a loopback TLS terminator that demands a client certificate and forwards to the
    /// engine's unix socket, reached with DOCKER_HOST=tcp://..., DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
    /// </summary>
    public sealed class TlsEndpointTests : IDisposable
    {
        private readonly string dir = Path.Combine(Path.GetTempPath(), "pitest5-tls-" + Guid.NewGuid().ToString("N")[..8]);
        private readonly X509Certificate2 ca;
        private readonly X509Certificate2 server;

        public TlsEndpointTests()
        {
            Directory.CreateDirectory(dir);
            ca = CreateCa("pitest5 test CA");
            server = Issue(ca, "localhost", serverAuth: true);
            var client = Issue(ca, "pitest5-client", serverAuth: false);
            WriteCertDir(dir, ca, client);
        }

        public void Dispose() => Directory.Delete(dir, true);

        [DockerFact]
        public async Task VerifiedTlsWithClientCertificateReachesTheEngine()
        {
            using var proxy = new TlsProxy(server, ca);
            var env = new Env(("DOCKER_HOST", $"tcp://127.0.0.1:{proxy.Port}"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", dir));
            using var engine = EngineFactory.Create(null, null, env);
            var info = await engine.GetInfoAsync(CancellationToken.None);
            Assert.Equal("linux", info.OSType);
            Assert.Equal("CN=pitest5-client", proxy.LastClientSubject);
            Assert.Null(await engine.InspectImageAsync("pitest5-none:none", CancellationToken.None));
        }

        [DockerFact]
        public async Task AServerFromAnotherCaIsRejectedUnlessVerificationIsOff()
        {
            var otherCa = CreateCa("some other CA");
            var otherServer = Issue(otherCa, "localhost", serverAuth: true);
            using var proxy = new TlsProxy(otherServer, ca);
            var verify = new Env(("DOCKER_HOST", $"tcp://127.0.0.1:{proxy.Port}"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", dir));
            using (var engine = EngineFactory.Create(null, null, verify))
            {
                await Assert.ThrowsAsync<EngineUnavailableException>(() => engine.GetInfoAsync(CancellationToken.None));
            }

            // DOCKER_TLS without DOCKER_TLS_VERIFY: encrypted, client certificate sent, server not checked.
            var noVerify = new Env(("DOCKER_HOST", $"tcp://127.0.0.1:{proxy.Port}"), ("DOCKER_TLS", "1"), ("DOCKER_CERT_PATH", dir));
            using (var engine = EngineFactory.Create(null, null, noVerify))
            {
                Assert.Equal("linux", (await engine.GetInfoAsync(CancellationToken.None)).OSType);
            }
        }

        [Fact]
        public void ProviderLoadsPemAndChecksTheChain()
        {
            var endpoint = new EngineEndpoint { Host = "tcp://127.0.0.1:2376", UseTls = true, VerifyServer = true, CertPath = dir };
            using var provider = new TlsAuthProvider(endpoint);
            Assert.True(provider.TlsEnabled);
            Assert.NotNull(provider.ClientCertificate);
            Assert.True(provider.ClientCertificate!.HasPrivateKey);
            Assert.True(provider.Validate(this, server, null, SslPolicyErrors.RemoteCertificateChainErrors));
            Assert.False(provider.Validate(this, server, null, SslPolicyErrors.RemoteCertificateNameMismatch));
            Assert.False(provider.Validate(this, Issue(CreateCa("x"), "localhost", true), null, SslPolicyErrors.RemoteCertificateChainErrors));
            using var lax = new TlsAuthProvider(new EngineEndpoint { Host = endpoint.Host, UseTls = true, VerifyServer = false, CertPath = dir });
            Assert.True(lax.Validate(this, Issue(CreateCa("x"), "localhost", true), null, SslPolicyErrors.RemoteCertificateChainErrors));
        }

        [Fact]
        public void ProviderReleasesItsCertificatesWhenDisposed()
        {
            var provider = new TlsAuthProvider(new EngineEndpoint { Host = "tcp://127.0.0.1:2376", UseTls = true, VerifyServer = true, CertPath = dir });
            var certificate = provider.ClientCertificate!;
            Assert.True(certificate.HasPrivateKey);
            provider.Dispose();
            Assert.Throws<CryptographicException>(() => certificate.Thumbprint);
        }

        private static X509Certificate2 CreateCa(string name)
        {
            using var key = RSA.Create(2048);
            var req = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        }

        private static X509Certificate2 Issue(X509Certificate2 issuer, string cn, bool serverAuth)
        {
            var key = RSA.Create(2048);
            var req = new CertificateRequest("CN=" + cn, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2") }, false));
            if (serverAuth)
            {
                var san = new SubjectAlternativeNameBuilder();
                san.AddDnsName("localhost");
                san.AddIpAddress(IPAddress.Loopback);
                req.CertificateExtensions.Add(san.Build());
            }

            var serial = new byte[8];
            RandomNumberGenerator.Fill(serial);
            using var cert = req.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
            return cert.CopyWithPrivateKey(key);
        }

        private static void WriteCertDir(string dir, X509Certificate2 ca, X509Certificate2 client)
        {
            File.WriteAllText(Path.Combine(dir, "ca.pem"), ca.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir, "cert.pem"), client.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir, "key.pem"), client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        }

        private sealed class Env : IEndpointEnvironment
        {
            private readonly Dictionary<string, string> vars = new Dictionary<string, string>();

            public Env(params (string, string)[] values)
            {
                foreach (var (k, v) in values)
                {
                    vars[k] = v;
                }
            }

            public string? GetVariable(string name) => vars.TryGetValue(name, out var v) ? v : null;

            public string HomeDirectory => Path.GetTempPath();

            public bool IsWindows => false;
        }

        /// <summary>TLS on 127.0.0.1 (client certificate required, issued by <c>clientCa</c>), forwarded to the engine socket.</summary>
        private sealed class TlsProxy : IDisposable
        {
            private readonly TcpListener listener = new TcpListener(IPAddress.Loopback, 0);
            private readonly CancellationTokenSource cts = new CancellationTokenSource();
            private readonly X509Certificate2 certificate;
            private readonly X509Certificate2 clientCa;

            public TlsProxy(X509Certificate2 certificate, X509Certificate2 clientCa)
            {
                // SslStream on Linux wants a certificate whose key it can use: round-trip through PKCS#12.
                this.certificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
                this.clientCa = clientCa;
                listener.Start();
                _ = AcceptLoop();
            }

            public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

            public string? LastClientSubject { get; private set; }

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

                    _ = Serve(client);
                }
            }

            private async Task Serve(TcpClient client)
            {
                using (client)
                {
                    try
                    {
                        using var tls = new SslStream(client.GetStream());
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                        {
                            ServerCertificate = certificate,
                            ClientCertificateRequired = true,
                            RemoteCertificateValidationCallback = (_, cert, _, _) => cert != null && IssuedByCa(cert),
                        }, cts.Token);
                        LastClientSubject = tls.RemoteCertificate?.Subject;
                        using var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                        await engine.ConnectAsync(new UnixDomainSocketEndPoint("/var/run/docker.sock"));
                        using var engineStream = new NetworkStream(engine, ownsSocket: false);
                        var up = tls.CopyToAsync(engineStream, cts.Token);
                        var down = engineStream.CopyToAsync(tls, cts.Token);
                        await Task.WhenAny(up, down);
                    }
                    catch (Exception)
                    {
                        // handshake refused or connection closed
                    }
                }
            }

            private bool IssuedByCa(X509Certificate cert)
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(clientCa);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
            }

            public void Dispose()
            {
                cts.Cancel();
                listener.Stop();
                cts.Dispose();
            }
        }
    }
}
