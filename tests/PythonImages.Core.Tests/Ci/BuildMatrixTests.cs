using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PythonImages.Ci;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace PythonImages.Tests.Ci
{
    /// <summary>The legs of the embedded matrix and the two CI files, read back with a YAML parser.</summary>
    public sealed class BuildMatrixTests
    {
        private static IReadOnlyList<PythonImage> All => TagRules.Compute(MatrixLoader.Default);

        /// <summary>The issue's runner table, written out here (not read from the code under test).</summary>
        private static readonly Dictionary<string, string> IssueRunners = new Dictionary<string, string>
        {
            ["amd64"] = "ubuntu-24.04",
            ["arm64v8"] = "ubuntu-24.04-arm",
        };

        internal static YamlMappingNode Parse(string text)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            Assert.Single(stream.Documents);
            return (YamlMappingNode)stream.Documents[0].RootNode;
        }

        internal static YamlNode At(YamlNode node, params string[] path)
        {
            foreach (var key in path)
            {
                var map = Assert.IsType<YamlMappingNode>(node);
                Assert.True(map.Children.ContainsKey(new YamlScalarNode(key)), $"no key '{key}' in {string.Join(", ", map.Children.Keys)}");
                node = map.Children[new YamlScalarNode(key)];
            }

            return node;
        }

        internal static string Scalar(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

        internal static IEnumerable<string> Keys(YamlNode node) => ((YamlMappingNode)node).Children.Keys.Select(k => ((YamlScalarNode)k).Value!);

        private static string Expected(PythonImage image, string arch)
        {
            if (arch == "windows-amd64")
            {
                return image.Variant.EndsWith("ltsc2025", StringComparison.Ordinal) ? "windows-2025" : "windows-2022";
            }

            return IssueRunners.TryGetValue(arch, out var r) ? r : string.Empty;
        }

        [Fact]
        public void EveryImageOfTheEmbeddedMatrixGetsOneLegPerPlatformWithARunner()
        {
            var images = All;
            Assert.Equal(42, images.Count);
            var plan = BuildPlanner.Plan(images, new BuildMatrixOptions { Format = BuildMatrixFormat.GitHubActions });

            var expected = images.SelectMany(i => i.Architectures.Where(a => Expected(i, a).Length > 0).Select(a => (i.Directory, Runner: Expected(i, a)))).ToList();
            Assert.Equal(expected.Count, plan.Legs.Count);
            Assert.Equal(expected, plan.Legs.Select(l => (Assert.Single(l.Directories), l.Runner)).ToList());
            Assert.Equal(plan.Legs.Count, plan.Legs.Select(l => l.Id).Distinct().Count());
            Assert.All(plan.Legs, l => Assert.Matches(@"\A[A-Za-z][A-Za-z0-9_]*\z", l.Id));
            Assert.Equal(42, plan.Legs.SelectMany(l => l.Directories).Distinct().Count());

            // The other architectures have no runner by default: reported, not built.
            Assert.Contains("linux/arm/v7", plan.Unrouted.Keys);
            Assert.Equal(images.Count(i => i.Architectures.Contains("s390x")), plan.Unrouted["linux/s390x"]);

            // Azure Pipelines has no hosted arm64 image: no arm64 legs unless a label is given.
            var azure = BuildPlanner.Plan(images, new BuildMatrixOptions { Format = BuildMatrixFormat.AzurePipelines });
            Assert.Equal(expected.Count(e => e.Runner != "ubuntu-24.04-arm"), azure.Legs.Count);
            var withArm = BuildPlanner.Plan(images, new BuildMatrixOptions { Format = BuildMatrixFormat.AzurePipelines, RunnerLabels = { ["linux/arm64"] = "arm-pool-image" } });
            Assert.Equal(expected.Count, withArm.Legs.Count);
        }

        [Fact]
        public void TheGitHubWorkflowHasEveryLegAndTheStepsOfTheIssue()
        {
            var images = All;
            var plan = BuildPlanner.Plan(images, new BuildMatrixOptions { Format = BuildMatrixFormat.GitHubActions, Registry = "ghcr.io/example", MaxParallel = 5 });
            var root = Parse(BuildMatrixWriter.Write(plan));

            Assert.Equal(new[] { "name", "on", "permissions", "concurrency", "env", "jobs" }, Keys(root));
            Assert.Equal(new[] { "build", "finish" }, Keys(At(root, "jobs")));
            var build = At(root, "jobs", "build");
            Assert.Equal("false", Scalar(build, "strategy", "fail-fast"));
            Assert.Equal("5", Scalar(build, "strategy", "max-parallel"));
            Assert.Equal("${{ matrix.runner }}", Scalar(build, "runs-on"));
            var include = ((YamlSequenceNode)At(build, "strategy", "matrix", "include")).Children.ToList();
            Assert.Equal(plan.Legs.Count, include.Count);
            var dirs = include.Select(n => Scalar(n, "directories")).ToList();
            Assert.Equal(images.Select(i => i.Directory).OrderBy(d => d, StringComparer.Ordinal), dirs.Distinct().OrderBy(d => d, StringComparer.Ordinal));
            foreach (var leg in include)
            {
                Assert.Equal(new[] { "id", "name", "directories", "platform", "runner" }, Keys(leg));
                var image = images.Single(i => i.Directory == Scalar(leg, "directories"));
                Assert.StartsWith(image.Tags[0] + " ", Scalar(leg, "name"), StringComparison.Ordinal);
            }

            Assert.Equal("ghcr.io/example", Scalar(root, "env", "PI_REGISTRY"));
            var steps = ((YamlSequenceNode)At(build, "steps")).Children.ToList();
            string Run(string name) => Scalar(steps.Single(s => ((YamlMappingNode)s).Children.ContainsKey(new YamlScalarNode("name")) && Scalar(s, "name") == name), "run");
            Assert.Contains("Install-Module -Name PythonImages -RequiredVersion $env:PI_MODULE_VERSION", Run("Install PythonImages"), StringComparison.Ordinal);
            string buildScript = Run("Build and test");
            foreach (var piece in new[] { "Get-PythonTag @select", "New-PythonDockerfile -Path $env:PI_IMAGES", "Invoke-PythonImageBuild -Platform $env:PI_PLATFORM -LogPath pi-out/logs/ -Ledger", "Test-PythonImage" })
            {
                Assert.Contains(piece, buildScript, StringComparison.Ordinal);
            }

            var publish = steps.Single(s => ((YamlMappingNode)s).Children.ContainsKey(new YamlScalarNode("name")) && Scalar(s, "name") == "Publish");
            Assert.Equal("github.event_name == 'push' && github.ref == 'refs/heads/main'", Scalar(publish, "if"));
            Assert.Contains("Publish-PythonImage @publish", Scalar(publish, "run"), StringComparison.Ordinal);
            var upload = steps.Last();
            Assert.Equal("always()", Scalar(upload, "if"));
            Assert.StartsWith("actions/upload-artifact@", Scalar(upload, "uses"), StringComparison.Ordinal);

            var finish = At(root, "jobs", "finish");
            Assert.Equal("build", Scalar(finish, "needs"));
            string finishScripts = string.Join("\n", ((YamlSequenceNode)At(finish, "steps")).Children
                .Where(s => ((YamlMappingNode)s).Children.ContainsKey(new YamlScalarNode("run"))).Select(s => Scalar(s, "run")));
            foreach (var piece in new[] { "Merge-PythonBuildLedger", "SharedTagsOnly", "Export-PythonLibraryManifest -GitRepository $env:PI_IMAGES", "ConvertTo-PythonTagMarkdown" })
            {
                Assert.Contains(piece, finishScripts, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void WithoutARegistryNothingIsPublished()
        {
            var plan = BuildPlanner.Plan(All, new BuildMatrixOptions { Format = BuildMatrixFormat.GitHubActions });
            string text = BuildMatrixWriter.Write(plan);
            Assert.DoesNotContain("Publish-PythonImage", text, StringComparison.Ordinal);
            Assert.DoesNotContain("secrets.", text, StringComparison.Ordinal);
            string azure = BuildMatrixWriter.Write(BuildPlanner.Plan(All, new BuildMatrixOptions { Format = BuildMatrixFormat.AzurePipelines }));
            Assert.DoesNotContain("Publish-PythonImage", azure, StringComparison.Ordinal);
        }

        [Fact]
        public void AFilteredSubsetGetsOnlyItsLegs()
        {
            var subset = All.Where(i => i.VersionKey == "3.13" && (i.Variant == "slim-bookworm" || i.Variant.StartsWith("windows/", StringComparison.Ordinal))).ToList();
            Assert.Equal(3, subset.Count);
            var plan = BuildPlanner.Plan(subset, new BuildMatrixOptions { Format = BuildMatrixFormat.AzurePipelines });
            var root = Parse(BuildMatrixWriter.Write(plan));
            var matrix = (YamlMappingNode)At(((YamlSequenceNode)At(root, "jobs")).Children[0], "strategy", "matrix");
            var legs = matrix.Children.Values.Select(v => (Scalar(v, "PI_DIRECTORIES"), Scalar(v, "PI_PLATFORM"), Scalar(v, "PI_RUNNER"))).ToList();
            Assert.Equal(
                new[]
                {
                    ("3.13/slim-bookworm", "linux/amd64", "ubuntu-24.04"),
                    ("3.13/windows/windowsservercore-ltsc2025", "windows/amd64", "windows-2025"),
                    ("3.13/windows/windowsservercore-ltsc2022", "windows/amd64", "windows-2022"),
                },
                legs);
        }

        [Fact]
        public void TheAzurePipelineHasExactlyTheKeysOfItsSchema()
        {
            var plan = BuildPlanner.Plan(All, new BuildMatrixOptions { Format = BuildMatrixFormat.AzurePipelines, Registry = "localhost:5000/library", DefaultBranch = "release/3.14", MaxParallel = 3 });
            var root = Parse(BuildMatrixWriter.Write(plan));
            Assert.Equal(new[] { "trigger", "pr", "variables", "jobs" }, Keys(root));
            Assert.Equal("release/3.14", Scalar(((YamlSequenceNode)At(root, "trigger", "branches", "include")).Children[0]));
            Assert.Equal(new[] { "PI_IMAGES", "PI_MATRIX", "PI_MODULE_VERSION", "PI_REGISTRY" }, Keys(At(root, "variables")));
            var jobs = ((YamlSequenceNode)At(root, "jobs")).Children.ToList();
            Assert.Equal(2, jobs.Count);

            var build = jobs[0];
            Assert.Equal(new[] { "job", "displayName", "timeoutInMinutes", "strategy", "pool", "steps" }, Keys(build));
            Assert.Equal("build", Scalar(build, "job"));
            Assert.Equal(new[] { "maxParallel", "matrix" }, Keys(At(build, "strategy")));
            Assert.Equal("3", Scalar(build, "strategy", "maxParallel"));
            Assert.Equal("$(PI_RUNNER)", Scalar(build, "pool", "vmImage"));
            var matrix = (YamlMappingNode)At(build, "strategy", "matrix");
            Assert.Equal(plan.Legs.Count, matrix.Children.Count);
            foreach (var kv in matrix.Children)
            {
                string key = ((YamlScalarNode)kv.Key).Value!;
                Assert.Matches(@"\A[A-Za-z][A-Za-z0-9_]*\z", key); // Azure: letters, digits and '_' only
                Assert.Equal(new[] { "PI_LEG", "PI_DIRECTORIES", "PI_PLATFORM", "PI_RUNNER" }, Keys(kv.Value));
                Assert.Equal(key, Scalar(kv.Value, "PI_LEG"));
            }

            var stepKinds = new[] { "checkout", "pwsh", "publish", "download" };
            var allowed = new HashSet<string> { "checkout", "fetchDepth", "pwsh", "displayName", "condition", "env", "publish", "artifact", "download", "patterns" };
            foreach (var job in jobs)
            {
                foreach (var step in ((YamlSequenceNode)At(job, "steps")).Children)
                {
                    var keys = Keys(step).ToList();
                    Assert.Single(keys, k => stepKinds.Contains(k));
                    Assert.Equal(keys[0], keys.Single(k => stepKinds.Contains(k))); // the step's kind comes first
                    Assert.All(keys, k => Assert.Contains(k, allowed));
                }
            }

            var publish = ((YamlSequenceNode)At(build, "steps")).Children.Single(s => Keys(s).Contains("displayName") && Scalar(s, "displayName") == "Publish");
            Assert.Equal("and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/release/3.14'), ne(variables['Build.Reason'], 'PullRequest'))", Scalar(publish, "condition"));
            Assert.Equal(new[] { "PI_REGISTRY_USER", "PI_REGISTRY_PASSWORD" }, Keys(At(publish, "env")));

            var finish = jobs[1];
            Assert.Equal(new[] { "job", "displayName", "dependsOn", "condition", "pool", "steps" }, Keys(finish));
            Assert.Equal("build", Scalar(finish, "dependsOn"));
            Assert.Equal("succeededOrFailed()", Scalar(finish, "condition"));
            Assert.Equal("ubuntu-24.04", Scalar(finish, "pool", "vmImage"));
        }

        [Fact]
        public void PerLineageGroupsTheImagesOfABaseImageAndPlatform()
        {
            var images = All;
            var plan = BuildPlanner.Plan(images, new BuildMatrixOptions { Format = BuildMatrixFormat.GitHubActions, PerLineage = true });
            var perImage = BuildPlanner.Plan(images, new BuildMatrixOptions { Format = BuildMatrixFormat.GitHubActions });
            var expectedGroups = perImage.Legs.GroupBy(l => l.Images[0].BaseImage + " " + l.PlatformKey).ToList();
            Assert.Equal(expectedGroups.Count, plan.Legs.Count);
            Assert.True(plan.Legs.Count < perImage.Legs.Count);
            foreach (var leg in plan.Legs)
            {
                Assert.Single(leg.Images.Select(i => i.BaseImage).Distinct());
                var group = expectedGroups.Single(g => g.Key == leg.Images[0].BaseImage + " " + leg.PlatformKey);
                Assert.Equal(group.Select(l => l.Directories[0]), leg.Directories);
            }

            var root = Parse(BuildMatrixWriter.Write(plan));
            var include = ((YamlSequenceNode)At(root, "jobs", "build", "strategy", "matrix", "include")).Children;
            Assert.Equal(plan.Legs.Select(l => string.Join(" ", l.Directories)), include.Select(n => Scalar(n, "directories")));
        }

        [Fact]
        public void RunnerLabelsOverrideAndRemovePlatforms()
        {
            var images = All.Where(i => i.VersionKey == "3.14").ToList();
            var plan = BuildPlanner.Plan(images, new BuildMatrixOptions
            {
                Format = BuildMatrixFormat.GitHubActions,
                RunnerLabels = { ["linux/arm64"] = "self-hosted-arm", ["linux/amd64"] = string.Empty, ["linux/s390x"] = "big-iron" },
            });
            Assert.DoesNotContain(plan.Legs, l => l.PlatformKey == "linux/amd64");
            Assert.All(plan.Legs.Where(l => l.PlatformKey == "linux/arm64"), l => Assert.Equal("self-hosted-arm", l.Runner));
            Assert.Equal(images.Count(i => i.Architectures.Contains("s390x")), plan.Legs.Count(l => l.Runner == "big-iron" && l.Platform == "linux/s390x"));
            Assert.Equal(images.Count(i => i.Architectures.Contains("amd64")), plan.Unrouted["linux/amd64"]);
        }

        [Fact]
        public void TheOutputIsTheSameForTheSameInput()
        {
            var options = new BuildMatrixOptions { Format = BuildMatrixFormat.GitHubActions, Registry = "ghcr.io/x" };
            Assert.Equal(BuildMatrixWriter.Write(BuildPlanner.Plan(All, options)), BuildMatrixWriter.Write(BuildPlanner.Plan(All, options)));
        }
    }
}
