using System;
using System.IO;
using System.Runtime.InteropServices;

namespace PythonImages.Tests
{
    /// <summary>Special files (FIFOs, hard links) for the tests of hostile inputs and build contexts (Linux and macOS only).</summary>
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

        /// <summary>Gives the file <paramref name="existing"/> the second name <paramref name="created"/>; throws when it could not.</summary>
        public static void HardLink(string existing, string created)
        {
            if (link(System.Text.Encoding.UTF8.GetBytes(existing + "\0"), System.Text.Encoding.UTF8.GetBytes(created + "\0")) != 0)
            {
                throw new IOException($"link failed for {created} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int mkfifo(byte[] path, uint mode); // the path as NUL-terminated UTF-8

        [DllImport("libc", SetLastError = true)]
        private static extern int link(byte[] existing, byte[] created); // the paths as NUL-terminated UTF-8
    }
}
