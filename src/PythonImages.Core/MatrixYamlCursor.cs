using System;
using System.Collections.Generic;
using System.Text;
using PythonImages.Security;
using YamlDotNet.Core;

namespace PythonImages
{
    /// <summary>
    /// The parser events of a matrix file, one at a time: from <see cref="MatrixSubsetScanner"/> when the file stays within
    /// the subset of YAML it recognizes, otherwise from YamlDotNet's parser, with the checks on the file's structure made on the
    /// events themselves (no node tree is built; the reader keeps only what it has read into the matrix): at most
    /// <see cref="MatrixLoader.MaxDepth"/> nested maps and lists (a counter, no recursion), one document, no anchors,
    /// aliases or YAML tags, and no key twice in one map. The structure errors are raised exactly where and in the order
    /// the representation model raised them: a limit on the event that breaks it, a repeated key once its value has been
    /// read and the next event fetched. Also remembers where the last event started, for errors YamlDotNet raises without
    /// a position.
    /// </summary>
    internal sealed class MatrixYamlCursor
    {
        // A map keeps its plain keys in the shared key stack while it has few (a version entry has 3-5); a larger one (the
        // versions map) moves them to its own set.
        private const int ListedKeys = 8;

        // The set of a large map's keys is reused: between the maps of one file and between loads (one spare for the
        // process), so a 1,000-version matrix does not grow a new set from empty, through a dozen larger arrays, on every
        // load. A set that held more than SpareKeySetLimit keys is not kept (its arrays would stay in memory for good).
        private const int SpareKeySetLimit = 16 * 1024;
        private static HashSet<string>? spareKeySet;

        private readonly YamlEventSource? parser;
        private MatrixEvent[]? scanned;
        private int scannedCount;
        private int scannedNext;
        private int[] spans = Array.Empty<int>(); // where the scanner's long scalars are (ScannedText)
        private ScannedText values;
        private readonly string source;
        private readonly Frame[] frames = new Frame[MatrixLoader.MaxDepth + 1];
        private readonly List<string> keys = new List<string>();
        private int open;
        private int documents;
        private int lastLine = 1;
        private readonly List<SequenceKey> listKeys = new List<SequenceKey>();
        private string? armedKey;
        private int armedLine;

        /// <summary>
        /// The events of <paramref name="text"/>: the subset scanner's when <paramref name="subset"/> and the text is within
        /// its subset, else YamlDotNet's. <paramref name="plainLineFeeds"/> is the text's
        /// <see cref="MatrixSubsetScanner.PlainLineFeeds"/> when the caller has it (null: counted here).
        /// </summary>
        public MatrixYamlCursor(string text, string source, bool subset = true, int? plainLineFeeds = null)
        {
            if (subset && MatrixSubsetScanner.TryScan(text, plainLineFeeds ?? MatrixSubsetScanner.PlainLineFeeds(text), out var events, out int count, out spans))
            {
                scanned = events;
                scannedCount = count;
                Subset = true;
            }
            else
            {
                parser = new YamlEventSource(text);
            }

            values = new ScannedText(text, spans);
            this.source = source;
            Fetch();
        }

        /// <summary>The events come from <see cref="MatrixSubsetScanner"/> (the file is within its subset), not YamlDotNet.</summary>
        public bool Subset { get; }

        /// <summary>The event not yet consumed; its kind is <see cref="MatrixEventKind.None"/> after the end of the stream.</summary>
        public MatrixEvent Current { get; private set; }

        /// <summary>The kind of <see cref="Current"/>.</summary>
        public MatrixEventKind Kind => Current.Kind;

        /// <summary>True when <see cref="Current"/> is a scalar.</summary>
        public bool AtScalar => Current.Kind == MatrixEventKind.Scalar;

        /// <summary>The value of <see cref="Current"/> when it is a scalar (a long one made into a string on the first call).</summary>
        public string Value => Current.Value ?? values.Value ?? string.Empty;

        /// <summary>
        /// The value of <see cref="Current"/> as a sha256 digest when it is a scalar of exactly 64 hexadecimal digits (four
        /// words, the first digits in the first), read from the text without making the value's string when the scanner
        /// has not made one; false otherwise. The event is not consumed.
        /// </summary>
        public bool TryHexDigest(out ulong a, out ulong b, out ulong c, out ulong d)
        {
            a = b = c = d = 0;
            if (Current.Kind != MatrixEventKind.Scalar)
            {
                return false;
            }

            if (Current.Value == null)
            {
                return values.TryHexDigest(out a, out b, out c, out d);
            }

            return Current.Value.Length == 64 && ScannedText.HexDigest(Current.Value, 0, out a, out b, out c, out d);
        }

