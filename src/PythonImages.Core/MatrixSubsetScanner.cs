using System;
using System.Buffers;

namespace PythonImages
{
    /// <summary>
    /// A recognizer for the small part of YAML that matrix files use, producing the events YamlDotNet's parser would (same
    /// kinds, values, plain-or-quoted and start lines) without YamlDotNet's tokens, events and marks. It is a strict
    /// subset recognizer: a single document whose root is a block map at column 0, or a JSON object as jq writes
    /// upstream's versions.json (<see cref="JsonRoot"/>); block maps of one-line keys; block
    /// lists of one-line items (also at their key's column); flow lists and flow maps on one line; plain scalars of a
    /// small character set, single- and double-quoted scalars on one line without escapes; comments and blank lines; printable ASCII and line feeds only,
    /// ending with a line feed. At the first thing outside it (tabs, carriage returns, anchors, aliases, tags, complex
    /// keys, block scalars, multi-line or escaped scalars, directives, document markers, odd indentation, an empty file,
    /// nesting deeper than the loader allows, any doubt) it declines, and the loader reads the text with YamlDotNet as
    /// before, so every error and its line for anything outside the subset stays YamlDotNet's.
    /// </summary>
    internal sealed class MatrixSubsetScanner
    {
        // Longest one-line key accepted (YamlDotNet refuses a simple key over 1,024 characters).
        private const int MaxKeyLength = 1000;
        private const int InternSlots = 256;
        private const int InternMaxLength = 48;

        private readonly string text;
        private readonly string?[] interned = new string?[InternSlots];
        private MatrixEvent[] events;
        private int count;

        // The scalars longer than InternMaxLength (a checksum, a URL) are not made into strings here: their event's value is
        // null and their place in the text is noted, in event order, as pairs (start, length) in this pooled array. The
        // reader makes the string when it asks for one (ScannedText), and can read a checksum's digits from the text
        // without making one at all.
        private int[] spans = Array.Empty<int>();
        private int spanCount;
        private int pos;
        private int line = 1;
        private int indent;
        private bool eof;
        private int endLine; // the line after the last line feed (YamlDotNet's end mark)

        private MatrixSubsetScanner(string text)
        {
            this.text = text;
            events = ArrayPool<MatrixEvent>.Shared.Rent(Math.Max(256, text.Length / 8));
        }

        /// <summary>
        /// The events of <paramref name="text"/>, every scalar with its value (a long one made into a string here too), or
        /// false when the text is outside the subset. The array comes from the shared pool and holds
        /// <paramref name="count"/> events; give it back with <see cref="Release(MatrixEvent[])"/>.
        /// </summary>
        public static bool TryScan(string text, out MatrixEvent[] events, out int count)
        {
            if (!TryScan(text, PlainLineFeeds(text), out events, out count, out var spans))
            {
                return false;
            }

            var values = new ScannedText(text, spans);
            for (int i = 0; i < count; i++)
            {
                var e = events[i];
                values.Advance(e);
                if (ScannedText.IsLong(e))
                {
                    events[i] = new MatrixEvent(e.Kind, e.Line, values.Value, e.Plain);
                }
            }

            Release(spans);
            return true;
        }

        /// <summary>
        /// The events of a text whose <see cref="PlainLineFeeds"/> the caller has counted already (<paramref name="lineFeeds"/>,
        /// negative when the text is not plain: the text is read once less), or false when the text is outside the subset.
        /// A scalar longer than <see cref="InternMaxLength"/> characters has a null value; <paramref name="spans"/> says where
        /// each of them is in the text (read them through <see cref="ScannedText"/>). Both arrays come from the shared pool:
        /// give them back with <see cref="Release(MatrixEvent[])"/> and <see cref="Release(int[])"/>.
        /// </summary>
        public static bool TryScan(string text, int lineFeeds, out MatrixEvent[] events, out int count, out int[] spans)
        {
            events = Array.Empty<MatrixEvent>();
            spans = Array.Empty<int>();
            count = 0;
            if (lineFeeds < 0)
            {
                return false;
            }

            var scanner = new MatrixSubsetScanner(text) { endLine = lineFeeds + 1 };
            if (!scanner.Document())
            {
                Release(scanner.events);
                Release(scanner.spans);
                return false;
            }

            events = scanner.events;
            count = scanner.count;
            spans = scanner.spans;
            return true;
        }

