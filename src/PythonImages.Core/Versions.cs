using System;
using System.Globalization;

namespace PythonImages
{
    /// <summary>Pre-release kind of a CPython version (PEP 440 subset used by python.org).</summary>
    public enum PreReleaseKind
    {
        /// <summary>A final release.</summary>
        None = 0,
        /// <summary>An alpha (a).</summary>
        Alpha,
        /// <summary>A beta (b).</summary>
        Beta,
        /// <summary>A release candidate (rc).</summary>
        ReleaseCandidate,
    }

    /// <summary>A full CPython version: 3.14.6, 3.15.0b3, 3.8.0a3, 3.15.0rc1.</summary>
    public sealed class PythonVersion : IComparable<PythonVersion>, IEquatable<PythonVersion>
    {
        private PythonVersion(string text, int major, int minor, int patch, PreReleaseKind kind, int preNumber)
        {
            Text = text;
            Major = major;
            Minor = minor;
            Patch = patch;
            PreRelease = kind;
            PreReleaseNumber = preNumber;
        }

        /// <summary>The version as written.</summary>
        public string Text { get; }
        /// <summary>The major number.</summary>
        public int Major { get; }
        /// <summary>The minor number.</summary>
        public int Minor { get; }
        /// <summary>The patch number.</summary>
        public int Patch { get; }
        /// <summary>Alpha, beta, release candidate or none.</summary>
        public PreReleaseKind PreRelease { get; }
        /// <summary>The pre-release number (3 in 3.15.0b3).</summary>
        public int PreReleaseNumber { get; }
        /// <summary>Whether it is an alpha, beta or release candidate.</summary>
        public bool IsPreRelease => PreRelease != PreReleaseKind.None;

        /// <summary>"3.15" for 3.15.0b3.</summary>
        public string MajorMinor => Major.ToString(CultureInfo.InvariantCulture) + "." + Minor.ToString(CultureInfo.InvariantCulture);

        /// <summary>The python.org download directory: the version cut at its first lowercase letter (3.15.0b3 → 3.15.0).</summary>
        public string DownloadDirectory => Major + "." + Minor + "." + Patch;

        /// <summary>Parses <paramref name="text"/>; false when it is not a CPython version.</summary>
        public static bool TryParse(string? text, out PythonVersion? version)
        {
            version = null;
            if (text == null)
            {
                return false;
            }

            // MAJOR.MINOR.PATCH[(a|b|rc)N], each number 0 or without leading zeros, read by hand (no regex match, no
            // group strings: a large matrix parses thousands). A number too large for an int is "not a version", never an
            // OverflowException.
            int at = 0;
            if (!VersionText.Number(text, ref at, out int major) || !VersionText.Dot(text, ref at)
                || !VersionText.Number(text, ref at, out int minor) || !VersionText.Dot(text, ref at)
                || !VersionText.Number(text, ref at, out int patch))
            {
                return false;
            }

            var kind = PreReleaseKind.None;
            int preNumber = 0;
            if (at < text.Length)
            {
                kind = VersionText.PreRelease(text, ref at);
                if (kind == PreReleaseKind.None || !VersionText.Number(text, ref at, out preNumber))
                {
                    return false;
                }
            }

            if (at != text.Length)
            {
                return false;
            }

            version = new PythonVersion(text, major, minor, patch, kind, preNumber);
            return true;
        }

        /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> when it is not a CPython version.</summary>
        public static PythonVersion Parse(string text)
        {
            if (!TryParse(text, out var v))
            {
                throw new FormatException($"'{text}' is not a Python version (expected MAJOR.MINOR.PATCH with an optional a/b/rc suffix, e.g. 3.14.6 or 3.15.0b3).");
            }

            return v!;
        }

        /// <inheritdoc/>
        public int CompareTo(PythonVersion? other)
        {
            if (other is null)
            {
                return 1;
            }

            int c = Major.CompareTo(other.Major);
            if (c == 0) c = Minor.CompareTo(other.Minor);
            if (c == 0) c = Patch.CompareTo(other.Patch);
            if (c == 0)
            {
                // A final release sorts after every pre-release of the same number.
                int ka = PreRelease == PreReleaseKind.None ? int.MaxValue : (int)PreRelease;
                int kb = other.PreRelease == PreReleaseKind.None ? int.MaxValue : (int)other.PreRelease;
                c = ka.CompareTo(kb);
            }

            if (c == 0) c = PreReleaseNumber.CompareTo(other.PreReleaseNumber);
            return c;
        }

