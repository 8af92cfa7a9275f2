using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Xunit;

namespace PythonImages.Tests.Manifest
{
    /// <summary>The README renderer never emits raw markup from a manifest or an image object.</summary>
    public class TagMarkdownHardeningTests
    {
        private const string Sha = "1111111111111111111111111111111111111111";

        private static readonly Lazy<IReadOnlyList<PythonImage>> Parsed = new Lazy<IReadOnlyList<PythonImage>>(() =>
            LibraryManifest.Parse(File.ReadAllText(ManifestOracle.Fixture("library-python-2026-06.txt"))).Images);

        /// <summary>Fresh copies of the 2026 reference entries.</summary>
        private static List<PythonImage> Reference() => Parsed.Value.Select(i => i.Clone()).ToList();

        public static IEnumerable<object[]> HostileValues() => new (string Field, string Value, string ErrorId)[]
        {
            ("Directory", "3.14/<img src=x onerror=alert(1)>", TagMarkdownErrorIds.InvalidDirectory),
            ("Directory", "3.14/trixie)[x](javascript:alert(1)", TagMarkdownErrorIds.InvalidDirectory),
            ("Directory", "../../etc", TagMarkdownErrorIds.InvalidDirectory),
            ("Directory", "/etc", TagMarkdownErrorIds.InvalidDirectory),
            ("Directory", "3.14/*x*", TagMarkdownErrorIds.InvalidDirectory),
            ("Directory", "3.14/trixie\n\n# injected heading", TagMarkdownErrorIds.InvalidDirectory),
            ("File", "Dockerfile<br>", TagMarkdownErrorIds.InvalidFile),
            ("File", "../../README.md", TagMarkdownErrorIds.InvalidFile),
            ("GitRepo", "https://github.com/o/r.git) <script>", TagMarkdownErrorIds.InvalidGitRepo),
            ("GitRepo", "javascript:alert(1)//github.com/o/r", TagMarkdownErrorIds.InvalidGitRepo),
            ("GitCommit", "main) [click](http://evil", TagMarkdownErrorIds.InvalidGitCommit),
            ("GitCommit", Sha + "\n", TagMarkdownErrorIds.InvalidGitCommit),
            ("Tag", "x` <b>bold</b> `y", TagMarkdownErrorIds.InvalidTag),
            ("Tag", "latest\n- fake bullet", TagMarkdownErrorIds.InvalidTag),
            ("SharedTag", "a`,`b", TagMarkdownErrorIds.InvalidTag),
            ("Architecture", "amd64`](javascript:x)", TagMarkdownErrorIds.UnknownArchitecture),
            ("ArchField", "amd64-Directory=<x>", TagMarkdownErrorIds.InvalidDirectory),
            ("ArchField", "amd64-GitCommit=zzz", TagMarkdownErrorIds.InvalidGitCommit),
            ("ArchField", "amd64-Foo=x", TagMarkdownErrorIds.InvalidField),
            ("ArchField", "sparc-Directory=x", TagMarkdownErrorIds.InvalidField),
        }.Select(v => new object[] { v.Field, v.Value, v.ErrorId });

        private static void Set(PythonImage image, string field, string value)
        {
            switch (field)
            {
                case "Directory": image.Directory = value; break;
                case "File": image.File = value; break;
                case "GitRepo": image.GitRepo = value; break;
                case "GitCommit": image.GitCommit = value; break;
                case "Tag": image.Tags = image.Tags.Append(value).ToArray(); break;
                case "SharedTag": image.SharedTags = image.SharedTags.Append(value).ToArray(); break;
                case "Architecture": image.Architectures = image.Architectures.Append(value).ToArray(); break;
                default:
                    var kv = value.Split('=', 2);
                    image.ArchitectureFields[kv[0]] = kv[1];
                    break;
            }
        }

        [Theory]
        [MemberData(nameof(HostileValues))]
        public void HostileValuesAreRefusedBeforeAnythingIsRendered(string field, string value, string errorId)
        {
            var images = Reference();
            Set(images[3], field, value);
            var problem = Assert.Single(TagMarkdown.Validate(images));
            Assert.Equal(errorId, problem.ErrorId);
            Assert.Same(images[3], problem.Subject);
            Assert.Equal(errorId, Assert.Throws<ManifestException>(() => TagMarkdown.Render(images, TagMarkdownFormat.Italic)).ErrorId);
            Assert.Equal(errorId, Assert.Throws<ManifestException>(() => TagMarkdown.TagsBlock(images, TagMarkdownFormat.Spaced)).ErrorId);
        }

        [Fact]
        public void ArchitecturesLineChecksArchitecturesAndImageName()
        {
            var images = Reference();
            Assert.Equal(TagMarkdownErrorIds.InvalidImageName, Assert.Throws<ManifestException>(() => TagMarkdown.ArchitecturesLine(images, "python/../x")).ErrorId);
            Assert.Equal(TagMarkdownErrorIds.InvalidImageName, Assert.Throws<ManifestException>(() => TagMarkdown.ArchitecturesLine(images, "python\n")).ErrorId);
            images[0].Architectures = new[] { "amd64", "<svg onload=x>" };
            Assert.Equal(TagMarkdownErrorIds.UnknownArchitecture, Assert.Throws<ManifestException>(() => TagMarkdown.ArchitecturesLine(images)).ErrorId);
        }

        [Fact]
        public void UnderscoresInTheItalicPathAreEscapedButNotInTheLink()
        {
            var images = Reference().Take(1).ToList();
            images[0].Directory = "_x_/y_z";
            images[0].SharedTags = Array.Empty<string>();
            string block = TagMarkdown.TagsBlock(images, TagMarkdownFormat.Italic);
            Assert.Equal(
                "-\t[`" + string.Join("`, `", images[0].Tags) + "` (*\\_x\\_/y\\_z/Dockerfile*)](https://github.com/docker-library/python/blob/" + images[0].GitCommit + "/_x_/y_z/Dockerfile)",
                block);
            Assert.DoesNotContain("\\_", TagMarkdown.TagsBlock(images, TagMarkdownFormat.Spaced));
        }

