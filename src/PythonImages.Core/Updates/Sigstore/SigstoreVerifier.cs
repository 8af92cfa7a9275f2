using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.X509;

namespace PythonImages.Updates.Sigstore
{
    /// <summary>What a verified bundle vouches for: the artifact's sha256, who signed it and when.</summary>
    public sealed class VerifiedBundle
    {
        /// <summary>A verified bundle: the file's sha256, its signer and when it was signed.</summary>
        public VerifiedBundle(string sha256, string email, string issuer, DateTime signedAt)
        {
            Sha256 = sha256;
            Email = email;
            Issuer = issuer;
            SignedAt = signedAt;
        }

        /// <summary>Lowercase hex.</summary>
        public string Sha256 { get; }

        /// <summary>The signer's email.</summary>
        public string Email { get; }

        /// <summary>The signer's OIDC issuer.</summary>
        public string Issuer { get; }

        /// <summary>When it was signed (UTC).</summary>
        public DateTime SignedAt { get; }

        /// <summary>The signer, "email (issuer)".</summary>
        public string Signer => $"{Email} ({Issuer})";
    }

    /// <summary>
    /// Verifies a sigstore bundle (.sigstore next to a python.org file) for a message digest: the ECDSA signature over
    /// the digest with the bundle's leaf certificate; the leaf's chain to a Fulcio CA of the trusted root, every
    /// certificate valid when the signature was logged; the transparency log's signed entry timestamp over the entry
    /// (which must record this digest, signature and certificate), which makes that time trustworthy; and the signer
    /// identity (SAN e-mail and OIDC issuer extension) against the allowed identities.
    /// </summary>
    public sealed class SigstoreVerifier
    {
        private const string CodeSigning = "1.3.6.1.5.5.7.3.3";
        private const string IssuerV1 = "1.3.6.1.4.1.57264.1.1";
        private const string IssuerV2 = "1.3.6.1.4.1.57264.1.8";

        private readonly TrustedRoot root;

        /// <summary>A verifier against <paramref name="root"/>.</summary>
        public SigstoreVerifier(TrustedRoot root) => this.root = root;

        /// <summary>Verifies <paramref name="bundleJson"/>; throws <see cref="UpdateException"/> naming what failed.</summary>
        public VerifiedBundle Verify(byte[] bundleJson, string what, IReadOnlyList<SignerIdentity> allowed)
        {
            var b = Bundle.Parse(bundleJson, what);

            // 1. The signature over the digest, with the leaf's key.
            if (!VerifyDigestSignature(LeafKey(b.Leaf, what), b.Digest, b.Signature))
            {
                throw Fail(UpdateErrorIds.SignatureInvalid, what,
                    "the signature in the sigstore bundle does not match its digest and certificate",
                    "Do not use this release file; report it to the python.org infrastructure team (the bundle may have been tampered with).");
            }

            // 2. The transparency log entry: binds digest, signature and certificate; its signed timestamp gives the signing time.
            DateTime signedAt = VerifyLogEntry(b, what);

            // 3. The chain to a trusted Fulcio CA, valid at that time.
            VerifyChain(b.Leaf, signedAt, what);

            // 4. Who signed.
            var (email, issuer) = Identity(b.Leaf, what);
            if (!allowed.Any(i => i.Matches(email, issuer)))
            {
                string expected = allowed.Count == 0 ? "(no identity is known for this series)" : string.Join(", ", allowed.Select(i => i.Email + " (" + i.Issuer + ")"));
                throw Fail(UpdateErrorIds.IdentityMismatch, what,
                    $"the bundle was signed by {email} ({issuer}), which is not a release manager identity for this series; expected {expected}",
                    "If python.org names this signer on its Sigstore Information page, add it with -Identity @{ Series = ...; Email = ...; Issuer = ... }; otherwise do not use the release file.");
            }

            return new VerifiedBundle(Hex(b.Digest), email, issuer, signedAt);
        }

        private static AsymmetricKeyParameter LeafKey(X509Certificate leaf, string what)
        {
            try
            {
                return leaf.GetPublicKey();
            }
            catch (Exception ex) when (ex is SecurityUtilityException || ex is CertificateException || ex is ArgumentException || ex is InvalidOperationException
                || ex is Asn1Exception || ex is System.IO.IOException || ex is InvalidCastException)
            {
                // a key of an algorithm BouncyCastle does not know (or a broken one): python.org's signers use ECDSA keys
                throw Fail(UpdateErrorIds.SignatureInvalid, what,
                    "the certificate in the sigstore bundle has a key that is not an ECDSA key (" + ex.Message + ")",
                    "Do not use this release file; report it to the python.org infrastructure team (the bundle may have been tampered with).");
            }
        }

