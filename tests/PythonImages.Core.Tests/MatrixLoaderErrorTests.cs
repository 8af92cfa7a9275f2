using System;
using System.IO;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>The loader's bad-input catalogue: every case has its own ErrorId and names the file, the line and the key.</summary>
    public sealed class MatrixLoaderErrorTests : MatrixFileTest
    {
        private readonly string dir;

        public MatrixLoaderErrorTests() => dir = Dir;

        /// <summary>Writes the lines as a matrix file and loads it; returns the loader's exception.</summary>
        private MatrixException Reject(string fileName, params string[] lines)
        {
            string path = WriteLines(fileName, lines);
            return Assert.Throws<MatrixException>(() => MatrixLoader.LoadFile(path));
        }

        /// <summary>Loads the lines as a file and asserts the rejection: its ErrorId, and the file, line and key it names.</summary>
        private MatrixException Expect(string fileName, string errorId, int line, string? key, params string[] lines)
        {
            var ex = Reject(fileName, lines);
            AssertPlace(ex, errorId, fileName, line, key);
            return ex;
        }

        /// <summary>A minimal valid entry for version key 3.14 starting at line 2 (after "versions:").</summary>
        private static readonly string[] Valid314 = { "  '3.14':", "    version: 3.14.6", "    variants:", "      - trixie" };

        private static string[] With(string[] head, string[] tail)
        {
            var all = new string[head.Length + tail.Length];
            head.CopyTo(all, 0);
            tail.CopyTo(all, head.Length);
            return all;
        }

        private void AssertPlace(MatrixException ex, string errorId, string fileName, int line, string? key)
        {
            Assert.Equal(errorId, ex.ErrorId);
            string path = Path.Combine(dir, fileName);
            Assert.Equal(path, ex.File);
            Assert.Equal(line, ex.Line);
            Assert.StartsWith($"{path}:{line}: ", ex.Message);
            Assert.Equal(key, ex.Key);
            if (key != null)
            {
                Assert.Contains("(key: " + key + ")", ex.Message);
            }
        }

        [Fact]
        public void MalformedYaml()
        {
            var ex = Reject("malformed.yaml", "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie, slim-trixie", "  '3.13':", "    version: 3.13.14");
            Assert.Equal(MatrixErrorIds.MalformedYaml, ex.ErrorId);
            Assert.True(ex.Line >= 4 && ex.Line <= 6, "line " + ex.Line);
            Assert.StartsWith(Path.Combine(dir, "malformed.yaml") + ":" + ex.Line + ": ", ex.Message);
            Assert.Contains("not valid YAML", ex.Message);
        }

        [Fact]
        public void MalformedYamlAtAnExactLine()
        {
            var ex = Expect("colon.yaml", MatrixErrorIds.MalformedYaml, 3, null, "versions:", "  '3.14':", "    version: 3.14.6: final", "    variants: [trixie]");
            Assert.Contains("not valid YAML", ex.Message);
        }

        [Fact]
        public void DuplicateMapKey()
        {
            var ex = Expect("dupkey.yaml", MatrixErrorIds.DuplicateKey, 6, "3.14", With(With(new[] { "versions:" }, Valid314), Valid314));
            Assert.Contains("'3.14'", ex.Message);
        }

        [Fact]
        public void UnknownTopLevelKey()
        {
            var ex = Expect("top.yaml", MatrixErrorIds.UnknownKey, 6, "alias", With(new[] { "versions:" }, With(Valid314, new[] { "alias:", "  '3.14': [latest]" })));
        }

        [Fact]
        public void UnknownKeyInVersionEntry()
        {
            var ex = Expect("entry.yaml", MatrixErrorIds.UnknownKey, 4, "3.14.varients", "versions:", "  '3.14':", "    version: 3.14.6", "    varients: [trixie]", "    variants: [trixie]");
        }

        [Theory]
        [InlineData("      linux: {sha256: abc}", "3.14.checksums.linux")]
        [InlineData("      source: {sha265: abc}", "3.14.checksums.source.sha265")]
        public void UnknownKeyUnderChecksums(string line, string key)
        {
            Expect("checksum-key.yaml", MatrixErrorIds.UnknownKey, 5, key, "versions:", "  '3.14':", "    version: 3.14.6", "    checksums:", line, "    variants: [trixie]");
        }

        [Fact]
        public void UnknownKeyUnderSetuptools()
        {
            Expect("setuptools-key.yaml", MatrixErrorIds.UnknownKey, 4, "3.14.setuptools.versoin", "versions:", "  '3.14':", "    version: 3.14.6", "    setuptools: {versoin: 79.0.1}", "    variants: [trixie]");
        }

        [Fact]
        public void GpgKeyThatIsNotAFingerprint()
        {
            Expect("gpg.yaml", MatrixErrorIds.InvalidGpgKey, 4, "3.14.gpgKey", "versions:", "  '3.14':", "    version: 3.14.6", "    gpgKey: 0xD684696D", "    variants: [trixie]");
        }

        [Fact]
        public void MissingVersion()
        {
            var ex = Expect("noversion.yaml", MatrixErrorIds.MissingVersion, 2, "3.14.version", "versions:", "  '3.14':", "    variants: [trixie]");
        }

        [Theory]
        [InlineData("3.14", "3.13.1")]
        [InlineData("3.15-rc", "3.15.0")]
        [InlineData("3.14", "3.14.0b1")]
        public void VersionNotBelongingToItsKey(string key, string version)
        {
            var ex = Expect("mismatch.yaml", MatrixErrorIds.VersionKeyMismatch, 3, key + ".version", "versions:", $"  '{key}':", $"    version: {version}", "    variants: [trixie]");
            Assert.Contains(version, ex.Message);
        }

        [Fact]
        public void VersionThatIsNotAPythonVersion()
        {
            var ex = Expect("badversion.yaml", MatrixErrorIds.InvalidVersion, 3, "3.14.version", "versions:", "  '3.14':", "    version: 3.14", "    variants: [trixie]");
        }

        [Fact]
        public void ChecksumOfWrongLength()
        {
            var ex = Expect("short.yaml", MatrixErrorIds.InvalidChecksum, 5, "3.14.checksums.source.sha256", "versions:", "  '3.14':", "    version: 3.14.6", "    checksums:", "      source: {sha256: 143b1dddefaec3bd}", "    variants: [trixie]");
            Assert.Contains("has 16", ex.Message);
        }

        [Fact]
        public void ChecksumNotHex()
        {
            string notHex = new string('g', 64);
            var ex = Expect("nothex.yaml", MatrixErrorIds.InvalidChecksum, 6, "3.14.checksums.windows.sha256", "versions:", "  '3.14':", "    version: 3.14.6", "    checksums:", "      windows:", $"        sha256: {notHex}", "    variants: [trixie]");
        }

        [Theory]
        [InlineData("debian-trixie")]
        [InlineData("alpine")]
        [InlineData("windowsservercore-ltsc2025")]
        [InlineData("windows/nanoserver-ltsc2025")]
        [InlineData("slim-")]
        public void UnknownVariantForm(string variant)
        {
            var ex = Expect("form.yaml", MatrixErrorIds.UnknownVariantForm, 6, "3.14.variants", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", "      - trixie", $"      - '{variant}'");
            Assert.Contains(variant, ex.Message);
        }

        [Theory]
        [InlineData("../trixie")]
        [InlineData("trixie..")]
        [InlineData("windows/../trixie")]
        public void VariantWithDotDot(string variant)
        {
            var ex = Expect("dotdot.yaml", MatrixErrorIds.InvalidVariantPath, 5, "3.14.variants", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", $"      - '{variant}'");
        }

        [Theory]
        [InlineData("slim/trixie")]
        [InlineData("windows/windowsservercore/ltsc2025")]
        [InlineData("slim\\trixie")]
        [InlineData("windows\\windowsservercore-ltsc2025")]
        [InlineData("/trixie")]
        public void VariantWithAPathSeparatorOtherThanTheWindowsPrefix(string variant)
        {
            var ex = Expect("sep.yaml", MatrixErrorIds.InvalidVariantPath, 6, "3.14.variants", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", "      - trixie", $"      - '{variant}'");
        }

        [Fact]
        public void DuplicateVariant()
        {
            var ex = Expect("dup.yaml", MatrixErrorIds.DuplicateVariant, 7, "3.14.variants", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", "      - trixie", "      - slim-trixie", "      - trixie");
        }

        [Theory]
        [InlineData("    variants: []")]
        [InlineData("    variants:")]
        public void EmptyVariants(string line)
        {
            var ex = Expect("empty-variants.yaml", MatrixErrorIds.EmptyVariants, 4, "3.14.variants", "versions:", "  '3.14':", "    version: 3.14.6", line);
        }

        [Fact]
        public void MissingVariants()
        {
            var ex = Expect("no-variants.yaml", MatrixErrorIds.EmptyVariants, 2, "3.14.variants", "versions:", "  '3.14':", "    version: 3.14.6");
        }

        [Fact]
        public void LinuxBaseImageWithoutArchitectures()
        {
            var ex = Expect("arch.yaml", MatrixErrorIds.MissingArchitectures, 6, "architectures.debian:forky-slim", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", "      - trixie", "      - slim-forky");
            Assert.Contains("debian:forky-slim", ex.Message);
        }

        [Fact]
        public void WindowsVariantNeedsNoArchitectures()
        {
            string path = Path.Combine(dir, "win.yaml");
            File.WriteAllText(path, "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [windows/windowsservercore-ltsc2031]\n");
            var image = Assert.Single(TagRules.Compute(MatrixLoader.LoadFile(path)));
            Assert.Equal(new[] { "windows-amd64" }, image.Architectures);
        }

        [Fact]
        public void EmptyFile()
        {
            var ex = Reject("empty.yaml");
            AssertPlace(ex, MatrixErrorIds.Empty, "empty.yaml", 1, "versions");
        }

        [Fact]
        public void ZeroByteFile()
        {
            string path = Path.Combine(dir, "zero.yaml");
            File.WriteAllBytes(path, Array.Empty<byte>());
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.LoadFile(path));
            AssertPlace(ex, MatrixErrorIds.Empty, "zero.yaml", 1, "versions");
        }

        [Fact]
        public void WhitespaceAndCommentOnlyFile()
        {
            var ex = Expect("comments.yaml", MatrixErrorIds.Empty, 1, "versions", "   ", "# nothing here yet", "", "  # still nothing");
        }

        [Fact]
        public void EmptyVersionsMap()
        {
            var ex = Expect("noversions.yaml", MatrixErrorIds.Empty, 2, "versions", "repository: https://example.invalid/python", "versions: {}");
        }

        [Fact]
        public void MissingVersionsMap()
        {
            var ex = Expect("noversionsmap.yaml", MatrixErrorIds.MissingKey, 1, "versions", "repository: https://example.invalid/python", "aliases:", "  '3.14': [latest]");
        }

        [Fact]
        public void FileThatDoesNotExist()
        {
            string path = Path.Combine(dir, "missing.yaml");
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.LoadFile(path));
            Assert.Equal(MatrixErrorIds.FileNotFound, ex.ErrorId);
            Assert.True(ex.IsNotFound);
            Assert.StartsWith(path + ": ", ex.Message);
            Assert.Equal(0, ex.Line); // there is no line to name
            Assert.Null(ex.Key);
        }

        [Fact]
        public void UnknownArchitectureInTheTable()
        {
            var ex = Expect("unknown-arch.yaml", MatrixErrorIds.UnknownArchitecture, 4, "architectures.buildpack-deps:trixie", "architectures:", "  buildpack-deps:trixie:", "    - amd64", "    - arm65", "versions:", Valid314[0], Valid314[1], Valid314[2], Valid314[3]);
            Assert.Contains("'arm65'", ex.Message);
        }

        [Fact]
        public void UnknownArchitectureInAVersionExclusion()
        {
            var ex = Expect("unknown-exclude.yaml", MatrixErrorIds.UnknownArchitecture, 6, "3.14.excludeArchitectures", With(new[] { "versions:" }, With(Valid314, new[] { "    excludeArchitectures: [s390x, sparc]" })));
            Assert.Contains("'sparc'", ex.Message);
        }

        [Theory]
        [InlineData("'3'")]
        [InlineData("three")]
        [InlineData("'3.14-beta'")]
        [InlineData("'03.14'")]
        public void InvalidVersionKey(string key)
        {
            var ex = Expect("key.yaml", MatrixErrorIds.InvalidVersionKey, 2, key.Trim('\''), "versions:", $"  {key}:", "    version: 3.14.6", "    variants: [trixie]");
        }

        [Fact]
        public void InvalidVersionKeyInABareVersionsJson()
        {
            var ex = Expect("versions.json", MatrixErrorIds.InvalidVersionKey, 3, "next", "{", "  \"3.14\": {\"version\": \"3.14.6\", \"variants\": [\"trixie\"]},", "  \"next\": {\"version\": \"3.15.0\", \"variants\": [\"trixie\"]}", "}");
        }

        [Fact]
        public void WrongTypeNamesTheKey()
        {
            var ex = Expect("type.yaml", MatrixErrorIds.WrongType, 3, "3.14.version", "versions:", "  '3.14':", "    version: [3.14.6]", "    variants: [trixie]");
        }

        [Fact]
        public void ErrorIdsAreDistinct()
        {
            var ids = new[]
            {
                MatrixErrorIds.FileNotFound, MatrixErrorIds.Empty, MatrixErrorIds.MalformedYaml, MatrixErrorIds.DuplicateKey, MatrixErrorIds.UnknownKey,
                MatrixErrorIds.MissingKey, MatrixErrorIds.WrongType, MatrixErrorIds.InvalidVersionKey, MatrixErrorIds.MissingVersion,
                MatrixErrorIds.InvalidVersion, MatrixErrorIds.VersionKeyMismatch, MatrixErrorIds.InvalidChecksum,
                MatrixErrorIds.UnknownVariantForm, MatrixErrorIds.InvalidVariantPath, MatrixErrorIds.DuplicateVariant,
                MatrixErrorIds.EmptyVariants, MatrixErrorIds.MissingArchitectures, MatrixErrorIds.UnknownArchitecture, MatrixErrorIds.InvalidGpgKey,
            };
            Assert.Equal(ids.Length, new System.Collections.Generic.HashSet<string>(ids).Count);
            Assert.All(ids, id => Assert.Matches(@"\AMatrix\.[A-Z][A-Za-z]+\z", id));
        }
    }
}
