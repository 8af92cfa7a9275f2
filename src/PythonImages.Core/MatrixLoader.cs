using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PythonImages.Security;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace PythonImages
{
    /// <summary>The kind of a matrix problem, independent of PowerShell (the cmdlets map it to an ErrorCategory).</summary>
    public enum MatrixErrorKind
    {
        /// <summary>The content is wrong (the default).</summary>
        InvalidData,

        /// <summary>The file does not exist.</summary>
        NotFound,

        /// <summary>The path names something that is not a matrix file (a directory, a FIFO, a device, another provider).</summary>
        InvalidArgument,

        /// <summary>A size or nesting limit was exceeded.</summary>
        LimitsExceeded,

        /// <summary>The file exists but cannot be read.</summary>
        ReadError,
    }

    /// <summary>A matrix that cannot be used: names the file, the line and the key.</summary>
    public sealed class MatrixException : Exception
    {
        /// <summary>A matrix problem with id <paramref name="errorId"/> (a <see cref="MatrixErrorIds"/> constant) at a line and key of a file.</summary>
        public MatrixException(string errorId, string message, string file, int line, string? key, Exception? inner = null)
            : base(Format(message, file, line), inner)
        {
            ErrorId = errorId;
            File = file;
            Line = line;
            Key = key;
        }

        /// <summary>The ErrorId.</summary>
        public string ErrorId { get; }
        /// <summary>The file (or "(embedded matrix.yaml)").</summary>
        public string File { get; }
        /// <summary>The line, 1-based (0 when unknown).</summary>
        public int Line { get; }
        /// <summary>The key path (3.14.variants), when known.</summary>
        public string? Key { get; }

        /// <summary>True when the file itself is missing (the caller chose a wrong path) rather than its content being wrong.</summary>
        public bool IsNotFound => ErrorId == MatrixErrorIds.FileNotFound;

        /// <summary>The kind of problem.</summary>
        public MatrixErrorKind Kind => MatrixErrorIds.KindOf(ErrorId);

        private static string Format(string message, string file, int line) =>
            line > 0 ? $"{Printable(file)}:{line}: {message}" : $"{Printable(file)}: {message}";

        /// <summary>The path as it can be shown: control and non-ASCII characters escaped as \uXXXX (a NUL or a line break
        /// in a path never reaches a terminal raw); never shortened.</summary>
        private static string Printable(string text)
        {
            if (InputGrammar.FirstNonPrintable(text, allowSpace: true) < 0)
            {
                return text;
            }

            var sb = new System.Text.StringBuilder(text.Length + 16);
            foreach (char c in text)
            {
                if (char.IsControl(c) || c == '\u2028' || c == '\u2029' || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
                {
                    sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(c);
                }
            }

            return sb.ToString();
        }
    }

    /// <summary>
    /// Reads the matrix file format (matrix-schema) and bare upstream versions.json files. The input is untrusted: the file
    /// is read only when it is a regular file of at most <see cref="MaxFileBytes"/>, the YAML may nest at most
    /// <see cref="MaxDepth"/> levels (checked on the parser's events, before any node is built), and every value is checked
    /// against its allowlist grammar (<see cref="InputGrammar"/>) where it is read. The tags the matrix produces are
    /// validated before the matrix is returned.
    /// </summary>
    public static class MatrixLoader
    {
        /// <summary>The file name used for the embedded matrix in messages.</summary>
        public const string EmbeddedSource = "(embedded matrix.yaml)";

        /// <summary>The largest matrix file read (1 MiB; the embedded matrix is about 4 KB).</summary>
        public const int MaxFileBytes = 1024 * 1024;

        /// <summary>The deepest nesting of maps and lists accepted (a matrix needs 5).</summary>
        public const int MaxDepth = 32;

        private static readonly Lazy<Matrix> Embedded = new Lazy<Matrix>(LoadEmbeddedCore, System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);

        // Built on first use (no regex work when the module is imported); anchored at the real end of the string.
        private static Regex? duplicateKeyMessage, looseVersion, looseVersionKey;

        private static Regex DuplicateKeyMessage => duplicateKeyMessage ??= new Regex(@"\ADuplicate key (.+)\z", RegexOptions.CultureInvariant | RegexOptions.Singleline);

        private static Regex LooseVersion => looseVersion ??= new Regex(@"\A[0-9]+\.[0-9]+\.[0-9]+(?:(?:a|b|rc)[0-9]+)?\z", RegexOptions.CultureInvariant);

        private static Regex LooseVersionKey => looseVersionKey ??= new Regex(@"\A[0-9]+\.[0-9]+(?:-rc)?\z", RegexOptions.CultureInvariant);

        // Lowercased SPDX checksum algorithm names (what upstream's SBOM fallback may merge into versions.json) and the
        // length of their hex digests (0: variable, md6).
        private static readonly Dictionary<string, int> SbomAlgorithms = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["sha1"] = 40,
            ["sha224"] = 56,
            ["sha256"] = 64,
            ["sha384"] = 96,
            ["sha512"] = 128,
            ["sha3-256"] = 64,
            ["sha3-384"] = 96,
            ["sha3-512"] = 128,
            ["blake2b-256"] = 64,
            ["blake2b-384"] = 96,
            ["blake2b-512"] = 128,
            ["blake3"] = 64,
            ["md2"] = 32,
            ["md4"] = 32,
            ["md5"] = 32,
            ["md6"] = 0,
            ["adler32"] = 8,
        };

        private static readonly string[] TopKeys = { "versions", "aliases", "architectures", "excludeArchitectures", "repository", "maintainers" };

        /// <summary>The matrix embedded in the module (parsed once per process).</summary>
        public static Matrix Default => Embedded.Value;

        /// <summary>Loads <paramref name="path"/>, or the embedded matrix when it is null or empty.</summary>
        public static Matrix Load(string? path) => string.IsNullOrEmpty(path) ? Default : LoadFile(path!);

        /// <summary>Reads and parses a matrix file; every failure is a <see cref="MatrixException"/>.</summary>
        public static Matrix LoadFile(string path)
        {
            string text;
            try
            {
                text = InputFile.ReadText(path, MaxFileBytes);
            }
            catch (InputFileException ex)
            {
                switch (ex.Problem)
                {
                    case InputFileProblem.NotFound:
                        throw new MatrixException(MatrixErrorIds.FileNotFound, "The matrix file does not exist. Check the -MatrixPath value, or omit it to use the embedded matrix.", path, 0, null, ex);
                    case InputFileProblem.InvalidPath:
                        throw new MatrixException(MatrixErrorIds.InvalidPath, "The matrix path is not a usable file path: " + ex.Message, path, 0, null, ex);
                    case InputFileProblem.NotAFile:
                        throw new MatrixException(MatrixErrorIds.NotAFile, ex.Message + " A matrix is a YAML or versions.json file.", path, 0, null, ex);
                    case InputFileProblem.TooLarge:
                        throw new MatrixException(MatrixErrorIds.TooLarge, ex.Message + $" A matrix file may be at most {MaxFileBytes} bytes (1 MiB); nothing was read past the limit.", path, 0, null, ex);
                    default:
                        throw new MatrixException(MatrixErrorIds.ReadFailed, "The matrix file cannot be read: " + ex.Message, path, 0, null, ex);
                }
            }

            // The embedded table is fetched only once the file's own structure has passed (a hostile file fails fast, even
            // in a process that has not parsed the embedded matrix yet).
            return Parse(text, path, () => Default.Architectures, () => Default.Maintainers);
        }

        private static Matrix LoadEmbeddedCore()
        {
            // The module ships the matrix as data made at build time (no YAML on the cold path); otherwise parse it.
            var data = MatrixData.TryReadBeside(typeof(MatrixLoader).Assembly.Location, EmbeddedSource);
            if (data != null)
            {
                return data;
            }

            using var stream = typeof(MatrixLoader).Assembly.GetManifestResourceStream("PythonImages.matrix.yaml")
                ?? throw new InvalidOperationException("The embedded matrix resource is missing from PythonImages.Core.");
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), EmbeddedSource, null);
        }

        /// <summary>Parses matrix text. <paramref name="baseArchitectures"/> is the table user entries are merged over.</summary>
        public static Matrix Parse(string text, string source, IReadOnlyDictionary<string, IReadOnlyList<string>>? baseArchitectures) =>
            Parse(text, source, () => baseArchitectures, () => Default_Maintainers(baseArchitectures));

        /// <summary>The top-level settings of a matrix file, as they are read (defaults first).</summary>
        private sealed class TopLevel
        {
            public TopLevel(IReadOnlyDictionary<string, IReadOnlyList<string>>? baseArchitectures, IReadOnlyList<string> maintainers)
            {
                if (baseArchitectures != null)
                {
                    foreach (var kv in baseArchitectures)
                    {
                        Architectures[kv.Key] = kv.Value;
                    }
                }

                Maintainers = maintainers;
            }

            public YamlMappingNode? Versions { get; set; }
            public IReadOnlyDictionary<string, IReadOnlyList<string>>? Aliases { get; set; }
            public List<(string Key, string Word, YamlNode Node)> AliasNodes { get; } = new List<(string Key, string Word, YamlNode Node)>();
            public Dictionary<string, IReadOnlyList<string>> Architectures { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            public IReadOnlyList<string> Exclude { get; set; } = Matrix.DefaultExcludeArchitectures;
            public string Repository { get; set; } = Matrix.DefaultRepository;
            public IReadOnlyList<string> Maintainers { get; set; }
        }

        private static Matrix Parse(
            string text,
            string source,
            Func<IReadOnlyDictionary<string, IReadOnlyList<string>>?> getBaseArchitectures,
            Func<IReadOnlyList<string>> getDefaultMaintainers)
        {
            if (text.Length > MaxFileBytes)
            {
                throw new MatrixException(MatrixErrorIds.TooLarge, $"The matrix text is {text.Length} characters long; at most {MaxFileBytes} are read.", source, 0, null);
            }

            RejectNonYamlCharacters(text, source);
            var ctx = new Context(source);
            var root = LoadRoot(ctx, text, source);

            // A bare upstream versions.json: no known top-level key, and at least one version key (the others are then
            // reported as invalid version keys, not as unknown settings).
            var topNames = root.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).ToList();
            bool bare = !topNames.Any(k => TopKeys.Contains(k)) && topNames.Any(k => k != null && LooseVersionKey.IsMatch(k));
            var top = new TopLevel(getBaseArchitectures(), getDefaultMaintainers());
            YamlMappingNode versionsNode;
            if (bare)
            {
                versionsNode = root;
            }
            else
            {
                ReadTopLevel(ctx, root, top);
                versionsNode = top.Versions ?? throw ctx.Error(MatrixErrorIds.MissingKey, "The matrix has no 'versions' map.", root, "versions");
            }

            var versions = new List<MatrixVersion>();
            var variantLines = new VariantTable(versionsNode.Children.Count);
            foreach (var kv in versionsNode.Children)
            {
                versions.Add(ParseEntry(ctx, kv.Key, kv.Value, top.Architectures, variantLines));
            }

            if (versions.Count == 0)
            {
                throw ctx.Error(MatrixErrorIds.Empty, "The 'versions' map is empty.", versionsNode, "versions");
            }

            var matrix = new Matrix(versions)
            {
                Source = source,
                Aliases = top.Aliases,
                Architectures = top.Architectures,
                ExcludeArchitectures = top.Exclude,
                Repository = top.Repository,
                Maintainers = top.Maintainers,
            };
            ValidateTags(ctx, matrix, top.AliasNodes, variantLines);
            return matrix;
        }

        /// <summary>The YAML text's root map; malformed YAML, a duplicate key or an empty file is a MatrixException with its line.</summary>
        private static YamlMappingNode LoadRoot(Context ctx, string text, string source)
        {
            var yaml = new YamlStream();
            var parser = new GuardedParser(new Parser(new StringReader(text)), source);
            try
            {
                yaml.Load(parser);
            }
            catch (MatrixException)
            {
                throw; // a structure limit, raised by the guarded parser before any deeper node was built
            }
            catch (YamlException ex)
            {
                var duplicate = DuplicateKeyMessage.Match(ex.Message);
                if (duplicate.Success)
                {
                    string dk = InputGrammar.Show(duplicate.Groups[1].Value);
                    throw new MatrixException(MatrixErrorIds.DuplicateKey, $"The key '{dk}' appears twice in the same map; keep one. (key: {dk})", source, (int)ex.Start.Line, dk, ex);
                }

                throw new MatrixException(MatrixErrorIds.MalformedYaml, "The file is not valid YAML: " + Inner(ex), source, Math.Max(1, (int)ex.Start.Line), null, ex);
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                // YamlDotNet reports some syntax errors (e.g. an unclosed flow sequence) without a position: name the last good place.
                throw new MatrixException(MatrixErrorIds.MalformedYaml, $"The file is not valid YAML after line {parser.LastLine} (an unclosed [ or {{, or a stray indentation?): " + ex.Message, source, parser.LastLine, null, ex);
            }

            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            {
                throw new MatrixException(MatrixErrorIds.Empty, "The matrix file is empty (only whitespace or comments); it needs at least a 'versions' map. (key: versions)", source, 1, "versions");
            }

            return ctx.Mapping(yaml.Documents[0].RootNode, "(top level)");
        }

        /// <summary>The top-level keys, each by its own reader.</summary>
        private static void ReadTopLevel(Context ctx, YamlMappingNode root, TopLevel top)
        {
            foreach (var kv in root.Children)
            {
                string key = ctx.KeyText(kv.Key);
                switch (key)
                {
                    case "versions":
                        top.Versions = ctx.Mapping(kv.Value, key);
                        break;
                    case "aliases":
                        ReadAliases(ctx, kv.Value, key, top);
                        break;
                    case "architectures":
                        ReadArchitectures(ctx, kv.Value, key, top);
                        break;
                    case "excludeArchitectures":
                        top.Exclude = ctx.ArchitectureList(kv.Value, key);
                        break;
                    case "repository":
                        ReadRepository(ctx, kv.Value, key, top);
                        break;
                    case "maintainers":
                        ReadMaintainers(ctx, kv.Value, key, top);
                        break;
                    default:
                        throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown key '{InputGrammar.Show(key)}'. Known top-level keys: {string.Join(", ", TopKeys)}.", kv.Key, key);
                }
            }
        }

        /// <summary>aliases: version key → alias words, each a part of a Docker tag.</summary>
        private static void ReadAliases(Context ctx, YamlNode node, string key, TopLevel top)
        {
            var a = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var akv in ctx.Mapping(node, key).Children)
            {
                string ak = ctx.KeyText(akv.Key);
                if (!IsVersionKey(ctx, ak, akv.Key, "aliases." + ak, out _))
                {
                    throw ctx.Error(MatrixErrorIds.InvalidVersionKey, $"'aliases' key '{InputGrammar.Show(ak)}' is not a version key (MAJOR.MINOR or MAJOR.MINOR-rc).", akv.Key, "aliases." + ak);
                }

                var words = ctx.StringList(akv.Value, "aliases." + ak, out var wordNodes);
                for (int i = 0; i < words.Length; i++)
                {
                    string? why = InputGrammar.DockerTag.Why(words[i]);
                    if (why != null)
                    {
                        throw ctx.Error(MatrixErrorIds.InvalidAlias, $"Alias '{InputGrammar.Show(words[i])}' of {InputGrammar.Show(ak)} cannot be part of a Docker tag: {why}.", wordNodes[i], "aliases." + ak);
                    }

                    top.AliasNodes.Add((ak, words[i], wordNodes[i]));
                }

                a[ak] = words;
            }

            top.Aliases = a;
        }

        /// <summary>architectures: base image name:tag → architectures, merged over the embedded table.</summary>
        private static void ReadArchitectures(Context ctx, YamlNode node, string key, TopLevel top)
        {
            foreach (var bkv in ctx.Mapping(node, key).Children)
            {
                string bk = ctx.KeyText(bkv.Key);
                if (!ImageReference.TryParse(bk, out var baseRef, out string? why) || baseRef!.Tag == null || baseRef.Digest != null)
                {
                    throw ctx.Error(MatrixErrorIds.InvalidBaseImage, $"'{InputGrammar.Show(bk)}' is not a base image name:tag as written in FROM (e.g. debian:trixie-slim): {why ?? "it needs a tag and no digest"}.", bkv.Key, "architectures." + bk);
                }

                top.Architectures[bk] = ctx.ArchitectureList(bkv.Value, "architectures." + bk);
            }
        }

        /// <summary>repository: the Git repository URL of the Dockerfiles.</summary>
        private static void ReadRepository(Context ctx, YamlNode node, string key, TopLevel top)
        {
            top.Repository = ctx.Scalar(node, key);
            string? repoWhy = InputGrammar.GitRepositoryUrl.Why(top.Repository);
            if (repoWhy != null)
            {
                throw ctx.Error(MatrixErrorIds.InvalidRepository, $"'repository' '{InputGrammar.Show(top.Repository)}' is not accepted: {repoWhy}.", node, key);
            }
        }

        /// <summary>maintainers: the manifest's maintainers, each checked.</summary>
        private static void ReadMaintainers(Context ctx, YamlNode node, string key, TopLevel top)
        {
            string[] maintainers = ctx.StringList(node, key, out var maintainerNodes);
            for (int i = 0; i < maintainers.Length; i++)
            {
                string? why = ManifestGrammar.Maintainer.Why(maintainers[i]);
                if (why != null)
                {
                    throw ctx.Error(MatrixErrorIds.InvalidMaintainer, $"Maintainer '{InputGrammar.Show(maintainers[i])}' is not accepted: {why}.", maintainerNodes[i], key);
                }
            }

            top.Maintainers = maintainers;
        }

        /// <summary>
        /// Characters YAML does not allow in a stream (C0 controls other than tab and line breaks, DEL, C1 controls other
        /// than NEL, unpaired surrogates, U+FFFE/U+FFFF). YamlDotNet silently treats a NUL as a separator, so it is refused
        /// here, with its line, before parsing.
        /// </summary>
        private static void RejectNonYamlCharacters(string text, string source)
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

                bool bad = (c < 0x20 && c != '\t' && c != '\r') || c == 0x7F || (c >= 0x80 && c <= 0x9F && c != 0x85) || c == 0xFFFE || c == 0xFFFF;
                if (char.IsHighSurrogate(c))
                {
                    bad = i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]);
                    i += bad ? 0 : 1;
                }
                else if (char.IsLowSurrogate(c))
                {
                    bad = true;
                }

                if (bad)
                {
                    throw new MatrixException(
                        MatrixErrorIds.InvalidCharacter,
                        $"Line {line} holds the character U+{(int)c:X4}, which YAML does not allow; a matrix is text (write a control character in a double-quoted string as an escape, e.g. \\t).",
                        source,
                        line,
                        null);
                }
            }
        }

        private static IReadOnlyList<string> Default_Maintainers(IReadOnlyDictionary<string, IReadOnlyList<string>>? baseArchitectures) =>
            baseArchitectures == null ? Array.Empty<string>() : Default.Maintainers;

        /// <summary>What the keys of one version entry said, as they are read.</summary>
        private sealed class EntryFields
        {
            public string? VersionText { get; set; }
            public YamlNode? VersionNode { get; set; }
            public YamlNode? VariantsNode { get; set; }
            public string? Source { get; set; }
            public string? Windows { get; set; }
            public string? Setuptools { get; set; }
            public string? Gpg { get; set; }
            public IReadOnlyList<string> Exclude { get; set; } = Array.Empty<string>();
        }

        /// <summary>One version entry: each key by its own reader, then the version and the variants, each checked.</summary>
        private static MatrixVersion ParseEntry(Context ctx, YamlNode keyNode, YamlNode valueNode, Dictionary<string, IReadOnlyList<string>> architectures, VariantTable variantLines)
        {
            string keyText = ctx.KeyText(keyNode);
            if (!IsVersionKey(ctx, keyText, keyNode, keyText, out var key))
            {
                throw ctx.Error(MatrixErrorIds.InvalidVersionKey, $"'{InputGrammar.Show(keyText)}' is not a version key (MAJOR.MINOR or MAJOR.MINOR-rc, e.g. 3.14 or 3.15-rc).", keyNode, keyText);
            }

            var map = ctx.Mapping(valueNode, keyText);
            var e = new EntryFields();
            foreach (var kv in map.Children)
            {
                string k = ctx.KeyText(kv.Key);
                string path = keyText + "." + k;
                switch (k)
                {
                    case "version":
                        e.VersionText = ctx.Scalar(kv.Value, path);
                        e.VersionNode = kv.Value;
                        break;
                    case "variants":
                        e.VariantsNode = kv.Value;
                        break;
                    case "checksums":
                        ReadChecksums(ctx, kv.Value, path, e);
                        break;
                    case "setuptools":
                        ReadSetuptools(ctx, kv.Value, path, e);
                        break;
                    case "excludeArchitectures":
                        e.Exclude = ctx.ArchitectureList(kv.Value, path);
                        break;
                    case "gpgKey":
                        ReadGpgKey(ctx, kv.Value, path, e);
                        break;
                    case "pip":
                        CheckPip(ctx, kv.Value, path);
                        break;
                    case "get-pip":
                        CheckGetPip(ctx, kv.Value, path);
                        break;
                    default:
                        throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown key '{InputGrammar.Show(k)}' in version {keyText}. Known keys: version, checksums, setuptools, variants, excludeArchitectures, gpgKey.", kv.Key, path);
                }
            }

            var version = ReadVersion(ctx, keyNode, keyText, key!, e);
            var variants = ReadVariants(ctx, keyNode, keyText, e.VariantsNode, architectures, variantLines);
            return new MatrixVersion(key!, version, variants)
            {
                SourceSha256 = e.Source,
                WindowsSha256 = e.Windows,
                SetuptoolsVersion = e.Setuptools,
                GpgKey = e.Gpg,
                ExcludeArchitectures = e.Exclude,
                Line = (int)keyNode.Start.Line,
            };
        }

        /// <summary>checksums: source and windows, sha256 (other SPDX algorithms checked and ignored).</summary>
        private static void ReadChecksums(Context ctx, YamlNode node, string path, EntryFields e)
        {
            foreach (var ckv in ctx.Mapping(node, path).Children)
            {
                string type = ctx.KeyText(ckv.Key);
                if (type != "source" && type != "windows")
                {
                    throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown checksum type '{InputGrammar.Show(type)}' (known: source, windows).", ckv.Key, path + "." + type);
                }

                foreach (var akv in ctx.Mapping(ckv.Value, path + "." + type).Children)
                {
                    string algo = ctx.KeyText(akv.Key);
                    string algoPath = path + "." + type + "." + algo;
                    if (!SbomAlgorithms.TryGetValue(algo, out int hexLength))
                    {
                        // A typo here would silently drop the checksum, and with it the download verification.
                        throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown checksum algorithm '{InputGrammar.Show(algo)}' (sha256 is used; other SPDX algorithm names such as sha1 or sha512 are accepted and ignored).", akv.Key, algoPath);
                    }

                    string value = ctx.Scalar(akv.Value, algoPath);
                    if (algo != "sha256")
                    {
                        // Merged in from an SPDX SBOM by upstream's updater; the Dockerfiles only check sha256, but the value is still checked.
                        string? why = InputGrammar.HexDigest.Why(value) ?? (hexLength != 0 && value.Length != hexLength ? $"a {algo} digest has {hexLength} hexadecimal digits, not {value.Length}" : null);
                        if (why != null)
                        {
                            throw ctx.Error(MatrixErrorIds.InvalidChecksum, $"The {algo} checksum '{InputGrammar.Show(value)}' is not accepted: {why}.", akv.Value, algoPath);
                        }

                        continue;
                    }

                    if (!InputGrammar.Sha256.IsMatch(value))
                    {
                        throw ctx.Error(MatrixErrorIds.InvalidChecksum, $"The sha256 checksum '{InputGrammar.Show(value)}' must be 64 hexadecimal characters (it has {value.Length}).", akv.Value, path + "." + type + ".sha256");
                    }

                    if (type == "source") e.Source = value.ToLowerInvariant();
                    else e.Windows = value.ToLowerInvariant();
                }
            }
        }

        /// <summary>setuptools: {version}, null for none.</summary>
        private static void ReadSetuptools(Context ctx, YamlNode node, string path, EntryFields e)
        {
            foreach (var skv in ctx.Mapping(node, path).Children)
            {
                string sk = ctx.KeyText(skv.Key);
                if (sk != "version")
                {
                    throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown key '{InputGrammar.Show(sk)}' under setuptools (known: version).", skv.Key, path + "." + sk);
                }

                if (Context.IsNull(skv.Value))
                {
                    e.Setuptools = null; // upstream's JSON null: no setuptools pin
                    continue;
                }

                e.Setuptools = ctx.Scalar(skv.Value, path + ".version");
                string? why = InputGrammar.PackageVersion.Why(e.Setuptools);
                if (why != null)
                {
                    throw ctx.Error(MatrixErrorIds.InvalidSetuptoolsVersion, $"setuptools version '{InputGrammar.Show(e.Setuptools)}' is not accepted: {why}.", skv.Value, path + ".version");
                }
            }
        }

        /// <summary>gpgKey: a 40-digit fingerprint, kept in upper case.</summary>
        private static void ReadGpgKey(Context ctx, YamlNode node, string path, EntryFields e)
        {
            e.Gpg = ctx.Scalar(node, path);
            if (!InputGrammar.GpgFingerprint.IsMatch(e.Gpg))
            {
                throw ctx.Error(MatrixErrorIds.InvalidGpgKey, $"gpgKey '{InputGrammar.Show(e.Gpg)}' must be a 40-character hexadecimal fingerprint.", node, path);
            }

            e.Gpg = e.Gpg.ToUpperInvariant();
        }

        /// <summary>pip: the historical versions.json field, accepted and ignored; its value is still checked.</summary>
        private static void CheckPip(Context ctx, YamlNode node, string path)
        {
            // Historical versions.json field (pip.version), accepted and ignored; its value is still checked.
            foreach (var pkv in ctx.Mapping(node, path).Children)
            {
                string pk = ctx.KeyText(pkv.Key);
                if (pk != "version")
                {
                    throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown key '{InputGrammar.Show(pk)}' under pip (known: version).", pkv.Key, path + "." + pk);
                }

                if (!Context.IsNull(pkv.Value))
                {
                    string pip = ctx.Scalar(pkv.Value, path + ".version");
                    string? why = InputGrammar.PackageVersion.Why(pip);
                    if (why != null)
                    {
                        throw ctx.Error(MatrixErrorIds.InvalidPipVersion, $"pip version '{InputGrammar.Show(pip)}' is not accepted: {why}.", pkv.Value, path + ".version");
                    }
                }
            }
        }

        /// <summary>get-pip: the historical versions.json field, accepted and ignored; its values are still checked.</summary>
        private static void CheckGetPip(Context ctx, YamlNode node, string path)
        {
            // Historical versions.json field (get-pip.{version,url,sha256}), accepted and ignored; its values are still checked.
            foreach (var gkv in ctx.Mapping(node, path).Children)
            {
                string gk = ctx.KeyText(gkv.Key);
                string gpath = path + "." + gk;
                if (gk != "sha256" && gk != "url" && gk != "version")
                {
                    throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown key '{InputGrammar.Show(gk)}' under get-pip (known: version, url, sha256).", gkv.Key, gpath);
                }

                if (Context.IsNull(gkv.Value))
                {
                    continue;
                }

                string value = ctx.Scalar(gkv.Value, gpath);
                string? why = gk == "sha256"
                    ? InputGrammar.Sha256.Why(value)
                    : gk == "url" || InputGrammar.GitCommit.Why(value) != null ? InputGrammar.GitRepositoryUrl.Why(value) : null;
                if (why != null)
                {
                    throw ctx.Error(MatrixErrorIds.InvalidGetPip, $"get-pip {gk} '{InputGrammar.Show(value)}' is not accepted: {why}.", gkv.Value, gpath);
                }
            }
        }

        /// <summary>version: present, a Python version, and one that belongs to its key.</summary>
        private static PythonVersion ReadVersion(Context ctx, YamlNode keyNode, string keyText, VersionKey key, EntryFields e)
        {
            string? versionText = e.VersionText;
            YamlNode? versionNode = e.VersionNode;
            if (versionText == null)
            {
                throw ctx.Error(MatrixErrorIds.MissingVersion, $"Version {keyText} has no 'version' (the full version, e.g. {key.RcVersion}.0).", keyNode, keyText + ".version");
            }

            ctx.CheckNumbers(versionText, LooseVersion, InputGrammar.PythonVersion, versionNode!, keyText + ".version");
            if (!InputGrammar.PythonVersion.IsMatch(versionText) || !PythonVersion.TryParse(versionText, out var version))
            {
                throw ctx.Error(MatrixErrorIds.InvalidVersion, $"'{InputGrammar.Show(versionText)}' is not a Python version (MAJOR.MINOR.PATCH with an optional a/b/rc suffix).", versionNode!, keyText + ".version");
            }

            if (!key.Admits(version!, out string reason))
            {
                throw ctx.Error(MatrixErrorIds.VersionKeyMismatch, $"Version '{versionText}' does not belong to key {keyText}: {reason}.", versionNode!, keyText + ".version");
            }

            return version!;
        }

        /// <summary>variants: a non-empty list of safe, known, distinct variants whose base images have architectures.</summary>
        private static List<VariantInfo> ReadVariants(Context ctx, YamlNode keyNode, string keyText, YamlNode? variantsNode, Dictionary<string, IReadOnlyList<string>> architectures, VariantTable variantLines)
        {
            if (variantsNode == null)
            {
                throw ctx.Error(MatrixErrorIds.EmptyVariants, $"Version {keyText} has no 'variants' list.", keyNode, keyText + ".variants");
            }

            var variants = new List<VariantInfo>();
            var seq = variantsNode as YamlSequenceNode;
            if (seq == null && !(variantsNode is YamlScalarNode { Value: null or "" }))
            {
                throw ctx.Error(MatrixErrorIds.WrongType, $"'variants' of {keyText} must be a list.", variantsNode, keyText + ".variants");
            }

            if (seq == null || seq.Children.Count == 0)
            {
                throw ctx.Error(MatrixErrorIds.EmptyVariants, $"Version {keyText} has an empty 'variants' list; list at least one variant or remove the version.", variantsNode, keyText + ".variants");
            }

            // The line of each variant (for the tag checks' messages), kept per version: a few ints, not the YAML nodes.
            var lines = new int[seq.Children.Count];
            variants.Capacity = seq.Children.Count;
            string where = keyText + ".variants";
            foreach (var node in seq.Children)
            {
                var info = ReadVariant(ctx, node, where, variantLines.Known);
                string v = info.Path;
                if (IndexOfVariant(variants, v) >= 0)
                {
                    throw ctx.Error(MatrixErrorIds.DuplicateVariant, $"Variant '{v}' is listed twice in version {keyText}.", node, where);
                }

                if (info.OS == ImageOS.Linux && !architectures.ContainsKey(info.BaseImage))
                {
                    throw ctx.Error(MatrixErrorIds.MissingArchitectures, $"Variant '{v}' builds FROM '{info.BaseImage}', which has no architectures; add '{info.BaseImage}: [amd64, ...]' to the 'architectures' table.", node, "architectures." + info.BaseImage);
                }

                lines[variants.Count] = (int)node.Start.Line;
                variants.Add(info);
            }

            variantLines.Lines[keyText] = lines;

            return variants;
        }

        /// <summary>
        /// One variant: a safe directory name of a known form. A variant already read in this file (the same few
        /// variants repeat in every version) is the same checked, immutable <see cref="VariantInfo"/>, read once.
        /// </summary>
        private static VariantInfo ReadVariant(Context ctx, YamlNode node, string where, Dictionary<string, VariantInfo> known)
        {
            string v = ctx.Scalar(node, where);
            if (known.TryGetValue(v, out var seen))
            {
                return seen;
            }

            int bad = InputGrammar.FirstNonPrintable(v);
            if (bad >= 0 || v.Length > InputGrammar.VariantName.MaxLength)
            {
                string why = bad >= 0 ? $"it contains the character U+{(int)v[bad]:X4} at position {bad + 1}" : $"it is {v.Length} characters long (at most {InputGrammar.VariantName.MaxLength})";
                throw ctx.Error(MatrixErrorIds.InvalidVariantPath, $"Variant '{InputGrammar.Show(v)}' is not a safe directory name: {why}.", node, where);
            }

            string withoutPrefix = VariantInfo.NameOf(v);
            if (v.Contains("..") || withoutPrefix.Contains("/") || v.Contains("\\") || v.Length == 0 || Path.IsPathRooted(v))
            {
                throw ctx.Error(MatrixErrorIds.InvalidVariantPath, $"Variant '{v}' is not a safe directory name: it may not contain '..' or path separators (only the 'windows/' prefix is allowed).", node, where);
            }

            var info = VariantInfo.TryParse(v, out string formWhy);
            if (info == null)
            {
                throw ctx.Error(MatrixErrorIds.UnknownVariantForm, $"Variant '{v}' has an unknown form: {formWhy}.", node, where);
            }

            string? nameWhy = InputGrammar.VariantName.Why(v);
            if (nameWhy != null)
            {
                throw ctx.Error(MatrixErrorIds.InvalidVariantPath, $"Variant '{v}' is not a safe directory name: {nameWhy}.", node, where);
            }

            known[v] = info;
            return info;
        }

        /// <summary>What the variant lists of one file said: each variant read once, and each version's variant lines.</summary>
        private sealed class VariantTable
        {
            public VariantTable(int versions) => Lines = new Dictionary<string, int[]>(versions, StringComparer.Ordinal);

            /// <summary>The variants read so far, by their text.</summary>
            public Dictionary<string, VariantInfo> Known { get; } = new Dictionary<string, VariantInfo>(StringComparer.Ordinal);

            /// <summary>Version key → the line of each of its variants, in order.</summary>
            public Dictionary<string, int[]> Lines { get; }
        }

        private static int IndexOfVariant(List<VariantInfo> variants, string path)
        {
            for (int i = 0; i < variants.Count; i++)
            {
                if (string.Equals(variants[i].Path, path, StringComparison.Ordinal))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>A version key (grammar and parse); a number too large for it is its own error.</summary>
        private static bool IsVersionKey(Context ctx, string text, YamlNode node, string errorKey, out VersionKey? key)
        {
            key = null;
            ctx.CheckNumbers(text, LooseVersionKey, InputGrammar.VersionKey, node, errorKey);
            return InputGrammar.VersionKey.IsMatch(text) && VersionKey.TryParse(text, out key);
        }

        /// <summary>
        /// The tags the matrix produces, checked before anyone sees them: alias words claimed twice, tags outside Docker's
        /// grammar, a tag naming two images, an image left without architectures. Each error names the line it comes from.
        /// </summary>
        private static void ValidateTags(Context ctx, Matrix matrix, List<(string Key, string Word, YamlNode Node)> aliasNodes, VariantTable variantLines)
        {
            var present = new Dictionary<string, MatrixVersion>(matrix.Versions.Count, StringComparer.Ordinal);
            var versionNames = new Dictionary<string, string>(2 * matrix.Versions.Count, StringComparer.Ordinal); // key text or full version → key
            foreach (var v in matrix.Versions)
            {
                present[v.Key.Text] = v;
                versionNames[v.Key.Text] = v.Key.Text;
                versionNames[v.Version.Text] = v.Key.Text;
            }

            CheckAliases(ctx, aliasNodes, present, versionNames);

            CheckImages(ctx, matrix, variantLines);
        }

        /// <summary>
        /// Every image's architectures and tags: a tag names one image (simple tags are unique, a shared tag is never also
        /// a simple one) and is a valid Docker tag. One pass over the images, one table of all tags.
        /// </summary>
        private static void CheckImages(Context ctx, Matrix matrix, VariantTable variantLines)
        {
            var images = TagRules.Compute(matrix);
            int tagCount = 0;
            foreach (var image in images)
            {
                tagCount += image.Tags.Length + image.SharedTags.Length;
            }

            // tag → (the image that has it, whether as a shared tag); a tag is in the table once, as simple or as shared.
            var owners = new Dictionary<string, (PythonImage Image, bool Shared)>(tagCount, StringComparer.Ordinal);
            foreach (var image in images)
            {
                var entry = image.Release!;
                int line = VariantLine(variantLines, entry, image);
                string where = image.VersionKey + ".variants";
                if (image.OS == ImageOS.Linux && image.Architectures.Length == 0)
                {
                    var excluded = matrix.ExcludeArchitectures.Concat(entry.ExcludeArchitectures).Distinct(StringComparer.Ordinal);
                    throw ctx.ErrorAt(
                        MatrixErrorIds.NoArchitectures,
                        $"Image {image.Directory} has no architecture left: its base image '{image.BaseImage}' lists [{string.Join(", ", matrix.Architectures[image.BaseImage!])}] and excludeArchitectures removes [{string.Join(", ", excluded)}]. Remove an exclusion or the variant.",
                        line,
                        where);
                }

                foreach (var tag in image.Tags)
                {
                    CheckTag(ctx, image, tag, line, where);
                    if (owners.TryGetValue(tag, out var first))
                    {
                        throw ctx.ErrorAt(MatrixErrorIds.DuplicateTag, $"Tag '{tag}' of {image.Directory} is also a tag of {first.Image.Directory}; every tag must name one image. Change the aliases or the variants.", line, where);
                    }

                    owners[tag] = (image, false);
                }

                CheckSharedTags(ctx, image, owners, line, where);
            }
        }

        private static void CheckSharedTags(Context ctx, PythonImage image, Dictionary<string, (PythonImage Image, bool Shared)> owners, int line, string where)
        {
            var sharedTags = image.SharedTags;
            for (int i = 0; i < sharedTags.Length; i++)
            {
                string tag = sharedTags[i];
                CheckTag(ctx, image, tag, line, where);
                bool known = owners.TryGetValue(tag, out var first);
                if (known && !first.Shared)
                {
                    throw ctx.ErrorAt(MatrixErrorIds.DuplicateTag, $"Shared tag '{tag}' of {image.Directory} is a tag of {first.Image.Directory}; a shared tag may not also be a simple tag. Change the aliases or the variants.", line, where);
                }

                if (Array.IndexOf(sharedTags, tag, 0, i) >= 0)
                {
                    throw ctx.ErrorAt(MatrixErrorIds.DuplicateTag, $"Shared tag '{tag}' appears twice for {image.Directory}. Change the aliases.", line, where);
                }

                if (!known)
                {
                    owners[tag] = (image, true);
                }
            }
        }

        /// <summary>The line of an image's variant in the matrix file (the version's line when it is not known).</summary>
        private static int VariantLine(VariantTable variantLines, MatrixVersion entry, PythonImage image)
        {
            if (variantLines.Lines.TryGetValue(entry.Key.Text, out var lines))
            {
                for (int i = 0; i < entry.Variants.Count && i < lines.Length; i++)
                {
                    if (ReferenceEquals(entry.Variants[i], image.VariantInfo))
                    {
                        return lines[i];
                    }
                }
            }

            return entry.Line;
        }

        /// <summary>Alias words claimed twice, or naming a version key or version, for the versions the matrix lists.</summary>
        private static void CheckAliases(Context ctx, List<(string Key, string Word, YamlNode Node)> aliasNodes, Dictionary<string, MatrixVersion> present, Dictionary<string, string> versionNames)
        {
            var owner = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, word, node) in aliasNodes)
            {
                if (!present.ContainsKey(key))
                {
                    continue; // an alias for a version the matrix does not list makes no image
                }

                string what = $"Alias '{word}' of {key}";
                if (owner.TryGetValue(word, out string? other))
                {
                    throw ctx.Error(
                        MatrixErrorIds.AliasCollision,
                        other == key
                            ? $"{what} is listed twice; list it once."
                            : $"{what} is also an alias of {other}: both would claim the tags '{word}', '{word}-<variant>', ... and one image would silently take the other's. Give it to one version only.",
                        node,
                        "aliases." + key);
                }

                if (versionNames.TryGetValue(word, out string? named))
                {
                    throw ctx.Error(
                        MatrixErrorIds.AliasCollision,
                        named == key
                            ? $"{what} repeats its own version; its tags exist already."
                            : $"{what} is the version key or version of {named}, whose tags it would claim. Remove it.",
                        node,
                        "aliases." + key);
                }

                owner[word] = key;
            }
        }

        private static void CheckTag(Context ctx, PythonImage image, string tag, int line, string where)
        {
            string? why = InputGrammar.DockerTag.Why(tag);
            if (why != null)
            {
                throw ctx.ErrorAt(MatrixErrorIds.InvalidTag, $"Tag '{InputGrammar.Show(tag)}' of {image.Directory} is not a valid Docker tag: {why}. Shorten the aliases.", line, where);
            }
        }

        private static string Inner(YamlException ex)
        {
            string msg = ex.Message;
            if (ex.InnerException != null && !string.IsNullOrEmpty(ex.InnerException.Message))
            {
                msg += " " + ex.InnerException.Message;
            }

            return msg;
        }

        /// <summary>
        /// Passes YamlDotNet's parser events to the representation model and stops, before the model's recursive node
        /// construction goes any deeper, at the first structure a matrix never needs: nesting beyond <see cref="MaxDepth"/>,
        /// a second document, an anchor or alias (the "billion laughs" expansion), an explicit tag. Also remembers where
        /// the last event started, for errors YamlDotNet raises without a position. No recursion: a counter.
        /// </summary>
        private sealed class GuardedParser : IParser
        {
            private readonly IParser inner;
            private readonly string source;
            private int depth;
            private int documents;

            public GuardedParser(IParser inner, string source)
            {
                this.inner = inner;
                this.source = source;
            }

            public int LastLine { get; private set; } = 1;

            public ParsingEvent? Current => inner.Current;

            public bool MoveNext()
            {
                bool more = inner.MoveNext();
                var e = inner.Current;
                if (e == null)
                {
                    return more;
                }

                int line = Math.Max(1, (int)e.Start.Line);
                LastLine = line;
                switch (e)
                {
                    case DocumentStart:
                        if (++documents > 1)
                        {
                            throw new MatrixException(MatrixErrorIds.MultipleDocuments, "The file holds more than one YAML document ('---' starts a second one); a matrix is a single document.", source, line, null);
                        }

                        break;
                    case AnchorAlias alias:
                        throw new MatrixException(MatrixErrorIds.AnchorNotAllowed, $"YAML aliases (*{InputGrammar.Show(alias.Value.ToString())}) are not supported in a matrix; write the value out.", source, line, null);
                    case NodeEvent node:
                        if (!node.Anchor.IsEmpty)
                        {
                            throw new MatrixException(MatrixErrorIds.AnchorNotAllowed, $"YAML anchors (&{InputGrammar.Show(node.Anchor.ToString())}) are not supported in a matrix; write the value out.", source, line, null);
                        }

                        if (!node.Tag.IsEmpty)
                        {
                            throw new MatrixException(MatrixErrorIds.YamlTagNotAllowed, $"YAML tags ({InputGrammar.Show(node.Tag.ToString())}) are not supported in a matrix; every value is read as a string, so remove the tag.", source, line, null);
                        }

                        if (node is MappingStart || node is SequenceStart)
                        {
                            if (++depth > MaxDepth)
                            {
                                throw new MatrixException(MatrixErrorIds.TooDeep, $"Maps and lists are nested more than {MaxDepth} levels deep; a matrix needs 5. Nothing past this point was read.", source, line, null);
                            }
                        }

                        break;
                    case MappingEnd:
                    case SequenceEnd:
                        depth--;
                        break;
                }

                return more;
            }
        }

        private sealed class Context
        {
            private readonly string source;

            public Context(string source) => this.source = source;

            public MatrixException Error(string id, string message, YamlNode node, string? key) =>
                ErrorAt(id, message, (int)node.Start.Line, key);

            public MatrixException ErrorAt(string id, string message, int line, string? key)
            {
                string? shown = key == null ? null : InputGrammar.Show(key);
                return new MatrixException(id, message + (shown != null ? $" (key: {shown})" : string.Empty), source, line, shown);
            }

            /// <summary>JSON null (or YAML's ~ and empty plain value).</summary>
            public static bool IsNull(YamlNode node) =>
                node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && (s.Value == null || s.Value is "" or "~" or "null" or "Null" or "NULL");

            /// <summary>
            /// A number too large for the module (more than 4 digits) in a value that otherwise has the shape of
            /// <paramref name="grammar"/> is its own error, named as such (never an OverflowException).
            /// </summary>
            public void CheckNumbers(string text, Regex looseShape, Grammar grammar, YamlNode node, string key)
            {
                if (grammar.IsMatch(text) || !looseShape.IsMatch(text))
                {
                    return;
                }

                for (int i = 0; i < text.Length;)
                {
                    if (!char.IsDigit(text[i]))
                    {
                        i++;
                        continue;
                    }

                    int start = i;
                    while (i < text.Length && char.IsDigit(text[i]))
                    {
                        i++;
                    }

                    string run = text.Substring(start, i - start).TrimStart('0');
                    if (run.Length > 4)
                    {
                        throw Error(MatrixErrorIds.NumberOutOfRange, $"The number {InputGrammar.Show(run)} in '{InputGrammar.Show(text)}' is out of range: version numbers have at most 4 digits.", node, key);
                    }
                }
            }

            public string KeyText(YamlNode node) => node is YamlScalarNode s && s.Value != null
                ? s.Value
                : throw Error(MatrixErrorIds.WrongType, "Map keys must be plain strings.", node, null);

            public YamlMappingNode Mapping(YamlNode node, string key) => node as YamlMappingNode
                ?? throw Error(MatrixErrorIds.WrongType, $"'{InputGrammar.Show(key)}' must be a map.", node, key);

            public string Scalar(YamlNode node, string key) => node is YamlScalarNode s && s.Value != null
                ? s.Value
                : throw Error(MatrixErrorIds.WrongType, $"'{InputGrammar.Show(key)}' must be a single value.", node, key);

            public string[] StringList(YamlNode node, string key) => StringList(node, key, out _);

            public string[] StringList(YamlNode node, string key, out IList<YamlNode> items)
            {
                if (node is YamlScalarNode { Value: null or "" })
                {
                    items = Array.Empty<YamlNode>();
                    return Array.Empty<string>();
                }

                var seq = node as YamlSequenceNode ?? throw Error(MatrixErrorIds.WrongType, $"'{InputGrammar.Show(key)}' must be a list.", node, key);
                items = seq.Children;
                return seq.Children.Select(c => Scalar(c, key)).ToArray();
            }

            /// <summary>A list of bashbrew architecture names; an unknown name is reported at its own line.</summary>
            public string[] ArchitectureList(YamlNode node, string key)
            {
                var list = StringList(node, key, out var items);
                for (int i = 0; i < list.Length; i++)
                {
                    if (!Matrix.KnownArchitectures.Contains(list[i]))
                    {
                        throw Error(MatrixErrorIds.UnknownArchitecture, $"Unknown architecture '{InputGrammar.Show(list[i])}' (known: {string.Join(", ", Matrix.KnownArchitectures)}).", items[i], key);
                    }
                }

                return list;
            }
        }
    }
}
