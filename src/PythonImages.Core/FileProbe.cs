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

        private static int statState; // 0 untried, 1 SystemNative_Stat works, 2 SystemNative_Stat2 works, -1 unavailable

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

            return (mode.Value & TypeMask) switch
            {
                TypeRegular => FileKind.Regular,
                TypeDirectory => FileKind.Directory,
                TypeFifo => FileKind.Fifo,
                TypeCharacter => FileKind.CharacterDevice,
                TypeBlock => FileKind.BlockDevice,
                TypeSocket => FileKind.Socket,
                _ => FileKind.EmptyOrSpecial,
            };
        }

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
    }
}
