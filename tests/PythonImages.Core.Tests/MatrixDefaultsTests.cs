using System;
using System.IO;
using System.Linq;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>What the loader fills in when a setting is absent, and how user settings combine with the embedded ones.</summary>
    public sealed class MatrixDefaultsTests : MatrixFileTest
    {
        private Matrix Load(params string[] lines) => MatrixLoader.LoadFile(WriteLines("m" + Guid.NewGuid().ToString("N") + ".yaml", lines));

        private static string[] Entry(string key, string version, params string[] variants) =>
            new[] { $"  '{key}':", $"    version: {version}", $"    variants: [{string.Join(", ", variants)}]" };

        private Matrix LoadVersions(params string[][] entries) => Load(new[] { "versions:" }.Concat(entries.SelectMany(e => e)).ToArray());

        private static string Aliases(Matrix m, string key) => string.Join(",", m.AliasesFor(m.Find(key)!.Key));

        [Fact]
        public void WithoutAliasesTheHighestReleasedKeyGetsMajorAndLatest()
        {
            var m = LoadVersions(
                Entry("3.15-rc", "3.15.0b3", "trixie"),
                Entry("3.13", "3.13.14", "trixie"),
                Entry("3.14", "3.14.6", "trixie"),
                Entry("3.9", "3.9.20", "trixie"),
                Entry("2.7", "2.7.16", "trixie"),
                Entry("2.6", "2.6.9", "trixie"));
            Assert.Null(m.Aliases);
            Assert.Equal("3,latest", Aliases(m, "3.14"));
            Assert.Equal(string.Empty, Aliases(m, "3.13"));
            Assert.Equal(string.Empty, Aliases(m, "3.9"));
            Assert.Equal("2", Aliases(m, "2.7"));
            Assert.Equal(string.Empty, Aliases(m, "2.6"));
            Assert.Equal(string.Empty, Aliases(m, "3.15-rc"));

            // And the tag rules use them: 3.14 carries latest and the major, the rc key none of them.
            var images = TagRules.Compute(m);
            Assert.Equal(new[] { "3.14.6-trixie", "3.14-trixie", "3-trixie", "trixie" }, images.Single(i => i.VersionKey == "3.14").Tags);
            Assert.Equal(new[] { "3.14.6", "3.14", "3", "latest" }, images.Single(i => i.VersionKey == "3.14").SharedTags);
            Assert.Equal(new[] { "3.15.0b3-trixie", "3.15-rc-trixie" }, images.Single(i => i.VersionKey == "3.15-rc").Tags);
            Assert.Equal(new[] { "2.7.16-trixie", "2.7-trixie", "2-trixie" }, images.Single(i => i.VersionKey == "2.7").Tags);
        }

        [Fact]
        public void TheDefaultRuleUsesVersionSortNotTextOrder()
        {
            var m = LoadVersions(Entry("3.9", "3.9.20", "trixie"), Entry("3.10", "3.10.20", "trixie"));
            Assert.Equal("3,latest", Aliases(m, "3.10"));
            Assert.Equal(string.Empty, Aliases(m, "3.9"));
        }

        [Fact]
        public void OnlyRcKeysGetNoAliases()
        {
            var m = LoadVersions(Entry("3.15-rc", "3.15.0rc1", "trixie"));
            Assert.Equal(string.Empty, Aliases(m, "3.15-rc"));
        }

        [Fact]
        public void ExplicitAliasesReplaceTheDefaultRuleEntirely()
        {
            var m = Load(new[] { "aliases:", "  '3.13': [stable]", "versions:" }
                .Concat(Entry("3.14", "3.14.6", "trixie")).Concat(Entry("3.13", "3.13.14", "trixie")).ToArray());
            Assert.Equal(string.Empty, Aliases(m, "3.14"));
            Assert.Equal("stable", Aliases(m, "3.13"));
        }

        [Fact]
        public void VersionsAreInManifestOrder()
        {
            var m = LoadVersions(Entry("3.9", "3.9.20", "trixie"), Entry("3.15-rc", "3.15.0b3", "trixie"), Entry("3.10", "3.10.20", "trixie"), Entry("3.15", "3.15.1", "trixie"));
            Assert.Equal(new[] { "3.15-rc", "3.15", "3.10", "3.9" }, m.Versions.Select(v => v.Key.Text));
        }

        [Fact]
        public void AUserArchitecturesEntryReplacesTheEmbeddedOneForThatBaseOnly()
        {
            var m = Load(new[] { "architectures:", "  buildpack-deps:trixie: [amd64, arm64v8]", "  debian:forky-slim: [amd64, riscv64]", "versions:" }
                .Concat(Entry("3.14", "3.14.6", "trixie", "slim-trixie", "slim-forky")).ToArray());
            var images = TagRules.Compute(m);
            Assert.Equal(new[] { "amd64", "arm64v8" }, images.Single(i => i.Variant == "trixie").Architectures);
            Assert.Equal(new[] { "amd64", "riscv64" }, images.Single(i => i.Variant == "slim-forky").Architectures);

            // Untouched bases keep the embedded table.
            Assert.Equal(MatrixLoader.Default.Architectures["debian:trixie-slim"].OrderBy(a => a, StringComparer.Ordinal), images.Single(i => i.Variant == "slim-trixie").Architectures);
            Assert.Equal(new[] { "amd64", "arm32v5", "arm32v7", "arm64v8", "i386", "ppc64le", "riscv64", "s390x" }, images.Single(i => i.Variant == "slim-trixie").Architectures);

            // The embedded matrix itself is not changed by a user file.
            Assert.Equal(8, MatrixLoader.Default.Architectures["buildpack-deps:trixie"].Count);
        }

        [Fact]
        public void ParseWithoutABaseTableKnowsOnlyItsOwnArchitectures()
        {
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.Parse("versions:\n  '3.14': {version: 3.14.6, variants: [trixie]}\n", "inline", null));
            Assert.Equal(MatrixErrorIds.MissingArchitectures, ex.ErrorId);
        }

        [Fact]
        public void ExcludeArchitecturesPerVersionAppliesToThatVersionOnly()
        {
            var m = Load(new[] { "versions:" }
                .Concat(Entry("3.14", "3.14.6", "trixie", "alpine3.24")).Concat(new[] { "    excludeArchitectures: [s390x, riscv64]" })
                .Concat(Entry("3.13", "3.13.14", "trixie", "alpine3.24")).ToArray());
            var images = TagRules.Compute(m);
            Assert.Equal(new[] { "amd64", "arm32v5", "arm32v7", "arm64v8", "i386", "ppc64le" }, images.Single(i => i.Directory == "3.14/trixie").Architectures);
            Assert.Equal(new[] { "amd64", "arm32v6", "arm32v7", "arm64v8", "i386", "ppc64le" }, images.Single(i => i.Directory == "3.14/alpine3.24").Architectures);
            Assert.Contains("s390x", images.Single(i => i.Directory == "3.13/trixie").Architectures);
            Assert.Contains("riscv64", images.Single(i => i.Directory == "3.13/alpine3.24").Architectures);
        }

        [Fact]
        public void TopLevelExcludeArchitecturesDefaultsToMips64le()
        {
            var byDefault = TagRules.Compute(LoadVersions(Entry("3.14", "3.14.6", "bookworm"))).Single();
            Assert.DoesNotContain("mips64le", byDefault.Architectures);
            Assert.Contains("s390x", byDefault.Architectures);

            var none = TagRules.Compute(Load(new[] { "excludeArchitectures: []", "versions:" }.Concat(Entry("3.14", "3.14.6", "bookworm")).ToArray())).Single();
            Assert.Contains("mips64le", none.Architectures);

            var custom = TagRules.Compute(Load(new[] { "excludeArchitectures: [s390x]", "versions:" }.Concat(Entry("3.14", "3.14.6", "bookworm")).ToArray())).Single();
            Assert.Contains("mips64le", custom.Architectures);
            Assert.DoesNotContain("s390x", custom.Architectures);
        }

        [Fact]
        public void ABareVersionsJsonTakesEveryOtherSettingFromTheDefaults()
        {
            var m = MatrixLoader.LoadFile(ManifestOracle.Fixture("versions-2026-06.json"));
            Assert.Null(m.Aliases);
            Assert.Equal(Matrix.DefaultRepository, m.Repository);
            Assert.Equal(new[] { "mips64le" }, m.ExcludeArchitectures);
            Assert.Equal("3,latest", Aliases(m, "3.14"));
            Assert.Equal(MatrixLoader.Default.Versions.Select(v => v.Key.Text + "=" + v.Version), m.Versions.Select(v => v.Key.Text + "=" + v.Version));
        }

        [Fact]
        public void ChecksumsSetuptoolsAndGpgKeyAreRead()
        {
            string sha = new string('A', 64);
            var m = Load("versions:", "  '3.11':", "    version: 3.11.15", $"    checksums: {{source: {{sha256: {sha}}}}}", "    setuptools: {version: 79.0.1}",
                "    gpgKey: a035c8c19219ba821ecea86b64e628f8d684696d", "    pip: {version: null}", "    variants: [trixie]");
            var v = m.Versions.Single();
            Assert.Equal(new string('a', 64), v.SourceSha256);
            Assert.Null(v.WindowsSha256);
            Assert.Equal("79.0.1", v.SetuptoolsVersion);
            Assert.Equal("A035C8C19219BA821ECEA86B64E628F8D684696D", v.GpgKey);
            Assert.Equal(2, v.Line);
        }

        [Fact]
        public void SbomAlgorithmsMergedByTheUpdaterAreAcceptedAndOnlySha256IsUsed()
        {
            var m = Load(
                "versions:",
                "  '3.12':",
                "    version: 3.12.13",
                "    checksums:",
                "      source: {sha1: 0123456789abcdef0123456789abcdef01234567, sha256: C08BC65A81971C1DD5783182826503369466C7E67374D1646519ADF05207B684}",
                "    variants: [trixie]");
            Assert.Equal("c08bc65a81971c1dd5783182826503369466c7e67374d1646519adf05207b684", m.Find("3.12")!.SourceSha256);

            var withoutSha256 = Load("versions:", "  '3.12':", "    version: 3.12.13", "    checksums:", "      source: {sha1: 0123456789abcdef0123456789abcdef01234567}", "    variants: [trixie]");
            Assert.Null(withoutSha256.Find("3.12")!.SourceSha256);
        }
    }
}
