using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace PythonImages.Tests.Apps
{
    /// <summary>A temporary app folder, deleted on dispose.</summary>
    internal sealed class AppTestFolder : IDisposable
    {
        public AppTestFolder()
        {
            Root = Path.Combine(Path.GetTempPath(), "h15-app-core-" + Guid.NewGuid().ToString("N")[..10]);
            Directory.CreateDirectory(Root);
        }

        public string Root { get; }

        public string File(string relative, string content = "print('x')\n")
        {
            string path = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllText(path, content);
            return path;
        }

        public string Folder(string relative)
        {
            string path = Path.Combine(Root, relative);
            Directory.CreateDirectory(path);
            return path;
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

    /// <summary>A Dockerfile read the way the builder reads it, enough for assertions: instructions with their arguments.</summary>
    internal static class DockerfileText
    {
        /// <summary>(keyword, arguments) per instruction; comment and blank lines dropped; parser directives reported as "#directive".</summary>
        public static List<(string Keyword, string Arguments)> Instructions(string text)
        {
            var result = new List<(string, string)>();
            bool directives = true;
            foreach (var raw in text.Split('\n'))
            {
                if (directives && raw.StartsWith("# escape=", StringComparison.Ordinal))
                {
                    result.Add(("#directive", raw.Substring(2)));
                    continue;
                }

                directives = false;
                if (raw.Length == 0 || raw.StartsWith('#'))
                {
                    continue;
                }

                int space = raw.IndexOf(' ');
                result.Add((raw.Substring(0, space), raw.Substring(space + 1)));
            }

            return result;
        }

        public static string[] Keywords(string text) => Instructions(text).Select(i => i.Keyword).ToArray();
    }
}
