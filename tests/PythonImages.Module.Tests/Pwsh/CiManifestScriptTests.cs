using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.PwshSuite
{
    /// <summary>
    /// The final job's "library manifest and README tags block" step of a generated workflow, taken verbatim from
    /// Export-PythonBuildMatrix's output and run in a real pwsh process as a runner would, for a repository with its own
    /// matrix (-MatrixPath): the manifest's header and the README's links are that matrix's, not the embedded one's.
    /// </summary>
    public sealed class CiManifestScriptTests : IDisposable
    {
        private const string Matrix =
            "repository: https://github.com/my-org/my-python\n" +
            "maintainers:\n  - Me Myself <me@example.com> (@me)\n" +
            "aliases:\n  '3.7': ['3', latest]\n" +
            "architectures:\n  buildpack-deps:stretch: [amd64]\n  debian:stretch-slim: [amd64]\n" +
            "excludeArchitectures: []\n" +
            "versions:\n  '3.7':\n    version: 3.7.3\n    variants: [stretch, slim-stretch]\n";

        private readonly string root = Directory.CreateTempSubdirectory("pi-r2-ci-manifest-").FullName;

        public void Dispose() => Directory.Delete(root, true);

        [PwshFact]
        public void TheManifestStepWritesTheHeaderAndLinksOfTheRepositorysOwnMatrix()
        {
            Assert.True(Pwsh.Available, Pwsh.MissingReason);
            string repo = Path.Combine(root, "repo");
            Directory.CreateDirectory(repo);
            File.WriteAllText(Path.Combine(repo, "matrix.yaml"), Matrix);
            foreach (var dir in new[] { "3.7/stretch", "3.7/slim-stretch" })
            {
                Directory.CreateDirectory(Path.Combine(repo, dir));
                File.WriteAllText(Path.Combine(repo, dir, "Dockerfile"), "FROM scratch\n");
            }

            GitTestRepository.RunIn(repo, "init", "-q", "-b", "main");
            GitTestRepository.RunIn(repo, "add", ".");
            GitTestRepository.RunIn(repo, "commit", "-q", "-m", "images");

            using var session = new ModuleSession();
            var generated = session.Run(
                "$ExecutionContext.SessionState.Path.SetLocation($repo) > $null\nExport-PythonBuildMatrix -Format GitHubActions -MatrixPath ./matrix.yaml",
                new Dictionary<string, object?> { ["repo"] = repo });
            Assert.Empty(generated.AllErrors);
            string workflow = (string)generated.Output.Single().BaseObject;
            Assert.Contains("PI_MATRIX: 'matrix.yaml'", workflow, StringComparison.Ordinal);

            // The step as the runner runs it: in the checkout, with the workflow's environment.
            var env = new Dictionary<string, string?> { ["PI_IMAGES"] = ".", ["PI_MATRIX"] = "matrix.yaml" };
            var result = Pwsh.Run(
                $"Import-Module {Pwsh.Quote(ModuleSession.ManifestPath)}\n" + WorkflowSteps.RunBlock(workflow, "Write the library manifest and the README tags block"),
                repo,
                env,
                timeoutSeconds: 300);
            Assert.True(result.ExitCode == 0, result.ToString());

            string manifest = File.ReadAllText(Path.Combine(repo, "pi-out", "library-python"));
            Assert.Contains("Maintainers: Me Myself <me@example.com> (@me)\n", manifest, StringComparison.Ordinal);
            Assert.Contains("GitRepo: https://github.com/my-org/my-python.git\n", manifest, StringComparison.Ordinal);
            Assert.DoesNotContain("docker-library", manifest, StringComparison.Ordinal);

            string readme = File.ReadAllText(Path.Combine(repo, "pi-out", "README-tags.md"));
            Assert.Contains("](https://github.com/my-org/my-python/blob/", readme, StringComparison.Ordinal);
            Assert.DoesNotContain("docker-library/python/blob", readme, StringComparison.Ordinal);
        }
    }
}
