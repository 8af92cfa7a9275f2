using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace PythonImages.Tests.ReleaseFixture
{
    /// <summary>Real .tar.xz files made by the system's tar and xz, as python.org's source tarballs are laid out.</summary>
    public static class ReleaseTarball
    {
        private static readonly ConcurrentDictionary<string, byte[]> Made = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);

        /// <summary>The tarball of <paramref name="version"/>: Python-VERSION/ with a README (made once per process).</summary>
        public static byte[] Of(string version) => Made.GetOrAdd(version, v => Make("Python-" + v, new Dictionary<string, byte[]>
        {
            ["README.rst"] = Encoding.ASCII.GetBytes("This is Python version " + v + "\n"),
        }));

        /// <summary>
        /// A .tar.xz of the folder <paramref name="top"/> holding <paramref name="files"/> (relative paths with '/'), made by
        /// <c>tar -cJf</c> in the given <paramref name="format"/> (gnu, pax, ustar); the archive's first entry is the folder,
        /// unless <paramref name="only"/> names the one path (under <paramref name="top"/>) to archive.
        /// </summary>
        public static byte[] Make(string top, IReadOnlyDictionary<string, byte[]> files, string format = "gnu", string? only = null)
        {
            string dir = Path.Combine(Path.GetTempPath(), "pi-tarball-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                foreach (var (path, content) in files)
                {
                    string file = Path.Combine(dir, top, path.Replace('/', Path.DirectorySeparatorChar));
                    Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                    File.WriteAllBytes(file, content);
                }

                Directory.CreateDirectory(Path.Combine(dir, top));
                string output = Path.Combine(dir, "out.tar.xz");
                var start = new ProcessStartInfo("tar") { RedirectStandardError = true, UseShellExecute = false };
                foreach (string a in new[] { "--format=" + format, "-cJf", output, "-C", dir, only == null ? top : top + "/" + only })
                {
                    start.ArgumentList.Add(a);
                }

                using var tar = Process.Start(start)!;
                string error = tar.StandardError.ReadToEnd();
                tar.WaitForExit();
                if (tar.ExitCode != 0)
                {
                    throw new InvalidOperationException("tar failed: " + error);
                }

                return File.ReadAllBytes(output);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
