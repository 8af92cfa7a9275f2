using System;
using System.Runtime.InteropServices;
using System.Text;

namespace PythonImages.Engine
{
    /// <summary>
    /// The file capabilities of a context entry (its security.capability extended attribute, as lgetxattr reads it: a link
    /// itself, never its target). The docker CLI sends them in the entry's tar header (PAX record
    /// SCHILY.xattr.security.capability) and the engine gives the file in the image the same capabilities: a program
    /// allowed to bind low ports keeps that in an image built from the context. Linux only, as docker reads them.
    /// </summary>
    internal static class SecurityCapability
    {
        /// <summary>The PAX record name the docker CLI writes them under.</summary>
        public const string PaxRecord = "SCHILY.xattr.security.capability";

        private const int NoData = 61; // ENODATA: the file has none
        private const int OutOfRange = 34; // ERANGE: the buffer was too small
        private static readonly byte[] Name = Encoding.ASCII.GetBytes("security.capability\0");
        private static bool unavailable = !RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

        /// <summary>The attribute's bytes, or null when the entry has none (or the system cannot tell).</summary>
        public static byte[]? Of(string path)
        {
            if (unavailable)
            {
                return null;
            }

            var pathBytes = Encoding.UTF8.GetBytes(path + "\0");
            for (int size = 64; size <= 64 * 1024; size *= 16)
            {
                var buffer = new byte[size];
                long n;
                try
                {
                    n = LGetXAttr(pathBytes, Name, buffer, (UIntPtr)buffer.Length).ToInt64();
                }
                catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException)
                {
                    unavailable = true;
                    return null;
                }

                if (n >= 0)
                {
                    var value = new byte[n];
                    Array.Copy(buffer, value, n);
                    return value;
                }

                if (Marshal.GetLastWin32Error() != OutOfRange)
                {
                    return null; // ENODATA (none), ENOTSUP (a file system without them), or the entry went away
                }
            }

            return null;
        }

        [DllImport("libc", EntryPoint = "lgetxattr", SetLastError = true)]
        private static extern IntPtr LGetXAttr(byte[] path, byte[] name, byte[] value, UIntPtr size);
    }
}
