using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using PythonImages.Security;

namespace PythonImages
{
    /// <summary>The docs templates' eras for the "Supported tags" block (manifest-and-readme.md B.2).</summary>
    public enum TagMarkdownFormat
    {
        /// <summary>Until 2019-06: the Dockerfile path in italics inside every link.</summary>
        Italic,

        /// <summary>2019-06 to 2019-09: no path.</summary>
        Plain,

        /// <summary>2019-09 to 2024-07: the FAQ sentence before the headings.</summary>
        Faq,

        /// <summary>Since 2024-07 (today's docs): blank lines between bullets.</summary>
        Spaced,
    }

    /// <summary>The README's generated parts for a set of manifest entries.</summary>
    public sealed class TagMarkdownResult
    {
        /// <summary>A rendered block with its format, text and counts.</summary>
        public TagMarkdownResult(TagMarkdownFormat format, string markdown, string architecturesLine, int entries, int sharedTagGroups, IReadOnlyList<string> architectures)
        {
            Format = format;
            Markdown = markdown;
            ArchitecturesLine = architecturesLine;
            Entries = entries;
            SharedTagGroups = sharedTagGroups;
            Architectures = architectures;
        }

        /// <summary>The format it was rendered in.</summary>
        public TagMarkdownFormat Format { get; }

        /// <summary>The "Supported tags and respective Dockerfile links" block, trailing newlines removed.</summary>
        public string Markdown { get; }

        /// <summary>The value line of "Supported architectures" (without its leading TAB).</summary>
        public string ArchitecturesLine { get; }

        /// <summary>The number of entries.</summary>
        public int Entries { get; }

        /// <summary>The number of shared-tag groups.</summary>
        public int SharedTagGroups { get; }

        /// <summary>The union of the entries' architectures, sorted.</summary>
        public IReadOnlyList<string> Architectures { get; }

        /// <inheritdoc/>
        public override string ToString() => Markdown;
    }

    /// <summary>A group of shared tags carried by exactly the same entries.</summary>
    public sealed class SharedTagGroup
    {
        /// <summary>A shared tag group: its tags and the entries they point to.</summary>
        public SharedTagGroup(IReadOnlyList<string> tags, IReadOnlyList<PythonImage> entries)
        {
            Tags = tags;
            Entries = entries;
        }

        /// <summary>The shared tags.</summary>
        public IReadOnlyList<string> Tags { get; }

        /// <summary>The entries they point to.</summary>
        public IReadOnlyList<PythonImage> Entries { get; }
    }

    /// <summary>Renders the docs' tags block and architectures line from manifest entries (Parts B and C).</summary>
    public static class TagMarkdown
    {
        private static readonly string[] LinkFields = { "GitRepo", "GitFetch", "GitCommit", "Directory", "File", "Builder" };

        /// <summary>What the block says when there are no tags.</summary>
        public const string NoTags = "**No supported tags**";
        /// <summary>What the architectures line says when there are none.</summary>
        public const string NoArchitectures = "**No supported architectures**";

        /// <summary>The FAQ sentence above the shared tags (Faq and Spaced formats).</summary>
        public const string FaqSentence =
            "(See [\"What's the difference between 'Shared' and 'Simple' tags?\" in the FAQ](https://github.com/docker-library/faq#whats-the-difference-between-shared-and-simple-tags).)";

        /// <summary>Hub namespaces of the architectures (BASHBREW_ARCH_NAMESPACES).</summary>
        public static readonly IReadOnlyDictionary<string, string> ArchitectureNamespaces = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["amd64"] = "amd64",
            ["arm32v5"] = "arm32v5",
            ["arm32v6"] = "arm32v6",
            ["arm32v7"] = "arm32v7",
            ["arm64v8"] = "arm64v8",
            ["i386"] = "i386",
            ["mips64le"] = "mips64le",
            ["ppc64le"] = "ppc64le",
            ["riscv64"] = "riscv64",
            ["s390x"] = "s390x",
            ["windows-amd64"] = "winamd64",
        };

