using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Shape
{
    /// <summary>
    /// Issue 11, PowerShell-shaped parameters: paths with wildcards, -LiteralPath and pipeline binding, ItemNotFound for a
    /// missing path, NotFound for a literal filter that names nothing, -Tag references and -BuildArg strings checked
    /// before anything reaches an engine.
    /// </summary>
    public sealed class ParameterShapeTests : IDisposable
    {
        private readonly string temp = Path.Combine(Path.GetTempPath(), "h11-shape-" + Guid.NewGuid().ToString("N")[..10]);
        private readonly ModuleSession s = new ModuleSession();

        public ParameterShapeTests() => Directory.CreateDirectory(temp);

        public void Dispose()
        {
            s.Dispose();
            Directory.Delete(temp, true);
        }

        private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

        // ------------------------------------------------------------------ Filters

        [Fact]
        public void ALiteralVersionOrVariantThatNamesNothingIsANotFoundErrorAndDollarQuestionIsFalse()
        {
            var variant = s.Run("Get-PythonTag -Variant slim-trixxie; $?");
            var e = Assert.Single(variant.Errors);
            Assert.Equal("PythonTag.VariantNotFound,PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.IsType<ItemNotFoundException>(e.Exception);
            Assert.Equal("slim-trixxie", e.TargetObject);
            Assert.Contains("slim-trixie", e.Exception.Message); // the variants it has are listed
            Assert.Equal(false, Assert.Single(variant.Output).BaseObject);

            var version = s.Run("Get-PythonTag -Version 9.9, 3.14; $?");
            var v = Assert.Single(version.Errors);
            Assert.Equal("PythonTag.VersionNotFound", v.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal("9.9", v.TargetObject);
            Assert.NotNull(v.ErrorDetails.RecommendedAction);

            // The other value still selects its images; the command as a whole failed.
            Assert.Equal(false, version.Output[^1].BaseObject);
            Assert.True(version.Output.Count > 1);
            Assert.All(version.Output.SkipLast(1), o => Assert.Equal("3.14", o.Properties["VersionKey"].Value));

            // Wildcards that match nothing, and literal values that exist (key, full version, Windows basename), are no error.
            Assert.Empty(s.Run("Get-PythonTag -Version 9.* -Variant nothing*").AllErrors);
            var fine = s.Run("Get-PythonTag -Version 3.14.6 -Variant windowsservercore-ltsc2025, SLIM-TRIXIE");
            Assert.Empty(fine.AllErrors);
            Assert.Equal(2, fine.Output.Count);
        }

        // ------------------------------------------------------------------ Paths: Test-PythonDockerfile

        [Fact]
        public void TestPythonDockerfileOfAMissingFolderIsItemNotFoundNotFortyTwoMissing()
        {
            string missing = Path.Combine(temp, "nonexistent");
            var r = s.Run("Test-PythonDockerfile $p; $?", Vars(("p", missing)));
            var e = Assert.Single(r.Errors);
            Assert.Equal("Dockerfile.PathNotFound,PythonImages.Commands.TestPythonDockerfileCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.IsType<ItemNotFoundException>(e.Exception);
            Assert.Contains(missing, e.Exception.Message);
            Assert.Equal(false, Assert.Single(r.Output).BaseObject); // no DockerfileCheck at all

            Assert.Equal(false, Assert.Single(s.Run("Test-PythonDockerfile -LiteralPath $p -Quiet -ErrorAction SilentlyContinue", Vars(("p", missing))).Output).BaseObject);
        }

        [Fact]
        public void TestPythonDockerfileTakesWildcardsLiteralPathsAndPipedFolders()
        {
            foreach (var name in new[] { "imgA", "imgB", "img[1]" })
            {
                var gen = s.Run("New-PythonDockerfile -Path $p -Version 3.14 -Variant slim-trixie", Vars(("p", Path.Combine(temp, name))));
                Assert.Empty(gen.AllErrors);
            }

            // -Path with a wildcard checks every folder it matches ('img[1]' is not matched by img?: the brackets are literal characters here).
            var wild = s.Run("Test-PythonDockerfile -Path $p -Version 3.14 -Variant slim-trixie", Vars(("p", Path.Combine(temp, "img?"))));
            Assert.Empty(wild.AllErrors);
            Assert.Equal(
                new[] { Path.Combine(temp, "imgA", "3.14", "slim-trixie", "Dockerfile"), Path.Combine(temp, "imgB", "3.14", "slim-trixie", "Dockerfile") },
                wild.Output.Select(o => (string)o.Properties["Path"].Value).ToArray());
            Assert.All(wild.Output, o => Assert.Equal("Current", o.Properties["Status"].Value.ToString()));

            // -LiteralPath takes '[1]' as it is; -Path reads it as a pattern that matches nothing (no error, as Get-Item).
            var literal = s.Run("Test-PythonDockerfile -LiteralPath $p -Version 3.14 -Variant slim-trixie", Vars(("p", Path.Combine(temp, "img[1]"))));
            Assert.Empty(literal.AllErrors);
            Assert.Equal("Current", Assert.Single(literal.Output).Properties["Status"].Value.ToString());

            // Items from the provider (as Get-Item / Get-ChildItem -Directory emit them) bind -LiteralPath through PSPath;
            // without -Version/-Variant every image of the matrix is checked in each folder.
            var piped = s.Run("$ExecutionContext.InvokeProvider.Item.Get([string[]]@($p), $false, $true) | Test-PythonDockerfile", Vars(("p", Path.Combine(temp, "img[1]"))));
            Assert.Empty(piped.AllErrors);
            var statuses = piped.Output.GroupBy(o => o.Properties["Status"].Value.ToString()).ToDictionary(g => g.Key!, g => g.Count());
            Assert.Equal(1, statuses["Current"]);
            Assert.Equal(41, statuses["Missing"]);
        }

        // ------------------------------------------------------------------ Paths: Invoke-PythonImageBuild (no engine needed)

        [Fact]
        public void InvokePythonImageBuildOfAMissingPathIsItemNotFoundBeforeAnyEngine()
        {
            string missing = Path.Combine(temp, "no-such-context");
            var r = s.Run("Invoke-PythonImageBuild -DockerHost tcp://127.0.0.1:1 -Path $p; $?", Vars(("p", missing)));
            var e = Assert.Single(r.Errors);
            Assert.Equal("ImageBuild.ContextNotFound,PythonImages.Commands.InvokePythonImageBuildCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.IsType<ItemNotFoundException>(e.Exception);
            Assert.Equal(false, Assert.Single(r.Output).BaseObject);
        }

        [Fact]
        public void PipedFoldersWildcardsAndFilesAreBuildInputsAndRepositoryTagsThem()
        {
            foreach (var name in new[] { "ctx1", "ctx2" })
            {
                Directory.CreateDirectory(Path.Combine(temp, name));
                File.WriteAllText(Path.Combine(temp, name, "Dockerfile"), "FROM scratch\n");
            }

            File.WriteAllText(Path.Combine(temp, "ctx2", "Other.Dockerfile"), "FROM scratch\n");

            // Get-ChildItem -Directory | Invoke-PythonImageBuild: PSPath binds -LiteralPath; -Repository tags a path build.
            var piped = s.Run("$ExecutionContext.InvokeProvider.ChildItem.Get($p, $false) | Where-Object PSIsContainer | Invoke-PythonImageBuild -Repository h11-shape/app -WhatIf", Vars(("p", temp)));
            Assert.Empty(piped.AllErrors);
            Assert.Contains("h11-shape/app:latest from " + Path.Combine(temp, "ctx1", "Dockerfile"), piped.HostText);
            Assert.Contains("h11-shape/app:latest from " + Path.Combine(temp, "ctx2", "Dockerfile"), piped.HostText);

            // -Path wildcards; a Dockerfile path builds that file in its folder; -Tag takes full references.
            var wild = s.Run("Invoke-PythonImageBuild -Path $p, $f -Tag ci, 127.0.0.1:5000/team/app:ci-1, registry.example/python -WhatIf",
                Vars(("p", Path.Combine(temp, "ctx*")), ("f", Path.Combine(temp, "ctx2", "Other.Dockerfile"))));
            Assert.Empty(wild.AllErrors);
            const string Refs = "python:ci, 127.0.0.1:5000/team/app:ci-1, registry.example/python:latest from ";
            Assert.Contains(Refs + Path.Combine(temp, "ctx1", "Dockerfile"), wild.HostText);
            Assert.Contains(Refs + Path.Combine(temp, "ctx2", "Dockerfile"), wild.HostText);
            Assert.Contains(Refs + Path.Combine(temp, "ctx2", "Other.Dockerfile"), wild.HostText);

            // Without -Repository or -Tag a path build stays untagged (the default repository 'python' is not applied to it).
            var plain = s.Run("Invoke-PythonImageBuild -LiteralPath $p -WhatIf", Vars(("p", Path.Combine(temp, "ctx1"))));
            Assert.Contains("an untagged image from", plain.HostText);
        }

        [Fact]
        public void InvalidTagsAndBuildArgsAreRefusedBeforeAnyEngineIsContacted()
        {
            Directory.CreateDirectory(Path.Combine(temp, "ctx"));
            File.WriteAllText(Path.Combine(temp, "ctx", "Dockerfile"), "FROM scratch\n");
            var vars = Vars(("p", Path.Combine(temp, "ctx")));

            // tcp://127.0.0.1:1 answers nothing: each error below comes before any connection.
            foreach (var tag in new[] { "Bad Tag!", "repo:tag:extra", "Repo Name:x", "python@sha256:" + new string('a', 64) })
            {
                vars["t"] = tag;
                var r = s.Run("Invoke-PythonImageBuild -DockerHost tcp://127.0.0.1:1 -Path $p -Tag $t", vars);
                var e = Assert.Single(r.AllErrors);
                Assert.Equal("ImageBuild.InvalidTag", e.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            }

            // -BuildArg as docker's strings: names are checked as for a hashtable, values never shown.
            var badName = s.Run("Invoke-PythonImageBuild -DockerHost tcp://127.0.0.1:1 -Path $p -BuildArg 'GOOD=1', 'BAD NAME=secret-value'", vars);
            var b = Assert.Single(badName.AllErrors);
            Assert.Equal("ImageBuild.InvalidBuildArg", b.FullyQualifiedErrorId.Split(',')[0]);
            Assert.DoesNotContain("secret-value", b.ToString() + b.ErrorDetails?.Message);

            var noName = s.Run("Invoke-PythonImageBuild -DockerHost tcp://127.0.0.1:1 -Path $p -BuildArg '=secret-value'", vars);
            var n = Assert.Single(noName.AllErrors);
            Assert.Equal("ParameterArgumentTransformationError", n.FullyQualifiedErrorId.Split(',')[0]);
            Assert.DoesNotContain("secret-value", n.ToString());

            // Strings and hashtables bind to the same thing: -WhatIf reaches the build plan.
            var ok = s.Run("Invoke-PythonImageBuild -Path $p -BuildArg 'A=1', 'B=x=y' -WhatIf; Invoke-PythonImageBuild -Path $p -BuildArg @{ A = 1 } -WhatIf", vars);
            Assert.Empty(ok.AllErrors);
        }
    }
}
