using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using PythonImages.Dockerfiles;
using PythonImages.Security;
using Xunit;

namespace PythonImages.Tests.Security
{
    /// <summary>
    /// The hand-written matchers in front of the grammar patterns (GrammarQuick) may only ever accept what the pattern
    /// accepts: checked against the regex on the real values, on mutations of them and on random strings over each
    /// grammar's alphabet. Those that claim to be exact must also accept everything the pattern does.
    /// </summary>
    public class GrammarQuickTests
    {
        public static IEnumerable<object[]> Grammars() => new[]
        {
            new object[] { nameof(InputGrammar.PythonVersion), true, "0123456789.abrc" },
            new object[] { nameof(InputGrammar.VersionKey), true, "0123456789.-rc" },
            new object[] { nameof(InputGrammar.Sha256), true, "0123456789abcdefABCDEFg" },
            new object[] { nameof(InputGrammar.GpgFingerprint), true, "0123456789abcdefABCDEFg" },
            new object[] { nameof(InputGrammar.PackageVersion), false, "0123456789.abrcpostdev" },
            new object[] { nameof(InputGrammar.DockerTag), true, "aZ09_.-/:" },
            new object[] { nameof(InputGrammar.RepositoryPath), false, "az09._-/A" },
            new object[] { nameof(InputGrammar.RegistryHost), false, "aZ09.-:[]" },
            new object[] { nameof(InputGrammar.VariantName), true, "az09.-/windowsA" },
            new object[] { nameof(InputGrammar.RelativeDirectory), true, "aZ09_.-/" },
        };

        private static Grammar Get(string name) => (Grammar)typeof(InputGrammar).GetField(name)!.GetValue(null)!;

        /// <summary>The values of every image of the embedded matrix that each grammar checks when a Dockerfile is rendered.</summary>
        private static IEnumerable<string> RealValues(string name)
        {
            var images = TagRules.Compute(MatrixLoader.Default);
            foreach (var image in images)
            {
                var release = image.Release!;
                var values = name switch
                {
                    nameof(InputGrammar.PythonVersion) => new[] { release.Version.Text },
                    nameof(InputGrammar.VersionKey) => new[] { release.Key.Text },
                    nameof(InputGrammar.Sha256) => new[] { release.SourceSha256, release.WindowsSha256 },
                    nameof(InputGrammar.GpgFingerprint) => new[] { ImageRules.GpgKey(release.Key, release.GpgKey) },
                    nameof(InputGrammar.PackageVersion) => new[] { release.SetuptoolsVersion },
                    nameof(InputGrammar.DockerTag) => image.Tags.Concat(image.SharedTags).ToArray(),
                    nameof(InputGrammar.RepositoryPath) => new[] { "library/python", "python", "library/debian", "windows/servercore" },
                    nameof(InputGrammar.RegistryHost) => new[] { "docker.io", "mcr.microsoft.com", "localhost:5000", "registry-1.docker.io" },
                    nameof(InputGrammar.VariantName) => new[] { image.Variant },
                    nameof(InputGrammar.RelativeDirectory) => new[] { image.Directory },
                    _ => throw new ArgumentOutOfRangeException(nameof(name)),
                };
                foreach (var v in values)
                {
                    if (v != null)
                    {
                        yield return v;
                    }
                }
            }
        }

        [Theory]
        [MemberData(nameof(Grammars))]
        public void TheRealValuesNeedNoRegex(string name, bool exact, string alphabet)
        {
            _ = exact;
            _ = alphabet;
            var grammar = Get(name);
            var values = RealValues(name).Distinct().ToList();
            Assert.NotEmpty(values);
            Assert.All(values, v => Assert.True(grammar.QuickAccepts(v), $"{name}: '{v}' would need the regex"));
            Assert.All(values, v => Assert.True(grammar.PatternAccepts(v), $"{name}: '{v}' is not even valid"));
        }

