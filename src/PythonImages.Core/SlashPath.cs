using System;
using System.Collections.Generic;

namespace PythonImages
{
    /// <summary>The module's one lexical clean-up of '/'-separated paths (manifest directories, .dockerignore patterns).</summary>
    public static class SlashPath
    {
        /// <summary>
        /// Go's path.Clean: empty and "." segments dropped, ".." resolved lexically (kept at the start of a relative path,
        /// dropped at the root), no trailing '/'; "" becomes ".". Only '/' is a separator.
        /// </summary>
        public static string Clean(string path)
        {
            if (path.Length == 0)
            {
                return ".";
            }

            bool rooted = path[0] == '/';
            var parts = new List<string>();
            foreach (var segment in path.Split('/'))
            {
                if (segment.Length == 0 || segment == ".")
                {
                    continue;
                }

                if (segment != "..")
                {
                    parts.Add(segment);
                }
                else if (parts.Count > 0 && parts[parts.Count - 1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    parts.Add("..");
                }
            }

            string joined = string.Join("/", parts);
            return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
        }
    }
}
