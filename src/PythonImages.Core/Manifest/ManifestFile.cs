using System;
using System.Text;
using PythonImages.Security;

namespace PythonImages
{
    /// <summary>Reads a manifest file with bounds: regular files only, at most <see cref="LibraryManifest.MaxChars"/> bytes, strict UTF-8.</summary>
    public static class ManifestFile
    {
        /// <summary>
        /// The text of the file, read by <see cref="InputFile"/>: anything that is not a regular file (a FIFO would block
        /// the reader forever, /dev/zero would never end) and anything larger than the limit is refused without being read;
        /// invalid UTF-8 is refused. Throws <see cref="ManifestException"/> (FileNotFound, NotAFile, TooLarge,
        /// InvalidEncoding, ReadFailed).
        /// </summary>
        public static string ReadAllText(string path)
        {
            byte[] bytes;
            try
            {
                bytes = InputFile.ReadBytes(path, LibraryManifest.MaxChars);
            }
            catch (InputFileException ex)
            {
                string id = ex.Problem switch
                {
                    InputFileProblem.NotFound => ManifestErrorIds.FileNotFound,
                    InputFileProblem.NotAFile => ManifestErrorIds.NotAFile,
                    InputFileProblem.TooLarge => ManifestErrorIds.TooLarge,
                    _ => ManifestErrorIds.ReadFailed,
                };
                string message = ex.Problem == InputFileProblem.TooLarge
                    ? ex.Message + $" A manifest of at most {LibraryManifest.MaxChars} bytes is accepted (library/python is about 10 KB). It was not read."
                    : ex.Message;
                throw new ManifestException(id, message, path, 0, null, ex);
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
    }
}
