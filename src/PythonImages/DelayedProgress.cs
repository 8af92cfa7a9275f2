using System;
using System.Diagnostics;
using System.Management.Automation;

namespace PythonImages.Commands
{
    /// <summary>
    /// The progress of a command that is often quick: its records are written only once the command has run for
    /// <see cref="Delay"/>, then every one, and the activity is completed at the end only if it was shown. Writing all 42
    /// Dockerfiles takes tens of milliseconds, and a first progress record costs a cold process 8-16 ms of PowerShell's
    /// own start-up of its progress display, for a bar that would only flash.
    /// </summary>
    internal sealed class DelayedProgress
    {
        /// <summary>How long the command runs before its progress is shown.</summary>
        public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(500);

        private readonly Cmdlet cmdlet;
        private readonly int id;
        private readonly string activity;
        private readonly Stopwatch running = Stopwatch.StartNew();
        private bool shown;

        public DelayedProgress(Cmdlet cmdlet, int id, string activity)
        {
            this.cmdlet = cmdlet;
            this.id = id;
            this.activity = activity;
        }

        /// <summary>One step: written once the command has run for <see cref="Delay"/>.</summary>
        public void Write(string status, int percentComplete, string currentOperation)
        {
            if (!shown && running.Elapsed < Delay)
            {
                return;
            }

            cmdlet.WriteProgress(new ProgressRecord(id, activity, status) { PercentComplete = percentComplete, CurrentOperation = currentOperation });
            shown = true;
        }

        /// <summary>Completes the activity, when it was shown.</summary>
        public void Complete()
        {
            if (shown)
            {
                cmdlet.WriteProgress(new ProgressRecord(id, activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
    }
}