        /// <inheritdoc/>
        public bool Equals(PythonVersion? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

        /// <inheritdoc/>
        public override bool Equals(object? obj) => Equals(obj as PythonVersion);

        /// <summary>Equal versions (same text); two nulls are equal.</summary>
        public static bool operator ==(PythonVersion? left, PythonVersion? right) => left is null ? right is null : left.Equals(right);

        /// <summary>Different versions.</summary>
        public static bool operator !=(PythonVersion? left, PythonVersion? right) => !(left == right);

        /// <summary>Orders as <see cref="CompareTo"/> does; null sorts first.</summary>
        public static bool operator <(PythonVersion? left, PythonVersion? right) => left is null ? right is not null : left.CompareTo(right) < 0;

        /// <summary>Orders as <see cref="CompareTo"/> does; null sorts first.</summary>
        public static bool operator <=(PythonVersion? left, PythonVersion? right) => left is null || left.CompareTo(right) <= 0;

        /// <summary>Orders as <see cref="CompareTo"/> does; null sorts first.</summary>
        public static bool operator >(PythonVersion? left, PythonVersion? right) => left is not null && left.CompareTo(right) > 0;

        /// <summary>Orders as <see cref="CompareTo"/> does; null sorts first.</summary>
        public static bool operator >=(PythonVersion? left, PythonVersion? right) => left is null ? right is null : left.CompareTo(right) >= 0;

        /// <inheritdoc/>
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

        /// <inheritdoc/>
        public override string ToString() => Text;
    }

    /// <summary>A matrix version key: MAJOR.MINOR for a released series, MAJOR.MINOR-rc for the pre-release series.</summary>
    public sealed class VersionKey : IComparable<VersionKey>, IEquatable<VersionKey>
    {
        private VersionKey(string text, int major, int minor, bool isRc)
        {
            Text = text;
            Major = major;
            Minor = minor;
            IsPreRelease = isRc;
        }

        /// <summary>The key as written.</summary>
        public string Text { get; }
        /// <summary>The major number.</summary>
        public int Major { get; }
        /// <summary>The minor number.</summary>
        public int Minor { get; }
        /// <summary>Whether it is the pre-release key (-rc).</summary>
        public bool IsPreRelease { get; }

        /// <summary>The key without its -rc suffix ("3.15" for "3.15-rc").</summary>
        public string RcVersion => Major.ToString(CultureInfo.InvariantCulture) + "." + Minor.ToString(CultureInfo.InvariantCulture);

        /// <summary>Parses <paramref name="text"/>; false when it is not a version key.</summary>
        public static bool TryParse(string? text, out VersionKey? key)
        {
            key = null;
            if (text == null)
            {
                return false;
            }

            // MAJOR.MINOR[-rc], read by hand like PythonVersion; too large for an int: not a key, never an OverflowException.
            int at = 0;
            if (!VersionText.Number(text, ref at, out int major) || !VersionText.Dot(text, ref at) || !VersionText.Number(text, ref at, out int minor))
            {
                return false;
            }

            bool rc = string.CompareOrdinal(text, at, "-rc", 0, 3) == 0 && at + 3 == text.Length;
            if (!rc && at != text.Length)
            {
                return false;
            }

            key = new VersionKey(text, major, minor, rc);
            return true;
        }

        /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> when it is not a version key.</summary>
        public static VersionKey Parse(string text)
        {
            if (!TryParse(text, out var k))
            {
                throw new FormatException($"'{text}' is not a version key (expected MAJOR.MINOR or MAJOR.MINOR-rc, e.g. 3.14 or 3.15-rc).");
            }

            return k!;
        }

        /// <summary>True when <paramref name="version"/> belongs to this key: same MAJOR.MINOR, and a pre-release exactly when the key is -rc.</summary>
        public bool Admits(PythonVersion version, out string reason)
        {
            if (version.Major != Major || version.Minor != Minor)
            {
                reason = $"version {version} does not start with {RcVersion}";
                return false;
            }

            if (IsPreRelease && !version.IsPreRelease)
            {
                reason = $"the pre-release key {Text} needs a pre-release version (a, b or rc suffix), not {version}";
                return false;
            }

            if (!IsPreRelease && version.IsPreRelease)
            {
                reason = $"the released-series key {Text} cannot hold the pre-release {version}; use the key {Text}-rc";
                return false;
            }

            reason = string.Empty;
            return true;
        }

        /// <summary>GNU sort -V order of the key text (3.15-rc above 3.15 above 3.14, 3.10 above 3.9).</summary>
        /// <remarks>
        /// A key is MAJOR.MINOR[-rc] with numbers that fit an int, so this is the numbers, then the -rc suffix (a suffix
        /// sorts above the end of the text): the same sign as <see cref="VersionSort.Compare"/> of the two texts, without
        /// reading them (sorting a matrix compares keys n log n times).
        /// </remarks>
        public int CompareTo(VersionKey? other)
        {
            if (other is null)
            {
                return 1;
            }

            if (Major != other.Major)
            {
                return Major < other.Major ? -1 : 1;
            }

            if (Minor != other.Minor)
            {
                return Minor < other.Minor ? -1 : 1;
            }

            return IsPreRelease == other.IsPreRelease ? 0 : (IsPreRelease ? 1 : -1);
        }

