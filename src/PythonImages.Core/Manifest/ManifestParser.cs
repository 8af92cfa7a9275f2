using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using PythonImages.Security;
using static PythonImages.ManifestImageInference;
using static PythonImages.ManifestValidator;

namespace PythonImages
{
    /// <summary>
    /// Reads a manifest's text: characters, paragraphs and fields (comments above the first paragraph kept), the header,
    /// and one image per entry (values inherited from the header, each checked as written), then folds entries with the
    /// same build inputs as bashbrew does. The first problem stops it, with its line.
    /// </summary>
    internal static class ManifestParser
    {
        internal static readonly string[] ListFields = { "Maintainers", "Tags", "SharedTags", "Architectures", "Constraints" };
        internal static readonly string[] ScalarFields = { "GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder" };
        internal static readonly string[] ArchitectureFieldNames = { "GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder" };

        /// <summary>Longest line the line-based-format detector looks at (real ones are under 200 characters).</summary>
        private const int MaxLineBasedLine = 4096;

        // Built on first use (no eager static work), anchored at the real end of the string.
        private static Regex? lineBasedEntry;

        private static Regex LineBasedEntry => lineBasedEntry ??= new Regex(@"\A[A-Za-z0-9_][A-Za-z0-9_.-]*:[ \t]*[^\s@]+@[0-9a-fA-F]+(?:[ \t]+\S+)?[ \t]*\z", RegexOptions.CultureInvariant);

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
            // By name as well as in order: a paragraph of many fields is checked for repeats in one pass, not one search per field.
            private readonly Dictionary<string, Field> byName = new Dictionary<string, Field>(StringComparer.Ordinal);

            public List<Field> Fields { get; } = new List<Field>();
            public int Line { get; set; }

            public Field? Get(string name) => byName.TryGetValue(name, out var f) ? f : null;

