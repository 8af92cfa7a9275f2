using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using PythonImages.HelpBuilder;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Help
{
    /// <summary>
    /// The about_ topics say what the issue asks of them, and what they say is what the module does: about_PythonImages
    /// covers the pipeline, engine selection and the security model and lists every cmdlet; about_PythonImages_Matrix
    /// lists exactly the keys the matrix loader accepts.
    /// </summary>
    public sealed class AboutTopicContentTests
    {
        private static AboutTopic Topic(string name)
        {
            var topic = HelpSources.Topics.FirstOrDefault(t => t.Name == name);
            Assert.True(topic != null, $"docs/en-US/{name}.md is missing.");
            return topic!;
        }

        /// <summary>The blocks under a ### heading of the LONG DESCRIPTION (up to the next heading).</summary>
        private static List<MarkdownBlock> Subsection(AboutTopic topic, string title)
        {
            var blocks = topic.Sections.Single(s => s.Title == "LONG DESCRIPTION").Blocks;
            var found = blocks.Select((b, i) => (b, i)).Where(x => x.b is HeadingBlock h && h.Text == title).Select(x => x.i).ToList();
            Assert.True(found.Count == 1, $"docs/en-US/{topic.Name}.md needs one '### {title}' section under ## LONG DESCRIPTION.");
            return blocks.Skip(found[0] + 1).TakeWhile(b => b is not HeadingBlock).ToList();
        }

        private static string Text(IEnumerable<MarkdownBlock> blocks) => string.Join("\n", blocks.Select(b => b switch
        {
            ParagraphBlock p => p.Text,
            ListBlock l => string.Join("\n", l.Items),
            CodeBlock c => c.Code,
            TableBlock t => string.Join("\n", t.Rows.Select(r => string.Join(" | ", r))),
            _ => string.Empty,
        }));

        [Fact]
        public void AboutPythonImagesCoversPipelinesEngineSelectionAndTheSecurityModel()
        {
            var topic = Topic("about_PythonImages");

            // Pipelines: a pipeline of the module's cmdlets, and what binds between them.
            var pipelines = Subsection(topic, "Pipelines");
            var code = pipelines.OfType<CodeBlock>().FirstOrDefault();
            Assert.True(code != null, "### Pipelines shows no pipeline.");
            var stages = code!.Code.Split('|').Select(s => s.Trim().Split(' ')[0]).ToList();
            Assert.Equal(new[] { "Get-PythonTag", "New-PythonDockerfile", "Invoke-PythonImageBuild", "Test-PythonImage" }, stages);
            Assert.Contains("property name", Text(pipelines), StringComparison.Ordinal);

            // Engine selection: every source of the endpoint, in the order the engine resolver consults them.
            string engine = Text(Subsection(topic, "Choosing the Docker engine"));
            var order = new[] { "-DockerHost", "DOCKER_HOST", "DOCKER_CONTEXT", "currentContext", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH" }
                .Select(word => (word, at: engine.IndexOf(word, StringComparison.Ordinal))).ToList();
            Assert.All(order, o => Assert.True(o.at >= 0, $"### Choosing the Docker engine does not mention {o.word}."));
            Assert.Equal(order.Select(o => o.word), order.OrderBy(o => o.at).Select(o => o.word));

            // Security model: each kind of untrusted input has its own item, and secrets are addressed.
            var security = Subsection(topic, "Security model");
            var items = security.OfType<ListBlock>().SelectMany(l => l.Items).Select(i => i.Split(':')[0]).ToList();
            Assert.Equal(new[] { "Matrix", "Dockerfiles", "Manifests", "Engine", "Updates" }, items);
            Assert.Contains("allowlist grammar", Text(security), StringComparison.Ordinal);
            Assert.Contains("Secrets never reach", Text(security), StringComparison.Ordinal);
        }

        [Fact]
        public void AboutPythonImagesListsEveryExportedCmdlet()
        {
            var table = Topic("about_PythonImages").Sections.Single(s => s.Title == "LONG DESCRIPTION").Blocks.OfType<TableBlock>().First();
            var listed = table.Rows.Select(r => Markdown.ToPlainText(r[0])).OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(HelpSources.ExportedCmdlets().Select(o => (string)o[0]).OrderBy(n => n, StringComparer.Ordinal), listed);
        }

        [Theory]
        [InlineData("Top-level keys", "bogus: 1\nversions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie]\n", "Known top-level keys: ")]
        [InlineData("Version entries", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie]\n    bogus: 1\n", "Known keys: ")]
        public void AboutPythonImagesMatrixDocumentsExactlyTheKeysTheLoaderAccepts(string section, string matrix, string knownPrefix)
        {
            var table = Subsection(Topic("about_PythonImages_Matrix"), section).OfType<TableBlock>().FirstOrDefault();
            Assert.True(table != null, $"### {section} of about_PythonImages_Matrix has no table of keys.");
            var documented = table!.Rows.Select(r => Markdown.ToPlainText(r[0]).Split('.')[0]).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();

            // What the loader itself says it knows, from the error a user sees for an unknown key.
            string file = Path.Combine(Path.GetTempPath(), "pi-about-matrix-" + Guid.NewGuid().ToString("N") + ".yaml");
            try
            {
                File.WriteAllText(file, matrix);
                using var s = new ModuleSession();
                var r = s.Run("Get-PythonTag -MatrixPath $file", new Dictionary<string, object?> { ["file"] = file });
                var error = Assert.Single(r.AllErrors);
                Assert.StartsWith("Matrix.UnknownKey", error.FullyQualifiedErrorId, StringComparison.Ordinal);
                var match = Regex.Match(error.Exception.Message, Regex.Escape(knownPrefix) + "([A-Za-z, ]+)\\.");
                Assert.True(match.Success, error.Exception.Message);
                var known = match.Groups[1].Value.Split(new[] { ", " }, StringSplitOptions.None).OrderBy(k => k, StringComparer.Ordinal).ToList();
                Assert.Equal(known, documented);
            }
            finally
            {
                File.Delete(file);
            }
        }
    }
}
