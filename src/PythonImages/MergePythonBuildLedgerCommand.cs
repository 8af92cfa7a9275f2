using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Ledger;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Merges build ledger fragments (one per CI leg) into one ledger.</para>
    /// <para type="description">Reads every fragment (each is validated), joins their images, and writes the result atomically to
    /// -Destination. An image and platform recorded by several fragments must be the same build there (their pushed digests are joined);
    /// otherwise the merge is a Ledger.Conflict error and nothing is written.</para>
    /// </summary>
    [Cmdlet(VerbsData.Merge, "PythonBuildLedger", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
    [OutputType(typeof(FileInfo))]
    public sealed class MergePythonBuildLedgerCommand : PSCmdlet
    {
        private readonly List<KeyValuePair<string, BuildLedger>> fragments = new List<KeyValuePair<string, BuildLedger>>();
        private string? destination;

        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        /// <summary>The ledger fragments (wildcards allowed).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>The ledger fragments, taken literally (no wildcards); binds the FullName or PSPath of piped files (Get-ChildItem *.json | Merge-PythonBuildLedger).</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>The merged ledger to write.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = string.Empty;

        /// <summary>Replace an existing -Destination.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Output the merged ledger's file.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            destination = LedgerFiles.ResolveTarget(this, Destination);
            if (File.Exists(destination) && !Force)
            {
                ThrowTerminatingError(Errors.Create(new IOException($"The ledger '{destination}' already exists."), LedgerErrorIds.DestinationExists, destination));
            }

            LedgerFiles.WarnIfUnlocked(this, destination);
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (string path in literal ? LiteralPath : Path)
            {
                foreach (string full in Resolve(path, literal))
                {
                    try
                    {
                        fragments.Add(new KeyValuePair<string, BuildLedger>(full, LedgerJson.Read(full)));
                    }
                    catch (LedgerException ex)
                    {
                        ThrowTerminatingError(LedgerFiles.Record(ex, full));
                    }
                }
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            if (fragments.Count == 0)
            {
                // An empty pipeline (Get-ChildItem found no fragment): an empty ledger would read as "nothing was built".
                ThrowTerminatingError(Errors.Create(new ItemNotFoundException("No ledger fragment was given: the pipeline brought none, so nothing was merged or written."), LedgerErrorIds.NotFound, destination));
            }

            BuildLedger merged = new BuildLedger();
            try
            {
                merged = LedgerMerge.Merge(fragments);
            }
            catch (LedgerException ex)
            {
                ThrowTerminatingError(LedgerFiles.Record(ex, Destination));
            }

            if (!ShouldProcess(destination!, $"Write the merged ledger ({merged.Count} image(s) from {fragments.Count} fragment(s))"))
            {
                return;
            }

            try
            {
                // Without -Force a file that appears meanwhile is not replaced either.
                LedgerJson.Write(destination!, merged, Force ? AtomicWriteMode.Replace : AtomicWriteMode.CreateNew);
            }
            catch (LedgerException ex) when (!Force && ex.ErrorId == LedgerErrorIds.WriteFailed && File.Exists(destination))
            {
                // Another merge (or anything else) wrote the file since BeginProcessing looked: as if it had been there.
                ThrowTerminatingError(Errors.Create(new IOException($"The ledger '{destination}' appeared while the merge ran; it was left as it is.", ex), LedgerErrorIds.DestinationExists, destination));
            }
            catch (LedgerException ex)
            {
                ThrowTerminatingError(LedgerFiles.Record(ex, destination));
            }

            WriteVerbose($"Merged {fragments.Count} fragment(s) into {destination}: {merged.Count} image(s).");
            if (PassThru)
            {
                WriteObject(new FileInfo(destination!));
            }
        }

        /// <summary>The fragments a -Path value names (wildcards expanded); a terminating Ledger.NotFound / Ledger.InvalidPath otherwise.</summary>
        private List<string> Resolve(string path, bool literal)
        {
            List<string> found;
            try
            {
                found = !literal && WildcardPattern.ContainsWildcardCharacters(path)
                    ? Expand(path)
                    : new List<string> { System.IO.Path.GetFullPath(PathInputs.FileSystemPath(this, path)) };
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is ItemNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException || ex is PSInvalidOperationException)
            {
                ThrowTerminatingError(Errors.Create(new ArgumentException($"The ledger fragment path '{Security.InputGrammar.Show(path)}' is not usable: {ex.Message}", ex), LedgerErrorIds.InvalidPath, Security.InputGrammar.Show(path)));
                throw; // not reached
            }

            if (found.Count == 0 || found.Any(f => !File.Exists(f) && !Directory.Exists(f)))
            {
                ThrowTerminatingError(Errors.Create(new ItemNotFoundException($"No ledger fragment at '{Security.InputGrammar.Show(path)}'."), LedgerErrorIds.NotFound, Security.InputGrammar.Show(path)));
            }

            return found;
        }

        /// <summary>The files a wildcard -Path matches; a wildcard on another provider (Env:*) is refused, as its literal path is.</summary>
        private List<string> Expand(string path)
        {
            var matches = GetResolvedProviderPathFromPSPath(path, out var provider);
            PathInputs.RequireFileSystem(provider, path);
            return matches.ToList();
        }
    }
}