        /// <summary>Returns an event array of <see cref="TryScan(string, int, out MatrixEvent[], out int, out int[])"/> to the pool (cleared: it holds the file's strings).</summary>
        public static void Release(MatrixEvent[] events)
        {
            if (events.Length > 0)
            {
                ArrayPool<MatrixEvent>.Shared.Return(events, clearArray: true);
            }
        }

        /// <summary>Returns a span array of <see cref="TryScan(string, int, out MatrixEvent[], out int, out int[])"/> to the pool.</summary>
        public static void Release(int[] spans)
        {
            if (spans.Length > 0)
            {
                ArrayPool<int>.Shared.Return(spans);
            }
        }

        /// <summary>
        /// The number of line feeds of <paramref name="text"/> when it is plain, that is printable ASCII and line feeds only
        /// and ending with a line feed (the only texts the scanner reads, and a text YAML allows every character of);
        /// -1 otherwise. One pass, made once per load (<see cref="MatrixLoader"/>).
        /// </summary>
        public static int PlainLineFeeds(string text)
        {
            if (text.Length == 0 || text[text.Length - 1] != '\n')
            {
                return -1;
            }

            int lineFeeds = 0;
            foreach (char c in text)
            {
                if (c == '\n')
                {
                    lineFeeds++;
                }
                else if (c < ' ' || c > '~')
                {
                    return -1;
                }
            }

            return lineFeeds;
        }

        private bool Document()
        {
            Emit(MatrixEventKind.StreamStart, 1);
            NextContentLine();
            if (eof || indent != 0)
            {
                return false;
            }

            Emit(MatrixEventKind.DocumentStart, line);
            if (text[pos] == '{' ? !JsonRoot() : !BlockMap(0, 1))
            {
                return false;
            }

            Emit(MatrixEventKind.DocumentEnd, endLine);
            Emit(MatrixEventKind.StreamEnd, endLine);
            return true;
        }

        // ------------------------------------------------------------------ block structure, line by line

        /// <summary>
        /// From the start of a line (or the end of the last content line's text): skips blank and comment lines; then
        /// <see cref="pos"/> is the first character of the next content line, <see cref="indent"/> its column, or
        /// <see cref="eof"/> is set.
        /// </summary>
        private void NextContentLine()
        {
            while (pos < text.Length)
            {
                int start = pos;
                while (pos < text.Length && text[pos] == ' ')
                {
                    pos++;
                }

                if (text[pos] != '\n' && text[pos] != '#')
                {
                    indent = pos - start;
                    return;
                }

                pos = text.IndexOf('\n', pos) + 1;
                line++;
            }

            eof = true;
        }

        /// <summary>Past the rest of the line: spaces, then a comment (after at least one space) or the line feed.</summary>
        private bool EndOfLine()
        {
            int start = pos;
            while (text[pos] == ' ')
            {
                pos++;
            }

            if (text[pos] == '#' && pos > start)
            {
                pos = text.IndexOf('\n', pos);
            }

            if (text[pos] != '\n')
            {
                return false;
            }

            pos++;
            line++;
            return true;
        }

