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
    /// The official-images library manifest (RFC 2822 form, manifest-and-readme.md Part A): parser, writer and the
    /// validation bashbrew applies.
    /// </summary>
    public static class LibraryManifest
    {
        private static readonly char[] Slash = { '/' };

        private static readonly string[] HeaderFieldNames = { "Maintainers", "GitRepo", "GitFetch", "Builder" };

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

        private static readonly string[] ListFields = { "Maintainers", "Tags", "SharedTags", "Architectures", "Constraints" };
        private static readonly string[] ScalarFields = { "GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder" };
        private static readonly string[] ArchitectureFieldNames = { "GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder" };

        /// <summary>The largest manifest accepted, in characters (and in bytes for a file): python's is about 10 KB.</summary>
        public const int MaxChars = 4 * 1024 * 1024;

        /// <summary>Longest line the line-based-format detector looks at (real ones are under 200 characters).</summary>
        private const int MaxLineBasedLine = 4096;

        // Built on first use (no eager static work), anchored at the real end of the string.
        private static Regex? lineBasedEntry;
        private static Regex? fullVersion;

        private static Regex LineBasedEntry => lineBasedEntry ??= new Regex(@"\A[A-Za-z0-9_][A-Za-z0-9_.-]*:[ \t]*[^\s@]+@[0-9a-fA-F]+(?:[ \t]+\S+)?[ \t]*\z", RegexOptions.CultureInvariant);

        private static Regex FullVersion => fullVersion ??= new Regex(@"\A[0-9]{1,9}\.[0-9]{1,9}\.[0-9]{1,9}(?:(?:a|b|rc)[0-9]{1,9})?\z", RegexOptions.CultureInvariant);

        /// <summary>Whether <paramref name="tag"/> is a valid Docker tag.</summary>
        public static bool IsValidTag(string? tag) => InputGrammar.DockerTag.IsMatch(tag);

        /// <summary>Whether <paramref name="commit"/> is a full commit id.</summary>
        public static bool IsValidCommit(string? commit) => InputGrammar.GitCommit.IsMatch(commit);

        // ------------------------------------------------------------------ parsing

        private sealed class Field
        {
            private List<string>? continuation;

            public Field(string name, string value, int line)
            {
                Name = name;
                First = value;
                Line = line;
            }

            public string Name { get; }
            public int Line { get; }
            private string First { get; }

            /// <summary>The value, continuation lines joined with '\n' (built once, not by repeated concatenation).</summary>
            public string Value => continuation == null ? First : First + "\n" + string.Join("\n", continuation);

            public void Continue(string text) => (continuation ??= new List<string>()).Add(text);
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
            string file = source ?? "(text)";
            if (text.Length > MaxChars)
            {
                throw new ManifestException(
                    ManifestErrorIds.TooLarge,
                    $"The manifest is {text.Length} characters long; at most {MaxChars} are accepted (a library manifest is a few kilobytes).",
                    file,
                    0);
            }

            if (text.Length > 0 && text[0] == '\uFEFF')
            {
                text = text.Substring(1);
            }

            CheckCharacters(text, file);
            var (comments, paragraphs) = Split(text, file);
            if (paragraphs.Count == 0)
            {
                throw new ManifestException(ManifestErrorIds.Empty, "The manifest is empty: it needs at least a header with Maintainers.", file, 0);
            }

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
                string value = f.Value;
                if (f.Name == "Maintainers")
                {
                    header.Maintainers = SplitList(value).ToList();
                    foreach (var m in header.Maintainers)
                    {
                        string? why = ManifestGrammar.Maintainer.Why(m);
                        if (why != null)
                        {
                            throw new ManifestException(ManifestErrorIds.InvalidMaintainer, $"Maintainer '{InputGrammar.Show(m)}' is not accepted: {why}.", file, f.Line);
                        }
                    }

                    continue;
                }

                // A header value is every entry's default: check it here, even when no entry follows.
                if (value.Length > 0)
                {
                    var problem = CheckField(f.Name, value, "the header");
                    if (problem != null)
                    {
                        throw new ManifestException(problem.Value.Id, problem.Value.Message, file, f.Line);
                    }
                }

                switch (f.Name)
                {
                    case "GitRepo":
                        header.GitRepo = value;
                        break;
                    case "GitFetch":
                        header.GitFetch = value;
                        break;
                    case "Builder":
                        header.Builder = value;
                        break;
                    default:
                        header.OtherFields.Add(new KeyValuePair<string, string>(f.Name, value));
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
                var (image, where) = BuildEntry(headerParagraph, p, header, file);
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

        /// <summary>
        /// Refuses characters a manifest never needs and that could change how a line is read or shown: control characters
        /// other than TAB and LF (CR only in CRLF), NUL, DEL, bidi overrides and other format characters, U+2028/U+2029.
        /// </summary>
        private static void CheckCharacters(string text, string file)
        {
            int line = 1;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\n')
                {
                    line++;
                    continue;
                }

                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    continue;
                }

                if (!ManifestGrammar.IsManifestChar(text, i))
                {
                    throw new ManifestException(
                        ManifestErrorIds.InvalidCharacter,
                        $"The manifest contains the character U+{(int)c:X4}, which is not allowed (control, format and line-separator characters are refused; only TAB and LF or CRLF line ends are).",
                        file,
                        line);
                }
            }
        }

        private static string Describe(PythonImage image, int line) =>
            line > 0 ? $"the entry at line {line}" + (image.Tags.Length > 0 ? $" ({InputGrammar.Show(image.Tags[0])})" : string.Empty) : DescribeGenerated(image);

        private static string DescribeGenerated(PythonImage image) =>
            "the entry for " + (string.IsNullOrEmpty(image.Directory) ? "(no Directory)" : InputGrammar.Show(image.Directory))
            + (image.Tags != null && image.Tags.Length > 0 ? $" ({InputGrammar.Show(image.Tags[0])})" : string.Empty);

        private static (List<string> Comments, List<Paragraph> Paragraphs) Split(string text, string file)
        {
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
                            $"Line '{InputGrammar.Show(trimmed)}' starts with whitespace (a continuation line) but there is no field above it to continue.",
                            file,
                            number);
                    }

                    current.Fields[current.Fields.Count - 1].Continue(trimmed);
                    continue;
                }

                int colon = line.IndexOf(':');
                if (colon < 0)
                {
                    throw new ManifestException(ManifestErrorIds.MissingColon, $"Line '{InputGrammar.Show(trimmed)}' is not a field: expected 'Name: value'.", file, number);
                }

                string rawName = line.Substring(0, colon).Trim();
                bool validName = ManifestGrammar.FieldName.IsMatch(rawName);
                if ((!validName || NormalizeFieldName(rawName) == null) && line.Length <= MaxLineBasedLine && LineBasedEntry.IsMatch(line))
                {
                    throw new ManifestException(
                        ManifestErrorIds.LineBasedFormat,
                        $"Line '{InputGrammar.Show(trimmed)}' is in the line-based format used before 2016-06 ('tag: repo@commit directory'); only the RFC 2822 format (Maintainers/GitRepo header, Tags/GitCommit/Directory entries) is supported.",
                        file,
                        number);
                }

                if (!validName)
                {
                    throw new ManifestException(ManifestErrorIds.InvalidFieldName, $"'{InputGrammar.Show(rawName)}' is not a valid field name.", file, number);
                }

                string name = NormalizeFieldName(rawName) ?? throw new ManifestException(
                    ManifestErrorIds.UnknownField,
                    $"Unknown field '{InputGrammar.Show(rawName)}'. Known fields: {string.Join(", ", ListFields.Concat(ScalarFields))}, and <arch>-GitRepo/GitFetch/GitCommit/Directory/File/Builder.",
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

        /// <summary>
        /// Why a Directory value is refused, or null: it must be "." or a relative path in canonical form (bashbrew's rules,
        /// strict): no leading '/', no '.' or '..' component, no empty component or trailing '/', only letters, digits,
        /// '.', '_' and '-' in each component (so nothing a shell, a URL or Markdown would interpret).
        /// </summary>
        public static string? WhyNotDirectory(string? value)
        {
            string? why = InputGrammar.RelativeDirectory.Why(value);
            if (why == null)
            {
                return null;
            }

            string v = value!;
            if (InputGrammar.FirstNonPrintable(v) >= 0 || v.Length > InputGrammar.RelativeDirectory.MaxLength)
            {
                return why;
            }

            if (v.StartsWith("/", StringComparison.Ordinal) || (v.Length > 1 && v[1] == ':') || v.StartsWith("\\", StringComparison.Ordinal))
            {
                return "it is an absolute path; a Directory is relative to the root of GitRepo";
            }

            if (v.Split('/').Any(part => part == ".."))
            {
                return "it has a '..' component, which would leave the repository";
            }

            string clean = CleanPath(v);
            if (clean != v && InputGrammar.RelativeDirectory.IsMatch(clean))
            {
                return $"it is not in canonical form ('.' or empty components, or a trailing '/'); write it as '{clean}'";
            }

            return why;
        }

        private static (PythonImage Image, EntrySource Source) BuildEntry(Paragraph header, Paragraph entry, ManifestHeader parsedHeader, string file)
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

                if (f.Name == "Directory" || f.Name.EndsWith("-Directory", StringComparison.Ordinal))
                {
                    // Checked as written, before any clean-up: "a/../../b" must not become something acceptable.
                    string? why = f.Value.Length == 0 ? null : WhyNotDirectory(f.Value);
                    if (why != null)
                    {
                        throw new ManifestException(ManifestErrorIds.InvalidDirectory, $"{f.Name} '{InputGrammar.Show(f.Value)}' is not accepted: {why}.", file, f.Line);
                    }
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
            string directory = Get("Directory", DefaultDirectory);
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
                image.ArchitectureFields[kv.Key] = kv.Value.Value;
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

        /// <summary>A directory segment that is a version key; numbers too large for the model are just not one.</summary>
        private static bool IsVersionKey(string segment)
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

        /// <summary>Folds entries whose build inputs are identical into the earlier one (bashbrew's merge rule).</summary>
        private static List<PythonImage> Merge(List<PythonImage> images)
        {
            var result = new List<PythonImage>();
            var byKey = new Dictionary<string, PythonImage>(StringComparer.Ordinal);
            foreach (var image in images)
            {
                string key = BuildInputs(image);
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

        /// <summary>What bashbrew compares to decide that two entries build the same thing.</summary>
        private static string BuildInputs(PythonImage image) => string.Join("\u0001", new[]
        {
            string.Join(",", image.Architectures), image.GitRepo ?? string.Empty, image.GitFetch ?? string.Empty, image.GitCommit ?? string.Empty,
            image.Directory ?? string.Empty, image.File ?? string.Empty, string.Join(",", image.Constraints), image.Builder ?? string.Empty,
            string.Join(",", (image.ArchitectureFields ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)),
        });

        // ------------------------------------------------------------------ field rules

        /// <summary>
        /// The rule of one field value as written in a manifest (a header default, an entry value or a per-architecture
        /// override): null when valid, otherwise the error id and message.
        /// </summary>
        private static (string Id, string Message)? CheckField(string field, string? value, string entry)
        {
            int dash = field.LastIndexOf('-');
            string kind = field;
            if (dash > 0)
            {
                string arch = field.Substring(0, dash);
                kind = field.Substring(dash + 1);
                if (!Matrix.KnownArchitectures.Contains(arch))
                {
                    return (ManifestErrorIds.UnknownArchitecture, $"Field '{InputGrammar.Show(field)}' of {entry} names the unknown architecture '{InputGrammar.Show(arch)}'; known: {KnownArchitectureList}.");
                }

                if (!ArchitectureFieldNames.Contains(kind, StringComparer.Ordinal))
                {
                    return (ManifestErrorIds.UnknownField, $"Field '{InputGrammar.Show(field)}' of {entry} is not a per-architecture field (<arch>-GitRepo/GitFetch/GitCommit/Directory/File/Builder).");
                }
            }

            (string, string) Bad(string id, string? why) => (id, $"{field} '{InputGrammar.Show(value)}' of {entry} is not accepted: {why}.");
            switch (kind)
            {
                case "Directory":
                    return WhyNotDirectory(value) is { } d ? Bad(ManifestErrorIds.InvalidDirectory, d) : ((string, string)?)null;
                case "File":
                    return InputGrammar.FileName.Why(value) is { } f ? Bad(ManifestErrorIds.InvalidFile, f + " (a file name inside Directory)") : ((string, string)?)null;
                case "GitRepo":
                    return ManifestGrammar.GitRepo.Why(value) is { } r ? Bad(ManifestErrorIds.InvalidGitRepo, r) : ((string, string)?)null;
                case "GitFetch":
                    return ManifestGrammar.GitFetch.Why(value) is { } g ? Bad(ManifestErrorIds.InvalidGitFetch, g) : ((string, string)?)null;
                case "GitCommit":
                    return InputGrammar.GitCommit.Why(value) is { } c ? Bad(ManifestErrorIds.InvalidGitCommit, c) : ((string, string)?)null;
                case "Builder":
                    return ManifestGrammar.Builder.Why(value) is { } b ? Bad(ManifestErrorIds.InvalidBuilder, b) : ((string, string)?)null;
                case "Architectures":
                    foreach (var a in SplitList(value ?? string.Empty).Where(a => !Matrix.KnownArchitectures.Contains(a)))
                    {
                        return (ManifestErrorIds.UnknownArchitecture, $"Architecture '{InputGrammar.Show(a)}' of {entry} is unknown; known: {KnownArchitectureList}.");
                    }

                    return null;
                case "SharedTags":
                case "Tags":
                    foreach (var t in SplitList(value ?? string.Empty))
                    {
                        if (InputGrammar.DockerTag.Why(t) is { } why)
                        {
                            return (ManifestErrorIds.InvalidTag, $"Tag '{InputGrammar.Show(t)}' of {entry} is not accepted: {why}.");
                        }
                    }

                    return null;
                case "Constraints":
                    foreach (var t in SplitList(value ?? string.Empty))
                    {
                        if (ManifestGrammar.Constraint.Why(t) is { } why)
                        {
                            return (ManifestErrorIds.InvalidConstraint, $"Constraint '{InputGrammar.Show(t)}' of {entry} is not accepted: {why}.");
                        }
                    }

                    return null;
                default:
                    return (ManifestErrorIds.UnknownField, $"Field '{InputGrammar.Show(field)}' of {entry} is not a field this module can write.");
            }
        }

        private static string KnownArchitectureList => string.Join(", ", Matrix.KnownArchitectures.OrderBy(a => a, StringComparer.Ordinal));

        // ------------------------------------------------------------------ validation

        /// <summary>Every problem bashbrew would reject in these entries, and everything the module refuses to write (generated manifests: no file, no lines).</summary>
        public static IReadOnlyList<ManifestException> Validate(ManifestHeader header, IReadOnlyList<PythonImage> images)
        {
            var problems = new List<ManifestException>();
            ManifestException Header(string id, string message) => new ManifestException(id, message, null, 0);

            foreach (var c in header.CommentLines ?? new List<string>())
            {
                string? why = ManifestGrammar.Comment.Why(c?.TrimStart(' ', '\t'));
                if (why != null)
                {
                    problems.Add(Header(ManifestErrorIds.InvalidComment, $"The comment line '{InputGrammar.Show(c)}' is not accepted: {why}."));
                }
            }

            var maintainers = header.Maintainers ?? new List<string>();
            if (maintainers.Count == 0)
            {
                problems.Add(Header(ManifestErrorIds.MissingMaintainers, "The manifest header has no Maintainers; add maintainers to the matrix ('maintainers:')."));
            }

            foreach (var m in maintainers)
            {
                string? why = ManifestGrammar.Maintainer.Why(m);
                if (why != null)
                {
                    problems.Add(Header(ManifestErrorIds.InvalidMaintainer, $"Maintainer '{InputGrammar.Show(m)}' is not accepted: {why} (the form is 'Full Name <email> (@github-handle)')."));
                }
            }

            foreach (var (field, value) in new[] { ("GitRepo", header.GitRepo), ("GitFetch", header.GitFetch), ("Builder", header.Builder) })
            {
                if (!string.IsNullOrEmpty(value) && CheckField(field, value, "the header") is { } p)
                {
                    problems.Add(Header(p.Id, p.Message));
                }
            }

            var seen = new HashSet<string>(HeaderFieldNames, StringComparer.Ordinal);
            foreach (var kv in header.OtherFields ?? new List<KeyValuePair<string, string>>())
            {
                string? name = kv.Key != null && ManifestGrammar.FieldName.IsMatch(kv.Key) ? NormalizeFieldName(kv.Key) : null;
                if (name == null || name != kv.Key || name == "Tags")
                {
                    problems.Add(Header(ManifestErrorIds.UnknownField, $"The header field '{InputGrammar.Show(kv.Key)}' cannot be written: it is not a field of the manifest format, or not in its canonical spelling (Tags are not allowed in the header)."));
                    continue;
                }

                if (!seen.Add(name))
                {
                    problems.Add(Header(ManifestErrorIds.DuplicateField, $"The header field '{name}' is set twice (or also by the header's own {name} property)."));
                    continue;
                }

                if (string.IsNullOrEmpty(kv.Value) || kv.Value != kv.Value.Trim())
                {
                    problems.Add(Header(ManifestErrorIds.InvalidValue, $"The header field '{name}' has an empty value or one with leading or trailing whitespace, which would not read back as written."));
                    continue;
                }

                if (CheckField(name, kv.Value, "the header") is { } p)
                {
                    problems.Add(Header(p.Id, p.Message));
                }
            }

            foreach (var image in images)
            {
                foreach (var p in ValidateEntry(image, _ => 0, null, DescribeGenerated(image)))
                {
                    p.Subject = image;
                    problems.Add(p);
                }

                // An entry inherits what the header sets and cannot remove it (an empty value keeps the header's).
                foreach (var kv in (header.OtherFields ?? new List<KeyValuePair<string, string>>()).Where(kv => kv.Key != null))
                {
                    bool missing = kv.Key == "SharedTags" ? image.SharedTags.Length == 0
                        : kv.Key == "Constraints" ? image.Constraints.Length == 0
                        : kv.Key.IndexOf('-') > 0 && !(image.ArchitectureFields ?? new Dictionary<string, string>()).ContainsKey(kv.Key);
                    if (missing)
                    {
                        problems.Add(new ManifestException(
                            ManifestErrorIds.HeaderFieldNotOverridable,
                            $"The header sets {kv.Key} for every entry, but {DescribeGenerated(image)} has none; a manifest entry cannot remove a value the header sets.",
                            null,
                            0,
                            DescribeGenerated(image))
                        { Subject = image });
                    }
                }
            }

            // A bad header value inherited by the entries is reported once, for the header.
            var headerIds = new HashSet<string>(problems.Where(p => p.Subject == null).Select(p => p.ErrorId), StringComparer.Ordinal);
            bool BadInHeader(string id, string? value, string? headerValue) =>
                !string.IsNullOrEmpty(value) && value == headerValue && headerIds.Contains(id);
            problems.RemoveAll(p => p.Subject is PythonImage i && (
                (p.ErrorId == ManifestErrorIds.InvalidGitRepo && BadInHeader(p.ErrorId, i.GitRepo, header.GitRepo))
                || (p.ErrorId == ManifestErrorIds.InvalidGitFetch && BadInHeader(p.ErrorId, i.GitFetch, header.GitFetch))
                || (p.ErrorId == ManifestErrorIds.InvalidBuilder && BadInHeader(p.ErrorId, i.Builder, header.Builder))));

            problems.AddRange(ValidateAcross(images, (_, __) => 0, null, DescribeGenerated));

            var builds = new Dictionary<string, PythonImage>(StringComparer.Ordinal);
            foreach (var image in images)
            {
                string key = BuildInputs(image);
                if (builds.TryGetValue(key, out var first))
                {
                    problems.Add(new ManifestException(
                        ManifestErrorIds.DuplicateEntry,
                        $"{Cap(DescribeGenerated(image))} has the same build inputs (Directory, GitCommit, Architectures, ...) as {DescribeGenerated(first)}; bashbrew would fold it into that entry.",
                        null,
                        0,
                        DescribeGenerated(image))
                    { Subject = image });
                }
                else
                {
                    builds[key] = image;
                }
            }

            return problems;
        }

        private static IEnumerable<ManifestException> ValidateEntry(PythonImage image, Func<string, int> lineOf, string? file, string entry)
        {
            ManifestException Problem(string id, string field, string message) => new ManifestException(id, message, file, lineOf(field), entry);

            if (image.Tags.Length == 0)
            {
                yield return Problem(ManifestErrorIds.MissingTags, "Tags", $"{Cap(entry)} has no Tags; every entry needs at least one tag.");
            }

            foreach (var tag in image.Tags)
            {
                if (InputGrammar.DockerTag.Why(tag) is { } why)
                {
                    yield return Problem(ManifestErrorIds.InvalidTag, "Tags", $"Tag '{InputGrammar.Show(tag)}' of {entry} is not a valid tag (letters, digits, '_', '.', '-'; starting with a letter, digit or '_'; at most 128 characters): {why}.");
                }
            }

            foreach (var tag in image.SharedTags)
            {
                if (InputGrammar.DockerTag.Why(tag) is { } why)
                {
                    yield return Problem(ManifestErrorIds.InvalidTag, "SharedTags", $"Shared tag '{InputGrammar.Show(tag)}' of {entry} is not a valid tag (letters, digits, '_', '.', '-'; starting with a letter, digit or '_'; at most 128 characters): {why}.");
                }
            }

            if (image.Architectures.Length == 0)
            {
                yield return Problem(ManifestErrorIds.MissingArchitectures, "Architectures", $"{Cap(entry)} has no Architectures; a manifest entry without them means amd64 only, so list them explicitly.");
            }

            foreach (var arch in image.Architectures.Where(a => !Matrix.KnownArchitectures.Contains(a)))
            {
                yield return Problem(ManifestErrorIds.UnknownArchitecture, "Architectures", $"Architecture '{InputGrammar.Show(arch)}' of {entry} is unknown; known: {KnownArchitectureList}.");
            }

            if (string.IsNullOrEmpty(image.GitRepo))
            {
                yield return Problem(ManifestErrorIds.MissingGitRepo, "GitRepo", $"{Cap(entry)} has no GitRepo (set it in the header or the entry).");
            }
            else if (CheckField("GitRepo", image.GitRepo, entry) is { } repo)
            {
                yield return Problem(repo.Id, "GitRepo", repo.Message);
            }

            string fetch = string.IsNullOrEmpty(image.GitFetch) ? DefaultGitFetch : image.GitFetch!;
            if (ManifestGrammar.GitFetch.Why(fetch) is { } badFetch)
            {
                yield return Problem(ManifestErrorIds.InvalidGitFetch, "GitFetch", $"GitFetch '{InputGrammar.Show(fetch)}' of {entry} must look like refs/heads/<branch> or refs/tags/<tag>: {badFetch}.");
            }

            if (string.IsNullOrEmpty(image.GitCommit))
            {
                yield return Problem(ManifestErrorIds.MissingGitCommit, "GitCommit", $"{Cap(entry)} has no GitCommit.");
            }
            else if (!IsValidCommit(image.GitCommit))
            {
                yield return Problem(ManifestErrorIds.InvalidGitCommit, "GitCommit", $"GitCommit '{InputGrammar.Show(image.GitCommit)}' of {entry} is not a commit id (40 or 64 lowercase hexadecimal digits).");
            }

            string directory = string.IsNullOrEmpty(image.Directory) ? DefaultDirectory : image.Directory;
            if (CheckField("Directory", directory, entry) is { } dir)
            {
                yield return Problem(dir.Id, "Directory", dir.Message);
            }

            if (!string.IsNullOrEmpty(image.File) && CheckField("File", image.File, entry) is { } fileProblem)
            {
                yield return Problem(fileProblem.Id, "File", fileProblem.Message);
            }

            foreach (var c in image.Constraints)
            {
                if (ManifestGrammar.Constraint.Why(c) is { } why)
                {
                    yield return Problem(ManifestErrorIds.InvalidConstraint, "Constraints", $"Constraint '{InputGrammar.Show(c)}' of {entry} is not accepted: {why}.");
                }
            }

            if (image.Builder != null && CheckField("Builder", image.Builder, entry) is { } builder)
            {
                yield return Problem(builder.Id, "Builder", builder.Message);
            }

            foreach (var kv in image.ArchitectureFields ?? new Dictionary<string, string>())
            {
                string key = kv.Key ?? string.Empty;
                int dash = key.LastIndexOf('-');
                if (dash <= 0 || !ManifestGrammar.FieldName.IsMatch(key) || NormalizeFieldName(key) != key)
                {
                    yield return Problem(ManifestErrorIds.UnknownField, key, $"Per-architecture field '{InputGrammar.Show(key)}' of {entry} is not of the form <arch>-GitRepo/GitFetch/GitCommit/Directory/File/Builder.");
                }
                else if (CheckField(key, kv.Value, entry) is { } p)
                {
                    yield return Problem(p.Id, key, p.Message);
                }
            }
        }

        private static IEnumerable<ManifestException> ValidateAcross(IReadOnlyList<PythonImage> images, Func<PythonImage, string, int> lineOf, string? file, Func<PythonImage, string> describe)
        {
            var simple = new Dictionary<string, PythonImage>(StringComparer.Ordinal);
            foreach (var image in images)
            {
                foreach (var tag in image.Tags.Where(t => t != null))
                {
                    if (simple.TryGetValue(tag, out var first))
                    {
                        string where = ReferenceEquals(first, image) ? "twice in the same entry" : $"already in {describe(first)}";
                        yield return new ManifestException(
                            ManifestErrorIds.DuplicateTag,
                            $"Tag '{InputGrammar.Show(tag)}' of {describe(image)} is {where}; a simple tag may appear only once in the manifest.",
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
                foreach (var tag in image.SharedTags.Where(t => t != null))
                {
                    if (simple.TryGetValue(tag, out var owner))
                    {
                        yield return new ManifestException(
                            ManifestErrorIds.SharedTagIsSimpleTag,
                            $"Shared tag '{InputGrammar.Show(tag)}' of {describe(image)} is also a simple tag of {describe(owner)}; a tag is either simple or shared.",
                            file,
                            lineOf(image, "SharedTags"),
                            describe(image))
                        { Subject = image };
                    }
                }
            }
        }

        private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);

        // ------------------------------------------------------------------ exporting

        /// <summary>The File every entry inherits from the header (its File field, else Dockerfile).</summary>
        private static string HeaderFile(ManifestHeader header) =>
            (header.OtherFields ?? new List<KeyValuePair<string, string>>()).Where(kv => kv.Key == "File").Select(kv => kv.Value).FirstOrDefault() is { Length: > 0 } f ? f : DefaultFile;

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
                image.Architectures ??= Array.Empty<string>();
                image.Constraints ??= Array.Empty<string>();
                image.ArchitectureFields ??= new Dictionary<string, string>(StringComparer.Ordinal);
                var c = image.Clone();
                c.SharedTags = c.SharedTags.Distinct(StringComparer.Ordinal).ToArray();
                c.Architectures = c.Architectures.Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToArray();
                c.Directory = string.IsNullOrEmpty(c.Directory) ? DefaultDirectory : c.Directory;
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

        private static string? HeaderDifference(ManifestHeader a, ManifestHeader b)
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

        private static string? EntryDifference(PythonImage a, PythonImage b)
        {
            if (!a.Tags.SequenceEqual(b.Tags, StringComparer.Ordinal)) return "Tags";
            if (!a.SharedTags.SequenceEqual(b.SharedTags, StringComparer.Ordinal)) return "SharedTags";
            if (!a.Architectures.SequenceEqual(b.Architectures, StringComparer.Ordinal)) return "Architectures";
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

        private static bool SameText(string? a, string? b) => string.Equals(a ?? string.Empty, b ?? string.Empty, StringComparison.Ordinal);

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

        private static void Line(StringBuilder sb, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                sb.Append(name).Append(": ").Append(value).Append('\n');
            }
        }
    }
}
