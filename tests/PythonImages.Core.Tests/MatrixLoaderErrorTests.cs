using System;
using System.IO;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>The loader's bad-input catalogue: every case has its own ErrorId and names the file, the line and the key.</summary>
    public sealed class MatrixLoaderErrorTests : IDisposable
    {
        private readonly string dir = Path.Combine(Path.GetTempPath(), "pi-loader-" + Guid.NewGuid().ToString("N"));

        public MatrixLoaderErrorTests() => Directory.CreateDirectory(dir);

        public void Dispose() => Directory.Delete(dir, recursive: true);

        /// <summary>Writes the lines as a matrix file and loads it; returns the loader's exception.</summary>
        private MatrixException Reject(string fileName, params string[] lines)
        {
            string path = Path.Combine(dir, fileName);
            File.WriteAllText(path, string.Join("\n", lines) + "\n");
            return Assert.Throws<MatrixException>(() => MatrixLoader.LoadFile(path));
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
            var ex = Reject("colon.yaml", "versions:", "  '3.14':", "    version: 3.14.6: final", "    variants: [trixie]");
            AssertPlace(ex, MatrixErrorIds.MalformedYaml, "colon.yaml", 3, null);
            Assert.Contains("not valid YAML", ex.Message);
        }

        [Fact]
        public void DuplicateMapKey()
        {
            var ex = Reject("dupkey.yaml", With(With(new[] { "versions:" }, Valid314), Valid314));
            AssertPlace(ex, MatrixErrorIds.DuplicateKey, "dupkey.yaml", 6, "3.14");
            Assert.Contains("'3.14'", ex.Message);
        }

        [Fact]
        public void UnknownTopLevelKey()
        {
            var ex = Reject("top.yaml", With(new[] { "versions:" }, With(Valid314, new[] { "alias:", "  '3.14': [latest]" })));
            AssertPlace(ex, MatrixErrorIds.UnknownKey, "top.yaml", 6, "alias");
        }

        [Fact]
        public void UnknownKeyInVersionEntry()
        {
            var ex = Reject("entry.yaml", "versions:", "  '3.14':", "    version: 3.14.6", "    varients: [trixie]", "    variants: [trixie]");
            AssertPlace(ex, MatrixErrorIds.UnknownKey, "entry.yaml", 4, "3.14.varients");
        }

        [Fact]
        public void MissingVersion()
        {
            var ex = Reject("noversion.yaml", "versions:", "  '3.14':", "    variants: [trixie]");
            AssertPlace(ex, MatrixErrorIds.MissingVersion, "noversion.yaml", 2, "3.14.version");
        }

        [Theory]
        [InlineData("3.14", "3.13.1")]
        [InlineData("3.15-rc", "3.15.0")]
        [InlineData("3.14", "3.14.0b1")]
        public void VersionNotBelongingToItsKey(string key, string version)
        {
            var ex = Reject("mismatch.yaml", "versions:", $"  '{key}':", $"    version: {version}", "    variants: [trixie]");
            AssertPlace(ex, MatrixErrorIds.VersionKeyMismatch, "mismatch.yaml", 3, key + ".version");
            Assert.Contains(version, ex.Message);
        }

        [Fact]
        public void VersionThatIsNotAPythonVersion()
        {
            var ex = Reject("badversion.yaml", "versions:", "  '3.14':", "    version: 3.14", "    variants: [trixie]");
            AssertPlace(ex, MatrixErrorIds.InvalidVersion, "badversion.yaml", 3, "3.14.version");
        }

        [Fact]
        public void ChecksumOfWrongLength()
        {
            var ex = Reject("short.yaml", "versions:", "  '3.14':", "    version: 3.14.6", "    checksums:", "      source: {sha256: 143b1dddefaec3bd}", "    variants: [trixie]");
            AssertPlace(ex, MatrixErrorIds.InvalidChecksum, "short.yaml", 5, "3.14.checksums.source.sha256");
            Assert.Contains("has 16", ex.Message);
        }

        [Fact]
        public void ChecksumNotHex()
        {
            string notHex = new string('g', 64);
            var ex = Reject("nothex.yaml", "versions:", "  '3.14':", "    version: 3.14.6", "    checksums:", "      windows:", $"        sha256: {notHex}", "    variants: [trixie]");
            AssertPlace(ex, MatrixErrorIds.InvalidChecksum, "nothex.yaml", 6, "3.14.checksums.windows.sha256");
        }

        [Theory]
        [InlineData("debian-trixie")]
        [InlineData("alpine")]
        [InlineData("windowsservercore-ltsc2025")]
        [InlineData("windows/nanoserver-ltsc2025")]
        [InlineData("slim-")]
        public void UnknownVariantForm(string variant)
        {
            var ex = Reject("form.yaml", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", "      - trixie", $"      - '{variant}'");
            AssertPlace(ex, MatrixErrorIds.UnknownVariantForm, "form.yaml", 6, "3.14.variants");
            Assert.Contains(variant, ex.Message);
        }

        [Theory]
        [InlineData("../trixie")]
        [InlineData("trixie..")]
        [InlineData("windows/../trixie")]
        public void VariantWithDotDot(string variant)
        {
            var ex = Reject("dotdot.yaml", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", $"      - '{variant}'");
            AssertPlace(ex, MatrixErrorIds.InvalidVariantPath, "dotdot.yaml", 5, "3.14.variants");
        }

        [Theory]
        [InlineData("slim/trixie")]
        [InlineData("windows/windowsservercore/ltsc2025")]
        [InlineData("slim\\trixie")]
        [InlineData("windows\\windowsservercore-ltsc2025")]
        [InlineData("/trixie")]
        public void VariantWithAPathSeparatorOtherThanTheWindowsPrefix(string variant)
        {
            var ex = Reject("sep.yaml", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", "      - trixie", $"      - '{variant}'");
            AssertPlace(ex, MatrixErrorIds.InvalidVariantPath, "sep.yaml", 6, "3.14.variants");
        }

        [Fact]
        public void DuplicateVariant()
        {
            var ex = Reject("dup.yaml", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", "      - trixie", "      - slim-trixie", "      - trixie");
            AssertPlace(ex, MatrixErrorIds.DuplicateVariant, "dup.yaml", 7, "3.14.variants");
        }

        [Theory]
        [InlineData("    variants: []")]
        [InlineData("    variants:")]
        public void EmptyVariants(string line)
        {
            var ex = Reject("empty-variants.yaml", "versions:", "  '3.14':", "    version: 3.14.6", line);
            AssertPlace(ex, MatrixErrorIds.EmptyVariants, "empty-variants.yaml", 4, "3.14.variants");
        }

        [Fact]
        public void MissingVariants()
        {
            var ex = Reject("no-variants.yaml", "versions:", "  '3.14':", "    version: 3.14.6");
            AssertPlace(ex, MatrixErrorIds.EmptyVariants, "no-variants.yaml", 2, "3.14.variants");
        }

        [Fact]
        public void LinuxBaseImageWithoutArchitectures()
        {
            var ex = Reject("arch.yaml", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", "      - trixie", "      - slim-forky");
            AssertPlace(ex, MatrixErrorIds.MissingArchitectures, "arch.yaml", 6, "architectures.debian:forky-slim");
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
            var ex = Reject("comments.yaml", "   ", "# nothing here yet", "", "  # still nothing");
            AssertPlace(ex, MatrixErrorIds.Empty, "comments.yaml", 1, "versions");
        }

        [Fact]
        public void EmptyVersionsMap()
        {
            var ex = Reject("noversions.yaml", "repository: https://example.invalid/python", "versions: {}");
            AssertPlace(ex, MatrixErrorIds.Empty, "noversions.yaml", 2, "versions");
        }

        [Fact]
        public void MissingVersionsMap()
        {
            var ex = Reject("noversionsmap.yaml", "repository: https://example.invalid/python", "aliases:", "  '3.14': [latest]");
            AssertPlace(ex, MatrixErrorIds.MissingKey, "noversionsmap.yaml", 1, "versions");
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
            var ex = Reject("unknown-arch.yaml", "architectures:", "  buildpack-deps:trixie:", "    - amd64", "    - arm65", "versions:", Valid314[0], Valid314[1], Valid314[2], Valid314[3]);
            AssertPlace(ex, MatrixErrorIds.UnknownArchitecture, "unknown-arch.yaml", 4, "architectures.buildpack-deps:trixie");
            Assert.Contains("'arm65'", ex.Message);
        }

        [Fact]
        public void UnknownArchitectureInAVersionExclusion()
        {
            var ex = Reject("unknown-exclude.yaml", With(new[] { "versions:" }, With(Valid314, new[] { "    excludeArchitectures: [s390x, sparc]" })));
            AssertPlace(ex, MatrixErrorIds.UnknownArchitecture, "unknown-exclude.yaml", 6, "3.14.excludeArchitectures");
            Assert.Contains("'sparc'", ex.Message);
        }

        [Theory]
        [InlineData("'3'")]
        [InlineData("three")]
        [InlineData("'3.14-beta'")]
        [InlineData("'03.14'")]
        public void InvalidVersionKey(string key)
        {
            var ex = Reject("key.yaml", "versions:", $"  {key}:", "    version: 3.14.6", "    variants: [trixie]");
            AssertPlace(ex, MatrixErrorIds.InvalidVersionKey, "key.yaml", 2, key.Trim('\''));
        }

        [Fact]
        public void InvalidVersionKeyInABareVersionsJson()
        {
            var ex = Reject("versions.json", "{", "  \"3.14\": {\"version\": \"3.14.6\", \"variants\": [\"trixie\"]},", "  \"next\": {\"version\": \"3.15.0\", \"variants\": [\"trixie\"]}", "}");
            AssertPlace(ex, MatrixErrorIds.InvalidVersionKey, "versions.json", 3, "next");
        }

        [Fact]
        public void WrongTypeNamesTheKey()
        {
            var ex = Reject("type.yaml", "versions:", "  '3.14':", "    version: [3.14.6]", "    variants: [trixie]");
            AssertPlace(ex, MatrixErrorIds.WrongType, "type.yaml", 3, "3.14.version");
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
            Assert.All(ids, id => Assert.Matches(@"^Matrix\.[A-Z][A-Za-z]+$", id));
        }
    }
}
