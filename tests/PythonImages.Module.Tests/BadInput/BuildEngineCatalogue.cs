using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// The -Engine area of the bad-input catalogue (Invoke-PythonImageBuild's engines per platform): hostile platform keys and
    /// engine values, refused before anything is contacted; images with no engine, and engines that do not fit, refused before
    /// any upload. No engine is needed: every engine in a refused map is a socket that does not exist, so a value that slipped
    /// through would show as another error. DOCKER_CONFIG is process-wide: this class runs in the engine environment collection.
    /// </summary>
    [Collection(EngineEnvironmentCollection.Name)]
    public sealed class BuildEngineCatalogue : BadInputCatalogue<BuildEngineCatalogue>, IBadInputArea
    {
        private const string Area = "build-engine";
        private const string Build = "Invoke-PythonImageBuild -Path \"$work/ctx\" -Tag pitest5-s4-engines-bad:x -Engine ";
        private const string None = "\"unix://$work/none.sock\"";

        public BuildEngineCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 20;

        public static List<BadInputCase> Create()
        {
            var list = new List<BadInputCase>();

            BadInputCase Add(string name, string script, string errorId, ErrorCategory category = ErrorCategory.InvalidArgument)
            {
                var c = new BadInputCase(Area, name, script, errorId, category).WithFile("ctx/Dockerfile", "FROM scratch\nCOPY Dockerfile /x\n");
                list.Add(c);
                return c;
            }

            // Platform keys: grammar first (printable ASCII, anchored), then known architectures, variants and Windows versions.
            foreach (var (name, key) in new[]
            {
                ("key with a line break", "\"linux/amd64`n\""),
                ("key with a NUL", "\"linux`0/amd64\""),
                ("key with a shell substitution", "'linux/$(id)'"),
                ("key going up a path", "'linux/../amd64'"),
                ("key with a space", "'linux /amd64'"),
                ("key of another OS", "'freebsd/amd64'"),
                ("key with an unknown architecture", "'linux/sparc64'"),
                ("key with four parts", "'linux/arm/v7/x'"),
                ("key with a variant amd64 has not", "'linux/amd64/v3'"),
                ("key with an unknown Windows version", "'windows/amd64/ltsc2016'"),
                ("key with a Windows version on linux", "'linux/amd64/ltsc2025'"),
                ("key longer than the grammar allows", "('linux/' + ('a' * 300))"),
                ("empty key", "''"),
            })
            {
                Add("-Engine " + name, Build + "@{ " + key + " = " + None + " }", "BuildEngine.InvalidPlatformKey");
            }

            Add("one platform twice (x86_64 is amd64)", Build + "@{ 'linux/amd64' = " + None + "; 'LINUX/X86_64' = " + None + " }", "BuildEngine.InvalidPlatformKey");
            Add("one platform twice as strings", Build + "'linux/amd64=default', 'LINUX/amd64=tcp://127.0.0.1:1'", "BuildEngine.InvalidPlatformKey");
            Add("a key that is not a string", Build + "@{ 42 = " + None + " }", "BuildEngine.InvalidPlatformKey");

            // Engine values: the engine address grammar of -DockerHost, or a docker context name and an existing context.
            foreach (var (name, value) in new[]
            {
                ("tcp with no host", "'tcp://'"),
                ("tcp port out of range", "'tcp://127.0.0.1:65536'"),
                ("tcp with a path", "'tcp://127.0.0.1:2375/v1.41/build'"),
                ("an unknown scheme", "'ftp://127.0.0.1'"),
                ("ssh", "'ssh://builder@127.0.0.1'"),
                ("a named pipe on Linux", "'npipe:////./pipe/docker_engine'"),
                ("an address with a line break", "\"tcp://127.0.0.1`n:2375\""),
                ("a context name with a shell substitution", "'ctx$(id)'"),
                ("a context name going up a path", "'../../etc/passwd'"),
                ("a context name with a space", "'my context'"),
                ("a context that does not exist", "'nope'"),
                ("an empty engine", "''"),
                ("no engine", "$null"),
                ("a script block", "{ 'unix:///var/run/docker.sock' }"),
                ("an array of engines", "@('unix:///a.sock', 'unix:///b.sock')"),
            })
            {
                Add("-Engine value " + name, WithConfig(Build + "@{ 'linux/amd64' = " + value + " }"), "BuildEngine.InvalidEngine");
            }

            Add("-Engine string without an engine", Build + "'linux/amd64'", "BuildEngine.InvalidEngine");
            Add("-Engine string with a bad engine", Build + "'linux/amd64=ftp://x'", "BuildEngine.InvalidEngine");
            Add("-Engine with no platform", Build + "@{}", "BuildEngine.InvalidEngine");
            Add("-Engine together with -DockerHost", Build + "@{ 'linux/amd64' = " + None + " } -DockerHost " + None, "BuildEngine.InvalidEngine");
            Add("a context whose meta.json is not JSON",
                WithConfig(Build + "@{ 'linux/amd64' = 'broken' }"),
                "BuildEngine.InvalidEngine")
                .WithFile("cfg/contexts/meta/" + Sha256Hex("broken") + "/meta.json", "{ not json");

            // Routing: an image no engine fits, and an engine that does not fit its key (the real engine is never asked:
            // no key fits this Linux folder build, so nothing is contacted).
            Add("an image no engine fits", Build + "@{ 'windows/amd64/ltsc2025' = " + None + "; 'windows/amd64/ltsc2022' = " + None + " }", "BuildEngine.NoEngine", ErrorCategory.ObjectNotFound);
            Add("-Platform no engine fits", Build + "@{ 'linux/amd64' = " + None + " } -Platform linux/arm64", "BuildEngine.NoEngine", ErrorCategory.ObjectNotFound);
            Add("an engine that does not answer", Build + "@{ 'linux' = " + None + " }", "ImageBuild.EngineUnavailable", ErrorCategory.ConnectionError);
            return list;
        }

        /// <summary>Runs <paramref name="body"/> with DOCKER_CONFIG at $work/cfg (contexts are looked up there), restored afterwards.</summary>
        private static string WithConfig(string body) =>
            "$savedConfig = [Environment]::GetEnvironmentVariable('DOCKER_CONFIG'); [Environment]::SetEnvironmentVariable('DOCKER_CONFIG', [IO.Path]::Combine($work, 'cfg'))\n" +
            "try { " + body + " } finally { [Environment]::SetEnvironmentVariable('DOCKER_CONFIG', $savedConfig) }";

        private static string Sha256Hex(string text) =>
            System.Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
    }
}
