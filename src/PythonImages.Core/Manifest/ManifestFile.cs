using System;
using System.IO;
using System.Text;

namespace PythonImages
{
    /// <summary>Reads a manifest file with bounds: regular files only, at most <see cref="LibraryManifest.MaxChars"/> bytes, strict UTF-8.</summary>
    public static class ManifestFile
    {
        /// <summary>
        /// The text of the file. Refuses, before opening it, anything that is not a regular file (a FIFO would block the
        /// reader forever, /dev/zero would never end) and anything larger than the limit; refuses invalid UTF-8. Throws
        /// <see cref="ManifestException"/> (FileNotFound, NotAFile, TooLarge, InvalidEncoding); I/O errors stay
        /// <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/>.
        /// </summary>
        public static string ReadAllText(string path)
        {
            var kind = FileProbe.KindOf(path);
            switch (kind)
            {
                case FileKind.Missing:
                    throw new ManifestException(ManifestErrorIds.FileNotFound, "The manifest file does not exist.", path, 0);
                case FileKind.Regular:
                    break;
                case FileKind.EmptyOrSpecial:
                    // Cannot tell an empty file from a FIFO here: never open it; an empty manifest is invalid anyway.
                    throw new ManifestException(ManifestErrorIds.NotAFile, "The path is empty or not a regular file (a FIFO or device); it was not opened.", path, 0);
                default:
                    throw new ManifestException(ManifestErrorIds.NotAFile, $"The path is {FileProbe.Describe(kind)}, not a regular file; it was not opened.", path, 0);
            }

            long length = new FileInfo(path).Length;
            if (length > LibraryManifest.MaxChars)
            {
                throw TooLarge(path, length);
            }

            byte[] bytes;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.SequentialScan))
            using (var buffer = new MemoryStream((int)length + 1))
            {
                // Bounded even if the file grows after the size check.
                var chunk = new byte[16384];
                int n;
                while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
                {
                    buffer.Write(chunk, 0, n);
                    if (buffer.Length > LibraryManifest.MaxChars)
                    {
                        throw TooLarge(path, buffer.Length);
                    }
                }

                bytes = buffer.ToArray();
            }

            int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, start, bytes.Length - start);
            }
            catch (DecoderFallbackException ex)
            {
                throw new ManifestException(ManifestErrorIds.InvalidEncoding, "The manifest is not valid UTF-8 text.", path, 0, null, ex);
            }
        }

        private static ManifestException TooLarge(string path, long length) => new ManifestException(
            ManifestErrorIds.TooLarge,
            $"The file is {length} bytes long; a manifest of at most {LibraryManifest.MaxChars} bytes is accepted (library/python is about 10 KB). It was not read.",
            path,
            0);
    }
}
