using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// Issue 16 (session 7): a computed image shares its base image's architectures until they are read, makes its
    /// Directory on first read, takes VersionKey, Version, Variant, Release, Family, OS and BaseImage from its entry and
    /// variant until they are set, and keeps rarely set fields in a side object. Every property must still behave as a
    /// plain field of its own image: these tests read, set and clone images and compare with what plain fields would do.
    /// </summary>
    public sealed class PythonImageStorageTests
    {
        private const string Text =
            "versions:\n" +
            "  '3.14':\n    version: 3.14.6\n    variants: [trixie, slim-trixie, alpine3.24, windows/windowsservercore-ltsc2025]\n" +
            "  '3.13':\n    version: 3.13.9\n    variants: [trixie, slim-trixie]\n";

        private static List<PythonImage> Images() =>
            TagRules.Compute(MatrixLoader.Parse(Text, "storage.yaml", MatrixLoader.Default.Architectures)).ToList();

        [Fact]
        public void EachImageOwnsItsArchitecturesOnceRead()
        {
            var images = Images();
            var a = images.Single(i => i.Directory == "3.14/trixie");
            var b = images.Single(i => i.Directory == "3.13/trixie"); // same base image: the same shared array inside
            Assert.Equal(a.ArchitectureList, b.ArchitectureList);
            var expected = a.ArchitectureList.ToArray();

            var own = a.Architectures;
            Assert.Same(own, a.Architectures); // the same instance on every read, as a field
            Assert.NotSame(own, b.Architectures);
            Assert.Equal(expected, own);

            own[0] = "changed";
            Assert.Equal("changed", a.Architectures[0]);
            Assert.Equal(expected, b.Architectures); // the other image and the shared array are untouched
            Assert.Equal(expected, Images().Single(i => i.Directory == "3.13/trixie").Architectures);

            var set = new[] { "amd64" };
            b.Architectures = set;
            Assert.Same(set, b.Architectures);
            Assert.Same(set, b.ArchitectureList);
            b.Architectures = null!;
            Assert.Null(b.Architectures);
        }

        [Fact]
        public void CloneCopiesArchitecturesWhetherSharedOrOwn()
        {
            var images = Images();
            var shared = images.Single(i => i.Directory == "3.14/slim-trixie");
            var copy = shared.Clone(); // before the source read its architectures
            Assert.NotSame(shared.Architectures, copy.Architectures);
            Assert.Equal(shared.Architectures, copy.Architectures);
            copy.Architectures[0] = "x";
            Assert.NotEqual("x", shared.Architectures[0]);

            var own = images.Single(i => i.Directory == "3.13/slim-trixie");
            var arches = own.Architectures;
            var copy2 = own.Clone(); // after
            Assert.NotSame(arches, copy2.Architectures);
            Assert.Equal(arches, copy2.Architectures);
        }

        [Fact]
        public void ComputedValuesComeFromTheEntryUntilSet()
        {
            var image = Images().Single(i => i.Variant == "alpine3.24");
            var entry = image.Release!;
            Assert.Equal("3.14", image.VersionKey);
            Assert.Equal("3.14.6", image.Version);
            Assert.Equal("3.14", entry.Key.Text);
            Assert.Same(image.VariantInfo, entry.Variants[2]);
            Assert.Equal("3.14/alpine3.24", image.Directory); // made on each read until it is set (no field for it)
            Assert.Equal(ImageFamily.Alpine, image.Family);
            Assert.Equal(ImageOS.Linux, image.OS);
            Assert.Equal("alpine:3.24", image.BaseImage);
            Assert.Empty(image.Constraints);
            Assert.Null(image.Builder);
            Assert.Null(image.GitCommit);
            Assert.Equal(0, image.ManifestLine);

            image.Directory = "elsewhere";
            image.Family = ImageFamily.DebianSlim;
            image.OS = ImageOS.Windows;
            image.BaseImage = null;
            image.Release = null;
            Assert.Equal("elsewhere", image.Directory);
            Assert.Equal(ImageFamily.DebianSlim, image.Family);
            Assert.Equal(ImageOS.Windows, image.OS);
            Assert.Null(image.BaseImage);
            Assert.Null(image.Release);
            Assert.Equal("3.14", image.VersionKey); // not tied to Release once it is set
            Assert.Equal("3.14.6", image.Version);

            image.Directory = null!;
            Assert.Null(image.Directory);
            image.Directory = "again";
            Assert.Equal("again", image.Directory);
        }

        [Fact]
        public void WindowsImagesKeepTheirConstraintsAndBuilder()
        {
            var image = Images().Single(i => i.OS == ImageOS.Windows);
            Assert.Equal(new[] { "windowsservercore-ltsc2025" }, image.Constraints);
            Assert.Equal("classic", image.Builder);
            Assert.Equal(new[] { TagRules.WindowsArchitecture }, image.Architectures);
            Assert.Equal(ImageFamily.WindowsServerCore, image.Family);
        }

        [Fact]
        public void PublicConstructorsBehaveAsBefore()
        {
            var image = new PythonImage("3.12", "3.12.1", "bookworm");
            Assert.Equal("3.12", image.VersionKey);
            Assert.Equal("3.12.1", image.Version);
            Assert.Equal("bookworm", image.Variant);
            Assert.Equal(string.Empty, image.Directory); // not derived for images made by hand
            Assert.Null(image.Release);
            Assert.Equal(ImageFamily.DebianFull, image.Family);
            Assert.Equal("buildpack-deps:bookworm", image.BaseImage);
            Assert.Empty(image.Architectures);

            var unknown = new PythonImage("3.12", "3.12.1", "nanoserver-1809");
            Assert.Null(unknown.VariantInfo);
            Assert.Null(unknown.BaseImage);
            Assert.Equal(default, unknown.Family);
            Assert.Equal("nanoserver-1809", unknown.Variant);

            var none = new PythonImage(null!, null!, (string)null!);
            Assert.Null(none.VersionKey);
            Assert.Null(none.Variant);
        }

        [Fact]
        public void CloneCopiesTheSideObject()
        {
            var image = new PythonImage("3.12", "3.12.1", "bookworm") { GitCommit = "abc", Constraints = new[] { "c" }, ManifestLine = 7 };
            image.ArchitectureFields["arm64v8-GitCommit"] = "def";
            var copy = image.Clone();
            copy.GitCommit = "changed";
            copy.Constraints[0] = "changed";
            copy.ArchitectureFields["amd64-GitCommit"] = "x";
            copy.ManifestLine = 9;
            copy.Family = ImageFamily.Alpine;
            Assert.Equal("abc", image.GitCommit);
            Assert.Equal(new[] { "c" }, image.Constraints);
            Assert.Single(image.ArchitectureFields);
            Assert.Equal(7, image.ManifestLine);
            Assert.Equal(ImageFamily.DebianFull, image.Family);
            Assert.Equal("3.12", copy.VersionKey);
            Assert.Same(image.ArchitectureFields, image.ArchitectureFields);
        }

        [Theory]
        [InlineData(false, false)]
        [InlineData(true, false)]
        [InlineData(false, true)]
        [InlineData(true, true)]
        public void TagOwnerTableFindsTheFirstOwnerOfEveryTag(bool colliding, bool growing)
        {
            // Images with and without tags, repeated tags across and within images; the answers compared with a dictionary.
            // Colliding: every tag has the same hash code (a matrix made to collide), so the table moves to its dictionary
            // part way through and must still answer the same. Growing: the images are registered one at a time as the
            // loader does, in a table sized for far fewer images and tags, so both of its arrays grow on the way.
            var random = new Random(16);
            var images = new List<PythonImage>();
            for (int i = 0; i < 400; i++)
            {
                string[] Make(int n) => Enumerable.Range(0, n).Select(_ => "t" + random.Next(600)).ToArray();
                images.Add(new PythonImage("3.1", "3.1.0", "trixie") { Tags = Make(random.Next(4)), SharedTags = Make(random.Next(3)) });
            }

            Func<string, int>? hash = colliding ? _ => 42 : null;
            var table = growing ? new TagOwnerTable(images, 3, 2, hash) : TagOwnerTable.Create(images, hash)!;
            var reference = new Dictionary<string, (int Image, bool Shared)>(StringComparer.Ordinal);
            int found = 0;
            for (int i = 0; i < images.Count; i++)
            {
                if (growing)
                {
                    Assert.True(table.Register());
                }

                for (int p = 0; p < images[i].Tags.Length + images[i].SharedTags.Length; p++)
                {
                    bool shared = p >= images[i].Tags.Length;
                    string tag = shared ? images[i].SharedTags[p - images[i].Tags.Length] : images[i].Tags[p];
                    int number = shared ? table.SharedTag(i, p - images[i].Tags.Length) : table.SimpleTag(i, p);
                    int first = table.FindOrAdd(tag, number);
                    if (reference.TryGetValue(tag, out var owner))
                    {
                        found++;
                        Assert.True(first >= 0, tag);
                        Assert.Equal(owner.Image, table.ImageOf(first));
                        Assert.Equal(owner.Shared, table.IsShared(first));
                    }
                    else
                    {
                        Assert.Equal(-1, first);
                        reference[tag] = (i, shared);
                    }
                }
            }

            Assert.True(found > 100, "the data repeats tags");
            Assert.Equal(colliding, table.UsesDictionary);
        }
    }
}
