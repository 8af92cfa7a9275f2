using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PythonImages.Tests.ReleaseFixture;
using PythonImages.Updates;
using Xunit;

namespace PythonImages.Tests.Updates
{
    /// <summary>
    /// The VERSIONINFO reader of the installer check, on real PE files the .NET SDK and the C# compiler wrote (see
    /// tests/fixtures/pe/README.md) and on hostile ones: truncated, offsets and lengths pointing outside, directory loops.
    /// The file is fed as the download streams it, in chunks.
    /// </summary>
    public sealed class InstallerVersionTests
    {
        private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "fixtures", "pe");

        private static byte[] Apphost() => File.ReadAllBytes(Path.Combine(Dir, "apphost-win-x64-3.13.5150.0.exe"));

        private static byte[] AnyCpu() => File.ReadAllBytes(Path.Combine(Dir, "anycpu-3.14.122.0.dll"));

        private static InstallerVersion Feed(byte[] file, int chunk = 81920)
        {
            var tap = new InstallerVersion();
            for (int at = 0; at < file.Length; at += chunk)
            {
                int n = Math.Min(chunk, file.Length - at);
                var buffer = new byte[n + 3];
                Buffer.BlockCopy(file, at, buffer, 0, n); // a buffer longer than the bytes in it, as a reused read buffer is
                tap.Write(buffer, n);
            }

            return tap;
        }

        private static (int, int, int, int) Read(byte[] file, int chunk = 81920) => Feed(file, chunk).FileVersion();

        private static string Problem(byte[] file) => Assert.Throws<InvalidDataException>(() => Read(file)).Message;

        private static void Put32(byte[] b, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);

        private static uint Get32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

        [Fact]
        public void TheSdksNativeApphostCarriesItsFileVersionPastTheFirst64KiB()
        {
            byte[] exe = Apphost();
            Assert.True(exe.Length > InstallerVersion.HeaderBytes * 2);
            Assert.Equal((3, 13, 5150, 0), Read(exe));
            Assert.Null(InstallerVersion.Mismatch(Feed(exe), PythonVersion.Parse("3.13.5")));
            Assert.Equal("its version resource says 3.13.5150.0, the file version of the installer of 3.13.5", InstallerVersion.Mismatch(Feed(exe), PythonVersion.Parse("3.13.6")));
            Assert.Equal("its version resource says 3.13.5150.0, the file version of the installer of 3.13.5", InstallerVersion.Mismatch(Feed(exe), PythonVersion.Parse("3.14.5")));
        }

        [Fact]
        public void AManagedPe32ReadsItsFileVersionNotItsProductVersion()
        {
            // file version 3.14.122.0 (3.14.0rc2), fixed product version 3.14.0.0
            Assert.Equal((3, 14, 122, 0), Read(AnyCpu()));
            Assert.Null(InstallerVersion.Mismatch(Feed(AnyCpu()), PythonVersion.Parse("3.14.0rc2")));
            Assert.Equal("its version resource says 3.14.122.0, the file version of the installer of 3.14.0rc2", InstallerVersion.Mismatch(Feed(AnyCpu()), PythonVersion.Parse("3.14.0")));
            Assert.NotNull(InstallerVersion.Mismatch(Feed(AnyCpu()), PythonVersion.Parse("3.14.0rc1")));
        }