        /// <inheritdoc/>
        public bool Equals(VersionKey? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

        /// <inheritdoc/>
        public override bool Equals(object? obj) => Equals(obj as VersionKey);

        /// <summary>Equal versions (same text); two nulls are equal.</summary>
        public static bool operator ==(VersionKey? left, VersionKey? right) => left is null ? right is null : left.Equals(right);

        /// <summary>Different versions.</summary>
        public static bool operator !=(VersionKey? left, VersionKey? right) => !(left == right);

        /// <summary>Orders as <see cref="CompareTo"/> does; null sorts first.</summary>
        public static bool operator <(VersionKey? left, VersionKey? right) => left is null ? right is not null : left.CompareTo(right) < 0;

        /// <summary>Orders as <see cref="CompareTo"/> does; null sorts first.</summary>
        public static bool operator <=(VersionKey? left, VersionKey? right) => left is null || left.CompareTo(right) <= 0;

        /// <summary>Orders as <see cref="CompareTo"/> does; null sorts first.</summary>
        public static bool operator >(VersionKey? left, VersionKey? right) => left is not null && left.CompareTo(right) > 0;

        /// <summary>Orders as <see cref="CompareTo"/> does; null sorts first.</summary>
        public static bool operator >=(VersionKey? left, VersionKey? right) => left is null ? right is null : left.CompareTo(right) >= 0;

        /// <inheritdoc/>
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

        /// <inheritdoc/>
        public override string ToString() => Text;
    }

    /// <summary>The pieces of a version text: numbers (0 or without leading zeros, ASCII digits) and separators.</summary>
    internal static class VersionText
    {
        /// <summary>Reads "0|[1-9][0-9]*" at <paramref name="at"/>; false when there is none or it does not fit an int.</summary>
        public static bool Number(string text, ref int at, out int value)
        {
            value = 0;
            if (at >= text.Length || !IsDigit(text[at]))
            {
                return false;
            }

            if (text[at] == '0')
            {
                at++;
                return true;
            }

            long n = 0;
            while (at < text.Length && IsDigit(text[at]))
            {
                n = (n * 10) + (text[at++] - '0');
                if (n > int.MaxValue)
                {
                    return false;
                }
            }

            value = (int)n;
            return true;
        }

        /// <summary>Reads a '.' at <paramref name="at"/>.</summary>
        public static bool Dot(string text, ref int at)
        {
            if (at < text.Length && text[at] == '.')
            {
                at++;
                return true;
            }

            return false;
        }

        /// <summary>Reads a, b or rc at <paramref name="at"/>; None when there is none.</summary>
        public static PreReleaseKind PreRelease(string text, ref int at)
        {
            if (string.CompareOrdinal(text, at, "rc", 0, 2) == 0)
            {
                at += 2;
                return PreReleaseKind.ReleaseCandidate;
            }

            char c = text[at];
            if (c == 'a' || c == 'b')
            {
                at++;
                return c == 'a' ? PreReleaseKind.Alpha : PreReleaseKind.Beta;
            }

            return PreReleaseKind.None;
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';
    }

    /// <summary>String comparison with the semantics of GNU <c>sort -V</c> (filevercmp) for the strings this module sorts.</summary>
    public static class VersionSort
    {
        /// <summary>Compares two version texts number by number (what sort -V does).</summary>
        public static int Compare(string a, string b)
        {
            int i = 0, j = 0;
            while (i < a.Length || j < b.Length)
            {
                // Non-digit prefix: compare character by character; letters sort before non-letters, end sorts first.
                while ((i < a.Length && !char.IsDigit(a[i])) || (j < b.Length && !char.IsDigit(b[j])))
                {
                    int ca = i < a.Length && !char.IsDigit(a[i]) ? Order(a[i]) : 0;
                    int cb = j < b.Length && !char.IsDigit(b[j]) ? Order(b[j]) : 0;
                    if (ca != cb)
                    {
                        return ca.CompareTo(cb);
                    }

                    i++;
                    j++;
                }

                while (i < a.Length && a[i] == '0') i++;
                while (j < b.Length && b[j] == '0') j++;
                int si = i, sj = j;
                while (i < a.Length && char.IsDigit(a[i])) i++;
                while (j < b.Length && char.IsDigit(b[j])) j++;
                int la = i - si, lb = j - sj;
                if (la != lb)
                {
                    return la.CompareTo(lb);
                }

                int c = string.CompareOrdinal(a, si, b, sj, la);
                if (c != 0)
                {
                    return c;
                }
            }

            return 0;
        }

        private static int Order(char c)
        {
            if (char.IsLetter(c)) return c;
            if (c == '~') return -1;
            return c + 256;
        }
    }
}
