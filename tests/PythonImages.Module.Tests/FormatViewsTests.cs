using System;
using System.IO;
using System.Linq;
using System.Management.Automation.Runspaces;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// The module adds its views itself on import (issue 16: no rebuild of the session's format database). On
    /// PowerShell 7 they come from bin/PythonImages.views.bin; they must be exactly the views of the shipped format file,
    /// survive a later rebuild, not pile up on re-import, and fall back to the format file when the data cannot be used.
    /// </summary>
    public sealed class FormatViewsTests
    {
        // Every PythonImages view the session has, as PowerShell itself writes them out (Export-FormatData).
        private const string ExportViews = @"
$file = [System.IO.Path]::GetTempFileName()
try {
    Get-FormatData -TypeName 'PythonImages.*' | Sort-Object TypeName | Export-FormatData -LiteralPath $file -IncludeScriptBlock -Force
    [System.IO.File]::ReadAllText($file)
} finally { Remove-Item -LiteralPath $file }
";

        private const string Route = @"
[PythonImages.Commands.ModuleInitializer].Assembly.GetType('PythonImages.Commands.FormatRegistration').
    GetMethod('RouteFor', [System.Reflection.BindingFlags]'NonPublic,Static').Invoke($null, @([runspace]::DefaultRunspace))
";

        private static string FormatFile => Path.Combine(ModuleSession.RepoRoot, "bin", "PythonImages.format.ps1xml");

        // The views a real pwsh gets from the shipped format file given the documented way, without the module.
        private static string ViewsOfTheFormatFile()
        {
            var r = Pwsh.Run($"Update-FormatData -AppendPath {FreshProcess.Quote(FormatFile)}\n{ExportViews}");
            Assert.True(r.ExitCode == 0 && r.Error.Length == 0, r.ToString());
            Assert.Contains("PythonImages.PythonImage", r.Output);
            return r.Output;
        }

        // Runs an import of <paramref name="manifest"/> in a real pwsh: the route, then the views (export), then what
        // <paramref name="then"/> writes.
        private static (string Route, string Views, string After) Imported(string manifest, string then = "")
        {
            var r = Pwsh.Run($"Import-Module {FreshProcess.Quote(manifest)} -ErrorAction Stop\n'route ' + ({Route})\n'<<'\n{ExportViews}\n'>>'\n{then}");
            Assert.True(r.ExitCode == 0 && r.Error.Length == 0, r.ToString());
            int open = r.Output.IndexOf("<<\n", StringComparison.Ordinal), close = r.Output.IndexOf(">>\n", StringComparison.Ordinal);
            Assert.True(open > 0 && close > open, r.ToString());
            string route = r.Output.Substring(0, open).Trim();
            return (route, r.Output.Substring(open + 3, close - open - 3), r.Output.Substring(close + 3));
        }

        [PwshFact]
        public void ImportAddsExactlyTheViewsOfTheFormatFileFromTheData()
        {
            Assert.True(Pwsh.Available, Pwsh.MissingReason);
            var (route, views, table) = Imported(ModuleSession.ManifestPath, "Get-PythonTag -Version 3.13 -Variant bookworm");
            Assert.Equal("route data", route);
            Assert.Equal(13, System.Xml.Linq.XDocument.Load(FormatFile).Descendants("View").Count());
            Assert.Equal(ViewsOfTheFormatFile(), views);
            Assert.Matches(@"Version\s+Variant\s+Tags", table);
        }

        [PwshFact]
        public void TheViewsSurviveARebuildAndDoNotPileUpOnReimport()
        {
            Assert.True(Pwsh.Available, Pwsh.MissingReason);
            string manifest = FreshProcess.Quote(ModuleSession.ManifestPath);
            var (_, first, rest) = Imported(ModuleSession.ManifestPath,
                $"Update-FormatData; Import-Module {manifest} -Force; Remove-Module PythonImages; Import-Module {manifest}; Update-FormatData\n'<<'\n{ExportViews}\n'>>'\n" +
                "Get-PythonTag -Version 3.13 -Variant bookworm");
            Assert.StartsWith("<<\n" + first + ">>\n", rest, StringComparison.Ordinal);
            Assert.Matches(@"Version\s+Variant\s+Tags", rest);
        }

        [Fact]
        public void ARunspaceThatImportsTheModuleWhileItOpensGetsTheViewsFromTheData()
        {
            // A host that only references System.Management.Automation (no Microsoft.PowerShell.Utility to read the views
            // back with): the route shows the views were added while the runspace opened.
            var iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(new[] { ModuleSession.ManifestPath });
            using var runspace = RunspaceFactory.CreateRunspace(iss);
            runspace.Open();
            using var shell = System.Management.Automation.PowerShell.Create();
            shell.Runspace = runspace;
            var route = shell.AddScript(Route).Invoke();
            Assert.False(shell.HadErrors, string.Join("; ", shell.Streams.Error));
            Assert.Equal("data", (string)route.Single().BaseObject);
        }

        [Fact]
        public void AHostedSessionImportingTheModuleGetsTheViewsFromTheData()
        {
            using var s = new ModuleSession();
            Assert.Equal("data", (string)s.Run(Route).Output.Single().BaseObject);
        }

        [PwshTheory]
        [InlineData("missing")]
        [InlineData("damaged")]
        public void WithoutUsableDataTheFormatFileGivesTheSameViews(string how)
        {
            Assert.True(Pwsh.Available, Pwsh.MissingReason);
            using var ws = new PythonImages.Tests.PwshSuite.PwshWorkspace("views-" + how);
            PythonImages.Tests.PwshSuite.PwshWorkspace.CopyModule(ws["PythonImages"]);
            string data = ws["PythonImages/bin/PythonImages.views.bin"];
            if (how == "missing")
            {
                File.Delete(data);
            }
            else
            {
                var bytes = File.ReadAllBytes(data);
                Array.Resize(ref bytes, bytes.Length / 2);
                File.WriteAllBytes(data, bytes);
            }

            var (route, views, _) = Imported(ws["PythonImages/PythonImages.psd1"]);
            Assert.Equal("route file", route);
            Assert.Equal(ViewsOfTheFormatFile(), views);
        }

        [Theory]
        [InlineData("<CustomControl><CustomEntries /></CustomControl>", "<CustomControl>")]
        [InlineData("<TableControl><AutoSize /><TableHeaders /><TableRowEntries><TableRowEntry><TableColumnItems /></TableRowEntry></TableRowEntries></TableControl>", "<AutoSize>")]
        [InlineData("<TableControl><TableHeaders><TableColumnHeader><Label>A</Label><Alignment>Middle</Alignment></TableColumnHeader></TableHeaders><TableRowEntries><TableRowEntry><TableColumnItems /></TableRowEntry></TableRowEntries></TableControl>", "alignment 'Middle'")]
        public void TheBuildRefusesAViewTheDataCannotSay(string control, string named)
        {
            // The build writes the views twice (XML for the fallback, data for PowerShell 7): a source using more of the
            // format schema than the data encodes must stop it, not ship two different sets of views.
            string dir = Path.Combine(Path.GetTempPath(), "pythonimages-viewdata-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string source = Path.Combine(dir, "X.format.ps1xml");
                File.WriteAllText(source, $"<Configuration><ViewDefinitions><View><Name>x</Name><ViewSelectedBy><TypeName>X</TypeName></ViewSelectedBy>{control}</View></ViewDefinitions></Configuration>");
                string tool = Path.Combine(ModuleSession.RepoRoot, "tools", "PythonImages.MatrixData", "bin", "Debug", "net10.0", "PythonImages.MatrixData.dll");
                if (!File.Exists(tool))
                {
                    tool = tool.Replace(Path.Combine("bin", "Debug"), Path.Combine("bin", "Release"), StringComparison.Ordinal);
                }

                var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                };
                foreach (string a in new[] { "exec", tool, "--formats", Path.Combine(dir, "out", "X.format.ps1xml"), source })
                {
                    start.ArgumentList.Add(a);
                }

                using var p = System.Diagnostics.Process.Start(start)!;
                string error = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.Equal(1, p.ExitCode);
                Assert.Contains(named, error, StringComparison.Ordinal);
                Assert.False(Directory.Exists(Path.Combine(dir, "out")), "neither file is written for a refused source");
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
