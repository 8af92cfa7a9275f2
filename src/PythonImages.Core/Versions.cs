using System;
using System.Globalization;
using System.Text.RegularExpressions;

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
        // Anchored at the real end (\z): "$" would also match before a trailing newline. Built on first use.
        private static Regex? pattern;

        private static Regex Pattern => pattern ??= new Regex(
            @"\A(?<maj>0|[1-9][0-9]*)\.(?<min>0|[1-9][0-9]*)\.(?<pat>0|[1-9][0-9]*)(?:(?<pre>a|b|rc)(?<num>0|[1-9][0-9]*))?\z",
            RegexOptions.CultureInvariant);

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

            var m = Pattern.Match(text);
            if (!m.Success)
            {
                return false;
            }

            // A number too large for an int is "not a version", never an OverflowException.
            if (!Number(m.Groups["maj"].Value, out int major) || !Number(m.Groups["min"].Value, out int minor) || !Number(m.Groups["pat"].Value, out int patch))
            {
                return false;
            }

            int preNumber = 0;
            if (m.Groups["num"].Success && !Number(m.Groups["num"].Value, out preNumber))
            {
                return false;
            }

            var kind = m.Groups["pre"].Success
                ? m.Groups["pre"].Value switch
                {
                    "a" => PreReleaseKind.Alpha,
                    "b" => PreReleaseKind.Beta,
                    _ => PreReleaseKind.ReleaseCandidate,
                }
                : PreReleaseKind.None;
            version = new PythonVersion(text, major, minor, patch, kind, preNumber);
            return true;
        }

        internal static bool Number(string digits, out int value) =>
            int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);

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
        private static Regex? pattern;

        private static Regex Pattern => pattern ??= new Regex(
            @"\A(?<maj>0|[1-9][0-9]*)\.(?<min>0|[1-9][0-9]*)(?<rc>-rc)?\z",
            RegexOptions.CultureInvariant);

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

            var m = Pattern.Match(text);
            if (!m.Success)
            {
                return false;
            }

            if (!PythonVersion.Number(m.Groups["maj"].Value, out int major) || !PythonVersion.Number(m.Groups["min"].Value, out int minor))
            {
                return false; // too large for an int: not a key, never an OverflowException
            }

            key = new VersionKey(text, major, minor, m.Groups["rc"].Success);
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
        public int CompareTo(VersionKey? other) => other is null ? 1 : VersionSort.Compare(Text, other.Text);

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
