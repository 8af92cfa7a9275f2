@{
    RootModule             = 'bin/PythonImages.dll'
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Desktop', 'Core')
    GUID                   = '5d0c6f1e-3c1a-4f7e-9a53-6f3f2b8a9c41'
    Author                 = 'PythonImages contributors'
    CompanyName            = 'PythonImages'
    Copyright              = '(c) PythonImages contributors. MIT License.'
    Description            = 'A complete toolchain for the Docker official python images: version matrix, tag rules, Dockerfiles (Debian, slim, Alpine, Windows Server Core), builds through the Docker Engine API, the official tests, the official-images manifest and the README tags block.'
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    # No FormatsToProcess: the module adds its views itself on import (src/PythonImages/FormatRegistration.cs), without
    # the rebuild of the whole format database a listed file costs; bin/PythonImages.format.ps1xml is still shipped.
    CmdletsToExport        = @(
        'Get-PythonTag'
        'New-PythonDockerfile'
        'Get-PythonDockerfile'
        'Test-PythonDockerfile'
        'Invoke-PythonImageBuild'
        'Export-PythonLibraryManifest'
        'Import-PythonLibraryManifest'
        'ConvertTo-PythonTagMarkdown'
        'Test-PythonImage'
        'Update-PythonMatrix'
        'New-PythonAppDockerfile'
        'Invoke-PythonContainer'
        'Export-PythonBuildMatrix'
        'Publish-PythonImage'
        'Merge-PythonBuildLedger'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Docker', 'Python', 'OfficialImages', 'Dockerfile', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/pythonimages/PythonImages'
            LicenseUri   = 'https://github.com/pythonimages/PythonImages/blob/main/LICENSE'
            ReleaseNotes = 'Release notes: CHANGELOG.md in the module folder, or https://github.com/pythonimages/PythonImages/blob/main/CHANGELOG.md'
        }
    }
}
