using System;
using System.Text.RegularExpressions;

namespace PythonImages.Security
{
    /// <summary>
    /// One allowlist rule for one kind of value. Every pattern is anchored at the real start and end of the
    /// string (<c>\A</c> … <c>\z</c>: a trailing newline never matches), and a value longer than
    /// <see cref="MaxLength"/> or holding a character outside the grammar's character set (printable ASCII; with the
    /// space; or, for text such as maintainer names, printable characters of any script on one line) is rejected before
    /// the pattern runs.
    /// </summary>
    public sealed class Grammar
    {
        private readonly string pattern;
        private readonly bool allowSpace;
        private readonly bool allowUnicode;
        private readonly Func<string, bool>? quickAccept;
        private Regex? regex;

        internal Grammar(string name, string description, string pattern, int maxLength, bool allowSpace = false, bool allowUnicode = false, Func<string, bool>? quickAccept = null)
        {
            this.quickAccept = quickAccept;
            Name = name;
            Description = description;
            this.pattern = @"\A(?:" + pattern + @")\z";
            MaxLength = maxLength;
            this.allowSpace = allowSpace || allowUnicode;
            this.allowUnicode = allowUnicode;
        }

        /// <summary>Short name used in messages ("sha256 checksum", "Docker tag").</summary>
        public string Name { get; }

        /// <summary>What a valid value looks like, in words, for error messages.</summary>
        public string Description { get; }

        /// <summary>The longest accepted value.</summary>
        public int MaxLength { get; }

        // Built on first use: importing the module compiles no regex.
        private Regex Regex => regex ??= new Regex(pattern, RegexOptions.CultureInvariant);

        /// <summary>True when <paramref name="value"/> is a complete, valid value of this grammar.</summary>
        public bool IsMatch(string? value) => Why(value) == null;

        /// <summary>Null when the value is valid; otherwise why not, in words (never echoing control characters).</summary>
        public string? Why(string? value)
        {
            if (value == null)
            {
                return "no value was given";
            }

            if (value.Length == 0)
            {
                return "the value is empty";
            }

            if (value.Length > MaxLength)
            {
                return $"the value is {value.Length} characters long; at most {MaxLength} are allowed";
            }

            int bad = FirstOutside(value);
            if (bad >= 0)
            {
                return $"the value contains the character U+{(int)value[bad]:X4} at position {bad + 1}; only "
                    + (allowUnicode ? "printable characters on one line are" : "printable ASCII is") + " allowed";
            }

            // The pattern is the definition. A hand-written matcher of the common values (GrammarQuick) may accept a
            // value first: it accepts only what the pattern accepts, so the first command of a process checks the
            // matrix's values without building a regex (building the first one costs several milliseconds cold).
            if (quickAccept != null && quickAccept(value))
            {
                return null;
            }

            return Regex.IsMatch(value) ? null : $"it is not a valid {Name} ({Description})";
        }

        /// <summary>True when the hand-written matcher accepts <paramref name="value"/> on its own (tests: it must never
        /// accept what the pattern rejects).</summary>
        internal bool QuickAccepts(string value) => quickAccept != null && quickAccept(value);

        /// <summary>True when the pattern accepts <paramref name="value"/> (the regex alone, for tests).</summary>
        internal bool PatternAccepts(string value) => Regex.IsMatch(value);

        /// <summary>Whether this grammar's regex has been built in this process (tests of the cold path).</summary>
        internal bool RegexBuilt => regex != null;

