using System;
using PythonImages.Builds;

namespace PythonImages.Engine.Builds
{
    /// <content>Routing the engine's build events of one job.</content>
    public sealed partial class BuildOrchestrator
    {
        /// <summary>
        /// Routes the engine's build events on its reading thread: every line to the log file and the failure hints as it
        /// arrives; steps become progress and a verbose line, other lines verbose lines when wanted.
        /// </summary>
        private sealed class BuildEventRouter : IProgress<BuildEvent>
        {
            private readonly BuildOrchestrator owner;
            private readonly ImageBuildJob job;
            private readonly BuildLogFile? log;
            private readonly BuildFailureHints.Tracker hints;
            private readonly string prefix;

            public BuildEventRouter(BuildOrchestrator owner, ImageBuildJob job, BuildLogFile? log, BuildFailureHints.Tracker hints, string prefix)
            {
                this.owner = owner;
                this.job = job;
                this.log = log;
                this.hints = hints;
                this.prefix = prefix;
            }

            public void Report(BuildEvent value)
            {
                switch (value.Kind)
                {
                    case BuildEventKind.Log:
                    case BuildEventKind.Error:
                        log?.WriteLine(value.Text);
                        hints.Observe(value.Text);
                        if (EngineWarnings.Warning(value.Text) is { } warning)
                        {
                            // The engine's own warnings (unused build arguments, ...) are shown without -Verbose.
                            owner.events.Warning(job, prefix + warning);
                        }

                        if (owner.options.ReportLogLines)
                        {
                            owner.events.LogLine(job, prefix + value.Text);
                        }

                        break;
                    case BuildEventKind.Step:
                        string status = $"Step {value.Step}/{value.TotalSteps} : {value.Text}";
                        log?.WriteLine(status);
                        int percent = value.TotalSteps > 0 ? Math.Min(99, (value.Step - 1) * 100 / value.TotalSteps) : 0;
                        owner.Progress(ActivityOf(job), "Building " + job.DisplayName, status, percent);
                        owner.events.LogLine(job, prefix + status);
                        break;
                }
            }
        }
    }
}
