using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Apps
{
    /// <summary>
    /// What -Environment values reach the container: a SecureString (Read-Host -AsSecureString, a credential's Password) is
    /// the secret it holds, never its type name, and the secret reaches no stream. The image is busybox FROM scratch.
    /// </summary>
    public sealed class ContainerEnvironmentTests : IDisposable
    {
        private readonly string tag = "r14-env-" + Guid.NewGuid().ToString("N")[..8] + ":1";
        private readonly string context = Directory.CreateTempSubdirectory("r14-env-").FullName;
        private bool built;

        [DockerFact]
        public void ASecureStringValueReachesTheContainerAsTheSecretItHolds()
        {
            var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists);
            Assert.True(busybox != null, "This test needs a static busybox on the host (Debian: apt-get install busybox-static).");
            File.Copy(busybox!, Path.Combine(context, "busybox"));
            File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"true\"]\n");
            var (code, output) = DockerCommand.Run("build", "--network", "host", "-q", "-t", tag, context);
            Assert.True(code == 0, "docker build failed: " + output);
            built = true;

            using var s = new ModuleSession();
            var r = s.Run(
                "$secret = [System.Net.NetworkCredential]::new('', 'r14-hunter2').SecurePassword\n" +
                "Invoke-PythonContainer -Image $image -ArgumentList /bin/busybox, sh, '-c', 'echo \"$TOKEN\"' -Environment @{ TOKEN = $secret } -Verbose",
                new Dictionary<string, object?> { ["image"] = tag });
            Assert.Empty(r.AllErrors);
            Assert.Equal(new[] { "r14-hunter2" }, r.Output.Select(o => o.BaseObject).OfType<string>());
            Assert.DoesNotContain(r.Verbose, v => v.Message.Contains("r14-hunter2", StringComparison.Ordinal));
            Assert.DoesNotContain("r14-hunter2", r.HostText);
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
