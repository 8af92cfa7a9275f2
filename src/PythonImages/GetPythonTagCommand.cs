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

        /// <summary>Only the images in these Dockerfile directories (3.14/slim-trixie), matched exactly; a build leg's selection (Export-PythonBuildMatrix).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Directory { get; set; }

        private readonly HashSet<PythonImage> emitted = new HashSet<PythonImage>();
        private bool anyName;
        private ImageFilter filter = new ImageFilter(null, null);

        /// <summary>The longest -Name, -Version or -Variant value accepted (a Docker tag has at most 128 characters).</summary>
        internal const int MaxPatternLength = 256;

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            // -Version and -Variant do not come from the pipeline: check and compile their patterns once per command.
            var versionPatterns = Version?.Select(v => (Func<string, bool>)CheckedPattern(v, "-Version", PythonTagErrorIds.InvalidVersion, terminating: true)!.IsMatch).ToArray();
            var variantPatterns = Variant?.Select(v => (Func<string, bool>)CheckedPattern(v, "-Variant", PythonTagErrorIds.InvalidVariant, terminating: true)!.IsMatch).ToArray();
            filter = new ImageFilter(versionPatterns, variantPatterns, OS, Directory);
            if (Version != null || Variant != null)
            {
                ReportUnknownFilters(LoadMatrix().Images);
            }
        }

        /// <summary>A literal -Version or -Variant that no image of the matrix has is a non-terminating NotFound error, like -Name.</summary>
        private void ReportUnknownFilters(IReadOnlyList<PythonImage> images)
        {
            foreach (var version in LiteralFilters.Unmatched(Version, images, i => new[] { i.VersionKey, i.Version }, WildcardPattern.ContainsWildcardCharacters))
            {
                WriteError(Errors.Create(
                    new ItemNotFoundException($"The matrix has no python version '{Security.InputGrammar.Show(version)}'; its versions are {string.Join(", ", images.Select(i => i.VersionKey).Distinct(StringComparer.Ordinal))}."),
                    PythonTagErrorIds.VersionNotFound,
                    version));
            }

            foreach (var variant in LiteralFilters.Unmatched(Variant, images, i => new[] { i.Variant, i.VariantName }, WildcardPattern.ContainsWildcardCharacters))
            {
                WriteError(Errors.Create(
                    new ItemNotFoundException($"The matrix has no image variant '{Security.InputGrammar.Show(variant)}'; its variants are {string.Join(", ", images.Select(i => i.Variant).Distinct(StringComparer.Ordinal))}."),
                    PythonTagErrorIds.VariantNotFound,
                    variant));
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            var (_, images) = LoadMatrix();
            var candidates = filter.Select(images).ToList();
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
                var pattern = CheckedPattern(name, "-Name", PythonTagErrorIds.InvalidName, terminating: false);
                if (pattern == null)
                {
                    continue; // reported; the other names still produce output
                }

                var hits = candidates.Where(i => i.Tags.Any(pattern.IsMatch) || i.SharedTags.Any(pattern.IsMatch)).ToList();
                if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    var record = Errors.Create(
                        new ItemNotFoundException($"No python image has the tag '{name}'" + (Filtered ? " among the images selected by -Version, -Variant and -OS." : ".")),
                        PythonTagErrorIds.NotFound,
                        name);
                    record.ErrorDetails = new ErrorDetails($"No python image has the tag '{name}'.")
                    {
                        RecommendedAction = "Run Get-PythonTag without -Name to list every tag, or use wildcards (for example -Name '3.14*').",
                    };
                    WriteError(record);
                    continue;
                }

                Emit(hits);
            }
        }

        private bool Filtered => filter.IsFiltered;

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

        private static WildcardPattern Pattern(string text) =>
            new WildcardPattern(text, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);

        /// <summary>
        /// A filter value as a wildcard pattern, or an error: printable ASCII (no control characters, which would reach
        /// the error messages), at most <see cref="MaxPatternLength"/> characters, and a valid wildcard pattern (an unclosed
        /// '[' is reported here instead of escaping as a raw WildcardPatternException). Returns null after a non-terminating error.
        /// </summary>
        private WildcardPattern? CheckedPattern(string value, string parameter, string errorId, bool terminating)
        {
            string? why = null;
            int bad = Security.InputGrammar.FirstNonPrintable(value, allowSpace: true);
            if (bad >= 0)
            {
                why = $"it contains the character U+{(int)value[bad]:X4} at position {bad + 1}; only printable ASCII is allowed";
            }
            else if (value.Length > MaxPatternLength)
            {
                why = $"it is {value.Length} characters long; at most {MaxPatternLength} are allowed";
            }

            WildcardPattern? pattern = null;
            if (why == null)
            {
                pattern = Pattern(value);
                try
                {
                    pattern.IsMatch(string.Empty); // parses the pattern
                }
                catch (WildcardPatternException ex)
                {
                    why = "it is not a valid wildcard pattern (" + ex.Message.TrimEnd('.') + "); escape a literal '[' as '`['";
                }
            }

            if (why == null)
            {
                return pattern;
            }

            string shown = Security.InputGrammar.Show(value);
            var record = Errors.Create(
                new ArgumentException($"The {parameter} value '{shown}' is not accepted: {why}."),
                errorId,
                shown,
                $"Pass a tag, version or variant of printable ASCII (wildcards allowed) to {parameter}; Get-PythonTag without parameters lists them all.");
            if (terminating)
            {
                ThrowTerminatingError(record);
            }

            WriteError(record);
            return null;
        }
    }
}
