using System.Collections.Generic;
using System.Linq;
using PythonImages.Ci;
using Xunit;
using YamlDotNet.RepresentationModel;
using static PythonImages.Tests.Ci.BuildMatrixTests;

namespace PythonImages.Tests.Ci
{
    /// <summary>What the CI systems read differently from what was meant, or refuse: branch filter patterns, GitHub's 256 jobs, Azure's 100-character leg names.</summary>
    public sealed class BuildMatrixLimitsTests
    {
        private static IReadOnlyList<PythonImage> All => TagRules.Compute(MatrixLoader.Default);

        /// <summary>Every Linux platform the planner knows, on a runner (a user with self-hosted runners for each).</summary>
        private static readonly Dictionary<string, string> EveryLinuxRunner = new Dictionary<string, string>
        {
            ["linux/arm/v5"] = "arm5",
            ["linux/arm/v6"] = "arm6",
            ["linux/arm/v7"] = "arm7",
            ["linux/386"] = "x86",
            ["linux/ppc64le"] = "power",
            ["linux/s390x"] = "z",
            ["linux/riscv64"] = "riscv",
            ["linux/mips64le"] = "mips",
        };

        [Fact]
        public void APlusInTheDefaultBranchMatchesItselfInThePushFilter()
        {
            // GitHub reads on.push.branches as patterns, where '+' means "one or more of the character before": the pattern
            // 'release+1' matches 'release1' and 'releasee1', never the branch 'release+1', whose pushes would not run the workflow.
            var plan = BuildPlanner.Plan(All.Take(2).ToList(), new BuildMatrixOptions { Format = BuildMatrixFormat.GitHubActions, DefaultBranch = "release+1", Registry = "ghcr.io/x" });
            var root = Parse(BuildMatrixWriter.Write(plan));
            var branches = (YamlSequenceNode)At(root, "on", "push", "branches");
            Assert.Equal("release\\+1", Scalar(Assert.Single(branches.Children)));

            // The publish condition compares the ref as a string: the branch as it is.
            var publish = ((YamlSequenceNode)At(root, "jobs", "build", "steps")).Children.Single(s => Keys(s).Contains("name") && Scalar(s, "name") == "Publish");
            Assert.Equal("github.event_name == 'push' && github.ref == 'refs/heads/release+1'", Scalar(publish, "if"));
        }

        [Fact]
        public void AGitHubWorkflowOfMoreThan256LegsIsRefused()
        {
            // GitHub runs at most 256 jobs of a matrix and refuses a workflow whose matrix makes more: the embedded matrix on
            // every Linux platform makes more than that.
            var options = new BuildMatrixOptions { Format = BuildMatrixFormat.GitHubActions };
            foreach (var kv in EveryLinuxRunner)
            {
                options.RunnerLabels[kv.Key] = kv.Value;
            }

            var plan = BuildPlanner.Plan(All, options);
            Assert.True(plan.Legs.Count > 256, $"{plan.Legs.Count} legs");
            var ex = Assert.Throws<BuildMatrixException>(() => BuildMatrixWriter.Write(plan));
            Assert.Equal(BuildMatrixErrorIds.TooManyLegs, ex.ErrorId);
            Assert.Contains(plan.Legs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
            Assert.Equal(PythonImages.FailureCategory.LimitsExceeded, ErrorCatalogue.Get(ex.ErrorId).Category);

            // One leg per lineage stays under the limit and is written.
            options.PerLineage = true;
            var lineages = BuildPlanner.Plan(All, options);
            Assert.InRange(lineages.Legs.Count, 1, 256);
            Assert.NotEmpty(BuildMatrixWriter.Write(lineages));

            // Azure Pipelines has no such limit: the same plan is written.
            options.PerLineage = false;
            options.Format = BuildMatrixFormat.AzurePipelines;
            Assert.NotEmpty(BuildMatrixWriter.Write(BuildPlanner.Plan(All, options)));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void AzureLegNamesAreAtMost100CharactersAndUnique(bool perLineage)
        {
            // Azure refuses a matrix configuration name longer than 100 characters; a leg is named after its image's first
            // tag (up to 128 characters, e.g. from an imported manifest) and architecture.
            var template = All.First(i => i.VersionKey == "3.14" && i.ArchitectureList.Contains("amd64"));
            var images = new List<PythonImage>();
            for (int n = 0; n < 3; n++)
            {
                var image = template.Clone();
                image.Tags = new[] { new string('a', 120) + "-" + n };
                image.SharedTags = System.Array.Empty<string>();
                image.Directory = "long/" + n;
                image.BaseImage = "base" + n;
                images.Add(image);
            }

            foreach (var format in new[] { BuildMatrixFormat.AzurePipelines, BuildMatrixFormat.GitHubActions })
            {
                var plan = BuildPlanner.Plan(images, new BuildMatrixOptions { Format = format, PerLineage = perLineage });
                Assert.Equal(plan.Legs.Count, plan.Legs.Select(l => l.Id).Distinct().Count());
                Assert.All(plan.Legs, l => Assert.Matches(@"\A[A-Za-z][A-Za-z0-9_]{0,99}\z", l.Id));
                string text = BuildMatrixWriter.Write(plan);
                if (format == BuildMatrixFormat.AzurePipelines)
                {
                    var matrix = (YamlMappingNode)At(((YamlSequenceNode)At(Parse(text), "jobs")).Children[0], "strategy", "matrix");
                    Assert.Equal(plan.Legs.Count, matrix.Children.Count);
                    Assert.All(Keys(matrix), k => Assert.InRange(k.Length, 1, 100));
                }
            }
        }
    }
}
