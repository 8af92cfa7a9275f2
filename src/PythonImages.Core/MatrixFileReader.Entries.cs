using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PythonImages.Security;

namespace PythonImages
{
    /// <summary>The version entries and the value readers they share with the top-level settings.</summary>
    internal sealed partial class MatrixFileReader
    {
        private readonly EntryFields fields = new EntryFields();
        private readonly List<(string? Value, int Line)> items = new List<(string? Value, int Line)>();

        /// <summary>
        /// One version entry: its key, each of its keys by its own reader, then the version and the variants, each checked
        /// (in that order, whatever the order of the keys in the file).
        /// </summary>
        private MatrixVersion ReadEntry(string keyText, int keyLine)
        {
            var key = CheckVersionKey(keyText, keyLine);
            BeginMap(new KeyPath(keyText));
            var e = fields;
            e.Reset();
            while (NextKey(out string k, out int kLine))
            {
                var path = new KeyPath(keyText, k);
                switch (k)
                {
                    case "version":
                        e.VersionLine = r.Line;
                        e.VersionText = Scalar(path);
                        break;
                    case "variants":
                        ReadVariantList(e);
                        break;
                    case "checksums":
                        ReadChecksums(path, e);
                        break;
                    case "setuptools":
                        ReadSetuptools(path, e);
                        break;
                    case "excludeArchitectures":
                        e.Exclude = ArchitectureList(path);
                        break;
                    case "gpgKey":
                        ReadGpgKey(path, e);
                        break;
                    case "pip":
                        CheckPip(path);
                        break;
                    case "get-pip":
                        CheckGetPip(path);
                        break;
                    default:
                        throw ctx.ErrorAt(MatrixErrorIds.UnknownKey, $"Unknown key '{InputGrammar.Show(k)}' in version {keyText}. Known keys: version, checksums, setuptools, variants, excludeArchitectures, gpgKey.", kLine, path.ToString());
                }
            }

            var version = ReadVersion(keyText, keyLine, key, e);
            var (variants, lines, line) = ReadVariants(keyText, keyLine, e);
            var entry = new MatrixVersion(key, version, variants)
            {
                VariantsLine = line,
                SourceSha256 = e.Source,
                WindowsSha256 = e.Windows,
                SetuptoolsVersion = e.Setuptools,
                GpgKey = e.Gpg,
                ExcludeArchitectures = e.Exclude,
                Line = keyLine,
                VariantLines = lines,
            };
            if (e.SourceWords != null)
            {
                entry.SetSourceSha256(e.SourceWords);
            }

            return entry;
        }

        /// <summary>A version key (grammar and parse); a number too large for it is its own error.</summary>
        private VersionKey CheckVersionKey(string keyText, int keyLine)
        {
            if (!IsVersionKey(keyText, keyLine, new KeyPath(keyText), out var key))
            {
                throw ctx.ErrorAt(MatrixErrorIds.InvalidVersionKey, $"'{InputGrammar.Show(keyText)}' is not a version key (MAJOR.MINOR or MAJOR.MINOR-rc, e.g. 3.14 or 3.15-rc).", keyLine, keyText);
            }

            return key!;
        }

        private bool IsVersionKey(string text, int line, KeyPath path, out VersionKey? key)
        {
            key = null;
            if (!InputGrammar.VersionKey.IsMatch(text))
            {
                CheckNumbers(text, MatrixLoader.LooseVersionKey, line, path);
                return false;
            }

            return VersionKey.TryParse(text, out key);
        }

        /// <summary>variants, as read: kept for after the entry's other keys (the version is checked first).</summary>
        private void ReadVariantList(EntryFields e)
        {
            e.VariantsLine = r.Line;
            items.Clear();
            if (r.AtScalar)
            {
                e.Variants = r.Value.Length == 0 ? VariantsShape.Empty : VariantsShape.Other;
                r.Next();
                return;
            }

            if (r.Kind != MatrixEventKind.SequenceStart)
            {
                e.Variants = VariantsShape.Other;
                r.SkipNode();
                return;
            }

            e.Variants = VariantsShape.List;
            r.Next();
            while (r.Kind != MatrixEventKind.SequenceEnd)
            {
                items.Add((r.AtScalar ? r.Value : null, r.Line));
                r.SkipNode();
            }

            r.Next();
        }

