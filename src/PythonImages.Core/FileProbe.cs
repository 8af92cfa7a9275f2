using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace PythonImages
{
    /// <summary>What a path names, found without opening it (opening a FIFO for reading blocks until a writer comes).</summary>
    public enum FileKind
    {
        /// <summary>Nothing is there.</summary>
        Missing,
        /// <summary>A regular file.</summary>
        Regular,
        /// <summary>A directory.</summary>
        Directory,
        /// <summary>A named pipe.</summary>
        Fifo,
        /// <summary>A character device.</summary>
        CharacterDevice,
        /// <summary>A block device.</summary>
        BlockDevice,
        /// <summary>A socket.</summary>
        Socket,

        /// <summary>A file whose type could not be determined (no stat available) and whose size is 0: possibly a FIFO or device.</summary>
        EmptyOrSpecial,

        /// <summary>A symbolic link (only <see cref="FileProbe.LinkStatus"/> reports it: it does not follow links).</summary>
        SymbolicLink,
    }

    /// <summary>What lstat(2) says about a path, as far as the runtime's native shim tells it.</summary>
    public sealed class FileStatus
    {
        /// <summary>The file's type.</summary>
        public FileKind Kind { get; set; }

        /// <summary>The size in bytes.</summary>
        public long Size { get; set; }

        /// <summary>Whether <see cref="Device"/> and <see cref="Inode"/> are known (the shim's layout is known for this runtime).</summary>
        public bool HasIdentity { get; set; }

        /// <summary>The device the file is on (with <see cref="Inode"/>, what tells hard links of one file apart from copies).</summary>
        public long Device { get; set; }

        /// <summary>The inode number.</summary>
        public long Inode { get; set; }

        /// <summary>The major number of a character or block device (0 when unknown).</summary>
        public int DeviceMajor { get; set; }

        /// <summary>The minor number of a character or block device (0 when unknown).</summary>
        public int DeviceMinor { get; set; }
    }

    /// <summary>
    /// Tells regular files from directories, FIFOs, sockets and devices before anything opens them. On Linux and macOS the
    /// type comes from stat(2) through the runtime's own native shim; where that is unavailable a size of 0 is treated as
    /// "empty or special" (FIFOs and character devices report 0), which callers refuse or treat as empty. Windows has no
    /// such files on its file system paths.
    /// </summary>
    public static class FileProbe
    {
        private const int TypeMask = 0xF000;
        private const int TypeFifo = 0x1000;
        private const int TypeCharacter = 0x2000;
        private const int TypeDirectory = 0x4000;
        private const int TypeBlock = 0x6000;
        private const int TypeRegular = 0x8000;
        private const int TypeSocket = 0xC000;
        private const int TypeLink = 0xA000;

        private static int statState; // 0 untried, 1 SystemNative_Stat works, 2 SystemNative_Stat2 works, -1 unavailable
        private static int lstatState; // the same for SystemNative_LStat and SystemNative_LStat2
        private static int fstatState; // 0 untried, 1 SystemNative_FStat works, -1 unavailable

        /// <summary>What is at <paramref name="path"/>, without opening it (links are followed).</summary>
        public static FileKind KindOf(string path)
        {
            if (Directory.Exists(path))
            {
                return FileKind.Directory;
            }

            if (!File.Exists(path))
            {
                return FileKind.Missing;
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return FileKind.Regular;
            }

            int? mode = StatMode(path);
            if (mode == null)
            {
                var info = new FileInfo(path); // stat failed: the file may have gone in the meantime
                return !info.Exists ? FileKind.Missing : info.Length == 0 ? FileKind.EmptyOrSpecial : FileKind.Regular;
            }

            return KindOfMode(mode.Value);
        }

        /// <summary>
        /// What is at <paramref name="path"/> without following a link (lstat), or null where the runtime's native shim is not
        /// available (Windows, .NET Framework) or the path is gone. Nothing is opened.
        /// </summary>
        public static FileStatus? LinkStatus(string path)
        {
            var status = RawLinkStatus(path);
            return status == null ? null : Read(status);
        }

        /// <summary>The runtime's FileStatus bytes of lstat(<paramref name="path"/>), or null (see <see cref="LinkStatus"/>).</summary>
        private static byte[]? RawLinkStatus(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || lstatState < 0)
            {
                return null;
            }

            byte[] name = Encoding.UTF8.GetBytes(path + "\0");
            var status = new byte[512]; // larger than any version of the runtime's FileStatus
            int rc;
            try
            {
                if (lstatState == 2)
                {
                    rc = LStat2(name, status);
                }
                else
                {
                    try
                    {
                        rc = LStat(name, status);
                        lstatState = 1;
                    }
                    catch (EntryPointNotFoundException)
                    {
                        rc = LStat2(name, status);
                        lstatState = 2;
                    }
                }
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException || ex is BadImageFormatException)
            {
                lstatState = -1;
                return null;
            }

            return rc == 0 ? status : null;
        }

        /// <summary>
        /// What the open file <paramref name="handle"/> is (fstat), or null where the runtime's native shim is not available:
        /// compared with <see cref="LinkStatus"/> taken before the open, it tells whether the name was swapped in between
        /// (for a symbolic link, say, which the open followed).
        /// </summary>
        public static FileStatus? HandleStatus(SafeHandle handle)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || fstatState < 0)
            {
                return null;
            }

            var status = new byte[512];
            try
            {
                int rc = FStat(handle, status);
                fstatState = 1;
                return rc == 0 ? Read(status) : null;
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException || ex is BadImageFormatException)
            {
                fstatState = -1;
                return null;
            }
        }

        /// <summary>
        /// The fields of the runtime's FileStatus: Flags, Mode, Uid, Gid (4 bytes each), then 8-byte Size, ATime, ATimeNsec,
        /// MTime, MTimeNsec, CTime, CTimeNsec, BirthTime, BirthTimeNsec, Dev; then RDev and Ino since .NET 7 (RDev was added
        /// for its tar support), Ino alone before. The device and inode are only trusted on .NET 7 and later.
        /// </summary>
        private static FileStatus Read(byte[] status)
        {
            int mode = BitConverter.ToInt32(status, 4);
            var result = new FileStatus
            {
                Kind = KindOfMode(mode),
                Size = BitConverter.ToInt64(status, 16),
            };
            if (IdentityLayoutKnown)
            {
                result.HasIdentity = true;
                result.Device = BitConverter.ToInt64(status, 88);
                long rdev = BitConverter.ToInt64(status, 96);
                result.Inode = BitConverter.ToInt64(status, 104);
                if (result.Kind == FileKind.CharacterDevice || result.Kind == FileKind.BlockDevice)
                {
                    (result.DeviceMajor, result.DeviceMinor) = SplitDevice(rdev);
                }
            }

            return result;
        }

        private static int identityState; // 0 untried, 1 the layout checked out, -1 not trusted

        /// <summary>
        /// Whether the device and inode fields are where <see cref="Read"/> looks for them. The layout is the runtime's own and
        /// not a public contract, so it is trusted only on the runtimes it was checked on (.NET 7 to 10) and only after a
        /// check in this process: two lstat calls of one file agree, its size is the one <see cref="FileInfo"/> reports, and
        /// a different file has a different inode. Wrong identities would make copies look like hard links of one file (and
        /// send a link where the bytes belong), so anything unexpected turns them off: files are then sent whole.
        /// </summary>
        private static bool IdentityLayoutKnown
        {
            get
            {
                if (identityState == 0)
                {
                    identityState = Environment.Version.Major >= 7 && Environment.Version.Major <= 10 && CheckIdentityLayout() ? 1 : -1;
                }

                return identityState > 0;
            }
        }

        private static bool CheckIdentityLayout()
        {
            try
            {
                string file = typeof(FileProbe).Assembly.Location;
                string? folder = Path.GetDirectoryName(file);
                if (string.IsNullOrEmpty(file) || string.IsNullOrEmpty(folder))
                {
                    return false;
                }

                var a = RawLinkStatus(file);
                var b = RawLinkStatus(file);
                var other = RawLinkStatus(folder!);
                if (a == null || b == null || other == null)
                {
                    return false;
                }

                long inodeA = BitConverter.ToInt64(a, 104), inodeB = BitConverter.ToInt64(b, 104), inodeOther = BitConverter.ToInt64(other, 104);
                long deviceA = BitConverter.ToInt64(a, 88), deviceB = BitConverter.ToInt64(b, 88);
                return BitConverter.ToInt64(a, 16) == new FileInfo(file).Length
                    && (BitConverter.ToInt32(a, 4) & TypeMask) == TypeRegular
                    && (BitConverter.ToInt32(other, 4) & TypeMask) == TypeDirectory
                    && inodeA != 0 && inodeA == inodeB && deviceA == deviceB && inodeA != inodeOther;
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }

        /// <summary>A device number's major and minor parts (Linux's and macOS's encodings).</summary>
        private static (int Major, int Minor) SplitDevice(long dev)
        {
            ulong d = (ulong)dev;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            {
                return ((int)((d >> 24) & 0xFF), (int)(d & 0xFFFFFF));
            }

            return ((int)(((d >> 8) & 0xFFF) | ((d >> 32) & 0xFFFFF000)), (int)((d & 0xFF) | ((d >> 12) & 0xFFFFFF00)));
        }

        private static FileKind KindOfMode(int mode) => (mode & TypeMask) switch
        {
            TypeRegular => FileKind.Regular,
            TypeDirectory => FileKind.Directory,
            TypeFifo => FileKind.Fifo,
            TypeCharacter => FileKind.CharacterDevice,
            TypeBlock => FileKind.BlockDevice,
            TypeSocket => FileKind.Socket,
            TypeLink => FileKind.SymbolicLink,
            _ => FileKind.EmptyOrSpecial,
        };

        /// <summary>"a FIFO", "a directory", ... for messages.</summary>
        public static string Describe(FileKind kind) => kind switch
        {
            FileKind.Missing => "missing",
            FileKind.Regular => "a regular file",
            FileKind.Directory => "a directory",
            FileKind.Fifo => "a FIFO (named pipe)",
            FileKind.CharacterDevice => "a character device",
            FileKind.BlockDevice => "a block device",
            FileKind.Socket => "a socket",
            FileKind.SymbolicLink => "a symbolic link",
            _ => "empty, or a FIFO or device",
        };

        /// <summary>st_mode of the path (following links), or null when stat is not available here.</summary>
        private static int? StatMode(string path)
        {
            if (statState < 0)
            {
                return null;
            }

            byte[] name = Encoding.UTF8.GetBytes(path + "\0");
            var status = new byte[512]; // larger than any version of the runtime's FileStatus; Mode is its second int
            try
            {
                int rc;
                if (statState == 2)
                {
                    rc = Stat2(name, status);
                }
                else
                {
                    try
                    {
                        rc = Stat(name, status);
                        statState = 1;
                    }
                    catch (EntryPointNotFoundException)
                    {
                        rc = Stat2(name, status);
                        statState = 2;
                    }
                }

                return rc == 0 ? BitConverter.ToInt32(status, 4) : (int?)null;
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException || ex is BadImageFormatException)
            {
                statState = -1;
                return null;
            }
        }

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        private static extern int Stat(byte[] path, byte[] status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat2", SetLastError = true)]
        private static extern int Stat2(byte[] path, byte[] status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
        private static extern int LStat(byte[] path, byte[] status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat2", SetLastError = true)]
        private static extern int LStat2(byte[] path, byte[] status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_FStat", SetLastError = true)]
        private static extern int FStat(SafeHandle fd, byte[] status);
    }
}
