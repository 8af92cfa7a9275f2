using System;
using System.Collections;
using System.IO;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>LICENSE and CHANGELOG.md exist and the manifest points to them; the README says which license and why.</summary>
    public class ReleaseFilesTests
    {
        private static Hashtable PSData() => (Hashtable)((Hashtable)ModuleManifestTests.ManifestData()["PrivateData"]!)["PSData"]!;

        [Fact]
        public void TheLicenseIsMitAndTheManifestAndReadmeSaySo()
        {
            string license = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "LICENSE"));
            Assert.StartsWith("MIT License\n", license.Replace("\r\n", "\n"), StringComparison.Ordinal);
            Assert.Contains("Permission is hereby granted, free of charge", license, StringComparison.Ordinal);
            Assert.EndsWith("/blob/main/LICENSE", (string)PSData()["LicenseUri"]!, StringComparison.Ordinal);
            Assert.Contains("MIT License", (string)ModuleManifestTests.ManifestData()["Copyright"]!, StringComparison.Ordinal);
            string readme = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "README.md"));
            Assert.Contains("## License\n\nMIT (`LICENSE`)", readme.Replace("\r\n", "\n"), StringComparison.Ordinal);
        }

        [Fact]
        public void TheReleaseNotesAreTheChangelogAndItCoversTheCurrentVersion()
        {
            string changelog = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "CHANGELOG.md")).Replace("\r\n", "\n");
            string notes = (string)PSData()["ReleaseNotes"]!;
            Assert.Contains("CHANGELOG.md", notes, StringComparison.Ordinal);
            Assert.Contains("/blob/main/CHANGELOG.md", notes, StringComparison.Ordinal);
            Assert.StartsWith("# Changelog\n", changelog, StringComparison.Ordinal);
            Assert.Contains("\n## " + (string)ModuleManifestTests.ManifestData()["ModuleVersion"]! + "\n", changelog, StringComparison.Ordinal);
            foreach (var cmdlet in (object[])ModuleManifestTests.ManifestData()["CmdletsToExport"]!)
            {
                Assert.True(changelog.Contains("`" + (string)cmdlet + "`", StringComparison.Ordinal), $"CHANGELOG.md does not mention {cmdlet}: add a line under the version that adds it.");
            }
        }
    }
}
