using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace PythonImages.Ledger
{
    /// <summary>
    /// The lock that makes a change of a ledger file (read, change, write) one at a time across processes: an empty file
    /// beside the ledger (<c>.&lt;name&gt;.lock</c>) opened without sharing for the change only. On Linux and macOS .NET
    /// takes an exclusive flock for that open, on Windows the open itself excludes every other one; either way the
    /// operating system drops it when its process ends, however it ends, so a crashed holder never blocks the next run.
    /// The file stays (deleting a lock file others may have open would let two holders in at once); it holds nothing.
    /// Readers never take the lock: a ledger is replaced whole, so a reader sees the old or the new one.
    /// </summary>
    public static class LedgerLock
    {
        /// <summary>How long a change waits for another process's change (a change holds the lock for well under a second).</summary>
        public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

        /// <summary>The lock file of the ledger at <paramref name="ledgerPath"/> (a full path).</summary>
        public static string PathOf(string ledgerPath) =>
            Path.Combine(Path.GetDirectoryName(ledgerPath) ?? ".", "." + Path.GetFileName(ledgerPath) + ".lock");

        /// <summary>
        /// Holds the lock of the ledger at <paramref name="ledgerPath"/> until the result is disposed; waits up to
        /// <paramref name="wait"/> while another process holds it (<see cref="LedgerErrorIds.Busy"/> after that), and is a
        /// <see cref="LedgerErrorIds.WriteFailed"/> when the lock file cannot be made or opened.
        /// </summary>
        public static IDisposable Acquire(string ledgerPath, TimeSpan wait)
        {
            string lockPath = PathOf(ledgerPath);
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var kind = FileProbe.KindOf(lockPath);
                if (kind != FileKind.Missing && kind != FileKind.Regular)
                {
                    // Never opened: a FIFO would block the open, a device is not ours.
                    throw new LedgerException(LedgerErrorIds.WriteFailed, $"The ledger '{ledgerPath}' was not written: its lock file '{lockPath}' is {FileProbe.Describe(kind)}, not a regular file. The ledger is unchanged.", $"Remove '{lockPath}' (the module makes it again, as an empty file), then run again.");
                }

                try
                {
                    return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None, 1);
                }
                catch (IOException ex) when (AtomicFile.IsHeldByAnother(ex))
                {
                    if (clock.Elapsed >= wait)
                    {
                        throw Busy(ledgerPath, lockPath, wait, ex);
                    }

                    System.Threading.Thread.Sleep(20);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw new LedgerException(LedgerErrorIds.WriteFailed, $"The ledger '{ledgerPath}' was not written: its lock file '{lockPath}' cannot be opened: {ex.Message} The ledger is unchanged.", null, ex);
                }
            }
        }

        /// <summary>
        /// Whether a lock like the ledger's excludes another open in the ledger's folder: tried on a file of its own
        /// (<c>.&lt;name&gt;.&lt;random&gt;.probe</c>, deleted when closed) opened twice without sharing. False when the second
        /// open gets in too: .NET's file locking is off in this process (DOTNET_SYSTEM_IO_DISABLEFILELOCKING=1, or
        /// System.IO.DisableFileLocking in the runtime's configuration, read once when the process starts) or the file
        /// system ignores locks; null when it cannot be tried (the folder is not writable: the write fails anyway).
        /// </summary>
        public static bool? Excludes(string ledgerPath)
        {
            string probe = Path.Combine(Path.GetDirectoryName(ledgerPath) ?? ".", "." + Path.GetFileName(ledgerPath) + "." + Guid.NewGuid().ToString("N") + ".probe");
            try
            {
                return SecondOpenRefused(probe, FileMode.CreateNew, FileAccess.ReadWrite, FileOptions.DeleteOnClose);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>
        /// <see cref="Excludes"/> told without writing anything (-WhatIf): the ledger's lock file, when an earlier change left
        /// it, opened twice without sharing; never created, never written (a change of another process meanwhile waits a
        /// moment, as for any holder). True when another process holds it now. Null when there is no lock file (the ledger was
        /// never changed here) or it cannot be opened: then it cannot be told.
        /// </summary>
        public static bool? ExcludesWithoutWriting(string ledgerPath)
        {
            string lockPath = PathOf(ledgerPath);
            if (FileProbe.KindOf(lockPath) != FileKind.Regular)
            {
                return null;
            }

            try
            {
                return SecondOpenRefused(lockPath, FileMode.Open, FileAccess.Read, FileOptions.None);
            }
            catch (IOException ex) when (AtomicFile.IsHeldByAnother(ex))
            {
                return true; // another process's change holds it: locks work here
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>
        /// Opens <paramref name="path"/> without sharing, then once more sharing everything: true when the second open is
        /// refused (locks work), false when it gets in. The first open's failures are the caller's.
        /// </summary>
        private static bool SecondOpenRefused(string path, FileMode mode, FileAccess access, FileOptions options)
        {
            using var first = new FileStream(path, mode, access, FileShare.None, 1, options);
            try
            {
                using var second = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
                return false;
            }
            catch (IOException ex) when (AtomicFile.IsHeldByAnother(ex))
            {
                return true;
            }
        }

        private static LedgerException Busy(string ledgerPath, string lockPath, TimeSpan wait, Exception inner)
        {
            string seconds = wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            return new LedgerException(
                LedgerErrorIds.Busy,
                $"The ledger '{ledgerPath}' is being changed by another process: its lock '{lockPath}' stayed held for {seconds} s. Nothing was written to it.",
                $"Let the other command that writes this ledger (another terminal, CI step or job) finish, then run again. The lock is released when the process holding it ends; if none of yours is running, find the process that holds '{lockPath}' open.",
                inner);
        }
    }
}
