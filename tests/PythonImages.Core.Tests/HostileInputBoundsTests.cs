using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using PythonImages.Ci;
using PythonImages.Security;
using PythonImages.Updates;
using PythonImages.Updates.Sigstore;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// Inputs within the size limits that made work grow with the square of their size (or read without a bound): each is
    /// now read in one pass, or refused before it is read. Memory is asserted where the old code allocated per step.
    /// </summary>
    public sealed class HostileInputBoundsTests : IDisposable
    {
        private const string Commit = "0123456789abcdef0123456789abcdef01234567";
        private const string Sha = "143b1dddefaec3bd2e21e3b839b34a2b7fb9842272883c576420d605e9f30c63";
        private const string Header = "Maintainers: A B <a@b.c> (@ab)\nGitRepo: https://github.com/docker-library/python.git\nGitCommit: " + Commit + "\n";

        private readonly string dir = Path.Combine(Path.GetTempPath(), "s8-hostile-" + Guid.NewGuid().ToString("N"));

        public HostileInputBoundsTests() => Directory.CreateDirectory(dir);

        public void Dispose() => Directory.Delete(dir, recursive: true);

        private static long Allocated(Action action)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        [Fact]
        public void ManyManifestEntriesWithTheSameBuildInputsFoldInOnePass()
        {
            // 16,000 one-line entries (200 KB) with the header's GitCommit: bashbrew folds them into the first. Copying the
            // growing tag list once per entry allocated about a gigabyte; gathering them once stays near the text's size.
            const int n = 16000;
            var sb = new StringBuilder(Header);
            for (int i = 0; i < n; i++)
            {
                sb.Append("\nTags: t").Append(i).Append("\nSharedTags: s").Append(i % 7).Append(", common\n");
            }

            string text = sb.ToString();
            ParsedManifest? parsed = null;
            long allocated = Allocated(() => parsed = LibraryManifest.Parse(text));
            var image = Assert.Single(parsed!.Images);
            Assert.Equal(Enumerable.Range(0, n).Select(i => "t" + i), image.Tags);
            Assert.Equal(new[] { "s0", "common", "s1", "s2", "s3", "s4", "s5", "s6" }, image.SharedTags);
            Assert.True(allocated < 250_000_000, $"{allocated} bytes allocated to read {text.Length} characters");
        }

        [Fact]
        public void AParagraphOfManyFieldsFindsARepeatedFieldInOnePass()
        {
            // 60,000 per-architecture fields in one paragraph (each a new name) and then one repeated: every field was
            // compared with all the earlier ones (about 1.8 billion comparisons). The repeat is still found, at its line.
            const int n = 60000;
            var sb = new StringBuilder(Header).Append("\nTags: x\n");
            for (int i = 0; i < n; i++)
            {
                sb.Append('a').Append(i).Append("-File: f\n");
            }

            sb.Append("a7-File: g\n");
            var ex = Assert.Throws<ManifestException>(() => LibraryManifest.Parse(sb.ToString()));
            Assert.Equal(ManifestErrorIds.DuplicateField, ex.ErrorId);
            Assert.Contains("first at line " + (5 + 1 + 7), ex.Message);
        }

        [Fact]
        public void SharedTagGroupsOfManyEntriesAreBuiltLinearly()
        {
            // 8,000 entries sharing 70 tags: each (entry, tag) pair searched the list of the tag's earlier entries.
            const int n = 8000;
            string shared = string.Join(", ", Enumerable.Range(0, 70).Select(j => "s" + j));
            var sb = new StringBuilder(Header);
            for (int i = 0; i < n; i++)
            {
                sb.Append("\nTags: t").Append(i).Append("\nDirectory: d").Append(i).Append("\nSharedTags: ").Append(shared).Append(", s3\n");
            }

            var images = LibraryManifest.Parse(sb.ToString()).Images;
            var group = Assert.Single(TagMarkdown.SharedGroups(images));
            Assert.Equal(70, group.Tags.Count);
            Assert.Equal(images, group.Entries);
        }

        [Fact]
        public void ArchitectureNamesWrittenManyTimesAreKeptOnce()
        {
            // 50,000 repeats of i386 in excludeArchitectures, and 3,000 versions with their own exclusion: each version
            // read the whole list again for each base image (seconds). The list keeps each name once, in order.
            var sb = new StringBuilder("excludeArchitectures: [s390x, ");
            sb.Append(string.Join(", ", Enumerable.Repeat("i386", 50000))).Append(", mips64le, s390x]\n");
            sb.Append("architectures:\n  'buildpack-deps:trixie': [amd64, arm64v8, amd64, i386, ppc64le, arm64v8]\nversions:\n");
            for (int i = 0; i < 3000; i++)
            {
                sb.Append("  '1.").Append(i).Append("': {version: 1.").Append(i).Append(".0, checksums: {source: {sha256: ").Append(Sha)
                  .Append("}}, excludeArchitectures: [ppc64le, ppc64le], variants: [trixie]}\n");
            }

            var matrix = MatrixLoader.Parse(sb.ToString(), "m.yaml", MatrixLoader.Default.Architectures);
            Assert.Equal(new[] { "s390x", "i386", "mips64le" }, matrix.ExcludeArchitectures);
            Assert.Equal(new[] { "amd64", "arm64v8", "i386", "ppc64le" }, matrix.Architectures["buildpack-deps:trixie"]);
            Assert.Equal(new[] { "ppc64le" }, matrix.Versions[0].ExcludeArchitectures);
            var images = TagRules.Compute(matrix);
            Assert.Equal(3000, images.Count);
            Assert.All(images, i => Assert.Equal(new[] { "amd64", "arm64v8" }, i.ArchitectureList));
        }

        private static string VersionsJson(int versions) =>
            "{" + string.Join(",", Enumerable.Range(0, versions).Select(i =>
                $"\"1.{i}\":{{\"version\":\"1.{i}.0\",\"checksums\":{{\"source\":{{\"sha256\":\"{Sha}\"}}}},\"variants\":[\"trixie\"]}}")) + "}";

        [Fact]
        public void AVersionsJsonOfThousandsOfVersionsOpensAndEditsInProportionToItsSize()
        {
            // 5,000 versions (780 KB, a matrix the loader accepts): each member was checked against every earlier one
            // with a new enumerator (half a gigabyte), and each removal searched the whole object again.
            string text = VersionsJson(5000);
            Assert.True(text.Length < MatrixLoader.MaxFileBytes);
            Assert.Equal(5000, MatrixLoader.Parse(text, "versions.json", MatrixLoader.Default.Architectures).Versions.Count);
            MatrixText? doc = null;
            string? edited = null;
            long allocated = Allocated(() =>
            {
                doc = MatrixText.Open(text, "versions.json");
                edited = doc.Apply(new[] { new KeyEntry("1.4999", "1.4999.1", new[] { "trixie" }) { SourceSha256 = Sha } }, Enumerable.Range(0, 4999).Select(i => "1." + i).ToList());
            });
            Assert.True(doc!.IsJson);
            Assert.True(allocated < 100_000_000, $"{allocated} bytes allocated to open and edit {text.Length} characters");
            var left = MatrixLoader.Parse(edited!, "versions.json", MatrixLoader.Default.Architectures);
            Assert.Equal("1.4999.1", Assert.Single(left.Versions).Version.Text);
        }

        [Fact]
        public void AVersionsJsonWithARepeatedMemberIsStillNotJsonToTheEditor()
        {
            Assert.Equal(typeof(YamlMatrixText), MatrixText.Open("{\"3.14\": {}, \"3.13\": {}, \"3.14\": {}}", "versions.json").GetType());
            Assert.True(MatrixText.Open("{\"3.14\": {}, \"3.13\": {}}", "versions.json").IsJson);
        }

        [Fact]
        public void TheMatrixToUpdateIsReadWithTheLoadersLimit()
        {
            // Update-PythonMatrix read the whole file before the loader refused it: a 4 MiB file was read whole.
            string big = Path.Combine(dir, "big.yaml");
            File.WriteAllText(big, "# " + new string('x', 4 * 1024 * 1024) + "\n");
            MatrixException? ex = null;
            long allocated = Allocated(() => ex = Assert.Throws<MatrixException>(() => MatrixUpdater.ReadMatrixText(big)));
            Assert.Equal(MatrixErrorIds.TooLarge, ex!.ErrorId);
            Assert.True(allocated < 2_000_000, $"{allocated} bytes allocated to refuse a 4 MiB matrix");
            var missing = Assert.Throws<UpdateException>(() => MatrixUpdater.ReadMatrixText(Path.Combine(dir, "none.yaml")));
            Assert.Equal(UpdateErrorIds.FileNotFound, missing.ErrorId);
        }

        /// <summary>Runs on another thread and fails (instead of hanging the test run) if that takes more than 10 s.</summary>
        private static Exception Refused(Action action, string fifo)
        {
            var task = Task.Run(action);
            if (Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))).Result != task)
            {
                File.WriteAllText(fifo, string.Empty); // let the blocked read end
                Assert.Fail($"Reading {fifo} blocked for more than 10 s.");
            }

            return Assert.Single(Assert.IsType<AggregateException>(task.Exception).InnerExceptions);
        }

        [Fact]
        public void AFifoIsNeitherAMatrixToUpdateNorATrustedRoot()
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            string fifo = Path.Combine(dir, "input.fifo");
            SpecialFiles.MakeFifo(fifo);

            var matrix = Assert.IsType<MatrixException>(Refused(() => MatrixUpdater.ReadMatrixText(fifo), fifo));
            Assert.Equal(MatrixErrorIds.NotAFile, matrix.ErrorId);
            var root = Assert.IsType<UpdateException>(Refused(() => TrustedRoot.Load(fifo), fifo));
            Assert.Equal(UpdateErrorIds.TrustedRootInvalid, root.ErrorId);
            Assert.Contains("FIFO", root.Message);
        }

        [Fact]
        public void ChangedFoldersAreFoundInOnePassOverTheChangedPaths()
        {
            var folders = new[] { "3.14/trixie", "3.14/slim-trixie", "3.1/trixie", "images/3.13/alpine3.22", "3.15-rc/trixie" };
            var paths = Enumerable.Range(0, 200000).Select(i => $"docs/some/folder/file{i}.txt")
                .Concat(new[] { "3.14/slim-trixie/Dockerfile", "3.1/trixie-extra/x", "images/3.13/alpine3.22/sub/deep/file", "3.14/trixie", "3.15-rc/trixieX/y" })
                .ToList();
            var touched = ChangedImages.TouchedFolders(folders, paths);
            Assert.Equal(new[] { "3.14/slim-trixie", "images/3.13/alpine3.22" }, touched.OrderBy(f => f, StringComparer.Ordinal));
            Assert.Empty(ChangedImages.TouchedFolders(Array.Empty<string>(), paths));
        }

        [Fact]
        public void LegsWhoseIdsCollideAreNumberedWithoutRetryingEveryNumber()
        {
            // 4,096 manifest entries whose first tags differ only in '.' and '-' all make the id py_t_x_..._amd64: each
            // leg tried every number the earlier ones took (8 million strings, a gigabyte).
            const int separators = 12;
            var sb = new StringBuilder(Header);
            for (int m = 0; m < 1 << separators; m++)
            {
                sb.Append("\nTags: t");
                for (int j = 0; j < separators; j++)
                {
                    sb.Append(((m >> j) & 1) == 1 ? '.' : '-').Append('x');
                }

                sb.Append("\nDirectory: d").Append(m).Append("\nArchitectures: amd64\n");
            }

            var images = LibraryManifest.Parse(sb.ToString()).Images;
            BuildPlan? plan = null;
            long allocated = Allocated(() => plan = BuildPlanner.Plan(images, new BuildMatrixOptions()));
            string id = "py_t" + string.Concat(Enumerable.Repeat("_x", separators)) + "_amd64";
            Assert.Equal(new[] { id }.Concat(Enumerable.Range(2, (1 << separators) - 1).Select(n => id + "_" + n)), plan!.Legs.Select(l => l.Id));
            Assert.True(allocated < 100_000_000, $"{allocated} bytes allocated to plan {images.Count} legs");
        }

        private static string Letters(int i)
        {
            var c = new char[4];
            for (int j = 0; j < 4; j++, i /= 26)
            {
                c[j] = (char)('a' + (i % 26));
            }

            return new string(c);
        }

        [Fact]
        public void AVersionOfManyVariantsFindsARepeatedVariantInOnePass()
        {
            // 30,000 Windows variants (960 KB): each was searched for among the earlier ones (seconds before any other check).
            var variants = Enumerable.Range(0, 30000).Select(i => "windows/windowsservercore-" + Letters(i)).ToList();
            variants.Add(variants[12345]);
            string text = "versions:\n  '3.14':\n    version: 3.14.6\n    checksums:\n      source: {sha256: " + Sha + "}\n      windows: {sha256: " + Sha
                + "}\n    variants: [" + string.Join(", ", variants) + "]\n";
            Assert.True(text.Length < MatrixLoader.MaxFileBytes);
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.Parse(text, "m.yaml", MatrixLoader.Default.Architectures));
            Assert.Equal(MatrixErrorIds.DuplicateVariant, ex.ErrorId);
            Assert.Contains("'" + variants[12345] + "' is listed twice", ex.Message);
        }

        [Fact]
        public void ADockerfileOfManyFromLinesListsEachBaseImageOnceInOnePass()
        {
            // 20,000 FROM lines (230 KB, a build context's Dockerfile): each base image was searched for in the list.
            var sb = new StringBuilder("ARG REG=localhost:5000\n");
            for (int i = 0; i < 20000; i++)
            {
                sb.Append("FROM ${REG}/r").Append(i % 15000).Append(":1 AS s").Append(i).Append('\n');
            }

            var images = PythonImages.Builds.DockerfileBaseImages.Of(sb.ToString());
            Assert.Equal(Enumerable.Range(0, 15000).Select(i => "localhost:5000/r" + i + ":1"), images.Select(r => r.ToString()));
        }

        [Fact]
        public void TheEntriesOfAPushedReferenceAreFoundWithoutSearchingEveryTag()
        {
            // 20,000 entries of 50 tags each (a million tags), and 2,000 pushed references to find entries for.
            var ledger = new PythonImages.Ledger.BuildLedger();
            for (int i = 0; i < 20000; i++)
            {
                var entry = new PythonImages.Ledger.LedgerEntry { Image = "3.14/v" + i, Platform = "linux/amd64", ImageId = "sha256:" + (i % 100).ToString("x64", System.Globalization.CultureInfo.InvariantCulture) };
                foreach (int j in Enumerable.Range(0, 50))
                {
                    entry.Tags.Add($"r/p:t{i}-{j}");
                }

                entry.Tags.Add("r/p:t" + i + "-0"); // a tag written twice names its entry once
                ledger.Set(entry);
            }

            var sources = Enumerable.Range(0, 2000).Select(k => k % 2 == 0 ? $"r/p:t{k * 7}-{k % 50}" : "sha256:" + (k % 100).ToString("x64", System.Globalization.CultureInfo.InvariantCulture)).ToList();
            int found = 0;
            IReadOnlyDictionary<string, List<PythonImages.Ledger.LedgerEntry>>? bySource = null;
            long allocated = Allocated(() =>
            {
                bySource = ledger.EntriesOf(sources.Append("r/p:none"));
                found = sources.Sum(s => bySource[s].Count);
            });
            Assert.True(allocated < 20_000_000, $"{allocated} bytes allocated");
            Assert.False(bySource!.ContainsKey("r/p:none"));
            var all = ledger.Entries;
            foreach (string s in sources.Take(20))
            {
                Assert.Equal(all.Where(e => e.ImageId == s || e.Tags.Contains(s, StringComparer.Ordinal)), bySource[s]);
            }

            Assert.Equal(1000 + (1000 * 200), found);
        }
    }
}
