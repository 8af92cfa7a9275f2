using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PythonImages.Security
{
    /// <summary>
    /// The allowlist grammars of the official-images library manifest (bashbrew's rules, made strict): every field the
    /// module reads from or writes to a manifest, and every manifest value that reaches the README. Values are checked
    /// when a manifest is parsed, before Export-PythonLibraryManifest writes one, and before ConvertTo-PythonTagMarkdown
    /// renders one. Additive to <see cref="InputGrammar"/>, whose grammars (tag, commit, directory, file name) are reused.
    /// </summary>
    public static class ManifestGrammar
    {
        private const string DomainComponent = InputGrammar.DomainComponent;
        private const string Host = InputGrammar.HostPattern;
        private const string UrlSegment = InputGrammar.UrlSegment;

        /// <summary>
        /// GitRepo: an https, http, git or ssh URL (ssh may name a user), or the scp-like user@host:path form. No
        /// credentials, query, fragment, spaces or markup: the value goes into README links as it is.
        /// </summary>
        public static readonly Grammar GitRepo = new Grammar(
            "git repository URL",
            "https://, http://, git:// or ssh:// followed by a host and a path of letters, digits, '.', '_', '~', '+' and '-' (or user@host:path), without credentials, query or spaces",
            "(?:https?|git)://" + Host + "(?:/" + UrlSegment + ")+/?"
            + "|ssh://(?:[A-Za-z0-9._-]{1,64}@)?" + Host + "(?:/" + UrlSegment + ")+/?"
            + "|[A-Za-z0-9._-]{1,64}@" + DomainComponent + @"(?:\." + DomainComponent + ")*:" + UrlSegment + "(?:/" + UrlSegment + ")*/?",
            512);

        /// <summary>GitFetch: refs/heads/&lt;branch&gt; or refs/tags/&lt;tag&gt; with git's ref-name rules (no '..', no component starting with '.').</summary>
        public static readonly Grammar GitFetch = new Grammar(
            "git ref",
            "refs/heads/<branch> or refs/tags/<tag>, with letters, digits, '.', '_', '+', '-' and '/' (no '..', no component starting or ending with '.')",
            @"refs/(?:heads|tags)/(?!.*\.\.)(?!.*\.lock(?:/|\z))[A-Za-z0-9_+-](?:[A-Za-z0-9_.+-]{0,126}[A-Za-z0-9_+-])?(?:/[A-Za-z0-9_+-](?:[A-Za-z0-9_.+-]{0,126}[A-Za-z0-9_+-])?)*",
            255);

        /// <summary>Builder: what bashbrew knows (buildkit, classic, oci-import).</summary>
        public static readonly Grammar Builder = new Grammar(
            "builder", "buildkit, classic or oci-import", "buildkit|classic|oci-import", 16);

        /// <summary>One Constraints item: windowsservercore-ltsc2025, !aufs.</summary>
        public static readonly Grammar Constraint = new Grammar(
            "constraint", "an optional '!' then a letter or digit followed by letters, digits, '.', '_' and '-'",
            "!?[A-Za-z0-9][A-Za-z0-9._-]{0,63}", 65);

        /// <summary>A field name as bashbrew reads it: letters, digits and dashes.</summary>
        public static readonly Grammar FieldName = new Grammar(
            "field name", "letters, digits and '-', starting with a letter or digit", "[A-Za-z0-9][A-Za-z0-9-]{0,79}", 80);

        /// <summary>
        /// One Maintainers item, bashbrew's form <c>Full Name &lt;contact&gt; (@github-handle)</c> (the contact is optional).
        /// The name may hold letters of any script; no control, format or line-separator characters, no commas, and it
        /// does not start with '#': the writer puts each further maintainer on a continuation line, which a reader drops
        /// as a comment when it starts with '#'.
        /// </summary>
        public static readonly Grammar Maintainer = new Grammar(
            "maintainer",
            "'Full Name <email-or-url> (@github-handle)' or 'Full Name (@github-handle)', the name not starting with '#'",
            @"[^\s<>(),#][^<>(),]{0,199}?(?: +<[^\s<>(),]{1,200}>)? +\(@[^\s<>(),]{1,100}\)",
            400,
            allowUnicode: true);

        /// <summary>A comment line of the manifest's header (the generated-by line): '#', then text on one line.</summary>
        public static readonly Grammar Comment = new Grammar(
            "comment line", "'#' followed by text on one line (no control characters)", "#.*", 1024, allowUnicode: true);

        /// <summary>The Docker Hub repository name in the README's architecture links (python, my-image).</summary>
        public static readonly Grammar ImageName = new Grammar(
            "image name", "lowercase letters and digits, optionally joined by '.', '_' or '-'",
            "[a-z0-9]+(?:[._-][a-z0-9]+)*", 128);

        /// <summary>
        /// True for a character a manifest may contain at all: TAB, LF, printable ASCII, and any other character that is
        /// not a control, format (bidi overrides, zero-width), line/paragraph separator, private-use or lone surrogate.
        /// CR is checked by the caller (only as part of CRLF).
        /// </summary>
        public static bool IsManifestChar(string text, int index)
        {
            char c = text[index];
            if (c == '\t' || c == '\n' || (c >= 0x20 && c < 0x7F))
            {
                return true;
            }

            if (char.IsHighSurrogate(c))
            {
                return index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]);
            }

            if (char.IsLowSurrogate(c))
            {
                return index > 0 && char.IsHighSurrogate(text[index - 1]);
            }

            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                case UnicodeCategory.PrivateUse:
                    return false;
                default:
                    return true;
            }
        }

        /// <summary>True for a character that may appear in a one-line text value: printable ASCII, the space, and (when allowed) other printable Unicode.</summary>
        internal static bool IsTextChar(string text, int index, bool allowUnicode)
        {
            char c = text[index];
            if (c >= 0x20 && c < 0x7F)
            {
                return true;
            }

            return allowUnicode && c > 0x9F && c != '\t' && c != '\n' && IsManifestChar(text, index);
        }
    }
}