        private static bool VerifyDigestSignature(AsymmetricKeyParameter key, byte[] digest, byte[] signature)
        {
            if (!(key is ECPublicKeyParameters))
            {
                return false; // python.org's signers use ECDSA keys; anything else is not accepted
            }

            try
            {
                var signer = SignerUtilities.GetSigner("NONEwithECDSA");
                signer.Init(false, key);
                signer.BlockUpdate(digest, 0, digest.Length);
                return signer.VerifySignature(signature);
            }
            catch (Exception ex) when (ex is CryptoException || ex is ArgumentException || ex is InvalidOperationException || ex is Asn1Exception || ex is System.IO.IOException)
            {
                return false;
            }
        }

        private DateTime VerifyLogEntry(Bundle b, string what)
        {
            if (b.Entry == null)
            {
                throw Fail(UpdateErrorIds.TransparencyLogInvalid, what,
                    "the bundle has no transparency log entry with a signed entry timestamp, so the signing time cannot be established",
                    "Do not use this release file, or pass -AllowUnverifiedSource only if you verify it by other means.");
            }

            var e = b.Entry;
            var log = root.Logs.FirstOrDefault(l => l.KeyId.SequenceEqual(e.LogId));
            if (log == null)
            {
                throw Fail(UpdateErrorIds.TransparencyLogInvalid, what,
                    $"the bundle's transparency log ({Convert.ToBase64String(e.LogId)}) is not in the trusted root {root.Source}",
                    "Use a trusted root (-TrustedRootPath) that lists this log, or do not use the release file.");
            }

            string payload = "{\"body\":\"" + e.BodyBase64 + "\",\"integratedTime\":" + e.IntegratedTime.ToString(CultureInfo.InvariantCulture)
                + ",\"logID\":\"" + Hex(e.LogId) + "\",\"logIndex\":" + e.LogIndex.ToString(CultureInfo.InvariantCulture) + "}";
            bool setValid;
            try
            {
                var verifier = SignerUtilities.GetSigner("SHA256withECDSA");
                verifier.Init(false, log.Key);
                byte[] bytes = Encoding.UTF8.GetBytes(payload);
                verifier.BlockUpdate(bytes, 0, bytes.Length);
                setValid = verifier.VerifySignature(e.SignedEntryTimestamp);
            }
            catch (Exception ex) when (ex is CryptoException || ex is ArgumentException || ex is InvalidOperationException || ex is Asn1Exception || ex is System.IO.IOException)
            {
                setValid = false;
            }

            if (!setValid)
            {
                throw Fail(UpdateErrorIds.TransparencyLogInvalid, what,
                    "the transparency log's signed entry timestamp does not verify with the log's key",
                    "Do not use this release file; the bundle's log entry has been altered.");
            }

            DateTime signedAt = DateTimeOffset.FromUnixTimeSeconds(e.IntegratedTime).UtcDateTime;
            if (signedAt < log.ValidFrom || signedAt > log.ValidUntil)
            {
                throw Fail(UpdateErrorIds.SigningTimeInvalid, what,
                    $"the log entry time {signedAt:u} is outside the period in which the log key was in use",
                    "Do not use this release file.");
            }

            // The entry must record exactly this digest, signature and certificate.
            try
            {
                using var doc = JsonDocument.Parse(Convert.FromBase64String(e.BodyBase64));
                var body = doc.RootElement;
                string kind = body.GetProperty("kind").GetString() ?? string.Empty;
                var spec = body.GetProperty("spec");
                var hash = spec.GetProperty("data").GetProperty("hash");
                bool same = kind == "hashedrekord"
                    && hash.GetProperty("algorithm").GetString() == "sha256"
                    && string.Equals(hash.GetProperty("value").GetString(), Hex(b.Digest), StringComparison.OrdinalIgnoreCase)
                    && Convert.FromBase64String(spec.GetProperty("signature").GetProperty("content").GetString()!).SequenceEqual(b.Signature)
                    && PemCertificate(Convert.FromBase64String(spec.GetProperty("signature").GetProperty("publicKey").GetProperty("content").GetString()!)).SequenceEqual(b.Leaf.GetEncoded());
                if (!same)
                {
                    throw new FormatException("it records another digest, signature or certificate");
                }
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is KeyNotFoundException || ex is InvalidOperationException || ex is CertificateException || ex is ArgumentException)
            {
                throw Fail(UpdateErrorIds.TransparencyLogInvalid, what,
                    "the transparency log entry does not match the bundle: " + ex.Message,
                    "Do not use this release file; the bundle's parts do not belong together.");
            }

            return signedAt;
        }

