using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PythonImages.Security;

namespace PythonImages
{
    /// <summary>
    /// From a manifest entry to an image: version key, variant and version from the entry's Directory and tags.
    /// </summary>
    internal static class ManifestImageInference
    {
        private static readonly char[] Slash = { '/' };

        // Built on first use (no eager static work), anchored at the real end of the string.
        private static Regex? fullVersion;

        private static Regex FullVersion => fullVersion ??= new Regex(@"\A[0-9]{1,9}\.[0-9]{1,9}\.[0-9]{1,9}(?:(?:a|b|rc)[0-9]{1,9})?\z", RegexOptions.CultureInvariant);

        /// <summary>
        /// An image from a manifest entry: VersionKey from the Directory's first segment (3.14, 3.15-rc), Variant from the
        /// rest (old layouts such as stretch/slim become slim-stretch), Version from the first tag that starts with a full
        /// version, Family/OS/BaseImage from the variant's form.
        /// </summary>
        public static PythonImage Derive(string directory, IReadOnlyList<string> tags, IReadOnlyList<string> sharedTags)
        {
            string version = tags.Concat(sharedTags)
                .Select(t => t.Split('-')[0])
                .FirstOrDefault(t => FullVersion.IsMatch(t)) ?? string.Empty;
            var segments = directory.Split(Slash, StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
            string versionKey = string.Empty;
            if (segments.Count > 0 && IsVersionKey(segments[0]))
            {
                versionKey = segments[0];
                segments.RemoveAt(0);
            }
            else if (PythonVersion.TryParse(version, out var pv) && pv != null)
            {
                versionKey = pv.MajorMinor + (pv.IsPreRelease ? "-rc" : string.Empty);
            }

            if (segments.Count == 2 && segments[1] == "slim" && !segments[0].StartsWith("windows", StringComparison.Ordinal))
            {
                segments = new List<string> { "slim-" + segments[0] };
            }

            string variant = string.Join("/", segments);
            if (variant.Length == 0 && tags.Count > 0 && version.Length > 0 && tags[0].StartsWith(version + "-", StringComparison.Ordinal))
            {
                variant = tags[0].Substring(version.Length + 1);
            }

            var image = new PythonImage(versionKey, version, variant) { Directory = directory };
            if (image.VariantInfo == null)
            {
                // A variant of none of the four forms (nanoserver, an old layout): the closest family its words name.
                image.Family = variant.Contains("windowsservercore") || variant.Contains("nanoserver") ? ImageFamily.WindowsServerCore
                    : variant.Contains("alpine") ? ImageFamily.Alpine
                    : variant.Contains("slim") ? ImageFamily.DebianSlim
                    : ImageFamily.DebianFull;
                image.OS = image.Family == ImageFamily.WindowsServerCore ? ImageOS.Windows : ImageOS.Linux;
            }

            return image;
        }

        /// <summary>A directory segment that is a version key; numbers too large for the model are just not one.</summary>
        internal static bool IsVersionKey(string segment)
        {
            if (segment.Length > InputGrammar.VersionKey.MaxLength)
            {
                return false;
            }

            try
            {
                return VersionKey.TryParse(segment, out _);
            }
            catch (OverflowException)
            {
                return false;
            }
        }
    }
}
