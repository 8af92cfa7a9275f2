using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace PythonImages.Security
{
    /// <summary>Why <see cref="InputFile.ReadBytes"/> refused a file.</summary>
    public enum InputFileProblem
    {
        /// <summary>Nothing exists at the path (or a link points nowhere).</summary>
        NotFound,

        /// <summary>The path is not usable as a file path (NUL, illegal characters).</summary>
        InvalidPath,

        /// <summary>A directory, FIFO, socket or device (e.g. /dev/zero): never opened for reading, or never read.</summary>
        NotAFile,

        /// <summary>Larger than the limit (checked before reading, and again while reading).</summary>
        TooLarge,

        /// <summary>An I/O or permission error while opening or reading.</summary>
        ReadFailed,
    }

    /// <summary>An input file that cannot be read; <see cref="Exception.Message"/> says why, without the path.</summary>
    public sealed class InputFileException : Exception
    {
        /// <summary>A refused input file: the problem and a message naming the file.</summary>
        public InputFileException(InputFileProblem problem, string message, Exception? inner = null)
            : base(message, inner) => Problem = problem;

        /// <summary>Why the file was refused.</summary>
        public InputFileProblem Problem { get; }
    }

    /// <summary>
    /// Reads an untrusted input file (a matrix, a manifest) with bounds: only a regular file is read (a FIFO, a device
    /// or a directory is refused without blocking), and never more than a given number of bytes. The text is decoded as
    /// <see cref="File.ReadAllText(string)"/> does (UTF-8, or the encoding of a byte order mark).
    /// </summary>
    public static class InputFile
    {
        /// <summary>Reads the file as text; throws <see cref="InputFileException"/>.</summary>
        public static string ReadText(string path, long maxBytes)
        {
            byte[] bytes = ReadBytes(path, maxBytes);
            using var reader = new StreamReader(new MemoryStream(bytes, false), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        /// <summary>Reads the file's bytes (at most <paramref name="maxBytes"/>); throws <see cref="InputFileException"/>.</summary>
        public static byte[] ReadBytes(string path, long maxBytes)
        {
            if (string.IsNullOrEmpty(path) || path.IndexOf('\0') >= 0)
            {
                throw new InputFileException(InputFileProblem.InvalidPath, "The path is empty or contains a NUL character.");
            }

            if (Directory.Exists(path))
            {
                throw new InputFileException(InputFileProblem.NotAFile, "The path is a directory, not a file.");
            }

            if (!File.Exists(path))
            {
                throw new InputFileException(InputFileProblem.NotFound, "The file does not exist.");
            }

            byte[] bytes;
            try
            {
                using var stream = Open(path, maxBytes);
                bytes = ReadBounded(stream, maxBytes);
            }
            catch (InputFileException)
            {
                throw;
            }
            catch (FileNotFoundException ex)
            {
                throw new InputFileException(InputFileProblem.NotFound, "The file does not exist.", ex);
            }
            catch (DirectoryNotFoundException ex)
            {
                throw new InputFileException(InputFileProblem.NotFound, "The file does not exist.", ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new InputFileException(InputFileProblem.ReadFailed, "Access to the file is denied.", ex);
            }
            catch (Exception ex) when (ex is IOException || ex is NotSupportedException || ex is ArgumentException || ex is System.Security.SecurityException)
            {
                throw new InputFileException(InputFileProblem.ReadFailed, "The file cannot be read: " + ex.Message, ex);
            }

            return bytes;
        }

        private static FileStream Open(string path, long maxBytes)
        {
            if (Environment.OSVersion.Platform == PlatformID.Win32NT)
            {
                var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                try
                {
                    // Named pipes and character devices (NUL, CON, COM1) open without blocking; refuse them before any read.
                    if (Windows.GetFileType(fs.SafeFileHandle) != Windows.FileTypeDisk)
                    {
                        throw NotRegular("a pipe or a device");
                    }

                    CheckLength(fs.Length, maxBytes);
                    return fs;
                }
                catch
                {
                    fs.Dispose();
                    throw;
                }
            }

            return OpenUnix(path, maxBytes);
        }

        /// <summary>
        /// open(2) with O_NONBLOCK, so that a FIFO without a writer cannot block; then the type of what was opened
        /// (fstat through statx on Linux) decides, so that nothing can be swapped in between the check and the read.
        /// </summary>
        private static FileStream OpenUnix(string path, long maxBytes)
        {
            bool linux = RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
            bool mac = RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
            if (!linux && !mac)
            {
                // Another Unix: no known flag values. Plain open; reads stay bounded by the size limit.
                var plain = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                return plain;
            }

            int flags = linux ? Unix.LinuxReadOnlyNonBlockCloExec : Unix.MacReadOnlyNonBlockCloExec;
            int fd;
            try
            {
                fd = Unix.Open(path, flags);
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
            {
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            }

            if (fd < 0)
            {
                int errno = Marshal.GetLastWin32Error();
                string why = new Win32Exception(errno).Message;
                if (errno == Unix.ENOENT || errno == Unix.ENOTDIR)
                {
                    throw new InputFileException(InputFileProblem.NotFound, "The file does not exist.");
                }

                if (errno == Unix.ENXIO || errno == Unix.EISDIR)
                {
                    throw NotRegular("a socket, a device or a directory");
                }

                throw new InputFileException(InputFileProblem.ReadFailed, "The file cannot be opened: " + why + ".");
            }

            var handle = new SafeFileHandle(new IntPtr(fd), ownsHandle: true);
            try
            {
                long? size = null;
                if (linux && Unix.TryStatx(fd, out int mode, out long length))
                {
                    if ((mode & Unix.S_IFMT) != Unix.S_IFREG)
                    {
                        throw NotRegular(Unix.Describe(mode));
                    }

                    size = length;
                }

                var fs = new FileStream(handle, FileAccess.Read, 1);
                if (size == null)
                {
                    // No statx (macOS, an old kernel, a seccomp filter): a FIFO or socket cannot seek; a seekable device
                    // such as /dev/zero is still bounded by the size limit while reading.
                    if (!fs.CanSeek)
                    {
                        fs.Dispose();
                        throw NotRegular("a FIFO, a socket or a device");
                    }

                    size = fs.Length;
                }

                CheckLength(size.Value, maxBytes);
                return fs;
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        private static InputFileException NotRegular(string what) =>
            new InputFileException(InputFileProblem.NotAFile, $"The path is {what}, not a regular file; only regular files are read.");

        private static void CheckLength(long length, long maxBytes)
        {
            if (length > maxBytes)
            {
                throw TooLarge(maxBytes, length);
            }
        }

        private static InputFileException TooLarge(long maxBytes, long? length) =>
            new InputFileException(
                InputFileProblem.TooLarge,
                length.HasValue
                    ? $"The file is {length.Value} bytes long; at most {maxBytes} bytes are read."
                    : $"The file is longer than {maxBytes} bytes; at most {maxBytes} bytes are read.");

        private static byte[] ReadBounded(Stream stream, long maxBytes)
        {
            var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            while (true)
            {
                int want = (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length);
                int n = stream.Read(chunk, 0, want);
                if (n <= 0)
                {
                    break;
                }

                buffer.Write(chunk, 0, n);
                if (buffer.Length > maxBytes)
                {
                    throw TooLarge(maxBytes, null); // grew while being read, or a device that reports no size
                }
            }

            return buffer.ToArray();
        }

        private static class Windows
        {
            public const int FileTypeDisk = 1;

            [DllImport("kernel32.dll", SetLastError = true)]
            public static extern int GetFileType(SafeFileHandle handle);
        }

        private static class Unix
        {
            public const int LinuxReadOnlyNonBlockCloExec = 0x800 | 0x80000;   // O_RDONLY | O_NONBLOCK | O_CLOEXEC
            public const int MacReadOnlyNonBlockCloExec = 0x4 | 0x1000000;     // O_RDONLY | O_NONBLOCK | O_CLOEXEC
            public const int ENOENT = 2;
            public const int ENXIO = 6;
            public const int ENOTDIR = 20;
            public const int EISDIR = 21;
            public const int S_IFMT = 0xF000;
            public const int S_IFREG = 0x8000;
            private const int AtEmptyPath = 0x1000;
            private const uint StatxType = 0x1;
            private const uint StatxSize = 0x200;

            [DllImport("libc", EntryPoint = "open", SetLastError = true, BestFitMapping = false, ThrowOnUnmappableChar = true)]
            public static extern int Open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);

            [DllImport("libc", EntryPoint = "statx", SetLastError = true, BestFitMapping = false, ThrowOnUnmappableChar = true)]
            private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPStr)] string path, int flags, uint mask, byte[] buffer);

            /// <summary>statx(2) on an open descriptor. struct statx has the same layout on every Linux architecture.</summary>
            public static bool TryStatx(int fd, out int mode, out long size)
            {
                mode = 0;
                size = 0;
                var buffer = new byte[256];
                try
                {
                    if (Statx(fd, string.Empty, AtEmptyPath, StatxType | StatxSize, buffer) != 0)
                    {
                        return false;
                    }
                }
                catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
                {
                    return false;
                }

                uint mask = BitConverter.ToUInt32(buffer, 0);
                if ((mask & StatxType) == 0 || (mask & StatxSize) == 0)
                {
                    return false;
                }

                mode = BitConverter.ToUInt16(buffer, 28);
                size = BitConverter.ToInt64(buffer, 40);
                return true;
            }

            public static string Describe(int mode) => (mode & S_IFMT) switch
            {
                0x1000 => "a FIFO",
                0x2000 => "a character device",
                0x4000 => "a directory",
                0x6000 => "a block device",
                0xC000 => "a socket",
                _ => "a special file",
            };
        }
    }
}
