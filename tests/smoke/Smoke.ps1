#Requires -Version 5.1
<#
.SYNOPSIS
    Smoke test of a packaged PythonImages module: import, help, Dockerfile generation.

.DESCRIPTION
    Run by .github/workflows/ci.yml in Windows PowerShell 5.1 and in PowerShell 7 on Windows, after
    ./build.ps1 -Task Package -OutputPath ./out; the tests run it in pwsh on Linux too (SmokeScriptTests).
    Imports the module by name from -ModulesPath (as an installed module), checks that every exported cmdlet has help
    with examples, that the about topics open and that Get-PythonTag has its table view, then writes and checks the
    Dockerfiles of one version (Linux and Windows images). Throws on the first problem; prints 'smoke: ok' at the end.
#>
[CmdletBinding()]
param(
    # The folder that holds PythonImages/<version>/ (the Package task's -OutputPath).
    [Parameter(Mandatory)]
    [string] $ModulesPath
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$modules = (Resolve-Path -LiteralPath $ModulesPath).ProviderPath
$env:PSModulePath = $modules + [System.IO.Path]::PathSeparator + $env:PSModulePath
Import-Module PythonImages
$module = Get-Module PythonImages
Write-Host "PythonImages $($module.Version) from $($module.ModuleBase) in PowerShell $($PSVersionTable.PSVersion) ($($PSVersionTable.PSEdition))"

$cmdlets = @($module.ExportedCmdlets.Keys)
if ($cmdlets.Count -lt 10) { throw "Only $($cmdlets.Count) cmdlets are exported." }
foreach ($name in $cmdlets) {
    $help = Get-Help $name -Full
    if (-not $help.description) { throw "$name has no help (Get-Help shows no description): en-US/PythonImages.dll-Help.xml is missing or not found." }
    $examples = @($help.examples.example)
    if ($examples.Count -lt 2) { throw "$name has $($examples.Count) help examples." }
}

foreach ($topic in 'about_PythonImages', 'about_PythonImages_Matrix') {
    $text = Get-Help $topic | Out-String
    if ($text -notmatch 'LONG DESCRIPTION') { throw "Get-Help $topic does not show the topic: $text" }
}

# The views: the manifest lists no format file; the module adds them on import (from data on PowerShell 7, from the
# shipped format file with Update-FormatData on Windows PowerShell 5.1).
$view = @(Get-FormatData -TypeName 'PythonImages.PythonImage')
if ($view.Count -ne 1) { throw 'Import-Module gave the session no view for PythonImages.PythonImage.' }
$shown = Get-PythonTag -Version 3.14 | Select-Object -First 1 | Out-String -Width 120
if ($shown -notmatch 'Version\s+Variant\s+Tags') { throw "Get-PythonTag is not shown with its table view: $shown" }

$images = @(Get-PythonTag -Version 3.14)
if (@($images | Where-Object OS -eq 'Windows').Count -eq 0 -or @($images | Where-Object OS -eq 'Linux').Count -eq 0) {
    throw 'Get-PythonTag -Version 3.14 should give Linux and Windows images.'
}

$dir = Join-Path ([System.IO.Path]::GetTempPath()) ('pythonimages-smoke-' + [guid]::NewGuid().ToString('N'))
try {
    $written = @($images | New-PythonDockerfile -Path $dir)
    if ($written.Count -ne $images.Count) { throw "New-PythonDockerfile wrote $($written.Count) of $($images.Count) Dockerfiles." }
    foreach ($image in $written) {
        if (-not (Test-Path -LiteralPath $image.DockerfilePath -PathType Leaf)) { throw "$($image.DockerfilePath) was not written." }
    }

    if (-not (Test-PythonDockerfile -Path $dir -Version 3.14 -Quiet)) { throw 'Test-PythonDockerfile does not find the Dockerfiles just written current.' }
    $windows = Get-Content -Raw -LiteralPath ($written | Where-Object OS -eq 'Windows' | Select-Object -First 1).DockerfilePath
    if ($windows -notmatch 'FROM mcr.microsoft.com/windows/servercore') { throw 'The Windows Dockerfile does not start from Windows Server Core.' }
}
finally {
    if (Test-Path -LiteralPath $dir) { Remove-Item -LiteralPath $dir -Recurse -Force }
}

'smoke: ok'
