using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using PythonImages.Security;

namespace PythonImages.Ledger
{
    /// <summary>
    /// Reads and writes ledger files. Reading validates everything: the schema and version, every key, and every value
    /// against its grammar (references and tags through <see cref="ImageReference"/> and <see cref="InputGrammar"/>), so a
    /// hostile or damaged ledger is one <see cref="LedgerException"/> naming the file and the value, never a crash.
    /// Writing goes through <see cref="AtomicFile"/>: a ledger is complete or not there.
    /// </summary>
    public static partial class LedgerJson
    {
        /// <summary>The largest ledger read (a ledger of every image on every platform is well under a megabyte).</summary>
        public const long MaxBytes = 16 * 1024 * 1024;

        private const int MaxEntries = 100000;

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> Gates =
            new System.Collections.Concurrent.ConcurrentDictionary<string, object>(StringComparer.Ordinal);
        private const int MaxItems = 1000;

        private static readonly string[] RootKeys = { "schema", "version", "images" };

        private static readonly string[] EntryKeys =
        {
            "image", "platform", "dockerfileSha256", "contextDigest", "buildArgs", "baseImage", "baseImageId", "baseImageDigest",
            "imageId", "tags", "sharedTags", "created", "pushed",
        };

        /// <summary>Reads the ledger at <paramref name="path"/> (a full path); <see cref="LedgerException"/> when it cannot.</summary>
        public static BuildLedger Read(string path)
        {
            string text;
            try
            {
                text = InputFile.ReadText(path, MaxBytes);
            }
            catch (InputFileException ex)
            {
                string id = ex.Problem == InputFileProblem.NotFound ? LedgerErrorIds.NotFound : LedgerErrorIds.ReadFailed;
                throw new LedgerException(id, $"The ledger '{path}' cannot be read: {ex.Message}", null, ex);
            }

            return Parse(text, path);
        }

