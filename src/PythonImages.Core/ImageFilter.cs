using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages
{
    /// <summary>
    /// The module's one image selection (Get-PythonTag, and -Version/-Variant of the Dockerfile cmdlets): a version
    /// pattern matches the version key (3.14) or the full version (3.14.6), a variant pattern the variant as written
    /// (windows/windowsservercore-ltsc2025) or its name (windowsservercore-ltsc2025), and the OS list the container OS.
    /// A null list selects everything. Patterns are predicates, so that the cmdlets can pass PowerShell's wildcards.
    /// </summary>
    public sealed class ImageFilter
    {
        private readonly IReadOnlyList<Func<string, bool>>? versions;
        private readonly IReadOnlyList<Func<string, bool>>? variants;
        private readonly IReadOnlyCollection<ImageOS>? os;
        private readonly HashSet<string>? directories;

        /// <summary>
        /// A filter of version patterns, variant patterns, container OSes and Dockerfile directories (3.14/slim-trixie,
        /// matched exactly after '\' becomes '/' and a trailing '/' goes) (null: any).
        /// </summary>
        public ImageFilter(IReadOnlyList<Func<string, bool>>? versions, IReadOnlyList<Func<string, bool>>? variants, IReadOnlyCollection<ImageOS>? os = null, IEnumerable<string?>? directories = null)
        {
            this.versions = versions;
            this.variants = variants;
            this.os = os;
            this.directories = directories == null
                ? null
                : new HashSet<string>(directories.Where(d => d != null).Select(d => d!.Replace('\\', '/').TrimEnd('/')), StringComparer.Ordinal);
        }

        /// <summary>Whether any part of the filter is set.</summary>
        public bool IsFiltered => versions != null || variants != null || os != null || directories != null;

        /// <summary>Whether <paramref name="image"/> passes every part of the filter.</summary>
        public bool Matches(PythonImage image) =>
            (versions == null || versions.Any(p => p(image.VersionKey) || p(image.Version)))
            && (variants == null || variants.Any(p => p(image.Variant) || p(image.VariantName)))
            && (os == null || os.Contains(image.OS))
            && (directories == null || directories.Contains(image.Directory));

        /// <summary>The images that pass, in their order.</summary>
        public IEnumerable<PythonImage> Select(IEnumerable<PythonImage> images) => images.Where(Matches);
    }
}
