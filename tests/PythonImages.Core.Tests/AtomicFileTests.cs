using System;
using System.IO;
using Xunit;

namespace PythonImages.Tests
{
    public class AtomicFileTests
    {
        [Fact]
        public void CreatesReplacesAndLeavesNoTemporaryFile()
        {
            string dir = Directory.CreateTempSubdirectory("pi-atomic-").FullName;
            try
            {
                string path = Path.Combine(dir, "library-python");
                AtomicFile.WriteAllText(path, "first\n");
                Assert.Equal("first\n", File.ReadAllText(path));
                AtomicFile.WriteAllText(path, "second ✓\n");
                Assert.Equal(new byte[] { (byte)'s' }, new[] { File.ReadAllBytes(path)[0] }); // no BOM
                Assert.Equal("second ✓\n", File.ReadAllText(path));
                Assert.Equal(new[] { path }, Directory.GetFiles(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void AFailedReplaceKeepsTheOldFileAndRemovesTheTemporaryOne()
        {
            string dir = Directory.CreateTempSubdirectory("pi-atomic-").FullName;
            try
            {
                // The target is a directory: the rename fails, nothing else in the folder changes.
                string target = Path.Combine(dir, "busy");
                Directory.CreateDirectory(target);
                File.WriteAllText(Path.Combine(dir, "other"), "keep");
                Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(target, "new"));
                Assert.True(Directory.Exists(target));
                Assert.Equal(new[] { Path.Combine(dir, "other") }, Directory.GetFiles(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
