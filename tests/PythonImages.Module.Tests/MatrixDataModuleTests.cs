using System;
using System.IO;
using System.Linq;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// The built module carries the embedded matrix as data (issue 16): the first Get-PythonTag parses no YAML (YamlDotNet
    /// is never loaded), and the data is exactly what parsing src/PythonImages.Core/Data/matrix.yaml gives.
    /// </summary>
    public sealed class MatrixDataModuleTests
    {
        private const string Describe = @"
function Sorted($keys) { [string[]] $k = @($keys); [Array]::Sort($k, [StringComparer]::Ordinal); $k }
function Describe-Matrix($m, $tagRules) {
    ""repository $($m.Repository)""
    ""maintainers $($m.Maintainers -join '|')""
    ""exclude $($m.ExcludeArchitectures -join ',')""
    if ($null -eq $m.Aliases) { 'aliases (default rule)' } else { 'aliases ' + ((Sorted $m.Aliases.Keys | ForEach-Object { ""$_="" + ($m.Aliases[$_] -join ',') }) -join ';') }
    foreach ($k in (Sorted $m.Architectures.Keys)) { ""arch $k="" + ($m.Architectures[$k] -join ',') }
    foreach ($v in $m.Versions) {
        ""version $($v.Key.Text) $($v.Version.Text) line $($v.Line) src $($v.SourceSha256) win $($v.WindowsSha256) setuptools $($v.SetuptoolsVersion) gpg $($v.GpgKey) exclude $($v.ExcludeArchitectures -join ',') aliases $($m.AliasesFor($v.Key) -join ',')""
        foreach ($x in $v.Variants) { ""  variant $($x.Path) $($x.Family) $($x.OS) $($x.Distro) $($x.BaseImage)"" }
    }
    foreach ($i in $tagRules::Compute($m)) { ""image $($i.Directory) $($i.Version) $($i.BaseImage) tags $($i.Tags -join ',') shared $($i.SharedTags -join ',') arch $($i.Architectures -join ',') constraints $($i.Constraints -join ',') builder $($i.Builder)"" }
}
";

        [Fact]
        public void FirstGetPythonTagReadsTheDataAndItEqualsTheParsedYaml()
        {
            string yaml = Path.Combine(ModuleSession.RepoRoot, "src", "PythonImages.Core", "Data", "matrix.yaml");
            Assert.True(File.Exists(Path.Combine(ModuleSession.RepoRoot, "bin", "dependencies", "PythonImages.matrix.bin")), "the module build writes bin/dependencies/PythonImages.matrix.bin");
            string script = Describe + $@"
Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop
$count = @(Get-PythonTag).Count
$loaded = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {{ $_.GetName().Name -eq 'YamlDotNet' }}).Count
""images $count""
""yaml-assemblies-after-get-pythontag $loaded""
$core = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {{ $_.GetName().Name -eq 'PythonImages.Core' }})[0]
$loader = $core.GetType('PythonImages.MatrixLoader')
$tagRules = $core.GetType('PythonImages.TagRules')
'--data--'
Describe-Matrix ($loader::Default) $tagRules
'--parsed--'
Describe-Matrix ($loader::Parse([System.IO.File]::ReadAllText({FreshProcess.Quote(yaml)}), 'matrix.yaml', $null)) $tagRules
";
            var r = FreshProcess.Run(script);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("images 42", r.Output);
            Assert.Contains("yaml-assemblies-after-get-pythontag 0", r.Output);
            int data = Array.IndexOf(r.Output, "--data--");
            int parsed = Array.IndexOf(r.Output, "--parsed--");
            Assert.True(data >= 0 && parsed > data, r.ToString());
            var fromData = r.Output.Skip(data + 1).Take(parsed - data - 1).ToArray();
            var fromYaml = r.Output.Skip(parsed + 1).ToArray();
            Assert.True(fromData.Length > 60, r.ToString());
            Assert.Equal(fromYaml, fromData);
        }

        /// <summary>
        /// A matrix file within the subset our scanner reads (the module's own matrix.yaml) loads no YamlDotNet in a fresh
        /// process; a file outside it (here one that starts with a document marker) is read with YamlDotNet, to the same
        /// images.
        /// </summary>
        [Fact]
        public void AMatrixFileTheScannerReadsLoadsNoYamlDotNet()
        {
            string yaml = Path.Combine(ModuleSession.RepoRoot, "src", "PythonImages.Core", "Data", "matrix.yaml");
            string dir = Path.Combine(Path.GetTempPath(), "s7-yaml-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            try
            {
                string inSubset = Path.Combine(dir, "subset.yaml");
                string outside = Path.Combine(dir, "outside.yaml");
                File.Copy(yaml, inSubset);
                File.WriteAllText(outside, "---\n" + File.ReadAllText(yaml));
                string script = $@"
Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop
function Yaml {{ @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {{ $_.GetName().Name -eq 'YamlDotNet' }}).Count }}
$a = @(Get-PythonTag -MatrixPath {FreshProcess.Quote(inSubset)})
""subset $($a.Count) yaml $(Yaml)""
$b = @(Get-PythonTag -MatrixPath {FreshProcess.Quote(outside)})
""outside $($b.Count) yaml $(Yaml)""
""same $((($a | ForEach-Object {{ $_.Tags -join ',' }}) -join ';') -eq (($b | ForEach-Object {{ $_.Tags -join ',' }}) -join ';'))""
";
                var r = FreshProcess.Run(script);
                Assert.True(r.ExitCode == 0, r.ToString());
                Assert.Contains("subset 42 yaml 0", r.Output);
                Assert.Contains("outside 42 yaml 1", r.Output);
                Assert.Contains("same True", r.Output);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
