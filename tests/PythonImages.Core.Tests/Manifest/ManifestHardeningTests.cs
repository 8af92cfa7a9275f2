using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using PythonImages.Security;
using Xunit;

namespace PythonImages.Tests.Manifest
{
    /// <summary>Hostile and broken manifests: each refused with its own error id at the right line, nothing half read.</summary>
    public class ManifestHardeningTests
    {
        private const string Header = "Maintainers: A B <a@b.c> (@ab)\nGitRepo: https://github.com/o/r.git\n\n"; // lines 1-3
        private const string Commit = "GitCommit: 0123456789abcdef0123456789abcdef01234567\n";
        private const string Sha = "0123456789abcdef0123456789abcdef01234567";

        private static ManifestException Rejected(string text) => Assert.Throws<ManifestException>(() => LibraryManifest.Parse(text, "m.txt"));

        [Theory]
        [InlineData("../../etc", "'..' component")]
        [InlineData("3.14/../../x", "'..' component")]
        [InlineData("..", "'..' component")]
        [InlineData("/etc", "absolute")]
        [InlineData("/", "absolute")]
        [InlineData("./3.14", "write it as '3.14'")]
        [InlineData("3.14//trixie", "write it as '3.14/trixie'")]
        [InlineData("3.14/trixie/", "write it as '3.14/trixie'")]
        [InlineData("3.14/./trixie", "write it as '3.14/trixie'")]
        [InlineData("C:/x", "absolute")]
        [InlineData("a\\b", "not a valid relative directory")]
        [InlineData("<img src=x onerror=alert(1)>", "U+0020")]
        [InlineData("[x](javascript:alert(1))", "not a valid relative directory")]
        [InlineData("3.14/*bold*", "not a valid relative directory")]
        [InlineData("a b", "U+0020")]
        [InlineData("<b>x</b>", "not a valid relative directory")]
        [InlineData("x`y`", "not a valid relative directory")]
        [InlineData("3.14/tri\u00e9", "U+00E9")]
        public void HostileDirectoriesAreRefusedOnImport(string directory, string reason)
        {
            var ex = Rejected(Header + "Tags: a\n" + Commit + "Directory: " + directory + "\n");
            Assert.Equal(ManifestErrorIds.InvalidDirectory, ex.ErrorId);
            Assert.Equal(6, ex.Line);
            Assert.Contains(reason, ex.Message);
        }

        [Theory]
        [InlineData("Directory: ../x", 3)]
        [InlineData("amd64-Directory: /abs", 3)]
        [InlineData("File: ../Dockerfile", 3)]
        [InlineData("amd64-File: a/b", 3)]
        [InlineData("Builder: shell", 3)]
        [InlineData("Constraints: $(id)", 3)]
        [InlineData("Architectures: amd64, <b>", 3)]
        [InlineData("SharedTags: latest, `x`", 3)]
        public void HeaderDefaultsAreCheckedEvenWithoutEntries(string field, int line)
        {
            var ex = Rejected("Maintainers: A B (@ab)\nGitRepo: https://github.com/o/r.git\n" + field + "\n");
            Assert.Equal(line, ex.Line);
            Assert.StartsWith("Manifest.", ex.ErrorId);
        }

        [Theory]
        [InlineData("Directory: 3.14/trixie", "3.14/trixie")]
        [InlineData("Directory: .", ".")]
        [InlineData("Directory: 3.15-rc/windows/windowsservercore-ltsc2025", "3.15-rc/windows/windowsservercore-ltsc2025")]
        [InlineData("Directory: a/..b/c...", "a/..b/c...")]
        [InlineData("Directory: _x_/y", "_x_/y")]
        public void CanonicalRelativeDirectoriesAreAccepted(string field, string directory)
        {
            var image = Assert.Single(LibraryManifest.Parse(Header + "Tags: a\n" + Commit + field + "\n").Images);
            Assert.Equal(directory, image.Directory);
        }

