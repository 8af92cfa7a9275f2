using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;

namespace PythonImages.Commands
{
    /// <summary>Matrices by file, reloaded when the file changes; the embedded one is parsed once per process.</summary>
    internal static class MatrixCache
    {
        private static readonly object Gate = new object();
        // Entries are a class, not a value tuple: a dictionary over a struct value is generic code that no ready-to-run
        // image holds, and the first command of every process would compile it.
        private static readonly Dictionary<string, Entry> Files = new Dictionary<string, Entry>(StringComparer.Ordinal);

        private static readonly Lazy<IReadOnlyList<PythonImage>> DefaultImages =
            new Lazy<IReadOnlyList<PythonImage>>(() => TagRules.Compute(MatrixLoader.Default));

        /// <summary>Loads the matrix and its images; throws <see cref="MatrixException"/> for a bad file.</summary>
        public static (Matrix Matrix, IReadOnlyList<PythonImage> Images) Get(string? fullPath)
        {
            if (string.IsNullOrEmpty(fullPath))
            {
                return (MatrixLoader.Default, DefaultImages.Value);
            }

            FileInfo info;
            try
            {
                if (fullPath!.IndexOf('\0') >= 0)
                {
                    throw new ArgumentException("The path contains a NUL character.");
                }

                info = new FileInfo(fullPath);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is System.Security.SecurityException)
            {
                throw new MatrixException(MatrixErrorIds.InvalidPath, "The matrix path is not a usable file path: " + ex.Message, fullPath!, 0, null, ex);
            }

            lock (Gate)
            {
                if (info.Exists && Files.TryGetValue(fullPath!, out var hit) && hit.Stamp == info.LastWriteTimeUtc && hit.Length == info.Length)
                {
                    return (hit.Matrix, hit.Images);
                }
            }

            var matrix = MatrixLoader.LoadFile(fullPath!);
            var images = TagRules.Compute(matrix);
            lock (Gate)
            {
                Files[fullPath!] = new Entry(info.LastWriteTimeUtc, info.Length, matrix, images);
            }

            return (matrix, images);
        }

        /// <summary>Forgets a file (after Update-PythonMatrix rewrote it: a same-length rewrite within the timestamp
        /// granularity of the file system would otherwise look unchanged).</summary>
        public static void Invalidate(string fullPath)
        {
            lock (Gate)
            {
                Files.Remove(fullPath);
            }
        }

        private sealed class Entry
        {
            public Entry(DateTime stamp, long length, Matrix matrix, IReadOnlyList<PythonImage> images)
            {
                Stamp = stamp;
                Length = length;
                Matrix = matrix;
                Images = images;
            }

            public DateTime Stamp { get; }

            public long Length { get; }

            public Matrix Matrix { get; }

            public IReadOnlyList<PythonImage> Images { get; }
        }
    }
}
