using System;
using System.Security.Cryptography;
using System.Text;

namespace PythonImages.Ledger
{
    /// <summary>
    /// A deployment's secret ledger key (Invoke-PythonImageBuild -LedgerKey, or PYTHONIMAGES_LEDGER_KEY): with one, a
    /// build argument's fingerprint is an HMAC-SHA256, under a key derived from it, of the unkeyed fingerprint, so that
    /// nobody without the key can test a guess of a value against a ledger, nor precompute fingerprints of common values.
    /// Holds only the derived key (PBKDF2-HMAC-SHA256 of the secret, <see cref="BuildArgFingerprint.Iterations"/> rounds)
    /// and a short public id of it (which key wrote an entry); never the secret, and nothing of it is ever shown.
    /// </summary>
    public sealed class LedgerKey
    {
        /// <summary>The fewest characters a key has: a random key of 16 or more is beyond guessing.</summary>
        public const int MinLength = 16;

        /// <summary>The most characters a key has.</summary>
        public const int MaxLength = 1024;

        /// <summary>The environment variable a key is read from when -LedgerKey is not given (a CI secret).</summary>
        public const string EnvironmentVariable = "PYTHONIMAGES_LEDGER_KEY";

        private readonly byte[] derived;

        private LedgerKey(byte[] derived, string id)
        {
            this.derived = derived;
            Id = id;
        }

        /// <summary>The key's public id (16 lowercase hex digits): the HMAC of a fixed text under the derived key, so the same secret has the same id everywhere and the id tells nothing of it.</summary>
        public string Id { get; }

        /// <summary>
        /// The key of the secret <paramref name="secret"/> (its characters, cleared after use by the caller); a
        /// <see cref="LedgerErrorIds.InvalidKey"/> naming <paramref name="source"/> (never the value) when it is too short or too long.
        /// </summary>
        public static LedgerKey From(char[] secret, string source)
        {
            if (secret.Length < MinLength || secret.Length > MaxLength)
            {
                throw new LedgerException(
                    LedgerErrorIds.InvalidKey,
                    $"The ledger key from {source} is not usable: a ledger key has {MinLength} to {MaxLength} characters. Nothing was built or written.",
                    $"Give a random key of {MinLength} or more characters (e.g. from a password manager or [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32))), kept as a secret of your CI; or leave out -LedgerKey and {EnvironmentVariable} for unkeyed fingerprints.");
            }

            byte[] bytes = new UTF8Encoding(false).GetBytes(secret);
            try
            {
                byte[] derived = BuildArgFingerprint.Pbkdf2Sha256(bytes, Encoding.UTF8.GetBytes("pythonimages/build-ledger/ledger-key"), BuildArgFingerprint.Iterations);
                using var hmac = new HMACSHA256(derived);
                string id = BuildArgFingerprint.ToHex(hmac.ComputeHash(Encoding.UTF8.GetBytes("pythonimages/build-ledger/ledger-key-id"))).Substring(0, 16);
                return new LedgerKey(derived, id);
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        /// <summary>Never the key: a result, a log or an error that shows this object shows this text.</summary>
        public override string ToString() => "(ledger key " + Id + ")";

        /// <summary>The HMAC-SHA256 under the derived key of <paramref name="fingerprint"/> (an unkeyed fingerprint's bytes).</summary>
        internal byte[] Seal(byte[] fingerprint)
        {
            using var hmac = new HMACSHA256(derived);
            byte[] label = Encoding.UTF8.GetBytes("pythonimages/build-ledger/build-arg-keyed\n");
            byte[] message = new byte[label.Length + fingerprint.Length];
            Buffer.BlockCopy(label, 0, message, 0, label.Length);
            Buffer.BlockCopy(fingerprint, 0, message, label.Length, fingerprint.Length);
            return hmac.ComputeHash(message);
        }
    }
}
