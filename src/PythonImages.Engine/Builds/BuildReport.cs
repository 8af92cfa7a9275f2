using System;
using System.IO;
using System.Linq;
using PythonImages.Builds;

namespace PythonImages.Engine.Builds
{
    /// <content>Reporting a finished run: progress, failures explained, the result.</content>
    public sealed partial class BuildOrchestrator
    {
        private const int TailLines = 20;

        /// <summary>Reports the end of one run, in order: its progress, the overall count, its failures, its result.</summary>
        private void Report(BuildRun run)
        {
            var job = run.Job;
            events.Progress(new BuildProgress
            {
                ActivityId = ActivityOf(job),
                ParentActivityId = BuildProgress.OverallActivityId,
                Activity = "Building " + job.DisplayName,
                Status = "Done",
                Percent = 100,
                Completed = true,
            });
            done++;
            if (options.ThrottleLimit > 1 && total > 0)
            {
                Progress(BuildProgress.OverallActivityId, "Building python images", $"{done} of {total} done", done * 100 / total, -1);
            }

            var failure = NothingBuilt(run);
            if (failure != null)
            {
                events.Failure(job, failure);
                return; // nothing was built: no result
            }

            if (run.LogError != null)
            {
                events.Failure(job, LogNotWritten(run));
            }

            if (run.Stalled != null)
            {
                events.Failure(job, Stalled(run));
            }
            else if (run.Build != null && !run.Build.Succeeded)
            {
                events.Failure(job, BuildFailed(run));
            }

            WarnForeignTags(run);

            events.Result(Outcome(run));
        }

        /// <summary>The failure of a run that produced no result (the context, the log's start, the engine); null otherwise.</summary>
        private static BuildFailure? NothingBuilt(BuildRun run)
        {
            var job = run.Job;
            if (run.ContextError != null)
            {
                var ex = run.ContextError;
                return new BuildFailure(BuildFailureKind.Context, $"Cannot build {job.DisplayName}: {ex.Message} Nothing was uploaded.") { ErrorId = ex.ErrorId, Exception = ex };
            }

            if (run.LogError != null && run.Build == null && run.Stalled == null)
            {
                // The log could not even be started: nothing was uploaded.
                string message = $"Cannot build {job.DisplayName}: its log {run.LogPath} cannot be written: {run.LogError.Message} Nothing was uploaded.";
                return new BuildFailure(BuildFailureKind.LogNotStarted, message)
                {
                    ErrorId = ImageBuildErrorIds.LogWriteFailed,
                    Exception = new IOException(message, run.LogError),
                    RecommendedAction = "Give -LogPath a folder or file you can write to, or leave -LogPath out and use -Verbose.",
                };
            }

            if (run.EngineError != null)
            {
                return new BuildFailure(BuildFailureKind.Engine, $"Building {job.DisplayName} failed: {run.EngineError.Message}")
                {
                    Exception = run.EngineError,
                    Operation = "Building " + job.DisplayName,
                };
            }

            return null;
        }

        private static BuildFailure LogNotWritten(BuildRun run)
        {
            string message = $"The build log of {run.Job.DisplayName} could not be written to {run.LogPath}: {run.LogError!.Message}";
            return new BuildFailure(BuildFailureKind.LogNotWritten, message)
            {
                ErrorId = ImageBuildErrorIds.LogWriteFailed,
                Exception = new IOException(message, run.LogError),
                RecommendedAction = "Free space or fix the permissions of the -LogPath folder; the build itself went on (see its result).",
            };
        }

        private static BuildFailure Stalled(BuildRun run)
        {
            var stalled = run.Stalled!;
            var tail = stalled.Tail.Skip(Math.Max(0, stalled.Tail.Count - TailLines)).ToList();
            string message = $"Building {run.Job.DisplayName} stalled: {stalled.Message} Intermediate containers are removed by the engine." +
                (tail.Count > 0 ? Environment.NewLine + "Last " + tail.Count + " log lines:" + Environment.NewLine + string.Join(Environment.NewLine, tail) : string.Empty);
            return new BuildFailure(BuildFailureKind.Stalled, message)
            {
                Exception = stalled,
                FailedStep = stalled.Step,
                RecommendedAction = $"If this step is legitimately quiet for longer (a PGO + LTO build's final link can be), raise -InactivityTimeout (now {EngineStalledException.Describe(stalled.Timeout)}, e.g. -InactivityTimeout 01:00:00); otherwise check what the step waits for (network, input) and the engine ('docker info')."
                    + (run.LogPath != null ? " Full log: " + run.LogPath + "." : string.Empty),
            };
        }

        /// <summary>
        /// A build the engine ran and that failed, by its cause (the base image that cannot be pulled, a reference the
        /// engine refuses, a failing step): the step, what the cause is or a hint when the log shows a known one, the
        /// engine's error, the end of the log, and what to do about that cause.
        /// </summary>
        private BuildFailure BuildFailed(BuildRun run)
        {
            var build = run.Build!;
            var tail = build.Log.Skip(Math.Max(0, build.Log.Count - TailLines)).ToList();
            var cause = BuildFailureCause.Classify(build.FailedStep, build.ErrorMessage, run.Job.Image?.BaseImage, run.Job.DockerfilePath);
            string step = build.FailedStep != null ? $" at {(build.FailedStep.Length > 120 ? build.FailedStep.Substring(0, 117) + "..." : build.FailedStep)}" : string.Empty;
            string? hint = cause.Kind == BuildCauseKind.Step || cause.Kind == BuildCauseKind.Other ? run.Hints.Hint : cause.Summary;
            hint = string.IsNullOrEmpty(hint) ? null : hint;
            string message = $"Building {run.Job.DisplayName} failed{step}: " + (hint != null ? hint + Environment.NewLine : string.Empty) + BuildFailureHints.ShortenEngineMessage(build.ErrorMessage)
                + Environment.NewLine + "Last " + tail.Count + " log lines:" + Environment.NewLine + string.Join(Environment.NewLine, tail);
            var failure = new BuildFailure(BuildFailureKind.BuildFailed, message)
            {
                ErrorId = cause.ErrorId,
                FailedStep = build.FailedStep,
                RecommendedAction = cause.RecommendedAction + " Full log: " + (run.LogPath ?? "run with -Verbose or -LogPath") + ".",
            };
            return LoginRefused(run, cause, failure) ?? failure;
        }

        private static ImageBuildOutcome Outcome(BuildRun run)
        {
            var outcome = new ImageBuildOutcome(run.Job)
            {
                Action = run.Decision.Action,
                Reason = run.Decision.Reason,
                Duration = run.Duration,
                LogPath = run.LogPath,
            };
            if (run.Stalled != null)
            {
                outcome.FailedStep = run.Stalled.Step;
                outcome.ErrorMessage = run.Stalled.Message;
                return outcome;
            }

            if (run.Decision.Action != BuildAction.Build)
            {
                outcome.ImageId = run.Decision.ImageId;
                outcome.Size = run.Size;
                outcome.Succeeded = true;
                outcome.Tags = run.Decision.Action == BuildAction.Retag ? run.Job.References : Array.Empty<string>();
                return outcome;
            }

            var build = run.Build!;
            outcome.ImageId = build.ImageId;
            outcome.Tags = build.Succeeded ? run.Job.References : Array.Empty<string>();
            outcome.Size = run.Size;
            outcome.Succeeded = build.Succeeded;
            outcome.FailedStep = build.FailedStep;
            outcome.ErrorMessage = build.ErrorMessage;
            return outcome;
        }
    }
}
