using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace PythonImages
{
    /// <summary>How <see cref="AtomicFile.WriteAllBytes"/> treats an existing target.</summary>
    public enum AtomicWriteMode
    {
        /// <summary>The new content replaces the target (or creates it).</summary>
        Replace,

        /// <summary>
        /// The target must not exist: a file that appears meanwhile is never replaced. If it already holds exactly the
        /// new content (a concurrent writer of the same file), the write succeeds without writing.
        /// </summary>
        CreateNew,
    }

    /// <summary>
    /// A replacing write refused because the file it would have replaced failed the writer's check (a hand-written file put in
    /// place of a generated one while the write was under way): that file is left as it is.
    /// </summary>
    public sealed class AtomicReplaceRefusedException : IOException
    {
        /// <summary>The refusal to replace <paramref name="path"/>.</summary>
        public AtomicReplaceRefusedException(string path)
            : base($"The file '{path}' changed while it was being replaced, into one that may not be replaced; it was left as it is.")
        {
            Path = path;
        }

        /// <summary>The file left as it is.</summary>
        public string Path { get; }
    }

    /// <summary>
    /// Whole-file writes that readers and interrupted runs see either old or new, never half written. The bytes go to a
    /// temporary file next to the target (<c>.&lt;name&gt;.&lt;32 hex&gt;.tmp</c>), which one rename turns into the target.
    /// While a write is in progress its temporary file is locked (an exclusive lock on Linux and macOS, held across the
    /// rename; an open handle without sharing on Windows), so a temporary file that can be locked is a leftover of an
    /// interrupted run (kill -9, power loss), which <see cref="RemoveLeftovers"/> deletes and <see cref="FindLeftovers"/> reports.
    /// </summary>
    public static class AtomicFile
    {
        private static readonly Encoding Utf8NoBom = new UTF8Encoding(false);

        /// <summary>A write whose temporary file vanished (removed by another run's clean-up in the instant before its lock) is tried again.</summary>
        private const int MaxAttempts = 4;

        /// <summary>Reads refused by a writer's lock are tried this often, 10 ms apart.</summary>
        private const int LockWaitAttempts = 200;

        private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>Writes text as UTF-8 without BOM to a temporary file in the same directory, then renames it over
        /// <paramref name="path"/>; the temporary file never outlives a failure.</summary>
        public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8NoBom.GetBytes(text), AtomicWriteMode.Replace);

        /// <summary>
        /// Writes <paramref name="bytes"/> atomically. Returns false only in <see cref="AtomicWriteMode.CreateNew"/> when the
        /// target already existed with exactly these bytes (nothing was written); throws <see cref="IOException"/> when it
        /// existed with other content (it is left as it is). With <paramref name="mayReplace"/>, a <see cref="AtomicWriteMode.Replace"/>
        /// replaces only a file that passes it (called with a path holding that file), checked at the rename itself (see
        /// <see cref="ReplaceChecked"/>); one that does not is left in place and <see cref="AtomicReplaceRefusedException"/> thrown.
        /// </summary>
        public static bool WriteAllBytes(string path, byte[] bytes, AtomicWriteMode mode, Action<string>? beforeCommit = null, Func<string, bool>? mayReplace = null)
        {
            string full = Path.GetFullPath(path);
            string directory = Path.GetDirectoryName(full) ?? ".";
            string name = Path.GetFileName(full);
            for (int attempt = 1; ; attempt++)
            {
                string temp = Path.Combine(directory, TempName(name));
                FileStream? stream = null;
                bool renamed = false;
                bool locked = false;
                try
                {
                    // FileShare.None: on Linux/macOS .NET takes an exclusive flock, which is what tells a live
                    // temporary file from a leftover. It stays open across the rename there (rename keeps the lock).
                    stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
                    locked = true;
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush();
                    if (IsWindows)
                    {
                        // Windows cannot rename a file this process holds open without sharing.
                        stream.Dispose();
                        stream = null;
                    }

                    beforeCommit?.Invoke(temp);
                    try
                    {
                        if (mode == AtomicWriteMode.Replace && File.Exists(full))
                        {
                            Replace(temp, full, mayReplace);
                        }
                        else
                        {
                            MoveNoReplace(temp, full); // fails rather than replace a file that appeared meanwhile
                        }
                    }
                    catch (IOException ex) when (!(ex is AtomicReplaceRefusedException) && File.Exists(temp) && File.Exists(full))
                    {
                        if (mode == AtomicWriteMode.Replace)
                        {
                            Replace(temp, full, mayReplace); // it appeared between the check and the move: replace it
                        }
                        else if (SameContent(full, bytes))
                        {
                            return false; // a concurrent writer of the same content won: nothing to do
                        }
                        else
                        {
                            throw new IOException($"The file '{full}' appeared while it was being written, with other content; it was left as it is.");
                        }
                    }

                    renamed = true;
                    return true;
                }
                catch (IOException ex) when (!(ex is AtomicReplaceRefusedException) && !renamed && attempt < MaxAttempts && (!locked || !File.Exists(temp)) && Directory.Exists(directory))
                {
                    // Another run's clean-up took the lock of our fresh temporary file in the instant between its creation
                    // and our lock (so ours failed), or removed it before we held the lock: write again under a new name.
                }
                finally
                {
                    stream?.Dispose();
                    if (!renamed)
                    {
                        TryDelete(temp);
                    }
                }
            }
        }

        /// <summary>
        /// Reads a whole file that a write of this class may have just replaced. On Linux and macOS the writer still holds
        /// its exclusive lock on the file for an instant after the rename, and every read open there asks for a shared
        /// lock, which is refused meanwhile ("being used by another process"). Such a refusal is waited out (up to about
        /// two seconds); any other failure is thrown at once.
        /// </summary>
        public static byte[] ReadAllBytes(string path) => WhileWriterHoldsLock(path, () => File.ReadAllBytes(path));

        /// <summary>Runs <paramref name="open"/> (an open or read of <paramref name="path"/>) again while it is refused only because another writer holds the file's lock.</summary>
        public static T WhileWriterHoldsLock<T>(string path, Func<T> open)
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return open();
                }
                catch (IOException ex) when (attempt < LockWaitAttempts && IsHeldByAnother(ex) && File.Exists(path))
                {
                    System.Threading.Thread.Sleep(10);
                }
            }
        }

        /// <summary>
        /// A refusal because another handle holds a lock: on Linux and macOS .NET's advisory flock answered EWOULDBLOCK
        /// (errno 11 on Linux, 35 on macOS and the BSDs), on Windows a sharing or lock violation (32, 33).
        /// </summary>
        internal static bool IsHeldByAnother(IOException ex)
        {
            if (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                return false;
            }

            int code = ex.HResult;
            return IsWindows ? (code & 0xFFFF) == 32 || (code & 0xFFFF) == 33 : code == 11 || code == 35;
        }

        /// <summary>A fresh temporary name for <paramref name="fileName"/>: <c>.&lt;fileName&gt;.&lt;32 hex&gt;.tmp</c>.</summary>
        public static string TempName(string fileName) => "." + fileName + "." + Guid.NewGuid().ToString("N") + ".tmp";

        /// <summary>True when <paramref name="candidate"/> (a file name) has the form of a temporary file of <paramref name="fileName"/> (this version's or an earlier one's).</summary>
        public static bool IsTempName(string candidate, string fileName)
        {
            string prefix = "." + fileName + ".";
            if (!candidate.StartsWith(prefix, StringComparison.Ordinal) || !candidate.EndsWith(".tmp", StringComparison.Ordinal))
            {
                return false;
            }

            string id = candidate.Substring(prefix.Length, candidate.Length - prefix.Length - 4);
            return (id.Length == 32 || id.Length == 8) && id.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        }

        /// <summary>Temporary files of <paramref name="fileName"/> in <paramref name="directory"/> that no write holds: leftovers of an interrupted run.</summary>
        public static IReadOnlyList<string> FindLeftovers(string directory, string fileName) =>
            Candidates(directory, fileName).Where(p => WithLeftover(p, remove: false)).ToList();

        /// <summary>Deletes the leftovers of <paramref name="fileName"/> in <paramref name="directory"/> (never a temporary file a running write holds); returns their paths.</summary>
        public static IReadOnlyList<string> RemoveLeftovers(string directory, string fileName) =>
            Candidates(directory, fileName).Where(p => WithLeftover(p, remove: true)).ToList();

        private static IEnumerable<string> Candidates(string directory, string fileName)
        {
            if (!Directory.Exists(directory))
            {
                return Array.Empty<string>();
            }

            try
            {
                return Directory.EnumerateFiles(directory, "." + fileName + ".*.tmp", SearchOption.TopDirectoryOnly)
                    .Where(p => IsTempName(Path.GetFileName(p), fileName))
                    .OrderBy(p => p, StringComparer.Ordinal)
                    .ToList();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return Array.Empty<string>();
            }
        }

        /// <summary>
        /// True when <paramref name="path"/> is a regular file that nobody holds (and, with <paramref name="remove"/>, it
        /// was deleted while we held it). A file being written is locked by its writer, so it is never touched.
        /// </summary>
        private static bool WithLeftover(string path, bool remove)
        {
            if (FileProbe.KindOf(path) != FileKind.Regular)
            {
                return false; // gone meanwhile, or a FIFO/device with a temporary file's name: not ours, never opened
            }

            try
            {
                // Linux/macOS: FileShare.None = exclusive flock, refused while a writer holds its lock.
                // Windows: refused while a writer has it open (it shares nothing); FileShare.Delete lets us delete it.
                using (new FileStream(path, FileMode.Open, FileAccess.Read, IsWindows ? FileShare.Delete : FileShare.None))
                {
                    if (remove)
                    {
                        File.Delete(path);
                    }
                }

                return true;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return false; // held by a running write, vanished, or not ours to remove
            }
        }

        /// <summary>
        /// Moves <paramref name="source"/> to <paramref name="target"/> only if the target does not exist, atomically: on
        /// Linux and macOS File.Move checks and renames in two steps (two racing writers can both succeed), so the name
        /// is made with link(2), which fails when the target exists, and the temporary name removed afterwards.
        /// </summary>
        private static void MoveNoReplace(string source, string target)
        {
            if (!IsWindows && linkState >= 0)
            {
                try
                {
                    if (Link(source, target) == 0)
                    {
                        linkState = 1;
                        File.Delete(source);
                        return;
                    }

                    linkState = 1;
                    if (File.Exists(target))
                    {
                        throw new IOException($"The file '{target}' already exists.");
                    }
                }
                catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
                {
                    linkState = -1; // a runtime without the native shim: File.Move is the best there is
                }
            }

            File.Move(source, target);
        }

        private static int linkState;

        private static int exchangeState;

        private static void Replace(string temp, string full, Func<string, bool>? mayReplace)
        {
            if (mayReplace == null)
            {
                File.Replace(temp, full, null);
            }
            else
            {
                ReplaceChecked(temp, full, mayReplace);
            }
        }

        /// <summary>
        /// Replaces <paramref name="full"/> with <paramref name="temp"/> only if the file it replaces passes <paramref name="mayReplace"/>.
        /// On Linux the two are swapped in one step (renameat2 RENAME_EXCHANGE), so the file checked is exactly the one
        /// replaced, whatever happened to the name before; one that fails is swapped back at once (readers saw the new file
        /// for that instant). Elsewhere, and on file systems without the swap, the file is checked just before the rename,
        /// which leaves an instant in which a file put there is replaced unchecked.
        /// </summary>
        private static void ReplaceChecked(string temp, string full, Func<string, bool> mayReplace)
        {
            int result = Exchange(temp, full, out int errno);
            if (result == 0)
            {
                // temp now names the file that was at full.
                if (Allowed(mayReplace, temp))
                {
                    TryDelete(temp);
                    return;
                }

                if (Exchange(temp, full, out errno) != 0)
                {
                    throw new IOException($"The file '{full}' changed while it was being replaced and could not be put back (error {errno}); it is at '{temp}'.");
                }

                throw new AtomicReplaceRefusedException(full);
            }

            if (result > 0 && errno == ENoEnt && File.Exists(temp))
            {
                MoveNoReplace(temp, full); // the target vanished meanwhile: nothing to check, and nothing that appears is replaced
                return;
            }

            if (!Allowed(mayReplace, full))
            {
                throw new AtomicReplaceRefusedException(full);
            }

            File.Replace(temp, full, null);
        }

        /// <summary>Whether the file at <paramref name="path"/> may be replaced; one that vanished meanwhile may (there is nothing to keep).</summary>
        private static bool Allowed(Func<string, bool> mayReplace, string path)
        {
            try
            {
                return mayReplace(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                return true;
            }
        }

        private const int AtFdCwd = -100;
        private const uint RenameExchange = 2;
        private const int ENoEnt = 2;

        /// <summary>renameat2(RENAME_EXCHANGE): 0 when swapped; 1 with <paramref name="errno"/> when refused; -1 when there is no such call here (not Linux, no renameat2 in the C library).</summary>
        private static int Exchange(string a, string b, out int errno)
        {
            errno = 0;
            if (exchangeState < 0 || !RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return -1;
            }

            try
            {
                if (RenameAt2(AtFdCwd, a, AtFdCwd, b, RenameExchange) == 0)
                {
                    exchangeState = 1;
                    return 0;
                }

                errno = Marshal.GetLastWin32Error();
                return 1;
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
                exchangeState = -1;
                return -1;
            }
        }

        [DllImport("libc", EntryPoint = "renameat2", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        private static extern int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Link", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        private static extern int Link(string source, string linkTarget);

        private static bool SameContent(string path, byte[] bytes)
        {
            try
            {
                if (FileProbe.KindOf(path) != FileKind.Regular || new FileInfo(path).Length != bytes.Length)
                {
                    return false;
                }

                return ReadAllBytes(path).SequenceEqual(bytes);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return false;
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // Left for the next run's clean-up (and reported by Test-PythonDockerfile for Dockerfiles).
            }
        }
    }
}
