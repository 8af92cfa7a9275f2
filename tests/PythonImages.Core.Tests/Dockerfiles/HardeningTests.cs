using System;
using System.Collections.Generic;
using System.Linq;
using PythonImages.Dockerfiles;
using PythonImages.Security;
using Xunit;

namespace PythonImages.Tests.Dockerfiles
{
    /// <summary>Options as the cmdlets take them: validated where they enter, insecure schemes only on request.</summary>
    public class DockerfileOptionsCreateTests
    {
        private static DockerfileException Refused(string? mirror = null, string? keyServer = null, string? registry = null, bool allowInsecure = false) =>
            Assert.Throws<DockerfileException>(() => DockerfileOptions.Create(mirror, keyServer, registry, false, allowInsecure));

        [Theory]
        [InlineData("https://mirror.example/python/")]
        [InlineData("https://127.0.0.1:8443/python")]
        [InlineData("https://m/$(touch${IFS}/tmp/pwned)/")]
        [InlineData("https://m/';touch${IFS}/tmp/pwned;'/")]
        [InlineData("https://m/a;b|c&d`e`/")]
        public void TlsMirrorsAreAcceptedAsTyped(string mirror)
        {
            var o = DockerfileOptions.Create(mirror, null, null, false, false);
            Assert.Equal(mirror, o.SourceMirror!.OriginalString);
            Assert.False(o.MirrorIsInsecure);
        }

        [Theory]
        [InlineData("http://127.0.0.1:8080/python/")]
        [InlineData("HTTP://mirror.example/")]
        public void PlainHttpMirrorNeedsTheOptIn(string mirror)
        {
            var ex = Refused(mirror);
            Assert.Equal("Dockerfile.InsecureSource", ex.ErrorId);
            Assert.Contains("-AllowInsecureSource", ex.RecommendedAction);
            Assert.Contains("-SourceMirror", ex.Message);
            var o = DockerfileOptions.Create(mirror, null, null, false, allowInsecureSource: true);
            Assert.True(o.MirrorIsInsecure);
            Assert.True(o.AllowInsecureSource);
        }

        [Theory]
        [InlineData("hkp://127.0.0.1:11371")]
        [InlineData("http://keys.example/")]
        public void PlainTextKeyServerNeedsTheOptIn(string keyServer)
        {
            Assert.Equal("Dockerfile.InsecureSource", Refused(keyServer: keyServer).ErrorId);
            Assert.True(DockerfileOptions.Create(null, keyServer, null, false, true).KeyServerIsInsecure);
        }

        [Theory]
        [InlineData("hkps://keys.example")]
        [InlineData("https://keys.example:443/")]
        public void TlsKeyServersAreAccepted(string keyServer) =>
            Assert.False(DockerfileOptions.Create(null, keyServer, null, false, false).KeyServerIsInsecure);

        [Theory]
        [InlineData("ftp://mirror.example/python/")]
        [InlineData("file:///srv/python/")]
        [InlineData("gopher://m/")]
        [InlineData("hkps://m/")]          // a key-server scheme is no download scheme
        [InlineData("relative/path")]
        [InlineData("/srv/python")]
        [InlineData("https://m/a b/")]
        [InlineData("https://m/\n")]
        [InlineData("https://m/\r/")]
        [InlineData("https://m/\0/")]
        [InlineData("https://m/\u2028/")]
        [InlineData("https://m/\u00e9/")]
        [InlineData("")]
        public void OtherMirrorsAreAlwaysRefused(string mirror)
        {
            var ex = Refused(mirror, allowInsecure: true);
            Assert.Equal("Dockerfile.InvalidUri", ex.ErrorId);
            Assert.DoesNotContain('\n', ex.Message);
            Assert.DoesNotContain('\u2028', ex.Message);
            Assert.DoesNotContain('\0', ex.Message);
        }

        [Theory]
        [InlineData("ldap://keys.example")]
        [InlineData("ftp://keys.example")]
        [InlineData("hkps://k/\n--recv-keys")]
        public void OtherKeyServersAreAlwaysRefused(string keyServer) =>
            Assert.Equal("Dockerfile.InvalidUri", Refused(keyServer: keyServer, allowInsecure: true).ErrorId);