        private static byte[] PemCertificate(byte[] pem)
        {
            string text = Encoding.ASCII.GetString(pem);
            const string begin = "-----BEGIN CERTIFICATE-----";
            const string end = "-----END CERTIFICATE-----";
            int s = text.IndexOf(begin, StringComparison.Ordinal);
            int t = text.IndexOf(end, StringComparison.Ordinal);
            if (s < 0 || t < s)
            {
                throw new FormatException("the logged public key is not a PEM certificate");
            }

            string b64 = new string(text.Substring(s + begin.Length, t - s - begin.Length).Where(c => !char.IsWhiteSpace(c)).ToArray());
            return Convert.FromBase64String(b64);
        }

        private void VerifyChain(X509Certificate leaf, DateTime at, string what)
        {
            if (!leaf.IsValid(at))
            {
                throw Fail(UpdateErrorIds.SigningTimeInvalid, what,
                    $"the signature was logged at {at:u}, outside the signing certificate's validity ({leaf.NotBefore:u} to {leaf.NotAfter:u})",
                    "Do not use this release file: it was signed with a certificate that had expired or was not yet valid.");
            }

            if (leaf.GetBasicConstraints() >= 0)
            {
                throw Untrusted(what, "the signing certificate is a CA certificate");
            }

            var usage = leaf.GetKeyUsage();
            if (usage == null || !usage[0])
            {
                throw Untrusted(what, "the signing certificate does not allow digital signatures");
            }

            var eku = leaf.GetExtendedKeyUsage();
            if (eku == null || !eku.Any(o => o.Id == CodeSigning))
            {
                throw Untrusted(what, "the signing certificate is not for code signing");
            }

            string? lastProblem = null;
            foreach (var ca in root.Authorities)
            {
                if (at < ca.ValidFrom || at > ca.ValidUntil)
                {
                    lastProblem = "no trusted certificate authority was issuing certificates at that time";
                    continue;
                }

                var current = leaf;
                var used = new HashSet<X509Certificate>();
                while (true)
                {
                    var issuer = ca.Chain.FirstOrDefault(c => !used.Contains(c) && c.SubjectDN.Equivalent(current.IssuerDN) && Signs(c, current));
                    if (issuer == null)
                    {
                        lastProblem = "the certificate was not issued by a trusted certificate authority";
                        break;
                    }

                    if (!issuer.IsValid(at) || issuer.GetBasicConstraints() < 0)
                    {
                        lastProblem = "a certificate authority in the chain was not valid at the signing time";
                        break;
                    }

                    used.Add(issuer);
                    if (issuer.SubjectDN.Equivalent(issuer.IssuerDN) && Signs(issuer, issuer))
                    {
                        return; // reached the self-signed root of a trusted authority
                    }

                    current = issuer;
                }
            }

            throw Untrusted(what, lastProblem ?? "the trusted root has no certificate authority");
        }

        private static bool Signs(X509Certificate issuer, X509Certificate subject)
        {
            try
            {
                subject.Verify(issuer.GetPublicKey());
                return true;
            }
            catch (Exception ex) when (ex is CertificateException || ex is InvalidKeyException || ex is SignatureException || ex is CryptoException || ex is ArgumentException || ex is InvalidOperationException
                || ex is SecurityUtilityException || ex is Asn1Exception || ex is System.IO.IOException)
            {
                return false;
            }
        }

        private static (string Email, string Issuer) Identity(X509Certificate leaf, string what)
        {
            var emails = new List<string>();
            var names = leaf.GetSubjectAlternativeNames();
            if (names != null)
            {
                foreach (var name in names)
                {
                    if (name.Count >= 2 && name[0] is int tag && tag == GeneralName.Rfc822Name && name[1] is string email)
                    {
                        emails.Add(email);
                    }
                }
            }

            string? v1 = null, v2 = null;
            var raw1 = leaf.GetExtensionValue(new DerObjectIdentifier(IssuerV1));
            if (raw1 != null)
            {
                v1 = Encoding.UTF8.GetString(raw1.GetOctets());
            }

            var raw2 = leaf.GetExtensionValue(new DerObjectIdentifier(IssuerV2));
            if (raw2 != null)
            {
                try
                {
                    v2 = (Asn1Object.FromByteArray(raw2.GetOctets()) as DerUtf8String)?.GetString();
                }
                catch (Exception ex) when (ex is System.IO.IOException || ex is Asn1Exception || ex is ArgumentException)
                {
                    v2 = null;
                }

                if (v2 == null)
                {
                    throw Untrusted(what, "the certificate's OIDC issuer extension is malformed");
                }
            }

            if (v1 != null && v2 != null && v1 != v2)
            {
                throw Untrusted(what, "the certificate names two different OIDC issuers");
            }

            string? issuer = v2 ?? v1;
            if (emails.Count != 1 || issuer == null)
            {
                throw Fail(UpdateErrorIds.IdentityMismatch, what,
                    "the signing certificate does not name exactly one e-mail identity and an OIDC issuer",
                    "Do not use this release file.");
            }

            return (emails[0], issuer);
        }

