using System;
using System.Linq;
using System.Net.Http;
using System.Text;
using PythonImages.Tests.ReleaseFixture;
using PythonImages.Updates;
using Xunit;
using static PythonImages.Tests.Updates.UpdaterHarness;

namespace PythonImages.Tests.Updates
{
    /// <summary>The checksum recorded is that of the bytes served under the file's name, not only what a bundle says.</summary>
    public sealed class FileDigestTests
    {
        private static UpdateException Refused(UpdateRun run, string errorId)
        {
            var failure = Assert.Single(run.Failures);
            Assert.Equal(errorId, failure.ErrorId);
            Assert.True(run.Unchanged, "the matrix changed although the update failed");
            Assert.False(string.IsNullOrEmpty(failure.RecommendedAction));
            return failure;
        }

        [Fact]
        public void AGenuineBundleOfAnotherReleaseServedUnderThisNameIsRefused()
        {
            // the matrix at 3.14.4: 3.14.5's checksum is not one it holds (ReleaseReplayTests: when it is)
            var (f, matrix) = ReleaseReplayTests.At3144();
            using var world = f;
            // a hostile mirror: 3.14.5's genuine bundle (same release manager) as 3.14.6's, and no SBOM to contradict it
            byte[] older = Get(f, "/ftp/python/3.14.5/Python-3.14.5.tar.xz.sigstore");
            f.Releases.Single(r => r.Version == "3.14.6").SourceSbom = false;
            f.Overrides[Tarball + ".sigstore"] = _ => new FixtureResponse { Body = older, ContentType = "application/json" };

            var failure = Refused(Run(f, matrix, Only314), UpdateErrorIds.ChecksumMismatch);
            Assert.Equal(FailureCategory.SecurityError, failure.Category);
            Assert.StartsWith(f.PythonOrgUri + Tarball.TrimStart('/') + " has sha256 " + Sha(f, "3.14.6"), failure.Message);
            Assert.Contains("says " + Sha(f, "3.14.5"), failure.Message);
            Assert.Equal(1, f.Server.Requests.Count(q => q.Method == "GET" && q.Path == Tarball));
        }

        [Fact]
        public void TheWindowsInstallerIsHashedToo()
        {
            var (f, matrix) = ReleaseReplayTests.At3144();
            using var world = f;
            byte[] older = Get(f, "/ftp/python/3.14.5/python-3.14.5-amd64.exe.sigstore");
            f.Overrides[Installer + ".sigstore"] = _ => new FixtureResponse { Body = older, ContentType = "application/json" };

            var failure = Refused(Run(f, matrix, Only314), UpdateErrorIds.ChecksumMismatch);
            Assert.Contains("python-3.14.6-amd64.exe has sha256 " + WinSha(f, "3.14.6"), failure.Message);
        }

        [Fact]
        public void AFileReplacedUnderItsBundleAndSbomIsRefused()
        {
            using var f = World();
            f.Overrides[Tarball] = q => new FixtureResponse { Body = Encoding.ASCII.GetBytes("not the release"), ContentType = "application/x-tar" };
            var failure = Refused(Run(f, Matrix(f), Only314), UpdateErrorIds.ChecksumMismatch);
            Assert.Contains("signed sigstore bundle (and SBOM) says " + Sha(f, "3.14.6"), failure.Message);
        }

        [Fact]
        public void TheSbomAloneIsCheckedAgainstTheFile()
        {
            var (f, matrix) = ReleaseReplayTests.At3144();
            using var world = f;
            var r = f.Releases.Single(x => x.Version == "3.14.6");
            r.SourceBundle = false;
            r.SbomSourceSha256 = Sha(f, "3.14.5");
            var failure = Refused(Run(f, matrix, Only314), UpdateErrorIds.ChecksumMismatch);
            Assert.Contains("its SBOM says " + Sha(f, "3.14.5"), failure.Message);
        }

