using System;
using System.Collections.Generic;
using System.Linq;
using PythonImages.Ci;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace PythonImages.Tests.Ci
{
    /// <summary>
    /// Matrix values come from pull requests: every hostile string in every field that reaches the CI file is refused with
    /// its ErrorId before anything is written, and the values that are accepted read back from the YAML exactly as given.
    /// </summary>
    public sealed class BuildMatrixInjectionTests
    {
        /// <summary>Quotes, CI expressions of both systems, shell syntax, YAML syntax, line breaks and invisible characters.</summary>
        public static readonly IReadOnlyList<string> Hostile = new[]
        {
            "'", "\"", "${{ secrets.REGISTRY_PASSWORD }}", "${{github.token}}", "$(REGISTRY_PASSWORD)", "$[variables.x]",
            "$(touch /tmp/pwned)", "`touch /tmp/pwned`", ";touch${IFS}/tmp/pwned", "|touch /tmp/pwned", "&touch /tmp/pwned",
            "a\nrun: touch /tmp/pwned", "a\r\n  - run: x", "a\0b", "a\u2028b", "a\u202Eb", "a\u200Bb",
            "x: y", "- x", "# x", "*alias", "&anchor x", "!!str x", "{a: b}", "[a]", "a #b", "@x", "%x", "a'b", "a\"b",
            "'; touch /tmp/pwned; '", "-rf", "--output=/etc/passwd", "..", "../x", "/abs", "a b", "a\tb",
        };

        public static IEnumerable<object[]> Indices() => Enumerable.Range(0, Hostile.Count).Select(i => new object[] { i });

        private static PythonImage Image()
        {
            var i = TagRules.Compute(MatrixLoader.Default).First(x => x.VersionKey == "3.14" && x.Variant == "slim-trixie").Clone();
            return i;
        }

        private static string Generate(PythonImage image, BuildMatrixOptions options) => BuildMatrixWriter.Write(BuildPlanner.Plan(new[] { image }, options));

        private static void AssertRefused(string expectedId, Func<string> generate, string value)
        {
            var ex = Assert.Throws<BuildMatrixException>(() => generate());
            Assert.True(ex.ErrorId == expectedId, $"{Show(value)}: expected {expectedId}, got {ex.ErrorId}: {ex.Message}");
            Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\0", ex.Message, StringComparison.Ordinal);
        }

        private static string Show(string s) => string.Concat(s.Select(c => c < 0x20 || c > 0x7E ? $"\\u{(int)c:X4}" : c.ToString()));

        [Theory]
        [MemberData(nameof(Indices))]
        public void AHostileImageValueIsRefusedInEveryField(int index)
        {
            string bad = Hostile[index];
            var github = new BuildMatrixOptions { Format = BuildMatrixFormat.GitHubActions };
            var cases = new List<(string Field, Action<PythonImage> Mutate)>
            {
                ("Directory", i => i.Directory = bad),
                ("Directory suffix", i => i.Directory = "3.14/" + bad),
                ("Tags[0]", i => i.Tags = new[] { bad }.Concat(i.Tags).ToArray()),
                ("Architectures", i => i.Architectures = new[] { "amd64", bad }),
                ("Constraints", i => i.Constraints = new[] { bad }),
            };
            foreach (var (field, mutate) in cases)
            {
                var image = Image();
                mutate(image);
                var ex = Assert.Throws<BuildMatrixException>(() => Generate(image, github));
                Assert.True(ex.ErrorId == BuildMatrixErrorIds.InvalidImage, $"{field} = {Show(bad)}: {ex.ErrorId} {ex.Message}");
            }
        }

        [Theory]
        [MemberData(nameof(Indices))]
        public void AHostileParameterIsRefused(int index)
        {
            string bad = Hostile[index];
            var image = Image();
            foreach (var format in new[] { BuildMatrixFormat.GitHubActions, BuildMatrixFormat.AzurePipelines })
            {
                // A bracketed host ([a]) is a valid registry (an IPv6 literal): accepted values must read back exactly.
                try
                {
                    string text = Generate(image, new BuildMatrixOptions { Format = format, Registry = bad });
                    var root = BuildMatrixTests.Parse(text);
                    Assert.Equal(bad, BuildMatrixTests.Scalar(root, format == BuildMatrixFormat.GitHubActions ? "env" : "variables", "PI_REGISTRY"));
                    Assert.StartsWith("[", bad, StringComparison.Ordinal);
                }
                catch (BuildMatrixException ex)
                {
                    Assert.Equal(BuildMatrixErrorIds.InvalidRegistry, ex.ErrorId);
                }

                AssertRefused(BuildMatrixErrorIds.InvalidRegistry, () => Generate(image, new BuildMatrixOptions { Format = format, Registry = "ghcr.io/" + bad }), bad);
                AssertRefused(BuildMatrixErrorIds.InvalidBranch, () => Generate(image, new BuildMatrixOptions { Format = format, DefaultBranch = bad }), bad);
                AssertRefused(BuildMatrixErrorIds.InvalidRunnerLabel, () => Generate(image, new BuildMatrixOptions { Format = format, RunnerLabels = { ["linux/amd64"] = bad } }), bad);
                AssertRefused(BuildMatrixErrorIds.InvalidRunnerLabel, () => Generate(image, new BuildMatrixOptions { Format = format, RunnerLabels = { [bad] = "ubuntu-24.04" } }), bad);
                AssertRefused(BuildMatrixErrorIds.InvalidRepositoryPath, () => Generate(image, new BuildMatrixOptions { Format = format, ImagesPath = bad }), bad);
                AssertRefused(BuildMatrixErrorIds.InvalidRepositoryPath, () => Generate(image, new BuildMatrixOptions { Format = format, MatrixFile = bad }), bad);
                AssertRefused(BuildMatrixErrorIds.UnsafeValue, () => Generate(image, new BuildMatrixOptions { Format = format, ModuleVersion = bad }), bad);
            }
        }

        [Theory]
        [MemberData(nameof(Indices))]
        public void TheYamlWriterRefusesOrRoundTripsEveryString(int index)
        {
            string value = Hostile[index];
            string quoted;
            try
            {
                quoted = CiYaml.Quote(value, "value");
            }
            catch (BuildMatrixException ex)
            {
                Assert.Equal(BuildMatrixErrorIds.UnsafeValue, ex.ErrorId);
                Assert.True(value.Any(c => c < 0x20 || c > 0x7E) || value.Contains("${", StringComparison.Ordinal) || value.Contains("$(", StringComparison.Ordinal) || value.Contains("$[", StringComparison.Ordinal), Show(value));
                return;
            }

            // Accepted: a single scalar that YAML reads back as exactly the value (no key, anchor, alias, tag or comment).
            var root = BuildMatrixTests.Parse("key: " + quoted + "\nother: 1\n");
            Assert.Equal(new[] { "key", "other" }, BuildMatrixTests.Keys(root));
            var node = (YamlScalarNode)BuildMatrixTests.At(root, "key");
            Assert.Equal(value, node.Value);
            Assert.Equal(YamlDotNet.Core.ScalarStyle.SingleQuoted, node.Style);
        }

        [Fact]
        public void ValuesReachTheStepsOnlyThroughTheEnvironment()
        {
            // The run scripts are the same whatever the images and parameters: no value is ever part of a script.
            static string Scripts(string text)
            {
                var root = BuildMatrixTests.Parse(text);
                var jobs = BuildMatrixTests.At(root, "jobs");
                var list = jobs is YamlMappingNode map ? map.Children.Values.ToList() : ((YamlSequenceNode)jobs).Children.ToList();
                return string.Join("\n---\n", list.SelectMany(j => ((YamlSequenceNode)BuildMatrixTests.At(j, "steps")).Children)
                    .Select(step => (YamlMappingNode)step)
                    .SelectMany(step => step.Children.Where(kv => ((YamlScalarNode)kv.Key).Value is "run" or "pwsh").Select(kv => ((YamlScalarNode)kv.Value).Value)));
            }

            var a = Image();
            var b = TagRules.Compute(MatrixLoader.Default).First(x => x.VersionKey == "3.12" && x.Variant == "alpine3.23");
            foreach (var format in new[] { BuildMatrixFormat.GitHubActions, BuildMatrixFormat.AzurePipelines })
            {
                string one = Generate(a, new BuildMatrixOptions { Format = format, Registry = "ghcr.io/one", DefaultBranch = "main", ImagesPath = "images" });
                string two = Generate(b, new BuildMatrixOptions { Format = format, Registry = "localhost:5000/two", DefaultBranch = "trunk", ImagesPath = "." });
                Assert.Equal(Scripts(one), Scripts(two));
                Assert.DoesNotContain("3.14", Scripts(one), StringComparison.Ordinal);
                Assert.DoesNotContain("ghcr.io", Scripts(one), StringComparison.Ordinal);
            }
        }
    }
}