        /// <summary>A block map whose keys are at column <paramref name="n"/>; <see cref="pos"/> is at its first key.</summary>
        private bool BlockMap(int n, int depth)
        {
            if (depth > MatrixLoader.MaxDepth)
            {
                return false;
            }

            Emit(MatrixEventKind.MappingStart, line);
            while (true)
            {
                if (text[pos] == '-' || (n == 0 && text[pos] == '.') || !Key(false))
                {
                    return false;
                }

                if (!BlockValue(n, depth))
                {
                    return false;
                }

                if (eof || indent < n)
                {
                    Emit(MatrixEventKind.MappingEnd, eof ? endLine : line);
                    return true;
                }

                if (indent > n)
                {
                    return false;
                }
            }
        }

        /// <summary>After a key and its ':': a value on the same line, a nested block on the next lines, or nothing (an empty plain scalar).</summary>
        private bool BlockValue(int n, int depth)
        {
            int keyLine = line;
            int at = pos;
            if (!EndOfLine())
            {
                pos = at;
                while (text[pos] == ' ')
                {
                    pos++;
                }

                if (pos == at || !Inline(depth, false) || !EndOfLine())
                {
                    return false;
                }

                NextContentLine();
                return eof || indent <= n; // a deeper line would continue the scalar
            }

            NextContentLine();
            if (!eof && indent > n)
            {
                return text[pos] == '-' ? BlockList(indent, depth + 1, false) : BlockMap(indent, depth + 1);
            }

            if (!eof && indent == n && text[pos] == '-')
            {
                return BlockList(n, depth + 1, true); // a list at the key's own column
            }

            Emit(MatrixEventKind.Scalar, keyLine, string.Empty, true);
            return true;
        }

        /// <summary>
        /// A block list whose dashes are at column <paramref name="n"/>, each item one line; <paramref name="atKeyColumn"/>:
        /// at the column of the key it is the value of, so a key at that column ends it.
        /// </summary>
        private bool BlockList(int n, int depth, bool atKeyColumn)
        {
            if (depth > MatrixLoader.MaxDepth)
            {
                return false;
            }

            Emit(MatrixEventKind.SequenceStart, line);
            while (true)
            {
                if (text[pos] != '-' || text[pos + 1] != ' ')
                {
                    return false;
                }

                pos += 2;
                while (text[pos] == ' ')
                {
                    pos++;
                }

                if (text[pos] == '#' || text[pos] == '\n' || !Inline(depth, false) || !EndOfLine())
                {
                    return false;
                }

                NextContentLine();
                if (eof || indent < n || (atKeyColumn && indent == n && text[pos] != '-'))
                {
                    Emit(MatrixEventKind.SequenceEnd, eof ? endLine : line);
                    return true;
                }

                if (indent > n)
                {
                    return false;
                }
            }
        }

        // ------------------------------------------------------------------ nodes on one line

        /// <summary>A key: a plain or quoted scalar followed by ': ' (or ':' at the end of a block line).</summary>
        private bool Key(bool flow)
        {
            int start = pos;
            if (!Scalar(flow))
            {
                return false;
            }

            if (pos - start > MaxKeyLength || text[pos] != ':')
            {
                return false;
            }

            pos++;
            return text[pos] == ' ' || (!flow && text[pos] == '\n');
        }

        /// <summary>A scalar or a flow collection (<paramref name="depth"/>: of the collection holding it).</summary>
        private bool Inline(int depth, bool flow)
        {
            switch (text[pos])
            {
                case '[':
                    return FlowList(depth + 1, false);
                case '{':
                    return FlowMap(depth + 1, false);
                default:
                    return Scalar(flow);
            }
        }

        /// <summary>
        /// A flow list (<paramref name="json"/>: a JSON array, over lines, of JSON values; else on one line, of the
        /// subset's inline values).
        /// </summary>
        private bool FlowList(int depth, bool json)
        {
            if (depth > MatrixLoader.MaxDepth)
            {
                return false;
            }

            Emit(MatrixEventKind.SequenceStart, line);
            pos++;
            Space(json);
            if (pos < text.Length && text[pos] == ']')
            {
                pos++;
                Emit(MatrixEventKind.SequenceEnd, line);
                return true;
            }

            while (true)
            {
                if (!Item(depth, json))
                {
                    return false;
                }

                int next = AfterItem(']', MatrixEventKind.SequenceEnd, json);
                if (next != 0)
                {
                    return next > 0;
                }
            }
        }

