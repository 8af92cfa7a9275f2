using System;
using System.Collections.Generic;
using System.Linq;
using PythonImages.Dockerfiles;
using Xunit;

namespace PythonImages.Tests.Dockerfiles
{
    /// <summary>The version and suite rules hold for matrix entries the reference files do not have.</summary>
    public class RulesTests
    {
        private const string FutureMatrix = @"
architectures:
  buildpack-deps:forky: [amd64, arm64v8]
  debian:forky-slim: [amd64, arm64v8]
  alpine:3.25: [amd64, arm64v8]
versions:
  '3.16-rc':
    version: 3.16.0a1
    checksums:
      source: {sha256: 1111111111111111111111111111111111111111111111111111111111111111}
      windows: {sha256: 2222222222222222222222222222222222222222222222222222222222222222}
    variants: [forky, slim-forky, alpine3.25, windows/windowsservercore-ltsc2025]
  '3.11':
    version: 3.11.99
    checksums:
      source: {sha256: 3333333333333333333333333333333333333333333333333333333333333333}
    setuptools: {version: 80.1.2}
    variants: [bookworm, slim-bookworm, alpine3.25]
";

        private static readonly IReadOnlyList<PythonImage> Images =
            TagRules.Compute(MatrixLoader.Parse(FutureMatrix, "future.yaml", MatrixLoader.Default.Architectures));

        private static ParsedDockerfile Render(string directory) =>
            new ParsedDockerfile(DockerfileRenderer.Render(Images.Single(i => i.Directory == directory)).Content);

        [Theory]
        [InlineData("3.16-rc/forky")]
        [InlineData("3.16-rc/slim-forky")]
        [InlineData("3.16-rc/alpine3.25")]
        public void NextSeriesGetsNoLangNoPgpButZstdFramePointersAndDistClean(string directory)
        {
            var file = Render(directory);
            var s = new LinuxScript(file);
            var env = file.Env.Select(kv => kv.Key).ToList();
            Assert.Equal(new[] { "PATH", "PYTHON_VERSION", "PYTHON_SHA256" }, env);
            Assert.Equal("3.16.0a1", file.Env.Single(kv => kv.Key == "PYTHON_VERSION").Value);
            Assert.False(s.VerifiesGpg);
            Assert.Null(s.KeyServer);
            Assert.True(s.VerifiesSha256);
            Assert.Contains(directory.EndsWith("alpine3.25", StringComparison.Ordinal) ? "zstd-dev" : "libzstd-dev", s.BuildPackages);
            Assert.NotNull(s.FramePointerCases);
            Assert.Contains("-mno-omit-leaf-frame-pointer", s.FramePointerCases!.Values.SelectMany(v => v));
            Assert.Null(s.PipInstall);
            if (directory.EndsWith("alpine3.25", StringComparison.Ordinal))
            {
                Assert.Equal("alpine:3.25", file.From);
                Assert.DoesNotContain("apt-get", file.Text);
                Assert.DoesNotContain("--enable-optimizations", s.ConfigureFlags.Select(f => f.Flag));
            }
            else
            {
                Assert.Equal("apt-get dist-clean", s.RuntimeCleanup);
                Assert.Equal("apt-get dist-clean", s.FinalAptCleanup);
                Assert.DoesNotContain("/var/lib/apt/lists", file.Text);
                Assert.Equal(directory.Contains("slim") ? "debian:forky-slim" : "buildpack-deps:forky", file.From);
            }
        }

        [Fact]
        public void NextSeriesOnWindowsUsesTheVersionDirectoryOfTheAlpha()
        {
            var file = Render("3.16-rc/windows/windowsservercore-ltsc2025");
            var s = new WindowsScript(file);
            Assert.Equal("mcr.microsoft.com/windows/servercore:ltsc2025", file.From);
            Assert.Equal(new[] { "PYTHONIOENCODING", "PYTHON_VERSION", "PYTHON_SHA256" }, file.Env.Select(kv => kv.Key));
            Assert.Equal("2222222222222222222222222222222222222222222222222222222222222222", file.Env.Last().Value);
            Assert.True(s.VerifiesSha256);

            // The URL the installer step builds for 3.16.0a1, evaluated with .NET's regex (same dialect as PowerShell's -replace).
            var (format, regex, _) = s.InstallerUrl;
            string dir = System.Text.RegularExpressions.Regex.Replace("3.16.0a1", regex, string.Empty);
            Assert.Equal("https://www.python.org/ftp/python/3.16.0/python-3.16.0a1-amd64.exe", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, dir, "3.16.0a1"));
            Assert.Equal(new[] { "python" }, file.Cmd);
        }

