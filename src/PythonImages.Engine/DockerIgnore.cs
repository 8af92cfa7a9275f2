using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace PythonImages.Engine
{
    /// <summary>
    /// .dockerignore with docker's semantics: one pattern a line, '#' comments, surrounding blanks trimmed, each
    /// pattern path-cleaned ('./', '//', '..' and a trailing '/' removed, a leading '/' dropped), '*' and '?' within a
    /// path segment, '**' across segments, '[...]' classes, '\' escapes, '!' re-includes. The last matching pattern
    /// wins, and a pattern that matches a parent directory matches everything below it.
    /// </summary>
    public sealed class DockerIgnore
    {
        private readonly List<IgnorePattern> patterns;

        /// <summary>The rules of a .dockerignore's patterns.</summary>
        public DockerIgnore(IEnumerable<string> rawPatterns)
        {
            patterns = rawPatterns.Select(p => new IgnorePattern(p)).ToList();
        }

        /// <summary>The patterns, cleaned as Docker cleans them.</summary>
        public IReadOnlyList<string> Patterns => patterns.Select(p => p.ToString()).ToArray();

        /// <summary>Whether any pattern is an exclusion (!pattern).</summary>
        public bool HasExclusions => patterns.Any(p => p.Exclusion);

        /// <summary>Reads a .dockerignore file's lines into cleaned patterns.</summary>
        public static DockerIgnore Parse(string text) => new DockerIgnore(ReadPatterns(text));

        /// <summary>The patterns of a .dockerignore text (comments and blank lines dropped).</summary>
        public static IReadOnlyList<string> ReadPatterns(string text)
        {
            var result = new List<string>();
            if (text.Length > 0 && text[0] == '\uFEFF')
            {
                text = text.Substring(1);
            }

            foreach (var raw in text.Split('\n'))
            {
                string line = raw;
                if (line.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                line = line.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                bool invert = line[0] == '!';
                if (invert)
                {
                    line = line.Substring(1).Trim();
                }

                if (line.Length > 0)
                {
                    // filepath.Clean + ToSlash: on Windows a '\\' is a separator, elsewhere an escape.
                    line = SlashPath.Clean(Path.DirectorySeparatorChar == '\\' ? line.Replace('\\', '/') : line);
                    if (line.Length > 1 && line[0] == '/')
                    {
                        line = line.Substring(1);
                    }
                }

                result.Add(invert ? "!" + line : line);
            }

            return result;
        }

        /// <summary>True when <paramref name="relativePath"/> ('/'-separated, relative to the context) is excluded.</summary>
        public bool IsExcluded(string relativePath)
        {
            bool matched = false;
            string parent = ParentOf(relativePath);
            string[] parentDirs = parent == "." ? Array.Empty<string>() : parent.Split('/');
            foreach (var pattern in patterns)
            {
                // An inclusion cannot change an already-excluded path, nor an exclusion a path not excluded yet.
                if (pattern.Exclusion != matched)
                {
                    continue;
                }

                bool match = pattern.Matches(relativePath);
                if (!match)
                {
                    for (int i = 0; i < parentDirs.Length && !match; i++)
                    {
                        match = pattern.Matches(string.Join("/", parentDirs, 0, i + 1));
                    }
                }

                if (match)
                {
                    matched = !pattern.Exclusion;
                }
            }

            return matched;
        }

        /// <summary>
        /// Whether an excluded directory must still be walked: docker only descends when some '!' pattern starts
        /// with the directory's path (literally, wildcards not expanded).
        /// </summary>
        public bool MustWalkExcludedDirectory(string relativeDir)
        {
            string prefix = relativeDir + "/";
            return patterns.Any(p => p.Exclusion && (p.Cleaned + "/").StartsWith(prefix, StringComparison.Ordinal));
        }

        private static string ParentOf(string path)
        {
            int i = path.LastIndexOf('/');
            return i < 0 ? "." : path.Substring(0, i);
        }

        private sealed class IgnorePattern
        {
            private readonly Regex regex;

            public IgnorePattern(string pattern)
            {
                Exclusion = pattern.StartsWith("!", StringComparison.Ordinal);
                Cleaned = Exclusion ? pattern.Substring(1) : pattern;
                regex = new Regex(ToRegex(Cleaned), RegexOptions.CultureInvariant | RegexOptions.Singleline);
            }

            public bool Exclusion { get; }

            public string Cleaned { get; }

            public bool Matches(string path) => regex.IsMatch(path);

            public override string ToString() => (Exclusion ? "!" : string.Empty) + Cleaned;

            private static string ToRegex(string pattern)
            {
                var sb = new StringBuilder("^");
                for (int i = 0; i < pattern.Length; i++)
                {
                    char ch = pattern[i];
                    if (ch == '*')
                    {
                        if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                        {
                            i++;
                            if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                            {
                                i++; // "**/" is "**"
                            }

                            // "**" at the end matches everything; elsewhere any number of whole segments (or none).
                            sb.Append(i + 1 >= pattern.Length ? ".*" : "(.*/)?");
                        }
                        else
                        {
                            sb.Append("[^/]*");
                        }
                    }
                    else if (ch == '?')
                    {
                        sb.Append("[^/]");
                    }
                    else if (ch == '\\')
                    {
                        if (i + 1 < pattern.Length)
                        {
                            sb.Append(Regex.Escape(pattern[++i].ToString()));
                        }
                        else
                        {
                            sb.Append(@"\\");
                        }
                    }
                    else if (ch == '[')
                    {
                        // A character class as in filepath.Match; '^' or '!' negates.
                        int end = pattern.IndexOf(']', i + 1);
                        if (end < 0)
                        {
                            sb.Append(@"\[");
                            continue;
                        }

                        string body = pattern.Substring(i + 1, end - i - 1);
                        if (body.StartsWith("!", StringComparison.Ordinal))
                        {
                            body = "^" + body.Substring(1);
                        }

                        sb.Append('[').Append(body.Replace(@"\", @"\\").Replace("[", @"\[")).Append(']');
                        i = end;
                    }
                    else
                    {
                        sb.Append(Regex.Escape(ch.ToString()));
                    }
                }

                sb.Append('$');
                return sb.ToString();
            }
        }
    }
}
