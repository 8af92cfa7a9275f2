using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PythonImages.HelpBuilder;
using Xunit;

namespace PythonImages.Tests.Help
{
    /// <summary>
    /// What the help names exists: every about_PythonImages* topic it refers to has a source (and so is built and shipped), and every
    /// ErrorId it mentions is one about_PythonImages_Errors lists (that topic is held to the module's error catalogue by
    /// the Core tests).
    /// </summary>
    public sealed class HelpCrossReferenceTests
    {
        private static IEnumerable<string> Sources() => Directory.GetFiles(HelpSources.Folder, "*.md").OrderBy(f => f, StringComparer.Ordinal);

        [Fact]
        public void EveryAboutTopicTheHelpNamesExists() // the module's own; PowerShell's (about_CommonParameters) are PowerShell's
        {
            var topics = HelpSources.Topics.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var problems = new List<string>();
            foreach (string file in Sources())
            {
                foreach (Match m in Regex.Matches(File.ReadAllText(file), @"\babout_PythonImages[A-Za-z0-9_]*"))
                {
                    if (!topics.Contains(m.Value))
                    {
                        problems.Add($"{HelpSources.Show(file)} names {m.Value}, which has no docs/en-US/{m.Value}.md.");
                    }
                }
            }

            Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
            Assert.Contains("about_PythonImages_Errors", topics);
        }

        [Fact]
        public void EveryErrorIdTheHelpMentionsIsInTheErrorCatalogue()
        {
            var catalogue = ErrorTopicIds();
            Assert.Contains("Matrix.UnknownKey", catalogue);
            Assert.Contains("PythonTag.NotFound", catalogue);
            var areas = catalogue.Select(id => id.Split('.')[0]).ToHashSet(StringComparer.Ordinal);

            var problems = new List<string>();
            int mentioned = 0;
            foreach (string file in Sources().Where(f => Path.GetFileName(f) != "about_PythonImages_Errors.md"))
            {
                string text = File.ReadAllText(file);
                foreach (Match m in Regex.Matches(text, @"\b([A-Z][A-Za-z]+)\.([A-Z][A-Za-z]+)\b"))
                {
                    if (!areas.Contains(m.Groups[1].Value))
                    {
                        continue;
                    }

                    mentioned++;
                    if (!catalogue.Contains(m.Value))
                    {
                        int line = text.Take(m.Index).Count(c => c == '\n') + 1;
                        problems.Add($"{HelpSources.Show(file)}:{line}: {m.Value} is not an ErrorId (about_PythonImages_Errors lists them all).");
                    }
                }
            }

            Assert.True(problems.Count == 0, string.Join("\n", problems));
            Assert.True(mentioned > 10, "the help mentions only " + mentioned + " ErrorIds; is the pattern still right?");
        }

        /// <summary>The ids in the first column of about_PythonImages_Errors' tables, read with the help builder.</summary>
        private static HashSet<string> ErrorTopicIds()
        {
            var topic = HelpSources.Topics.FirstOrDefault(t => t.Name == "about_PythonImages_Errors");
            Assert.True(topic != null, "docs/en-US/about_PythonImages_Errors.md is missing.");
            return topic!.Sections.SelectMany(s => s.Blocks).OfType<TableBlock>()
                .Where(t => t.Header.Count > 0 && Markdown.ToPlainText(t.Header[0]) == "ErrorId")
                .SelectMany(t => t.Rows.Select(r => Markdown.ToPlainText(r[0])))
                .ToHashSet(StringComparer.Ordinal);
        }
    }
}