        [Fact]
        public void ImagesWithoutGitRepoOrCommitAndNullArraysAreHandled()
        {
            var image = new PythonImage("3.14", "3.14.6", "trixie") { Directory = "3.14/trixie", Tags = new[] { "3.14-trixie" }, Architectures = null!, SharedTags = null! };
            Assert.Empty(TagMarkdown.Validate(new[] { image }));
            Assert.Equal("-\t`3.14-trixie`", TagMarkdown.TagsBlock(new[] { image }, TagMarkdownFormat.Plain));
            Assert.Equal(TagMarkdown.NoArchitectures, TagMarkdown.ArchitecturesLine(new[] { image }));
        }

        /// <summary>Random hostile values on a real entry: refused, or rendered with the reference's exact line structure and nothing Markdown or HTML would read as markup.</summary>
        [Fact]
        public void RandomHostileValuesNeverReachTheMarkdown()
        {
            var random = new Random(20260609);
            string reference = TagMarkdown.TagsBlock(Reference(), TagMarkdownFormat.Italic);
            int lines = reference.Split('\n').Length;
            int rendered = 0;
            for (int n = 0; n < 1000; n++)
            {
                var images = Reference();
                var gen = new HostileGenerator(random);
                var hostile = gen.Image(n);
                var target = images[random.Next(images.Count)];
                switch (random.Next(6))
                {
                    case 0: target.Directory = hostile.Directory ?? string.Empty; break;
                    case 1: target.File = hostile.File; break;
                    case 2: target.GitRepo = hostile.GitRepo; break;
                    case 3: target.GitCommit = hostile.GitCommit; break;
                    case 4: target.Tags = target.Tags.Take(1).Concat(hostile.Tags.Select(t => t + "x")).ToArray(); break;
                    default: target.ArchitectureFields = hostile.ArchitectureFields; break;
                }

                if (TagMarkdown.Validate(images).Count > 0)
                {
                    Assert.Throws<ManifestException>(() => TagMarkdown.Render(images, TagMarkdownFormat.Italic));
                    continue;
                }

                string md = TagMarkdown.Render(images, TagMarkdownFormat.Italic).Markdown;
                rendered++;
                Assert.Equal(lines, md.Split('\n').Length);
                Assert.True(md.All(c => c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7F)), $"case {n}: a character outside printable ASCII");
                Assert.True(md.IndexOfAny(new[] { '<', '>', '"', '\'' }) < 0 || reference.IndexOfAny(new[] { '<', '>', '"', '\'' }) >= 0, $"case {n}: HTML characters in the Markdown");
                foreach (var line in md.Split('\n').Where(l => l.Contains("](")))
                {
                    // one link per line, whose destination has no spaces or parentheses
                    string url = line.Substring(line.IndexOf("](", StringComparison.Ordinal) + 2).TrimEnd(')');
                    Assert.True(url.IndexOfAny(new[] { ' ', '(', ')', '[', ']', '<', '>', '`' }) < 0, $"case {n}: link destination '{url}'");
                }
            }

            Assert.True(rendered > 100, $"only {rendered} cases were rendered");
        }

        /// <summary>
        /// A directory or file named like a web address ("www.x.example", allowed by the path grammar) in the italic format:
        /// GitHub's Markdown turns "www." after '*' or '(' into a link of its own, to that host (inside the Dockerfile link's
        /// text it would also break that link). Rendered with a GFM-style parser (Markdig with its autolinks), the only links
        /// are the Dockerfile links, and the path still reads as written.
        /// </summary>
        [Theory]
        [InlineData("www.evil.example", "Dockerfile", false)]
        [InlineData("www.evil.example", "Dockerfile", true)]
        [InlineData("www.evil.example/3.14", "Dockerfile", false)]
        [InlineData("x_www.evil.example", "Dockerfile", false)]
        [InlineData(".", "www.evil.example", false)]
        [InlineData(".", "www.evil.example", true)]
        [InlineData("3.14/www.evil.example", "www.evil.example", false)]
        [InlineData("3.14/x-www.evil.example", "wwww.evil.example", false)]
        public void AddressLikePathsInTheItalicFormatMakeNoLinks(string directory, string file, bool withCommit)
        {
            var images = Reference().Take(1).ToList();
            images[0].Directory = directory;
            images[0].File = file;
            images[0].SharedTags = Array.Empty<string>();
            if (!withCommit)
            {
                images[0].GitCommit = null;
            }

            string block = TagMarkdown.TagsBlock(images, TagMarkdownFormat.Italic);
            var document = Markdown.Parse(block, new MarkdownPipelineBuilder().UseAutoLinks().Build());
            var links = document.Descendants<LinkInline>().ToList();
            var auto = document.Descendants<AutolinkInline>().ToList();
            Assert.Empty(auto);
            string path = (directory == "." ? string.Empty : directory + "/") + file;
            if (withCommit)
            {
                var link = Assert.Single(links);
                Assert.EndsWith("/" + path, link.Url, StringComparison.Ordinal);
                Assert.Empty(link.Descendants<LinkInline>());
            }
            else
            {
                Assert.Empty(links);
            }

            // What a reader sees: the path as written, in emphasis.
            var emphasis = Assert.Single(document.Descendants<EmphasisInline>());
            Assert.Equal(path, string.Concat(emphasis.Descendants<LiteralInline>().Select(l => l.Content.ToString())));
        }
    }
}
