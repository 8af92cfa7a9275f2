using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace PythonImages.HelpBuilder
{
    /// <summary>An about_ topic read from docs/en-US/about_*.md and written as the plain text PowerShell shows.</summary>
    public sealed class AboutTopic
    {
        /// <summary>The topic name (about_PythonImages).</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>The ## SHORT DESCRIPTION, as plain text.</summary>
        public string ShortDescription { get; init; } = string.Empty;

        /// <summary>Every ## section after the first heading: (title, blocks).</summary>
        public IReadOnlyList<(string Title, IReadOnlyList<MarkdownBlock> Blocks)> Sections { get; init; } = Array.Empty<(string, IReadOnlyList<MarkdownBlock>)>();

        /// <summary>Reads and checks a topic.</summary>
        public static AboutTopic Parse(string text, string file)
        {
            var blocks = Markdown.Parse(text, file).ToList();
            if (blocks.Count == 0 || blocks[0] is not HeadingBlock { Level: 1 } title || !title.Text.StartsWith("about_", StringComparison.Ordinal))
            {
                throw new HelpSourceException(file, 1, "an about topic starts with '# about_<Name>'.");
            }

            string expected = System.IO.Path.GetFileNameWithoutExtension(file);
            if (!string.Equals(title.Text, expected, StringComparison.Ordinal))
            {
                throw new HelpSourceException(file, title.Line, $"the topic is named '{title.Text}' but the file is {expected}.md.");
            }

            var sections = new List<(string, IReadOnlyList<MarkdownBlock>)>();
            for (int i = 1; i < blocks.Count; i++)
            {
                if (blocks[i] is HeadingBlock { Level: 1 } h1)
                {
                    throw new HelpSourceException(file, h1.Line, "a second # heading; a file holds one topic.");
                }

                if (blocks[i] is HeadingBlock { Level: 2 } h)
                {
                    int end = blocks.FindIndex(i + 1, b => b is HeadingBlock { Level: <= 2 });
                    end = end < 0 ? blocks.Count : end;
                    sections.Add((Markdown.ToPlainText(h.Text), blocks.Skip(i + 1).Take(end - i - 1).ToList()));
                    i = end - 1;
                }
                else if (sections.Count == 0 && blocks[i] is not CommentBlock)
                {
                    throw new HelpSourceException(file, blocks[i].Line, "text before ## SHORT DESCRIPTION.");
                }
            }

            if (sections.Count < 2 || sections[0].Item1 != "SHORT DESCRIPTION" || sections[1].Item1 != "LONG DESCRIPTION")
            {
                throw new HelpSourceException(file, title.Line, "an about topic has ## SHORT DESCRIPTION, then ## LONG DESCRIPTION (then any ## sections).");
            }

            var shortText = sections[0].Item2.OfType<ParagraphBlock>().ToList();
            if (shortText.Count != 1 || sections[0].Item2.Count(b => b is not CommentBlock) != 1)
            {
                throw new HelpSourceException(file, title.Line, "## SHORT DESCRIPTION holds exactly one paragraph.");
            }

            return new AboutTopic { Name = title.Text, ShortDescription = Markdown.ToPlainText(shortText[0].Text), Sections = sections };
        }

        /// <summary>
        /// The .help.txt text: TOPIC, then each section's title in capitals at the margin and its text indented four spaces,
        /// wrapped at <see cref="TextLayout.PageWidth"/> columns (the short description stays on one line: Get-Help reads the
        /// topic's synopsis from that line); sub-headings underlined.
        /// </summary>
        public string ToText()
        {
            var sb = new StringBuilder();
            sb.Append("TOPIC\n    ").Append(Name).Append('\n');
            foreach (var (title, blocks) in Sections)
            {
                sb.Append('\n').Append(title.ToUpperInvariant()).Append('\n');
                if (string.Equals(title, "SHORT DESCRIPTION", StringComparison.Ordinal))
                {
                    // Get-Help takes an about topic's synopsis from the first line of this section: keep it on one line.
                    sb.Append("    ").Append(ShortDescription).Append('\n');
                    continue;
                }

                foreach (var line in TextLayout.Blocks(blocks, 4, TextLayout.PageWidth))
                {
                    sb.Append(line).Append('\n');
                }
            }

            return sb.ToString();
        }
    }
}
