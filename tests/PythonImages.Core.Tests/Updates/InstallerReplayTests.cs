using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using PythonImages.Tests.ReleaseFixture;
using PythonImages.Updates;
using Xunit;
using static PythonImages.Tests.Updates.UpdaterHarness;

namespace PythonImages.Tests.Updates
{
    /// <summary>
    /// The replay of <see cref="ReleaseReplayTests"/> for the Windows installer: an older release's genuine installer with
    /// its genuine bundle served under the new release's name matches the signed digest; the file version in the
    /// installer's VERSIONINFO (MAJOR.MINOR.MICRO×1000+LEVEL×10+SERIAL) tells the releases apart.
    /// </summary>
    public sealed class InstallerReplayTests
    {
        /// <summary>Serves <paramref name="from"/>'s genuine installer and bundle under <paramref name="to"/>'s names.</summary>
        private static void ReplayInstaller(PythonOrgFixture f, string from, string to)
        {
            var old = f.Releases.Single(r => r.Version == from);
            byte[] installer = Get(f, $"/ftp/python/{old.Directory}/{old.WindowsFile}");
            byte[] bundle = Get(f, $"/ftp/python/{old.Directory}/{old.WindowsFile}.sigstore");
            var target = f.Releases.Single(r => r.Version == to);
            string path = $"/ftp/python/{target.Directory}/{target.WindowsFile}";
            f.Overrides[path] = _ => new FixtureResponse { Body = installer };
            f.Overrides[path + ".sigstore"] = _ => new FixtureResponse { Body = bundle, ContentType = "application/json" };
        }

        private static UpdateException Refused(UpdateRun run)
        {
            var failure = Assert.Single(run.Failures);
            Assert.True(failure.ErrorId == UpdateErrorIds.ReleaseContentMismatch, failure.ErrorId + ": " + failure.Message);
            Assert.Equal(FailureCategory.SecurityError, failure.Category);
            Assert.True(run.Unchanged, "the matrix changed although the update failed");
            Assert.False(string.IsNullOrEmpty(failure.RecommendedAction));
            return failure;
        }

        private static string Why(PythonOrgFixture f, string path, string why, string version, string expected) =>
            $"{f.PythonOrgUri}{path.TrimStart('/')} matches its checksum, but {why}, while the installer of {version} carries the file version {expected} in its VERSIONINFO resource: it is not that release's installer (a replayed installer of another release, or no release at all); nothing was written.";

        [Fact]
        public void AnOlderReleasesGenuineInstallerAndBundleUnderTheNewNameAreRefused()
        {
            var (f, matrix) = ReleaseReplayTests.At3144();
            using (f)
            {
                ReplayInstaller(f, "3.14.5", "3.14.6");
                var failure = Refused(Run(f, matrix, Only314));
                Assert.Equal(Why(f, Installer, "its version resource says 3.14.5150.0, the file version of the installer of 3.14.5", "3.14.6", "3.14.6150.*"), failure.Message);
                Assert.Equal(1, f.Server.Requests.Count(q => q.Method == "GET" && q.Path == Installer));
            }
        }

        [Fact]
        public void TheGenuineInstallerOfTheReleasePasses()
        {
            var (f, matrix) = ReleaseReplayTests.At3144();
            using (f)
            {
                var run = Run(f, matrix, Only314);
                Assert.Empty(run.Failures.Select(x => x.ErrorId + ": " + x.Message));
                Assert.Equal(WinSha(f, "3.14.6"), run.Result("3.14").WindowsSha256);
                Assert.Contains("windows: {sha256: " + WinSha(f, "3.14.6") + "}", run.After, StringComparison.Ordinal);
                Assert.Equal(1, f.Server.Requests.Count(q => q.Method == "GET" && q.Path == Installer));
            }
        }

