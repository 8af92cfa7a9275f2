using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace PythonImages.HelpBuilder
{
    /// <summary>The help of one cmdlet, read from docs/en-US/&lt;Verb-Noun&gt;.md (format: docs/README.md).</summary>
    public sealed class CommandHelp
    {
        /// <summary>The sections of a cmdlet file, in order; the last two may be left out.</summary>
        public static readonly IReadOnlyList<string> Sections = new[] { "SYNOPSIS", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" };

        /// <summary>The cmdlet name (the file's # heading).</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>The source file.</summary>
        public string File { get; init; } = string.Empty;

        /// <summary>One paragraph: what the cmdlet does.</summary>
        public string Synopsis { get; init; } = string.Empty;

        /// <summary>The long description.</summary>
        public IReadOnlyList<MarkdownBlock> Description { get; init; } = Array.Empty<MarkdownBlock>();

        /// <summary>The examples, in order.</summary>
        public IReadOnlyList<HelpExample> Examples { get; init; } = Array.Empty<HelpExample>();

        /// <summary>The parameters, in the order of the file.</summary>
        public IReadOnlyList<ParameterHelp> Parameters { get; init; } = Array.Empty<ParameterHelp>();

        /// <summary>What can be piped in.</summary>
        public IReadOnlyList<TypeHelp> Inputs { get; init; } = Array.Empty<TypeHelp>();

        /// <summary>What comes out.</summary>
        public IReadOnlyList<TypeHelp> Outputs { get; init; } = Array.Empty<TypeHelp>();

        /// <summary>Notes (may be empty).</summary>
        public IReadOnlyList<MarkdownBlock> Notes { get; init; } = Array.Empty<MarkdownBlock>();

        /// <summary>Related commands and topics (plain text).</summary>
        public IReadOnlyList<string> RelatedLinks { get; init; } = Array.Empty<string>();

        /// <summary>Reads and checks a cmdlet file.</summary>
        public static CommandHelp Parse(string text, string file)
        {
            var blocks = Markdown.Parse(text, file);
            if (blocks.Count == 0 || blocks[0] is not HeadingBlock { Level: 1 } title)
            {
                throw new HelpSourceException(file, 1, "a cmdlet help file starts with '# <Verb-Noun>'.");
            }

            string name = title.Text.Trim();
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, @"\A[A-Z][a-zA-Z]+-[A-Z][A-Za-z0-9]+\z"))
            {
                throw new HelpSourceException(file, title.Line, $"'{name}' is not a cmdlet name (Verb-Noun).");
            }

            var sections = SplitSections(blocks.Skip(1).ToList(), file);
            var synopsis = sections["SYNOPSIS"];
            if (synopsis.Blocks.Count != 1 || synopsis.Blocks[0] is not ParagraphBlock synopsisText)
            {
                throw new HelpSourceException(file, synopsis.Line, "## SYNOPSIS holds exactly one paragraph.");
            }

            var description = sections["DESCRIPTION"];
            if (!description.Blocks.Any(b => b is not CommentBlock))
            {
                throw new HelpSourceException(file, description.Line, "## DESCRIPTION is empty.");
            }

            return new CommandHelp
            {
                Name = name,
                File = file,
                Synopsis = Markdown.ToPlainText(synopsisText.Text),
                Description = description.Blocks,
                Examples = ParseExamples(sections["EXAMPLES"], file),
                Parameters = ParseParameters(sections["PARAMETERS"], file),
                Inputs = ParseTypes(sections["INPUTS"], file),
                Outputs = ParseTypes(sections["OUTPUTS"], file),
                Notes = sections.TryGetValue("NOTES", out var notes) ? notes.Blocks : Array.Empty<MarkdownBlock>(),
                RelatedLinks = sections.TryGetValue("RELATED LINKS", out var links) ? ParseLinks(links, file) : Array.Empty<string>(),
            };
        }

        private sealed record Section(int Line, IReadOnlyList<MarkdownBlock> Blocks);

        private static Dictionary<string, Section> SplitSections(List<MarkdownBlock> blocks, string file)
        {
            var result = new Dictionary<string, Section>(StringComparer.Ordinal);
            int expected = 0;
            for (int i = 0; i < blocks.Count; i++)
            {
                if (blocks[i] is not HeadingBlock { Level: 2 } h)
                {
                    if (i == 0)
                    {
                        throw new HelpSourceException(file, blocks[i].Line, "text before ## SYNOPSIS.");
                    }

                    if (blocks[i] is HeadingBlock { Level: 1 })
                    {
                        throw new HelpSourceException(file, blocks[i].Line, "a second # heading; a file documents one cmdlet.");
                    }

                    continue;
                }

                int index = Sections.ToList().IndexOf(h.Text);
                if (index < 0)
                {
                    throw new HelpSourceException(file, h.Line, $"unknown section '## {h.Text}'; the sections are ## {string.Join(", ## ", Sections)}.");
                }

                if (index < expected || result.ContainsKey(h.Text))
                {
                    throw new HelpSourceException(file, h.Line, $"## {h.Text} is out of order; the sections are ## {string.Join(", ## ", Sections)}, in this order.");
                }

                for (int missing = expected; missing < index; missing++)
                {
                    if (missing < 6)
                    {
                        throw new HelpSourceException(file, h.Line, $"## {Sections[missing]} is missing before ## {h.Text}.");
                    }
                }

                int end = blocks.FindIndex(i + 1, b => b is HeadingBlock { Level: 2 });
                end = end < 0 ? blocks.Count : end;
                result[h.Text] = new Section(h.Line, blocks.GetRange(i + 1, end - i - 1));
                expected = index + 1;
            }

            if (expected < 6)
            {
                throw new HelpSourceException(file, blocks.Count > 0 ? blocks[^1].Line : 1, $"## {Sections[expected]} is missing.");
            }

            return result;
        }

        /// <summary>Splits a section at its ### headings: (heading, blocks until the next ###).</summary>
        private static List<(HeadingBlock Heading, List<MarkdownBlock> Blocks)> SubSections(Section section, string file, string what)
        {
            var result = new List<(HeadingBlock, List<MarkdownBlock>)>();
            foreach (var block in section.Blocks)
            {
                if (block is HeadingBlock { Level: 3 } h)
                {
                    result.Add((h, new List<MarkdownBlock>()));
                }
                else if (block is HeadingBlock other)
                {
                    throw new HelpSourceException(file, other.Line, $"only ### headings ({what}) belong in this section.");
                }
                else if (result.Count == 0)
                {
                    if (block is not CommentBlock)
                    {
                        throw new HelpSourceException(file, block.Line, $"text before the first ### heading ({what}).");
                    }
                }
                else
                {
                    result[^1].Item2.Add(block);
                }
            }

            return result;
        }

        private static List<HelpExample> ParseExamples(Section section, string file)
        {
            var examples = new List<HelpExample>();
            foreach (var (heading, blocks) in SubSections(section, file, "### Example N: Title"))
            {
                var match = System.Text.RegularExpressions.Regex.Match(heading.Text, @"\AExample (\d+): (\S.*)\z");
                if (!match.Success)
                {
                    throw new HelpSourceException(file, heading.Line, "an example heading is '### Example N: Title'.");
                }

                int number = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                if (number != examples.Count + 1)
                {
                    throw new HelpSourceException(file, heading.Line, $"this is example {number}; expected example {examples.Count + 1}.");
                }

                examples.Add(HelpExample.Parse(number, match.Groups[2].Value.Trim(), heading.Line, blocks, file));
            }

            if (examples.Count < 2)
            {
                throw new HelpSourceException(file, section.Line, "every cmdlet has at least two examples.");
            }

            return examples;
        }

        private static List<ParameterHelp> ParseParameters(Section section, string file)
        {
            var parameters = new List<ParameterHelp>();
            foreach (var (heading, blocks) in SubSections(section, file, "### -ParameterName"))
            {
                if (!System.Text.RegularExpressions.Regex.IsMatch(heading.Text, @"\A-[A-Za-z][A-Za-z0-9]*\z"))
                {
                    throw new HelpSourceException(file, heading.Line, "a parameter heading is '### -Name'.");
                }

                string name = heading.Text.Substring(1);
                if (parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new HelpSourceException(file, heading.Line, $"-{name} is documented twice.");
                }

                var description = blocks.Where(b => !(b is CodeBlock { Language: "yaml" })).ToList();
                if (!description.Any(b => b is ParagraphBlock))
                {
                    throw new HelpSourceException(file, heading.Line, $"-{name} has no description paragraph.");
                }

                var entries = blocks.OfType<CodeBlock>().Where(b => b.Language == "yaml").Select(b => ParameterSetHelp.Parse(b, file)).ToList();
                if (entries.Count == 0)
                {
                    throw new HelpSourceException(file, heading.Line, $"-{name} has no ```yaml block with its Type, Parameter Sets, Aliases, Required, Position, Default value, Accept pipeline input and Accept wildcard characters.");
                }

                parameters.Add(new ParameterHelp(name, heading.Line, description, entries));
            }

            return parameters;
        }

        private static List<TypeHelp> ParseTypes(Section section, string file)
        {
            var types = SubSections(section, file, "### TypeName").Select(s => new TypeHelp(s.Heading.Text.Trim(), s.Blocks)).ToList();
            if (types.Count == 0)
            {
                throw new HelpSourceException(file, section.Line, "name at least one type (### None when there is none).");
            }

            return types;
        }

        private static List<string> ParseLinks(Section section, string file)
        {
            var links = new List<string>();
            foreach (var block in section.Blocks)
            {
                switch (block)
                {
                    case ListBlock list:
                        links.AddRange(list.Items.Select(Markdown.ToPlainText));
                        break;
                    case CommentBlock:
                        break;
                    default:
                        throw new HelpSourceException(file, block.Line, "## RELATED LINKS is a list (- Get-PythonTag, - about_PythonImages).");
                }
            }

            return links;
        }
    }

    /// <summary>One parameter of a cmdlet: its description and one or more attribute blocks (one per group of parameter sets).</summary>
    public sealed class ParameterHelp
    {
        /// <summary>Creates a parameter entry.</summary>
        public ParameterHelp(string name, int line, IReadOnlyList<MarkdownBlock> description, IReadOnlyList<ParameterSetHelp> sets)
        {
            Name = name;
            Line = line;
            Description = description;
            Sets = sets;
        }

        /// <summary>The name without the dash.</summary>
        public string Name { get; }

        /// <summary>The line of the ### heading.</summary>
        public int Line { get; }

        /// <summary>What the parameter means.</summary>
        public IReadOnlyList<MarkdownBlock> Description { get; }

        /// <summary>The attribute blocks.</summary>
        public IReadOnlyList<ParameterSetHelp> Sets { get; }

        /// <summary>The block that covers <paramref name="setName"/> (a named set, or one of "(All)"), or null.</summary>
        public ParameterSetHelp? For(string setName) =>
            Sets.FirstOrDefault(s => s.SetNames.Contains(setName, StringComparer.Ordinal)) ?? Sets.FirstOrDefault(s => s.AllSets);
    }

    /// <summary>The attributes of a parameter in some parameter sets (one ```yaml block).</summary>
    public sealed class ParameterSetHelp
    {
        private static readonly string[] Fields = { "Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters" };

        /// <summary>The type name as PowerShell shows it (String[], SwitchParameter).</summary>
        public string Type { get; init; } = string.Empty;

        /// <summary>True for "(All)".</summary>
        public bool AllSets { get; init; }

        /// <summary>The named sets (empty for "(All)").</summary>
        public IReadOnlyList<string> SetNames { get; init; } = Array.Empty<string>();

        /// <summary>The aliases (empty for None).</summary>
        public IReadOnlyList<string> Aliases { get; init; } = Array.Empty<string>();

        /// <summary>Mandatory.</summary>
        public bool Required { get; init; }

        /// <summary>The position, or null for Named.</summary>
        public int? Position { get; init; }

        /// <summary>The default, as text.</summary>
        public string DefaultValue { get; init; } = "None";

        /// <summary>ValueFromPipeline.</summary>
        public bool ByValue { get; init; }

        /// <summary>ValueFromPipelineByPropertyName.</summary>
        public bool ByPropertyName { get; init; }

        /// <summary>SupportsWildcards.</summary>
        public bool Wildcards { get; init; }

        /// <summary>The text of "Accept pipeline input" as Get-Help shows it.</summary>
        public string PipelineInput => !ByValue && !ByPropertyName ? "False" : "True (" + string.Join(", ", new[] { ByValue ? "ByValue" : null, ByPropertyName ? "ByPropertyName" : null }.Where(s => s != null)) + ")";

        /// <summary>True for SwitchParameter.</summary>
        public bool IsSwitch => string.Equals(Type, "SwitchParameter", StringComparison.Ordinal);

        /// <summary>Reads one ```yaml block (exactly the eight fields, in order).</summary>
        public static ParameterSetHelp Parse(CodeBlock block, string file)
        {
            ArgumentNullException.ThrowIfNull(block);
            var lines = block.Code.Split('\n').Where(l => l.Trim().Length > 0).ToList();
            var values = new List<string>();
            for (int i = 0; i < Fields.Length; i++)
            {
                string prefix = Fields[i] + ":";
                if (i >= lines.Count || !lines[i].StartsWith(prefix, StringComparison.Ordinal))
                {
                    throw new HelpSourceException(file, block.Line + 1 + i, $"expected '{prefix} ...' here; a parameter block has the fields {string.Join(", ", Fields)}, in this order.");
                }

                values.Add(lines[i].Substring(prefix.Length).Trim());
            }

            if (lines.Count > Fields.Length)
            {
                throw new HelpSourceException(file, block.Line + 1 + Fields.Length, "unexpected line after 'Accept wildcard characters'.");
            }

            int Line(int field) => block.Line + 1 + field;
            bool Bool(int field) => values[field] switch
            {
                "True" => true,
                "False" => false,
                _ => throw new HelpSourceException(file, Line(field), $"{Fields[field]} is True or False, not '{values[field]}'."),
            };
            string[] List(string value) => value.Length == 0 || value == "None" ? Array.Empty<string>() : value.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();

            if (!System.Text.RegularExpressions.Regex.IsMatch(values[0], @"\A[A-Za-z][A-Za-z0-9_.`]*(\[\])?\z"))
            {
                throw new HelpSourceException(file, Line(0), $"'{values[0]}' is not a type name (String, String[], SwitchParameter).");
            }

            int? position = null;
            if (values[4] != "Named")
            {
                if (!int.TryParse(values[4], NumberStyles.None, CultureInfo.InvariantCulture, out int p))
                {
                    throw new HelpSourceException(file, Line(4), $"Position is a number or Named, not '{values[4]}'.");
                }

                position = p;
            }

            var (byValue, byName) = PipelineInputOf(values[6], file, Line(6));

            bool all = values[1] == "(All)";
            var sets = all ? Array.Empty<string>() : List(values[1]);
            if (!all && sets.Length == 0)
            {
                throw new HelpSourceException(file, Line(1), "Parameter Sets is (All) or a comma-separated list of set names.");
            }

            return new ParameterSetHelp
            {
                Type = values[0],
                AllSets = all,
                SetNames = sets,
                Aliases = List(values[2]),
                Required = Bool(3),
                Position = position,
                DefaultValue = values[5].Length == 0 ? "None" : values[5],
                ByValue = byValue,
                ByPropertyName = byName,
                Wildcards = Bool(7),
            };
        }

        /// <summary>Reads "Accept pipeline input": False, or True with ByValue and/or ByPropertyName.</summary>
        private static (bool ByValue, bool ByPropertyName) PipelineInputOf(string pipeline, string file, int line)
        {
            if (pipeline == "False")
            {
                return (false, false);
            }

            var m = System.Text.RegularExpressions.Regex.Match(pipeline, @"\ATrue \((ByValue|ByPropertyName|ByValue, ByPropertyName)\)\z");
            if (!m.Success)
            {
                throw new HelpSourceException(file, line, "Accept pipeline input is False, True (ByValue), True (ByPropertyName) or True (ByValue, ByPropertyName).");
            }

            return (m.Groups[1].Value.Contains("ByValue", StringComparison.Ordinal), m.Groups[1].Value.Contains("ByPropertyName", StringComparison.Ordinal));
        }
    }

    /// <summary>An input or output type and what it means.</summary>
    public sealed class TypeHelp
    {
        /// <summary>Creates an entry.</summary>
        public TypeHelp(string typeName, IReadOnlyList<MarkdownBlock> description)
        {
            TypeName = typeName;
            Description = description;
        }

        /// <summary>The type's name (or None).</summary>
        public string TypeName { get; }

        /// <summary>Its description.</summary>
        public IReadOnlyList<MarkdownBlock> Description { get; }
    }
}
