using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using PythonImages.Tests.BadInput;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>Merge-PythonBuildLedger, and Publish-PythonImage -Ledger / -SharedTagsOnly against the registry on 127.0.0.1:5000.</summary>
    public sealed class LedgerCmdletTests : IClassFixture<PublishImages>, IDisposable
    {
        private readonly PublishImages images;
        private readonly string dir = Directory.CreateTempSubdirectory("pitest5-s4ledger-cmd-").FullName;

        public LedgerCmdletTests(PublishImages images) => this.images = images;

        public void Dispose() => Directory.Delete(dir, true);

        private static string Prop(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? string.Empty;

        private static string Q(string s) => JsonSerializer.Serialize(s);

        private static List<JsonElement> Entries(string path)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.GetProperty("images").EnumerateArray().Select(e => e.Clone()).ToList();
        }

        [Fact]
        public void MergeJoinsTheFragmentsWritesOnceAndHonoursWhatIfAndForce()
        {
            string a = Path.Combine(dir, "a.json");
            string b = Path.Combine(dir, "b.json");
            string merged = Path.Combine(dir, "merged.json");
            string pushedA = "{ " + Q("localhost:5000/library/python:3.14-slim") + ": " + Q("sha256:" + new string('3', 64)) + " }";
            File.WriteAllText(a, LedgerCatalogue.Ledger(LedgerCatalogue.Entry("pushed", pushedA), LedgerCatalogue.Entry(image: "3.13/slim-trixie")));
            File.WriteAllText(b, LedgerCatalogue.Ledger(LedgerCatalogue.Entry(), LedgerCatalogue.Entry("platform", Q("linux/arm64"))));
            using var s = new ModuleSession();
            var vars = new Dictionary<string, object?> { ["dir"] = dir, ["merged"] = merged };

            var whatIf = s.Run("Merge-PythonBuildLedger -Path \"$dir/[ab].json\" -Destination $merged -WhatIf", vars);
            Assert.Empty(whatIf.AllErrors);
            Assert.Contains("Write the merged ledger (3 image(s) from 2 fragment(s))", whatIf.HostText, StringComparison.Ordinal);
            Assert.False(File.Exists(merged));

            // Files (as Get-ChildItem gives them) bind by FullName.
            var r = s.Run("[IO.DirectoryInfo]::new($dir).GetFiles('?.json') | Merge-PythonBuildLedger -Destination $merged", vars);
            Assert.Empty(r.AllErrors);
            Assert.Empty(r.Output);
            var entries = Entries(merged);
            Assert.Equal(new[] { "3.13/slim-trixie (linux/amd64)", "3.14/slim-trixie (linux/amd64)", "3.14/slim-trixie (linux/arm64)" },
                entries.Select(e => e.GetProperty("image").GetString() + " (" + e.GetProperty("platform").GetString() + ")"));
            Assert.Equal("sha256:" + new string('3', 64), entries[1].GetProperty("pushed").GetProperty("localhost:5000/library/python:3.14-slim").GetString());
            Assert.Equal(new[] { "merged.json", "a.json", "b.json", ".merged.json.lock" }.OrderBy(f => f, StringComparer.Ordinal), Directory.GetFiles(dir).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal));

            File.WriteAllText(b, LedgerCatalogue.Ledger(LedgerCatalogue.Entry(image: "3.12/slim-trixie")));
            var again = s.Run("Merge-PythonBuildLedger -Path $dir/b.json -Destination $merged", vars);
            Assert.Equal("Ledger.DestinationExists", again.AllErrors.Single().FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(3, Entries(merged).Count);
            var forced = s.Run("Merge-PythonBuildLedger -Path $dir/b.json -Destination $merged -Force", vars);
            Assert.Empty(forced.AllErrors);
            Assert.Equal("3.12/slim-trixie", Entries(merged).Single().GetProperty("image").GetString());
        }

        /// <summary>A folder for ledgers, empty, last written long ago: whatever is made in it (even made and deleted again) moves its time.</summary>
        private string UntouchedFolder()
        {
            string folder = Directory.CreateDirectory(Path.Combine(dir, "ledgers")).FullName;
            Directory.SetLastWriteTimeUtc(folder, Long);
            return folder;
        }

        private static readonly DateTime Long = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        private static void AssertUntouched(string folder, PsResult r)
        {
            Assert.Empty(r.AllErrors);
            Assert.Contains("What if: ", r.HostText, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(folder));
            Assert.Equal(Long, Directory.GetLastWriteTimeUtc(folder)); // the lock probe was made and deleted there
        }

        [Fact]
        public void MergeUnderWhatIfMakesNothingInTheDestinationsFolder()
        {
            // Before anything else, the merge tried whether the ledger's lock works here with a probe file it made and
            // deleted beside the destination: -WhatIf (or $WhatIfPreference) wrote into the folder all the same.
            string a = Path.Combine(dir, "a.json");
            File.WriteAllText(a, LedgerCatalogue.Ledger(LedgerCatalogue.Entry()));
            string folder = UntouchedFolder();
            using var s = new ModuleSession();
            var vars = new Dictionary<string, object?> { ["a"] = a, ["merged"] = Path.Combine(folder, "merged.json") };

            AssertUntouched(folder, s.Run("Merge-PythonBuildLedger -Path $a -Destination $merged -WhatIf", vars));
            AssertUntouched(folder, s.Run("$WhatIfPreference = $true; Merge-PythonBuildLedger -Path $a -Destination $merged -Force", vars));

            // -WhatIf:$false overrides the preference: the merge writes (and its lock probe is no concern of -WhatIf).
            var r = s.Run("$WhatIfPreference = $true; Merge-PythonBuildLedger -Path $a -Destination $merged -WhatIf:$false", vars);
            Assert.Empty(r.AllErrors);
            Assert.True(File.Exists(Path.Combine(folder, "merged.json")));
        }

        [RegistryFact]
        public void PublishWithALedgerUnderWhatIfMakesNothingInTheLedgersFolder()
        {
            string ns = "w17ns" + Guid.NewGuid().ToString("N")[..6];
            string folder = UntouchedFolder();
            using var s = new ModuleSession();
            var vars = new Dictionary<string, object?> { ["ledger"] = Path.Combine(folder, "ledger.json"), ["registry"] = TestRegistries.Plain + "/" + ns, ["amd"] = images.Amd64 };
            var r = s.Run("Publish-PythonImage -Image $amd -Registry $registry -Ledger $ledger -WhatIf", vars);
            AssertUntouched(folder, r);
            Assert.Contains($"{TestRegistries.Plain}/{ns}/{images.Amd64}", r.HostText, StringComparison.Ordinal);
        }

        [Fact]
        public void PipedFragmentsAreTakenLiterallyNotAsWildcards()
        {
            // Get-ChildItem gives each fragment's FullName: 'leg[amd64].json' is that file, not a pattern that matches
            // 'lega.json' (or nothing). A relative -Destination is resolved against the current location.
            string amd = Path.Combine(dir, "leg[amd64].json");
            string other = Path.Combine(dir, "lega.json");
            string merged = Path.Combine(dir, "merged.json");
            File.WriteAllText(amd, LedgerCatalogue.Ledger(LedgerCatalogue.Entry()));
            File.WriteAllText(other, LedgerCatalogue.Ledger(LedgerCatalogue.Entry(image: "3.12/slim-trixie")));
            using var s = new ModuleSession();
            var vars = new Dictionary<string, object?> { ["dir"] = dir, ["merged"] = merged };

            var r = s.Run("[IO.DirectoryInfo]::new($dir).GetFiles('leg?amd64?.json') | Merge-PythonBuildLedger -Destination $merged", vars);
            Assert.Empty(r.AllErrors);
            Assert.Equal("3.14/slim-trixie", Entries(merged).Single().GetProperty("image").GetString());
        }

        [Fact]
        public void AnEmptyPipelineMergesNothingAndWritesNothing()
        {
            // Get-ChildItem that found no fragment (every leg failed to upload its own): not an empty ledger that
            // Publish-PythonImage -SharedTagsOnly would then read as "nothing was pushed".
            string merged = Path.Combine(dir, "merged.json");
            using var s = new ModuleSession();
            var r = s.Run("[IO.DirectoryInfo]::new($dir).GetFiles('*.json') | Merge-PythonBuildLedger -Destination $merged", new Dictionary<string, object?> { ["dir"] = dir, ["merged"] = merged });
            var e = Assert.Single(r.AllErrors);
            Assert.Equal("Ledger.NotFound", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.False(File.Exists(merged));
        }

        [Fact]
        public void ADestinationThatAnotherMergeWritesMeanwhileIsDestinationExistsAndKept()
        {
            // Two merges into one -Destination at once (no -Force): the one that finds the file written when it writes
            // says so as it says it for a file there from the start, and leaves the other's ledger as it is.
            string a = Path.Combine(dir, "a.json");
            string merged = Path.Combine(dir, "merged.json");
            File.WriteAllText(a, LedgerCatalogue.Ledger(LedgerCatalogue.Entry()));
            using var s = new ModuleSession();
            var vars = new Dictionary<string, object?> { ["a"] = a, ["merged"] = merged };

            var r = s.Run("& { $a; [IO.File]::WriteAllText($merged, 'the other merge') } | Merge-PythonBuildLedger -Destination $merged", vars);
            var e = Assert.Single(r.AllErrors);
            Assert.Equal("Ledger.DestinationExists", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ResourceExists, e.CategoryInfo.Category);
            Assert.Contains("-Force", e.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            Assert.Equal("the other merge", File.ReadAllText(merged).Trim());
            Assert.Equal(new[] { ".merged.json.lock", "a.json", "merged.json" }, Directory.GetFiles(dir).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal));
        }

        [RegistryFact]
        public void PublishRecordsThePushedDigestsAndSharedTagsOnlyWritesTheIndexesFromTheLedgerAlone()
        {
            string ns = "s4ledger" + Guid.NewGuid().ToString("N")[..6];
            string ledger = Path.Combine(dir, "ledger.json");
            string Entry(string platform, string id, string tag, string shared, string pushed = "{}") =>
                "{ \"image\": \"3.14/slim-trixie\", \"platform\": " + Q(platform) + ", \"dockerfileSha256\": " + Q(new string('a', 64)) + ", \"contextDigest\": " + Q("sha256:" + new string('b', 64))
                + ", \"buildArgs\": {}, \"imageId\": " + Q(id) + ", \"tags\": [" + Q(tag) + "], \"sharedTags\": [" + Q(shared) + "], \"created\": \"2026-11-30T10:00:00Z\", \"pushed\": " + pushed + " }";
            string missing = "sha256:" + new string('0', 64);
            File.WriteAllText(ledger, LedgerCatalogue.Ledger(
                Entry("linux/amd64", images.AmdId, images.Amd64, "s4shared"),
                Entry("linux/arm64", images.ArmId, images.Arm64, "s4shared"),
                Entry("linux/s390x", "sha256:" + new string('9', 64), images.Repository + ":gone", "s4broken", "{ " + Q($"{TestRegistries.Plain}/{ns}/{images.Repository}:gone") + ": " + Q(missing) + " }")));
            using var s = new ModuleSession();
            var vars = new Dictionary<string, object?> { ["ledger"] = ledger, ["registry"] = TestRegistries.Plain + "/" + ns, ["amd"] = images.Amd64, ["arm"] = images.Arm64 };

            var pushed = s.Run("Publish-PythonImage -Image $amd, $arm -Registry $registry -Ledger $ledger", vars);
            Assert.Empty(pushed.AllErrors);
            Assert.Equal(2, pushed.Output.Count);
            var recorded = Entries(ledger).ToDictionary(e => e.GetProperty("platform").GetString()!, e => e.GetProperty("pushed"));
            foreach (var result in pushed.Output)
            {
                string platform = Prop(result, "Platform");
                Assert.Equal(Prop(result, "Digest"), recorded[platform].GetProperty(Prop(result, "Reference")).GetString());
            }

            using var reader = new RegistryReader(TestRegistries.Plain);
            Assert.Equal(404, reader.Manifest($"{ns}/{images.Repository}", "s4shared").Status);

            var plan = s.Run("Publish-PythonImage -Registry $registry -Ledger $ledger -SharedTagsOnly -WhatIf", vars);
            Assert.Contains($"\"Write the multi-platform index\" on target \"{TestRegistries.Plain}/{ns}/{images.Repository}:s4shared\"", plan.HostText, StringComparison.Ordinal);
            Assert.Equal(404, reader.Manifest($"{ns}/{images.Repository}", "s4shared").Status);

            var r = s.Run("Publish-PythonImage -Registry $registry -Ledger $ledger -SharedTagsOnly", vars);
            var index = r.Output.Single(o => Prop(o, "Reference").EndsWith(":s4shared", StringComparison.Ordinal));
            Assert.Equal("Pushed", Prop(index, "Status"));
            Assert.Equal("linux/amd64, linux/arm64", Prop(index, "Platform"));
            Assert.DoesNotContain(r.Output, o => !(bool)o.Properties["IsIndex"].Value);
            var broken = r.Output.Single(o => Prop(o, "Reference").EndsWith(":s4broken", StringComparison.Ordinal));
            Assert.Equal("Failed", Prop(broken, "Status"));
            Assert.Contains(missing, Prop(broken, "Reason"), StringComparison.Ordinal);
            Assert.Equal("Publish.PushFailed", r.Errors.Single().FullyQualifiedErrorId.Split(',')[0]);
            Assert.True(r.Errors.Single().Exception.Message.Contains("3.14/slim-trixie (linux/s390x) could not be listed (the registry ", StringComparison.Ordinal), r.Errors.Single().Exception.Message); // nothing was pushed here

            var (status, _, body) = reader.Manifest($"{ns}/{images.Repository}", "s4shared");
            Assert.Equal(200, status);
            using var doc = JsonDocument.Parse(body);
            var digests = doc.RootElement.GetProperty("manifests").EnumerateArray().ToDictionary(m => m.GetProperty("platform").GetProperty("architecture").GetString()!, m => m.GetProperty("digest").GetString());
            Assert.Equal(Prop(pushed.Output.Single(o => Prop(o, "Platform") == "linux/amd64"), "Digest"), digests["amd64"]);
            Assert.Equal(Prop(pushed.Output.Single(o => Prop(o, "Platform") == "linux/arm64"), "Digest"), digests["arm64"]);
            Assert.Equal(404, reader.Manifest($"{ns}/{images.Repository}", "s4broken").Status);
        }

        [RegistryFact]
        public void SharedTagsOnlyTurnsAnImageTagThatSeveralPlatformsPushedIntoOneIndex()
        {
            // Each CI leg pushes the image's own tags for its platform, so the last leg's push wins; the final job makes
            // such a tag (here python:s4multi, carried by the amd64 and the arm64 entry) one index of both.
            string ns = "s4multi" + Guid.NewGuid().ToString("N")[..6];
            string ledger = Path.Combine(dir, "multi.json");
            using var s = new ModuleSession();
            var vars = new Dictionary<string, object?> { ["ledger"] = ledger, ["registry"] = TestRegistries.Plain + "/" + ns, ["amd"] = images.Amd64, ["arm"] = images.Arm64 };
            var pushed = s.Run("Publish-PythonImage -Image $amd, $arm -Registry $registry", vars);
            Assert.Empty(pushed.AllErrors);
            var byPlatform = pushed.Output.ToDictionary(o => Prop(o, "Platform"));
            string same = images.Repository + ":s4multi";
            string Entry(string platform, string id) =>
                "{ \"image\": \"3.14/slim-trixie\", \"platform\": " + Q(platform) + ", \"dockerfileSha256\": " + Q(new string('a', 64)) + ", \"contextDigest\": " + Q("sha256:" + new string('b', 64))
                + ", \"buildArgs\": {}, \"imageId\": " + Q(id) + ", \"tags\": [" + Q(same) + "], \"sharedTags\": [], \"created\": \"2026-11-30T10:00:00Z\", \"pushed\": { "
                + Q(Prop(byPlatform[platform], "Reference")) + ": " + Q(Prop(byPlatform[platform], "Digest")) + " } }";
            File.WriteAllText(ledger, LedgerCatalogue.Ledger(Entry("linux/amd64", images.AmdId), Entry("linux/arm64", images.ArmId)));

            // The final job needs no engine: none listens at -DockerHost here.
            vars["noEngine"] = "unix://" + Path.Combine(dir, "no-engine.sock");
            var r = s.Run("Publish-PythonImage -Registry $registry -Ledger $ledger -SharedTagsOnly -DockerHost $noEngine -Verbose", vars);
            Assert.Empty(r.AllErrors);
            Assert.DoesNotContain(r.Verbose, v => v.Message.StartsWith("Docker engine", StringComparison.Ordinal));
            var index = r.Output.Single();
            Assert.Equal($"{TestRegistries.Plain}/{ns}/{same}", Prop(index, "Reference"));
            Assert.Equal("linux/amd64, linux/arm64", Prop(index, "Platform"));

            using var reader = new RegistryReader(TestRegistries.Plain);
            var (status, _, body) = reader.Manifest($"{ns}/{images.Repository}", "s4multi");
            Assert.Equal(200, status);
            using var doc = JsonDocument.Parse(body);
            var digests = doc.RootElement.GetProperty("manifests").EnumerateArray().ToDictionary(m => m.GetProperty("platform").GetProperty("architecture").GetString()!, m => m.GetProperty("digest").GetString());
            Assert.Equal(Prop(byPlatform["linux/amd64"], "Digest"), digests["amd64"]);
            Assert.Equal(Prop(byPlatform["linux/arm64"], "Digest"), digests["arm64"]);
        }
    }
}
