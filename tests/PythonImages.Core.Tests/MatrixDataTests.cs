using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>The embedded matrix as build-time data (MatrixData): it reads back as exactly what parsing the YAML gives.</summary>
    public sealed class MatrixDataTests
    {
        private static string EmbeddedYaml()
        {
            using var stream = typeof(MatrixLoader).Assembly.GetManifestResourceStream("PythonImages.matrix.yaml")!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        private static Matrix RoundTrip(Matrix matrix)
        {
            using var buffer = new MemoryStream();
            MatrixData.Write(matrix, buffer);
            buffer.Position = 0;
            return MatrixData.Read(buffer, "(data)");
        }

        /// <summary>Every field the module uses, one line each, in a fixed order.</summary>
        internal static List<string> Describe(Matrix m)
        {
            var lines = new List<string>
            {
                "repository " + m.Repository,
                "maintainers " + string.Join("|", m.Maintainers),
                "exclude " + string.Join(",", m.ExcludeArchitectures),
                "aliases " + (m.Aliases == null ? "(default rule)" : string.Join(";", m.Aliases.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + string.Join(",", kv.Value)))),
            };
            lines.AddRange(m.Architectures.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => "arch " + kv.Key + "=" + string.Join(",", kv.Value)));
            foreach (var v in m.Versions)
            {
                lines.Add($"version {v.Key.Text} {v.Version.Text} line {v.Line} src {v.SourceSha256} win {v.WindowsSha256} setuptools {v.SetuptoolsVersion} gpg {v.GpgKey} exclude {string.Join(",", v.ExcludeArchitectures)} aliases {string.Join(",", m.AliasesFor(v.Key))}");
                lines.AddRange(v.Variants.Select(x => $"  variant {x.Path} {x.Name} {x.Family} {x.OS} {x.Distro} {x.BaseImage}"));
            }

            foreach (var image in TagRules.Compute(m))
            {
                lines.Add($"image {image.Directory} {image.Version} {image.BaseImage} tags {string.Join(",", image.Tags)} shared {string.Join(",", image.SharedTags)} arch {string.Join(",", image.Architectures)} constraints {string.Join(",", image.Constraints)} builder {image.Builder}");
            }

            return lines;
        }

        [Fact]
        public void TheEmbeddedMatrixReadsBackAsParsed()
        {
            var parsed = MatrixLoader.Parse(EmbeddedYaml(), MatrixLoader.EmbeddedSource, null);
            var data = RoundTrip(parsed);
            Assert.Equal(Describe(parsed), Describe(data));
            Assert.Equal(42, TagRules.Compute(data).Count);
        }

        [Fact]
        public void ExplicitAliasesSetuptoolsGpgKeysAndExclusionsSurvive()
        {
            string sha = new string('a', 64);
            var parsed = MatrixLoader.Parse(
                string.Join(
                    "\n",
                    "aliases: {'3.9': ['3', latest]}",
                    "excludeArchitectures: [s390x]",
                    "versions:",
                    "  '3.9':",
                    "    version: 3.9.20",
                    $"    checksums: {{source: {{sha256: {sha}}}}}",
                    "    setuptools: {version: 58.1.0}",
                    "    gpgKey: E3FF2839C048B25C084DEBE9B26995E310250568",
                    "    excludeArchitectures: [i386]",
                    "    variants: [bookworm, slim-bookworm, alpine3.23, windows/windowsservercore-ltsc2022]",
                    "  '3.10-rc':",
                    "    version: 3.10.0rc2",
                    "    variants: [bookworm]"),
                "x.yaml",
                MatrixLoader.Default.Architectures);
            var data = RoundTrip(parsed);
            Assert.Equal(Describe(parsed), Describe(data));
            Assert.Contains(Describe(data), l => l.Contains("setuptools 58.1.0 gpg E3FF2839C048B25C084DEBE9B26995E310250568 exclude i386", StringComparison.Ordinal));
        }

        [Fact]
        public void DataOfAnotherFormatIsRefused()
        {
            using var buffer = new MemoryStream(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
            Assert.Throws<InvalidDataException>(() => MatrixData.Read(buffer, "(data)"));
        }

        [Fact]
        public void WithoutTheDataFileTheYamlIsParsed()
        {
            string dir = Path.Combine(Path.GetTempPath(), "h16-matrixdata-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                Assert.Null(MatrixData.TryReadBeside(Path.Combine(dir, "PythonImages.Core.dll"), "(data)"));
                var parsed = MatrixLoader.Parse(EmbeddedYaml(), MatrixLoader.EmbeddedSource, null);
                using (var file = File.Create(Path.Combine(dir, MatrixData.FileName)))
                {
                    MatrixData.Write(parsed, file);
                }

                var read = MatrixData.TryReadBeside(Path.Combine(dir, "PythonImages.Core.dll"), "(data)");
                Assert.NotNull(read);
                Assert.Equal(Describe(parsed), Describe(read!));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
