using PythonImages.Security;
using Xunit;

namespace PythonImages.Tests.Security
{
    /// <summary>Docker's reading of a reference's first component (registry host or Docker Hub namespace), the module's one.</summary>
    public class RegistryHostRuleTests
    {
        [Theory]
        [InlineData("localhost", true)]
        [InlineData("localhost:5000", true)]
        [InlineData("[::1]:5000", true)]
        [InlineData("[::1]", true)]
        [InlineData("[fe80::1]:443", true)]
        [InlineData("my.registry", true)]
        [InlineData("127.0.0.1:5000", true)]
        [InlineData("Registry", true)]
        [InlineData("library", false)]
        [InlineData("user", false)]
        [InlineData("localhostx", false)]
        [InlineData("[ab]", false)]
        public void TheFirstComponentNamesAHostByDockersRule(string first, bool host) =>
            Assert.Equal(host, ImageReference.NamesRegistryHost(first));

        [Theory]
        [InlineData("localhost/python:3.14", "localhost", "python")]
        [InlineData("localhost:5000/library/python:3.14", "localhost:5000", "library/python")]
        [InlineData("[::1]:5000/library/python:3.14", "[::1]:5000", "library/python")]
        [InlineData("my.registry/python:3.14", "my.registry", "python")]
        [InlineData("library/python:3.14", null, "library/python")]
        [InlineData("user/repo:1", null, "user/repo")]
        public void AReferenceSplitsItsRegistryByThatRule(string text, string? registry, string path)
        {
            var reference = ImageReference.Parse(text);
            Assert.Equal(registry, reference.Registry);
            Assert.Equal(path, reference.Path);
        }
    }
}