        /// <summary>
        /// Renders the tags block and the architectures line. Every value that reaches the Markdown is checked first
        /// (<see cref="Validate"/>); the first problem is thrown as a <see cref="ManifestException"/>, so no markup from a
        /// manifest or an image object is ever emitted.
        /// </summary>
        public static TagMarkdownResult Render(IReadOnlyList<PythonImage> entries, TagMarkdownFormat format, string imageName = "python")
        {
            ThrowFirst(Validate(entries, imageName));
            var groups = SharedGroups(entries);
            var arches = entries.SelectMany(ArchitecturesOf).Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToList();
            return new TagMarkdownResult(format, Block(entries, format), Line(entries, imageName), entries.Count, groups.Count, arches);
        }

        /// <summary>
        /// Every value of these entries that would reach the README, checked against its allowlist grammar: tags and shared
        /// tags, architectures (the known set), Directory and File (relative, canonical, no markup), GitRepo (a plain git
        /// URL), GitCommit (a full commit id), the per-architecture overrides of those, and the image name. An empty
        /// Directory, File, GitRepo or GitCommit is allowed (defaults apply, or no link is made).
        /// </summary>
        public static IReadOnlyList<ManifestException> Validate(IEnumerable<PythonImage> entries, string imageName = "python")
        {
            var problems = new List<ManifestException>();
            if (ManifestGrammar.ImageName.Why(imageName) is { } badName)
            {
                problems.Add(new ManifestException(TagMarkdownErrorIds.InvalidImageName, $"The image name '{InputGrammar.Show(imageName)}' is not accepted: {badName}.", null, 0));
            }

            var list = entries.Where(e => e != null).ToList();
            foreach (var entry in list)
            {
                string what = What(entry);
                void Add(string id, string message) => problems.Add(new ManifestException(id, message, null, 0, what) { Subject = entry });

                foreach (var tag in (entry.Tags ?? Array.Empty<string>()).Concat(entry.SharedTags ?? Array.Empty<string>()))
                {
                    if (InputGrammar.DockerTag.Why(tag) is { } why)
                    {
                        Add(TagMarkdownErrorIds.InvalidTag, $"Tag '{InputGrammar.Show(tag)}' of {what} is not accepted: {why}.");
                    }
                }

                foreach (var arch in ArchitecturesOf(entry).Where(a => !Matrix.KnownArchitectures.Contains(a)))
                {
                    Add(TagMarkdownErrorIds.UnknownArchitecture, $"Architecture '{InputGrammar.Show(arch)}' of {what} is unknown; known: {string.Join(", ", Matrix.KnownArchitectures.OrderBy(a => a, StringComparer.Ordinal))}.");
                }

                CheckValue(entry.Directory, "Directory", what, Add);
                CheckValue(entry.File, "File", what, Add);
                CheckValue(entry.GitRepo, "GitRepo", what, Add);
                CheckValue(entry.GitCommit, "GitCommit", what, Add);
                foreach (var kv in entry.ArchitectureFields ?? new Dictionary<string, string>())
                {
                    string key = kv.Key ?? string.Empty;
                    int dash = key.LastIndexOf('-');
                    string field = dash > 0 ? key.Substring(dash + 1) : string.Empty;
                    if (dash <= 0 || !Matrix.KnownArchitectures.Contains(key.Substring(0, dash))
                        || !LinkFields.Contains(field, StringComparer.Ordinal))
                    {
                        Add(TagMarkdownErrorIds.InvalidField, $"Per-architecture field '{InputGrammar.Show(key)}' of {what} is not of the form <known arch>-GitRepo/GitFetch/GitCommit/Directory/File/Builder.");
                    }
                    else if (field != "GitFetch" && field != "Builder")
                    {
                        CheckValue(kv.Value, field, what + $" ({InputGrammar.Show(key)})", Add, allowEmpty: false);
                    }
                }
            }

            DuplicateTags(list, problems);
            return problems;
        }

