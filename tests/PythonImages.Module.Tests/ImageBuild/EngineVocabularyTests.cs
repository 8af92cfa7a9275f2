using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.ImageBuild
{
    /// <summary>One image-reference rule for Invoke-PythonImageBuild and Test-PythonImage, and -Test driven by the test catalogue.</summary>
    public sealed class EngineVocabularyTests
    {
        /// <summary>A full reference without a tag (it has a '/'): the build tags it as written, and the test names it the same.</summary>
        [DockerFact]
        public void AReferenceWithASlashIsTheSameNameInBuildAndTest()
        {
            using var c = new Contexts("h10-engine");
            using var s = new ModuleSession();
            string reference = c.Repository + "/app";
            try
            {
                var r = s.Run(
                    "$b = Invoke-PythonImageBuild -Path $ctx -Tag $ref; $b; $b | Test-PythonImage -Test utc -Network host -TimeoutSec 30",
                    new Dictionary<string, object?> { ["ctx"] = c.Small("slash"), ["ref"] = reference });
                Assert.Null(r.Terminating);
                Assert.Equal(2, r.Output.Count);
                // A full reference without a tag is normalized as the engine tags it (issue 11): the same name in both.
                var built = (string[])r.Output[0].Properties["Tags"].Value;
                Assert.Equal(new[] { reference + ":latest" }, built);
                Assert.Equal(reference + ":latest", r.Output[1].Properties["Image"].Value);
                Assert.DoesNotContain(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("ImageTest.InvalidImage", StringComparison.Ordinal));
            }
            finally
            {
                DockerCli.Run("rmi", "-f", reference);
            }
        }

        /// <summary>A bare tag that starts like an image id ("sha256-...") goes under -Repository in both cmdlets.</summary>
        [DockerFact]
        public void AnImageObjectsTagIsTheSameNameInBuildAndTest()
        {
            using var c = new Contexts("h10-engine");
            using var s = new ModuleSession();
            var r = s.Run(
                "$i = (Get-PythonTag -OS Linux)[0].Clone(); $i.ContextPath = $ctx; $i.DockerfilePath = [IO.Path]::Combine($ctx, 'Dockerfile'); $i.Tags = @('sha256-h10'); $i.SharedTags = @(); " +
                "(Invoke-PythonImageBuild -InputObject $i -Repository $repo).Tags; $i | Test-PythonImage -Repository $repo -Test utc -Network host -TimeoutSec 30",
                new Dictionary<string, object?> { ["ctx"] = c.Small("sha"), ["repo"] = c.Repository });
            Assert.Null(r.Terminating);
            Assert.True(r.Errors.Count == 0, string.Join(Environment.NewLine, r.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
            Assert.Equal(c.Repository + ":sha256-h10", r.Output[0].BaseObject);
            Assert.Equal(c.Repository + ":sha256-h10", r.Output[1].Properties["Image"].Value);
        }

        [Fact]
        public void AnUnknownTestNameListsTheKnownTests()
        {
            using var s = new ModuleSession();
            var r = s.Run("Test-PythonImage -Image x -Test utc, python-nope");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("ParameterArgumentValidationError", e.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Contains("'python-nope' is not a python image test. Known tests: ", e.Exception.Message, StringComparison.Ordinal);
            foreach (var name in new[] { "python-imports", "python-no-pyc", "python-sqlite3", "python-stack-size", "python-pip-requests-ssl", "utc", "no-hard-coded-passwords", "override-cmd" })
            {
                Assert.Contains(name, e.Exception.Message, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void TestNamesAreAcceptedInAnyCase()
        {
            using var s = new ModuleSession();
            var r = s.Run("Test-PythonImage -Image x -Test UTC, Python-Sqlite3 -DockerHost unix:///nonexistent/docker.sock");
            var e = Assert.Single(r.AllErrors); // past validation: the engine is what is missing
            Assert.Equal("ImageTest.EngineUnavailable,PythonImages.Commands.TestPythonImageCommand", e.FullyQualifiedErrorId);
        }

        [Fact]
        public void TestNamesCompleteFromTheCatalogue()
        {
            using var s = new ModuleSession();
            const string input = "Test-PythonImage -Image x -Test python-s";
            var r = s.Invoke(ps => ps.AddCommand("TabExpansion2").AddParameter("inputScript", input).AddParameter("cursorColumn", input.Length));
            var completion = (CommandCompletion)Assert.Single(r.Output).BaseObject;
            Assert.Equal(new[] { "python-sqlite3", "python-stack-size" }, completion.CompletionMatches.Select(m => m.CompletionText).OrderBy(t => t, StringComparer.Ordinal));
        }
    }
}