        /// <summary>The 1-based line where <see cref="Current"/> starts.</summary>
        public int Line => Current.Kind == MatrixEventKind.None ? lastLine : Current.Line;

        /// <summary>Maps and lists whose start has been consumed and whose end has not.</summary>
        public int Depth { get; private set; }

        /// <summary>Events consumed so far.</summary>
        public long Consumed { get; private set; }

        /// <summary>A structure error was raised: the parser cannot go on.</summary>
        public bool Failed { get; private set; }

        /// <summary>True when <see cref="Current"/> ends a map.</summary>
        public bool AtMapEnd => Current.Kind == MatrixEventKind.MappingEnd;

        /// <summary>Gives the scanner's event array back to the pool (the cursor is done).</summary>
        public void Release()
        {
            for (int i = 0; i < open; i++)
            {
                GiveBack(ref frames[i]);
            }

            MatrixSubsetScanner.Release(spans);
            spans = Array.Empty<int>();
            values = new ScannedText(string.Empty, spans);
            if (scanned != null)
            {
                MatrixSubsetScanner.Release(scanned);
                scanned = Array.Empty<MatrixEvent>(); // no event is read from the pool's array again
                scannedCount = 0;
            }
        }

        /// <summary>Consumes <see cref="Current"/> and fetches the next event (checked).</summary>
        public void Next()
        {
            var e = Current.Kind;
            if (e == MatrixEventKind.None)
            {
                return;
            }

            Consumed++;
            if (e == MatrixEventKind.MappingStart || e == MatrixEventKind.SequenceStart)
            {
                Depth++;
            }
            else if (e == MatrixEventKind.MappingEnd || e == MatrixEventKind.SequenceEnd)
            {
                Depth--;
            }

            Fetch();
        }

        /// <summary>Consumes the node that starts at <see cref="Current"/> (a scalar, or a map or list with everything in it).</summary>
        public void SkipNode()
        {
            int depth = Depth;
            Next();
            while (Depth > depth)
            {
                Next();
            }
        }

        /// <summary>
        /// After a reader stopped inside a node that started when <paramref name="consumed"/> events had been consumed at
        /// depth <paramref name="depth"/>: consumes the rest of that node.
        /// </summary>
        public void SkipRestOf(int depth, long consumed)
        {
            if (Consumed == consumed)
            {
                SkipNode();
                return;
            }

            while (Depth > depth)
            {
                Next();
            }
        }

        /// <summary>
        /// Reads the rest of the stream for its structure only: after a content error, a structure error later in the file
        /// is still the one reported (the representation model checked the whole structure before any content).
        /// </summary>
        public void Drain()
        {
            while (Current.Kind != MatrixEventKind.None && !Failed)
            {
                Next();
            }
        }

        private void Fetch()
        {
            MatrixEvent e;
            bool more = scanned != null ? ReadScanned(out e) : ReadParsed(out e);
            Current = more ? e : default;
            if (!more)
            {
                return;
            }

            lastLine = e.Line;
            Guard(e);
            if (armedKey != null)
            {
                throw Fail(DuplicateKey(armedKey, armedLine));
            }

            Track(e);
        }

        /// <summary>
        /// The next event of YamlDotNet's parser, its exceptions turned into the loader's. Kept apart from the scanner's
        /// path: a method that names YamlDotNet's types loads YamlDotNet when it first runs, and a file the scanner reads
        /// needs none of it.
        /// </summary>
        private bool ReadParsed(out MatrixEvent e)
        {
            try
            {
                return parser!.Next(out e);
            }
            catch (YamlException ex)
            {
                throw Fail(new MatrixException(MatrixErrorIds.MalformedYaml, "The file is not valid YAML: " + Inner(ex), source, Math.Max(1, (int)ex.Start.Line), null, ex));
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                // YamlDotNet reports some syntax errors (e.g. an unclosed flow sequence) without a position: name the last good place.
                throw Fail(new MatrixException(MatrixErrorIds.MalformedYaml, $"The file is not valid YAML after line {lastLine} (an unclosed [ or {{, or a stray indentation?): " + ex.Message, source, lastLine, null, ex));
            }
        }

        /// <summary>The next event of the scanner's array.</summary>
        private bool ReadScanned(out MatrixEvent e)
        {
            if (scannedNext < scannedCount)
            {
                e = scanned![scannedNext++];
                values.Advance(e);
                return true;
            }

            e = default;
            return false;
        }