        [Theory]
        [InlineData("File: ../x", ManifestErrorIds.InvalidFile)]
        [InlineData("File: sub/Dockerfile", ManifestErrorIds.InvalidFile)]
        [InlineData("File: .", ManifestErrorIds.InvalidFile)]
        [InlineData("File: ..", ManifestErrorIds.InvalidFile)]
        [InlineData("File: <script>", ManifestErrorIds.InvalidFile)]
        [InlineData("File: Docker file", ManifestErrorIds.InvalidFile)]
        [InlineData("GitRepo: javascript:alert(1)", ManifestErrorIds.InvalidGitRepo)]
        [InlineData("GitRepo: https://github.com/o/r.git) [x](http://evil", ManifestErrorIds.InvalidGitRepo)]
        [InlineData("GitRepo: https://user:secret@github.com/o/r.git", ManifestErrorIds.InvalidGitRepo)]
        [InlineData("GitRepo: https://github.com/o/r.git?x=1", ManifestErrorIds.InvalidGitRepo)]
        [InlineData("GitRepo: https://github.com/../r", ManifestErrorIds.InvalidGitRepo)]
        [InlineData("GitRepo: file:///etc", ManifestErrorIds.InvalidGitRepo)]
        [InlineData("GitRepo: https://github.com/o/r.git\n Tags: injected", ManifestErrorIds.InvalidGitRepo)]
        [InlineData("GitFetch: refs/heads/x\n Directory: ../..", ManifestErrorIds.InvalidGitFetch)]
        [InlineData("GitFetch: refs/heads/a..b", ManifestErrorIds.InvalidGitFetch)]
        [InlineData("GitFetch: refs/heads/a b", ManifestErrorIds.InvalidGitFetch)]
        [InlineData("GitFetch: refs/heads/.hidden", ManifestErrorIds.InvalidGitFetch)]
        [InlineData("Builder: buildkit\n ; rm -rf /", ManifestErrorIds.InvalidBuilder)]
        [InlineData("Builder: docker", ManifestErrorIds.InvalidBuilder)]
        [InlineData("Constraints: windowsservercore, a;b", ManifestErrorIds.InvalidConstraint)]
        [InlineData("Constraints: <x>", ManifestErrorIds.InvalidConstraint)]
        [InlineData("amd64-GitCommit: 0123", ManifestErrorIds.InvalidGitCommit)]
        [InlineData("amd64-GitRepo: ftp://x/y", ManifestErrorIds.InvalidGitRepo)]
        [InlineData("amd64-Builder: x", ManifestErrorIds.InvalidBuilder)]
        [InlineData("amd64-GitFetch: main", ManifestErrorIds.InvalidGitFetch)]
        public void HostileEntryValuesAreRefused(string field, string errorId)
        {
            var ex = Rejected(Header + "Tags: a\n" + Commit + field + "\n");
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(6, ex.Line);
        }

        [Theory]
        [InlineData("https://github.com/docker-library/python.git")]
        [InlineData("git://github.com/docker-library/python")]
        [InlineData("https://gitlab.com/o/r")]
        [InlineData("https://example.com:8443/a/b/c.git/")]
        [InlineData("ssh://git@example.com/o/r.git")]
        [InlineData("git@github.com:docker-library/python.git")]
        public void RealGitRepoFormsAreAccepted(string repo) => Assert.True(ManifestGrammar.GitRepo.IsMatch(repo), repo);

        [Fact]
        public void CommitWithATrailingNewlineIsRefused()
        {
            // A continuation line is the only way to get a newline into a value; "$" would have matched before it.
            var ex = Rejected(Header + "Tags: a\nGitCommit: " + Sha + "\n " + Sha + "\n");
            Assert.Equal(ManifestErrorIds.InvalidGitCommit, ex.ErrorId);
        }

        [Fact]
        public void EveryManifestGrammarIsAnchoredAtTheRealEnd()
        {
            var valid = new (string Name, Func<string, bool> IsMatch, string Value)[]
            {
                ("GitRepo", ManifestGrammar.GitRepo.IsMatch, "https://github.com/o/r.git"),
                ("GitFetch", ManifestGrammar.GitFetch.IsMatch, "refs/heads/master"),
                ("Builder", ManifestGrammar.Builder.IsMatch, "buildkit"),
                ("Constraint", ManifestGrammar.Constraint.IsMatch, "windowsservercore-ltsc2025"),
                ("FieldName", ManifestGrammar.FieldName.IsMatch, "amd64-GitCommit"),
                ("Maintainer", ManifestGrammar.Maintainer.IsMatch, "Tianon Gravi <admwiggin@gmail.com> (@tianon)"),
                ("Comment", ManifestGrammar.Comment.IsMatch, "# generated"),
                ("ImageName", ManifestGrammar.ImageName.IsMatch, "python"),
                ("Tag", LibraryManifest.IsValidTag, "3.14-trixie"),
                ("Commit", LibraryManifest.IsValidCommit, Sha),
                ("Directory", v => LibraryManifest.WhyNotDirectory(v) == null, "3.14/trixie"),
            };
            foreach (var (name, isMatch, value) in valid)
            {
                Assert.True(isMatch(value), name + " should accept " + value);
                foreach (var suffix in new[] { "\n", "\r\n", "\r", "\0", "\u2028", "\u0085" })
                {
                    Assert.False(isMatch(value + suffix), $"{name} accepted a value ending in U+{(int)suffix[suffix.Length - 1]:X4}");
                    Assert.False(isMatch(suffix + value), $"{name} accepted a value starting with U+{(int)suffix[0]:X4}");
                }
            }
        }

