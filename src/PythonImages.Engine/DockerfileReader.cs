using System.IO;
using PythonImages.Security;

namespace PythonImages.Engine
{
    /// <summary>
    /// Reads a build's Dockerfile with bounds: it comes with the project (a pull request may make it a link to
    /// /dev/zero or a FIFO), so it is read only if it is a regular file of at most <see cref="MaxBytes"/>. A refusal is an
    /// <see cref="IOException"/>, which the readers already handle as an unreadable Dockerfile (the context scan names
    /// the problem before anything is uploaded).
    /// </summary>
    internal static class DockerfileReader
    {
        /// <summary>The most a Dockerfile may hold (the module's are about 10 KB).</summary>
        public const long MaxBytes = 4 * 1024 * 1024;

        public static byte[] ReadBytes(string path)
        {
            try
            {
                return InputFile.ReadBytes(path, MaxBytes);
            }
            catch (InputFileException ex)
            {
                throw new IOException($"The Dockerfile {path} cannot be read: {ex.Message}", ex);
            }
        }

        public static string ReadText(string path)
        {
            try
            {
                return InputFile.ReadText(path, MaxBytes);
            }
            catch (InputFileException ex)
            {
                throw new IOException($"The Dockerfile {path} cannot be read: {ex.Message}", ex);
            }
        }
    }
}
