using System;
using System.Collections.Generic;

namespace PythonImages.Engine
{
    /// <summary>
    /// One .dockerignore pattern, matched without backtracking: '*' (a run of characters other than '/'), '?' (one such
    /// character), '[...]' (a character class, a first '^' negates; '!' is itself, as in docker), '**' (any number of whole
    /// segments, or everything at the end), '\' (the next character literally). A pattern that starts with '**' and is
    /// otherwise literal ('**.pyc') matches every path ending with the rest, as docker matches it. A path is read once per pattern element (time proportional to the
    /// pattern's length times the path's), and the same pass tells whether any parent folder of the path matches.
    /// A regular expression made from such a pattern backtracked: '*a*a*a*a*b' took seconds on one 100-character name,
    /// and grew exponentially with the stars.
    /// </summary>
    internal sealed class GlobPattern
    {
        private readonly Element[] elements;

        public GlobPattern(string pattern) => elements = Read(pattern);

        /// <summary>
        /// Why the docker CLI refuses <paramref name="pattern"/> (a character class with nothing in it, or a range written
        /// backwards), or null when it accepts it. Such a pattern would otherwise match nothing, so a file meant to stay
        /// out of the context would be sent.
        /// </summary>
        public static string? Problem(string pattern)
        {
            for (int i = 0; i < pattern.Length; i++)
            {
                char ch = pattern[i];
                if (ch == '\\')
                {
                    i++;
                }
                else if (ch == '[' && pattern.IndexOf(']', i + 1) is int end && end > i)
                {
                    string body = pattern.Substring(i + 1, end - i - 1);
                    int first = body.Length > 0 && body[0] == '^' ? 1 : 0;
                    if (body.Length == first)
                    {
                        return "has a character class with nothing in it";
                    }

                    for (int k = first; k < body.Length; k++)
                    {
                        if (k + 2 < body.Length && body[k + 1] == '-')
                        {
                            if (body[k] > body[k + 2])
                            {
                                return $"has the range {body[k]}-{body[k + 2]}, written backwards";
                            }

                            k += 2;
                        }
                    }

                    i = end;
                }
            }

            return null;
        }

        private enum Kind
        {
            Literal,
            AnyChar,        // ?: one character other than '/'
            Class,          // [...]
            Star,           // *: any run of characters other than '/'
            Segments,       // ** inside the pattern: nothing, or anything ending with '/'
            Everything,     // ** at the end, or before a literal rest: anything, '/' included
        }

        /// <summary>Whether the whole path matches.</summary>
        public bool Matches(string path) => Run(path)[path.Length];

