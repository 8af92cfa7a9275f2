using System;
using System.Linq;
using System.Management.Automation;
using PythonImages.Updates;
using PythonImages.Updates.Sigstore;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Updates a matrix (matrix.yaml or upstream's versions.json) to the newest python.org releases, verified.</para>
    /// <para type="description">For each version key: the newest release in python.org's directory indexes, its sha256 from the
    /// verified sigstore bundle (signature, Fulcio chain, transparency log time, release manager identity) and the SBOM (which
    /// must agree), the Windows installer, and the setuptools that ensurepip bundles (below 3.12). All or nothing: any failure
    /// leaves the file untouched; the write is atomic. -WhatIf shows the diff.</para>
    /// </summary>
    [Cmdlet(VerbsData.Update, "PythonMatrix", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(MatrixUpdateResult))]
    public sealed class UpdatePythonMatrixCommand : PSCmdlet, IDisposable
    {
        private static readonly string[] InformationTags = { "PSHOST", "Update-PythonMatrix" };

        private const int ProgressId = 120;
        private readonly EventPump pump = new EventPump();

        /// <summary>The matrix file to update: a YAML matrix or an upstream versions.json.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Keys to refresh (default: every key, unless -Add or -Remove is given).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? VersionKey { get; set; }

        /// <summary>New keys (3.16-rc, 3.15); their variants are copied from the newest key of the same kind.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[]? Add { get; set; }

        /// <summary>Keys to remove.</summary>
        [Parameter]
        [ValidateNotNull]
        public string[]? Remove { get; set; }

        /// <summary>python.org (release files under ftp/python/). Default https://www.python.org/.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PythonOrgUri { get; set; }

        /// <summary>CPython sources (&lt;base&gt;/v&lt;version&gt;/Lib/ensurepip/__init__.py). Default https://github.com/python/cpython/raw.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CPythonSourceUri { get; set; }

        /// <summary>PyPI's JSON API (&lt;base&gt;/setuptools/&lt;version&gt;/json). Default https://pypi.org/pypi.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PyPIUri { get; set; }

        /// <summary>Accept a release that has neither a sigstore bundle nor an SBOM (no checksum is written; a warning).</summary>
        [Parameter]
        public SwitchParameter AllowUnverifiedSource { get; set; }

        /// <summary>Accept plain-http base URIs (loopback test servers, internal mirrors).</summary>
        [Parameter]
        public SwitchParameter AllowInsecureSource { get; set; }

        /// <summary>Output one result object per version key.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>More accepted signers: @{ Series = '3.14'; Email = 'x@python.org'; Issuer = 'https://github.com/login/oauth' }.</summary>
        [Parameter]
        [ValidateNotNull]
        public SignerIdentity[]? Identity { get; set; }

        /// <summary>A sigstore trusted_root.json replacing the embedded public-good root.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TrustedRootPath { get; set; }

        /// <summary>Requests in flight at once (default 4).</summary>
        [Parameter]
        [ValidateRange(1, 32)]
        public int ThrottleLimit { get; set; } = 4;

        /// <summary>Seconds one request may take (default 30); each is tried up to 4 times.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 30;

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            string path = GetUnresolvedProviderPathFromPSPath(Path);
            var plan = Plan(path);
            foreach (var failure in plan.Failures)
            {
                WriteError(UpdateRecords.Record(failure, failure.Target ?? path));
            }

            if (!plan.Succeeded)
            {
                WriteWarning($"{path} was left unchanged: {plan.Failures.Count} version key(s) could not be updated.");
                return;
            }

            if (!plan.Changed)
            {
                WriteVerbose($"{path} is already current.");
            }
            else if (ShouldProcess($"Update {path}:\n{plan.Diff}", $"Update {path} ({UpdateRecords.Summary(plan)})?", "Update-PythonMatrix"))
            {
                try
                {
                    plan.Commit();
                    MatrixCache.Invalidate(path);
                }
                catch (UpdateException ex)
                {
                    ThrowTerminatingError(UpdateRecords.Record(ex, path));
                }
            }

            foreach (var r in plan.Results)
            {
                if (PassThru)
                {
                    WriteObject(r);
                }
                else
                {
                    WriteInformation(new HostInformationMessage { Message = UpdateRecords.Line(r) }, InformationTags);
                }
            }
        }

        /// <summary>The update of the file at <paramref name="path"/>, planned (downloads verified, new text checked), nothing written yet.</summary>
        private UpdatePlan Plan(string path)
        {
            UpdatePlan? plan = null;
            try
            {
                var (sources, fetch, request) = UpdateRecords.Inputs(this);
                var root = TrustedRootPath == null ? TrustedRoot.PublicGood : TrustedRoot.Load(GetUnresolvedProviderPathFromPSPath(TrustedRootPath));
                using var updater = new MatrixUpdater(sources, fetch, root, Identity, e => pump.Post(() => OnEvent(path, e)));
                plan = pump.Run(ct => updater.PlanAsync(path, request, ct));
            }
            catch (Exception ex) when (ex is MatrixException || ex is UpdateException)
            {
                ThrowTerminatingError(ex is MatrixException m ? Errors.FromMatrix(m) : UpdateRecords.Record((UpdateException)ex, path));
            }
            finally
            {
                WriteProgress(new ProgressRecord(ProgressId, "Updating " + path, "Done") { RecordType = ProgressRecordType.Completed });
            }

            return plan!;
        }

        private void OnEvent(string path, UpdateEvent e)
        {
            switch (e.Kind)
            {
                case UpdateEventKind.KeyStarted:
                case UpdateEventKind.KeyCompleted:
                case UpdateEventKind.Downloading:
                    started += e.Kind == UpdateEventKind.KeyStarted ? 1 : 0;
                    completed += e.Kind == UpdateEventKind.KeyCompleted ? 1 : 0;
                    Progress(path, e.Message);
                    break;
                case UpdateEventKind.Warning:
                    WriteWarning(e.Message);
                    break;
                default:
                    WriteVerbose(e.Message);
                    break;
            }
        }

        private int started, completed;

        private void Progress(string path, string status) => WriteProgress(new ProgressRecord(ProgressId, "Updating " + path, status)
        {
            PercentComplete = started == 0 ? 0 : Math.Min(100, completed * 100 / started),
            CurrentOperation = $"{completed} of {started} version keys",
        });

        /// <inheritdoc/>
        protected override void StopProcessing() => pump.Cancel();

        /// <inheritdoc/>
        public void Dispose()
        {
            pump.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
