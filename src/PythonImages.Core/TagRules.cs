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

            // One pass, no per-version scan of the whole matrix: the default aliases are computed once per matrix
            // (Matrix.AliasesFor) and the architectures once per base image (ArchitectureTable).
            var architectures = new ArchitectureTable(matrix);
            int count = 0;
            foreach (var version in matrix.Versions)
            {
                count += version.Variants.Count;
            }

            var result = new List<PythonImage>(count);
            foreach (var version in matrix.Versions)
            {
                AddImages(matrix, version, architectures, result);
            }

            return result;
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
            var aliases = matrix.AliasesFor(entry.Key);
            var versionAliases = new string[aliases.Count + 2];
            versionAliases[0] = entry.Version.Text;
            versionAliases[1] = entry.Key.Text;
            for (int i = 0; i < aliases.Count; i++)
            {
                versionAliases[i + 2] = aliases[i];
            }

            string? defaultDebian = null, defaultAlpine = null;
            foreach (var v in entry.Variants)
            {
                if (defaultDebian == null && v.Family == ImageFamily.DebianFull)
                {
                    defaultDebian = v.Path;
                }
                else if (defaultAlpine == null && v.Family == ImageFamily.Alpine)
                {
                    defaultAlpine = v.Path;
                }
            }

            foreach (var variant in entry.Variants)
            {
                result.Add(Image(matrix, entry, variant, versionAliases, defaultDebian, defaultAlpine, architectures));
            }
        }

        /// <summary>One image: its simple tags (every version alias with the variant, then with the short variant name of
        /// the default Debian suite or the default Alpine), its shared tags and its architectures.</summary>
        private static PythonImage Image(Matrix matrix, MatrixVersion entry, VariantInfo variant, string[] versionAliases, string? defaultDebian, string? defaultAlpine, ArchitectureTable architectures)
        {
            string name = variant.Name;
            string? shortName = null;
            if (defaultDebian != null && EndsWithSuite(name, defaultDebian))
            {
                shortName = name.Substring(0, name.Length - defaultDebian.Length - 1);
            }
            else if (name == defaultAlpine)
            {
                shortName = "alpine";
            }

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

                shared[windows ? n + i : i] = StripLatest(versionAliases[i]);
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
