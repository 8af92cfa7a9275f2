using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>Get-PythonTag through real pipelines in a hosted runspace with the root PythonImages.psd1 imported.</summary>
    public sealed class GetPythonTagTests : IDisposable
    {
        private readonly ModuleSession s = new ModuleSession();
        private readonly string dir = Path.Combine(Path.GetTempPath(), "pi-tagtests-" + Guid.NewGuid().ToString("N"));

        public GetPythonTagTests() => Directory.CreateDirectory(dir);

        public void Dispose()
        {
            s.Dispose();
            Directory.Delete(dir, recursive: true);
        }

        private static string P(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? string.Empty;

        private static string[] Strings(PSObject o, string name) => ((IEnumerable<string>)o.Properties[name].Value).ToArray();

        private static string[] Directories(PsResult r) => r.Output.Select(o => P(o, "Directory")).ToArray();

        private string Write(string name, string text)
        {
            string path = Path.Combine(dir, name);
            File.WriteAllText(path, text);
            return path;
        }

        /// <summary>Directory lines of the reference manifest, in order (an independent reading of the fixture).</summary>
        private static string[] ManifestDirectories() =>
            File.ReadAllLines(ModuleSession.Fixture("library-python-2026-06.txt"))
                .Where(l => l.StartsWith("Directory: ", StringComparison.Ordinal))
                .Select(l => l.Substring("Directory: ".Length).Trim())
                .ToArray();

        [Fact]
        public void WithoutParametersListsEveryImageInManifestOrder()
        {
            var r = s.Run("Get-PythonTag");
            Assert.Empty(r.Errors);
            Assert.Equal(42, r.Output.Count);
            Assert.Equal(ManifestDirectories(), Directories(r));
            Assert.All(r.Output, o => Assert.Equal("PythonImages.PythonImage", o.BaseObject.GetType().FullName));
        }

        [Fact]
        public void ShortSlimTagNamesExactlyOneImage()
        {
            var r = s.Run("Get-PythonTag -Name 3-slim");
            Assert.Empty(r.Errors);
            var img = Assert.Single(r.Output);
            Assert.Equal("3.14/slim-trixie", P(img, "Directory"));
            Assert.Equal("3.14", P(img, "VersionKey"));
            Assert.Equal("3.14.6", P(img, "Version"));
            Assert.Equal("slim-trixie", P(img, "Variant"));
            Assert.Equal("DebianSlim", P(img, "Family"));
            Assert.Equal("Linux", P(img, "OS"));
            Assert.Equal("debian:trixie-slim", P(img, "BaseImage"));
            Assert.Contains("3-slim", Strings(img, "Tags"));
            Assert.Equal(new[] { "3.14.6-slim-trixie", "3.14-slim-trixie", "3-slim-trixie", "slim-trixie", "3.14.6-slim", "3.14-slim", "3-slim", "slim" }, Strings(img, "Tags"));
            Assert.Empty(Strings(img, "SharedTags"));
        }

        [Fact]
        public void PositionalNameWorks()
        {
            var r = s.Run("Get-PythonTag 3.13-alpine");
            Assert.Equal(new[] { "3.13/alpine3.24" }, Directories(r));
        }

        [Fact]
        public void LatestNamesTheTrixieImageAndTheTwoWindowsImagesOf314()
        {
            var r = s.Run("Get-PythonTag -Name latest");
            Assert.Empty(r.Errors);
            Assert.Equal(new[] { "3.14/trixie", "3.14/windows/windowsservercore-ltsc2025", "3.14/windows/windowsservercore-ltsc2022" }, Directories(r));
            Assert.All(r.Output, o => Assert.Contains("latest", Strings(o, "SharedTags")));
        }

        [Fact]
        public void AnImageNamedByTwoNamesIsOutputOnce()
        {
            var r = s.Run("Get-PythonTag -Name latest, 3.14, 3-slim");
            Assert.Equal(new[] { "3.14/trixie", "3.14/windows/windowsservercore-ltsc2025", "3.14/windows/windowsservercore-ltsc2022", "3.14/slim-trixie" }, Directories(r));
        }

        [Fact]
        public void VariantWildcardFeedsWhereObject()
        {
            var r = s.Run("Get-PythonTag -Variant alpine* | Where-Object { $_.Tags -contains 'alpine' -or $_.VersionKey -eq '3.10' }");
            Assert.Empty(r.Errors);
            Assert.Equal(new[] { "3.14/alpine3.24", "3.10/alpine3.24", "3.10/alpine3.23" }, Directories(r));

            var all = s.Run("Get-PythonTag -Variant alpine*");
            Assert.Equal(12, all.Output.Count);
            Assert.All(all.Output, o => Assert.Equal("Alpine", P(o, "Family")));
        }

        [Fact]
        public void VariantMatchesTheWindowsBasenameToo()
        {
            var r = s.Run("Get-PythonTag -Variant windowsservercore-ltsc2022 -Version 3.13");
            var img = Assert.Single(r.Output);
            Assert.Equal("windows/windowsservercore-ltsc2022", P(img, "Variant"));
            Assert.Equal(new[] { "windowsservercore-ltsc2022" }, Strings(img, "Constraints"));
            Assert.Equal("classic", P(img, "Builder"));
            Assert.Equal(new[] { "windows-amd64" }, Strings(img, "Architectures"));
        }

        [Theory]
        [InlineData("3.14", 8, "3.14")]
        [InlineData("3.14.6", 8, "3.14")]
        [InlineData("3.15-rc", 8, "3.15-rc")]
        [InlineData("3.15.0b3", 8, "3.15-rc")]
        [InlineData("*-rc", 8, "3.15-rc")]
        [InlineData("3.1[01]", 12, "3.11,3.10")]
        [InlineData("3.1?.1*", 20, "3.13,3.12,3.11")]
        public void VersionAcceptsKeysFullVersionsAndWildcards(string version, int count, string keys)
        {
            var r = s.Run("Get-PythonTag -Version $v", new Dictionary<string, object?> { ["v"] = version });
            Assert.Empty(r.Errors);
            Assert.Equal(count, r.Output.Count);
            Assert.Equal(keys.Split(','), r.Output.Select(o => P(o, "VersionKey")).Distinct());
        }

        [Theory]
        [InlineData("Get-PythonTag -Version '2.*'")] // a literal -Version that names nothing is an error (issue 11): see ParameterShapeTests
        [InlineData("Get-PythonTag -Variant 'nanoserver*'")]
        [InlineData("Get-PythonTag -Name 'nothing*'")] // a wildcard that matches nothing is silent, like Get-Item's
        public void FiltersThatMatchNothingGiveNothingAndNoError(string script)
        {
            var r = s.Run(script);
            Assert.Empty(r.Output);
            Assert.Empty(r.AllErrors);
        }

        [Fact]
        public void OSWindowsListsTheWindowsServerCoreImages()
        {
            var r = s.Run("Get-PythonTag -OS Windows");
            Assert.Empty(r.Errors);
            Assert.Equal(new[]
            {
                "3.15-rc/windows/windowsservercore-ltsc2025", "3.15-rc/windows/windowsservercore-ltsc2022",
                "3.14/windows/windowsservercore-ltsc2025", "3.14/windows/windowsservercore-ltsc2022",
                "3.13/windows/windowsservercore-ltsc2025", "3.13/windows/windowsservercore-ltsc2022",
            }, Directories(r));

            var linux = s.Run("Get-PythonTag -OS Linux");
            Assert.Equal(36, linux.Output.Count);
        }

        [Fact]
        public void BadOSValueIsAParameterBindingError()
        {
            var r = s.Run("Get-PythonTag -OS Solaris");
            Assert.Empty(r.Output);
            var e = Assert.Single(r.AllErrors);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.StartsWith("CannotConvertArgumentNoMessage,", e.FullyQualifiedErrorId);
        }

        [Fact]
        public void NamesArriveFromThePipeline()
        {
            var r = s.Run("'3-slim', '3.13-alpine', 'windowsservercore-ltsc2022' | Get-PythonTag");
            Assert.Empty(r.Errors);
            Assert.Equal(new[] { "3.14/slim-trixie", "3.13/alpine3.24", "3.14/windows/windowsservercore-ltsc2022" }, Directories(r));
        }

        [Fact]
        public void NameWildcardsMatchTagsAndSharedTags()
        {
            var r = s.Run("Get-PythonTag -Name '3.1?-windowsservercore'");
            Assert.Equal(4, r.Output.Count); // shared tags of 3.14 and 3.13 (3.15-rc has 3.15-rc-windowsservercore)
            Assert.All(r.Output, o => Assert.Equal("Windows", P(o, "OS")));
        }

        [Fact]
        public void ANameThatMatchesNothingIsANonTerminatingObjectNotFoundError()
        {
            var r = s.Run("Get-PythonTag -Name 3-slim, 3.99-nope, 3.13-alpine");
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { "3.14/slim-trixie", "3.13/alpine3.24" }, Directories(r));
            var e = Assert.Single(r.Errors);
            Assert.Equal("PythonTag.NotFound,PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Equal("3.99-nope", e.TargetObject);
            Assert.IsType<ItemNotFoundException>(e.Exception);
            Assert.Contains("3.99-nope", e.ErrorDetails.Message);
            Assert.False(string.IsNullOrEmpty(e.ErrorDetails.RecommendedAction));
        }

        [Fact]
        public void NotFoundHonoursErrorActionStop()
        {
            var r = s.Invoke(ps => ps.AddCommand("Get-PythonTag").AddParameter("Name", new[] { "3.99-nope", "3-slim" }).AddParameter("ErrorAction", ActionPreference.Stop));
            Assert.NotNull(r.Terminating);
            Assert.Equal("PythonTag.NotFound,PythonImages.Commands.GetPythonTagCommand", r.Terminating!.ErrorRecord.FullyQualifiedErrorId);
            Assert.Empty(r.Output);
        }

        [Fact]
        public void NotFoundMentionsTheOtherFilters()
        {
            var r = s.Run("Get-PythonTag -Name 3-slim -OS Windows");
            var e = Assert.Single(r.Errors);
            Assert.Contains("-Version, -Variant and -OS", e.Exception.Message);
        }

        [Fact]
        public void MatrixPathToTheUpstreamVersionsJsonGivesTheSame42Images()
        {
            string json = ModuleSession.Fixture("versions-2026-06.json");
            var fromFile = s.Run("Get-PythonTag -MatrixPath $p", new Dictionary<string, object?> { ["p"] = json });
            var embedded = s.Run("Get-PythonTag");
            Assert.Empty(fromFile.Errors);
            Assert.Equal(42, fromFile.Output.Count);
            static string Row(PSObject o) => string.Join("|", P(o, "Directory"), string.Join(",", Strings(o, "Tags")), string.Join(",", Strings(o, "SharedTags")), string.Join(",", Strings(o, "Architectures")), string.Join(",", Strings(o, "Constraints")), P(o, "Builder"));
            Assert.Equal(embedded.Output.Select(Row), fromFile.Output.Select(Row));
        }

        [Fact]
        public void MatrixPathIsResolvedAgainstTheCurrentLocation()
        {
            Write("mine.yaml", "versions:\n  '3.99':\n    version: 3.99.1\n    variants: [trixie]\n");
            var r = s.Run($"$ExecutionContext.SessionState.Path.SetLocation('{dir}') | Out-Null; Get-PythonTag -MatrixPath ./mine.yaml");
            Assert.Empty(r.AllErrors);
            var img = Assert.Single(r.Output);
            Assert.Equal("3.99/trixie", P(img, "Directory"));
            Assert.Contains("latest", Strings(img, "SharedTags"));
        }

        [Fact]
        public void MissingMatrixFileIsATerminatingObjectNotFound()
        {
            string path = Path.Combine(dir, "absent.yaml");
            var r = s.Invoke(ps => ps.AddCommand("Get-PythonTag").AddParameter("MatrixPath", path).AddParameter("Name", "3-slim"));
            Assert.Empty(r.Output);
            Assert.NotNull(r.Terminating);
            var e = r.Terminating!.ErrorRecord;
            Assert.Equal("Matrix.FileNotFound,PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Equal(path, e.TargetObject);
            Assert.Contains(path, e.ErrorDetails.Message);
            Assert.Contains("-MatrixPath", e.ErrorDetails.RecommendedAction);
        }

        [Theory]
        [InlineData("bad.yaml", "versions:\n  '3.14':\n    version: 3.13.1\n    variants: [trixie]\n", "Matrix.VersionKeyMismatch", 3)]
        [InlineData("typo.yaml", "versions:\n  '3.14':\n    version: 3.14.6\n    variant: [trixie]\n", "Matrix.UnknownKey", 4)]
        [InlineData("broken.yaml", "versions:\n  '3.14':\n    version: 3.14.6: x\n", "Matrix.MalformedYaml", 3)]
        [InlineData("empty.yaml", "# nothing\n", "Matrix.Empty", 1)]
        public void BadMatrixContentIsATerminatingInvalidData(string name, string text, string errorId, int line)
        {
            string path = Write(name, text);
            var r = s.Invoke(ps => ps.AddCommand("Get-PythonTag").AddParameter("MatrixPath", path));
            Assert.Empty(r.Output);
            Assert.NotNull(r.Terminating);
            var e = r.Terminating!.ErrorRecord;
            Assert.Equal(errorId + ",PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
            Assert.Equal(path, e.TargetObject);
            Assert.StartsWith($"{path}:{line}: ", e.ErrorDetails.Message);
            Assert.Contains($"at line {line}", e.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void ABadMatrixInAScriptStopsThePipelineForEveryPipedName()
        {
            string path = Write("bad2.yaml", "versions: []\n");
            var r = s.Run("'3-slim', 'latest' | Get-PythonTag -MatrixPath $p", new Dictionary<string, object?> { ["p"] = path });
            Assert.Empty(r.Output);
            var e = Assert.Single(r.AllErrors);
            Assert.Equal("Matrix.WrongType,PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
        }

        [Fact]
        public void AChangedMatrixFileIsReloaded()
        {
            string path = Write("changing.yaml", "versions:\n  '3.98':\n    version: 3.98.1\n    variants: [trixie]\n");
            var first = s.Run("Get-PythonTag -MatrixPath $p", new Dictionary<string, object?> { ["p"] = path });
            Assert.Equal("3.98.1", P(Assert.Single(first.Output), "Version"));
            File.WriteAllText(path, "versions:\n  '3.98':\n    version: 3.98.10\n    variants: [trixie, bookworm]\n");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
            var second = s.Run("Get-PythonTag -MatrixPath $p", new Dictionary<string, object?> { ["p"] = path });
            Assert.Equal(new[] { "3.98.10", "3.98.10" }, second.Output.Select(o => P(o, "Version")));
        }

        [Fact]
        public void OutputObjectsAreCopiesThatDoNotChangeTheNextCall()
        {
            var r = s.Run("$a = Get-PythonTag -Name 3-slim; $a.Directory = 'changed'; $a.Tags[0] = 'changed'; (Get-PythonTag -Name 3-slim).Directory");
            Assert.Equal("3.14/slim-trixie", Assert.Single(r.Output).BaseObject);
        }

        [Fact]
        public void OutputBindsByPropertyNameIntoTheNextCommand()
        {
            const string script = @"
function Receive-Image {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $VersionKey,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $Version,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $Variant,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $Directory,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string[]] $Tags,
        [Parameter(ValueFromPipelineByPropertyName)] [string[]] $SharedTags,
        [Parameter(ValueFromPipelineByPropertyName)] [string[]] $Architectures,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $BaseImage,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $Family,
        [Parameter(ValueFromPipelineByPropertyName)] [string] $OS
    )
    process { '{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}|{8}|{9}' -f $VersionKey, $Version, $Variant, $Directory, $Tags.Count, ($SharedTags -join ','), $Architectures.Count, $BaseImage, $Family, $OS }
}
Get-PythonTag -Name latest | Receive-Image";
            var r = s.Run(script);
            Assert.Empty(r.AllErrors);
            Assert.Equal(new[]
            {
                "3.14|3.14.6|trixie|3.14/trixie|4|3.14.6,3.14,3,latest|8|buildpack-deps:trixie|DebianFull|Linux",
                "3.14|3.14.6|windows/windowsservercore-ltsc2025|3.14/windows/windowsservercore-ltsc2025|4|3.14.6-windowsservercore,3.14-windowsservercore,3-windowsservercore,windowsservercore,3.14.6,3.14,3,latest|1|mcr.microsoft.com/windows/servercore:ltsc2025|WindowsServerCore|Windows",
                "3.14|3.14.6|windows/windowsservercore-ltsc2022|3.14/windows/windowsservercore-ltsc2022|4|3.14.6-windowsservercore,3.14-windowsservercore,3-windowsservercore,windowsservercore,3.14.6,3.14,3,latest|1|mcr.microsoft.com/windows/servercore:ltsc2022|WindowsServerCore|Windows",
            }, r.Output.Select(o => o.BaseObject.ToString()));
        }

        [Fact]
        public void OutputTypeIsDeclared()
        {
            var r = s.Run("(Get-Command Get-PythonTag).OutputType.Name");
            Assert.Equal("PythonImages.PythonImage", Assert.Single(r.Output).BaseObject);
        }

        [Fact]
        public void DefaultTableViewShowsVersionVariantAndTags()
        {
            var r = s.Run("Get-PythonTag -Version 3.14 -Variant slim-trixie, windows/windowsservercore-ltsc2022 | Out-Default");
            Assert.Empty(r.AllErrors);
            var lines = r.HostText.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
            Assert.Matches(@"\AVersion\s+Variant\s+Tags\z", lines[0]);
            Assert.Matches(@"\A-+\s+-+\s+-+\z", lines[1]);
            Assert.Matches(@"\A3\.14\.6\s+slim-trixie\s+3\.14\.6-slim-trixie, 3\.14-slim-trixie, ", lines[2]);
            Assert.Matches(@"\A3\.14\.6\s+windows/windowsservercore-ltsc2022\s+3\.14\.6-windowsservercore-ltsc2022, 3\.14-windowsservercore-ltsc2022, ", lines[3]);

            // Long tag lists wrap instead of being cut off: the Windows row's shared tags reach the last line.
            Assert.DoesNotContain("\u2026", r.HostText);
            Assert.Matches(@"\A\s+\S.*latest\z", lines[lines.Length - 1]);
            Assert.Contains("windowsservercore, 3.14.6, 3.14, 3, latest", string.Join(" ", lines.Skip(3).Select(l => l.Trim())));
        }

        // ---- hostile input ---------------------------------------------------------------------------------

        private string Deep()
        {
            string path = Path.Combine(dir, "deep.yaml");
            File.WriteAllText(path, new string('[', 100_000) + new string(']', 100_000)); // 200 KB
            return path;
        }

        [Fact]
        public void AHundredThousandLevelsDeepMatrixIsAClearErrorInUnderASecondAndTheSessionGoesOn()
        {
            string path = Deep();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var r = s.Invoke(ps => ps.AddCommand("Get-PythonTag").AddParameter("MatrixPath", path));
            sw.Stop();
            Assert.Empty(r.Output);
            var e = r.Terminating!.ErrorRecord;
            Assert.Equal("Matrix.TooDeep,PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.LimitsExceeded, e.CategoryInfo.Category);
            Assert.Equal(path, e.TargetObject);
            Assert.StartsWith($"{path}:1: ", e.ErrorDetails.Message);
            Assert.Contains("at line 1", e.ErrorDetails.RecommendedAction);
            Assert.True(sw.ElapsedMilliseconds < 1000, $"took {sw.ElapsedMilliseconds} ms");

            // The runspace (and the process) are fine: the next command works.
            Assert.Equal(42, s.Run("Get-PythonTag").Output.Count);
        }

        /// <summary>pwsh from PATH, or null.</summary>
        private static string? Pwsh() =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Select(d => Path.Combine(d, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh"))
                .FirstOrDefault(File.Exists);

        [Fact]
        public async System.Threading.Tasks.Task AHundredThousandLevelsDeepMatrixDoesNotCrashARealPwshProcess()
        {
            // Before the depth limit this killed the process with a stack overflow (exit 134).
            string path = Deep();
            string script =
                $"Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop; " +
                "foreach ($i in 1, 2) { $sw = [Diagnostics.Stopwatch]::StartNew(); " +
                $"try {{ Get-PythonTag -MatrixPath {FreshProcess.Quote(path)}; 'no error' }} " +
                "catch { 'caught ' + $_.FullyQualifiedErrorId + ' ' + $_.CategoryInfo.Category + ' ' + $sw.ElapsedMilliseconds } } " +
                "'alive ' + (Get-PythonTag).Count";
            string? pwsh = Pwsh();
            int exit;
            string[] lines;
            string all;
            if (pwsh != null)
            {
                var start = new System.Diagnostics.ProcessStartInfo(pwsh) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-Command", script })
                {
                    start.ArgumentList.Add(a);
                }

                using var p = System.Diagnostics.Process.Start(start)!;
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                Assert.True(p.WaitForExit(120_000), "pwsh did not finish in 120 s");
                exit = p.ExitCode;
                lines = (await stdout).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
                all = (await stdout) + (await stderr);
            }
            else
            {
                var r = FreshProcess.Run(script); // no pwsh on PATH: the same script in a fresh process hosting the engine
                exit = r.ExitCode;
                lines = r.Output;
                all = r.ToString();
            }

            Assert.True(exit == 0, all);
            var caught = lines.Where(l => l.StartsWith("caught ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
            Assert.Equal(2, caught.Count);
            Assert.All(caught, parts =>
            {
                Assert.Equal("Matrix.TooDeep,PythonImages.Commands.GetPythonTagCommand", parts[1]);
                Assert.Equal("LimitsExceeded", parts[2]);
            });

            // The first call includes loading and compiling the module's code in a new process (about 0.1 s on an idle
            // machine, more while the test suite keeps both cores busy); the depth check itself is the second call.
            int first = int.Parse(caught[0][3], System.Globalization.CultureInfo.InvariantCulture);
            int second = int.Parse(caught[1][3], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(first < 10_000, $"first call {first} ms");
            Assert.True(second < 1000, $"second call {second} ms");
            Assert.Contains("alive 42", lines);
        }

        [Fact]
        public void AnAliasCollisionStopsGetPythonTagWithTheFileAndLine()
        {
            string path = Write("collide.yaml", "aliases:\n  '3.14': ['3', latest]\n  '3.13': [latest]\nversions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie]\n  '3.13':\n    version: 3.13.14\n    variants: [trixie]\n");
            var r = s.Invoke(ps => ps.AddCommand("Get-PythonTag").AddParameter("MatrixPath", path).AddParameter("Name", "latest"));
            Assert.Empty(r.Output);
            var e = r.Terminating!.ErrorRecord;
            Assert.Equal("Matrix.AliasCollision,PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
            Assert.StartsWith($"{path}:3: ", e.ErrorDetails.Message);
            Assert.Contains("(key 'aliases.3.13')", e.ErrorDetails.RecommendedAction);
        }

        [Theory]
        [InlineData("Get-PythonTag -MatrixPath /dev/zero", "Matrix.NotAFile", ErrorCategory.InvalidArgument)]
        [InlineData("Get-PythonTag -MatrixPath Env:/HOME", "Matrix.InvalidPath", ErrorCategory.InvalidArgument)]
        [InlineData("Get-PythonDockerfile -MatrixPath /dev/zero -Version 3.14 -Variant trixie", "Matrix.NotAFile", ErrorCategory.InvalidArgument)]
        [InlineData("Export-PythonLibraryManifest -MatrixPath /dev/zero -GitCommit '0123456789012345678901234567890123456789'", "Matrix.NotAFile", ErrorCategory.InvalidArgument)]
        public void EveryCmdletThatLoadsAMatrixSurfacesTheSameTerminatingError(string script, string errorId, ErrorCategory category)
        {
            var r = s.Run(script);
            Assert.Empty(r.Output);
            var e = Assert.Single(r.AllErrors); // statement-terminating inside a script
            Assert.Equal(errorId, e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(category, e.CategoryInfo.Category);
            Assert.Contains("-MatrixPath", e.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void ATooLargeMatrixSaysTheLimit()
        {
            string path = Write("big.yaml", "#" + new string('x', 2 * 1024 * 1024));
            var e = s.Invoke(ps => ps.AddCommand("Get-PythonTag").AddParameter("MatrixPath", path)).Terminating!.ErrorRecord;
            Assert.Equal("Matrix.TooLarge,PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.LimitsExceeded, e.CategoryInfo.Category);
            Assert.Contains("1048576", e.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void AnInvalidNameIsNonTerminatingAndEscapedTheOtherNamesStillProduceOutput()
        {
            var r = s.Run("'3-slim', \"bad`e[31m`n\", '3.14[', '3.13-alpine' | Get-PythonTag");
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { "3.14/slim-trixie", "3.13/alpine3.24" }, Directories(r));
            Assert.Equal(2, r.Errors.Count);
            Assert.All(r.Errors, e =>
            {
                Assert.Equal("PythonTag.InvalidName,PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
                Assert.False(string.IsNullOrEmpty(e.ErrorDetails.RecommendedAction));
                Assert.True(e.Exception.Message.IndexOfAny(new[] { '\u001b', '\n' }) < 0, e.Exception.Message);
            });
            Assert.Contains("bad\\u001B[31m\\u000A", r.Errors[0].Exception.Message);
            Assert.Contains("not a valid wildcard pattern", r.Errors[1].Exception.Message);
        }

        [Theory]
        [InlineData("-Version '3.1['", "PythonTag.InvalidVersion")]
        [InlineData("-Version \"3.14`r\"", "PythonTag.InvalidVersion")]
        [InlineData("-Variant \"slim`0\"", "PythonTag.InvalidVariant")]
        [InlineData("-Variant ('x' * 257)", "PythonTag.InvalidVariant")]
        public void AnInvalidVersionOrVariantFilterStopsTheCommand(string parameters, string errorId)
        {
            var r = s.Run("Get-PythonTag " + parameters);
            Assert.Empty(r.Output);
            var e = Assert.Single(r.AllErrors); // statement-terminating inside a script
            Assert.Equal(errorId + ",PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
        }

        [Fact]
        public void FiltersWithSpacesAndEscapedWildcardsAreStillFilters()
        {
            Assert.Empty(s.Run("Get-PythonTag -Name 'no such tag'").Output);
            Assert.Equal("PythonTag.NotFound,PythonImages.Commands.GetPythonTagCommand", Assert.Single(s.Run("Get-PythonTag -Name 'no such tag'").Errors).FullyQualifiedErrorId);
            Assert.Equal(8, s.Run("Get-PythonTag -Version '3.1[4]'").Output.Count);
        }

        // ---- tab completion -------------------------------------------------------------------------------

        private string[] Complete(string input)
        {
            var r = s.Invoke(ps => ps.AddCommand("TabExpansion2").AddParameter("inputScript", input).AddParameter("cursorColumn", input.Length));
            Assert.Empty(r.AllErrors);
            var completion = (CommandCompletion)Assert.Single(r.Output).BaseObject;
            return completion.CompletionMatches.Select(m => m.CompletionText).ToArray();
        }

        [Fact]
        public void CompletesNamesFromTagsAndSharedTags()
        {
            Assert.Equal(new[] { "3-slim-trixie", "3-slim", "3-slim-bookworm" }, Complete("Get-PythonTag -Name 3-sl"));
            Assert.Contains("latest", Complete("Get-PythonTag -Name lat"));
            Assert.Contains("3.14-windowsservercore", Complete("Get-PythonTag -Name 3.14-windowsservercore"));
            Assert.Empty(Complete("Get-PythonTag -Name zz"));
        }

        [Fact]
        public void CompletesPositionalNames()
        {
            Assert.Equal(new[] { "3.15-rc-alpine3.24", "3.15-rc-alpine", "3.15-rc-alpine3.23" }, Complete("Get-PythonTag 3.15-rc-alp"));
        }

        [Fact]
        public void CompletesVersionKeysAndFullVersions()
        {
            Assert.Equal(new[] { "3.15-rc", "3.15.0b3" }, Complete("Get-PythonTag -Version 3.15"));
            Assert.Equal(new[] { "3.13", "3.13.14" }, Complete("Get-PythonTag -Version 3.13"));
        }

        [Fact]
        public void CompletesVariants()
        {
            Assert.Equal(new[] { "alpine3.24", "alpine3.23" }, Complete("Get-PythonTag -Variant alp"));
            Assert.Equal(new[] { "slim-trixie", "slim-bookworm" }, Complete("Get-PythonTag -Version 3.14 -Variant sl"));
            Assert.Equal(new[] { "windows/windowsservercore-ltsc2025", "windows/windowsservercore-ltsc2022" }, Complete("Get-PythonTag -Variant win"));
        }

        [Fact]
        public void CompletionUsesTheMatrixPathAlreadyOnTheLine()
        {
            string path = Write("completion.yaml", "versions:\n  '3.97':\n    version: 3.97.2\n    variants: [bookworm, slim-bookworm]\n");
            Assert.Equal(new[] { "3.97", "3.97.2" }, Complete($"Get-PythonTag -MatrixPath '{path}' -Version 3.9"));
            Assert.Equal(new[] { "slim-bookworm" }, Complete($"Get-PythonTag -MatrixPath '{path}' -Variant s"));
            Assert.Equal(new[] { "3.97.2-slim-bookworm", "3.97.2-slim" }, Complete($"Get-PythonTag -MatrixPath '{path}' -Name 3.97.2-sl"));

            // Relative to the session's current location, like the parameter itself.
            s.Run($"$ExecutionContext.SessionState.Path.SetLocation('{dir}') | Out-Null");
            Assert.Equal(new[] { "3.97", "3.97.2" }, Complete("Get-PythonTag -MatrixPath ./completion.yaml -Version 3.9"));
        }

        [Theory]
        [InlineData("/dev/zero")]
        [InlineData("fifo")]
        [InlineData("deep")]
        public async System.Threading.Tasks.Task CompletionWithASpecialOrHostileMatrixPathOffersNothingAndDoesNotHang(string which)
        {
            string path = which switch
            {
                "fifo" => Path.Combine(dir, "m.fifo"),
                "deep" => Deep(),
                _ => which,
            };
            if (which == "fifo")
            {
                SpecialFiles.MakeFifo(path);
            }

            var task = System.Threading.Tasks.Task.Run(() => Complete($"Get-PythonTag -MatrixPath '{path}' -Version 3."));
            Assert.True(await System.Threading.Tasks.Task.WhenAny(task, System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(20))) == task, "completion blocked");
            Assert.Empty(await task);
        }

        [Fact]
        public void CompletionWithABadMatrixPathOffersNothingAndDoesNotFail()
        {
            Assert.Empty(Complete($"Get-PythonTag -MatrixPath '{Path.Combine(dir, "nope.yaml")}' -Version 3."));
        }
    }
}
