using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace PythonImages.HelpBuilder
{
    /// <summary>A block of a Markdown document; <see cref="Line"/> is its first line (1-based) in the source.</summary>
    public abstract class MarkdownBlock
    {
        /// <summary>Creates a block that starts at <paramref name="line"/>.</summary>
        protected MarkdownBlock(int line) => Line = line;

        /// <summary>The first line of the block in its source (1-based).</summary>
        public int Line { get; }
    }

    /// <summary>An ATX heading (# to ######).</summary>
    public sealed class HeadingBlock : MarkdownBlock
    {
        /// <summary>Creates a heading.</summary>
        public HeadingBlock(int line, int level, string text)
            : base(line)
        {
            Level = level;
            Text = text;
        }

        /// <summary>1 for #, 2 for ##, ...</summary>
        public int Level { get; }

        /// <summary>The heading text as written (inline Markdown not yet removed).</summary>
        public string Text { get; }
    }

    /// <summary>A paragraph: its source lines joined by single spaces.</summary>
    public sealed class ParagraphBlock : MarkdownBlock
    {
        /// <summary>Creates a paragraph.</summary>
        public ParagraphBlock(int line, string text)
            : base(line) => Text = text;

        /// <summary>The text as written (inline Markdown not yet removed).</summary>
        public string Text { get; }
    }

    /// <summary>A fenced code block.</summary>
    public sealed class CodeBlock : MarkdownBlock
    {
        /// <summary>Creates a code block.</summary>
        public CodeBlock(int line, string language, string code)
            : base(line)
        {
            Language = language;
            Code = code;
        }

        /// <summary>The info string after the opening fence (powershell, yaml, output, ...), or empty.</summary>
        public string Language { get; }

        /// <summary>The lines between the fences, joined by \n, without a final line end.</summary>
        public string Code { get; }
    }

    /// <summary>A bullet or numbered list; each item is the text of its lines joined by spaces (paragraphs by \n\n).</summary>
    public sealed class ListBlock : MarkdownBlock
    {
        /// <summary>Creates a list.</summary>
        public ListBlock(int line, bool ordered, IReadOnlyList<string> items)
            : base(line)
        {
            Ordered = ordered;
            Items = items;
        }

        /// <summary>True for 1. 2. 3. lists.</summary>
        public bool Ordered { get; }

        /// <summary>The items' text (inline Markdown not yet removed).</summary>
        public IReadOnlyList<string> Items { get; }
    }

    /// <summary>A pipe table: a header row and body rows of cells (inline Markdown not yet removed).</summary>
    public sealed class TableBlock : MarkdownBlock
    {
        /// <summary>Creates a table.</summary>
        public TableBlock(int line, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
            : base(line)
        {
            Header = header;
            Rows = rows;
        }

        /// <summary>The header cells.</summary>
        public IReadOnlyList<string> Header { get; }

        /// <summary>The body rows, each with as many cells as the header.</summary>
        public IReadOnlyList<IReadOnlyList<string>> Rows { get; }
    }

    /// <summary>An HTML comment on lines of its own (never shown; carries the example conventions).</summary>
    public sealed class CommentBlock : MarkdownBlock
    {
        /// <summary>Creates a comment.</summary>
        public CommentBlock(int line, string text)
            : base(line) => Text = text;

        /// <summary>The text between &lt;!-- and --&gt;, trimmed.</summary>
        public string Text { get; }
    }

    /// <summary>A mistake in a help source, with its file and line.</summary>
    public sealed class HelpSourceException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public HelpSourceException(string file, int line, string reason)
            : base(string.Create(CultureInfo.InvariantCulture, $"{file}:{line}: {reason}"))
        {
            File = file;
            SourceLine = line;
            Reason = reason;
        }

        /// <summary>The source file.</summary>
        public string File { get; }

        /// <summary>The line (1-based).</summary>
        public int SourceLine { get; }

        /// <summary>What is wrong.</summary>
        public string Reason { get; }
    }

    /// <summary>
    /// The Markdown this project's help is written in (docs/README.md): headings, paragraphs, lists, fenced code blocks,
    /// pipe tables and HTML comments as blocks; code spans, emphasis, links and escapes inline.
    /// </summary>
    public static class Markdown
    {
        /// <summary>Splits a document into blocks.</summary>
        public static IReadOnlyList<MarkdownBlock> Parse(string text, string file)
        {
            ArgumentNullException.ThrowIfNull(text);
            var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
            var blocks = new List<MarkdownBlock>();
            int i = 0;
            while (i < lines.Length)
            {
                string line = lines[i];
                string trimmed = line.Trim();
                if (trimmed.Length == 0)
                {
                    i++;
                    continue;
                }

                if (FenceLength(line) is int fence and > 0)
                {
                    i = ReadCode(lines, i, fence, file, blocks);
                    continue;
                }

                if (trimmed.StartsWith("<!--", StringComparison.Ordinal))
                {
                    i = ReadComment(lines, i, file, blocks);
                    continue;
                }

                if (Heading(line) is (int level, string heading))
                {
                    blocks.Add(new HeadingBlock(i + 1, level, heading));
                    i++;
                    continue;
                }

                if (trimmed.StartsWith('|') && i + 1 < lines.Length && IsDelimiterRow(lines[i + 1]))
                {
                    i = ReadTable(lines, i, file, blocks);
                    continue;
                }

                if (ListMarker(line) != null)
                {
                    i = ReadList(lines, i, blocks);
                    continue;
                }

                i = ReadParagraph(lines, i, blocks);
            }

            return blocks;
        }

        private static int FenceLength(string line)
        {
            int n = 0;
            while (n < line.Length && line[n] == '`')
            {
                n++;
            }

            return n >= 3 ? n : 0;
        }

        private static (int Level, string Text)? Heading(string line)
        {
            int n = 0;
            while (n < line.Length && line[n] == '#')
            {
                n++;
            }

            if (n == 0 || n > 6 || (n < line.Length && line[n] != ' '))
            {
                return null;
            }

            return (n, line.Substring(n).Trim().TrimEnd('#').Trim());
        }

        /// <summary>The marker of a list item line: ("-", indent of the text) or ("1.", ...); null when the line is not an item.</summary>
        private static (bool Ordered, int TextStart)? ListMarker(string line)
        {
            int i = 0;
            while (i < line.Length && line[i] == ' ')
            {
                i++;
            }

            if (i > 3 || i >= line.Length)
            {
                return null;
            }

            if (line[i] is '-' or '*' or '+')
            {
                return i + 1 < line.Length && line[i + 1] == ' ' && !IsThematicBreak(line) ? (false, i + 2) : null;
            }

            int digits = i;
            while (digits < line.Length && char.IsAsciiDigit(line[digits]))
            {
                digits++;
            }

            if (digits > i && digits + 1 < line.Length && (line[digits] == '.' || line[digits] == ')') && line[digits + 1] == ' ')
            {
                return (true, digits + 2);
            }

            return null;
        }

        private static bool IsThematicBreak(string line)
        {
            string t = line.Replace(" ", string.Empty, StringComparison.Ordinal);
            return t.Length >= 3 && (t.All(c => c == '-') || t.All(c => c == '*'));
        }

        private static bool IsDelimiterRow(string line)
        {
            var cells = SplitRow(line);
            return cells.Count > 0 && cells.All(c => c.Length > 0 && c.Trim(':').Length > 0 && c.Trim(':').All(ch => ch == '-'));
        }

        private static bool StartsBlock(string line) =>
            FenceLength(line) > 0 || line.TrimStart().StartsWith("<!--", StringComparison.Ordinal) || Heading(line) != null || ListMarker(line) != null;

        private static int ReadCode(string[] lines, int start, int fence, string file, List<MarkdownBlock> blocks)
        {
            string language = lines[start].Substring(fence).Trim();
            var code = new List<string>();
            for (int i = start + 1; i < lines.Length; i++)
            {
                string candidate = lines[i].TrimEnd();
                if (FenceLength(candidate) >= fence && candidate.All(c => c == '`'))
                {
                    blocks.Add(new CodeBlock(start + 1, language, string.Join("\n", code)));
                    return i + 1;
                }

                code.Add(lines[i]);
            }

            throw new HelpSourceException(file, start + 1, "the code block is not closed (a line of " + fence.ToString(CultureInfo.InvariantCulture) + " backticks).");
        }

        private static int ReadComment(string[] lines, int start, string file, List<MarkdownBlock> blocks)
        {
            var text = new StringBuilder();
            for (int i = start; i < lines.Length; i++)
            {
                text.Append(lines[i]).Append('\n');
                string s = text.ToString();
                int end = s.IndexOf("-->", s.IndexOf("<!--", StringComparison.Ordinal) + 4, StringComparison.Ordinal);
                if (end >= 0)
                {
                    if (s.Substring(end + 3).Trim().Length > 0)
                    {
                        throw new HelpSourceException(file, i + 1, "text after an HTML comment on the same line; put the comment on lines of its own.");
                    }

                    int open = s.IndexOf("<!--", StringComparison.Ordinal);
                    blocks.Add(new CommentBlock(start + 1, s.Substring(open + 4, end - open - 4).Trim()));
                    return i + 1;
                }
            }

            throw new HelpSourceException(file, start + 1, "the HTML comment is not closed (-->).");
        }

        private static int ReadTable(string[] lines, int start, string file, List<MarkdownBlock> blocks)
        {
            var header = SplitRow(lines[start]);
            if (SplitRow(lines[start + 1]).Count != header.Count)
            {
                throw new HelpSourceException(file, start + 2, "the table's delimiter row has a different number of cells than its header.");
            }

            var rows = new List<IReadOnlyList<string>>();
            int i = start + 2;
            for (; i < lines.Length && lines[i].TrimStart().StartsWith('|'); i++)
            {
                var cells = SplitRow(lines[i]);
                if (cells.Count > header.Count)
                {
                    throw new HelpSourceException(file, i + 1, "the table row has more cells than the header (write a literal bar as \\|).");
                }

                while (cells.Count < header.Count)
                {
                    cells.Add(string.Empty);
                }

                rows.Add(cells);
            }

            blocks.Add(new TableBlock(start + 1, header, rows));
            return i;
        }

        /// <summary>The cells of a table row: split at bars that are neither escaped nor inside a code span; trimmed.</summary>
        internal static List<string> SplitRow(string line)
        {
            string s = line.Trim();
            var cells = new List<string>();
            var cell = new StringBuilder();
            int i = s.StartsWith('|') ? 1 : 0;
            int ticks = 0;
            for (; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '\\' && i + 1 < s.Length && s[i + 1] == '|')
                {
                    cell.Append('\\').Append('|');
                    i++;
                    continue;
                }

                if (c == '`')
                {
                    int run = 0;
                    while (i + run < s.Length && s[i + run] == '`')
                    {
                        run++;
                    }

                    ticks = ticks == 0 ? run : (ticks == run ? 0 : ticks);
                    cell.Append('`', run);
                    i += run - 1;
                    continue;
                }

                if (c == '|' && ticks == 0)
                {
                    cells.Add(cell.ToString().Trim());
                    cell.Clear();
                    continue;
                }

                cell.Append(c);
            }

            if (cell.ToString().Trim().Length > 0 || !s.EndsWith('|'))
            {
                cells.Add(cell.ToString().Trim());
            }

            return cells;
        }

        private static int ReadList(string[] lines, int start, List<MarkdownBlock> blocks)
        {
            var items = new List<string>();
            bool ordered = ListMarker(lines[start])!.Value.Ordered;
            var current = new StringBuilder();
            int i = start;
            bool blank = false;
            for (; i < lines.Length; i++)
            {
                string line = lines[i];
                if (line.Trim().Length == 0)
                {
                    blank = true;
                    continue;
                }

                var marker = ListMarker(line);
                bool indented = line.StartsWith("  ", StringComparison.Ordinal);
                if (marker != null && !indented && marker.Value.Ordered != ordered)
                {
                    break; // a list of the other kind starts
                }

                if (marker != null && !indented)
                {
                    if (current.Length > 0)
                    {
                        items.Add(current.ToString());
                    }

                    current.Clear().Append(line.Substring(marker.Value.TextStart).Trim());
                    blank = false;
                    continue;
                }

                if (indented && FenceLength(line.TrimStart()) == 0)
                {
                    current.Append(blank ? "\n\n" : " ").Append(line.Trim());
                    blank = false;
                    continue;
                }

                if (!blank && !StartsBlock(line) && !line.TrimStart().StartsWith('|'))
                {
                    current.Append(' ').Append(line.Trim()); // a lazy continuation line
                    continue;
                }

                break;
            }

            items.Add(current.ToString());
            blocks.Add(new ListBlock(start + 1, ordered, items));
            return i;
        }

        private static int ReadParagraph(string[] lines, int start, List<MarkdownBlock> blocks)
        {
            var text = new List<string>();
            int i = start;
            for (; i < lines.Length; i++)
            {
                string line = lines[i];
                if (line.Trim().Length == 0 || (i > start && (StartsBlock(line) || (line.TrimStart().StartsWith('|') && i + 1 < lines.Length && IsDelimiterRow(lines[i + 1])))))
                {
                    break;
                }

                text.Add(line.Trim());
            }

            blocks.Add(new ParagraphBlock(start + 1, string.Join(" ", text)));
            return i;
        }

        /// <summary>
        /// Inline Markdown as plain text: code spans keep their content without backticks, **bold** and *italic* lose their
        /// markers, [text](address) becomes "text (address)", &lt;address&gt; the address, and backslash escapes their character.
        /// </summary>
        public static string ToPlainText(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            var sb = new StringBuilder(text.Length);
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (c == '\\' && i + 1 < text.Length && char.IsAsciiLetterOrDigit(text[i + 1]) == false && text[i + 1] > ' ' && text[i + 1] < 127)
                {
                    sb.Append(text[i + 1]);
                    i += 2;
                    continue;
                }

                if (c == '`')
                {
                    i = AppendCodeSpan(text, i, sb);
                    continue;
                }

                if (c == '*')
                {
                    int run = i + 1 < text.Length && text[i + 1] == '*' ? 2 : 1;
                    int close = EmphasisEnd(text, i, run);
                    if (close > 0)
                    {
                        sb.Append(ToPlainText(text.Substring(i + run, close - i - run)));
                        i = close + run;
                        continue;
                    }
                }

                if (c == '[' && Link(text, i) is (string label, string target, int end))
                {
                    string plain = ToPlainText(label);
                    sb.Append(plain);
                    if (target.Length > 0 && !string.Equals(target, plain, StringComparison.Ordinal))
                    {
                        sb.Append(" (").Append(target).Append(')');
                    }

                    i = end;
                    continue;
                }

                if (c == '<' && text.IndexOf('>', i) is int gt and > 0)
                {
                    string inner = text.Substring(i + 1, gt - i - 1);
                    if (inner.StartsWith("!--", StringComparison.Ordinal) && inner.EndsWith("--", StringComparison.Ordinal))
                    {
                        i = gt + 1;
                        continue;
                    }

                    if ((inner.StartsWith("https://", StringComparison.Ordinal) || inner.StartsWith("http://", StringComparison.Ordinal)) && !inner.Contains(' ', StringComparison.Ordinal))
                    {
                        sb.Append(inner);
                        i = gt + 1;
                        continue;
                    }
                }

                sb.Append(c);
                i++;
            }

            return sb.ToString();
        }

        /// <summary>Appends the code span (or the unmatched backtick run) starting at <paramref name="i"/>; returns the index after it.</summary>
        private static int AppendCodeSpan(string text, int i, StringBuilder sb)
        {
            int run = 0;
            while (i + run < text.Length && text[i + run] == '`')
            {
                run++;
            }

            int close = FindRun(text, i + run, run);
            if (close > 0)
            {
                string code = text.Substring(i + run, close - i - run);
                if (code.Length >= 2 && code[0] == ' ' && code[^1] == ' ' && code.Trim().Length > 0)
                {
                    code = code.Substring(1, code.Length - 2);
                }

                sb.Append(code);
                return close + run;
            }

            sb.Append('`', run);
            return i + run;
        }

        private static int FindRun(string text, int from, int run)
        {
            for (int j = from; j < text.Length; j++)
            {
                if (text[j] != '`')
                {
                    continue;
                }

                int n = 0;
                while (j + n < text.Length && text[j + n] == '`')
                {
                    n++;
                }

                if (n == run)
                {
                    return j;
                }

                j += n - 1;
            }

            return -1;
        }

        /// <summary>Where the emphasis opened at <paramref name="open"/> closes, or -1 when the stars are literal text.</summary>
        private static int EmphasisEnd(string text, int open, int run)
        {
            bool leftOk = open == 0 || !char.IsLetterOrDigit(text[open - 1]);
            if (!leftOk || open + run >= text.Length || char.IsWhiteSpace(text[open + run]) || text[open + run] == '*')
            {
                return -1;
            }

            string marker = new string('*', run);
            for (int j = open + run + 1; j <= text.Length - run; j++)
            {
                if (text[j] == '`')
                {
                    int ticks = 0;
                    while (j + ticks < text.Length && text[j + ticks] == '`')
                    {
                        ticks++;
                    }

                    int close = FindRun(text, j + ticks, ticks);
                    if (close > 0)
                    {
                        j = close + ticks - 1;
                        continue;
                    }
                }

                if (string.CompareOrdinal(text, j, marker, 0, run) == 0 && !char.IsWhiteSpace(text[j - 1])
                    && (j + run == text.Length || !char.IsLetterOrDigit(text[j + run])) && (j + run == text.Length || text[j + run] != '*'))
                {
                    return j;
                }
            }

            return -1;
        }

        private static (string Label, string Target, int End)? Link(string text, int open)
        {
            int depth = 0;
            for (int j = open; j < text.Length; j++)
            {
                if (text[j] == '\\')
                {
                    j++;
                    continue;
                }

                if (text[j] == '[')
                {
                    depth++;
                }
                else if (text[j] == ']' && --depth == 0)
                {
                    if (j + 1 < text.Length && text[j + 1] == '(')
                    {
                        int close = text.IndexOf(')', j + 2);
                        if (close > 0)
                        {
                            return (text.Substring(open + 1, j - open - 1), text.Substring(j + 2, close - j - 2).Trim(), close + 1);
                        }
                    }

                    return null;
                }
            }

            return null;
        }
    }
}