        /// <summary>The ledger in <paramref name="text"/>; <paramref name="source"/> names it in messages.</summary>
        public static BuildLedger Parse(string text, string source)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8, CommentHandling = JsonCommentHandling.Disallow });
            }
            catch (JsonException ex)
            {
                throw Invalid(source, $"it is not valid JSON (line {(ex.LineNumber ?? 0) + 1})");
            }

            using (document)
            {
                var root = Object(document.RootElement, source, "the file", RootKeys);
                if (Text(root, "schema", source, "the file") != BuildLedger.Schema)
                {
                    throw Invalid(source, $"its schema is not '{BuildLedger.Schema}'");
                }

                if (!root.TryGetValue("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v) || v != BuildLedger.Version)
                {
                    throw Invalid(source, $"its version is not {BuildLedger.Version} (this module reads version {BuildLedger.Version})");
                }

                var ledger = new BuildLedger();
                var images = Array(root, "images", source, "the file", MaxEntries);
                for (int i = 0; i < images.Count; i++)
                {
                    var entry = ReadEntry(images[i], source, $"images[{i}]");
                    if (ledger.Contains(entry))
                    {
                        throw Invalid(source, $"images[{i}] records {entry.Key} a second time");
                    }

                    ledger.Set(entry);
                }

                return ledger;
            }
        }

        /// <summary>The JSON text of <paramref name="ledger"/> (entries ordered by image and platform; the same ledger, the same text).</summary>
        public static string Serialize(BuildLedger ledger)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("schema", BuildLedger.Schema);
                w.WriteNumber("version", BuildLedger.Version);
                w.WriteStartArray("images");
                foreach (var e in ledger.Entries)
                {
                    WriteEntry(w, e);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n") + "\n";
        }

        /// <summary>
        /// Changes the ledger at <paramref name="path"/> as it is on disk now (a new ledger when there is none) and writes it
        /// back when <paramref name="change"/> returns true; one change at a time per ledger, in this process and across
        /// processes (the ledger's lock file, see <see cref="LedgerLock"/>, is held from the read to the write). Two commands
        /// of one pipeline (Invoke-PythonImageBuild -Ledger x | Publish-PythonImage -Ledger x), or two processes building
        /// into one ledger, each record their part this way: writing a copy read earlier would drop what the other
        /// recorded meanwhile. <see cref="LedgerErrorIds.Busy"/> when another process holds the lock for longer than 30 s.
        /// </summary>
        public static void Update(string path, Func<BuildLedger, bool> change) => Update(path, change, LedgerLock.DefaultWait);

        /// <summary><see cref="Update(string, Func{BuildLedger, bool})"/>, waiting up to <paramref name="wait"/> for another process's change.</summary>
        internal static void Update(string path, Func<BuildLedger, bool> change, TimeSpan wait)
        {
            string full = Path.GetFullPath(path);
            lock (Gates.GetOrAdd(full, _ => new object()))
            {
                using (LedgerLock.Acquire(full, wait))
                {
                    var ledger = File.Exists(full) ? Read(full) : new BuildLedger();
                    if (change(ledger))
                    {
                        WriteUnlocked(full, ledger, AtomicWriteMode.Replace);
                    }
                }
            }
        }

        /// <summary>
        /// Writes <paramref name="ledger"/> to <paramref name="path"/> atomically, holding the ledger's lock meanwhile (so a
        /// change of another process lands before or after it, never on a copy read before it); <see cref="LedgerException"/>
        /// (WriteFailed, Busy) when it cannot.
        /// </summary>
        public static void Write(string path, BuildLedger ledger, AtomicWriteMode mode = AtomicWriteMode.Replace)
        {
            string full = Path.GetFullPath(path);
            byte[] bytes = Bytes(full, ledger); // what cannot be written is refused before anything is touched, the lock file too
            lock (Gates.GetOrAdd(full, _ => new object()))
            {
                using (LedgerLock.Acquire(full, LedgerLock.DefaultWait))
                {
                    WriteBytes(full, bytes, mode);
                }
            }
        }

        private static void WriteUnlocked(string path, BuildLedger ledger, AtomicWriteMode mode) => WriteBytes(path, Bytes(path, ledger), mode);

        /// <summary>The file's bytes; <see cref="LedgerErrorIds.Invalid"/> when the ledger holds more than <see cref="Read"/> accepts.</summary>
        private static byte[] Bytes(string path, BuildLedger ledger)
        {
            byte[] bytes = new UTF8Encoding(false).GetBytes(Serialize(ledger));
            string? tooMuch = TooMuch(ledger, bytes.Length);
            if (tooMuch != null)
            {
                // What Read would refuse is never written: the next run could not read the ledger back.
                throw new LedgerException(
                    LedgerErrorIds.Invalid,
                    $"The ledger '{path}' was not written: {tooMuch}, more than a ledger may hold (it could not be read back). The previous file, if any, is unchanged.",
                    "Merge the fragments of one run only, or start a new ledger (a ledger records each image and platform once, with the tags pushed from it).");
            }

            return bytes;
        }

        private static void WriteBytes(string path, byte[] bytes, AtomicWriteMode mode)
        {
            try
            {
                AtomicFile.WriteAllBytes(path, bytes, mode);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new LedgerException(LedgerErrorIds.WriteFailed, $"The ledger '{path}' could not be written: {ex.Message}", null, ex);
            }
        }

        /// <summary>What in <paramref name="ledger"/> passes the limits <see cref="Read"/> enforces, or null.</summary>
        private static string? TooMuch(BuildLedger ledger, long bytes)
        {
            if (ledger.Count > MaxEntries)
            {
                return $"it would record {ledger.Count} images (at most {MaxEntries})";
            }

            foreach (var e in ledger.Entries)
            {
                int most = Math.Max(Math.Max(e.Tags.Count, e.SharedTags.Count), Math.Max(e.BuildArgs.Count, e.Pushed.Count));
                if (most > MaxItems)
                {
                    return $"{e.Key} would list {most} tags, build arguments or pushed references (at most {MaxItems})";
                }
            }

            return bytes > MaxBytes ? $"it would be {bytes} bytes long (at most {MaxBytes})" : null;
        }

        private static void WriteEntry(Utf8JsonWriter w, LedgerEntry e)
        {
            w.WriteStartObject();
            w.WriteString("image", e.Image);
            w.WriteString("platform", e.Platform);
            w.WriteString("dockerfileSha256", e.DockerfileSha256);
            w.WriteString("contextDigest", e.ContextDigest);
            WriteMap(w, "buildArgs", e.BuildArgs);
            WriteOptional(w, "baseImage", e.BaseImage);
            WriteOptional(w, "baseImageId", e.BaseImageId);
            WriteOptional(w, "baseImageDigest", e.BaseImageDigest);
            w.WriteString("imageId", e.ImageId);
            WriteList(w, "tags", e.Tags);
            WriteList(w, "sharedTags", e.SharedTags);
            w.WriteString("created", e.Created.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            WriteMap(w, "pushed", e.Pushed);
            w.WriteEndObject();
        }

        private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
        {
            if (value == null)
            {
                w.WriteNull(name);
            }
            else
            {
                w.WriteString(name, value);
            }
        }

        private static void WriteList(Utf8JsonWriter w, string name, IEnumerable<string> values)
        {
            w.WriteStartArray(name);
            foreach (var v in values)
            {
                w.WriteStringValue(v);
            }

            w.WriteEndArray();
        }

        private static void WriteMap(Utf8JsonWriter w, string name, IDictionary<string, string> map)
        {
            w.WriteStartObject(name);
            foreach (var kv in map.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                w.WriteString(kv.Key, kv.Value);
            }

            w.WriteEndObject();
        }

        internal static LedgerException Invalid(string source, string why) =>
            new LedgerException(LedgerErrorIds.Invalid, $"The ledger '{source}' is not a build ledger PythonImages can use: {why}. Nothing was built, pushed or written because of it.");
    }
}
