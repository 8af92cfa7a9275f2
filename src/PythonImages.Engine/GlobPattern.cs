using System;
using System.Collections.Generic;

namespace PythonImages.Engine
{
    /// <summary>
    /// One .dockerignore pattern, matched without backtracking: '*' (a run of characters other than '/'), '?' (one such
    /// character: a code point, so a surrogate pair is one), '[...]' (a character class, a first '^' negates; '!' is itself
    /// and '\' escapes, as in docker; [:alpha:] and the other ASCII classes of docker's expressions), '**' (any number of
    /// whole segments, or everything at the end), '\' (the next character literally; \d \s \w and their capitals
    /// are classes and \t \n \r \f \v \a control characters, as in docker's expressions; other escaped letters are
    /// refused), '^' (in a pattern docker matches through an expression, the start of the path). A pattern that starts with '**' and is
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

                if (ch == '\\' && EscapeProblem(pattern, i) is string escape)
                {
                    return escape;
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

                if (k < pattern.Length && (pattern[k] == '*' || pattern[k] == '?'))
                {
                    // Docker turns '*' and '?' into classes of their own even inside [...], which breaks the class apart.
                    return (k, null, $"has '{pattern[k]}' inside a character class, which docker does not read as a character of the class (escape it: \\{pattern[k]})");
                }

                // A named class ([:alpha:]) or an escaped one (\d, \s, \w and their capitals) adds its characters and cannot
                // end a range: docker's regular expression reads them so.
                var (group, groupEnd, groupProblem) = GroupAt(pattern, k);
                if (groupProblem != null)
                {
                    return (k, null, groupProblem);
                }

                if (group != null)
                {
                    k = groupEnd;
                    e.Ranges.AddRange(group);
                    if (k + 1 < pattern.Length && pattern[k] == '-' && pattern[k + 1] != ']')
                    {
                        // After a class of characters a '-' starts no range: the expression reads it as itself.
                        e.Ranges.Add(('-', '-'));
                        k++;
                    }

                    continue;
                }

                if (ClassMember(pattern, ref k, out int lo) is string why)
                {
                    return (k, null, why);
                }

                int hi = lo;
                if (k < pattern.Length && pattern[k] == '-')
                {
                    k++;
                    var (endGroup, _, _) = GroupAt(pattern, k);
                    if (endGroup != null)
                    {
                        return (k, null, "has a range that ends at a class of characters");
                    }

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

            bool escaped = k < pattern.Length && pattern[k] == '\\';
            if (escaped)
            {
                k++;
            }

            if (k >= pattern.Length)
            {
                return "has a '[' that is never closed";
            }

            if (escaped && EscapeProblem(pattern, k) is string why)
            {
                return why;
            }

            member = escaped ? Escaped(pattern[k]) : char.IsSurrogatePair(pattern, k) ? char.ConvertToUtf32(pattern, k) : pattern[k];
            k += member > 0xFFFF ? 2 : 1;
            return null;
        }

        // Docker makes each pattern a regular expression (RE2, Go's) after checking it with filepath.Match, so past
        // filepath.Match's reading, a pattern means what the expression means: a '\' before a letter is the expression's
        // escape, not the letter, and [:name:] inside a class is a named class. The ones a file name can need are read as
        // the expression reads them; the others (\b, \pL, \x41, ...) are refused, never read as something else.
        private static readonly string[] NamedClasses = { "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word", "xdigit" };

        /// <summary>The characters of an ASCII named class (RE2's [:name:]), as ranges.</summary>
        private static List<(int From, int To)> NamedClass(string name)
        {
            var r = new List<(int, int)>();
            switch (name)
            {
                case "alnum": r.Add(('0', '9')); r.Add(('A', 'Z')); r.Add(('a', 'z')); break;
                case "alpha": r.Add(('A', 'Z')); r.Add(('a', 'z')); break;
                case "ascii": r.Add((0, 0x7F)); break;
                case "blank": r.Add(('\t', '\t')); r.Add((' ', ' ')); break;
                case "cntrl": r.Add((0, 0x1F)); r.Add((0x7F, 0x7F)); break;
                case "digit": r.Add(('0', '9')); break;
                case "graph": r.Add(('!', '~')); break;
                case "lower": r.Add(('a', 'z')); break;
                case "print": r.Add((' ', '~')); break;
                case "punct": r.Add(('!', '/')); r.Add((':', '@')); r.Add(('[', '`')); r.Add(('{', '~')); break;
                case "space": r.Add(('\t', '\r')); r.Add((' ', ' ')); break;
                case "upper": r.Add(('A', 'Z')); break;
                case "word": r.Add(('0', '9')); r.Add(('A', 'Z')); r.Add(('_', '_')); r.Add(('a', 'z')); break;
                default: r.Add(('0', '9')); r.Add(('A', 'F')); r.Add(('a', 'f')); break; // xdigit
            }

            return r;
        }

        /// <summary>The ranges of code points outside <paramref name="ranges"/> (which are sorted and apart).</summary>
        private static List<(int From, int To)> Complement(List<(int From, int To)> ranges)
        {
            var r = new List<(int, int)>();
            int next = 0;
            foreach (var (from, to) in ranges)
            {
                if (from > next)
                {
                    r.Add((next, from - 1));
                }

                next = to + 1;
            }

            r.Add((next, 0x10FFFF));
            return r;
        }

        /// <summary>
        /// The class of characters that starts at <paramref name="k"/>: a named one ([:alpha:], [:^alpha:]) or an escaped one
        /// (\d \D \s \S \w \W); null when none starts there; or why docker refuses it (a name it does not know).
        /// </summary>
        private static (List<(int From, int To)>? Group, int End, string? Problem) GroupAt(string pattern, int k)
        {
            if (k + 1 < pattern.Length && pattern[k] == '\\' && "dDsSwW".IndexOf(pattern[k + 1]) >= 0)
            {
                char c = pattern[k + 1];
                char lower = char.ToLowerInvariant(c);
                var ranges = lower == 'd' ? NamedClass("digit")
                    : lower == 'w' ? NamedClass("word")
                    : new List<(int From, int To)> { ('\t', '\n'), ('\f', '\r'), (' ', ' ') }; // \s: no \v, unlike [:space:]
                return (char.IsUpper(c) ? Complement(ranges) : ranges, k + 2, null);
            }

            if (k + 1 < pattern.Length && pattern[k] == '[' && pattern[k + 1] == ':')
            {
                int close = pattern.IndexOf(":]", k + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    return (null, k, null); // a '[' of the class, as itself
                }

                string name = pattern.Substring(k + 2, close - k - 2);
                bool negated = name.StartsWith("^", StringComparison.Ordinal);
                string bare = negated ? name.Substring(1) : name;
                if (Array.IndexOf(NamedClasses, bare) < 0)
                {
                    return (null, k, $"has the class [:{name}:], which docker does not know (known: {string.Join(", ", NamedClasses)})");
                }

                var ranges = NamedClass(bare);
                return (negated ? Complement(ranges) : ranges, close + 2, null);
            }

            return (null, k, null);
        }

        /// <summary>
        /// Why docker refuses, or reads as something other than the character, the escape '\' + <paramref name="pattern"/>[<paramref name="at"/>]; null
        /// for an escaped punctuation character (itself), \a \f \t \n \r \v (a control character) and \d \D \s \S \w \W (classes).
        /// </summary>
        private static string? EscapeProblem(string pattern, int at)
        {
            char c = pattern[at];
            if (c < 0x80 && !char.IsLetterOrDigit(c))
            {
                return null;
            }

            if ("afnrtvdDsSwW".IndexOf(c) >= 0)
            {
                return null;
            }

            string escaped = char.IsSurrogatePair(pattern, at) ? pattern.Substring(at, 2) : pattern.Substring(at, 1);
            return $"has '\\{PythonImages.Security.InputGrammar.Show(escaped)}', which docker reads as an escape of its regular expressions, not as the character (write the character without the '\\')";
        }

        /// <summary>The character an accepted escape stands for: a control character for \a \f \n \r \t \v, else itself.</summary>
        private static char Escaped(char c) => c switch
        {
            'a' => '\a',
            'f' => '\f',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\v',
            _ => c,
        };

        private enum Kind
        {
            Literal,
            AnyChar,        // ?: one character other than '/'
            Class,          // [...]
            Star,           // *: any run of characters other than '/'
            Segments,       // ** inside the pattern: nothing, or anything ending with '/'
            Everything,     // ** at the end, or before a literal rest: anything, '/' included
            Start,          // ^: docker's expression reads it as the start of the path (matched there only, by nothing)
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
                        any = (any && !(e.WithinLine && p > 0 && path[p - 1] == '\n')) || at[p];
                        next[p] = any;
                    }

                    return;
                case Kind.Segments:
                    bool seen = false; // a start at or before p - 1 (with no line feed after it, when WithinLine)
                    next[0] = at[0];
                    for (int p = 1; p <= n; p++)
                    {
                        seen = (seen && !(e.WithinLine && p >= 2 && path[p - 2] == '\n')) || at[p - 1];
                        next[p] = at[p] || (seen && path[p - 1] == '/');
                    }

                    return;
                case Kind.Start:
                    Array.Clear(next, 0, n + 1);
                    next[0] = at[0];
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
            bool expression = ReadAsExpression(pattern);
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

                        // Through docker's expression, '**' is '.*': it never crosses a line feed in a name.
                        list.Add(new Element(i + 1 >= pattern.Length || suffix ? Kind.Everything : Kind.Segments) { WithinLine = expression });
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
                else if (ch == '\\' && GroupAt(pattern, i) is (List<(int From, int To)> group, int groupEnd, null))
                {
                    list.Add(new Element(Kind.Class) { Ranges = group });
                    i = groupEnd - 1;
                }
                else if (ch == '\\')
                {
                    list.Add(Element.Char(i + 1 < pattern.Length ? Escaped(pattern[++i]) : '\\'));
                }
                else if (ch == '^' && expression)
                {
                    // Not escaped by docker: in a pattern it matches through an expression, the anchor of the path's start
                    // (matched by nothing there, never past it: '*^a' matches 'a'); in a plain one, the character.
                    if (i > 0)
                    {
                        list.Add(new Element(Kind.Start));
                    }
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
        /// Whether docker matches <paramref name="pattern"/> through a regular expression: it has a '?', '[', ']', '\\', a
        /// '*', or a '**' before its end. Otherwise it compares the path with the pattern as text (whole, or as a prefix
        /// before a final '**', or as a suffix after a first '**').
        /// </summary>
        private static bool ReadAsExpression(string pattern)
        {
            bool leadingStars = pattern.StartsWith("**", StringComparison.Ordinal);
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '?' || c == '[' || c == ']' || c == '\\')
                {
                    return true;
                }

                if (c == '*')
                {
                    if (i + 1 >= pattern.Length || pattern[i + 1] != '*')
                    {
                        return true;
                    }

                    // A '**' at the end after a first '**' (docker's suffix match so far) makes the pattern an expression.
                    if (leadingStars && i > 0 && i + 2 + (i + 2 < pattern.Length && pattern[i + 2] == '/' ? 1 : 0) >= pattern.Length)
                    {
                        return true;
                    }

                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                    }

                    if (i + 1 < pattern.Length && !(leadingStars && i <= 2))
                    {
                        return true;
                    }
                }
            }

            return false;
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

            /// <summary>Whether '**' stays within one line of a name (docker matches the pattern through an expression).</summary>
            public bool WithinLine { get; set; }

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
