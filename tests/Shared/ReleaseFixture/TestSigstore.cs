using System;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace PythonImages.Tests.ReleaseFixture
{
    /// <summary>Ways a test bundle can be wrong.</summary>
    public enum BundleFlaw
    {
        None,

        /// <summary>The signature is over another digest (the log entry records it consistently).</summary>
        BadSignature,

        /// <summary>The leaf comes from a CA that is not in the trusted root.</summary>
        UntrustedIssuer,

        /// <summary>The entry was logged after the leaf certificate had expired.</summary>
        LoggedAfterExpiry,

        /// <summary>The log's signed entry timestamp does not verify.</summary>
        TamperedLogEntry,

        /// <summary>No transparency log entry.</summary>
        NoLogEntry,
    }

    /// <summary>
    /// A test sigstore instance made with .NET's CertificateRequest: a root and an intermediate CA (P-384), a transparency
    /// log key (P-256), leaf certificates (P-256) with the e-mail SAN and the OIDC issuer extensions (1.3.6.1.4.1.57264.1.1
    /// and .1.8), bundles in the v0.3 format, and the trusted_root.json that trusts exactly this instance.
    /// </summary>
    public sealed class TestSigstore : IDisposable
    {
        private readonly ECDsa rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        private readonly ECDsa intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        private readonly ECDsa logKey;
        private readonly bool ownsLogKey;
        private readonly X509Certificate2 root;
        private readonly X509Certificate2 intermediate;
        private readonly Lazy<TestSigstore> rogue;
        private long logIndex = 1000;

        public TestSigstore(string name = "sigstore-test", ECDsa? sharedLogKey = null)
        {
            ownsLogKey = sharedLogKey == null;
            logKey = sharedLogKey ?? ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var now = DateTimeOffset.UtcNow;
            var rootReq = new CertificateRequest("O=" + name + ", CN=" + name, rootKey, HashAlgorithmName.SHA384);
            rootReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
            rootReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            root = rootReq.CreateSelfSigned(now.AddYears(-2), now.AddYears(8));

            var intReq = new CertificateRequest("O=" + name + ", CN=" + name + "-intermediate", intermediateKey, HashAlgorithmName.SHA384);
            intReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            intReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            using var intPublic = intReq.Create(root, now.AddYears(-1), now.AddYears(7), new byte[] { 1, 2, 3, 4 });
            intermediate = intPublic.CopyWithPrivateKey(intermediateKey);
            rogue = new Lazy<TestSigstore>(() => new TestSigstore(name + "-rogue", logKey)); // same log, another CA
        }

        /// <summary>The trusted_root.json (sigstore's format) for this instance.</summary>
        public string TrustedRootJson()
        {
            byte[] spki = logKey.ExportSubjectPublicKeyInfo();
            var doc = new
            {
                mediaType = "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
                tlogs = new[]
                {
                    new
                    {
                        baseUrl = "https://rekor.test",
                        hashAlgorithm = "SHA2_256",
                        publicKey = new { rawBytes = Convert.ToBase64String(spki), keyDetails = "PKIX_ECDSA_P256_SHA_256", validFor = new { start = "2020-01-01T00:00:00.000Z" } },
                        logId = new { keyId = Convert.ToBase64String(SHA256.HashData(spki)) },
                    },
                },
                certificateAuthorities = new[]
                {
                    new
                    {
                        subject = new { organization = "sigstore.test", commonName = "sigstore-test" },
                        uri = "https://fulcio.test",
                        certChain = new { certificates = new[] { new { rawBytes = Convert.ToBase64String(intermediate.RawData) }, new { rawBytes = Convert.ToBase64String(root.RawData) } } },
                        validFor = new { start = "2020-01-01T00:00:00.000Z" },
                    },
                },
            };
            return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
        }

        /// <summary>A bundle for an artifact whose sha256 is <paramref name="sha256Hex"/>, signed as <paramref name="email"/> via <paramref name="issuer"/>.</summary>
        public byte[] Bundle(string sha256Hex, string email, string issuer, BundleFlaw flaw = BundleFlaw.None)
        {
            if (flaw == BundleFlaw.UntrustedIssuer)
            {
                return rogue.Value.Bundle(sha256Hex, email, issuer);
            }

            byte[] digest = Convert.FromHexString(sha256Hex);
            var now = DateTimeOffset.UtcNow;
            using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var req = new CertificateRequest(new X500DistinguishedName(string.Empty), leafKey, HashAlgorithmName.SHA256);
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.3") }, false));
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            var san = new SubjectAlternativeNameBuilder();
            san.AddEmailAddress(email);
            req.CertificateExtensions.Add(san.Build(true));
            req.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.57264.1.1", Encoding.UTF8.GetBytes(issuer), false));
            var w = new AsnWriter(AsnEncodingRules.DER);
            w.WriteCharacterString(UniversalTagNumber.UTF8String, issuer);
            req.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.57264.1.8", w.Encode(), false));
            var notBefore = now.AddMinutes(-5);
            var notAfter = now.AddMinutes(5);
            byte[] serial = new byte[16];
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7F;
            using var leaf = req.Create(intermediate, notBefore, notAfter, serial);

            byte[] signed = flaw == BundleFlaw.BadSignature ? SHA256.HashData(Encoding.ASCII.GetBytes("another artifact")) : digest;
            byte[] signature = leafKey.SignHash(signed, DSASignatureFormat.Rfc3279DerSequence);
            string pem = "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(leaf.RawData, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----\n";
            string body = JsonSerializer.Serialize(new
            {
                apiVersion = "0.0.1",
                kind = "hashedrekord",
                spec = new
                {
                    data = new { hash = new { algorithm = "sha256", value = sha256Hex.ToLowerInvariant() } },
                    signature = new { content = Convert.ToBase64String(signature), publicKey = new { content = Convert.ToBase64String(Encoding.ASCII.GetBytes(pem)) } },
                },
            });
            string bodyB64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(body));
            long integrated = (flaw == BundleFlaw.LoggedAfterExpiry ? now.AddMinutes(30) : now).ToUnixTimeSeconds();
            byte[] spki = logKey.ExportSubjectPublicKeyInfo();
            byte[] logId = SHA256.HashData(spki);
            long index = System.Threading.Interlocked.Increment(ref logIndex);
            string payload = "{\"body\":\"" + bodyB64 + "\",\"integratedTime\":" + integrated + ",\"logID\":\"" + Convert.ToHexString(logId).ToLowerInvariant() + "\",\"logIndex\":" + index + "}";
            byte[] set = logKey.SignData(Encoding.UTF8.GetBytes(payload), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            if (flaw == BundleFlaw.TamperedLogEntry)
            {
                set = logKey.SignData(Encoding.UTF8.GetBytes(payload + " "), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }

            object[] entries = flaw == BundleFlaw.NoLogEntry
                ? Array.Empty<object>()
                : new object[]
                {
                    new
                    {
                        logIndex = index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        logId = new { keyId = Convert.ToBase64String(logId) },
                        kindVersion = new { kind = "hashedrekord", version = "0.0.1" },
                        integratedTime = integrated.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        inclusionPromise = new { signedEntryTimestamp = Convert.ToBase64String(set) },
                        canonicalizedBody = bodyB64,
                    },
                };
            var bundle = new
            {
                mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json",
                verificationMaterial = new { certificate = new { rawBytes = Convert.ToBase64String(leaf.RawData) }, tlogEntries = entries },
                messageSignature = new
                {
                    messageDigest = new { algorithm = "SHA2_256", digest = Convert.ToBase64String(digest) },
                    signature = Convert.ToBase64String(signature),
                },
            };
            return JsonSerializer.SerializeToUtf8Bytes(bundle);
        }

        public void Dispose()
        {
            root.Dispose();
            intermediate.Dispose();
            rootKey.Dispose();
            intermediateKey.Dispose();
            if (ownsLogKey)
            {
                logKey.Dispose();
            }

            if (rogue.IsValueCreated)
            {
                rogue.Value.Dispose();
            }
        }
    }
}
