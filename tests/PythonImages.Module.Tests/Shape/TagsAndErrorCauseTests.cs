using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using PythonImages.Tests.ImageBuild;
using Xunit;

namespace PythonImages.Tests.Shape
{
    /// <summary>
    /// Issue 11 on the real engine: labels (the module's marker and the OCI labels of a matrix image), the warning when a
    /// tag of an image the module did not build is replaced, and errors that name their cause (base image, invalid
    /// reference, failing RUN), the failed-result view, engine warnings, an image without an interpreter under test.
    /// </summary>
    public sealed class TagsAndErrorCauseTests
    {
        private const string Images = @"
$script:imgs = @(Get-PythonTag -OS Linux)
function Img([int]$i, [string]$ctx) { $c = $imgs[$i].Clone(); $c.ContextPath = $ctx; $c.DockerfilePath = [IO.Path]::Combine($ctx, 'Dockerfile'); $c }
";

        private static string Label(string reference, string key)
        {
            var (code, output) = DockerCli.Run("image", "inspect", "--format", "{{index .Config.Labels \"" + key + "\"}}", reference);
            Assert.True(code == 0, output);
            return output.Trim();
        }

        [DockerFact]
        public void MatrixImagesCarryTheOciLabelsAndTheModulesMarker()
        {
            using var c = new Contexts("h11-shape");
            using var s = new ModuleSession();
            // A small local base image (no registry digest, like debian:bookworm-slim here) keeps the three builds fast:
            // on the vfs storage driver every layer copies the whole file system of its base.
            string baseImage = c.Repository + ":base";
            var (baseCode, baseOutput) = DockerCli.Run("build", "--network", "host", "-q", "-t", baseImage, c.Small("base"));
            Assert.True(baseCode == 0, baseOutput);
            string ctx = c.Create("FROM " + baseImage + "\nCOPY marker.txt /marker.txt\n", files: new Dictionary<string, string> { ["marker.txt"] = "oci" });
            string baseId = DockerCli.Run("image", "inspect", "--format", "{{.Id}}", baseImage).Output.Trim();
            Assert.StartsWith("sha256:", baseId);
            DateTime before = DateTime.UtcNow.AddSeconds(-1);

            var r = s.Run(Images + "$i = Img 0 $ctx; $i.GitCommit = 'a' * 40; $i | Invoke-PythonImageBuild -Repository $repo -Label @{ 'org.opencontainers.image.source' = 'https://example.test/mine' }",
                new Dictionary<string, object?> { ["ctx"] = ctx, ["repo"] = c.Repository });
            Assert.Empty(r.AllErrors);
            var result = Assert.Single(r.Output);
            var image = PSObject.AsPSObject(result.Properties["Image"].Value);
            string reference = ((string[])result.Properties["Tags"].Value)[0];

            Assert.Equal((string)image.Properties["Version"].Value, Label(reference, "org.opencontainers.image.version"));
            Assert.Equal(new string('a', 40), Label(reference, "org.opencontainers.image.revision"));
            Assert.Equal("https://example.test/mine", Label(reference, "org.opencontainers.image.source")); // -Label wins
            Assert.Equal(baseImage, Label(reference, "org.opencontainers.image.base.name"));
            Assert.Equal(baseId, Label(reference, "org.opencontainers.image.base.digest")); // a local image without a registry digest: its id
            var created = DateTime.Parse(Label(reference, "org.opencontainers.image.created"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.InRange(created, before, DateTime.UtcNow.AddSeconds(1));
            Assert.Equal("PythonImages", Label(reference, "io.github.pythonimages.built-by"));

            // Without a GitCommit there is no revision label; the source is the matrix's repository.
            var again = s.Run(Images + "Img 0 $ctx | Invoke-PythonImageBuild -Repository $repo", new Dictionary<string, object?> { ["ctx"] = ctx, ["repo"] = c.Repository });
            Assert.Empty(again.AllErrors);
            Assert.Equal(string.Empty, Label(reference, "org.opencontainers.image.revision"));
            Assert.Equal("https://github.com/docker-library/python", Label(reference, "org.opencontainers.image.source"));

            // A -Path build is no matrix image: the marker only.
            string tag = c.Repository + ":path";
            Assert.Empty(s.Run("Invoke-PythonImageBuild $ctx -Tag $t", new Dictionary<string, object?> { ["ctx"] = ctx, ["t"] = tag }).AllErrors);
            Assert.Equal("PythonImages", Label(tag, "io.github.pythonimages.built-by"));
            Assert.Equal(string.Empty, Label(tag, "org.opencontainers.image.version"));
        }

        [DockerFact]
        public void ReplacingATagOfAnImageTheModuleDidNotBuildWarnsWithTheTagAndTheOldId()
        {
            using var c = new Contexts("h11-shape");
            using var s = new ModuleSession();
            string ctx = c.Small("foreign");
            string tag = c.Repository + ":foreign";
            string baseId = DockerCli.Run("image", "inspect", "--format", "{{.Id}}", "debian:bookworm-slim").Output.Trim();
            Assert.Equal(0, DockerCli.Run("tag", "debian:bookworm-slim", tag).Code);

            var first = s.Run("Invoke-PythonImageBuild -LiteralPath $ctx -Tag $t", new Dictionary<string, object?> { ["ctx"] = ctx, ["t"] = tag });
            Assert.Empty(first.AllErrors);
            string newId = (string)Assert.Single(first.Output).Properties["ImageId"].Value;
            var warning = Assert.Single(first.Warnings);
            Assert.Contains(tag, warning.Message);
            Assert.Contains(baseId, warning.Message);
            Assert.Contains(newId, warning.Message);

            // The tag now points to an image the module built: building again replaces it without a warning.
            var second = s.Run("Invoke-PythonImageBuild -LiteralPath $ctx -Tag $t -NoCache", new Dictionary<string, object?> { ["ctx"] = ctx, ["t"] = tag });
            Assert.Empty(second.AllErrors);
            Assert.Empty(second.Warnings);
            Assert.True(DockerCli.ImageExists("debian:bookworm-slim"));
        }

        [DockerFact]
        public void APullFailureAtFromNamesTheBaseImageAndSuggestsRegistryLoginOrNetwork()
        {
            using var c = new Contexts("h11-shape");
            using var s = new ModuleSession();
            const string Missing = "127.0.0.1:5000/h11-shape-missing:nope";
            string ctx = c.Create("FROM " + Missing + "\nRUN true\n");
            var r = s.Run("Invoke-PythonImageBuild $ctx -Tag $t -Network host", new Dictionary<string, object?> { ["ctx"] = ctx, ["t"] = c.Repository + ":pull" });
            var e = Assert.Single(r.Errors);
            Assert.Equal("ImageBuild.BaseImageUnavailable", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ResourceUnavailable, e.CategoryInfo.Category);
            Assert.Contains("The base image '" + Missing + "' could not be found or pulled: the registry has no such image or tag.", e.ErrorDetails.Message);
            Assert.Contains("-BaseImageRegistry", e.ErrorDetails.RecommendedAction);
            Assert.Contains("docker login", e.ErrorDetails.RecommendedAction);
            Assert.Contains("network", e.ErrorDetails.RecommendedAction);
            Assert.Contains("docker pull " + Missing, e.ErrorDetails.RecommendedAction);
            Assert.False((bool)Assert.Single(r.Output).Properties["Succeeded"].Value);
        }

        [DockerFact]
        public void AnInvalidReferenceInFromSaysSo()
        {
            using var c = new Contexts("h11-shape");
            using var s = new ModuleSession();
            string ctx = c.Create("FROM Bad/Ref:x\n");
            var r = s.Run("Invoke-PythonImageBuild $ctx -Tag $t", new Dictionary<string, object?> { ["ctx"] = ctx, ["t"] = c.Repository + ":ref" });
            var e = Assert.Single(r.Errors);
            Assert.Equal("ImageBuild.InvalidReference", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
            Assert.Contains("names 'Bad/Ref:x', which the engine refuses as an image reference", e.ErrorDetails.Message);
            Assert.Contains("repository name must be lowercase", e.ErrorDetails.Message);
        }

        [DockerFact]
        public void ARunFailureKeepsTheStepAndLastLinesAndTheFailedViewShowsItsColumns()
        {
            using var c = new Contexts("h11-shape");
            using var s = new ModuleSession();
            string ctx = c.Create("FROM scratch\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"echo line-before-failure; exit 3\"]\n", busybox: true);
            string tag = c.Repository + ":run";
            var r = s.Run("$r = Invoke-PythonImageBuild $ctx -Tag $t -ErrorVariable ev -ErrorAction SilentlyContinue; $r | Out-Default; $r; $ev",
                new Dictionary<string, object?> { ["ctx"] = ctx, ["t"] = tag });
            var e = r.Output.Select(o => o.BaseObject).OfType<ErrorRecord>().Single();
            Assert.Equal("ImageBuild.StepFailed", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Matches(@"failed at Step 3/[0-9]+ : RUN \[""/busybox""", e.ErrorDetails.Message);
            Assert.Contains("returned a non-zero code: 3", e.ErrorDetails.Message);
            Assert.Contains("line-before-failure", e.ErrorDetails.Message);
            Assert.Contains("Last ", e.ErrorDetails.Message);
            Assert.StartsWith("Fix the failing step in " + Path.Combine(ctx, "Dockerfile"), e.ErrorDetails.RecommendedAction);

            // The view: the image's name under Image, nothing under ImageId, the step under FailedStep, the error under Error.
            var lines = r.HostText.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
            int header = lines.FindIndex(l => l.StartsWith("Status", StringComparison.Ordinal));
            Assert.True(header >= 0, r.HostText);
            Assert.Matches(@"^Status\s+ImageId\s+Duration\s+Size\(MB\)\s+Image\s+FailedStep\s+Error$", lines[header]);
            string row = lines[header + 2];
            // Columns as the dashes under the headers mark them (the last one runs to the end of the row).
            var names = lines[header].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            var starts = System.Text.RegularExpressions.Regex.Matches(lines[header + 1], "-+").Select(m => m.Index).ToList();
            Assert.Equal(names.Count, starts.Count);
            string Column(string name)
            {
                int k = names.IndexOf(name);
                int start = starts[k];
                int end = k + 1 < starts.Count ? starts[k + 1] : row.Length;
                return start >= row.Length ? string.Empty : row[start..Math.Min(end, row.Length)].Trim();
            }

            Assert.Equal("Failed", Column("Status"));
            Assert.Equal(string.Empty, Column("ImageId"));
            Assert.Equal(tag, Column("Image"));
            Assert.Matches(@"^3/[0-9]+ RUN \[", Column("FailedStep"));
            Assert.StartsWith("The command", Column("Error"));
        }

        [DockerFact]
        public void EngineWarningsBecomeWarningsAndBuildArgTakesDockerStrings()
        {
            using var c = new Contexts("h11-shape");
            using var s = new ModuleSession();
            string ctx = c.Create("FROM scratch\nARG GREETING=none\nCOPY busybox /busybox\nRUN [\"/busybox\", \"sh\", \"-c\", \"echo greeting=$GREETING\"]\n", busybox: true);
            var r = s.Run("Invoke-PythonImageBuild $ctx -Tag $t -BuildArg 'GREETING=hello=world', 'UNUSED_ARG=1' -Network host -NoCache -Verbose",
                new Dictionary<string, object?> { ["ctx"] = ctx, ["t"] = c.Repository + ":args" });
            Assert.Empty(r.AllErrors);
            Assert.Contains(r.Verbose, v => v.Message.Contains("greeting=hello=world", StringComparison.Ordinal));
            var w = Assert.Single(r.Warnings);
            Assert.Contains("UNUSED_ARG", w.Message);
            Assert.StartsWith("The engine warns:", w.Message);
        }

        [DockerFact]
        public void TestPythonImageExplainsAnImageWithoutAnInterpreter()
        {
            using var c = new Contexts("h11-shape");
            using var s = new ModuleSession();
            string ctx = c.Small("no python here");
            string tag = c.Repository + ":nopython";
            Assert.Empty(s.Run("Invoke-PythonImageBuild $ctx -Tag $t", new Dictionary<string, object?> { ["ctx"] = ctx, ["t"] = tag }).AllErrors);
            var r = s.Run("Test-PythonImage -Image $t -Test python-imports -Network host", new Dictionary<string, object?> { ["t"] = tag });
            var result = Assert.Single(r.Output);
            Assert.Equal("Failed", result.Properties["Status"].Value.ToString());
            string reason = (string)result.Properties["Reason"].Value;
            Assert.Contains("the image has no Python interpreter:", reason);
            Assert.DoesNotContain("{", reason);
        }
    }
}
