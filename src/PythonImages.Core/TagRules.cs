using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages
{
    /// <summary>The official images' tag rules: from the matrix to one <see cref="PythonImage"/> per version × variant, in manifest order.</summary>
    public static class TagRules
    {
        /// <summary>The architecture of the Windows images.</summary>
        public const string WindowsArchitecture = "windows-amd64";

        /// <summary>Every image of the matrix with its tags, in manifest order.</summary>
        public static IReadOnlyList<PythonImage> Compute(Matrix matrix)
        {
            // A matrix read from a file brings the images its loader computed to check the tags (the first call only).
            var handed = matrix.TakeHandedImages();
            if (handed != null)
            {
                return handed;
            }

            return Compute(matrix, (IImageCheck?)null);
        }

        /// <summary>What <see cref="Compute(Matrix, IImageCheck)"/> calls after each version's images (the load-time checks).</summary>
        internal interface IImageCheck
        {
            /// <summary>Called after each version entry, whose images are <paramref name="images"/>[<paramref name="start"/>..].</summary>
            void Added(List<PythonImage> images, int start);

            /// <summary>Called before the first image is made, with the (empty) list, the number of images and of their tags.</summary>
            void Expect(List<PythonImage> images, int count, long tags);
        }

        /// <summary>
        /// Every image of the matrix with its tags, in manifest order; <paramref name="check"/> (if any) sees each version's
        /// images as soon as they are made, while their tags are still in the processor's cache: a large matrix's images
        /// outgrow the cache, and a second pass over all of them reads them from memory again.
        /// </summary>
        internal static List<PythonImage> Compute(Matrix matrix, IImageCheck? check)
        {
            // One pass, no per-version scan of the whole matrix: the default aliases are computed once per matrix
            // (Matrix.AliasesFor) and the architectures once per base image (ArchitectureTable).
            var architectures = new ArchitectureTable(matrix);
            int count = 0;
            long tags = 0;
            foreach (var version in matrix.Versions)
            {
                count += version.Variants.Count;
                if (check != null)
                {
                    tags += CountTags(matrix, version);
                }
            }

            var result = new List<PythonImage>(count);
            check?.Expect(result, count, tags);
            foreach (var version in matrix.Versions)
            {
                int start = result.Count;
                AddImages(matrix, version, architectures, result);
                check?.Added(result, start);
            }

            return result;
        }

        /// <summary>The number of tags (simple and shared) of the images of <paramref name="matrix"/>, without making them.</summary>
        internal static long CountTags(Matrix matrix)
        {
            long tags = 0;
            foreach (var version in matrix.Versions)
            {
                tags += CountTags(matrix, version);
            }

            return tags;
        }

        /// <summary>The number of tags (simple and shared) of the images of <paramref name="entry"/>, without making them.</summary>
        private static long CountTags(Matrix matrix, MatrixVersion entry)
        {
            long n = matrix.AliasesFor(entry.Key).Count + 2;
            DefaultsOf(entry, out var defaultDebian, out var defaultAlpine);
            long tags = 0;
            var variants = entry.Variants;
            for (int i = 0; i < variants.Count; i++)
            {
                var variant = variants[i];
                bool windows = variant.Family == ImageFamily.WindowsServerCore;
                tags += HasShortName(variant.Name, defaultDebian, defaultAlpine) ? 2 * n : n;
                tags += windows ? 2 * n : variant.Name == defaultDebian ? n : 0;
            }

            return tags;
        }

        /// <summary>The images of one version entry with their tags.</summary>
        public static IEnumerable<PythonImage> Compute(Matrix matrix, MatrixVersion entry)
        {
            var result = new List<PythonImage>(entry.Variants.Count);
            AddImages(matrix, entry, new ArchitectureTable(matrix), result);
            foreach (var image in result)
            {
                yield return image;
            }
        }

        private static void AddImages(Matrix matrix, MatrixVersion entry, ArchitectureTable architectures, List<PythonImage> result)
        {
            var versionAliases = new VersionAliases(entry, matrix.AliasesFor(entry.Key));
            DefaultsOf(entry, out var defaultDebian, out var defaultAlpine);
            var variants = entry.Variants;
            for (int i = 0; i < variants.Count; i++)
            {
                var variant = variants[i];
                result.Add(Image(matrix, entry, variant, versionAliases, defaultDebian, defaultAlpine, architectures));
            }
        }

        /// <summary>The first Debian full variant and the first Alpine variant of <paramref name="entry"/> (null when none).</summary>
        private static void DefaultsOf(MatrixVersion entry, out string? defaultDebian, out string? defaultAlpine)
        {
            defaultDebian = null;
            defaultAlpine = null;
            var variants = entry.Variants;
            for (int i = 0; i < variants.Count; i++)
            {
                var v = variants[i];
                if (defaultDebian == null && v.Family == ImageFamily.DebianFull)
                {
                    defaultDebian = v.Path;
                }
                else if (defaultAlpine == null && v.Family == ImageFamily.Alpine)
                {
                    defaultAlpine = v.Path;
                }
            }
        }

        /// <summary>
        /// The short variant name that the tags of variant <paramref name="name"/> also carry: "slim" for slim-SUITE of the
        /// default Debian suite, "alpine" for the default Alpine; null for the others.
        /// </summary>
        private static string? ShortNameOf(string name, string? defaultDebian, string? defaultAlpine)
        {
            if (defaultDebian != null && EndsWithSuite(name, defaultDebian))
            {
                int length = name.Length - defaultDebian.Length - 1;
                return length == 4 && name.StartsWith("slim", StringComparison.Ordinal) ? "slim" : name.Substring(0, length);
            }

            return name == defaultAlpine ? "alpine" : null;
        }

        private static bool HasShortName(string name, string? defaultDebian, string? defaultAlpine) =>
            (defaultDebian != null && EndsWithSuite(name, defaultDebian)) || name == defaultAlpine;

        /// <summary>The words of a version's tags, most specific first: its version, its key, then its aliases (no array made).</summary>
        private readonly struct VersionAliases
        {
            private readonly MatrixVersion entry;
            private readonly IReadOnlyList<string> aliases;

            public VersionAliases(MatrixVersion entry, IReadOnlyList<string> aliases)
            {
                this.entry = entry;
                this.aliases = aliases;
            }

            public int Length => aliases.Count + 2;

            public string this[int i] => i == 0 ? entry.Version.Text : i == 1 ? entry.Key.Text : aliases[i - 2];
        }

        /// <summary>One image: its simple tags (every version alias with the variant, then with the short variant name of
        /// the default Debian suite or the default Alpine), its shared tags and its architectures.</summary>
        private static PythonImage Image(Matrix matrix, MatrixVersion entry, VariantInfo variant, VersionAliases versionAliases, string? defaultDebian, string? defaultAlpine, ArchitectureTable architectures)
        {
            string name = variant.Name;
            string? shortName = ShortNameOf(name, defaultDebian, defaultAlpine);

            int n = versionAliases.Length;
            var tags = new string[shortName == null ? n : 2 * n];
            for (int i = 0; i < n; i++)
            {
                tags[i] = StripLatest(versionAliases[i] + "-" + name);
                if (shortName != null)
                {
                    tags[n + i] = StripLatest(versionAliases[i] + "-" + shortName);
                }
            }

            bool windows = variant.Family == ImageFamily.WindowsServerCore;
            bool sharesVersion = windows || name == defaultDebian;
            var shared = sharesVersion ? new string[windows ? 2 * n : n] : Array.Empty<string>();
            for (int i = 0; i < n && sharesVersion; i++)
            {
                if (windows)
                {
                    shared[i] = StripLatest(versionAliases[i] + "-windowsservercore");
                }

                // The plain aliases are appended as they are: "latest-" is deleted only from Tags and the
                // -windowsservercore shared tags (upstream's sharedTags+=( "${versionAliases[@]}" )).
                shared[windows ? n + i : i] = versionAliases[i];
            }

            // Directory (VersionKey/variant) is made on first read, and the architectures array is the one of the base
            // image, copied when the image's Architectures are first read (PythonImage).
            var image = new PythonImage(entry, variant, tags, shared, architectures.For(entry, variant));
            if (windows)
            {
                image.Constraints = new[] { name };
                image.Builder = "classic";
            }

            return image;
        }

        /// <summary>True when <paramref name="name"/> is "&lt;something&gt;-<paramref name="suite"/>" (no string made).</summary>
        private static bool EndsWithSuite(string name, string suite) =>
            name.Length > suite.Length && name[name.Length - suite.Length - 1] == '-' && name.EndsWith(suite, StringComparison.Ordinal);

        /// <summary>Deletes every "latest-" substring, so latest-trixie becomes trixie.</summary>
        public static string StripLatest(string tag) => tag.Replace("latest-", string.Empty);

        /// <summary>The architectures of <paramref name="variant"/> of <paramref name="entry"/>.</summary>
        public static string[] ArchitecturesFor(Matrix matrix, MatrixVersion entry, VariantInfo variant)
        {
            if (variant.OS == ImageOS.Windows)
            {
                return new[] { WindowsArchitecture };
            }

            if (!matrix.Architectures.TryGetValue(variant.BaseImage, out var arches))
            {
                throw new MatrixException(
                    MatrixErrorIds.MissingArchitectures,
                    $"The base image '{variant.BaseImage}' of variant '{variant.Path}' (version {entry.Key}) has no architectures; add it to the matrix's 'architectures' table.",
                    matrix.Source,
                    entry.Line,
                    "architectures");
            }

            var excluded = new HashSet<string>(matrix.ExcludeArchitectures.Concat(entry.ExcludeArchitectures), StringComparer.Ordinal);
            return arches.Where(a => !excluded.Contains(a)).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToArray();
        }

        /// <summary>
        /// <see cref="ArchitecturesFor"/> of one matrix, computed once per base image (per version for the versions with
        /// their own exclusions) and shared by the images until one of them is asked for its own array.
        /// </summary>
        private sealed class ArchitectureTable
        {
            private readonly Matrix matrix;
            private readonly Dictionary<string, SharedArchitectures> common = new Dictionary<string, SharedArchitectures>(StringComparer.Ordinal);
            private readonly Dictionary<string, SharedArchitectures> ofEntry = new Dictionary<string, SharedArchitectures>(StringComparer.Ordinal);
            private MatrixVersion? entryOfTable;
            private SharedArchitectures? windows;

            public ArchitectureTable(Matrix matrix) => this.matrix = matrix;

            public SharedArchitectures For(MatrixVersion entry, VariantInfo variant)
            {
                if (variant.OS == ImageOS.Windows)
                {
                    return windows ??= new SharedArchitectures(ArchitecturesFor(matrix, entry, variant));
                }

                Dictionary<string, SharedArchitectures> table = common;
                if (entry.ExcludeArchitectures.Count != 0)
                {
                    if (!ReferenceEquals(entry, entryOfTable))
                    {
                        ofEntry.Clear();
                        entryOfTable = entry;
                    }

                    table = ofEntry;
                }

                if (!table.TryGetValue(variant.BaseImage, out var arches))
                {
                    arches = new SharedArchitectures(ArchitecturesFor(matrix, entry, variant));
                    table[variant.BaseImage] = arches;
                }

                return arches;
            }
        }
    }
}
