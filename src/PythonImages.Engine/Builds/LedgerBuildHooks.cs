using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Ledger;
using PythonImages.Security;

namespace PythonImages.Engine.Builds
{
    /// <summary>
    /// Incremental builds with a ledger: the pre-build hook compares each job's inputs with its ledger entry and the
    /// engine (Build, Retag or Skip, with the reason); the post-build hook records each image that was built or retagged
    /// and writes the whole ledger at once, atomically, right away (an interrupted run keeps what finished). A failed or
    /// cancelled build records nothing. A job is decided once: the plan shown by -WhatIf is the one that runs.
    /// </summary>
    public sealed class LedgerBuildHooks : IBuildDecider, IPostBuildHook
    {
        private readonly object gate = new object();
        private readonly string path;
        private readonly BuildLedger ledger;
        private readonly ImageBuildOptions options;
        private readonly LedgerKey? key;
        private readonly Dictionary<ImageBuildJob, Plan> plans = new Dictionary<ImageBuildJob, Plan>();
        private readonly HashSet<string> rebuilt = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// Hooks that decide against <paramref name="ledger"/> (read from <paramref name="path"/>, or new) and write it back
        /// there; build arguments are fingerprinted with the deployment's <paramref name="key"/> when one is given.
        /// </summary>
        public LedgerBuildHooks(string path, BuildLedger ledger, ImageBuildOptions options, LedgerKey? key = null)
        {
            this.path = path;
            this.ledger = ledger;
            this.options = options;
            this.key = key;
        }

        /// <inheritdoc/>
        public async Task<BuildDecision> DecideAsync(ImageBuildJob job, EngineTarget engine, CancellationToken cancellationToken)
        {
            lock (gate)
            {
                if (plans.TryGetValue(job, out var planned))
                {
                    return planned.Decision;
                }
            }

            var plan = new Plan();
            try
            {
                string platform = LedgerInputs.PlatformOf(options.Platform, engine.Info);
                plan.Inputs = (await LedgerInputs.ReadAsync(job, engine.Engine, platform, options.BuildArgs, key, cancellationToken).ConfigureAwait(false)).Entry;
            }
            catch (LedgerException ex)
            {
                plan.Decision = Build(ex.Message);
            }

            if (plan.Inputs != null)
            {
                LedgerEntry? previous;
                lock (gate)
                {
                    previous = ledger.Find(plan.Inputs.Image, plan.Inputs.Platform)?.Clone();
                }

                plan.Previous = previous;
                await DecideAsync(job, engine.Engine, plan, cancellationToken).ConfigureAwait(false);
            }

            lock (gate)
            {
                plans[job] = plan;
                if (plan.Decision.Action == BuildAction.Build)
                {
                    foreach (var reference in job.References)
                    {
                        rebuilt.Add(reference);
                    }
                }
            }

            return plan.Decision;
        }

        /// <inheritdoc/>
        public async Task AfterBuildAsync(ImageBuildOutcome outcome, EngineTarget engine, IImageBuildEvents events, CancellationToken cancellationToken)
        {
            Plan? plan;
            lock (gate)
            {
                plans.TryGetValue(outcome.Job, out plan);
            }

            if (plan?.Inputs == null || outcome.ImageId == null || !LedgerGrammar.Digest.IsMatch(outcome.ImageId))
            {
                return;
            }

            var entry = outcome.Action == BuildAction.Retag && plan.Previous != null ? plan.Previous.Clone() : plan.Inputs.Clone();
            if (outcome.Action == BuildAction.Build)
            {
                // The base image the build used: -Pull may have brought a newer one.
                await LedgerInputs.ReadBaseAsync(entry, engine.Engine, cancellationToken).ConfigureAwait(false);
                entry.Created = DateTime.UtcNow;
                entry.Pushed.Clear();
            }

            entry.ImageId = outcome.ImageId;
            entry.Tags = outcome.Job.References.ToList();
            entry.SharedTags = (outcome.Job.Image?.SharedTags ?? Array.Empty<string>()).Where(InputGrammar.DockerTag.IsMatch).ToList();
            try
            {
                lock (gate)
                {
                    ledger.Set(entry);
                }

                // The file as it is now: Publish-PythonImage -Ledger later in the pipeline records pushes in it meanwhile.
                LedgerJson.Update(path, current =>
                {
                    current.Set(entry.Clone());
                    return true;
                });
            }
            catch (LedgerException ex)
            {
                events.Failure(outcome.Job, new BuildFailure(BuildFailureKind.HookFailed, ex.Message + " The image itself was built; the next run builds it again.")
                {
                    ErrorId = ex.ErrorId,
                    Exception = ex,
                    RecommendedAction = ex.RecommendedAction,
                });
            }
        }

