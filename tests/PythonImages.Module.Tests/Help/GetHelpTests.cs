using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using PythonImages.HelpBuilder;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Help
{
    /// <summary>
    /// Get-Help shows what docs/en-US says, for every cmdlet and topic: in a hosted runspace (the built MAML, property by
    /// property) and in a real pwsh process as a user types it (-Full, -Examples, -Parameter *, about_ topics).
    /// </summary>
    public sealed class GetHelpTests : IClassFixture<GetHelpTests.Session>
    {
        public sealed class Session : IDisposable
        {
            public ModuleSession Module { get; } = new ModuleSession();

            private readonly Lazy<JsonDocument> pwsh = new Lazy<JsonDocument>(RunPwsh);

            /// <summary>What a real pwsh shows for every exported cmdlet and every about topic (one process for all).</summary>
            public JsonElement FromPwsh => pwsh.Value.RootElement;

            private static JsonDocument RunPwsh()
            {
                string names = string.Join(", ", HelpSources.ExportedCmdlets().Select(o => Pwsh.Quote((string)o[0])));
                string topics = string.Join(", ", HelpSources.Topics.Select(t => Pwsh.Quote(t.Name)));
                string script = $@"
$ErrorActionPreference = 'Stop'
Import-Module {Pwsh.Quote(ModuleSession.ManifestPath)}
$commands = foreach ($name in @({names})) {{
    $full = Get-Help $name -Full
    $examples = Get-Help $name -Examples
    [pscustomobject]@{{
        Name = $name
        Synopsis = $full.Synopsis
        Description = @($full.description | ForEach-Object Text) -join ""`n""
        Parameters = @(Get-Help $name -Parameter * | ForEach-Object {{
            [pscustomobject]@{{ Name = $_.name; Text = @($_.description | ForEach-Object Text) -join ""`n""; Required = $_.required; Position = $_.position; Pipeline = $_.pipelineInput; Globbing = $_.globbing }} }})
        Examples = @($examples.examples.example | ForEach-Object {{ [pscustomobject]@{{ Title = $_.title; Code = $_.code }} }})
        Full = $full | Out-String -Width 250
        ExamplesText = $examples | Out-String -Width 250
        HelpFile = (Get-Command $name).HelpFile
    }}
}}
$topics = foreach ($topic in @({topics})) {{
    $help = Get-Help $topic
    [pscustomobject]@{{ Name = $topic; Synopsis = $help.Synopsis; Text = $help | Out-String -Width 250 }}
}}
[pscustomobject]@{{ Commands = @($commands); Topics = @($topics); ModuleBase = (Get-Module PythonImages).ModuleBase }} | ConvertTo-Json -Depth 6 -Compress
";
                var r = Pwsh.Run(script);
                Assert.True(r.ExitCode == 0, r.ToString());
                return JsonDocument.Parse(r.Output);
            }

            public void Dispose()
            {
                Module.Dispose();
                if (pwsh.IsValueCreated)
                {
                    pwsh.Value.Dispose();
                }
            }
        }

        private readonly Session session;

        public GetHelpTests(Session session) => this.session = session;

        public static IEnumerable<object[]> ExportedCmdlets() => HelpSources.ExportedCmdlets();

        private static object? Prop(object? o, string name) => o is PSObject p ? p.Properties[name]?.Value : null;

        private static string? Str(object? o) => o is PSObject p ? p.BaseObject?.ToString() : o?.ToString();

        private static object?[] Items(object? o) => o switch
        {
            null => Array.Empty<object?>(),
            PSObject p when p.BaseObject is object[] a => a,
            object[] a => a,
            _ => new[] { o },
        };

        private static string Text(object? paragraphs) => string.Join("\n", Items(paragraphs).Select(p => Str(Prop(p, "Text")) ?? string.Empty));

        [Theory]
        [MemberData(nameof(ExportedCmdlets))]
        public void GetHelpFullShowsTheHelpSource(string cmdlet)
        {
            var doc = HelpSources.For(cmdlet);
            Assert.True(doc != null, $"{cmdlet} has no help file (see HelpCoverageTests).");
            var r = session.Module.Invoke(ps => ps.AddCommand("Get-Help").AddParameter("Name", cmdlet).AddParameter("Full"));
            Assert.Empty(r.AllErrors);
            var help = Assert.Single(r.Output);
            Assert.Equal("MamlCommandHelpInfo", help.TypeNames.First(t => t.Contains("Help", StringComparison.Ordinal)).Split('#')[0].Split('.').Last());

            Assert.Equal(doc!.Synopsis, Str(Prop(help, "Synopsis")));
            string description = Text(Prop(help, "description"));
            foreach (var paragraph in doc.Description.OfType<ParagraphBlock>())
            {
                Assert.Contains(Markdown.ToPlainText(paragraph.Text), description, StringComparison.Ordinal);
            }

            var parameters = Items(Prop(Prop(help, "parameters"), "parameter")).ToList();
            Assert.Equal(doc.Parameters.Select(p => p.Name).OrderBy(n => n), parameters.Select(p => Str(Prop(p, "name"))).OrderBy(n => n));
            foreach (var p in parameters)
            {
                var source = doc.Parameters.Single(d => d.Name == Str(Prop(p, "name")));
                Assert.Equal(Markdown.ToPlainText(source.Description.OfType<ParagraphBlock>().First().Text), Text(Prop(p, "description")).Split('\n')[0]);
            }

            var examples = Items(Prop(Prop(help, "examples"), "example")).ToList();
            Assert.Equal(doc.Examples.Select(e => e.Code), examples.Select(e => Str(Prop(e, "code"))));
            Assert.All(examples.Zip(doc.Examples), pair => Assert.Contains($"Example {pair.Second.Number}: {pair.Second.Title}", Str(Prop(pair.First, "title")), StringComparison.Ordinal));
            Assert.NotEmpty(Items(Prop(Prop(help, "inputTypes"), "inputType")));
            Assert.NotEmpty(Items(Prop(Prop(help, "returnValues"), "returnValue")));
        }

        [Fact]
        public void TheHelpFileIsWhereEveryCmdletNamesIt()
        {
            // Binary cmdlets name "<assembly>-Help.xml"; PowerShell looks for it in <module base>/<culture>/.
            var r = session.Module.Run("(Get-Command -Module PythonImages -CommandType Cmdlet).HelpFile");
            Assert.Empty(r.AllErrors);
            Assert.Equal("PythonImages.dll-Help.xml", Assert.Single(r.Output.Select(o => Path.GetFileName((string)o.BaseObject)).Distinct()));
            Assert.True(File.Exists(Path.Combine(ModuleSession.RepoRoot, "en-US", "PythonImages.dll-Help.xml")), "dotnet build did not write en-US/PythonImages.dll-Help.xml next to PythonImages.psd1");
            foreach (var topic in HelpSources.Topics)
            {
                Assert.True(File.Exists(Path.Combine(ModuleSession.RepoRoot, "en-US", topic.Name + ".help.txt")), $"dotnet build did not write en-US/{topic.Name}.help.txt");
            }
        }

        [PwshTheory]
        [MemberData(nameof(ExportedCmdlets))]
        public void InARealPwshGetHelpShowsSynopsisDescriptionEveryParameterAndTheExamples(string cmdlet)
        {
            var doc = HelpSources.For(cmdlet);
            Assert.True(doc != null, $"{cmdlet} has no help file (see HelpCoverageTests).");
            var shown = session.FromPwsh.GetProperty("Commands").EnumerateArray().Single(c => c.GetProperty("Name").GetString() == cmdlet);
            Assert.Equal(doc!.Synopsis, shown.GetProperty("Synopsis").GetString());
            Assert.StartsWith(Markdown.ToPlainText(doc.Description.OfType<ParagraphBlock>().First().Text), shown.GetProperty("Description").GetString(), StringComparison.Ordinal);
            Assert.Equal("PythonImages.dll-Help.xml", Path.GetFileName(shown.GetProperty("HelpFile").GetString())); // a file name, or its full path once resolved

            var parameters = shown.GetProperty("Parameters").EnumerateArray().ToList();
            Assert.Equal(doc.Parameters.Select(p => p.Name).OrderBy(n => n), parameters.Select(p => p.GetProperty("Name").GetString()).OrderBy(n => n));
            Assert.All(parameters, p => Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("Text").GetString()), p.GetProperty("Name").GetString() + " has no description in Get-Help -Parameter *"));

            var examples = shown.GetProperty("Examples").EnumerateArray().ToList();
            Assert.Equal(doc.Examples.Select(e => e.Code), examples.Select(e => e.GetProperty("Code").GetString()));

            string full = shown.GetProperty("Full").GetString()!;
            foreach (var section in new[] { "NAME", "SYNOPSIS", "SYNTAX", "DESCRIPTION", "PARAMETERS", "INPUTS", "OUTPUTS", "Example 1:" })
            {
                Assert.Contains(section, full, StringComparison.Ordinal);
            }

            foreach (var p in doc.Parameters)
            {
                Assert.Contains("-" + p.Name + " ", full, StringComparison.Ordinal);
            }

            string examplesText = shown.GetProperty("ExamplesText").GetString()!;
            Assert.All(doc.Examples, e => Assert.Contains(e.Code.Split('\n')[0].Trim(), examplesText, StringComparison.Ordinal));
        }

        [PwshFact]
        public void InARealPwshEveryAboutTopicOpensWithGetHelp()
        {
            Assert.Contains(HelpSources.Topics, t => t.Name == "about_PythonImages");
            Assert.Contains(HelpSources.Topics, t => t.Name == "about_PythonImages_Matrix");
            var topics = session.FromPwsh.GetProperty("Topics").EnumerateArray().ToList();
            foreach (var topic in HelpSources.Topics)
            {
                var shown = topics.Single(t => t.GetProperty("Name").GetString() == topic.Name);
                string text = shown.GetProperty("Text").GetString()!;
                Assert.Contains("TOPIC", text, StringComparison.Ordinal);
                Assert.Contains(topic.Name, text, StringComparison.Ordinal);
                Assert.Contains("LONG DESCRIPTION", text, StringComparison.Ordinal);
                Assert.Equal(topic.ShortDescription, shown.GetProperty("Synopsis").GetString());

                // Every paragraph of the source is in the topic (wrapped: compare word sequences).
                string words = string.Join(" ", text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                foreach (var paragraph in topic.Sections.SelectMany(s => s.Blocks).OfType<ParagraphBlock>())
                {
                    Assert.Contains(string.Join(" ", Markdown.ToPlainText(paragraph.Text).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)), words, StringComparison.Ordinal);
                }
            }
        }
    }
}
