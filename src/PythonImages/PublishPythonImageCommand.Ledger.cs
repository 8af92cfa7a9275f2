using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PythonImages.Engine.Registry;
using PythonImages.Ledger;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>Publish-PythonImage -Ledger: pushed digests recorded in the build ledger; -SharedTagsOnly: indexes from a merged ledger.</summary>
    public sealed partial class PublishPythonImageCommand
    {
        private const string SharedSet = "SharedTagsOnly";
        private string? ledgerPath;
        private BuildLedger? ledger;

        /// <summary>
        /// A build ledger (Invoke-PythonImageBuild -Ledger, Merge-PythonBuildLedger): the digest of every pushed tag is recorded
        /// in the entry of the image it came from. With -SharedTagsOnly: the ledger whose pushed images the indexes list.
        /// </summary>
        [Parameter(ParameterSetName = InputSet)]
        [Parameter(ParameterSetName = ImageSet)]
        [Parameter(Mandatory = true, ParameterSetName = SharedSet)]
        [ValidateNotNullOrEmpty]
        public string? Ledger { get; set; }

        /// <summary>
        /// Push nothing: write the multi-platform index of every shared tag of the -Ledger's images from the digests the ledger
        /// recorded under -Registry (the final job of a CI run, after Merge-PythonBuildLedger).
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = SharedSet)]
        public SwitchParameter SharedTagsOnly { get; set; }

        /// <summary>Reads -Ledger (a terminating error when it is unusable); a missing ledger is an error only for -SharedTagsOnly.</summary>
        private void ReadLedger()
        {
            if (Ledger == null)
            {
                return;
            }

            ledgerPath = LedgerFiles.ResolveTarget(this, Ledger);
            if (!SharedTagsOnly)
            {
                LedgerFiles.WarnIfUnlocked(this, ledgerPath); // -SharedTagsOnly only reads it
            }

            try
            {
                ledger = SharedTagsOnly || System.IO.File.Exists(ledgerPath) ? LedgerJson.Read(ledgerPath) : new BuildLedger();
            }
            catch (LedgerException ex)
            {
                ThrowTerminatingError(LedgerFiles.Record(ex, Ledger));
            }
        }

        /// <summary>Records the digests of pushed (or already present) tags in the ledger entries of their image, and writes the ledger.</summary>
        private void RecordPushed(IReadOnlyList<PublishOutcome>? outcomes)
        {
            if (ledger == null || outcomes == null)
            {
                return;
            }

            var pushed = outcomes.Select(o => o.Result).Where(r => !r.IsIndex && r.Digest != null && r.Status != PublishStatus.Failed).ToList();
            if (pushed.Count == 0)
            {
                return;
            }

            try
            {
                // The ledger as it is now, not as it was read: Invoke-PythonImageBuild -Ledger earlier in the pipeline
                // records each build in it while this command runs.
                LedgerJson.Update(ledgerPath!, current => Record(current, pushed));
            }
            catch (LedgerException ex)
            {
                WriteError(LedgerFiles.Record(ex, ledgerPath));
            }
        }

        /// <summary>Records <paramref name="pushed"/> in the entries of their images; whether anything changed.</summary>
        private static bool Record(BuildLedger ledger, List<PublishResult> pushed)
        {
            bool changed = false;
            var bySource = ledger.EntriesOf(pushed.Select(r => r.Source));
            foreach (var result in pushed)
            {
                foreach (var entry in bySource.TryGetValue(result.Source, out var found) ? found : new List<LedgerEntry>())
                {
                    changed |= !entry.Pushed.TryGetValue(result.Reference, out string? digest) || digest != result.Digest;
                    entry.Pushed[result.Reference] = result.Digest!;
                }
            }

            return changed;
        }

        /// <summary>-SharedTagsOnly: every ledger image pushed under -Registry joins the indexes of its shared tags.</summary>
        private void AddLedgerImages()
        {
            if (!SharedTagsOnly || ledger == null)
            {
                return;
            }

            int added = 0;
            var multiPlatform = MultiPlatformTags(ledger);
            foreach (var entry in ledger.Entries)
            {
                // The shared tags, and the image's own tags that other platforms' legs pushed too (each leg overwrote the
                // others'): both become multi-platform indexes.
                var indexTags = entry.SharedTags.Concat(entry.Tags.Where(multiPlatform.ContainsKey).Select(t => multiPlatform[t])).Distinct(StringComparer.Ordinal).ToList();
                if (indexTags.Count == 0)
                {
                    continue;
                }

                foreach (var pushed in entry.Pushed)
                {
                    var reference = ImageReference.Parse(pushed.Key, PythonImages.Publish.PublishErrorIds.InvalidImage);
                    if (Guard(() => RunPumped(ct => publisher!.AddPushedAsync(entry.Key, reference, pushed.Value, indexTags, ct)), entry.Key, terminating: false))
                    {
                        added++;
                        break; // one pushed manifest per image and platform
                    }
                }
            }

            WriteVerbose($"The ledger lists {added} image(s) pushed under {Registry} with shared tags or tags of several platforms.");
            if (added == 0)
            {
                WriteWarning($"The ledger {ledgerPath} records no image pushed under {Registry} with shared tags: no index to write.");
            }
        }

        /// <summary>The image tags (full references) that entries of more than one platform carry → their tag names.</summary>
        private static Dictionary<string, string> MultiPlatformTags(BuildLedger ledger) => ledger.Entries
            .SelectMany(e => e.Tags.Select(t => (Reference: t, e.Platform)))
            .GroupBy(x => x.Reference, StringComparer.Ordinal)
            .Where(g => g.Select(x => x.Platform).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(g => (g.Key, Tag: ImageReference.Parse(g.Key, PythonImages.Publish.PublishErrorIds.InvalidImage).Tag))
            .Where(x => x.Tag != null)
            .ToDictionary(x => x.Key, x => x.Tag!, StringComparer.Ordinal);
    }
}
