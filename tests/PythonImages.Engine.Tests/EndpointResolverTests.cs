using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace PythonImages.Engine.Tests
{
    public sealed class EndpointResolverTests : IDisposable
    {
        private readonly string home = Path.Combine(Path.GetTempPath(), "pitest5-home-" + Guid.NewGuid().ToString("N")[..8]);

        public EndpointResolverTests() => Directory.CreateDirectory(home);

        public void Dispose() => Directory.Delete(home, true);

        private FakeEnv Env(bool windows = false, params (string, string)[] vars)
        {
            var env = new FakeEnv(home, windows);
            foreach (var (k, v) in vars)
            {
                env.Vars[k] = v;
            }

            return env;
        }

        [Fact]
        public void PlatformDefaultIsTheUnixSocketOnLinuxAndTheNamedPipeOnWindows()
        {
            var linux = EndpointResolver.Resolve(null, Env());
            Assert.Equal("unix:///var/run/docker.sock", linux.Host);
            Assert.Equal(EndpointSource.PlatformDefault, linux.Source);
            Assert.Equal("/var/run/docker.sock", linux.Uri.AbsolutePath);

            var windows = EndpointResolver.Resolve(null, Env(windows: true));
            Assert.Equal("npipe:////./pipe/docker_engine", windows.Host);
            Assert.Equal("npipe", windows.Uri.Scheme);
            Assert.False(windows.UseTls);
        }

        [Theory]
        [InlineData("unix:///run/user/1000/docker.sock", "unix", "/run/user/1000/docker.sock")]
        [InlineData("npipe:////./pipe/docker_engine", "npipe", "/pipe/docker_engine")]
        [InlineData("tcp://127.0.0.1:2375", "http", "/")]
        [InlineData("tcp://127.0.0.1", "http", "/")]
        public void DockerHostForms(string host, string scheme, string path)
        {
            var e = EndpointResolver.Resolve(null, Env(scheme == "npipe", ("DOCKER_HOST", host)));
            Assert.Equal(EndpointSource.DockerHostVariable, e.Source);
            Assert.Equal(host, e.Host);
            Assert.Equal(scheme, e.Uri.Scheme);
            Assert.EndsWith(path, e.Uri.AbsolutePath, StringComparison.Ordinal);
            if (scheme == "http")
            {
                Assert.Equal(2375, e.Uri.Port); // docker's default plain port when none is given
            }
        }

        [Fact]
        public void ExplicitHostBeatsDockerHostWhichBeatsTheContext()
        {
            WriteContext("remote", "tcp://10.0.0.9:2376", skipVerify: false, withTls: false);
            File.WriteAllText(Path.Combine(home, ".docker", "config.json"), "{\"currentContext\":\"remote\"}");
            var env = Env(false, ("DOCKER_HOST", "tcp://127.0.0.1:2375"));

            Assert.Equal("unix:///tmp/x.sock", EndpointResolver.Resolve("unix:///tmp/x.sock", env).Host);
            Assert.Equal(EndpointSource.Parameter, EndpointResolver.Resolve("unix:///tmp/x.sock", env).Source);
            Assert.Equal("tcp://127.0.0.1:2375", EndpointResolver.Resolve(null, env).Host);

            env.Vars.Remove("DOCKER_HOST");
            var fromContext = EndpointResolver.Resolve(null, env);
            Assert.Equal("tcp://10.0.0.9:2376", fromContext.Host);
            Assert.Equal(EndpointSource.Context, fromContext.Source);
            Assert.Equal("remote", fromContext.ContextName);
        }

        [Fact]
        public void DockerContextVariableOverridesConfigAndDockerConfigMovesTheFolder()
        {
            string configDir = Path.Combine(home, "elsewhere");
            WriteContext("one", "tcp://127.0.0.1:1111", false, false, configDir);
            WriteContext("two", "unix:///tmp/two.sock", false, false, configDir);
            File.WriteAllText(Path.Combine(configDir, "config.json"), "{\"auths\":{},\"currentContext\":\"one\"}");
            var env = Env(false, ("DOCKER_CONFIG", configDir));
            Assert.Equal("tcp://127.0.0.1:1111", EndpointResolver.Resolve(null, env).Host);

            env.Vars["DOCKER_CONTEXT"] = "two";
            Assert.Equal("unix:///tmp/two.sock", EndpointResolver.Resolve(null, env).Host);

            env.Vars["DOCKER_CONTEXT"] = "default";
            Assert.Equal(EndpointSource.PlatformDefault, EndpointResolver.Resolve(null, env).Source);
        }

        [Fact]
        public void ContextDirectoryIsTheSha256OfTheName()
        {
            // sha256("default") — docker's layout ~/.docker/contexts/meta/<sha256(name)>/meta.json
            Assert.Equal("37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f", EndpointResolver.ContextDirectoryName("default"));
        }

        [Fact]
        public void UnknownContextIsAClearConfigurationError()
        {
            var ex = Assert.Throws<EngineConfigurationException>(() => EndpointResolver.Resolve(null, Env(false, ("DOCKER_CONTEXT", "nope"))));
            Assert.Contains("'nope'", ex.Message);
            Assert.Contains("docker context ls", ex.Message);
        }

        [Theory]
        [InlineData("ssh://user@host")]
        [InlineData("fd://")]
        [InlineData("not a uri")]
        public void UnsupportedHostsAreRefused(string host)
        {
            Assert.Throws<EngineConfigurationException>(() => EndpointResolver.Resolve(host, Env()));
        }

        [Fact]
        public void TlsFromEnvironment()
        {
            string certs = Path.Combine(home, "certs");
            var verify = EndpointResolver.Resolve(null, Env(false, ("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", certs)));
            Assert.True(verify.UseTls);
            Assert.True(verify.VerifyServer);
            Assert.Equal(certs, verify.CertPath);
            Assert.Equal("https", verify.Uri.Scheme);
            Assert.Equal(2376, verify.Uri.Port);

            var noPort = EndpointResolver.Resolve("tcp://127.0.0.1", Env(false, ("DOCKER_TLS_VERIFY", "1")));
            Assert.Equal(2376, noPort.Uri.Port);
            Assert.Equal(Path.Combine(home, ".docker"), noPort.CertPath); // DOCKER_CERT_PATH defaults to the config folder

            var tlsOnly = EndpointResolver.Resolve(null, Env(false, ("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS", "1")));
            Assert.True(tlsOnly.UseTls);
            Assert.False(tlsOnly.VerifyServer);

            var plain = EndpointResolver.Resolve(null, Env(false, ("DOCKER_HOST", "tcp://127.0.0.1:2375")));
            Assert.False(plain.UseTls);

            // TLS variables mean nothing for a local socket.
            var unix = EndpointResolver.Resolve(null, Env(false, ("DOCKER_TLS_VERIFY", "1")));
            Assert.False(unix.UseTls);
        }

        [Fact]
        public void TlsFromContextWithSkipVerify()
        {
            WriteContext("secure", "tcp://127.0.0.1:2376", skipVerify: true, withTls: true);
            var e = EndpointResolver.Resolve(null, Env(false, ("DOCKER_CONTEXT", "secure")));
            Assert.True(e.UseTls);
            Assert.False(e.VerifyServer);
            Assert.Equal(Path.Combine(home, ".docker", "contexts", "tls", EndpointResolver.ContextDirectoryName("secure"), "docker"), e.CertPath);

            WriteContext("strict", "tcp://127.0.0.1:2376", skipVerify: false, withTls: true);
            Assert.True(EndpointResolver.Resolve(null, Env(false, ("DOCKER_CONTEXT", "strict"))).VerifyServer);
        }

        [Fact]
        public void TlsVerifyWithoutCaIsRefusedWhenTheEngineIsCreated()
        {
            var ex = Assert.Throws<EngineConfigurationException>(() =>
            {
                using var engine = EngineFactory.Create(null, null, Env(false, ("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", Path.Combine(home, "none"))));
                engine.GetInfoAsync(default).GetAwaiter().GetResult();
            });
            Assert.Contains("ca.pem", ex.Message);
        }

        [Fact]
        public void NamedPipeConnectTimeoutIsInSeconds()
        {
            Assert.Equal(TimeSpan.FromSeconds(10), EngineFactory.DefaultConnectTimeout);
            var options = DockerEngine.PipeOptions(EngineFactory.DefaultConnectTimeout);
            Assert.Equal(TimeSpan.FromSeconds(10), options.ConnectTimeout);
        }

        [Fact]
        public void NegotiationTakesTheLowerVersion()
        {
            var max = DockerEngine.ClientMaxApiVersion;
            Assert.Equal(new Version(1, 41), DockerEngine.Negotiate("1.41", max));
            Assert.Equal(max, DockerEngine.Negotiate("1.99", max));
            Assert.Equal(max, DockerEngine.Negotiate(null, max));
        }

        private void WriteContext(string name, string host, bool skipVerify, bool withTls, string? configDir = null)
        {
            string dir = configDir ?? Path.Combine(home, ".docker");
            string id = EndpointResolver.ContextDirectoryName(name);
            string meta = Path.Combine(dir, "contexts", "meta", id);
            Directory.CreateDirectory(meta);
            File.WriteAllText(
                Path.Combine(meta, "meta.json"),
                "{\"Name\":\"" + name + "\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"" + host + "\",\"SkipTLSVerify\":" + (skipVerify ? "true" : "false") + "}}}");
            if (withTls)
            {
                string tls = Path.Combine(dir, "contexts", "tls", id, "docker");
                Directory.CreateDirectory(tls);
                File.WriteAllText(Path.Combine(tls, "ca.pem"), "placeholder");
            }
        }

        private sealed class FakeEnv : IEndpointEnvironment
        {
            public FakeEnv(string home, bool windows)
            {
                HomeDirectory = home;
                IsWindows = windows;
            }

            public Dictionary<string, string> Vars { get; } = new Dictionary<string, string>();

            public string? GetVariable(string name) => Vars.TryGetValue(name, out var v) ? v : null;

            public string HomeDirectory { get; }

            public bool IsWindows { get; }
        }
    }
}