        /// <summary>checksums: source and windows, sha256 (other SPDX algorithms checked and ignored).</summary>
        private void ReadChecksums(KeyPath path, EntryFields e)
        {
            BeginMap(path);
            while (NextKey(out string type, out int typeLine))
            {
                var typePath = path.With(type);
                if (type != "source" && type != "windows")
                {
                    throw ctx.ErrorAt(MatrixErrorIds.UnknownKey, $"Unknown checksum type '{InputGrammar.Show(type)}' (known: source, windows).", typeLine, typePath.ToString());
                }

                BeginMap(typePath);
                while (NextKey(out string algo, out int algoLine))
                {
                    if (type == "source" && algo == "sha256" && r.TryHexDigest(out ulong a, out ulong b, out ulong c, out ulong d))
                    {
                        // 64 hexadecimal digits, what every good matrix has: read as four words, no string made for them
                        // (InputGrammar.Sha256 accepts exactly these; any other value takes ReadChecksum's checks).
                        e.SourceWords = new Sha256Words(a, b, c, d);
                        e.Source = null;
                        r.Next();
                        continue;
                    }

                    string? value = ReadChecksum(typePath, algo, algoLine);
                    if (value != null && type == "source")
                    {
                        e.Source = value.ToLowerInvariant();
                        e.SourceWords = null;
                    }
                    else if (value != null)
                    {
                        e.Windows = value.ToLowerInvariant();
                    }
                }
            }
        }

        /// <summary>One checksum: the sha256 value, or null for another SPDX algorithm (whose value is still checked).</summary>
        private string? ReadChecksum(KeyPath typePath, string algo, int algoLine)
        {
            var algoPath = typePath.With(algo);
            if (!MatrixLoader.SbomAlgorithms.TryGetValue(algo, out int hexLength))
            {
                // A typo here would silently drop the checksum, and with it the download verification.
                throw ctx.ErrorAt(MatrixErrorIds.UnknownKey, $"Unknown checksum algorithm '{InputGrammar.Show(algo)}' (sha256 is used; other SPDX algorithm names such as sha1 or sha512 are accepted and ignored).", algoLine, algoPath.ToString());
            }

            int line = r.Line;
            string value = Scalar(algoPath);
            if (algo != "sha256")
            {
                // Merged in from an SPDX SBOM by upstream's updater; the Dockerfiles only check sha256, but the value is still checked.
                string? why = InputGrammar.HexDigest.Why(value) ?? (hexLength != 0 && value.Length != hexLength ? $"a {algo} digest has {hexLength} hexadecimal digits, not {value.Length}" : null);
                if (why != null)
                {
                    throw ctx.ErrorAt(MatrixErrorIds.InvalidChecksum, $"The {algo} checksum '{InputGrammar.Show(value)}' is not accepted: {why}.", line, algoPath.ToString());
                }

                return null;
            }

            if (!InputGrammar.Sha256.IsMatch(value))
            {
                throw ctx.ErrorAt(MatrixErrorIds.InvalidChecksum, $"The sha256 checksum '{InputGrammar.Show(value)}' must be 64 hexadecimal characters (it has {value.Length}).", line, typePath.With("sha256").ToString());
            }

            return value;
        }

        /// <summary>setuptools: {version}, null for none.</summary>
        private void ReadSetuptools(KeyPath path, EntryFields e)
        {
            BeginMap(path);
            while (NextKey(out string sk, out int skLine))
            {
                if (sk != "version")
                {
                    throw ctx.ErrorAt(MatrixErrorIds.UnknownKey, $"Unknown key '{InputGrammar.Show(sk)}' under setuptools (known: version).", skLine, path.With(sk).ToString());
                }

                if (AtNull())
                {
                    e.Setuptools = null; // upstream's JSON null: no setuptools pin
                    r.Next();
                    continue;
                }

                int line = r.Line;
                e.Setuptools = Scalar(path.With("version"));
                string? why = InputGrammar.PackageVersion.Why(e.Setuptools);
                if (why != null)
                {
                    throw ctx.ErrorAt(MatrixErrorIds.InvalidSetuptoolsVersion, $"setuptools version '{InputGrammar.Show(e.Setuptools)}' is not accepted: {why}.", line, path.With("version").ToString());
                }
            }
        }

