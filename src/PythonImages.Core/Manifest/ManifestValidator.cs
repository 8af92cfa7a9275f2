using System;
using System.Collections.Generic;
using System.Linq;
using PythonImages.Security;
using static PythonImages.ManifestParser;

namespace PythonImages
{
    /// <summary>
    /// The manifest's rules: every field value against its allowlist, every entry as bashbrew checks it, and the rules
    /// across entries (duplicate tags, a simple tag reused as a shared tag, duplicate build inputs).
    /// </summary>
    internal static class ManifestValidator
    {
        private static readonly string[] HeaderFieldNames = { "Maintainers", "GitRepo", "GitFetch", "Builder" };

        internal static string Describe(PythonImage image, int line) =>
            line > 0 ? $"the entry at line {line}" + (image.Tags.Length > 0 ? $" ({InputGrammar.Show(image.Tags[0])})" : string.Empty) : DescribeGenerated(image);

        internal static string DescribeGenerated(PythonImage image) =>
            "the entry for " + (string.IsNullOrEmpty(image.Directory) ? "(no Directory)" : InputGrammar.Show(image.Directory))
            + (image.Tags != null && image.Tags.Length > 0 ? $" ({InputGrammar.Show(image.Tags[0])})" : string.Empty);

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

            string clean = SlashPath.Clean(v);
            if (clean != v && InputGrammar.RelativeDirectory.IsMatch(clean))
            {
                return $"it is not in canonical form ('.' or empty components, or a trailing '/'); write it as '{clean}'";
            }

            return why;
        }

        /// <summary>What bashbrew compares to decide that two entries build the same thing.</summary>
        internal static string BuildInputs(PythonImage image) => string.Join("\u0001", new[]
        {
            string.Join(",", image.ArchitectureList), image.GitRepo ?? string.Empty, image.GitFetch ?? string.Empty, image.GitCommit ?? string.Empty,
            image.Directory ?? string.Empty, image.File ?? string.Empty, string.Join(",", image.Constraints), image.Builder ?? string.Empty,
            string.Join(",", (image.ArchitectureFields ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value)),
        });

        /// <summary>
        /// The rule of one field value as written in a manifest (a header default, an entry value or a per-architecture
        /// override): null when valid, otherwise the error id and message.
        /// </summary>
        internal static (string Id, string Message)? CheckField(string field, string? value, string entry)
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
                    foreach (var a in LibraryManifest.SplitList(value ?? string.Empty).Where(a => !Matrix.KnownArchitectures.Contains(a)))
                    {
                        return (ManifestErrorIds.UnknownArchitecture, $"Architecture '{InputGrammar.Show(a)}' of {entry} is unknown; known: {KnownArchitectureList}.");
                    }

                    return null;
                case "SharedTags":
                case "Tags":
                    foreach (var t in LibraryManifest.SplitList(value ?? string.Empty))
                    {
                        if (InputGrammar.DockerTag.Why(t) is { } why)
                        {
                            return (ManifestErrorIds.InvalidTag, $"Tag '{InputGrammar.Show(t)}' of {entry} is not accepted: {why}.");
                        }
                    }

                    return null;
                case "Constraints":
                    foreach (var t in LibraryManifest.SplitList(value ?? string.Empty))
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

        internal static string KnownArchitectureList => string.Join(", ", Matrix.KnownArchitectures.OrderBy(a => a, StringComparer.Ordinal));

        /// <summary>Every problem bashbrew would reject in these entries, and everything the module refuses to write (generated manifests: no file, no lines).</summary>
        public static IReadOnlyList<ManifestException> Validate(ManifestHeader header, IReadOnlyList<PythonImage> images)
        {
            var problems = new List<ManifestException>(ValidateHeader(header));

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
            problems.AddRange(DuplicateEntries(images));
            return problems;
        }

        /// <summary>The header's problems: comment lines, Maintainers, GitRepo, GitFetch, Builder and the other default fields.</summary>
        private static IEnumerable<ManifestException> ValidateHeader(ManifestHeader header)
        {
            ManifestException Header(string id, string message) => new ManifestException(id, message, null, 0);

            foreach (var c in header.CommentLines ?? new List<string>())
            {
                string? why = ManifestGrammar.Comment.Why(c?.TrimStart(' ', '\t'));
                if (why != null)
                {
                    yield return Header(ManifestErrorIds.InvalidComment, $"The comment line '{InputGrammar.Show(c)}' is not accepted: {why}.");
                }
            }

            var maintainers = header.Maintainers ?? new List<string>();
            if (maintainers.Count == 0)
            {
                yield return Header(ManifestErrorIds.MissingMaintainers, "The manifest header has no Maintainers; add maintainers to the matrix ('maintainers:').");
            }

            foreach (var m in maintainers)
            {
                string? why = ManifestGrammar.Maintainer.Why(m);
                if (why != null)
                {
                    yield return Header(ManifestErrorIds.InvalidMaintainer, $"Maintainer '{InputGrammar.Show(m)}' is not accepted: {why} (the form is 'Full Name <email> (@github-handle)').");
                }
            }

            foreach (var (field, value) in new[] { ("GitRepo", header.GitRepo), ("GitFetch", header.GitFetch), ("Builder", header.Builder) })
            {
                if (!string.IsNullOrEmpty(value) && CheckField(field, value, "the header") is { } p)
                {
                    yield return Header(p.Id, p.Message);
                }
            }

            var seen = new HashSet<string>(HeaderFieldNames, StringComparer.Ordinal);
            foreach (var kv in header.OtherFields ?? new List<KeyValuePair<string, string>>())
            {
                string? name = kv.Key != null && ManifestGrammar.FieldName.IsMatch(kv.Key) ? NormalizeFieldName(kv.Key) : null;
                if (name == null || name != kv.Key || name == "Tags")
                {
                    yield return Header(ManifestErrorIds.UnknownField, $"The header field '{InputGrammar.Show(kv.Key)}' cannot be written: it is not a field of the manifest format, or not in its canonical spelling (Tags are not allowed in the header).");
                    continue;
                }

                if (!seen.Add(name))
                {
                    yield return Header(ManifestErrorIds.DuplicateField, $"The header field '{name}' is set twice (or also by the header's own {name} property).");
                    continue;
                }

                if (string.IsNullOrEmpty(kv.Value) || kv.Value != kv.Value.Trim())
                {
                    yield return Header(ManifestErrorIds.InvalidValue, $"The header field '{name}' has an empty value or one with leading or trailing whitespace, which would not read back as written.");
                    continue;
                }

                if (CheckField(name, kv.Value, "the header") is { } p)
                {
                    yield return Header(p.Id, p.Message);
                }
            }
        }

