using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Security.Certificates;
using Org.BouncyCastle.X509;
using PythonImages.Security;

namespace PythonImages.Updates.Sigstore
{
    /// <summary>
    /// The anchors sigstore bundles are verified against, in sigstore's trusted_root.json format: the Fulcio certificate
    /// authorities (certificate chains with their validity windows) and the transparency logs' public keys.
    /// The module embeds the public-good instance's; -TrustedRootPath replaces it.
    /// </summary>
    public sealed class TrustedRoot
    {
        private TrustedRoot(IReadOnlyList<CertificateAuthority> authorities, IReadOnlyList<TransparencyLog> logs, string source)
        {
            Authorities = authorities;
            Logs = logs;
            Source = source;
        }

        /// <summary>The certificate authorities (Fulcio).</summary>
        public IReadOnlyList<CertificateAuthority> Authorities { get; }

        /// <summary>The transparency logs (Rekor).</summary>
        public IReadOnlyList<TransparencyLog> Logs { get; }

        /// <summary>Where the root came from (a path, or "embedded").</summary>
        public string Source { get; }

        private static readonly Lazy<TrustedRoot> Embedded = new Lazy<TrustedRoot>(() =>
        {
            using var stream = typeof(TrustedRoot).Assembly.GetManifestResourceStream("PythonImages.sigstore-trusted-root.json")
                ?? throw new InvalidOperationException("The embedded sigstore trusted root is missing from PythonImages.Core.");
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), "(embedded sigstore public-good trusted root)");
        });

        /// <summary>The Sigstore public-good trust root (Fulcio CAs and the Rekor key), embedded in the module.</summary>
        public static TrustedRoot PublicGood => Embedded.Value;

        /// <summary>Reads a trusted_root.json file.</summary>
        public static TrustedRoot Load(string path)
        {
            string text;
            try
            {
                // Only a regular file, and never more than 1 MiB of it (a FIFO or /dev/zero is refused, not read).
                text = InputFile.ReadText(path, 1024 * 1024);
            }
            catch (InputFileException ex)
            {
                throw Invalid(path, ex.Problem switch
                {
                    InputFileProblem.NotFound => "the file does not exist",
                    InputFileProblem.TooLarge => "the file is larger than 1 MiB",
                    _ => ex.Message,
                });
            }

            return Parse(text, path);
        }

        /// <summary>Parses a trusted_root.json text; <paramref name="source"/> names it in messages.</summary>
        public static TrustedRoot Parse(string json, string source)
        {
            try
            {
                using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
                var root = doc.RootElement;
                var cas = new List<CertificateAuthority>();
                if (root.TryGetProperty("certificateAuthorities", out var caArray))
                {
                    foreach (var ca in caArray.EnumerateArray())
                    {
                        var parser = new X509CertificateParser();
                        var certs = ca.GetProperty("certChain").GetProperty("certificates").EnumerateArray()
                            .Select(c => parser.ReadCertificate(Convert.FromBase64String(c.GetProperty("rawBytes").GetString()!))
                                ?? throw new FormatException("a certificate is empty"))
                            .ToList();
                        if (certs.Count == 0)
                        {
                            throw new FormatException("a certificate authority has no certificates");
                        }

                        var (start, end) = Window(ca);
                        cas.Add(new CertificateAuthority(certs, start, end));
                    }
                }

                var logs = new List<TransparencyLog>();
                if (root.TryGetProperty("tlogs", out var tlogArray))
                {
                    foreach (var log in tlogArray.EnumerateArray())
                    {
                        var pk = log.GetProperty("publicKey");
                        byte[] spki = Convert.FromBase64String(pk.GetProperty("rawBytes").GetString()!);
                        byte[] keyId = Convert.FromBase64String(log.GetProperty("logId").GetProperty("keyId").GetString()!);
                        var (start, end) = Window(pk);
                        logs.Add(new TransparencyLog(PublicKeyFactory.CreateKey(spki), keyId, start, end));
                    }
                }

                if (cas.Count == 0)
                {
                    throw new FormatException("it lists no certificateAuthorities");
                }

                return new TrustedRoot(cas, logs, source);
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is KeyNotFoundException || ex is InvalidOperationException
                || ex is ArgumentException || ex is CertificateException || ex is IOException || ex is SecurityUtilityException
                || ex is Org.BouncyCastle.Asn1.Asn1Exception || ex is InvalidCastException)
            {
                throw Invalid(source, ex.Message);
            }
        }

        private static (DateTime Start, DateTime End) Window(JsonElement owner)
        {
            if (!owner.TryGetProperty("validFor", out var v))
            {
                return (DateTime.MinValue, DateTime.MaxValue);
            }

            DateTime start = v.TryGetProperty("start", out var s) ? ParseTime(s.GetString()) : DateTime.MinValue;
            DateTime end = v.TryGetProperty("end", out var e) ? ParseTime(e.GetString()) : DateTime.MaxValue;
            return (start, end);
        }

        private static DateTime ParseTime(string? text) =>
            DateTime.Parse(text ?? throw new FormatException("a validFor time is empty"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

        private static UpdateException Invalid(string source, string why) => new UpdateException(
            UpdateErrorIds.TrustedRootInvalid,
            $"The sigstore trusted root {source} cannot be used: {why}.",
            "Pass a trusted_root.json in sigstore's format (certificateAuthorities with certChain, tlogs with publicKey and logId) to -TrustedRootPath, or omit it to use the embedded public-good root.",
            source);
    }

    /// <summary>A Fulcio instance: its certificates (intermediates and root) and when it issued certificates.</summary>
    public sealed class CertificateAuthority
    {
        /// <summary>A certificate authority and its validity.</summary>
        public CertificateAuthority(IReadOnlyList<X509Certificate> chain, DateTime validFrom, DateTime validUntil)
        {
            Chain = chain;
            ValidFrom = validFrom;
            ValidUntil = validUntil;
        }

        /// <summary>Its chain, leaf-side first.</summary>
        public IReadOnlyList<X509Certificate> Chain { get; }

        /// <summary>Valid from (UTC).</summary>
        public DateTime ValidFrom { get; }

        /// <summary>Valid until (UTC).</summary>
        public DateTime ValidUntil { get; }
    }

    /// <summary>A transparency log (Rekor): the key that signs its entry timestamps, its id, when the key was in use.</summary>
    public sealed class TransparencyLog
    {
        /// <summary>A transparency log's key and validity.</summary>
        public TransparencyLog(AsymmetricKeyParameter key, byte[] keyId, DateTime validFrom, DateTime validUntil)
        {
            Key = key;
            KeyId = keyId;
            ValidFrom = validFrom;
            ValidUntil = validUntil;
        }

        /// <summary>The log's public key.</summary>
        public AsymmetricKeyParameter Key { get; }

        /// <summary>The log's key id.</summary>
        public byte[] KeyId { get; }

        /// <summary>Valid from (UTC).</summary>
        public DateTime ValidFrom { get; }

        /// <summary>Valid until (UTC).</summary>
        public DateTime ValidUntil { get; }
    }
}
