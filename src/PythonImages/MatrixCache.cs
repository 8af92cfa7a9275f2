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
        private static readonly Dictionary<string, (DateTime Stamp, long Length, Matrix Matrix, IReadOnlyList<PythonImage> Images)> Files =
            new Dictionary<string, (DateTime, long, Matrix, IReadOnlyList<PythonImage>)>(StringComparer.Ordinal);

        private static readonly Lazy<IReadOnlyList<PythonImage>> DefaultImages =
            new Lazy<IReadOnlyList<PythonImage>>(() => TagRules.Compute(MatrixLoader.Default));

        /// <summary>Loads the matrix and its images; throws <see cref="MatrixException"/> for a bad file.</summary>
        public static (Matrix Matrix, IReadOnlyList<PythonImage> Images) Get(string? fullPath)
        {
            if (string.IsNullOrEmpty(fullPath))
            {
                return (MatrixLoader.Default, DefaultImages.Value);
            }

            var info = new FileInfo(fullPath);
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
                Files[fullPath!] = (info.LastWriteTimeUtc, info.Length, matrix, images);
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
    }

    internal static class Errors
    {
        /// <summary>The ErrorRecord for a matrix that cannot be loaded (terminating for the command that needs it).</summary>
        public static ErrorRecord FromMatrix(MatrixException ex)
        {
            var record = new ErrorRecord(ex, ex.ErrorId, ex.IsNotFound ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidData, ex.File)
            {
                ErrorDetails = new ErrorDetails(ex.Message)
                {
                    RecommendedAction = ex.IsNotFound
                        ? "Pass the path of an existing matrix file (YAML or versions.json) to -MatrixPath, or omit -MatrixPath to use the embedded matrix."
                        : $"Fix {ex.File} at line {ex.Line}" + (ex.Key != null ? $" (key '{ex.Key}')" : string.Empty) + "; the format is described in the README section 'The matrix'.",
                },
            };
            return record;
        }

        public static ErrorRecord Create(Exception ex, string errorId, ErrorCategory category, object? target, string? recommendedAction = null)
        {
            var record = new ErrorRecord(ex, errorId, category, target);
            if (recommendedAction != null)
            {
                record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = recommendedAction };
            }

            return record;
        }
    }
}
