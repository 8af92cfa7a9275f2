using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Loader;
using PythonImages.Tests.Hosting;
using PythonImages.Tests.ReleaseFixture;
using Xunit;

namespace PythonImages.Tests
{
    public sealed class DependencyIsolationTests
    {
        private static string Foreign(string name) => Path.Combine(AppContext.BaseDirectory, "foreign", name);

        [DockerFact]
        public void OtherVersionsLoadedFirstDoNotLeakIntoTheModule()
        {
            using var s = new ModuleSession(importModule: false);

            // Another module got there first: YamlDotNet 13, Docker.DotNet 3.125 and SharpCompress 0.48 in the default load context.
            var pre = s.Run("[Reflection.Assembly]::LoadFrom($y).GetName().Version.ToString(); [Reflection.Assembly]::LoadFrom($d).GetName().Version.ToString(); [Reflection.Assembly]::LoadFrom($x).GetName().Version.ToString()",
                new Dictionary<string, object?> { ["y"] = Foreign("YamlDotNet.dll"), ["d"] = Foreign("Docker.DotNet.dll"), ["x"] = Foreign("SharpCompress.dll") });
            Assert.Empty(pre.AllErrors);
            Assert.Equal("13.0.0.0", pre.Output[0].ToString());
            Assert.StartsWith("3.125.", pre.Output[1].ToString());
            Assert.StartsWith("0.48.", pre.Output[2].ToString());

            var import = s.Run($"Import-Module '{ModuleSession.ManifestPath}' -ErrorAction Stop");
            Assert.Empty(import.AllErrors);

            // YamlDotNet at work: a matrix file outside the subset the module's own scanner reads (a document marker first),
            // so YamlDotNet parses it (the embedded matrix is build-time data; a plain matrix file takes the scanner).
            string matrix = Path.Combine(Path.GetTempPath(), "pitest5-iso-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
            File.WriteAllText(matrix, "---\n" + File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "src", "PythonImages.Core", "Data", "matrix.yaml")));
            try
            {
                var tags = s.Run("Get-PythonTag -Name 3-slim -MatrixPath $m", new Dictionary<string, object?> { ["m"] = matrix });
                Assert.Empty(tags.AllErrors);
                Assert.Single(tags.Output);
            }
            finally
            {
                File.Delete(matrix);
            }

            // Docker.DotNet at work: a real build.
            string ctx = Path.Combine(Path.GetTempPath(), "pitest5-iso-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(ctx);
            File.WriteAllText(Path.Combine(ctx, "Dockerfile"), "FROM scratch\nCOPY Dockerfile /Dockerfile\n");
            string tag = "pitest5-iso:" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                var build = s.Run("Invoke-PythonImageBuild $ctx -Tag $tag", new Dictionary<string, object?> { ["ctx"] = ctx, ["tag"] = tag });
                Assert.Empty(build.AllErrors);
                Assert.True((bool)build.Output.Single().Properties["Succeeded"].Value);
            }
            finally
            {
                Directory.Delete(ctx, true);
                System.Diagnostics.Process.Start("docker", new[] { "rmi", "-f", tag })!.WaitForExit();
            }

            // SharpCompress at work: Update-PythonMatrix reads the first entry of a real release tarball.
            using (var f = new PythonOrgFixture())
            {
                f.Add("3.14.6");
                string m = Path.Combine(Path.GetTempPath(), "s16-iso-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
                File.WriteAllText(m, "versions:\n  '3.14':\n    version: 3.14.5\n    checksums:\n      source: {sha256: " + new string('5', 64) + "}\n    variants:\n      - trixie\n");
                try
                {
                    var update = s.Run(
                        "Update-PythonMatrix -Path $m -PythonOrgUri $f.PythonOrgUri -CPythonSourceUri $f.CPythonSourceUri -PyPIUri $f.PyPIUri -AllowInsecureSource -TrustedRootPath $f.TrustedRootPath -PassThru",
                        new Dictionary<string, object?> { ["f"] = f, ["m"] = m });
                    Assert.Empty(update.AllErrors);
                    Assert.Equal("3.14.6", update.Output.Single().Properties["NewVersion"].Value);
                }
                finally
                {
                    File.Delete(m);
                }
            }

            // The module's copies live in its own load context; the foreign ones stay in the default context.
            var ours = AssemblyLoadContext.All.Single(c => c.Assemblies.Any(a => a.GetName().Name == "PythonImages.Core"));
            Assert.NotSame(AssemblyLoadContext.Default, ours);
            Version Of(AssemblyLoadContext c, string name) => c.Assemblies.Single(a => a.GetName().Name == name).GetName().Version!;
            Assert.Equal(new Version(18, 0, 0, 0), Of(ours, "YamlDotNet"));
            Assert.Equal(AssemblyName("Docker.DotNet.dll"), Of(ours, "Docker.DotNet"));
            Assert.True(Of(ours, "Docker.DotNet").Major >= 4);
            Assert.Equal(new Version(13, 0, 0, 0), Of(AssemblyLoadContext.Default, "YamlDotNet"));
            Assert.Equal(3, Of(AssemblyLoadContext.Default, "Docker.DotNet").Major);
            Assert.Contains(ours.Assemblies, a => a.GetName().Name == "PythonImages.Engine");
            Assert.Equal(AssemblyName("SharpCompress.dll"), Of(ours, "SharpCompress"));
            Assert.Equal(0, Of(AssemblyLoadContext.Default, "SharpCompress").Major);
            Assert.NotEqual(AssemblyName("SharpCompress.dll"), Of(AssemblyLoadContext.Default, "SharpCompress"));

            // System.Text.Json: the runtime's own copy (newer than the pinned 9.0.19) is shared on purpose.
            var stj = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "System.Text.Json").ToList();
            Assert.All(stj, a => Assert.True(a.GetName().Version >= new Version(9, 0, 0, 0)));
        }

        private static Version AssemblyName(string file) =>
            System.Reflection.AssemblyName.GetAssemblyName(Path.Combine(ModuleSession.RepoRoot, "bin", "dependencies", file)).Version!;
    }
}
