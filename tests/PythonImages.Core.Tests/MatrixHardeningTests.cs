using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// The loader against hostile input: every value checked against its grammar where it is read (anchored at the real
    /// end), structure limits enforced on the parser's events, and the tags the matrix produces validated at load.
    /// Every case names its ErrorId, file, line and key.
    /// </summary>
    public sealed class MatrixHardeningTests : MatrixFileTest
    {
        private const string Sha = "143b1dddefaec3bd2e21e3b839b34a2b7fb9842272883c576420d605e9f30c63";

        private MatrixException Expect(string errorId, int line, string? key, params string[] lines)
        {
            string path = WriteLines("m.yaml", lines);
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.LoadFile(path));
            Assert.True(errorId == ex.ErrorId, $"expected {errorId}, got {ex.ErrorId}: {ex.Message}");
            Assert.Equal(path, ex.File);
            Assert.Equal(line, ex.Line);
            Assert.StartsWith($"{path}:{line}: ", ex.Message);
            Assert.Equal(key, ex.Key);
            return ex;
        }

        /// <summary>Ordinal: no control character, line or paragraph separator reaches a message raw.</summary>
        private static void NoControlCharacters(string message)
        {
            int bad = message.IndexOfAny(Enumerable.Range(0, 0x20).Select(i => (char)i).Concat(new[] { '\u007f', '\u2028', '\u2029' }).ToArray());
            Assert.True(bad < 0, $"control character U+{(bad < 0 ? 0 : message[bad]):X4} in: {message}");
        }

        private Matrix Load(params string[] lines) => MatrixLoader.LoadFile(WriteLines("ok" + Guid.NewGuid().ToString("N") + ".yaml", lines));

        /// <summary>A version entry for 3.14 whose line 4 (after "versions:", key, version) is <paramref name="field"/>.</summary>
        private static string[] Entry314(string field) => new[] { "versions:", "  '3.14':", "    version: 3.14.6", field, "    variants: [trixie]" };

        // ------------------------------------------------------------------ values: anchored at the real end

        [Theory]
        [InlineData("\"3.14.6\\n\"")]
        [InlineData("\"3.14.6\\r\"")]
        [InlineData("\"3.14.6\\u2028\"")]
        [InlineData("\"3.14.6 \"")]
        [InlineData("\"3.14.6$(id)\"")]
        [InlineData("\"3.14.6\\0\"")]
        public void AVersionWithAnythingAfterItIsInvalid(string version)
        {
            var ex = Expect(MatrixErrorIds.InvalidVersion, 3, "3.14.version", "versions:", "  '3.14':", $"    version: {version}", "    variants: [trixie]");
            NoControlCharacters(ex.Message);
        }

        [Theory]
        [InlineData("\"3.14\\n\"", "3.14\\u000A")]
        [InlineData("\"3.14 \"", "3.14 ")]
        [InlineData("\"3.14;id\"", "3.14;id")]
        public void AVersionKeyWithAnythingAfterItIsInvalid(string key, string shown)
        {
            var ex = Expect(MatrixErrorIds.InvalidVersionKey, 2, shown, "versions:", $"  {key}:", "    version: 3.14.6", "    variants: [trixie]");
            NoControlCharacters(ex.Message);
        }

        [Theory]
        [InlineData("    checksums: {source: {sha256: \"" + Sha + "\\n\"}}", MatrixErrorIds.InvalidChecksum, "3.14.checksums.source.sha256")]
        [InlineData("    checksums: {source: {sha256: \"" + Sha + "; touch /x\"}}", MatrixErrorIds.InvalidChecksum, "3.14.checksums.source.sha256")]
        [InlineData("    checksums: {windows: {sha256: \"$(touch /x)\"}}", MatrixErrorIds.InvalidChecksum, "3.14.checksums.windows.sha256")]
        [InlineData("    checksums: {source: {sha1: \"0123456789abcdef0123456789abcdef0123456\"}}", MatrixErrorIds.InvalidChecksum, "3.14.checksums.source.sha1")]
        [InlineData("    checksums: {source: {sha512: \"x\"}}", MatrixErrorIds.InvalidChecksum, "3.14.checksums.source.sha512")]
        [InlineData("    checksums: {source: {md5: \"0123456789abcdef0123456789abcdef\\n\"}}", MatrixErrorIds.InvalidChecksum, "3.14.checksums.source.md5")]
        [InlineData("    checksums: {source: {md6: \"zz\"}}", MatrixErrorIds.InvalidChecksum, "3.14.checksums.source.md6")]
        [InlineData("    gpgKey: \"A035C8C19219BA821ECEA86B64E628F8D684696D\\n\"", MatrixErrorIds.InvalidGpgKey, "3.14.gpgKey")]
        [InlineData("    gpgKey: \"A035C8C19219BA821ECEA86B64E628F8D684696D; curl evil\"", MatrixErrorIds.InvalidGpgKey, "3.14.gpgKey")]
        [InlineData("    setuptools: {version: \"79.0.1' 'x'; true\\nRUN touch /pwned\"}", MatrixErrorIds.InvalidSetuptoolsVersion, "3.14.setuptools.version")]
        [InlineData("    setuptools: {version: \"79.0.1\\n\"}", MatrixErrorIds.InvalidSetuptoolsVersion, "3.14.setuptools.version")]
        [InlineData("    setuptools: {version: \"$(id)\"}", MatrixErrorIds.InvalidSetuptoolsVersion, "3.14.setuptools.version")]
        [InlineData("    setuptools: {version: \"79.0.1 x\"}", MatrixErrorIds.InvalidSetuptoolsVersion, "3.14.setuptools.version")]
        [InlineData("    setuptools: {version: [79]}", MatrixErrorIds.WrongType, "3.14.setuptools.version")]
        [InlineData("    pip: {version: \"25.1.1`id`\"}", MatrixErrorIds.InvalidPipVersion, "3.14.pip.version")]
        [InlineData("    pip: {version: \"25.1.1\\n\"}", MatrixErrorIds.InvalidPipVersion, "3.14.pip.version")]
        [InlineData("    pip: {sha256: abc}", MatrixErrorIds.UnknownKey, "3.14.pip.sha256")]
        [InlineData("    pip: 25.1.1", MatrixErrorIds.WrongType, "3.14.pip")]
        [InlineData("    get-pip: {sha256: \"" + Sha + "\\n\"}", MatrixErrorIds.InvalidGetPip, "3.14.get-pip.sha256")]
        [InlineData("    get-pip: {url: \"ftp://example.com/get-pip.py\"}", MatrixErrorIds.InvalidGetPip, "3.14.get-pip.url")]
        [InlineData("    get-pip: {url: \"https://example.com/get pip.py\"}", MatrixErrorIds.InvalidGetPip, "3.14.get-pip.url")]
        [InlineData("    get-pip: {version: \"https://x/$(id)/get-pip.py\"}", MatrixErrorIds.InvalidGetPip, "3.14.get-pip.version")]
        [InlineData("    get-pip: {md5: x}", MatrixErrorIds.UnknownKey, "3.14.get-pip.md5")]
        [InlineData("    excludeArchitectures: [\"amd64\\n\"]", MatrixErrorIds.UnknownArchitecture, "3.14.excludeArchitectures")]
        public void EveryValueOfAVersionEntryIsChecked(string field, string errorId, string key)
        {
            var ex = Expect(errorId, 4, key, Entry314(field));
            NoControlCharacters(ex.Message);
        }

        [Theory]
        [InlineData("\"trixie\\n\"", MatrixErrorIds.InvalidVariantPath)]
        [InlineData("\"trixie\\u2028\"", MatrixErrorIds.InvalidVariantPath)]
        [InlineData("\"tri xie\"", MatrixErrorIds.InvalidVariantPath)]
        [InlineData("\"$(id)\"", MatrixErrorIds.UnknownVariantForm)]
        [InlineData("\"slim-trixie\\n\"", MatrixErrorIds.InvalidVariantPath)]
        [InlineData("\"alpine3.24\\n\"", MatrixErrorIds.InvalidVariantPath)]
        [InlineData("\"windows/windowsservercore-ltsc2025\\n\"", MatrixErrorIds.InvalidVariantPath)]
        [InlineData("Trixie", MatrixErrorIds.UnknownVariantForm)]
        public void AVariantWithAnythingAfterItIsRejected(string variant, string errorId)
        {
            Expect(errorId, 5, "3.14.variants", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", $"      - {variant}");
        }

        [Fact]
        public void AVeryLongVariantIsRejectedBeforeItsFormIsLookedAt()
        {
            var ex = Expect(MatrixErrorIds.InvalidVariantPath, 5, "3.14.variants", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", "      - " + new string('a', 500));
            Assert.Contains("500 characters", ex.Message);
        }

        [Theory]
        [InlineData("repository: foo bar", 1, MatrixErrorIds.InvalidRepository, "repository")]
        [InlineData("repository: ../x", 1, MatrixErrorIds.InvalidRepository, "repository")]
        [InlineData("repository: \"https://github.com/docker-library/python\\n\"", 1, MatrixErrorIds.InvalidRepository, "repository")]
        [InlineData("repository: \"https://user:pw@github.com/x/python\"", 1, MatrixErrorIds.InvalidRepository, "repository")]
        [InlineData("repository: \"https://github.com/x/python)[click](javascript:alert(1)\"", 1, MatrixErrorIds.InvalidRepository, "repository")]
        [InlineData("repository: \"https://github.com/x/python?q=1\"", 1, MatrixErrorIds.InvalidRepository, "repository")]
        [InlineData("repository: \"https://github.com/../../etc\"", 1, MatrixErrorIds.InvalidRepository, "repository")]
        [InlineData("repository: \"file:///etc/passwd\"", 1, MatrixErrorIds.InvalidRepository, "repository")]
        [InlineData("repository: [https://github.com/x/python]", 1, MatrixErrorIds.WrongType, "repository")]
        [InlineData("maintainers: [\"Jane Doe <jane@example.com> (@jane)\\nGitRepo: https://evil\"]", 1, MatrixErrorIds.InvalidMaintainer, "maintainers")]
        [InlineData("maintainers: [\"<script>alert(1)</script> (@x)\"]", 1, MatrixErrorIds.InvalidMaintainer, "maintainers")]
        [InlineData("maintainers: [\"Jane Doe, John Doe (@jane)\"]", 1, MatrixErrorIds.InvalidMaintainer, "maintainers")]
        [InlineData("maintainers: [\"Jane Doe\"]", 1, MatrixErrorIds.InvalidMaintainer, "maintainers")]
        [InlineData("maintainers: [\"A B (@ab)\", \"#C D (@cd)\"]", 1, MatrixErrorIds.InvalidMaintainer, "maintainers")]
        [InlineData("architectures: {\"buildpack-deps:trixie; rm -rf /\": [amd64]}", 1, MatrixErrorIds.InvalidBaseImage, "architectures.buildpack-deps:trixie; rm -rf /")]
        [InlineData("architectures: {\"buildpack-deps\": [amd64]}", 1, MatrixErrorIds.InvalidBaseImage, "architectures.buildpack-deps")]
        [InlineData("excludeArchitectures: [\"s390x\\n\"]", 1, MatrixErrorIds.UnknownArchitecture, "excludeArchitectures")]
        [InlineData("aliases: {'3.14': [\"foo bar\"]}", 1, MatrixErrorIds.InvalidAlias, "aliases.3.14")]
        [InlineData("aliases: {'3.14': [../x]}", 1, MatrixErrorIds.InvalidAlias, "aliases.3.14")]
        [InlineData("aliases: {'3.14': [\"latest\\n\"]}", 1, MatrixErrorIds.InvalidAlias, "aliases.3.14")]
        [InlineData("aliases: {'3.14': [\"-x\"]}", 1, MatrixErrorIds.InvalidAlias, "aliases.3.14")]
        [InlineData("aliases: {\"3.14\\n\": [latest]}", 1, MatrixErrorIds.InvalidVersionKey, "aliases.3.14\\u000A")]
        public void EveryTopLevelValueIsChecked(string line, int at, string errorId, string key)
        {
            Expect(errorId, at, key, line, "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie]");
        }

        [Theory]
        [InlineData("https://github.com/docker-library/python")]
        [InlineData("https://github.com/docker-library/python.git")]
        [InlineData("http://git.example.org:8080/team/c++-images/")]
        [InlineData("https://[::1]:3000/o/r")]
        [InlineData("https://localhost/o")]
        public void ARepositoryTheMatrixAcceptsIsOneTheManifestAccepts(string url)
        {
            // One URL grammar: the matrix never lets in a GitRepo that Export would write and Import then reject.
            var m = Load("repository: \"" + url + "\"", "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie]");
            Assert.Null(PythonImages.Security.InputGrammar.GitRepositoryUrl.Why(url));
            Assert.Null(PythonImages.Security.ManifestGrammar.GitRepo.Why(url));
            Assert.Equal(url, m.Repository);
        }

        // Export writes GitRepo as the URL with ".git" appended; the manifest grammar allows 128 characters a segment and
        // 512 in all, so the matrix keeps room for it: a last segment of at most 124 characters, a URL of at most 508.
        [Theory]
        [InlineData("https://github.com/o/", 124, true)]
        [InlineData("https://github.com/o/", 125, false)]
        [InlineData("https://github.com/o/", 128, false)]
        [InlineData("https://github.com/" + Segment100 + "/" + Segment100 + "/" + Segment100 + "/" + Segment100 + "/", 85, true)] // 508 characters
        [InlineData("https://github.com/" + Segment100 + "/" + Segment100 + "/" + Segment100 + "/" + Segment100 + "/", 86, false)] // 509 characters
        public void ARepositoryTheMatrixAcceptsCanBeExported(string prefix, int lastSegment, bool accepted)
        {
            string repo = prefix + new string('r', lastSegment);
            string[] lines = { "repository: " + repo, "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie]" };
            if (!accepted)
            {
                var ex = Expect(MatrixErrorIds.InvalidRepository, 1, "repository", lines);
                Assert.Contains("the manifest's GitRepo Export makes of it", ex.Message);
                Assert.Contains(lastSegment == 86 ? "513 characters long" : "Shorten the URL (its last path segment to at most 124 characters", ex.Message);
                return;
            }

            var matrix = Load(lines);
            var header = ManifestExport.Header(null, () => matrix, null, null, false, null);
            Assert.Equal(repo + ".git", header.GitRepo);
            var entries = LibraryManifest.PrepareForExport(header, TagRules.Compute(matrix));
            entries.ForEach(e => e.GitCommit = "0123456789abcdef0123456789abcdef01234567");
            Assert.Empty(LibraryManifest.Validate(header, entries).Select(p => p.ErrorId + ": " + p.Message));
            Assert.Equal(repo + ".git", LibraryManifest.Parse(LibraryManifest.WriteVerified(header, entries)).Header.GitRepo);
        }

        private const string Segment100 = "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss";

        [Theory]
        [InlineData("https://github.com")]
        [InlineData("https://github.com/")]
        public void ARepositoryWithoutAPathIsRefused(string url) =>
            Expect(MatrixErrorIds.InvalidRepository, 1, "repository", "repository: \"" + url + "\"", "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie]");

        [Fact]
        public void MaintainersFollowTheManifestsGrammarIncludingNamesInAnyScript()
        {
            var m = Load("maintainers: [\"\u0141ukasz Langa <lukasz@example.org> (@ambv)\", \"\u5f20\u4f1f (@zw)\"]", "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie]");
            Assert.Equal(new[] { "\u0141ukasz Langa <lukasz@example.org> (@ambv)", "\u5f20\u4f1f (@zw)" }, m.Maintainers);
            Assert.All(m.Maintainers, x => Assert.True(PythonImages.Security.ManifestGrammar.Maintainer.IsMatch(x)));
            Expect(MatrixErrorIds.InvalidMaintainer, 1, "maintainers", "maintainers: [\"Jane\u202e Doe (@jd)\"]", "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie]");
        }

        [Fact]
        public void ValidHistoricalFieldsAndANullSetuptoolsStillLoad()
        {
            var m = Load(
                "versions:",
                "  '3.10':",
                "    version: 3.10.4",
                "    pip: {version: 22.0.4}",
                "    get-pip: {sha256: " + Sha + ", url: 'https://github.com/pypa/get-pip/raw/38e54e5de07c66e875c11a1ebbdb938854625dd8/public/get-pip.py', version: 'https://github.com/pypa/get-pip/raw/38e54e5de07c66e875c11a1ebbdb938854625dd8/public/get-pip.py'}",
                "    setuptools: {version: null}",
                "    checksums: {source: {sha256: " + Sha + ", sha512: " + new string('a', 128) + ", md5: " + new string('b', 32) + ", adler32: 0123abcd, md6: abc}}",
                "    variants: [bullseye]",
                "architectures: {'buildpack-deps:bullseye': [amd64]}",
                "maintainers: ['Jane Doe <jane@example.com> (@jane)', 'John Doe (@john-doe)']",
                "repository: https://git.example.com:8443/team/python.git");
            var v = m.Versions.Single();
            Assert.Null(v.SetuptoolsVersion);
            Assert.Equal(Sha, v.SourceSha256);
            Assert.Equal(new[] { "Jane Doe <jane@example.com> (@jane)", "John Doe (@john-doe)" }, m.Maintainers);
            Assert.Equal("https://git.example.com:8443/team/python.git", m.Repository);
        }

        // ------------------------------------------------------------------ numbers

        [Theory]
        [InlineData("  '3.14':", "    version: 3.14.99999999999", 3, "3.14.version")]
        [InlineData("  '3.14':", "    version: 3.14.2147483648", 3, "3.14.version")]
        [InlineData("  '3.14':", "    version: 3.14.12345", 3, "3.14.version")]
        [InlineData("  '3.15-rc':", "    version: 3.15.0rc99999999999", 3, "3.15-rc.version")]
        [InlineData("  '99999999999.14':", "    version: 3.14.6", 2, "99999999999.14")]
        [InlineData("  '3.99999999999-rc':", "    version: 3.14.6", 2, "3.99999999999-rc")]
        public void ANumberTooLargeIsNamedWithItsLine(string keyLine, string versionLine, int line, string key)
        {
            var ex = Expect(MatrixErrorIds.NumberOutOfRange, line, key, "versions:", keyLine, versionLine, "    variants: [trixie]");
            Assert.Contains("out of range", ex.Message);
            Assert.IsNotType<OverflowException>(ex.InnerException);
        }

        [Fact]
        public void ANumberTooLargeInAnAliasesKeyIsNamed()
        {
            Expect(MatrixErrorIds.NumberOutOfRange, 2, "aliases.3.99999999999", "aliases:", "  '3.99999999999': [x]", "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie]");
        }

        [Fact]
        public void LeadingZerosAreAnInvalidKeyNotANumberOutOfRange()
        {
            Expect(MatrixErrorIds.InvalidVersionKey, 2, "0000000003.14", "versions:", "  '0000000003.14':", "    version: 3.14.6", "    variants: [trixie]");
        }

        // ------------------------------------------------------------------ structure limits

        [Fact]
        public void HundredThousandNestedBracketsAreRefusedQuicklyWithoutRecursion()
        {
            string path = Path.Combine(Dir, "deep.yaml");
            File.WriteAllText(path, new string('[', 100_000) + new string(']', 100_000));
            Assert.Equal(200_000, new FileInfo(path).Length);
            var sw = Stopwatch.StartNew();
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.LoadFile(path));
            sw.Stop();
            Assert.Equal(MatrixErrorIds.TooDeep, ex.ErrorId);
            Assert.Equal(MatrixErrorKind.LimitsExceeded, ex.Kind);
            Assert.Equal(1, ex.Line);
            Assert.Contains($"more than {MatrixLoader.MaxDepth} levels", ex.Message);
            Assert.True(sw.ElapsedMilliseconds < 1000, $"took {sw.ElapsedMilliseconds} ms");
        }

        [Fact]
        public void HundredThousandNestedFlowMapsAreRefused()
        {
            string path = Path.Combine(Dir, "deepmap.yaml");
            File.WriteAllText(path, string.Concat(Enumerable.Repeat("{a: ", 100_000)) + "1" + new string('}', 100_000));
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.LoadFile(path));
            Assert.Equal(MatrixErrorIds.TooDeep, ex.ErrorId);
        }

        [Fact]
        public void DeepBlockIndentationIsRefusedAtTheLineThatGoesTooDeep()
        {
            var lines = Enumerable.Range(0, 40).Select(i => new string(' ', i) + "k" + i + ":").Append(new string(' ', 40) + "x").ToArray();
            var ex = Expect(MatrixErrorIds.TooDeep, MatrixLoader.MaxDepth + 1, null, lines);
        }

        [Fact]
        public void TheDepthLimitIsExact()
        {
            // MaxDepth nested lists: the structure is read (and then refused as not a map); one more is refused as too deep.
            var atLimit = Assert.Throws<MatrixException>(() => MatrixLoader.Parse(new string('[', MatrixLoader.MaxDepth) + new string(']', MatrixLoader.MaxDepth), "d.yaml", null));
            Assert.Equal(MatrixErrorIds.WrongType, atLimit.ErrorId);
            var over = Assert.Throws<MatrixException>(() => MatrixLoader.Parse(new string('[', MatrixLoader.MaxDepth + 1) + new string(']', MatrixLoader.MaxDepth + 1), "d.yaml", null));
            Assert.Equal(MatrixErrorIds.TooDeep, over.ErrorId);
        }

        [Fact]
        public void ASecondDocumentIsRefused()
        {
            var ex = Expect(MatrixErrorIds.MultipleDocuments, 5, null, "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie]", "---", "versions: {}");
            Assert.Contains("more than one YAML document", ex.Message);
        }

        [Fact]
        public void AnExplicitSingleDocumentIsFine()
        {
            var m = Load("---", "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie]", "...");
            Assert.Equal("3.14.6", m.Versions.Single().Version.Text);
        }

        [Fact]
        public void AnchorsAndAliasesAreRefused()
        {
            Expect(MatrixErrorIds.AnchorNotAllowed, 4, null, "versions:", "  '3.14':", "    version: 3.14.6", "    variants: &v [trixie]", "  '3.13':", "    version: 3.13.14", "    variants: *v");
        }

        [Fact]
        public void AnAliasBombIsRefusedBeforeAnythingIsExpanded()
        {
            var lines = new List<string> { "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
            for (int i = 1; i < 20; i++)
            {
                string prev = "*a" + (i - 1);
                lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat(prev, 10))}]");
            }

            lines.Add("versions: {'3.14': {version: 3.14.6, variants: [trixie]}}");
            var sw = Stopwatch.StartNew();
            var ex = Expect(MatrixErrorIds.AnchorNotAllowed, 1, null, lines.ToArray());
            Assert.True(sw.ElapsedMilliseconds < 5000, $"took {sw.ElapsedMilliseconds} ms");
        }

        [Theory]
        [InlineData("    version: !!str 3.14.6")]
        [InlineData("    version: !python/object:os.system 3.14.6")]
        [InlineData("    version: ! 3.14.6")]
        [InlineData("    version: !<tag:yaml.org,2002:str> 3.14.6")]
        public void YamlTagsAreRefused(string line)
        {
            Expect(MatrixErrorIds.YamlTagNotAllowed, 3, null, "versions:", "  '3.14':", line, "    variants: [trixie]");
        }

        [Fact]
        public void ADuplicateKeyWithALineBreakIsShownEscaped()
        {
            var ex = Expect(MatrixErrorIds.DuplicateKey, 3, "x\\u000A", "\"x\\n\": 1", "versions: {'3.14': {version: 3.14.6, variants: [trixie]}}", "\"x\\n\": 2");
            NoControlCharacters(ex.Message);
        }

        [Fact]
        public void ControlCharactersInKeysAreShownEscaped()
        {
            var ex = Expect(MatrixErrorIds.UnknownKey, 1, "\\u001B[31mred", "\"\\e[31mred\": 1", "versions: {'3.14': {version: 3.14.6, variants: [trixie]}}");
            NoControlCharacters(ex.Message);
        }

        [Theory]
        [InlineData('\0', 3)]
        [InlineData('\u001b', 3)]
        [InlineData('\u007f', 3)]
        [InlineData('\u009b', 3)]
        [InlineData('\ud800', 3)]
        [InlineData('\udc00', 3)]
        [InlineData('\uffff', 3)]
        public void ACharacterYamlDoesNotAllowIsRefusedWithItsLine(char c, int line)
        {
            // YamlDotNet itself would read "3.14.6<NUL>" as 3.14.6 and go on.
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.Parse($"versions:\n  '3.14':\n    version: 3.14.6{c}\n    variants: [trixie]\n", "c.yaml", null));
            Assert.Equal(MatrixErrorIds.InvalidCharacter, ex.ErrorId);
            Assert.Equal(line, ex.Line);
            Assert.Contains($"U+{(int)c:X4}", ex.Message);
            NoControlCharacters(ex.Message);
        }

        [Fact]
        public void TabsCarriageReturnsAndNonAsciiCommentsAreFine()
        {
            var m = MatrixLoader.Parse("# Python \u00e9t\u00e9 \ud83d\udc0d\r\nversions:\r\n  '3.14':\r\n    version:\t3.14.6\r\n    variants: [trixie]\r\n", "crlf.yaml", MatrixLoader.Default.Architectures);
            Assert.Equal("3.14.6", m.Versions.Single().Version.Text);
        }

        [Fact]
        public void ParseRefusesTextOverTheLimitToo()
        {
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.Parse("#" + new string('x', MatrixLoader.MaxFileBytes), "big.yaml", null));
            Assert.Equal(MatrixErrorIds.TooLarge, ex.ErrorId);
        }

        // ------------------------------------------------------------------ tags validated at load

        private static readonly string[] Two = { "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie, slim-trixie]", "  '3.13':", "    version: 3.13.14", "    variants: [trixie, slim-trixie]" };

        private static string[] WithAliases(params string[] aliasLines) => new[] { "aliases:" }.Concat(aliasLines).Concat(Two).ToArray();

        [Fact]
        public void LatestOnTwoVersionsIsAnAliasCollisionAtTheSecondClaim()
        {
            var ex = Expect(MatrixErrorIds.AliasCollision, 3, "aliases.3.13", WithAliases("  '3.14': ['3', latest]", "  '3.13': [latest]"));
            Assert.Contains("'latest'", ex.Message);
            Assert.Contains("3.14", ex.Message);
        }

        [Theory]
        [InlineData("  '3.14': ['3', '3']", 2, "aliases.3.14")]
        [InlineData("  '3.14': ['3.13']", 2, "aliases.3.14")]
        [InlineData("  '3.14': ['3.13.14']", 2, "aliases.3.14")]
        [InlineData("  '3.14': ['3.14']", 2, "aliases.3.14")]
        [InlineData("  '3.14': ['3.14.6']", 2, "aliases.3.14")]
        public void AnAliasThatRepeatsATagIsACollision(string aliasLine, int line, string key)
        {
            Expect(MatrixErrorIds.AliasCollision, line, key, WithAliases(aliasLine));
        }

        [Fact]
        public void AnAliasForAVersionTheMatrixDoesNotListMakesNoTagsAndIsNoCollision()
        {
            var m = Load(WithAliases("  '3.14': [latest]", "  '3.9': [latest]"));
            Assert.Equal(4, TagRules.Compute(m).Count);
        }

        [Fact]
        public void TwoImagesClaimingOneTagIsADuplicateTagAtTheVariantLine()
        {
            // 3.14's alias "3-slim" makes 3.14/trixie's "3-slim-trixie", which 3.13's alias "3" makes for 3.13/slim-trixie.
            var ex = Expect(MatrixErrorIds.DuplicateTag, 10, "3.13.variants", WithAliases("  '3.14': ['3-slim']", "  '3.13': ['3']"));
            Assert.Contains("'3-slim-trixie'", ex.Message);
            Assert.Contains("3.14/trixie", ex.Message);
            Assert.Contains("3.13/slim-trixie", ex.Message);
        }

        [Fact]
        public void ALatestDashAliasKeepsItsSharedTagAndItsSimpleTagsAreStillChecked()
        {
            // 3.14's "latest-lts" is the shared tag latest-lts as it is (upstream deletes "latest-" from Tags only), and
            // lts-trixie in Tags: 3.13's alias "lts" makes lts-trixie too, which the load still refuses.
            var m = Load(WithAliases("  '3.14': [latest-lts]"));
            Assert.Equal("3.14.6, 3.14, latest-lts", string.Join(", ", TagRules.Compute(m)[0].SharedTags));
            var ex = Expect(MatrixErrorIds.DuplicateTag, 10, "3.13.variants", WithAliases("  '3.14': [latest-lts]", "  '3.13': [lts]"));
            Assert.Contains("'lts-trixie'", ex.Message);
            Assert.Contains("3.14/trixie", ex.Message);
        }

        [Fact]
        public void ASharedTagThatIsAnotherImagesSimpleTagIsADuplicateTag()
        {
            // 3.13's alias "3.14-alpine" becomes a shared tag of its Windows image; it is a simple tag of 3.14/alpine3.24.
            var ex = Expect(
                MatrixErrorIds.DuplicateTag, 9, "3.13.variants",
                "aliases:", "  '3.13': ['3.14-alpine']", "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [alpine3.24]",
                "  '3.13':", "    version: 3.13.14", "    variants: [windows/windowsservercore-ltsc2025]");
            Assert.Contains("Shared tag '3.14-alpine' of 3.13/windows/windowsservercore-ltsc2025 is a tag of 3.14/alpine3.24", ex.Message);
        }

        [Fact]
        public void ATagLongerThanDockerAllowsIsAnInvalidTag()
        {
            string alias = new string('a', 125); // a valid tag itself; with "-trixie" 132 characters
            var ex = Expect(MatrixErrorIds.InvalidTag, 6, "3.14.variants", "aliases:", $"  '3.14': [{alias}]", "versions:", "  '3.14':", "    version: 3.14.6", "    variants: [trixie]");
            Assert.Contains("132 characters", ex.Message);
        }

        [Fact]
        public void AllArchitecturesExcludedIsAnErrorAtTheVariant()
        {
            var ex = Expect(
                MatrixErrorIds.NoArchitectures, 7, "3.14.variants",
                "architectures: {'buildpack-deps:trixie': [amd64, arm64v8]}",
                "versions:",
                "  '3.14':",
                "    version: 3.14.6",
                "    excludeArchitectures: [arm64v8]",
                "    variants:",
                "      - trixie",
                "excludeArchitectures: [amd64]");
            Assert.Contains("3.14/trixie", ex.Message);
        }

        [Fact]
        public void ABaseWithAnEmptyArchitectureListIsAnErrorForTheVariantsUsingIt()
        {
            Expect(MatrixErrorIds.NoArchitectures, 6, "3.14.variants", "architectures: {'buildpack-deps:trixie': []}", "versions:", "  '3.14':", "    version: 3.14.6", "    variants:", "      - trixie");
        }

        /// <summary>
        /// One version 3.14 with <paramref name="aliases"/> alias words and <paramref name="variants"/> Windows variants:
        /// its tags are aliases times variants (Windows variants need no architectures), from a few kilobytes of text.
        /// </summary>
        private static string ManyTagsMatrix(int aliases, int variants)
        {
            var sb = new StringBuilder("aliases:\n  '3.14': [");
            sb.Append(string.Join(", ", Enumerable.Range(0, aliases).Select(i => "a" + i)));
            sb.Append("]\nversions:\n  '3.14':\n    version: 3.14.6\n    checksums:\n      source: {sha256: ").Append(Sha)
              .Append("}\n      windows: {sha256: ").Append(Sha).Append("}\n    variants: [");
            sb.Append(string.Join(", ", Enumerable.Range(0, variants).Select(i => "windows/windowsservercore-r" + i)));
            return sb.Append("]\n").ToString();
        }

        [Fact]
        public void AMatrixThatWouldMakeTooManyTagsIsRefusedBeforeAnyIsMade()
        {
            // 1,000 alias words and 1,000 Windows variants in 37 KB ask for about three million tags (hundreds of
            // megabytes of strings, and seconds). They are counted first: refused with next to nothing allocated.
            string text = ManyTagsMatrix(1000, 1000);
            Assert.True(text.Length < 40_000);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.Parse(text, "many.yaml", MatrixLoader.Default.Architectures));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(MatrixErrorIds.TooLarge, ex.ErrorId);
            Assert.Contains($"more than {TagOwnerTable.MaxTags} tags", ex.Message);
            Assert.True(allocated < 16_000_000, $"{allocated} bytes allocated before the matrix was refused");
        }

        [Fact]
        public void ManyAliasesAndVariantsUnderTheLimitLoadWithEveryTag()
        {
            // 200 × 200: 121,200 tags, each Windows image with 202 simple and 404 shared tags (the repeat check's long
            // path); the shared tags are the same for every image of the version.
            var images = TagRules.Compute(MatrixLoader.Parse(ManyTagsMatrix(200, 200), "many.yaml", MatrixLoader.Default.Architectures));
            Assert.Equal(200, images.Count);
            Assert.All(images, i => Assert.Equal(202, i.Tags.Length));
            Assert.All(images, i => Assert.Equal(images[0].SharedTags, i.SharedTags));
            Assert.Equal(404, images[0].SharedTags.Length);
            Assert.Equal(200 * 202, images.SelectMany(i => i.Tags).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(images.Sum(i => (long)i.Tags.Length + i.SharedTags.Length), TagRules.CountTags(MatrixLoader.Parse(ManyTagsMatrix(200, 200), "many.yaml", MatrixLoader.Default.Architectures)));
        }

        [Theory]
        [InlineData(2)]
        [InlineData(5)]
        [InlineData(16)]
        [InlineData(17)]
        [InlineData(500)]
        public void FirstRepeatFindsTheFirstTagEqualToAnEarlierOne(int n)
        {
            // Short lists are searched, long ones go through a set: the same answers.
            var tags = Enumerable.Range(0, n).Select(i => "t" + i).ToArray();
            Assert.Equal(-1, MatrixLoader.FirstRepeat(tags));
            var last = (string[])tags.Clone();
            last[n - 1] = last[0];
            Assert.Equal(n - 1, MatrixLoader.FirstRepeat(last));
            var two = (string[])last.Clone();
            two[n / 2] = two[(n / 2) - 1];
            Assert.Equal(n / 2, MatrixLoader.FirstRepeat(two));
            Assert.Equal(-1, MatrixLoader.FirstRepeat(Array.Empty<string>()));
        }

        [Fact]
        public void TheDefaultAliasRuleNeverCollides()
        {
            // Many keys over two majors: only the highest of each major gets MAJOR, the highest of all latest.
            var lines = new List<string> { "versions:" };
            foreach (var (major, minor) in Enumerable.Range(0, 60).Select(i => (i < 30 ? 2 : 3, i % 30)))
            {
                lines.Add($"  '{major}.{minor}':");
                lines.Add($"    version: {major}.{minor}.1");
                lines.Add("    variants: [trixie]");
            }

            var m = Load(lines.ToArray());
            var images = TagRules.Compute(m);
            Assert.Equal(60, images.Count);
            Assert.Equal(new[] { "3", "latest" }, m.AliasesFor(m.Find("3.29")!.Key));
            Assert.Equal(new[] { "2" }, m.AliasesFor(m.Find("2.29")!.Key));
            Assert.Empty(m.AliasesFor(m.Find("3.28")!.Key));
            Assert.Equal(images.Sum(i => i.Tags.Length), images.SelectMany(i => i.Tags).Distinct().Count());
        }

        // ------------------------------------------------------------------ no raw exception, whatever the bytes

        [Fact]
        public void MutatedMatricesEitherLoadOrFailWithAMatrixException()
        {
            string embedded;
            using (var stream = typeof(MatrixLoader).Assembly.GetManifestResourceStream("PythonImages.matrix.yaml")!)
            using (var reader = new StreamReader(stream))
            {
                embedded = reader.ReadToEnd();
            }

            string[] inserts = { "[", "]", "{", "}", ":", "- ", "\n", "\"", "'", "&a ", "*a", "!!str ", "---\n", "\0", "\t", "  ", "99999999999", "\u2028", "#", ",", "?", "|", ">" };
            var random = new Random(9009);
            var failures = new List<string>();
            for (int i = 0; i < 1500; i++)
            {
                var sb = new StringBuilder(embedded);
                int edits = 1 + random.Next(3);
                for (int e = 0; e < edits; e++)
                {
                    int at = random.Next(sb.Length);
                    switch (random.Next(3))
                    {
                        case 0:
                            sb.Insert(at, inserts[random.Next(inserts.Length)]);
                            break;
                        case 1:
                            sb.Remove(at, Math.Min(1 + random.Next(8), sb.Length - at));
                            break;
                        default:
                            sb[at] = (char)random.Next(1, 128);
                            break;
                    }
                }

                try
                {
                    var m = MatrixLoader.Parse(sb.ToString(), "fuzz.yaml", MatrixLoader.Default.Architectures);
                    TagRules.Compute(m);
                }
                catch (MatrixException ex)
                {
                    if (ex.Line < 0 || string.IsNullOrEmpty(ex.ErrorId))
                    {
                        failures.Add($"#{i}: {ex.ErrorId} at {ex.Line}");
                    }
                }
                catch (Exception ex)
                {
                    failures.Add($"#{i}: {ex.GetType().Name}: {ex.Message}");
                }
            }

            Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        }

        [Fact]
        public void ErrorIdsAreDistinctAndEachHasAKind()
        {
            var ids = typeof(MatrixErrorIds).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
            Assert.Equal(40, ids.Count); // 19 before the hardening, 21 added with it
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.All(ids, id => Assert.Matches(@"\AMatrix\.[A-Z][A-Za-z]+\z", id));
            Assert.Equal(MatrixErrorKind.NotFound, MatrixErrorIds.KindOf(MatrixErrorIds.FileNotFound));
            Assert.Equal(MatrixErrorKind.InvalidArgument, MatrixErrorIds.KindOf(MatrixErrorIds.NotAFile));
            Assert.Equal(MatrixErrorKind.InvalidArgument, MatrixErrorIds.KindOf(MatrixErrorIds.InvalidPath));
            Assert.Equal(MatrixErrorKind.LimitsExceeded, MatrixErrorIds.KindOf(MatrixErrorIds.TooLarge));
            Assert.Equal(MatrixErrorKind.LimitsExceeded, MatrixErrorIds.KindOf(MatrixErrorIds.TooDeep));
            Assert.Equal(MatrixErrorKind.ReadError, MatrixErrorIds.KindOf(MatrixErrorIds.ReadFailed));
            Assert.Equal(MatrixErrorKind.InvalidData, MatrixErrorIds.KindOf(MatrixErrorIds.AliasCollision));
        }

        [Theory]
        [InlineData("trixie\n")]
        [InlineData("slim-trixie\n")]
        [InlineData("alpine3.24\n")]
        [InlineData("windows/windowsservercore-ltsc2025\n")]
        public void VariantFormsAreAnchoredAtTheRealEnd(string variant) => Assert.Null(VariantInfo.TryParse(variant, out _));
    }
}
