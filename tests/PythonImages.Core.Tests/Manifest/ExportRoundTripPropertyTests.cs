using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace PythonImages.Tests.Manifest
{
    /// <summary>
    /// Export never writes a file its own Import rejects: random and hostile values in every field Export writes (entries,
    /// header, per-architecture overrides). Each case is either refused with a specific error id (nothing is produced),
    /// or the text reads back with exactly the values that were exported. Seeded: a failure names its seed and case.
    /// </summary>
    public class ExportRoundTripPropertyTests
    {
        private const int Seed = 20260609;
        private const int Cases = 4000;
        private readonly ITestOutputHelper output;

        public ExportRoundTripPropertyTests(ITestOutputHelper output) => this.output = output;

        /// <summary>The only outcomes a refused case may have: specific ids, never the generic read-back check.</summary>
        private static readonly HashSet<string> SpecificIds = new HashSet<string>(StringComparer.Ordinal)
        {
            ManifestErrorIds.MissingMaintainers, ManifestErrorIds.InvalidMaintainer, ManifestErrorIds.MissingTags, ManifestErrorIds.InvalidTag,
            ManifestErrorIds.DuplicateTag, ManifestErrorIds.SharedTagIsSimpleTag, ManifestErrorIds.MissingGitRepo, ManifestErrorIds.InvalidGitRepo,
            ManifestErrorIds.InvalidGitFetch, ManifestErrorIds.MissingGitCommit, ManifestErrorIds.InvalidGitCommit, ManifestErrorIds.UnknownArchitecture,
            ManifestErrorIds.MissingArchitectures, ManifestErrorIds.InvalidDirectory, ManifestErrorIds.InvalidFile, ManifestErrorIds.InvalidBuilder,
            ManifestErrorIds.InvalidConstraint, ManifestErrorIds.InvalidComment, ManifestErrorIds.UnknownField, ManifestErrorIds.DuplicateField,
            ManifestErrorIds.InvalidValue, ManifestErrorIds.DuplicateEntry, ManifestErrorIds.HeaderFieldNotOverridable,
        };

        [Fact]
        public void EveryGeneratedManifestIsRefusedSpecificallyOrReadsBackExactly()
        {
            var random = new Random(Seed);
            int accepted = 0;
            var refusedBy = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int n = 0; n < Cases; n++)
            {
                var gen = new HostileGenerator(random);
                var header = gen.Header();
                var images = Enumerable.Range(0, random.Next(0, 4)).Select(i => gen.Image(i)).ToList();
                string where = $"seed {Seed}, case {n}";
                try
                {
                    var entries = LibraryManifest.PrepareForExport(header, images);
                    var problems = LibraryManifest.Validate(header, entries);
                    if (problems.Count > 0)
                    {
                        foreach (var p in problems)
                        {
                            Assert.True(SpecificIds.Contains(p.ErrorId), $"{where}: unexpected error id {p.ErrorId}: {p.Message}");
                            refusedBy[p.ErrorId] = refusedBy.TryGetValue(p.ErrorId, out int c) ? c + 1 : 1;
                        }

                        continue;
                    }

                    string text = LibraryManifest.WriteVerified(header, entries);
                    AssertReadsBackExactly(header, entries, text, where);
                    accepted++;
                }
                catch (ManifestException ex) when (ex.ErrorId == ManifestErrorIds.RoundTripMismatch)
                {
                    Assert.Fail($"{where}: validation let through a manifest that does not read back: {ex.Message}\n{Dump(header, images)}");
                }
                catch (Exception ex) when (!(ex is Xunit.Sdk.XunitException))
                {
                    Assert.Fail($"{where}: {ex.GetType().Name} escaped: {ex}\n{Dump(header, images)}");
                }
            }

            output.WriteLine($"{accepted} of {Cases} accepted; refusals: " + string.Join(", ", refusedBy.OrderBy(kv => kv.Key).Select(kv => kv.Key + "=" + kv.Value)));
            Assert.InRange(accepted, Cases / 10, Cases - Cases / 10); // the generator must exercise both outcomes
            foreach (var id in new[] { ManifestErrorIds.InvalidDirectory, ManifestErrorIds.InvalidFile, ManifestErrorIds.InvalidGitRepo, ManifestErrorIds.InvalidTag, ManifestErrorIds.InvalidMaintainer, ManifestErrorIds.InvalidBuilder, ManifestErrorIds.InvalidComment, ManifestErrorIds.InvalidGitCommit })
            {
                Assert.True(refusedBy.ContainsKey(id), "the generator never produced " + id);
            }
        }

        /// <summary>The text is read back by the module's parser and compared, field by field, with what was exported; plus invariants of our own.</summary>
        private static void AssertReadsBackExactly(ManifestHeader header, IReadOnlyList<PythonImage> exported, string text, string where)
        {
            // Invariants that do not depend on the module's grammars: one value per line, no control characters, no escaping paths.
            foreach (char c in text)
            {
                Assert.True(c == '\n' || c >= 0x20 && c != 0x7F && !(c >= 0x80 && c <= 0x9F) && c != '\u2028' && c != '\u2029' && c != '\u202E', $"{where}: U+{(int)c:X4} in the written text");
            }

            var back = LibraryManifest.Parse(text);
            Assert.Equal(header.Maintainers, back.Header.Maintainers);
            Assert.Equal(header.CommentLines, back.Header.CommentLines);
            Assert.Equal(header.GitRepo ?? string.Empty, back.Header.GitRepo ?? string.Empty);
            Assert.Equal(header.GitFetch ?? string.Empty, back.Header.GitFetch ?? string.Empty);
            Assert.Equal(header.Builder ?? string.Empty, back.Header.Builder ?? string.Empty);
            Assert.Equal(header.OtherFields, back.Header.OtherFields);
            Assert.True(exported.Count == back.Images.Count, $"{where}: {exported.Count} entries exported, {back.Images.Count} read back");
            for (int i = 0; i < exported.Count; i++)
            {
                var a = exported[i];
                var b = back.Images[i];
                string e = $"{where}, entry {i}: ";
                Assert.True(a.Tags.SequenceEqual(b.Tags), e + "Tags");
                Assert.True(a.SharedTags.SequenceEqual(b.SharedTags), e + "SharedTags");
                Assert.True(a.Architectures.SequenceEqual(b.Architectures), e + "Architectures");
                Assert.True(a.Constraints.SequenceEqual(b.Constraints), e + "Constraints");
                Assert.True(a.GitRepo == b.GitRepo, e + $"GitRepo {a.GitRepo} / {b.GitRepo}");
                Assert.True(a.GitFetch == b.GitFetch, e + $"GitFetch {a.GitFetch} / {b.GitFetch}");
                Assert.True(a.GitCommit == b.GitCommit, e + "GitCommit");
                Assert.True(a.Directory == b.Directory, e + $"Directory {a.Directory} / {b.Directory}");
                Assert.True(a.File == b.File, e + $"File {a.File} / {b.File}");
                Assert.True((a.Builder ?? string.Empty) == (b.Builder ?? string.Empty), e + $"Builder {a.Builder} / {b.Builder}");
                Assert.Equal(a.ArchitectureFields.OrderBy(kv => kv.Key, StringComparer.Ordinal), b.ArchitectureFields.OrderBy(kv => kv.Key, StringComparer.Ordinal));

                foreach (var dir in new[] { b.Directory }.Concat(b.ArchitectureFields.Where(kv => kv.Key.EndsWith("-Directory", StringComparison.Ordinal)).Select(kv => kv.Value)))
                {
                    Assert.False(dir.StartsWith('/') || dir.Split('/').Contains(".."), $"{e}Directory {dir} leaves the repository");
                    Assert.True(dir.All(c => char.IsAsciiLetterOrDigit(c) || c == '/' || c == '.' || c == '_' || c == '-'), $"{e}Directory {dir} holds markup");
                }
            }
        }

        private static string Dump(ManifestHeader header, IEnumerable<PythonImage> images)
        {
            static string Show(string? s) => s == null ? "null" : "\"" + string.Concat(s.Select(c => c < 0x20 || c > 0x7E ? $"\\u{(int)c:X4}" : c.ToString())) + "\"";
            var sb = new StringBuilder();
            sb.Append("header: maintainers=[").Append(string.Join(", ", header.Maintainers.Select(Show))).Append("] comments=[").Append(string.Join(", ", header.CommentLines.Select(Show)))
                .Append("] repo=").Append(Show(header.GitRepo)).Append(" fetch=").Append(Show(header.GitFetch)).Append(" builder=").Append(Show(header.Builder))
                .Append(" other=[").Append(string.Join(", ", header.OtherFields.Select(kv => Show(kv.Key) + ":" + Show(kv.Value)))).Append("]\n");
            foreach (var i in images)
            {
                sb.Append("image: tags=[").Append(string.Join(", ", i.Tags.Select(Show))).Append("] shared=[").Append(string.Join(", ", i.SharedTags.Select(Show)))
                    .Append("] arches=[").Append(string.Join(", ", i.Architectures.Select(Show))).Append("] dir=").Append(Show(i.Directory)).Append(" file=").Append(Show(i.File))
                    .Append(" repo=").Append(Show(i.GitRepo)).Append(" fetch=").Append(Show(i.GitFetch)).Append(" commit=").Append(Show(i.GitCommit))
                    .Append(" builder=").Append(Show(i.Builder)).Append(" constraints=[").Append(string.Join(", ", i.Constraints.Select(Show)))
                    .Append("] archfields=[").Append(string.Join(", ", i.ArchitectureFields.Select(kv => Show(kv.Key) + ":" + Show(kv.Value)))).Append("]\n");
            }

            return sb.ToString();
        }
    }

    /// <summary>Random values for manifest fields: mostly plausible, often hostile (injection, paths, markup, control characters, lengths).</summary>
    internal sealed class HostileGenerator
    {
        private const string Sha1 = "0123456789abcdef0123456789abcdef01234567";
        private const string Sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        private static readonly string[] Hostile =
        {
            "", " ", "\t", "\n", "a\nb", "x\r\nTags: evil", "x\n Directory: ../..", "a\0b", "\0", "a\u2028b", "a\u202Eb", "a\u200Bb", "\u0085", "\u007F",
            "$(touch /tmp/pwned)", "`id`", "; rm -rf /", "a|b", "a&b", "${IFS}", "'\"", "../..", "..", ".", "/etc", "/", "./x", "x/", "a//b", "a/./b",
            "C:\\x", "a\\b", "<script>alert(1)</script>", "<b>", "[x](javascript:alert(1))", "*x*", "_x_", "a,b", "a, b", "a b", " a", "a ", "#x", "# x",
            ":", "a:b", "x\t", "é", "\U0001F40D", "Ａ", new string('a', 129), new string('a', 300), new string('x', 5000), "http://x/y", "file:///etc/passwd",
            "javascript:alert(1)", "https://user:pw@github.com/o/r.git", "https://github.com/o/r.git?x", "refs/heads/x\n", "refs/heads/", "refs/heads/a..b",
            Sha1 + "\n", Sha1.ToUpperInvariant(), Sha1.Substring(1), "buildkit\n", "Buildkit", "classic ", "amd64\n", "AMD64", "sparc", "-x", ".x", "x.lock",
            "A B (@ab)\nGitRepo: x", "A B <a@b> (@ab), C (@c)", "(@x)", "A <a b> (@x)", "#", "#\u0007bell",
        };

        private static readonly string[] Tags = { "3.14.6-trixie", "latest", "a_b", "x.y-z", "_", "3", "slim", "9.9.9rc1-alpine" };
        private static readonly string[] Arches = { "amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "mips64le", "ppc64le", "riscv64", "s390x", "windows-amd64" };
        private static readonly string?[] Directories = { "3.14/trixie", ".", "a/b/c", "_x_/y", "3.15-rc/windows/windowsservercore-ltsc2025", "", null };
        private static readonly string?[] Files = { "Dockerfile", "Dockerfile.alt", "x_y.z", null, "" };
        private static readonly string[] Constraints = { "windowsservercore-ltsc2025", "!aufs", "nanoserver-1809" };
        private static readonly string?[] Builders = { null, "", "buildkit", "classic", "oci-import" };
        private static readonly string?[] Repos = { null, "", "https://github.com/o/r.git", "git://github.com/o/r", "git@github.com:o/r.git", "https://gitlab.com/o/r", "https://example.com:8443/a.git" };
        private static readonly string?[] Fetches = { null, "", "refs/heads/main", "refs/tags/v1.2", "refs/heads/master" };
        private static readonly string[] Commits = { Sha1, Sha256, "fedcba9876543210fedcba9876543210fedcba98" };
        private static readonly string[] Maintainers = { "A B <a@b.c> (@ab)", "Ján Kundrát (@jkt)", "Some One <https://example.com/x> (@some-one)", "山田 (@yamada)" };
        private static readonly string[] Comments = { "# x", "# this file is generated via https://github.com/o/r/blob/" + Sha1 + "/generate-stackbrew-library.sh", "#", "  # indented" };
        private static readonly string[] ArchFieldKinds = { "GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder" };

        private readonly Random random;
        private readonly double hostility;

        public HostileGenerator(Random random)
        {
            this.random = random;
            hostility = random.NextDouble() < 0.4 ? 0 : random.NextDouble() * 0.12;
        }

        private bool Bad() => random.NextDouble() < hostility;

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        /// <summary>A hostile value: from the list, or a plausible value with a hostile character inserted somewhere.</summary>
        private string HostileValue(string? plausible)
        {
            if (plausible == null || plausible.Length == 0 || random.Next(2) == 0)
            {
                return Pick(Hostile);
            }

            string insert = Pick(new[] { "\n", "\r", "\0", " ", "/", "..", "<", ">", "(", ")", "[", "]", "*", "`", "$", ";", ",", ":", "\\", "\u2028", "\u202E", "é", "#" });
            int at = random.Next(plausible.Length + 1);
            return plausible[..at] + insert + plausible[at..];
        }

        private string? Value(IReadOnlyList<string?> plausible)
        {
            string? v = Pick(plausible);
            return Bad() ? HostileValue(v) : v;
        }

        public ManifestHeader Header()
        {
            var header = new ManifestHeader
            {
                Maintainers = Enumerable.Range(0, random.Next(Bad() ? 0 : 1, 3)).Select(_ => Value(Maintainers)!).ToList(),
                CommentLines = Enumerable.Range(0, random.Next(0, 3)).Select(_ => Value(Comments)!).ToList(),
                GitRepo = Value(Repos.Where(r => !string.IsNullOrEmpty(r)).ToArray()),
                GitFetch = Value(Fetches),
                Builder = Value(Builders),
            };
            if (random.NextDouble() < 0.2)
            {
                var other = new (string, string)[]
                {
                    ("amd64-GitCommit", Sha1), ("Architectures", "amd64, arm64v8"), ("File", "Dockerfile.x"), ("arm64v8-Directory", "3.14/x"),
                    ("Constraints", "windowsservercore"), ("SharedTags", "shared-h"), ("GitCommit", Sha1), ("Directory", "base"),
                };
                var (key, value) = Pick(other);
                header.OtherFields.Add(new KeyValuePair<string, string>(Bad() ? HostileValue(key) : key, Bad() ? HostileValue(value) : value));
            }

            return header;
        }

        public PythonImage Image(int index)
        {
            var image = new PythonImage("3.14", "3.14.6", "trixie")
            {
                Tags = Enumerable.Range(0, random.Next(Bad() ? 0 : 1, 4)).Select(t => Bad() ? HostileValue(Pick(Tags)) : Pick(Tags) + "-" + index + "-" + t).ToArray(),
                SharedTags = Enumerable.Range(0, random.Next(0, 3)).Select(_ => Bad() ? HostileValue(Pick(Tags)) : "shared" + random.Next(3)).ToArray(),
                Architectures = Enumerable.Range(0, random.Next(Bad() ? 0 : 1, 4)).Select(_ => Bad() ? HostileValue(Pick(Arches)) : Pick(Arches)).ToArray(),
                Directory = Value(Directories)! is { } d && d.Length > 0 && d != "." && random.Next(2) == 0 ? d + "/" + index : Value(Directories)!,
                File = Value(Files),
                GitRepo = Value(Repos),
                GitFetch = Value(Fetches),
                GitCommit = Bad() ? HostileValue(Pick(Commits)) : Pick(Commits),
                Builder = Value(Builders),
                Constraints = Enumerable.Range(0, random.Next(0, 3)).Select(_ => Bad() ? HostileValue(Pick(Constraints)) : Pick(Constraints)).ToArray(),
            };
            for (int i = random.Next(0, 3); i > 0; i--)
            {
                string kind = Pick(ArchFieldKinds);
                string key = Pick(Arches) + "-" + kind;
                string value = kind switch
                {
                    "GitRepo" => "https://github.com/o/other.git",
                    "GitFetch" => "refs/heads/other",
                    "GitCommit" => Sha1,
                    "Directory" => "other/dir",
                    "File" => "Dockerfile.other",
                    _ => "classic",
                };
                image.ArchitectureFields[Bad() ? HostileValue(key) : key] = Bad() ? HostileValue(value) : value;
            }

            return image;
        }
    }
}
