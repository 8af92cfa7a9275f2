using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using PythonImages.Tests.ReleaseFixture;
using PythonImages.Updates;
using Xunit;
using static PythonImages.Tests.Updates.UpdaterHarness;

namespace PythonImages.Tests.Updates
{
    /// <summary>
    /// A consistent replay: a hostile mirror serves an older release's genuine tarball with its genuine bundle (same
    /// release manager, same series) under the new release's name. The bytes match the signed digest; the tarball's
    /// first entry (Python-X.Y.Z/) and the matrix's own checksums tell the releases apart.
    /// </summary>
    public sealed class ReleaseReplayTests
    {
        /// <summary>The standard world plus 3.14.4, with the matrix's 3.14 at 3.14.4: 3.14.5's checksums are not in the matrix.</summary>
        internal static (PythonOrgFixture F, string Matrix) At3144()
        {
            var f = World();
            f.Add("3.14.4");
            string matrix = Matrix(f).Replace("version: 3.14.5", "version: 3.14.4", StringComparison.Ordinal)
                .Replace(Sha(f, "3.14.5"), Sha(f, "3.14.4"), StringComparison.Ordinal)
                .Replace(WinSha(f, "3.14.5"), WinSha(f, "3.14.4"), StringComparison.Ordinal);
            return (f, matrix);
        }

        /// <summary>Serves 3.14.5's genuine tarball and bundle under 3.14.6's names, with no SBOM to contradict them.</summary>
        private static void ReplayTarball(PythonOrgFixture f)
        {
            byte[] tarball = Get(f, "/ftp/python/3.14.5/Python-3.14.5.tar.xz");
            byte[] bundle = Get(f, "/ftp/python/3.14.5/Python-3.14.5.tar.xz.sigstore");
            f.Releases.Single(r => r.Version == "3.14.6").SourceSbom = false;
            f.Overrides[Tarball] = q => new FixtureResponse { Body = tarball, ContentType = "application/x-tar" };
            f.Overrides[Tarball + ".sigstore"] = _ => new FixtureResponse { Body = bundle, ContentType = "application/json" };
        }

        private static UpdateException Refused(UpdateRun run, string errorId)
        {
            var failure = Assert.Single(run.Failures);
            Assert.True(failure.ErrorId == errorId, failure.ErrorId + ": " + failure.Message);
            Assert.True(run.Unchanged, "the matrix changed although the update failed");
            Assert.False(string.IsNullOrEmpty(failure.RecommendedAction));
            return failure;
        }

        [Fact]
        public void AnOlderReleasesGenuineTarballAndBundleUnderTheNewNameAreRefused()
        {
            var (f, matrix) = At3144();
            using (f)
            {
                ReplayTarball(f);
                var failure = Refused(Run(f, matrix, Only314), UpdateErrorIds.ReleaseContentMismatch);
                Assert.Equal(FailureCategory.SecurityError, failure.Category);
                Assert.Equal(f.PythonOrgUri + Tarball.TrimStart('/') + " matches its checksum, but its files are under Python-3.14.5/, while the source of 3.14.6 keeps its files under Python-3.14.6/: it is not that release's tarball (a replayed tarball of another release, or no release at all); nothing was written.", failure.Message);
                Assert.Equal(1, f.Server.Requests.Count(q => q.Method == "GET" && q.Path == Tarball));
            }
        }

