using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace PythonImages.HelpBuilder
{
    /// <summary>Writes cmdlet help as a MAML file (&lt;Assembly&gt;.dll-Help.xml), the format Get-Help reads for binary modules.</summary>
    public static class MamlWriter
    {
        private const string Msh = "http://msh";
        private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
        private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        /// <summary>The MAML document for these cmdlets, in the given order.</summary>
        public static string Write(IEnumerable<CommandHelp> commands)
        {
            ArgumentNullException.ThrowIfNull(commands);
            var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
            using var text = new Utf8StringWriter();
            using (var xml = XmlWriter.Create(text, settings))
            {
                xml.WriteStartDocument();
                xml.WriteStartElement("helpItems", Msh);
                xml.WriteAttributeString("schema", "maml");
                foreach (var command in commands)
                {
                    WriteCommand(xml, command);
                }

                xml.WriteEndElement();
                xml.WriteEndDocument();
            }

            return text.ToString() + "\n";
        }

        private sealed class Utf8StringWriter : StringWriter
        {
            public Utf8StringWriter()
                : base(CultureInfo.InvariantCulture)
            {
            }

            public override Encoding Encoding => new UTF8Encoding(false);
        }

        private static void WriteCommand(XmlWriter xml, CommandHelp help)
        {
            xml.WriteStartElement("command", "command", Command);
            xml.WriteAttributeString("xmlns", "maml", null, Maml);
            xml.WriteAttributeString("xmlns", "dev", null, Dev);

            int dash = help.Name.IndexOf('-', StringComparison.Ordinal);
            xml.WriteStartElement("details", Command);
            xml.WriteElementString("name", Command, help.Name);
            Paragraphs(xml, "description", Maml, new[] { help.Synopsis });
            xml.WriteElementString("verb", Command, help.Name.Substring(0, dash));
            xml.WriteElementString("noun", Command, help.Name.Substring(dash + 1));
            xml.WriteEndElement();

            Paragraphs(xml, "description", Maml, Paras(help.Description));

            xml.WriteStartElement("syntax", Command);
            foreach (var (set, parameters) in SyntaxSets(help))
            {
                xml.WriteStartElement("syntaxItem", Command);
                xml.WriteElementString("name", Maml, help.Name);
                foreach (var (parameter, entry) in parameters)
                {
                    WriteParameter(xml, parameter, entry, inSyntax: true);
                }

                xml.WriteEndElement();
                _ = set;
            }

            xml.WriteEndElement();

            xml.WriteStartElement("parameters", Command);
            foreach (var parameter in help.Parameters)
            {
                WriteParameter(xml, parameter, Merged(parameter), inSyntax: false);
            }

            xml.WriteEndElement();

            Types(xml, "inputTypes", "inputType", help.Inputs);
            Types(xml, "returnValues", "returnValue", help.Outputs);

            if (help.Notes.Count > 0)
            {
                xml.WriteStartElement("alertSet", Maml);
                xml.WriteStartElement("alert", Maml);
                foreach (var para in Paras(help.Notes))
                {
                    xml.WriteElementString("para", Maml, para);
                }

                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            WriteExamples(xml, help);
            WriteRelatedLinks(xml, help);
            xml.WriteEndElement();
        }

        private static void WriteExamples(XmlWriter xml, CommandHelp help)
        {
            xml.WriteStartElement("examples", Command);
            foreach (var example in help.Examples)
            {
                xml.WriteStartElement("example", Command);
                xml.WriteElementString("title", Maml, string.Create(CultureInfo.InvariantCulture, $"--------- Example {example.Number}: {example.Title} ---------"));
                xml.WriteElementString("code", Dev, example.Code);
                Paragraphs(xml, "remarks", Dev, Paras(example.Remarks).Append(string.Empty)); // an empty paragraph separates the examples
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        private static void WriteRelatedLinks(XmlWriter xml, CommandHelp help)
        {
            xml.WriteStartElement("relatedLinks", Command);
            foreach (var link in help.RelatedLinks)
            {
                xml.WriteStartElement("navigationLink", Maml);
                int space = link.IndexOf(" (", StringComparison.Ordinal);
                bool isUri = space > 0 && link.EndsWith(')') && link.Contains("://", StringComparison.Ordinal);
                xml.WriteElementString("linkText", Maml, isUri ? link.Substring(0, space) : link);
                xml.WriteElementString("uri", Maml, isUri ? link.Substring(space + 2, link.Length - space - 3) : string.Empty);
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        /// <summary>The syntax lines: one per parameter set named in the file (all sets share the (All) parameters), or one.</summary>
        internal static List<(string Set, List<(ParameterHelp Parameter, ParameterSetHelp Entry)> Parameters)> SyntaxSets(CommandHelp help)
        {
            var names = help.Parameters.SelectMany(p => p.Sets).SelectMany(s => s.SetNames).Distinct(StringComparer.Ordinal).ToList();
            if (names.Count == 0)
            {
                names.Add("(All)");
            }

            var result = new List<(string, List<(ParameterHelp, ParameterSetHelp)>)>();
            foreach (var set in names)
            {
                var members = help.Parameters
                    .Select(p => (Parameter: p, Entry: set == "(All)" ? p.Sets.FirstOrDefault(s => s.AllSets) : p.For(set)))
                    .Where(x => x.Entry != null)
                    .Select(x => (x.Parameter, x.Entry!))
                    .ToList();

                // As PowerShell lists them: positional parameters by position, then the others in the file's order.
                var ordered = members.Where(m => m.Item2.Position != null).OrderBy(m => m.Item2.Position)
                    .Concat(members.Where(m => m.Item2.Position == null))
                    .ToList();
                result.Add((set, ordered));
            }

            return result;
        }

        /// <summary>The parameter as the PARAMETERS section shows it: required or positional if it is in any set.</summary>
        private static ParameterSetHelp Merged(ParameterHelp parameter)
        {
            var first = parameter.Sets[0];
            if (parameter.Sets.Count == 1)
            {
                return first;
            }

            return new ParameterSetHelp
            {
                Type = first.Type,
                AllSets = true,
                Aliases = first.Aliases,
                Required = parameter.Sets.Any(s => s.Required),
                Position = parameter.Sets.Select(s => s.Position).FirstOrDefault(p => p != null),
                DefaultValue = first.DefaultValue,
                ByValue = parameter.Sets.Any(s => s.ByValue),
                ByPropertyName = parameter.Sets.Any(s => s.ByPropertyName),
                Wildcards = parameter.Sets.Any(s => s.Wildcards),
            };
        }

        private static void WriteParameter(XmlWriter xml, ParameterHelp parameter, ParameterSetHelp entry, bool inSyntax)
        {
            xml.WriteStartElement("parameter", Command);
            xml.WriteAttributeString("required", entry.Required ? "true" : "false");
            xml.WriteAttributeString("variableLength", entry.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false");
            xml.WriteAttributeString("globbing", entry.Wildcards ? "true" : "false");
            xml.WriteAttributeString("pipelineInput", entry.PipelineInput);
            xml.WriteAttributeString("position", entry.Position?.ToString(CultureInfo.InvariantCulture) ?? "named");
            xml.WriteAttributeString("aliases", entry.Aliases.Count == 0 ? "none" : string.Join(", ", entry.Aliases));
            xml.WriteElementString("name", Maml, parameter.Name);
            Paragraphs(xml, "description", Maml, Paras(parameter.Description));
            if (!(inSyntax && entry.IsSwitch))
            {
                xml.WriteStartElement("parameterValue", Command);
                xml.WriteAttributeString("required", entry.IsSwitch ? "false" : "true");
                xml.WriteAttributeString("variableLength", "false");
                xml.WriteString(entry.Type);
                xml.WriteEndElement();
            }

            xml.WriteStartElement("type", Dev);
            xml.WriteElementString("name", Maml, entry.Type);
            xml.WriteElementString("uri", Maml, string.Empty);
            xml.WriteEndElement();
            xml.WriteElementString("defaultValue", Dev, entry.DefaultValue);
            xml.WriteEndElement();
        }

        private static void Types(XmlWriter xml, string listName, string itemName, IReadOnlyList<TypeHelp> types)
        {
            xml.WriteStartElement(listName, Command);
            foreach (var type in types)
            {
                xml.WriteStartElement(itemName, Command);
                xml.WriteStartElement("type", Dev);
                xml.WriteElementString("name", Maml, type.TypeName);
                xml.WriteEndElement();
                Paragraphs(xml, "description", Maml, Paras(type.Description));
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        private static void Paragraphs(XmlWriter xml, string element, string ns, IEnumerable<string> paragraphs)
        {
            xml.WriteStartElement(element, ns);
            foreach (var para in paragraphs)
            {
                xml.WriteElementString("para", Maml, para);
            }

            xml.WriteEndElement();
        }

        /// <summary>
        /// Blocks as MAML paragraphs: a paragraph is one line of text (Get-Help wraps it); a list item, a code block or a
        /// table keeps its lines (indented code, columns), since Get-Help prints a paragraph's line breaks as they are.
        /// </summary>
        internal static IEnumerable<string> Paras(IEnumerable<MarkdownBlock> blocks)
        {
            foreach (var block in blocks)
            {
                switch (block)
                {
                    case ParagraphBlock p:
                        yield return Markdown.ToPlainText(p.Text);
                        break;
                    case ListBlock list:
                        for (int n = 0; n < list.Items.Count; n++)
                        {
                            yield return (list.Ordered ? (n + 1).ToString(CultureInfo.InvariantCulture) + ". " : "- ") + Markdown.ToPlainText(list.Items[n]);
                        }

                        break;
                    case CodeBlock code:
                        yield return string.Join("\n", code.Code.Split('\n').Select(l => "    " + l.TrimEnd()));
                        break;
                    case TableBlock table:
                        yield return string.Join("\n", TextLayout.Table(table, TextLayout.PageWidth - 8));
                        break;
                    case HeadingBlock h:
                        yield return Markdown.ToPlainText(h.Text).ToUpperInvariant();
                        break;
                }
            }
        }
    }
}
