using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Engine.Registry;
using PythonImages.Publish;
using Xunit;
using static PythonImages.Engine.Tests.Registry.RegistryFixtures;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>The registry client's answers to a 401's challenges and to redirects, against scripted registries on loopback.</summary>
    public class ChallengeAndRedirectTests
    {
        private const string Password = "r2-password-5c4b3a";
        private const string Blob = "{\"architecture\":\"amd64\",\"os\":\"linux\"}";
        private static readonly string Basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("r2-user:" + Password));

        private static RegistryCredential Login => new RegistryCredential("r2-user", Password, "test");

        /// <summary>
        /// A registry whose manifests need the token of its token server (/token, for the Basic login) and whose 401 offers
        /// <paramref name="challenge"/> ({0} is the token server's address).
        /// </summary>
        private static ScriptedRegistry TokenRegistry(string challenge)
        {
            ScriptedRegistry server = null!;
            server = new ScriptedRegistry(r =>
            {
                string path = r.Url!.AbsolutePath;
                string auth = r.Headers["Authorization"] ?? string.Empty;
                if (path == "/v2/")
                {
                    return ScriptedRegistry.Answer(200, "application/json", "{}");
                }

                if (path == "/token")
                {
                    return auth == Basic ? ScriptedRegistry.Answer(200, "application/json", "{\"token\":\"r2-token\"}") : ScriptedRegistry.Answer(401, "application/json", "{}");
                }

                return auth == "Bearer r2-token"
                    ? ScriptedRegistry.Answer(404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"unknown\"}]}")
                    : ScriptedRegistry.Answer(401, "application/json", "{}", new Dictionary<string, string> { ["WWW-Authenticate"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, challenge, $"http://{server.Host}/token") });
            });
            return server;
        }

        /// <summary>Offered Basic first and Bearer second, the client logs in through the token server: the password never goes to the registry itself.</summary>
        [Fact]
        public async Task ABearerChallengeIsPreferredToABasicOneOfferedFirst()
        {
            using var server = TokenRegistry("Basic realm=\"r2\", Bearer realm=\"{0}\",service=\"r2-test\"");
            using var client = RegistryClient.Create(server.Host, Options(Login));
            Assert.Null(await client.GetManifestAsync("team/app", "1.0", CancellationToken.None));
            Assert.Contains(server.Requests, q => q.StartsWith("GET /token?service=r2-test&scope=repository%3Ateam%2Fapp%3Apull auth=Basic ", StringComparison.Ordinal));
            Assert.DoesNotContain(server.Requests, q => q.StartsWith("GET /v2/team/", StringComparison.Ordinal) && q.Contains("auth=Basic", StringComparison.Ordinal));
        }

        /// <summary>Challenges in separate WWW-Authenticate headers: Bearer is chosen wherever it stands; Basic before an unknown scheme.</summary>
        [Fact]
        public void ThePreferredChallengeIsBearerThenBasic()
        {
            using var response = new HttpResponseMessage();
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Negotiate");
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Basic realm=\"r2\"");
            Assert.Equal("Basic", RegistryClient.PreferredChallenge(response.Headers.WwwAuthenticate)!.Scheme);
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer realm=\"https://auth.example/token\"");
            Assert.Equal("Bearer", RegistryClient.PreferredChallenge(response.Headers.WwwAuthenticate)!.Scheme);
            Assert.Null(RegistryClient.PreferredChallenge(Array.Empty<System.Net.Http.Headers.AuthenticationHeaderValue>()));
        }

        /// <summary>realm = "…": spaces around '=' are allowed in a challenge's parameters (RFC 9110's BWS).</summary>
        [Fact]
        public async Task ChallengeParametersMayHaveSpacesAroundTheEqualsSign()
        {
            var p = RegistryClient.ChallengeParameters("realm = \"https://auth.example/token\" , service= \"r2, test\",scope =repository:a/b:pull");
            Assert.Equal("https://auth.example/token", p["realm"]);
            Assert.Equal("r2, test", p["service"]);
            Assert.Equal("repository:a/b:pull", p["scope"]);

            using var server = TokenRegistry("Bearer realm = \"{0}\" , service = \"r2-test\"");
            using var client = RegistryClient.Create(server.Host, Options(Login));
            Assert.Null(await client.GetManifestAsync("team/app", "1.0", CancellationToken.None));
            Assert.Contains(server.Requests, q => q.StartsWith("GET /token?service=r2-test&", StringComparison.Ordinal));
        }

        /// <summary>A blob read follows every redirect status to its storage, without credentials; 303 asks with GET as HTTP says.</summary>
        [Theory]
        [InlineData(301)]
        [InlineData(302)]
        [InlineData(303)]
        [InlineData(307)]
        [InlineData(308)]
        public async Task ABlobReadFollowsEveryRedirectWithoutCredentials(int status)
        {
            using var storage = new ScriptedRegistry(_ => ScriptedRegistry.Answer(200, "application/octet-stream", Blob));
            using var server = new ScriptedRegistry(r => r.Url!.AbsolutePath == "/v2/"
                ? ScriptedRegistry.Answer(200, "application/json", "{}")
                : ScriptedRegistry.Answer(status, "text/plain", string.Empty, new Dictionary<string, string> { ["Location"] = $"http://{storage.Host}/blob?sig=r2" }));
            using var client = RegistryClient.Create(server.Host, Options(Login));
            byte[] read = await client.GetBlobAsync("team/app", Dg(Blob), CancellationToken.None);
            Assert.Equal(Blob, Encoding.UTF8.GetString(read));
            Assert.Equal("GET /blob?sig=r2 auth=", Assert.Single(storage.Requests));
        }

        /// <summary>A redirect to plain HTTP off loopback is refused for 303 and 308 as for the others: nothing is sent there.</summary>
        [Theory]
        [InlineData(303)]
        [InlineData(308)]
        public async Task ABlobRedirectToPlainHttpOffLoopbackIsRefused(int status)
        {
            using var server = new ScriptedRegistry(r => r.Url!.AbsolutePath == "/v2/"
                ? ScriptedRegistry.Answer(200, "application/json", "{}")
                : ScriptedRegistry.Answer(status, "text/plain", string.Empty, new Dictionary<string, string> { ["Location"] = "http://storage.example/blob" }));
            using var client = RegistryClient.Create(server.Host, Options(Login));
            var ex = await Assert.ThrowsAsync<RegistryException>(() => client.GetBlobAsync("team/app", Dg(Blob), CancellationToken.None));
            Assert.Equal(PublishErrorIds.RegistryError, ex.ErrorId);
            Assert.Contains("plain-HTTP", ex.Message);
        }

        /// <summary>A redirected write is refused, not followed: a 303 would drop the manifest, a 307/308 send it elsewhere.</summary>
        [Theory]
        [InlineData(303)]
        [InlineData(307)]
        [InlineData(308)]
        public async Task ARedirectedWriteIsRefusedClearlyAndNotFollowed(int status)
        {
            using var storage = new ScriptedRegistry(_ => ScriptedRegistry.Answer(201, "text/plain", string.Empty));
            using var server = new ScriptedRegistry(r => r.Url!.AbsolutePath == "/v2/"
                ? ScriptedRegistry.Answer(200, "application/json", "{}")
                : ScriptedRegistry.Answer(status, "text/plain", string.Empty, new Dictionary<string, string> { ["Location"] = $"http://{storage.Host}/elsewhere" }));
            using var client = RegistryClient.Create(server.Host, Options(Login));
            var ex = await Assert.ThrowsAsync<RegistryException>(() => client.PutManifestAsync("team/app", "1.0", MediaTypes.OciManifest, Encoding.UTF8.GetBytes(ImageManifest(Blob)), CancellationToken.None));
            Assert.Equal(PublishErrorIds.RegistryError, ex.ErrorId);
            Assert.Contains($"PUT /v2/team/app/manifests/1.0 with a redirect (HTTP {status}), which was not followed: a write is not redirected", ex.Message);
            Assert.Empty(storage.Requests);
        }
    }
}
