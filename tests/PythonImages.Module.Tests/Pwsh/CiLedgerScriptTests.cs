using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using PythonImages.Tests.Hosting;
using PythonImages.Tests.ImageBuild;
using Xunit;

namespace PythonImages.Tests.PwshSuite
{
    /// <summary>
    /// The step scripts of a generated GitHub workflow (build and test with a ledger fragment, publish, merge the fragments,
    /// assemble the shared tags), taken verbatim from Export-PythonBuildMatrix's output and run in real pwsh processes, one
    /// per step as a runner would, against the local engine and the registry on 127.0.0.1:5000. The matrix is tiny (two
    /// images); the only stand-in is New-PythonDockerfile, which writes a two-line Dockerfile FROM a FROM-scratch image
    /// holding busybox and a stand-in python3, instead of the CPython build no test machine can afford.
    /// </summary>
    public sealed class CiLedgerScriptTests : IDisposable
    {
        private const string Matrix =
            "repository: https://github.com/docker-library/python\n" +
            "maintainers:\n  - Tianon Gravi <admwiggin@gmail.com> (@tianon)\n" +
            "aliases:\n  '3.7': ['3', latest]\n" +
            "architectures:\n  buildpack-deps:stretch: [amd64]\n  debian:stretch-slim: [amd64]\n" +
            "excludeArchitectures: []\n" +
            "versions:\n  '3.7':\n    version: 3.7.3\n    variants: [stretch, slim-stretch]\n";

        private static readonly string[] Applets = { "sh", "cat", "date", "echo", "find", "grep", "kill", "printf", "sed", "sha256sum", "true", "false" };

        private readonly string root = Directory.CreateTempSubdirectory("pitest5-s4ledger-ci-").FullName;
        private readonly string repository = "pitest5-s4ledger-ci-" + Guid.NewGuid().ToString("N")[..8];
        private readonly string ns = "s4ledger" + Guid.NewGuid().ToString("N")[..6];

        public void Dispose()
        {
            foreach (var image in DockerCli.Lines("images", "--format", "{{.Repository}}:{{.Tag}}").Where(i => i.Contains(repository, StringComparison.Ordinal)))
            {
                DockerCli.Run("rmi", "-f", image);
            }

            Directory.Delete(root, true);
        }

        /// <summary>
        /// What the Install step stands for (the module, imported from this build), images under a repository of this test,
        /// and New-PythonDockerfile replaced by a two-line Dockerfile FROM <paramref name="baseImage"/>.
        /// </summary>
        private string Prelude(string baseImage) =>
            $"Import-Module {Pwsh.Quote(ModuleSession.ManifestPath)}\n" +
            $"$PSDefaultParameterValues['Invoke-PythonImageBuild:Repository'] = {Pwsh.Quote(repository)}\n" +
            $"$PSDefaultParameterValues['Publish-PythonImage:Repository'] = {Pwsh.Quote(repository)}\n" +
            "function New-PythonDockerfile {\n" +
            "    param([Parameter(Mandatory, Position = 0)][string]$Path, [Parameter(ValueFromPipeline)]$InputObject)\n" +
            "    process {\n" +
            "        $dir = Join-Path $Path $InputObject.Directory\n" +
            "        $null = New-Item -ItemType Directory -Force -Path $dir\n" +
            $"        Set-Content -LiteralPath (Join-Path $dir Dockerfile) -Value \"FROM {baseImage}`nLABEL org.pitest.directory=`\"$($InputObject.Directory)`\"`n\" -NoNewline\n" +
            "        $InputObject.ContextPath = $dir\n" +
            "        $InputObject.DockerfilePath = Join-Path $dir Dockerfile\n" +
            "        $InputObject\n" +
            "    }\n" +
            "}\n";

        private string BuildBase()
        {
            string ctx = Path.Combine(root, "base");
            void Write(string relative, byte[] bytes, UnixFileMode mode)
            {
                string path = Path.Combine(ctx, "rootfs", relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, bytes);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, mode);
                }
            }

            const UnixFileMode Exec = (UnixFileMode)0x1ED;
            string busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.First(File.Exists);
            Write("bin/busybox", File.ReadAllBytes(busybox), Exec);
            foreach (var applet in Applets)
            {
                File.CreateSymbolicLink(Path.Combine(ctx, "rootfs", "bin", applet), "busybox");
            }