        [Theory]
        [MemberData(nameof(Grammars))]
        public void TheMatcherNeverAcceptsWhatThePatternRejects(string name, bool exact, string alphabet)
        {
            var grammar = Get(name);
            var random = new Random(name.Sum(c => c) * 7919); // a fixed seed per grammar
            var seeds = RealValues(name).Distinct().Concat(Edges(grammar)).ToList();
            int quick = 0, pattern = 0, checkedValues = 0;
            foreach (var value in seeds.Concat(Mutations(seeds, alphabet, random, 6000)).Concat(Randoms(alphabet, random, 6000, grammar.MaxLength + 2)))
            {
                if (value.Length == 0 || value.Length > grammar.MaxLength)
                {
                    continue; // the length check runs before either matcher
                }

                checkedValues++;
                bool q = grammar.QuickAccepts(value);
                bool p = grammar.PatternAccepts(value);
                quick += q ? 1 : 0;
                pattern += p ? 1 : 0;
                Assert.False(q && !p, $"{name}: the quick matcher accepts '{InputGrammar.Show(value)}', the pattern does not");
                if (exact)
                {
                    Assert.False(p && !q, $"{name}: the pattern accepts '{InputGrammar.Show(value)}', the exact quick matcher does not");
                }
            }

            // The generator must reach both sides, or the test proves nothing.
            Assert.True(quick > 50, $"{name}: only {quick} of {checkedValues} values were accepted");
            Assert.True(checkedValues - pattern > 50, $"{name}: only {checkedValues - pattern} of {checkedValues} values were rejected");
        }

        [Fact]
        public void WhyStillRejectsWithThePatternsMessage()
        {
            // A value the quick matcher does not take goes to the pattern, which decides and explains as before.
            Assert.Null(InputGrammar.PackageVersion.Why("1.0rc1.post2.dev3"));
            Assert.False(InputGrammar.PackageVersion.QuickAccepts("1.0rc1.post2.dev3"));
            Assert.Contains("not a valid package version", InputGrammar.PackageVersion.Why("1.0rc1.post"), StringComparison.Ordinal);
            Assert.Contains("not a valid version key", InputGrammar.VersionKey.Why("3.14-rc1"), StringComparison.Ordinal);
            Assert.Null(InputGrammar.RegistryHost.Why("[::1]:5000"));
            Assert.False(InputGrammar.RegistryHost.QuickAccepts("[::1]:5000"));
        }

        private static IEnumerable<string> Edges(Grammar grammar)
        {
            yield return ".";
            yield return "..";
            yield return "...";
            yield return "a/./b";
            yield return "a/../b";
            yield return "windows/";
            yield return "windows/x";
            yield return "0.0.0";
            yield return "0.0";
            yield return "00.1";
            yield return "1.00";
            yield return "9999.9999.9999rc9999";
            yield return "10000.1.1";
            yield return "3.14-rc";
            yield return "3.14-r";
            yield return "a:";
            yield return "a:123456";
            yield return "-a.b";
            yield return "a-.b";
            yield return "_";
            yield return new string('a', 63);
            yield return new string('a', 64);
            yield return new string('a', 65);
            yield return "x" + new string('1', 127);
            yield return "x" + new string('1', 128);
            yield return new string('a', 128) + "/" + new string('b', 128);
            yield return new string('a', 129);
            yield return string.Join(".", Enumerable.Repeat("123456", 6));
            yield return string.Join(".", Enumerable.Repeat("123456", 7));
            yield return "1234567";
            yield return new string('f', grammar.MaxLength);
        }

        private static IEnumerable<string> Mutations(List<string> seeds, string alphabet, Random random, int count)
        {
            for (int i = 0; i < count; i++)
            {
                var sb = new StringBuilder(seeds[random.Next(seeds.Count)]);
                int edits = 1 + random.Next(3);
                for (int e = 0; e < edits; e++)
                {
                    int at = sb.Length == 0 ? 0 : random.Next(sb.Length);
                    switch (random.Next(4))
                    {
                        case 0:
                            sb.Insert(at, alphabet[random.Next(alphabet.Length)]);
                            break;
                        case 1 when sb.Length > 0:
                            sb.Remove(at, 1);
                            break;
                        case 2 when sb.Length > 0:
                            sb[at] = alphabet[random.Next(alphabet.Length)];
                            break;
                        default:
                            sb.Append(sb.ToString(0, Math.Min(sb.Length, random.Next(1, 8))));
                            break;
                    }
                }

                yield return sb.ToString();
            }
        }

        private static IEnumerable<string> Randoms(string alphabet, Random random, int count, int maxLength)
        {
            for (int i = 0; i < count; i++)
            {
                int length = 1 + random.Next(Math.Min(maxLength, i % 3 == 0 ? maxLength : 16));
                var chars = new char[length];
                for (int j = 0; j < length; j++)
                {
                    chars[j] = alphabet[random.Next(alphabet.Length)];
                }

                yield return new string(chars);
            }
        }
    }
}
