using System;
using System.IO;
using System.Text;
using SharpCompress.Compressors.Xz;

namespace PythonImages.Updates
{
    /// <summary>
    /// Which release a CPython source tarball (.tar.xz) holds, read from its first tar entry: every entry of python.org's
    /// tarballs lives under Python-X.Y.Z/. Only the start of the file is decoded (the compressed bytes kept while the
    /// download streams through the hash), a few KiB of output at most; the file is never held whole. Kept apart from
    /// the rest of the updater so that SharpCompress is loaded only when a tarball is checked.
    /// </summary>
    internal static class TarballHead
    {
        /// <summary>The compressed bytes kept from the start of a release file (an LZMA2 chunk is at most 64 KiB).</summary>
        internal const int PrefixBytes = 64 * 1024;

        /// <summary>The most decoded bytes read to reach the first entry (its header and any pax or GNU long-name header).</summary>
        private const int MaxDecoded = 16 * 1024;

        private const int Block = 512;

        /// <summary>The directory a tarball of <paramref name="version"/> keeps its files in.</summary>
        internal static string ExpectedDirectory(string version) => "Python-" + version;

        /// <summary>
        /// Null when the first entry of the .tar.xz whose start is <paramref name="prefix"/> lies under
        /// Python-<paramref name="version"/>/; otherwise what was found instead (for the message).
        /// </summary>
        internal static string? Mismatch(byte[] prefix, string version)
        {
            string? first;
            try
            {
                first = FirstEntry(Decode(prefix));
            }
            catch (InvalidDataException ex)
            {
                return ex.Message;
            }

            if (first == null)
            {
                return "it holds no file";
            }

            string expected = ExpectedDirectory(version);
            if (first == expected || first.StartsWith(expected + "/", StringComparison.Ordinal))
            {
                return null;
            }

            int slash = first.IndexOf('/');
            string top = slash < 0 ? first : first.Substring(0, slash + 1);
            return $"its files are under {Security.InputGrammar.Show(top)}";
        }

        /// <summary>The first decoded bytes (at most <see cref="MaxDecoded"/>; fewer when the file or the prefix ends).</summary>
        private static byte[] Decode(byte[] prefix)
        {
            var output = new MemoryStream();
            try
            {
                using var xz = new XZStream(new MemoryStream(prefix, writable: false));
                var chunk = new byte[4096];
                while (output.Length < MaxDecoded)
                {
                    int n = xz.Read(chunk, 0, (int)Math.Min(chunk.Length, MaxDecoded - output.Length));
                    if (n <= 0)
                    {
                        break;
                    }

                    output.Write(chunk, 0, n);
                }
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException) && output.Length >= Block)
            {
                // the kept prefix ended inside the stream (or the decoder stopped on it): what was decoded is enough to read
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                throw new InvalidDataException("it is not an xz-compressed file (" + ex.Message + ")", ex);
            }

            return output.ToArray();
        }

        /// <summary>The path of the first file entry (after pax and GNU long-name headers), or null for an empty archive.</summary>
        internal static string? FirstEntry(byte[] tar)
        {
            string? longName = null;
            int at = 0;
            while (true)
            {
                if (at + Block > tar.Length)
                {
                    throw new InvalidDataException("its first tar entry could not be read");
                }

                if (IsZero(tar, at))
                {
                    return null;
                }

                if (!ChecksumHolds(tar, at))
                {
                    throw new InvalidDataException("it is not a tar archive");
                }

                char type = (char)tar[at + 156];
                long size = Octal(tar, at + 124, 12);
                int dataAt = at + Block;
                int next = dataAt + (int)((size + Block - 1) / Block * Block);
                if (type == 'x' || type == 'g' || type == 'L' || type == 'K')
                {
                    if (size > MaxDecoded || next > tar.Length)
                    {
                        throw new InvalidDataException("its first tar entry could not be read");
                    }

                    if (type == 'x')
                    {
                        longName = PaxPath(tar, dataAt, (int)size) ?? longName;
                    }
                    else if (type == 'L')
                    {
                        longName = CString(tar, dataAt, (int)size);
                    }

                    at = next;
                    continue;
                }

                if (longName != null)
                {
                    return longName;
                }

                string name = CString(tar, at, 100);
                string prefix = Encoding.ASCII.GetString(tar, at + 257, 5) == "ustar" ? CString(tar, at + 345, 155) : string.Empty;
                return prefix.Length > 0 ? prefix + "/" + name : name;
            }
        }

        private static bool IsZero(byte[] b, int at)
        {
            for (int i = at; i < at + Block; i++)
            {
                if (b[i] != 0)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The header's checksum: the sum of its bytes with the checksum field taken as spaces.</summary>
        private static bool ChecksumHolds(byte[] b, int at)
        {
            long sum = 0;
            for (int i = 0; i < Block; i++)
            {
                sum += i >= 148 && i < 156 ? (byte)' ' : b[at + i];
            }

            return Octal(b, at + 148, 8) == sum;
        }

        private static long Octal(byte[] b, int at, int length)
        {
            long value = 0;
            bool digits = false;
            for (int i = at; i < at + length; i++)
            {
                byte c = b[i];
                if (c >= (byte)'0' && c <= (byte)'7')
                {
                    value = (value * 8) + (c - '0');
                    digits = true;
                }
                else if (c == 0 || c == (byte)' ')
                {
                    if (digits)
                    {
                        break;
                    }
                }
                else
                {
                    throw new InvalidDataException("it is not a tar archive");
                }
            }

            return value;
        }

        private static string CString(byte[] b, int at, int length)
        {
            int end = Array.IndexOf(b, (byte)0, at, length);
            return Encoding.UTF8.GetString(b, at, (end < 0 ? at + length : end) - at);
        }

        /// <summary>The path= record of a pax extended header ("LEN path=VALUE\n" records), if any.</summary>
        private static string? PaxPath(byte[] b, int at, int size)
        {
            string? path = null;
            foreach (string record in Encoding.UTF8.GetString(b, at, size).Split('\n'))
            {
                int space = record.IndexOf(' ');
                if (space > 0 && record.IndexOf("path=", space + 1, StringComparison.Ordinal) == space + 1)
                {
                    path = record.Substring(space + 6);
                }
            }

            return path;
        }
    }
}
