using System;
using System.Text;

namespace PythonImages.Security
{
    /// <summary>
    /// Removes secrets from text before it reaches a stream, a log, an error or a result: the user name and password
    /// of URLs (scheme://user:password@host) and the password hashes of account files.
    /// </summary>
    public static class Redaction
    {
        /// <summary>What replaces a URL's userinfo.</summary>
        public const string Mask = "***";

        /// <summary>
        /// Every "scheme://userinfo@" in <paramref name="text"/> becomes "scheme://***@". Text without "://" and '@'
        /// is returned as it is (the common case costs two IndexOf calls).
        /// </summary>
        public static string UrlUserInfo(string text)
        {
            if (text == null || text.IndexOf("://", StringComparison.Ordinal) < 0 || text.IndexOf('@') < 0)
            {
                return text!;
            }

            StringBuilder? sb = null;
            int copied = 0;
            int search = 0;
            while (true)
            {
                int sep = text.IndexOf("://", search, StringComparison.Ordinal);
                if (sep < 0)
                {
                    break;
                }

                int authority = sep + 3;
                int end = authority;
                while (end < text.Length && !EndsAuthority(text[end]))
                {
                    end++;
                }

                int at = text.LastIndexOf('@', end - 1, end - authority);
                if (at >= authority && !(at - authority == Mask.Length && string.CompareOrdinal(text, authority, Mask, 0, Mask.Length) == 0))
                {
                    sb ??= new StringBuilder(text.Length);
                    sb.Append(text, copied, authority - copied).Append(Mask);
                    copied = at;
                }

                search = Math.Max(end, authority);
            }

            if (sb == null)
            {
                return text;
            }

            return sb.Append(text, copied, text.Length - copied).ToString();
        }

        /// <summary>
        /// The same URL-like endpoint with its userinfo masked, also when it has no scheme ("user:pw@host:2375").
        /// </summary>
        public static string Endpoint(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            // One address, not running text: a raw password may hold '/', '#', '?' or a space, which end a URL's
            // authority, so everything up to the last '@' is userinfo (a socket or pipe path has none: it starts with '/').
            string value = text!;
            int sep = value.IndexOf("://", StringComparison.Ordinal);
            if (sep >= 0 && sep + 3 < value.Length && value[sep + 3] == '/')
            {
                return UrlUserInfo(value);
            }

            int start = sep < 0 ? 0 : sep + 3;
            int at = value.LastIndexOf('@');
            return at >= start ? value.Substring(0, start) + Mask + value.Substring(at) : value;
        }

        /// <summary>
        /// An account file's password field (the second field of /etc/passwd and /etc/shadow) described without its
        /// secret: empty stays empty, 'x' (in /etc/shadow) and the locks without a hash ('*', '!', '!!', '!*') stay as
        /// they are; a hash becomes &lt;hash redacted&gt;, a locked hash !&lt;hash redacted&gt;.
        /// </summary>
        public static string PasswordField(string field)
        {
            if (field.Length == 0 || field == "x" || field == "*" || field == "!" || field == "!!" || field == "!*")
            {
                return field;
            }

            return field[0] == '!' ? "!<hash redacted>" : field[0] == '*' ? "*<redacted>" : "<hash redacted>";
        }

        private static bool EndsAuthority(char c) =>
            c == '/' || c == '?' || c == '#' || c == ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c < 0x20 || c == 0x7F;
    }
}
