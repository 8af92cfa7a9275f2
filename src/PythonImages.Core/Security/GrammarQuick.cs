namespace PythonImages.Security
{
    /// <summary>
    /// Hand-written matchers for the values every Dockerfile regeneration checks (versions, checksums, variant names,
    /// directories, base image names). Each accepts only values its grammar's pattern accepts (most accept exactly those;
    /// <see cref="ReleaseDigits"/> and <see cref="RepositoryPath"/> and <see cref="HostName"/> accept a plainer subset);
    /// anything they do not accept is decided by the pattern. GrammarQuickTests hold them to that against the
    /// patterns on generated and mutated values.
    /// </summary>
    internal static class GrammarQuick
    {
        private static bool Digit(char c) => c >= '0' && c <= '9';

        private static bool Lower(char c) => c >= 'a' && c <= 'z';

        private static bool Upper(char c) => c >= 'A' && c <= 'Z';

        private static bool LowerAlnum(char c) => Lower(c) || Digit(c);

        private static bool Alnum(char c) => Lower(c) || Upper(c) || Digit(c);

        private static bool HexDigit(char c) => Digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

        /// <summary>Exactly <paramref name="length"/> hexadecimal digits, either case.</summary>
        public static bool Hex(string value, int length)
        {
            if (value.Length != length)
            {
                return false;
            }

            foreach (char c in value)
            {
                if (!HexDigit(c))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>0, or 1 to 4 digits without a leading zero (the version grammars' number).</summary>
        private static bool Number(string value, ref int at)
        {
            int start = at;
            if (at >= value.Length || !Digit(value[at]))
            {
                return false;
            }

            if (value[at] == '0')
            {
                at++;
                return true;
            }

            while (at < value.Length && Digit(value[at]) && at - start < 4)
            {
                at++;
            }

            return true;
        }

        private static bool Char(string value, ref int at, char expected)
        {
            if (at < value.Length && value[at] == expected)
            {
                at++;
                return true;
            }

            return false;
        }

        /// <summary>MAJOR.MINOR.PATCH with an optional a/b/rc number (exactly the PythonVersion pattern).</summary>
        public static bool PythonVersion(string value)
        {
            int at = 0;
            if (!Number(value, ref at) || !Char(value, ref at, '.') || !Number(value, ref at) || !Char(value, ref at, '.') || !Number(value, ref at))
            {
                return false;
            }

            if (at == value.Length)
            {
                return true;
            }

            if (!Char(value, ref at, 'a') && !Char(value, ref at, 'b') && !(Char(value, ref at, 'r') && Char(value, ref at, 'c')))
            {
                return false;
            }

            return Number(value, ref at) && at == value.Length;
        }

        /// <summary>MAJOR.MINOR with an optional -rc (exactly the VersionKey pattern).</summary>
        public static bool VersionKey(string value)
        {
            int at = 0;
            if (!Number(value, ref at) || !Char(value, ref at, '.') || !Number(value, ref at))
            {
                return false;
            }

            return at == value.Length || (Char(value, ref at, '-') && Char(value, ref at, 'r') && Char(value, ref at, 'c') && at == value.Length);
        }

        /// <summary>1 to 6 release numbers of 1 to 6 digits joined by dots (79.0.1): the plain releases of the PackageVersion pattern.</summary>
        public static bool ReleaseDigits(string value)
        {
            int parts = 0;
            int at = 0;
            while (true)
            {
                int start = at;
                while (at < value.Length && Digit(value[at]))
                {
                    at++;
                }

                int digits = at - start;
                if (digits < 1 || digits > 6 || ++parts > 6)
                {
                    return false;
                }

                if (at == value.Length)
                {
                    return true;
                }

                if (value[at] != '.')
                {
                    return false;
                }

                at++;
            }
        }

        /// <summary>A letter, digit or underscore, then up to 127 letters, digits, '_', '.' or '-' (exactly the DockerTag pattern).</summary>
        public static bool DockerTag(string value)
        {
            if (value.Length < 1 || value.Length > 128 || !(Alnum(value[0]) || value[0] == '_'))
            {
                return false;
            }

            for (int i = 1; i < value.Length; i++)
            {
                char c = value[i];
                if (!(Alnum(c) || c == '_' || c == '.' || c == '-'))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Lowercase components separated by '/', each alphanumeric runs joined by single '.', '_' or '-' (library/python,
        /// python, my-org/my.app): a subset of the RepositoryPath pattern (which also allows '__' and repeated dashes).
        /// </summary>
        public static bool RepositoryPath(string value)
        {
            if (value.Length == 0)
            {
                return false;
            }

            bool afterAlnum = false;
            foreach (char c in value)
            {
                if (LowerAlnum(c))
                {
                    afterAlnum = true;
                }
                else if ((c == '.' || c == '_' || c == '-' || c == '/') && afterAlnum)
                {
                    afterAlnum = false;
                }
                else
                {
                    return false;
                }
            }

            return afterAlnum;
        }

        /// <summary>
        /// DNS labels (letters and digits, inner dashes) joined by dots, with an optional :port of 1 to 5 digits
        /// (mcr.microsoft.com, localhost:5000): the host-name part of the host pattern; bracketed addresses go to the pattern.
        /// </summary>
        public static bool HostName(string value)
        {
            int end = value.Length;
            int colon = value.IndexOf(':');
            if (colon >= 0)
            {
                int digits = value.Length - colon - 1;
                if (digits < 1 || digits > 5)
                {
                    return false;
                }

                for (int i = colon + 1; i < value.Length; i++)
                {
                    if (!Digit(value[i]))
                    {
                        return false;
                    }
                }

                end = colon;
            }

            if (end == 0)
            {
                return false;
            }

            int labelStart = 0;
            for (int i = 0; i <= end; i++)
            {
                if (i == end || value[i] == '.')
                {
                    if (i == labelStart || !Alnum(value[labelStart]) || !Alnum(value[i - 1]))
                    {
                        return false;
                    }

                    labelStart = i + 1;
                }
                else if (!(Alnum(value[i]) || value[i] == '-'))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>An optional windows/, then lowercase letters, digits, '.' and '-' starting and ending with a letter or
        /// digit, at most 64 characters (exactly the VariantName pattern).</summary>
        public static bool VariantName(string value)
        {
            int start = value.StartsWith("windows/", System.StringComparison.Ordinal) ? 8 : 0;
            int length = value.Length - start;
            if (length < 1 || length > 64 || !LowerAlnum(value[start]) || !LowerAlnum(value[value.Length - 1]))
            {
                return false;
            }

            for (int i = start + 1; i < value.Length - 1; i++)
            {
                char c = value[i];
                if (!(LowerAlnum(c) || c == '.' || c == '-'))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>"." or '/'-separated segments of 1 to 128 letters, digits, '_', '.' and '-', none of them "." or ".."
        /// (exactly the RelativeDirectory pattern).</summary>
        public static bool RelativeDirectory(string value)
        {
            if (value == ".")
            {
                return true;
            }

            int start = 0;
            for (int i = 0; i <= value.Length; i++)
            {
                if (i == value.Length || value[i] == '/')
                {
                    int length = i - start;
                    if (length < 1 || length > 128 || (value[start] == '.' && (length == 1 || (length == 2 && value[start + 1] == '.'))))
                    {
                        return false;
                    }

                    start = i + 1;
                }
                else
                {
                    char c = value[i];
                    if (!(Alnum(c) || c == '_' || c == '.' || c == '-'))
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }
}