        [Theory]
        [InlineData("https://user:s3cr3t-pw@mirror.example/python/", null)]
        [InlineData(null, "hkps://user:s3cr3t-pw@keys.example")]
        [InlineData("https://user:s3cr3t-pw@mirror.example/\n", null)]
        [InlineData("https://user:s3cr3t-pw@", null)]
        public void CredentialsAreRefusedAndNeverRepeated(string? mirror, string? keyServer)
        {
            var ex = Refused(mirror, keyServer, allowInsecure: true);
            Assert.Equal("Dockerfile.InvalidUri", ex.ErrorId);
            Assert.DoesNotContain("s3cr3t", ex.ToString());
            Assert.DoesNotContain("s3cr3t", ex.RecommendedAction);
            Assert.DoesNotContain("s3cr3t", ex.Target?.ToString() ?? string.Empty);
        }

        [Theory]
        [InlineData("registry.example:5000/hub")]
        [InlineData("registry.example:5000/hub/")]
        [InlineData("127.0.0.1:5000")]
        [InlineData("localhost/library")]
        [InlineData("localhost:5000")]
        [InlineData("mirror.internal")]
        [InlineData("mirror.internal/hub/")]
        public void RegistryPrefixesAreAccepted(string registry) =>
            Assert.Equal(registry, DockerfileOptions.Create(null, null, registry, false, false).BaseImageRegistry);

        [Theory]
        [InlineData("https://registry.example")]
        [InlineData("registry.example/hub\nRUN touch /pwned")]
        [InlineData("registry.example/$(id)")]
        [InlineData("registry.example/${IFS}")]
        [InlineData("registry.example/a b")]
        [InlineData("registry.example/Hub")]
        [InlineData("registry.example/hub;x")]
        [InlineData("user:pw@registry.example")]
        [InlineData("registry.example//hub")]
        [InlineData("")]
        [InlineData("mirror")]
        [InlineData("mirror/")]
        [InlineData("mirror/hub")]
        [InlineData("localhost2/hub")]
        public void OtherRegistriesAreRefused(string registry)
        {
            var ex = Refused(registry: registry);
            Assert.Equal("Dockerfile.InvalidRegistry", ex.ErrorId);
            Assert.DoesNotContain('\n', ex.Message);
            Assert.DoesNotContain(":pw@", ex.Message);
        }

        [Fact]
        public void APrefixThatDockerReadsAsADockerHubNamespaceIsRefusedAndSaysSo()
        {
            // FROM mirror/debian:trixie-slim is pulled from docker.io/mirror/debian: whoever registered "mirror" there.
            var ex = Refused(registry: "mirror/hub");
            Assert.Equal("Dockerfile.InvalidRegistry", ex.ErrorId);
            Assert.Contains("Docker Hub namespace 'mirror'", ex.Message);
            Assert.Contains("registry.example:5000/hub", ex.RecommendedAction);
        }
    }

    /// <summary>What the renderer writes for hostile but accepted options, and what it refuses whatever checked the input before.</summary>
    public class RendererHardeningTests
    {
        private static readonly IReadOnlyList<PythonImage> Images = TagRules.Compute(MatrixLoader.Default);

        private static PythonImage Image(string versionKey, string variant) => Images.Single(i => i.VersionKey == versionKey && i.Variant == variant);

        private static readonly string[] HostileUrlParts =
        {
            "$(touch${IFS}/tmp/pwned)", "`touch${IFS}/tmp/pwned`", "';touch${IFS}/tmp/pwned;'", "\";touch${IFS}/tmp/pwned;\"", ";touch${IFS}/tmp/pwned;",
            "|touch${IFS}/tmp/pwned", "&touch${IFS}/tmp/pwned&", "'\"'\"'$(id)", "\\'$(id)", "<<EOF", "#x", "{0}{1}}{",
        };

        public static IEnumerable<object[]> HostileParts() => HostileUrlParts.Select(p => new object[] { p });

        [Theory]
        [MemberData(nameof(HostileParts))]
        public void AHostileMirrorIsOneLiteralWordInEveryLinuxDownload(string part)
        {
            string mirror = "https://m.example/" + part + "/";
            var options = DockerfileOptions.Create(mirror, null, null, false, false);
            var image = Image("3.13", "slim-trixie");
            var clean = new ParsedDockerfile(DockerfileRenderer.Render(image, DockerfileOptions.Create("https://m.example/x/", null, null, false, false)).Content);
            var file = new ParsedDockerfile(DockerfileRenderer.Render(image, options).Content);
            Assert.Equal(clean.Instructions.Select(i => i.Keyword), file.Instructions.Select(i => i.Keyword));
            var s = new LinuxScript(file);
            Assert.Equal(mirror + "${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz", s.SourceUrl);
            Assert.Equal(s.SourceUrl + ".asc", s.SignatureUrl);
            Assert.True(s.VerifiesSha256);
            Assert.True(s.VerifiesGpg);
        }

