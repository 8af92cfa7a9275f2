using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// Some cases set DOCKER_HOST and friends, which are process-wide: this collection runs alone, never beside a test
    /// that talks to the engine.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class EngineEnvironmentCollection
    {
        public const string Name = "Engine environment variables";
    }

    /// <summary>
    /// The engine area of the bad-input catalogue: engine addresses (-DockerHost, DOCKER_HOST, contexts), missing sockets and
    /// refused connections, TLS files, and the build/test parameters that reach the engine (-Tag, -Repository, -Platform,
    /// -Network, -BuildArg, -Label, -LogPath, -InactivityTimeout, -Image). None needs an engine: every parameter case points
    /// at a socket that does not exist, so a value that slipped through validation would show as EngineUnavailable.
    /// </summary>
    [Collection(EngineEnvironmentCollection.Name)]
    public sealed class EngineCatalogue : BadInputCatalogue<EngineCatalogue>, IBadInputArea
    {
        private const string Area = "engine";

        /// <summary>A build context in the case's folder, and a socket path that does not exist.</summary>
        private const string Build = "Invoke-PythonImageBuild -Path \"$work/ctx\" -DockerHost \"unix://$work/none.sock\"";
        private const string Test = "Test-PythonImage -Image python:3.14-slim -DockerHost \"unix://$work/none.sock\"";
        private const string Dockerfile = "FROM scratch\nCOPY Dockerfile /x\n";

        public EngineCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 35;

        public static List<BadInputCase> Create()
        {
            var list = new List<BadInputCase>();

            BadInputCase Add(string name, string script, string errorId, ErrorCategory category = ErrorCategory.InvalidArgument)
            {
                var c = new BadInputCase(Area, name, script, errorId, category).WithFile("ctx/Dockerfile", Dockerfile);
                list.Add(c);
                return c;
            }

            // Engine addresses given with -DockerHost: syntax errors, caught before anything is contacted.
            foreach (var (name, host) in new[]
            {
                ("tcp with no host", "tcp://"),
                ("tcp with a port but no host", "tcp://:2375"),
                ("tcp port zero", "tcp://127.0.0.1:0"),
                ("tcp port above 65535", "tcp://127.0.0.1:65536"),
                ("tcp port not a number", "tcp://127.0.0.1:docker"),
                ("tcp with a path", "tcp://127.0.0.1:2375/v1.41/build"),
                ("unknown scheme", "ftp://127.0.0.1"),
                ("ssh", "ssh://builder@127.0.0.1"),
                ("garbage", "garbage"),
                ("unix with no path", "unix://"),
                ("unix with a relative path", "unix://var/run/docker.sock"),
                ("named pipe on a non-Windows system", "npipe:////./pipe/docker_engine"),
                ("userinfo and no host", "tcp://user:pw@"),
                ("host with a shell metacharacter", "tcp://127.0.0.1;id:2375"),
            })
            {
                Add("-DockerHost " + name, $"Invoke-PythonImageBuild -Path \"$work/ctx\" -DockerHost '{host}'", "ImageBuild.InvalidDockerHost");
            }

            Add("-DockerHost with a line break", "Invoke-PythonImageBuild -Path \"$work/ctx\" -DockerHost \"tcp://127.0.0.1`n:2375\"", "ImageBuild.InvalidDockerHost");
            Add("Test-PythonImage -DockerHost with no host", "Test-PythonImage -Image python:3.14-slim -DockerHost 'tcp://'", "ImageTest.InvalidDockerHost");
            Add("Test-PythonImage -DockerHost http with a path", "Test-PythonImage -Image python:3.14-slim -DockerHost 'http://127.0.0.1:2375/x'", "ImageTest.InvalidDockerHost");

            // The same through the environment.
            Add("DOCKER_HOST tcp with no host", WithEnvironment("Invoke-PythonImageBuild -Path \"$work/ctx\"", ("DOCKER_HOST", "'tcp://'")), "ImageBuild.InvalidDockerHost");
            Add("DOCKER_HOST port out of range", WithEnvironment("Invoke-PythonImageBuild -Path \"$work/ctx\"", ("DOCKER_HOST", "'tcp://127.0.0.1:99999'")), "ImageBuild.InvalidDockerHost");
            Add("DOCKER_HOST unknown scheme for Test-PythonImage", WithEnvironment("Test-PythonImage -Image python:3.14-slim", ("DOCKER_HOST", "'bogus://x'")), "ImageTest.InvalidDockerHost");
            Add("DOCKER_CONTEXT that does not exist", WithEnvironment("Invoke-PythonImageBuild -Path \"$work/ctx\"", ("DOCKER_CONFIG", "\"$work/cfg\""), ("DOCKER_CONTEXT", "'nope'")), "ImageBuild.EngineConfiguration");

            // Engines that are not there: said plainly, no engine needed.
            Add("a unix socket that does not exist", "Invoke-PythonImageBuild -Path \"$work/ctx\" -DockerHost \"unix://$work/missing.sock\"", "ImageBuild.EngineUnavailable", ErrorCategory.ConnectionError);
            Add("Test-PythonImage on a unix socket that does not exist", "Test-PythonImage -Image python:3.14-slim -DockerHost \"unix://$work/missing.sock\"", "ImageTest.EngineUnavailable", ErrorCategory.ConnectionError);
            Add("a folder where the socket should be", "Invoke-PythonImageBuild -Path \"$work/ctx\" -DockerHost \"unix://$work/ctx\"", "ImageBuild.EngineUnavailable", ErrorCategory.ConnectionError);
            Add("a refused tcp connection",
                "$l = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()\n" +
                "Invoke-PythonImageBuild -Path \"$work/ctx\" -DockerHost \"tcp://127.0.0.1:$port\"",
                "ImageBuild.EngineUnavailable",
                ErrorCategory.ConnectionError);

            // TLS material that is missing or broken.
            Add("DOCKER_CERT_PATH that does not exist",
                WithEnvironment("Invoke-PythonImageBuild -Path \"$work/ctx\"", ("DOCKER_HOST", "'tcp://127.0.0.1:1'"), ("DOCKER_TLS_VERIFY", "'1'"), ("DOCKER_CERT_PATH", "\"$work/no-certs\"")),
                "ImageBuild.TlsConfiguration");
            Add("ca.pem that is not a certificate",
                WithEnvironment("Invoke-PythonImageBuild -Path \"$work/ctx\"", ("DOCKER_HOST", "'tcp://127.0.0.1:1'"), ("DOCKER_TLS_VERIFY", "'1'"), ("DOCKER_CERT_PATH", "\"$work/certs\"")),
                "ImageBuild.TlsConfiguration").WithFile("certs/ca.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
            Add("TLS verification without ca.pem",
                WithEnvironment("Test-PythonImage -Image python:3.14-slim", ("DOCKER_HOST", "'tcp://127.0.0.1:1'"), ("DOCKER_TLS_VERIFY", "'1'"), ("DOCKER_CERT_PATH", "\"$work/certs\"")),
                "ImageTest.TlsConfiguration").WithFile("certs/readme.txt", "no ca.pem here");
            Add("cert.pem without key.pem",
                WithEnvironment("Invoke-PythonImageBuild -Path \"$work/ctx\"", ("DOCKER_HOST", "'tcp://127.0.0.1:1'"), ("DOCKER_TLS", "'1'"), ("DOCKER_CERT_PATH", "\"$work/certs\"")),
                "ImageBuild.TlsConfiguration").WithFile("certs/cert.pem", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");

            // Tags and repositories outside Docker's reference grammar.
            Add("-Tag with a space", Build + " -Tag 'foo bar'", "ImageBuild.InvalidTag");
            Add("-Tag with a line break", Build + " -Tag \"ci`nRUN touch /pwned\"", "ImageBuild.InvalidTag");
            Add("-Tag with a shell substitution", Build + " -Tag 'ci-$(id)'", "ImageBuild.InvalidTag");
            Add("-Tag with an uppercase repository", Build + " -Tag 'Registry/Python:x'", "ImageBuild.InvalidTag");
            Add("-Tag with a digest", Build + " -Tag ('python@sha256:' + ('a' * 64))", "ImageBuild.InvalidTag");
            Add("-Tag longer than 128 characters", Build + " -Tag ('t' * 200)", "ImageBuild.InvalidTag");
            Add("-Tag going up a path", Build + " -Tag '../x'", "ImageBuild.InvalidTag");
            Add("-Repository in uppercase", Build + " -Repository 'Python'", "ImageBuild.InvalidRepository");
            Add("-Repository with a tag", Build + " -Repository 'python:latest'", "ImageBuild.InvalidRepository");
            Add("-Repository going up a path", Build + " -Repository '../python'", "ImageBuild.InvalidRepository");
            Add("a pipeline image with a hostile tag",
                "$i = @(Get-PythonTag -OS Linux)[0].Clone(); $i.ContextPath = [IO.Path]::Combine($work, 'ctx'); $i.DockerfilePath = [IO.Path]::Combine($work, 'ctx', 'Dockerfile'); $i.Tags = @('3.14;touch /pwned')\n" +
                "$i | Invoke-PythonImageBuild -DockerHost \"unix://$work/none.sock\"",
                "ImageBuild.InvalidTag");

            // Platform, network, build arguments and labels.
            Add("-Platform with a semicolon", Build + " -Platform 'linux/amd64;rm -rf /'", "ImageBuild.InvalidPlatform");
            Add("-Platform with a line break", Build + " -Platform \"linux/amd64`n\"", "ImageBuild.InvalidPlatform");
            Add("-Platform with too many parts", Build + " -Platform 'linux/arm/v7/extra'", "ImageBuild.InvalidPlatform");
            Add("-Network with a shell metacharacter", Build + " -Network 'host;id'", "ImageBuild.InvalidNetwork");
            Add("-Network starting with a dash", Build + " -Network '-x'", "ImageBuild.InvalidNetwork");
            Add("-BuildArg name with a space", Build + " -BuildArg @{ 'A B' = '1' }", "ImageBuild.InvalidBuildArg");
            Add("-BuildArg name with an equals sign", Build + " -BuildArg @{ 'A=1 B' = '1' }", "ImageBuild.InvalidBuildArg");
            Add("-BuildArg name starting with a digit", Build + " -BuildArg @{ '1X' = '1' }", "ImageBuild.InvalidBuildArg");
            Add("-BuildArg value with NUL", Build + " -BuildArg @{ 'HTTP_PROXY' = \"http://proxy`0:3128\" }", "ImageBuild.InvalidBuildArg");
            Add("-Label key with an equals sign", Build + " -Label @{ 'a=b' = 'x' }", "ImageBuild.InvalidLabel");
            Add("-Label value with a line break", Build + " -Label @{ 'org.example.note' = \"line`nbreak\" }", "ImageBuild.InvalidLabel");

            // Log destinations that cannot hold a log, and timeouts out of range.
            Add("-LogPath with a line break", Build + " -LogPath \"$work/log`n.txt\"", "ImageBuild.InvalidLogPath");
            Add("-LogPath on another provider", Build + " -LogPath 'Env:\\PYTHONIMAGES_LOG'", "ImageBuild.InvalidLogPath");
            Add("-LogPath below a file", Build + " -LogPath \"$work/file.txt/logs/build.log\"", "ImageBuild.InvalidLogPath").WithFile("file.txt", "a file, not a folder");
            var fifo = Add("-LogPath a named pipe", Build + " -LogPath \"$work/pipe.log\"", "ImageBuild.InvalidLogPath");
            fifo.Arrange = dir => SpecialFiles.MakeFifo(Path.Combine(dir, "pipe.log"));
            fifo.SpecialFiles.Add("pipe.log");
            Add("-LogPath a character device", Build + " -LogPath '/dev/null'", "ImageBuild.InvalidLogPath");
            Add("-InactivityTimeout zero", Build + " -InactivityTimeout 0", "ImageBuild.InvalidInactivityTimeout");
            Add("-InactivityTimeout negative", Build + " -InactivityTimeout -5", "ImageBuild.InvalidInactivityTimeout");
            Add("-InactivityTimeout of 30 days", Build + " -InactivityTimeout '30.00:00:00'", "ImageBuild.InvalidInactivityTimeout");

            // Test-PythonImage's own parameters.
            Add("Test-PythonImage -Repository in uppercase", "Get-PythonTag -Name 3.14-slim-trixie | " + Test.Replace("-Image python:3.14-slim ", string.Empty) + " -Repository 'Py/Thon'", "ImageTest.InvalidRepository");
            Add("Test-PythonImage -Network with a space", Test + " -Network 'a b'", "ImageTest.InvalidNetwork");
            Add("Test-PythonImage -Image with a line break", "Test-PythonImage -Image \"python`n:3.14\" -DockerHost \"unix://$work/none.sock\"", "ImageTest.InvalidImage");
            Add("Test-PythonImage -Image in uppercase", "Test-PythonImage -Image 'Python:3.14' -DockerHost \"unix://$work/none.sock\"", "ImageTest.InvalidImage");
            Add("Test-PythonImage -InactivityTimeout zero", Test + " -InactivityTimeout 0", "ImageTest.InvalidInactivityTimeout");

            return list;
        }

        /// <summary>Runs <paramref name="body"/> with the docker variables cleared and then set as given; restores them after.</summary>
        private static string WithEnvironment(string body, params (string Name, string Value)[] variables) =>
            "$names = 'DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_TLS', 'DOCKER_CERT_PATH', 'DOCKER_CONTEXT', 'DOCKER_CONFIG'\n" +
            "$saved = @{}; foreach ($n in $names) { $saved[$n] = [Environment]::GetEnvironmentVariable($n); [Environment]::SetEnvironmentVariable($n, $null) }\n" +
            "try {\n" +
            string.Concat(variables.Select(v => $"    [Environment]::SetEnvironmentVariable('{v.Name}', {v.Value})\n")) +
            "    " + body + "\n" +
            "} finally { foreach ($n in $names) { [Environment]::SetEnvironmentVariable($n, $saved[$n]) } }";
    }
}
