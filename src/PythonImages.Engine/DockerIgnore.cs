using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace PythonImages.Engine
{
    /// <summary>
    /// .dockerignore with docker's semantics: one pattern a line, '#' comments, surrounding blanks trimmed, each
    /// pattern path-cleaned ('./', '//', '..' and a trailing '/' removed, a leading '/' dropped), '*' and '?' within a
    /// path segment, '**' across segments, '[...]' classes, '\' escapes, '!' re-includes. The last matching pattern
    /// wins, and a pattern that matches a parent directory matches everything below it; during the walk of a context each
    /// path is decided with its folder's results, pattern by pattern, as docker's walk decides it (see IsExcluded).
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

        /// <summary>
        /// The first pattern the docker CLI refuses, with why (a lone '!', a class never closed or with nothing in it, a backwards range, ...), or null: the
        /// build stops on it (<see cref="BuildContext.Scan"/>), as docker build does, instead of sending files the
        /// pattern was meant to keep out.
        /// </summary>
        public string? FirstProblem
        {
            get
            {
                foreach (var p in patterns)
                {
                    // docker: 'illegal exclusion pattern: "!"' ("!/" is cleaned to that too)
                    string? why = p.Exclusion && (p.Cleaned.Length == 0 || p.Cleaned == "/") ? "is a '!' with no pattern after it" : GlobPattern.Problem(p.Cleaned);
                    if (why != null)
                    {
                        return $"The .dockerignore pattern '{PythonImages.Security.InputGrammar.Show(p.ToString())}' {why}";
                    }
                }

                return null;
            }
        }

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

        /// <summary>
        /// True when <paramref name="relativePath"/> ('/'-separated, relative to the context) is excluded, judged on its own:
        /// a pattern applies when it matches the path or one of its parent folders (docker's MatchesOrParentMatches, which
        /// the CLI uses to decide whether the Dockerfile and .dockerignore need an exception).
        /// </summary>
        public bool IsExcluded(string relativePath) => IsExcluded(relativePath, null, out _);

        /// <summary>
        /// Whether <paramref name="relativePath"/> is excluded during a walk of the context, as docker's walk decides it
        /// (MatchesUsingParentResults): <paramref name="parentMatches"/> says, pattern by pattern, whether the pattern
        /// matched the parent folder (null for a path at the top of the context). A pattern that matched the parent
        /// applies to the path whatever came before it; any other pattern is tried on the path itself, and only when it
        /// can change the result so far. So an exception such as "!src" that was skipped at "src" (nothing had excluded
        /// "src" yet) does not bring back "src/.env" that "**/.env" excluded. <paramref name="matches"/> is the
        /// path's own results, for its children.
        /// </summary>
        internal bool IsExcluded(string relativePath, bool[]? parentMatches, out bool[] matches)
        {
            matches = new bool[patterns.Count];
            bool matched = false;
            for (int i = 0; i < patterns.Count; i++)
            {
                var pattern = patterns[i];
                bool match = parentMatches != null && parentMatches[i];
                if (!match)
                {
                    // An inclusion cannot change an already-excluded path, nor an exclusion a path not excluded yet.
                    if (pattern.Exclusion != matched)
                    {
                        continue;
                    }

                    // Without the parent's results, the parent folders are tried here (one pass over the path).
                    match = parentMatches == null ? pattern.MatchesSelfOrParent(relativePath) : pattern.Matches(relativePath);
                }

                matches[i] = match;
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

        private sealed class IgnorePattern
        {
            private readonly GlobPattern glob;

            public IgnorePattern(string pattern)
            {
                Exclusion = pattern.StartsWith("!", StringComparison.Ordinal);
                Cleaned = Exclusion ? pattern.Substring(1) : pattern;
                glob = new GlobPattern(Cleaned);
            }

            public bool Exclusion { get; }

            public string Cleaned { get; }

            public bool MatchesSelfOrParent(string path) => glob.MatchesSelfOrParent(path);

            public bool Matches(string path) => glob.Matches(path);

            public override string ToString() => (Exclusion ? "!" : string.Empty) + Cleaned;
        }
    }
}
