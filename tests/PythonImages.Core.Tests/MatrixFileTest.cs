using System;
using System.IO;

namespace PythonImages.Tests
{
    /// <summary>Base of tests that write matrix files: a private temp folder, removed afterwards.</summary>
    public abstract class MatrixFileTest : IDisposable
    {
        protected MatrixFileTest() => Directory.CreateDirectory(Dir);

        protected string Dir { get; } = Path.Combine(Path.GetTempPath(), "pi-matrix-" + Guid.NewGuid().ToString("N"));

        /// <summary>Writes the lines (LF-terminated) as <paramref name="fileName"/> in the temp folder and returns its path.</summary>
        protected string WriteLines(string fileName, params string[] lines)
        {
            string path = Path.Combine(Dir, fileName);
            File.WriteAllText(path, lines.Length == 0 ? "\n" : string.Join("\n", lines) + "\n");
            return path;
        }

        public void Dispose()
        {
            Directory.Delete(Dir, recursive: true);
            GC.SuppressFinalize(this);
        }
    }
}
