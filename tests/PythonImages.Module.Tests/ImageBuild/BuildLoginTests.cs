using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using PythonImages.Tests.BadInput;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.ImageBuild
{
    /// <summary>
    /// A base image FROM scratch on the TLS + basic-auth registry (127.0.0.1:5001), pushed with the docker CLI and removed
    /// locally, so that every build FROM it has to pull it with a login.
    /// </summary>
    public sealed class PrivateBaseImage : IDisposable
    {
        private readonly string root = string.Empty;

        public PrivateBaseImage()
        {
            Namespace = "s4-publish-" + Guid.NewGuid().ToString("N")[..8];
            Reference = $"{TestRegistries.Auth}/{Namespace}/base:1";
            if (!DockerProbe.Available || !TestRegistries.AuthReady)
            {
                return;
            }

            root = Directory.CreateTempSubdirectory("s4-publish-base-").FullName;
            string ctx = Path.Combine(root, "base");
            Directory.CreateDirectory(ctx);
            File.WriteAllText(Path.Combine(ctx, "stamp"), Namespace + "\n");
            File.WriteAllText(Path.Combine(ctx, "Dockerfile"), "FROM scratch\nCOPY stamp /base-stamp\n");
            var built = FakePythonImages.Docker("build", "--network", "host", "-q", "-t", Reference, ctx);
            Assert.True(built.Code == 0, built.Output);

            // The docker CLI's own login, in a configuration of its own.
            var (user, password) = TestRegistries.Login;
            string config = Path.Combine(root, "cli-config");
            Directory.CreateDirectory(config);
            File.WriteAllText(Path.Combine(config, "config.json"), "{\"auths\":{\"" + TestRegistries.Auth + "\":{\"auth\":\"" + B64(user + ":" + password) + "\"}}}");
            var pushed = FakePythonImages.Docker("--config", config, "push", Reference);
            Assert.True(pushed.Code == 0, pushed.Output);
            RemoveLocal();
        }

        public string Namespace { get; }

        /// <summary>127.0.0.1:5001/&lt;namespace&gt;/base:1.</summary>
        public string Reference { get; }

        public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

        public static bool ExistsLocally(string image) => FakePythonImages.Docker("image", "inspect", image).Code == 0;

        /// <summary>Removes the base image from the engine: the next build has to pull it.</summary>
        public void RemoveLocal()
        {
            FakePythonImages.Docker("rmi", "-f", Reference);
            Assert.False(ExistsLocally(Reference), Reference + " is still on the engine");
        }

        /// <summary>A build context FROM the base image (plus <paramref name="extraFrom"/>), in a folder of its own.</summary>
        public string Context(string extraFrom = "")
        {
            string ctx = Path.Combine(root, "ctx-" + Guid.NewGuid().ToString("N")[..6]);
            Directory.CreateDirectory(ctx);
            File.WriteAllText(Path.Combine(ctx, "stamp"), ctx + "\n");
            File.WriteAllText(Path.Combine(ctx, "Dockerfile"), extraFrom + $"FROM {Reference}\nCOPY stamp /stamp\n");
            return ctx;
        }

        public void Dispose()
        {
            if (root.Length == 0)
            {
                return;
            }

            var (_, tags) = FakePythonImages.Docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}");
            foreach (var t in tags.Split('\n').Select(x => x.Trim()).Where(x => x.Contains(Namespace, StringComparison.Ordinal)))
            {
                FakePythonImages.Docker("rmi", "-f", t);
            }

            Directory.Delete(root, true);
        }
    }

    /// <summary>
    /// Invoke-PythonImageBuild pulls a base image from a registry that needs a login, with -Credential or the docker
    /// configuration's auths, and never shows the secret. DOCKER_CONFIG is process-wide: these tests run alone (the
    /// engine-environment collection) and restore it.
    /// </summary>
    [Collection(EngineEnvironmentCollection.Name)]
    public sealed class BuildLoginTests : IClassFixture<PrivateBaseImage>, IDisposable
    {
        private readonly PrivateBaseImage baseImage;
        private readonly string config = Directory.CreateTempSubdirectory("s4-publish-config-").FullName;
        private readonly string? savedConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");

        public BuildLoginTests(PrivateBaseImage baseImage)
        {
            this.baseImage = baseImage;
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", config); // an empty configuration unless a test writes one
        }

        private string Tag => baseImage.Namespace + "-built:" + Guid.NewGuid().ToString("N")[..6];

        private static string Credential(string user, string password) =>
            $"-Credential ([pscredential]::new('{user}', ([System.Net.NetworkCredential]::new('', '{password}')).SecurePassword))";

        private static PsResult Build(ModuleSession s, string ctx, string tag, string extra) =>
            s.Run($"Invoke-PythonImageBuild -Path $ctx -Tag $tag -Pull {extra} -Verbose", new Dictionary<string, object?> { ["ctx"] = ctx, ["tag"] = tag });

        private static void AssertBuilt(PsResult r, string tag)
        {
            Assert.True(!r.AllErrors.Any(), string.Join("\n", r.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
            Assert.True((bool)Assert.Single(r.Output).Properties["Succeeded"].Value);
            Assert.True(PrivateBaseImage.ExistsLocally(tag));
        }

        [RegistryFact(auth: true)]
        public void APSCredentialPullsTheBaseImage()
        {
            var (user, password) = TestRegistries.Login;
            using var s = new ModuleSession();
            baseImage.RemoveLocal();
            string tag = Tag;
            var r = Build(s, baseImage.Context(), tag, Credential(user, password));
            AssertBuilt(r, tag);
            Assert.True(PrivateBaseImage.ExistsLocally(baseImage.Reference), "the base image was not pulled");
            Assert.Contains(r.Verbose, v => v.Message == $"Base images from {TestRegistries.Auth}: pulled with the login {user} (-Credential).");
        }

        [RegistryFact(auth: true)]
        public void TheDockerConfigurationsAuthsPullTheBaseImage()
        {
            var (user, password) = TestRegistries.Login;
            string file = Path.Combine(config, "config.json");
            File.WriteAllText(file, "{\"auths\":{\"https://" + TestRegistries.Auth + "\":{\"auth\":\"" + PrivateBaseImage.B64(user + ":" + password) + "\"}}}");
            using var s = new ModuleSession();
            baseImage.RemoveLocal();
            string tag = Tag;
            var r = Build(s, baseImage.Context(), tag, string.Empty);
            AssertBuilt(r, tag);
            Assert.Contains(r.Verbose, v => v.Message == $"Base images from {TestRegistries.Auth}: pulled with the login {user} (auths in {file}).");
        }

        [RegistryFact(auth: true)]
        public void WithoutALoginTheBaseImageIsUnavailable()
        {
            using var s = new ModuleSession();
            baseImage.RemoveLocal();
            var r = Build(s, baseImage.Context(), Tag, string.Empty);
            var error = Assert.Single(r.Errors);
            Assert.Equal("ImageBuild.BaseImageUnavailable", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains(baseImage.Reference, error.Exception.Message);
            Assert.Contains(r.Verbose, v => v.Message == $"Base images from {TestRegistries.Auth}: pulled without a login.");
            Assert.False(PrivateBaseImage.ExistsLocally(baseImage.Reference));
        }

        [RegistryFact(auth: true)]
        public void AWrongPasswordNamesTheRegistryAndNoSecretReachesAnyStreamOrLog()
        {
            var (user, password) = TestRegistries.Login;
            string wrong = "wrong-" + Guid.NewGuid().ToString("N");
            var logs = new[] { "/tmp/pythonimages-ci/auth-registry.log", "/tmp/pythonimages-ci/dockerd.log" };
            var sizes = logs.ToDictionary(l => l, l => File.Exists(l) ? new FileInfo(l).Length : 0);
            using var s = new ModuleSession();
            baseImage.RemoveLocal();
            string ctx = baseImage.Context();
            var r = s.Run(
                $"Invoke-PythonImageBuild -Path $ctx -Tag $tag -Pull {Credential(user, wrong)} -Verbose -Debug -InformationAction Continue; " +
                $"Invoke-PythonImageBuild -Path $ctx -Tag $tag -Pull {Credential(user, wrong)} -Verbose *>&1 | Out-Default",
                new Dictionary<string, object?> { ["ctx"] = ctx, ["tag"] = Tag });
            var error = r.AllErrors.First();
            Assert.Equal("ImageBuild.BaseImageLoginFailed", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
            Assert.StartsWith($"The registry {TestRegistries.Auth} refused the login {user} (-Credential) for the base image '{baseImage.Reference}'.", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains(TestRegistries.Auth, error.ErrorDetails.RecommendedAction);
            Assert.False((bool)Assert.Single(r.Output).Properties["Succeeded"].Value);

            // A good build too, so the real password travels through the engine and the registry while we watch.
            string tag = Tag;
            var good = Build(s, ctx, tag, Credential(user, password));
            AssertBuilt(good, tag);
            var texts = EngineHardeningTests.Texts(r).Concat(EngineHardeningTests.Texts(good)).ToList();
            texts.Add(r.HostText);
            texts.Add(good.HostText);
            foreach (var log in logs.Where(File.Exists))
            {
                using var f = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                f.Seek(sizes[log], SeekOrigin.Begin);
                texts.Add(new StreamReader(f).ReadToEnd());
            }

            Assert.Contains(texts, t => t.Contains(user, StringComparison.Ordinal));
            foreach (var text in texts)
            {
                Assert.DoesNotContain(wrong, text, StringComparison.Ordinal);
                Assert.DoesNotContain(password, text, StringComparison.Ordinal);
                Assert.DoesNotContain(PrivateBaseImage.B64(user + ":" + password), text, StringComparison.Ordinal);
            }
        }

        [RegistryFact(auth: true)]
        public void ACredentialForADockerfileOfTwoRegistriesNeedsItsRegistry()
        {
            var (user, password) = TestRegistries.Login;
            using var s = new ModuleSession();
            baseImage.RemoveLocal();
            string ctx = baseImage.Context("FROM debian:bookworm-slim AS other\n");
            string tag = Tag;
            var r = s.Run($"Invoke-PythonImageBuild -Path $ctx -Tag $tag {Credential(user, password)}", new Dictionary<string, object?> { ["ctx"] = ctx, ["tag"] = tag });
            var error = Assert.Single(r.Errors);
            Assert.Equal("ImageBuild.CredentialRegistryAmbiguous", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains($"(docker.io, {TestRegistries.Auth})", error.Exception.Message);
            Assert.Empty(r.Output);
            Assert.False(PrivateBaseImage.ExistsLocally(tag));

            // Named: the login goes to that registry only (debian:bookworm-slim is on the engine, so Docker Hub is not asked).
            var named = s.Run($"Invoke-PythonImageBuild -Path $ctx -Tag $tag {Credential(user, password)} -CredentialRegistry {TestRegistries.Auth} -Verbose", new Dictionary<string, object?> { ["ctx"] = ctx, ["tag"] = tag });
            AssertBuilt(named, tag);
            Assert.Contains(named.Verbose, v => v.Message == $"Base images from {TestRegistries.Auth}: pulled with the login {user} (-Credential).");
            Assert.Contains(named.Verbose, v => v.Message == "Base images from docker.io: pulled without a login.");
        }

        public void Dispose()
        {
            Environment.SetEnvironmentVariable("DOCKER_CONFIG", savedConfig);
            Directory.Delete(config, true);
        }
    }
}
