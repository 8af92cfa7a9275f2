using System;
using System.IO;
using System.Runtime.InteropServices;

namespace PythonImages.Tests
{
    /// <summary>Special files for the tests of hostile inputs (Linux and macOS only).</summary>
    internal static class SpecialFiles
    {
        private const uint OwnerReadWrite = 0x180; // mode 0600

        /// <summary>Makes <paramref name="path"/> a FIFO (mode 0600); throws when it could not be made.</summary>
        public static void MakeFifo(string path)
        {
            if (mkfifo(System.Text.Encoding.UTF8.GetBytes(path + "\0"), OwnerReadWrite) != 0)
            {
                throw new IOException($"mkfifo failed for {path} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int mkfifo(byte[] path, uint mode); // the path as NUL-terminated UTF-8
    }
}
