using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using PythonImages.Builds;
using PythonImages.Engine.Registry;
using Xunit;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>Which logins a build sends (only the registries its FROM lines name), and how they reach the engine.</summary>
    public sealed class BuildRegistryLoginsTests : IDisposable
    {
        private const string Secret = "s4-build-secret-+/+/?>?>";
        private readonly string dir = Directory.CreateTempSubdirectory("s4-publish-logins-").FullName;
        private readonly List<string> notes = new List<string>();
        private readonly List<string> warnings = new List<string>();

        private CredentialEnvironment Env => new CredentialEnvironment { DockerConfig = dir, Home = dir, SearchPath = Path.Combine(dir, "bin") };

        private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

        private string Dockerfile(string text)
        {
            string path = Path.Combine(dir, "Dockerfile." + Guid.NewGuid().ToString("N")[..6]);
            File.WriteAllText(path, text);
            return path;
        }

        private IReadOnlyList<BuildRegistryLogin> For(BuildRegistryLogins logins, string dockerfile, IDictionary<string, string>? args = null) =>
            logins.For(Dockerfile(dockerfile), args, notes.Add, warnings.Add);

        [Fact]
        public void OnlyTheRegistriesTheFromLinesNameGetTheirConfiguredLogins()
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), "{\"auths\":{" +
                "\"https://index.docker.io/v1/\":{\"auth\":\"" + B64("hub-user:" + Secret) + "\"}," +
                "\"registry.example:5000\":{\"auth\":\"" + B64("private-user:" + Secret) + "\"}," +
                "\"other.example\":{\"auth\":\"" + B64("other-user:" + Secret) + "\"}}}");
            var logins = new BuildRegistryLogins(null, null, Env);

            var found = For(logins, "FROM registry.example:5000/hub/debian:trixie AS a\nFROM debian:trixie-slim\nFROM scratch\n");
            Assert.Equal(new[] { "registry.example:5000: private-user (auths in " + Path.Combine(dir, "config.json") + ")", "docker.io: hub-user (auths in " + Path.Combine(dir, "config.json") + ")" }, found.Select(l => l.ToString()));
            Assert.Equal(new[] { "registry.example:5000", DockerCredentials.DockerHubKey }, found.Select(l => l.ServerAddress));
            Assert.Empty(For(logins, "FROM scratch\nCOPY x /x\n"));
            Assert.Empty(For(logins, "FROM unknown.example/x:1\n"));
            Assert.Contains("Base images from unknown.example: pulled without a login.", notes);
            Assert.Empty(warnings);
            Assert.DoesNotContain(notes, n => n.Contains(Secret, StringComparison.Ordinal));
        }

        [Fact]
        public void CredentialGoesToTheOneRegistryOfTheDockerfileOrToItsNamedRegistry()
        {
            var credential = new RegistryCredential("given-user", Secret, "-Credential");
            var single = new BuildRegistryLogins(credential, null, Env);
            var login = Assert.Single(For(single, "ARG R=registry.example:5000\nFROM ${R}/base:1\n"));
            Assert.Equal("registry.example:5000", login.Registry);
            Assert.Same(credential, login.Credential);

            var ambiguous = Assert.Throws<BuildLoginException>(() => For(single, "FROM registry.example:5000/base:1 AS a\nFROM debian:trixie\n"));
            Assert.Equal(ImageBuildErrorIds.CredentialRegistryAmbiguous, ambiguous.ErrorId);
            Assert.Contains("registry.example:5000, docker.io", ambiguous.Message);
            Assert.Contains("-CredentialRegistry", ambiguous.RecommendedAction);

            var named = new BuildRegistryLogins(credential, "Registry.Example:5000", Env);
            Assert.Equal(new[] { "registry.example:5000" }, For(named, "FROM registry.example:5000/base:1 AS a\nFROM debian:trixie\n").Select(l => l.Registry));
            Assert.Empty(For(named, "FROM debian:trixie\n"));
            Assert.Contains(notes, n => n.StartsWith("-Credential is for registry.example:5000, which no FROM line of ", StringComparison.Ordinal));

            var hub = new BuildRegistryLogins(credential, "docker.io", Env);
            Assert.Equal(DockerCredentials.DockerHubKey, Assert.Single(For(hub, "FROM index.docker.io/library/debian:trixie\n")).ServerAddress);
            Assert.DoesNotContain(notes, n => n.Contains(Secret, StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("https://registry.example")]
        [InlineData("registry.example/team")]
        [InlineData("registry.example;id")]
        [InlineData("user@registry.example")]
        public void ACredentialRegistryThatIsNoHostIsRefused(string registry)
        {
            var ex = Assert.Throws<BuildLoginException>(() => new BuildRegistryLogins(new RegistryCredential("u", Secret, "-Credential"), registry, Env));
            Assert.Equal(ImageBuildErrorIds.InvalidCredentialRegistry, ex.ErrorId);
        }

        [Fact]
        public void AConfigurationThatCannotBeUsedIsOneWarningPerRegistryAndTheBuildPullsWithoutALogin()
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), "{\"credsStore\":\"s4-missing-helper\"}");
            var logins = new BuildRegistryLogins(null, null, Env);
            Assert.Empty(For(logins, "FROM registry.example/x:1\n"));
            Assert.Empty(For(logins, "FROM registry.example/y:1\n"));
            var warning = Assert.Single(warnings);
            Assert.Contains("registry.example", warning);
            Assert.Contains("docker-credential-s4-missing-helper", warning);
        }

        [Fact]
        public void TheEngineHeaderIsBase64UrlJsonOfTheLoginsByServerAddress()
        {
            Assert.Null(DockerEngine.BuildLoginHeaders(null));
            Assert.Null(DockerEngine.BuildLoginHeaders(Array.Empty<BuildRegistryLogin>()));
            var headers = DockerEngine.BuildLoginHeaders(new[]
            {
                new BuildRegistryLogin("127.0.0.1:5001", new RegistryCredential("u1", Secret, "-Credential")),
                new BuildRegistryLogin("docker.io", new RegistryCredential("<token>", "s4-refresh-token", "helper", isIdentityToken: true)),
            })!;
            string value = Assert.Single(headers).Value;
            Assert.Equal("X-Registry-Config", headers.Keys.Single());
            Assert.DoesNotContain("+", value, StringComparison.Ordinal);
            Assert.DoesNotContain("/", value, StringComparison.Ordinal);
            byte[] json = Convert.FromBase64String(value.Replace('-', '+').Replace('_', '/'));
            Assert.True(Convert.ToBase64String(json).IndexOfAny(new[] { '+', '/' }) >= 0, "the logins must be ones whose standard base64 holds '+' or '/'");
            using var doc = JsonDocument.Parse(json);
            var local = doc.RootElement.GetProperty("127.0.0.1:5001");
            Assert.Equal("u1", local.GetProperty("username").GetString());
            Assert.Equal(Secret, local.GetProperty("password").GetString());
            Assert.Equal("127.0.0.1:5001", local.GetProperty("serveraddress").GetString());
            var hub = doc.RootElement.GetProperty(DockerCredentials.DockerHubKey);
            Assert.Equal("s4-refresh-token", hub.GetProperty("identitytoken").GetString());
            Assert.False(hub.TryGetProperty("password", out _));
        }

        public void Dispose() => Directory.Delete(dir, true);
    }
}
