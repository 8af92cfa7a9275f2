using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;
using PythonImages.Security;
using Xunit;

namespace PythonImages.Engine.Tests
{
    /// <summary>The pieces behind bounded memory and redaction: the log tail, the streamed log file, the hint tracker,
    /// the bounded output capture, URL and password redaction, and the engine grammars.</summary>
    public sealed class LogAndRedactionTests : IDisposable
    {
        private readonly string dir = Path.Combine(Path.GetTempPath(), "pitest9-log-" + Guid.NewGuid().ToString("N")[..8]);

        public LogAndRedactionTests() => Directory.CreateDirectory(dir);

        public void Dispose() => Directory.Delete(dir, true);

        [Fact]
        public void TheTailKeepsTheLastLinesWithinItsBounds()
        {
            var tail = new LogTail(maxLines: 3, maxChars: 1000);
            for (int i = 1; i <= 10; i++)
            {
                tail.Add("line " + i);
            }

            Assert.Equal(new[] { "line 8", "line 9", "line 10" }, tail.ToArray());
            Assert.Equal(10, tail.TotalLines);

            var bytes = new LogTail(maxLines: 100, maxChars: 10);
            bytes.Add("aaaa");
            bytes.Add("bbbb");
            bytes.Add("cccc");
            Assert.Equal(new[] { "bbbb", "cccc" }, bytes.ToArray());

            var huge = new LogTail();
            huge.Add(new string('x', 1_000_000));
            var kept = Assert.Single(huge.ToArray());
            Assert.True(kept.Length < LogTail.MaxLineChars + 100);
            Assert.EndsWith($"({1_000_000 - LogTail.MaxLineChars} more characters on this line)", kept);
        }

        [Fact]
        public void ALogFileAppearsOnlyWhenCommittedAndAppendsWhenAsked()
        {
            string target = Path.Combine(dir, "logs", "build.log");
            using (var log = BuildLogFile.Start(target))
            {
                log.WriteLine("one");
                log.WriteLine("two");
                Assert.False(File.Exists(target));
                Assert.Single(Directory.GetFiles(Path.Combine(dir, "logs"))); // the temporary file
                log.Commit("# first", appendToTarget: false);
            }

            using (var log = BuildLogFile.Start(target))
            {
                log.WriteLine("three");
                log.Commit("# second", appendToTarget: true);
            }

            string nl = Environment.NewLine;
            Assert.Equal($"# first{nl}one{nl}two{nl}# second{nl}three{nl}", File.ReadAllText(target));

            using (var log = BuildLogFile.Start(target))
            {
                log.WriteLine("never committed");
            }

            // An abandoned log leaves the previous file and nothing else.
            Assert.Equal(new[] { target }, Directory.GetFiles(Path.Combine(dir, "logs")));
            Assert.DoesNotContain("never committed", File.ReadAllText(target));
        }

        [Fact]
        public void LinesFromSeveralThreadsAreAllWritten()
        {
            string target = Path.Combine(dir, "parallel.log");
            using (var log = BuildLogFile.Start(target))
            {
                Parallel.For(0, 8, t =>
                {
                    for (int i = 0; i < 1000; i++)
                    {
                        log.WriteLine($"t{t} {i}");
                    }
                });
                log.Commit("# h", false);
            }

            Assert.Equal(8001, File.ReadAllLines(target).Length);
        }

        [Fact]
        public void TheTrackerSaysWhatExplainSaysOverTheWholeLog()
        {
            string[] log =
            {
                "Step 5/9 : RUN wget ...",
                "ERROR 404: Not Found.",
                "gpg: BAD signature from \"Release Manager\"",
                "python.tar.xz: FAILED",
                "some other line",
            };
            var tracker = new BuildFailureHints.Tracker();
            for (int i = 0; i < log.Length; i++)
            {
                tracker.Observe(log[i]);
                Assert.Equal(BuildFailureHints.Explain(log.Take(i + 1)), tracker.Hint);
            }

            Assert.Contains("sha256 checksum", tracker.Hint);
        }

