using System;
using System.IO;
using System.Text;
using PythonImages.Engine.Registry;
using PythonImages.Publish;
using Xunit;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>The docker CLI's credential sources: config.json auths, identity tokens, credHelpers and credsStore through a
    /// docker-credential-NAME program written here (a shell script), and Docker Hub's legacy key.</summary>
    public sealed class DockerCredentialsTests : IDisposable
    {
        private readonly string dir = Directory.CreateTempSubdirectory("h13-publish-creds-").FullName;

        private CredentialEnvironment Env => new CredentialEnvironment { DockerConfig = dir, Home = dir, SearchPath = Path.Combine(dir, "bin") };

        private void Config(string json) => File.WriteAllText(Path.Combine(dir, "config.json"), json);

        private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

        /// <summary>A helper that records its argument and stdin, and answers for one server URL.</summary>
        private string Helper(string name, string server, string user, string secret)
        {
            Directory.CreateDirectory(Path.Combine(dir, "bin"));
            string path = Path.Combine(dir, "bin", "docker-credential-" + name);
            File.WriteAllText(path,
                "#!/bin/sh\n" +
                $"echo \"$1\" > '{dir}/{name}.arg'\n" +
                $"input=$(cat); printf '%s' \"$input\" > '{dir}/{name}.stdin'\n" +
                $"if [ \"$input\" = '{server}' ]; then printf '{{\"ServerURL\":\"%s\",\"Username\":\"{user}\",\"Secret\":\"{secret}\"}}' \"$input\"; exit 0; fi\n" +
                "echo 'credentials not found in native keychain'; exit 1\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
            }

            return path;
        }

        [Fact]
        public void NoConfigurationMeansNoCredential() => Assert.Null(DockerCredentials.Find("127.0.0.1:5001", Env));

        [Fact]
        public void AuthsHoldBase64UserAndPasswordUnderTheHostOrAnUrl()
        {
            Config("{\"auths\":{\"https://registry.example:5000/v1/\":{\"auth\":\"" + B64("alice:s3cret:with:colons") + "\"},\"other.example\":{\"auth\":\"" + B64("bob:x") + "\"}}}");
            var c = DockerCredentials.Find("registry.example:5000", Env)!;
            Assert.Equal("alice", c.Username);
            Assert.Equal("s3cret:with:colons", c.Secret);
            Assert.False(c.IsIdentityToken);
            Assert.DoesNotContain("s3cret", c.ToString());
            Assert.Equal("bob", DockerCredentials.Find("other.example", Env)!.Username);
            Assert.Null(DockerCredentials.Find("third.example", Env));
        }

        [Fact]
        public void AnIdentityTokenWins()
        {
            Config("{\"auths\":{\"registry.example\":{\"auth\":\"" + B64("alice:pw") + "\",\"identitytoken\":\"refresh-123\"}}}");
            var c = DockerCredentials.Find("registry.example", Env)!;
            Assert.True(c.IsIdentityToken);
            Assert.Equal("refresh-123", c.Secret);
            Assert.DoesNotContain("refresh-123", c.ToString());
        }

        [Fact]
        public void DockerHubIsLookedUpUnderItsLegacyKey()
        {
            Config("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + B64("hubuser:hubpw") + "\"}}}");
            Assert.Equal("hubuser", DockerCredentials.Find("docker.io", Env)!.Username);
            Assert.Equal("hubuser", DockerCredentials.Find("registry-1.docker.io", Env)!.Username);
        }

        [Fact]
        public void ACredentialHelperGetsTheServerOnStdinAndAnswersJson()
        {
            Helper("h13a", "registry.example:5000", "helper-user", "helper-secret");
            Config("{\"credHelpers\":{\"registry.example:5000\":\"h13a\"},\"auths\":{\"registry.example:5000\":{\"auth\":\"" + B64("file:pw") + "\"}}}");
            var c = DockerCredentials.Find("registry.example:5000", Env)!;
            Assert.Equal("helper-user", c.Username);
            Assert.Equal("helper-secret", c.Secret);
            Assert.Equal("docker-credential-h13a", c.Source);
            Assert.Equal("get", File.ReadAllText(Path.Combine(dir, "h13a.arg")).Trim());
            Assert.Equal("registry.example:5000", File.ReadAllText(Path.Combine(dir, "h13a.stdin")));
        }

        [Fact]
        public void TheCredsStoreServesEveryRegistryAndFallsBackToAuthsWhenItHasNothing()
        {
            Helper("h13store", "https://index.docker.io/v1/", "<token>", "hub-identity-token");
            Config("{\"credsStore\":\"h13store\",\"auths\":{\"registry.example\":{\"auth\":\"" + B64("file:pw") + "\"}}}");
            var hub = DockerCredentials.Find("docker.io", Env)!;
            Assert.True(hub.IsIdentityToken);
            Assert.Equal("hub-identity-token", hub.Secret);
            Assert.Equal("https://index.docker.io/v1/", File.ReadAllText(Path.Combine(dir, "h13store.stdin")));
            Assert.Equal("file", DockerCredentials.Find("registry.example", Env)!.Username);
        }

        [Fact]
        public void AMissingHelperIsCredentialHelperFailed()
        {
            Config("{\"credHelpers\":{\"registry.example\":\"h13-not-installed\"}}");
            var ex = Assert.Throws<RegistryException>(() => DockerCredentials.Find("registry.example", Env));
            Assert.Equal(PublishErrorIds.CredentialHelperFailed, ex.ErrorId);
            Assert.Contains("docker-credential-h13-not-installed", ex.Message);
        }

        [Fact]
        public void AHelperNameThatIsNotAProgramNameIsRefused()
        {
            Config("{\"credsStore\":\"../../bin/sh\"}");
            var ex = Assert.Throws<RegistryException>(() => DockerCredentials.Find("registry.example", Env));
            Assert.Equal(PublishErrorIds.InvalidDockerConfig, ex.ErrorId);
        }

        [Fact]
        public void AMalformedConfigIsInvalidDockerConfigWithoutItsText()
        {
            Config("{\"auths\":{\"registry.example\":{\"auth\":\"" + B64("alice:leaky-secret") + "\"}},,, broken");
            var ex = Assert.Throws<RegistryException>(() => DockerCredentials.Find("registry.example", Env));
            Assert.Equal(PublishErrorIds.InvalidDockerConfig, ex.ErrorId);
            Assert.Contains(Path.Combine(dir, "config.json"), ex.Message);
            Assert.DoesNotContain(B64("alice:leaky-secret"), ex.ToString());

            Config("{\"auths\":{\"registry.example\":{\"auth\":\"not base64!\"}}}");
            var bad = Assert.Throws<RegistryException>(() => DockerCredentials.Find("registry.example", Env));
            Assert.Equal(PublishErrorIds.InvalidDockerConfig, bad.ErrorId);
        }

        public void Dispose() => Directory.Delete(dir, true);
    }
}
