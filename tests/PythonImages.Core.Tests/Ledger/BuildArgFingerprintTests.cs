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

        private static BuildLedger Single(LedgerEntry entry)
        {
            var ledger = new BuildLedger();
            ledger.Set(entry);
            return ledger;
        }
    }
}
