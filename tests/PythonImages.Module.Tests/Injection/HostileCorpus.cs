using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace PythonImages.Tests.Injection
{
    /// <summary>
    /// Strings an attacker would put into a value that reaches a Dockerfile: quotes, command substitution, backticks,
    /// command separators, line breaks (LF, CR, NUL, U+2028), ${IFS} instead of spaces, and combinations. Every payload
    /// that would run creates /tmp/pwned.
    /// </summary>
    public static class HostileCorpus
    {
        public const string Marker = "/tmp/pwned";

        public static readonly IReadOnlyList<string> Strings = new[]
        {
            "'",
            "\"",
            "$(touch /tmp/pwned)",
            "$(touch${IFS}/tmp/pwned)",
            "`touch${IFS}/tmp/pwned`",
            ";touch${IFS}/tmp/pwned;",
            "|touch${IFS}/tmp/pwned",
            "&touch${IFS}/tmp/pwned&",
            "';touch${IFS}/tmp/pwned;'",
            "\";touch${IFS}/tmp/pwned;\"",
            "'\"$(touch${IFS}/tmp/pwned)\"'",
            "'\\''$(touch${IFS}/tmp/pwned)",
            "\\\";touch${IFS}/tmp/pwned;#",
            "${IFS}",
            "\ntouch /tmp/pwned",
            "\nRUN touch /tmp/pwned",
            "\rRUN touch /tmp/pwned",
            "\0;touch${IFS}/tmp/pwned",
            "\u2028RUN touch /tmp/pwned",
            "' 'x'; true\nRUN touch /tmp/pwned",
            "<<EOF",
            "{0}$(touch${IFS}/tmp/pwned){1}",
        };

        /// <summary>Theory data: the index of each string (indices keep control characters out of test names).</summary>
        public static IEnumerable<object[]> Indices() => Enumerable.Range(0, Strings.Count).Select(i => new object[] { i });

        /// <summary>The string with control characters escaped, for messages.</summary>
        public static string Show(string s)
        {
            var sb = new StringBuilder();
            foreach (char c in s)
            {
                sb.Append(c < 0x20 || c > 0x7E ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString());
            }

            return sb.ToString();
        }

        /// <summary>A YAML double-quoted scalar holding exactly <paramref name="value"/>.</summary>
        public static string Yaml(string value)
        {
            var sb = new StringBuilder("\"");
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    default:
                        if (c < 0x20 || c > 0x7E)
                        {
                            sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            return sb.Append('"').ToString();
        }
    }
}
