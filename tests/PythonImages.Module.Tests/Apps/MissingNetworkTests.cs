using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Apps
{
    /// <summary>
    /// A -Network the engine does not have: the engine refuses to start the container ("network x not found", 404), which is
    /// the caller's mistake, not the image's. Invoke-PythonContainer and Test-PythonImage say so with an ErrorId of their own.
    /// The image is a tiny one FROM scratch (no container ever runs a program).
    /// </summary>
    public sealed class MissingNetworkTests : IDisposable
    {
        private readonly string tag = "r14-nonet-" + Guid.NewGuid().ToString("N")[..8] + ":1";
        private readonly string network = "r14-no-such-network-" + Guid.NewGuid().ToString("N")[..8];
        private readonly string context = Directory.CreateTempSubdirectory("r14-nonet-").FullName;
        private bool built;

        private void Build()
        {
            File.WriteAllText(Path.Combine(context, "marker"), "r14\n");
            File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY marker /marker\nCMD [\"/marker\"]\n");
            var (code, output) = DockerCommand.Run("build", "--network", "host", "-q", "-t", tag, context);
            Assert.True(code == 0, "docker build failed: " + output);
            built = true;
        }

        [DockerFact]
        public void InvokePythonContainerNamesTheMissingNetworkNotTheImage()
        {
            Build();
            string name = "r14-nonet-run-" + Guid.NewGuid().ToString("N")[..6];
            using var s = new ModuleSession();
            var r = s.Run("Invoke-PythonContainer -Image $image -Network $network -Name $name", new Dictionary<string, object?> { ["image"] = tag, ["network"] = network, ["name"] = name });
            var error = Assert.Single(r.AllErrors);
            Assert.Equal("PythonContainer.NetworkNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(network, error.TargetObject);
            Assert.Contains("docker network ls", error.ErrorDetails.RecommendedAction);
            Assert.Equal(1, DockerCommand.Run("container", "inspect", name).Code);
        }

        [DockerFact]
        public void TestPythonImageStopsWithOneErrorInsteadOfFailingTheImage()
        {
            Build();
            using var s = new ModuleSession();
            var r = s.Run("Test-PythonImage -Image $image, $image -Network $network -Test utc, python-sqlite3", new Dictionary<string, object?> { ["image"] = tag, ["network"] = network });
            Assert.Empty(r.Output); // no Failed result blames the image
            Assert.Empty(r.Warnings);
            var error = Assert.Single(r.AllErrors); // statement-terminating: neither the next test nor the next image is tried
            Assert.Equal("ImageTest.NetworkNotFound", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal(network, error.TargetObject);
            Assert.Contains("docker network ls", error.ErrorDetails.RecommendedAction);
        }

        public void Dispose()
        {
            if (built)
            {
                DockerCommand.Run("rmi", "-f", tag);
            }

            Directory.Delete(context, recursive: true);
        }
    }
}
