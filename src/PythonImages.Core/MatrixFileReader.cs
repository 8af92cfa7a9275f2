using System;
using System.Collections.Generic;
using PythonImages.Security;

namespace PythonImages
{
    /// <summary>
    /// Reads a matrix file on its parser events (<see cref="MatrixYamlCursor"/>: the subset scanner's or YamlDotNet's), keeping only the version entry
    /// it is reading besides what it has read into the matrix. Reports the same error as the reader of the representation
    /// model did, in the same order: the file's structure first (a structure error anywhere in the file wins over a
    /// content error before it), then the top-level settings in file order, then the version entries in file order, then
    /// the missing or empty 'versions' map.
    /// </summary>
    internal sealed partial class MatrixFileReader
    {
        private static readonly string[] TopKeys = { "versions", "aliases", "architectures", "excludeArchitectures", "repository", "maintainers" };

        private readonly MatrixYamlCursor r;
        private readonly MatrixLoader.Context ctx;
        private readonly Func<IReadOnlyDictionary<string, IReadOnlyList<string>>?> getBaseArchitectures;
        private readonly Func<IReadOnlyList<string>> getDefaultMaintainers;
        private Dictionary<string, IReadOnlyList<string>>? architectures;
        private IReadOnlyList<string>? maintainers;
        private int rootLine;
        private int versionsLine;
        private int versionsCount;
        private bool bare;

        // The architectures table is final once its key has been read, or when the file has no top-level settings.
        private bool architecturesFinal;

        public MatrixFileReader(
            string text,
            string source,
            Func<IReadOnlyDictionary<string, IReadOnlyList<string>>?> getBaseArchitectures,
            Func<IReadOnlyList<string>> getDefaultMaintainers,
            bool subset = true,
            int? plainLineFeeds = null)
        {
            ctx = new MatrixLoader.Context(source);
            r = new MatrixYamlCursor(text, source, subset, plainLineFeeds);
            this.getBaseArchitectures = getBaseArchitectures;
            this.getDefaultMaintainers = getDefaultMaintainers;
            Variants = new VariantTable();
        }

        public MatrixLoader.Context Context => ctx;

        /// <summary>The file was read from the subset scanner's events (not YamlDotNet's).</summary>
        public bool Subset => r.Subset;

        public List<MatrixVersion> Versions { get; } = new List<MatrixVersion>();

        public IReadOnlyDictionary<string, IReadOnlyList<string>>? Aliases { get; private set; }

        public List<(string Key, string Word, int Line)> AliasLines { get; } = new List<(string Key, string Word, int Line)>();

        public IReadOnlyList<string> Exclude { get; private set; } = Matrix.DefaultExcludeArchitectures;

        public string Repository { get; private set; } = Matrix.DefaultRepository;

        public VariantTable Variants { get; }

        /// <summary>The base images' architectures: the base table (fetched on first use) with the file's entries over it.</summary>
        public Dictionary<string, IReadOnlyList<string>> Architectures
        {
            get
            {
                if (architectures == null)
                {
                    architectures = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                    var table = getBaseArchitectures();
                    if (table != null)
                    {
                        foreach (var kv in table)
                        {
                            architectures[kv.Key] = kv.Value;
                        }
                    }
                }

                return architectures;
            }
        }

        public IReadOnlyList<string> Maintainers => maintainers ??= getDefaultMaintainers();

        /// <summary>Reads the whole file; every problem is a <see cref="MatrixException"/>.</summary>
        public void Read()
        {
            try
            {
                ReadDocument();
            }
            catch (MatrixException) when (!r.Failed)
            {
                r.Drain(); // a structure error later in the file is reported first
                throw;
            }
            finally
            {
                r.Release();
            }

            Finish();
        }

        private void ReadDocument()
        {
            r.Next(); // stream start
            if (r.Kind == MatrixEventKind.StreamEnd)
            {
                throw EmptyFile();
            }

            r.Next(); // document start
            if (r.AtScalar && r.Value.Length == 0)
            {
                throw EmptyFile();
            }

            if (r.Kind != MatrixEventKind.MappingStart)
            {
                throw ctx.ErrorAt(MatrixErrorIds.WrongType, "'(top level)' must be a map.", r.Line, "(top level)");
            }

            rootLine = r.Line;
            r.Next();
            ReadRoot();
            r.Next(); // document end; a second document is refused here
            r.Next(); // stream end
        }

        private MatrixException EmptyFile() =>
            ctx.ErrorAt(MatrixErrorIds.Empty, "The matrix file is empty (only whitespace or comments); it needs at least a 'versions' map.", 1, "versions");