        [Fact]
        public void ThePeTheCompilerWritesForAnAlphaIsRead()
        {
            var tree = CSharpSyntaxTree.ParseText("[assembly: System.Reflection.AssemblyFileVersion(\"3.15.107.0\")]\n[assembly: System.Reflection.AssemblyInformationalVersion(\"3.15.0a7\")]\npublic static class Fixture { }");
            var compilation = CSharpCompilation.Create(
                "installer",
                new[] { tree },
                new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) },
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, platform: Platform.X64));
            using var pe = new MemoryStream();
            var emitted = compilation.Emit(pe, win32Resources: compilation.CreateDefaultWin32Resources(versionResource: true, noManifest: false, manifestContents: null, iconInIcoFormat: null));
            Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
            Assert.Equal((3, 15, 107, 0), Read(pe.ToArray()));
            Assert.Null(InstallerVersion.Mismatch(Feed(pe.ToArray()), PythonVersion.Parse("3.15.0a7")));
            Assert.Equal("its version resource says 3.15.107.0, the file version of the installer of 3.15.0a7", InstallerVersion.Mismatch(Feed(pe.ToArray()), PythonVersion.Parse("3.15.0b1")));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(7)]
        [InlineData(4096)]
        [InlineData(65535)]
        [InlineData(65536)]
        [InlineData(65537)]
        [InlineData(int.MaxValue)]
        public void AnyChunkingReadsTheSame(int chunk)
        {
            Assert.Equal((3, 13, 5150, 0), Read(Apphost(), chunk));
            Assert.Equal((3, 14, 122, 0), Read(AnyCpu(), chunk));
            byte[] far = InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6"), textBytes: 3 << 20, trailer: new byte[100_000]);
            Assert.Equal((3, 14, 6150, 0), Read(far, chunk));

            // a resource section that begins in the kept start and ends after it: its VS_FIXEDFILEINFO (40 bytes into the
            // VS_VERSIONINFO, the file version 8 bytes into that) has its file version before the boundary, the rest after
            var layout = new InstallerImage.Layout();
            byte[] straddling = InstallerImage.Make(InstallerImage.FileVersionOf("3.14.0rc2"), textBytes: InstallerVersion.HeaderBytes - 0x600, trailer: new byte[5000], layout: layout, dataPadding: 0x128);
            Assert.Equal(InstallerVersion.HeaderBytes - 8, layout.VersionInfoFileOffset + 40 + 8);
            Assert.Equal((3, 14, 122, 0), Read(straddling, chunk));
        }

        [Theory]
        [InlineData("3.13.5", 5150)]
        [InlineData("3.14.6", 6150)]
        [InlineData("3.14.0", 150)]
        [InlineData("3.14.0rc2", 122)]
        [InlineData("3.15.0b3", 113)]
        [InlineData("3.15.0a1", 101)]
        [InlineData("3.12.65", 65150)]
        public void TheThirdNumberEncodesMicroLevelAndSerial(string version, int field3)
        {
            var v = PythonVersion.Parse(version);
            Assert.Equal(field3, InstallerVersion.Field3(v));
            Assert.Equal(version, InstallerVersion.Release(v.Major, v.Minor, field3));
            Assert.Equal(field3, InstallerImage.FileVersionOf(version)[2]);
        }

        [Fact]
        public void NumbersThatNoReleaseCarriesAreNamedAsNone()
        {
            Assert.Null(InstallerVersion.Field3(PythonVersion.Parse("3.12.66"))); // 66150 does not fit 16 bits
            Assert.Equal("no file version (its number does not fit one)", InstallerVersion.Expected(PythonVersion.Parse("3.12.66")));
            Assert.Equal("the file version 3.14.6150.*", InstallerVersion.Expected(PythonVersion.Parse("3.14.6")));
            Assert.Null(InstallerVersion.Release(3, 14, 151));  // a final has serial 0
            Assert.Null(InstallerVersion.Release(3, 14, 5));    // no release level
            Assert.Null(InstallerVersion.Release(1, 0, 130));   // level 13 is none
            byte[] odd = InstallerImage.Make(new ushort[] { 10, 0, 17763, 1 });
            Assert.Equal("its version resource says 10.0.17763.1", InstallerVersion.Mismatch(Feed(odd), PythonVersion.Parse("3.14.6")));
        }

        [Fact]
        public void TheFixturesImageIsReadAsItsVersion()
        {
            var layout = new InstallerImage.Layout();
            byte[] image = InstallerImage.Make(InstallerImage.FileVersionOf("3.15.0b3"), layout: layout);
            Assert.Equal((3, 15, 113, 0), Read(image));
            Assert.Equal("it has no version resource", Problem(InstallerImage.Make(null)));
        }

        [Theory]
        [InlineData("")]
        [InlineData("python-3.14.6-amd64.exe")]
        [InlineData("MZ")]
        public void AFileThatIsNoExecutableIsRefused(string text)
        {
            Assert.Equal("it is not a Windows executable (it does not start with an MZ header)", Problem(System.Text.Encoding.ASCII.GetBytes(text)));
        }

        [Theory]
        [InlineData(0xFFFFFFFFu)]
        [InlineData(0x10000u)]
        [InlineData(0x0FFF0u)]
        [InlineData(0x40u)]
        public void APeHeaderOutsideTheKeptStartOrMissingIsRefused(uint lfanew)
        {
            byte[] b = InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6"), trailer: new byte[200_000]);
            Put32(b, 0x3C, lfanew);
            Assert.Equal("it is not a Windows executable (no PE header within its first 64 KiB)", Problem(b));
        }

        [Fact]
        public void BrokenHeadersAreRefused()
        {
            byte[] Image() => InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6"));
            const int Optional = 0x80 + 24;

            byte[] b = Image();
            b[Optional] = 0x07; // magic
            Assert.Equal("its PE optional header is neither PE32 nor PE32+", Problem(b));

            b = Image();
            Put32(b, Optional + 108, 2); // NumberOfRvaAndSizes: no resource directory entry
            Assert.Equal("its PE optional header has no resource directory entry", Problem(b));

            b = Image();
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x80 + 20), 96); // SizeOfOptionalHeader too small for the entry
            Assert.Equal("its PE optional header has no resource directory entry", Problem(b));

            b = Image();
            Put32(b, Optional + 128, 0); // resource directory RVA
            Assert.Equal("it has no resources, so no version resource", Problem(b));

            b = Image();
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x80 + 6), 0xFFFF); // NumberOfSections
            Assert.Equal("its section table does not lie within its first 64 KiB", Problem(b));

            b = Image();
            Put32(b, Optional + 128, 0x7000_0000); // a resource RVA no section holds
            Assert.Equal("no section of its file holds its resource directory", Problem(b));
        }

        [Fact]
        public void AHugeResourceSectionIsRefusedBeforeAnythingIsKept()
        {
            byte[] b = InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6"));
            int rsrcEntry = 0x80 + 24 + 240 + 40;
            Put32(b, rsrcEntry + 16, 0x7FFF_FFFF); // SizeOfRawData
            Assert.Equal($"its resource section is {0x7FFF_FFFF} bytes, more than the 8 MiB read", Problem(b));
        }

        [Fact]
        public void ATruncatedFileIsRefusedAtEveryLength()
        {
            var layout = new InstallerImage.Layout();
            byte[] whole = InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6"), textBytes: 70_000, layout: layout);
            Assert.True(layout.ResourceFileOffset > InstallerVersion.HeaderBytes);
            for (int cut = 0; cut < layout.ResourceFileOffset + layout.ResourceLength; cut += 61)
            {
                var tap = Feed(whole[..cut], 4096);
                Assert.Throws<InvalidDataException>(() => tap.FileVersion());
            }

            Assert.Equal("the file ends inside its resource section", Problem(whole[..(layout.ResourceFileOffset + 10)]));
            Assert.Equal("the file ends inside its resource section", Problem(Apphost()[..(0x27400 + 0x100)]));

            // a resource section said to lie past the end of the file
            byte[] b = InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6"));
            Put32(b, 0x80 + 24 + 240 + 40 + 20, 0x4000_0000); // PointerToRawData
            Assert.Equal("the file ends inside its resource section", Problem(b));
        }

        [Fact]
        public void ResourceDirectoryOffsetsPointingOutsideOrInLoopsAreRefused()
        {
            var layout = new InstallerImage.Layout();
            byte[] Image() => InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6"), layout: layout);
            byte[] b = Image();
            int root = layout.ResourceFileOffset;
            Assert.Equal(16u, Get32(b, root + 16)); // the first type is RT_VERSION
            uint names = Get32(b, root + 20) & 0x7FFFFFFF;
            uint languages = Get32(b, root + (int)names + 20) & 0x7FFFFFFF;
            uint data = Get32(b, root + (int)languages + 20);

            // the type's subdirectory is the root itself: the walk is three levels, never more
            b = Image();
            Put32(b, root + 20, 0x8000_0000);
            Assert.Equal("its resource directory is not a tree of type, name and language", Problem(b));

            // the language level points back at the names (a cycle)
            b = Image();
            Put32(b, root + (int)languages + 20, 0x8000_0000 | names);
            Assert.Equal("its resource directory is not a tree of type, name and language", Problem(b));

            // the type entry is a leaf
            b = Image();
            Put32(b, root + 20, data);
            Assert.Equal("its resource directory is not a tree of type, name and language", Problem(b));

            b = Image();
            Put32(b, root + 20, 0x8000_0000 | 0x7FFF_FFF0);
            Assert.Equal("its resource directory lies outside its resource section", Problem(b));

            b = Image();
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(root + 12), 0xFFFF); // NumberOfNamedEntries
            Assert.Equal("its resource directory lies outside its resource section", Problem(b));

            b = Image();
            Put32(b, root + (int)languages + 20, 0x7FFF_FFF0);
            Assert.Equal("its version resource entry points outside its resource section", Problem(b));

            b = Image();
            Put32(b, root + 16, 3); // RT_ICON only: no version resource
            Assert.Equal("it has no version resource", Problem(b));
        }

        [Fact]
        public void AVersionResourceOutsideTheSectionOrMalformedIsRefused()
        {
            var layout = new InstallerImage.Layout();
            byte[] Image() => InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6"), layout: layout);
            byte[] b = Image();
            int root = layout.ResourceFileOffset;
            uint names = Get32(b, root + 20) & 0x7FFFFFFF;
            uint languages = Get32(b, root + (int)names + 20) & 0x7FFFFFFF;
            int data = root + (int)Get32(b, root + (int)languages + 20);
            int info = layout.VersionInfoFileOffset;

            b = Image();
            Put32(b, data, (uint)layout.ResourceRva - 16); // OffsetToData before the section
            Assert.Equal("its version resource lies outside its resource section", Problem(b));

            b = Image();
            Put32(b, data + 4, 0xF000); // Size past the section's end
            Assert.Equal("its version resource lies outside its resource section", Problem(b));

            b = Image();
            Put32(b, data + 4, 0xFFFF_FFFF);
            Assert.Equal("its version resource lies outside its resource section", Problem(b));

            b = Image();
            Put32(b, data + 4, 20); // too short for the fixed part
            Assert.Equal("its version resource is too short for a VS_FIXEDFILEINFO", Problem(b));

            b = Image();
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(info), 0xFFFF); // wLength past the data entry's size
            Assert.Equal("its version resource is too short for a VS_FIXEDFILEINFO", Problem(b));

            b = Image();
            b[info + 6] = (byte)'X'; // the key
            Assert.Equal("its version resource is not a VS_VERSIONINFO", Problem(b));

            b = Image();
            b[info + 40] ^= 0xFF; // the VS_FIXEDFILEINFO signature
            Assert.Equal("its version resource has no VS_FIXEDFILEINFO signature", Problem(b));
        }

        [Fact]
        public void RandomDamageIsRefusedOrReadButNeverCrashes()
        {
            var random = new Random(20261202);
            byte[][] originals = { InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6")), AnyCpu(), Apphost() };
            for (int i = 0; i < 3000; i++)
            {
                byte[] b = (byte[])originals[i % originals.Length].Clone();
                for (int k = random.Next(1, 8); k > 0; k--)
                {
                    // damage the headers and the resources, where every offset and length lives
                    int at = random.Next(3) == 0 ? random.Next(0x200) : b.Length - 1 - random.Next(Math.Min(b.Length, 0x1000));
                    b[at] = (byte)random.Next(256);
                }

                try
                {
                    Read(b, 1 + random.Next(100_000));
                }
                catch (InvalidDataException)
                {
                }
            }
        }

        [Fact]
        public void OnlyTheResourceSectionIsKeptOfABigFile()
        {
            // 40 MiB after the image (as the packages follow a Burn bundle's image): the tap keeps the head and the section
            byte[] image = InstallerImage.Make(InstallerImage.FileVersionOf("3.14.6"));
            var tap = new InstallerVersion();
            tap.Write(image, image.Length);
            var chunk = new byte[1 << 20];
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 40; i++)
            {
                tap.Write(chunk, chunk.Length);
            }

            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "the bytes after the image were kept");
            Assert.Equal((3, 14, 6150, 0), tap.FileVersion());
            Assert.Equal(image.Length + (40L << 20), tap.Length);
        }
    }
}
