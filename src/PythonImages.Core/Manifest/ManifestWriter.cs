using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using PythonImages.Security;
using static PythonImages.ManifestParser;
using static PythonImages.ManifestValidator;

namespace PythonImages
{
    /// <summary>
    /// Writes a manifest as generate-stackbrew-library.sh lays it out, and prepares and verifies what Export writes (it
    /// must read back with exactly the exported values).
    /// </summary>
    internal static class ManifestWriter
    {
        /// <summary>The File every entry inherits from the header (its File field, else Dockerfile).</summary>
        internal static string HeaderFile(ManifestHeader header) =>
            (header.OtherFields ?? new List<KeyValuePair<string, string>>()).Where(kv => kv.Key == "File").Select(kv => kv.Value).FirstOrDefault() is { Length: > 0 } f ? f : LibraryManifest.DefaultFile;

        /// <summary>
        /// Copies of the images as Export writes them, with bashbrew's reading applied up front so that reading the file
        /// back gives exactly these values: missing arrays are empty, shared tags de-duplicated, architectures
        /// de-duplicated and sorted, and an empty Directory, File, GitRepo, GitFetch or Builder takes the header's value
        /// (or the format's default). Invalid values are kept as they are, for <see cref="Validate"/> to report.
        /// </summary>
        public static List<PythonImage> PrepareForExport(ManifestHeader header, IEnumerable<PythonImage> images)
        {
            var result = new List<PythonImage>();
            foreach (var image in images.Where(i => i != null))
            {
                // Null arrays (set from PowerShell) mean "none"; Clone needs arrays.
                image.Tags ??= Array.Empty<string>();
                image.SharedTags ??= Array.Empty<string>();
                if (image.ArchitectureList == null)
                {
                    image.Architectures = Array.Empty<string>();
                }
                image.Constraints ??= Array.Empty<string>();
                image.ArchitectureFields ??= new Dictionary<string, string>(StringComparer.Ordinal);
                var c = image.Clone();
                c.SharedTags = c.SharedTags.Distinct(StringComparer.Ordinal).ToArray();
                c.Architectures = c.ArchitectureList.Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToArray();
                c.Directory = string.IsNullOrEmpty(c.Directory) ? LibraryManifest.DefaultDirectory : c.Directory;
                c.File = string.IsNullOrEmpty(c.File) ? HeaderFile(header) : c.File;
                c.GitRepo = string.IsNullOrEmpty(c.GitRepo) ? header.GitRepo : c.GitRepo;
                c.GitFetch = string.IsNullOrEmpty(c.GitFetch) ? header.EffectiveGitFetch : c.GitFetch;
                c.Builder = string.IsNullOrEmpty(c.Builder) ? (string.IsNullOrEmpty(header.Builder) ? null : header.Builder) : c.Builder;
                result.Add(c);
            }

            return result;
        }

        /// <summary>
        /// Writes the manifest and reads it back with <see cref="Parse"/>: the text is returned only when the header and
        /// every entry read back exactly as given. Otherwise throws <see cref="ManifestException"/>
        /// (<see cref="ManifestErrorIds.RoundTripMismatch"/>), so that Export never writes a file its own Import rejects
        /// or reads differently. Run <see cref="Validate"/> first: it names the problems precisely.
        /// </summary>
        public static string WriteVerified(ManifestHeader header, IReadOnlyList<PythonImage> images)
        {
            string text = Write(header, images);
            ParsedManifest back;
            try
            {
                back = Parse(text);
            }
            catch (ManifestException ex)
            {
                throw new ManifestException(
                    ManifestErrorIds.RoundTripMismatch,
                    $"The manifest as it would be written does not read back ({ex.ErrorId}: {ex.Reason}); nothing was written.",
                    null,
                    0,
                    ex.Entry,
                    ex);
            }

            string? difference = HeaderDifference(header, back.Header);
            if (difference == null && back.Images.Count != images.Count)
            {
                difference = $"{images.Count} entries were written but {back.Images.Count} read back";
            }

            for (int i = 0; difference == null && i < images.Count; i++)
            {
                string? field = EntryDifference(images[i], back.Images[i]);
                if (field != null)
                {
                    difference = $"{field} of {DescribeGenerated(images[i])} would read back differently";
                    throw new ManifestException(ManifestErrorIds.RoundTripMismatch, $"The manifest as it would be written does not read back as given: {difference}; nothing was written.", null, 0, DescribeGenerated(images[i])) { Subject = images[i] };
                }
            }

            if (difference != null)
            {
                throw new ManifestException(ManifestErrorIds.RoundTripMismatch, $"The manifest as it would be written does not read back as given: {difference}; nothing was written.", null, 0);
            }

            return text;
        }

        internal static string? HeaderDifference(ManifestHeader a, ManifestHeader b)
        {
            if (!a.CommentLines.SequenceEqual(b.CommentLines, StringComparer.Ordinal))
            {
                return "the comment lines";
            }

            if (!a.Maintainers.SequenceEqual(b.Maintainers, StringComparer.Ordinal))
            {
                return "the header's Maintainers";
            }

            if (!SameText(a.GitRepo, b.GitRepo) || !SameText(a.GitFetch, b.GitFetch) || !SameText(a.Builder, b.Builder))
            {
                return "the header's GitRepo, GitFetch or Builder";
            }

            if (!a.OtherFields.Select(kv => kv.Key + "\u0001" + kv.Value).SequenceEqual(b.OtherFields.Select(kv => kv.Key + "\u0001" + kv.Value), StringComparer.Ordinal))
            {
                return "the header's other fields";
            }

            return null;
        }

