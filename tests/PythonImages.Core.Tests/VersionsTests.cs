using System;
using System.Linq;
using Xunit;

namespace PythonImages.Tests
{
    public class PythonVersionTests
    {
        [Theory]
        [InlineData("3.14.6", 3, 14, 6, PreReleaseKind.None, 0)]
        [InlineData("3.15.0b3", 3, 15, 0, PreReleaseKind.Beta, 3)]
        [InlineData("3.8.0a3", 3, 8, 0, PreReleaseKind.Alpha, 3)]
        [InlineData("3.15.0rc1", 3, 15, 0, PreReleaseKind.ReleaseCandidate, 1)]
        [InlineData("2.7.16", 2, 7, 16, PreReleaseKind.None, 0)]
        public void ParsesPythonOrgVersions(string text, int major, int minor, int patch, PreReleaseKind kind, int number)
        {
            var v = PythonVersion.Parse(text);
            Assert.Equal(text, v.Text);
            Assert.Equal(text, v.ToString());
            Assert.Equal((major, minor, patch, kind, number), (v.Major, v.Minor, v.Patch, v.PreRelease, v.PreReleaseNumber));
            Assert.Equal(kind != PreReleaseKind.None, v.IsPreRelease);
            Assert.Equal($"{major}.{minor}", v.MajorMinor);
            Assert.Equal($"{major}.{minor}.{patch}", v.DownloadDirectory);
        }

        [Theory]
        [InlineData("")]
        [InlineData("3")]
        [InlineData("3.14")]
        [InlineData("3.14.6.1")]
        [InlineData("v3.14.6")]
        [InlineData("3.14.6 ")]
        [InlineData("03.14.6")]
        [InlineData("3.14.06")]
        [InlineData("3.15.0b")]
        [InlineData("3.15.0c1")]
        [InlineData("3.15.0-rc1")]
        [InlineData("3.15.0RC1")]
        [InlineData("3.14-rc")]
        [InlineData("3.14.6\n")]
        [InlineData("3.14.6\r\n")]
        [InlineData("\n3.14.6")]
        [InlineData("3.15.0b3\n")]
        [InlineData("3.14.99999999999")]
        [InlineData("99999999999.14.6")]
        [InlineData("3.14.6rc99999999999")]
        [InlineData("3.2147483648.0")]
        public void RejectsInvalidForms(string text)
        {
            Assert.False(PythonVersion.TryParse(text, out var v));
            Assert.Null(v);
            var ex = Assert.Throws<FormatException>(() => PythonVersion.Parse(text));
            Assert.Contains("'" + text + "'", ex.Message);
        }

        [Fact]
        public void NullIsNotAVersion() => Assert.False(PythonVersion.TryParse(null, out _));

        [Fact]
        public void TheLargestIntStillParses()
        {
            var v = PythonVersion.Parse("3.2147483647.0");
            Assert.Equal(int.MaxValue, v.Minor);
            Assert.Equal(int.MaxValue, VersionKey.Parse("2147483647.0").Major);
        }

        [Fact]
        public void OrdersAlphaBeforeBetaBeforeRcBeforeFinal()
        {
            string[] ascending = { "3.9.20", "3.10.0a1", "3.10.0a7", "3.10.0b1", "3.10.0b4", "3.10.0rc1", "3.10.0rc2", "3.10.0", "3.10.1", "3.10.20", "3.11.0a1", "4.0.0a1" };
            for (int i = 0; i < ascending.Length; i++)
            {
                for (int j = 0; j < ascending.Length; j++)
                {
                    int c = PythonVersion.Parse(ascending[i]).CompareTo(PythonVersion.Parse(ascending[j]));
                    Assert.True(Math.Sign(c) == Math.Sign(i.CompareTo(j)), $"{ascending[i]} vs {ascending[j]}: {c}");
                }
            }

            var shuffled = ascending.Reverse().Select(PythonVersion.Parse).ToList();
            shuffled.Sort();
            Assert.Equal(ascending, shuffled.Select(v => v.Text));
        }

        [Fact]
        public void EqualityIsByText()
        {
            Assert.Equal(PythonVersion.Parse("3.14.6"), PythonVersion.Parse("3.14.6"));
            Assert.Equal(PythonVersion.Parse("3.14.6").GetHashCode(), PythonVersion.Parse("3.14.6").GetHashCode());
            Assert.NotEqual(PythonVersion.Parse("3.14.6"), PythonVersion.Parse("3.14.7"));
            Assert.True(PythonVersion.Parse("3.14.6").CompareTo(null) > 0);
        }
    }

    public class VersionKeyTests
    {
        [Theory]
        [InlineData("3.14", 3, 14, false, "3.14")]
        [InlineData("3.15-rc", 3, 15, true, "3.15")]
        [InlineData("2.7", 2, 7, false, "2.7")]
        [InlineData("3.8-rc", 3, 8, true, "3.8")]
        public void Parses(string text, int major, int minor, bool rc, string rcVersion)
        {
            var k = VersionKey.Parse(text);
            Assert.Equal((text, major, minor, rc, rcVersion), (k.Text, k.Major, k.Minor, k.IsPreRelease, k.RcVersion));
        }

