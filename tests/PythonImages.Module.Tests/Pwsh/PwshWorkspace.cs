using System;
using System.IO;
using System.Linq;
using PythonImages.Tests.Hosting;

namespace PythonImages.Tests.PwshSuite
{
    /// <summary>
    /// A temporary folder for a pwsh process; with <c>withModule</c> it also holds a copy of the built module (manifest,
    /// bin/, en-US/), so that commands written for the repository root, such as `Import-Module ./PythonImages.psd1`, run
    /// verbatim without writing anything into the repository.
    /// </summary>
    internal sealed class PwshWorkspace : IDisposable
    {
        public PwshWorkspace(string name, bool withModule = false)
        {
            Root = Directory.CreateTempSubdirectory("pi-h11-" + name + "-").FullName;
            if (withModule)
            {
                CopyModule(Root);
            }
        }

        /// <summary>Copies the built module (PythonImages.psd1, bin/, en-US/) into <paramref name="destination"/>.</summary>
        public static void CopyModule(string destination)
        {
            Directory.CreateDirectory(destination);
            File.Copy(ModuleSession.ManifestPath, Path.Combine(destination, "PythonImages.psd1"));
            Copy(Path.Combine(ModuleSession.RepoRoot, "bin"), Path.Combine(destination, "bin"));
            Copy(Path.Combine(ModuleSession.RepoRoot, "en-US"), Path.Combine(destination, "en-US"));
        }

        public string Root { get; }

        public string this[string relative] => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

        /// <summary>Every file below the root, relative, with '/' separators, sorted (the module copy left out).</summary>
        public string[] Files() => Directory.GetFiles(Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => f != "PythonImages.psd1" && !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("en-US/", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();

        private static void Copy(string from, string to)
        {
            foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories).Prepend(from))
            {
                Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
            }

            foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            {
                File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
            }
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, true);
            }
            catch (IOException)
            {
                // A process killed on a test failure may still hold a file for a moment; the folder is under the temp directory.
            }
        }
    }
}
