using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pi-issue4-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string relative) => System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

        /// <summary>Every file below the root (relative, '/'), with its bytes.</summary>
        public Dictionary<string, byte[]> Snapshot() =>
            Directory.GetFiles(Path, "*", SearchOption.AllDirectories)
                .ToDictionary(f => f.Substring(Path.Length + 1).Replace(System.IO.Path.DirectorySeparatorChar, '/'), f => System.IO.File.ReadAllBytes(f), StringComparer.Ordinal);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    public class DockerfileCmdletTests
    {
        [Fact]
        public void FullMatrixPipelineWritesEveryDockerfileAndTestReportsCurrentThenStaleThenMissing()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            var r = s.Run("Get-PythonTag | New-PythonDockerfile -Path $tmp", new Dictionary<string, object?> { ["tmp"] = tmp.Path });
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            Assert.Equal(42, r.Output.Count);
            foreach (var o in r.Output)
            {
                Assert.Equal("PythonImages.PythonImage", o.BaseObject.GetType().FullName);
                string dir = (string)o.Properties["Directory"].Value;
                string path = (string)o.Properties["DockerfilePath"].Value;
                Assert.Equal(Path.Combine(tmp.Path, dir.Replace('/', Path.DirectorySeparatorChar), "Dockerfile"), path);
                Assert.Equal(Path.GetDirectoryName(path), o.Properties["ContextPath"].Value);
                Assert.True(File.Exists(path));
                Assert.Equal("Created", o.Properties["DockerfileAction"].Value);
            }

            Assert.Equal(42, tmp.Snapshot().Count);
        }
    }
}
