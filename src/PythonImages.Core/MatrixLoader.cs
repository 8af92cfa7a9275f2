using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PythonImages.Security;

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
            line > 0 ? $"{InputGrammar.ShowWhole(file)}:{line}: {message}" : $"{InputGrammar.ShowWhole(file)}: {message}";
    }

    /// <summary>
    /// Reads the matrix file format (matrix-schema) and bare upstream versions.json files. The input is untrusted: the file
    /// is read only when it is a regular file of at most <see cref="MaxFileBytes"/>, the YAML may nest at most
    /// <see cref="MaxDepth"/> levels (checked on the parser's events; no node tree is built), and every value is checked
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
        private static Regex? looseVersion, looseVersionKey;

        /// <summary>The shape of a version whatever its numbers (to tell a number out of range from a wrong version).</summary>
        internal static Regex LooseVersion => looseVersion ??= new Regex(@"\A[0-9]+\.[0-9]+\.[0-9]+(?:(?:a|b|rc)[0-9]+)?\z", RegexOptions.CultureInvariant);

        /// <summary>The shape of a version key whatever its numbers.</summary>
        internal static Regex LooseVersionKey => looseVersionKey ??= new Regex(@"\A[0-9]+\.[0-9]+(?:-rc)?\z", RegexOptions.CultureInvariant);

        // Lowercased SPDX checksum algorithm names (what upstream's SBOM fallback may merge into versions.json) and the
        // length of their hex digests (0: variable, md6).
        internal static readonly Dictionary<string, int> SbomAlgorithms = new Dictionary<string, int>(StringComparer.Ordinal)
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

        /// <summary>
        /// Parses matrix text over the base table and maintainers the getters give (each fetched only when needed).
        /// <paramref name="subset"/>: read a text within the subset scanner's YAML on its events (false: always YamlDotNet's,
        /// for the tests that compare the two).
        /// </summary>
        internal static Matrix Parse(
            string text,
            string source,
            Func<IReadOnlyDictionary<string, IReadOnlyList<string>>?> getBaseArchitectures,
            Func<IReadOnlyList<string>> getDefaultMaintainers,
            bool subset = true)
        {
            if (text.Length > MaxFileBytes)
            {
                throw new MatrixException(MatrixErrorIds.TooLarge, $"The matrix text is {text.Length} characters long; at most {MaxFileBytes} are read.", source, 0, null);
            }

            // A plain text (printable ASCII and line feeds, what matrix files are) holds no character YAML refuses; only
            // another text is searched for one. The count of line feeds is the subset scanner's.
            int plainLineFeeds = MatrixSubsetScanner.PlainLineFeeds(text);
            if (plainLineFeeds < 0)
            {
                RejectNonYamlCharacters(text, source);
            }

            // Read on the parser's events (the subset scanner's, or YamlDotNet's for any other YAML): no YAML node tree,
            // only the matrix being built.
            var reader = new MatrixFileReader(text, source, getBaseArchitectures, getDefaultMaintainers, subset, plainLineFeeds);
            reader.Read();
            var matrix = new Matrix(reader.Versions)
            {
                Source = source,
                Aliases = reader.Aliases,
                Architectures = reader.Architectures,
                ExcludeArchitectures = reader.Exclude,
                Repository = reader.Repository,
                Maintainers = reader.Maintainers,
            };
            ValidateTags(reader.Context, matrix, reader.AliasLines);
            return matrix;
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

        /// <summary>
        /// The tags the matrix produces, checked before anyone sees them: alias words claimed twice, tags outside Docker's
        /// grammar, a tag naming two images, an image left without architectures. Each error names the line it comes from.
        /// </summary>
        private static void ValidateTags(Context ctx, Matrix matrix, List<(string Key, string Word, int Line)> aliasLines)
        {
            if (aliasLines.Count > 0)
            {
                CheckAliases(ctx, matrix, aliasLines);
            }

            // The checked images are the ones the first TagRules.Compute of this matrix returns (made once, not twice).
            matrix.HandOver(CheckImages(ctx, matrix));
        }

        /// <summary>Alias words claimed twice, or naming a version key or version, for the versions the matrix lists.</summary>
        private static void CheckAliases(Context ctx, Matrix matrix, List<(string Key, string Word, int Line)> aliasLines)
        {
            var present = new Dictionary<string, MatrixVersion>(matrix.Versions.Count, StringComparer.Ordinal);
            var versionNames = new Dictionary<string, string>(2 * matrix.Versions.Count, StringComparer.Ordinal); // key text or full version → key
            foreach (var v in matrix.Versions)
            {
                present[v.Key.Text] = v;
                versionNames[v.Key.Text] = v.Key.Text;
                versionNames[v.Version.Text] = v.Key.Text;
            }

            CheckAliases(ctx, aliasLines, present, versionNames);
        }

        /// <summary>
        /// Every image's architectures and tags: a tag names one image (simple tags are unique, a shared tag is never also
        /// a simple one) and is a valid Docker tag. The images are checked as TagRules makes them, one version at a time
        /// (<see cref="ImageCheck"/>), into one table of all tags.
        /// </summary>
        private static List<PythonImage> CheckImages(Context ctx, Matrix matrix)
        {
            var check = new ImageCheck(ctx, matrix);
            try
            {
                return TagRules.Compute(matrix, check);
            }
            finally
            {
                check.Release();
            }
        }

        /// <summary>
        /// The load-time checks of the images, made while TagRules makes them (their tags are still in the processor's
        /// cache), in the order a check after all the images would make them: too many tags in all first, then each
        /// image's errors in image order. (TagRules itself cannot fail here: the reader has checked that every variant's
        /// base image has architectures.)
        /// </summary>
        private sealed class ImageCheck : TagRules.IImageCheck
        {
            private readonly Context ctx;
            private readonly Matrix matrix;
            private TagOwnerTable? owners; // which image has a tag first, as a simple or a shared tag; a tag is in it once

            public ImageCheck(Context ctx, Matrix matrix)
            {
                this.ctx = ctx;
                this.matrix = matrix;
            }

            public void Expect(List<PythonImage> images, int count, long tags)
            {
                if (tags > TagOwnerTable.MaxTags)
                {
                    throw TooManyTags();
                }

                owners = new TagOwnerTable(images, count, (int)tags, null);
            }

            public void Added(List<PythonImage> images, int start)
            {
                for (int index = start; index < images.Count; index++)
                {
                    if (!owners!.Register())
                    {
                        throw TooManyTags(); // only if the count Expect was given is wrong
                    }

                    var error = Check(images, index);
                    if (error != null)
                    {
                        throw error;
                    }
                }
            }

            /// <summary>Gives the tag table's arrays back to the pool (the checks are over).</summary>
            public void Release()
            {
                owners?.Release();
                owners = null;
            }

            private MatrixException TooManyTags() =>
                ctx.ErrorAt(MatrixErrorIds.TooLarge, $"The matrix would make more than {TagOwnerTable.MaxTags} tags (a version makes its aliases times its variants); none was made. Remove aliases or variants.", 0, null);

            /// <summary>The first error of image <paramref name="index"/>, or null.</summary>
            private MatrixException? Check(List<PythonImage> images, int index)
            {
                var image = images[index];
                if (image.OS == ImageOS.Linux && image.ArchitectureList.Length == 0)
                {
                    var excluded = matrix.ExcludeArchitectures.Concat(image.Release!.ExcludeArchitectures).Distinct(StringComparer.Ordinal);
                    return ImageError(
                        ctx,
                        image,
                        MatrixErrorIds.NoArchitectures,
                        $"Image {image.Directory} has no architecture left: its base image '{image.BaseImage}' lists [{string.Join(", ", matrix.Architectures[image.BaseImage!])}] and excludeArchitectures removes [{string.Join(", ", excluded)}]. Remove an exclusion or the variant.");
                }

                var tags = image.Tags;
                for (int i = 0; i < tags.Length; i++)
                {
                    string tag = tags[i];
                    var invalid = CheckTag(ctx, image, tag);
                    if (invalid != null)
                    {
                        return invalid;
                    }

                    int first = owners!.FindOrAdd(tag, owners.SimpleTag(index, i));
                    if (first >= 0)
                    {
                        return ImageError(ctx, image, MatrixErrorIds.DuplicateTag, $"Tag '{tag}' of {image.Directory} is also a tag of {images[owners.ImageOf(first)].Directory}; every tag must name one image. Change the aliases or the variants.");
                    }
                }

                var sharedTags = image.SharedTags;
                int repeat = FirstRepeat(sharedTags);
                for (int i = 0; i < sharedTags.Length; i++)
                {
                    string tag = sharedTags[i];
                    var invalid = CheckTag(ctx, image, tag);
                    if (invalid != null)
                    {
                        return invalid;
                    }

                    int first = owners!.FindOrAdd(tag, owners.SharedTag(index, i));
                    if (first >= 0 && !owners.IsShared(first))
                    {
                        return ImageError(ctx, image, MatrixErrorIds.DuplicateTag, $"Shared tag '{tag}' of {image.Directory} is a tag of {images[owners.ImageOf(first)].Directory}; a shared tag may not also be a simple tag. Change the aliases or the variants.");
                    }

                    if (i == repeat)
                    {
                        return ImageError(ctx, image, MatrixErrorIds.DuplicateTag, $"Shared tag '{tag}' appears twice for {image.Directory}. Change the aliases.");
                    }
                }

                return null;
            }
        }

        /// <summary>
        /// The position of the first tag of <paramref name="tags"/> equal to a tag before it, or -1: linear, so that an
        /// image with many tags (a version with thousands of aliases) is not checked in quadratic time.
        /// </summary>
        internal static int FirstRepeat(string[] tags)
        {
            if (tags.Length <= 16)
            {
                for (int i = 1; i < tags.Length; i++)
                {
                    if (Array.IndexOf(tags, tags[i], 0, i) >= 0)
                    {
                        return i;
                    }
                }

                return -1;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < tags.Length; i++)
            {
                if (!seen.Add(tags[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>An error of one image, named at the line of its variant (key: VERSION.variants).</summary>
        private static MatrixException ImageError(Context ctx, PythonImage image, string errorId, string message) =>
            ctx.ErrorAt(errorId, message, VariantLine(image.Release!, image), image.VersionKey + ".variants");

        /// <summary>The line of an image's variant in the matrix file (the version's line when it is not known).</summary>
        private static int VariantLine(MatrixVersion entry, PythonImage image)
        {
            if (entry.VariantsLine > 0)
            {
                return entry.VariantsLine;
            }

            var lines = entry.VariantLines;
            if (lines != null || entry.VariantsLine < 0)
            {
                for (int i = 0; i < entry.Variants.Count && (lines == null || i < lines.Length); i++)
                {
                    if (ReferenceEquals(entry.Variants[i], image.VariantInfo))
                    {
                        return lines == null ? -entry.VariantsLine + i : lines[i];
                    }
                }
            }

            return entry.Line;
        }

        /// <summary>Alias words claimed twice, or naming a version key or version, for the versions the matrix lists.</summary>
        private static void CheckAliases(Context ctx, List<(string Key, string Word, int Line)> aliasLines, Dictionary<string, MatrixVersion> present, Dictionary<string, string> versionNames)
        {
            var owner = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, word, line) in aliasLines)
            {
                if (!present.ContainsKey(key))
                {
                    continue; // an alias for a version the matrix does not list makes no image
                }

                string what = $"Alias '{word}' of {key}";
                if (owner.TryGetValue(word, out string? other))
                {
                    throw ctx.ErrorAt(
                        MatrixErrorIds.AliasCollision,
                        other == key
                            ? $"{what} is listed twice; list it once."
                            : $"{what} is also an alias of {other}: both would claim the tags '{word}', '{word}-<variant>', ... and one image would silently take the other's. Give it to one version only.",
                        line,
                        "aliases." + key);
                }

                if (versionNames.TryGetValue(word, out string? named))
                {
                    throw ctx.ErrorAt(
                        MatrixErrorIds.AliasCollision,
                        named == key
                            ? $"{what} repeats its own version; its tags exist already."
                            : $"{what} is the version key or version of {named}, whose tags it would claim. Remove it.",
                        line,
                        "aliases." + key);
                }

                owner[word] = key;
            }
        }

        private static MatrixException? CheckTag(Context ctx, PythonImage image, string tag)
        {
            // The hand-written matcher accepts exactly what the pattern accepts (and only printable ASCII of at most 128
            // characters): every tag of a good matrix passes here in one pass; Why (which looks for a bad character first)
            // runs only for a tag it refuses, to say why.
            if (GrammarQuick.DockerTag(tag))
            {
                return null;
            }

            string? why = InputGrammar.DockerTag.Why(tag);
            return why == null ? null : ImageError(ctx, image, MatrixErrorIds.InvalidTag, $"Tag '{InputGrammar.Show(tag)}' of {image.Directory} is not a valid Docker tag: {why}. Shorten the aliases.");
        }

        /// <summary>Makes the matrix errors of one file.</summary>
        internal sealed class Context
        {
            private readonly string source;

            public Context(string source) => this.source = source;

            public MatrixException ErrorAt(string id, string message, int line, string? key)
            {
                string? shown = key == null ? null : InputGrammar.Show(key);
                return new MatrixException(id, message + (shown != null ? $" (key: {shown})" : string.Empty), source, line, shown);
            }
        }
    }
}
