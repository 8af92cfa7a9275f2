using System;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace PythonImages.Engine.Tests
{
    /// <summary>
    /// A .dockerignore comes with the build context, so its patterns are hostile: they are matched without backtracking
    /// (time proportional to pattern times path), parents in the same pass, and a malformed class is no exception.
    /// </summary>
    public sealed class DockerIgnoreBoundsTests
    {
        /// <summary>Runs on another thread and fails (instead of hanging the test run) if that takes more than 20 s.</summary>
        private static bool Within20Seconds(Func<bool> match)
        {
            var task = Task.Run(match);
            Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "matching took more than 20 s");
            return task.Result;
        }

        [Fact]
        public void ManyStarsAgainstALongNameDoNotBacktrack()
        {
            // A regular expression made from '*a*a*a*a*b' took 0.7 s on 100 'a's; 12 stars on 250 would take years.
            string stars = string.Concat(Enumerable.Repeat("*a", 12));
            string name = new string('a', 250);
            Assert.False(Within20Seconds(() => DockerIgnore.Parse(stars + "*b").IsExcluded(name)));
            Assert.True(Within20Seconds(() => DockerIgnore.Parse(stars).IsExcluded(name)));
            Assert.True(Within20Seconds(() => DockerIgnore.Parse(stars + "*b").IsExcluded(name + "b")));
            string deep = string.Join("/", Enumerable.Repeat("a", 2000));
            Assert.False(Within20Seconds(() => DockerIgnore.Parse(string.Concat(Enumerable.Repeat("**/", 40)) + "b").IsExcluded(deep)));
            Assert.True(Within20Seconds(() => DockerIgnore.Parse(string.Concat(Enumerable.Repeat("**/", 40)) + "a").IsExcluded(deep + "/x")));
        }

        [Fact]
        public void TheParentsOfADeepPathAreCheckedInOnePass()
        {
            // Each parent folder of a path 2,000 levels deep was joined again for each pattern (about 8 MB per pattern).
            string deep = string.Join("/", Enumerable.Repeat("a", 2000)) + "/file";
            var ignore = DockerIgnore.Parse(string.Join("\n", Enumerable.Range(0, 50).Select(i => "x" + i)) + "\na/a/a\n");
            bool excluded = false;
            long before = GC.GetAllocatedBytesForCurrentThread();
            excluded = ignore.IsExcluded(deep);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(excluded); // through its parent a/a/a
            Assert.False(ignore.IsExcluded("b/" + deep));
            Assert.True(allocated < 20_000_000, $"{allocated} bytes allocated for one path");
        }

        [Theory]
        [InlineData("[z-a]x", "zx")]
        [InlineData("[]x", "]x")]
        [InlineData("a[]", "a]")]
        public void AMalformedCharacterClassMatchesNothingInsteadOfThrowing(string pattern, string path)
        {
            var ignore = DockerIgnore.Parse(pattern + "\n");
            Assert.False(ignore.IsExcluded(path));
            Assert.False(ignore.IsExcluded("x"));
        }

        /// <summary>
        /// Docker's expression reads an unescaped '^' as the start of the path, not as "never": after elements that match
        /// nothing ('*', '**/') it is still at the start. A '**' at the end of a pattern that starts with '**' makes docker
        /// match through its expression too, where '.*' stops at a line feed.
        /// </summary>
        [Theory]
        [InlineData("*^a?", "ab", true)] // ^[^/]*^a[^/]$
        [InlineData("*^a?", "xab", false)]
        [InlineData("**/^a?", "ab", true)] // ^(.*/)?^a[^/]$
        [InlineData("**/^a?", "x/ab", false)]
        [InlineData("**/dir/**", "dir/x", true)] // ^(.*/)?dir/.*$
        [InlineData("**/dir/**", "dir/new\nline", false)]
        [InlineData("**/^dir/**", "dir/x", true)]
        public void AnAnchorAndATrailingDoubleStarReadAsDockersExpressionReadsThem(string pattern, string path, bool excluded)
        {
            var ignore = DockerIgnore.Parse(pattern + "\n");
            Assert.Null(ignore.FirstProblem);
            Assert.Equal(excluded, ignore.IsExcluded(path));
        }

        /// <summary>The translation to a .NET regular expression this matcher replaced: the oracle for well-formed patterns.</summary>
        private static Regex Oracle(string pattern)
        {
            // Docker compares a pattern without '?', '[', ']', '\\' or a lone '*' (and with '**' only first or last) as
            // text; any other through its expression, where an unescaped '^' is the anchor of the path's start.
            bool expression = pattern.IndexOfAny(new[] { '?', '[', ']', '\\' }) >= 0;
            for (int i = 0; i < pattern.Length && !expression; i++)
            {
                if (pattern[i] != '*')
                {
                    continue;
                }

                bool pair = i + 1 < pattern.Length && pattern[i + 1] == '*';
                int after = i + (pair ? 2 : 1) + (pair && i + 2 < pattern.Length && pattern[i + 2] == '/' ? 1 : 0);
                expression = !pair || (i != 0 && (after < pattern.Length || pattern.StartsWith("**", StringComparison.Ordinal)));
                i = after - 1;
            }

            var sb = new StringBuilder("^");
            for (int i = 0; i < pattern.Length; i++)
            {
                char ch = pattern[i];
                if (ch == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    i++;
                    bool slash = i + 1 < pattern.Length && pattern[i + 1] == '/';
                    i += slash ? 1 : 0;

                    // Docker: a leading "**" before a literal rest (no '/' first) is a suffix match.
                    bool suffix = sb.Length == 1 && !slash && pattern.IndexOfAny(new[] { '*', '?', '\\', '[', ']' }, i + 1) < 0;
                    sb.Append(i + 1 >= pattern.Length || suffix ? ".*" : "(.*/)?");
                }
                else if (ch == '[')
                {
                    // A well-formed class, as docker reads it: '\' takes the next character as itself, even a ']'.
                    int j = i + 1;
                    sb.Append('[');
                    if (pattern[j] == '^')
                    {
                        sb.Append('^');
                        j++;
                    }

                    for (; pattern[j] != ']'; j++)
                    {
                        bool escaped = pattern[j] == '\\';
                        j += escaped ? 1 : 0;
                        // An escaped letter is the expression's escape (\a the bell), as docker reads it.
                        sb.Append(pattern[j] == '-' && !escaped ? "-" : escaped && char.IsAsciiLetter(pattern[j]) ? "\\" + pattern[j] : $"\\u{(int)pattern[j]:X4}");
                    }

                    i = j;
                    sb.Append(']');
                }
                else
                {
                    sb.Append(ch switch
                    {
                        '*' => "[^/]*",
                        '?' => "[^/]",
                        '^' when expression => "^",
                        // An escaped letter is the expression's escape (\a the bell; \b and the others are refused, so skipped).
                        '\\' => i + 1 < pattern.Length ? (char.IsAsciiLetter(pattern[i + 1]) ? "\\" + pattern[++i] : Regex.Escape(pattern[++i].ToString())) : @"\\",
                        _ => Regex.Escape(ch.ToString()),
                    });
                }
            }

            return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
        }

        [Fact]
        public void MatchesWhatARegularExpressionOfThePatternMatches()
        {
            var random = new Random(8);
            const string patternChars = "ab/*?[]!^-\\.";
            const string pathChars = "ab/.-*[]^!\\";
            int compared = 0, matched = 0;
            for (int t = 0; t < 20000; t++)
            {
                string raw = new string(Enumerable.Range(0, random.Next(1, 9)).Select(_ => patternChars[random.Next(patternChars.Length)]).ToArray());
                var ignore = DockerIgnore.Parse(raw);
                if (ignore.Patterns.Count != 1 || ignore.Patterns[0].StartsWith('!')
                    || ignore.FirstProblem != null)
                {
                    continue; // exclusions, and patterns docker refuses (an empty class, a '[' never closed, ...)
                }

                Regex oracle;
                try
                {
                    oracle = Oracle(ignore.Patterns[0]);
                }
                catch (ArgumentException)
                {
                    continue; // a class the regular expression refuses (a range written backwards)
                }

                for (int u = 0; u < 5; u++)
                {
                    string path = new string(Enumerable.Range(0, random.Next(1, 8)).Select(_ => pathChars[random.Next(pathChars.Length)]).ToArray());
                    bool expected = oracle.IsMatch(path)
                        || Enumerable.Range(0, path.Length).Any(i => path[i] == '/' && oracle.IsMatch(path.AsSpan(0, i)));
                    Assert.True(expected == ignore.IsExcluded(path), $"pattern '{ignore.Patterns[0]}', path '{path}': expected {expected}");
                    compared++;
                    matched += expected ? 1 : 0;
                }
            }

            Assert.True(compared > 50000 && matched > 1000, $"{compared} paths compared, {matched} matched");
        }
    }
}
