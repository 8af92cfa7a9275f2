using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace PythonImages.Ledger
{
    /// <summary>
    /// What a ledger records of a build argument's value: enough to tell "the same value as last time", useless for
    /// guessing the value offline. PBKDF2-HMAC-SHA256 (RFC 8018) of the value, <see cref="Iterations"/> rounds, salted
    /// with the argument's name, the image key and the platform: the same value gives the same fingerprint on every
    /// machine (ledgers of different agents compare and merge), each guess costs an attacker as much as one fingerprint
    /// costs a build (tens of milliseconds), and a guess is good for one argument of one image only (no table of
    /// fingerprints of common values serves two images). Ledgers written before this recorded a plain sha256 of the value
    /// (<c>sha256:</c>); such an entry never equals a fingerprint, so its image is built once more and recorded anew.
    /// With a deployment's <see cref="LedgerKey"/> the fingerprint is keyed (<see cref="KeyedPrefix"/>): the HMAC, under the
    /// key, of the fingerprint above, with the key's public id; it equals neither an unkeyed one nor one of another key, so
    /// a key given, dropped or changed builds each image with build arguments once more, with that reason.
    /// </summary>
    public static class BuildArgFingerprint
    {
        /// <summary>The prefix of a fingerprint: pbkdf2-sha256:&lt;64 lowercase hex digits&gt;.</summary>
        public const string Prefix = "pbkdf2-sha256:";

        /// <summary>The prefix of a keyed fingerprint: hmac-pbkdf2-sha256:&lt;16 hex digits of the key's id&gt;:&lt;64 lowercase hex digits&gt;.</summary>
        public const string KeyedPrefix = "hmac-pbkdf2-sha256:";

        /// <summary>The prefix of the plain sha256 of the value that ledgers written before held (read, never written).</summary>
        public const string LegacyPrefix = "sha256:";

        /// <summary>
        /// PBKDF2 rounds: one fingerprint took 24 to 55 ms of processor time (PowerShell 7 on .NET 10, a shared two-core
        /// machine), once per build argument and image of a build; the same for each guess of an attacker.
        /// </summary>
        public const int Iterations = 100000;

        /// <summary>The fingerprint of <paramref name="value"/>, the value of build argument <paramref name="name"/> of <paramref name="image"/> on <paramref name="platform"/>.</summary>
        public static string Of(string name, string value, string image, string platform) => Of(name, value, image, platform, null);

        /// <summary>The fingerprint of <paramref name="value"/> (see <see cref="Of(string, string, string, string)"/>), keyed with <paramref name="key"/> when one is given.</summary>
        public static string Of(string name, string value, string image, string platform, LedgerKey? key)
        {
            var utf8 = new UTF8Encoding(false);
            byte[] salt = utf8.GetBytes("pythonimages/build-ledger/build-arg\n" + name + "\n" + image + "\n" + platform);
            byte[] fingerprint = Pbkdf2Sha256(utf8.GetBytes(value ?? string.Empty), salt, Iterations);
            return key == null ? Prefix + ToHex(fingerprint) : KeyedPrefix + key.Id + ":" + ToHex(key.Seal(fingerprint));
        }

        /// <summary>
        /// Why the recorded build arguments <paramref name="was"/> differ from <paramref name="now"/> when a different key (or
        /// an earlier version) wrote them, not a different value: the reason a rebuild gives; null when nothing tells so.
        /// </summary>
        public static string? KeyChange(IDictionary<string, string> was, IDictionary<string, string> now)
        {
            if (was.Values.Any(IsLegacy))
            {
                return "its build arguments were recorded by an earlier version as plain sha256 digests; it is built once to record them as fingerprints";
            }

            if (!KeysDiffer(was, now))
            {
                return null;
            }

            return was.Values.Any(v => KeyIdOf(v).Length == 0)
                ? "its build arguments were recorded without a ledger key; it is built once to record them with the ledger key given now"
                : now.Values.Any(v => KeyIdOf(v).Length == 0)
                    ? $"its build arguments were recorded with a ledger key and none is given now (-LedgerKey, {LedgerKey.EnvironmentVariable}); it is built once to record them without one"
                    : "its build arguments were recorded with another ledger key; it is built once to record them with the ledger key given now";
        }

        /// <summary>Whether the fingerprints <paramref name="a"/> and <paramref name="b"/> (both with some) were written with different ledger keys, or one with a key and one without.</summary>
        public static bool KeysDiffer(IDictionary<string, string> a, IDictionary<string, string> b)
        {
            var first = a.Values.Where(v => !IsLegacy(v)).Select(KeyIdOf).Distinct(StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal).ToList();
            var second = b.Values.Where(v => !IsLegacy(v)).Select(KeyIdOf).Distinct(StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal).ToList();
            return first.Count > 0 && second.Count > 0 && !first.SequenceEqual(second, StringComparer.Ordinal);
        }

        /// <summary>The id of the key <paramref name="recorded"/> was written with; empty when it is not keyed.</summary>
        public static string KeyIdOf(string recorded) =>
            recorded.StartsWith(KeyedPrefix, StringComparison.Ordinal) && recorded.Length > KeyedPrefix.Length + 16
                ? recorded.Substring(KeyedPrefix.Length, 16)
                : string.Empty;

        /// <summary>Whether <paramref name="recorded"/> is in the form of ledgers written before fingerprints (a plain sha256 of the value).</summary>
        public static bool IsLegacy(string recorded) => recorded.StartsWith(LegacyPrefix, StringComparison.Ordinal);

        /// <summary>
        /// The first 32 bytes of PBKDF2 with HMAC-SHA256 (RFC 8018, section 5.2). netstandard2.0 names PBKDF2 with SHA-1
        /// only, but every runtime the module loads in has it with SHA-256 (.NET 6+: Rfc2898DeriveBytes.Pbkdf2; .NET
        /// Framework 4.7.2+: its constructor with a HashAlgorithmName), several times faster than HMAC called from here;
        /// the written-out derivation serves any other runtime and gives the same bytes (the tests compare them).
        /// </summary>
        internal static byte[] Pbkdf2Sha256(byte[] password, byte[] salt, int iterations)
        {
            if (Runtime.Value != null)
            {
                try
                {
                    return Runtime.Value(password, salt, iterations);
                }
                catch (TargetInvocationException)
                {
                    // Refused by this runtime (a FIPS policy, an odd build): the written-out derivation gives the same bytes.
                }
            }

            return WrittenOut(password, salt, iterations);
        }

        /// <summary>PBKDF2-HMAC-SHA256, first block, written out: T1 = U1 xor ... xor Uc.</summary>
        internal static byte[] WrittenOut(byte[] password, byte[] salt, int iterations)
        {
            using var hmac = new HMACSHA256(password);
            byte[] first = new byte[salt.Length + 4];
            Buffer.BlockCopy(salt, 0, first, 0, salt.Length);
            first[first.Length - 1] = 1; // INT(1), big-endian: the first (and only) block
            byte[] u = hmac.ComputeHash(first);
            byte[] result = (byte[])u.Clone();
            for (int round = 1; round < iterations; round++)
            {
                u = hmac.ComputeHash(u);
                for (int i = 0; i < result.Length; i++)
                {
                    result[i] ^= u[i];
                }
            }

            return result;
        }

        private static readonly Lazy<Func<byte[], byte[], int, byte[]>?> Runtime = new Lazy<Func<byte[], byte[], int, byte[]>?>(FindRuntime);

        /// <summary>The runtime's own PBKDF2-HMAC-SHA256, found by reflection (netstandard2.0 does not name it), or null.</summary>
        private static Func<byte[], byte[], int, byte[]>? FindRuntime()
        {
            var type = typeof(Rfc2898DeriveBytes);
            var pbkdf2 = type.GetMethod("Pbkdf2", new[] { typeof(byte[]), typeof(byte[]), typeof(int), typeof(HashAlgorithmName), typeof(int) });
            if (pbkdf2 != null && pbkdf2.IsStatic && pbkdf2.ReturnType == typeof(byte[]))
            {
                return (password, salt, iterations) => (byte[])pbkdf2.Invoke(null, new object[] { password, salt, iterations, HashAlgorithmName.SHA256, 32 });
            }

            var constructor = type.GetConstructor(new[] { typeof(byte[]), typeof(byte[]), typeof(int), typeof(HashAlgorithmName) });
            if (constructor != null)
            {
                return (password, salt, iterations) =>
                {
                    using var derive = (Rfc2898DeriveBytes)constructor.Invoke(new object[] { password, salt, iterations, HashAlgorithmName.SHA256 });
                    return derive.GetBytes(32);
                };
            }

            return null;
        }

        /// <summary>Lowercase hexadecimal digits of <paramref name="bytes"/>.</summary>
        internal static string ToHex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (byte b in bytes)
            {
                sb.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }
    }
}