        /// <summary>
        /// A flow map (<paramref name="json"/>: a JSON object, over lines, of quoted keys each followed by ': ' and a JSON
        /// value; else on one line, of the subset's keys and inline values).
        /// </summary>
        private bool FlowMap(int depth, bool json)
        {
            if (depth > MatrixLoader.MaxDepth)
            {
                return false;
            }

            Emit(MatrixEventKind.MappingStart, line);
            pos++;
            Space(json);
            if (pos < text.Length && text[pos] == '}')
            {
                pos++;
                Emit(MatrixEventKind.MappingEnd, line);
                return true;
            }

            while (true)
            {
                if (json ? !JsonKey() : !Key(true))
                {
                    return false;
                }

                if (!json)
                {
                    SkipSpaces();
                    if (text[pos] == ',' || text[pos] == '}')
                    {
                        return false;
                    }
                }

                if (!Item(depth, json))
                {
                    return false;
                }

                int next = AfterItem('}', MatrixEventKind.MappingEnd, json);
                if (next != 0)
                {
                    return next > 0;
                }
            }
        }

        /// <summary>An item of a flow collection at <paramref name="depth"/>: a JSON value, or one of the subset's inline values.</summary>
        private bool Item(int depth, bool json) => json ? JsonValue(depth + 1) : Inline(depth, true);

        /// <summary>After an item of a flow collection: 1 when <paramref name="close"/> ended it (its end event
        /// emitted), 0 when a ',' leads to another item, -1 for anything else (declined).</summary>
        private int AfterItem(char close, MatrixEventKind end, bool json)
        {
            Space(json);
            if (pos < text.Length && text[pos] == close)
            {
                pos++;
                Emit(end, line);
                return 1;
            }

            if (pos >= text.Length || text[pos] != ',')
            {
                return -1;
            }

            pos++;
            Space(json);
            return pos >= text.Length || text[pos] == close || text[pos] == ',' ? -1 : 0; // no trailing or doubled comma
        }

        private void Space(bool json)
        {
            if (json)
            {
                JsonSpace();
            }
            else
            {
                SkipSpaces();
            }
        }

        private void SkipSpaces()
        {
            while (text[pos] == ' ')
            {
                pos++;
            }
        }

        /// <summary>A plain scalar of the subset's characters, or a one-line quoted scalar without escapes.</summary>
        private bool Scalar(bool flow)
        {
            char quote = text[pos];
            if (quote == '\'' || quote == '"')
            {
                int close = pos + 1;
                while (text[close] != quote && text[close] != '\n' && text[close] != '\\')
                {
                    close++;
                }

                if (text[close] != quote || text[close + 1] == quote)
                {
                    return false; // multi-line, escaped, or a doubled quote
                }

                EmitScalar(pos + 1, close, false);
                pos = close + 1;
                return true;
            }

            return Plain(flow);
        }

        /// <summary>
        /// A plain scalar: starts with a letter, digit, '.', '_', '/' or '('; then those and '-', '+', '=', '~', '&lt;', '&gt;',
        /// '@', ')', inner spaces, and (outside flow collections) ':' before such a character. It ends at a line feed, at
        /// ': ', at ' #', and inside flow collections at ',', ']' or '}'; anything else declines.
        /// </summary>
        private bool Plain(bool flow)
        {
            int start = pos;
            if (!PlainStart(text[pos]))
            {
                return false;
            }

            int end = ++pos; // end of the last non-space character
            while (true)
            {
                char c = text[pos];
                if (PlainChar(c))
                {
                    end = ++pos;
                }
                else if (c == ' ')
                {
                    pos++;
                }
                else if (c == ':' && !flow && pos == end && PlainChar(text[pos + 1]))
                {
                    end = ++pos;
                }
                else if (c == '\n' || (c == ':' && pos == end && (text[pos + 1] == ' ' || (!flow && text[pos + 1] == '\n'))) || (c == '#' && pos > end && !flow) || (flow && (c == ',' || c == ']' || c == '}')))
                {
                    break;
                }
                else
                {
                    return false;
                }
            }

            pos = end;
            EmitScalar(start, end, true);
            return true;
        }

