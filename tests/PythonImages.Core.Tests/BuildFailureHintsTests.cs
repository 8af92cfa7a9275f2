using PythonImages.Builds;
using Xunit;

namespace PythonImages.Tests
{
    public class BuildFailureHintsTests
    {
        [Fact]
        public void ChecksumFailuresOfGnuAndBusyboxSha256sumAreNamed()
        {
            var gnu = new[] { "+ sha256sum -c -", "python.tar.xz: FAILED", "sha256sum: WARNING: 1 computed checksum did NOT match", "The command '/bin/sh -c set -eux; ...' returned a non-zero code: 1" };
            Assert.StartsWith("The downloaded Python source failed its sha256 checksum", BuildFailureHints.Explain(gnu));
            var busybox = new[] { "sha256sum: WARNING: 1 of 1 computed checksums did NOT match" };
            Assert.StartsWith("The downloaded Python source failed its sha256 checksum", BuildFailureHints.Explain(busybox));
        }

        [Fact]
        public void SignatureKeyServerAndMissingFilesAreNamed()
        {
            Assert.StartsWith("The PGP signature", BuildFailureHints.Explain(new[] { "gpg: BAD signature from \"Thomas Wouters <thomas@python.org>\" [expired]" }));
            Assert.StartsWith("gpg could not fetch", BuildFailureHints.Explain(new[] { "gpg: keyserver receive failed: Connection refused" }));
            Assert.StartsWith("A download in the build answered 404", BuildFailureHints.Explain(new[] { "HTTP request sent, awaiting response... 404 Not Found", "2026-11-24 00:41:36 ERROR 404: Not Found." }));
        }

        [Fact]
        public void TheLastRecognisedFailureWinsAndOtherLogsHaveNoHint()
        {
            Assert.StartsWith("The PGP signature", BuildFailureHints.Explain(new[] { "python.tar.xz: OK", "ERROR 404: Not Found (an earlier, tolerated probe)", "gpg: BAD signature from x" }));
            Assert.Null(BuildFailureHints.Explain(new[] { "python.tar.xz: OK", "make: *** [Makefile:2] Error 2" }));
            Assert.Null(BuildFailureHints.Explain(new string[0]));
        }

        [Fact]
        public void TheEnginesRepeatOfALongRunIsShortenedToItsStartAndExitCode()
        {
            string run = "set -eux; \t\tsavedAptMark=\"$(apt-mark showmanual)\"; \tapt-get update; " + new string('x', 3000);
            string shortened = BuildFailureHints.ShortenEngineMessage($"The command '/bin/sh -c {run}' returned a non-zero code: 2")!;
            Assert.StartsWith("The command '/bin/sh -c set -eux; savedAptMark=", shortened);
            Assert.EndsWith("...' returned a non-zero code: 2", shortened);
            Assert.True(shortened.Length < 120, shortened);

            // Short commands and other messages stay as they are.
            Assert.Equal("The command '/busybox false' returned a non-zero code: 1", BuildFailureHints.ShortenEngineMessage("The command '/busybox false' returned a non-zero code: 1"));
            Assert.Equal("no such file", BuildFailureHints.ShortenEngineMessage("no such file"));
            Assert.Null(BuildFailureHints.ShortenEngineMessage(null));
        }
    }
}
