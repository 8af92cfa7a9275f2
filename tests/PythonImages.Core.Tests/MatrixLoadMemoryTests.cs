using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// Issue 16, session 13: a large matrix's load keeps less (a checksum as its 32 bytes until it is read, the seldom
    /// fields of a version in a side object, no line array for variants one a line, no Directory field in an image) and
    /// throws less away (one reused key set for the versions map, long scalars left in the text until asked for). Each of
    /// these must give exactly the values, errors and lines the plain storage gave.
    /// </summary>
    public sealed class MatrixLoadMemoryTests
    {
        private const string Digest = "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789ABCDEF";

        private static Matrix Load(string text, bool subset = true) =>
            MatrixLoader.Parse(text, "memory.yaml", () => MatrixLoader.Default.Architectures, () => Array.Empty<string>(), subset);

        private static MatrixException Fails(string text) => Assert.Throws<MatrixException>(() => Load(text));

        private static string Entry(string key, string version, string checksumLine) =>
            "  '" + key + "':\n    version: " + version + "\n" + checksumLine + "    variants: [trixie]\n";

        [Theory]
        [InlineData("    checksums:\n      source: {sha256: " + Digest + "}\n")]
        [InlineData("    checksums:\n      source:\n        sha256: " + Digest + "\n")]
        [InlineData("    checksums:\n      source:\n        sha256: '" + Digest + "'\n")]
        [InlineData("    checksums:\n      source:\n        sha256: \"" + Digest + "\"\n")]
        [InlineData("    checksums: {source: {sha256: '" + Digest + "', sha1: 0123456789abcdef0123456789abcdef01234567}}\n")]
        public void AChecksumReadAsItsDigitsIsTheSameStringInLowercaseOnBothParsers(string checksum)
        {
            string text = "versions:\n" + Entry("3.14", "3.14.6", checksum);
            var fast = Load(text).Versions[0];
            var slow = Load(text, subset: false).Versions[0];
            Assert.Equal(Digest.ToLowerInvariant(), fast.SourceSha256);
            Assert.Equal(slow.SourceSha256, fast.SourceSha256);
            Assert.Same(fast.SourceSha256, fast.SourceSha256); // made on the first read, then kept
        }

        [Fact]
        public void AChecksumInAVersionsJsonIsReadAsItsDigits()
        {
            string json = "{\n  \"3.14\": {\n    \"checksums\": {\n      \"source\": {\n        \"sha256\": \"" + Digest + "\"\n      },\n"
                + "      \"windows\": {\n        \"sha256\": \"" + Digest + "\"\n      }\n    },\n    \"variants\": [\n      \"trixie\"\n    ],\n"
                + "    \"version\": \"3.14.6\"\n  }\n}\n";
            var entry = Load(json).Versions[0];
            Assert.Equal(Digest.ToLowerInvariant(), entry.SourceSha256);
            Assert.Equal(Digest.ToLowerInvariant(), entry.WindowsSha256);
        }

        [Fact]
        public void ASetChecksumReplacesTheDigitsReadAndNullClearsIt()
        {
            var entry = Load("versions:\n" + Entry("3.14", "3.14.6", "    checksums: {source: {sha256: " + Digest + "}}\n")).Versions[0];
            entry.SourceSha256 = "ab";
            Assert.Equal("ab", entry.SourceSha256);
            entry.SourceSha256 = null;
            Assert.Null(entry.SourceSha256);
        }

        [Theory]
        [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg")] // 64 characters, one not hexadecimal
        [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0")] // 65 digits
        [InlineData("0123456789abcdef 0123456789abcdef0123456789abcdef0123456789abcde")] // 64 characters with a space
        public void AChecksumThatIsNotSixtyFourHexadecimalDigitsIsStillRefusedAtItsLine(string value)
        {
            var ex = Fails("versions:\n" + Entry("3.14", "3.14.6", "    checksums:\n      source:\n        sha256: '" + value + "'\n"));
            Assert.Equal(MatrixErrorIds.InvalidChecksum, ex.ErrorId);
            Assert.Equal(6, ex.Line);
            Assert.Contains(value, ex.Message);
        }

        [Fact]
        public void LongScalarsAreMadeWhenTheReaderAsksForThem()
        {
            // Longer than the 48 characters the scanner makes strings of as it reads: a maintainer, the repository, an
            // unknown key (its name is in the error), a variant (its text is in the error).
            string maintainer = "A Maintainer With A Rather Long Name And Handle (@a-maintainer-with-a-long-handle)";
            string repository = "https://github.com/an-organization-with-a-long-name/python-images-of-our-own";
            var matrix = Load("repository: " + repository + "\nmaintainers:\n  - " + maintainer + "\nversions:\n" + Entry("3.14", "3.14.6", string.Empty));
            Assert.Equal(repository, matrix.Repository);
            Assert.Equal(new[] { maintainer }, matrix.Maintainers);

            string longKey = "a_key_that_is_much_longer_than_forty_eight_characters_in_all";
            var unknown = Fails("versions:\n  '3.14':\n    version: 3.14.6\n    " + longKey + ": 1\n    variants: [trixie]\n");
            Assert.Equal(MatrixErrorIds.UnknownKey, unknown.ErrorId);
            Assert.Contains(longKey, unknown.Message);
            Assert.Equal(4, unknown.Line);

            string longVariant = "slim-a-suite-name-that-is-much-longer-than-forty-eight-characters";
            var variant = Fails("versions:\n  '3.14':\n    version: 3.14.6\n    variants:\n      - trixie\n      - " + longVariant + "\n");
            Assert.Contains(longVariant, variant.Message);
            Assert.Equal(6, variant.Line);
        }

        [Fact]
        public void TheScannerLeavesLongScalarsInTheTextAndSaysWhereTheyAre()
        {
            string text = "versions:\n  '3.14':\n    version: 3.14.6\n    checksums: {source: {sha256: " + Digest + "}}\n    variants: [trixie]\n";
            Assert.True(MatrixSubsetScanner.TryScan(text, MatrixSubsetScanner.PlainLineFeeds(text), out var events, out int count, out var spans));
            try
            {
                var values = new ScannedText(text, spans);
                var longOnes = new List<string>();
                for (int i = 0; i < count; i++)
                {
                    values.Advance(events[i]);
                    if (ScannedText.IsLong(events[i]))
                    {
                        Assert.True(values.TryHexDigest(out ulong a, out _, out _, out ulong d));
                        Assert.Equal(0x0123456789abcdefUL, a);
                        Assert.Equal(0x0123456789abcdefUL, d);
                        longOnes.Add(values.Value!);
                    }
                    else
                    {
                        Assert.Null(values.Value);
                        Assert.False(values.TryHexDigest(out _, out _, out _, out _));
                    }
                }

                Assert.Equal(new[] { Digest }, longOnes);
            }
            finally
            {
                MatrixSubsetScanner.Release(events);
                MatrixSubsetScanner.Release(spans);
            }

            // The three-argument form (the tests' comparison with YamlDotNet) gives every value as a string.
            Assert.True(MatrixSubsetScanner.TryScan(text, out var all, out int allCount));
            try
            {
                Assert.Contains(all.Take(allCount), e => e.Kind == MatrixEventKind.Scalar && e.Value == Digest);
                Assert.DoesNotContain(all.Take(allCount), e => e.Kind == MatrixEventKind.Scalar && e.Value == null);
            }
            finally
            {
                MatrixSubsetScanner.Release(all);
            }
        }

        /// <summary>A matrix of <paramref name="count"/> versions 3.0, 3.1, ...; <paramref name="edit"/> may change each entry's text.</summary>
        private static string Versions(int count, Func<int, string, string>? edit = null)
        {
            var sb = new StringBuilder("versions:\n");
            for (int i = 0; i < count; i++)
            {
                string key = "3." + i.ToString(CultureInfo.InvariantCulture);
                string entry = Entry(key, key + ".1", string.Empty);
                sb.Append(edit == null ? entry : edit(i, entry));
            }

            return sb.ToString();
        }

        [Fact]
        public void TheReusedKeySetFindsARepeatedVersionKeyAndForgetsTheKeysOfEarlierLoads()
        {
            // More than 8 keys: the versions map's keys go to the set that one load leaves for the next.
            Assert.Equal(20, Load(Versions(20)).Versions.Count);

            // A key given twice after that load is still found, at its second line.
            var repeated = Fails(Versions(20, (i, entry) => i == 15 ? entry.Replace("'3.15':", "'3.4':") : entry));
            Assert.Equal(MatrixErrorIds.DuplicateKey, repeated.ErrorId);
            Assert.Equal(1 + (15 * 3) + 1, repeated.Line); // three lines an entry, after "versions:"

            // A load that fails inside the versions map (the set still holding its keys) gives the set back empty: the next
            // load of the same keys finds no repeat.
            var broken = Fails(Versions(20, (i, entry) => i == 12 ? entry.Replace("version: 3.12.1", "version: 3.13.1") : entry));
            Assert.Equal(MatrixErrorIds.VersionKeyMismatch, broken.ErrorId);
            Assert.Equal(20, Load(Versions(20)).Versions.Count);
            Assert.Equal(9, Load(Versions(9)).Versions.Count);
        }

        [Fact]
        public void VariantsOnLinesApartKeepALineEachAndVariantsOneALineNeedNone()
        {
            // One a line (a block list, a versions.json): no array of lines; the error of the second names its line.
            var oneALine = Fails("aliases:\n  '3.13': ['3.14-slim']\nversions:\n  '3.14':\n    version: 3.14.6\n    variants:\n      - slim-trixie\n      - trixie\n"
                + "  '3.13':\n    version: 3.13.5\n    variants:\n      - alpine3.24\n      - trixie\n");
            Assert.Equal(MatrixErrorIds.DuplicateTag, oneALine.ErrorId);
            Assert.Equal(13, oneALine.Line);

            // A comment between the items: the lines are apart, each kept.
            var apart = Fails("aliases:\n  '3.13': ['3.14-slim']\nversions:\n  '3.14':\n    version: 3.14.6\n    variants:\n      - slim-trixie\n      - trixie\n"
                + "  '3.13':\n    version: 3.13.5\n    variants:\n      - alpine3.24\n      # the default suite\n      - trixie\n");
            Assert.Equal(MatrixErrorIds.DuplicateTag, apart.ErrorId);
            Assert.Equal(14, apart.Line);
        }

        [Fact]
        public void TheSeldomFieldsOfAVersionAreKeptAndCleared()
        {
            var entry = new MatrixVersion(VersionKey.Parse("3.14"), PythonVersion.Parse("3.14.6"), Array.Empty<VariantInfo>());
            Assert.Null(entry.WindowsSha256);
            entry.SetuptoolsVersion = null; // nothing set: still nothing
            Assert.Null(entry.SetuptoolsVersion);
            entry.WindowsSha256 = "w";
            entry.SetuptoolsVersion = "s";
            entry.GpgKey = "g";
            Assert.Equal(("w", "s", "g"), (entry.WindowsSha256, entry.SetuptoolsVersion, entry.GpgKey));
            entry.WindowsSha256 = null;
            Assert.Null(entry.WindowsSha256);
            Assert.Equal(("s", "g"), (entry.SetuptoolsVersion, entry.GpgKey));
        }

        [Fact]
        public void VersionsAreNewestFirstWhateverTheirOrderAndEqualKeysKeepTheirs()
        {
            MatrixVersion V(string key, string version) => new MatrixVersion(VersionKey.Parse(key), PythonVersion.Parse(version), Array.Empty<VariantInfo>());
            string Order(params MatrixVersion[] given) => string.Join(" ", new Matrix(given).Versions.Select(v => v.Version.Text));

            Assert.Equal("3.14.6 3.13.5 3.12.1", Order(V("3.14", "3.14.6"), V("3.13", "3.13.5"), V("3.12", "3.12.1"))); // newest first: kept
            Assert.Equal("3.14.6 3.13.5 3.12.1", Order(V("3.12", "3.12.1"), V("3.13", "3.13.5"), V("3.14", "3.14.6"))); // oldest first: turned
            Assert.Equal("3.14.6 3.13.5 3.12.1", Order(V("3.13", "3.13.5"), V("3.12", "3.12.1"), V("3.14", "3.14.6"))); // any other: sorted
            Assert.Equal("3.14.6 3.14.7 3.13.5", Order(V("3.14", "3.14.6"), V("3.14", "3.14.7"), V("3.13", "3.13.5"))); // equal keys, in order
            Assert.Equal("3.14.6 3.14.7 3.13.5", Order(V("3.13", "3.13.5"), V("3.14", "3.14.6"), V("3.14", "3.14.7"))); // equal keys, sorted
            Assert.Equal("3.15.0a1 3.14.6", Order(V("3.14", "3.14.6"), V("3.15-rc", "3.15.0a1")));
        }
    }
}