        internal static string Hex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (byte x in bytes)
            {
                sb.Append(x.ToString("x2", CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }

        private static UpdateException Untrusted(string what, string why) => Fail(
            UpdateErrorIds.UntrustedCertificate, what, why,
            "Do not use this release file; if you run your own sigstore instance, pass its trusted_root.json to -TrustedRootPath.");

        internal static UpdateException Fail(string id, string what, string why, string action) =>
            new UpdateException(id, $"The sigstore bundle of {what} does not verify: {why}.", action, what);

        /// <summary>The parts of a bundle (media types v0.1 to v0.3) that verification uses.</summary>
        private sealed class Bundle
        {
            public X509Certificate Leaf { get; private set; } = null!;
            public byte[] Digest { get; private set; } = Array.Empty<byte>();
            public byte[] Signature { get; private set; } = Array.Empty<byte>();
            public LogEntry? Entry { get; private set; }

            public static Bundle Parse(byte[] json, string what)
            {
                try
                {
                    using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
                    var r = doc.RootElement;
                    var b = new Bundle();
                    var ms = r.GetProperty("messageSignature");
                    var md = ms.GetProperty("messageDigest");
                    if (md.GetProperty("algorithm").GetString() != "SHA2_256")
                    {
                        throw new FormatException("the message digest is not SHA2_256");
                    }

                    b.Digest = Convert.FromBase64String(md.GetProperty("digest").GetString()!);
                    if (b.Digest.Length != 32)
                    {
                        throw new FormatException($"the SHA2_256 digest has {b.Digest.Length} bytes instead of 32");
                    }

                    b.Signature = Convert.FromBase64String(ms.GetProperty("signature").GetString()!);
                    var vm = r.GetProperty("verificationMaterial");
                    string certB64 = vm.TryGetProperty("certificate", out var cert)
                        ? cert.GetProperty("rawBytes").GetString()!
                        : vm.GetProperty("x509CertificateChain").GetProperty("certificates")[0].GetProperty("rawBytes").GetString()!;
                    b.Leaf = new X509CertificateParser().ReadCertificate(Convert.FromBase64String(certB64))
                        ?? throw new FormatException("the certificate is empty");
                    if (vm.TryGetProperty("tlogEntries", out var entries))
                    {
                        foreach (var e in entries.EnumerateArray())
                        {
                            if (!e.TryGetProperty("inclusionPromise", out var promise))
                            {
                                continue;
                            }

                            b.Entry = new LogEntry(
                                Number(e.GetProperty("logIndex")),
                                Convert.FromBase64String(e.GetProperty("logId").GetProperty("keyId").GetString()!),
                                Number(e.GetProperty("integratedTime")),
                                e.GetProperty("canonicalizedBody").GetString()!,
                                Convert.FromBase64String(promise.GetProperty("signedEntryTimestamp").GetString()!));
                            break;
                        }
                    }

                    return b;
                }
                catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is KeyNotFoundException || ex is InvalidOperationException
                    || ex is IndexOutOfRangeException || ex is ArgumentException || ex is CertificateException || ex is System.IO.IOException || ex is Asn1Exception)
                {
                    throw Fail(UpdateErrorIds.MalformedBundle, what,
                        "it is not a well-formed sigstore bundle: " + ex.Message,
                        "Run the command again later (the file may have been cut short); if it persists, do not use the release file.");
                }
            }

            private static long Number(JsonElement e)
            {
                string? text = e.ValueKind == JsonValueKind.String ? e.GetString() : e.ValueKind == JsonValueKind.Number ? e.GetRawText() : null;
                if (text == null || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                {
                    throw new FormatException($"'{e.GetRawText()}' is not a non-negative integer");
                }

                return n;
            }
        }

        private sealed class LogEntry
        {
            public LogEntry(long logIndex, byte[] logId, long integratedTime, string bodyBase64, byte[] set)
            {
                LogIndex = logIndex;
                LogId = logId;
                IntegratedTime = integratedTime;
                BodyBase64 = bodyBase64;
                SignedEntryTimestamp = set;
            }

            public long LogIndex { get; }
            public byte[] LogId { get; }
            public long IntegratedTime { get; }
            public string BodyBase64 { get; }
            public byte[] SignedEntryTimestamp { get; }
        }
    }
}
