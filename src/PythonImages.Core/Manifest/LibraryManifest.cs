using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace PythonImages
{
    /// <summary>A parsed library manifest: its header and one image per entry, in file order.</summary>
    public sealed class ParsedManifest
    {
        public ParsedManifest(ManifestHeader header, IReadOnlyList<PythonImage> images)
        {
            Header = header;
            Images = images;
        }

        public ManifestHeader Header { get; }

        public IReadOnlyList<PythonImage> Images { get; }
    }

    /// <summary>
    /// The official-images library manifest (RFC 2822 form, manifest-and-readme.md Part A): parser, writer and the
    /// validation bashbrew applies.
    /// </summary>
    public static class LibraryManifest
    {
        public const string DefaultGitFetch = "refs/heads/master";
        public const string DefaultDirectory = ".";
        public const string DefaultFile = "Dockerfile";
        public const string DefaultArchitecture = "amd64";
        public const string DefaultBuilder = "buildkit";

        /// <summary>Width of "Maintainers: ": continuation lines are indented by this many spaces.</summary>
        public const int MaintainersIndent = 13;

        private static readonly string[] ListFields = { "Maintainers", "Tags", "SharedTags", "Architectures", "Constraints" };
        private static readonly string[] ScalarFields = { "GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder" };
        private static readonly string[] ArchitectureFieldNames = { "GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder" };

        private static readonly Regex TagPattern = new Regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant);
        private static readonly Regex CommitPattern = new Regex("^(?:[0-9a-f]{40}|[0-9a-f]{64})$", RegexOptions.CultureInvariant);
        private static readonly Regex FetchPattern = new Regex("^refs/(?:heads|tags)/[^*?:]+$", RegexOptions.CultureInvariant);
        private static readonly Regex FieldNamePattern = new Regex("^[A-Za-z0-9][A-Za-z0-9-]*$", RegexOptions.CultureInvariant);
        private static readonly Regex MaintainerPattern = new Regex(@"^[^\s<>()][^<>()]*?(?:\s+<[^\s<>()]+>)?\s+\(@[^\s<>()]+\)$", RegexOptions.CultureInvariant);
        private static readonly Regex LineBasedEntry = new Regex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]*:\s*\S+@[0-9a-fA-F]+(?:\s+\S+)?\s*$", RegexOptions.CultureInvariant);
        private static readonly Regex FullVersion = new Regex(@"^[0-9]+\.[0-9]+\.[0-9]+(?:(?:a|b|rc)[0-9]+)?$", RegexOptions.CultureInvariant);

        public static bool IsValidTag(string tag) => TagPattern.IsMatch(tag);

        public static bool IsValidCommit(string commit) => CommitPattern.IsMatch(commit);

        // ------------------------------------------------------------------ parsing

        private sealed class Field
        {
            public Field(string name, string value, int line)
            {
                Name = name;
                Value = value;
                Line = line;
            }

            public string Name { get; }
            public string Value { get; set; }
            public int Line { get; }
        }

        private sealed class Paragraph
        {
            public List<Field> Fields { get; } = new List<Field>();
            public int Line { get; set; }

            public Field? Get(string name) => Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
        }

        /// <summary>Where each field of a parsed entry was (for error messages).</summary>
        private sealed class EntrySource
        {
            public EntrySource(int line) => Line = line;

            public int Line { get; }
            public Dictionary<string, int> Fields { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

            public int LineOf(string field) => Fields.TryGetValue(field, out var l) ? l : Line;
        }

        /// <summary>Parses a manifest; throws <see cref="ManifestException"/> (with the line) at the first problem, as bashbrew does.</summary>
        public static ParsedManifest Parse(string text, string? source = null)
        {
            var (comments, paragraphs) = Split(text, source);
            if (paragraphs.Count == 0)
            {
                throw new ManifestException(ManifestErrorIds.Empty, "The manifest is empty: it needs at least a header with Maintainers.", source ?? "(text)", 0);
            }

            string file = source ?? "(text)";
            var headerParagraph = paragraphs[0];
            var tagsInHeader = headerParagraph.Get("Tags");
            if (tagsInHeader != null)
            {
                throw new ManifestException(
                    ManifestErrorIds.TagsInHeader,
                    "Tags is not allowed in the first paragraph (the global header); add a header paragraph with Maintainers and GitRepo above the first entry, separated by a blank line.",
                    file,
                    tagsInHeader.Line);
            }

            var header = new ManifestHeader { CommentLines = comments, Source = source };
            foreach (var f in headerParagraph.Fields)
            {
                switch (f.Name)
                {
                    case "Maintainers":
                        header.Maintainers = SplitList(f.Value).ToList();
                        foreach (var m in header.Maintainers)
                        {
                            if (!MaintainerPattern.IsMatch(m))
                            {
                                throw new ManifestException(ManifestErrorIds.InvalidMaintainer, $"Maintainer '{m}' is not of the form 'Full Name <email> (@github-handle)'.", file, f.Line);
                            }
                        }

                        break;
                    case "GitRepo":
                        header.GitRepo = f.Value;
                        break;
                    case "GitFetch":
                        header.GitFetch = f.Value;
                        break;
                    case "Builder":
                        header.Builder = f.Value;
                        break;
                    default:
                        header.OtherFields.Add(new KeyValuePair<string, string>(f.Name, f.Value));
                        break;
                }
            }

            if (header.Maintainers.Count == 0)
            {
                throw new ManifestException(ManifestErrorIds.MissingMaintainers, "The header has no Maintainers field (required: 'Maintainers: Full Name <email> (@handle)').", file, headerParagraph.Line);
            }

            var images = new List<PythonImage>();
            var sources = new Dictionary<PythonImage, EntrySource>();
            for (int i = 1; i < paragraphs.Count; i++)
            {
                var p = paragraphs[i];
                var (image, where) = BuildEntry(headerParagraph, p, header);
                var problem = ValidateEntry(image, where.LineOf, file, Describe(image, where.Line)).FirstOrDefault();
                if (problem != null)
                {
                    throw problem;
                }

                sources[image] = where;
                images.Add(image);
            }

            var cross = ValidateAcross(images, (img, field) => sources[img].LineOf(field), file, img => Describe(img, sources[img].Line)).FirstOrDefault();
            if (cross != null)
            {
                throw cross;
            }

            return new ParsedManifest(header, Merge(images));
        }

        private static string Describe(PythonImage image, int line) =>
            line > 0 ? $"the entry at line {line}" + (image.Tags.Length > 0 ? $" ({image.Tags[0]})" : string.Empty) : DescribeGenerated(image);

        private static string DescribeGenerated(PythonImage image) =>
            "the entry for " + (string.IsNullOrEmpty(image.Directory) ? "(no Directory)" : image.Directory) + (image.Tags.Length > 0 ? $" ({image.Tags[0]})" : string.Empty);

        private static (List<string> Comments, List<Paragraph> Paragraphs) Split(string text, string? source)
        {
            string file = source ?? "(text)";
            var comments = new List<string>();
            var paragraphs = new List<Paragraph>();
            Paragraph? current = null;
            string[] lines = text.Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                int number = i + 1;
                string trimmed = line.Trim();
                if (trimmed.StartsWith("#", StringComparison.Ordinal))
                {
                    // Comments are removed before parsing; the ones above the first paragraph are kept for the writer.
                    if (paragraphs.Count == 0 && current == null)
                    {
                        comments.Add(line.TrimEnd());
                    }

                    continue;
                }

                if (trimmed.Length == 0)
                {
                    current = null;
                    continue;
                }

                if (char.IsWhiteSpace(line[0]))
                {
                    if (current == null || current.Fields.Count == 0)
                    {
                        throw new ManifestException(
                            ManifestErrorIds.ContinuationWithoutField,
                            $"Line '{trimmed}' starts with whitespace (a continuation line) but there is no field above it to continue.",
                            file,
                            number);
                    }

                    var last = current.Fields[current.Fields.Count - 1];
                    last.Value = last.Value + "\n" + trimmed;
                    continue;
                }

                int colon = line.IndexOf(':');
                if (colon < 0)
                {
                    throw new ManifestException(ManifestErrorIds.MissingColon, $"Line '{trimmed}' is not a field: expected 'Name: value'.", file, number);
                }

                string rawName = line.Substring(0, colon).Trim();
                if ((!FieldNamePattern.IsMatch(rawName) || NormalizeFieldName(rawName) == null) && LineBasedEntry.IsMatch(line))
                {
                    throw new ManifestException(
                        ManifestErrorIds.LineBasedFormat,
                        $"Line '{trimmed}' is in the line-based format used before 2016-06 ('tag: repo@commit directory'); only the RFC 2822 format (Maintainers/GitRepo header, Tags/GitCommit/Directory entries) is supported.",
                        file,
                        number);
                }

                if (!FieldNamePattern.IsMatch(rawName))
                {
                    throw new ManifestException(ManifestErrorIds.InvalidFieldName, $"'{rawName}' is not a valid field name.", file, number);
                }

                string name = NormalizeFieldName(rawName) ?? throw new ManifestException(
                    ManifestErrorIds.UnknownField,
                    $"Unknown field '{rawName}'. Known fields: {string.Join(", ", ListFields.Concat(ScalarFields))}, and <arch>-GitRepo/GitFetch/GitCommit/Directory/File/Builder.",
                    file,
                    number);
                if (current == null)
                {
                    current = new Paragraph { Line = number };
                    paragraphs.Add(current);
                }

                var existing = current.Get(name);
                if (existing != null)
                {
                    throw new ManifestException(ManifestErrorIds.DuplicateField, $"Field '{name}' appears twice in one paragraph (first at line {existing.Line}).", file, number);
                }

                current.Fields.Add(new Field(name, line.Substring(colon + 1).Trim(), number));
            }

            return (comments, paragraphs);
        }

        /// <summary>The canonical spelling of a known field (case-insensitive), or null.</summary>
        private static string? NormalizeFieldName(string name)
        {
            foreach (var known in ListFields.Concat(ScalarFields))
            {
                if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
                {
                    return known;
                }
            }

            int dash = name.LastIndexOf('-');
            if (dash > 0)
            {
                string arch = name.Substring(0, dash);
                string field = name.Substring(dash + 1);
                foreach (var known in ArchitectureFieldNames)
                {
                    if (string.Equals(known, field, StringComparison.OrdinalIgnoreCase))
                    {
                        return arch + "-" + known;
                    }
                }
            }

            return null;
        }

        /// <summary>Lexical clean-up of a slash path, as Go's path.Clean: no empty or "." segments, ".." resolved, no trailing slash; "" becomes ".".</summary>
        public static string CleanPath(string path)
        {
            bool rooted = path.StartsWith("/", StringComparison.Ordinal);
            var parts = new List<string>();
            foreach (var part in path.Split('/'))
            {
                if (part.Length == 0 || part == ".")
                {
                    continue;
                }

                if (part == ".." && parts.Count > 0 && parts[parts.Count - 1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (part != ".." || !rooted)
                {
                    parts.Add(part);
                }
            }

            string joined = string.Join("/", parts);
            return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
        }

        /// <summary>Splits a list field on commas, trimming spaces, tabs and newlines; empty items are dropped.</summary>
        public static IEnumerable<string> SplitList(string value) =>
            value.Split(',').Select(v => v.Trim(' ', '\t', '\n', '\r')).Where(v => v.Length > 0);

        private static (PythonImage Image, EntrySource Source) BuildEntry(Paragraph header, Paragraph entry, ManifestHeader parsedHeader)
        {
            var values = new Dictionary<string, Field>(StringComparer.Ordinal);
            foreach (var f in header.Fields.Where(f => f.Name != "Maintainers"))
            {
                values[f.Name] = f;
            }

            var where = new EntrySource(entry.Line);
            foreach (var f in entry.Fields)
            {
                if (f.Name == "Maintainers")
                {
                    // An entry may not change the maintainers; bashbrew ignores it there. Keep it out of the image.
                    continue;
                }

                if (f.Value.Length == 0 && values.ContainsKey(f.Name))
                {
                    continue; // an empty value keeps the header's
                }

                values[f.Name] = f;
                where.Fields[f.Name] = f.Line;
            }

            string Get(string name, string fallback) => values.TryGetValue(name, out var f) && f.Value.Length > 0 ? f.Value : fallback;
            string[] List(string name) => values.TryGetValue(name, out var f) ? SplitList(f.Value).ToArray() : Array.Empty<string>();

            var tags = List("Tags");
            var shared = List("SharedTags").Distinct(StringComparer.Ordinal).ToArray();
            var arches = List("Architectures");
            if (arches.Length == 0)
            {
                arches = new[] { DefaultArchitecture };
            }

            arches = arches.Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToArray();
            string directory = CleanPath(Get("Directory", DefaultDirectory));
            var image = Derive(directory, tags, shared);
            image.Tags = tags;
            image.SharedTags = shared;
            image.Architectures = arches;
            image.Constraints = List("Constraints");
            image.GitRepo = Get("GitRepo", string.Empty);
            image.GitFetch = Get("GitFetch", DefaultGitFetch);
            image.GitCommit = Get("GitCommit", string.Empty);
            image.File = Get("File", DefaultFile);
            string builder = Get("Builder", string.Empty);
            image.Builder = builder.Length == 0 ? null : builder;
            image.ManifestHeader = parsedHeader;
            image.ManifestLine = entry.Line;
            foreach (var kv in values.Where(kv => kv.Key.IndexOf('-') > 0))
            {
                image.ArchitectureFields[kv.Key] = kv.Key.EndsWith("-Directory", StringComparison.Ordinal) ? CleanPath(kv.Value.Value) : kv.Value.Value;
            }

            return (image, where);
        }

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
            var segments = directory.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
            string versionKey = string.Empty;
            if (segments.Count > 0 && VersionKey.TryParse(segments[0], out _))
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
            var info = VariantInfo.TryParse(variant, out _);
            if (info != null)
            {
                image.Family = info.Family;
                image.OS = info.OS;
                image.BaseImage = info.BaseImage;
            }
            else
            {
                image.Family = variant.Contains("windowsservercore") || variant.Contains("nanoserver") ? ImageFamily.WindowsServerCore
                    : variant.Contains("alpine") ? ImageFamily.Alpine
                    : variant.Contains("slim") ? ImageFamily.DebianSlim
                    : ImageFamily.DebianFull;
                image.OS = image.Family == ImageFamily.WindowsServerCore ? ImageOS.Windows : ImageOS.Linux;
            }

            return image;
        }

        /// <summary>Folds entries whose build inputs are identical into the earlier one (bashbrew's merge rule).</summary>
        private static IReadOnlyList<PythonImage> Merge(List<PythonImage> images)
        {
            var result = new List<PythonImage>();
            var byKey = new Dictionary<string, PythonImage>(StringComparer.Ordinal);
            foreach (var image in images)
            {
                string key = string.Join("\u0001", new[]
                {
                    string.Join(",", image.Architectures), image.GitRepo ?? string.Empty, image.GitFetch ?? string.Empty, image.GitCommit ?? string.Empty,
                    image.Directory, image.File ?? string.Empty, string.Join(",", image.Constraints), image.Builder ?? string.Empty,
                    string.Join(",", image.ArchitectureFields.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)),
                });
                if (byKey.TryGetValue(key, out var first))
                {
                    first.Tags = first.Tags.Concat(image.Tags).ToArray();
                    first.SharedTags = first.SharedTags.Concat(image.SharedTags).Distinct(StringComparer.Ordinal).ToArray();
                    continue;
                }

                byKey[key] = image;
                result.Add(image);
            }

            return result;
        }

        // ------------------------------------------------------------------ validation

        /// <summary>Every problem bashbrew would reject in these entries (generated manifests: no file, no lines).</summary>
        public static IReadOnlyList<ManifestException> Validate(ManifestHeader header, IReadOnlyList<PythonImage> images)
        {
            var problems = new List<ManifestException>();
            if (header.Maintainers.Count == 0)
            {
                problems.Add(new ManifestException(ManifestErrorIds.MissingMaintainers, "The manifest header has no Maintainers; add maintainers to the matrix ('maintainers:').", null, 0));
            }

            foreach (var m in header.Maintainers.Where(m => !MaintainerPattern.IsMatch(m)))
            {
                problems.Add(new ManifestException(ManifestErrorIds.InvalidMaintainer, $"Maintainer '{m}' is not of the form 'Full Name <email> (@github-handle)'.", null, 0));
            }

            foreach (var image in images)
            {
                foreach (var p in ValidateEntry(image, _ => 0, null, DescribeGenerated(image)))
                {
                    p.Subject = image;
                    problems.Add(p);
                }
            }

            problems.AddRange(ValidateAcross(images, (_, __) => 0, null, DescribeGenerated));
            return problems;
        }

        private static IEnumerable<ManifestException> ValidateEntry(PythonImage image, Func<string, int> lineOf, string? file, string entry)
        {
            ManifestException Problem(string id, string field, string message) => new ManifestException(id, message, file, lineOf(field), entry);

            if (image.Tags.Length == 0)
            {
                yield return Problem(ManifestErrorIds.MissingTags, "Tags", $"{Cap(entry)} has no Tags; every entry needs at least one tag.");
            }

            foreach (var tag in image.Tags.Where(t => !IsValidTag(t)))
            {
                yield return Problem(ManifestErrorIds.InvalidTag, "Tags", $"Tag '{tag}' of {entry} is not a valid tag (letters, digits, '_', '.', '-'; starting with a letter, digit or '_'; at most 128 characters).");
            }

            foreach (var tag in image.SharedTags.Where(t => !IsValidTag(t)))
            {
                yield return Problem(ManifestErrorIds.InvalidTag, "SharedTags", $"Shared tag '{tag}' of {entry} is not a valid tag (letters, digits, '_', '.', '-'; starting with a letter, digit or '_'; at most 128 characters).");
            }

            if (string.IsNullOrEmpty(image.GitRepo))
            {
                yield return Problem(ManifestErrorIds.MissingGitRepo, "GitRepo", $"{Cap(entry)} has no GitRepo (set it in the header or the entry).");
            }

            string fetch = string.IsNullOrEmpty(image.GitFetch) ? DefaultGitFetch : image.GitFetch!;
            if (!FetchPattern.IsMatch(fetch))
            {
                yield return Problem(ManifestErrorIds.InvalidGitFetch, "GitFetch", $"GitFetch '{fetch}' of {entry} must look like refs/heads/<branch> or refs/tags/<tag>.");
            }

            if (string.IsNullOrEmpty(image.GitCommit))
            {
                yield return Problem(ManifestErrorIds.MissingGitCommit, "GitCommit", $"{Cap(entry)} has no GitCommit.");
            }
            else if (!IsValidCommit(image.GitCommit!))
            {
                yield return Problem(ManifestErrorIds.InvalidGitCommit, "GitCommit", $"GitCommit '{image.GitCommit}' of {entry} is not a commit id (40 or 64 lowercase hexadecimal digits).");
            }

            foreach (var arch in image.Architectures.Where(a => !Matrix.KnownArchitectures.Contains(a)))
            {
                yield return Problem(ManifestErrorIds.UnknownArchitecture, "Architectures", $"Architecture '{arch}' of {entry} is unknown; known: {string.Join(", ", Matrix.KnownArchitectures.OrderBy(a => a, StringComparer.Ordinal))}.");
            }

            foreach (var kv in image.ArchitectureFields)
            {
                int dash = kv.Key.LastIndexOf('-');
                string arch = dash > 0 ? kv.Key.Substring(0, dash) : kv.Key;
                string field = dash > 0 ? kv.Key.Substring(dash + 1) : kv.Key;
                if (!Matrix.KnownArchitectures.Contains(arch))
                {
                    yield return Problem(ManifestErrorIds.UnknownArchitecture, kv.Key, $"Field '{kv.Key}' of {entry} names the unknown architecture '{arch}'.");
                }
                else if (field == "GitCommit" && !IsValidCommit(kv.Value))
                {
                    yield return Problem(ManifestErrorIds.InvalidGitCommit, kv.Key, $"{kv.Key} '{kv.Value}' of {entry} is not a commit id (40 or 64 lowercase hexadecimal digits).");
                }
                else if (field == "GitFetch" && !FetchPattern.IsMatch(kv.Value))
                {
                    yield return Problem(ManifestErrorIds.InvalidGitFetch, kv.Key, $"{kv.Key} '{kv.Value}' of {entry} must look like refs/heads/<branch> or refs/tags/<tag>.");
                }
            }
        }

        private static IEnumerable<ManifestException> ValidateAcross(IReadOnlyList<PythonImage> images, Func<PythonImage, string, int> lineOf, string? file, Func<PythonImage, string> describe)
        {
            var simple = new Dictionary<string, PythonImage>(StringComparer.Ordinal);
            foreach (var image in images)
            {
                foreach (var tag in image.Tags)
                {
                    if (simple.TryGetValue(tag, out var first))
                    {
                        string where = ReferenceEquals(first, image) ? "twice in the same entry" : $"already in {describe(first)}";
                        yield return new ManifestException(
                            ManifestErrorIds.DuplicateTag,
                            $"Tag '{tag}' of {describe(image)} is {where}; a simple tag may appear only once in the manifest.",
                            file,
                            lineOf(image, "Tags"),
                            describe(image))
                        { Subject = image };
                    }
                    else
                    {
                        simple[tag] = image;
                    }
                }
            }

            foreach (var image in images)
            {
                foreach (var tag in image.SharedTags)
                {
                    if (simple.TryGetValue(tag, out var owner))
                    {
                        yield return new ManifestException(
                            ManifestErrorIds.SharedTagIsSimpleTag,
                            $"Shared tag '{tag}' of {describe(image)} is also a simple tag of {describe(owner)}; a tag is either simple or shared.",
                            file,
                            lineOf(image, "SharedTags"),
                            describe(image))
                        { Subject = image };
                    }
                }
            }
        }

        private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);

        // ------------------------------------------------------------------ writing

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
                sb.Append("Maintainers: ").Append(string.Join(",\n" + new string(' ', MaintainersIndent), header.Maintainers)).Append('\n');
            }

            Line(sb, "GitRepo", header.GitRepo);
            Line(sb, "GitFetch", header.GitFetch);
            Line(sb, "Builder", header.Builder);
            foreach (var kv in header.OtherFields)
            {
                Line(sb, kv.Key, kv.Value);
            }

            var headerFields = new HashSet<string>(header.OtherFields.Select(kv => kv.Key + "\u0001" + kv.Value), StringComparer.Ordinal);
            foreach (var image in images)
            {
                sb.Append('\n');
                Line(sb, "Tags", string.Join(", ", image.Tags));
                if (image.SharedTags.Length > 0)
                {
                    Line(sb, "SharedTags", string.Join(", ", image.SharedTags));
                }

                Line(sb, "Architectures", string.Join(", ", image.Architectures));
                if (!string.IsNullOrEmpty(image.GitRepo) && !string.Equals(image.GitRepo, header.GitRepo, StringComparison.Ordinal))
                {
                    Line(sb, "GitRepo", image.GitRepo);
                }

                if (!string.IsNullOrEmpty(image.GitFetch) && !string.Equals(image.GitFetch, header.EffectiveGitFetch, StringComparison.Ordinal))
                {
                    Line(sb, "GitFetch", image.GitFetch);
                }

                Line(sb, "GitCommit", image.GitCommit);
                Line(sb, "Directory", string.IsNullOrEmpty(image.Directory) ? DefaultDirectory : image.Directory);
                if (!string.IsNullOrEmpty(image.File) && image.File != DefaultFile)
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

        private static void Line(StringBuilder sb, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                sb.Append(name).Append(": ").Append(value).Append('\n');
            }
        }
    }
}
