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
            var result = new List<PythonImage>();
            foreach (var version in matrix.Versions)
            {
                result.AddRange(Compute(matrix, version));
            }

            return result;
        }

        /// <summary>The images of one version entry with their tags.</summary>
        public static IEnumerable<PythonImage> Compute(Matrix matrix, MatrixVersion entry)
        {
            var aliases = matrix.AliasesFor(entry.Key);
            var versionAliases = new List<string> { entry.Version.Text, entry.Key.Text };
            versionAliases.AddRange(aliases);

            string? defaultDebian = entry.Variants.FirstOrDefault(v => v.Family == ImageFamily.DebianFull)?.Path;
            string? defaultAlpine = entry.Variants.FirstOrDefault(v => v.Family == ImageFamily.Alpine)?.Path;

            foreach (var variant in entry.Variants)
            {
                string name = variant.Name;
                var tags = versionAliases.Select(a => a + "-" + name).ToList();
                if (defaultDebian != null && name.EndsWith("-" + defaultDebian, StringComparison.Ordinal))
                {
                    string shortName = name.Substring(0, name.Length - defaultDebian.Length - 1);
                    tags.AddRange(versionAliases.Select(a => a + "-" + shortName));
                }
                else if (name == defaultAlpine)
                {
                    tags.AddRange(versionAliases.Select(a => a + "-alpine"));
                }

                var shared = new List<string>();
                bool windows = variant.Family == ImageFamily.WindowsServerCore;
                if (windows)
                {
                    shared.AddRange(versionAliases.Select(a => a + "-windowsservercore"));
                }

                if (name == defaultDebian || windows)
                {
                    shared.AddRange(versionAliases);
                }

                var image = new PythonImage(entry.Key.Text, entry.Version.Text, variant)
                {
                    Directory = entry.Key.Text + "/" + variant.Path,
                    Tags = tags.Select(StripLatest).ToArray(),
                    SharedTags = shared.Select(StripLatest).ToArray(),
                    Architectures = ArchitecturesFor(matrix, entry, variant),
                    Release = entry,
                };
                if (windows)
                {
                    image.Constraints = new[] { name };
                    image.Builder = "classic";
                }

                yield return image;
            }
        }

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
    }
}
