using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Renders the README's "Supported tags and respective Dockerfile links" block and the "Supported architectures" line from manifest entries.</para>
    /// <para type="description">Takes the images (imported with Import-PythonLibraryManifest, or resolved with Export-PythonLibraryManifest -PassThru) in manifest order
    /// and renders the block exactly as docker-library/docs does, in one of its four formats (Spaced is today's).</para>
    /// </summary>
    [Cmdlet(VerbsData.ConvertTo, "PythonTagMarkdown", DefaultParameterSetName = "Block")]
    [OutputType(typeof(TagMarkdownResult), ParameterSetName = new[] { "Block" })]
    [OutputType(typeof(string), ParameterSetName = new[] { "Architectures" })]
    public sealed class ConvertToPythonTagMarkdownCommand : PSCmdlet
    {
        /// <summary>The manifest entries, in manifest order.</summary>
        [Parameter(ValueFromPipeline = true)]
        [AllowEmptyCollection]
        public PythonImage[] InputObject { get; set; } = Array.Empty<PythonImage>();

        /// <summary>Italic (until 2019-06), Plain (2019-06..09), Faq (2019-09..2024-07) or Spaced (since 2024-07, the default).</summary>
        // A string, not the Core enum: a value-type member over a Core type would load PythonImages.Core while PowerShell scans this assembly.
        [Parameter(ParameterSetName = "Block")]
        [ValidateSet("Italic", "Plain", "Faq", "Spaced", IgnoreCase = true)]
        public string Format { get; set; } = "Spaced";

        /// <summary>Output only the Supported architectures line.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Architectures")]
        public SwitchParameter Architectures { get; set; }

        /// <summary>The Docker Hub repository name in the architecture links (hub.docker.com/r/&lt;arch&gt;/&lt;name&gt;/).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ImageName { get; set; } = "python";

        private readonly List<PythonImage> images = new List<PythonImage>();

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            if (ManifestGrammar.ImageName.Why(ImageName) is { } why)
            {
                ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-ImageName '{InputGrammar.Show(ImageName)}' is not accepted: {why}."),
                    TagMarkdownErrorIds.InvalidImageName,
                    ImageName,
                    "Pass the Docker Hub repository name, e.g. python."));
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (var image in InputObject)
            {
                if (image != null)
                {
                    images.Add(image);
                }
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            if (Architectures.IsPresent)
            {
                if (!Report(TagMarkdown.ValidateArchitectures(images, ImageName)))
                {
                    WriteObject(TagMarkdown.ArchitecturesLine(images, ImageName));
                }

                return;
            }

            // Every value that would reach the Markdown is checked first: nothing from a manifest is emitted raw.
            bool failed = Report(TagMarkdown.Validate(images, ImageName));
            foreach (var image in images)
            {
                if (image.Tags == null || image.Tags.Length == 0)
                {
                    failed = true;
                    WriteError(Errors.Create(
                        new ArgumentException($"The image for {InputGrammar.Show(image.Directory)} has no tags; every README entry needs at least one."),
                        TagMarkdownErrorIds.MissingTags,
                        image,
                        "Pass images from Get-PythonTag or Import-PythonLibraryManifest."));
                }
                else if (string.IsNullOrEmpty(image.GitCommit) && NeedsCommit(image.GitRepo))
                {
                    failed = true;
                    WriteError(Errors.Create(
                        new ArgumentException($"The image {InputGrammar.Show(image.Tags[0])} ({InputGrammar.Show(image.Directory)}) has no GitCommit, so its Dockerfile link cannot be built."),
                        TagMarkdownErrorIds.MissingGitCommit,
                        image,
                        "Resolve the commits first: Get-PythonTag | Export-PythonLibraryManifest -GitRepository <repo> -PassThru | ConvertTo-PythonTagMarkdown, or import a manifest with Import-PythonLibraryManifest."));
                }
            }

            if (failed)
            {
                return;
            }

            var format = (TagMarkdownFormat)Enum.Parse(typeof(TagMarkdownFormat), Format, ignoreCase: true);
            try
            {
                WriteObject(TagMarkdown.Render(images, format, ImageName));
            }
            catch (ManifestException ex)
            {
                // Render checks again (defence in depth); Validate above has already reported anything it would find.
                WriteError(Errors.FromManifest(ex, ex.Subject ?? ex.Entry));
            }
        }

        /// <summary>Writes one error per problem; true when there was any.</summary>
        private bool Report(IReadOnlyList<ManifestException> problems)
        {
            foreach (var p in problems)
            {
                WriteError(Errors.Create(
                    p,
                    p.ErrorId,
                    p.Subject ?? p.Entry,
                    "Render images imported with Import-PythonLibraryManifest or produced by Get-PythonTag / Export-PythonLibraryManifest -PassThru; values changed by hand must follow the manifest rules (nothing that Markdown or HTML would interpret).", category: FailureCategory.InvalidData));
            }

            return problems.Count > 0;
        }

        private static bool NeedsCommit(string? repo) =>
            string.IsNullOrEmpty(repo)
            || repo!.StartsWith("https://github.com/", StringComparison.Ordinal) || repo.StartsWith("git://github.com/", StringComparison.Ordinal)
            || repo.StartsWith("https://gitlab.com/", StringComparison.Ordinal) || repo.StartsWith("git://gitlab.com/", StringComparison.Ordinal);
    }
}