        [Fact]
        public void TheFileIsReadWithinTheSizeLimitAndItsQueryNeverShown()
        {
            using var f = World();
            f.Overrides[Tarball] = q => q.Method == "GET"
                ? new FixtureResponse { Status = 302, Headers = new System.Collections.Generic.Dictionary<string, string> { ["Location"] = Tarball + ".big?token=s3cr3t" } }
                : null;
            f.Overrides[Tarball + ".big"] = _ => new FixtureResponse { Body = new byte[16], DeclaredLength = ReleaseRules.ReleaseFileLimit + 1 };
            var failure = Refused(Run(f, Matrix(f), Only314), UpdateErrorIds.ResponseTooLarge);
            Assert.Contains(".tar.xz.big sent more than " + ReleaseRules.ReleaseFileLimit + " bytes", failure.Message);
            Assert.DoesNotContain("s3cr3t", failure.Message + failure.Target);
        }

        [Fact]
        public void AStalledDownloadTimesOut()
        {
            using var f = World();
            f.Overrides[Tarball] = q => q.Method == "GET" ? new FixtureResponse { Stall = true } : null;
            var fetch = Fast();
            fetch.Timeout = TimeSpan.FromSeconds(1);
            fetch.Retries = 0;
            Refused(Run(f, Matrix(f), Only314, fetch: fetch), UpdateErrorIds.Timeout);
        }

        [Fact]
        public void ASteadyDownloadMayTakeLongerThanOneRequestsTimeLimit()
        {
            using var f = World();
            var content = new System.Collections.Generic.Dictionary<string, byte[]> { ["Lib/data.bin"] = System.Security.Cryptography.RandomNumberGenerator.GetBytes(5 * 65536) };
            var r = f.Releases.Single(x => x.Version == "3.14.6").WithSource(ReleaseTarball.Make("Python-3.14.6", content));
            f.Overrides[Tarball] = q => q.Method == "GET" ? new FixtureResponse { Body = r.SourceContent, Chunked = true, ChunkDelay = TimeSpan.FromMilliseconds(400) } : null;
            var fetch = Fast();
            fetch.Timeout = TimeSpan.FromSeconds(1);
            fetch.Retries = 0;
            var started = DateTime.UtcNow;
            var run = Run(f, Matrix(f), Only314, fetch: fetch);
            Assert.Empty(run.Failures.Select(x => x.ErrorId + ": " + x.Message));
            Assert.True(DateTime.UtcNow - started > TimeSpan.FromSeconds(2), "the download took longer than the time limit of one request");
            Assert.Equal(r.SourceSha256, run.Result("3.14").SourceSha256);
            Assert.Contains(run.Events, e => e.Kind == UpdateEventKind.Downloading && e.Message == "3.14: checking Python-3.14.6.tar.xz (0 MiB)");

            // but a download that stops sending for longer than the limit times out
            f.Overrides[Tarball] = q => q.Method == "GET" ? new FixtureResponse { Body = r.SourceContent, Chunked = true, ChunkDelay = TimeSpan.FromSeconds(3) } : null;
            var stalled = Run(f, Matrix(f), Only314, fetch: fetch);
            Assert.Equal(UpdateErrorIds.Timeout, Assert.Single(stalled.Failures).ErrorId);
            Assert.True(stalled.Unchanged);
        }

        [Fact]
        public void OnlyFilesWhoseChecksumIsNewAreDownloadedWithProgress()
        {
            using var f = World();
            var run = Run(f, Matrix(f));
            Assert.Empty(run.Failures);
            Assert.Equal(Sha(f, "3.14.6"), run.Result("3.14").SourceSha256);
            Assert.Equal(1, f.Server.Requests.Count(q => q.Method == "GET" && q.Path == Tarball));
            Assert.Equal(1, f.Server.Requests.Count(q => q.Method == "GET" && q.Path == Installer));
            // 3.13 and 3.11 stay at the version and checksums the matrix has: nothing to download
            Assert.DoesNotContain(f.Server.Requests, q => q.Path.StartsWith("/ftp/python/3.13.14/Python-3.13.14.tar.xz", StringComparison.Ordinal) && !q.Path.EndsWith(".sigstore", StringComparison.Ordinal) && !q.Path.EndsWith(".json", StringComparison.Ordinal));
            Assert.DoesNotContain(f.Server.Requests, q => q.Path == "/ftp/python/3.11.15/Python-3.11.15.tar.xz");
            Assert.Contains(run.Events, e => e.Kind == UpdateEventKind.Downloading && e.Key == "3.14" && e.Message == "3.14: checking Python-3.14.6.tar.xz (0 of 0 MiB)");
        }
    }
}