        /// <summary>The structures a matrix never needs, refused on the event that opens them.</summary>
        private void Guard(MatrixEvent e)
        {
            int line = lastLine;
            switch (e.Kind)
            {
                case MatrixEventKind.DocumentStart:
                    if (++documents > 1)
                    {
                        throw Fail(new MatrixException(MatrixErrorIds.MultipleDocuments, "The file holds more than one YAML document ('---' starts a second one); a matrix is a single document.", source, line, null));
                    }

                    break;
                case MatrixEventKind.Alias:
                    throw Fail(new MatrixException(MatrixErrorIds.AnchorNotAllowed, $"YAML aliases (*{InputGrammar.Show(e.Value ?? string.Empty)}) are not supported in a matrix; write the value out.", source, line, null));
                case MatrixEventKind.Scalar:
                case MatrixEventKind.MappingStart:
                case MatrixEventKind.SequenceStart:
                    if (parser?.Anchor != null)
                    {
                        throw Fail(new MatrixException(MatrixErrorIds.AnchorNotAllowed, $"YAML anchors (&{InputGrammar.Show(parser.Anchor)}) are not supported in a matrix; write the value out.", source, line, null));
                    }

                    if (parser?.Tag != null)
                    {
                        throw Fail(new MatrixException(MatrixErrorIds.YamlTagNotAllowed, $"YAML tags ({InputGrammar.Show(parser.Tag)}) are not supported in a matrix; every value is read as a string, so remove the tag.", source, line, null));
                    }

                    if (e.Kind != MatrixEventKind.Scalar && open + 1 > MatrixLoader.MaxDepth)
                    {
                        throw Fail(new MatrixException(MatrixErrorIds.TooDeep, $"Maps and lists are nested more than {MatrixLoader.MaxDepth} levels deep; a matrix needs 5. Nothing past this point was read.", source, line, null));
                    }

                    break;
            }
        }

        /// <summary>Follows the open maps and lists, and which node of a map is a key, to find a key given twice.</summary>
        private void Track(MatrixEvent e)
        {
            switch (e.Kind)
            {
                case MatrixEventKind.Scalar:
                    // A value (not a key) of a map needs no string: a long one stays in the text until the reader asks.
                    bool isKey = open > 0 && frames[open - 1].IsMap && frames[open - 1].AwaitingKey;
                    string? value = isKey || listKeys.Count > 0 ? Value : null;
                    foreach (var key in listKeys)
                    {
                        key.Add(value!);
                    }

                    Completed(value, null, lastLine);
                    break;
                case MatrixEventKind.MappingStart:
                case MatrixEventKind.SequenceStart:
                    Open(e.Kind == MatrixEventKind.MappingStart);
                    break;
                case MatrixEventKind.MappingEnd:
                case MatrixEventKind.SequenceEnd:
                    if (open == 0 || frames[open - 1].IsMap != (e.Kind == MatrixEventKind.MappingEnd) || !frames[open - 1].AwaitingKey)
                    {
                        throw Fail(UnexpectedEvent());
                    }

                    Close();
                    break;
                case MatrixEventKind.DocumentEnd when open > 0:
                    throw Fail(UnexpectedEvent());
            }
        }

        /// <summary>
        /// YamlDotNet's parser can, on some broken input, end a map or list where a node is due (a map whose last key has
        /// no value): the file is not valid YAML, named at the last event read.
        /// </summary>
        private MatrixException UnexpectedEvent() =>
            new MatrixException(MatrixErrorIds.MalformedYaml, $"The file is not valid YAML after line {lastLine} (an unclosed [ or {{, or a stray indentation?): a map or list ends where a value is due.", source, lastLine, null);

        private void Open(bool isMap)
        {
            foreach (var key in listKeys)
            {
                key.Open(isMap);
            }

            if (!isMap && open > 0 && frames[open - 1].IsMap && frames[open - 1].AwaitingKey)
            {
                listKeys.Add(new SequenceKey(open - 1, lastLine));
            }

            frames[open++] = new Frame { IsMap = isMap, AwaitingKey = true, FirstKey = keys.Count };
        }

        private void Close()
        {
            int firstKey = frames[--open].FirstKey;
            GiveBack(ref frames[open]);
            frames[open] = default;
            if (keys.Count > firstKey)
            {
                keys.RemoveRange(firstKey, keys.Count - firstKey);
            }

            SequenceKey? ended = null;
            if (listKeys.Count > 0 && listKeys[listKeys.Count - 1].Owner == open - 1)
            {
                ended = listKeys[listKeys.Count - 1];
                listKeys.RemoveAt(listKeys.Count - 1);
            }

            foreach (var key in listKeys)
            {
                key.Close();
            }

            Completed(null, ended, ended?.Line ?? lastLine);
        }