        [Theory]
        [InlineData("3.11/bookworm")]
        [InlineData("3.11/slim-bookworm")]
        [InlineData("3.11/alpine3.25")]
        public void OlderSeriesGetsLangPgpSetuptoolsAndBookwormCleanup(string directory)
        {
            var file = Render(directory);
            var s = new LinuxScript(file);
            Assert.Equal(
                new[] { "PATH", "LANG", "GPG_KEY", "PYTHON_VERSION", "PYTHON_SHA256" },
                file.Env.Select(kv => kv.Key));
            Assert.Equal("C.UTF-8", file.Env.Single(kv => kv.Key == "LANG").Value);
            Assert.Equal("A035C8C19219BA821ECEA86B64E628F8D684696D", file.Env.Single(kv => kv.Key == "GPG_KEY").Value);
            Assert.True(s.VerifiesGpg);
            Assert.Equal("hkps://keys.openpgp.org", s.KeyServer);
            Assert.Equal(new[] { "setuptools==80.1.2", "wheel<0.46" }, s.PipInstall!.Value.Requirements);
            Assert.DoesNotContain("zstd", file.Text);
            Assert.Null(s.FramePointerCases);
            if (!directory.Contains("alpine"))
            {
                Assert.Equal("rm -rf /var/lib/apt/lists/*", s.RuntimeCleanup);
                Assert.DoesNotContain("dist-clean", file.Text);
            }

            if (directory.EndsWith("/bookworm", StringComparison.Ordinal))
            {
                // Full images before 3.14 install nothing for the build, so they purge nothing either.
                Assert.Empty(s.BuildPackages);
                Assert.Null(s.FinalAptCleanup);
                Assert.False(s.SavesAptMark);
            }
            else if (directory.Contains("slim"))
            {
                Assert.Equal("rm -rf /var/lib/apt/lists/*", s.FinalAptCleanup);
            }
        }

        // apt-get dist-clean came with apt 2.7.8 (trixie); the suites of the 2019 fixture (stretch, jessie) and older have
        // no such command, so they remove the lists as bookworm does (and as upstream's 2019 template did everywhere).
        [Theory]
        [InlineData("stretch")]
        [InlineData("jessie")]
        [InlineData("wheezy")]
        public void SuitesBeforeTrixieRemoveTheListsInsteadOfDistClean(string suite)
        {
            var matrix = MatrixLoader.Parse(
                $"architectures:\n  buildpack-deps:{suite}: [amd64]\n  debian:{suite}-slim: [amd64]\nversions:\n  '3.11':\n    version: 3.11.99\n"
                + $"    checksums:\n      source: {{sha256: {new string('3', 64)}}}\n    variants: [{suite}, slim-{suite}]\n",
                "old.yaml",
                MatrixLoader.Default.Architectures);
            var images = TagRules.Compute(matrix);
            Assert.Equal(2, images.Count);
            foreach (var image in images)
            {
                var file = new ParsedDockerfile(DockerfileRenderer.Render(image).Content);
                var s = new LinuxScript(file);
                Assert.Equal("rm -rf /var/lib/apt/lists/*", s.RuntimeCleanup);
                Assert.DoesNotContain("dist-clean", file.Text);
                if (image.Directory.Contains("slim"))
                {
                    Assert.Equal("rm -rf /var/lib/apt/lists/*", s.FinalAptCleanup);
                }
            }
        }

        [Fact]
        public void MatrixGpgKeyOverridesTheTable()
        {
            var image = Images.Single(i => i.Directory == "3.11/slim-bookworm").Clone();
            var r = image.Release!;
            image.Release = new MatrixVersion(r.Key, r.Version, r.Variants) { SourceSha256 = r.SourceSha256, GpgKey = "0123456789ABCDEF0123456789ABCDEF01234567" };
            var file = new ParsedDockerfile(DockerfileRenderer.Render(image).Content);
            Assert.Equal("0123456789ABCDEF0123456789ABCDEF01234567", file.Env.Single(kv => kv.Key == "GPG_KEY").Value);
        }

        [Fact]
        public void MissingChecksumIsAnErrorUnlessUnverifiedSourceIsAllowed()
        {
            var image = Images.Single(i => i.Directory == "3.16-rc/slim-forky").Clone();
            var r = image.Release!;
            image.Release = new MatrixVersion(r.Key, r.Version, r.Variants);
            var ex = Assert.Throws<DockerfileException>(() => DockerfileRenderer.Render(image));
            Assert.Equal("Dockerfile.NoChecksum", ex.ErrorId);
            Assert.Contains("-AllowUnverifiedSource", ex.RecommendedAction);

            var file = new ParsedDockerfile(DockerfileRenderer.Render(image, new DockerfileOptions { AllowUnverifiedSource = true }).Content);
            Assert.DoesNotContain(file.Env, kv => kv.Key == "PYTHON_SHA256");
            Assert.False(new LinuxScript(file).VerifiesSha256);
            Assert.Contains("-AllowUnverifiedSource", file.LeadingComments[2]);
        }

