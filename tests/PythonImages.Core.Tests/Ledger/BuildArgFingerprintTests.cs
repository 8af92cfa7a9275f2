using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using PythonImages.Ledger;
using Xunit;
using Xunit.Abstractions;

namespace PythonImages.Tests.Ledger
{
    public sealed class BuildArgFingerprintTests
    {
        private readonly ITestOutputHelper output;

        public BuildArgFingerprintTests(ITestOutputHelper output) => this.output = output;

        [Theory]
        [InlineData("passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")] // RFC 7914, section 11
        [InlineData("Password", "NaCl", 80000, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56")]
        public void ThePbkdf2IsRfc8018WithHmacSha256(string password, string salt, int iterations, string expected)
        {
            // The runtime's own derivation (found by reflection) and the written-out one (any other runtime) agree.
            Assert.Equal(expected, Convert.ToHexStringLower(BuildArgFingerprint.Pbkdf2Sha256(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(salt), iterations)));
            Assert.Equal(expected, Convert.ToHexStringLower(BuildArgFingerprint.WrittenOut(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(salt), iterations)));
        }

        [Fact]
        public void AFingerprintIsTheSlowSaltedDerivationNotAPlainHashOfTheValue()
        {
            var clock = Stopwatch.StartNew();
            string fingerprint = BuildArgFingerprint.Of("TOKEN", "hunter2", "3.14/slim-trixie", "linux/amd64");
            output.WriteLine($"one fingerprint: {clock.Elapsed.TotalMilliseconds:0.0} ms ({BuildArgFingerprint.Iterations} rounds)");

            // What anyone can recompute from the documented salt: the value alone is no longer enough.
            byte[] salt = Encoding.UTF8.GetBytes("pythonimages/build-ledger/build-arg\nTOKEN\n3.14/slim-trixie\nlinux/amd64");
            string expected = "pbkdf2-sha256:" + Convert.ToHexStringLower(Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes("hunter2"), salt, 100000, HashAlgorithmName.SHA256, 32));
            Assert.Equal(expected, fingerprint);
            Assert.DoesNotContain(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("hunter2"))), fingerprint, StringComparison.Ordinal);
            Assert.True(global::PythonImages.Security.LedgerGrammar.BuildArgDigest.IsMatch(fingerprint));

            // The same on every machine; another name, image, platform or value gives another one.
            Assert.Equal(fingerprint, BuildArgFingerprint.Of("TOKEN", "hunter2", "3.14/slim-trixie", "linux/amd64"));
            var others = new HashSet<string>(StringComparer.Ordinal)
            {
                fingerprint,
                BuildArgFingerprint.Of("TOKEN2", "hunter2", "3.14/slim-trixie", "linux/amd64"),
                BuildArgFingerprint.Of("TOKEN", "hunter2", "3.14/trixie", "linux/amd64"),
                BuildArgFingerprint.Of("TOKEN", "hunter2", "3.14/slim-trixie", "linux/arm64"),
                BuildArgFingerprint.Of("TOKEN", "hunter3", "3.14/slim-trixie", "linux/amd64"),
                BuildArgFingerprint.Of("TOKEN", string.Empty, "3.14/slim-trixie", "linux/amd64"),
            };
            Assert.Equal(6, others.Count);
        }

