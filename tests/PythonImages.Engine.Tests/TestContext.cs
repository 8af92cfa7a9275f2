using System;
using System.Collections.Generic;
using System.IO;

namespace PythonImages.Engine.Tests
{
    /// <summary>A temporary build context folder, deleted on dispose.</summary>
    internal sealed class TempContext : IDisposable
    {
        public TempContext()
        {
            Root = Path.Combine(Path.GetTempPath(), "pitest5-ctx-" + Guid.NewGuid().ToString("N")[..10]);
            Directory.CreateDirectory(Root);
        }

        public string Root { get; }

        public string Write(string relative, string content = "x")
        {
            string path = Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
            return path;
        }

        /// <summary>
        /// Debian's static busybox, so FROM scratch images can run something. The context's folder name is appended to the
        /// binary (the loader ignores bytes past its segments), so that its "COPY busybox" build cache is this context's own:
        /// tests run in parallel against one engine, and with a cache entry shared between two tests one test's clean-up
        /// (rmi -f) could remove the intermediate image the other's build was about to use ("unable to find image").
        /// </summary>
        /// <returns>The copy's path.</returns>
        public string AddBusybox(string name = "busybox")
        {
            string copy = Path.Combine(Root, name);
            File.Copy("/bin/busybox", copy);
            File.AppendAllText(copy, "\n" + Path.GetFileName(Root) + "\n");
            return copy;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Unique names for test images so parallel helpers and test classes never collide.</summary>
    internal static class Names
    {
        public static string Image(string what) => "pitest5-" + what + "-" + Guid.NewGuid().ToString("N")[..8];
    }
}
