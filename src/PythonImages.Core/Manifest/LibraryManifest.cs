using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using PythonImages.Security;

namespace PythonImages
{
    /// <summary>A parsed library manifest: its header and one image per entry, in file order.</summary>
    public sealed class ParsedManifest
    {
        /// <summary>A parsed manifest: its header and its entries.</summary>
        public ParsedManifest(ManifestHeader header, IReadOnlyList<PythonImage> images)
        {
            Header = header;
            Images = images;
        }

        /// <summary>The header paragraph.</summary>
        public ManifestHeader Header { get; }

        /// <summary>The entries, as images.</summary>
        public IReadOnlyList<PythonImage> Images { get; }
    }

    /// <summary>
    /// The official-images library manifest (RFC 2822 form, manifest-and-readme.md Part A): the format's defaults and the
    /// entry points of its parts, the parser (<see cref="ManifestParser"/>), the validation bashbrew applies
    /// (<see cref="ManifestValidator"/>), the writer (<see cref="ManifestWriter"/>) and the entry-to-image inference
    /// (<see cref="ManifestImageInference"/>).
    /// </summary>
    public static class LibraryManifest
    {
        /// <summary>bashbrew's GitFetch when none is given.</summary>
        public const string DefaultGitFetch = "refs/heads/master";
        /// <summary>bashbrew's Directory when none is given.</summary>
        public const string DefaultDirectory = ".";
        /// <summary>bashbrew's File when none is given.</summary>
        public const string DefaultFile = "Dockerfile";
        /// <summary>bashbrew's Architectures when none are given.</summary>
        public const string DefaultArchitecture = "amd64";
        /// <summary>The Builder written into new manifests.</summary>
        public const string DefaultBuilder = "buildkit";

        /// <summary>Width of "Maintainers: ": continuation lines are indented by this many spaces.</summary>
        public const int MaintainersIndent = 13;

        /// <summary>The largest manifest accepted, in characters (and in bytes for a file): python's is about 10 KB.</summary>
        public const int MaxChars = 4 * 1024 * 1024;

        /// <summary>Whether <paramref name="tag"/> is a valid Docker tag.</summary>
        public static bool IsValidTag(string? tag) => InputGrammar.DockerTag.IsMatch(tag);

        /// <summary>Whether <paramref name="commit"/> is a full commit id.</summary>
        public static bool IsValidCommit(string? commit) => InputGrammar.GitCommit.IsMatch(commit);

        /// <summary>Splits a list field on commas, trimming spaces, tabs and newlines; empty items are dropped.</summary>
        public static IEnumerable<string> SplitList(string value) => SplitListItems(value);

        /// <summary><see cref="SplitList"/> as a list: one string per item, no intermediate array or iterator (a manifest
        /// at its size limit has hundreds of thousands of items).</summary>
        internal static List<string> SplitListItems(string value)
        {
            var items = new List<string>();
            int start = 0;
            while (start <= value.Length)
            {
                int comma = value.IndexOf(',', start);
                int end = comma < 0 ? value.Length : comma;
                int first = start;
                int last = end - 1;
                while (first <= last && IsListSpace(value[first]))
                {
                    first++;
                }

                while (last >= first && IsListSpace(value[last]))
                {
                    last--;
                }

                if (last >= first)
                {
                    items.Add(first == 0 && last == value.Length - 1 ? value : value.Substring(first, last - first + 1));
                }

                start = end + 1;
            }

            return items;
        }

        private static bool IsListSpace(char c) => c == ' ' || c == '\t' || c == '\n' || c == '\r';

        /// <summary>Parses a manifest; throws <see cref="ManifestException"/> (with the line) at the first problem, as bashbrew does.</summary>
        public static ParsedManifest Parse(string text, string? source = null) => ManifestParser.Parse(text, source);

        /// <summary>Why a Directory value is refused, or null (see <see cref="ManifestValidator.WhyNotDirectory"/>).</summary>
        public static string? WhyNotDirectory(string? value) => ManifestValidator.WhyNotDirectory(value);

        /// <summary>An image from a manifest entry's Directory and tags (see <see cref="ManifestImageInference.Derive"/>).</summary>
        public static PythonImage Derive(string directory, IReadOnlyList<string> tags, IReadOnlyList<string> sharedTags) =>
            ManifestImageInference.Derive(directory, tags, sharedTags);

        /// <summary>Every problem bashbrew would reject in these entries, and everything the module refuses to write (generated manifests: no file, no lines).</summary>
        public static IReadOnlyList<ManifestException> Validate(ManifestHeader header, IReadOnlyList<PythonImage> images) =>
            ManifestValidator.Validate(header, images);

        /// <summary>Copies of the images as Export writes them (see <see cref="ManifestWriter.PrepareForExport"/>).</summary>
        public static List<PythonImage> PrepareForExport(ManifestHeader header, IEnumerable<PythonImage> images) =>
            ManifestWriter.PrepareForExport(header, images);

        /// <summary>Writes the manifest and returns it only when it reads back exactly as given (see <see cref="ManifestWriter.WriteVerified"/>).</summary>
        public static string WriteVerified(ManifestHeader header, IReadOnlyList<PythonImage> images) => ManifestWriter.WriteVerified(header, images);

        /// <summary>The generated-by comment upstream writes: a link to generate-stackbrew-library.sh at <paramref name="commit"/>.</summary>
        public static string UpstreamGeneratedByLine(string repository, string commit) => ManifestWriter.UpstreamGeneratedByLine(repository, commit);

        /// <summary>The repository URL without a trailing slash or .git.</summary>
        public static string RepositoryUrl(string repository) => ManifestWriter.RepositoryUrl(repository);

        /// <summary>Writes the manifest text (LF line ends, ending in one newline), as generate-stackbrew-library.sh lays it out.</summary>
        public static string Write(ManifestHeader header, IEnumerable<PythonImage> images) => ManifestWriter.Write(header, images);
    }
}
