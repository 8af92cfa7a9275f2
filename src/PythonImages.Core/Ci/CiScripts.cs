namespace PythonImages.Ci
{
    /// <summary>
    /// The PowerShell the generated legs and the final job run. Constant text of the module: every value a leg needs
    /// (directories, platform, registry, paths) reaches it as an environment variable (PI_*), never inside the script,
    /// so neither the CI system nor the shell can read a value as code.
    /// </summary>
    internal static class CiScripts
    {
        /// <summary>The environment variable names the scripts read.</summary>
        internal const string Leg = "PI_LEG";
        internal const string Directories = "PI_DIRECTORIES";
        internal const string Platform = "PI_PLATFORM";
        internal const string Images = "PI_IMAGES";
        internal const string MatrixFile = "PI_MATRIX";
        internal const string ModuleVersion = "PI_MODULE_VERSION";
        internal const string Registry = "PI_REGISTRY";
        internal const string RegistryUser = "PI_REGISTRY_USER";
        internal const string RegistryPassword = "PI_REGISTRY_PASSWORD";
        internal const string Fragments = "PI_FRAGMENTS";

        /// <summary>The folder every leg writes its build logs and ledger fragment to (uploaded as the leg's artifact).</summary>
        internal const string OutputFolder = "pi-out";

        internal const string Install =
            "Install-Module -Name PythonImages -RequiredVersion $env:PI_MODULE_VERSION -Repository PSGallery -Scope CurrentUser -Force";

        private const string Select =
            "$ErrorActionPreference = 'Stop'\n" +
            "$select = @{ Directory = @($env:PI_DIRECTORIES -split ' ') }\n" +
            "if ($env:PI_MATRIX) { $select.MatrixPath = $env:PI_MATRIX }\n";

        /// <summary>Dockerfiles, build (with the leg's ledger fragment and logs), the official tests; a failed test fails the leg.</summary>
        internal const string BuildAndTest =
            Select +
            "$null = New-Item -ItemType Directory -Force -Path pi-out/logs, pi-out/ledger\n" +
            "$built = @(Get-PythonTag @select |\n" +
            "    New-PythonDockerfile -Path $env:PI_IMAGES |\n" +
            "    Invoke-PythonImageBuild -Platform $env:PI_PLATFORM -LogPath pi-out/logs/ -Ledger \"pi-out/ledger/$env:PI_LEG.json\")\n" +
            "$failed = @($built | Test-PythonImage | Where-Object Status -eq Failed)\n" +
            "if ($failed.Count -gt 0) {\n" +
            "    $failed | Format-Table Image, Test, Reason -AutoSize | Out-String -Width 200 | Write-Host\n" +
            "    exit 1\n" +
            "}\n";

        /// <summary>Pushes the leg's images (only on the default branch; the step's condition says so).</summary>
        internal const string Publish =
            Select +
            "$publish = @{ Registry = $env:PI_REGISTRY; Ledger = \"pi-out/ledger/$env:PI_LEG.json\" }\n" +
            "if ($env:PI_REGISTRY_USER -and $env:PI_REGISTRY_USER -notmatch '^\\$\\(') {\n" +
            "    $secret = ConvertTo-SecureString -String $env:PI_REGISTRY_PASSWORD -AsPlainText -Force\n" +
            "    $publish.Credential = [pscredential]::new($env:PI_REGISTRY_USER, $secret)\n" +
            "}\n" +
            "Get-PythonTag @select | Publish-PythonImage @publish\n";

        /// <summary>The final job: merge the legs' ledger fragments into one ledger.</summary>
        internal const string MergeLedgers =
            "$ErrorActionPreference = 'Stop'\n" +
            "$null = New-Item -ItemType Directory -Force -Path pi-out\n" +
            "$fragments = @(Get-ChildItem -LiteralPath $env:PI_FRAGMENTS -Recurse -Filter *.json | Where-Object { $_.Directory.Name -eq 'ledger' })\n" +
            "Merge-PythonBuildLedger -LiteralPath $fragments.FullName -Destination pi-out/build-ledger.json\n";

        /// <summary>The final job, default branch only: the shared tags become multi-platform indexes of the pushed images.</summary>
        internal const string SharedTags =
            "$ErrorActionPreference = 'Stop'\n" +
            "$publish = @{ Registry = $env:PI_REGISTRY; Ledger = 'pi-out/build-ledger.json'; SharedTagsOnly = $true }\n" +
            "if ($env:PI_REGISTRY_USER -and $env:PI_REGISTRY_USER -notmatch '^\\$\\(') {\n" +
            "    $secret = ConvertTo-SecureString -String $env:PI_REGISTRY_PASSWORD -AsPlainText -Force\n" +
            "    $publish.Credential = [pscredential]::new($env:PI_REGISTRY_USER, $secret)\n" +
            "}\n" +
            "Publish-PythonImage @publish\n";

        /// <summary>
        /// The final job: the library manifest (commits of the Dockerfiles) and the README tags block. The manifest's header
        /// (Maintainers, GitRepo: the README's links) comes from the matrix the legs read, so Export is given it too.
        /// </summary>
        internal const string ManifestAndReadme =
            "$ErrorActionPreference = 'Stop'\n" +
            "$select = @{}\n" +
            "if ($env:PI_MATRIX) { $select.MatrixPath = $env:PI_MATRIX }\n" +
            "$null = New-Item -ItemType Directory -Force -Path pi-out\n" +
            "$entries = Get-PythonTag @select | Export-PythonLibraryManifest -GitRepository $env:PI_IMAGES @select -Path pi-out/library-python -Force -PassThru\n" +
            "$entries | ConvertTo-PythonTagMarkdown | ForEach-Object Markdown | Set-Content -Path pi-out/README-tags.md -Encoding utf8\n";
    }
}
