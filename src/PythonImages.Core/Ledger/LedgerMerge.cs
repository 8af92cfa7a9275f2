using System;
using System.Collections.Generic;

namespace PythonImages.Ledger
{
    /// <summary>
    /// Merges ledger fragments (one per CI leg) into one ledger. The rule: an image and platform recorded by one fragment
    /// is taken as it is; recorded by several, the records must be the same build (inputs, image id, tags), and their
    /// pushed digests are joined (one reference pushed with two digests is a conflict too). Anything else is a
    /// <see cref="LedgerErrorIds.Conflict"/> naming both fragments, and nothing is merged.
    /// </summary>
    public static class LedgerMerge
    {
        /// <summary>The merged ledger of <paramref name="fragments"/> (source name, ledger), in order.</summary>
        public static BuildLedger Merge(IEnumerable<KeyValuePair<string, BuildLedger>> fragments)
        {
            var merged = new BuildLedger();
            var from = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var fragment in fragments)
            {
                foreach (var entry in fragment.Value.Entries)
                {
                    var existing = merged.Find(entry.Image, entry.Platform);
                    if (existing == null)
                    {
                        merged.Set(entry.Clone());
                        from[entry.Key] = fragment.Key;
                        continue;
                    }

                    if (!existing.SameBuild(entry))
                    {
                        throw BuildArgFingerprint.KeysDiffer(existing.BuildArgs, entry.BuildArgs)
                            ? Conflict(entry, from[entry.Key], fragment.Key, "their build arguments were fingerprinted with different ledger keys (or one with none)", "Give every leg of the run the same ledger key (-LedgerKey or PYTHONIMAGES_LEDGER_KEY), or none, and build again.")
                            : Conflict(entry, from[entry.Key], fragment.Key, $"the builds differ (image {existing.ImageId} and {entry.ImageId})");
                    }

                    foreach (var pushed in entry.Pushed)
                    {
                        if (existing.Pushed.TryGetValue(pushed.Key, out string? digest) && !string.Equals(digest, pushed.Value, StringComparison.Ordinal))
                        {
                            throw Conflict(entry, from[entry.Key], fragment.Key, $"{pushed.Key} was pushed as {digest} and as {pushed.Value}");
                        }

                        existing.Pushed[pushed.Key] = pushed.Value;
                    }
                }
            }

            return merged;
        }

        private static LedgerException Conflict(LedgerEntry entry, string first, string second, string why, string? action = null) =>
            new LedgerException(
                LedgerErrorIds.Conflict,
                $"The ledger fragments '{first}' and '{second}' both record {entry.Key}, and {why}. Nothing was merged.",
                action ?? $"Merge the fragments of one run only (each image and platform is built by one leg), or leave out the stale one ('{first}' or '{second}').");
    }
}