            Write("etc/passwd", System.Text.Encoding.ASCII.GetBytes("root:x:0:0:root:/root:/bin/sh\n"), (UnixFileMode)0x1A4);
            Write("etc/shadow", System.Text.Encoding.ASCII.GetBytes("root:*:19000:0:99999:7:::\n"), (UnixFileMode)0x1A0);
            Write("usr/local/bin/python3", File.ReadAllBytes(ModuleSession.Fixture("image-tests/fake-python3")), Exec);
            File.WriteAllText(Path.Combine(ctx, "Dockerfile"), "FROM scratch\nCOPY rootfs/ /\nENV PATH /usr/local/bin:/bin\nCMD [\"python3\"]\n");
            string tag = repository + "-base:1";
            var (code, output) = DockerCli.Run("build", "--network", "host", "-q", "-t", tag, ctx);
            Assert.True(code == 0, output);
            return tag;
        }

        private static Pwsh.Result RunStep(string prelude, string script, string workingDirectory, Dictionary<string, string?> env)
        {
            Directory.CreateDirectory(workingDirectory);
            var result = Pwsh.Run(prelude + script, workingDirectory, env, timeoutSeconds: 600);
            Assert.True(result.ExitCode == 0, result.ToString());
            return result;
        }

        [RegistryFact]
        public void TheLegsAndTheFinalJobRunAsGeneratedWithLedgerFragmentsAndSharedTagsFromTheMergedLedger()
        {
            Assert.True(Pwsh.Available, Pwsh.MissingReason);
            string matrix = Path.Combine(root, "matrix.yaml");
            File.WriteAllText(matrix, Matrix);
            string baseImage = BuildBase();
            string prelude = Prelude(baseImage);

            // The scripts, as the module writes them into a workflow.
            using var session = new ModuleSession();
            string workflow = (string)session.Run($"Get-PythonTag | Export-PythonBuildMatrix -Format GitHubActions -Registry {TestRegistries.Plain}/{ns}").Output.Single().BaseObject;
            var env = new Dictionary<string, string?>
            {
                ["PI_PLATFORM"] = "linux/amd64",
                ["PI_IMAGES"] = Path.Combine(root, "images"),
                ["PI_MATRIX"] = matrix,
                ["PI_REGISTRY"] = TestRegistries.Plain + "/" + ns,
                ["PI_REGISTRY_USER"] = string.Empty,
                // A folder name with wildcard characters (a workspace path may have them): the step takes it as it is.
                ["PI_FRAGMENTS"] = "pi-fragments[1]",
            };

            foreach (var (leg, directory) in new[] { ("leg-1", "3.7/stretch"), ("leg-2", "3.7/slim-stretch") })
            {
                env["PI_LEG"] = leg;
                env["PI_DIRECTORIES"] = directory;
                string work = Path.Combine(root, leg);
                RunStep(prelude, WorkflowSteps.RunBlock(workflow, "Build and test"), work, env);
                RunStep(prelude, WorkflowSteps.RunBlock(workflow, "Publish"), work, env);

                // The leg's artifact, as the final job downloads it.
                CopyTree(Path.Combine(work, "pi-out"), Path.Combine(root, "final", "pi-fragments[1]", leg));
            }

            // A leg run again over the same fragment: nothing is built.
            env["PI_LEG"] = "leg-1";
            env["PI_DIRECTORIES"] = "3.7/stretch";
            var again = RunStep(prelude + "$VerbosePreference = 'Continue'\n", WorkflowSteps.RunBlock(workflow, "Build and test"), Path.Combine(root, "leg-1"), env);
            Assert.Contains("VERBOSE: Skipping " + repository + ":3.7.3-stretch: unchanged since", again.Output, StringComparison.Ordinal);

            // Another image pushed over the shared tag 'latest': the final job must put the index back from the ledger alone.
            string latest = $"{TestRegistries.Plain}/{ns}/{repository}:latest";
            Assert.Equal(0, DockerCli.Run("tag", baseImage, latest).Code);
            var push = DockerCli.Run("push", latest);
            Assert.True(push.Code == 0, push.Output);
            using (var before = new RegistryReader(TestRegistries.Plain))
            {
                Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", before.Manifest($"{ns}/{repository}", "latest").MediaType);
            }

            string final = Path.Combine(root, "final");
            RunStep(prelude, WorkflowSteps.RunBlock(workflow, "Merge the ledger fragments"), final, env);
            RunStep(prelude, WorkflowSteps.RunBlock(workflow, "Assemble the shared-tag indexes"), final, env);

            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(final, "pi-out", "build-ledger.json")));
            var entries = doc.RootElement.GetProperty("images").EnumerateArray().ToList();
            Assert.Equal(new[] { "3.7/slim-stretch", "3.7/stretch" }, entries.Select(e => e.GetProperty("image").GetString()));
            using var reader = new RegistryReader(TestRegistries.Plain);
            foreach (var entry in entries)
            {
                var pushed = entry.GetProperty("pushed").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
                var sharedTags = entry.GetProperty("sharedTags").EnumerateArray().Select(t => t.GetString()!).ToList();
                Assert.Equal(entry.GetProperty("image").GetString() == "3.7/stretch" ? new[] { "3.7.3", "3.7", "3", "latest" } : Array.Empty<string>(), sharedTags);

                // Each leg pushed its image's own tags (the shared ones become indexes) and recorded their digest.
                var own = entry.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!.Split(':')[1]).Where(t => !sharedTags.Contains(t)).ToList();
                Assert.Equal(own.Select(t => $"{TestRegistries.Plain}/{ns}/{repository}:{t}").OrderBy(t => t, StringComparer.Ordinal), pushed.Keys);
                string digest = pushed.Values.Distinct().Single()!;
                foreach (var tag in sharedTags)
                {
                    var (status, _, body) = reader.Manifest($"{ns}/{repository}", tag);
                    Assert.Equal(200, status);
                    using var index = JsonDocument.Parse(body);
                    Assert.Equal(digest, index.RootElement.GetProperty("manifests").EnumerateArray().Single().GetProperty("digest").GetString());
                }
            }
        }

        private static void CopyTree(string from, string to)
        {
            foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            {
                string target = Path.Combine(to, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
    }
}
