using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Dockerfiles;
using Xunit;

namespace PythonImages.Tests.Dockerfiles
{
    public sealed class ScratchDir : IDisposable
    {
        public ScratchDir()
        {
            Root = DockerfileStore.FullRoot(Path.Combine(Path.GetTempPath(), "pi-issue4-core-" + Guid.NewGuid().ToString("N")));
            Directory.CreateDirectory(Root);
        }

        public string Root { get; }

        public string P(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

        public Dictionary<string, byte[]> Snapshot() => Directory.GetFiles(Root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => f.Substring(Root.Length + 1).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllBytes, StringComparer.Ordinal);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, true);
            }
            catch (IOException)
            {
            }
        }
    }

    public class StoreTests
    {
        private static readonly IReadOnlyList<PythonImage> Images = TagRules.Compute(MatrixLoader.Default);

        private static void WriteAll(string root, DockerfileOptions? options = null)
        {
            foreach (var image in Images)
            {
                DockerfileStore.Commit(DockerfileStore.Plan(root, DockerfileRenderer.Render(image, options)));
            }
        }

        [Fact]
        public void WritingTwiceGivesByteIdenticalFilesAndTheSecondRunWritesNothing()
        {
            using var dir = new ScratchDir();
            WriteAll(dir.Root);
            var first = dir.Snapshot();
            var stamps = Directory.GetFiles(dir.Root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
            Assert.Equal(42, first.Count);
            foreach (var image in Images)
            {
                Assert.Equal(DockerfileAction.Unchanged, DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(image)).Action);
            }

            WriteAll(dir.Root);
            var second = dir.Snapshot();
            Assert.Equal(first.Keys, second.Keys);
            foreach (var kv in first)
            {
                Assert.Equal(kv.Value, second[kv.Key]);
            }

            Assert.All(stamps, kv => Assert.Equal(kv.Value, File.GetLastWriteTimeUtc(kv.Key)));
        }

        [Fact]
        public void FilesAreUtf8WithoutBomAndLf()
        {
            using var dir = new ScratchDir();
            WriteAll(dir.Root);
            foreach (var bytes in dir.Snapshot().Values)
            {
                Assert.NotEqual(0xEF, bytes[0]);
                Assert.DoesNotContain((byte)'\r', bytes);
                Assert.Equal((byte)'\n', bytes[^1]);
            }
        }

        [Fact]
        public void AFailureBeforeTheRenameLeavesTheOldFileAndNoTemporaryFile()
        {
            using var dir = new ScratchDir();
            WriteAll(dir.Root);
            var before = dir.Snapshot();
            var mirror = new DockerfileOptions { SourceMirror = new Uri("http://127.0.0.1:8080/python/") };

            int n = 0;
            DockerfileStore.BeforeCommit = temp =>
            {
                Assert.True(File.Exists(temp));
                Assert.StartsWith(dir.Root, temp);
                if (++n == 10)
                {
                    throw new IOException("simulated crash while replacing the 10th file");
                }
            };
            try
            {
                Assert.Throws<IOException>(() => WriteAll(dir.Root, mirror));
            }
            finally
            {
                DockerfileStore.BeforeCommit = null;
            }

            var after = dir.Snapshot();
            Assert.Equal(before.Keys, after.Keys); // no temporary file left behind
            int updated = 0;
            foreach (var image in Images)
            {
                string key = image.Directory + "/Dockerfile";
                byte[] now = after[key];
                byte[] newer = System.Text.Encoding.UTF8.GetBytes(DockerfileRenderer.Render(image, mirror).Content);
                bool isOld = now.SequenceEqual(before[key]);
                bool isNew = now.SequenceEqual(newer);
                Assert.True(isOld || isNew, key + " is neither the old nor the new file");
                updated += isNew ? 1 : 0;
            }

            Assert.Equal(9, updated);
        }

        [Fact]
        public void FilesWithoutOurBannerArePlannedAsOverwrite()
        {
            using var dir = new ScratchDir();
            var image = Images.First();
            Directory.CreateDirectory(dir.P(image.Directory));
            File.WriteAllText(dir.P(image.Directory + "/Dockerfile"), "FROM scratch\n");
            Assert.Equal(DockerfileAction.Overwrite, DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(image)).Action);

            File.WriteAllText(dir.P(image.Directory + "/Dockerfile"), DockerfileRenderer.BannerMarker + " long ago\nFROM scratch\n");
            Assert.Equal(DockerfileAction.Update, DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(image)).Action);
        }

        [Fact]
        public void ALinkInsideTheRootCannotCarryAWriteOutside()
        {
            using var dir = new ScratchDir();
            using var outside = new ScratchDir();
            var image = Images.First(i => i.VersionKey == "3.14");
            Directory.CreateSymbolicLink(dir.P("3.14"), outside.Root);
            var ex = Assert.Throws<DockerfileException>(() => DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(image)));
            Assert.Equal("Dockerfile.PathEscape", ex.ErrorId);
            Assert.Empty(outside.Snapshot());
        }

        [Fact]
        public void ADockerfileThatIsALinkIsNeitherReadNorFollowed()
        {
            // A checkout may carry 3.14/slim-trixie/Dockerfile -> ~/.docker/config.json: Test-PythonDockerfile's diff
            // would print that file, and New-PythonDockerfile would compare against it; -Prune would delete the link.
            using var dir = new ScratchDir();
            using var outside = new ScratchDir();
            var image = Images.First(i => i.Directory == "3.14/slim-trixie");
            string secret = outside.P("config.json");
            File.WriteAllText(secret, DockerfileRenderer.BannerMarker + " {\"auths\":\"hunter2\"}\n");
            Directory.CreateDirectory(dir.P(image.Directory));
            File.CreateSymbolicLink(dir.P(image.Directory + "/Dockerfile"), secret);

            var check = Assert.Throws<DockerfileException>(() => DockerfileStore.Check(dir.Root, DockerfileRenderer.Render(image)));
            Assert.Equal("Dockerfile.PathEscape", check.ErrorId);
            Assert.DoesNotContain("hunter2", check.Message, StringComparison.Ordinal);
            var plan = Assert.Throws<DockerfileException>(() => DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(image)));
            Assert.Equal("Dockerfile.PathEscape", plan.ErrorId);
            Assert.DoesNotContain(image.Directory, DockerfileStore.FindGenerated(dir.Root));
            Assert.Equal("Dockerfile.PathEscape", Assert.Throws<DockerfileException>(() => DockerfileStore.DeleteGenerated(dir.Root, image.Directory)).ErrorId);
            Assert.NotNull(new FileInfo(dir.P(image.Directory + "/Dockerfile")).LinkTarget);
            Assert.Contains("hunter2", File.ReadAllText(secret), StringComparison.Ordinal);
        }

        /// <summary>
        /// -Prune racing another run: the Dockerfile (alone, or with its folder) vanishes after the listing, before the banner
        /// is read or before the delete. The file is gone as asked: no error, and the emptied folders are still removed.
        /// </summary>
        [Theory]
        [InlineData("banner", false)]
        [InlineData("banner", true)]
        [InlineData("delete", false)]
        [InlineData("delete", true)]
        public void ADockerfileThatVanishesWhilePruneLooksAtItIsNoFailure(string step, bool withItsFolder)
        {
            using var dir = new ScratchDir();
            var image = Images.First(i => i.Directory == "3.14/slim-trixie");
            DockerfileStore.Commit(DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(image)));
            string folder = dir.P("3.14/slim-trixie");
            Assert.Equal(new[] { image.Directory }, DockerfileStore.FindGenerated(dir.Root));
            DockerfileStore.BeforeDeleteStep = (path, at) =>
            {
                if (at == step)
                {
                    File.Delete(path);
                    if (withItsFolder)
                    {
                        Directory.Delete(folder);
                    }
                }
            };
            try
            {
                // True only when this call deleted it (File.Delete of a file already gone cannot tell).
                bool deleted = DockerfileStore.DeleteGenerated(dir.Root, image.Directory);
                Assert.True(!deleted || step == "delete");
            }
            finally
            {
                DockerfileStore.BeforeDeleteStep = null;
            }

            Assert.False(Directory.Exists(folder));
            Assert.True(Directory.Exists(dir.Root));
        }

        [Fact]
        public void FindGeneratedSeesOnlyOurDockerfilesAndDeleteRemovesEmptiedDirectoriesOnly()
        {
            using var dir = new ScratchDir();
            WriteAll(dir.Root);
            Directory.CreateDirectory(dir.P("3.9/bullseye"));
            File.WriteAllText(dir.P("3.9/bullseye/Dockerfile"), "FROM debian:bullseye\n"); // hand-written
            File.WriteAllText(dir.P("3.14/trixie/notes.txt"), "keep me");                  // unrelated

            var generated = DockerfileStore.FindGenerated(dir.Root).ToList();
            Assert.Equal(Images.Select(i => i.Directory).OrderBy(x => x, StringComparer.Ordinal), generated.OrderBy(x => x, StringComparer.Ordinal));

            Assert.True(DockerfileStore.DeleteGenerated(dir.Root, "3.14/trixie"));
            Assert.True(File.Exists(dir.P("3.14/trixie/notes.txt")));
            Assert.False(DockerfileStore.DeleteGenerated(dir.Root, "3.9/bullseye"));
            Assert.True(File.Exists(dir.P("3.9/bullseye/Dockerfile")));

            foreach (var w in Images.Where(i => i.Directory.StartsWith("3.13/windows/", StringComparison.Ordinal)))
            {
                Assert.True(DockerfileStore.DeleteGenerated(dir.Root, w.Directory));
            }

            Assert.False(Directory.Exists(dir.P("3.13/windows")));
            Assert.True(Directory.Exists(dir.P("3.13/trixie")));
            Assert.True(Directory.Exists(dir.Root));
        }

        [Fact]
        public void CheckReportsCurrentStaleWithADiffAndMissing()
        {
            using var dir = new ScratchDir();
            WriteAll(dir.Root);
            var image = Images.First(i => i.Directory == "3.14/slim-trixie");
            Assert.Equal(DockerfileStatus.Current, DockerfileStore.Check(dir.Root, DockerfileRenderer.Render(image)).Status);

            var stale = DockerfileStore.Check(dir.Root, DockerfileRenderer.Render(image, new DockerfileOptions { KeyServer = new Uri("hkp://127.0.0.1:11371") }));
            Assert.Equal(DockerfileStatus.Stale, stale.Status); // the banner names the option
            Assert.StartsWith("--- a/3.14/slim-trixie/Dockerfile\n+++ b/3.14/slim-trixie/Dockerfile\n@@ ", stale.Diff);

            File.Delete(dir.P("3.14/slim-trixie/Dockerfile"));
            Assert.Equal(DockerfileStatus.Missing, DockerfileStore.Check(dir.Root, DockerfileRenderer.Render(image)).Status);
        }
    }

    public class StoreHousekeepingTests
    {
        private static readonly IReadOnlyList<PythonImage> Images = TagRules.Compute(MatrixLoader.Default);

        private static string[] Temps(string root) =>
            Directory.GetFiles(root, ".*.tmp", SearchOption.AllDirectories).Select(f => f.Substring(root.Length + 1).Replace(Path.DirectorySeparatorChar, '/')).ToArray();

        [Fact]
        public void TheNextWriteIntoAFolderRemovesALeftoverAndReportsIt()
        {
            using var dir = new ScratchDir();
            var image = Images.First(i => i.Directory == "3.14/slim-trixie");
            var other = Images.First(i => i.Directory == "3.14/trixie");
            Directory.CreateDirectory(dir.P(image.Directory));
            Directory.CreateDirectory(dir.P(other.Directory));
            string leftover = dir.P(image.Directory + "/" + AtomicFile.TempName("Dockerfile"));
            string elsewhere = dir.P(other.Directory + "/" + AtomicFile.TempName("Dockerfile"));
            File.WriteAllBytes(leftover, Array.Empty<byte>());
            File.WriteAllBytes(elsewhere, Array.Empty<byte>());

            Assert.Equal(new[] { leftover }, DockerfileStore.FindLeftovers(dir.Root, image.Directory));
            var plan = DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(image));
            Assert.Empty(plan.RemovedLeftovers);
            Assert.True(File.Exists(leftover)); // planning (and -WhatIf) removes nothing

            DockerfileStore.Commit(plan);
            Assert.Equal(new[] { leftover }, plan.RemovedLeftovers);
            Assert.False(File.Exists(leftover));
            Assert.True(File.Exists(elsewhere)); // only the folder that was written
            Assert.Empty(DockerfileStore.FindLeftovers(dir.Root, image.Directory));
            Assert.Equal(new[] { elsewhere }, DockerfileStore.FindLeftovers(dir.Root, other.Directory));

            // Pruning an image folder takes its leftovers too, so the folder can go.
            DockerfileStore.Commit(DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(other)));
            File.WriteAllBytes(elsewhere, Array.Empty<byte>());
            Assert.True(DockerfileStore.DeleteGenerated(dir.Root, other.Directory));
            Assert.False(Directory.Exists(dir.P(other.Directory)));
        }

        /// <summary>Each thread plans a Create, then all rename at once (a barrier in the commit hook): identical content, no error.</summary>
        [Fact]
        public void ConcurrentWritersOfTheSameDockerfilesAllSucceed()
        {
            using var dir = new ScratchDir();
            var subset = Images.Take(6).ToList();
            const int writers = 4;
            using var barrier = new Barrier(writers);
            var errors = new ConcurrentBag<Exception>();
            var threads = Enumerable.Range(0, writers).Select(_ => new Thread(() =>
            {
                DockerfileStore.BeforeCommit = t => barrier.SignalAndWait(TimeSpan.FromSeconds(30));
                try
                {
                    var plans = subset.Select(i => DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(i))).ToList();
                    foreach (var plan in plans)
                    {
                        Assert.Equal(DockerfileAction.Create, plan.Action);
                        DockerfileStore.Commit(plan);
                    }
                }
                catch (Exception ex)
                {
                    errors.Add(ex);
                }
                finally
                {
                    DockerfileStore.BeforeCommit = null;
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(120))));
            Assert.Empty(errors);
            Assert.Empty(Temps(dir.Root));
            foreach (var image in subset)
            {
                Assert.Equal(DockerfileStatus.Current, DockerfileStore.Check(dir.Root, DockerfileRenderer.Render(image)).Status);
            }
        }

        // Commits plan with beforeCommit run just before the file is put in place; the refusal, or null when it was written.
        private static DockerfileException? CommitWith(DockerfilePlan plan, Action<string> beforeCommit)
        {
            DockerfileStore.BeforeCommit = beforeCommit;
            try
            {
                DockerfileStore.Commit(plan);
                return null;
            }
            catch (DockerfileException ex)
            {
                return ex;
            }
            finally
            {
                DockerfileStore.BeforeCommit = null;
            }
        }

        private static void AssertNotOurs(DockerfileException? refused, DockerfilePlan plan)
        {
            Assert.NotNull(refused);
            Assert.Equal(DockerfileErrorIds.NotOurs, refused!.ErrorId);
            Assert.Contains(plan.FullPath, refused.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AHandWrittenFileThatAppearsBeforeTheRenameIsNeverReplaced()
        {
            using var dir = new ScratchDir();
            var image = Images.First();
            var plan = DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(image));
            Assert.Equal(DockerfileAction.Create, plan.Action);
            // Refused as one found by Plan is (Dockerfile.NotOurs), not as a failed write.
            AssertNotOurs(CommitWith(plan, _ => File.WriteAllText(plan.FullPath, "FROM scratch\n")), plan);

            Assert.Equal("FROM scratch\n", File.ReadAllText(plan.FullPath));
            Assert.Empty(Temps(dir.Root));
        }

        [Theory]
        [InlineData(false, false)] // rewritten in place (an editor that truncates and writes)
        [InlineData(true, false)] // renamed over it (an editor that saves to a new file, mv, git checkout)
        [InlineData(true, true)] // renamed over it by another generator run: generated too, so replaced
        public void AnOlderGeneratedFileReplacedByAHandWrittenOneBeforeTheRenameIsLeftAsItIs(bool rename, bool generated)
        {
            using var dir = new ScratchDir();
            var image = Images.First();
            var rendered = DockerfileRenderer.Render(image);
            string path = DockerfileStore.PathFor(dir.Root, rendered.Directory);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, DockerfileRenderer.BannerMarker + " (an older version)\nFROM scratch\n");
            var plan = DockerfileStore.Plan(dir.Root, rendered);
            Assert.Equal(DockerfileAction.Update, plan.Action);
            string theirs = (generated ? DockerfileRenderer.BannerMarker + " (another run)\n" : "# written by hand\n") + "FROM scratch\n";
            var refused = CommitWith(plan, _ =>
            {
                if (rename)
                {
                    string other = Path.Combine(Path.GetDirectoryName(path)!, "Dockerfile.new");
                    File.WriteAllText(other, theirs);
                    File.Move(other, path, overwrite: true);
                }
                else
                {
                    File.WriteAllText(path, theirs);
                }
            });
            if (generated)
            {
                Assert.Null(refused);
            }
            else
            {
                AssertNotOurs(refused, plan);
            }

            Assert.Equal(generated ? rendered.Content : theirs, File.ReadAllText(path));
            Assert.Equal(new[] { "Dockerfile" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        }

        [Fact]
        public async Task AFifoNamedDockerfileIsRefusedWithoutOpeningIt()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            using var dir = new ScratchDir();
            var image = Images.First();
            Directory.CreateDirectory(dir.P(image.Directory));
            SpecialFiles.MakeFifo(dir.P(image.Directory + "/Dockerfile"));
            var run = Task.Run(() =>
            {
                var plan = Assert.Throws<DockerfileException>(() => DockerfileStore.Plan(dir.Root, DockerfileRenderer.Render(image)));
                var check = Assert.Throws<DockerfileException>(() => DockerfileStore.Check(dir.Root, DockerfileRenderer.Render(image)));
                Assert.Empty(DockerfileStore.FindGenerated(dir.Root));
                return (plan.ErrorId, check.ErrorId);
            });
            var ids = await run.WaitAsync(TimeSpan.FromSeconds(10)); // a TimeoutException: a FIFO was opened
            Assert.Equal(("Dockerfile.NotAFile", "Dockerfile.NotAFile"), ids);
        }
    }

    public class UnifiedDiffTests
    {
        public static IEnumerable<object[]> Pairs()
        {
            string a = string.Join("\n", Enumerable.Range(1, 40).Select(i => "line " + i)) + "\n";
            yield return new object[] { a, a.Replace("line 5\n", "line five\n").Replace("line 30\n", string.Empty) + "tail\n" };
            yield return new object[] { a, a.Replace("line 5\n", "line 5\nnew a\nnew b\n").Replace("line 9\n", string.Empty) };
            yield return new object[] { a, "x\n" + a };
            yield return new object[] { "", "only\n" };
            yield return new object[] { "gone\n", "" };
            yield return new object[] { a, a.TrimEnd('\n') };
            var images = TagRules.Compute(MatrixLoader.Default);
            yield return new object[]
            {
                DockerfileRenderer.Render(images.First(i => i.Directory == "3.12/slim-bookworm")).Content,
                DockerfileRenderer.Render(images.First(i => i.Directory == "3.14/slim-trixie")).Content,
            };
        }

        /// <summary>Our diff against GNU diff -u on the same two files (headers aside).</summary>
        [Theory]
        [MemberData(nameof(Pairs))]
        public void MatchesGnuDiff(string oldText, string newText)
        {
            using var dir = new ScratchDir();
            File.WriteAllText(dir.P("old"), oldText);
            File.WriteAllText(dir.P("new"), newText);
            var psi = new ProcessStartInfo("diff", $"-u --label a/x --label b/x \"{dir.P("old")}\" \"{dir.P("new")}\"") { RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            string gnu = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(1, p.ExitCode);
            Assert.Equal(gnu, UnifiedDiff.Create(oldText, newText, "a/x", "b/x"));
        }
    }
}