        private static string What(PythonImage entry) =>
            "the image " + (string.IsNullOrEmpty(entry.Directory) ? InputGrammar.Show(entry.VersionKey + "/" + entry.Variant) : InputGrammar.Show(entry.Directory));

        /// <summary>
        /// A tag that names two entries: a simple tag given twice (an entry passed twice, two manifests together) or also
        /// given as a shared tag. Bashbrew refuses such a manifest, so the README block would describe none that can exist.
        /// </summary>
        private static void DuplicateTags(IReadOnlyList<PythonImage> entries, List<ManifestException> problems)
        {
            void Add(PythonImage entry, string message) => problems.Add(new ManifestException(TagMarkdownErrorIds.DuplicateTag, message, null, 0, What(entry)) { Subject = entry });

            var owners = new Dictionary<string, PythonImage>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                foreach (var tag in (entry.Tags ?? Array.Empty<string>()).Where(t => t != null))
                {
                    if (!owners.TryGetValue(tag, out var first))
                    {
                        owners[tag] = entry;
                    }
                    else
                    {
                        Add(entry, $"Tag '{InputGrammar.Show(tag)}' of {What(entry)} is " + (ReferenceEquals(first, entry) ? "given twice in it" : $"also a tag of {What(first)}") + "; a simple tag names one entry of a manifest.");
                    }
                }
            }

