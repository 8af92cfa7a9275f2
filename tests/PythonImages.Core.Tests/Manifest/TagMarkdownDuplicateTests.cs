using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace PythonImages.Tests.Manifest
{
    /// <summary>
    /// The README block describes one manifest: a tag that names two entries (an entry passed twice, two manifests imported
    /// together, a simple tag also given as another entry's shared tag) is refused, as bashbrew refuses such a manifest.
    /// </summary>
    public class TagMarkdownDuplicateTests
    {
        private static List<PythonImage> Reference() =>
            LibraryManifest.Parse(File.ReadAllText(ManifestOracle.Fixture("library-python-2026-06.txt"))).Images.Select(i => i.Clone()).ToList();

        [Fact]
        public void AnEntryPassedTwiceIsRefused()
        {
            var entries = Reference();
            entries.Add(entries[3].Clone());
            var problem = Assert.Single(TagMarkdown.Validate(entries).Select(p => p.ErrorId).Distinct());
            Assert.Equal(TagMarkdownErrorIds.DuplicateTag, problem);
            var ex = Assert.Throws<ManifestException>(() => TagMarkdown.Render(entries, TagMarkdownFormat.Spaced));
            Assert.Equal(TagMarkdownErrorIds.DuplicateTag, ex.ErrorId);
            Assert.Contains(entries[3].Tags[0], ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ASimpleTagThatIsAlsoASharedTagIsRefused()
        {
            var entries = Reference();
            entries[5].SharedTags = entries[5].SharedTags.Append(entries[0].Tags[1]).ToArray();
            var ex = Assert.Throws<ManifestException>(() => TagMarkdown.Render(entries, TagMarkdownFormat.Spaced));
            Assert.Equal(TagMarkdownErrorIds.DuplicateTag, ex.ErrorId);
            Assert.Contains(entries[0].Tags[1], ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ASharedTagOfManyEntriesAndARepeatWithinOneAreNoDuplicates()
        {
            var entries = Reference();
            entries[0].SharedTags = entries[0].SharedTags.Concat(entries[0].SharedTags).ToArray();
            Assert.Empty(TagMarkdown.Validate(entries));
            Assert.NotEmpty(TagMarkdown.Render(entries, TagMarkdownFormat.Spaced).Markdown);
        }
    }
}