        /// <summary>gpgKey: a 40-digit fingerprint, kept in upper case.</summary>
        private void ReadGpgKey(KeyPath path, EntryFields e)
        {
            int line = r.Line;
            string gpg = Scalar(path);
            if (!InputGrammar.GpgFingerprint.IsMatch(gpg))
            {
                throw ctx.ErrorAt(MatrixErrorIds.InvalidGpgKey, $"gpgKey '{InputGrammar.Show(gpg)}' must be a 40-character hexadecimal fingerprint.", line, path.ToString());
            }

            e.Gpg = gpg.ToUpperInvariant();
        }

        /// <summary>pip: the historical versions.json field (pip.version), accepted and ignored; its value is still checked.</summary>
        private void CheckPip(KeyPath path)
        {
            BeginMap(path);
            while (NextKey(out string pk, out int pkLine))
            {
                if (pk != "version")
                {
                    throw ctx.ErrorAt(MatrixErrorIds.UnknownKey, $"Unknown key '{InputGrammar.Show(pk)}' under pip (known: version).", pkLine, path.With(pk).ToString());
                }

                if (AtNull())
                {
                    r.Next();
                    continue;
                }

                int line = r.Line;
                string pip = Scalar(path.With("version"));
                string? why = InputGrammar.PackageVersion.Why(pip);
                if (why != null)
                {
                    throw ctx.ErrorAt(MatrixErrorIds.InvalidPipVersion, $"pip version '{InputGrammar.Show(pip)}' is not accepted: {why}.", line, path.With("version").ToString());
                }
            }
        }

        /// <summary>get-pip: the historical versions.json field (get-pip.{version,url,sha256}), accepted and ignored; its values are still checked.</summary>
        private void CheckGetPip(KeyPath path)
        {
            BeginMap(path);
            while (NextKey(out string gk, out int gkLine))
            {
                var gpath = path.With(gk);
                if (gk != "sha256" && gk != "url" && gk != "version")
                {
                    throw ctx.ErrorAt(MatrixErrorIds.UnknownKey, $"Unknown key '{InputGrammar.Show(gk)}' under get-pip (known: version, url, sha256).", gkLine, gpath.ToString());
                }

                if (AtNull())
                {
                    r.Next();
                    continue;
                }

                int line = r.Line;
                string value = Scalar(gpath);
                string? why = gk == "sha256"
                    ? InputGrammar.Sha256.Why(value)
                    : gk == "url" || InputGrammar.GitCommit.Why(value) != null ? InputGrammar.GitRepositoryUrl.Why(value) : null;
                if (why != null)
                {
                    throw ctx.ErrorAt(MatrixErrorIds.InvalidGetPip, $"get-pip {gk} '{InputGrammar.Show(value)}' is not accepted: {why}.", line, gpath.ToString());
                }
            }
        }

        /// <summary>version: present, a Python version, and one that belongs to its key.</summary>
        private PythonVersion ReadVersion(string keyText, int keyLine, VersionKey key, EntryFields e)
        {
            string? versionText = e.VersionText;
            var path = new KeyPath(keyText, "version");
            if (versionText == null)
            {
                throw ctx.ErrorAt(MatrixErrorIds.MissingVersion, $"Version {keyText} has no 'version' (the full version, e.g. {key.RcVersion}.0).", keyLine, path.ToString());
            }

            if (!InputGrammar.PythonVersion.IsMatch(versionText))
            {
                CheckNumbers(versionText, MatrixLoader.LooseVersion, e.VersionLine, path);
                throw InvalidVersion(versionText, e.VersionLine, path);
            }

            if (!PythonVersion.TryParse(versionText, out var version))
            {
                throw InvalidVersion(versionText, e.VersionLine, path);
            }

            if (!key.Admits(version!, out string reason))
            {
                throw ctx.ErrorAt(MatrixErrorIds.VersionKeyMismatch, $"Version '{versionText}' does not belong to key {keyText}: {reason}.", e.VersionLine, path.ToString());
            }

            return version!;
        }

        private MatrixException InvalidVersion(string versionText, int line, KeyPath path) =>
            ctx.ErrorAt(MatrixErrorIds.InvalidVersion, $"'{InputGrammar.Show(versionText)}' is not a Python version (MAJOR.MINOR.PATCH with an optional a/b/rc suffix).", line, path.ToString());