        [Theory]
        [MemberData(nameof(HostileParts))]
        public void AHostileKeyServerIsOneLiteralWord(string part)
        {
            string keyServer = "hkps://k.example/" + part;
            var file = new ParsedDockerfile(DockerfileRenderer.Render(Image("3.12", "trixie"), DockerfileOptions.Create(null, keyServer, null, false, false)).Content);
            Assert.Equal(keyServer.TrimEnd('/'), new LinuxScript(file).KeyServer);
        }

        [Theory]
        [MemberData(nameof(HostileParts))]
        public void TheBannerRepeatsHostileOptionsAsPowerShellVerbatimStringsOnOneLine(string part)
        {
            string mirror = "https://m.example/" + part + "/";
            string text = DockerfileRenderer.Render(Image("3.14", "windows/windowsservercore-ltsc2025"), DockerfileOptions.Create(mirror, "hkps://k/" + part, null, false, false)).Content;
            var file = new ParsedDockerfile(text);
            Assert.Equal(3, file.LeadingComments.Count);
            string expected = " -SourceMirror '" + mirror.Replace("'", "''") + "' -KeyServer '" + ("hkps://k/" + part).Replace("'", "''") + "'";
            Assert.EndsWith(expected, file.LeadingComments[2]);
            Assert.Equal("FROM", file.Instructions[0].Keyword);
        }

        [Fact]
        public void WindowsInstallerUrlDoublesBracesAndQuotesAndEncodesDoubleQuotes()
        {
            var file = new ParsedDockerfile(DockerfileRenderer.Render(
                Image("3.14", "windows/windowsservercore-ltsc2025"),
                DockerfileOptions.Create("https://m/{x}/'$(id)\"/", null, null, false, false)).Content);
            var (format, _, _) = new WindowsScript(file).InstallerUrl;
            Assert.DoesNotContain("\"", file.Runs[0].Arguments);
            Assert.Equal("https://m/{{x}}/''$(id)%22/{0}/python-{1}-amd64.exe", format); // as written inside '...'
        }

        [Fact]
        public void PlainTextSourcesAreNamedPerImageAndTheChecksumStays()
        {
            var options = DockerfileOptions.Create("http://127.0.0.1:8080/python/", "hkp://127.0.0.1:11371", null, false, true);
            var pgp = DockerfileRenderer.Render(Image("3.13", "slim-trixie"), options);
            Assert.Equal(2, pgp.Warnings.Count);
            Assert.StartsWith("The Dockerfile of 3.13/slim-trixie (Python ", pgp.Warnings[0]);
            Assert.Contains("downloads from http://127.0.0.1:8080/python/ without TLS", pgp.Warnings[0]);
            Assert.Contains("the sha256 check still rejects a changed file", pgp.Warnings[0]);
            Assert.Contains("PGP key from hkp://127.0.0.1:11371 without TLS", pgp.Warnings[1]);
            Assert.True(new LinuxScript(new ParsedDockerfile(pgp.Content)).VerifiesSha256);
            Assert.EndsWith(" -AllowInsecureSource", new ParsedDockerfile(pgp.Content).LeadingComments[2]);

            // 3.14 has no PGP step: the key server is not used, so it is not reported.
            var noPgp = DockerfileRenderer.Render(Image("3.14", "slim-trixie"), options);
            Assert.Single(noPgp.Warnings);
            var windows = DockerfileRenderer.Render(Image("3.14", "windows/windowsservercore-ltsc2025"), options);
            Assert.Single(windows.Warnings);
            Assert.Contains("Get-FileHash python.exe -Algorithm sha256", windows.Content);

            // Allowed but unused (TLS sources): no warning and no -AllowInsecureSource in the banner.
            var tls = DockerfileRenderer.Render(Image("3.13", "slim-trixie"), DockerfileOptions.Create("https://m/", "hkps://k", null, false, true));
            Assert.Empty(tls.Warnings);
            Assert.DoesNotContain("-AllowInsecureSource", tls.Content);
            Assert.Empty(DockerfileRenderer.Render(Image("3.13", "slim-trixie")).Warnings);
        }

