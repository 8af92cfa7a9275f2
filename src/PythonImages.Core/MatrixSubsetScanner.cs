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
        /// The events of <paramref name="text"/>, or false when the text is outside the subset. The array comes from the
        /// shared pool and holds <paramref name="count"/> events; give it back with <see cref="Release"/>.
        /// </summary>
        public static bool TryScan(string text, out MatrixEvent[] events, out int count) =>
            TryScan(text, PlainLineFeeds(text), out events, out count);

        /// <summary>
        /// <see cref="TryScan(string, out MatrixEvent[], out int)"/> of a text whose <see cref="PlainLineFeeds"/> the caller
        /// has counted already (<paramref name="lineFeeds"/>, negative when the text is not plain): the text is read once
        /// less.
        /// </summary>
        public static bool TryScan(string text, int lineFeeds, out MatrixEvent[] events, out int count)
        {
            events = Array.Empty<MatrixEvent>();
            count = 0;
            if (lineFeeds < 0)
            {
                return false;
            }

            var scanner = new MatrixSubsetScanner(text) { endLine = lineFeeds + 1 };
            if (!scanner.Document())
            {
                Release(scanner.events);
                return false;
            }

            events = scanner.events;
            count = scanner.count;
            return true;
        }

        /// <summary>Returns an event array of <see cref="TryScan(string, int, out MatrixEvent[], out int)"/> to the pool (cleared: it holds the file's strings).</summary>
        public static void Release(MatrixEvent[] events)
        {
            if (events.Length > 0)
            {
                ArrayPool<MatrixEvent>.Shared.Return(events, clearArray: true);
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

                Emit(MatrixEventKind.Scalar, line, Take(pos + 1, close), false);
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
            Emit(MatrixEventKind.Scalar, line, Take(start, end), true);
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

            Emit(MatrixEventKind.Scalar, line, Take(pos + 1, close), false);
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
}
