using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Text;
using System.Text.Json;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.ImageBuild
{
    /// <summary>
    /// Invoke-PythonImageBuild -Ledger with a deployment's ledger key (-LedgerKey, PYTHONIMAGES_LEDGER_KEY), against the
    /// real engine: without a key every user of the matrix shares the fingerprints' salts, so a ledger's fingerprints of
    /// common values could be precomputed; with one they are keyed, a key given, dropped or changed rebuilds once with its
    /// reason, the same key in another process (another machine) records the same fingerprints, and the key itself never
    /// reaches a stream, an error, a result or the ledger.
    /// </summary>
    public sealed class LedgerKeyTests : IDisposable
    {
        private readonly Contexts contexts = new Contexts("s16key");
        private readonly ModuleSession session = new ModuleSession();
        private readonly string dir = Directory.CreateTempSubdirectory("pitest16-ledgerkey-").FullName;

        /// <summary>A secret no other text contains: anything that shows it is a leak.</summary>
        private readonly string secret = "pi16-" + Guid.NewGuid().ToString("N");

        private readonly List<string> seen = new List<string>();

        public void Dispose()
        {
            session.Dispose();
            contexts.Dispose();
            Directory.Delete(dir, true);
        }

        private string Ledger(string name = "ledger.json") => Path.Combine(dir, name);

        /// <summary>Builds the context into the ledger with the verbose and debug streams on; everything the command showed is kept in <see cref="seen"/>.</summary>
        private PsResult Build(string context, string extra, string ledger = "ledger.json")
        {
            var vars = new Dictionary<string, object?>
            {
                ["ctx"] = context,
                ["repo"] = contexts.Repository,
                ["ledger"] = Ledger(ledger),
                ["key"] = new NetworkCredential(string.Empty, secret).SecurePassword,
                ["otherKey"] = new NetworkCredential(string.Empty, "another-key-" + Guid.NewGuid().ToString("N")).SecurePassword,
                ["shortKey"] = new NetworkCredential(string.Empty, secret[..15]).SecurePassword,
            };
            var r = session.Run("$DebugPreference = 'Continue'; Invoke-PythonImageBuild -Path $ctx -Repository $repo -Tag keyed -Ledger $ledger -BuildArg @{ TOKEN = 'hunter2' } -Verbose" + extra + " 5>&1", vars);
            seen.AddRange(Texts(r));
            return r;
        }

        private static (string Status, string Reason, string ImageId) Result(PsResult r)
        {
            Assert.False(r.AllErrors.Any(), string.Join(" | ", r.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
            var o = r.Output.Single(o => o.Properties["Status"] != null);
            return (o.Properties["Status"].Value.ToString()!, (string)o.Properties["Reason"].Value, (string)o.Properties["ImageId"].Value);
        }

        /// <summary>Every text the command showed: results (each property), errors (message, details, advice, target, exception), all streams, the host.</summary>
        private static IEnumerable<string> Texts(PsResult r)
        {
            foreach (var o in r.Output)
            {
                yield return o.ToString();
                foreach (var p in o.Properties)
                {
                    object? value = null;
                    try
                    {
                        value = p.Value;
                    }
                    catch (GetValueInvocationException)
                    {
                    }

                    yield return value is IEnumerable e and not string ? string.Join(" ", e.Cast<object?>()) : value?.ToString() ?? string.Empty;
                }
            }

            foreach (var e in r.AllErrors)
            {
                yield return e.ToString() + "\n" + e.Exception + "\n" + e.ErrorDetails?.Message + "\n" + e.ErrorDetails?.RecommendedAction + "\n" + e.TargetObject + "\n" + e.CategoryInfo;
            }

            foreach (var w in r.Warnings.Concat<InformationalRecord>(r.Verbose))
            {
                yield return w.Message;
            }

            foreach (var i in r.Information)
            {
                yield return i.MessageData?.ToString() ?? string.Empty;
            }

            yield return r.HostText;
        }

        private string Fingerprint(string ledger = "ledger.json")
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Ledger(ledger)));
            return doc.RootElement.GetProperty("images")[0].GetProperty("buildArgs").GetProperty("TOKEN").GetString()!;
        }

        [DockerFact]
        public void AKeyedLedgerSkipsWithTheSameKeyRebuildsOnceWithTheReasonWhenTheKeyChangesAndNeverShowsTheKey()
        {
            string c0 = contexts.Small("keyed");
            var first = Result(Build(c0, " -LedgerKey $key"));
            Assert.Equal("Built", first.Status);
            string keyed = Fingerprint();
            Assert.Matches("^hmac-pbkdf2-sha256:[0-9a-f]{16}:[0-9a-f]{64}$", keyed);
            Assert.Contains(seen, t => t.Contains("with the ledger key of -LedgerKey (id " + keyed.Split(':')[1] + ")", StringComparison.Ordinal));
            Assert.Equal("Skipped", Result(Build(c0, " -LedgerKey $key")).Status);

            // Without the key: the fingerprints of now cannot equal the keyed ones; built once, with the reason, recorded unkeyed.
            var without = Result(Build(c0, string.Empty));
            Assert.Equal("Built", without.Status);
            Assert.StartsWith("its build arguments were recorded with a ledger key and none is given now", without.Reason, StringComparison.Ordinal);
            Assert.StartsWith("pbkdf2-sha256:", Fingerprint(), StringComparison.Ordinal);
            Assert.Equal("Skipped", Result(Build(c0, string.Empty)).Status);

            var with = Result(Build(c0, " -LedgerKey $key"));
            Assert.Equal("Built", with.Status);
            Assert.StartsWith("its build arguments were recorded without a ledger key; it is built once", with.Reason, StringComparison.Ordinal);
            Assert.Equal(keyed, Fingerprint());

            var other = Result(Build(c0, " -LedgerKey $otherKey"));
            Assert.Equal("Built", other.Status);
            Assert.StartsWith("its build arguments were recorded with another ledger key; it is built once", other.Reason, StringComparison.Ordinal);
            Assert.NotEqual(keyed, Fingerprint());

            // A key too short: a terminating Ledger.InvalidKey before anything is built or written; so is a key without a ledger.
            byte[] before = File.ReadAllBytes(Ledger());
            var shortKey = Build(c0, " -LedgerKey $shortKey");
            var error = shortKey.AllErrors.Single();
            Assert.Equal("Ledger.InvalidKey", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Contains("-LedgerKey", error.Exception.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(shortKey.Output, o => o.Properties["Status"] != null);
            Assert.Equal(before, File.ReadAllBytes(Ledger()));
            var noLedger = session.Run("Invoke-PythonImageBuild -Path $ctx -Repository $repo -LedgerKey $key", new Dictionary<string, object?> { ["ctx"] = c0, ["repo"] = contexts.Repository, ["key"] = new NetworkCredential(string.Empty, secret).SecurePassword });
            Assert.Equal("Ledger.InvalidKey", noLedger.AllErrors.Single().FullyQualifiedErrorId.Split(',')[0]);
            Assert.Empty(noLedger.Output);
            seen.AddRange(Texts(noLedger));

            // The key, its first characters or its bytes in hexadecimal or base64: in no stream, error, result or ledger.
            seen.Add(File.ReadAllText(Ledger()));
            Assert.True(seen.Count > 20);
            foreach (string form in new[] { secret, secret[..15], Convert.ToHexStringLower(Encoding.UTF8.GetBytes(secret)), Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)) })
            {
                Assert.DoesNotContain(seen, t => t.Contains(form, StringComparison.OrdinalIgnoreCase));
            }
        }

        [PwshDockerFact]
        public void TheSameKeyInAnotherProcessFromTheEnvironmentRecordsTheSameFingerprintsAndTheLedgersMerge()
        {
            // Two machines of one deployment: this process with -LedgerKey, a real pwsh with PYTHONIMAGES_LEDGER_KEY (a CI secret).
            string c0 = contexts.Small("two machines");
            Assert.Equal("Built", Result(Build(c0, " -LedgerKey $key", "a.json")).Status);

            Pwsh.Result Elsewhere(string ledger, string key) => Pwsh.Run(
                $"Import-Module {Pwsh.Quote(ModuleSession.ManifestPath)} -ErrorAction Stop\n"
                + $"Invoke-PythonImageBuild -Path {Pwsh.Quote(c0)} -Repository {Pwsh.Quote(contexts.Repository)} -Tag keyed -Ledger {Pwsh.Quote(Ledger(ledger))} -BuildArg @{{ TOKEN = 'hunter2' }} -ErrorAction Stop | ForEach-Object {{ 'STATUS ' + $_.Status + ': ' + $_.Reason }}\n",
                dir,
                new Dictionary<string, string?> { ["PYTHONIMAGES_LEDGER_KEY"] = key });

            // The ledger written here, read there with the key from the environment: unchanged, so skipped.
            File.Copy(Ledger("a.json"), Ledger("copy.json"));
            var skipped = Elsewhere("copy.json", secret);
            Assert.True(skipped.ExitCode == 0 && skipped.Output.Contains("STATUS Skipped", StringComparison.Ordinal), skipped.ToString());

            // A ledger of its own there: the same fingerprint; the two ledgers merge into one entry.
            var b = Elsewhere("b.json", secret);
            Assert.True(b.ExitCode == 0 && b.Output.Contains("STATUS Built", StringComparison.Ordinal), b.ToString());
            Assert.Equal(Fingerprint("a.json"), Fingerprint("b.json"));
            var merged = session.Run("Merge-PythonBuildLedger -Path $a, $b -Destination $m -PassThru", new Dictionary<string, object?> { ["a"] = Ledger("a.json"), ["b"] = Ledger("b.json"), ["m"] = Ledger("merged.json") });
            Assert.Empty(merged.AllErrors);
            Assert.Equal(Fingerprint("a.json"), Fingerprint("merged.json"));

            // Another key there: its fragment does not merge silently; the conflict says why.
            var c = Elsewhere("c.json", "another-key-" + Guid.NewGuid().ToString("N"));
            Assert.True(c.ExitCode == 0, c.ToString());
            var conflict = session.Run("Merge-PythonBuildLedger -Path $a, $c -Destination $m -Force", new Dictionary<string, object?> { ["a"] = Ledger("a.json"), ["c"] = Ledger("c.json"), ["m"] = Ledger("merged.json") });
            var error = conflict.AllErrors.Single();
            Assert.Equal("Ledger.Conflict", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("fingerprinted with different ledger keys", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("same ledger key", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            foreach (var text in new[] { skipped.ToString(), b.ToString(), c.ToString(), File.ReadAllText(Ledger("merged.json")) }.Concat(Texts(merged)).Concat(Texts(conflict)))
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }
}
