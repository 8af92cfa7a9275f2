using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Engine.Tests
{
    public sealed class BuildContextTests
    {
        // The files of the .dockerignore scenario and what docker sends for them (checked against the real docker CLI below).
        internal static readonly string[] ScenarioFiles =
        {
            "a.txt", "b.log", "logs/x.log", "logs/keep.log", "src/app.py", "src/test/t.py", "src/deep/er/file.tmp",
            "docs/readme.md", "docs/guide/page.md", "node_modules/pkg/index.js", "dir with spaces/f.txt",
            "cache/important.txt", "cache/junk.bin", "keep/sub/important.txt", "notes.md", "notes.mdx", "x1.cfg", "xy.cfg",
        };

        internal const string ScenarioIgnore =
            "# comment line\n" +
            "*.log\n" +
            "logs/*.log\n" +
            "!logs/keep.log\n" +
            "**/*.tmp\n" +
            "/docs\n" +
            "  !docs/readme.md  \n" +
            "./node_modules\n" +
            "src/test/\n" +
            "cache\n" +
            "!**/important.txt\n" +
            "*.md?\n" +
            "x?.cfg\n" +
            "!x1.cfg\n" +
            "Dockerfile\n" +
            ".dockerignore\n";

        internal static readonly string[] ScenarioExpected =
        {
            ".dockerignore", "Dockerfile", "a.txt", "busybox", "dir with spaces/f.txt", "docs/readme.md", "keep/sub/important.txt",
            "logs/keep.log", "notes.md", "src/app.py", "x1.cfg",
        };

        internal static TempContext Scenario(string dockerfile)
        {
            var ctx = new TempContext();
            foreach (var f in ScenarioFiles)
            {
                ctx.Write(f, "content of " + f);
            }

            ctx.AddBusybox();
            ctx.Write("Dockerfile", dockerfile);
            ctx.Write(".dockerignore", ScenarioIgnore);
            return ctx;
        }

        [Fact]
        public void ScenarioSendsWhatDockerSends()
        {
            using var ctx = Scenario("FROM scratch\n");
            var files = BuildContext.Scan(ctx.Root).Entries.Where(e => e.Kind == ContextEntryKind.File).Select(e => e.Path).OrderBy(p => p, StringComparer.Ordinal);
            Assert.Equal(ScenarioExpected, files);
        }

        [Theory]
        [InlineData("*.txt", "a.txt", true)]
        [InlineData("*.txt", "dir/a.txt", false)]
        [InlineData("**/*.txt", "dir/sub/a.txt", true)]
        [InlineData("**/*.txt", "a.txt", true)]
        [InlineData("dir/**", "dir/sub/a.txt", true)]
        [InlineData("dir/**/a.txt", "dir/a.txt", true)]
        [InlineData("dir/**/a.txt", "dir/x/y/a.txt", true)]
        [InlineData("dir", "dir/sub/a.txt", true)]
        [InlineData("/dir/", "dir/a", true)]
        [InlineData("./dir//sub/../a", "dir/a", true)]
        [InlineData("a?c", "abc", true)]
        [InlineData("a?c", "a/c", false)]
        [InlineData("[a-c]x", "bx", true)]
        [InlineData("[!a-c]x", "bx", true)] // '!' in a class is itself in docker; only '^' negates
        [InlineData("[!a-c]x", "!x", true)]
        [InlineData("[!a-c]x", "dx", false)]
        [InlineData("[^a-c]x", "dx", true)]
        [InlineData("a.b", "axb", false)]
        [InlineData("**.pyc", "a.pyc", true)] // docker: "**" then a literal rest is a suffix match, in any folder
        [InlineData("**.pyc", "src/pkg/b.pyc", true)]
        [InlineData("**.log", "logs/app.log", true)]
        [InlineData("**.log", "logs/app.txt", false)]
        [InlineData("**/b.pyc", "src/pkg/b.pyc", true)]
        [InlineData("**/b.pyc", "b.pyc", true)]
        [InlineData("**/b.pyc", "srcb.pyc", false)]
        [InlineData("**.py?", "src/a.pyc", false)] // with a wildcard in the rest, "**" is whole segments again
        [InlineData("a+(b)", "a+(b)", true)]
        [InlineData("\\*", "*", true)]
        [InlineData("\\*", "x", false)]
        [InlineData("?.txt", "\U0001F600.txt", true)] // docker reads a name by code points: an emoji is one character
        [InlineData("??.txt", "\U0001F600.txt", false)]
        [InlineData("[\U0001F600-\U0001F602].txt", "\U0001F601.txt", true)]
        [InlineData("[^a].txt", "\U0001F601.txt", true)]
        public void PatternMatching(string pattern, string path, bool excluded)
        {
            Assert.Equal(excluded, DockerIgnore.Parse(pattern).IsExcluded(path));
        }

        [Fact]
        public void LastMatchWinsAndReInclusionNeedsAPriorExclusion()
        {
            var ig = DockerIgnore.Parse("*.txt\n!keep.txt\n");
            Assert.True(ig.IsExcluded("a.txt"));
            Assert.False(ig.IsExcluded("keep.txt"));
            var again = DockerIgnore.Parse("*.txt\n!keep.txt\nkeep*\n");
            Assert.True(again.IsExcluded("keep.txt"));
            Assert.False(DockerIgnore.Parse("!a.txt").IsExcluded("a.txt"));
        }

        [Fact]
        public void AnExceptionSkippedAtAFolderDoesNotReIncludeWhatIsExcludedBelowIt()
        {
            // Docker's walk: "!src" was skipped at "src" (nothing excluded it yet) and does not match "src/.env" itself,
            // so the secret stays out of the context although "!src" matches its parent folder.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            ctx.Write("src/app.py", "x");
            ctx.Write("src/.env", "SECRET=1");
            ctx.Write(".env", "SECRET=1");
            ctx.Write(".dockerignore", "**/.env\n!src\n");
            var paths = BuildContext.Scan(ctx.Root).Entries.Select(e => e.Path).ToArray();
            Assert.DoesNotContain("src/.env", paths);
            Assert.DoesNotContain(".env", paths);
            Assert.Contains("src/app.py", paths);
        }

        [Fact]
        public void AnExclusionSkippedAtAFolderDoesNotExcludeWhatAnExceptionBroughtBackBelowIt()
        {
            // The reverse: the second "d" was skipped at "d" (already excluded) and does not match "d/x" itself, so the
            // exception "!d/x" stands, as docker sends it; the rest of d stays out.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            ctx.Write("d/x", "x");
            ctx.Write("d/y", "y");
            ctx.Write(".dockerignore", "d\n!d/x\nd\n");
            var paths = BuildContext.Scan(ctx.Root).Entries.Select(e => e.Path).ToArray();
            Assert.Contains("d/x", paths);
            Assert.DoesNotContain("d/y", paths);

            // Judged on its own (as the CLI judges the Dockerfile), the last "d" still wins.
            Assert.True(DockerIgnore.Parse("d\n!d/x\nd\n").IsExcluded("d/x"));
        }

        [Fact]
        public void PatternsAreCleanedLikeDocker()
        {
            var ig = DockerIgnore.Parse("# c\n  /a/  \n./b/./c\n!/d\n\n\ne/../f\n");
            Assert.Equal(new[] { "a", "b/c", "!d", "f" }, ig.Patterns);
        }

        [Fact]
        public void DockerfileAndDockerignoreAreAlwaysSentEvenWhenExcluded()
        {
            using var ctx = new TempContext();
            ctx.Write("build/Dockerfile.custom", "FROM scratch\n");
            ctx.Write(".dockerignore", "*\n");
            ctx.Write("other.txt");
            var c = BuildContext.Scan(ctx.Root, "build/Dockerfile.custom");
            Assert.Equal("build/Dockerfile.custom", c.Dockerfile);
            Assert.Equal(new[] { ".dockerignore", "build/Dockerfile.custom" }, c.Entries.Where(e => e.Kind == ContextEntryKind.File).Select(e => e.Path).OrderBy(p => p, StringComparer.Ordinal));
        }

        [Theory]
        [InlineData("secrets/[z-a]*", "has the range z-a, written backwards")]
        [InlineData("*.key\n[]x", "has a character class with nothing in it")]
        [InlineData("![^]", "has a character class with nothing in it")]
        [InlineData("secrets/*.key[", "has a '[' that is never closed")] // docker: syntax error in pattern
        [InlineData("secrets/[a-", "has a '[' that is never closed")]
        [InlineData("secrets/a.key\\", "ends with a lone '\\'")]
        [InlineData("secrets/[-_]*", "has a '-' in a character class where a character belongs")]
        [InlineData("secrets/[a-]*", "has a '-' in a character class where a character belongs")]
        [InlineData("secrets/[a-c-e]*", "has a '-' in a character class where a character belongs")]
        [InlineData("secrets\n!", "is a '!' with no pattern after it")] // docker: illegal exclusion pattern: "!"
        [InlineData("secrets\n! /", "is a '!' with no pattern after it")]
        public void APatternDockerRefusesStopsTheScanInsteadOfMatchingNothing(string ignore, string why)
        {
            // Matching nothing would send the files the line was meant to keep out; docker build refuses such a pattern.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            ctx.Write("secrets/a.key", "k");
            ctx.Write(".dockerignore", ignore + "\n");
            var ex = Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root));
            Assert.Equal(BuildContextFailure.InvalidIgnorePattern, ex.Reason);
            Assert.Equal("ImageBuild.InvalidDockerignore", ex.ErrorId);
            Assert.Contains(why, ex.Message, StringComparison.Ordinal);
            Assert.Contains(".dockerignore", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AClassOfOnlyABangIsAcceptedAndMatchesABang()
        {
            // Docker accepts "[!]" (filepath.Match reads the '!' as itself) and excludes a file named "!" with it.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            ctx.Write("!", "x");
            ctx.Write("a", "x");
            ctx.Write(".dockerignore", "[!]\n");
            var c = BuildContext.Scan(ctx.Root);
            Assert.DoesNotContain(c.Entries, e => e.Path == "!");
            Assert.Contains(c.Entries, e => e.Path == "a");
        }

        [Theory]
        [InlineData("[\\]]x", "]x", "\\x")] // docker: an escaped ']' is in the class, not its end
        [InlineData("[\\-a]x", "-x", "bx")]
        [InlineData("[a\\-c]x", "-x", "bx")]
        public void AnEscapeInAClassIsTheCharacterItEscapes(string pattern, string excluded, string sent)
        {
            Assert.Null(DockerIgnore.Parse(pattern).FirstProblem);
            Assert.True(DockerIgnore.Parse(pattern).IsExcluded(excluded));
            Assert.False(DockerIgnore.Parse(pattern).IsExcluded(sent));
        }

        [Fact]
        public void ValidClassesAndEscapedBracketsStillScan()
        {
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            ctx.Write("a1.txt", "x");
            ctx.Write("b1.txt", "x");
            ctx.Write("[]x", "x");
            ctx.Write(".dockerignore", "[a-a]1.txt\n\\[\\]x\n");
            var files = BuildContext.Scan(ctx.Root).Entries.Where(e => e.Kind == ContextEntryKind.File).Select(e => e.Path).OrderBy(p => p, StringComparer.Ordinal);
            Assert.Equal(new[] { ".dockerignore", "Dockerfile", "b1.txt" }, files);
        }

        [Theory]
        [InlineData("/dev/zero")]
        [InlineData("fifo")]
        public void ADockerignoreThatIsNoRegularFileIsRefusedWithoutReadingIt(string target)
        {
            // A project (a pull request) may make its .dockerignore a link to a device or a FIFO: refused, never read.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            MakeSpecial(Path.Combine(ctx.Root, ".dockerignore"), target);

            var ex = Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root));
            Assert.Equal(BuildContextFailure.Unreadable, ex.Reason);
            Assert.Equal("ImageBuild.ContextUnreadable", ex.ErrorId);
            Assert.Contains(".dockerignore", ex.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("/dev/zero")]
        [InlineData("fifo")]
        public void ADockerfileThatIsNoRegularFileIsRefusedWithoutReadingIt(string target)
        {
            using var ctx = new TempContext();
            string dockerfile = Path.Combine(ctx.Root, "Dockerfile");
            MakeSpecial(dockerfile, target);

            var ex = Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root));
            Assert.Equal(BuildContextFailure.Unreadable, ex.Reason);
            Assert.Contains("not a regular file", ex.Message, StringComparison.Ordinal);

            // The readers of its FROM lines refuse it too (as an unreadable file), instead of reading forever.
            Assert.Null(PythonImages.Engine.Builds.BuildPlatform.SniffOS(dockerfile));
        }

        /// <summary>Makes <paramref name="path"/> a FIFO ("fifo") or a symbolic link to <paramref name="target"/>.</summary>
        private static void MakeSpecial(string path, string target)
        {
            if (target == "fifo")
            {
                PythonImages.Tests.SpecialFiles.MakeFifo(path);
            }
            else
            {
                File.CreateSymbolicLink(path, target);
            }
        }

        [Fact]
        public void ALowercaseDockerfileIsUsedWhenThereIsNoDockerfile()
        {
            // docker build without -f: "Dockerfile", else "dockerfile".
            using var ctx = new TempContext();
            ctx.Write("dockerfile", "FROM scratch\n");
            Assert.Equal("dockerfile", BuildContext.Scan(ctx.Root).Dockerfile);

            ctx.Write("Dockerfile", "FROM scratch\n");
            Assert.Equal("Dockerfile", BuildContext.Scan(ctx.Root).Dockerfile);
        }

        [Fact]
        public void ALinkedDockerfileIsItsTargetAndIsSentEvenWhenIgnored()
        {
            // docker build evaluates the links of the Dockerfile's path: the engine reads the target, which is kept in the
            // context even when .dockerignore excludes its folder.
            using var ctx = new TempContext();
            ctx.Write("docker/Dockerfile.prod", "FROM scratch\n");
            ctx.Write("docker/other.txt", "x");
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "Dockerfile"), "docker/Dockerfile.prod");
            ctx.Write(".dockerignore", "docker\n");
            var c = BuildContext.Scan(ctx.Root);
            Assert.Equal("docker/Dockerfile.prod", c.Dockerfile);
            Assert.Contains(c.Entries, e => e.Path == "docker/Dockerfile.prod" && e.Kind == ContextEntryKind.File);
            Assert.DoesNotContain(c.Entries, e => e.Path == "docker/other.txt");

            // A linked folder on the way, and an absolute link inside the context, resolve the same way.
            Directory.CreateSymbolicLink(Path.Combine(ctx.Root, "build"), "docker");
            Assert.Equal("docker/Dockerfile.prod", BuildContext.Scan(ctx.Root, "build/Dockerfile.prod").Dockerfile);
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "abs"), Path.Combine(ctx.Root, "build", "Dockerfile.prod"));
            Assert.Equal("docker/Dockerfile.prod", BuildContext.Scan(ctx.Root, "abs").Dockerfile);
        }

        [Fact]
        public void ADockerfileLinkedOutsideTheContextIsRefused()
        {
            using var outside = new TempContext();
            string target = outside.Write("Dockerfile", "FROM scratch\n");
            using var ctx = new TempContext();
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "Dockerfile"), target);
            var ex = Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root));
            Assert.Equal(BuildContextFailure.DockerfileOutside, ex.Reason);
            Assert.Equal("ImageBuild.ContextDockerfileOutside", ex.ErrorId);
            Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
            Assert.Contains("outside the build context", ex.Message, StringComparison.Ordinal);

            File.Delete(Path.Combine(ctx.Root, "Dockerfile"));
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "Dockerfile"), "../" + Path.GetFileName(outside.Root) + "/Dockerfile");
            Assert.Equal(BuildContextFailure.DockerfileOutside, Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root)).Reason);
        }

        [Fact]
        public void AContextReachedThroughALinkKeepsLinksToItsRealPathInside()
        {
            // docker build resolves the links of the context folder's own path too: a link (the Dockerfile, or any other)
            // that names a file by the folder's real path is inside the context, though the folder was given by a link.
            using var real = new TempContext();
            real.Write("docker/Dockerfile.prod", "FROM scratch\n");
            real.Write("data/file.txt", "x");
            File.CreateSymbolicLink(Path.Combine(real.Root, "Dockerfile"), Path.Combine(real.Root, "docker", "Dockerfile.prod"));
            File.CreateSymbolicLink(Path.Combine(real.Root, "data", "abs"), Path.Combine(real.Root, "data", "file.txt"));
            using var other = new TempContext();
            string alias = Path.Combine(other.Root, "alias");
            Directory.CreateSymbolicLink(alias, real.Root);

            var c = BuildContext.Scan(alias);
            Assert.Equal("docker/Dockerfile.prod", c.Dockerfile);
            Assert.Equal("docker/Dockerfile.prod", c.Entries.Single(e => e.Path == "Dockerfile").LinkTarget);
            Assert.Equal("file.txt", c.Entries.Single(e => e.Path == "data/abs").LinkTarget);

            // What is outside stays refused.
            using var outside = new TempContext();
            File.Delete(Path.Combine(real.Root, "Dockerfile"));
            File.CreateSymbolicLink(Path.Combine(real.Root, "Dockerfile"), outside.Write("Dockerfile", "FROM scratch\n"));
            Assert.Equal(BuildContextFailure.DockerfileOutside, Assert.Throws<BuildContextException>(() => BuildContext.Scan(alias)).Reason);
        }

        [Fact]
        public async Task NamesFromTheContextReachMessagesEscaped()
        {
            // A name or link target comes with the project: a terminal escape in it (here one that erases the line) is shown
            // escaped in the error, as the other messages of the context show names, never sent to the console as it is.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            string data = ctx.Write("a\u001b[2Kb.txt", "1234");
            var c = BuildContext.Scan(ctx.Root);
            File.WriteAllText(data, "12345");
            var changed = await Assert.ThrowsAsync<BuildContextException>(() => c.WriteTarAsync(Stream.Null, CancellationToken.None));
            Assert.Contains("a\\u001B[2Kb.txt", changed.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', changed.Message);

            File.Delete(data);
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "l\u001b[2K"), "../\u001b[2Kx");
            var escapes = Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root));
            Assert.Equal(BuildContextFailure.SymlinkEscapes, escapes.Reason);
            Assert.DoesNotContain('\u001b', escapes.Message);
        }

        [Fact]
        public void MissingDockerfileAndOutsideDockerfileAreRefused()
        {
            using var ctx = new TempContext();
            Assert.Equal(BuildContextFailure.NotFound, Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root)).Reason);
            Assert.Equal(BuildContextFailure.DockerfileOutside, Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root, "../Dockerfile")).Reason);
            Assert.Equal(BuildContextFailure.NotFound, Assert.Throws<BuildContextException>(() => BuildContext.Scan(Path.Combine(ctx.Root, "nope"))).Reason);
        }

        [Fact]
        public void SymlinksInsideAreSentAsLinksAndEscapingOnesAreRefused()
        {
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            ctx.Write("real/file.txt", "data");
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "inside"), "real/file.txt");
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "real", "abs"), Path.Combine(ctx.Root, "real", "file.txt"));
            var c = BuildContext.Scan(ctx.Root);
            var link = c.Entries.Single(e => e.Path == "inside");
            Assert.Equal(ContextEntryKind.Symlink, link.Kind);
            Assert.Equal("real/file.txt", link.LinkTarget);
            Assert.Equal("file.txt", c.Entries.Single(e => e.Path == "real/abs").LinkTarget); // absolute inside → relative

            File.CreateSymbolicLink(Path.Combine(ctx.Root, "escape"), "../../etc/passwd");
            var ex = Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root));
            Assert.Equal(BuildContextFailure.SymlinkEscapes, ex.Reason);
            Assert.Contains("escape", ex.Message);

            // An ignored escaping link is not sent, so it is no problem.
            ctx.Write(".dockerignore", "escape\n");
            Assert.DoesNotContain(BuildContext.Scan(ctx.Root).Entries, e => e.Path == "escape");

            File.CreateSymbolicLink(Path.Combine(ctx.Root, "absout"), "/etc/hostname");
            Assert.Equal(BuildContextFailure.SymlinkEscapes, Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root)).Reason);
        }

        [Fact]
        public async Task TarIsReadableByAStandardReaderWithLongNamesModesAndLinks()
        {
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            string longName = string.Join("/", Enumerable.Repeat("very-long-directory-name", 6)) + "/file-ü.txt";
            ctx.Write(longName, "long");
            string busybox = ctx.AddBusybox();
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "link"), "busybox");
            var empty = ctx.Write("empty.txt", string.Empty);

            var c = BuildContext.Scan(ctx.Root);
            using var ms = new MemoryStream();
            await c.WriteTarAsync(ms, CancellationToken.None);
            Assert.Equal(0, ms.Length % 512);
            ms.Position = 0;
            var seen = new Dictionary<string, TarEntry>();
            using (var reader = new TarReader(ms))
            {
                TarEntry? e;
                while ((e = reader.GetNextEntry(copyData: true)) != null)
                {
                    seen[e.Name] = e;
                }
            }

            Assert.Equal("long", new StreamReader(seen[longName].DataStream!).ReadToEnd());
            Assert.Equal(new FileInfo(busybox).Length, seen["busybox"].Length);
            Assert.True((seen["busybox"].Mode & UnixFileMode.UserExecute) != 0);
            Assert.Equal(TarEntryType.SymbolicLink, seen["link"].EntryType);
            Assert.Equal("busybox", seen["link"].LinkName);
            Assert.Equal(TarEntryType.Directory, seen["very-long-directory-name/"].EntryType);
            Assert.Equal(0, seen["empty.txt"].Length);
            Assert.Equal(0, seen["Dockerfile"].Uid);
        }

        /// <summary>The entries of the context's tar by name, and the tar's length.</summary>
        private static async Task<(Dictionary<string, TarEntry> Entries, long Length)> ReadTar(BuildContext c)
        {
            using var ms = new MemoryStream();
            await c.WriteTarAsync(ms, CancellationToken.None);
            ms.Position = 0;
            var seen = new Dictionary<string, TarEntry>();
            using var reader = new TarReader(ms);
            TarEntry? e;
            while ((e = await reader.GetNextEntryAsync(copyData: true)) != null)
            {
                seen[e.Name] = e;
            }

            return (seen, ms.Length);
        }

        [Fact]
        public async Task ATimeAfter2242IsSentInAPaxRecordNotCut()
        {
            // ustar's 11 octal digits end in 2242; docker writes a later time as a PAX record.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            var when = new DateTime(2300, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            File.SetLastWriteTimeUtc(ctx.Write("late.txt"), when);
            var c = BuildContext.Scan(ctx.Root);
            var (entries, length) = await ReadTar(c);
            Assert.Equal(when, entries["late.txt"].ModificationTime.UtcDateTime);
            Assert.Equal(c.TarLength, length);
        }

        [Fact]
        public async Task AFileOfMoreThan8GiBHasItsSizeInAPaxRecord()
        {
            // The size limit was written as a C# "octal" literal, which is decimal: 8 to 72 GiB got a cut size field.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            using (var f = File.Create(Path.Combine(ctx.Root, "big.bin")))
            {
                f.SetLength((8L << 30) + 1);
            }

            var c = BuildContext.Scan(ctx.Root);
            using var tar = c.OpenTar();
            var head = new byte[4096];
            int n = tar.Read(head, 0, head.Length);
            string text = System.Text.Encoding.ASCII.GetString(head, 0, n);
            Assert.Contains(" size=" + ((8L << 30) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n", text, StringComparison.Ordinal);
        }

        [DllImport("libc", EntryPoint = "creat", SetLastError = true)]
        private static extern int Create(byte[] path, uint mode);

        [DllImport("libc", EntryPoint = "close")]
        private static extern int Close(int fd);

        private static byte[] CPath(string path) => System.Text.Encoding.UTF8.GetBytes(path + "\0");

        [Fact]
        public async Task ASecondNameOfAFileIsSentAsAHardLinkToTheFirst()
        {
            // Docker sends a later name of an inode already in the tar as a hard link (type '1'), not its bytes again.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            string a = ctx.Write("a.bin", "data");
            SpecialFiles.HardLink(a, Path.Combine(ctx.Root, "b.bin"));
            Directory.CreateDirectory(Path.Combine(ctx.Root, "sub"));
            SpecialFiles.HardLink(a, Path.Combine(ctx.Root, "sub", "c.bin"));
            ctx.Write("copy.bin", "data");

            var c = BuildContext.Scan(ctx.Root);
            var (entries, length) = await ReadTar(c);
            Assert.Equal(c.TarLength, length);
            Assert.Equal(TarEntryType.RegularFile, entries["a.bin"].EntryType);
            Assert.Equal("data", new StreamReader(entries["a.bin"].DataStream!).ReadToEnd());
            Assert.Equal(TarEntryType.HardLink, entries["b.bin"].EntryType);
            Assert.Equal("a.bin", entries["b.bin"].LinkName);
            Assert.Equal(TarEntryType.HardLink, entries["sub/c.bin"].EntryType);
            Assert.Equal("a.bin", entries["sub/c.bin"].LinkName);
            Assert.Equal(TarEntryType.RegularFile, entries["copy.bin"].EntryType);

            // When .dockerignore keeps the first name out, the next one is sent with the bytes.
            ctx.Write(".dockerignore", "a.bin\n");
            (entries, _) = await ReadTar(BuildContext.Scan(ctx.Root));
            Assert.Equal(TarEntryType.RegularFile, entries["b.bin"].EntryType);
            Assert.Equal(TarEntryType.HardLink, entries["sub/c.bin"].EntryType);
            Assert.Equal("b.bin", entries["sub/c.bin"].LinkName);
        }

        [Fact]
        public void TheLinkStatusTellsTypesDevicesAndInodes()
        {
            var dev = PythonImages.FileProbe.LinkStatus("/dev/null")!;
            Assert.Equal(PythonImages.FileKind.CharacterDevice, dev.Kind);
            Assert.Equal((1, 3), (dev.DeviceMajor, dev.DeviceMinor));

            using var ctx = new TempContext();
            string a = ctx.Write("a", "12345");
            string b = Path.Combine(ctx.Root, "b");
            SpecialFiles.HardLink(a, b);
            string copy = ctx.Write("copy", "12345");
            File.CreateSymbolicLink(Path.Combine(ctx.Root, "link"), "a");
            var sa = PythonImages.FileProbe.LinkStatus(a)!;
            var sb = PythonImages.FileProbe.LinkStatus(b)!;
            var sc = PythonImages.FileProbe.LinkStatus(copy)!;
            Assert.Equal(PythonImages.FileKind.Regular, sa.Kind);
            Assert.Equal(5, sa.Size);
            Assert.True(sa.HasIdentity);
            Assert.Equal((sa.Device, sa.Inode), (sb.Device, sb.Inode));
            Assert.NotEqual(sa.Inode, sc.Inode);
            Assert.Equal(PythonImages.FileKind.SymbolicLink, PythonImages.FileProbe.LinkStatus(Path.Combine(ctx.Root, "link"))!.Kind);
            Assert.Null(PythonImages.FileProbe.LinkStatus(Path.Combine(ctx.Root, "missing")));
        }

        [Fact]
        public void DevicesAreSentAsHeadersWithTheirNumbers()
        {
            // Making a device node needs privileges, so the entries are made by hand: docker sends types '3' and '4'.
            var when = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            var entries = new[]
            {
                new ContextEntry { Path = "null", FullPath = "/nonexistent/null", Kind = ContextEntryKind.CharacterDevice, Mode = 0x1B6, DeviceMajor = 1, DeviceMinor = 3, ModifiedUtc = when },
                new ContextEntry { Path = "disk", FullPath = "/nonexistent/disk", Kind = ContextEntryKind.BlockDevice, Mode = 0x1B0, DeviceMajor = 259, DeviceMinor = 70000, ModifiedUtc = when },
            };
            using var tar = new ContextTarStream(entries);
            var ms = new MemoryStream();
            tar.CopyTo(ms);
            ms.Position = 0;
            using var reader = new TarReader(ms);
            var nul = (PosixTarEntry)reader.GetNextEntry()!;
            Assert.Equal(TarEntryType.CharacterDevice, nul.EntryType);
            Assert.Equal((1, 3), (nul.DeviceMajor, nul.DeviceMinor));
            var disk = (PosixTarEntry)reader.GetNextEntry()!;
            Assert.Equal(TarEntryType.BlockDevice, disk.EntryType);
            Assert.Equal((259, 70000), (disk.DeviceMajor, disk.DeviceMinor));
        }

        [Fact]
        public void ANameThatIsNotUtf8IsAClearErrorNamingItsFolder()
        {
            // .NET reads such a name with replacement characters and cannot open it by that name: said plainly (it was
            // "cannot read the symbolic link"). A '?' in .dockerignore lets the build go on without it.
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            Directory.CreateDirectory(Path.Combine(ctx.Root, "docs"));
            var name = System.Text.Encoding.UTF8.GetBytes(Path.Combine(ctx.Root, "docs", "caf")).Concat(new byte[] { 0xE9, 0 }).ToArray();
            int fd = Create(name, 0x1A4);
            Assert.True(fd >= 0);
            Assert.Equal(0, Close(fd));

            var ex = Assert.Throws<BuildContextException>(() => BuildContext.Scan(ctx.Root));
            Assert.Equal(BuildContextFailure.Unreadable, ex.Reason);
            Assert.Contains("'docs'", ex.Message, StringComparison.Ordinal);
            Assert.Contains("not valid UTF-8", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("symbolic link", ex.Message, StringComparison.Ordinal);

            ctx.Write(".dockerignore", "docs/caf?\n");
            Assert.DoesNotContain(BuildContext.Scan(ctx.Root).Entries, e => e.Path.StartsWith("docs/caf", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("shrinks")]
        [InlineData("grows")]
        public async Task AFileThatChangesSizeAfterTheScanStopsTheUploadInsteadOfSendingOtherBytes(string change)
        {
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            string data = ctx.Write("data.txt", "0123456789");
            var c = BuildContext.Scan(ctx.Root);
            File.WriteAllText(data, change == "shrinks" ? "01234" : "0123456789abcdef");

            using var ms = new MemoryStream();
            var ex = await Assert.ThrowsAsync<BuildContextException>(() => c.WriteTarAsync(ms, CancellationToken.None));
            Assert.Equal(BuildContextFailure.Unreadable, ex.Reason);
            Assert.Contains("data.txt", ex.Message, StringComparison.Ordinal);
            Assert.Contains("changed size", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task TarIsStreamedNotBuffered()
        {
            // A writer that fails once 256 KiB were written: the big file must not have been read whole before (the tar is
            // written in blocks of UploadStream.WriteBytes, so at most one more block than the limit gets through).
            using var ctx = new TempContext();
            ctx.Write("Dockerfile", "FROM scratch\n");
            using (var f = File.Create(Path.Combine(ctx.Root, "big.bin")))
            {
                f.SetLength(64L << 20);
            }

            var c = BuildContext.Scan(ctx.Root);
            var sink = new LimitStream(256 << 10);
            await Assert.ThrowsAsync<IOException>(() => c.WriteTarAsync(sink, CancellationToken.None));
            Assert.True(sink.Written <= (256 << 10) + UploadStream.WriteBytes, $"{sink.Written} bytes were written");
        }

        private sealed class LimitStream : Stream
        {
            private readonly long limit;

            public LimitStream(long limit) => this.limit = limit;

            public long Written { get; private set; }

            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => Written;
            public override long Position { get => Written; set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count)
            {
                if (Written > limit)
                {
                    throw new IOException("limit");
                }

                Written += count;
            }
        }
    }
}