        /// <summary>variants: a non-empty list of safe, known, distinct variants whose base images have architectures.</summary>
        private (VariantInfo[] Variants, int[]? Lines, int Line) ReadVariants(string keyText, int keyLine, EntryFields e)
        {
            switch (e.Variants)
            {
                case VariantsShape.Missing:
                    throw ctx.ErrorAt(MatrixErrorIds.EmptyVariants, $"Version {keyText} has no 'variants' list.", keyLine, VariantsKey(keyText));
                case VariantsShape.Other:
                    throw ctx.ErrorAt(MatrixErrorIds.WrongType, $"'variants' of {keyText} must be a list.", e.VariantsLine, VariantsKey(keyText));
                case VariantsShape.Empty:
                case VariantsShape.List when items.Count == 0:
                    throw ctx.ErrorAt(MatrixErrorIds.EmptyVariants, $"Version {keyText} has an empty 'variants' list; list at least one variant or remove the version.", e.VariantsLine, VariantsKey(keyText));
            }

            // Read into scratch arrays first. Most versions list their variants on one line, and many list the same ones as
            // the version before (a file's variants are one object each): such a version keeps that version's array (never
            // changed: MatrixVersion hands it out read-only) and one line instead of an array of them (the line of each
            // variant is for the tag checks' messages).
            int n = items.Count;
            if (variantScratch.Length < n)
            {
                variantScratch = new VariantInfo[Math.Max(n, 2 * variantScratch.Length)];
                lineScratch = new int[variantScratch.Length];
            }

            var variants = variantScratch;
            var lines = lineScratch;

            // A long list is checked for repeats through a set (one variant is one object): 40,000 variants searched
            // the earlier ones each, 2 s before anything else was checked.
            var seen = n > 16 ? new HashSet<VariantInfo>() : null;
            int sameLine = 0;
            bool consecutive = true; // variant i on the first variant's line + i (a block list, a versions.json)
            for (int i = 0; i < n; i++)
            {
                var (text, line) = items[i];
                var info = ReadVariant(text, line, keyText);
                if (seen != null ? !seen.Add(info) : Array.IndexOf(variants, info, 0, i) >= 0)
                {
                    throw ctx.ErrorAt(MatrixErrorIds.DuplicateVariant, $"Variant '{info.Path}' is listed twice in version {keyText}.", line, VariantsKey(keyText));
                }

                if (info.OS == ImageOS.Linux && !Architectures.ContainsKey(info.BaseImage))
                {
                    if (architecturesFinal)
                    {
                        throw MissingArchitectures(info, line);
                    }

                    Variants.Unresolve(info, line); // the 'architectures' key may still follow
                }

                variants[i] = info;
                lines[i] = line;
                sameLine = i == 0 || line == sameLine ? line : -1;
                consecutive &= line == lines[0] + i;
            }

            var kept = lastVariants;
            if (kept == null || kept.Length != n || !SameItems(kept, variants))
            {
                kept = new VariantInfo[n];
                Array.Copy(variants, kept, n);
            }

            lastVariants = kept;
            if (sameLine > 0)
            {
                return (kept, null, sameLine);
            }

            if (consecutive && lines[0] > 0)
            {
                return (kept, null, -lines[0]);
            }

            var own = new int[n];
            Array.Copy(lines, own, n);
            return (kept, own, 0);
        }

        /// <summary>True when the first <paramref name="a"/>.Length items of <paramref name="b"/> are <paramref name="a"/>'s.</summary>
        private static bool SameItems(VariantInfo[] a, VariantInfo[] b)
        {
            for (int i = 0; i < a.Length; i++)
            {
                if (!ReferenceEquals(a[i], b[i]))
                {
                    return false;
                }
            }

            return true;
        }

        // The variants array of the last version read, and the scratch arrays a version's variants are read into (ReadVariants).
        private VariantInfo[]? lastVariants;
        private VariantInfo[] variantScratch = new VariantInfo[8];
        private int[] lineScratch = new int[8];