        [Theory]
        [InlineData("3")]
        [InlineData("3.14.6")]
        [InlineData("3.15rc")]
        [InlineData("3.15-beta")]
        [InlineData("3.15-RC")]
        [InlineData("03.14")]
        [InlineData("latest")]
        [InlineData("")]
        [InlineData("3.14\n")]
        [InlineData("3.15-rc\n")]
        [InlineData("99999999999.1")]
        [InlineData("3.2147483648")]
        [InlineData("3.2147483648-rc")]
        public void RejectsInvalidKeys(string text)
        {
            Assert.False(VersionKey.TryParse(text, out _));
            Assert.Throws<FormatException>(() => VersionKey.Parse(text));
        }

        [Theory]
        [InlineData("3.14", "3.14.6", true)]
        [InlineData("3.14", "3.14.0", true)]
        [InlineData("3.14", "3.13.1", false)]
        [InlineData("3.14", "4.14.1", false)]
        [InlineData("3.14", "3.14.0b1", false)]
        [InlineData("3.14", "3.14.0rc2", false)]
        [InlineData("3.15-rc", "3.15.0b3", true)]
        [InlineData("3.15-rc", "3.15.0a1", true)]
        [InlineData("3.15-rc", "3.15.0rc1", true)]
        [InlineData("3.15-rc", "3.15.0", false)]
        [InlineData("3.15-rc", "3.16.0b1", false)]
        public void AdmitsOnlyItsOwnVersions(string key, string version, bool admitted)
        {
            bool ok = VersionKey.Parse(key).Admits(PythonVersion.Parse(version), out string reason);
            Assert.Equal(admitted, ok);
            Assert.Equal(admitted, reason.Length == 0);
            if (!admitted)
            {
                Assert.Contains(version, reason);
            }
        }
    }

    public class VersionSortTests
    {
        [Fact]
        public void SortsLikeGnuSortV()
        {
            string[] expectedDescending = { "3.15-rc", "3.15", "3.14", "3.10", "3.9", "3.8-rc", "3.8", "2.7" };
            var keys = expectedDescending.Reverse().Select(VersionKey.Parse).OrderByDescending(k => k).Select(k => k.Text);
            Assert.Equal(expectedDescending, keys);
        }

        [Theory]
        [InlineData("3.15-rc", "3.15", 1)]
        [InlineData("3.15", "3.14", 1)]
        [InlineData("3.14", "3.10", 1)]
        [InlineData("3.10", "3.9", 1)]
        [InlineData("3.9", "3.10", -1)]
        [InlineData("3.10", "3.10", 0)]
        [InlineData("3.010", "3.10", 0)]
        [InlineData("alpine3.9", "alpine3.24", -1)]
        [InlineData("alpine3.24", "bookworm", -1)]
        [InlineData("3.14.6", "3.14", 1)]
        public void ComparesStrings(string a, string b, int sign)
        {
            Assert.Equal(sign, Math.Sign(VersionSort.Compare(a, b)));
            Assert.Equal(-sign, Math.Sign(VersionSort.Compare(b, a)));
        }

        /// <summary>
        /// Keys compare by their numbers and suffix, which must give the sign of sort -V on their texts for every pair of
        /// keys: the edge values of the grammar and random keys, in both orders.
        /// </summary>
        [Fact]
        public void VersionKeysCompareAsTheirTextsSortV()
        {
            var texts = new System.Collections.Generic.List<string> { "0.0", "0.0-rc", "3.9", "3.10", "3.10-rc", "3.9-rc", "10.0", "2147483647.2147483647", "2147483647.0-rc", "1.2147483647" };
            var random = new Random(20261201);
            for (int i = 0; i < 400; i++)
            {
                int major = random.Next(4) == 0 ? random.Next() : random.Next(0, 15);
                int minor = random.Next(4) == 0 ? random.Next() : random.Next(0, 15);
                texts.Add(major + "." + minor + (random.Next(3) == 0 ? "-rc" : string.Empty));
            }

            var keys = texts.Select(VersionKey.Parse).ToList();
            int checkedPairs = 0;
            foreach (var a in keys)
            {
                foreach (var b in keys)
                {
                    Assert.True(Math.Sign(VersionSort.Compare(a.Text, b.Text)) == Math.Sign(a.CompareTo(b)), $"{a} vs {b}");
                    checkedPairs++;
                }
            }

            Assert.Equal(texts.Count * texts.Count, checkedPairs);
            Assert.True(VersionKey.Parse("3.10").CompareTo(VersionKey.Parse("3.9")) > 0);
            Assert.True(VersionKey.Parse("3.15-rc").CompareTo(VersionKey.Parse("3.15")) > 0);
            Assert.True(VersionKey.Parse("3.15-rc").CompareTo(VersionKey.Parse("3.16")) < 0);
        }
    }
}
