using System;
using System.Collections.Generic;

namespace PythonImages.Engine.Builds
{
    /// <summary>
    /// What a <see cref="BuildOrchestrator"/> reports: progress, log lines, warnings, failures and results. Called from the
    /// caller's thread (preparation) and from the thread pool (builds); results of one run arrive in job order.
    /// </summary>
    public interface IImageBuildEvents
    {
        /// <summary>A progress change (an image's step, the overall count, or an activity's end).</summary>
        void Progress(BuildProgress progress);

        /// <summary>A build log line or step (verbose output), prefixed with the image's name when builds run in parallel.</summary>
        void LogLine(ImageBuildJob job, string text);

        /// <summary>Something the user should know that is not a failure.</summary>
        void Warning(ImageBuildJob job, string message);

        /// <summary>Why a job could not be prepared or built, or what went wrong around it (its log).</summary>
        void Failure(ImageBuildJob job, BuildFailure failure);

        /// <summary>The result of a job that was built, retagged or skipped (also for a failed or stalled build).</summary>
        void Result(ImageBuildOutcome outcome);
    }

    /// <summary>A progress record: an activity, its status and how far it is.</summary>
    public sealed class BuildProgress
    {
        /// <summary>The overall activity's id (parallel builds); each image's id is this + 1 + its index.</summary>
        public const int OverallActivityId = 1;

        /// <summary>The activity's id.</summary>
        public int ActivityId { get; set; }

        /// <summary>The parent activity's id, or -1.</summary>
        public int ParentActivityId { get; set; } = -1;

        /// <summary>"Building python:3.14-slim".</summary>
        public string Activity { get; set; } = string.Empty;

        /// <summary>"Step 3/9 : RUN ...".</summary>
        public string Status { get; set; } = string.Empty;

        /// <summary>0 to 100.</summary>
        public int Percent { get; set; }

        /// <summary>True when the activity ended.</summary>
        public bool Completed { get; set; }
    }

    /// <summary>The kinds of <see cref="BuildFailure"/>.</summary>
    public enum BuildFailureKind
    {
        /// <summary>The context folder or the Dockerfile does not exist (nothing sent).</summary>
        ContextNotFound,

        /// <summary>The image's OS is not the engine's (nothing sent).</summary>
        OSMismatch,

        /// <summary>The build context cannot be sent (a symbolic link escapes, unreadable files); nothing was uploaded.</summary>
        Context,

        /// <summary>The log could not be started (nothing was uploaded).</summary>
        LogNotStarted,

        /// <summary>The log could not be written or put in place (the build went on: a result follows).</summary>
        LogNotWritten,

        /// <summary>The engine refused a request, was lost or failed (the caller's area gives the id).</summary>
        Engine,

        /// <summary>The engine went silent for the inactivity timeout (a result follows).</summary>
        Stalled,

        /// <summary>The engine ran the build and it failed (a result follows).</summary>
        BuildFailed,

        /// <summary>The registry logins for the base images cannot be chosen (nothing sent).</summary>
        Login,

        /// <summary>A post-build hook could not finish its own work (e.g. write the ledger); the image was built (a result follows).</summary>
        HookFailed,

        /// <summary>No engine of the engine map fits the job, or the one it maps is refused (nothing sent).</summary>
        EngineRoute,
    }

    /// <summary>A failure of one job, explained: what, which step, the end of the log, what to do.</summary>
    public sealed class BuildFailure
    {
        /// <summary>A failure of <paramref name="kind"/> with its <paramref name="message"/>.</summary>
        public BuildFailure(BuildFailureKind kind, string message)
        {
            Kind = kind;
            Message = message;
        }

        /// <summary>What kind of failure.</summary>
        public BuildFailureKind Kind { get; }

        /// <summary>The message to show (the step, the engine's error, the last log lines).</summary>
        public string Message { get; }

        /// <summary>The catalogue id (ImageBuild.*); null for engine failures, whose id depends on the caller's area.</summary>
        public string? ErrorId { get; set; }

        /// <summary>The exception behind it (null for a failed build: the engine said so in its stream).</summary>
        public Exception? Exception { get; set; }

        /// <summary>What to do next, when more precise than the catalogue's.</summary>
        public string? RecommendedAction { get; set; }

        /// <summary>The step that failed or stalled, when known.</summary>
        public string? FailedStep { get; set; }

        /// <summary>What was going on ("Building python:3.14"), for engine failures.</summary>
        public string? Operation { get; set; }
    }

    /// <summary>The result of one job.</summary>
    public sealed class ImageBuildOutcome
    {
        /// <summary>The result of <paramref name="job"/>.</summary>
        public ImageBuildOutcome(ImageBuildJob job)
        {
            Job = job;
        }

        /// <summary>The job.</summary>
        public ImageBuildJob Job { get; }

        /// <summary>Built, retagged or skipped.</summary>
        public BuildAction Action { get; set; }

        /// <summary>Why it was retagged or skipped.</summary>
        public string? Reason { get; set; }

        /// <summary>The image id (sha256:...), null when the build failed.</summary>
        public string? ImageId { get; set; }

        /// <summary>The references the image was tagged with (none when it failed).</summary>
        public IReadOnlyList<string> Tags { get; set; } = Array.Empty<string>();

        /// <summary>How long the job took.</summary>
        public TimeSpan Duration { get; set; }

        /// <summary>The image's size in bytes, as the engine reports it.</summary>
        public long Size { get; set; }

        /// <summary>Whether the job produced its image.</summary>
        public bool Succeeded { get; set; }

        /// <summary>The file holding the full log, when logs are written.</summary>
        public string? LogPath { get; set; }

        /// <summary>The step that failed or stalled.</summary>
        public string? FailedStep { get; set; }

        /// <summary>The engine's error, when it failed.</summary>
        public string? ErrorMessage { get; set; }
    }
}
