using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using PythonImages.HelpBuilder;
using Xunit;

namespace PythonImages.Tests.Help
{
    /// <summary>The help builder (src/PythonImages.HelpBuilder): the Markdown it understands, the text and MAML it writes, its errors.</summary>
    public sealed class HelpBuilderTests
    {
        [Theory]
        [InlineData("`-Path` and `` a`b ``", "-Path and a`b")]
        [InlineData("**bold** and *italic* text", "bold and italic text")]
        [InlineData("see [the docs](https://example.com/d) or <https://example.com/x>", "see the docs (https://example.com/d) or https://example.com/x")]
        [InlineData(@"a \* star, a \| bar, a \_ underscore", "a * star, a | bar, a _ underscore")]
        [InlineData("slim-* and 3.14* stay, about_Python_Images stays", "slim-* and 3.14* stay, about_Python_Images stays")]
        [InlineData("code keeps *stars*: `*a*`", "code keeps stars: *a*")]
        [InlineData("hidden <!-- a comment --> text", "hidden  text")]
        public void InlineMarkdownBecomesPlainText(string markdown, string plain) => Assert.Equal(plain, Markdown.ToPlainText(markdown));

        [Fact]
        public void BlocksAreRecognised()
        {
            string md = "# Title\n\nA paragraph\non two lines.\n\n- one\n- two\n  continued\n\n1. first\n2. second\n\n```powershell\nGet-Foo |\n    Set-Bar\n```\n\n"
                + "| a | b \\| c | `x|y` |\n|---|:--:|--|\n| 1 | 2 | 3 |\n| 4 |\n\n<!-- requires: engine -->\n";
            var blocks = Markdown.Parse(md, "t.md");
            Assert.Collection(blocks,
                b => Assert.Equal("Title", Assert.IsType<HeadingBlock>(b).Text),
                b => Assert.Equal("A paragraph on two lines.", Assert.IsType<ParagraphBlock>(b).Text),
                b => Assert.Equal(new[] { "one", "two continued" }, Assert.IsType<ListBlock>(b).Items),
                b => Assert.True(Assert.IsType<ListBlock>(b).Ordered),
                b =>
                {
                    var code = Assert.IsType<CodeBlock>(b);
                    Assert.Equal("powershell", code.Language);
                    Assert.Equal("Get-Foo |\n    Set-Bar", code.Code);
                },
                b =>
                {
                    var table = Assert.IsType<TableBlock>(b);
                    Assert.Equal(new[] { "a", "b \\| c", "`x|y`" }, table.Header);
                    Assert.Equal(new[] { "1", "2", "3" }, table.Rows[0]);
                    Assert.Equal(new[] { "4", string.Empty, string.Empty }, table.Rows[1]);
                },
                b => Assert.Equal("requires: engine", Assert.IsType<CommentBlock>(b).Text));
        }

        [Fact]
        public void ANarrowTableKeepsItsColumnsAndAWideOneWrapsItsCells()
        {
            var narrow = (TableBlock)Markdown.Parse("| Id | Category |\n|---|---|\n| `Matrix.TooLarge` | LimitsExceeded |\n", "t.md").Single();
            Assert.Equal(new[] { "Id               Category", "---------------  --------------", "Matrix.TooLarge  LimitsExceeded" }, TextLayout.Table(narrow, 80));

            string cause = string.Join(" ", Enumerable.Repeat("a long explanation of the cause", 6));
            var wide = (TableBlock)Markdown.Parse($"| Id | Cause |\n|---|---|\n| `Matrix.TooLarge` | {cause} |\n| `X.Y` | short |\n", "t.md").Single();
            var lines = TextLayout.Table(wide, 60);
            Assert.All(lines, l => Assert.True(l.Length <= 60, $"'{l}' is wider than 60"));
            Assert.StartsWith("Matrix.TooLarge  a long explanation", lines[2], StringComparison.Ordinal);
            Assert.Equal(cause, string.Join(" ", lines.Skip(2).TakeWhile(l => l.Length > 0).Select(l => l.Substring(17).Trim())));
            Assert.Contains(string.Empty, lines); // rows are separated when cells wrap
            Assert.Equal("X.Y              short", lines[^1]);
        }

        [Fact]
        public void AnAboutTopicIsPlainTextWithItsSynopsisOnOneLine()
        {
            string md = "# about_Test\n\n## SHORT DESCRIPTION\nA short description that is long enough to be wrapped if it were an ordinary paragraph of the topic.\n\n"
                + "## LONG DESCRIPTION\nText with `code`.\n\n### Sub\n- item\n\n```powershell\nGet-Foo\n```\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n## SEE ALSO\n- Get-Foo\n";
            string text = AboutTopic.Parse(md, "/x/about_Test.md").ToText();
            Assert.Equal(
                "TOPIC\n    about_Test\n\nSHORT DESCRIPTION\n    A short description that is long enough to be wrapped if it were an ordinary paragraph of the topic.\n\n"
                + "LONG DESCRIPTION\n    Text with code.\n\n    Sub\n    ---\n\n    - item\n\n        Get-Foo\n\n    A  B\n    -  -\n    1  2\n\nSEE ALSO\n    - Get-Foo\n",
                text);
        }

