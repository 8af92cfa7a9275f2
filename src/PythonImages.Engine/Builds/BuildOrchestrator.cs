using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;

namespace PythonImages.Engine.Builds
{
    /// <summary>
    /// Builds images on Docker engines without PowerShell: checks each job (context, OS against the chosen engine), asks the
    /// pre-build hook what to do, builds (at most <see cref="ImageBuildOptions.ThrottleLimit"/> at once), writes the logs,
    /// explains failures, runs the post-build hook, and reports all of it as events, results in job order.
    /// </summary>
    public sealed partial class BuildOrchestrator
    {
        private readonly IEngineSelector engines;
        private readonly ImageBuildOptions options;
        private readonly IImageBuildEvents events;
        private readonly BuildLogs logs;
        private int total;
        private int done;
        private bool interleaved;

        /// <summary>An orchestrator that builds with <paramref name="options"/> on the engines <paramref name="engines"/> picks.</summary>
        public BuildOrchestrator(IEngineSelector engines, ImageBuildOptions options, IImageBuildEvents events)
        {
            this.engines = engines;
            this.options = options;
            this.events = events;
            logs = new BuildLogs(options.Log);
        }

        /// <summary>The pre-build hook (null: every job is built).</summary>
        public IBuildDecider? Decider { get; set; }

        /// <summary>The post-build hook (null: none).</summary>
        public IPostBuildHook? AfterBuild { get; set; }

        /// <summary>
        /// The checks made before anything is sent: the context and Dockerfile exist, an engine is chosen (connecting it:
        /// the engine layer's exceptions propagate), and the image's OS is the engine's. False, with a failure event, when
        /// the job cannot be built. Runs on the caller's thread.
        /// </summary>
        public bool Prepare(ImageBuildJob job)
        {
            if (!Directory.Exists(job.ContextPath) || !File.Exists(job.DockerfilePath))
            {
                string missing = !Directory.Exists(job.ContextPath) ? job.ContextPath : job.DockerfilePath;
                string message = $"Cannot build {job.DisplayName}: {missing} does not exist.";
                events.Failure(job, new BuildFailure(BuildFailureKind.ContextNotFound, message)
                {
                    ErrorId = ImageBuildErrorIds.ContextNotFound,
                    Exception = new FileNotFoundException(message, missing),
                });
                return false;
            }

            string? os = job.OS ?? BuildPlatform.SniffOS(job.DockerfilePath);
            EngineTarget engine;
            try
            {
                engine = engines.Choose(job, options.Platform);
            }
            catch (EngineRouteException ex)
            {
                events.Failure(job, ex.Failure); // engines per platform: no engine fits, or it was refused
                return false;
            }

            var mismatch = BuildPlatform.CheckOS(job, os, engine.Info);
            if (mismatch != null)
            {
                events.Failure(job, mismatch);
                return false;
            }

            job.OS = os;
            job.Engine = engine;
            return PrepareLogins(job);
        }

        /// <summary>Builds one prepared job and reports its events and result.</summary>
        public async Task BuildAsync(ImageBuildJob job, CancellationToken cancellationToken)
        {
            var run = await RunAsync(job, cancellationToken).ConfigureAwait(false);
            Report(run);
        }

        /// <summary>
        /// Builds prepared jobs, at most <see cref="ImageBuildOptions.ThrottleLimit"/> at once; each result is reported as soon
        /// as it and every job before it are done. <paramref name="queued"/> is how many jobs the overall progress counts.
        /// </summary>
        public async Task BuildAllAsync(IReadOnlyList<ImageBuildJob> jobs, int queued, CancellationToken cancellationToken)
        {
            total = queued;

            // -ThrottleLimit holds per engine: each engine of an engine map builds that many at once.
            var perEngine = new Dictionary<IDockerEngine, SemaphoreSlim>();
            foreach (var job in jobs)
            {
                var engine = (job.Engine ?? throw new InvalidOperationException("The job was not prepared (BuildOrchestrator.Prepare).")).Engine;
                if (!perEngine.ContainsKey(engine))
                {
                    perEngine[engine] = new SemaphoreSlim(options.ThrottleLimit, options.ThrottleLimit);
                }
            }

            interleaved = perEngine.Count > 1;
            using var disposeSlots = new SlotSet(perEngine.Values);
            var tasks = jobs.Select(async job =>
            {
                var slots = perEngine[job.Engine!.Engine];
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    // A slot freed by a build that was just cancelled can reach a waiter before its own
                    // cancellation does: nothing starts once the run is cancelled.
                    cancellationToken.ThrowIfCancellationRequested();
                    return await RunAsync(job, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            }).ToList();

            foreach (var task in tasks)
            {
                Report(await task.ConfigureAwait(false));
            }

            events.Progress(new BuildProgress
            {
                ActivityId = BuildProgress.OverallActivityId,
                Activity = "Building python images",
                Status = "Done",
                Percent = 100,
                Completed = true,
            });
        }

        /// <summary>Disposes the per-engine semaphores.</summary>
        private sealed class SlotSet : IDisposable
        {
            private readonly IEnumerable<SemaphoreSlim> slots;

            public SlotSet(IEnumerable<SemaphoreSlim> slots) => this.slots = slots;

            public void Dispose()
            {
                foreach (var slot in slots)
                {
                    slot.Dispose();
                }
            }
        }

        private static int ActivityOf(ImageBuildJob job) => BuildProgress.OverallActivityId + 1 + job.Index;

        private void Progress(int id, string activity, string status, int percent, int parent = BuildProgress.OverallActivityId) =>
            events.Progress(new BuildProgress
            {
                ActivityId = id,
                ParentActivityId = parent >= 0 && id != parent ? parent : -1,
                Activity = activity,
                Status = status,
                Percent = percent,
            });
    }
}