        private int FirstOutside(string value)
        {
            if (!allowUnicode)
            {
                return InputGrammar.FirstNonPrintable(value, allowSpace);
            }

            for (int i = 0; i < value.Length; i++)
            {
                if (!ManifestGrammar.IsTextChar(value, i, allowUnicode: true))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <inheritdoc/>
        public override string ToString() => Name;
    }

    /// <summary>
    /// The allowlist grammars for every value that can reach a Dockerfile, a shell, a manifest or a README.
    /// Values are checked where they enter the module (matrix loader, manifest parser, parameter binding);
    /// writers quote them again (<see cref="Quoting"/>) so that a consumer never interprets them.
    /// </summary>
    public static class InputGrammar
    {
        /// <summary>A CPython version: 3.14.6, 3.15.0b3, 3.15.0rc1.</summary>
        public static readonly Grammar PythonVersion = new Grammar(
            "Python version", "MAJOR.MINOR.PATCH with an optional a/b/rc pre-release number, e.g. 3.14.6 or 3.15.0b3",
            @"(?:0|[1-9][0-9]{0,3})\.(?:0|[1-9][0-9]{0,3})\.(?:0|[1-9][0-9]{0,3})(?:(?:a|b|rc)(?:0|[1-9][0-9]{0,3}))?", 32,
            quickAccept: GrammarQuick.PythonVersion);

        /// <summary>A matrix version key: 3.14 or 3.15-rc.</summary>
        public static readonly Grammar VersionKey = new Grammar(
            "version key", "MAJOR.MINOR or MAJOR.MINOR-rc, e.g. 3.14 or 3.15-rc",
            @"(?:0|[1-9][0-9]{0,3})\.(?:0|[1-9][0-9]{0,3})(?:-rc)?", 16,
            quickAccept: GrammarQuick.VersionKey);

        /// <summary>A sha256 digest in hex (either case).</summary>
        public static readonly Grammar Sha256 = new Grammar(
            "sha256 checksum", "64 hexadecimal digits", "[0-9a-fA-F]{64}", 64, quickAccept: v => GrammarQuick.Hex(v, 64));

        /// <summary>An OpenPGP v4 key fingerprint: 40 hex digits.</summary>
        public static readonly Grammar GpgFingerprint = new Grammar(
            "GPG key fingerprint", "40 hexadecimal digits", "[0-9A-Fa-f]{40}", 40, quickAccept: v => GrammarQuick.Hex(v, 40));

        /// <summary>A Python package version as pip and setuptools are released (a PEP 440 subset, no local part).</summary>
        public static readonly Grammar PackageVersion = new Grammar(
            "package version", "PEP 440 release digits with optional a/b/rc, .post and .dev parts, e.g. 79.0.1 or 25.1.1",
            @"[0-9]{1,6}(?:\.[0-9]{1,6}){0,5}(?:(?:a|b|rc)[0-9]{1,6})?(?:\.post[0-9]{1,6})?(?:\.dev[0-9]{1,6})?", 64,
            quickAccept: GrammarQuick.ReleaseDigits);

        /// <summary>A Docker tag (distribution reference grammar).</summary>
        public static readonly Grammar DockerTag = new Grammar(
            "Docker tag", "a letter, digit or underscore followed by up to 127 letters, digits, '_', '.' or '-'",
            "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", 128, quickAccept: GrammarQuick.DockerTag);

        /// <summary>A repository path without registry: lowercase components separated by '/' (library/python, python).</summary>
        public static readonly Grammar RepositoryPath = new Grammar(
            "repository name", "lowercase letters and digits, components joined by '.', '_', '__' or dashes, separated by '/'",
            PathComponent + "(?:/" + PathComponent + ")*", 255, quickAccept: GrammarQuick.RepositoryPath);

        /// <summary>A registry host with an optional port: localhost:5000, registry.example.com, [::1]:5000.</summary>
        public static readonly Grammar RegistryHost = new Grammar(
            "registry host", "a host name or IP address with an optional :port, e.g. localhost:5000",
            HostPattern, 255, quickAccept: GrammarQuick.HostName);

        /// <summary>A registry with an optional namespace: localhost:5000/library, registry.example/hub.</summary>
        public static readonly Grammar RegistryPrefix = new Grammar(
            "registry", "host[:port] optionally followed by /namespace, e.g. localhost:5000/library",
            HostPattern + "(?:/" + PathComponent + ")*", 255);

        /// <summary>A variant name: trixie, slim-bookworm, alpine3.24, windows/windowsservercore-ltsc2025.</summary>
        public static readonly Grammar VariantName = new Grammar(
            "variant name", "lowercase letters, digits, '.' and '-', optionally under windows/",
            "(?:windows/)?[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?", 80, quickAccept: GrammarQuick.VariantName);

        /// <summary>An architecture name as the official images spell it: amd64, arm32v7, windows-amd64.</summary>
        public static readonly Grammar Architecture = new Grammar(
            "architecture", "lowercase letters and digits, optionally with one '-', e.g. arm64v8",
            "[a-z0-9]{1,32}(?:-[a-z0-9]{1,32})?", 65);

        /// <summary>A relative directory inside a repository (bashbrew's rules): no leading '/', no '.' or '..' component.</summary>
        public static readonly Grammar RelativeDirectory = new Grammar(
            "relative directory", "path components of letters, digits, '.', '_' and '-' separated by '/', without '.' or '..' components",
            @"\.|(?!\.\.?(?:/|\z))[A-Za-z0-9_.-]{1,128}(?:/(?!\.\.?(?:/|\z))[A-Za-z0-9_.-]{1,128})*", 1024,
            quickAccept: GrammarQuick.RelativeDirectory);

        /// <summary>A file name inside a directory (bashbrew's File field): no separators.</summary>
        public static readonly Grammar FileName = new Grammar(
            "file name", "letters, digits, '.', '_' and '-' (no path separators, not '.' or '..')",
            @"(?!\.\.?\z)[A-Za-z0-9_.-]{1,255}", 255);

        /// <summary>A full git commit id (sha1 or sha256).</summary>
        public static readonly Grammar GitCommit = new Grammar(
            "git commit", "40 or 64 lowercase hexadecimal digits", "[0-9a-f]{40}|[0-9a-f]{64}", 64);

        /// <summary>A checksum in hex of any supported length (1 to 128 digits: md5 to sha512); callers check the algorithm's length.</summary>
        public static readonly Grammar HexDigest = new Grammar(
            "hex digest", "hexadecimal digits", "[0-9a-fA-F]{1,128}", 128);

        /// <summary>
        /// A git repository URL as the matrix names it (the manifest's GitRepo, the README's links): http(s), a host, one or
        /// more path segments (no '.' or '..' segment), no user info, query or fragment. Every value it accepts is also
        /// accepted by <see cref="ManifestGrammar.GitRepo"/>; the matrix's repository is also checked with the ".git" Export
        /// appends (MatrixFileReader), so what the matrix lets in, Export can write and Import read.
        /// </summary>
        public static readonly Grammar GitRepositoryUrl = new Grammar(
            "git repository URL", "https://host[:port]/path with letters, digits, '.', '_', '~', '+' and '-' in the path, e.g. https://github.com/docker-library/python",
            "https?://" + HostPattern + "(?:/" + UrlSegment + "){1,16}/?", 512);

        private const string PathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
        /// <summary>One DNS label: letters, digits and inner dashes.</summary>
        internal const string DomainComponent = "(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])";

        /// <summary>One URL path segment: no '.' or '..' segment, only unreserved characters (RFC 3986) and '+'.</summary>
        internal const string UrlSegment = @"(?!\.\.?(?:/|\z))[A-Za-z0-9._~+-]{1,128}";

        /// <summary>A host name or bracketed IP address, with an optional port.</summary>
        internal const string HostPattern = "(?:" + DomainComponent + @"(?:\." + DomainComponent + @")*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?";

        /// <summary>Index of the first character outside printable ASCII (0x21–0x7E; space included only when allowed), or -1.</summary>
        public static int FirstNonPrintable(string value, bool allowSpace = false)
        {
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c > 0x7E || c < 0x20 || (c == ' ' && !allowSpace))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Throws <see cref="InputRejectedException"/> with <paramref name="errorId"/> when the value is invalid.</summary>
        public static string Require(Grammar grammar, string? value, string errorId, string what)
        {
            string? why = grammar.Why(value);
            if (why != null)
            {
                throw new InputRejectedException(errorId, grammar, what, why);
            }

            return value!;
        }

        /// <summary>
        /// True for a character a terminal or log would act on rather than show: C0 and C1 controls, DEL, line and paragraph
        /// separators, formatting characters (bidirectional overrides).
        /// </summary>
        public static bool IsUnsafeToShow(char c) =>
            char.IsControl(c) || c == '\u2028' || c == '\u2029' || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;

        /// <summary>
        /// A text (a path, a message naming one) as a message shows it whole: the characters <see cref="IsUnsafeToShow"/>
        /// says a terminal would act on as \uXXXX, the rest as it is; never shortened (unlike <see cref="Show"/>).
        /// </summary>
        public static string ShowWhole(string text)
        {
            int first = 0;
            while (first < text.Length && !IsUnsafeToShow(text[first]))
            {
                first++;
            }

            if (first == text.Length)
            {
                return text;
            }

            var sb = new System.Text.StringBuilder(text.Length + 16).Append(text, 0, first);
            for (int i = first; i < text.Length; i++)
            {
                char c = text[i];
                if (IsUnsafeToShow(c))
                {
                    sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(c);
                }
            }

            return sb.ToString();
        }

        /// <summary>A value safe to show in a message: control and non-ASCII characters escaped, at most 80 characters.</summary>
        public static string Show(string? value)
        {
            if (value == null)
            {
                return "(null)";
            }

            var sb = new System.Text.StringBuilder(Math.Min(value.Length, 80) + 2);
            foreach (char c in value)
            {
                if (sb.Length >= 80)
                {
                    sb.Append('…');
                    break;
                }

                if (c < 0x20 || c > 0x7E)
                {
                    sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(c);
                }
            }

            return sb.ToString();
        }
    }

    /// <summary>A value failed its allowlist grammar. Carries a stable error id for the cmdlets.</summary>
    public sealed class InputRejectedException : Exception
    {
        /// <summary><paramref name="what"/> (e.g. "-Tag 'x'") is not accepted by <paramref name="grammar"/> because <paramref name="why"/>.</summary>
        public InputRejectedException(string errorId, Grammar grammar, string what, string why)
            : base($"{what} is not accepted: {why}.")
        {
            ErrorId = errorId;
            Grammar = grammar;
            What = what;
        }

        /// <summary>The ErrorId the caller reports it under.</summary>
        public string ErrorId { get; }

        /// <summary>The grammar that refused the value.</summary>
        public Grammar Grammar { get; }

        /// <summary>Which value it was ("The -SourceMirror value", "versions.3.14.setuptools.version").</summary>
        public string What { get; }
    }
}