        private static bool PlainStart(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '/' || c == '(';

        private static bool PlainChar(char c) =>
            PlainStart(c) || c == '-' || c == '+' || c == '=' || c == '~' || c == '<' || c == '>' || c == '@' || c == ')';

        // ------------------------------------------------------------------ JSON, as upstream's versions.json is written

        /// <summary>
        /// A root object in JSON as jq writes it (upstream's versions.json): objects, arrays and double-quoted strings
        /// without escapes, spread over lines; a key followed by ': ' and its value on the same line; spaces and line feeds
        /// between tokens; nothing but them after the root. YAML reads such a text as flow collections of quoted scalars,
        /// which are the events made here. Anything else (numbers, true, false, null, escapes, a trailing comma, a
        /// comment) declines.
        /// </summary>
        private bool JsonRoot()
        {
            if (!FlowMap(1, true))
            {
                return false;
            }

            JsonSpace();
            return pos == text.Length;
        }

        private bool JsonValue(int depth)
        {
            if (pos >= text.Length)
            {
                return false;
            }

            switch (text[pos])
            {
                case '{':
                    return FlowMap(depth, true);
                case '[':
                    return FlowList(depth, true);
                case '"':
                    return JsonString();
                default:
                    return false;
            }
        }

        /// <summary>A key of a JSON object: a string followed by ': '.</summary>
        private bool JsonKey()
        {
            int start = pos;
            if (pos >= text.Length || text[pos] != '"' || !JsonString() || pos - start > MaxKeyLength || text[pos] != ':' || text[pos + 1] != ' ')
            {
                return false;
            }

            pos += 2;
            return true;
        }

        /// <summary>A double-quoted string on one line, without escapes: a quoted scalar.</summary>
        private bool JsonString()
        {
            int close = pos + 1;
            while (close < text.Length && text[close] != '"' && text[close] != '\\' && text[close] != '\n')
            {
                close++;
            }

            if (close >= text.Length || text[close] != '"')
            {
                return false;
            }

            EmitScalar(pos + 1, close, false);
            pos = close + 1;
            return true;
        }

        private void JsonSpace()
        {
            while (pos < text.Length)
            {
                char c = text[pos];
                if (c == ' ')
                {
                    pos++;
                }
                else if (c == '\n')
                {
                    pos++;
                    line++;
                }
                else
                {
                    return;
                }
            }
        }

        // ------------------------------------------------------------------ output

        private void Emit(MatrixEventKind kind, int at, string? value = null, bool plain = false)
        {
            if (count == events.Length)
            {
                var larger = ArrayPool<MatrixEvent>.Shared.Rent(events.Length * 2);
                Array.Copy(events, larger, count);
                ArrayPool<MatrixEvent>.Shared.Return(events, clearArray: true);
                events = larger;
            }

            events[count++] = new MatrixEvent(kind, at, value, plain);
        }

        /// <summary>
        /// A scalar that is the text between two positions: with its string when it is short, else with a null value and
        /// its place noted in <see cref="spans"/>.
        /// </summary>
        private void EmitScalar(int start, int end, bool plain)
        {
            if (end - start <= InternMaxLength)
            {
                Emit(MatrixEventKind.Scalar, line, Take(start, end), plain);
                return;
            }

            if (2 * spanCount + 2 > spans.Length)
            {
                var larger = ArrayPool<int>.Shared.Rent(Math.Max(64, 2 * spans.Length));
                Array.Copy(spans, larger, 2 * spanCount);
                Release(spans);
                spans = larger;
            }

            spans[2 * spanCount] = start;
            spans[(2 * spanCount) + 1] = end - start;
            spanCount++;
            Emit(MatrixEventKind.Scalar, line, null, plain);
        }

        /// <summary>The text between two positions; short ones (keys, variants, the same few words) made once per file.</summary>
        private string Take(int start, int end)
        {
            int length = end - start;
            if (length == 0)
            {
                return string.Empty;
            }

            if (length > InternMaxLength)
            {
                return text.Substring(start, length);
            }

            uint hash = 2166136261;
            for (int i = start; i < end; i++)
            {
                hash = (hash ^ text[i]) * 16777619;
            }

            int slot = (int)(hash % InternSlots);
            string? known = interned[slot];
            if (known != null && known.Length == length && string.CompareOrdinal(known, 0, text, start, length) == 0)
            {
                return known;
            }

            string made = text.Substring(start, length);
            interned[slot] = made;
            return made;
        }
    }

