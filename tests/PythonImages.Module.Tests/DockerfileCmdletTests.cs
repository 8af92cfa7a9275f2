using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pi-issue4-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string relative) => System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

        /// <summary>Every file below the root (relative, '/'), with its bytes.</summary>
        public Dictionary<string, byte[]> Snapshot() =>
            Directory.GetFiles(Path, "*", SearchOption.AllDirectories)
                .ToDictionary(f => f.Substring(Path.Length + 1).Replace(System.IO.Path.DirectorySeparatorChar, '/'), f => System.IO.File.ReadAllBytes(f), StringComparer.Ordinal);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    public class DockerfileCmdletTests
    {
        private static Dictionary<string, object?> Vars(params (string, object?)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

        /// <summary>The upstream versions.json fixture (a valid matrix) with an edit applied, written next to the test's files.</summary>
        private static string MatrixVariant(TempDir dir, string name, Func<string, string> edit)
        {
            string text = edit(File.ReadAllText(ModuleSession.Fixture("versions-2026-06.json")));
            string path = System.IO.Path.Combine(dir.Path, name);
            File.WriteAllText(path, text);
            return path;
        }

        [Fact]
        public void FullMatrixPipelineThenTestReportsCurrentStaleAfterAMatrixChangeAndMissing()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            using var work = new TempDir();
            var r = s.Run("Get-PythonTag | New-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            Assert.Equal(42, r.Output.Count);
            foreach (var o in r.Output)
            {
                Assert.Equal("PythonImages.PythonImage", o.BaseObject.GetType().FullName);
                Assert.Equal("PythonImages.PythonImage#Dockerfile", o.TypeNames[0]);
                string dir = (string)o.Properties["Directory"].Value;
                string path = (string)o.Properties["DockerfilePath"].Value;
                Assert.Equal(Path.Combine(tmp.Path, dir.Replace('/', Path.DirectorySeparatorChar), "Dockerfile"), path);
                Assert.Equal(Path.GetDirectoryName(path), o.Properties["ContextPath"].Value);
                Assert.True(File.Exists(path));
                Assert.Equal("Created", o.Properties["DockerfileAction"].Value);
            }

            Assert.Equal(42, tmp.Snapshot().Count);

            var current = s.Run("Get-PythonTag | Test-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            Assert.Empty(current.Errors);
            Assert.Equal(42, current.Output.Count);
            Assert.All(current.Output, o => Assert.Equal("Current", o.Properties["Status"].Value.ToString()));
            Assert.Equal(true, Assert.Single(s.Run("Test-PythonDockerfile -Path $tmp -Quiet", Vars(("tmp", tmp.Path))).Output).BaseObject);

            // A matrix change: 3.14.6 → 3.14.7 (with a new checksum).
            string bumped = MatrixVariant(work, "bumped.json", t => t.Replace("\"3.14.6\"", "\"3.14.7\"").Replace("143b1dddefaec3bd2e21e3b839b34a2b7fb9842272883c576420d605e9f30c63", new string('e', 64)));
            var stale = s.Run("Test-PythonDockerfile -Path $tmp -MatrixPath $m", Vars(("tmp", tmp.Path), ("m", bumped)));
            Assert.Empty(stale.Errors);
            var byDir = stale.Output.ToDictionary(o => (string)o.Properties["Directory"].Value, o => o);
            Assert.Equal(42, byDir.Count);
            foreach (var kv in byDir)
            {
                bool is314 = kv.Key.StartsWith("3.14/", StringComparison.Ordinal);
                Assert.Equal(is314 ? "Stale" : "Current", kv.Value.Properties["Status"].Value.ToString());
            }

            string diff = (string)byDir["3.14/slim-trixie"].Properties["Diff"].Value;
            Assert.StartsWith("--- a/3.14/slim-trixie/Dockerfile\n+++ b/3.14/slim-trixie/Dockerfile\n", diff);
            Assert.Contains("\n-ENV PYTHON_VERSION 3.14.6\n", diff);
            Assert.Contains("\n+ENV PYTHON_VERSION 3.14.7\n", diff);
            Assert.Contains("\n+ENV PYTHON_SHA256 " + new string('e', 64) + "\n", diff);
            Assert.Equal(false, Assert.Single(s.Run("Test-PythonDockerfile -Path $tmp -MatrixPath $m -Quiet", Vars(("tmp", tmp.Path), ("m", bumped))).Output).BaseObject);

            // Default view of the checks.
            var view = s.Run("Test-PythonDockerfile -Path $tmp -MatrixPath $m -Version 3.14 -Variant trixie | Out-Default", Vars(("tmp", tmp.Path), ("m", bumped)));
            Assert.Matches(@"Directory\s+Status\s+Changes", view.HostText);
            Assert.Matches(@"3\.14/trixie\s+Stale\s+\+2 -2 lines", view.HostText);

            File.Delete(tmp.File("3.13/alpine3.23/Dockerfile"));
            var missing = s.Run("Get-PythonTag | Test-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            var statuses = missing.Output.ToDictionary(o => (string)o.Properties["Directory"].Value, o => o.Properties["Status"].Value.ToString());
            Assert.Equal("Missing", statuses["3.13/alpine3.23"]);
            Assert.Equal(41, statuses.Values.Count(v => v == "Current"));

            // Regenerating from the new matrix makes the tree current again.
            var again = s.Run("Get-PythonTag -MatrixPath $m | New-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path), ("m", bumped)));
            Assert.Empty(again.Errors);
            Assert.Equal(8, again.Output.Count(o => (string)o.Properties["DockerfileAction"].Value == "Updated"));
            Assert.Equal(1, again.Output.Count(o => (string)o.Properties["DockerfileAction"].Value == "Created"));
            Assert.Equal(33, again.Output.Count(o => (string)o.Properties["DockerfileAction"].Value == "Unchanged"));
            Assert.Equal(true, Assert.Single(s.Run("Test-PythonDockerfile -Path $tmp -MatrixPath $m -Quiet", Vars(("tmp", tmp.Path), ("m", bumped))).Output).BaseObject);
        }

        [Fact]
        public void WhatIfWritesNothingAndSaysWhatItWouldDo()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            var r = s.Run("Get-PythonTag | New-PythonDockerfile -Path $tmp -WhatIf", Vars(("tmp", tmp.Path)));
            Assert.Empty(r.Errors);
            Assert.Empty(r.Output);
            Assert.Empty(tmp.Snapshot());
            Assert.Empty(Directory.GetDirectories(tmp.Path));
            Assert.Equal(42, r.HostText.Split('\n').Count(l => l.StartsWith("What if:", StringComparison.Ordinal) && l.Contains("Create Dockerfile")));

            // With existing files: an update and a prune are announced, not done.
            s.Run("New-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            var before = tmp.Snapshot();
            var w = s.Run("New-PythonDockerfile -Path $tmp -Version 3.14 -SourceMirror http://127.0.0.1:8080/python/ -AllowInsecureSource -Prune -WhatIf", Vars(("tmp", tmp.Path)));
            Assert.Empty(w.Errors);
            Assert.Contains("Update Dockerfile", w.HostText);
            Assert.Contains("Remove generated Dockerfile", w.HostText);
            var after = tmp.Snapshot();
            Assert.Equal(before.Keys, after.Keys);
            Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
        }

        [Fact]
        public void ConfirmAsksPerFileAndNoSkipsTheFile()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            s.Host.Choices.Enqueue(0); // Yes
            s.Host.Choices.Enqueue(2); // No
            var r = s.Run("New-PythonDockerfile -Path $tmp -Version 3.14 -Variant trixie, slim-trixie -Confirm", Vars(("tmp", tmp.Path)));
            Assert.Empty(r.Errors);
            Assert.Single(r.Output);
            Assert.Equal(new[] { "3.14/trixie/Dockerfile" }, tmp.Snapshot().Keys);
        }

        [Fact]
        public void PruneRemovesOnlyOurDockerfilesOfImagesNoLongerInTheMatrix()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            using var work = new TempDir();
            var first = s.Run("New-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            Assert.True(first.Errors.Count == 0, string.Join("; ", first.Errors));

            // Hand-written and unrelated files next to ours.
            Directory.CreateDirectory(tmp.File("3.9/bullseye"));
            File.WriteAllText(tmp.File("3.9/bullseye/Dockerfile"), "FROM debian:bullseye\n");
            File.WriteAllText(tmp.File("3.10/trixie/README.md"), "notes\n");
            File.WriteAllText(tmp.File("3.10/slim-trixie/Dockerfile"), "# my own\nFROM debian:trixie-slim\n"); // ours replaced by hand
            File.WriteAllText(tmp.File("LICENSE"), "MIT\n");

            // 3.10 leaves the matrix: its generated files are orphans until pruned.
            string without310 = MatrixVariant(work, "no310.json", t =>
            {
                int start = t.IndexOf("  \"3.10\": {", StringComparison.Ordinal);
                int end = t.IndexOf("  \"3.11\": {", StringComparison.Ordinal);
                return t.Remove(start, end - start);
            });
            var check = s.Run("Test-PythonDockerfile -Path $tmp -MatrixPath $m", Vars(("tmp", tmp.Path), ("m", without310)));
            Assert.Empty(check.Errors);
            var orphans = check.Output.Where(o => o.Properties["Status"].Value.ToString() == "Orphaned").Select(o => (string)o.Properties["Directory"].Value).OrderBy(d => d).ToList();
            Assert.Equal(new[] { "3.10/alpine3.23", "3.10/alpine3.24", "3.10/bookworm", "3.10/slim-bookworm", "3.10/trixie" }, orphans);
            Assert.Equal("3.10", check.Output.First(o => o.Properties["Status"].Value.ToString() == "Orphaned").Properties["VersionKey"].Value);
            Assert.Equal(36, check.Output.Count(o => o.Properties["Status"].Value.ToString() == "Current"));
            Assert.Equal(false, s.Run("Test-PythonDockerfile -Path $tmp -MatrixPath $m -Quiet", Vars(("tmp", tmp.Path), ("m", without310))).Output.Single().BaseObject);
            var r = s.Run("New-PythonDockerfile -Path $tmp -MatrixPath $m -Prune -Verbose", Vars(("tmp", tmp.Path), ("m", without310)));
            Assert.Empty(r.Errors);
            Assert.Equal(36, r.Output.Count);

            var files = tmp.Snapshot().Keys.ToHashSet();
            Assert.Equal(true, s.Run("Test-PythonDockerfile -Path $tmp -MatrixPath $m -Quiet", Vars(("tmp", tmp.Path), ("m", without310))).Output.Single().BaseObject);
            Assert.Contains("3.9/bullseye/Dockerfile", files);
            Assert.Contains("3.10/trixie/README.md", files);
            Assert.Contains("3.10/slim-trixie/Dockerfile", files);
            Assert.Contains("LICENSE", files);
            Assert.DoesNotContain(files, f => f.StartsWith("3.10/", StringComparison.Ordinal) && f.EndsWith("/Dockerfile", StringComparison.Ordinal) && f != "3.10/slim-trixie/Dockerfile");
            Assert.False(Directory.Exists(tmp.File("3.10/bookworm")));  // emptied, removed
            Assert.True(Directory.Exists(tmp.File("3.10/trixie")));      // still holds README.md
            Assert.Equal(36 + 4, files.Count);
            Assert.Equal(5, r.Verbose.Count(v => v.Message.StartsWith("Removed ", StringComparison.Ordinal))); // 6 variants, one no longer ours
        }

        [Fact]
        public void PruneWithoutAnyImageRemovesNothing()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            s.Run("New-PythonDockerfile -Path $tmp -Version 3.14", Vars(("tmp", tmp.Path)));
            var r = s.Run("@() | New-PythonDockerfile -Path $tmp -Prune", Vars(("tmp", tmp.Path)));
            Assert.Single(r.Warnings);
            Assert.Equal(8, tmp.Snapshot().Count);
        }

        [Fact]
        public void AFileWeDidNotGenerateIsRefusedWithoutForce()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            Directory.CreateDirectory(tmp.File("3.14/trixie"));
            File.WriteAllText(tmp.File("3.14/trixie/Dockerfile"), "FROM buildpack-deps:trixie\nRUN echo mine\n");
            var r = s.Run("New-PythonDockerfile -Path $tmp -Version 3.14 -Variant trixie, slim-trixie", Vars(("tmp", tmp.Path)));
            var e = Assert.Single(r.Errors);
            Assert.Equal("Dockerfile.NotOurs,PythonImages.Commands.NewPythonDockerfileCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, e.CategoryInfo.Category);
            Assert.Contains("-Force", e.ErrorDetails.RecommendedAction);
            Assert.Equal(tmp.File("3.14/trixie/Dockerfile"), e.TargetObject);
            Assert.Single(r.Output); // slim-trixie still written
            Assert.Equal("FROM buildpack-deps:trixie\nRUN echo mine\n", File.ReadAllText(tmp.File("3.14/trixie/Dockerfile")));

            var f = s.Run("New-PythonDockerfile -Path $tmp -Version 3.14 -Variant trixie -Force", Vars(("tmp", tmp.Path)));
            Assert.Empty(f.Errors);
            Assert.Equal("Overwritten", Assert.Single(f.Output).Properties["DockerfileAction"].Value);
            Assert.StartsWith("# Generated by PythonImages", File.ReadAllText(tmp.File("3.14/trixie/Dockerfile")));
        }

        [Fact]
        public void ADirectoryThatEscapesThePathIsRefused()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            string root = tmp.File("images");
            var r = s.Run("$i = Get-PythonTag -Name 3.14-trixie; $i.Directory = '3.14/../../escaped'; $i, (Get-PythonTag -Name 3.14-slim-trixie) | New-PythonDockerfile -Path $root", Vars(("root", root)));
            var e = Assert.Single(r.Errors);
            Assert.Equal("Dockerfile.PathEscape", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.SecurityError, e.CategoryInfo.Category);
            Assert.Single(r.Output);
            Assert.False(Directory.Exists(tmp.File("escaped")));
            Assert.Equal(new[] { "images/3.14/slim-trixie/Dockerfile" }, tmp.Snapshot().Keys);
        }

        [Fact]
        public void AStoppedRunLeavesEveryFileOldOrNewAndNoTemporaryFiles()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            s.Run("New-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            var before = tmp.Snapshot();
            var newer = s.Run("Get-PythonDockerfile -SourceMirror http://127.0.0.1:8080/python/ -AllowInsecureSource").Output
                .ToDictionary(o => (string)o.Properties["Directory"].Value + "/Dockerfile", o => Encoding.UTF8.GetBytes((string)o.Properties["Content"].Value));

            using var ps = PowerShell.Create();
            ps.Runspace = s.Runspace;
            ps.AddScript("Get-PythonTag | New-PythonDockerfile -Path $args[0] -SourceMirror http://127.0.0.1:8080/python/ -AllowInsecureSource -WarningAction SilentlyContinue").AddArgument(tmp.Path);
            var output = new PSDataCollection<PSObject>();
            int seen = 0;
            output.DataAdded += (_, _) =>
            {
                if (Interlocked.Increment(ref seen) == 10)
                {
                    ps.BeginStop(null, null);
                }
            };
            var async = ps.BeginInvoke<PSObject, PSObject>(null, output);
            try
            {
                ps.EndInvoke(async);
            }
            catch (PipelineStoppedException)
            {
            }

            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            var after = tmp.Snapshot();
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k)); // nothing extra, nothing lost
            int updated = 0;
            foreach (var kv in after)
            {
                bool isOld = kv.Value.SequenceEqual(before[kv.Key]);
                bool isNew = kv.Value.SequenceEqual(newer[kv.Key]);
                Assert.True(isOld || isNew, kv.Key);
                updated += isNew ? 1 : 0;
            }

            Assert.InRange(updated, 10, 41);
        }

        [Fact]
        public void MirrorOptionsReachEveryFile()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            var r = s.Run("Get-PythonTag | New-PythonDockerfile -Path $tmp -SourceMirror http://127.0.0.1:8080/python/ -KeyServer hkp://127.0.0.1:11371 -BaseImageRegistry 127.0.0.1:5000 -AllowInsecureSource", Vars(("tmp", tmp.Path)));
            Assert.Empty(r.Errors);
            var files = tmp.Snapshot();
            Assert.Equal(42, files.Count);
            foreach (var kv in files)
            {
                string text = Encoding.UTF8.GetString(kv.Value);
                Assert.DoesNotContain("www.python.org", text);
                Assert.DoesNotContain("keys.openpgp.org", text);
                Assert.Contains("http://127.0.0.1:8080/python/", text);
                Assert.Contains("\nFROM 127.0.0.1:5000/", text);
                Assert.Contains(kv.Key.Contains("windows") ? "Get-FileHash python.exe -Algorithm sha256" : "sha256sum -c -", text);
            }

            Assert.Equal(24, files.Values.Count(b => Encoding.UTF8.GetString(b).Contains("--keyserver 'hkp://127.0.0.1:11371' --recv-keys")));

            // One warning per image for the plain-HTTP mirror, one more per PGP-verified image for the hkp key server.
            Assert.Equal(42, r.Warnings.Count(w => w.Message.Contains("downloads from http://127.0.0.1:8080/python/ without TLS", StringComparison.Ordinal)));
            Assert.Equal(24, r.Warnings.Count(w => w.Message.Contains("from hkp://127.0.0.1:11371 without TLS", StringComparison.Ordinal)));
            Assert.Equal(66, r.Warnings.Count);
            foreach (var kv in files)
            {
                string dir = kv.Key.Substring(0, kv.Key.Length - "/Dockerfile".Length);
                Assert.Single(r.Warnings, w => w.Message.StartsWith("The Dockerfile of " + dir + " (", StringComparison.Ordinal) && w.Message.Contains("downloads from", StringComparison.Ordinal));
            }

            // Test-PythonDockerfile with the same options sees them current, without them stale.
            Assert.Equal(true, s.Run("Test-PythonDockerfile -Path $tmp -Quiet -SourceMirror http://127.0.0.1:8080/python/ -KeyServer hkp://127.0.0.1:11371 -BaseImageRegistry 127.0.0.1:5000 -AllowInsecureSource", Vars(("tmp", tmp.Path))).Output.Single().BaseObject);
            Assert.Equal(false, s.Run("Test-PythonDockerfile -Path $tmp -Quiet", Vars(("tmp", tmp.Path))).Output.Single().BaseObject);
        }

        [Fact]
        public void AVersionWithoutChecksumIsAnErrorUnlessAllowed()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            using var work = new TempDir();
            string noSum = MatrixVariant(work, "nosum.json", t => t.Replace("\"sha256\": \"c08bc65a81971c1dd5783182826503369466c7e67374d1646519adf05207b684\"", "\"sha1\": \"0123456789abcdef0123456789abcdef01234567\""));
            var r = s.Run("New-PythonDockerfile -Path $tmp -MatrixPath $m -Version 3.12, 3.13", Vars(("tmp", tmp.Path), ("m", noSum)));
            Assert.Equal(6, r.Errors.Count);
            Assert.All(r.Errors, e =>
            {
                Assert.Equal("Dockerfile.NoChecksum", e.FullyQualifiedErrorId.Split(',')[0]);
                Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
                Assert.Contains("-AllowUnverifiedSource", e.ErrorDetails.RecommendedAction);
            });
            Assert.Equal(8, r.Output.Count); // 3.13 still written
            var ok = s.Run("New-PythonDockerfile -Path $tmp -MatrixPath $m -Version 3.12 -AllowUnverifiedSource", Vars(("tmp", tmp.Path), ("m", noSum)));
            Assert.Empty(ok.Errors);

            // Each image without a checksum is named in a warning; 3.12 is still PGP-verified, which the warning says.
            Assert.Equal(6, ok.Warnings.Count);
            Assert.All(ok.Warnings, w => Assert.Contains("without any checksum check", w.Message));
            Assert.All(ok.Warnings, w => Assert.EndsWith("only the PGP signature is checked.", w.Message));
            Assert.Equal(
                new[] { "3.12/alpine3.23", "3.12/alpine3.24", "3.12/bookworm", "3.12/slim-bookworm", "3.12/slim-trixie", "3.12/trixie" },
                ok.Warnings.Select(w => System.Text.RegularExpressions.Regex.Match(w.Message, @"^The Dockerfile of (\S+) \(Python 3\.12\.13\)").Groups[1].Value).OrderBy(d => d, StringComparer.Ordinal));

            // Allowed but not needed (3.13 has its checksums): no warning.
            Assert.Empty(s.Run("Get-PythonDockerfile -MatrixPath $m -Version 3.13 -AllowUnverifiedSource", Vars(("m", noSum))).Warnings);
            Assert.DoesNotContain("sha256sum", File.ReadAllText(tmp.File("3.12/trixie/Dockerfile")));
        }

        [Fact]
        public void ByNameSelectionAndUnknownImages()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            var r = s.Run("New-PythonDockerfile -Path $tmp -Version 3.15* -Variant windows*", Vars(("tmp", tmp.Path)));
            Assert.Empty(r.Errors);
            Assert.Equal(new[] { "3.15-rc/windows/windowsservercore-ltsc2022/Dockerfile", "3.15-rc/windows/windowsservercore-ltsc2025/Dockerfile" }, tmp.Snapshot().Keys.OrderBy(k => k));

            var none = s.Run("New-PythonDockerfile -Path $tmp -Version 3.99", Vars(("tmp", tmp.Path)));
            Assert.Equal("Dockerfile.ImageNotFound", Assert.Single(none.Errors).FullyQualifiedErrorId.Split(',')[0]);

            // Objects with VersionKey and Variant properties bind by name.
            var byProp = s.Run("[pscustomobject]@{ VersionKey = '3.13'; Variant = 'alpine3.23' } | New-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            Assert.Empty(byProp.Errors);
            Assert.Equal("3.13/alpine3.23", Assert.Single(byProp.Output).Properties["Directory"].Value);
        }

        [Fact]
        public void GetPythonDockerfileReturnsTheTextNewPythonDockerfileWrites()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            s.Run("Get-PythonTag -Version 3.14 | New-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            var raw = s.Run("Get-PythonTag -Version 3.14 | Get-PythonDockerfile -Raw");
            Assert.Empty(raw.Errors);
            Assert.Equal(8, raw.Output.Count);
            var objs = s.Run("Get-PythonDockerfile -Version 3.14");
            Assert.Equal(8, objs.Output.Count);
            for (int i = 0; i < 8; i++)
            {
                string dir = (string)objs.Output[i].Properties["Directory"].Value;
                string content = (string)objs.Output[i].Properties["Content"].Value;
                Assert.Equal(content, raw.Output[i].BaseObject);
                Assert.Equal(File.ReadAllText(tmp.File(dir + "/Dockerfile")), content);
            }

            var view = s.Run("Get-PythonDockerfile -Version 3.14 -Variant alpine3.24 | Out-Default");
            Assert.Matches(@"3\.14/alpine3\.24\s+\d+\s+alpine:3\.24", view.HostText);
        }

        [Fact]
        public void DefaultViewShowsTheActionAndThePath()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            var r = s.Run("New-PythonDockerfile -Path $tmp -Version 3.14 -Variant trixie | Out-Default", Vars(("tmp", tmp.Path)));
            Assert.Matches(@"Version\s+Variant\s+Action\s+DockerfilePath", r.HostText);
            Assert.Matches(@"3\.14\.6\s+trixie\s+Created\s+" + System.Text.RegularExpressions.Regex.Escape(tmp.Path), r.HostText);
        }

        [Fact]
        public void ProgressAppearsOnceTheCommandHasRunForHalfASecondAndCountsThroughTheMatrix()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();

            // Writing the 42 Dockerfiles (again, warm) ends long before half a second: no progress at all.
            var first = s.Run("New-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            Assert.True(first.Errors.Count == 0, string.Join("; ", first.Errors));
            var quick = s.Run("New-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            Assert.Empty(quick.Errors);
            Assert.True(quick.Progress.Count == 0, string.Join("; ", quick.Progress.Select(p => p.Activity + ": " + p.StatusDescription + " " + p.RecordType)));

            // Held up by a slow producer (40 ms an image), the same run passes half a second after about 13 images: from
            // then on every image is shown, counting up, and the progress is completed at the end.
            var slow = s.Run("Get-PythonTag | ForEach-Object { [System.Threading.Thread]::Sleep(40); $_ } | New-PythonDockerfile -Path $tmp", Vars(("tmp", tmp.Path)));
            Assert.Empty(slow.Errors);
            var running = slow.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();
            Assert.InRange(running.Count, 1, 41);
            Assert.Equal("3.10/alpine3.23", running[^1].StatusDescription); // the last image of the matrix
            Assert.True(running.Zip(running.Skip(1)).All(p => int.Parse(p.First.CurrentOperation.Split(' ')[0], CultureInfo.InvariantCulture) < int.Parse(p.Second.CurrentOperation.Split(' ')[0], CultureInfo.InvariantCulture)));
            Assert.All(running, p => Assert.Equal(-1, p.PercentComplete)); // piped: the total is not known
            Assert.Equal(ProgressRecordType.Completed, slow.Progress.Last().RecordType);
        }

        [Fact]
        public void InvalidOptionsAndRootsStopTheCommand()
        {
            using var s = new ModuleSession();
            using var tmp = new TempDir();
            File.WriteAllText(tmp.File("afile"), "x");
            var r = s.Run("New-PythonDockerfile -Path $p -Version 3.14", Vars(("p", tmp.File("afile"))));
            Assert.Equal("Dockerfile.RootIsFile", r.AllErrors.Single().FullyQualifiedErrorId.Split(',')[0]);
            var u = s.Run("Get-PythonDockerfile -SourceMirror relative/path");
            Assert.Equal("Dockerfile.InvalidUri", u.AllErrors.Single().FullyQualifiedErrorId.Split(',')[0]);
            Assert.Empty(u.Output);
            var g = s.Run("Get-PythonDockerfile -BaseImageRegistry https://registry.example");
            Assert.Equal("Dockerfile.InvalidRegistry", g.AllErrors.Single().FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidArgument, g.AllErrors.Single().CategoryInfo.Category);
        }
    }
}
