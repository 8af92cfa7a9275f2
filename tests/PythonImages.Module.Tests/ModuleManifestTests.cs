using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>The root PythonImages.psd1: valid, and exporting exactly what it lists.</summary>
    public class ModuleManifestTests
    {
        /// <summary>The manifest read as data, independently of PowerShell's module code.</summary>
        internal static Hashtable ManifestData()
        {
            var ast = Parser.ParseFile(ModuleSession.ManifestPath, out _, out var errors);
            Assert.Empty(errors);
            var table = (HashtableAst)ast.Find(a => a is HashtableAst, false)!;
            return (Hashtable)table.SafeGetValue();
        }

        private static string[] List(Hashtable data, string key) => ((object[])data[key]!).Select(o => (string)o).ToArray();

        [Fact]
        public void ManifestPassesTestModuleManifest()
        {
            using var s = new ModuleSession(importModule: false);
            var r = s.Invoke(ps => ps.AddCommand("Test-ModuleManifest").AddParameter("Path", ModuleSession.ManifestPath));
            Assert.Empty(r.AllErrors);
            var info = (PSModuleInfo)Assert.Single(r.Output).BaseObject;
            Assert.Equal("PythonImages", info.Name);
            Assert.Equal(new Version((string)ManifestData()["ModuleVersion"]!), info.Version);
            Assert.Contains("Get-PythonTag", info.ExportedCmdlets.Keys);
            Assert.Equal(List(ManifestData(), "CmdletsToExport").OrderBy(n => n), info.ExportedCmdlets.Keys.OrderBy(n => n));
        }

        [Fact]
        public void TheModuleVersionLivesOnlyInTheManifestAndTheBuiltAssembliesCarryIt()
        {
            var version = new Version((string)ManifestData()["ModuleVersion"]!);
            string bin = Path.Combine(ModuleSession.RepoRoot, "bin");
            foreach (string dll in new[] { Path.Combine(bin, "PythonImages.dll"), Path.Combine(bin, "dependencies", "PythonImages.Core.dll"), Path.Combine(bin, "dependencies", "PythonImages.Engine.dll") })
            {
                var built = System.Reflection.AssemblyName.GetAssemblyName(dll).Version!;
                Assert.Equal((version.Major, version.Minor, Math.Max(0, version.Build)), (built.Major, built.Minor, built.Build));
            }

            // No second copy of the number: the build reads it from the manifest.
            foreach (string props in Directory.GetFiles(ModuleSession.RepoRoot, "*.props").Concat(Directory.GetFiles(Path.Combine(ModuleSession.RepoRoot, "src"), "*.csproj", SearchOption.AllDirectories)))
            {
                string text = File.ReadAllText(props);
                Assert.DoesNotMatch(@"<(ModuleVersion|Version|AssemblyVersion|FileVersion|VersionPrefix)>\s*[0-9]", text);
            }
        }

        [Fact]
        public void ManifestDeclaresBothEditionsAndWindowsPowerShell51()
        {
            var data = ManifestData();
            Assert.Equal(new[] { "Core", "Desktop" }, List(data, "CompatiblePSEditions").OrderBy(e => e));
            Assert.Equal("5.1", data["PowerShellVersion"]);
            Assert.Equal("bin/PythonImages.dll", data["RootModule"]);
            Assert.Empty((object[])data["FunctionsToExport"]!);
            Assert.Empty((object[])data["AliasesToExport"]!);
            Assert.Empty((object[])data["VariablesToExport"]!);
        }

        [Fact]
        public void TheOneFormatFileHoldsEveryViewOfTheFormatSources()
        {
            // One file is shipped (the fallback of FormatRegistration, and Windows PowerShell's route), with the same views
            // as data beside it; the manifest lists none (the module adds its views on import, FormatViewsTests). The
            // views are written one file per area in src/PythonImages/Formats and joined by the build.
            Assert.False(ManifestData().ContainsKey("FormatsToProcess"), "a listed format file makes every import rebuild the session's format database");
            string built = Path.Combine(ModuleSession.RepoRoot, "bin", "PythonImages.format.ps1xml");
            Assert.True(File.Exists(built), built + " was not built");
            Assert.True(File.Exists(Path.Combine(ModuleSession.RepoRoot, "bin", "PythonImages.views.bin")), "the views data was not built");

            static string[] Views(System.Xml.Linq.XDocument doc) => doc.Descendants("View")
                .Select(v => v.ToString(System.Xml.Linq.SaveOptions.DisableFormatting))
                .OrderBy(v => v, StringComparer.Ordinal).ToArray();

            var sources = Directory.GetFiles(Path.Combine(ModuleSession.RepoRoot, "src", "PythonImages", "Formats"), "*.format.ps1xml");
            Assert.True(sources.Length >= 8, "the format sources were not found");
            var expected = sources.SelectMany(f => Views(System.Xml.Linq.XDocument.Load(f))).OrderBy(v => v, StringComparer.Ordinal).ToArray();
            Assert.Equal(expected, Views(System.Xml.Linq.XDocument.Load(built)));
            Assert.DoesNotMatch(@">\s+<", File.ReadAllText(built)); // no indentation: less for PowerShell to read on import
        }

        [Fact]
        public void NoViewScriptNamesATypeThatPowerShellMustSearchTheLoadedAssembliesFor()
        {
            // PowerShell parses every script-block column when the views are added, at import. A type name that is not
            // one of its accelerators ([Math], [System.Math]) is looked up in every loaded assembly, ignoring case, which
            // the first time builds a case-insensitive table of each assembly's types: session 17 found such a lookup
            // ([Math]::Min in the publish view) in a profile of a cold import. Accelerators ([int], [string]) are a table
            // lookup.
            var accelerators = (System.Collections.Generic.IDictionary<string, Type>)typeof(PSObject).Assembly
                .GetType("System.Management.Automation.TypeAccelerators", throwOnError: true)!
                .GetProperty("Get")!.GetValue(null)!;
            var sources = Directory.GetFiles(Path.Combine(ModuleSession.RepoRoot, "src", "PythonImages", "Formats"), "*.format.ps1xml");
            var scripts = sources.SelectMany(f => System.Xml.Linq.XDocument.Load(f).Descendants("ScriptBlock").Select(e => (File: Path.GetFileName(f), Text: e.Value))).ToList();
            Assert.True(scripts.Count >= 20, "the view scripts were not found");
            foreach (var (file, text) in scripts)
            {
                var ast = System.Management.Automation.Language.Parser.ParseInput(text, out _, out var errors);
                Assert.Empty(errors);
                var names = ast.FindAll(a => a is System.Management.Automation.Language.TypeExpressionAst || a is System.Management.Automation.Language.TypeConstraintAst, true)
                    .Select(a => a is System.Management.Automation.Language.TypeExpressionAst t ? t.TypeName.FullName : ((System.Management.Automation.Language.TypeConstraintAst)a).TypeName.FullName);
                foreach (var name in names)
                {
                    Assert.True(accelerators.ContainsKey(name), $"{file}: [{name}] in `{text}` is not a type accelerator");
                }
            }
        }

        [Fact]
        public void ImportedModuleExportsExactlyTheListedCmdletsAndEachExists()
        {
            using var s = new ModuleSession();
            var listed = List(ManifestData(), "CmdletsToExport");
            Assert.Contains("Get-PythonTag", listed);

            var exported = s.Run("(Get-Module PythonImages).ExportedCommands.Keys");
            Assert.Equal(listed.OrderBy(n => n), exported.Output.Select(o => (string)o.BaseObject).OrderBy(n => n));

            foreach (var name in listed)
            {
                var r = s.Invoke(ps => ps.AddCommand("Get-Command").AddParameter("Name", name).AddParameter("Module", "PythonImages"));
                Assert.Empty(r.AllErrors);
                var cmd = (CommandInfo)Assert.Single(r.Output).BaseObject;
                Assert.Equal(CommandTypes.Cmdlet, cmd.CommandType);
                var cmdlet = (CmdletInfo)cmd;
                Assert.NotEmpty(cmdlet.OutputType);
                Assert.EndsWith("Command", cmdlet.ImplementingType.Name);
            }
        }

        [Fact]
        public void ImportLoadsTheModuleFromTheRepositoryBinFolder()
        {
            using var s = new ModuleSession();
            var r = s.Run("(Get-Module PythonImages).Path");
            Assert.Equal(Path.Combine(ModuleSession.RepoRoot, "bin", "PythonImages.dll"), Assert.Single(r.Output).BaseObject);
            Assert.True(File.Exists(Path.Combine(ModuleSession.RepoRoot, "bin", "dependencies", "PythonImages.Core.dll")));
            Assert.True(File.Exists(Path.Combine(ModuleSession.RepoRoot, "bin", "dependencies", "YamlDotNet.dll")));
            Assert.False(File.Exists(Path.Combine(ModuleSession.RepoRoot, "bin", "YamlDotNet.dll")));
        }
    }
}