        [Fact]
        public void LedgersWithPlainSha256ArgumentsStillReadAndCountAsOtherInputs()
        {
            string old = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("hunter2")));
            string Text(string value) =>
                "{\"schema\":\"pythonimages/build-ledger\",\"version\":1,\"images\":[{\"image\":\"3.14/slim-trixie\",\"platform\":\"linux/amd64\"," +
                "\"dockerfileSha256\":\"" + new string('a', 64) + "\",\"contextDigest\":\"sha256:" + new string('b', 64) + "\"," +
                "\"buildArgs\":{\"TOKEN\":\"" + value + "\"},\"baseImage\":null,\"baseImageId\":null,\"baseImageDigest\":null," +
                "\"imageId\":\"sha256:" + new string('c', 64) + "\",\"tags\":[],\"sharedTags\":[],\"created\":\"2026-12-01T00:00:00Z\",\"pushed\":{}}]}";

            var before = LedgerJson.Parse(Text(old), "old").Find("3.14/slim-trixie", "linux/amd64")!;
            Assert.True(BuildArgFingerprint.IsLegacy(before.BuildArgs["TOKEN"]));
            var now = before.Clone();
            now.BuildArgs["TOKEN"] = BuildArgFingerprint.Of("TOKEN", "hunter2", "3.14/slim-trixie", "linux/amd64");
            Assert.False(before.SameInputs(now));

            // A fingerprint reads back as written; another kind of value is refused.
            var back = LedgerJson.Parse(LedgerJson.Serialize(Single(now)), "new").Find("3.14/slim-trixie", "linux/amd64")!;
            Assert.True(back.SameInputs(now));
            var bad = Assert.Throws<LedgerException>(() => LedgerJson.Parse(Text("md5:" + new string('0', 32)), "bad"));
            Assert.Equal(LedgerErrorIds.Invalid, bad.ErrorId);
            Assert.Throws<LedgerException>(() => LedgerJson.Parse(Text("pbkdf2-sha256:" + new string('A', 64)), "bad"));
        }

        /// <summary>The keyed fingerprint as the documentation describes it, computed here with the runtime's own primitives.</summary>
        private static string Keyed(string key, string name, string value, string image, string platform)
        {
            byte[] derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("pythonimages/build-ledger/ledger-key"), 100000, HashAlgorithmName.SHA256, 32);
            string id = Convert.ToHexStringLower(HMACSHA256.HashData(derived, Encoding.UTF8.GetBytes("pythonimages/build-ledger/ledger-key-id")))[..16];
            byte[] salt = Encoding.UTF8.GetBytes("pythonimages/build-ledger/build-arg\n" + name + "\n" + image + "\n" + platform);
            byte[] unkeyed = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(value), salt, 100000, HashAlgorithmName.SHA256, 32);
            byte[] message = [.. Encoding.UTF8.GetBytes("pythonimages/build-ledger/build-arg-keyed\n"), .. unkeyed];
            return "hmac-pbkdf2-sha256:" + id + ":" + Convert.ToHexStringLower(HMACSHA256.HashData(derived, message));
        }

        [Fact]
        public void AKeyedFingerprintIsAnHmacUnderTheKeyAndMatchesNeitherTheUnkeyedOneNorAnotherKeys()
        {
            // Without a key, anyone can compute the fingerprint of a guessed value from the documented salt; with one, nobody
            // without the key can, and the same key on another machine gives the same fingerprint (ledgers still merge).
            const string Secret = "correct-horse-battery-staple-42";
            var key = LedgerKey.From(Secret.ToCharArray(), "-LedgerKey");
            string keyed = BuildArgFingerprint.Of("TOKEN", "hunter2", "3.14/slim-trixie", "linux/amd64", key);
            Assert.Equal(Keyed(Secret, "TOKEN", "hunter2", "3.14/slim-trixie", "linux/amd64"), keyed);
            Assert.True(global::PythonImages.Security.LedgerGrammar.BuildArgDigest.IsMatch(keyed));
            Assert.Equal(keyed, BuildArgFingerprint.Of("TOKEN", "hunter2", "3.14/slim-trixie", "linux/amd64", LedgerKey.From(Secret.ToCharArray(), "elsewhere")));

            string unkeyed = BuildArgFingerprint.Of("TOKEN", "hunter2", "3.14/slim-trixie", "linux/amd64");
            string other = BuildArgFingerprint.Of("TOKEN", "hunter2", "3.14/slim-trixie", "linux/amd64", LedgerKey.From("another-secret-of-16+".ToCharArray(), "-LedgerKey"));
            Assert.Equal(3, new HashSet<string>(StringComparer.Ordinal) { keyed, unkeyed, other }.Count);
            Assert.DoesNotContain(unkeyed[BuildArgFingerprint.Prefix.Length..], keyed, StringComparison.Ordinal);

            // Nothing that shows the key shows the secret.
            Assert.DoesNotContain(Secret, key.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(Secret)), keyed, StringComparison.Ordinal);

            // Each way the recorded arguments can differ from now only by the key has its own reason; a value change has none.
            IDictionary<string, string> Args(string v) => new Dictionary<string, string> { ["TOKEN"] = v };
            Assert.StartsWith("its build arguments were recorded without a ledger key", BuildArgFingerprint.KeyChange(Args(unkeyed), Args(keyed)), StringComparison.Ordinal);
            Assert.StartsWith("its build arguments were recorded with a ledger key and none is given now", BuildArgFingerprint.KeyChange(Args(keyed), Args(unkeyed)), StringComparison.Ordinal);
            Assert.StartsWith("its build arguments were recorded with another ledger key", BuildArgFingerprint.KeyChange(Args(other), Args(keyed)), StringComparison.Ordinal);
            Assert.Null(BuildArgFingerprint.KeyChange(Args(keyed), Args(BuildArgFingerprint.Of("TOKEN", "hunter3", "3.14/slim-trixie", "linux/amd64", key))));
            Assert.Null(BuildArgFingerprint.KeyChange(Args(unkeyed), Args(BuildArgFingerprint.Of("TOKEN", "hunter3", "3.14/slim-trixie", "linux/amd64"))));
        }

        [Theory]
        [InlineData(15)]
        [InlineData(1025)]
        public void AKeyTooShortOrTooLongIsLedgerInvalidKeyAndTheErrorNeverShowsIt(int length)
        {
            string secret = new string('k', length - 1) + "Z";
            var ex = Assert.Throws<LedgerException>(() => LedgerKey.From(secret.ToCharArray(), "-LedgerKey"));
            Assert.Equal(LedgerErrorIds.InvalidKey, ex.ErrorId);
            Assert.Contains("-LedgerKey", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("kZ", ex.Message + ex.RecommendedAction, StringComparison.Ordinal);
            Assert.DoesNotContain(length.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void KeyedFragmentsMergeWithTheSameKeyAndConflictWithAnotherKeyNamingTheKey()
        {
            LedgerEntry Entry(LedgerKey? key) => new LedgerEntry
            {
                Image = "3.14/slim-trixie",
                Platform = "linux/amd64",
                DockerfileSha256 = new string('a', 64),
                ContextDigest = "sha256:" + new string('b', 64),
                ImageId = "sha256:" + new string('c', 64),
                BuildArgs = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["TOKEN"] = BuildArgFingerprint.Of("TOKEN", "hunter2", "3.14/slim-trixie", "linux/amd64", key) },
            };
            var one = LedgerKey.From("correct-horse-battery-staple-42".ToCharArray(), "-LedgerKey");
            var again = LedgerKey.From("correct-horse-battery-staple-42".ToCharArray(), "PYTHONIMAGES_LEDGER_KEY");

            // Round trip through the file format: a keyed fingerprint is read back as written.
            var a = LedgerJson.Parse(LedgerJson.Serialize(Single(Entry(one))), "a");
            var merged = LedgerMerge.Merge(new[] { new KeyValuePair<string, BuildLedger>("a", a), new KeyValuePair<string, BuildLedger>("b", Single(Entry(again))) });
            Assert.Equal(1, merged.Count);

            foreach (var stranger in new[] { Entry(LedgerKey.From("another-secret-of-16+".ToCharArray(), "-LedgerKey")), Entry(null) })
            {
                var ex = Assert.Throws<LedgerException>(() => LedgerMerge.Merge(new[] { new KeyValuePair<string, BuildLedger>("a", a), new KeyValuePair<string, BuildLedger>("c", Single(stranger)) }));
                Assert.Equal(LedgerErrorIds.Conflict, ex.ErrorId);
                Assert.Contains("fingerprinted with different ledger keys", ex.Message, StringComparison.Ordinal);
                Assert.Contains("same ledger key", ex.RecommendedAction, StringComparison.Ordinal);
            }
        }

        private static BuildLedger Single(LedgerEntry entry)
        {
            var ledger = new BuildLedger();
            ledger.Set(entry);
            return ledger;
        }
    }
}
