using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;
using PythonImages.Security;

namespace PythonImages.Engine.Builds
{
    /// <summary>What happened to one job while it ran (before it is reported).</summary>
    internal sealed class BuildRun
    {
        public BuildRun(ImageBuildJob job)
        {
            Job = job;
        }

        public ImageBuildJob Job { get; }

        public BuildDecision Decision { get; set; } = BuildDecision.Build;

        public EngineBuildResult? Build { get; set; }

        public BuildContextException? ContextError { get; set; }

        public Exception? EngineError { get; set; }

        public EngineStalledException? Stalled { get; set; }

        public Exception? LogError { get; set; }

        public BuildFailureHints.Tracker Hints { get; } = new BuildFailureHints.Tracker();

        public IReadOnlyList<ForeignTag> ForeignTags { get; set; } = Array.Empty<ForeignTag>();

        public TimeSpan Duration { get; set; }

        public long Size { get; set; }

        public string? LogPath { get; set; }
    }

    /// <content>Running one job on its engine.</content>
    public sealed partial class BuildOrchestrator
    {
        /// <summary>Runs on the thread pool; reports only progress and log lines (the rest once the run is over).</summary>
        private async Task<BuildRun> RunAsync(ImageBuildJob job, CancellationToken ct)
        {
            var run = new BuildRun(job);
            var watch = Stopwatch.StartNew();
            var target = job.Engine ?? throw new InvalidOperationException("The job was not prepared (BuildOrchestrator.Prepare).");
            string prefix = options.ThrottleLimit > 1 || interleaved ? "[" + job.DisplayName + "] " : string.Empty;
            Progress(ActivityOf(job), "Building " + job.DisplayName, "Sending build context", 0);
            if (Decider != null)
            {
                run.Decision = await Decider.DecideAsync(job, target, ct).ConfigureAwait(false);
                if (run.Decision.Action != BuildAction.Build)
                {
                    await ApplyDecisionAsync(run, target, prefix, ct).ConfigureAwait(false);
                    if (run.Decision.Action == BuildAction.Retag && run.EngineError == null && run.Stalled == null && AfterBuild != null)
                    {
                        await RunAfterBuildAsync(run, target, ct).ConfigureAwait(false); // a retag changes what the image is tagged with
                    }

                    run.Duration = watch.Elapsed;
                    return run;
                }

                if (run.Decision.Reason != null)
                {
                    events.LogLine(job, $"{prefix}Building {job.DisplayName}: {run.Decision.Reason}");
                }
            }

            events.LogLine(job, $"{prefix}Building {job.DockerfilePath} (context {job.ContextPath}) with the classic builder (API version=1) on {target.Info.Endpoint}.");

            // The full log goes to disk as it arrives; memory keeps the engine's bounded tail only.
            BuildLogFile? log = null;
            if (logs.Enabled)
            {
                string file = logs.FileFor(job);
                try
                {
                    log = BuildLogFile.Start(file);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    run.LogError = ex;
                    run.LogPath = file;
                    return run;
                }
            }

            try
            {
                await BuildOnEngineAsync(run, target, log, prefix, ct).ConfigureAwait(false);
                run.Duration = watch.Elapsed;
                if (log != null && (run.Build != null || run.Stalled != null))
                {
                    run.LogPath = log.Target;
                    run.LogError = logs.Commit(log, BuildLogs.Header(run));
                }

                if (run.Build?.Succeeded == true && AfterBuild != null)
                {
                    await RunAfterBuildAsync(run, target, ct).ConfigureAwait(false);
                }

                return run;
            }
            finally
            {
                log?.Dispose();
            }
        }

