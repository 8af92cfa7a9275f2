using System;
using System.Collections.Generic;

namespace PythonImages.Engine
{
    /// <summary>
    /// One .dockerignore pattern, matched without backtracking: '*' (a run of characters other than '/'), '?' (one such
    /// character: a code point, so a surrogate pair is one), '[...]' (a character class, a first '^' negates; '!' is itself
    /// and '\' escapes, as in docker), '**' (any number of whole segments, or everything at the end), '\' (the next
    /// character literally). A pattern that starts with '**' and is
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
        /// Why the docker CLI refuses <paramref name="pattern"/>, or null when it accepts it: what filepath.Match calls a
        /// syntax error (a '[' never closed, a class with nothing in it, a '-' where a class needs a character, a lone '\'
        /// at the end) and a range written backwards, which docker's regular expression refuses. Such a pattern would
        /// otherwise match nothing, or something else, so a file meant to stay out of the context could be sent.
        /// </summary>
        public static string? Problem(string pattern)
        {
            for (int i = 0; i < pattern.Length; i++)
            {
                char ch = pattern[i];
                if (ch == '\\' && ++i == pattern.Length)
                {
                    return "ends with a lone '\\'";
                }

                if (ch == '[')
                {
                    var (end, _, why) = ReadClass(pattern, i);
                    if (why != null)
                    {
                        return why;
                    }

                    i = end;
                }
            }

            return null;
        }

        /// <summary>
        /// The character class that opens at <paramref name="open"/> ('['), read as filepath.Match reads it: a first '^'
        /// negates, '\' takes the next character as itself, 'a-z' is a range, and a ']' ends the class once it holds
        /// something. Gives the index of its ']' and the class, or why docker refuses it.
        /// </summary>
        private static (int End, Element? Class, string? Problem) ReadClass(string pattern, int open)
        {
            var e = new Element(Kind.Class) { Ranges = new List<(int, int)>() };
            int k = open + 1;
            if (k < pattern.Length && pattern[k] == '^')
            {
                e.Negated = true;
                k++;
            }

            while (true)
            {
                if (k < pattern.Length && pattern[k] == ']')
                {
                    return e.Ranges.Count == 0 ? (k, null, "has a character class with nothing in it") : (k, e, null);
                }

                if (ClassMember(pattern, ref k, out int lo) is string why)
                {
                    return (k, null, why);
                }

                int hi = lo;
                if (k < pattern.Length && pattern[k] == '-')
                {
                    k++;
                    if (ClassMember(pattern, ref k, out hi) is string whyHi)
                    {
                        return (k, null, whyHi);
                    }
                }

                if (lo > hi)
                {
                    return (k, null, $"has the range {char.ConvertFromUtf32(lo)}-{char.ConvertFromUtf32(hi)}, written backwards");
                }

                e.Ranges.Add((lo, hi));
            }
        }

        /// <summary>One character of a class at <paramref name="k"/> (escaped or not, a whole code point), or why there is none.</summary>
        private static string? ClassMember(string pattern, ref int k, out int member)
        {
            member = 0;
            if (k < pattern.Length && (pattern[k] == '-' || pattern[k] == ']'))
            {
                return "has a '-' in a character class where a character belongs";
            }

            if (k < pattern.Length && pattern[k] == '\\')
            {
                k++;
            }

            if (k >= pattern.Length)
            {
                return "has a '[' that is never closed";
            }

            member = char.IsSurrogatePair(pattern, k) ? char.ConvertToUtf32(pattern, k) : pattern[k];
            k += member > 0xFFFF ? 2 : 1;
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
                case Kind.Literal:
                    next[0] = false;
                    for (int p = 1; p <= n; p++)
                    {
                        next[p] = at[p - 1] && path[p - 1] == e.Literal;
                    }

                    return;
                default:
                    // '?' and a class take one character, as docker's matcher reads it: a whole code point, so a
                    // surrogate pair is one character and is never split.
                    next[0] = false;
                    for (int p = 1; p <= n; p++)
                    {
                        bool pair = p >= 2 && char.IsSurrogatePair(path[p - 2], path[p - 1]);
                        bool half = !pair && p < n && char.IsSurrogatePair(path[p - 1], path[p]);
                        next[p] = !half && (pair ? at[p - 2] && e.Accepts(char.ConvertToUtf32(path[p - 2], path[p - 1])) : at[p - 1] && e.Accepts(path[p - 1]));
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
                else if (ch == '[' && ReadClass(pattern, i) is (int end, Element cls, null))
                {
                    list.Add(cls);
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
            public Element(Kind kind) => Kind = kind;

            public Kind Kind { get; }

            /// <summary>The character of a literal.</summary>
            public char Literal { get; private set; }

            /// <summary>Whether a class matches what is outside its ranges.</summary>
            public bool Negated { get; set; }

            /// <summary>A class's ranges of code points (a single character is a range of one).</summary>
            public List<(int From, int To)>? Ranges { get; set; }

            public static Element Char(char c) => new Element(Kind.Literal) { Literal = c };

            /// <summary>Whether '?' or a class takes the code point <paramref name="c"/>.</summary>
            public bool Accepts(int c)
            {
                if (Kind == Kind.AnyChar)
                {
                    return c != '/';
                }

                bool inside = false;
                foreach (var (from, to) in Ranges!)
                {
                    inside |= c >= from && c <= to;
                }

                return inside != Negated;
            }
        }
    }
}
