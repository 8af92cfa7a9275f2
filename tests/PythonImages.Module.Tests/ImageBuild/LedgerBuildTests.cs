using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.ImageBuild
{
    /// <summary>
    /// Invoke-PythonImageBuild -Ledger against the real engine with FROM-scratch images under a unique repository: skip
    /// what is unchanged, rebuild what changed (Dockerfile, context, base image), retag when only the tags changed, and
    /// show the same plan under -WhatIf.
    /// </summary>
    public sealed class LedgerBuildTests : IDisposable
    {
        private const string Images = @"
$script:imgs = @(Get-PythonTag -OS Linux)
function Img([int]$i, [string]$ctx) { $c = $imgs[$i].Clone(); $c.ContextPath = $ctx; $c.DockerfilePath = [IO.Path]::Combine($ctx, 'Dockerfile'); $c }
";

        private readonly Contexts contexts = new Contexts("s4ledger");
        private readonly ModuleSession session = new ModuleSession();
        private readonly string dir = System.IO.Directory.CreateTempSubdirectory("pitest5-s4ledger-").FullName;

        private string LedgerPath => Path.Combine(dir, "ledger.json");

        public void Dispose()
        {
            session.Dispose();
            contexts.Dispose();
            System.IO.Directory.Delete(dir, true);
        }

        private PsResult Build(string pipeline, Dictionary<string, object?> vars, string extra = "")
        {
            vars["repo"] = contexts.Repository;
            vars["ledger"] = LedgerPath;
            return session.Run(Images + pipeline + " | Invoke-PythonImageBuild -Repository $repo -Ledger $ledger" + extra, vars);
        }

        private static List<(string Status, string Reason, string ImageId, string[] Tags)> Results(PsResult r)
        {
            Assert.False(r.AllErrors.Any(), string.Join(" | ", r.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
            return r.Output.Select(o => (
                o.Properties["Status"].Value.ToString()!,
                (string)o.Properties["Reason"].Value,
                (string)o.Properties["ImageId"].Value,
                (string[])o.Properties["Tags"].Value)).ToList();
        }

        /// <summary>The ledger file's entries by image key, read with a JSON parser of its own.</summary>
        private Dictionary<string, JsonElement> Ledger()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(LedgerPath));
            Assert.Equal("pythonimages/build-ledger", doc.RootElement.GetProperty("schema").GetString());
            return doc.RootElement.GetProperty("images").EnumerateArray().ToDictionary(e => e.GetProperty("image").GetString()!, e => e.Clone());
        }

        private string DirectoryOf(int i) => session.Run($"@(Get-PythonTag -OS Linux)[{i}].Directory").Output.Single().ToString();

        private string FirstReference(int i) => contexts.Repository + ":" + session.Run($"@(Get-PythonTag -OS Linux)[{i}].Tags[0]").Output.Single();

        private static string Sha256(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

        [RegistryFact]
        public void BuildAndPublishInOnePipelineWithOneLedgerKeepEveryBuildAndEveryPush()
        {
            // The documented pipeline with -Ledger on both: Publish-PythonImage read the ledger before anything was built
            // and Invoke-PythonImageBuild wrote its own copy after each build, so each overwrote what the other recorded.
            var vars = new Dictionary<string, object?>
            {
                ["c0"] = contexts.Small("zero"),
                ["c1"] = contexts.Small("one"),
                ["c2"] = contexts.Small("two"),
                ["registry"] = TestRegistries.Plain + "/r3ledger" + Guid.NewGuid().ToString("N")[..6],
            };
            var r = Build("@((Img 0 $c0), (Img 1 $c1), (Img 2 $c2))", vars, " | Publish-PythonImage -Registry $registry -Ledger $ledger");
            Assert.False(r.AllErrors.Any(), string.Join(" | ", r.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
            var ledger = Ledger();
            Assert.Equal(new[] { DirectoryOf(0), DirectoryOf(1), DirectoryOf(2) }.OrderBy(d => d, StringComparer.Ordinal), ledger.Keys.OrderBy(d => d, StringComparer.Ordinal));
            Assert.All(ledger.Values, e => Assert.NotEmpty(e.GetProperty("pushed").EnumerateObject()));
        }

        [DockerFact]
        public void ASecondRunSkipsEverythingAndTouchingOneDockerfileRebuildsOnlyThatImage()
        {
            var vars = new Dictionary<string, object?> { ["c0"] = contexts.Small("zero"), ["c1"] = contexts.Small("one"), ["c2"] = contexts.Small("two") };
            const string Three = "@((Img 0 $c0), (Img 1 $c1), (Img 2 $c2))";

            // Without a ledger file: the plan builds everything, and -WhatIf writes no ledger.
            var plan = Build(Three, vars, " -WhatIf");
            Assert.Empty(plan.AllErrors);
            Assert.Empty(plan.Output);
            Assert.Equal(3, CountOf(plan.HostText, "What if: Performing the operation \"Build image (it is not in the ledger yet)\""));
            Assert.False(File.Exists(LedgerPath));

            var first = Results(Build(Three, vars));
            Assert.All(first, r => Assert.Equal("Built", r.Status));
            Assert.All(first, r => Assert.Equal("it is not in the ledger yet", r.Reason));
            var ledger = Ledger();
            Assert.Equal(3, ledger.Count);
            Assert.Equal(first[1].ImageId, ledger[DirectoryOf(1)].GetProperty("imageId").GetString());
            Assert.Equal(Sha256(Path.Combine((string)vars["c1"]!, "Dockerfile")), ledger[DirectoryOf(1)].GetProperty("dockerfileSha256").GetString());
            Assert.Equal(first[1].Tags, ledger[DirectoryOf(1)].GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

            var second = Results(Build(Three, vars));
            Assert.All(second, r => Assert.Equal("Skipped", r.Status));
            Assert.All(second, r => Assert.StartsWith("unchanged since ", r.Reason, StringComparison.Ordinal));
            Assert.Equal(first.Select(r => r.ImageId), second.Select(r => r.ImageId));
            Assert.Equal(first.Select(r => r.Tags), second.Select(r => r.Tags));

            File.AppendAllText(Path.Combine((string)vars["c1"]!, "Dockerfile"), "LABEL touched=yes\n");
            byte[] before = File.ReadAllBytes(LedgerPath);
            plan = Build(Three, vars, " -WhatIf");
            Assert.Empty(plan.AllErrors);
            Assert.Equal(2, CountOf(plan.HostText, "\"Skip image (unchanged since "));
            Assert.Contains($"\"Build image (its Dockerfile changed)\" on target \"{FirstReference(1)}", plan.HostText, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllBytes(LedgerPath));

            var third = Results(Build(Three, vars));
            Assert.Equal(new[] { "Skipped", "Built", "Skipped" }, third.Select(r => r.Status));
            Assert.Equal("its Dockerfile changed", third[1].Reason);
            Assert.NotEqual(first[1].ImageId, third[1].ImageId);
            Assert.Equal(third[1].ImageId, Ledger()[DirectoryOf(1)].GetProperty("imageId").GetString());
            Assert.Equal(Sha256(Path.Combine((string)vars["c1"]!, "Dockerfile")), Ledger()[DirectoryOf(1)].GetProperty("dockerfileSha256").GetString());

            // A change in the context (not the Dockerfile) rebuilds too.
            File.WriteAllText(Path.Combine((string)vars["c2"]!, "marker.txt"), "two, changed");
            var fourth = Results(Build(Three, vars));
            Assert.Equal(new[] { "Skipped", "Skipped", "Built" }, fourth.Select(r => r.Status));
            Assert.Equal("its build context changed", fourth[2].Reason);
            Assert.Empty(System.IO.Directory.GetFiles(dir, "*.tmp"));
        }

        [DockerFact]
        public void OnlyChangedTagsAreRetaggedAndAnImageThatIsGoneIsRebuilt()
        {
            var vars = new Dictionary<string, object?> { ["c0"] = contexts.Small("retag") };
            var first = Results(Build("Img 0 $c0", vars)).Single();
            Assert.Equal("Built", first.Status);

            var retag = Build("Img 0 $c0", vars, " -Tag extra -WhatIf");
            Assert.Contains($"\"Retag image {first.ImageId} (its inputs are unchanged, only its tags changed)\"", retag.HostText, StringComparison.Ordinal);
            Assert.False(DockerCli.ImageExists(contexts.Repository + ":extra"));

            var second = Results(Build("Img 0 $c0", vars, " -Tag extra")).Single();
            Assert.Equal("Retagged", second.Status);
            Assert.Equal(first.ImageId, second.ImageId);
            Assert.Contains(contexts.Repository + ":extra", second.Tags);
            Assert.Equal(first.ImageId, DockerCli.Run("image", "inspect", "--format", "{{.Id}}", contexts.Repository + ":extra").Output.Trim());
            Assert.Contains(contexts.Repository + ":extra", Ledger()[DirectoryOf(0)].GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

            // A tag removed on the engine: its inputs are unchanged, so it is tagged again.
            DockerCli.Run("rmi", contexts.Repository + ":extra");
            var third = Results(Build("Img 0 $c0", vars, " -Tag extra")).Single();
            Assert.Equal("Retagged", third.Status);
            Assert.Contains(contexts.Repository + ":extra no longer point", third.Reason, StringComparison.Ordinal);
            Assert.True(DockerCli.ImageExists(contexts.Repository + ":extra"));

            // The image removed: built again.
            DockerCli.Run("rmi", "-f", first.ImageId);
            var fourth = Results(Build("Img 0 $c0", vars, " -Tag extra")).Single();
            Assert.Equal("Built", fourth.Status);
            Assert.Equal($"its image {first.ImageId.Substring(7, 12)} is no longer on the engine", fourth.Reason);
        }

        [DockerFact]
        public void AChangedBaseImageRebuildsItsDependentsAndOnlyThem()
        {
            string baseRef = contexts.Repository + ":base";
            Assert.Equal(0, DockerCli.Run("build", "-q", "-t", baseRef, contexts.Small("base one")).Code);
            string firstBase = DockerCli.Run("image", "inspect", "--format", "{{.Id}}", baseRef).Output.Trim();
            string Dependent(string marker) => contexts.Create($"FROM {baseRef}\nCOPY marker.txt /dependent.txt\n", files: new Dictionary<string, string> { ["marker.txt"] = marker });
            var vars = new Dictionary<string, object?> { ["d0"] = Dependent("d0"), ["d1"] = Dependent("d1"), ["i2"] = contexts.Small("independent") };
            const string Three = "@((Img 0 $d0), (Img 1 $d1), (Img 2 $i2))";

            Assert.All(Results(Build(Three, vars)), r => Assert.Equal("Built", r.Status));
            Assert.Equal(baseRef, Ledger()[DirectoryOf(0)].GetProperty("baseImage").GetString());
            Assert.Equal(firstBase, Ledger()[DirectoryOf(0)].GetProperty("baseImageId").GetString());
            Assert.Equal(JsonValueKind.Null, Ledger()[DirectoryOf(2)].GetProperty("baseImage").ValueKind);
            Assert.All(Results(Build(Three, vars)), r => Assert.Equal("Skipped", r.Status));

            // A new base image under the same name (as docker pull brings one).
            Assert.Equal(0, DockerCli.Run("build", "-q", "-t", baseRef, contexts.Small("base two")).Code);
            string secondBase = DockerCli.Run("image", "inspect", "--format", "{{.Id}}", baseRef).Output.Trim();
            Assert.NotEqual(firstBase, secondBase);
            string reason = $"its base image {baseRef} changed ({firstBase.Substring(7, 12)} then, {secondBase.Substring(7, 12)} now)";

            var plan = Build(Three, vars, " -WhatIf");
            Assert.Equal(2, CountOf(plan.HostText, $"\"Build image ({reason})\""));
            Assert.Equal(1, CountOf(plan.HostText, "\"Skip image (unchanged since "));

            var third = Results(Build(Three, vars));
            Assert.Equal(new[] { "Built", "Built", "Skipped" }, third.Select(r => r.Status));
            Assert.Equal(reason, third[0].Reason);
            Assert.Equal(secondBase, Ledger()[DirectoryOf(1)].GetProperty("baseImageId").GetString());
            Assert.All(Results(Build(Three, vars)), r => Assert.Equal("Skipped", r.Status));
        }

        [DockerFact]
        public void ABaseImageRebuiltInTheSameRunRebuildsItsDependents()
        {
            string baseCtx = contexts.Small("base in the run");
            var vars = new Dictionary<string, object?> { ["b3"] = baseCtx };
            vars["d0"] = contexts.Create($"FROM {FirstReference(3)}\nCOPY marker.txt /dependent.txt\n", files: new Dictionary<string, string> { ["marker.txt"] = "d0" });
            const string Two = "@((Img 3 $b3), (Img 0 $d0))";
            Assert.All(Results(Build(Two, vars)), r => Assert.Equal("Built", r.Status));

            File.WriteAllText(Path.Combine(baseCtx, "marker.txt"), "base changed");
            var plan = Build(Two, vars, " -WhatIf");
            Assert.Contains("\"Build image (its build context changed)\"", plan.HostText, StringComparison.Ordinal);
            Assert.Contains($"\"Build image (its base image {FirstReference(3)} is rebuilt in this run)\"", plan.HostText, StringComparison.Ordinal);

            var second = Results(Build(Two, vars));
            Assert.Equal(new[] { "Built", "Built" }, second.Select(r => r.Status));
            Assert.Equal(second[0].ImageId, Ledger()[DirectoryOf(0)].GetProperty("baseImageId").GetString());
        }

        [DockerFact]
        public void AFailedBuildRecordsNothing()
        {
            var vars = new Dictionary<string, object?> { ["c0"] = contexts.Small("good"), ["c1"] = contexts.Failing() };
            var r = Build("@((Img 0 $c0), (Img 1 $c1))", vars);
            Assert.Equal("ImageBuild.StepFailed", r.Errors.Single().FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(new[] { "Built", "Failed" }, r.Output.Select(o => o.Properties["Status"].Value.ToString()));
            Assert.Equal(new[] { DirectoryOf(0) }, Ledger().Keys);
            Assert.Equal(new[] { ".ledger.json.lock", "ledger.json" }, System.IO.Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }

        [DockerFact]
        public void ABuildArgumentIsRecordedAsASaltedSlowFingerprintAndAnOldPlainHashRebuildsOnce()
        {
            // A ledger is a CI artifact: with sha256(value) in it, a weak -BuildArg value was guessed offline at the
            // speed of sha256. Now: PBKDF2-HMAC-SHA256, 100,000 rounds, salted with the name, image and platform.
            var vars = new Dictionary<string, object?> { ["c0"] = contexts.Small("args") };
            const string Args = " -BuildArg @{ TOKEN = 'hunter2'; MODE = 'fast' }";
            var first = Results(Build("Img 0 $c0", vars, Args)).Single();
            Assert.Equal("Built", first.Status);
            string text = File.ReadAllText(LedgerPath);
            string plain = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("hunter2")));
            Assert.DoesNotContain(plain[7..], text, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);

            var entry = Ledger()[DirectoryOf(0)];
            string platform = entry.GetProperty("platform").GetString()!;
            byte[] salt = System.Text.Encoding.UTF8.GetBytes("pythonimages/build-ledger/build-arg\nTOKEN\n" + DirectoryOf(0) + "\n" + platform);
            string expected = "pbkdf2-sha256:" + Convert.ToHexStringLower(Rfc2898DeriveBytes.Pbkdf2(System.Text.Encoding.UTF8.GetBytes("hunter2"), salt, 100000, HashAlgorithmName.SHA256, 32));
            Assert.Equal(expected, entry.GetProperty("buildArgs").GetProperty("TOKEN").GetString());
            Assert.StartsWith("pbkdf2-sha256:", entry.GetProperty("buildArgs").GetProperty("MODE").GetString(), StringComparison.Ordinal);

            // The same value again: the same fingerprint, nothing to build. Another value: built.
            Assert.Equal("Skipped", Results(Build("Img 0 $c0", vars, Args)).Single().Status);

            // A ledger of an earlier version (the plain sha256 of each value) is read, and counts as other inputs: the
            // image is built once more, with the reason, and recorded in the new form; then it is skipped again.
            File.WriteAllText(LedgerPath, text.Replace(expected, plain, StringComparison.Ordinal));
            var again = Results(Build("Img 0 $c0", vars, Args)).Single();
            Assert.Equal("Built", again.Status);
            Assert.StartsWith("its build arguments were recorded by an earlier version", again.Reason, StringComparison.Ordinal);
            Assert.Equal(expected, Ledger()[DirectoryOf(0)].GetProperty("buildArgs").GetProperty("TOKEN").GetString());
            Assert.Equal("Skipped", Results(Build("Img 0 $c0", vars, Args)).Single().Status);
            var changed = Results(Build("Img 0 $c0", vars, " -BuildArg @{ TOKEN = 'hunter3'; MODE = 'fast' }")).Single();
            Assert.Equal("Built", changed.Status);
            Assert.Equal("its build arguments changed", changed.Reason);
        }

        [DockerFact]
        public void APlanUnderWhatIfMakesNothingInTheLedgersFolder()
        {
            // The build tried whether the ledger's lock works here with a probe file it made and deleted in the ledger's
            // folder, before -WhatIf was asked: the folder changed under a command that was only to show its plan.
            string folder = Directory.CreateDirectory(Path.Combine(dir, "ledgers")).FullName;
            var longAgo = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            Directory.SetLastWriteTimeUtc(folder, longAgo);
            var vars = new Dictionary<string, object?> { ["c0"] = contexts.Small("zero"), ["repo"] = contexts.Repository, ["ledger"] = Path.Combine(folder, "ledger.json") };

            var plan = session.Run(Images + "Img 0 $c0 | Invoke-PythonImageBuild -Repository $repo -Ledger $ledger -WhatIf", vars);
            Assert.Empty(plan.AllErrors);
            Assert.Equal(1, CountOf(plan.HostText, "What if: Performing the operation \"Build image (it is not in the ledger yet)\""));
            Assert.Empty(Directory.GetFileSystemEntries(folder));
            Assert.Equal(longAgo, Directory.GetLastWriteTimeUtc(folder));
        }

        private static int CountOf(string text, string part)
        {
            int count = 0;
            for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }
    }
}