        [Fact]
        public void TheUsualHeadingsMayBeWrittenInSentenceCase()
        {
            string md = "# about_Test\n\n## Short description\n\nWhat the topic is about.\n\n## Long description\n\nThe text.\n\n## Matrix\n\nMore.\n";
            var topic = AboutTopic.Parse(md, "/x/about_Test.md");
            Assert.Equal("What the topic is about.", topic.ShortDescription);
            Assert.Equal(new[] { "SHORT DESCRIPTION", "LONG DESCRIPTION", "Matrix" }, topic.Sections.Select(s => s.Title));
            Assert.Equal("TOPIC\n    about_Test\n\nSHORT DESCRIPTION\n    What the topic is about.\n\nLONG DESCRIPTION\n    The text.\n\nMATRIX\n    More.\n", topic.ToText());
            var e = Assert.Throws<HelpSourceException>(() => AboutTopic.Parse("# about_Test\n\n## Short description\n\nA.\n\n## Matrix\n\nB.\n", "/x/about_Test.md"));
            Assert.Contains("is followed by ## LONG DESCRIPTION", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ATopicWithoutTheUsualHeadingsTakesItsFirstParagraphAsTheShortDescription()
        {
            // The form of a simple catalogue: a title, a paragraph, sections with pipe tables.
            string md = "# about_Test_Errors\n\nEvery error the module writes, by area.\n\nRead `$Error[0]`.\n\n## Matrix\n\n| ErrorId | Category | What to do |\n|---|---|---|\n| `Matrix.TooLarge` | LimitsExceeded | Use a smaller file. |\n";
            var topic = AboutTopic.Parse(md, "/x/about_Test_Errors.md");
            Assert.Equal("about_Test_Errors", topic.Name);
            Assert.Equal("Every error the module writes, by area.", topic.ShortDescription);
            Assert.Equal(
                "TOPIC\n    about_Test_Errors\n\nSHORT DESCRIPTION\n    Every error the module writes, by area.\n\nLONG DESCRIPTION\n    Read $Error[0].\n\n"
                + "MATRIX\n    ErrorId          Category        What to do\n    ---------------  --------------  -------------------\n    Matrix.TooLarge  LimitsExceeded  Use a smaller file.\n",
                topic.ToText());
            Assert.Throws<HelpSourceException>(() => AboutTopic.Parse("# about_Other\n\nText.\n", "/x/about_Test_Errors.md"));
            Assert.Throws<HelpSourceException>(() => AboutTopic.Parse("## SHORT DESCRIPTION\nA.\n\nB.\n\n## LONG DESCRIPTION\nC.\n", "/x/about_Test.md"));
        }

        private const string Minimal = "# Get-Foo\n\n## SYNOPSIS\nGets foo.\n\n## DESCRIPTION\nLong text.\n\n## EXAMPLES\n\n### Example 1: One\n```powershell\nGet-Foo\n```\n\nFirst.\n\n"
            + "### Example 2: Two\n<!-- requires: engine -->\n<!-- cheap -->\n<!-- setup: New-Item x -->\n<!-- expect-error: Foo.Bad -->\n```powershell\nGet-Foo -Name x\n```\n\n"
            + "## PARAMETERS\n\n### -Name\nThe name.\n\n```yaml\nType: String[]\nParameter Sets: A, B\nAliases: N\nRequired: True\nPosition: 0\nDefault value: None\nAccept pipeline input: True (ByValue, ByPropertyName)\nAccept wildcard characters: True\n```\n\n"
            + "### -Force\nForce it.\n\n```yaml\nType: SwitchParameter\nParameter Sets: (All)\nAliases: None\nRequired: False\nPosition: Named\nDefault value: False\nAccept pipeline input: False\nAccept wildcard characters: False\n```\n\n"
            + "## INPUTS\n\n### System.String\nNames.\n\n## OUTPUTS\n\n### System.Object\nFoo.\n\n## RELATED LINKS\n- about_Foo\n";

        [Fact]
        public void ACmdletFileBecomesMamlThatNamesEverything()
        {
            var help = CommandHelp.Parse(Minimal, "/x/Get-Foo.md");
            var second = help.Examples[1];
            Assert.Equal(new[] { "engine" }, second.Requires);
            Assert.True(second.Cheap);
            Assert.Equal(new[] { "New-Item x" }, second.Setup);
            Assert.Equal("Foo.Bad", second.ExpectError);

            XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10", maml = "http://schemas.microsoft.com/maml/2004/10", dev = "http://schemas.microsoft.com/maml/dev/2004/10";
            var xml = XDocument.Parse(MamlWriter.Write(new[] { help }));
            var cmd = xml.Root!.Elements(command + "command").Single();
            Assert.Equal("Gets foo.", cmd.Element(command + "details")!.Element(maml + "description")!.Value);
            Assert.Equal(2, cmd.Element(command + "syntax")!.Elements(command + "syntaxItem").Count()); // sets A and B, each with -Force
            var name = cmd.Element(command + "parameters")!.Elements(command + "parameter").First();
            Assert.Equal("Name", name.Element(maml + "name")!.Value);
            Assert.Equal("true", name.Attribute("required")!.Value);
            Assert.Equal("0", name.Attribute("position")!.Value);
            Assert.Equal("True (ByValue, ByPropertyName)", name.Attribute("pipelineInput")!.Value);
            Assert.Equal("true", name.Attribute("globbing")!.Value);
            Assert.Equal("N", name.Attribute("aliases")!.Value);
            Assert.Equal(new[] { "Get-Foo", "Get-Foo -Name x" }, cmd.Descendants(dev + "code").Select(c => c.Value));
            Assert.Equal("about_Foo", cmd.Descendants(maml + "linkText").Single().Value);
        }

        [Theory]
        [InlineData("## SYNOPSIS", "## SYNOPSYS", "unknown section '## SYNOPSYS'")]
        [InlineData("### Example 2: Two", "### Example 3: Two", "expected example 2")]
        [InlineData("Accept wildcard characters: False\n```\n\n## INPUTS", "Accept wildcards: False\n```\n\n## INPUTS", "expected 'Accept wildcard characters: ...' here")]
        [InlineData("Position: 0", "Position: first", "Position is a number or Named")]
        [InlineData("<!-- cheap -->", "<!-- needs: engine -->", "unknown example comment")]
        [InlineData("```powershell\nGet-Foo\n```", "```\nGet-Foo\n```", "example 1 has 0 ```powershell blocks")]
        [InlineData("## INPUTS\n\n### System.String\nNames.\n\n", "", "## INPUTS is missing")]
        public void AMistakeInASourceNamesFileLineAndWhatIsWrong(string find, string replace, string message)
        {
            var ex = Assert.Throws<HelpSourceException>(() => CommandHelp.Parse(Minimal.Replace(find, replace, StringComparison.Ordinal), "/x/Get-Foo.md"));
            Assert.Contains(message, ex.Reason, StringComparison.Ordinal);
            Assert.Equal("/x/Get-Foo.md", ex.File);
            Assert.True(ex.SourceLine > 0);
            Assert.StartsWith("/x/Get-Foo.md:" + ex.SourceLine + ": ", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void TheBuilderWritesTheHelpFilesAndReportsABrokenSourceAsABuildError()
        {
            string dir = Directory.CreateTempSubdirectory("pi-helpbuilder-").FullName;
            try
            {
                string src = Directory.CreateDirectory(Path.Combine(dir, "src")).FullName;
                string output = Path.Combine(dir, "out");
                File.WriteAllText(Path.Combine(src, "Get-Foo.md"), Minimal);
                File.WriteAllText(Path.Combine(src, "about_Foo.md"), "# about_Foo\n\n## SHORT DESCRIPTION\nFoo.\n\n## LONG DESCRIPTION\nMore.\n");
                Directory.CreateDirectory(output);
                File.WriteAllText(Path.Combine(output, "about_Gone.help.txt"), "a topic whose source was removed");
                Assert.Equal(0, Program.Main(new[] { src, output }));
                Assert.Equal(new[] { "PythonImages.dll-Help.xml", "about_Foo.help.txt" }, Directory.GetFiles(output).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));

                File.WriteAllText(Path.Combine(src, "Get-Foo.md"), Minimal.Replace("## DESCRIPTION\nLong text.\n\n", string.Empty, StringComparison.Ordinal));
                var error = new StringWriter();
                var saved = Console.Error;
                Console.SetError(error);
                try
                {
                    Assert.Equal(1, Program.Main(new[] { src, output }));
                }
                finally
                {
                    Console.SetError(saved);
                }

                // MSBuild's canonical error format: the build fails pointing at the source line.
                Assert.Matches(@"^/.*/src/Get-Foo\.md\(\d+\): error HELP001: ## DESCRIPTION is missing before ## EXAMPLES\.", error.ToString());
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
