using System;

namespace PythonImages.Security
{
    /// <summary>Whether a download or key-server location is protected in transit.</summary>
    public enum TransportSecurity
    {
        /// <summary>https or hkps: TLS protects the connection.</summary>
        Secure,

        /// <summary>http or hkp: anyone on the path can change what is fetched (the sha256 check still applies).</summary>
        Insecure,
    }

    /// <summary>
    /// Checks mirror and key-server locations (-SourceMirror, -KeyServer, -PythonOrgUri, ...). A URI may legally hold
    /// '$', '(', ';' or quotes: those are made inert by quoting where it is written, not rejected here. Rejected are
    /// relative URIs, unknown schemes, userinfo (a secret in a Dockerfile), and any character outside printable ASCII
    /// (line breaks, NUL, U+2028, spaces).
    /// </summary>
    public static class SourceUri
    {
        private static readonly char[] AuthorityEnd = { '/', '?', '#' };

        /// <summary>Schemes of a download location.</summary>
        public static readonly string[] DownloadSchemes = { "https", "http" };

        /// <summary>Schemes of a GPG key server.</summary>
        public static readonly string[] KeyServerSchemes = { "hkps", "https", "hkp", "http" };

        /// <summary>
        /// Validates <paramref name="text"/>; throws <see cref="InputRejectedException"/> with <paramref name="errorId"/>.
        /// Plain-text schemes (http, hkp) are refused with <paramref name="insecureErrorId"/> unless <paramref name="allowInsecure"/>.
        /// </summary>
        public static Uri Parse(string? text, string[] schemes, bool allowInsecure, string errorId, string insecureErrorId, string what)
        {
            var grammar = new Grammar("URI", "an absolute " + string.Join("/", schemes) + " URI of printable ASCII", ".*", 2048);
            string? why = grammar.Why(text);
            if (why != null)
            {
                throw new InputRejectedException(errorId, grammar, what, why);
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                throw new InputRejectedException(errorId, grammar, what, $"'{InputGrammar.Show(RedactUserInfo(text!))}' is not an absolute URI with a host");
            }

            string scheme = uri.Scheme.ToLowerInvariant();
            if (Array.IndexOf(schemes, scheme) < 0)
            {
                throw new InputRejectedException(errorId, grammar, what, $"the scheme '{scheme}' is not supported; use {string.Join(" or ", schemes)}");
            }

            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new InputRejectedException(errorId, grammar, what, "it carries a user name or password, which would be written into the Dockerfile; give the location without credentials");
            }

            if (Security(uri) == TransportSecurity.Insecure && !allowInsecure)
            {
                throw new InputRejectedException(insecureErrorId, grammar, what, $"'{scheme}' is not protected by TLS; use {SecureCounterpart(scheme)}, or pass -AllowInsecureSource to accept it knowingly");
            }

            return uri;
        }

        /// <summary>Whether <paramref name="uri"/> is protected by TLS.</summary>
        public static TransportSecurity Security(Uri uri)
        {
            string scheme = uri.Scheme.ToLowerInvariant();
            return scheme == "https" || scheme == "hkps" ? TransportSecurity.Secure : TransportSecurity.Insecure;
        }

        /// <summary>
        /// The text with any user name and password before the host replaced by ***: safe for messages and targets.
        /// Works on text that is not a valid URI too (user:pw@host/x, http://u:p@ host).
        /// </summary>
        public static string RedactUserInfo(string text)
        {
            if (text == null)
            {
                return string.Empty;
            }

            int scheme = text.IndexOf("://", StringComparison.Ordinal);
            int start = scheme >= 0 ? scheme + 3 : 0;
            int end = text.IndexOfAny(AuthorityEnd, start);
            if (end < 0)
            {
                end = text.Length;
            }

            int at = end > start ? text.LastIndexOf('@', end - 1, end - start) : -1;
            return at < 0 ? text : text.Substring(0, start) + "***" + text.Substring(at);
        }

        private static string SecureCounterpart(string scheme) => scheme == "hkp" ? "hkps" : "https";
    }
}
