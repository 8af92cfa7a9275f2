#Requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and packages the PythonImages module.

.DESCRIPTION
    Tasks (run in the order given; default: Build, Format, Test, Package):
      Build    dotnet build PythonImages.sln; afterwards Import-Module ./PythonImages.psd1 works from the repository.
               Warnings are errors (Directory.Build.props), so a build with a warning fails.
      Format   dotnet format --verify-no-changes: the code follows .editorconfig (layout, style, analyzers); fails
               listing what differs. Run 'dotnet format PythonImages.sln' to fix it.
      Test     dotnet test PythonImages.sln (the same command .ci/run runs).
      Package  a publishable module folder <OutputPath>/PythonImages/<ModuleVersion>/ with PythonImages.psd1,
               LICENSE, CHANGELOG.md, bin/PythonImages.dll, bin/PythonImages.format.ps1xml, bin/PythonImages.views.bin, bin/dependencies/* (netstandard2.0:
               Windows PowerShell 5.1 and PowerShell 7), the help (en-US/PythonImages.dll-Help.xml, en-US/about_*.help.txt)
               and bin/r2r/<rid>/* (the same dependencies compiled ReadyToRun for PowerShell 7 on .NET 10+, per
               -ReadyToRun runtime identifier), from a Release build.
    Runs on PowerShell 7 and Windows PowerShell 5.1. Exits with a non-zero code when a task fails.

.EXAMPLE
    ./build.ps1

.EXAMPLE
    ./build.ps1 -Task Package -OutputPath ./out
    Publish-Module -Path ./out/PythonImages/0.1.0 -Repository MyGallery
#>
[CmdletBinding()]
param(
    # The tasks to run, in this order.
    [ValidateSet('Build', 'Format', 'Test', 'Package')]
    [string[]] $Task = @('Build', 'Format', 'Test', 'Package'),

    # Configuration for Build and Test. Package always builds Release.
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Where Package puts the module folder (default: ./out).
    [string] $OutputPath,

    # Runtime identifiers Package adds ReadyToRun (ahead-of-time compiled) copies of the dependencies for, in
    # bin/r2r/<rid>/, used by PowerShell 7 on .NET 10+ on that platform (default: this machine's). Pass @() for none.
    [string[]] $ReadyToRun
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

# Only Microsoft.PowerShell.Core cmdlets and .NET calls are used below, so the script also runs in a minimal host.
$root = $PSScriptRoot
$solution = [System.IO.Path]::Combine($root, 'PythonImages.sln')
$manifest = [System.IO.Path]::Combine($root, 'PythonImages.psd1')
if (-not $OutputPath) {
    $OutputPath = [System.IO.Path]::Combine($root, 'out')
}
elseif (-not [System.IO.Path]::IsPathRooted($OutputPath)) {
    $OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
}

function Get-HostRuntimeIdentifier {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    if ([System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::Windows)) { return "win-$arch" }
    if ([System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::OSX)) { return "osx-$arch" }
    return "linux-$arch"
}

if ($null -eq $ReadyToRun) {
    $ReadyToRun = @(Get-HostRuntimeIdentifier)
}

function Write-Step([string] $Message) {
    $Host.UI.WriteLine("==> $Message")
}

function Invoke-Dotnet {
    param([Parameter(Mandatory)] [string[]] $Arguments)
    $Host.UI.WriteLine('dotnet ' + ($Arguments -join ' '))
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE."
    }
}

function Get-ManifestValue([string] $Path, [string] $Key) {
    # Read the manifest as data (no Import-PowerShellDataFile: that is not in every host).
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref] $tokens, [ref] $errors)
    if ($errors.Count -gt 0) {
        throw "$Path cannot be parsed: $($errors[0].Message)"
    }

    $table = $ast.Find({ param($node) $node -is [System.Management.Automation.Language.HashtableAst] }, $false)
    foreach ($pair in $table.KeyValuePairs) {
        if ($pair.Item1.Value -eq $Key) {
            return $pair.Item2.GetPureExpression().Value
        }
    }

    throw "$Path has no $Key."
}

function Invoke-Build {
    Write-Step "Build ($Configuration)"
    Invoke-Dotnet @('build', $solution, '--configuration', $Configuration, '-nologo')
}

function Invoke-Format {
    Write-Step 'Format (dotnet format --verify-no-changes)'
    Invoke-Dotnet @('format', $solution, '--verify-no-changes')
}

function Invoke-Test {
    Write-Step "Test ($Configuration)"
    Invoke-Dotnet @('test', $solution, '--configuration', $Configuration, '-nologo')
}

function Invoke-Package {
    $version = Get-ManifestValue -Path $manifest -Key 'ModuleVersion'
    $destination = [System.IO.Path]::Combine($OutputPath, 'PythonImages', $version)
    $bin = [System.IO.Path]::Combine($destination, 'bin')
    Write-Step "Package PythonImages $version -> $destination"

    # Build into a staging folder next to the destination and swap it in at the end, so a failed build never
    # leaves a half-written module behind.
    $staging = $destination + '.staging'
    if ([System.IO.Directory]::Exists($staging)) { [System.IO.Directory]::Delete($staging, $true) }

    $stagingBin = [System.IO.Path]::Combine($staging, 'bin')
    $project = [System.IO.Path]::Combine($root, 'src', 'PythonImages', 'PythonImages.csproj')
    # ModuleDir overrides where the project lays the module out (bin/ + bin/dependencies/). It must end with a
    # separator; '/' rather than '\', which would escape the closing quote Windows adds around a path with spaces.
    Invoke-Dotnet @('build', $project, '--configuration', 'Release', '-nologo', "-p:ModuleDir=$stagingBin/")

    # PowerShell 7: ReadyToRun copies of the same dependencies, per platform (the IL in bin/dependencies stays for
    # Windows PowerShell 5.1 and for every other platform). Only assemblies that were compiled are kept.
    $dependencies = [System.IO.Path]::Combine($stagingBin, 'dependencies')
    $r2rProject = [System.IO.Path]::Combine($root, 'src', 'PythonImages.ReadyToRun', 'PythonImages.ReadyToRun.csproj')
    foreach ($rid in $ReadyToRun) {
        $r2r = [System.IO.Path]::Combine($stagingBin, 'r2r', $rid)
        Invoke-Dotnet @('publish', $r2rProject, '--configuration', 'Release', '-nologo', '--runtime', $rid, '--self-contained', 'false', "-p:ModuleDependencies=$dependencies/", '--output', $r2r)
        foreach ($file in [System.IO.Directory]::GetFiles($r2r)) {
            $name = [System.IO.Path]::GetFileName($file)
            $il = [System.IO.Path]::Combine($dependencies, $name)
            $keep = $name.EndsWith('.dll') -and [System.IO.File]::Exists($il) -and ([System.IO.FileInfo]::new($file).Length -ne [System.IO.FileInfo]::new($il).Length)
            if (-not $keep) { [System.IO.File]::Delete($file) }
        }

        # MatrixLoader reads the matrix data beside PythonImages.Core.dll, wherever that was loaded from.
        [System.IO.File]::Copy([System.IO.Path]::Combine($dependencies, 'PythonImages.matrix.bin'), [System.IO.Path]::Combine($r2r, 'PythonImages.matrix.bin'), $true)
        if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($r2r, 'PythonImages.Core.dll'))) {
            throw "The ReadyToRun build for $rid produced no PythonImages.Core.dll."
        }
    }

    foreach ($pdb in [System.IO.Directory]::GetFiles($stagingBin, '*.pdb', [System.IO.SearchOption]::AllDirectories)) {
        [System.IO.File]::Delete($pdb)
    }

    [System.IO.File]::Copy($manifest, [System.IO.Path]::Combine($staging, 'PythonImages.psd1'), $true)
    foreach ($file in 'LICENSE', 'CHANGELOG.md') {
        [System.IO.File]::Copy([System.IO.Path]::Combine($root, $file), [System.IO.Path]::Combine($staging, $file), $true)
    }

    $missing = @()
    if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($stagingBin, 'PythonImages.dll'))) { $missing += 'bin/PythonImages.dll' }
    if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($stagingBin, 'PythonImages.format.ps1xml'))) { $missing += 'bin/PythonImages.format.ps1xml' }
    if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($stagingBin, 'PythonImages.views.bin'))) { $missing += 'bin/PythonImages.views.bin' }
    if (-not [System.IO.Directory]::Exists($dependencies) -or [System.IO.Directory]::GetFiles($dependencies, '*.dll').Count -eq 0) { $missing += 'bin/dependencies/*.dll' }
    # The help, built by the project next to bin/ (where PowerShell looks for a module's help): one file per about_ source.
    $help = [System.IO.Path]::Combine($staging, 'en-US')
    if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($help, 'PythonImages.dll-Help.xml'))) { $missing += 'en-US/PythonImages.dll-Help.xml' }
    foreach ($topic in [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($root, 'docs', 'en-US'), 'about_*.md')) {
        $name = [System.IO.Path]::GetFileNameWithoutExtension($topic) + '.help.txt'
        if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($help, $name))) { $missing += "en-US/$name" }
    }
    if ($missing.Count -gt 0) {
        throw "The packaged module is incomplete: missing $($missing -join ', ')."
    }

    # Every file the manifest names (RootModule, FormatsToProcess) must be present.
    $null = Test-ModuleManifest -Path ([System.IO.Path]::Combine($staging, 'PythonImages.psd1')) -ErrorAction Stop

    if ([System.IO.Directory]::Exists($destination)) { [System.IO.Directory]::Delete($destination, $true) }
    [System.IO.Directory]::Move($staging, $destination)
    $Host.UI.WriteLine("Packaged: $destination")
}

try {
    foreach ($name in $Task) {
        switch ($name) {
            'Build' { Invoke-Build }
            'Format' { Invoke-Format }
            'Test' { Invoke-Test }
            'Package' { Invoke-Package }
        }
    }

    $Host.UI.WriteLine('build.ps1: ' + ($Task -join ', ') + ' succeeded.')
    exit 0
}
catch {
    $Host.UI.WriteErrorLine("build.ps1: $($_.Exception.Message)")
    exit 1
}