        /// <summary>Entries bashbrew would fold into an earlier one (the same build inputs).</summary>
        private static IEnumerable<ManifestException> DuplicateEntries(IReadOnlyList<PythonImage> images)
        {
            var builds = new Dictionary<string, PythonImage>(StringComparer.Ordinal);
            foreach (var image in images)
            {
                string key = BuildInputs(image);
                if (builds.TryGetValue(key, out var first))
                {
                    yield return new ManifestException(
                        ManifestErrorIds.DuplicateEntry,
                        $"{Cap(DescribeGenerated(image))} has the same build inputs (Directory, GitCommit, Architectures, ...) as {DescribeGenerated(first)}; bashbrew would fold it into that entry.",
                        null,
                        0,
                        DescribeGenerated(image))
                    { Subject = image };
                }
                else
                {
                    builds[key] = image;
                }
            }
        }

        internal static IEnumerable<ManifestException> ValidateEntry(PythonImage image, Func<string, int> lineOf, string? file, string entry)
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

            if (image.ArchitectureList.Length == 0)
            {
                yield return Problem(ManifestErrorIds.MissingArchitectures, "Architectures", $"{Cap(entry)} has no Architectures; a manifest entry without them means amd64 only, so list them explicitly.");
            }

            foreach (var arch in image.ArchitectureList.Where(a => !Matrix.KnownArchitectures.Contains(a)))
            {
                yield return Problem(ManifestErrorIds.UnknownArchitecture, "Architectures", $"Architecture '{InputGrammar.Show(arch)}' of {entry} is unknown; known: {KnownArchitectureList}.");
            }

            foreach (var problem in ValidateEntrySource(image, Problem, entry))
            {
                yield return problem;
            }
        }

        /// <summary>The entry's source fields: GitRepo, GitFetch, GitCommit, Directory, File, Constraints, Builder and the per-architecture fields.</summary>
        private static IEnumerable<ManifestException> ValidateEntrySource(PythonImage image, Func<string, string, string, ManifestException> Problem, string entry)
        {
            if (string.IsNullOrEmpty(image.GitRepo))
            {
                yield return Problem(ManifestErrorIds.MissingGitRepo, "GitRepo", $"{Cap(entry)} has no GitRepo (set it in the header or the entry).");
            }
            else if (CheckField("GitRepo", image.GitRepo, entry) is { } repo)
            {
                yield return Problem(repo.Id, "GitRepo", repo.Message);
            }

            string fetch = string.IsNullOrEmpty(image.GitFetch) ? LibraryManifest.DefaultGitFetch : image.GitFetch!;
            if (ManifestGrammar.GitFetch.Why(fetch) is { } badFetch)
            {
                yield return Problem(ManifestErrorIds.InvalidGitFetch, "GitFetch", $"GitFetch '{InputGrammar.Show(fetch)}' of {entry} must look like refs/heads/<branch> or refs/tags/<tag>: {badFetch}.");
            }

            if (string.IsNullOrEmpty(image.GitCommit))
            {
                yield return Problem(ManifestErrorIds.MissingGitCommit, "GitCommit", $"{Cap(entry)} has no GitCommit.");
            }
            else if (!LibraryManifest.IsValidCommit(image.GitCommit))
            {
                yield return Problem(ManifestErrorIds.InvalidGitCommit, "GitCommit", $"GitCommit '{InputGrammar.Show(image.GitCommit)}' of {entry} is not a commit id (40 or 64 lowercase hexadecimal digits).");
            }

            string directory = string.IsNullOrEmpty(image.Directory) ? LibraryManifest.DefaultDirectory : image.Directory;
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

        internal static IEnumerable<ManifestException> ValidateAcross(IReadOnlyList<PythonImage> images, Func<PythonImage, string, int> lineOf, string? file, Func<PythonImage, string> describe)
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

        internal static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);
    }
}
