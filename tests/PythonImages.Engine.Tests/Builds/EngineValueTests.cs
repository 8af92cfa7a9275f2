using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace PythonImages.Engine.Tests.Builds
{
    /// <summary>The engines of -Engine: addresses as -DockerHost reads them, docker contexts as the CLI reads them (DOCKER_CONFIG).</summary>
    public sealed class EngineValueTests : IDisposable
    {
        private readonly string home = Path.Combine(Path.GetTempPath(), "pitest5-s4-engines-home-" + Guid.NewGuid().ToString("N")[..8]);
        private readonly Env env;

        public EngineValueTests()
        {
            Directory.CreateDirectory(home);
            env = new Env(home);
        }

        public void Dispose() => Directory.Delete(home, true);

        [Fact]
        public void AContextIsReadFromDockerConfigLikeTheCli()
        {
            string config = Path.Combine(home, "elsewhere");
            env.Vars["DOCKER_CONFIG"] = config;
            WriteContext(config, "arm-builder", "tcp://127.0.0.1:2376", tls: true);
            WriteContext(Path.Combine(home, ".docker"), "arm-builder", "tcp://127.0.0.1:9999", tls: false); // ignored: DOCKER_CONFIG wins

            var endpoint = EndpointResolver.ResolveEngine("arm-builder", "-Engine's engine for linux/arm64", env);

            Assert.Equal("tcp://127.0.0.1:2376", endpoint.Host);
            Assert.Equal(EndpointSource.Context, endpoint.Source);
            Assert.Equal("arm-builder", endpoint.ContextName);
            Assert.True(endpoint.UseTls);
            Assert.Equal(Path.Combine(config, "contexts", "tls", EndpointResolver.ContextDirectoryName("arm-builder"), "docker"), endpoint.CertPath);
        }

        [Fact]
        public void AnAddressIsReadAsDockerHostIsWithTheTlsVariables()
        {
            env.Vars["DOCKER_TLS_VERIFY"] = "1";
            env.Vars["DOCKER_CERT_PATH"] = "/certs";

            var endpoint = EndpointResolver.ResolveEngine("tcp://user:secret@127.0.0.1:2376", "-Engine's engine for linux/amd64", env);

            Assert.Equal("tcp://***@127.0.0.1:2376", endpoint.Host);
            Assert.Equal("-Engine", endpoint.Origin);
            Assert.True(endpoint.UseTls && endpoint.VerifyServer);
            Assert.Equal("/certs", endpoint.CertPath);
        }

        [Fact]
        public void TheDefaultContextIsDockerHostOrThePlatformDefault()
        {
            Assert.Equal("unix:///var/run/docker.sock", EndpointResolver.ResolveEngine("default", "x", env).Host);
            env.Vars["DOCKER_HOST"] = "unix:///run/other.sock";
            env.Vars["DOCKER_CONTEXT"] = "not-used";
            Assert.Equal("unix:///run/other.sock", EndpointResolver.ResolveEngine("default", "x", env).Host);
        }

        [Fact]
        public void AMissingContextAndABadAddressAreConfigurationErrors()
        {
            var missing = Assert.Throws<EngineConfigurationException>(() => EndpointResolver.ResolveEngine("nope", "x", env));
            Assert.Contains("The docker context 'nope' does not exist", missing.Message, StringComparison.Ordinal);
            var bad = Assert.Throws<EngineConfigurationException>(() => EndpointResolver.ResolveEngine("tcp://user:secret@", "-Engine's engine for linux/amd64", env));
            Assert.Equal(EngineConfigurationKind.Endpoint, bad.Kind);
            Assert.StartsWith("-Engine's engine for linux/amd64 ", bad.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", bad.Message, StringComparison.Ordinal);
        }

        private static void WriteContext(string config, string name, string host, bool tls)
        {
            string id = EndpointResolver.ContextDirectoryName(name);
            string meta = Path.Combine(config, "contexts", "meta", id);
            Directory.CreateDirectory(meta);
            File.WriteAllText(Path.Combine(meta, "meta.json"), "{\"Name\":\"" + name + "\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"" + host + "\",\"SkipTLSVerify\":false}}}");
            if (tls)
            {
                string dir = Path.Combine(config, "contexts", "tls", id, "docker");
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "ca.pem"), "placeholder");
            }
        }

        private sealed class Env : IEndpointEnvironment
        {
            public Env(string home) => HomeDirectory = home;

            public Dictionary<string, string> Vars { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

            public string HomeDirectory { get; }

            public bool IsWindows => false;

            public string? GetVariable(string name) => Vars.TryGetValue(name, out var v) ? v : null;
        }
    }
}