        private async Task DecideAsync(ImageBuildJob job, IDockerEngine engine, Plan plan, CancellationToken ct)
        {
            var now = plan.Inputs!;
            var was = plan.Previous;
            string? change = was == null ? "it is not in the ledger yet" : Changed(was, now);
            if (change != null)
            {
                plan.Decision = Build(change);
                return;
            }

            var image = await engine.InspectImageAsync(was!.ImageId, ct).ConfigureAwait(false);
            if (image == null || !string.Equals(image.Id, was.ImageId, StringComparison.Ordinal))
            {
                plan.Decision = Build($"its image {Short(was.ImageId)} is no longer on the engine");
                return;
            }

            bool sameTags = was.Tags.SequenceEqual(job.References, StringComparer.Ordinal);
            var missing = job.References.Where(r => !Tagged(image, r)).ToList();
            if (!sameTags || missing.Count > 0)
            {
                plan.Decision = BuildDecision.Retag(was.ImageId, !sameTags
                    ? "its inputs are unchanged, only its tags changed"
                    : $"its inputs are unchanged, but {string.Join(", ", missing)} no longer point to it");
                return;
            }

            plan.Decision = BuildDecision.Skip($"unchanged since {was.Created.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC (Dockerfile, context, build arguments, base image and tags)", was.ImageId);
        }

        /// <summary>Why the inputs differ, or null: the first difference, in the order a reader checks them.</summary>
        private string? Changed(LedgerEntry was, LedgerEntry now)
        {
            if (!string.Equals(was.DockerfileSha256, now.DockerfileSha256, StringComparison.Ordinal))
            {
                return "its Dockerfile changed";
            }

            if (!string.Equals(was.ContextDigest, now.ContextDigest, StringComparison.Ordinal))
            {
                return "its build context changed";
            }

            if (!was.SameInputs(new LedgerEntry { Image = now.Image, Platform = now.Platform, DockerfileSha256 = was.DockerfileSha256, ContextDigest = was.ContextDigest, BuildArgs = now.BuildArgs, BaseImage = was.BaseImage, BaseImageId = was.BaseImageId }))
            {
                // An entry of an earlier version (plain sha256 of each value), or of another ledger key (or none), never
                // equals a fingerprint of now: one rebuild records it anew, and says so.
                return BuildArgFingerprint.KeyChange(was.BuildArgs, now.BuildArgs) ?? "its build arguments changed";
            }

            if (!string.Equals(was.BaseImage, now.BaseImage, StringComparison.Ordinal))
            {
                return $"its base image changed from {was.BaseImage ?? "scratch"} to {now.BaseImage ?? "scratch"}";
            }

            if (now.BaseImage != null && IsRebuilt(now.BaseImage))
            {
                return $"its base image {now.BaseImage} is rebuilt in this run";
            }

            return string.Equals(was.BaseImageId, now.BaseImageId, StringComparison.Ordinal)
                ? null
                : $"its base image {now.BaseImage} changed ({Short(was.BaseImageId)} then, {(now.BaseImageId == null ? "not on the engine" : Short(now.BaseImageId))} now)";
        }

        private bool IsRebuilt(string baseImage)
        {
            lock (gate)
            {
                return rebuilt.Contains(baseImage)
                    || (ImageReference.TryParse(baseImage, out var parsed) && parsed!.Tag == null && parsed.Digest == null && rebuilt.Contains(baseImage + ":latest"));
            }
        }

        private static bool Tagged(ImageDetails image, string reference) =>
            image.RepoTags.Contains(reference, StringComparer.Ordinal)
            || image.RepoTags.Contains("docker.io/library/" + reference, StringComparer.Ordinal)
            || image.RepoTags.Contains("docker.io/" + reference, StringComparer.Ordinal);

        private static BuildDecision Build(string reason) => BuildDecision.BuildBecause(reason);

        private static string Short(string? id) => id == null ? "none" : id.StartsWith("sha256:", StringComparison.Ordinal) && id.Length > 19 ? id.Substring(7, 12) : id;

        private sealed class Plan
        {
            public BuildDecision Decision { get; set; } = BuildDecision.Build;

            public LedgerEntry? Inputs { get; set; }

            public LedgerEntry? Previous { get; set; }
        }
    }
}
