using System;
using System.Collections.Generic;
using System.Text;

namespace PythonImages.Dockerfiles
{
    /// <summary>
    /// Lays out Dockerfile text the way the python images are written: LF endings, one instruction per block,
    /// RUN scripts with tab-indented continuation lines ending in " \".
    /// A piece of text with a line break (or NUL) in it is refused: it would end a comment or an instruction early and
    /// let the rest of the value become instructions of its own.
    /// </summary>
    internal sealed class DockerfileBuilder
    {
        // A Dockerfile is 3-6 KB of text. One builder per thread is reused (taken here, given back by ToString), so that
        // rendering 42 Dockerfiles does not grow and drop 42 chunked builders (less garbage on the cold path of a one-shot
        // regeneration, where one extra collection costs more than all the rendering).
        private const int Capacity = 8192;
        private const int MaxKept = 32768;

        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        [ThreadStatic]
        private static StringBuilder? cached;

        [ThreadStatic]
        private static char[]? charBuffer;

        private readonly StringBuilder text = Take();
        private bool finished;

        private static StringBuilder Take()
        {
            var sb = cached;
            cached = null;
            return sb ?? new StringBuilder(Capacity);
        }

        public DockerfileBuilder Comment(string comment)
        {
            text.Append("# ").Append(OneLine(comment)).Append('\n');
            return this;
        }

        private static string OneLine(string piece)
        {
            foreach (char c in piece)
            {
                if (Security.Quoting.IsLineBreak(c))
                {
                    throw new DockerfileException(
                        DockerfileErrorIds.UnsafeValue,
                        $"A line of the Dockerfile would contain a line break (U+{(int)c:X4}): {Security.InputGrammar.Show(piece)}",
                        "Check the values passed to the command (matrix, image objects, options); they must not contain line breaks.");
                }
            }

            return piece;
        }

        public DockerfileBuilder Blank()
        {
            text.Append('\n');
            return this;
        }

        public DockerfileBuilder Instruction(string keyword, string arguments)
        {
            text.Append(OneLine(keyword)).Append(' ').Append(OneLine(arguments)).Append('\n');
            return this;
        }

        public DockerfileBuilder Env(string name, string value)
        {
            text.Append("ENV ").Append(OneLine(name)).Append(' ').Append(OneLine(value)).Append('\n');
            return this;
        }

        public DockerfileBuilder Run(Script script)
        {
            var lines = script.Lines;
            if (lines.Count == 0)
            {
                throw new InvalidOperationException("empty RUN");
            }

            int last = lines.Count - 1;
            while (lines[last].IsComment)
            {
                last--;
            }

            text.Append("RUN ");
            for (int i = 0; i <= last; i++)
            {
                var line = lines[i];
                if (i > 0)
                {
                    text.Append('\t', line.Depth);
                }

                if (line.IsComment)
                {
                    text.Append("# ");
                }

                text.Append(OneLine(line.Text));
                if (line.IsComment)
                {
                    // Docker drops comment lines inside a continuation; they take no backslash.
                    text.Append('\n');
                    continue;
                }

                if (line.Terminated && i != last)
                {
                    text.Append(';');
                }

                if (i != last)
                {
                    text.Append(line.Text.Length == 0 ? "\\" : " \\");
                }

                text.Append('\n');
            }

            script.Release();
            return this;
        }

        /// <summary>The text; the builder gives its buffer back for the next Dockerfile and must not be used again.</summary>
        public override string ToString()
        {
            string result = Finish().ToString();
            Release();
            return result;
        }

        /// <summary>The text as UTF-8 bytes (what the file holds), without making a string of it first; the builder gives
        /// its buffer back for the next Dockerfile and must not be used again.</summary>
        public byte[] ToUtf8()
        {
            var sb = Finish();
            var chars = charBuffer != null && charBuffer.Length >= sb.Length ? charBuffer : new char[Math.Max(sb.Length, Capacity)];
            charBuffer = null;
            sb.CopyTo(0, chars, 0, sb.Length);
            byte[] bytes = Utf8.GetBytes(chars, 0, sb.Length);
            if (chars.Length <= MaxKept)
            {
                charBuffer = chars;
            }

            Release();
            return bytes;
        }

