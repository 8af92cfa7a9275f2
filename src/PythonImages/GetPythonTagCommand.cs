using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Lists the python images (version × variant) of the matrix with their tags, exactly as the official images tag them.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "PythonTag", DefaultParameterSetName = "Default")]
    [OutputType(typeof(PythonImage))]
    public sealed class GetPythonTagCommand : MatrixCmdlet
    {
        /// <summary>Tags to look for (simple or shared), wildcards allowed.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TagCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Version keys (3.14, 3.15-rc) or full versions (3.14.6), wildcards allowed.</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VersionCompleter))]
        public string[]? Version { get; set; }

        /// <summary>Variants (trixie, slim-bookworm, alpine3.24, windows/windowsservercore-ltsc2025 or its basename), wildcards allowed.</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VariantCompleter))]
        public string[]? Variant { get; set; }

        /// <summary>Only images for this container OS.</summary>
        [Parameter]
        public ImageOS[]? OS { get; set; }

        private readonly HashSet<PythonImage> emitted = new HashSet<PythonImage>();
        private bool anyName;
        private WildcardPattern[]? versionPatterns;
        private WildcardPattern[]? variantPatterns;

        protected override void BeginProcessing()
        {
            // -Version and -Variant do not come from the pipeline: compile their patterns once per command.
            versionPatterns = Version?.Select(Pattern).ToArray();
            variantPatterns = Variant?.Select(Pattern).ToArray();
        }

        protected override void ProcessRecord()
        {
            var (_, images) = LoadMatrix();
            var candidates = images.Where(Matches).ToList();
            if (Name == null)
            {
                if (!anyName)
                {
                    Emit(candidates);
                }

                return;
            }

            anyName = true;
            foreach (var name in Name)
            {
                var pattern = Pattern(name);
                var hits = candidates.Where(i => i.Tags.Any(pattern.IsMatch) || i.SharedTags.Any(pattern.IsMatch)).ToList();
                if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    WriteError(new ErrorRecord(
                        new ItemNotFoundException($"No python image has the tag '{name}'" + (Filtered ? " among the images selected by -Version, -Variant and -OS." : ".")),
                        "PythonTag.NotFound",
                        ErrorCategory.ObjectNotFound,
                        name)
                    {
                        ErrorDetails = new ErrorDetails($"No python image has the tag '{name}'.")
                        {
                            RecommendedAction = "Run Get-PythonTag without -Name to list every tag, or use wildcards (for example -Name '3.14*').",
                        },
                    });
                    continue;
                }

                Emit(hits);
            }
        }

        private bool Filtered => Version != null || Variant != null || OS != null;

        private void Emit(IEnumerable<PythonImage> images)
        {
            foreach (var image in images)
            {
                if (emitted.Add(image))
                {
                    WriteObject(image.Clone());
                }
            }
        }

        private bool Matches(PythonImage image)
        {
            if (versionPatterns != null && !versionPatterns.Any(p => p.IsMatch(image.VersionKey) || p.IsMatch(image.Version)))
            {
                return false;
            }

            if (variantPatterns != null && !variantPatterns.Any(p => p.IsMatch(image.Variant) || p.IsMatch(image.VariantName)))
            {
                return false;
            }

            return OS == null || OS.Contains(image.OS);
        }

        private static WildcardPattern Pattern(string text) =>
            new WildcardPattern(text, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
    }
}
