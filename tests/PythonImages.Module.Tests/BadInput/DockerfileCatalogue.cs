using System.Collections.Generic;
using System.IO;
using System.Management.Automation;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// The Dockerfile cmdlets' share of the bad-input catalogue: parameters of New-/Get-/Test-PythonDockerfile (mirrors,
    /// key servers, registries, insecure sources without the opt-in, -Version/-Variant, -Path, image objects). Each case
    /// must fail with its ErrorId and category and leave the case's folder exactly as it was.
    /// </summary>
    public sealed class DockerfileCatalogue : BadInputCatalogue<DockerfileCatalogue>, IBadInputArea
    {
        private const string Area = "dockerfile";
        private const string InvalidUri = "Dockerfile.InvalidUri";
        private const string Insecure = "Dockerfile.InsecureSource";
        private const string InvalidRegistry = "Dockerfile.InvalidRegistry";
        private const string Unsafe = "Dockerfile.UnsafeValue";

        /// <summary>Writes one slim image below $work/out with the given extra parameters (PowerShell text).</summary>
        private const string New = "New-PythonDockerfile -Path $work/out -Version 3.13 -Variant slim-trixie ";

        public DockerfileCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 40;

        private static BadInputCase C(string name, string script, string errorId, ErrorCategory category) =>
            new BadInputCase(Area, name, script, errorId, category);

        public static List<BadInputCase> Create() => new List<BadInputCase>
        {
            // ----- -SourceMirror -------------------------------------------------------------------------------
            C("mirror-http-without-opt-in", New + "-SourceMirror http://127.0.0.1:8080/python/", Insecure, ErrorCategory.InvalidArgument),
            C("mirror-HTTP-uppercase-without-opt-in", New + "-SourceMirror HTTP://mirror.example/", Insecure, ErrorCategory.InvalidArgument),
            C("mirror-http-as-[uri]-without-opt-in", New + "-SourceMirror ([uri]'http://mirror.example/')", Insecure, ErrorCategory.InvalidArgument),
            C("mirror-issue-example-with-space", New + "-SourceMirror 'http://m/$(touch /tmp/pwned)/' -AllowInsecureSource", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-ftp", New + "-SourceMirror ftp://mirror.example/python/ -AllowInsecureSource", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-file", New + "-SourceMirror file:///srv/python/ -AllowInsecureSource", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-gopher", New + "-SourceMirror gopher://mirror.example/", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-hkps-is-no-download-scheme", New + "-SourceMirror hkps://mirror.example/", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-relative", New + "-SourceMirror mirror/python", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-rooted-path", New + "-SourceMirror /srv/python", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-no-host", New + "-SourceMirror https:///python/", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-bad-port", New + "-SourceMirror https://m:99999/", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-empty", New + "-SourceMirror ''", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-newline-banner-breakout", New + "-SourceMirror \"https://m/`nRUN touch /tmp/pwned\"", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-trailing-newline", New + "-SourceMirror \"https://m/python/`n\"", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-cr", New + "-SourceMirror \"https://m/`r/\"", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-nul", New + "-SourceMirror \"https://m/`0/\"", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-u2028", New + "-SourceMirror \"https://m/`u{2028}RUN/\"", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-tab", New + "-SourceMirror \"https://m/`t/\"", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-non-ascii", New + "-SourceMirror \"https://m/`u{e9}/\"", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-credentials", New + "-SourceMirror https://user:s3cret@mirror.example/python/", InvalidUri, ErrorCategory.InvalidArgument),
            C("mirror-too-long", New + "-SourceMirror ('https://m/' + 'a' * 3000)", InvalidUri, ErrorCategory.InvalidArgument),

            // ----- -KeyServer (3.13 is PGP-verified) ---------------------------------------------------------
            C("keyserver-hkp-without-opt-in", New + "-KeyServer hkp://127.0.0.1:11371", Insecure, ErrorCategory.InvalidArgument),
            C("keyserver-http-without-opt-in", New + "-KeyServer http://keys.example/", Insecure, ErrorCategory.InvalidArgument),
            C("keyserver-issue-example-without-opt-in", New + "-KeyServer 'hkp://k/;touch${IFS}/tmp/pwned;'", Insecure, ErrorCategory.InvalidArgument),
            C("keyserver-ldap", New + "-KeyServer ldap://keys.example -AllowInsecureSource", InvalidUri, ErrorCategory.InvalidArgument),
            C("keyserver-ftp", New + "-KeyServer ftp://keys.example -AllowInsecureSource", InvalidUri, ErrorCategory.InvalidArgument),
            C("keyserver-bare-host", New + "-KeyServer keys.example", InvalidUri, ErrorCategory.InvalidArgument),
            C("keyserver-newline", New + "-KeyServer \"hkps://keys.example`n--recv-keys\"", InvalidUri, ErrorCategory.InvalidArgument),
            C("keyserver-credentials", New + "-KeyServer hkps://user:s3cret@keys.example", InvalidUri, ErrorCategory.InvalidArgument),
            C("keyserver-space", New + "-KeyServer 'hkps://k/ --keyserver-options x'", InvalidUri, ErrorCategory.InvalidArgument),

            // ----- -BaseImageRegistry ------------------------------------------------------------------------
            C("registry-with-scheme", New + "-BaseImageRegistry https://registry.example", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-newline", New + "-BaseImageRegistry \"registry.example`nRUN touch /tmp/pwned\"", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-command-substitution", New + "-BaseImageRegistry 'registry.example/$(id)'", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-variable", New + "-BaseImageRegistry 'registry.example/${IFS}'", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-space", New + "-BaseImageRegistry 'registry.example/a b'", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-uppercase-namespace", New + "-BaseImageRegistry registry.example/Hub", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-credentials", New + "-BaseImageRegistry 'user:pw@registry.example'", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-empty-component", New + "-BaseImageRegistry registry.example//hub", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-semicolon", New + "-BaseImageRegistry 'registry.example/hub;id'", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-quote", New + "-BaseImageRegistry \"registry.example/hub'\"", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-docker-hub-namespace", New + "-BaseImageRegistry mirror", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("registry-docker-hub-namespace-path", New + "-BaseImageRegistry mirror/hub", InvalidRegistry, ErrorCategory.InvalidArgument),

            // ----- the same checks in Get- and Test-PythonDockerfile ------------------------------------------
            C("get-mirror-http-without-opt-in", "Get-PythonDockerfile -Version 3.14 -SourceMirror http://m/", Insecure, ErrorCategory.InvalidArgument),
            C("get-keyserver-newline", "Get-PythonDockerfile -Version 3.13 -KeyServer \"hkps://k`r\"", InvalidUri, ErrorCategory.InvalidArgument),
            C("get-registry-invalid", "Get-PythonDockerfile -Version 3.14 -BaseImageRegistry 'r.example/$(id)'", InvalidRegistry, ErrorCategory.InvalidArgument),
            C("test-keyserver-hkp-without-opt-in", "Test-PythonDockerfile -Path $work/out -KeyServer hkp://127.0.0.1:11371", Insecure, ErrorCategory.InvalidArgument),
            C("test-mirror-ftp", "Test-PythonDockerfile -Path $work/out -SourceMirror ftp://m/ -AllowInsecureSource", InvalidUri, ErrorCategory.InvalidArgument),
            C("piped-images-with-insecure-mirror", "Get-PythonTag -Version 3.14 | New-PythonDockerfile -Path $work/out -SourceMirror http://m/", Insecure, ErrorCategory.InvalidArgument),

            // ----- -Version / -Variant -----------------------------------------------------------------------
            C("version-unknown", "New-PythonDockerfile -Path $work/out -Version 3.99", "Dockerfile.ImageNotFound", ErrorCategory.ObjectNotFound),
            C("version-with-newline", "New-PythonDockerfile -Path $work/out -Version \"3.14`n\"", "Dockerfile.ImageNotFound", ErrorCategory.ObjectNotFound),
            C("version-with-command", "New-PythonDockerfile -Path $work/out -Version '3.14;touch /tmp/pwned'", "Dockerfile.ImageNotFound", ErrorCategory.ObjectNotFound),
            C("variant-unknown", "New-PythonDockerfile -Path $work/out -Version 3.14 -Variant bullseye", "Dockerfile.ImageNotFound", ErrorCategory.ObjectNotFound),
            C("variant-of-another-version", "New-PythonDockerfile -Path $work/out -Version 3.10 -Variant windows/windowsservercore-ltsc2025", "Dockerfile.ImageNotFound", ErrorCategory.ObjectNotFound),
            C("get-variant-unknown", "Get-PythonDockerfile -Version 3.14 -Variant 'slim-trixie`$(id)'", "Dockerfile.ImageNotFound", ErrorCategory.ObjectNotFound),

            // ----- -Path -------------------------------------------------------------------------------------
            new BadInputCase(Area, "path-is-a-file", "New-PythonDockerfile -Path $work/out -Version 3.14 -Variant slim-trixie", "Dockerfile.RootIsFile", ErrorCategory.InvalidArgument)
                .WithFile("out", "not a directory\n"),
            new BadInputCase(Area, "test-path-is-a-file", "Test-PythonDockerfile -Path $work/out -Version 3.14", "Dockerfile.RootIsFile", ErrorCategory.InvalidArgument)
                .WithFile("out", "not a directory\n"),
            C("path-with-nul", "New-PythonDockerfile -Path \"$work/out`0x\" -Version 3.14 -Variant slim-trixie", "Dockerfile.InvalidPath", ErrorCategory.InvalidArgument),
            C("test-path-with-nul", "Test-PythonDockerfile -Path \"$work/out`0x\"", "Dockerfile.InvalidPath", ErrorCategory.InvalidArgument),
            C("path-on-another-provider", "New-PythonDockerfile -Path Env:/out -Version 3.14 -Variant slim-trixie", "Dockerfile.InvalidPath", ErrorCategory.InvalidArgument),
            new BadInputCase(Area, "path-below-a-file", "New-PythonDockerfile -Path $work/afile/images -Version 3.14 -Variant slim-trixie", "Dockerfile.IOError", ErrorCategory.WriteError)
                .WithFile("afile", "x\n"),
            new BadInputCase(Area, "dockerfile-is-a-directory", "New-PythonDockerfile -Path $work/out -Version 3.14 -Variant slim-trixie", "Dockerfile.PathIsDirectory", ErrorCategory.ResourceExists)
                { Arrange = work => Directory.CreateDirectory(Path.Combine(work, "out", "3.14", "slim-trixie", "Dockerfile")) },
            new BadInputCase(Area, "hand-written-dockerfile-without-force", "New-PythonDockerfile -Path $work/out -Version 3.14 -Variant slim-trixie", "Dockerfile.NotOurs", ErrorCategory.ResourceExists)
                .WithFile("out/3.14/slim-trixie/Dockerfile", "FROM debian:trixie-slim\nRUN echo mine\n"),

            // ----- image objects that did not come from Get-PythonTag as they are ------------------------------
            C("image-directory-escapes", "$i = Get-PythonTag -Name 3.14-slim-trixie; $i.Directory = '../escaped'; $i | New-PythonDockerfile -Path $work/out", "Dockerfile.PathEscape", ErrorCategory.SecurityError),
            C("image-directory-absolute", "$i = Get-PythonTag -Name 3.14-slim-trixie; $i.Directory = '/tmp/escaped'; $i | New-PythonDockerfile -Path $work/out", "Dockerfile.PathEscape", ErrorCategory.SecurityError),
            C("image-directory-backslash", "$i = Get-PythonTag -Name 3.14-slim-trixie; $i.Directory = '3.14\\..\\..\\x'; $i | New-PythonDockerfile -Path $work/out", "Dockerfile.PathEscape", ErrorCategory.SecurityError),
            C("image-directory-with-space", "$i = Get-PythonTag -Name 3.14-slim-trixie; $i.Directory = '3.14/slim trixie'; $i | New-PythonDockerfile -Path $work/out", Unsafe, ErrorCategory.InvalidData),
            C("image-base-image-injection", "$i = Get-PythonTag -Name 3.14-slim-trixie; $i.BaseImage = \"debian:trixie-slim`nRUN touch /tmp/pwned\"; $i | New-PythonDockerfile -Path $work/out", Unsafe, ErrorCategory.InvalidData),
            C("image-base-image-substitution", "$i = Get-PythonTag -Name 3.14-slim-trixie; $i.BaseImage = 'debian:${TAG}'; $i | New-PythonDockerfile -Path $work/out", Unsafe, ErrorCategory.InvalidData),
            C("image-without-release", "$i = Get-PythonTag -Name 3.14-slim-trixie; $i.Release = $null; $i | New-PythonDockerfile -Path $work/out", "Dockerfile.NoRelease", ErrorCategory.InvalidData),
            C("image-without-base-image", "$i = Get-PythonTag -Name 3.14-slim-trixie; $i.BaseImage = $null; $i | Get-PythonDockerfile", "Dockerfile.NoBaseImage", ErrorCategory.InvalidData),

            // ----- matrix data the renderer cannot verify ----------------------------------------------------
            new BadInputCase(Area, "no-checksum-without-opt-in", "New-PythonDockerfile -Path $work/out -MatrixPath $work/m.yaml", "Dockerfile.NoChecksum", ErrorCategory.InvalidData)
                .WithFile("m.yaml", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [slim-trixie]\n"),
            new BadInputCase(Area, "pgp-series-without-known-key", "New-PythonDockerfile -Path $work/out -MatrixPath $work/m.yaml", "Dockerfile.NoGpgKey", ErrorCategory.InvalidData)
                .WithFile("m.yaml", "versions:\n  '3.5':\n    version: 3.5.10\n    checksums: {source: {sha256: " + new string('a', 64) + "}}\n    variants: [bookworm]\n"),
        };
    }
}
