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

        /// <summary>
        /// Reads a topic. The usual form is "# about_Name", "## SHORT DESCRIPTION" (one paragraph), "## LONG DESCRIPTION" (either heading in any case),
        /// then any ## sections. A simpler file is accepted too: without those two headings, its first paragraph is the short
        /// description and the text before its first ## heading the long description; its ## sections follow as they are.
        /// </summary>
        public static AboutTopic Parse(string text, string file)
        {
            var blocks = Markdown.Parse(text, file).ToList();
            string name = System.IO.Path.GetFileNameWithoutExtension(file);
            if (!name.StartsWith("about_", StringComparison.Ordinal))
            {
                throw new HelpSourceException(file, 1, "an about topic's file is named about_<Name>.md.");
            }

            int first = 0;
            if (blocks.Count > 0 && blocks[0] is HeadingBlock { Level: 1 } title)
            {
                if (title.Text.StartsWith("about_", StringComparison.Ordinal) && !string.Equals(title.Text, name, StringComparison.Ordinal))
                {
                    throw new HelpSourceException(file, title.Line, $"the topic is named '{title.Text}' but the file is {name}.md.");
                }

                first = 1;
            }

            if (blocks.Skip(first).FirstOrDefault(b => b is HeadingBlock { Level: 1 }) is HeadingBlock second)
            {
                throw new HelpSourceException(file, second.Line, "a second # heading; a file holds one topic.");
            }

            // The text before the first ## heading, then each ## section with its blocks (deeper headings stay inside).
            var intro = new List<MarkdownBlock>();
            var sections = new List<(string Title, List<MarkdownBlock> Blocks, int Line)>();
            foreach (var block in blocks.Skip(first))
            {
                if (block is HeadingBlock { Level: 2 } h)
                {
                    sections.Add((Markdown.ToPlainText(h.Text), new List<MarkdownBlock>(), h.Line));
                }
                else if (sections.Count == 0)
                {
                    intro.Add(block);
                }
                else
                {
                    sections[^1].Blocks.Add(block);
                }
            }

            var result = new List<(string, IReadOnlyList<MarkdownBlock>)>();
            ParagraphBlock shortText;
            if (sections.Count > 0 && IsHeading(sections[0].Title, "SHORT DESCRIPTION"))
            {
                if (intro.Any(b => b is not CommentBlock))
                {
                    throw new HelpSourceException(file, intro.First(b => b is not CommentBlock).Line, "text before ## SHORT DESCRIPTION.");
                }

                var content = sections[0].Blocks.Where(b => b is not CommentBlock).ToList();
                if (content.Count != 1 || content[0] is not ParagraphBlock p)
                {
                    throw new HelpSourceException(file, sections[0].Line, "## SHORT DESCRIPTION holds exactly one paragraph.");
                }

                if (sections.Count < 2 || !IsHeading(sections[1].Title, "LONG DESCRIPTION"))
                {
                    throw new HelpSourceException(file, sections[0].Line, "## SHORT DESCRIPTION is followed by ## LONG DESCRIPTION.");
                }

                shortText = p;
                // The two standard headings in any case ("## Short description" too), shown as PowerShell's own topics show them.
                result.AddRange(sections.Select((x, i) => (i < 2 ? x.Title.ToUpperInvariant() : x.Title, (IReadOnlyList<MarkdownBlock>)x.Blocks)));
            }
            else
            {
                var firstParagraph = intro.OfType<ParagraphBlock>().FirstOrDefault() ?? sections.SelectMany(x => x.Blocks).OfType<ParagraphBlock>().FirstOrDefault()
                    ?? throw new HelpSourceException(file, 1, "the topic has no paragraph to take its short description from.");
                shortText = firstParagraph;
                result.Add(("SHORT DESCRIPTION", new MarkdownBlock[] { firstParagraph }));
                result.Add(("LONG DESCRIPTION", intro.Where(b => b != firstParagraph).ToList()));
                result.AddRange(sections.Select(x => (x.Title, (IReadOnlyList<MarkdownBlock>)x.Blocks.Where(b => b != firstParagraph).ToList())));
            }

            return new AboutTopic { Name = name, ShortDescription = Markdown.ToPlainText(shortText.Text), Sections = result };
        }

        private static bool IsHeading(string title, string standard) => string.Equals(title, standard, StringComparison.OrdinalIgnoreCase);

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
