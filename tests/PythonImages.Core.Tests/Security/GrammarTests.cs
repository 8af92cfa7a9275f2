using System;
using PythonImages.Security;
using Xunit;

namespace PythonImages.Tests.Security
{
    public class GrammarTests
    {
        [Theory]
        [InlineData("3.14.6", true)]
        [InlineData("3.15.0b3", true)]
        [InlineData("3.15.0rc1", true)]
        [InlineData("3.14.6\n", false)]
        [InlineData("3.14.6\r", false)]
        [InlineData(" 3.14.6", false)]
        [InlineData("3.14", false)]
        [InlineData("03.14.6", false)]
        [InlineData("99999999999.1.1", false)]
        public void PythonVersion(string value, bool valid) => Assert.Equal(valid, InputGrammar.PythonVersion.IsMatch(value));

        [Theory]
        [InlineData("79.0.1", true)]
        [InlineData("25.1.1", true)]
        [InlineData("1.0rc1.post2.dev3", true)]
        [InlineData("79.0.1' 'x'; true", false)]
        [InlineData("79.0.1\nRUN touch /pwned", false)]
        [InlineData("79.0.1\n", false)]
        [InlineData("$(id)", false)]
        public void PackageVersion(string value, bool valid) => Assert.Equal(valid, InputGrammar.PackageVersion.IsMatch(value));

        [Theory]
        [InlineData("latest", true)]
        [InlineData("3.14-slim-trixie", true)]
        [InlineData("_x", true)]
        [InlineData("foo bar", false)]
        [InlineData("../x", false)]
        [InlineData("-x", false)]
        [InlineData("x\n", false)]
        public void DockerTag(string value, bool valid) => Assert.Equal(valid, InputGrammar.DockerTag.IsMatch(value));

        [Theory]
        [InlineData(".", true)]
        [InlineData("3.14/trixie", true)]
        [InlineData("3.14/windows/windowsservercore-ltsc2025", true)]
        [InlineData("../../etc", false)]
        [InlineData("3.14/../x", false)]
        [InlineData("3.14/./x", false)]
        [InlineData("/etc", false)]
        [InlineData("a/", false)]
        [InlineData("a//b", false)]
        [InlineData("a\0b", false)]
        [InlineData("[x](javascript:alert(1))", false)]
        [InlineData("<b>x</b>", false)]
        [InlineData("..foo", true)]
        public void RelativeDirectory(string value, bool valid) => Assert.Equal(valid, InputGrammar.RelativeDirectory.IsMatch(value));

        [Fact]
        public void WhyNeverEchoesControlCharacters()
        {
            string? why = InputGrammar.Sha256.Why(new string('a', 63) + "\u2028");
            Assert.NotNull(why);
            Assert.Contains("U+2028", why);
            Assert.DoesNotContain("\u2028", why);
        }

        [Theory]
        [InlineData("http://m/$(touch /tmp/pwned)/", "'http://m/$(touch /tmp/pwned)/'")]
        [InlineData("a'b", "'a'\\''b'")]
        [InlineData("", "''")]
        public void PosixShellQuoting(string value, string expected) => Assert.Equal(expected, Quoting.PosixShell(value));

        [Fact]
        public void PowerShellQuotingDoublesTypographicQuotes() =>
            Assert.Equal("'a''b\u2019\u2019c'", Quoting.PowerShell("a'b\u2019c"));

        [Theory]
        [InlineData("a\nb")]
        [InlineData("a\rb")]
        [InlineData("a\u2028b")]
        [InlineData("a\0b")]
        public void QuotingRefusesLineBreaks(string value)
        {
            Assert.Throws<ArgumentException>(() => Quoting.PosixShell(value));
            Assert.Throws<ArgumentException>(() => Quoting.PowerShell(value));
        }

        [Theory]
        [InlineData("python", null, "python", null)]
        [InlineData("python:3.14", null, "python", "3.14")]
        [InlineData("library/python:3.14-slim", null, "library/python", "3.14-slim")]
        [InlineData("localhost:5000/library/python:3", "localhost:5000", "library/python", "3")]
        [InlineData("registry.example.com/a/b", "registry.example.com", "a/b", null)]
        [InlineData("[::1]:5000/x:y", "[::1]:5000", "x", "y")]
        public void ReferencesParse(string text, string? registry, string path, string? tag)
        {
            var r = ImageReference.Parse(text);
            Assert.Equal(registry, r.Registry);
            Assert.Equal(path, r.Path);
            Assert.Equal(tag, r.Tag);
            Assert.Equal(text, r.ToString());
        }

        [Theory]
        [InlineData("Bad Tag!")]
        [InlineData("python:Bad Tag!")]
        [InlineData("Python:3")]
        [InlineData("python:")]
        [InlineData("python:3\n")]
        [InlineData("a//b")]
        [InlineData("python@sha256:abc")]
        [InlineData("")]
        public void InvalidReferencesAreRefused(string text) => Assert.False(ImageReference.TryParse(text, out _));

        [Fact]
        public void BareTagsGoUnderTheRepository()
        {
            Assert.Equal("python:x", ImageReference.FromTagOrReference("x", "python").ToString());
            Assert.Equal("me/app:1", ImageReference.FromTagOrReference("me/app:1", "python").ToString());
            var ex = Assert.Throws<InputRejectedException>(() => ImageReference.FromTagOrReference("Bad Tag!", "python"));
            Assert.Equal("ImageReference.Invalid", ex.ErrorId);
        }

        [Fact]
        public void InRegistryMovesTheLastComponent() =>
            Assert.Equal("localhost:5000/library/python:3.14-slim-trixie",
                ImageReference.Parse("python:3.14-slim-trixie").InRegistry("localhost:5000/library").ToString());

        [Theory]
        [InlineData("https://mirror.example/python/", false, null)]
        [InlineData("http://m/$(touch${IFS}/tmp/pwned)/", true, null)]
        [InlineData("http://m/$(touch /tmp/pwned)/", true, "Invalid")]
        [InlineData("http://m/x/", false, "Insecure")]
        [InlineData("ftp://m/x/", true, "Invalid")]
        [InlineData("file:///etc/", true, "Invalid")]
        [InlineData("https://user:pw@m/x/", true, "Invalid")]
        [InlineData("https://m/x\n/", true, "Invalid")]
        [InlineData("https://m/x y/", true, "Invalid")]
        [InlineData("relative/path", true, "Invalid")]
        public void SourceUris(string text, bool allowInsecure, string? error)
        {
            try
            {
                SourceUri.Parse(text, SourceUri.DownloadSchemes, allowInsecure, "Invalid", "Insecure", "The mirror");
                Assert.Null(error);
            }
            catch (InputRejectedException ex)
            {
                Assert.Equal(error, ex.ErrorId);
                Assert.DoesNotContain("pw", ex.Message);
            }
        }
    }
}
