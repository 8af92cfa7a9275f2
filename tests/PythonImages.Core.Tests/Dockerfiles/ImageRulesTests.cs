using System.Linq;
using PythonImages.Dockerfiles;
using Xunit;

namespace PythonImages.Tests.Dockerfiles
{
    public class ImageRulesTests
    {
        [Theory]
        //          key        LANG   PGP    zstd   frame pointers
        [InlineData("3.9", true, true, false, false)]
        [InlineData("3.10", true, true, false, false)]
        [InlineData("3.11", true, true, false, false)]
        [InlineData("3.12", true, true, false, true)]
        [InlineData("3.13", false, true, false, true)]
        [InlineData("3.13-rc", false, true, true, true)] // zstd keys on the raw key: every -rc key counts as new
        [InlineData("3.14", false, false, true, true)]
        [InlineData("3.15-rc", false, false, true, true)]
        [InlineData("3.16", false, false, true, true)]
        [InlineData("4.0-rc", false, false, true, true)]
        public void VersionConditions(string key, bool lang, bool pgp, bool zstd, bool framePointers)
        {
            var k = VersionKey.Parse(key);
            Assert.Equal(lang, ImageRules.SetsLang(k));
            Assert.Equal(pgp, ImageRules.VerifiesPgp(k));
            Assert.Equal(zstd, ImageRules.NeedsZstd(k));
            Assert.Equal(framePointers, ImageRules.UsesFramePointers(k));
        }

        [Theory]
        [InlineData("3.10", "A035C8C19219BA821ECEA86B64E628F8D684696D")]
        [InlineData("3.11", "A035C8C19219BA821ECEA86B64E628F8D684696D")]
        [InlineData("3.12", "7169605F62C751356D054A26A821E680E5FA6305")]
        [InlineData("3.13", "7169605F62C751356D054A26A821E680E5FA6305")]
        [InlineData("3.13-rc", "7169605F62C751356D054A26A821E680E5FA6305")]
        [InlineData("3.14", null)]
        [InlineData("3.16-rc", null)]
        public void ReleaseManagerKeys(string key, string? expected)
        {
            Assert.Equal(expected, ImageRules.GpgKey(VersionKey.Parse(key), null));
        }

        [Theory]
        [InlineData("bookworm", "rm -rf /var/lib/apt/lists/*")]
        [InlineData("bullseye", "rm -rf /var/lib/apt/lists/*")]
        [InlineData("buster", "rm -rf /var/lib/apt/lists/*")]
        [InlineData("stretch", "rm -rf /var/lib/apt/lists/*")]
        [InlineData("jessie", "rm -rf /var/lib/apt/lists/*")]
        [InlineData("wheezy", "rm -rf /var/lib/apt/lists/*")]
        [InlineData("squeeze", "rm -rf /var/lib/apt/lists/*")]
        [InlineData("trixie", "apt-get dist-clean")]
        [InlineData("forky", "apt-get dist-clean")]
        public void AptCleanupBySuite(string suite, string expected) => Assert.Equal(expected, ImageRules.AptCleanup(suite));

        [Theory]
        [InlineData(ImageFamily.Alpine)]
        [InlineData(ImageFamily.DebianSlim)]
        [InlineData(ImageFamily.DebianFull)]
        public void BuildPackagesAreSortedByCodePointAndGainZstdFrom314(ImageFamily family)
        {
            var old = ImageRules.BuildPackages(family, VersionKey.Parse("3.13"));
            var @new = ImageRules.BuildPackages(family, VersionKey.Parse("3.14"));
            Assert.Equal(old.OrderBy(p => p, System.StringComparer.Ordinal), old);
            Assert.Equal(@new.OrderBy(p => p, System.StringComparer.Ordinal), @new);
            Assert.Equal(new[] { family == ImageFamily.Alpine ? "zstd-dev" : "libzstd-dev" }, @new.Except(old));
            Assert.Equal(family == ImageFamily.DebianFull, old.Count == 0);
        }
    }
}
