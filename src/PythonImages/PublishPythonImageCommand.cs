using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PythonImages.Builds;
using PythonImages.Engine;
using PythonImages.Engine.Registry;
using PythonImages.ImageTests;
using PythonImages.Publish;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Pushes built python images to a registry, every tag, and writes each shared tag as a multi-platform index.</para>
    /// <para type="description">Each tag goes through the engine's push API under -Registry (host[:port]/namespace); then every shared
    /// tag becomes an image index of the pushed images that carry it, platform by platform. One result per tag, failures included.</para>
    /// </summary>
    [Cmdlet(VerbsData.Publish, "PythonImage", DefaultParameterSetName = InputSet, SupportsShouldProcess = true)]
    [OutputType(typeof(PublishResult))]
    public sealed partial class PublishPythonImageCommand : EngineCmdlet
    {
        private const string InputSet = "InputObject";
        private const string ImageSet = "Image";
        private ImagePublisher? publisher;
        private List<PublishTarget?>? targets;
        private readonly Dictionary<string, (string Image, bool Failed)> tested = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
        private readonly List<PublishResult> failed = new List<PublishResult>();

        /// <summary>Build results of Invoke-PythonImageBuild, images of Get-PythonTag, or image names.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
        public PSObject? InputObject { get; set; }

        /// <summary>Images to push by reference (python:3.14-slim); each pushes its own tag.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ImageSet)]
        [ValidateNotNullOrEmpty]
        public string[] Image { get; set; } = Array.Empty<string>();

        /// <summary>The target: host[:port]/namespace, e.g. localhost:5000/library.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Registry { get; set; } = string.Empty;

        /// <summary>The local repository that image objects' Tags belong to (default python).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Repository { get; set; } = "python";

        /// <summary>Shared tags for every image of this call, in addition to the image objects' own SharedTags.</summary>
        [Parameter]
        public string[] SharedTag { get; set; } = Array.Empty<string>();

        /// <summary>The login; default: the docker configuration (credHelpers, credsStore, auths) like the docker CLI.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>A folder with ca.crt (and client.cert, client.key) for the registry; default /etc/docker/certs.d/host:port.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CertificatePath { get; set; }

        /// <summary>Allow plain HTTP to a registry that is not on loopback.</summary>
        [Parameter]
        public SwitchParameter AllowInsecureRegistry { get; set; }

        /// <inheritdoc/>
        protected override EngineFailureIds EngineErrorIds => EngineFailureIds.Publish;

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            // Everything given is checked before the engine or the registry is contacted.
            ValidateEngineParameters();
            ReadLedger();
            foreach (var tag in SharedTag)
            {
                Guard(() => InputGrammar.Require(InputGrammar.DockerTag, tag, PublishErrorIds.InvalidImage, "-SharedTag"), tag, terminating: true);
            }

            Guard(() => ImageReference.FromTagOrReference("x", Repository, PublishErrorIds.InvalidImage), Repository, terminating: true);
            string host = Guard(() => ImagePublisher.ParseRegistry(Registry, out _), Registry, terminating: true)!;
            targets = ParameterSetName == ImageSet ? Image.Select(i => Guard(() => PublishInputs.Target(new PSObject(i), Repository, SharedTag, WriteWarning), i, terminating: true)).ToList() : null;
            var options = new RegistryClientOptions { CertificatePath = CertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(CertificatePath), AllowInsecure = AllowInsecureRegistry.IsPresent };
            options.Credential = Credential != null
                ? new RegistryCredential(Credential.UserName, Credential.GetNetworkCredential().Password, "-Credential")
                : Guard(() => DockerCredentials.Find(host), Registry, terminating: true);
            options.Log = line => Post(() => WriteVerbose(line));
            // -SharedTagsOnly writes indexes of images already in the registry: no engine is contacted (a final CI job
            // needs none).
            publisher = Guard(() => new ImagePublisher(SharedTagsOnly ? null : Engine, Registry, options), Registry, terminating: true);
            WriteVerbose($"Publishing to {Registry} as {options.Credential?.ToString() ?? "anonymous"}.");
            Guard(() => RunPumped(async ct => { await publisher!.ConnectAsync(ct).ConfigureAwait(false); return true; }), Registry, terminating: true);
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            if (InputObject?.BaseObject is ImageTestResult test)
            {
                // Test results: each image once, after all its tests, and only when none failed.
                string key = test.ImageId ?? test.Image;
                tested[key] = (test.Image, (tested.TryGetValue(key, out var seen) && seen.Failed) || test.Status == ImageTestStatus.Failed);
                return;
            }

            foreach (var target in targets ?? new List<PublishTarget?> { InputObject == null ? null : Guard(() => PublishInputs.Target(InputObject, Repository, SharedTag, WriteWarning), InputObject, terminating: false) })
            {
                if (target != null)
                {
                    Publish(target);
                }
            }
        }

        private void Publish(PublishTarget target)
        {
            var approved = new HashSet<string>(target.Tags.Select(t => publisher!.Destination(t).ToString()).Where(d => ShouldProcess(d, "Push " + target.Image)), StringComparer.Ordinal);
            var progress = new PublishProgressWriter(r => Post(() => WriteProgress(r)));
            var outcomes = Guard(() => RunPumped(ct => publisher!.PushAsync(target, r => approved.Contains(r.Reference), progress, ct)), target.Image, terminating: false);
            WriteProgress(PublishProgressWriter.Completed);
            Write(outcomes);
            RecordPushed(outcomes);
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            foreach (var t in tested)
            {
                if (t.Value.Failed)
                {
                    WriteWarning($"Not publishing {t.Value.Image}: some of its tests failed.");
                }
                else if (Guard(() => PublishInputs.TestedTarget(t.Key, t.Value.Image, SharedTag), t.Value.Image, terminating: false) is { } target)
                {
                    Publish(target);
                }
            }

            AddLedgerImages();
            var approved = new HashSet<string>(publisher!.PendingSharedTags.Where(t => ShouldProcess(t, "Write the multi-platform index")), StringComparer.Ordinal);
            Write(Guard(() => RunPumped(ct => publisher.PublishSharedTagsAsync(r => approved.Contains(r.Reference), ct)), Registry, terminating: false));
            publisher.Dispose();
            if (failed.Count > 0)
            {
                WriteWarning($"{failed.Count} tag(s) were not published: {string.Join(", ", failed.Select(f => f.Reference))}.");
            }
        }

        private void Write(IReadOnlyList<PublishOutcome>? outcomes)
        {
            foreach (var outcome in outcomes ?? Array.Empty<PublishOutcome>())
            {
                if (outcome.Failure != null)
                {
                    WriteError(Record(outcome.Failure, outcome.Result.Reference));
                }

                if (outcome.Result.Status == PublishStatus.Failed)
                {
                    failed.Add(outcome.Result);
                }

                WriteObject(outcome.Result);
            }
        }

        /// <summary>Runs <paramref name="work"/>; a failure becomes an error record (terminating when asked, or when the engine is gone).</summary>
        private T? Guard<T>(Func<T> work, object? target, bool terminating)
        {
            try
            {
                return work();
            }
            catch (Exception ex) when (ex is RegistryException || ex is InputRejectedException || ex is EngineRequestException || ex is EngineStalledException || ex is EngineUnavailableException)
            {
                var record = Record(ex, target);
                if (terminating || ex is EngineStalledException || ex is EngineUnavailableException)
                {
                    ThrowTerminatingError(record);
                }

                WriteError(record);
                return default;
            }
        }

        private void Guard(Action work, object? target, bool terminating) => Guard(() => { work(); return true; }, target, terminating);

        private ErrorRecord Record(Exception ex, object? target) => ex switch
        {
            RegistryException r => Errors.Create(r, r.ErrorId, target, r.RecommendedAction),
            InputRejectedException i => Errors.Create(i, i.ErrorId, target),
            _ => EngineError(ex, target),
        };
    }
}