        [Fact]
        public void UnknownPgpSeriesAsksForAMatrixKey()
        {
            var matrix = MatrixLoader.Parse("versions:\n  '3.5':\n    version: 3.5.10\n    checksums: {source: {sha256: " + new string('a', 64) + "}}\n    variants: [bookworm]\n", "old.yaml", MatrixLoader.Default.Architectures);
            var ex = Assert.Throws<DockerfileException>(() => DockerfileRenderer.Render(TagRules.Compute(matrix).Single()));
            Assert.Equal("Dockerfile.NoGpgKey", ex.ErrorId);
        }

        [Theory]
        [InlineData("../escape")]
        [InlineData("3.14/../../escape")]
        [InlineData("/etc")]
        [InlineData("3.14\\..\\..\\x")]
        [InlineData("C:/x")]
        [InlineData("3.14//trixie")]
        [InlineData("./3.14")]
        public void DirectoriesThatCouldLeaveTheRootAreRefused(string directory)
        {
            var image = Images.First().Clone();
            image.Directory = directory;
            var ex = Assert.Throws<DockerfileException>(() => DockerfileRenderer.Render(image));
            Assert.Equal("Dockerfile.PathEscape", ex.ErrorId);
        }
    }

    public class MirrorOptionTests
    {
        private static readonly IReadOnlyList<PythonImage> Images = TagRules.Compute(MatrixLoader.Default);

        [Fact]
        public void SourceMirrorReplacesEveryPythonOrgDownloadWithTheSameLayout()
        {
            var options = new DockerfileOptions { SourceMirror = new Uri("http://127.0.0.1:8080/python/") };
            foreach (var image in Images)
            {
                string text = DockerfileRenderer.Render(image, options).Content;
                Assert.DoesNotContain("python.org", text);
                var file = new ParsedDockerfile(text);
                if (image.OS == ImageOS.Windows)
                {
                    var s = new WindowsScript(file);
                    Assert.Equal("http://127.0.0.1:8080/python/{0}/python-{1}-amd64.exe", s.InstallerUrl.Format);
                    Assert.True(s.VerifiesSha256);
                }
                else
                {
                    var s = new LinuxScript(file);
                    Assert.Equal("http://127.0.0.1:8080/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz", s.SourceUrl);
                    Assert.True(s.VerifiesSha256);
                    if (s.VerifiesGpg)
                    {
                        Assert.Equal(s.SourceUrl + ".asc", s.SignatureUrl);
                    }
                }
            }
        }

        [Fact]
        public void MirrorWithoutTrailingSlashGetsOne()
        {
            var image = Images.First(i => i.VersionKey == "3.15-rc" && i.OS == ImageOS.Linux);
            var s = new LinuxScript(new ParsedDockerfile(DockerfileRenderer.Render(image, new DockerfileOptions { SourceMirror = new Uri("http://127.0.0.1:8080/mirror") }).Content));
            Assert.Equal("http://127.0.0.1:8080/mirror/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz", s.SourceUrl);
        }

        [Fact]
        public void KeyServerReplacesKeysOpenpgpOrgAndChecksStay()
        {
            var options = new DockerfileOptions { KeyServer = new Uri("hkp://127.0.0.1:11371") };
            int verified = 0;
            foreach (var image in Images.Where(i => i.OS == ImageOS.Linux))
            {
                string text = DockerfileRenderer.Render(image, options).Content;
                Assert.DoesNotContain("keys.openpgp.org", text);
                var s = new LinuxScript(new ParsedDockerfile(text));
                Assert.True(s.VerifiesSha256);
                if (s.VerifiesGpg)
                {
                    Assert.Equal("hkp://127.0.0.1:11371", s.KeyServer);
                    verified++;
                }
            }

            Assert.Equal(4 * 6, verified); // 3.10 to 3.13, six Linux variants each
        }

        [Fact]
        public void BaseImageRegistryPrefixesEveryFrom()
        {
            var options = new DockerfileOptions { BaseImageRegistry = "127.0.0.1:5000/hub/" };
            foreach (var image in Images)
            {
                var file = new ParsedDockerfile(DockerfileRenderer.Render(image, options).Content);
                Assert.Equal("127.0.0.1:5000/hub/" + image.BaseImage, file.From);
                Assert.Contains("-BaseImageRegistry '127.0.0.1:5000/hub/'", file.LeadingComments[2]);
            }
        }

        [Fact]
        public void DefaultRenderingNamesTheUpstreamSources()
        {
            var linux = new LinuxScript(new ParsedDockerfile(DockerfileRenderer.Render(Images.First(i => i.VersionKey == "3.12" && i.Variant == "slim-trixie")).Content));
            Assert.Equal("hkps://keys.openpgp.org", linux.KeyServer);
            Assert.StartsWith("https://www.python.org/ftp/python/", linux.SourceUrl);
        }
    }
}