            foreach (var entry in entries)
            {
                foreach (var tag in (entry.SharedTags ?? Array.Empty<string>()).Where(t => t != null).Distinct(StringComparer.Ordinal))
                {
                    if (owners.TryGetValue(tag, out var owner))
                    {
                        Add(entry, $"Shared tag '{InputGrammar.Show(tag)}' of {What(entry)} is also a simple tag of {What(owner)}; a tag is either simple or shared.");
                    }
                }
            }
        }

        private static void CheckValue(string? value, string field, string what, Action<string, string> add, bool allowEmpty = true)
        {
            if (allowEmpty && string.IsNullOrEmpty(value))
            {
                return;
            }

            (string Id, string? Why) check = field switch
            {
                "Directory" => (TagMarkdownErrorIds.InvalidDirectory, LibraryManifest.WhyNotDirectory(value)),
                "File" => (TagMarkdownErrorIds.InvalidFile, InputGrammar.FileName.Why(value)),
                "GitRepo" => (TagMarkdownErrorIds.InvalidGitRepo, ManifestGrammar.GitRepo.Why(value)),
                _ => (TagMarkdownErrorIds.InvalidGitCommit, InputGrammar.GitCommit.Why(value)),
            };
            if (check.Why != null)
            {
                add(check.Id, $"{field} '{InputGrammar.Show(value)}' of {what} is not accepted: {check.Why}.");
            }
        }

        private static IEnumerable<string> ArchitecturesOf(PythonImage entry) => entry.ArchitectureList ?? Array.Empty<string>();

        private static void ThrowFirst(IReadOnlyList<ManifestException> problems)
        {
            if (problems.Count > 0)
            {
                throw problems[0];
            }
        }

        /// <summary>Shared tags grouped by the exact set of entries carrying them, each group where its first tag first appears.</summary>
        public static IReadOnlyList<SharedTagGroup> SharedGroups(IReadOnlyList<PythonImage> entries)
        {
            var order = new List<string>();
            var carriers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (int i = 0; i < entries.Count; i++)
            {
                foreach (var tag in entries[i].SharedTags ?? Array.Empty<string>())
                {
                    if (!carriers.TryGetValue(tag, out var list))
                    {
                        list = new List<int>();
                        carriers[tag] = list;
                        order.Add(tag);
                    }

                    // Entries come in order: a repeat within this entry can only be the list's last member (searching the
                    // whole list made entries times shared tags times entries work).
                    if (list.Count == 0 || list[list.Count - 1] != i)
                    {
                        list.Add(i);
                    }
                }
            }

            var groups = new List<(string Key, List<string> Tags, List<int> Entries)>();
            var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var tag in order)
            {
                var members = carriers[tag];
                string key = string.Join("\u0001", members.Select(i => (entries[i].Tags ?? Array.Empty<string>()).FirstOrDefault() ?? string.Empty));
                if (byKey.TryGetValue(key, out int g))
                {
                    groups[g].Tags.Add(tag);
                }
                else
                {
                    byKey[key] = groups.Count;
                    groups.Add((key, new List<string> { tag }, members));
                }
            }

            return groups.Select(g => new SharedTagGroup(g.Tags, g.Entries.Select(i => entries[i]).ToList())).ToList();
        }

        /// <summary>The tags block in one of the four formats, with all trailing newlines removed.</summary>
        public static string TagsBlock(IReadOnlyList<PythonImage> entries, TagMarkdownFormat format)
        {
            ThrowFirst(Validate(entries));
            return Block(entries, format);
        }

        private static string Block(IReadOnlyList<PythonImage> entries, TagMarkdownFormat format)
        {
            if (entries.Count == 0)
            {
                return NoTags;
            }

            var groups = SharedGroups(entries);
            bool italic = format == TagMarkdownFormat.Italic;
            bool spaced = format == TagMarkdownFormat.Spaced;
            var sb = new StringBuilder();
            if (groups.Count > 0)
            {
                if (format == TagMarkdownFormat.Faq || spaced)
                {
                    sb.Append(FaqSentence).Append("\n\n");
                }

                sb.Append("## Simple Tags\n\n");
            }

            foreach (var entry in entries)
            {
                sb.Append("-\t").Append(Linked(entry, entry.Tags ?? Array.Empty<string>(), italic)).Append('\n');
                if (spaced)
                {
                    sb.Append('\n');
                }
            }

            if (groups.Count > 0)
            {
                sb.Append(spaced ? "## Shared Tags\n\n" : "\n## Shared Tags\n\n");
                foreach (var group in groups)
                {
                    sb.Append("-\t").Append(string.Join(", ", group.Tags.Select(t => "`" + t + "`"))).Append(":\n");
                    if (spaced)
                    {
                        sb.Append('\n');
                    }

                    foreach (var member in group.Entries)
                    {
                        sb.Append("\t-\t").Append(Linked(member, (member.Tags ?? Array.Empty<string>()).Take(1), italic)).Append('\n');
                    }

                    if (spaced)
                    {
                        sb.Append('\n');
                    }
                }
            }

            return sb.ToString().TrimEnd('\n');
        }

        private static string Linked(PythonImage entry, IEnumerable<string> tags, bool italic)
        {
            string text = string.Join(", ", tags.Select(t => "`" + t + "`"));
            if (italic)
            {
                text += " (*" + EscapeEmphasis(DockerfilePath(entry, LinkArchitecture(entry))) + "*)";
            }

            string? url = DockerfileUrl(entry);
            return url == null ? text : "[" + text + "](" + url + ")";
        }

        /// <summary>
        /// The path inside the italic span, escaped so that it always shows as written: the allowlisted path characters
        /// hold one that Markdown reads as emphasis ('_'), and a name like "www.host.example" that GitHub's Markdown would
        /// turn into a link to that host (its "www." autolinks), which an escaped '.' after "www" prevents.
        /// </summary>
        private static string EscapeEmphasis(string path)
        {
            string escaped = path.Replace("_", "\\_");
            var sb = new StringBuilder(escaped.Length + 8);
            for (int i = 0; i < escaped.Length; i++)
            {
                sb.Append(escaped[i]);
                if (escaped[i] == '.' && i >= 3 && string.Compare(escaped, i - 3, "www", 0, 3, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    sb.Insert(sb.Length - 1, '\\');
                }
            }

            return sb.ToString();
        }

        /// <summary>The architecture the link is built for: amd64 if the entry has it, else its first (sorted) architecture.</summary>
        public static string LinkArchitecture(PythonImage entry)
        {
            if (ArchitecturesOf(entry).Contains(LibraryManifest.DefaultArchitecture))
            {
                return LibraryManifest.DefaultArchitecture;
            }

            return ArchitecturesOf(entry).OrderBy(a => a, StringComparer.Ordinal).FirstOrDefault() ?? LibraryManifest.DefaultArchitecture;
        }

        private static string Field(PythonImage entry, string arch, string field, string? value, string fallback)
        {
            if (entry.ArchitectureFields != null && entry.ArchitectureFields.TryGetValue(arch + "-" + field, out var overridden) && !string.IsNullOrEmpty(overridden))
            {
                return overridden;
            }

            return string.IsNullOrEmpty(value) ? fallback : value!;
        }

        /// <summary>&lt;Directory&gt;/&lt;File&gt;, or just &lt;File&gt; when Directory is ".".</summary>
        public static string DockerfilePath(PythonImage entry, string arch)
        {
            string dir = Field(entry, arch, "Directory", entry.Directory, LibraryManifest.DefaultDirectory);
            string file = Field(entry, arch, "File", entry.File, LibraryManifest.DefaultFile);
            return dir == "." ? file : dir.TrimEnd('/') + "/" + file;
        }

        /// <summary>The Dockerfile's URL at its commit on GitHub or GitLab; null for other hosts or without a commit.</summary>
        public static string? DockerfileUrl(PythonImage entry)
        {
            string arch = LinkArchitecture(entry);
            string repo = Field(entry, arch, "GitRepo", entry.GitRepo, string.Empty);
            string commit = Field(entry, arch, "GitCommit", entry.GitCommit, string.Empty);
            if (repo.Length == 0 || commit.Length == 0)
            {
                return null;
            }

            if (repo.StartsWith("git://", StringComparison.Ordinal))
            {
                repo = "https://" + repo.Substring("git://".Length);
            }

            // Upstream's template: replace "git://" "https://" | trimSuffixes ".git"; a trailing '/' stays.
            if (repo.EndsWith(".git", StringComparison.Ordinal))
            {
                repo = repo.Substring(0, repo.Length - ".git".Length);
            }

            string path = DockerfilePath(entry, arch);
            if (repo.StartsWith("https://github.com/", StringComparison.Ordinal))
            {
                return repo + "/blob/" + commit + "/" + path;
            }

            if (repo.StartsWith("https://gitlab.com/", StringComparison.Ordinal))
            {
                return repo + "/-/blob/" + commit + "/" + path;
            }

            return null;
        }

        /// <summary>The "Supported architectures" value line: the union of architectures, each linked to its Hub namespace.</summary>
        public static string ArchitecturesLine(IEnumerable<PythonImage> entries, string imageName = "python")
        {
            var list = entries.ToList();
            ThrowFirst(ValidateArchitectures(list, imageName));
            return Line(list, imageName);
        }

        /// <summary>The checks of <see cref="Validate"/> that concern the architectures line only: the image name and the architectures.</summary>
        public static IReadOnlyList<ManifestException> ValidateArchitectures(IEnumerable<PythonImage> entries, string imageName = "python") =>
            Validate(Enumerable.Empty<PythonImage>(), imageName).Concat(Validate(entries).Where(p => p.ErrorId == TagMarkdownErrorIds.UnknownArchitecture)).ToList();

        private static string Line(IEnumerable<PythonImage> entries, string imageName)
        {
            var items = entries.SelectMany(ArchitecturesOf)
                .Select(a => ArchitectureNamespaces.TryGetValue(a, out var ns) ? "[`" + a + "`](https://hub.docker.com/r/" + ns + "/" + imageName + "/)" : "`" + a + "`")
                .Distinct(StringComparer.Ordinal)
                .OrderBy(s => s, StringComparer.Ordinal)
                .ToList();
            return items.Count == 0 ? NoArchitectures : string.Join(", ", items);
        }
    }
}
