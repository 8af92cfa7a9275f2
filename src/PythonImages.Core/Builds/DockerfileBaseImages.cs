using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using PythonImages.Security;

namespace PythonImages.Builds
{
    /// <summary>
    /// The base images a Dockerfile builds FROM, and the registries they come from: what a build may have to pull, so that
    /// only those registries' logins go to the engine. Reads FROM lines (with --platform flags and AS names, line
    /// continuations, comments, the escape directive) and substitutes the global ARGs before the first FROM ($NAME,
    /// ${NAME}, ${NAME:-word}, ${NAME:+word}) from their defaults and the build arguments. Stage names and scratch are no
    /// base images; a reference that stays unreadable is left out (the engine reports it).
    /// </summary>
    public static class DockerfileBaseImages
    {
        /// <summary>The registry name of Docker Hub (a reference without a registry host).</summary>
        public const string DockerHub = "docker.io";

        private static readonly char[] Blanks = { ' ', '\t' };

        /// <summary>The base images of <paramref name="dockerfile"/> (its text), in order, without duplicates.</summary>
        public static IReadOnlyList<ImageReference> Of(string dockerfile, IDictionary<string, string>? buildArgs = null)
        {
            var args = new Dictionary<string, string>(StringComparer.Ordinal);
            var stages = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var images = new List<ImageReference>();
            var seen = new HashSet<ImageReference>(); // a Dockerfile of 20,000 FROM lines searched the list for each (2 s)
            bool seenFrom = false;
            foreach (var instruction in Instructions(dockerfile ?? string.Empty))
            {
                var words = instruction.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length < 2)
                {
                    continue;
                }

                if (!seenFrom && string.Equals(words[0], "ARG", StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var word in words.Skip(1))
                    {
                        GlobalArg(word, args, buildArgs);
                    }
                }
                else if (string.Equals(words[0], "FROM", StringComparison.OrdinalIgnoreCase))
                {
                    seenFrom = true;
                    var rest = words.Skip(1).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
                    if (rest.Count == 0)
                    {
                        continue;
                    }

                    string name = Substitute(rest[0], args);
                    if (!stages.Contains(name) && !string.Equals(name, "scratch", StringComparison.OrdinalIgnoreCase)
                        && ImageReference.TryParse(name, out var reference) && seen.Add(reference!))
                    {
                        images.Add(reference!);
                    }

                    if (rest.Count >= 3 && string.Equals(rest[1], "AS", StringComparison.OrdinalIgnoreCase))
                    {
                        stages.Add(rest[2]);
                    }
                }
            }

            return images;
        }

        /// <summary>The registries (host[:port], <see cref="DockerHub"/> for Docker Hub) of <paramref name="dockerfile"/>'s base images, in order.</summary>
        public static IReadOnlyList<string> Registries(string dockerfile, IDictionary<string, string>? buildArgs = null) =>
            Of(dockerfile, buildArgs).Select(RegistryOf).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        /// <summary>The registry of <paramref name="image"/>: its host[:port], or <see cref="DockerHub"/> (docker.io, index.docker.io and registry-1.docker.io alike).</summary>
        public static string RegistryOf(ImageReference image) => Normalize(image.Registry);

        /// <summary>A registry name as <see cref="Registries"/> gives it: Docker Hub's aliases (and none) are <see cref="DockerHub"/>, hosts in lowercase.</summary>
        public static string Normalize(string? registry)
        {
            if (string.IsNullOrEmpty(registry))
            {
                return DockerHub;
            }

            string host = registry!.ToLowerInvariant();
            return host == "index.docker.io" || host == "registry-1.docker.io" ? DockerHub : host;
        }

        /// <summary>The instructions of a Dockerfile: continuation lines joined, comments and blank lines dropped.</summary>
        private static IEnumerable<string> Instructions(string text)
        {
            char escape = '\\';
            bool directives = true;
            var current = new StringBuilder();
            foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
            {
                string line = raw.Trim();
                if (directives && current.Length == 0 && line.StartsWith("#", StringComparison.Ordinal))
                {
                    string directive = line.Substring(1).Replace(" ", string.Empty);
                    if (directive.StartsWith("escape=", StringComparison.OrdinalIgnoreCase) && directive.Length == 8)
                    {
                        escape = directive[7];
                    }

                    continue;
                }

                directives = false;
                if (line.StartsWith("#", StringComparison.Ordinal) || (line.Length == 0 && current.Length == 0))
                {
                    continue;
                }

                if (line.Length > 0 && line[line.Length - 1] == escape)
                {
                    current.Append(line, 0, line.Length - 1).Append(' ');
                    continue;
                }

                current.Append(line);
                yield return current.ToString();
                current.Clear();
            }

            if (current.Length > 0)
            {
                yield return current.ToString();
            }
        }

        /// <summary>ARG NAME[=default] before the first FROM: the build argument wins over the default.</summary>
        private static void GlobalArg(string word, Dictionary<string, string> args, IDictionary<string, string>? buildArgs)
        {
            int eq = word.IndexOf('=');
            string name = eq < 0 ? word : word.Substring(0, eq);
            string? value = eq < 0 ? null : Unquote(word.Substring(eq + 1));
            if (buildArgs != null && buildArgs.TryGetValue(name, out var given))
            {
                value = given;
            }

            if (value != null)
            {
                args[name] = value;
            }
            else
            {
                args.Remove(name);
            }
        }

        private static string Unquote(string value) =>
            value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[value.Length - 1] == value[0] ? value.Substring(1, value.Length - 2) : value;

        /// <summary>$NAME, ${NAME}, ${NAME:-word} and ${NAME:+word} replaced from <paramref name="args"/> (unknown names are empty).</summary>
        private static string Substitute(string text, Dictionary<string, string> args)
        {
            var result = new StringBuilder();
            int i = 0;
            while (i < text.Length)
            {
                if (text[i] != '$' || i + 1 >= text.Length)
                {
                    result.Append(text[i++]);
                    continue;
                }

                if (text[i + 1] == '{')
                {
                    int end = text.IndexOf('}', i + 2);
                    if (end < 0)
                    {
                        result.Append(text, i, text.Length - i);
                        break;
                    }

                    result.Append(Expand(text.Substring(i + 2, end - i - 2), args));
                    i = end + 1;
                    continue;
                }

                int start = i + 1;
                int j = start;
                while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_'))
                {
                    j++;
                }

                result.Append(j == start ? "$" : (args.TryGetValue(text.Substring(start, j - start), out var v) ? v : string.Empty));
                i = j == start ? i + 1 : j;
            }

            return result.ToString();
        }

        private static string Expand(string inner, Dictionary<string, string> args)
        {
            int colon = inner.IndexOf(':');
            string name = colon < 0 ? inner : inner.Substring(0, colon);
            bool set = args.TryGetValue(name, out var value) && value.Length > 0;
            if (colon >= 0 && colon + 1 < inner.Length)
            {
                string word = inner.Substring(colon + 2);
                switch (inner[colon + 1])
                {
                    case '-':
                        return set ? value! : word;
                    case '+':
                        return set ? word : string.Empty;
                }
            }

            return value ?? string.Empty;
        }
    }
}