        [Fact]
        public void TheGenuineTarballOfTheReleasePasses()
        {
            var (f, matrix) = At3144();
            using (f)
            {
                var run = Run(f, matrix, Only314);
                Assert.Empty(run.Failures.Select(x => x.ErrorId + ": " + x.Message));
                Assert.Equal(Sha(f, "3.14.6"), run.Result("3.14").SourceSha256);
                Assert.Contains("version: 3.14.6", run.After, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void AReplayOfAVersionTheMatrixStillHoldsIsRefusedBeforeAnyDownload()
        {
            using var f = World();
            ReplayTarball(f); // the matrix's 3.14 is 3.14.5: its checksum is known
            var failure = Refused(Run(f, Matrix(f), Only314), UpdateErrorIds.ChecksumOfOtherVersion);
            Assert.Equal(FailureCategory.SecurityError, failure.Category);
            Assert.Equal($"The checksum python.org publishes for Python-3.14.6.tar.xz ({Sha(f, "3.14.5")}) is the one the matrix has for 3.14.5 (3.14): the file of another release is served under this name (a replayed release); nothing was written.", failure.Message);
            Assert.DoesNotContain(f.Server.Requests, q => q.Path == Tarball);
        }

        [Fact]
        public void AReplayedInstallerOfAVersionOfAnotherKeyIsRefused()
        {
            using var f = World();
            // 3.13.14's genuine installer bundle as 3.14.6's (a release manager named for both series signs it here)
            var r = f.Releases.Single(x => x.Version == "3.13.14");
            r.SignerEmail = "hugo@python.org";
            r.SignerIssuer = "https://github.com/login/oauth";
            byte[] bundle = Get(f, "/ftp/python/3.13.14/python-3.13.14-amd64.exe.sigstore");
            f.Overrides[Installer + ".sigstore"] = _ => new FixtureResponse { Body = bundle, ContentType = "application/json" };
            var failure = Refused(Run(f, Matrix(f), Only314), UpdateErrorIds.ChecksumOfOtherVersion);
            Assert.Contains("for python-3.14.6-amd64.exe (" + WinSha(f, "3.13.14") + ") is the one the matrix has for 3.13.14 (3.13)", failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(f.Server.Requests, q => q.Path == Installer);
        }

        [Fact]
        public void ASignedFileThatIsNoTarballIsRefused()
        {
            var (f, matrix) = At3144();
            using (f)
            {
                f.Releases.Single(x => x.Version == "3.14.6").WithSource(Encoding.ASCII.GetBytes("Python-3.14.6/ but no xz"));
                var failure = Refused(Run(f, matrix, Only314), UpdateErrorIds.ReleaseContentMismatch);
                Assert.Contains(" matches its checksum, but it is not an xz-compressed file (", failure.Message, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void ATarballOfAnotherFolderOrAnXzOfNoTarIsRefused()
        {
            var (f, matrix) = At3144();
            using (f)
            {
                var r = f.Releases.Single(x => x.Version == "3.14.6");
                // the right name as a prefix is not the folder: Python-3.14.60/
                r.WithSource(ReleaseTarball.Make("Python-3.14.60", new Dictionary<string, byte[]> { ["README.rst"] = new byte[] { 1 } }));
                Assert.Contains("its files are under Python-3.14.60/,", Refused(Run(f, matrix, Only314), UpdateErrorIds.ReleaseContentMismatch).Message, StringComparison.Ordinal);

                // an xz stream whose content is not a tar archive
                string dir = Path.Combine(Path.GetTempPath(), "pi-xz-" + Guid.NewGuid().ToString("N")[..8]);
                Directory.CreateDirectory(dir);
                try
                {
                    string plain = Path.Combine(dir, "Python-3.14.6");
                    File.WriteAllText(plain, string.Concat(Enumerable.Repeat("Python-3.14.6/README.rst\n", 100)));
                    using (var xz = System.Diagnostics.Process.Start("xz", new[] { "-z", plain })!)
                    {
                        xz.WaitForExit();
                        Assert.Equal(0, xz.ExitCode);
                    }

                    r.WithSource(File.ReadAllBytes(plain + ".xz"));
                }
                finally
                {
                    Directory.Delete(dir, true);
                }

                Assert.Contains("but it is not a tar archive,", Refused(Run(f, matrix, Only314), UpdateErrorIds.ReleaseContentMismatch).Message, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void ABigIncompressibleTarballIsCheckedFromItsStartOnly()
        {
            var (f, matrix) = At3144();
            using (f)
            {
                // 3 MiB of random bytes: the xz is as large, far more than the bytes kept from its start
                var files = new Dictionary<string, byte[]> { ["Lib/random.bin"] = RandomNumberGenerator.GetBytes(3 << 20) };
                var r = f.Releases.Single(x => x.Version == "3.14.6").WithSource(ReleaseTarball.Make("Python-3.14.6", files, only: "Lib/random.bin"));
                Assert.True(r.SourceContent.Length > 3 << 20);
                var run = Run(f, matrix, Only314);
                Assert.Empty(run.Failures.Select(x => x.ErrorId + ": " + x.Message));
                Assert.Equal(r.SourceSha256, run.Result("3.14").SourceSha256);

                // the same bytes in an older release's folder: refused
                r.WithSource(ReleaseTarball.Make("Python-3.14.5", files, only: "Lib/random.bin"));
                Assert.Contains("its files are under Python-3.14.5/,", Refused(Run(f, matrix, Only314), UpdateErrorIds.ReleaseContentMismatch).Message, StringComparison.Ordinal);
            }
        }

        [Theory]
        [InlineData("gnu")]
        [InlineData("pax")]
        public void AFirstEntryWithALongNameIsReadWhole(string format)
        {
            // a first path of more than 100 bytes: a GNU long-name entry or a pax extended header holds it
            string deep = string.Join("/", Enumerable.Repeat("directory-with-a-long-name", 6)) + "/file.txt";
            var files = new Dictionary<string, byte[]> { [deep] = Encoding.ASCII.GetBytes("x") };
            var (f, matrix) = At3144();
            using (f)
            {
                var r = f.Releases.Single(x => x.Version == "3.14.6").WithSource(ReleaseTarball.Make("Python-3.14.6", files, format, only: deep));
                var run = Run(f, matrix, Only314);
                Assert.Empty(run.Failures.Select(x => x.ErrorId + ": " + x.Message));

                r.WithSource(ReleaseTarball.Make("Python-3.14.5", files, format, only: deep));
                Assert.Contains("its files are under Python-3.14.5/,", Refused(Run(f, matrix, Only314), UpdateErrorIds.ReleaseContentMismatch).Message, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void AReleaseFileSentCompressedIsRefusedAndNoCompressionIsAskedFor()
        {
            var (f, matrix) = At3144();
            using (f)
            {
                // the genuine tarball, gzip-encoded on the wire: decoded transparently, it would hash to the signed digest
                byte[] genuine = f.Releases.Single(x => x.Version == "3.14.6").SourceContent;
                var gz = new MemoryStream();
                using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
                {
                    zip.Write(genuine);
                }

                f.Overrides[Tarball] = q => q.Method == "GET"
                    ? new FixtureResponse { Body = gz.ToArray(), ContentType = "application/x-tar", Headers = new Dictionary<string, string> { ["Content-Encoding"] = "gzip" } }
                    : null;
                var failure = Refused(Run(f, matrix, Only314), UpdateErrorIds.EncodedReleaseFile);
                Assert.Equal(FailureCategory.InvalidData, failure.Category);
                Assert.Equal("3.14: " + f.PythonOrgUri + Tarball.TrimStart('/') + " was sent with Content-Encoding 'gzip', although none was asked for: a release file is checked as the bytes python.org serves, so it was not used.", failure.Message);
                var get = Assert.Single(f.Server.Requests, q => q.Method == "GET" && q.Path == Tarball); // no retry either
                Assert.False(get.Headers.ContainsKey("Accept-Encoding"), "the release file was asked for compressed");

                // 'identity' is the bytes as stored
                f.Overrides[Tarball] = q => q.Method == "GET"
                    ? new FixtureResponse { Body = genuine, ContentType = "application/x-tar", Headers = new Dictionary<string, string> { ["Content-Encoding"] = "identity" } }
                    : null;
                Assert.Empty(Run(f, matrix, Only314).Failures.Select(x => x.ErrorId + ": " + x.Message));
            }
        }
    }
}