        /// <summary>
        /// The root map: the module's format (top-level settings), or a bare upstream versions.json (no known top-level
        /// key and at least one version key; its other keys are then invalid version keys, not unknown settings). The first
        /// key decides, unless it is neither, when the other keys decide what it is reported as.
        /// </summary>
        private void ReadRoot()
        {
            if (r.AtMapEnd)
            {
                r.Next();
                return;
            }

            if (!r.AtScalar)
            {
                throw ctx.ErrorAt(MatrixErrorIds.WrongType, "Map keys must be plain strings.", r.Line, null);
            }

            string first = r.Value;

            if (IsTopKey(first))
            {
                ReadTopLevel();
            }
            else if (MatrixLoader.LooseVersionKey.IsMatch(first))
            {
                ReadBare(first, r.Line);
            }
            else
            {
                RefuseFirstKey(first, r.Line);
            }
        }

        private static bool IsTopKey(string key) => Array.IndexOf(TopKeys, key) >= 0;

        /// <summary>The top-level keys in file order, each by its own reader; 'versions' entry by entry.</summary>
        private void ReadTopLevel()
        {
            while (NextKey(out string key, out int line))
            {
                switch (key)
                {
                    case "versions":
                        versionsLine = BeginMap(new KeyPath(key));
                        ReadEntries(false, null, 0);
                        break;
                    case "aliases":
                        ReadAliases();
                        break;
                    case "architectures":
                        architecturesFinal = true;
                        ReadArchitectures();
                        break;
                    case "excludeArchitectures":
                        Exclude = ArchitectureList(new KeyPath(key));
                        break;
                    case "repository":
                        ReadRepository();
                        break;
                    case "maintainers":
                        ReadMaintainers();
                        break;
                    default:
                        throw UnknownTopKey(key, line);
                }
            }
        }

        private MatrixException UnknownTopKey(string key, int line) =>
            ctx.ErrorAt(MatrixErrorIds.UnknownKey, $"Unknown key '{InputGrammar.Show(key)}'. Known top-level keys: {string.Join(", ", TopKeys)}.", line, key);

        /// <summary>A file whose first key is a version key: bare unless a known top-level key follows, which makes the first key unknown.</summary>
        private void ReadBare(string firstKey, int firstLine)
        {
            bare = true;
            architecturesFinal = true;
            versionsLine = rootLine;
            ReadEntries(true, firstKey, firstLine);
        }

        /// <summary>
        /// A first key that is neither a top-level key nor a version key is an error either way: an invalid version key
        /// when the file is a bare versions.json, an unknown key otherwise. The rest of the root map decides.
        /// </summary>
        private void RefuseFirstKey(string firstKey, int firstLine)
        {
            r.Next();
            r.SkipNode();
            bool top = false, version = false;
            while (!r.AtMapEnd)
            {
                if (r.AtScalar)
                {
                    top |= IsTopKey(r.Value);
                    version |= MatrixLoader.LooseVersionKey.IsMatch(r.Value);
                }

                r.SkipNode();
                r.SkipNode();
            }

            if (!top && version)
            {
                CheckVersionKey(firstKey, firstLine);
            }

            throw UnknownTopKey(firstKey, firstLine);
        }

        /// <summary>
        /// The entries of the versions map (or of a bare root map) in file order. The first failing entry's error is kept
        /// and the other entries skipped (still read for their structure): the top-level settings after the map are
        /// checked before it, as they were.
        /// </summary>
        private void ReadEntries(bool root, string? firstKey, int firstLine)
        {
            MatrixException? pending = null;
            while (!r.AtMapEnd)
            {
                versionsCount++;
                string? key = r.AtScalar ? r.Value : null;
                if (root && key != null && IsTopKey(key))
                {
                    throw UnknownTopKey(firstKey!, firstLine); // not bare after all
                }

                if (pending != null || key == null)
                {
                    pending ??= ctx.ErrorAt(MatrixErrorIds.WrongType, "Map keys must be plain strings.", r.Line, null);
                    r.SkipNode();
                    r.SkipNode();
                    continue;
                }

                pending = ReadEntryOrError(key);
            }

            r.Next();
            this.pending = pending;
        }

        private MatrixException? pending;

        /// <summary>One version entry; its error, with the rest of its value skipped.</summary>
        private MatrixException? ReadEntryOrError(string keyText)
        {
            int keyLine = r.Line;
            r.Next();
            int depth = r.Depth;
            long consumed = r.Consumed;
            try
            {
                Versions.Add(ReadEntry(keyText, keyLine));
                return null;
            }
            catch (MatrixException ex) when (!r.Failed)
            {
                r.SkipRestOf(depth, consumed);
                return ex;
            }
        }

