using System;
using System.IO;
using System.Net.Http;
using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet.Handler.Abstractions;
using PythonImages.Security;

namespace PythonImages.Engine
{
    /// <summary>
    /// TLS for tcp endpoints: the client certificate from cert.pem/key.pem and server verification against ca.pem
    /// (DOCKER_CERT_PATH or the context's TLS folder), as the docker CLI does. Owns both certificates: the engine
    /// connection that created it disposes it with its clients.
    /// </summary>
    internal sealed class TlsAuthProvider : IAuthProvider, IDisposable
    {
        private readonly X509Certificate2? clientCertificate;
        private readonly X509Certificate2? ca;
        private readonly bool verify;

        public TlsAuthProvider(EngineEndpoint endpoint)
        {
            verify = endpoint.VerifyServer;
            string dir = endpoint.CertPath ?? ".";
            string source = endpoint.CertPathExplicit ? "DOCKER_CERT_PATH" : endpoint.Source == EndpointSource.Context ? "the TLS folder of " + endpoint.Origin : "the certificate folder";
            if (endpoint.CertPathExplicit && !Directory.Exists(dir))
            {
                throw Tls($"DOCKER_CERT_PATH is '{InputGrammar.ShowWhole(dir)}', which is not an existing folder; set it to the folder with ca.pem, cert.pem and key.pem.");
            }

            string caFile = Path.Combine(dir, "ca.pem");
            string certFile = Path.Combine(dir, "cert.pem");
            string keyFile = Path.Combine(dir, "key.pem");
            if (verify && !File.Exists(caFile))
            {
                throw Tls($"TLS verification is on but {InputGrammar.ShowWhole(caFile)} does not exist ({source}); set DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem.");
            }

            if (File.Exists(caFile))
            {
                try
                {
                    ca = new X509Certificate2(caFile);
                }
                catch (Exception ex) when (ex is CryptographicException || ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw Tls($"Cannot read the CA certificate {InputGrammar.ShowWhole(caFile)}: {InputGrammar.ShowWhole(ex.Message.Trim())} It must be a PEM or DER certificate.", ex);
                }
            }

            bool hasCert = File.Exists(certFile);
            bool hasKey = File.Exists(keyFile);
            if (hasCert != hasKey)
            {
                throw Tls($"{InputGrammar.ShowWhole(hasCert ? certFile : keyFile)} exists but {InputGrammar.ShowWhole(hasCert ? keyFile : certFile)} does not; a TLS client certificate needs both cert.pem and key.pem.");
            }

            if (hasCert)
            {
                clientCertificate = LoadPem(certFile, keyFile);
            }
        }

        private static EngineConfigurationException Tls(string message, Exception? inner = null) =>
            new EngineConfigurationException(EngineConfigurationKind.Tls, message, inner);

        public bool TlsEnabled => true;

        public X509Certificate2? ClientCertificate => clientCertificate;

        public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler)
        {
            if (handler is Microsoft.Net.Http.Client.ManagedHandler managed)
            {
                if (clientCertificate != null)
                {
                    managed.ClientCertificates = new X509CertificateCollection { clientCertificate };
                }

                managed.ServerCertificateValidationCallback = Validate;
            }
            else if (handler is HttpClientHandler native)
            {
                if (clientCertificate != null)
                {
                    native.ClientCertificateOptions = ClientCertificateOption.Manual;
                    native.ClientCertificates.Add(clientCertificate);
                }

                native.ServerCertificateCustomValidationCallback = (_, cert, chain, errors) => Validate(this, cert, chain, errors);
            }

            return handler;
        }

        /// <summary>Releases the client certificate and the CA certificate.</summary>
        public void Dispose()
        {
            clientCertificate?.Dispose();
            ca?.Dispose();
        }

        /// <summary>Server check: a chain to ca.pem and a matching name; no check at all when verification is off.</summary>
        internal bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (!verify)
            {
                return true;
            }

            if (certificate == null || ca == null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var own = new X509Chain();
            own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            own.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            own.ChainPolicy.ExtraStore.Add(ca);
            using var presented = new X509Certificate2(certificate);
            if (!own.Build(presented))
            {
                return false;
            }

            var root = own.ChainElements[own.ChainElements.Count - 1].Certificate;
            return string.Equals(root.Thumbprint, ca.Thumbprint, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>cert.pem + key.pem → a certificate with its private key (X509Certificate2.CreateFromPemFile on .NET 5+).</summary>
        internal static X509Certificate2 LoadPem(string certFile, string keyFile)
        {
            var create = typeof(X509Certificate2).GetMethod("CreateFromPemFile", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(string) }, null);
            if (create == null)
            {
                throw Tls("PEM client certificates need PowerShell 7 (.NET 5 or later); on Windows PowerShell 5.1 use a docker context or PowerShell 7.");
            }

            try
            {
                using var cert = (X509Certificate2)create.Invoke(null, new object[] { certFile, keyFile })!;

                // An ephemeral PEM key cannot be used by SslStream on Windows; a PKCS#12 round trip makes it persistable.
                return new X509Certificate2(cert.Export(X509ContentType.Pkcs12));
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                throw Tls($"Cannot load the TLS client certificate {InputGrammar.ShowWhole(certFile)} / {InputGrammar.ShowWhole(keyFile)}: {InputGrammar.ShowWhole(ex.InnerException.Message.Trim())}", ex.InnerException);
            }
            catch (CryptographicException ex)
            {
                throw Tls($"Cannot load the TLS client certificate {InputGrammar.ShowWhole(certFile)} / {InputGrammar.ShowWhole(keyFile)}: {InputGrammar.ShowWhole(ex.Message.Trim())}", ex);
            }
        }
    }
}