        /// <summary>
        /// One variant: a safe directory name of a known form. A variant already read in this file (the same few variants
        /// repeat in every version) is the same checked, immutable <see cref="VariantInfo"/>, read once.
        /// </summary>
        private VariantInfo ReadVariant(string? v, int line, string keyText)
        {
            if (v == null)
            {
                throw ctx.ErrorAt(MatrixErrorIds.WrongType, $"'{InputGrammar.Show(VariantsKey(keyText))}' must be a single value.", line, VariantsKey(keyText));
            }

            if (Variants.Known.TryGetValue(v, out var seen))
            {
                return seen;
            }

            int bad = InputGrammar.FirstNonPrintable(v);
            if (bad >= 0 || v.Length > InputGrammar.VariantName.MaxLength)
            {
                string why = bad >= 0 ? $"it contains the character U+{(int)v[bad]:X4} at position {bad + 1}" : $"it is {v.Length} characters long (at most {InputGrammar.VariantName.MaxLength})";
                throw ctx.ErrorAt(MatrixErrorIds.InvalidVariantPath, $"Variant '{InputGrammar.Show(v)}' is not a safe directory name: {why}.", line, VariantsKey(keyText));
            }

            string withoutPrefix = VariantInfo.NameOf(v);
            if (v.Contains("..") || withoutPrefix.Contains("/") || v.Contains("\\") || v.Length == 0 || Path.IsPathRooted(v))
            {
                throw ctx.ErrorAt(MatrixErrorIds.InvalidVariantPath, $"Variant '{v}' is not a safe directory name: it may not contain '..' or path separators (only the 'windows/' prefix is allowed).", line, VariantsKey(keyText));
            }

            var info = VariantInfo.TryParse(v, out string formWhy)
                ?? throw ctx.ErrorAt(MatrixErrorIds.UnknownVariantForm, $"Variant '{v}' has an unknown form: {formWhy}.", line, VariantsKey(keyText));
            string? nameWhy = InputGrammar.VariantName.Why(v);
            if (nameWhy != null)
            {
                throw ctx.ErrorAt(MatrixErrorIds.InvalidVariantPath, $"Variant '{v}' is not a safe directory name: {nameWhy}.", line, VariantsKey(keyText));
            }

            Variants.Known[v] = info;
            return info;
        }

        /// <summary>The key path of a version's variants, for messages (made only for an error).</summary>
        private static string VariantsKey(string keyText) => keyText + ".variants";

        // ------------------------------------------------------------------ values, on the events

        /// <summary>The next key of the map being read (false, and the map's end consumed, when there is none).</summary>
        private bool NextKey(out string key, out int line)
        {
            line = r.Line;
            if (r.AtMapEnd)
            {
                key = string.Empty;
                r.Next();
                return false;
            }

            key = r.AtScalar ? r.Value : throw ctx.ErrorAt(MatrixErrorIds.WrongType, "Map keys must be plain strings.", line, null);
            r.Next();
            return true;
        }

        /// <summary>Enters the map at the current event; returns its line.</summary>
        private int BeginMap(KeyPath path)
        {
            int line = r.Line;
            if (r.Kind != MatrixEventKind.MappingStart)
            {
                throw ctx.ErrorAt(MatrixErrorIds.WrongType, $"'{InputGrammar.Show(path.ToString())}' must be a map.", line, path.ToString());
            }

            r.Next();
            return line;
        }

        private string Scalar(KeyPath path)
        {
            if (!r.AtScalar)
            {
                throw ctx.ErrorAt(MatrixErrorIds.WrongType, $"'{InputGrammar.Show(path.ToString())}' must be a single value.", r.Line, path.ToString());
            }

            string value = r.Value;
            r.Next();
            return value;
        }

        /// <summary>JSON null (or YAML's ~ and empty plain value) at the current event.</summary>
        private bool AtNull() =>
            r.AtScalar && r.Current.Plain && r.Value is "" or "~" or "null" or "Null" or "NULL";

        /// <summary>A list of strings (an empty value is an empty list), with the line of each item.</summary>
        private string[] StringList(KeyPath path, out int[] lines)
        {
            if (r.AtScalar && r.Value.Length == 0)
            {
                r.Next();
                lines = Array.Empty<int>();
                return Array.Empty<string>();
            }

            if (r.Kind != MatrixEventKind.SequenceStart)
            {
                throw ctx.ErrorAt(MatrixErrorIds.WrongType, $"'{InputGrammar.Show(path.ToString())}' must be a list.", r.Line, path.ToString());
            }

            r.Next();
            var values = new List<string>();
            var at = new List<int>();
            while (r.Kind != MatrixEventKind.SequenceEnd)
            {
                at.Add(r.Line);
                values.Add(Scalar(path));
            }

            r.Next();
            lines = at.ToArray();
            return values.ToArray();
        }

