using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using PythonImages.Ledger;
using Xunit;

namespace PythonImages.Tests.Ledger
{
    /// <summary>
    /// The ledger's lock across processes, held here the way another process holds it: the lock file opened without
    /// sharing (an exclusive flock on Linux and macOS; on Windows the open itself). The cross-process race itself is
    /// reproduced with two real pwsh processes in the module tests (LedgerConcurrencyTests).
    /// </summary>
    public sealed class LedgerLockTests : IDisposable
    {
        private readonly string dir = Directory.CreateTempSubdirectory("pi-ledger15-lock-").FullName;

        private string LedgerPath => Path.Combine(dir, "ledger.json");

        private string LockPath => Path.Combine(dir, ".ledger.json.lock");

        public void Dispose() => Directory.Delete(dir, true);

        private static LedgerEntry Entry(string image) => new LedgerEntry
        {
            Image = image,
            Platform = "linux/amd64",
            DockerfileSha256 = new string('a', 64),
            ContextDigest = "sha256:" + new string('b', 64),
            ImageId = "sha256:" + new string('c', 64),
            Created = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc),
        };

        private static bool Add(BuildLedger ledger, string image)
        {
            ledger.Set(Entry(image));
            return true;
        }

        /// <summary>The lock as another process holds it.</summary>
        private FileStream HoldLock() => new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None);

        [Fact]
        public void AChangeWhileAnotherProcessHoldsTheLockIsLedgerBusyAndWritesNothing()
        {
            LedgerJson.Update(LedgerPath, l => Add(l, "3.14/trixie"));
            byte[] before = File.ReadAllBytes(LedgerPath);
            using (HoldLock())
            {
                var clock = Stopwatch.StartNew();
                var ex = Assert.Throws<LedgerException>(() => LedgerJson.Update(LedgerPath, l => Add(l, "3.14/slim-trixie"), TimeSpan.FromMilliseconds(400)));
                Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(400), $"gave up after {clock.ElapsedMilliseconds} ms");
                Assert.Equal(LedgerErrorIds.Busy, ex.ErrorId);
                Assert.Contains(LockPath, ex.Message, StringComparison.Ordinal);
                Assert.Contains("Nothing was written", ex.Message, StringComparison.Ordinal);
                Assert.NotNull(ex.RecommendedAction);
                Assert.Equal(before, File.ReadAllBytes(LedgerPath));

                // Reading needs no lock: a build's plan, a publish or a merge reads the ledger while another process writes it.
                Assert.Equal(1, LedgerJson.Read(LedgerPath).Count);
            }

            // Released: the next change gets it at once.
            LedgerJson.Update(LedgerPath, l => Add(l, "3.14/slim-trixie"), TimeSpan.FromMilliseconds(400));
            Assert.Equal(2, LedgerJson.Read(LedgerPath).Count);
            Assert.Equal(0, new FileInfo(LockPath).Length);
        }

        [Fact]
        public async Task AChangeWaitsForTheHolderAndThenSeesWhatItWrote()
        {
            LedgerJson.Update(LedgerPath, l => Add(l, "3.14/trixie"));
            Task update;
            using (HoldLock())
            {
                update = Task.Run(() => LedgerJson.Update(LedgerPath, l => Add(l, "3.13/trixie")));
                System.Threading.Thread.Sleep(300);
                Assert.False(update.IsCompleted, "the change did not wait for the lock");

                // What the holder writes meanwhile (as Update does while it holds the lock).
                var ledger = LedgerJson.Read(LedgerPath);
                ledger.Set(Entry("3.12/trixie"));
                File.WriteAllText(LedgerPath, LedgerJson.Serialize(ledger));
            }

            Assert.Same(update, await Task.WhenAny(update, Task.Delay(TimeSpan.FromSeconds(10))));
            await update;
            Assert.Equal(new[] { "3.12/trixie", "3.13/trixie", "3.14/trixie" }, LedgerJson.Read(LedgerPath).Entries.Select(e => e.Image));
        }

        [Fact]
        public async Task AMergeWriteWaitsForAChangeInProgressInsteadOfWritingOverIt()
        {
            var merged = new BuildLedger();
            merged.Set(Entry("3.14/trixie"));
            Task write;
            using (HoldLock())
            {
                write = Task.Run(() => LedgerJson.Write(LedgerPath, merged));
                System.Threading.Thread.Sleep(300);
                Assert.False(write.IsCompleted, "the write did not wait for the lock");
                Assert.False(File.Exists(LedgerPath));
            }

            Assert.Same(write, await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(10))));
            await write;
            Assert.Equal(1, LedgerJson.Read(LedgerPath).Count);
        }

        [Fact]
        public void TheLockProbeSeesLocksWorkingHereAndLeavesNothingBehind()
        {
            // With file locking on (this process), a second open without sharing is refused; a process started with
            // DOTNET_SYSTEM_IO_DISABLEFILELOCKING=1 gets false (the module tests run one: LedgerLockDisabledTests).
            Assert.True(LedgerLock.Excludes(LedgerPath));
            Assert.Empty(Directory.GetFileSystemEntries(dir));
            Assert.Null(LedgerLock.Excludes(Path.Combine(dir, "no-such-folder", "ledger.json")));
        }

        [Fact]
        public void TheProbeWithoutWritingTriesOnlyALockFileThatIsThereAndChangesNothing()
        {
            var longAgo = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            Directory.SetLastWriteTimeUtc(dir, longAgo);
            Assert.Null(LedgerLock.ExcludesWithoutWriting(LedgerPath)); // no lock file: it cannot be told
            Assert.Empty(Directory.GetFileSystemEntries(dir));
            Assert.Equal(longAgo, Directory.GetLastWriteTimeUtc(dir));

            File.WriteAllBytes(LockPath, Array.Empty<byte>());
            File.SetLastWriteTimeUtc(LockPath, longAgo);
            Directory.SetLastWriteTimeUtc(dir, longAgo);
            Assert.True(LedgerLock.ExcludesWithoutWriting(LedgerPath));
            using (HoldLock())
            {
                Assert.True(LedgerLock.ExcludesWithoutWriting(LedgerPath)); // held by another: locks work
            }

            Assert.Equal(new[] { LockPath }, Directory.GetFileSystemEntries(dir));
            Assert.Equal(longAgo, Directory.GetLastWriteTimeUtc(dir));
            Assert.Equal(longAgo, File.GetLastWriteTimeUtc(LockPath));
        }

        [Fact]
        public void ALockFileThatIsNotARegularFileIsNeverOpened()
        {
            Directory.CreateDirectory(LockPath);
            var ex = Assert.Throws<LedgerException>(() => LedgerJson.Update(LedgerPath, l => Add(l, "3.14/trixie"), TimeSpan.FromSeconds(1)));
            Assert.Equal(LedgerErrorIds.WriteFailed, ex.ErrorId);
            Assert.Contains("not a regular file", ex.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(LedgerPath));
        }
    }
}