        /// <summary>
        /// After the whole file: the first version entry's error (a variant whose base image had no architectures comes
        /// before it unless the 'architectures' key after the versions listed it), then a missing or empty versions map.
        /// </summary>
        private void Finish()
        {
            foreach (var missing in Variants.Unresolved)
            {
                if (!Architectures.ContainsKey(missing.Info.BaseImage))
                {
                    throw MissingArchitectures(missing.Info, missing.Line);
                }
            }

            if (pending != null)
            {
                throw pending;
            }

            if (!bare && versionsLine == 0)
            {
                throw ctx.ErrorAt(MatrixErrorIds.MissingKey, "The matrix has no 'versions' map.", rootLine, "versions");
            }

            if (versionsCount == 0)
            {
                throw ctx.ErrorAt(MatrixErrorIds.Empty, "The 'versions' map is empty.", versionsLine, "versions");
            }
        }

        private MatrixException MissingArchitectures(VariantInfo info, int line) =>
            ctx.ErrorAt(MatrixErrorIds.MissingArchitectures, $"Variant '{info.Path}' builds FROM '{info.BaseImage}', which has no architectures; add '{info.BaseImage}: [amd64, ...]' to the 'architectures' table.", line, "architectures." + info.BaseImage);

        /// <summary>aliases: version key → alias words, each a part of a Docker tag.</summary>
        private void ReadAliases()
        {
            var a = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            BeginMap(new KeyPath("aliases"));
            while (NextKey(out string ak, out int akLine))
            {
                var path = new KeyPath("aliases", ak);
                if (!IsVersionKey(ak, akLine, path, out _))
                {
                    throw ctx.ErrorAt(MatrixErrorIds.InvalidVersionKey, $"'aliases' key '{InputGrammar.Show(ak)}' is not a version key (MAJOR.MINOR or MAJOR.MINOR-rc).", akLine, path.ToString());
                }

                var words = StringList(path, out var wordLines);
                for (int i = 0; i < words.Length; i++)
                {
                    string? why = InputGrammar.DockerTag.Why(words[i]);
                    if (why != null)
                    {
                        throw ctx.ErrorAt(MatrixErrorIds.InvalidAlias, $"Alias '{InputGrammar.Show(words[i])}' of {InputGrammar.Show(ak)} cannot be part of a Docker tag: {why}.", wordLines[i], path.ToString());
                    }

                    AliasLines.Add((ak, words[i], wordLines[i]));
                }

                a[ak] = words;
            }

            Aliases = a;
        }

        /// <summary>architectures: base image name:tag → architectures, merged over the base table.</summary>
        private void ReadArchitectures()
        {
            BeginMap(new KeyPath("architectures"));
            while (NextKey(out string bk, out int bkLine))
            {
                if (!ImageReference.TryParse(bk, out var baseRef, out string? why) || baseRef!.Tag == null || baseRef.Digest != null)
                {
                    throw ctx.ErrorAt(MatrixErrorIds.InvalidBaseImage, $"'{InputGrammar.Show(bk)}' is not a base image name:tag as written in FROM (e.g. debian:trixie-slim): {why ?? "it needs a tag and no digest"}.", bkLine, "architectures." + bk);
                }

                Architectures[bk] = ArchitectureList(new KeyPath("architectures", bk));
            }
        }

        /// <summary>repository: the Git repository URL of the Dockerfiles.</summary>
        private void ReadRepository()
        {
            int line = r.Line;
            Repository = Scalar(new KeyPath("repository"));
            string? why = InputGrammar.GitRepositoryUrl.Why(Repository);
            if (why != null)
            {
                throw ctx.ErrorAt(MatrixErrorIds.InvalidRepository, $"'repository' '{InputGrammar.Show(Repository)}' is not accepted: {why}.", line, "repository");
            }

            // Export writes GitRepo as the URL with ".git" (ManifestExport.Header): that form must pass the manifest's
            // grammar too, which a last path segment of more than 124 characters or a URL of more than 508 would not.
            string gitRepo = LibraryManifest.RepositoryUrl(Repository) + ".git";
            why = ManifestGrammar.GitRepo.Why(gitRepo);
            if (why != null)
            {
                throw ctx.ErrorAt(
                    MatrixErrorIds.InvalidRepository,
                    $"'repository' '{InputGrammar.Show(Repository)}' is not accepted: the manifest's GitRepo Export makes of it, '{InputGrammar.Show(gitRepo)}', would not be: {why}. Shorten the URL (its last path segment to at most 124 characters, all of it to at most 508).",
                    line,
                    "repository");
            }
        }

        /// <summary>maintainers: the manifest's maintainers, each checked.</summary>
        private void ReadMaintainers()
        {
            string[] list = StringList(new KeyPath("maintainers"), out var lines);
            for (int i = 0; i < list.Length; i++)
            {
                string? why = ManifestGrammar.Maintainer.Why(list[i]);
                if (why != null)
                {
                    throw ctx.ErrorAt(MatrixErrorIds.InvalidMaintainer, $"Maintainer '{InputGrammar.Show(list[i])}' is not accepted: {why}.", lines[i], "maintainers");
                }
            }

            maintainers = list;
        }
    }
}