        /// <summary>Whether the path, or one of its parent folders (the part before one of its '/'), matches.</summary>
        public bool MatchesSelfOrParent(string path)
        {
            bool[] end = Run(path);
            if (end[path.Length])
            {
                return true;
            }

            for (int i = 0; i < path.Length; i++)
            {
                if (path[i] == '/' && end[i])
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>For each position p, whether the pattern matches the path's first p characters (one pass per element).</summary>
        private bool[] Run(string path)
        {
            int n = path.Length;
            var at = new bool[n + 1];
            var next = new bool[n + 1];
            at[0] = true;
            foreach (var e in elements)
            {
                Step(e, path, at, next);
                var swap = at;
                at = next;
                next = swap;
            }

            return at;
        }

        private static void Step(Element e, string path, bool[] at, bool[] next)
        {
            int n = path.Length;
            switch (e.Kind)
            {
                case Kind.Star:
                    next[0] = at[0];
                    for (int p = 1; p <= n; p++)
                    {
                        next[p] = at[p] || (next[p - 1] && path[p - 1] != '/');
                    }

                    return;
                case Kind.Everything:
                    bool any = false;
                    for (int p = 0; p <= n; p++)
                    {
                        any |= at[p];
                        next[p] = any;
                    }

                    return;
                case Kind.Segments:
                    bool seen = false; // a start at or before p - 1
                    next[0] = at[0];
                    for (int p = 1; p <= n; p++)
                    {
                        seen |= at[p - 1];
                        next[p] = at[p] || (seen && path[p - 1] == '/');
                    }

                    return;
                default:
                    next[0] = false;
                    for (int p = 1; p <= n; p++)
                    {
                        next[p] = at[p - 1] && e.Accepts(path[p - 1]);
                    }

                    return;
            }
        }

        /// <summary>The pattern's elements, read as the docker CLI reads a pattern (filepath.Match plus '**').</summary>
        private static Element[] Read(string pattern)
        {
            var list = new List<Element>();
            for (int i = 0; i < pattern.Length; i++)
            {
                char ch = pattern[i];
                if (ch == '*')
                {
                    if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        i++;
                        bool slash = i + 1 < pattern.Length && pattern[i + 1] == '/';
                        if (slash)
                        {
                            i++; // "**/" is "**"
                        }

                        // A leading "**" before a literal rest with no '/' first is a suffix match: anything, then the rest.
                        bool suffix = list.Count == 0 && !slash && IsLiteral(pattern, i + 1);
                        list.Add(new Element(i + 1 >= pattern.Length || suffix ? Kind.Everything : Kind.Segments));
                    }
                    else
                    {
                        list.Add(new Element(Kind.Star));
                    }
                }
                else if (ch == '?')
                {
                    list.Add(new Element(Kind.AnyChar));
                }
                else if (ch == '\\')
                {
                    list.Add(Element.Char(i + 1 < pattern.Length ? pattern[++i] : '\\'));
                }
                else if (ch == '[' && pattern.IndexOf(']', i + 1) is int end && end > i)
                {
                    list.Add(Element.ClassOf(pattern.Substring(i + 1, end - i - 1)));
                    i = end;
                }
                else
                {
                    list.Add(Element.Char(ch));
                }
            }

            return list.ToArray();
        }

        /// <summary>
        /// Whether <paramref name="pattern"/> from <paramref name="start"/> on has no wildcard, class or escape. Docker
        /// matches a pattern that is '**' followed by such a rest as a plain suffix ("**.pyc": any path ending with ".pyc",
        /// in any folder), not as whole segments.
        /// </summary>
        private static bool IsLiteral(string pattern, int start) => pattern.IndexOfAny(Special, start) < 0;

        private static readonly char[] Special = { '*', '?', '\\', '[', ']' };

        private sealed class Element
        {
            private char literal;
            private bool negated;
            private List<(char From, char To)>? ranges;

            public Element(Kind kind) => Kind = kind;

            public Kind Kind { get; }

            public static Element Char(char c) => new Element(Kind.Literal) { literal = c };

            /// <summary>
            /// A class body: a first '^' negates ('!' is itself, as in docker's matcher); 'a-z' is a range (a '-' first or last is itself); every other
            /// character, '\' included, is itself. An empty class, or a range written backwards, matches nothing.
            /// </summary>
            public static Element ClassOf(string body)
            {
                var e = new Element(Kind.Class) { ranges = new List<(char, char)>() };
                int i = 0;
                if (body.Length > 0 && body[0] == '^')
                {
                    e.negated = true;
                    i = 1;
                }

                while (i < body.Length)
                {
                    if (i + 2 < body.Length && body[i + 1] == '-')
                    {
                        e.ranges.Add((body[i], body[i + 2]));
                        i += 3;
                    }
                    else
                    {
                        e.ranges.Add((body[i], body[i]));
                        i++;
                    }
                }

                return e;
            }

            public bool Accepts(char c)
            {
                switch (Kind)
                {
                    case Kind.Literal:
                        return c == literal;
                    case Kind.AnyChar:
                        return c != '/';
                    default:
                        bool inside = false;
                        foreach (var (from, to) in ranges!)
                        {
                            inside |= c >= from && c <= to;
                        }

                        return inside != negated;
                }
            }
        }
    }
}
