using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages.Builds
{
    /// <summary>
    /// Recognises the failures of the python Dockerfiles' download-and-verify steps in a build log and says in one
    /// sentence what went wrong, so the user does not have to find it among the last log lines.
    /// </summary>
    public static class BuildFailureHints
    {
        private sealed class Rule
        {
            public Rule(Func<string, bool> matches, string hint)
            {
                Matches = matches;
                Hint = hint;
            }

            public Func<string, bool> Matches { get; }
            public string Hint { get; }
        }

        private static readonly Rule[] Rules =
        {
            new Rule(
                l => l.Contains("checksum") && l.Contains("did NOT match") || l.EndsWith("python.tar.xz: FAILED", StringComparison.Ordinal),
                "The downloaded Python source failed its sha256 checksum (PYTHON_SHA256): the tarball from the download server or -SourceMirror is corrupt or is not the release the matrix names."),
            new Rule(
                l => l.Contains("gpg: BAD signature"),
                "The PGP signature of the Python source does not verify with the release manager's key (GPG_KEY): the tarball or its .asc from the download server or -SourceMirror is not genuine."),
            new Rule(
                l => l.Contains("keyserver receive failed") || l.Contains("gpg: keyserver") && l.Contains("failed"),
                "gpg could not fetch the release manager's key (GPG_KEY) from the key server: check -KeyServer and the network of the build (-Network)."),
            new Rule(
                l => l.Contains("ERROR 404") || l.Contains("404 Not Found"),
                "A download in the build answered 404 Not Found: check that the download server or -SourceMirror has <version>/Python-<version>.tar.xz (and .asc)."),
        };

        private static readonly System.Text.RegularExpressions.Regex EngineCommandFailure = new System.Text.RegularExpressions.Regex(
            @"^The command '(?<cmd>.*)' returned a non-zero code: (?<code>-?[0-9]+)$",
            System.Text.RegularExpressions.RegexOptions.Singleline | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>
        /// The classic builder's "The command '/bin/sh -c …' returned a non-zero code: N" repeats the whole RUN text
        /// (kilobytes for the python build step); keep its start and the exit code. Other messages are returned as they are.
        /// </summary>
        public static string? ShortenEngineMessage(string? message, int keep = 60)
        {
            if (message == null)
            {
                return null;
            }

            var m = EngineCommandFailure.Match(message.Trim());
            if (!m.Success || m.Groups["cmd"].Value.Length <= keep)
            {
                return message;
            }

            string command = System.Text.RegularExpressions.Regex.Replace(m.Groups["cmd"].Value.Substring(0, keep), @"\s+", " ");
            return $"The command '{command}...' returned a non-zero code: {m.Groups["code"].Value}";
        }

        /// <summary>
        /// Follows a log line by line as it streams (nothing kept but the latest match): <see cref="Hint"/> is what
        /// <see cref="Explain"/> would say about all the lines observed so far.
        /// </summary>
        public sealed class Tracker
        {
            /// <summary>The explanation for the last recognised failure observed, or null.</summary>
            public string? Hint { get; private set; }

            /// <summary>Feeds one build log line; the hint is kept once a known cause is recognised.</summary>
            public void Observe(string line)
            {
                var plain = line.TrimEnd();
                foreach (var rule in Rules)
                {
                    if (rule.Matches(plain))
                    {
                        Hint = rule.Hint;
                        return;
                    }
                }
            }
        }

        /// <summary>The explanation for the first recognised failure in the log (searched from the end), or null.</summary>
        public static string? Explain(IEnumerable<string> log)
        {
            foreach (var line in log.Reverse())
            {
                var plain = line.TrimEnd();
                var rule = Rules.FirstOrDefault(r => r.Matches(plain));
                if (rule != null)
                {
                    return rule.Hint;
                }
            }

            return null;
        }
    }
}
