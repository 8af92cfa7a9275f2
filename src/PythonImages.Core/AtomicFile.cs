using System;
using System.IO;
using System.Text;

namespace PythonImages
{
    /// <summary>Whole-file writes that readers and interrupted runs see either old or new, never half written.</summary>
    public static class AtomicFile
    {
        private static readonly Encoding Utf8NoBom = new UTF8Encoding(false);

        /// <summary>Writes text as UTF-8 without BOM to a temporary file in the same directory, then renames it over
        /// <paramref name="path"/>; the temporary file never outlives a failure.</summary>
        public static void WriteAllText(string path, string text)
        {
            string full = Path.GetFullPath(path);
            string directory = Path.GetDirectoryName(full) ?? ".";
            string temp = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                File.WriteAllText(temp, text, Utf8NoBom);
                if (File.Exists(full))
                {
                    File.Replace(temp, full, null);
                }
                else
                {
                    File.Move(temp, full);
                }
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }
    }
}
