using System;
using System.Text;
using PythonImages.Security;

namespace PythonImages.Ci
{
    /// <summary>
    /// Writes values into a CI YAML file so that neither YAML nor the CI system interprets them: one single-quoted scalar
    /// (YAML expands nothing there; an embedded quote is doubled), refused when it holds a line break, a control or
    /// non-ASCII character, or an opener of a CI expression (<c>${{</c> for GitHub and Azure templates, <c>$(</c> Azure
    /// macros, <c>$[</c> Azure runtime expressions), which both systems would evaluate inside any scalar. Values reach
    /// the shell of a step only through environment variables, never inside its script.
    /// </summary>
    public static class CiYaml
    {
        /// <summary>The value as a single-quoted YAML scalar, after checking it against <paramref name="grammar"/> again (defence in depth).</summary>
        public static string Quote(string value, Grammar grammar, string field)
        {
            if (grammar.Why(value) is { } why)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.UnsafeValue, $"The {field} '{InputGrammar.Show(value)}' cannot be written into the CI file: {why}.", value);
            }

            return Quote(value, field);
        }

        /// <summary>The value as a single-quoted YAML scalar; any character or sequence a CI system could interpret is refused.</summary>
        public static string Quote(string value, string field)
        {
            if (value == null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            if (WhyUnsafe(value) is { } why)
            {
                throw new BuildMatrixException(BuildMatrixErrorIds.UnsafeValue, $"The {field} '{InputGrammar.Show(value)}' cannot be written into the CI file: {why}.", value);
            }

            return "'" + value.Replace("'", "''") + "'";
        }

        /// <summary>A string literal of a GitHub or Azure expression ('refs/heads/main'): the same rules, quotes doubled.</summary>
        public static string ExpressionLiteral(string value, Grammar grammar, string field) => Quote(value, grammar, field);

        /// <summary>Null when the value may be written; otherwise why not.</summary>
        public static string? WhyUnsafe(string value)
        {
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c < 0x20 || c > 0x7E)
                {
                    return $"it contains the character U+{(int)c:X4} at position {i + 1} (only printable ASCII is written)";
                }

                if (c == '$' && i + 1 < value.Length && (value[i + 1] == '{' || value[i + 1] == '(' || value[i + 1] == '['))
                {
                    return $"it contains '{value.Substring(i, 2)}' at position {i + 1}, which opens a CI expression";
                }
            }

            return null;
        }

        /// <summary>Appends <paramref name="indent"/> spaces, then the text, then a line feed.</summary>
        internal static StringBuilder Line(this StringBuilder sb, int indent, string text) => sb.Append(' ', indent).Append(text).Append('\n');

        /// <summary>Appends a literal block scalar (<c>|</c>) body: each line of <paramref name="script"/> indented (constant text of the module only).</summary>
        internal static StringBuilder Block(this StringBuilder sb, int indent, string script)
        {
            foreach (var line in script.Replace("\r\n", "\n").TrimEnd('\n').Split('\n'))
            {
                if (line.Length == 0)
                {
                    sb.Append('\n');
                }
                else
                {
                    sb.Append(' ', indent).Append(line).Append('\n');
                }
            }

            return sb;
        }
    }
}