        [Fact]
        public void AnUnverifiedImageIsNamedWithWhatIsStillChecked()
        {
            var pgp = Image("3.13", "slim-trixie").Clone();
            pgp.Release = new MatrixVersion(pgp.Release!.Key, pgp.Release.Version, pgp.Release.Variants);
            var r = DockerfileRenderer.Render(pgp, new DockerfileOptions { AllowUnverifiedSource = true });
            var w = Assert.Single(r.Warnings);
            Assert.StartsWith("The Dockerfile of 3.13/slim-trixie (Python " + pgp.Release.Version.Text + ") downloads the source without any checksum check", w);
            Assert.EndsWith("only the PGP signature is checked.", w);

            var win = Image("3.14", "windows/windowsservercore-ltsc2025").Clone();
            win.Release = new MatrixVersion(win.Release!.Key, win.Release.Version, win.Release.Variants) { SourceSha256 = win.Release.SourceSha256 };
            var both = DockerfileRenderer.Render(win, new DockerfileOptions { AllowUnverifiedSource = true, SourceMirror = new Uri("http://m/"), AllowInsecureSource = true });
            Assert.Equal(2, both.Warnings.Count);
            Assert.EndsWith("nothing verifies what is downloaded.", both.Warnings[0]);
            Assert.EndsWith("and no checksum is checked.", both.Warnings[1]);
        }

        // ----- values that fail their grammar, whatever let them through -------------------------------------------

        private static DockerfileException Unsafe(PythonImage image, DockerfileOptions? options = null)
        {
            var ex = Assert.Throws<DockerfileException>(() => DockerfileRenderer.Render(image, options));
            Assert.Equal("Dockerfile.UnsafeValue", ex.ErrorId);
            Assert.DoesNotContain('\n', ex.Message);
            Assert.DoesNotContain('\r', ex.Message);
            Assert.DoesNotContain('\u2028', ex.Message);
            return ex;
        }

        private static PythonImage WithRelease(PythonImage image, Func<MatrixVersion, MatrixVersion> change)
        {
            var copy = image.Clone();
            copy.Release = change(image.Release!);
            return copy;
        }

        private static MatrixVersion Copy(MatrixVersion r, string? version = null) =>
            new MatrixVersion(r.Key, version == null ? r.Version : PythonVersion.Parse(version), r.Variants)
            {
                SourceSha256 = r.SourceSha256,
                WindowsSha256 = r.WindowsSha256,
                SetuptoolsVersion = r.SetuptoolsVersion,
                GpgKey = r.GpgKey,
            };

        public static IEnumerable<object[]> HostileMatrixValues() => new[]
        {
            "x' 'y'; true", "79.0.1' 'x'; true\nRUN touch /pwned", "79.0.1\n", "$(touch /tmp/pwned)", "`id`", "1;id", "1|id", "1&id",
            "${IFS}", "1\r", "1\0", "1\u2028", "\"", "' ", "1 2",
        }.Select(v => new object[] { v });

        [Theory]
        [MemberData(nameof(HostileMatrixValues))]
        public void SetuptoolsVersionIsCheckedBeforeItIsWritten(string value)
        {
            var ex = Unsafe(WithRelease(Image("3.11", "slim-bookworm"), r => { var c = Copy(r); c.SetuptoolsVersion = value; return c; }));
            Assert.Contains("3.11.setuptools.version", ex.Message);
        }

        [Theory]
        [MemberData(nameof(HostileMatrixValues))]
        public void GpgKeyIsCheckedBeforeItIsWritten(string value)
        {
            var ex = Unsafe(WithRelease(Image("3.12", "trixie"), r => { var c = Copy(r); c.GpgKey = value; return c; }));
            Assert.Contains("3.12.gpgKey", ex.Message);
        }

        [Theory]
        [MemberData(nameof(HostileMatrixValues))]
        public void SourceChecksumIsCheckedBeforeItIsWritten(string value)
        {
            var ex = Unsafe(WithRelease(Image("3.14", "alpine3.24"), r => { var c = Copy(r); c.SourceSha256 = new string('a', 60) + value; return c; }));
            Assert.Contains("checksums.source.sha256", ex.Message);
        }

        [Theory]
        [MemberData(nameof(HostileMatrixValues))]
        public void WindowsChecksumIsCheckedBeforeItIsWritten(string value)
        {
            var ex = Unsafe(WithRelease(Image("3.14", "windows/windowsservercore-ltsc2022"), r => { var c = Copy(r); c.WindowsSha256 = value; return c; }));
            Assert.Contains("checksums.windows.sha256", ex.Message);
        }

