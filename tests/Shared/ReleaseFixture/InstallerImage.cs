using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace PythonImages.Tests.ReleaseFixture
{
    /// <summary>
    /// A small Windows installer as the loopback python.org serves it: a PE32+ (amd64) image with a .text section and a
    /// .rsrc section holding one VERSIONINFO resource (type 16, name 1, language 1033: a VS_VERSIONINFO with its
    /// VS_FIXEDFILEINFO and a StringFileInfo), followed by bytes after the image as a Burn bundle carries its packages.
    /// The layout follows the PE/COFF specification; pefile and the parser's tests against real SDK-built files read it
    /// the same way.
    /// </summary>
    public static class InstallerImage
    {
        public const int FileAlignment = 0x200;
        public const int SectionAlignment = 0x1000;

        /// <summary>Where the resource section starts in the file (its raw data) and in memory (its RVA).</summary>
        public sealed class Layout
        {
            public int ResourceFileOffset { get; set; }
            public int ResourceRva { get; set; }
            public int ResourceLength { get; set; }

            /// <summary>The offset of the VS_VERSIONINFO in the file.</summary>
            public int VersionInfoFileOffset { get; set; }
        }

        /// <summary>
        /// The file version python.org's installer of <paramref name="version"/> carries: MAJOR.MINOR.FIELD3.0 with
        /// FIELD3 = MICRO×1000 + LEVEL×10 + SERIAL (LEVEL 10 alpha, 11 beta, 12 candidate, 15 final), as CPython's
        /// PCbuild/python.props computes it for Tools/msi's bundle Version.
        /// </summary>
        public static ushort[] FileVersionOf(string version)
        {
            string[] parts = version.Split('.');
            string micro = new string(parts[2].TakeWhile(char.IsDigit).ToArray());
            string suffix = parts[2][micro.Length..];
            int level = suffix.StartsWith("rc", StringComparison.Ordinal) ? 12 : suffix.StartsWith('b') ? 11 : suffix.StartsWith('a') ? 10 : 15;
            int serial = suffix.Length == 0 ? 0 : int.Parse(suffix.TrimStart('a', 'b', 'r', 'c'), System.Globalization.CultureInfo.InvariantCulture);
            return new[] { ushort.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), ushort.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), (ushort)((int.Parse(micro, System.Globalization.CultureInfo.InvariantCulture) * 1000) + (level * 10) + serial), (ushort)0 };
        }

        /// <summary>The installer of a CPython version, as python.org would build it.</summary>
        public static byte[] Of(string version) => Make(FileVersionOf(version), "Python " + version + " (64-bit)", trailer: Encoding.ASCII.GetBytes("attached container of python-" + version + "-amd64.exe"));

        /// <summary>
        /// A PE32+ image whose VERSIONINFO says <paramref name="fileVersion"/> (null: no version resource, only an
        /// RT_MANIFEST), with a .text of <paramref name="textBytes"/> before the resources and <paramref name="trailer"/>
        /// after the image; <paramref name="dataPadding"/> bytes (a multiple of 8) between the resource directory and the data.
        /// </summary>
        public static byte[] Make(ushort[]? fileVersion, string productName = "Python", int textBytes = FileAlignment, byte[]? trailer = null, Layout? layout = null, int dataPadding = 0)
        {
            int textRaw = Align(textBytes, FileAlignment);
            int rsrcFile = FileAlignment * 2 + textRaw;
            int rsrcRva = SectionAlignment + Align(textRaw, SectionAlignment);
            byte[] rsrc = ResourceSection(rsrcRva, fileVersion, productName, dataPadding, out int versionInfoAt);
            int rsrcRaw = Align(rsrc.Length, FileAlignment);

            var file = new byte[rsrcFile + rsrcRaw];
            var w = new Writer(file);

            // DOS header: "MZ", e_lfanew at 0x3C
            w.U16(0, 0x5A4D);
            w.U32(0x3C, 0x80);
            int pe = 0x80;
            w.U32(pe, 0x00004550);
            w.U16(pe + 4, 0x8664);  // Machine: amd64
            w.U16(pe + 6, 2);       // NumberOfSections
            w.U16(pe + 20, 240);    // SizeOfOptionalHeader: PE32+ with 16 data directories
            w.U16(pe + 22, 0x0022); // executable, large address aware

            int opt = pe + 24;
            w.U16(opt, 0x20B);
            w.U32(opt + 4, (uint)textRaw);             // SizeOfCode
            w.U32(opt + 16, (uint)SectionAlignment);    // AddressOfEntryPoint
            w.U32(opt + 20, (uint)SectionAlignment);    // BaseOfCode
            w.U64(opt + 24, 0x140000000);               // ImageBase
            w.U32(opt + 32, (uint)SectionAlignment);
            w.U32(opt + 36, (uint)FileAlignment);
            w.U16(opt + 40, 6);                          // OS version 6.0
            w.U16(opt + 48, 6);                          // subsystem version 6.0
            w.U32(opt + 56, (uint)(rsrcRva + Align(rsrc.Length, SectionAlignment))); // SizeOfImage
            w.U32(opt + 60, (uint)FileAlignment * 2);   // SizeOfHeaders
            w.U16(opt + 68, 2);                          // Subsystem: Windows GUI
            w.U16(opt + 70, 0x8160);                     // DLL characteristics: high entropy VA, dynamic base, NX, terminal server aware
            w.U64(opt + 72, 0x100000);
            w.U64(opt + 80, 0x1000);
            w.U64(opt + 88, 0x100000);
            w.U64(opt + 96, 0x1000);
            w.U32(opt + 108, 16);                        // NumberOfRvaAndSizes
            w.U32(opt + 112 + 16, (uint)rsrcRva);       // data directory 2: resources
            w.U32(opt + 112 + 20, (uint)rsrc.Length);

            int table = opt + 240;
            Section(w, table, ".text", textBytes, SectionAlignment, textRaw, FileAlignment * 2, 0x60000020);
            Section(w, table + 40, ".rsrc", rsrc.Length, rsrcRva, rsrcRaw, rsrcFile, 0x40000040);
            file[FileAlignment * 2] = 0xC3; // ret
            Buffer.BlockCopy(rsrc, 0, file, rsrcFile, rsrc.Length);

            if (layout != null)
            {
                layout.ResourceFileOffset = rsrcFile;
                layout.ResourceRva = rsrcRva;
                layout.ResourceLength = rsrc.Length;
                layout.VersionInfoFileOffset = rsrcFile + versionInfoAt;
            }

            return trailer == null ? file : file.Concat(trailer).ToArray();
        }

        private static void Section(Writer w, int at, string name, int virtualSize, int rva, int rawSize, int rawStart, uint characteristics)
        {
            Encoding.ASCII.GetBytes(name).CopyTo(w.Bytes, at);
            w.U32(at + 8, (uint)virtualSize);
            w.U32(at + 12, (uint)rva);
            w.U32(at + 16, (uint)rawSize);
            w.U32(at + 20, (uint)rawStart);
            w.U32(at + 36, characteristics);
        }

        /// <summary>The resource section: root (types), a name level and a language level per type, data entries, then the data.</summary>
        private static byte[] ResourceSection(int rva, ushort[]? fileVersion, string productName, int dataPadding, out int versionInfoAt)
        {
            // RT_MANIFEST (24) always, RT_VERSION (16) when asked: ids sorted ascending as the format wants
            var types = new List<(int Type, byte[] Data)>();
            if (fileVersion != null)
            {
                types.Add((16, VersionInfo(fileVersion, productName)));
            }

            types.Add((24, Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\"/>")));

            int n = types.Count;
            int rootSize = 16 + (8 * n);
            int perType = (16 + 8) * 2; // name directory + language directory, one entry each
            int entries = rootSize + (perType * n);
            int dataEntries = entries;
            int dataStart = Align(dataEntries + (16 * n), 8) + dataPadding;
            var offsets = new List<int>();
            int at = dataStart;
            foreach (var t in types)
            {
                offsets.Add(at);
                at = Align(at + t.Data.Length, 8);
            }

            var s = new byte[at];
            var w = new Writer(s);
            w.U16(14, (ushort)n); // NumberOfIdEntries
            for (int i = 0; i < n; i++)
            {
                int names = rootSize + (perType * i);
                int languages = names + 24;
                int data = dataEntries + (16 * i);
                w.U32(16 + (8 * i), (uint)types[i].Type);
                w.U32(20 + (8 * i), 0x80000000u | (uint)names);
                w.U16(names + 14, 1);
                w.U32(names + 16, 1);                              // name: #1
                w.U32(names + 20, 0x80000000u | (uint)languages);
                w.U16(languages + 14, 1);
                w.U32(languages + 16, 1033);                       // language: en-US
                w.U32(languages + 20, (uint)data);                 // a data entry, not a directory
                w.U32(data, (uint)(rva + offsets[i]));             // OffsetToData is an RVA
                w.U32(data + 4, (uint)types[i].Data.Length);
                Buffer.BlockCopy(types[i].Data, 0, s, offsets[i], types[i].Data.Length);
            }

            versionInfoAt = fileVersion != null ? offsets[0] : -1;
            return s;
        }

        /// <summary>A VS_VERSIONINFO: the VS_FIXEDFILEINFO, then a StringFileInfo with table 040904b0.</summary>
        public static byte[] VersionInfo(ushort[] v, string productName)
        {
            string text = string.Join(".", v);
            var strings = new[] { ("CompanyName", "Python Software Foundation"), ("FileDescription", productName), ("FileVersion", text), ("ProductName", productName), ("ProductVersion", text) };
            byte[] table = Block("040904b0", 1, null, strings.Select(p => Block(p.Item1, 1, p.Item2, Array.Empty<byte[]>())).ToArray());
            byte[] stringFileInfo = Block("StringFileInfo", 1, null, new[] { table });
            var fixedInfo = new byte[52];
            var f = new Writer(fixedInfo);
            f.U32(0, 0xFEEF04BD);
            f.U32(4, 0x00010000);
            f.U32(8, ((uint)v[0] << 16) | v[1]);
            f.U32(12, ((uint)v[2] << 16) | v[3]);
            f.U32(16, ((uint)v[0] << 16) | v[1]);
            f.U32(20, ((uint)v[2] << 16) | v[3]);
            f.U32(24, 0x3F);
            f.U32(32, 0x4);  // VOS__WINDOWS32
            f.U32(36, 0x1);  // VFT_APP
            return Block("VS_VERSION_INFO", 0, fixedInfo, new[] { stringFileInfo });
        }

        /// <summary>One version block: wLength, wValueLength, wType, key, padding, value, padding, children.</summary>
        private static byte[] Block(string key, int type, object? value, byte[][] children)
        {
            var m = new MemoryStream();
            m.Write(new byte[6]);
            m.Write(Encoding.Unicode.GetBytes(key + "\0"));
            Pad(m);
            int valueLength = 0;
            if (value is byte[] binary)
            {
                m.Write(binary);
                valueLength = binary.Length;
            }
            else if (value is string s)
            {
                m.Write(Encoding.Unicode.GetBytes(s + "\0"));
                valueLength = s.Length + 1; // in WORDs for text
            }

            foreach (byte[] child in children)
            {
                Pad(m);
                m.Write(child);
            }

            byte[] b = m.ToArray();
            var w = new Writer(b);
            w.U16(0, (ushort)b.Length);
            w.U16(2, (ushort)valueLength);
            w.U16(4, (ushort)type);
            return b;
        }

        private static void Pad(MemoryStream m)
        {
            while (m.Length % 4 != 0)
            {
                m.WriteByte(0);
            }
        }

        private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;

        private sealed class Writer
        {
            public Writer(byte[] bytes) => Bytes = bytes;

            public byte[] Bytes { get; }

            public void U16(int at, ushort v) => BitConverter.TryWriteBytes(Bytes.AsSpan(at, 2), v);

            public void U32(int at, uint v) => BitConverter.TryWriteBytes(Bytes.AsSpan(at, 4), v);

            public void U64(int at, ulong v) => BitConverter.TryWriteBytes(Bytes.AsSpan(at, 8), v);
        }
    }
}