        /// <summary>A list of bashbrew architecture names; an unknown name is reported at its own line.</summary>
        private string[] ArchitectureList(KeyPath path)
        {
            var list = StringList(path, out var lines);
            for (int i = 0; i < list.Length; i++)
            {
                if (!Matrix.KnownArchitectures.Contains(list[i]))
                {
                    throw ctx.ErrorAt(MatrixErrorIds.UnknownArchitecture, $"Unknown architecture '{InputGrammar.Show(list[i])}' (known: {string.Join(", ", Matrix.KnownArchitectures)}).", lines[i], path.ToString());
                }
            }

            // A name written twice means nothing more, but every image (or version and base image) would read the list
            // again: 50,000 repeats of one name with 3,000 versions took seconds. Keep each name once, in the order written.
            return MatrixLoader.FirstRepeat(list) >= 0 ? list.Distinct(StringComparer.Ordinal).ToArray() : list;
        }

        /// <summary>
        /// A number too large for the module (more than 4 digits) in a value that has the shape of
        /// <paramref name="looseShape"/> but not its grammar is its own error, named as such (never an OverflowException).
        /// </summary>
        private void CheckNumbers(string text, System.Text.RegularExpressions.Regex looseShape, int line, KeyPath path)
        {
            if (!looseShape.IsMatch(text))
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
                    throw ctx.ErrorAt(MatrixErrorIds.NumberOutOfRange, $"The number {InputGrammar.Show(run)} in '{InputGrammar.Show(text)}' is out of range: version numbers have at most 4 digits.", line, path.ToString());
                }
            }
        }

        /// <summary>What the variants key of an entry held.</summary>
        private enum VariantsShape
        {
            Missing,
            Empty,
            List,
            Other,
        }

        /// <summary>What the keys of one version entry said, as they are read (one instance, reset per entry).</summary>
        private sealed class EntryFields
        {
            public string? VersionText { get; set; }
            public int VersionLine { get; set; }
            public VariantsShape Variants { get; set; }
            public int VariantsLine { get; set; }
            public string? Source { get; set; }
            public Sha256Words? SourceWords { get; set; }
            public string? Windows { get; set; }
            public string? Setuptools { get; set; }
            public string? Gpg { get; set; }
            public IReadOnlyList<string> Exclude { get; set; } = Array.Empty<string>();

            public void Reset()
            {
                VersionText = Source = Windows = Setuptools = Gpg = null;
                SourceWords = null;
                VersionLine = VariantsLine = 0;
                Variants = VariantsShape.Missing;
                Exclude = Array.Empty<string>();
            }
        }

        /// <summary>What the variant lists of one file said: each variant read once, and the variants whose base image had no architectures yet.</summary>
        internal sealed class VariantTable
        {
            private readonly HashSet<string> unresolvedBases = new HashSet<string>(StringComparer.Ordinal);

            /// <summary>The variants read so far, by their text.</summary>
            public Dictionary<string, VariantInfo> Known { get; } = new Dictionary<string, VariantInfo>(StringComparer.Ordinal);

            /// <summary>The first variant of each base image that had no architectures when it was read, in file order.</summary>
            public List<(VariantInfo Info, int Line)> Unresolved { get; } = new List<(VariantInfo Info, int Line)>();

            public void Unresolve(VariantInfo info, int line)
            {
                if (unresolvedBases.Add(info.BaseImage))
                {
                    Unresolved.Add((info, line));
                }
            }
        }

        /// <summary>A key path (3.14.checksums.source.sha256) made into a string only for a message.</summary>
        private readonly struct KeyPath
        {
            private readonly string head;
            private readonly string? a, b, c;

            public KeyPath(string head, string? a = null, string? b = null, string? c = null)
            {
                this.head = head;
                this.a = a;
                this.b = b;
                this.c = c;
            }

            public KeyPath With(string part) =>
                a == null ? new KeyPath(head, part) : b == null ? new KeyPath(head, a, part) : new KeyPath(head, a, b, part);

            public override string ToString() =>
                a == null ? head : b == null ? head + "." + a : c == null ? head + "." + a + "." + b : head + "." + a + "." + b + "." + c;
        }
    }
}