    /// <summary>
    /// The values of the long scalars of one scan (<see cref="MatrixSubsetScanner.TryScan(string, int, out MatrixEvent[], out int, out int[])"/>),
    /// read in event order: <see cref="Advance"/> at every event, then the value of a long scalar (<see cref="Value"/>,
    /// made on the first call) or its digits (<see cref="TryHexDigest"/>, no string made).
    /// </summary>
    internal struct ScannedText
    {
        private readonly string text;
        private readonly int[] spans;
        private int next;
        private int start;
        private int length;
        private string? made;

        public ScannedText(string text, int[] spans)
        {
            this.text = text;
            this.spans = spans;
            next = 0;
            start = -1;
            length = 0;
            made = null;
        }

        /// <summary>True when <paramref name="e"/> is a scalar whose value is in the text only.</summary>
        public static bool IsLong(MatrixEvent e) => e.Kind == MatrixEventKind.Scalar && e.Value == null;

        /// <summary>Moves to the event <paramref name="e"/> (every event, once, in order).</summary>
        public void Advance(MatrixEvent e)
        {
            made = null;
            if (!IsLong(e))
            {
                start = -1;
                return;
            }

            start = spans[2 * next];
            length = spans[(2 * next) + 1];
            next++;
        }

        /// <summary>The value of the long scalar moved to last (made on the first call); null when the event has its own.</summary>
        public string? Value => start < 0 ? null : made ??= text.Substring(start, length);

        /// <summary>
        /// The 64 hexadecimal digits of the long scalar moved to last as four words (the first digits in the first word),
        /// without making its string; false when it is not exactly that, or the event has its own value.
        /// </summary>
        public bool TryHexDigest(out ulong a, out ulong b, out ulong c, out ulong d)
        {
            a = b = c = d = 0;
            return start >= 0 && length == 64 && HexDigest(text, start, out a, out b, out c, out d);
        }

        /// <summary>The 64 hexadecimal digits of <paramref name="s"/> from <paramref name="at"/> as four words; false at any other character.</summary>
        internal static bool HexDigest(string s, int at, out ulong a, out ulong b, out ulong c, out ulong d)
        {
            b = c = d = 0;
            return HexWord(s, at, out a) && HexWord(s, at + 16, out b) && HexWord(s, at + 32, out c) && HexWord(s, at + 48, out d);
        }

        /// <summary>16 hexadecimal digits of <paramref name="s"/> from <paramref name="at"/> as a number; false at any other character.</summary>
        private static bool HexWord(string s, int at, out ulong word)
        {
            word = 0;
            for (int i = at; i < at + 16; i++)
            {
                char ch = s[i];
                int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
                if (v < 0)
                {
                    return false;
                }

                word = (word << 4) | (uint)v;
            }

            return true;
        }
    }
}
