using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// PowerShell 7 loads the dependencies from bin/r2r/&lt;rid&gt;/ (the ReadyToRun copies build.ps1 Package adds) when the
    /// module has them for this platform, and from bin/dependencies/ (the netstandard2.0 IL) otherwise.
    /// </summary>
    public sealed class ReadyToRunLoadingTests
    {
        private static string HostRid()
        {
            string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx" : "linux";
            return os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        }

        private static string CopyModule()
        {
            string dir = Path.Combine(Path.GetTempPath(), "h16-r2r-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            File.Copy(ModuleSession.ManifestPath, Path.Combine(dir, "PythonImages.psd1"));
            string source = Path.Combine(ModuleSession.RepoRoot, "bin");
            foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
            {
                string rel = Path.GetRelativePath(source, file);
                if (rel.StartsWith("r2r", StringComparison.Ordinal))
                {
                    continue;
                }

                string target = Path.Combine(dir, "bin", rel);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            return dir;
        }

        private static FreshProcess.Result Run(string module) => FreshProcess.Run($@"
Import-Module {FreshProcess.Quote(Path.Combine(module, "PythonImages.psd1"))} -ErrorAction Stop
""images $(@(Get-PythonTag).Count)""
foreach ($a in [AppDomain]::CurrentDomain.GetAssemblies()) {{ if ($a.GetName().Name -in 'PythonImages.Core', 'YamlDotNet') {{ ""loaded $($a.GetName().Name) $($a.Location)"" }} }}
");

        [Fact]
        public void TheReadyToRunCopyForThisPlatformIsPreferred()
        {
            string module = CopyModule();
            try
            {
                string r2r = Path.Combine(module, "bin", "r2r", HostRid());
                Directory.CreateDirectory(r2r);
                File.Copy(Path.Combine(module, "bin", "dependencies", "PythonImages.Core.dll"), Path.Combine(r2r, "PythonImages.Core.dll"));
                File.Copy(Path.Combine(module, "bin", "dependencies", "PythonImages.matrix.bin"), Path.Combine(r2r, "PythonImages.matrix.bin"));

                var r = Run(module);
                Assert.True(r.ExitCode == 0, r.ToString());
                Assert.Contains("images 42", r.Output);
                Assert.Contains("loaded PythonImages.Core " + Path.Combine(r2r, "PythonImages.Core.dll"), r.Output);
                Assert.DoesNotContain(r.Output, l => l.StartsWith("loaded YamlDotNet", StringComparison.Ordinal)); // the matrix data beside it was found
            }
            finally
            {
                Directory.Delete(module, true);
            }
        }

        /// <summary>
        /// Cold start: the private load context sends requests for the framework's assemblies (netstandard, System.Runtime,
        /// System.Memory) to the default context without opening their files to read a version, so a first Import-Module
        /// and Get-PythonTag load no System.Reflection.Metadata; the framework's copies of what we also ship are shared.
        /// </summary>
        [Fact]
        public void TheColdPathOpensNoFrameworkFileAndSharesTheFrameworksCopies()
        {
            var r = FreshProcess.Run($@"
$dependencies = {FreshProcess.Quote(Path.Combine(ModuleSession.RepoRoot, "bin", "dependencies"))}
function Loaded {{ [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object {{ $_.GetName().Name }} }}
""before SRM $((Loaded) -contains 'System.Reflection.Metadata')""
Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop
""images $(@(Get-PythonTag).Count)""
""after SRM $((Loaded) -contains 'System.Reflection.Metadata')""
foreach ($a in [AppDomain]::CurrentDomain.GetAssemblies()) {{
    $name = $a.GetName().Name
    if ([IO.File]::Exists([IO.Path]::Combine($dependencies, $name + '.dll'))) {{
        ""loaded $name $([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($a) -eq [System.Runtime.Loader.AssemblyLoadContext]::Default) $($a.Location)""
    }}
}}
");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("images 42", r.Output);
            Assert.Contains("before SRM False", r.Output); // otherwise this test could not tell
            Assert.Contains("after SRM False", r.Output);
            var loaded = r.Output.Where(l => l.StartsWith("loaded ", StringComparison.Ordinal)).Select(l => l.Split(' ', 4)).ToList();
            Assert.Contains(loaded, l => l[1] == "PythonImages.Core" && l[2] == "False");

            // What we ship and the framework also has (System.Memory, System.Buffers, ...): only the framework's copy, in the
            // default context, never a second one from our folder.
            string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            var shared = loaded.Where(l => l[1].StartsWith("System.", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(shared);
            Assert.All(shared, l => Assert.True(l[2] == "True" && Path.GetDirectoryName(l[3]) == framework, string.Join(" ", l)));
        }

        /// <summary>
        /// Cold start: regenerating every Dockerfile checks each value against its grammar without building a regex (the
        /// hand-written matchers accept the matrix's values; building a process's first regex costs milliseconds), and
        /// the check is still made: a grammar's pattern decides what the matcher does not accept.
        /// </summary>
        [Fact]
        public void AColdRegenerationBuildsNoGrammarRegex()
        {
            string dir = Path.Combine(Path.GetTempPath(), "s6-cold-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var r = FreshProcess.Run($@"
Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop
$written = @(Get-PythonTag | New-PythonDockerfile -Path {FreshProcess.Quote(dir)})
""written $($written.Count)""
$core = $written[0].PSObject.BaseObject.GetType().Assembly
$flags = [Reflection.BindingFlags]'NonPublic,Public,Static,Instance'
$grammars = @($core.GetType('PythonImages.Security.InputGrammar').GetFields($flags) | Where-Object {{ $_.FieldType.Name -eq 'Grammar' }})
""grammars $($grammars.Count)""
foreach ($f in $grammars) {{ $g = $f.GetValue($null); if ($g.GetType().GetField('regex', $flags).GetValue($g)) {{ ""built $($f.Name)"" }} }}
$null = $core.GetType('PythonImages.Security.InputGrammar').GetField('PackageVersion').GetValue($null).Why('1.0rc1')
foreach ($f in $grammars) {{ $g = $f.GetValue($null); if ($g.GetType().GetField('regex', $flags).GetValue($g)) {{ ""then built $($f.Name)"" }} }}
");
                Assert.True(r.ExitCode == 0, r.ToString());
                Assert.Contains("written 42", r.Output);
                Assert.Contains(r.Output, l => l.StartsWith("grammars ", StringComparison.Ordinal) && int.Parse(l[9..], System.Globalization.CultureInfo.InvariantCulture) >= 10);
                Assert.DoesNotContain(r.Output, l => l.StartsWith("built ", StringComparison.Ordinal));
                Assert.Contains("then built PackageVersion", r.Output); // a value the matcher leaves to the pattern: the probe can see a built regex
            }
            finally
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, true);
                }
            }
        }

        /// <summary>
        /// Cold start: the xz decoder (SharpCompress) that Update-PythonMatrix reads a release tarball's first entry with is
        /// not loaded by Import-Module, Get-PythonTag and New-PythonDockerfile; it is loaded the first time a tarball is read.
        /// </summary>
        [Fact]
        public void AColdRegenerationLoadsNoXzDecoder()
        {
            string dir = Path.Combine(Path.GetTempPath(), "s16-cold-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                var r = FreshProcess.Run($@"
function Xz {{ @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {{ $_.GetName().Name -eq 'SharpCompress' }}).Count }}
Import-Module {FreshProcess.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop
$written = @(Get-PythonTag | New-PythonDockerfile -Path {FreshProcess.Quote(dir)})
""written $($written.Count) xz $(Xz)""
$core = $written[0].PSObject.BaseObject.GetType().Assembly
$why = $core.GetType('PythonImages.Updates.TarballHead').GetMethod('Mismatch', [Reflection.BindingFlags]'NonPublic,Static').Invoke($null, @([byte[]]::new(0), '3.14.6'))
""then xz $(Xz): $why""
");
                Assert.True(r.ExitCode == 0, r.ToString());
                Assert.Contains("written 42 xz 0", r.Output);
                // the probe sees the decoder once a tarball is read
                Assert.Contains(r.Output, l => l.StartsWith("then xz 1: it is not an xz-compressed file", StringComparison.Ordinal));
            }
            finally
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, true);
                }
            }
        }

        [Fact]
        public void WithoutOneTheIlCopiesAreLoaded()
        {
            string module = CopyModule();
            try
            {
                // A folder for another platform is never used.
                Directory.CreateDirectory(Path.Combine(module, "bin", "r2r", "other-rid"));
                File.Copy(Path.Combine(module, "bin", "dependencies", "PythonImages.Core.dll"), Path.Combine(module, "bin", "r2r", "other-rid", "PythonImages.Core.dll"));

                var r = Run(module);
                Assert.True(r.ExitCode == 0, r.ToString());
                Assert.Contains("images 42", r.Output);
                Assert.Contains("loaded PythonImages.Core " + Path.Combine(module, "bin", "dependencies", "PythonImages.Core.dll"), r.Output);
            }
            finally
            {
                Directory.Delete(module, true);
            }
        }
    }
}
