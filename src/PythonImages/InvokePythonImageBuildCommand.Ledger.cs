using System;
using System.IO;
using System.Management.Automation;
using PythonImages.Engine;
using PythonImages.Engine.Builds;
using PythonImages.Ledger;

namespace PythonImages.Commands
{
    /// <summary>Invoke-PythonImageBuild -Ledger: incremental builds (Build, Retag or Skip per image, with the reason).</summary>
    public sealed partial class InvokePythonImageBuildCommand
    {
        private LedgerBuildHooks? ledgerHooks;

        /// <summary>
        /// A build ledger (JSON): images whose Dockerfile, context, build arguments and base image are unchanged and whose
        /// image is still on the engine are skipped (or only re-tagged when only their tags changed); every image built or
        /// re-tagged is recorded at once. A missing file is a new ledger.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Ledger { get; set; }

        /// <summary>Reads -Ledger (a terminating error when it is unusable) and plugs its hooks into the orchestrator.</summary>
        private void AttachLedger(ImageBuildOptions options)
        {
            if (Ledger == null)
            {
                return;
            }

            string path = LedgerFiles.ResolveTarget(this, Ledger);
            try
            {
                var ledger = File.Exists(path) ? LedgerJson.Read(path) : new BuildLedger();
                WriteVerbose($"Ledger {path}: {ledger.Count} image(s) recorded.");
                ledgerHooks = new LedgerBuildHooks(path, ledger, options);
            }
            catch (LedgerException ex)
            {
                ThrowTerminatingError(Errors.Create(ex, ex.ErrorId, Ledger, ex.RecommendedAction));
            }

            orchestrator!.Decider = ledgerHooks;
            orchestrator.AfterBuild = ledgerHooks;
        }

        /// <summary>
        /// ShouldProcess for one job. With -Ledger the job is prepared and decided first, so that -WhatIf and -Confirm show
        /// the plan: "Build image (its Dockerfile changed)", "Retag image (...)", "Skip image (unchanged since ...)".
        /// </summary>
        private bool ShouldBuild(ImageBuildJob job, string what)
        {
            if (ledgerHooks == null)
            {
                return ShouldProcess(what, "Build image");
            }

            if (!orchestrator!.Prepare(job))
            {
                return false;
            }

            BuildDecision plan = BuildDecision.Build;
            try
            {
                plan = RunPumped(ct => orchestrator.PlanAsync(job, ct));
            }
            catch (Exception ex) when (ex is EngineUnavailableException || ex is EngineStalledException || ex is EngineRequestException)
            {
                // the engine failed while the ledger looked at it: this image fails, as a failed build would, and the
                // others (on other engines of -Engine too) are still planned and built
                WriteError(EngineError(ex, job.Target, "Planning " + job.DisplayName));
                return false;
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException) && !(ex is OperationCanceledException) && !(ex is ActionPreferenceStopException))
            {
                ThrowTerminatingError(EngineError(ex, job.Target, "Planning " + job.DisplayName));
            }

            string action = plan.Action + " image" + (plan.Action == BuildAction.Retag ? " " + plan.ImageId : string.Empty);
            return ShouldProcess(what, plan.Reason != null ? action + " (" + plan.Reason + ")" : action);
        }
    }
}
