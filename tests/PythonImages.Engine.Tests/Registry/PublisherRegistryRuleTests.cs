using PythonImages.Engine.Registry;
using PythonImages.Publish;
using PythonImages.Security;
using Xunit;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>
    /// Publish-PythonImage -Registry reads its host by the module's one rule (ImageReference.NamesRegistryHost): what it
    /// takes for a host is what a reference it pushes to is read with, and what -BaseImageRegistry takes.
    /// </summary>
    public class PublisherRegistryRuleTests
    {
        [Theory]
        [InlineData("localhost", "localhost", "")]
        [InlineData("localhost/library", "localhost", "library")]
        [InlineData("localhost:5000", "localhost:5000", "")]
        [InlineData("localhost:5000/library/", "localhost:5000", "library")]
        [InlineData("[::1]:5000/library", "[::1]:5000", "library")]
        [InlineData("[::1]/library", "[::1]", "library")]
        [InlineData("my.registry/hub/python", "my.registry", "hub/python")]
        [InlineData("Registry/library", "Registry", "library")]
        public void AHostIsTakenWithItsNamespace(string prefix, string host, string ns)
        {
            Assert.Equal(host, ImagePublisher.ParseRegistry(prefix, out string namespacePath));
            Assert.Equal(ns, namespacePath);
            Assert.True(ImageReference.NamesRegistryHost(host));
            Assert.Equal(host, ImageReference.Parse(prefix.TrimEnd('/') + "/python:3.14").Registry);
        }

        [Theory]
        [InlineData("library/python")]
        [InlineData("user/repo")]
        [InlineData("library")]
        [InlineData("[ab]/library")]
        public void ADockerHubNamespaceIsRefused(string prefix)
        {
            var ex = Assert.Throws<RegistryException>(() => ImagePublisher.ParseRegistry(prefix, out _));
            Assert.Equal(PublishErrorIds.InvalidRegistry, ex.ErrorId);
            Assert.Contains("does not start with a registry host", ex.Message, System.StringComparison.Ordinal);
            Assert.False(ImageReference.NamesRegistryHost(prefix.Split('/')[0]));
        }
    }
}