        /// <summary>A node of the innermost open map or list is complete: in a map it is a key or a value.</summary>
        private void Completed(string? plainKey, SequenceKey? listKey, int line)
        {
            if (open == 0 || !frames[open - 1].IsMap)
            {
                return;
            }

            ref var frame = ref frames[open - 1];
            if (!frame.AwaitingKey)
            {
                frame.AwaitingKey = true;
                if (frame.DuplicateKey != null)
                {
                    armedKey = frame.DuplicateKey;
                    armedLine = frame.DuplicateLine;
                }

                return;
            }

            frame.AwaitingKey = false;
            bool repeated = plainKey != null ? !AddKey(ref frame, plainKey) : listKey != null && listKey.Comparable && !(frame.ListKeys ??= new HashSet<string>(StringComparer.Ordinal)).Add(listKey.Identity);
            if (repeated && frame.DuplicateKey == null)
            {
                frame.DuplicateKey = plainKey ?? listKey!.Shown;
                frame.DuplicateLine = line;
            }
        }

        /// <summary>Adds a plain key to the map's keys; false when the map has it already.</summary>
        private bool AddKey(ref Frame frame, string key)
        {
            if (frame.Many != null)
            {
                return frame.Many.Add(key);
            }

            for (int i = frame.FirstKey; i < keys.Count; i++)
            {
                if (string.Equals(keys[i], key, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            keys.Add(key);
            if (keys.Count - frame.FirstKey > ListedKeys)
            {
                frame.Many = System.Threading.Interlocked.Exchange(ref spareKeySet, null) ?? new HashSet<string>(StringComparer.Ordinal);
                for (int i = frame.FirstKey; i < keys.Count; i++)
                {
                    frame.Many.Add(keys[i]);
                }

                keys.RemoveRange(frame.FirstKey, keys.Count - frame.FirstKey);
            }

            return true;
        }

        /// <summary>Clears the key set of a map that is closed (or abandoned) and keeps it as the spare.</summary>
        private static void GiveBack(ref Frame frame)
        {
            var set = frame.Many;
            if (set == null)
            {
                return;
            }

            frame.Many = null;
            int count = set.Count;
            set.Clear();
            if (count <= SpareKeySetLimit)
            {
                System.Threading.Volatile.Write(ref spareKeySet, set);
            }
        }

        private MatrixException DuplicateKey(string key, int line)
        {
            if (key.Length == 0)
            {
                // As before: an empty key given twice is reported as YamlDotNet's own message.
                return new MatrixException(MatrixErrorIds.MalformedYaml, "The file is not valid YAML: Duplicate key ", source, Math.Max(1, line), null);
            }

            string shown = InputGrammar.Show(key);
            return new MatrixException(MatrixErrorIds.DuplicateKey, $"The key '{shown}' appears twice in the same map; keep one. (key: {shown})", source, line, shown);
        }

        private MatrixException Fail(MatrixException ex)
        {
            Failed = true;
            return ex;
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

        /// <summary>An open map or list.</summary>
        private struct Frame
        {
            public bool IsMap;
            public bool AwaitingKey;
            public int FirstKey;
            public HashSet<string>? Many;
            public HashSet<string>? ListKeys;
            public string? DuplicateKey;
            public int DuplicateLine;
        }

        /// <summary>
        /// A list used as a map key (never in a matrix, which then fails on it as a key that is not a string). The
        /// representation model compared such keys by their items, so two equal lists of strings were a repeated key; a
        /// list holding a map never equalled another.
        /// </summary>
        private sealed class SequenceKey
        {
            private readonly StringBuilder identity = new StringBuilder("[");
            private readonly StringBuilder shown = new StringBuilder("[ ");
            private readonly Stack<int> items = new Stack<int>();
            private int count;

            public SequenceKey(int owner, int line)
            {
                Owner = owner;
                Line = line;
            }

            public int Owner { get; }

            public int Line { get; }

            public bool Comparable { get; private set; } = true;

            public string Identity => identity.ToString();

            public string Shown => shown.ToString() + " ]";

            public void Add(string value)
            {
                Separate();
                identity.Append(value.Length).Append(':').Append(value);
                shown.Append(value);
            }

            public void Open(bool isMap)
            {
                Comparable &= !isMap;
                Separate();
                identity.Append('[');
                shown.Append("[ ");
                items.Push(count);
                count = 0;
            }

            public void Close()
            {
                identity.Append(']');
                shown.Append(" ]");
                count = items.Count > 0 ? items.Pop() : 0;
            }

            private void Separate()
            {
                if (count++ > 0)
                {
                    shown.Append(", ");
                }
            }
        }
    }
}
