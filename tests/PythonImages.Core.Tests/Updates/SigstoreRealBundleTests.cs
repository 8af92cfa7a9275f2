using System;
using System.IO;
using System.Text;
using PythonImages.Updates;
using PythonImages.Updates.Sigstore;
using Xunit;

namespace PythonImages.Tests.Updates
{
    /// <summary>
    /// The verifier against a real python.org bundle (Python-3.12.5.tgz.sigstore, signed by the 3.12 release manager on
    /// the public-good instance in August 2024) and the embedded public-good trust root: the test instance is not the
    /// only thing the verifier understands.
    /// </summary>
    public sealed class SigstoreRealBundleTests
    {
        private static byte[] Bundle() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "update", "Python-3.12.5.tgz.sigstore"));

        [Fact]
        public void ARealPythonOrgBundleVerifiesWithTheEmbeddedRoot()
        {
            var v = new SigstoreVerifier(TrustedRoot.PublicGood).Verify(Bundle(), "Python-3.12.5.tgz", SignerIdentities.For("3.12", null));
            Assert.Equal("38dc4e2c261d49c6611960" + "66edbfb70fdb16be4a79cc8220c224dfeb5636d405", v.Sha256);
            Assert.Equal("thomas@python.org", v.Email);
            Assert.Equal("https://accounts.google.com", v.Issuer);
            Assert.Equal(new DateTime(2024, 8, 6, 20, 32, 47, DateTimeKind.Utc), v.SignedAt);
        }

        [Fact]
        public void TheSameBundleIsNotTheReleaseManagerOfAnotherSeries()
        {
            var ex = Assert.Throws<UpdateException>(() => new SigstoreVerifier(TrustedRoot.PublicGood).Verify(Bundle(), "Python-3.12.5.tgz", SignerIdentities.For("3.14", null)));
            Assert.Equal(UpdateErrorIds.IdentityMismatch, ex.ErrorId);
        }

        [Fact]
        public void OneChangedDigestByteBreaksIt()
        {
            string text = Encoding.UTF8.GetString(Bundle()).Replace("\"digest\": \"ONxOLCYd", "\"digest\": \"ONxOLCYe");
            var ex = Assert.Throws<UpdateException>(() => new SigstoreVerifier(TrustedRoot.PublicGood).Verify(Encoding.UTF8.GetBytes(text), "Python-3.12.5.tgz", SignerIdentities.For("3.12", null)));
            Assert.Equal(UpdateErrorIds.SignatureInvalid, ex.ErrorId);
        }

        [Fact]
        public void TheEmbeddedRootHasTheFulcioAuthoritiesAndTheRekorKey()
        {
            var root = TrustedRoot.PublicGood;
            Assert.Equal(2, root.Authorities.Count);
            Assert.Contains(root.Authorities, a => a.Chain.Count == 2);
            Assert.Equal("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=", Convert.ToBase64String(Assert.Single(root.Logs).KeyId));
        }
    }
}