        internal static string? EntryDifference(PythonImage a, PythonImage b)
        {
            if (!a.Tags.SequenceEqual(b.Tags, StringComparer.Ordinal)) return "Tags";
            if (!a.SharedTags.SequenceEqual(b.SharedTags, StringComparer.Ordinal)) return "SharedTags";
            if (!a.ArchitectureList.SequenceEqual(b.ArchitectureList, StringComparer.Ordinal)) return "Architectures";
            if (!a.Constraints.SequenceEqual(b.Constraints, StringComparer.Ordinal)) return "Constraints";
            if (!SameText(a.GitRepo, b.GitRepo)) return "GitRepo";
            if (!SameText(a.GitFetch, b.GitFetch)) return "GitFetch";
            if (!SameText(a.GitCommit, b.GitCommit)) return "GitCommit";
            if (!SameText(a.Directory, b.Directory)) return "Directory";
            if (!SameText(a.File, b.File)) return "File";
            if (!SameText(a.Builder, b.Builder)) return "Builder";
            var fa = a.ArchitectureFields.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "\u0001" + kv.Value);
            var fb = b.ArchitectureFields.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "\u0001" + kv.Value);
            return fa.SequenceEqual(fb, StringComparer.Ordinal) ? null : "the per-architecture fields";
        }

        internal static bool SameText(string? a, string? b) => string.Equals(a ?? string.Empty, b ?? string.Empty, StringComparison.Ordinal);

        /// <summary>The generated-by comment upstream writes: a link to generate-stackbrew-library.sh at <paramref name="commit"/>.</summary>
        public static string UpstreamGeneratedByLine(string repository, string commit) =>
            "# this file is generated via " + RepositoryUrl(repository) + "/blob/" + commit + "/generate-stackbrew-library.sh";

        /// <summary>The repository URL without a trailing slash or .git.</summary>
        public static string RepositoryUrl(string repository)
        {
            string r = repository.TrimEnd('/');
            return r.EndsWith(".git", StringComparison.Ordinal) ? r.Substring(0, r.Length - 4) : r;
        }

        /// <summary>Writes the manifest text (LF line ends, ending in one newline), as generate-stackbrew-library.sh lays it out.</summary>
        public static string Write(ManifestHeader header, IEnumerable<PythonImage> images)
        {
            var sb = new StringBuilder();
            foreach (var c in header.CommentLines)
            {
                sb.Append(c).Append('\n');
            }

            if (header.CommentLines.Count > 0)
            {
                sb.Append('\n');
            }

            if (header.Maintainers.Count > 0)
            {
                sb.Append("Maintainers: ").Append(string.Join(",\n" + new string(' ', LibraryManifest.MaintainersIndent), header.Maintainers)).Append('\n');
            }

            Line(sb, "GitRepo", header.GitRepo);
            Line(sb, "GitFetch", header.GitFetch);
            Line(sb, "Builder", header.Builder);
            foreach (var kv in header.OtherFields)
            {
                Line(sb, kv.Key, kv.Value);
            }

            string headerFile = HeaderFile(header);
            var headerFields = new HashSet<string>(header.OtherFields.Select(kv => kv.Key + "\u0001" + kv.Value), StringComparer.Ordinal);
            foreach (var image in images)
            {
                sb.Append('\n');
                Line(sb, "Tags", string.Join(", ", image.Tags));
                if (image.SharedTags.Length > 0)
                {
                    Line(sb, "SharedTags", string.Join(", ", image.SharedTags));
                }

                Line(sb, "Architectures", string.Join(", ", image.ArchitectureList));
                if (!string.IsNullOrEmpty(image.GitRepo) && !string.Equals(image.GitRepo, header.GitRepo, StringComparison.Ordinal))
                {
                    Line(sb, "GitRepo", image.GitRepo);
                }

                if (!string.IsNullOrEmpty(image.GitFetch) && !string.Equals(image.GitFetch, header.EffectiveGitFetch, StringComparison.Ordinal))
                {
                    Line(sb, "GitFetch", image.GitFetch);
                }

                Line(sb, "GitCommit", image.GitCommit);
                Line(sb, "Directory", string.IsNullOrEmpty(image.Directory) ? LibraryManifest.DefaultDirectory : image.Directory);
                if (!string.IsNullOrEmpty(image.File) && image.File != headerFile)
                {
                    Line(sb, "File", image.File);
                }

                if (image.Constraints.Length > 0)
                {
                    Line(sb, "Constraints", string.Join(", ", image.Constraints));
                }

                if (!string.IsNullOrEmpty(image.Builder) && !string.Equals(image.Builder, header.Builder, StringComparison.Ordinal))
                {
                    Line(sb, "Builder", image.Builder);
                }

                foreach (var kv in image.ArchitectureFields.Where(kv => !headerFields.Contains(kv.Key + "\u0001" + kv.Value)))
                {
                    Line(sb, kv.Key, kv.Value);
                }
            }

            return sb.ToString();
        }

        internal static void Line(StringBuilder sb, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                sb.Append(name).Append(": ").Append(value).Append('\n');
            }
        }
    }
}
