using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PythonImages
{
    /// <summary>Stable error ids of matrix loading; cmdlets surface them as ErrorRecord ids.</summary>
    public static class MatrixErrorIds
    {
        public const string FileNotFound = "Matrix.FileNotFound";
        public const string Empty = "Matrix.Empty";
        public const string MalformedYaml = "Matrix.MalformedYaml";
        public const string DuplicateKey = "Matrix.DuplicateKey";
        public const string UnknownKey = "Matrix.UnknownKey";
        public const string MissingKey = "Matrix.MissingKey";
        public const string WrongType = "Matrix.WrongType";
        public const string InvalidVersionKey = "Matrix.InvalidVersionKey";
        public const string MissingVersion = "Matrix.MissingVersion";
        public const string InvalidVersion = "Matrix.InvalidVersion";
        public const string VersionKeyMismatch = "Matrix.VersionKeyMismatch";
        public const string InvalidChecksum = "Matrix.InvalidChecksum";
        public const string UnknownVariantForm = "Matrix.UnknownVariantForm";
        public const string InvalidVariantPath = "Matrix.InvalidVariantPath";
        public const string DuplicateVariant = "Matrix.DuplicateVariant";
        public const string EmptyVariants = "Matrix.EmptyVariants";
        public const string MissingArchitectures = "Matrix.MissingArchitectures";
        public const string UnknownArchitecture = "Matrix.UnknownArchitecture";
        public const string InvalidGpgKey = "Matrix.InvalidGpgKey";
    }

    /// <summary>A matrix that cannot be used: names the file, the line and the key.</summary>
    public sealed class MatrixException : Exception
    {
        public MatrixException(string errorId, string message, string file, int line, string? key, Exception? inner = null)
            : base(Format(message, file, line), inner)
        {
            ErrorId = errorId;
            File = file;
            Line = line;
            Key = key;
        }

        public string ErrorId { get; }
        public string File { get; }
        public int Line { get; }
        public string? Key { get; }

        /// <summary>True when the file itself is missing (the caller chose a wrong path) rather than its content being wrong.</summary>
        public bool IsNotFound => ErrorId == MatrixErrorIds.FileNotFound;

        private static string Format(string message, string file, int line) =>
            line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}";
    }

    /// <summary>Reads the matrix file format (matrix-schema) and bare upstream versions.json files.</summary>
    public static class MatrixLoader
    {
        public const string EmbeddedSource = "(embedded matrix.yaml)";

        private static readonly Lazy<Matrix> Embedded = new Lazy<Matrix>(LoadEmbeddedCore, System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);
        private static readonly Regex Sha256 = new Regex("^[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant);
        private static readonly Regex DuplicateKeyMessage = new Regex("^Duplicate key (.+)$", RegexOptions.CultureInvariant);
        private static readonly Regex Fingerprint = new Regex("^[0-9A-Fa-f]{40}$", RegexOptions.CultureInvariant);

        // Lowercased SPDX checksum algorithm names: what upstream's SBOM fallback may merge into versions.json.
        private static readonly HashSet<string> SbomAlgorithms = new HashSet<string>(StringComparer.Ordinal)
        {
            "sha1", "sha224", "sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512",
            "blake2b-256", "blake2b-384", "blake2b-512", "blake3", "md2", "md4", "md5", "md6", "adler32",
        };

        private static readonly string[] TopKeys = { "versions", "aliases", "architectures", "excludeArchitectures", "repository", "maintainers" };
        private static readonly string[] EntryKeys = { "version", "checksums", "setuptools", "variants", "excludeArchitectures", "gpgKey", "pip", "get-pip" };

        /// <summary>The matrix embedded in the module (parsed once per process).</summary>
        public static Matrix Default => Embedded.Value;

        /// <summary>Loads <paramref name="path"/>, or the embedded matrix when it is null or empty.</summary>
        public static Matrix Load(string? path) => string.IsNullOrEmpty(path) ? Default : LoadFile(path!);

        public static Matrix LoadFile(string path)
        {
            if (!System.IO.File.Exists(path))
            {
                throw new MatrixException(MatrixErrorIds.FileNotFound, "The matrix file does not exist. Check the -MatrixPath value, or omit it to use the embedded matrix.", path, 0, null);
            }

            string text;
            try
            {
                text = System.IO.File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new MatrixException(MatrixErrorIds.FileNotFound, "The matrix file cannot be read: " + ex.Message, path, 0, null, ex);
            }

            return Parse(text, path, Default.Architectures);
        }

        private static Matrix LoadEmbeddedCore()
        {
            using var stream = typeof(MatrixLoader).Assembly.GetManifestResourceStream("PythonImages.matrix.yaml")
                ?? throw new InvalidOperationException("The embedded matrix resource is missing from PythonImages.Core.");
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), EmbeddedSource, null);
        }

        /// <summary>Parses matrix text. <paramref name="baseArchitectures"/> is the table user entries are merged over.</summary>
        public static Matrix Parse(string text, string source, IReadOnlyDictionary<string, IReadOnlyList<string>>? baseArchitectures)
        {
            var ctx = new Context(source);
            var yaml = new YamlStream();
            var parser = new TrackingParser(new Parser(new StringReader(text)));
            try
            {
                yaml.Load(parser);
            }
            catch (YamlException ex)
            {
                var duplicate = DuplicateKeyMessage.Match(ex.Message);
                if (duplicate.Success)
                {
                    string dk = duplicate.Groups[1].Value;
                    throw new MatrixException(MatrixErrorIds.DuplicateKey, $"The key '{dk}' appears twice in the same map; keep one. (key: {dk})", source, (int)ex.Start.Line, dk, ex);
                }

                throw new MatrixException(MatrixErrorIds.MalformedYaml, "The file is not valid YAML: " + Inner(ex), source, (int)ex.Start.Line, null, ex);
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is ArgumentException)
            {
                // YamlDotNet reports some syntax errors (e.g. an unclosed flow sequence) without a position: name the last good place.
                throw new MatrixException(MatrixErrorIds.MalformedYaml, $"The file is not valid YAML after line {parser.LastLine} (an unclosed [ or {{, or a stray indentation?): " + ex.Message, source, parser.LastLine, null, ex);
            }

            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            {
                throw new MatrixException(MatrixErrorIds.Empty, "The matrix file is empty (only whitespace or comments); it needs at least a 'versions' map. (key: versions)", source, 1, "versions");
            }

            var root = ctx.Mapping(yaml.Documents[0].RootNode, "(top level)");
            // A bare upstream versions.json: no known top-level key, and at least one version key (the others are then
            // reported as invalid version keys, not as unknown settings).
            var topNames = root.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).ToList();
            bool bare = !topNames.Any(k => TopKeys.Contains(k)) && topNames.Any(k => VersionKey.TryParse(k, out _));

            YamlMappingNode versionsNode;
            IReadOnlyDictionary<string, IReadOnlyList<string>>? aliases = null;
            var architectures = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (baseArchitectures != null)
            {
                foreach (var kv in baseArchitectures)
                {
                    architectures[kv.Key] = kv.Value;
                }
            }

            IReadOnlyList<string> exclude = Matrix.DefaultExcludeArchitectures;
            string repository = Matrix.DefaultRepository;
            IReadOnlyList<string> maintainers = Default_Maintainers(baseArchitectures);

            if (bare)
            {
                versionsNode = root;
            }
            else
            {
                YamlMappingNode? found = null;
                foreach (var kv in root.Children)
                {
                    string key = ctx.KeyText(kv.Key);
                    switch (key)
                    {
                        case "versions":
                            found = ctx.Mapping(kv.Value, key);
                            break;
                        case "aliases":
                            var a = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                            foreach (var akv in ctx.Mapping(kv.Value, key).Children)
                            {
                                string ak = ctx.KeyText(akv.Key);
                                if (!VersionKey.TryParse(ak, out _))
                                {
                                    throw ctx.Error(MatrixErrorIds.InvalidVersionKey, $"'aliases' key '{ak}' is not a version key (MAJOR.MINOR or MAJOR.MINOR-rc).", akv.Key, "aliases." + ak);
                                }

                                a[ak] = ctx.StringList(akv.Value, "aliases." + ak);
                            }

                            aliases = a;
                            break;
                        case "architectures":
                            foreach (var bkv in ctx.Mapping(kv.Value, key).Children)
                            {
                                string bk = ctx.KeyText(bkv.Key);
                                architectures[bk] = ctx.ArchitectureList(bkv.Value, "architectures." + bk);
                            }

                            break;
                        case "excludeArchitectures":
                            exclude = ctx.ArchitectureList(kv.Value, key);
                            break;
                        case "repository":
                            repository = ctx.Scalar(kv.Value, key);
                            break;
                        case "maintainers":
                            maintainers = ctx.StringList(kv.Value, key);
                            break;
                        default:
                            throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown key '{key}'. Known top-level keys: {string.Join(", ", TopKeys)}.", kv.Key, key);
                    }
                }

                versionsNode = found ?? throw ctx.Error(MatrixErrorIds.MissingKey, "The matrix has no 'versions' map.", root, "versions");
            }

            var versions = new List<MatrixVersion>();
            foreach (var kv in versionsNode.Children)
            {
                versions.Add(ParseEntry(ctx, kv.Key, kv.Value, architectures));
            }

            if (versions.Count == 0)
            {
                throw ctx.Error(MatrixErrorIds.Empty, "The 'versions' map is empty.", versionsNode, "versions");
            }

            return new Matrix(versions)
            {
                Source = source,
                Aliases = aliases,
                Architectures = architectures,
                ExcludeArchitectures = exclude,
                Repository = repository,
                Maintainers = maintainers,
            };
        }

        private static IReadOnlyList<string> Default_Maintainers(IReadOnlyDictionary<string, IReadOnlyList<string>>? baseArchitectures) =>
            baseArchitectures == null ? Array.Empty<string>() : Default.Maintainers;

        private static MatrixVersion ParseEntry(Context ctx, YamlNode keyNode, YamlNode valueNode, IReadOnlyDictionary<string, IReadOnlyList<string>> architectures)
        {
            string keyText = ctx.KeyText(keyNode);
            if (!VersionKey.TryParse(keyText, out var key))
            {
                throw ctx.Error(MatrixErrorIds.InvalidVersionKey, $"'{keyText}' is not a version key (MAJOR.MINOR or MAJOR.MINOR-rc, e.g. 3.14 or 3.15-rc).", keyNode, keyText);
            }

            var map = ctx.Mapping(valueNode, keyText);
            string? versionText = null;
            YamlNode? versionNode = null;
            YamlNode? variantsNode = null;
            string? source = null, windows = null, setuptools = null, gpg = null;
            IReadOnlyList<string> exclude = Array.Empty<string>();
            foreach (var kv in map.Children)
            {
                string k = ctx.KeyText(kv.Key);
                string path = keyText + "." + k;
                switch (k)
                {
                    case "version":
                        versionText = ctx.Scalar(kv.Value, path);
                        versionNode = kv.Value;
                        break;
                    case "variants":
                        variantsNode = kv.Value;
                        break;
                    case "checksums":
                        foreach (var ckv in ctx.Mapping(kv.Value, path).Children)
                        {
                            string type = ctx.KeyText(ckv.Key);
                            if (type != "source" && type != "windows")
                            {
                                throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown checksum type '{type}' (known: source, windows).", ckv.Key, path + "." + type);
                            }

                            foreach (var akv in ctx.Mapping(ckv.Value, path + "." + type).Children)
                            {
                                string algo = ctx.KeyText(akv.Key);
                                if (!SbomAlgorithms.Contains(algo))
                                {
                                    // A typo here would silently drop the checksum, and with it the download verification.
                                    throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown checksum algorithm '{algo}' (sha256 is used; other SPDX algorithm names such as sha1 or sha512 are accepted and ignored).", akv.Key, path + "." + type + "." + algo);
                                }

                                if (algo != "sha256")
                                {
                                    ctx.Scalar(akv.Value, path + "." + type + "." + algo);
                                    continue; // merged in from an SPDX SBOM by upstream's updater; the Dockerfiles only check sha256
                                }

                                string value = ctx.Scalar(akv.Value, path + "." + type + "." + algo);
                                if (!Sha256.IsMatch(value))
                                {
                                    throw ctx.Error(MatrixErrorIds.InvalidChecksum, $"The sha256 checksum '{value}' must be 64 hexadecimal characters (it has {value.Length}).", akv.Value, path + "." + type + ".sha256");
                                }

                                if (type == "source") source = value.ToLowerInvariant();
                                else windows = value.ToLowerInvariant();
                            }
                        }

                        break;
                    case "setuptools":
                        foreach (var skv in ctx.Mapping(kv.Value, path).Children)
                        {
                            string sk = ctx.KeyText(skv.Key);
                            if (sk != "version")
                            {
                                throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown key '{sk}' under setuptools (known: version).", skv.Key, path + "." + sk);
                            }

                            setuptools = ctx.Scalar(skv.Value, path + ".version");
                        }

                        break;
                    case "excludeArchitectures":
                        exclude = ctx.ArchitectureList(kv.Value, path);
                        break;
                    case "gpgKey":
                        gpg = ctx.Scalar(kv.Value, path);
                        if (!Fingerprint.IsMatch(gpg))
                        {
                            throw ctx.Error(MatrixErrorIds.InvalidGpgKey, $"gpgKey '{gpg}' must be a 40-character hexadecimal fingerprint.", kv.Value, path);
                        }

                        gpg = gpg.ToUpperInvariant();
                        break;
                    case "pip":
                    case "get-pip":
                        break; // historical versions.json fields, accepted and ignored
                    default:
                        throw ctx.Error(MatrixErrorIds.UnknownKey, $"Unknown key '{k}' in version {keyText}. Known keys: version, checksums, setuptools, variants, excludeArchitectures, gpgKey.", kv.Key, path);
                }
            }

            if (versionText == null)
            {
                throw ctx.Error(MatrixErrorIds.MissingVersion, $"Version {keyText} has no 'version' (the full version, e.g. {key!.RcVersion}.0).", keyNode, keyText + ".version");
            }

            if (!PythonVersion.TryParse(versionText, out var version))
            {
                throw ctx.Error(MatrixErrorIds.InvalidVersion, $"'{versionText}' is not a Python version (MAJOR.MINOR.PATCH with an optional a/b/rc suffix).", versionNode!, keyText + ".version");
            }

            if (!key!.Admits(version!, out string reason))
            {
                throw ctx.Error(MatrixErrorIds.VersionKeyMismatch, $"Version '{versionText}' does not belong to key {keyText}: {reason}.", versionNode!, keyText + ".version");
            }

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

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in seq.Children)
            {
                string v = ctx.Scalar(node, keyText + ".variants");
                string withoutPrefix = v.StartsWith(VariantInfo.WindowsPrefix, StringComparison.Ordinal) ? v.Substring(VariantInfo.WindowsPrefix.Length) : v;
                if (v.Contains("..") || withoutPrefix.Contains("/") || v.Contains("\\") || v.Length == 0 || Path.IsPathRooted(v))
                {
                    throw ctx.Error(MatrixErrorIds.InvalidVariantPath, $"Variant '{v}' is not a safe directory name: it may not contain '..' or path separators (only the 'windows/' prefix is allowed).", node, keyText + ".variants");
                }

                var info = VariantInfo.TryParse(v, out string why);
                if (info == null)
                {
                    throw ctx.Error(MatrixErrorIds.UnknownVariantForm, $"Variant '{v}' has an unknown form: {why}.", node, keyText + ".variants");
                }

                if (!seen.Add(v))
                {
                    throw ctx.Error(MatrixErrorIds.DuplicateVariant, $"Variant '{v}' is listed twice in version {keyText}.", node, keyText + ".variants");
                }

                if (info.OS == ImageOS.Linux && !architectures.ContainsKey(info.BaseImage))
                {
                    throw ctx.Error(MatrixErrorIds.MissingArchitectures, $"Variant '{v}' builds FROM '{info.BaseImage}', which has no architectures; add '{info.BaseImage}: [amd64, ...]' to the 'architectures' table.", node, "architectures." + info.BaseImage);
                }

                variants.Add(info);
            }

            return new MatrixVersion(key, version!, variants)
            {
                SourceSha256 = source,
                WindowsSha256 = windows,
                SetuptoolsVersion = setuptools,
                GpgKey = gpg,
                ExcludeArchitectures = exclude,
                Line = (int)keyNode.Start.Line,
            };
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

        /// <summary>Remembers where the last parsing event started, for errors YamlDotNet raises without a position.</summary>
        private sealed class TrackingParser : IParser
        {
            private readonly IParser inner;

            public TrackingParser(IParser inner) => this.inner = inner;

            public int LastLine { get; private set; } = 1;

            public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

            public bool MoveNext()
            {
                bool more = inner.MoveNext();
                if (inner.Current != null)
                {
                    LastLine = Math.Max(1, (int)inner.Current.Start.Line);
                }

                return more;
            }
        }

        private sealed class Context
        {
            private readonly string source;

            public Context(string source) => this.source = source;

            public MatrixException Error(string id, string message, YamlNode node, string? key) =>
                new MatrixException(id, message + (key != null ? $" (key: {key})" : string.Empty), source, (int)node.Start.Line, key);

            public string KeyText(YamlNode node) => node is YamlScalarNode s && s.Value != null
                ? s.Value
                : throw Error(MatrixErrorIds.WrongType, "Map keys must be plain strings.", node, null);

            public YamlMappingNode Mapping(YamlNode node, string key) => node as YamlMappingNode
                ?? throw Error(MatrixErrorIds.WrongType, $"'{key}' must be a map.", node, key);

            public string Scalar(YamlNode node, string key) => node is YamlScalarNode s && s.Value != null
                ? s.Value
                : throw Error(MatrixErrorIds.WrongType, $"'{key}' must be a single value.", node, key);

            public IReadOnlyList<string> StringList(YamlNode node, string key)
            {
                if (node is YamlScalarNode { Value: null or "" })
                {
                    return Array.Empty<string>();
                }

                var seq = node as YamlSequenceNode ?? throw Error(MatrixErrorIds.WrongType, $"'{key}' must be a list.", node, key);
                return seq.Children.Select(c => Scalar(c, key)).ToArray();
            }

            /// <summary>A list of bashbrew architecture names; an unknown name is reported at its own line.</summary>
            public IReadOnlyList<string> ArchitectureList(YamlNode node, string key)
            {
                var list = StringList(node, key);
                var items = node is YamlSequenceNode seq ? seq.Children : (IList<YamlNode>)Array.Empty<YamlNode>();
                for (int i = 0; i < list.Count; i++)
                {
                    if (!Matrix.KnownArchitectures.Contains(list[i]))
                    {
                        throw Error(MatrixErrorIds.UnknownArchitecture, $"Unknown architecture '{list[i]}' (known: {string.Join(", ", Matrix.KnownArchitectures)}).", items[i], key);
                    }
                }

                return list;
            }
        }
    }
}