        private StringBuilder Finish()
        {
            if (finished)
            {
                throw new InvalidOperationException("The Dockerfile text was already taken.");
            }

            finished = true;
            return text;
        }

        private void Release()
        {
            if (text.Capacity <= MaxKept)
            {
                text.Clear();
                cached = text;
            }
        }

        /// <summary>A shell (or PowerShell) script: commands, nested blocks and section comments.</summary>
        internal sealed class Script
        {
            // The line list is reused like the builder's text: a script is written by Run and then released.
            [ThreadStatic]
            private static ScriptLines? cachedLines;

            private int depth;

            public Script(string first)
            {
                Lines = cachedLines ?? new ScriptLines(128);
                cachedLines = null;
                Lines.Add(new ScriptLine(first, 0, terminated: true, isComment: false));
                depth = 1;
            }

            public ScriptLines Lines { get; }

            /// <summary>After Run wrote the script: its line list serves the next script.</summary>
            internal void Release()
            {
                if (Lines.Capacity <= 1024)
                {
                    Lines.Clear();
                    cachedLines = Lines;
                }
            }

            /// <summary>A command that ends with ';' (unless it is the last line of the RUN).</summary>
            public Script Cmd(string command)
            {
                Lines.Add(new ScriptLine(command, depth, terminated: true, isComment: false));
                return this;
            }

            /// <summary>A line written exactly as given.</summary>
            public Script Raw(string line)
            {
                Lines.Add(new ScriptLine(line, depth, terminated: false, isComment: false));
                return this;
            }

            /// <summary>An empty continuation line that separates sections.</summary>
            public Script Gap() => Raw(string.Empty);

            /// <summary>A section comment (dropped by Docker, kept for readers).</summary>
            public Script Note(string comment)
            {
                Lines.Add(new ScriptLine(comment, depth, terminated: false, isComment: true)); // written after "# "
                return this;
            }

            /// <summary>A command followed by one argument per line and a closing ';' line.</summary>
            public Script List(string command, IEnumerable<string> items, string close = ";")
            {
                Raw(command);
                depth++;
                foreach (var item in items)
                {
                    Raw(item);
                }

                depth--;
                Raw(close);
                return this;
            }

            public Script Indent()
            {
                depth++;
                return this;
            }

            public Script Outdent()
            {
                depth--;
                return this;
            }
        }

        /// <summary>
        /// The lines of a script: a growable array of our own rather than List&lt;ScriptLine&gt;, whose code for a struct
        /// of this assembly no ready-to-run image holds (the first Dockerfile of a process would compile six methods).
        /// </summary>
        internal sealed class ScriptLines
        {
            private ScriptLine[] items;

            public ScriptLines(int capacity) => items = new ScriptLine[capacity];

            public int Count { get; private set; }

            public int Capacity => items.Length;

            public ScriptLine this[int index] => index < Count ? items[index] : throw new ArgumentOutOfRangeException(nameof(index));

            public void Add(ScriptLine line)
            {
                if (Count == items.Length)
                {
                    var grown = new ScriptLine[items.Length * 2];
                    Array.Copy(items, grown, Count);
                    items = grown;
                }

                items[Count++] = line;
            }

            public void Clear()
            {
                Array.Clear(items, 0, Count);
                Count = 0;
            }
        }

        internal readonly struct ScriptLine
        {
            public ScriptLine(string text, int depth, bool terminated, bool isComment)
            {
                Text = text;
                Depth = depth;
                Terminated = terminated;
                IsComment = isComment;
            }

            public string Text { get; }
            public int Depth { get; }
            public bool Terminated { get; }
            public bool IsComment { get; }
        }
    }
}
