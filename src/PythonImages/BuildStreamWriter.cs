using System;
using System.Linq;
using System.Management.Automation;
using PythonImages.Engine.Builds;

namespace PythonImages.Commands
{
    /// <summary>
    /// Invoke-PythonImageBuild's streams for the orchestrator's events: progress, verbose log lines, warnings, errors (through
    /// <see cref="Errors"/>) and results. Events raised on the pipeline thread are written at once; the others are queued
    /// for it (log lines with back-pressure).
    /// </summary>
    internal sealed class BuildStreamWriter : IImageBuildEvents
    {
        private readonly InvokePythonImageBuildCommand cmdlet;

        public BuildStreamWriter(InvokePythonImageBuildCommand cmdlet)
        {
            this.cmdlet = cmdlet;
        }

        public void Progress(BuildProgress progress) => Write(() =>
        {
            var record = new ProgressRecord(progress.ActivityId, progress.Activity, progress.Status) { PercentComplete = progress.Percent };
            if (progress.Completed)
            {
                record.RecordType = ProgressRecordType.Completed;
            }

            if (progress.ParentActivityId >= 0)
            {
                record.ParentActivityId = progress.ParentActivityId;
            }

            cmdlet.WriteProgress(record);
        });

        public void LogLine(ImageBuildJob job, string text) => Write(() => cmdlet.WriteVerbose(text), logLine: true);

        public void Warning(ImageBuildJob job, string message) => Write(() => cmdlet.WriteWarning(message));

        public void Failure(ImageBuildJob job, BuildFailure failure) => Write(() => cmdlet.WriteError(Record(job, failure)));

        public void Result(ImageBuildOutcome outcome) => Write(() => cmdlet.WriteObject(new ImageBuildResult
        {
            Name = outcome.Job.DisplayName,
            ImageId = outcome.ImageId,
            Tags = (outcome.Action == BuildAction.Skip && outcome.ImageId != null ? outcome.Job.References : outcome.Tags).ToArray(), // a skipped image is current: it carries them
            Status = !outcome.Succeeded ? ImageBuildStatus.Failed : outcome.Action == BuildAction.Skip ? ImageBuildStatus.Skipped : outcome.Action == BuildAction.Retag ? ImageBuildStatus.Retagged : ImageBuildStatus.Built,
            Reason = outcome.Reason,
            Duration = outcome.Duration,
            Size = outcome.Size,
            Succeeded = outcome.Succeeded,
            LogPath = outcome.LogPath,
            FailedStep = outcome.FailedStep,
            ErrorMessage = outcome.ErrorMessage,
            ContextPath = outcome.Job.ContextPath,
            DockerfilePath = outcome.Job.DockerfilePath,
            Image = outcome.Job.Image,
        }));

        /// <summary>The ErrorRecord of a failure: its catalogue id, or the engine failure id of the build area.</summary>
        private ErrorRecord Record(ImageBuildJob job, BuildFailure failure)
        {
            switch (failure.Kind)
            {
                case BuildFailureKind.Engine:
                case BuildFailureKind.Stalled:
                    var record = cmdlet.EngineError(failure.Exception!, job.Target, failure.Kind == BuildFailureKind.Engine ? failure.Operation : null);
                    record.ErrorDetails = new ErrorDetails(failure.Message)
                    {
                        RecommendedAction = failure.RecommendedAction ?? record.ErrorDetails?.RecommendedAction ?? "Check that the Docker engine is still running (docker info), then build this image again.",
                    };
                    return record;
                case BuildFailureKind.BuildFailed:
                    return Errors.Create(new ImageBuildException(failure.Message, failure.FailedStep), failure.ErrorId!, job.Target, failure.RecommendedAction);
                default:
                    return Errors.Create(failure.Exception!, failure.ErrorId!, job.Target, failure.RecommendedAction, message: failure.Message);
            }
        }

        private void Write(Action action, bool logLine = false) => cmdlet.OnPipeline(action, logLine);
    }
}