        [Fact]
        public void APreReleasesInstallerIsToldFromTheNextOne()
        {
            using var f = World();
            f.Add("3.15.0a7");
            string matrix = Matrix(f).Replace("version: 3.15.0b2", "version: 3.15.0a7", StringComparison.Ordinal)
                .Replace(Sha(f, "3.15.0b2"), Sha(f, "3.15.0a7"), StringComparison.Ordinal)
                .Replace(WinSha(f, "3.15.0b2"), WinSha(f, "3.15.0a7"), StringComparison.Ordinal);
            var only = new UpdateRequest { VersionKeys = new[] { "3.15-rc" } };
            ReplayInstaller(f, "3.15.0b2", "3.15.0b3");
            var failure = Refused(Run(f, matrix, only));
            Assert.Equal(Why(f, "/ftp/python/3.15.0/python-3.15.0b3-amd64.exe", "its version resource says 3.15.112.0, the file version of the installer of 3.15.0b2", "3.15.0b3", "3.15.113.*"), failure.Message);

            f.Overrides.Clear();
            var run = Run(f, matrix, only);
            Assert.Empty(run.Failures.Select(x => x.ErrorId + ": " + x.Message));
            Assert.Equal(WinSha(f, "3.15.0b3"), run.Result("3.15-rc").WindowsSha256);
        }

        [Fact]
        public void ASignedInstallerThatIsNoExecutableOrHasNoVersionIsRefused()
        {
            var (f, matrix) = ReleaseReplayTests.At3144();
            using (f)
            {
                var r = f.Releases.Single(x => x.Version == "3.14.6").WithWindows(Encoding.ASCII.GetBytes("python-3.14.6-amd64.exe"));
                Assert.Equal(
                    Why(f, Installer, "it is not a Windows executable (it does not start with an MZ header)", "3.14.6", "3.14.6150.*"),
                    Refused(Run(f, matrix, Only314)).Message);

                r.WithWindows(InstallerImage.Make(null, trailer: new byte[1000]));
                Assert.Contains(" matches its checksum, but it has no version resource, while the installer of 3.14.6 ", Refused(Run(f, matrix, Only314)).Message, StringComparison.Ordinal);

                // the right version in a resource section the file does not hold whole
                byte[] cut = InstallerImage.Of("3.14.6");
                r.WithWindows(cut[..(cut.Length - 300)]);
                Assert.Contains(" matches its checksum, but the file ends inside its resource section, ", Refused(Run(f, matrix, Only314)).Message, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void ABigInstallerIsReadAsItStreams()
        {
            var (f, matrix) = ReleaseReplayTests.At3144();
            using (f)
            {
                // the resources 1 MiB in, 4 MiB of packages after the image: far past what is kept from the start
                var r = f.Releases.Single(x => x.Version == "3.14.6")
                    .WithWindows(InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6"), textBytes: 1 << 20, trailer: RandomNumberGenerator.GetBytes(4 << 20)));
                var run = Run(f, matrix, Only314);
                Assert.Empty(run.Failures.Select(x => x.ErrorId + ": " + x.Message));
                Assert.Equal(r.WindowsSha256, run.Result("3.14").WindowsSha256);

                // the same image with 3.14.5's version: refused
                r.WithWindows(InstallerImage.Make(InstallerImage.FileVersionOf("3.14.5"), textBytes: 1 << 20, trailer: RandomNumberGenerator.GetBytes(4 << 20)));
                Assert.Contains("its version resource says 3.14.5150.0, the file version of the installer of 3.14.5,", Refused(Run(f, matrix, Only314)).Message, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void ARetriedDownloadIsReadFromItsOwnBytesOnly()
        {
            var (f, matrix) = ReleaseReplayTests.At3144();
            using (f)
            {
                // the first answer is 3.14.5's installer, cut short of its announced length; the retry is the genuine one
                byte[] older = InstallerImage.Of("3.14.5");
                int seen = 0;
                f.Overrides[Installer] = q => q.Method == "GET" && System.Threading.Interlocked.Increment(ref seen) == 1
                    ? new FixtureResponse { Body = older, DeclaredLength = older.Length + 1000 }
                    : null;
                var run = Run(f, matrix, Only314);
                Assert.Empty(run.Failures.Select(x => x.ErrorId + ": " + x.Message));
                Assert.Equal(WinSha(f, "3.14.6"), run.Result("3.14").WindowsSha256);
                Assert.Equal(2, f.Server.Requests.Count(q => q.Method == "GET" && q.Path == Installer));
            }
        }
    }
}