        [Fact]
        public void TheCaptureKeepsTheStartAndTheEnd()
        {
            var capture = new BoundedCapture(20);
            var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => (char)('a' + i % 26))));
            for (int i = 0; i < data.Length; i += 7)
            {
                capture.Add(data, i, Math.Min(7, data.Length - i));
            }

            string text = capture.ToString();
            Assert.StartsWith("abcdefghij\n… (80 bytes omitted) …\n", text);
            Assert.EndsWith(Encoding.ASCII.GetString(data, 90, 10), text);

            var small = new BoundedCapture(100);
            small.Add(data, 0, 30);
            Assert.Equal(Encoding.ASCII.GetString(data, 0, 30), small.ToString());

            var big = new BoundedCapture(20);
            big.Add(data, 0, 100);
            Assert.EndsWith(Encoding.ASCII.GetString(data, 90, 10), big.ToString());
        }

        [Theory]
        [InlineData("tcp://user:pw@host:2376", "tcp://***@host:2376")]
        [InlineData("fetching http://a:b@proxy:3128/x and https://c@d/e", "fetching http://***@proxy:3128/x and https://***@d/e")]
        [InlineData("mail user@example.com, no url", "mail user@example.com, no url")]
        [InlineData("http://host/path@not-userinfo", "http://host/path@not-userinfo")]
        [InlineData("tcp://***@host", "tcp://***@host")]
        [InlineData("tcp://", "tcp://")]
        [InlineData("x://a@", "x://***@")]
        public void UserInfoIsMaskedInText(string text, string expected) => Assert.Equal(expected, Redaction.UrlUserInfo(text));

        [Theory]
        [InlineData("user:pw@host:2375", "***@host:2375")]
        [InlineData("host:2375", "host:2375")]
        [InlineData("unix:///var/run/docker.sock", "unix:///var/run/docker.sock")]
        public void EndpointsAreMaskedWithOrWithoutAScheme(string text, string expected) => Assert.Equal(expected, Redaction.Endpoint(text));

        [Theory]
        [InlineData("", "")]
        [InlineData("x", "x")]
        [InlineData("*", "*")]
        [InlineData("!", "!")]
        [InlineData("!!", "!!")]
        [InlineData("!*", "!*")]
        [InlineData("$6$salt$hash", "<hash redacted>")]
        [InlineData("!$6$salt$hash", "!<hash redacted>")]
        [InlineData("*LK*hash", "*<redacted>")]
        [InlineData("plaintext", "<hash redacted>")]
        public void PasswordFieldsAreDescribedNotShown(string field, string expected) => Assert.Equal(expected, Redaction.PasswordField(field));

        [Theory]
        [InlineData("linux/amd64", true)]
        [InlineData("linux/arm/v7", true)]
        [InlineData("windows", true)]
        [InlineData("linux/amd64\n", false)]
        [InlineData("linux/amd64;id", false)]
        [InlineData("linux/arm/v7/x", false)]
        [InlineData("/amd64", false)]
        public void Platforms(string value, bool valid) => Assert.Equal(valid, EngineGrammar.Platform.IsMatch(value));

        [Theory]
        [InlineData("host", true)]
        [InlineData("my_net.1-x", true)]
        [InlineData("container:abc123", true)]
        [InlineData("-x", false)]
        [InlineData("a b", false)]
        [InlineData("host;id", false)]
        public void Networks(string value, bool valid) => Assert.Equal(valid, EngineGrammar.Network.IsMatch(value));

        [Theory]
        [InlineData("HTTP_PROXY", true)]
        [InlineData("_x1", true)]
        [InlineData("1X", false)]
        [InlineData("A=B", false)]
        [InlineData("A B", false)]
        public void BuildArgNames(string value, bool valid) => Assert.Equal(valid, EngineGrammar.BuildArgName.IsMatch(value));

        [Theory]
        [InlineData("org.opencontainers.image.revision", true)]
        [InlineData("com.example/x-y", true)]
        [InlineData("a=b", false)]
        [InlineData(".x", false)]
        [InlineData("x.", false)]
        public void LabelKeys(string value, bool valid) => Assert.Equal(valid, EngineGrammar.LabelKey.IsMatch(value));

        [Theory]
        [InlineData("http://proxy:3128", true)]
        [InlineData("Grüße, tabs\tok", true)]
        [InlineData("a\nb", false)]
        [InlineData("a\0b", false)]
        [InlineData("a\u2028b", false)]
        [InlineData("a\u001b[31m", false)]
        public void FreeTextValues(string value, bool valid) => Assert.Equal(valid, EngineGrammar.WhyNotFreeText(value) == null);

        [Fact]
        public async Task TheWatchdogFiresOnSilenceNotOnDuration()
        {
            using (var quiet = new InactivityWatchdog(TimeSpan.FromMilliseconds(300), CancellationToken.None))
            {
                await Assert.ThrowsAsync<InactivityTimeoutException>(() => quiet.RunAsync(async ct =>
                {
                    await Task.Delay(Timeout.Infinite, ct);
                    return 1;
                }));
            }

            // 3 s of work, touched every 100 ms, with a 1.5 s limit (margin for a loaded machine's late timers).
            using (var busy = new InactivityWatchdog(TimeSpan.FromMilliseconds(1500), CancellationToken.None))
            {
                int result = await busy.RunAsync(async ct =>
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    while (watch.Elapsed < TimeSpan.FromSeconds(3))
                    {
                        await Task.Delay(100, ct);
                        busy.Touch();
                    }

                    return 42;
                });
                Assert.Equal(42, result);
            }

            // An operation that ignores its cancellation is abandoned after the grace period, not waited for.
            using var deaf = new InactivityWatchdog(TimeSpan.FromMilliseconds(200), CancellationToken.None, abandonGrace: TimeSpan.FromMilliseconds(200));
            var never = new TaskCompletionSource<int>();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await Assert.ThrowsAsync<InactivityTimeoutException>(() => deaf.RunAsync(_ => never.Task));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), "waited " + watch.Elapsed);
        }
    }
}
