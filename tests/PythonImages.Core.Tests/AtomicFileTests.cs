using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PythonImages.Tests
{
    public class AtomicFileTests
    {
        [Fact]
        public void CreatesReplacesAndLeavesNoTemporaryFile()
        {
            string dir = Directory.CreateTempSubdirectory("pi-atomic-").FullName;
            try
            {
                string path = Path.Combine(dir, "library-python");
                AtomicFile.WriteAllText(path, "first\n");
                Assert.Equal("first\n", File.ReadAllText(path));
                AtomicFile.WriteAllText(path, "second ✓\n");
                Assert.Equal(new byte[] { (byte)'s' }, new[] { File.ReadAllBytes(path)[0] }); // no BOM
                Assert.Equal("second ✓\n", File.ReadAllText(path));
                Assert.Equal(new[] { path }, Directory.GetFiles(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void AFailedReplaceKeepsTheOldFileAndRemovesTheTemporaryOne()
        {
            string dir = Directory.CreateTempSubdirectory("pi-atomic-").FullName;
            try
            {
                // The target is a directory: the rename fails, nothing else in the folder changes.
                string target = Path.Combine(dir, "busy");
                Directory.CreateDirectory(target);
                File.WriteAllText(Path.Combine(dir, "other"), "keep");
                Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(target, "new"));
                Assert.True(Directory.Exists(target));
                Assert.Equal(new[] { Path.Combine(dir, "other") }, Directory.GetFiles(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void ACheckedReplaceLooksAtTheFileItReplacedAndPutsBackOneThatFailsTheCheck()
        {
            string dir = TempDir();
            try
            {
                string path = Path.Combine(dir, "Dockerfile");
                File.WriteAllText(path, "# by hand\n");
                string? seen = null, checkedPath = null;
                var ex = Assert.Throws<AtomicReplaceRefusedException>(() => AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes("# generated\n"), AtomicWriteMode.Replace, null, p =>
                {
                    checkedPath = p;
                    seen = File.ReadAllText(p);
                    return seen.StartsWith("# generated", StringComparison.Ordinal);
                }));
                Assert.Equal(path, ex.Path);
                Assert.Equal("# by hand\n", File.ReadAllText(path));
                Assert.Equal("# by hand\n", seen);
                Assert.Empty(Temps(dir));
                if (OperatingSystem.IsLinux())
                {
                    // One swap: the file checked is the one displaced (now under the temporary name), no longer the target's
                    // name, so nothing put at the target after a look and before the rename can be replaced unchecked.
                    Assert.Equal(dir, Path.GetDirectoryName(checkedPath));
                    Assert.True(AtomicFile.IsTempName(Path.GetFileName(checkedPath)!, "Dockerfile"), checkedPath);
                }

                File.WriteAllText(path, "# generated, older\n");
                Assert.True(AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes("# generated\n"), AtomicWriteMode.Replace, null, p => File.ReadAllText(p).StartsWith("# generated", StringComparison.Ordinal)));
                Assert.Equal("# generated\n", File.ReadAllText(path));
                Assert.Empty(Temps(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        private static string TempDir() => Directory.CreateTempSubdirectory("pi-atomic-").FullName;

        private static string[] Temps(string dir) => Directory.GetFiles(dir, ".*.tmp").Select(Path.GetFileName).ToArray()!;

        [Fact]
        public void CreateNewWithTheSameContentSucceedsWithoutWritingAndNeverReplacesOtherContent()
        {
            string dir = TempDir();
            try
            {
                string path = Path.Combine(dir, "Dockerfile");
                byte[] a = Encoding.UTF8.GetBytes("FROM a\n");
                Assert.True(AtomicFile.WriteAllBytes(path, a, AtomicWriteMode.CreateNew));
                var stamp = File.GetLastWriteTimeUtc(path);
                Assert.False(AtomicFile.WriteAllBytes(path, a, AtomicWriteMode.CreateNew)); // identical: quietly nothing
                Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));

                var ex = Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes("FROM b\n"), AtomicWriteMode.CreateNew));
                Assert.Contains("other content", ex.Message);
                Assert.Equal(a, File.ReadAllBytes(path));
                Assert.Empty(Temps(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        /// <summary>Both writers have their temporary file ready before either renames: a collision every time, not by luck.</summary>
        [Fact]
        public async Task TwoCreatorsOfTheSameFileRacingAtTheRenameBothSucceed()
        {
            string dir = TempDir();
            try
            {
                string path = Path.Combine(dir, "Dockerfile");
                byte[] content = Encoding.UTF8.GetBytes("FROM same\n");
                using var barrier = new Barrier(2);
                var results = new ConcurrentBag<bool>();
                var writers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(
                    () => results.Add(AtomicFile.WriteAllBytes(path, content, AtomicWriteMode.CreateNew, _ => barrier.SignalAndWait(TimeSpan.FromSeconds(30)))),
                    TaskCreationOptions.LongRunning)).ToArray();
                await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal(new[] { false, true }, results.OrderBy(r => r));
                Assert.Equal(content, File.ReadAllBytes(path));
                Assert.Empty(Temps(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public async Task ARacingCreatorWithOtherContentDoesNotReplaceTheFirstFile()
        {
            string dir = TempDir();
            try
            {
                string path = Path.Combine(dir, "Dockerfile");
                using var barrier = new Barrier(2);
                var outcomes = new ConcurrentBag<string>();
                var writers = new[] { "FROM one\n", "FROM two\n" }.Select(text => Task.Factory.StartNew(
                    () =>
                    {
                        try
                        {
                            AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text), AtomicWriteMode.CreateNew, _ => barrier.SignalAndWait(TimeSpan.FromSeconds(30)));
                            outcomes.Add("wrote " + text);
                        }
                        catch (IOException)
                        {
                            outcomes.Add("refused " + text);
                        }
                    },
                    TaskCreationOptions.LongRunning)).ToArray();
                await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
                string winner = Assert.Single(outcomes, o => o.StartsWith("wrote ", StringComparison.Ordinal)).Substring(6);
                Assert.Single(outcomes, o => o.StartsWith("refused ", StringComparison.Ordinal));
                Assert.Equal(winner, File.ReadAllText(path));
                Assert.Empty(Temps(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void AReadWaitsOutTheLockAWriterStillHoldsAfterItsRename()
        {
            string dir = Directory.CreateTempSubdirectory("pi-atomic-").FullName;
            try
            {
                // A writer's handle after the rename: the target itself, under the exclusive lock of FileShare.None
                // (an advisory flock on Linux and macOS, a handle that shares nothing on Windows).
                string path = Path.Combine(dir, "Dockerfile");
                File.WriteAllText(path, "FROM scratch\n");
                var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
                var plain = Record.Exception(() => File.ReadAllBytes(path));
                Assert.IsType<IOException>(plain); // what the read met before: "being used by another process"

                using var release = new Timer(_ => writer.Dispose(), null, 300, Timeout.Infinite);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                Assert.Equal("FROM scratch\n", Encoding.UTF8.GetString(AtomicFile.ReadAllBytes(path)));
                Assert.True(watch.ElapsedMilliseconds >= 250, "read before the release: " + watch.ElapsedMilliseconds + " ms");
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void AReadOfALockNeverReleasedFailsAfterItsWaitAndOtherFailuresAtOnce()
        {
            string dir = Directory.CreateTempSubdirectory("pi-atomic-").FullName;
            try
            {
                string path = Path.Combine(dir, "Dockerfile");
                File.WriteAllText(path, "FROM scratch\n");
                using (new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None))
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    var held = Assert.IsType<IOException>(Record.Exception(() => AtomicFile.ReadAllBytes(path)));
                    Assert.Contains(path, held.Message);
                    Assert.InRange(watch.ElapsedMilliseconds, 1500, 15000);
                }

                var missing = Path.Combine(dir, "missing");
                var watch2 = System.Diagnostics.Stopwatch.StartNew();
                Assert.IsType<FileNotFoundException>(Record.Exception(() => AtomicFile.ReadAllBytes(missing)));
                Assert.IsAssignableFrom<UnauthorizedAccessException>(Record.Exception(() => AtomicFile.ReadAllBytes(dir))); // a directory
                Assert.InRange(watch2.ElapsedMilliseconds, 0, 1000); // not waited for
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void ManyThreadsWritingTheSameFileConcurrentlyAllSucceed()
        {
            string dir = TempDir();
            try
            {
                for (int round = 0; round < 20; round++)
                {
                    string create = Path.Combine(dir, "created-" + round);
                    string replace = Path.Combine(dir, "replaced");
                    byte[] content = Encoding.UTF8.GetBytes("round " + round + "\n");
                    var errors = new ConcurrentBag<Exception>();
                    using var start = new ManualResetEventSlim();
                    var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
                    {
                        start.Wait();
                        try
                        {
                            AtomicFile.WriteAllBytes(i % 2 == 0 ? create : replace, content, i % 2 == 0 ? AtomicWriteMode.CreateNew : AtomicWriteMode.Replace);
                            AtomicFile.RemoveLeftovers(dir, "replaced"); // clean-ups racing with live writes never break them
                        }
                        catch (Exception ex)
                        {
                            errors.Add(ex);
                        }
                    })).ToList();
                    threads.ForEach(t => t.Start());
                    start.Set();
                    threads.ForEach(t => t.Join());
                    Assert.Empty(errors);
                    Assert.Equal(content, File.ReadAllBytes(create));
                    Assert.Equal(content, File.ReadAllBytes(replace));
                }

                Assert.Empty(Temps(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void LeftoversAreFoundAndRemovedButATemporaryFileAWriterHoldsIsNot()
        {
            string dir = TempDir();
            try
            {
                string dead = Path.Combine(dir, AtomicFile.TempName("Dockerfile"));
                File.WriteAllBytes(dead, Array.Empty<byte>()); // what kill -9 leaves
                string oldStyle = Path.Combine(dir, ".Dockerfile.0123abcd.tmp");
                File.WriteAllText(oldStyle, "half");
                foreach (var other in new[] { ".Dockerfile.notahexid.tmp", "Dockerfile.tmp", ".library-python.0123456789abcdef0123456789abcdef.tmp", ".Dockerfile.0123456789ABCDEF0123456789ABCDEF.tmp" })
                {
                    File.WriteAllText(Path.Combine(dir, other), "not ours");
                }

                string live = Path.Combine(dir, AtomicFile.TempName("Dockerfile"));
                using (var writer = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    Assert.Equal(new[] { dead, oldStyle }.OrderBy(p => p, StringComparer.Ordinal), AtomicFile.FindLeftovers(dir, "Dockerfile"));
                    Assert.Equal(new[] { dead, oldStyle }.OrderBy(p => p, StringComparer.Ordinal), AtomicFile.RemoveLeftovers(dir, "Dockerfile"));
                    Assert.False(File.Exists(dead));
                    Assert.False(File.Exists(oldStyle));
                    Assert.True(File.Exists(live));
                    Assert.Empty(AtomicFile.FindLeftovers(dir, "Dockerfile"));
                }

                Assert.Equal(new[] { live }, AtomicFile.FindLeftovers(dir, "Dockerfile")); // its writer is gone now
                Assert.Equal(5, Directory.GetFiles(dir).Length);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public async Task AWriteInProgressIsNotDisturbedByAConcurrentCleanUp()
        {
            string dir = TempDir();
            try
            {
                string path = Path.Combine(dir, "Dockerfile");
                using var inside = new ManualResetEventSlim();
                using var release = new ManualResetEventSlim();
                string? temp = null;
                var write = Task.Factory.StartNew(
                    () => AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes("FROM x\n"), AtomicWriteMode.Replace, t =>
                    {
                        temp = t;
                        inside.Set();
                        release.Wait(TimeSpan.FromSeconds(30));
                    }),
                    TaskCreationOptions.LongRunning);
                Assert.True(inside.Wait(TimeSpan.FromSeconds(30)));
                if (!OperatingSystem.IsWindows())
                {
                    // On Windows the temporary file is closed before the rename; the write then retries if it vanishes.
                    Assert.Empty(AtomicFile.RemoveLeftovers(dir, "Dockerfile"));
                    Assert.True(File.Exists(temp));
                }

                release.Set();
                Assert.True(await write.WaitAsync(TimeSpan.FromSeconds(30)));
                Assert.Equal("FROM x\n", File.ReadAllText(path));
                Assert.Empty(Temps(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void ATemporaryFileRemovedBeforeTheRenameIsWrittenAgain()
        {
            string dir = TempDir();
            try
            {
                string path = Path.Combine(dir, "Dockerfile");
                int calls = 0;
                Assert.True(AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes("FROM y\n"), AtomicWriteMode.CreateNew, t =>
                {
                    if (++calls == 1)
                    {
                        File.Delete(t); // another run's clean-up got there first
                    }
                }));
                Assert.Equal(2, calls);
                Assert.Equal("FROM y\n", File.ReadAllText(path));
                Assert.Empty(Temps(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
