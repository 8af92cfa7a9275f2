using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PythonImages.Ledger;
using Xunit;

namespace PythonImages.Tests.Ledger
{
    public class LedgerJsonTests
    {
        private static LedgerEntry Sample(string image = "3.14/slim-trixie", string platform = "linux/amd64", char id = '1') => new LedgerEntry
        {
            Image = image,
            Platform = platform,
            DockerfileSha256 = new string('a', 64),
            ContextDigest = "sha256:" + new string('b', 64),
            BuildArgs = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["HTTP_PROXY"] = "sha256:" + new string('c', 64) },
            BaseImage = "debian:trixie-slim",
            BaseImageId = "sha256:" + new string('d', 64),
            BaseImageDigest = "sha256:" + new string('e', 64),
            ImageId = "sha256:" + new string(id, 64),
            Tags = new List<string> { "python:3.14.6-slim-trixie", "python:3.14-slim" },
            SharedTags = new List<string> { "3.14-slim", "slim" },
            Created = new DateTime(2026, 11, 30, 10, 11, 12, DateTimeKind.Utc),
            Pushed = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["localhost:5000/library/python:3.14-slim"] = "sha256:" + new string('f', 64) },
        };

        [Fact]
        public void WhatIsWrittenReadsBackTheSameAndTheSameLedgerGivesTheSameText()
        {
            var ledger = new BuildLedger();
            ledger.Set(Sample("3.14/trixie"));
            ledger.Set(Sample());
            ledger.Set(Sample(platform: "linux/arm64", id: '2'));
            string text = LedgerJson.Serialize(ledger);

            var back = LedgerJson.Parse(text, "test");
            Assert.Equal(3, back.Count);
            var entry = back.Find("3.14/slim-trixie", "linux/arm64")!;
            Assert.True(entry.SameBuild(Sample(platform: "linux/arm64", id: '2')));
            Assert.Equal(Sample().Pushed, entry.Pushed);
            Assert.Equal(Sample().Created, entry.Created);
            Assert.Equal(Sample().BaseImageDigest, entry.BaseImageDigest);
            Assert.Equal(text, LedgerJson.Serialize(back));

            // Entries ordered by image and platform, whatever the order they were set in.
            Assert.Equal(new[] { "3.14/slim-trixie (linux/amd64)", "3.14/slim-trixie (linux/arm64)", "3.14/trixie (linux/amd64)" }, back.Entries.Select(e => e.Key));
            Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        }

        [Fact]
        public void AnUnchangedBuildHasTheSameInputsAndEachInputCounts()
        {
            Assert.True(Sample().SameInputs(Sample(id: '9')));
            Assert.False(Sample().SameBuild(Sample(id: '9')));
            var changes = new List<Action<LedgerEntry>>
            {
                e => e.DockerfileSha256 = new string('0', 64),
                e => e.ContextDigest = "sha256:" + new string('0', 64),
                e => e.BuildArgs["HTTP_PROXY"] = "sha256:" + new string('0', 64),
                e => e.BuildArgs["NO_PROXY"] = "sha256:" + new string('0', 64),
                e => e.BaseImage = "debian:bookworm-slim",
                e => e.BaseImageId = null,
            };
            foreach (var change in changes)
            {
                var changed = Sample();
                change(changed);
                Assert.False(Sample().SameInputs(changed));
            }
        }

        [Fact]
        public void WritingIsAtomicAndLeavesNothingBehind()
        {
            string dir = Directory.CreateTempSubdirectory("pi-ledger-").FullName;
            try
            {
                string path = Path.Combine(dir, "ledger.json");
                var ledger = new BuildLedger();
                ledger.Set(Sample());
                LedgerJson.Write(path, ledger);
                LedgerJson.Write(path, ledger);
                Assert.Equal(new[] { ".ledger.json.lock", "ledger.json" }, Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)); // the lock file stays, empty
                Assert.Equal(0, new FileInfo(Path.Combine(dir, ".ledger.json.lock")).Length);
                Assert.Equal(1, LedgerJson.Read(path).Count);

                // CreateNew never replaces a file of other content.
                var e = Assert.Throws<LedgerException>(() => LedgerJson.Write(path, new BuildLedger(), AtomicWriteMode.CreateNew));
                Assert.Equal(LedgerErrorIds.WriteFailed, e.ErrorId);
                Assert.Equal(1, LedgerJson.Read(path).Count);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void MergingJoinsFragmentsAndTheirPushesAndRefusesTwoBuildsOfOneImage()
        {
            var a = new BuildLedger();
            a.Set(Sample());
            var b = new BuildLedger();
            var same = Sample();
            same.Pushed.Clear();
            same.Pushed["localhost:5000/library/python:3.14.6-slim-trixie"] = "sha256:" + new string('7', 64);
            b.Set(same);
            b.Set(Sample(platform: "linux/arm64", id: '2'));

            var merged = LedgerMerge.Merge(new[] { Pair("a", a), Pair("b", b) });
            Assert.Equal(2, merged.Count);
            Assert.Equal(2, merged.Find("3.14/slim-trixie", "linux/amd64")!.Pushed.Count);
            Assert.Single(a.Find("3.14/slim-trixie", "linux/amd64")!.Pushed); // the fragments are left as they were

            var other = new BuildLedger();
            other.Set(Sample(id: '3'));
            var conflict = Assert.Throws<LedgerException>(() => LedgerMerge.Merge(new[] { Pair("a", a), Pair("c", other) }));
            Assert.Equal(LedgerErrorIds.Conflict, conflict.ErrorId);
            Assert.Contains("'a' and 'c'", conflict.Message, StringComparison.Ordinal);
            Assert.Contains("3.14/slim-trixie (linux/amd64)", conflict.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AMergeThatReadingWouldRefuseIsNotWritten()
        {
            // Two fragments within the limits whose pushes of one image together pass what a ledger may hold: the merged
            // file could never be read again (Invoke-PythonImageBuild and Publish-PythonImage would refuse it).
            BuildLedger Fragment(string registry)
            {
                var entry = Sample();
                entry.Pushed.Clear();
                for (int i = 0; i < 600; i++)
                {
                    entry.Pushed[$"{registry}/library/python:t{i}"] = "sha256:" + new string('f', 64);
                }

                var ledger = new BuildLedger();
                ledger.Set(entry);
                return ledger;
            }

            string dir = Directory.CreateTempSubdirectory("pitest14-r3-ledger-").FullName;
            try
            {
                string path = Path.Combine(dir, "merged.json");
                var merged = LedgerMerge.Merge(new[] { Pair("a", Fragment("localhost:5000")), Pair("b", Fragment("localhost:5001")) });
                var ex = Assert.Throws<LedgerException>(() => LedgerJson.Write(path, merged));
                Assert.Equal(LedgerErrorIds.Invalid, ex.ErrorId);
                Assert.Contains("3.14/slim-trixie (linux/amd64)", ex.Message, StringComparison.Ordinal);
                Assert.Empty(Directory.GetFileSystemEntries(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void EveryLedgerErrorIsInTheCatalogue()
        {
            foreach (var id in typeof(LedgerErrorIds).GetFields().Select(f => (string)f.GetValue(null)!))
            {
                Assert.True(ErrorCatalogue.Contains(id), id);
            }
        }

        private static KeyValuePair<string, BuildLedger> Pair(string name, BuildLedger ledger) => new KeyValuePair<string, BuildLedger>(name, ledger);
    }
}