        private async Task BuildOnEngineAsync(BuildRun run, EngineTarget target, BuildLogFile? log, string prefix, CancellationToken ct)
        {
            var job = run.Job;
            var router = new BuildEventRouter(this, job, log, run.Hints, prefix);
            try
            {
                // Before anything is sent: the build's labels, and the tags it would move away from images of others.
                var labels = await LabelsAsync(job, target.Engine, ct).ConfigureAwait(false);
                run.ForeignTags = await ImageProvenance.ForeignTagsAsync(target.Engine, job.References, ct).ConfigureAwait(false);
                run.Build = await target.Engine.BuildAsync(Request(job, labels, target.Platform), router, ct).ConfigureAwait(false);
                for (int again = 1; again <= CacheRaceRetries && LostCachedImage(run.Build) is string lost; again++)
                {
                    events.LogLine(job, $"{prefix}The engine's build cache lost {lost} to another client's removal while this build was looking it up (a race of the classic builder, not a fault of the build): building {job.DisplayName} again.");
                    run.Build = await target.Engine.BuildAsync(Request(job, labels, target.Platform), router, ct).ConfigureAwait(false);
                }

                if (run.Build.Succeeded && run.Build.ImageId != null)
                {
                    var details = await target.Engine.InspectImageAsync(run.Build.ImageId, ct).ConfigureAwait(false);
                    run.Size = details?.Size ?? 0;
                }
            }
            catch (BuildContextException ex)
            {
                run.ContextError = ex;
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (EngineStalledException ex)
            {
                run.Stalled = ex;
            }
            catch (Exception ex)
            {
                run.EngineError = ex;
            }
        }

        /// <summary>How often a build that lost the engine's cache-probe race is run again.</summary>
        private const int CacheRaceRetries = 2;

        /// <summary>
        /// The image id when <paramref name="build"/> failed only because the classic builder's cache probe lost a race: it
        /// lists the candidate images (after FROM scratch, every image without a parent; otherwise the base's children) and
        /// then reads each, and one that another client removed in between fails the whole build with exactly
        /// <c>unable to find image "sha256:&lt;64 hex&gt;"</c>. Nothing of the build is wrong, and a second run uses the cache
        /// that is there. Null for every other outcome.
        /// </summary>
        internal static string? LostCachedImage(EngineBuildResult build)
        {
            const string Prefix = "unable to find image \"sha256:";
            string? message = build.Succeeded ? null : build.ErrorMessage?.Trim();
            if (message == null || message.Length != Prefix.Length + 65 || !message.StartsWith(Prefix, StringComparison.Ordinal) || message[message.Length - 1] != '"')
            {
                return null;
            }

            string id = message.Substring(Prefix.Length - 7, 71);
            return EngineGrammar.ImageId.IsMatch(id) ? id : null;
        }

        private EngineBuildRequest Request(ImageBuildJob job, Dictionary<string, string> labels, string? routedPlatform) => new EngineBuildRequest
        {
            ContextDirectory = job.ContextPath,
            Dockerfile = MakeRelative(job.ContextPath, job.DockerfilePath),
            Tags = job.References.ToList(),
            BuildArgs = new Dictionary<string, string>(options.BuildArgs),
            Labels = labels,
            NoCache = options.NoCache,
            Pull = options.Pull,
            NetworkMode = options.Network,
            Platform = options.Platform ?? routedPlatform, // an engine map may build a platform that is not the engine's own (linux/386 on amd64)
            ForceRemoveIntermediate = true,
            RegistryLogins = LoginsOf(job),

            // Windows images use the classic builder (upstream's manifest says so); API builds are classic anyway.
            Builder = BuilderKind.Classic,
        };

        /// <summary>Retag: every reference of the job on the existing image; Skip: nothing, said in the verbose stream.</summary>
        private async Task ApplyDecisionAsync(BuildRun run, EngineTarget target, string prefix, CancellationToken ct)
        {
            var decision = run.Decision;
            var job = run.Job;
            events.LogLine(job, $"{prefix}{(decision.Action == BuildAction.Retag ? "Tagging " + decision.ImageId + " as " + string.Join(", ", job.References) : "Skipping " + job.DisplayName)}: {decision.Reason}");
            if (decision.Action != BuildAction.Retag)
            {
                return;
            }

            try
            {
                foreach (var reference in job.References)
                {
                    var parsed = ImageReference.Parse(reference);
                    await target.Engine.TagImageAsync(decision.ImageId!, parsed.Repository, parsed.Tag ?? "latest", ct).ConfigureAwait(false);
                }

                var details = await target.Engine.InspectImageAsync(decision.ImageId!, ct).ConfigureAwait(false);
                run.Size = details?.Size ?? 0;
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (EngineStalledException ex)
            {
                run.Stalled = ex;
            }
            catch (Exception ex)
            {
                run.EngineError = ex;
            }
        }

        private async Task RunAfterBuildAsync(BuildRun run, EngineTarget target, CancellationToken ct)
        {
            try
            {
                await AfterBuild!.AfterBuildAsync(Outcome(run), target, events, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (EngineStalledException ex)
            {
                run.Stalled = ex;
            }
            catch (Exception ex)
            {
                run.EngineError = ex;
            }
        }

        private static string MakeRelative(string root, string file)
        {
            return PathRules.RelativeInside(root, file) ?? file;
        }
    }
}
