using System;
using System.Text;

namespace PythonImages.Security
{
    /// <summary>
    /// Writes a value so that its consumer reads it as one literal word and interprets nothing in it.
    /// Callers still validate first (<see cref="InputGrammar"/>): quoting is the second line of defence,
    /// and it cannot make a line break safe in a line-oriented file, so every function here refuses one.
    /// </summary>
    public static class Quoting
    {
        /// <summary>
        /// A POSIX shell word: single quotes, each embedded ' written as '\''. Inside single quotes /bin/sh
        /// expands nothing ($, `, \, ;, |, &amp; are literal).
        /// </summary>
        public static string PosixShell(string value)
        {
            RefuseLineBreaks(value);
            return "'" + value.Replace("'", "'\\''") + "'";
        }

        /// <summary>
        /// A PowerShell verbatim string: single quotes, each embedded single quote (ASCII and the typographic
        /// U+2018..U+201B, which PowerShell also treats as quotes) doubled.
        /// </summary>
        public static string PowerShell(string value)
        {
            RefuseLineBreaks(value);
            var sb = new StringBuilder(value.Length + 2).Append('\'');
            foreach (char c in value)
            {
                sb.Append(c);
                if (c == '\'' || (c >= '\u2018' && c <= '\u201B'))
                {
                    sb.Append(c);
                }
            }

            return sb.Append('\'').ToString();
        }

        /// <summary>A line of a '#' comment cannot be broken out of when the value has no line break.</summary>
        public static string Comment(string value)
        {
            RefuseLineBreaks(value);
            return value;
        }

        /// <summary>True for characters that end a line for the Dockerfile parser, a shell or PowerShell.</summary>
        public static bool IsLineBreak(char c) => c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029' || c == '\0';

        private static void RefuseLineBreaks(string value)
        {
            if (value == null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            foreach (char c in value)
            {
                if (IsLineBreak(c))
                {
                    throw new ArgumentException($"A value with a line break or NUL (U+{(int)c:X4}) cannot be written safely: {InputGrammar.Show(value)}", nameof(value));
                }
            }
        }
    }
}