            public void Add(Field field)
            {
                Fields.Add(field);
                byName[field.Name] = field;
            }
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
            if (text.Length > LibraryManifest.MaxChars)
            {
                throw new ManifestException(
                    ManifestErrorIds.TooLarge,
                    $"The manifest is {text.Length} characters long; at most {LibraryManifest.MaxChars} are accepted (a library manifest is a few kilobytes).",
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

            var header = ReadHeader(headerParagraph, comments, source, file);
            return new ParsedManifest(header, Merge(ReadEntries(paragraphs, header, file)));
        }

        /// <summary>The header paragraph: Maintainers (required, each checked), GitRepo, GitFetch, Builder and other defaults, each checked.</summary>
        private static ManifestHeader ReadHeader(Paragraph headerParagraph, List<string> comments, string? source, string file)
        {
            var header = new ManifestHeader { CommentLines = comments, Source = source };
            foreach (var f in headerParagraph.Fields)
            {
                string value = f.Value;
                if (f.Name == "Maintainers")
                {
                    header.Maintainers = LibraryManifest.SplitList(value).ToList();
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

                // Kept in the form the writer gives it, so that Import -> Export writes what reads back: a list default
                // written over several lines (continuation lines) is one line of items joined with ", ", and an empty
                // default, which sets nothing, is left out (the entries read the same either way).
                if (Array.IndexOf(ListFields, f.Name) >= 0)
                {
                    value = string.Join(", ", LibraryManifest.SplitListItems(value));
                }

                if (value.Length == 0)
                {
                    continue;
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

            return header;
        }

        /// <summary>One image per entry paragraph, each valid on its own, and together without duplicate or reused tags.</summary>
        private static List<PythonImage> ReadEntries(List<Paragraph> paragraphs, ManifestHeader header, string file)
        {
            var headerParagraph = paragraphs[0];
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

            return images;
        }

        /// <summary>
        /// Refuses characters a manifest never needs and that could change how a line is read or shown: control characters
        /// other than TAB and LF (CR only in CRLF), NUL, DEL, bidi overrides and other format characters, U+2028/U+2029.
        /// </summary>
        internal static void CheckCharacters(string text, string file)
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

                var (name, value) = ReadField(line, trimmed, number, file);
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

                current.Add(new Field(name, value, number));
            }

            return (comments, paragraphs);
        }

        /// <summary>A field line: its canonical name and trimmed value; a line of the old line-based format, an invalid or unknown name is refused.</summary>
        private static (string Name, string Value) ReadField(string line, string trimmed, int number, string file)
        {
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

            return (name, line.Substring(colon + 1).Trim());
        }

        /// <summary>The canonical spelling of a known field (case-insensitive), or null.</summary>
        internal static string? NormalizeFieldName(string name)
        {
            foreach (var known in ListFields)
            {
                if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
                {
                    return known;
                }
            }

            foreach (var known in ScalarFields)
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

        private static (PythonImage Image, EntrySource Source) BuildEntry(Paragraph header, Paragraph entry, ManifestHeader parsedHeader, string file)
        {
            var values = new Dictionary<string, Field>(StringComparer.Ordinal);
            foreach (var f in header.Fields)
            {
                if (f.Name != "Maintainers")
                {
                    values[f.Name] = f;
                }
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
            List<string> Items(string name) => values.TryGetValue(name, out var f) ? LibraryManifest.SplitListItems(f.Value) : new List<string>();

            var tags = Items("Tags").ToArray();
            var shared = Distinct(Items("SharedTags")).ToArray();
            var archList = Items("Architectures");
            if (archList.Count == 0)
            {
                archList.Add(LibraryManifest.DefaultArchitecture);
            }

            archList.Sort(StringComparer.Ordinal);
            var arches = SortedDistinct(archList).ToArray();
            string directory = Get("Directory", LibraryManifest.DefaultDirectory);
            var image = Derive(directory, tags, shared);
            image.Tags = tags;
            image.SharedTags = shared;
            image.Architectures = arches;
            image.Constraints = Items("Constraints").ToArray();
            image.GitRepo = Get("GitRepo", string.Empty);
            image.GitFetch = Get("GitFetch", LibraryManifest.DefaultGitFetch);
            image.GitCommit = Get("GitCommit", string.Empty);
            image.File = Get("File", LibraryManifest.DefaultFile);
            string builder = Get("Builder", string.Empty);
            image.Builder = builder.Length == 0 ? null : builder;
            image.ManifestHeader = parsedHeader;
            image.ManifestLine = entry.Line;
            foreach (var kv in values)
            {
                if (kv.Key.IndexOf('-') > 0 && kv.Value.Value.Length > 0) // empty: no override (and nothing the writer writes)
                {
                    image.ArchitectureFields[kv.Key] = kv.Value.Value;
                }
            }

            return (image, where);
        }

        /// <summary><paramref name="items"/> without repeats, first occurrences in order (the same list when it has none).</summary>
        private static List<string> Distinct(List<string> items)
        {
            if (items.Count < 2)
            {
                return items;
            }

            if (items.Count <= 16)
            {
                // A few items (what an entry lists): compared with the ones before, no set.
                var few = new List<string>(items.Count);
                foreach (var item in items)
                {
                    if (!few.Contains(item))
                    {
                        few.Add(item);
                    }
                }

                return few;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var result = new List<string>(items.Count);
            foreach (var item in items)
            {
                if (seen.Add(item))
                {
                    result.Add(item);
                }
            }

            return result;
        }

        /// <summary>A list sorted with the ordinal comparer, without repeats (each follows its first).</summary>
        private static List<string> SortedDistinct(List<string> sorted)
        {
            int kept = 0;
            for (int i = 0; i < sorted.Count; i++)
            {
                if (kept == 0 || !string.Equals(sorted[kept - 1], sorted[i], StringComparison.Ordinal))
                {
                    sorted[kept++] = sorted[i];
                }
            }

            sorted.RemoveRange(kept, sorted.Count - kept);
            return sorted;
        }

        /// <summary>Folds entries whose build inputs are identical into the earlier one (bashbrew's merge rule).</summary>
        internal static List<PythonImage> Merge(List<PythonImage> images)
        {
            // The folded tags are gathered per first entry and set once at the end: folding n entries into one copies each
            // tag once (not the growing list again for every entry, which made 8,000 one-line entries allocate 289 MB).
            var result = new List<PythonImage>();
            var byKey = new Dictionary<string, PythonImage>(StringComparer.Ordinal);
            var folded = new Dictionary<PythonImage, (List<string> Tags, List<string> Shared, HashSet<string> SeenShared)>();
            foreach (var image in images)
            {
                string key = BuildInputs(image);
                if (byKey.TryGetValue(key, out var first))
                {
                    if (!folded.TryGetValue(first, out var into))
                    {
                        into = (new List<string>(first.Tags), new List<string>(first.SharedTags), new HashSet<string>(first.SharedTags, StringComparer.Ordinal));
                        folded[first] = into;
                    }

                    into.Tags.AddRange(image.Tags);
                    into.Shared.AddRange(image.SharedTags.Where(into.SeenShared.Add));
                    continue;
                }

                byKey[key] = image;
                result.Add(image);
            }

            foreach (var kv in folded)
            {
                kv.Key.Tags = kv.Value.Tags.ToArray();
                kv.Key.SharedTags = kv.Value.Shared.ToArray();
            }

            return result;
        }
    }
}