        [Theory]
        [InlineData("Tianon Gravi\n<a@b.c> (@tianon)")]
        [InlineData("Evil \u202Egnp.exe (@x)")]
        [InlineData("Zero\u200Bwidth (@x)")]
        [InlineData("Tab\tName (@x)")]
        [InlineData("A (@x)\u2028Tags: b")]
        public void MaintainersWithControlOrFormatCharactersAreRefused(string maintainer) =>
            Assert.False(ManifestGrammar.Maintainer.IsMatch(maintainer));

        [Fact]
        public void MaintainersMayHaveLettersOfAnyScript()
        {
            const string text = "Maintainers: Ján Kundrát <jan@example.com> (@jkt), 山田 太郎 (@yamada)\nGitRepo: https://github.com/o/r.git\n\nTags: a\n" + Commit;
            var parsed = LibraryManifest.Parse(text);
            Assert.Equal(new[] { "Ján Kundrát <jan@example.com> (@jkt)", "山田 太郎 (@yamada)" }, parsed.Header.Maintainers);
            string written = LibraryManifest.Write(parsed.Header, parsed.Images);
            Assert.StartsWith("Maintainers: Ján Kundrát <jan@example.com> (@jkt),\n             山田 太郎 (@yamada)\n", written);
            Assert.Equal(parsed.Header.Maintainers, LibraryManifest.Parse(written).Header.Maintainers);
        }

        [Theory]
        [InlineData("# a\0b\n", 1)]
        [InlineData("# fine\n# bidi \u202E override\n", 2)]
        [InlineData("# line\u2028separator\n", 1)]
        [InlineData("# bell\u0007\n", 1)]
        [InlineData("# lone\rcarriage return\n", 1)]
        [InlineData("# del\u007F\n", 1)]
        [InlineData("# c1\u0085\n", 1)]
        [InlineData("# zero\u200Bwidth\n", 1)]
        [InlineData("# private\uE000use\n", 1)]
        public void ControlAndFormatCharactersAnywhereAreRefusedWithTheirLine(string comments, int line)
        {
            var ex = Rejected(comments + Header + "Tags: a\n" + Commit);
            Assert.Equal(ManifestErrorIds.InvalidCharacter, ex.ErrorId);
            Assert.Equal(line, ex.Line);
            Assert.True(ex.Message.IndexOfAny(new[] { '\0', '\u202E', '\u2028', '\r', '\u0007' }) < 0, "the message echoes the character");
        }

        [Fact]
        public void ALoneHighSurrogateIsRefusedAndCrlfIsAccepted()
        {
            Assert.Equal(ManifestErrorIds.InvalidCharacter, Rejected("# x\uD800y\n" + Header + "Tags: a\n" + Commit).ErrorId);
            var crlf = (Header + "Tags: a\n" + Commit).Replace("\n", "\r\n");
            Assert.Single(LibraryManifest.Parse(crlf).Images);
        }

        [Fact]
        public void TextOverTheLimitIsRefusedBeforeParsing()
        {
            string big = Header + "Tags: a\n" + Commit + new string('#', LibraryManifest.MaxChars);
            var sw = Stopwatch.StartNew();
            var ex = Rejected(big);
            Assert.Equal(ManifestErrorIds.TooLarge, ex.ErrorId);
            Assert.True(sw.ElapsedMilliseconds < 1000, "the size check must come before any parsing");
        }

