using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using PythonImages.Tests.BadInput;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>Two tiny images FROM scratch, one linux/amd64 and one linux/arm64, under a unique repository name.</summary>
    public sealed class PublishImages : IDisposable
    {
        private readonly string context;

        public PublishImages()
        {
            Repository = "h13-publish-" + Guid.NewGuid().ToString("N")[..8];
            if (!DockerProbe.Available)
            {
                context = string.Empty;
                return;
            }

            context = Directory.CreateTempSubdirectory("h13-publish-ctx-").FullName;
            File.WriteAllText(Path.Combine(context, "stamp"), Repository + "\n");
            File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY stamp /stamp\n");
            Build(Amd64, "linux/amd64");
            Build(Arm64, "linux/arm64");
            AmdId = Id(Amd64);
            ArmId = Id(Arm64);
        }

        public string Repository { get; }

        public string Amd64 => Repository + ":amd64";

        public string Arm64 => Repository + ":arm64";

        public string AmdId { get; } = string.Empty;

        public string ArmId { get; } = string.Empty;

        private void Build(string tag, string platform)
        {
            var (code, output) = FakePythonImages.Docker("build", "--network", "host", "--no-cache", "-q", "--platform", platform, "-t", tag, context);
            Assert.True(code == 0, "docker build " + tag + " failed: " + output);
        }

        public static string Id(string image) => FakePythonImages.Docker("image", "inspect", "--format", "{{.Id}}", image).Output.Trim();

        public void Dispose()
        {
            if (context.Length == 0)
            {
                return;
            }

            // Every tag the tests made of these images, local and registry references alike.
            var (_, tags) = FakePythonImages.Docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}");
            foreach (var t in tags.Split('\n').Select(x => x.Trim()).Where(x => x.Contains(Repository, StringComparison.Ordinal)))
            {
                FakePythonImages.Docker("rmi", "-f", t);
            }

            var (_, digests) = FakePythonImages.Docker("image", "ls", "--digests", "--format", "{{.Repository}}@{{.Digest}}");
            foreach (var d in digests.Split('\n').Select(x => x.Trim()).Where(x => x.Contains(Repository, StringComparison.Ordinal) && x.Contains("@sha256:", StringComparison.Ordinal)))
            {
                FakePythonImages.Docker("rmi", "-f", d);
            }

            Directory.Delete(context, true);
        }
    }

    /// <summary>Reads what a registry stores, through the distribution API (basic auth and the test CA for the auth registry).</summary>
    internal sealed class RegistryReader : IDisposable
    {
        private readonly HttpClient http;
        private readonly string baseUri;

        public RegistryReader(string registry, (string User, string Password)? login = null)
        {
            var handler = new HttpClientHandler();
            if (login != null)
            {
                var ca = X509CertificateLoader.LoadCertificateFromFile(TestRegistries.CaFile);
                handler.ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return cert != null && chain.Build(cert);
                };
            }

            http = new HttpClient(handler);
            if (login is { } l)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(l.User + ":" + l.Password)));
            }

            baseUri = (login != null ? "https://" : "http://") + registry;
        }

        /// <summary>Status, media type and body of a manifest.</summary>
        public (int Status, string? MediaType, string Body) Manifest(string path, string reference)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUri}/v2/{path}/manifests/{reference}");
            foreach (var t in new[] { "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json" })
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(t));
            }

            using var response = http.Send(request);
            using var reader = new StreamReader(response.Content.ReadAsStream());
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, reader.ReadToEnd());
        }

        public void Dispose() => http.Dispose();
    }

    public class PublishPythonImageTests : IClassFixture<PublishImages>
    {
        private readonly PublishImages images;

        public PublishPythonImageTests(PublishImages images) => this.images = images;

        private static string Prop(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? string.Empty;

        [RegistryFact]
        public void EveryTagIsPushedReadBackAndPulledByDigest()
        {
            string ns = "h13ns" + Guid.NewGuid().ToString("N")[..6];
            using var s = new ModuleSession();
            FakePythonImages.Docker("tag", images.Amd64, images.Repository + ":second");
            var r = s.Run($"[pscustomobject]@{{ ImageId = '{images.AmdId}'; Tags = @('{images.Amd64}', '{images.Repository}:second') }} | Publish-PythonImage -Registry {TestRegistries.Plain}/{ns}");
            Assert.Empty(r.AllErrors);
            Assert.Equal(2, r.Output.Count);
            var first = r.Output[0];
            Assert.Equal($"{TestRegistries.Plain}/{ns}/{images.Repository}:amd64", Prop(first, "Reference"));
            Assert.Equal($"{TestRegistries.Plain}/{ns}/{images.Repository}:second", Prop(r.Output[1], "Reference"));
            Assert.All(r.Output, o => Assert.Equal("Pushed", Prop(o, "Status")));
            Assert.All(r.Output, o => Assert.Equal("linux/amd64", Prop(o, "Platform")));
            string digest = Prop(first, "Digest");
            Assert.Equal(digest, Prop(r.Output[1], "Digest"));
            Assert.Contains(r.Progress, p => p.Activity.StartsWith("Publish-PythonImage " + TestRegistries.Plain, StringComparison.Ordinal));

            // Read back through the registry API: the manifest's digest and config are the local image's.
            using var reader = new RegistryReader(TestRegistries.Plain);
            var (status, mediaType, body) = reader.Manifest($"{ns}/{images.Repository}", "amd64");
            Assert.Equal(200, status);
            Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", mediaType);
            Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body))));
            using var doc = JsonDocument.Parse(body);
            Assert.Equal(images.AmdId, doc.RootElement.GetProperty("config").GetProperty("digest").GetString());
            long size = doc.RootElement.GetProperty("config").GetProperty("size").GetInt64() + doc.RootElement.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("size").GetInt64());
            Assert.Equal(size, (long)first.Properties["Size"].Value);

            // Pulled by digest through the engine: the same image.
            string byDigest = $"{TestRegistries.Plain}/{ns}/{images.Repository}@{digest}";
            var pull = FakePythonImages.Docker("pull", byDigest);
            Assert.True(pull.Code == 0, pull.Output);
            Assert.Equal(images.AmdId, PublishImages.Id(byDigest));

            // Again: nothing to send.
            var again = s.Run($"Publish-PythonImage -Image {images.Amd64} -Registry {TestRegistries.Plain}/{ns}");
            Assert.Empty(again.AllErrors);
            Assert.Equal("AlreadyPresent", Prop(Assert.Single(again.Output), "Status"));
            Assert.Equal(digest, Prop(again.Output[0], "Digest"));
        }

        [RegistryFact]
        public void SharedTagsBecomeIndexesOfEveryPlatformAsTheMatrixSays()
        {
            string ns = "h13ns" + Guid.NewGuid().ToString("N")[..6];
            using var s = new ModuleSession();
            var script =
                "$py = (Get-PythonTag -Name latest)[0]\n" +
                $"$a = [pscustomobject]@{{ ImageId = '{images.AmdId}'; Tags = @('{images.Amd64}'); Image = $py; Succeeded = $true }}\n" +
                $"$b = [pscustomobject]@{{ ImageId = '{images.ArmId}'; Tags = @('{images.Arm64}'); Image = $py; Succeeded = $true }}\n" +
                $"$a, $b | Publish-PythonImage -Registry {TestRegistries.Plain}/{ns}\n";
            var r = s.Run(script);
            Assert.Empty(r.AllErrors);
            var shared = s.Run("(Get-PythonTag -Name latest)[0].SharedTags").Output.Select(o => o.ToString()).ToList();
            Assert.NotEmpty(shared);
            var pushed = r.Output.Where(o => !(bool)o.Properties["IsIndex"].Value).ToList();
            Assert.Equal(2, pushed.Count);
            var indexes = r.Output.Where(o => (bool)o.Properties["IsIndex"].Value).ToList();
            Assert.Equal(shared.Select(t => $"{TestRegistries.Plain}/{ns}/{images.Repository}:{t}"), indexes.Select(o => Prop(o, "Reference")));
            Assert.All(indexes, o => Assert.Equal("Pushed", Prop(o, "Status")));

            using var reader = new RegistryReader(TestRegistries.Plain);
            foreach (var tag in shared)
            {
                var (status, mediaType, body) = reader.Manifest($"{ns}/{images.Repository}", tag);
                Assert.Equal(200, status);
                Assert.Equal("application/vnd.docker.distribution.manifest.list.v2+json", mediaType);
                using var doc = JsonDocument.Parse(body);
                var platforms = doc.RootElement.GetProperty("manifests").EnumerateArray()
                    .ToDictionary(m => m.GetProperty("platform").GetProperty("os").GetString() + "/" + m.GetProperty("platform").GetProperty("architecture").GetString(), m => m.GetProperty("digest").GetString());
                Assert.Equal(new[] { "linux/amd64", "linux/arm64" }, platforms.Keys.OrderBy(k => k, StringComparer.Ordinal));
                Assert.Equal(Prop(pushed.Single(p => Prop(p, "Platform") == "linux/amd64"), "Digest"), platforms["linux/amd64"]);
                Assert.Equal(Prop(pushed.Single(p => Prop(p, "Platform") == "linux/arm64"), "Digest"), platforms["linux/arm64"]);
            }

            // The arm64 image pulled by the index's digest entry is the local one.
            string armDigest = Prop(pushed.Single(p => Prop(p, "Platform") == "linux/arm64"), "Digest");
            var pull = FakePythonImages.Docker("pull", $"{TestRegistries.Plain}/{ns}/{images.Repository}@{armDigest}");
            Assert.True(pull.Code == 0, pull.Output);
            Assert.Equal(images.ArmId, PublishImages.Id($"{TestRegistries.Plain}/{ns}/{images.Repository}@{armDigest}"));
        }

        [RegistryFact]
        public void TwoImagesOfOnePlatformUnderOneSharedTagAreACollisionAndTheRestIsStillPublished()
        {
            string ns = "h13ns" + Guid.NewGuid().ToString("N")[..6];
            using var s = new ModuleSession();

            // Same repository, same shared tag, two different linux/amd64 images: a different image needs a new build.
            var ctx = Directory.CreateTempSubdirectory("h13-publish-ctx2-").FullName;
            try
            {
                File.WriteAllText(Path.Combine(ctx, "stamp2"), Guid.NewGuid().ToString());
                File.WriteAllText(Path.Combine(ctx, "Dockerfile"), "FROM scratch\nCOPY stamp2 /stamp2\n");
                var b = FakePythonImages.Docker("build", "--network", "host", "-q", "--platform", "linux/amd64", "-t", images.Repository + ":amd64-twin", ctx);
                Assert.True(b.Code == 0, b.Output);
            }
            finally
            {
                Directory.Delete(ctx, true);
            }

            var r = s.Run(
                $"[pscustomobject]@{{ Tags = @('{images.Amd64}'); SharedTags = @('twin', 'only-amd') }}, [pscustomobject]@{{ Tags = @('{images.Repository}:amd64-twin'); SharedTags = @('twin') }} | " +
                $"Publish-PythonImage -Registry {TestRegistries.Plain}/{ns}");
            var error = Assert.Single(r.Errors);
            Assert.Equal("Publish.PlatformCollision", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Contains("linux/amd64", error.Exception.Message);
            Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
            var byRef = r.Output.ToDictionary(o => Prop(o, "Reference").Split(':').Last());
            Assert.Equal("Pushed", Prop(byRef["amd64"], "Status"));
            Assert.Equal("Pushed", Prop(byRef["amd64-twin"], "Status"));
            Assert.Equal("Failed", Prop(byRef["twin"], "Status"));
            Assert.Equal("Pushed", Prop(byRef["only-amd"], "Status"));
            Assert.Single(r.Warnings);
            using var reader = new RegistryReader(TestRegistries.Plain);
            Assert.Equal(404, reader.Manifest($"{ns}/{images.Repository}", "twin").Status);
        }

        [RegistryFact]
        public void WhatIfPushesNothing()
        {
            string ns = "h13ns" + Guid.NewGuid().ToString("N")[..6];
            using var s = new ModuleSession();
            var r = s.Run($"Publish-PythonImage -Image {images.Amd64} -SharedTag latest -Registry {TestRegistries.Plain}/{ns} -WhatIf");
            Assert.Empty(r.AllErrors);
            Assert.Empty(r.Output);
            Assert.Contains($"{TestRegistries.Plain}/{ns}/{images.Repository}:amd64", r.HostText);
            Assert.Contains($"{TestRegistries.Plain}/{ns}/{images.Repository}:latest", r.HostText);
            using var reader = new RegistryReader(TestRegistries.Plain);
            Assert.Equal(404, reader.Manifest($"{ns}/{images.Repository}", "amd64").Status);
            Assert.Equal(404, reader.Manifest($"{ns}/{images.Repository}", "latest").Status);
        }
    }

    /// <summary>
    /// Each credential source against the TLS + basic-auth registry. DOCKER_CONFIG and PATH are process-wide: these tests
    /// run alone (the engine-environment collection), and restore both.
    /// </summary>
    [Collection(EngineEnvironmentCollection.Name)]
    public sealed class PublishCredentialTests : IClassFixture<PublishImages>, IDisposable
    {
        private readonly PublishImages images;
        private readonly string dir = Directory.CreateTempSubdirectory("h13-publish-config-").FullName;
        private readonly string? savedConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        private readonly string? savedPath = Environment.GetEnvironmentVariable("PATH");

        public PublishCredentialTests(PublishImages images) => this.images = images;

        private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

        private static string Ns => "h13cred" + Guid.NewGuid().ToString("N")[..6];

        /// <summary>A docker-credential helper that answers the auth registry with the login of .ci/run.</summary>
        private void Helper(string name)
        {
            var (user, password) = TestRegistries.Login;
            Directory.CreateDirectory(Path.Combine(dir, "bin"));
            string path = Path.Combine(dir, "bin", "docker-credential-" + name);
            File.WriteAllText(path,
                "#!/bin/sh\n[ \"$1\" = get ] || exit 2\ninput=$(cat)\n" +
                $"printf '%s' \"$input\" > '{dir}/{name}.stdin'\n" +
                $"if [ \"$input\" = '{TestRegistries.Auth}' ]; then printf '{{\"ServerURL\":\"%s\",\"Username\":\"{user}\",\"Secret\":\"{password}\"}}' \"$input\"; exit 0; fi\n" +
                "echo 'credentials not found in native keychain'; exit 1\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)0x1C0);
            }

            Environment.SetEnvironmentVariable("PATH", Path.Combine(dir, "bin") + Path.PathSeparator + savedPath);
        }

        private PsResult Publish(ModuleSession s, string ns, string extra = "") =>
            s.Run($"Publish-PythonImage -Image {images.Amd64} -Registry {TestRegistries.Auth}/{ns} {extra} -Verbose");

        private void AssertPushed(PsResult r, string ns)
        {
            Assert.True(!r.AllErrors.Any(), string.Join("\n", r.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
            var o = Assert.Single(r.Output);
            Assert.Equal("Pushed", o.Properties["Status"].Value.ToString());
            using var reader = new RegistryReader(TestRegistries.Auth, TestRegistries.Login);
            var (status, _, body) = reader.Manifest($"{ns}/{images.Repository}", "amd64");
            Assert.Equal(200, status);
            Assert.Contains(images.AmdId, body);
        }

        [RegistryFact(auth: true)]
        public void PushesWithAPSCredential()
        {
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", dir); // an empty configuration: only -Credential
            using var s = new ModuleSession();
            var (user, password) = TestRegistries.Login;
            string ns = Ns;
            var r = Publish(s, ns, "-Credential ([pscredential]::new($u, ([System.Net.NetworkCredential]::new('', $p).SecurePassword)))".Replace("$u", $"'{user}'").Replace("$p", $"'{password}'"));
            AssertPushed(r, ns);
        }

        [RegistryFact(auth: true)]
        public void PushesWithConfigJsonAuths()
        {
            var (user, password) = TestRegistries.Login;
            File.WriteAllText(Path.Combine(dir, "config.json"), "{\"auths\":{\"https://" + TestRegistries.Auth + "\":{\"auth\":\"" + B64(user + ":" + password) + "\"}}}");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", dir);
            using var s = new ModuleSession();
            string ns = Ns;
            var r = Publish(s, ns);
            AssertPushed(r, ns);
            Assert.Contains(r.Verbose, v => v.Message.Contains("auths in " + Path.Combine(dir, "config.json"), StringComparison.Ordinal));
        }

        [RegistryFact(auth: true)]
        public void PushesWithACredentialHelper()
        {
            Helper("h13helper");
            File.WriteAllText(Path.Combine(dir, "config.json"), "{\"credHelpers\":{\"" + TestRegistries.Auth + "\":\"h13helper\"}}");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", dir);
            using var s = new ModuleSession();
            string ns = Ns;
            AssertPushed(Publish(s, ns), ns);
            Assert.Equal(TestRegistries.Auth, File.ReadAllText(Path.Combine(dir, "h13helper.stdin")));
        }

        [RegistryFact(auth: true)]
        public void PushesWithACredsStore()
        {
            Helper("h13store");
            File.WriteAllText(Path.Combine(dir, "config.json"), "{\"credsStore\":\"h13store\",\"auths\":{\"" + TestRegistries.Auth + "\":{}}}");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", dir);
            using var s = new ModuleSession();
            string ns = Ns;
            AssertPushed(Publish(s, ns), ns);
            Assert.Equal(TestRegistries.Auth, File.ReadAllText(Path.Combine(dir, "h13store.stdin")));
        }

        [RegistryFact(auth: true)]
        public void AWrongPasswordIsAuthenticationFailedAndNoSecretReachesAnyStreamOrLog()
        {
            var (user, password) = TestRegistries.Login;
            string wrong = "wrong-" + Guid.NewGuid().ToString("N");
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", dir);
            var logs = new[] { "/tmp/pythonimages-ci/auth-registry.log", "/tmp/pythonimages-ci/dockerd.log" };
            var sizes = logs.ToDictionary(l => l, l => File.Exists(l) ? new FileInfo(l).Length : 0);
            using var s = new ModuleSession();
            string ns = Ns;
            var cred = $"-Credential ([pscredential]::new('{user}', ([System.Net.NetworkCredential]::new('', '{wrong}').SecurePassword)))";
            var r = s.Run($"Publish-PythonImage -Image {images.Amd64} -Registry {TestRegistries.Auth}/{ns} {cred} -Verbose -Debug -InformationAction Continue; Publish-PythonImage -Image {images.Amd64} -Registry {TestRegistries.Auth}/{ns} {cred} -ErrorAction Continue -Verbose *>&1 | Out-Default");
            var error = r.AllErrors.First();
            Assert.Equal("Publish.AuthenticationFailed", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
            Assert.Contains(TestRegistries.Auth, error.Exception.Message);
            Assert.Contains(user, error.Exception.Message);

            // A good push too, so the real password travels through the engine and the registry while we watch.
            var good = s.Run($"Publish-PythonImage -Image {images.Amd64} -Registry {TestRegistries.Auth}/{ns} -Credential ([pscredential]::new('{user}', ([System.Net.NetworkCredential]::new('', '{password}').SecurePassword))) -Verbose");
            Assert.Empty(good.AllErrors);
            var texts = ImageBuild.EngineHardeningTests.Texts(r).Concat(ImageBuild.EngineHardeningTests.Texts(good)).ToList();
            texts.Add(r.HostText);
            texts.Add(good.HostText);
            foreach (var log in logs.Where(File.Exists))
            {
                using var f = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                f.Seek(sizes[log], SeekOrigin.Begin);
                texts.Add(new StreamReader(f).ReadToEnd());
            }

            foreach (var text in texts)
            {
                Assert.DoesNotContain(wrong, text);
                Assert.DoesNotContain(password, text);
                Assert.DoesNotContain(B64(user + ":" + password), text);
            }
        }

        public void Dispose()
        {
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", savedConfig);
            Environment.SetEnvironmentVariable("PATH", savedPath);
            Directory.Delete(dir, true);
        }
    }
}
