using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using PythonImages.Tests.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace PythonImages.Tests
{
    /// <summary>
    /// Export-PythonLibraryManifest never writes a file its own Import-PythonLibraryManifest rejects: hostile values in the
    /// image objects, the parameters and the matrix, through the real cmdlets and a real file.
    /// </summary>
    public sealed class ManifestHardeningCmdletTests : IDisposable
    {
        private const int Seed = 7919;
        private const int Cases = 160;
        private const string Sha = "0123456789abcdef0123456789abcdef01234567";
        private readonly string temp = Path.Combine(Path.GetTempPath(), "pi-h9-manifest-" + Guid.NewGuid().ToString("N")[..8]);
        private readonly ITestOutputHelper output;

        public ManifestHardeningCmdletTests(ITestOutputHelper output)
        {
            this.output = output;
            Directory.CreateDirectory(temp);
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(temp, true);
            }
            catch (IOException)
            {
            }
        }

        private static readonly string[] Hostile =
        {
            "", " ", "\n", "a\nb", "x\nTags: evil", "x\r\n Directory: ../..", "a\0b", "a\u2028b", "a\u202Eb", "$(touch /tmp/pwned)", "`id`", "; rm -rf /",
            "../..", "..", "/etc", "./x", "x/", "a//b", "C:\\x", "<script>alert(1)</script>", "[x](javascript:alert(1))", "*x*", "a,b", "a b", " a", "a ",
            "#x", "a:b", "é", "\U0001F40D", new string('a', 300), "javascript:alert(1)", "https://user:pw@github.com/o/r.git", "refs/heads/x\n",
            Sha + "\n", Sha.ToUpperInvariant(), Sha.Substring(1), "buildkit\n", "classic ", "AMD64", "sparc", "-x", ".x",
        };

        private static readonly (string Field, string[] Plausible)[] ImageFields =
        {
            ("Directory", new[] { "3.14/trixie", ".", "a/b", "_x_" }),
            ("File", new[] { "Dockerfile", "Dockerfile.alt" }),
            ("GitRepo", new[] { "https://github.com/o/r.git", "git@github.com:o/r.git" }),
            ("GitFetch", new[] { "refs/heads/main", "refs/tags/v1" }),
            ("Builder", new[] { "buildkit", "classic", "oci-import" }),
            ("Tags", new[] { "3.14-x", "y_1" }),
            ("SharedTags", new[] { "s1", "s2" }),
            ("Architectures", new[] { "amd64", "arm64v8", "windows-amd64" }),
            ("Constraints", new[] { "windowsservercore-ltsc2025", "!aufs" }),
        };

        private static readonly HashSet<string> ArrayFields = new HashSet<string> { "Tags", "SharedTags", "Architectures", "Constraints" };

        [Fact]
        public void ExportRefusesWithASpecificErrorAndWritesNothingOrImportReadsBackExactlyWhatWasExported()
        {
            var random = new Random(Seed);
            using var s = new ModuleSession();
            int accepted = 0;
            var refusals = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int n = 0; n < Cases; n++)
            {
                string where = $"seed {Seed}, case {n}";
                double hostility = random.NextDouble() < 0.3 ? 0 : 0.25;
                bool Bad() => random.NextDouble() < hostility;
                string Hostile1(string plausible) => random.Next(2) == 0
                    ? Hostile[random.Next(Hostile.Length)]
                    : plausible.Insert(random.Next(plausible.Length + 1), new[] { "\n", "\0", " ", "/", "..", "<", ")", "`", "$", ",", ":", "\\", "\u2028" }[random.Next(13)]);

                // Mutations of the Get-PythonTag objects.
                var mutations = new List<Hashtable>();
                foreach (var (field, plausible) in ImageFields)
                {
                    if (!Bad() && random.NextDouble() > 0.15)
                    {
                        continue;
                    }

                    string value = plausible[random.Next(plausible.Length)];
                    if (Bad())
                    {
                        value = Hostile1(value);
                    }

                    object boxed = ArrayFields.Contains(field) ? new[] { value + (field == "Tags" || field == "SharedTags" ? "-m" + n : string.Empty) } : value;
                    if (field == "Tags" && !Bad())
                    {
                        continue; // keep tags unique most of the time
                    }

                    mutations.Add(new Hashtable { ["Index"] = random.Next(2), ["Field"] = field, ["Value"] = boxed });
                }

                // The parameters.
                var parameters = new Hashtable { ["Path"] = Path.Combine(temp, "out-" + n), ["PassThru"] = true };
                parameters["GitCommit"] = random.Next(4) switch
                {
                    0 => new Hashtable { ["3.14/trixie"] = Bad() ? Hostile1(Sha) : Sha, [Bad() ? Hostile1("3.14/slim-trixie") : "3.14/slim-trixie"] = Sha },
                    _ => Bad() ? Hostile1(Sha) : Sha,
                };
                if (random.Next(3) == 0)
                {
                    parameters["GeneratorCommit"] = Bad() ? Hostile1(Sha) : Sha;
                }
                else if (random.Next(3) == 0)
                {
                    parameters["GeneratedBy"] = Bad() ? Hostile1("made by hand") : "made by hand\nsecond line";
                }

                if (random.Next(3) == 0)
                {
                    parameters["Builder"] = Bad() ? Hostile1("buildkit") : new[] { "", "classic", "buildkit" }[random.Next(3)];
                }

                // Sometimes the header comes from a matrix file whose repository and maintainers are hostile.
                string images = "Get-PythonTag -Version 3.14 -Variant trixie, slim-trixie";
                if (random.Next(6) == 0)
                {
                    string matrix = Path.Combine(temp, "matrix-" + n + ".json");
                    File.WriteAllText(matrix, JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["repository"] = Bad() ? Hostile1("https://github.com/o/python") : "https://github.com/o/python",
                        ["maintainers"] = new[] { Bad() ? Hostile1("A B (@ab)") : "A B <a@b.c> (@ab)" },
                        ["versions"] = new Dictionary<string, object>
                        {
                            ["3.14"] = new Dictionary<string, object>
                            {
                                ["version"] = "3.14.6",
                                ["checksums"] = new { source = new { sha256 = new string('0', 64) } },
                                ["variants"] = new[] { "trixie", "slim-trixie" },
                            },
                        },
                    }));
                    images = "Get-PythonTag -MatrixPath $matrix -Version 3.14";
                    parameters["MatrixPath"] = matrix;
                }

                string target = (string)parameters["Path"]!;
                var r = s.Run(
                    "$imgs = @(" + images + ")\n# A hostile matrix is refused by Get-PythonTag (a Matrix.* error): then there is nothing to mutate, and Export refuses it again.\nif ($imgs.Count -gt 0) { foreach ($m in $mutations) { $imgs[$m.Index].($m.Field) = $m.Value } }\n$imgs | Export-PythonLibraryManifest @parameters",
                    new Dictionary<string, object?> { ["mutations"] = mutations.ToArray(), ["parameters"] = parameters, ["matrix"] = parameters["MatrixPath"] });

                var errors = r.AllErrors.ToList();
                if (errors.Count > 0)
                {
                    foreach (var e in errors)
                    {
                        string id = e.FullyQualifiedErrorId.Split(',')[0];
                        Assert.True(
                            (id.StartsWith("Manifest.", StringComparison.Ordinal) || id.StartsWith("Matrix.", StringComparison.Ordinal)) && id != "Manifest.RoundTripMismatch",
                            $"{where}: unexpected error {e.FullyQualifiedErrorId}: {e}");
                        Assert.NotEqual(ErrorCategory.NotSpecified, e.CategoryInfo.Category);
                        Assert.False(e.Exception is NullReferenceException || e.Exception is InvalidCastException || e.Exception is IndexOutOfRangeException, $"{where}: {e.Exception}");
                        refusals[id] = refusals.TryGetValue(id, out int c) ? c + 1 : 1;
                    }

                    Assert.False(File.Exists(target), $"{where}: refused, but {target} was written");
                    Assert.Empty(Directory.GetFiles(temp, ".*.tmp"));
                    continue;
                }

                accepted++;
                Assert.True(File.Exists(target), where + ": accepted but not written");
                var back = s.Run("Import-PythonLibraryManifest -LiteralPath $t", new Dictionary<string, object?> { ["t"] = target });
                Assert.True(!back.AllErrors.Any(), $"{where}: Import rejects what Export wrote: " + string.Join("; ", back.AllErrors.Select(e => e.ToString())) + "\n" + File.ReadAllText(target));
                Assert.Equal(r.Output.Count, back.Output.Count);
                for (int i = 0; i < r.Output.Count; i++)
                {
                    foreach (var p in new[] { "Tags", "SharedTags", "Architectures", "Constraints" })
                    {
                        Assert.Equal((string[])r.Output[i].Properties[p].Value, (string[])back.Output[i].Properties[p].Value);
                    }

                    foreach (var p in new[] { "GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder" })
                    {
                        Assert.True(
                            Equals(r.Output[i].Properties[p].Value ?? string.Empty, back.Output[i].Properties[p].Value ?? string.Empty),
                            $"{where}, entry {i}: {p} exported '{r.Output[i].Properties[p].Value}', read back '{back.Output[i].Properties[p].Value}'");
                    }
                }

                // And the imported objects export to the very same bytes.
                string again = target + ".again";
                var re = s.Run("Import-PythonLibraryManifest -LiteralPath $t | Export-PythonLibraryManifest -Path $a", new Dictionary<string, object?> { ["t"] = target, ["a"] = again });
                Assert.True(!re.AllErrors.Any(), where + ": " + string.Join("; ", re.AllErrors.Select(e => e.ToString())));
                Assert.Equal(File.ReadAllBytes(target), File.ReadAllBytes(again));
            }

            output.WriteLine($"{accepted} of {Cases} accepted; refusals: " + string.Join(", ", refusals.OrderBy(kv => kv.Key).Select(kv => kv.Key + "=" + kv.Value)));
            Assert.InRange(accepted, Cases / 10, Cases - Cases / 10);
        }

        [Fact]
        public void TheReadmeRendererRefusesMarkupInImageObjectsAndWritesNothing()
        {
            using var s = new ModuleSession();
            var r = s.Run(
                "$i = @(Import-PythonLibraryManifest $p); $i[2].Directory = '3.14/<img src=x onerror=alert(1)>'; $i[5].GitCommit = 'main) [x](http://evil'; $i | ConvertTo-PythonTagMarkdown",
                new Dictionary<string, object?> { ["p"] = ModuleSession.Fixture("library-python-2026-06.txt") });
            Assert.Empty(r.Output);
            Assert.Equal(new[] { "TagMarkdown.InvalidDirectory", "TagMarkdown.InvalidGitCommit" }, r.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
            Assert.All(r.Errors, e => Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category));
            Assert.All(r.Errors, e => Assert.NotNull(e.ErrorDetails.RecommendedAction));
            Assert.Equal("3.14/<img src=x onerror=alert(1)>", ((PSObject)PSObject.AsPSObject(r.Errors[0].TargetObject)).Properties["Directory"].Value);

            var name = s.Run("Import-PythonLibraryManifest $p | ConvertTo-PythonTagMarkdown -ImageName \"python`n\"", new Dictionary<string, object?> { ["p"] = ModuleSession.Fixture("library-python-2026-06.txt") });
            Assert.Empty(name.Output);
            var e = Assert.Single(name.AllErrors);
            Assert.Equal("TagMarkdown.InvalidImageName", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
        }
    }
}