        [Fact]
        public void LongContinuationChainsAreReadInLinearTime()
        {
            // 200,000 continuation lines of one Tags field: joined once, not by repeated concatenation.
            var sb = new StringBuilder(Header + "Tags: t0");
            for (int i = 1; i < 200_000; i++)
            {
                sb.Append(",\n t").Append(i);
            }

            sb.Append('\n').Append(Commit);
            var sw = Stopwatch.StartNew();
            var image = Assert.Single(LibraryManifest.Parse(sb.ToString()).Images);
            Assert.Equal(200_000, image.Tags.Length);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
        }

        [Fact]
        public void HugeVersionNumbersInDirectoriesAndTagsDoNotOverflow()
        {
            var image = Assert.Single(LibraryManifest.Parse(Header + "Tags: 99999999999999999999.1.1-x\n" + Commit + "Directory: 99999999999999999999.1/x\n").Images);
            Assert.Equal(string.Empty, image.VersionKey);
            Assert.Equal(string.Empty, image.Version);
        }

        [Fact]
        public void ABomIsIgnored() =>
            Assert.Single(LibraryManifest.Parse("\uFEFF" + Header + "Tags: a\n" + Commit).Images);

        // ------------------------------------------------------------------ files

        [Fact]
        public void FileProbeTellsRegularFilesFromDirectoriesFifosAndDevices()
        {
            string dir = Directory.CreateTempSubdirectory("pi-h9-probe-").FullName;
            try
            {
                string file = Path.Combine(dir, "f");
                File.WriteAllText(file, "x");
                Assert.Equal(FileKind.Regular, FileProbe.KindOf(file));
                Assert.Equal(FileKind.Directory, FileProbe.KindOf(dir));
                Assert.Equal(FileKind.Missing, FileProbe.KindOf(Path.Combine(dir, "none")));
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(FileKind.CharacterDevice, FileProbe.KindOf("/dev/null"));
                    string fifo = Path.Combine(dir, "fifo");
                    SpecialFiles.MakeFifo(fifo);
                    Assert.Equal(FileKind.Fifo, FileProbe.KindOf(fifo));
                    string link = Path.Combine(dir, "link");
                    File.CreateSymbolicLink(link, fifo);
                    Assert.Equal(FileKind.Fifo, FileProbe.KindOf(link));
                }
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public async Task ReadingAFifoOrADeviceFailsAtOnceWithoutOpeningIt()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            string dir = Directory.CreateTempSubdirectory("pi-h9-fifo-").FullName;
            try
            {
                string fifo = Path.Combine(dir, "fifo");
                SpecialFiles.MakeFifo(fifo);
                foreach (var path in new[] { fifo, "/dev/zero", "/dev/null" })
                {
                    // A TimeoutException here means the reader blocked.
                    var error = await Task.Run(() => Assert.Throws<ManifestException>(() => ManifestFile.ReadAllText(path))).WaitAsync(TimeSpan.FromSeconds(10));
                    Assert.Equal(ManifestErrorIds.NotAFile, error.ErrorId);
                    Assert.Equal(path, error.File);
                }

                var dirError = Assert.Throws<ManifestException>(() => ManifestFile.ReadAllText(dir));
                Assert.Equal(ManifestErrorIds.NotAFile, dirError.ErrorId);
                Assert.Contains("directory", dirError.Message);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void OversizedInvalidUtf8AndBomFiles()
        {
            string dir = Directory.CreateTempSubdirectory("pi-h9-read-").FullName;
            try
            {
                string big = Path.Combine(dir, "big");
                using (var s = File.Create(big))
                {
                    s.SetLength(LibraryManifest.MaxChars + 1L); // sparse: no 4 MB written
                }

                var ex = Assert.Throws<ManifestException>(() => ManifestFile.ReadAllText(big));
                Assert.Equal(ManifestErrorIds.TooLarge, ex.ErrorId);
                Assert.Contains((LibraryManifest.MaxChars + 1L).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);

                string latin1 = Path.Combine(dir, "latin1");
                File.WriteAllBytes(latin1, Encoding.Latin1.GetBytes("Maintainers: J\u00e1n (@j)\n"));
                Assert.Equal(ManifestErrorIds.InvalidEncoding, Assert.Throws<ManifestException>(() => ManifestFile.ReadAllText(latin1)).ErrorId);

                string bom = Path.Combine(dir, "bom");
                File.WriteAllBytes(bom, new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(Header + "Tags: a\n" + Commit)).ToArray());
                Assert.Single(LibraryManifest.Parse(ManifestFile.ReadAllText(bom), bom).Images);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
