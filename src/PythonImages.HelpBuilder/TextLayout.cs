using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace PythonImages.HelpBuilder
{
    /// <summary>Plain-text layout of Markdown blocks: wrapped paragraphs, hanging list items, verbatim code and column tables.</summary>
    public static class TextLayout
    {
        /// <summary>The page width of about topics and of tables in cmdlet help.</summary>
        public const int PageWidth = 80;

        /// <summary>Words of <paramref name="text"/> wrapped to lines of at most <paramref name="width"/> characters (a longer word gets a line of its own).</summary>
        public static IReadOnlyList<string> Wrap(string text, int width)
        {
            ArgumentNullException.ThrowIfNull(text);
            var lines = new List<string>();
            foreach (var paragraph in text.Split('\n'))
            {
                var line = new StringBuilder();
                foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (line.Length > 0 && line.Length + 1 + word.Length > width)
                    {
                        lines.Add(line.ToString());
                        line.Clear();
                    }

                    if (line.Length > 0)
                    {
                        line.Append(' ');
                    }

                    line.Append(word);
                }

                lines.Add(line.ToString());
            }

            return lines;
        }

        /// <summary>
        /// A table as text lines: columns separated by two spaces, the header underlined with dashes. When the natural widths
        /// do not fit <paramref name="width"/>, the widest columns are narrowed and their cells wrapped, and rows are separated
        /// by a blank line.
        /// </summary>
        public static IReadOnlyList<string> Table(TableBlock table, int width)
        {
            ArgumentNullException.ThrowIfNull(table);
            var header = table.Header.Select(Markdown.ToPlainText).ToArray();
            var rows = table.Rows.Select(r => r.Select(Markdown.ToPlainText).ToArray()).ToList();
            int columns = header.Length;
            var natural = new int[columns];
            var longestWord = new int[columns];
            for (int c = 0; c < columns; c++)
            {
                foreach (var cell in rows.Select(r => r[c]).Prepend(header[c]))
                {
                    natural[c] = Math.Max(natural[c], cell.Length);
                    longestWord[c] = Math.Max(longestWord[c], cell.Split(' ').Max(w => w.Length));
                }
            }

            int available = Math.Max(columns, width - (2 * (columns - 1)));
            var widths = (int[])natural.Clone();
            bool wrapped = natural.Sum() > available;
            if (wrapped)
            {
                // Narrow the widest columns first: each column keeps its natural width when it fits a fair share of what is left.
                var open = Enumerable.Range(0, columns).OrderBy(c => natural[c]).ToList();
                int left = available;
                while (open.Count > 0)
                {
                    int share = left / open.Count;
                    int c = open[0];
                    if (natural[c] <= share)
                    {
                        widths[c] = natural[c];
                        left -= natural[c];
                        open.RemoveAt(0);
                        continue;
                    }

                    foreach (var rest in open)
                    {
                        widths[rest] = Math.Max(Math.Min(longestWord[rest], 24), share);
                    }

                    break;
                }
            }

            var lines = new List<string>();
            AddRow(lines, header, widths);
            lines.Add(string.Join("  ", widths.Select(w => new string('-', w))).TrimEnd());
            foreach (var row in rows)
            {
                if (wrapped && row != rows[0])
                {
                    lines.Add(string.Empty);
                }

                AddRow(lines, row, widths);
            }

            return lines;
        }

        private static void AddRow(List<string> lines, string[] cells, int[] widths)
        {
            var wrappedCells = cells.Select((cell, c) => Hard(Wrap(cell, widths[c]), widths[c])).ToArray();
            int height = wrappedCells.Max(w => w.Count);
            for (int l = 0; l < height; l++)
            {
                var line = new StringBuilder();
                for (int c = 0; c < cells.Length; c++)
                {
                    string part = l < wrappedCells[c].Count ? wrappedCells[c][l] : string.Empty;
                    line.Append(c < cells.Length - 1 ? part.PadRight(widths[c] + 2) : part);
                }

                lines.Add(line.ToString().TrimEnd());
            }
        }

        /// <summary>Breaks words longer than the column.</summary>
        private static List<string> Hard(IReadOnlyList<string> lines, int width)
        {
            var result = new List<string>();
            foreach (var line in lines)
            {
                string rest = line;
                while (rest.Length > width)
                {
                    result.Add(rest.Substring(0, width));
                    rest = rest.Substring(width);
                }

                result.Add(rest);
            }

            return result;
        }

        /// <summary>
        /// Blocks as text lines at <paramref name="indent"/> spaces: paragraphs wrapped, list items with a hanging indent,
        /// code blocks verbatim four spaces further in, tables laid out in columns; a blank line between blocks.
        /// </summary>
        public static IReadOnlyList<string> Blocks(IEnumerable<MarkdownBlock> blocks, int indent, int width)
        {
            ArgumentNullException.ThrowIfNull(blocks);
            var lines = new List<string>();
            string pad = new string(' ', indent);
            foreach (var block in blocks)
            {
                var part = new List<string>();
                switch (block)
                {
                    case ParagraphBlock p:
                        part.AddRange(Wrap(Markdown.ToPlainText(p.Text), width - indent).Select(l => pad + l));
                        break;
                    case ListBlock list:
                        for (int n = 0; n < list.Items.Count; n++)
                        {
                            string bullet = list.Ordered ? (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + ". " : "- ";
                            var item = Wrap(Markdown.ToPlainText(list.Items[n]), width - indent - bullet.Length);
                            part.AddRange(item.Select((l, k) => l.Length == 0 ? string.Empty : pad + (k == 0 ? bullet : new string(' ', bullet.Length)) + l));
                        }

                        break;
                    case CodeBlock code:
                        part.AddRange(code.Code.Split('\n').Select(l => l.Length == 0 ? string.Empty : pad + "    " + l.TrimEnd()));
                        break;
                    case TableBlock table:
                        part.AddRange(Table(table, width - indent).Select(l => l.Length == 0 ? string.Empty : pad + l));
                        break;
                    case HeadingBlock h:
                        string title = Markdown.ToPlainText(h.Text);
                        part.Add(pad + title);
                        part.Add(pad + new string('-', title.Length));
                        break;
                    default:
                        continue; // comments are not shown
                }

                if (lines.Count > 0)
                {
                    lines.Add(string.Empty);
                }

                lines.AddRange(part);
            }

            return lines;
        }
    }
}
