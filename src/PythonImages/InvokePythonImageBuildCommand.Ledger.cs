using System;
using System.IO;
using System.Management.Automation;
using System.Security;
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

        /// <summary>
        /// The deployment's secret ledger key (16 to 1024 characters): build arguments are recorded as fingerprints keyed
        /// with it, which nobody without the key can test guesses against. Default: the environment variable
        /// PYTHONIMAGES_LEDGER_KEY when it is set and not empty; without either, fingerprints are unkeyed.
        /// </summary>
        [Parameter]
        [ValidateNotNull]
        public SecureString? LedgerKey { get; set; }

        /// <summary>Reads -Ledger (a terminating error when it is unusable) and plugs its hooks into the orchestrator.</summary>
        private void AttachLedger(ImageBuildOptions options)
        {
            if (Ledger == null)
            {
                if (LedgerKey != null)
                {
                    ThrowTerminatingError(Errors.Create(new ArgumentException("-LedgerKey was given without -Ledger: a ledger key keys the fingerprints of a ledger's build arguments, and there is no ledger. Nothing was built."), LedgerErrorIds.InvalidKey, "-LedgerKey"));
                }

                return;
            }

            string path = LedgerFiles.ResolveTarget(this, Ledger);
            LedgerFiles.WarnIfUnlocked(this, path);
            try
            {
                var key = LedgerFiles.KeyOf(LedgerKey, out string? source);
                var ledger = File.Exists(path) ? LedgerJson.Read(path) : new BuildLedger();
                WriteVerbose($"Ledger {path}: {ledger.Count} image(s) recorded; build arguments are fingerprinted " + (key == null ? "without a ledger key." : $"with the ledger key of {source} (id {key.Id})."));
                ledgerHooks = new LedgerBuildHooks(path, ledger, options, key);
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