        [Theory]
        [InlineData("3.14.6\n")]
        [InlineData("3.14.6\nRUN touch /pwned")]
        public void AVersionTheOldParserLetThroughIsRefused(string version)
        {
            if (!PythonVersion.TryParse(version, out _))
            {
                return; // the parser itself refuses it now: nothing can reach the renderer
            }

            var ex = Unsafe(WithRelease(Image("3.14", "slim-trixie"), r => Copy(r, version)));
            Assert.Contains("3.14.version", ex.Message);
        }

        [Theory]
        [InlineData("trixie\nRUN touch /pwned")]
        [InlineData("trixie;id")]
        [InlineData("Trixie")]
        [InlineData("trixie ")]
        public void VariantIsCheckedBeforeItIsWritten(string variant)
        {
            var source = Image("3.14", "trixie");
            var image = new PythonImage(source.VersionKey, source.Version, variant)
            {
                Family = source.Family,
                OS = source.OS,
                BaseImage = source.BaseImage,
                Directory = source.Directory,
                Release = source.Release,
            };
            Assert.Contains("variant", Unsafe(image).Message);
        }

        [Theory]
        [InlineData("debian:trixie-slim\nRUN touch /pwned")]
        [InlineData("debian:trixie-slim $(id)")]
        [InlineData("debian:${X}")]
        [InlineData("Debian:trixie")]
        [InlineData("")]
        public void BaseImageIsCheckedBeforeItIsWritten(string baseImage)
        {
            var image = Image("3.14", "slim-trixie").Clone();
            image.BaseImage = baseImage;
            var ex = Assert.Throws<DockerfileException>(() => DockerfileRenderer.Render(image));
            Assert.Contains(ex.ErrorId, new[] { "Dockerfile.UnsafeValue", "Dockerfile.NoBaseImage" });
        }

        [Theory]
        [InlineData("3.14/slim trixie")]
        [InlineData("3.14/$(id)")]
        [InlineData("3.14/x\ny")]
        public void DirectoryIsCheckedBeforeItIsUsed(string directory)
        {
            var image = Image("3.14", "slim-trixie").Clone();
            image.Directory = directory;
            var ex = Assert.Throws<DockerfileException>(() => DockerfileRenderer.Render(image));
            Assert.Contains(ex.ErrorId, new[] { "Dockerfile.UnsafeValue", "Dockerfile.PathEscape" });
        }

        [Theory]
        [InlineData("ftp://m/", null, null)]
        [InlineData("https://u:pw@m/", null, null)]
        [InlineData(null, "ldap://k", null)]
        [InlineData(null, null, "reg.example/$(id)")]
        [InlineData(null, null, "reg.example/x\nRUN touch /pwned")]
        public void OptionsBuiltWithoutCreateAreCheckedAtRenderTime(string? mirror, string? keyServer, string? registry)
        {
            var options = new DockerfileOptions
            {
                SourceMirror = mirror == null ? null : new Uri(mirror),
                KeyServer = keyServer == null ? null : new Uri(keyServer),
                BaseImageRegistry = registry,
            };
            var ex = Unsafe(Image("3.13", "slim-trixie"), options);
            Assert.DoesNotContain(":pw@", ex.Message);
        }

        [Fact]
        public void PipRequirementsAreSingleQuotedWords()
        {
            var file = new ParsedDockerfile(DockerfileRenderer.Render(Image("3.11", "slim-bookworm")).Content);
            var pip = new LinuxScript(file).PipInstall!.Value;
            Assert.Equal(2, pip.Requirements.Count);
            Assert.Contains("'wheel<0.46'", file.Text);
        }
    }

    public class SourceUriRedactionTests
    {
        [Theory]
        [InlineData("https://user:pw@host/x", "https://***@host/x")]
        [InlineData("https://user@host", "https://***@host")]
        [InlineData("user:pw@registry.example/hub", "***@registry.example/hub")]
        [InlineData("https://host/a@b", "https://host/a@b")]
        [InlineData("https://a@b@host:1/", "https://***@host:1/")]
        [InlineData("no-credentials", "no-credentials")]
        [InlineData("", "")]
        public void UserInfoIsReplaced(string text, string expected) => Assert.Equal(expected, SourceUri.RedactUserInfo(text));
    }
}
