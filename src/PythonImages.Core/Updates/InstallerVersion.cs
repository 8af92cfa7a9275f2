using System;
using System.Globalization;
using System.IO;
using PythonImages.Updates.Http;

namespace PythonImages.Updates
{
    /// <summary>
    /// The file version a Windows installer (a PE file) carries in its VERSIONINFO resource, read while the download
    /// streams through the hash: the first <see cref="HeaderBytes"/> are kept to find the section that holds the resource
    /// directory, then only that section's bytes (at most <see cref="MaxSectionBytes"/>) are kept as they pass; the rest
    /// of the file (python.org's installers carry some 25 MiB of packages after the image) is never held. Every offset and
    /// length read from the file is checked against what was kept, and the resource tree is walked exactly three levels
    /// deep (type, name, language), so a hostile file can neither read outside nor loop.
    /// </summary>
    internal sealed class InstallerVersion : BodyTap
    {
        /// <summary>The bytes kept from the start of the file: the DOS, PE and optional headers and the section table must lie within.</summary>
        internal const int HeaderBytes = 64 * 1024;

        /// <summary>The largest resource section read (a CPython installer's holds its icons, manifest and version: well under 1 MiB).</summary>
        internal const int MaxSectionBytes = 8 * 1024 * 1024;

        /// <summary>The largest VERSIONINFO resource read (a real one is under 2 KiB).</summary>
        private const int MaxVersionInfoBytes = 64 * 1024;

        private const int ResourceTypeVersion = 16;
        private const uint FixedFileInfoSignature = 0xFEEF04BD;
        private const string VersionInfoKey = "VS_VERSION_INFO";

        private readonly byte[] head = new byte[HeaderBytes];
        private int headLength;
        private long position;
        private bool located;
        private string? problem;
        private long sectionStart;
        private long sectionEnd;
        private uint sectionRva;
        private uint rootOffset;
        private byte[]? section; // grows as the section's bytes arrive, never past its length
        private int sectionLength;

        /// <summary>The bytes seen so far.</summary>
        internal long Length => position;

        /// <inheritdoc/>
        internal override void Write(byte[] buffer, int count)
        {
            long start = position;
            position += count;
            int toHead = (int)Math.Max(0, Math.Min(count, HeaderBytes - start));
            if (toHead > 0)
            {
                Buffer.BlockCopy(buffer, 0, head, (int)start, toHead);
                headLength += toHead;
            }

            if (!located && headLength == HeaderBytes)
            {
                Locate();
            }

            if (section != null)
            {
                // the head already gave what lies before HeaderBytes
                long from = Math.Max(start, Math.Max(sectionStart, HeaderBytes));
                long to = Math.Min(position, sectionEnd);
                if (to > from)
                {
                    Keep(buffer, (int)(from - start), (int)(to - from));
                }
            }
        }

        /// <summary>The fixed file version (major, minor, build, revision) of the whole file seen; throws <see cref="InvalidDataException"/> (why, for the message) when it has none.</summary>
        internal (int Major, int Minor, int Build, int Revision) FileVersion()
        {
            if (!located)
            {
                Locate(); // a file shorter than HeaderBytes
            }

            if (problem != null)
            {
                throw new InvalidDataException(problem);
            }

            if (sectionLength < sectionEnd - sectionStart)
            {
                throw new InvalidDataException("the file ends inside its resource section");
            }

            return ReadVersion(section!, sectionLength, sectionRva, rootOffset);
        }

        private void Keep(byte[] buffer, int offset, int count)
        {
            if (sectionLength + count > section!.Length)
            {
                long grown = Math.Min(sectionEnd - sectionStart, Math.Max(sectionLength + (long)count, section.Length * 2L));
                Array.Resize(ref section, (int)grown);
            }

            Buffer.BlockCopy(buffer, offset, section!, sectionLength, count);
            sectionLength += count;
        }

        /// <summary>Finds the section holding the resource directory from the headers kept; records why when it cannot.</summary>
        private void Locate()
        {
            located = true;
            try
            {
                var (start, length, rva, root) = ResourceSection(head, headLength);
                sectionStart = start;
                sectionEnd = start + length;
                sectionRva = rva;
                rootOffset = root;
                section = new byte[Math.Min(length, 64 * 1024)];
                if (start < headLength)
                {
                    Keep(head, (int)start, (int)(Math.Min(sectionEnd, headLength) - start));
                }
            }
            catch (InvalidDataException ex)
            {
                problem = ex.Message;
            }
        }

        /// <summary>
        /// The file range (start, length) of the section that holds the resource directory, its RVA and the directory's
        /// offset in it, read from the first <paramref name="length"/> bytes of the file.
        /// </summary>
        internal static (long Start, int Length, uint Rva, uint Root) ResourceSection(byte[] b, int length)
        {
            if (length < 0x40 || b[0] != (byte)'M' || b[1] != (byte)'Z')
            {
                throw new InvalidDataException("it is not a Windows executable (it does not start with an MZ header)");
            }

            long pe = U32(b, 0x3C);
            if (pe + 24 > length || U32(b, (int)pe) != 0x00004550)
            {
                throw new InvalidDataException($"it is not a Windows executable (no PE header within its first {HeaderBytes / 1024} KiB)");
            }

            int sections = U16(b, (int)pe + 6);
            int optionalSize = U16(b, (int)pe + 20);
            int optional = (int)pe + 24;
            int magic = optional + 2 <= length ? U16(b, optional) : 0;
            int directories = magic == 0x20B ? 112 : magic == 0x10B ? 96 : throw new InvalidDataException("its PE optional header is neither PE32 nor PE32+");
            int resourceEntry = directories + (2 * 8);
            if (resourceEntry + 8 > optionalSize || optional + resourceEntry + 8 > length || U32(b, optional + directories - 4) < 3)
            {
                throw new InvalidDataException("its PE optional header has no resource directory entry");
            }

            uint rva = U32(b, optional + resourceEntry);
            uint size = U32(b, optional + resourceEntry + 4);
            if (rva == 0 || size == 0)
            {
                throw new InvalidDataException("it has no resources, so no version resource");
            }

            long table = (long)optional + optionalSize;
            if (sections > 96 || table + (sections * 40L) > length)
            {
                throw new InvalidDataException($"its section table does not lie within its first {HeaderBytes / 1024} KiB");
            }

            for (int i = 0; i < sections; i++)
            {
                int s = (int)table + (i * 40);
                uint va = U32(b, s + 12);
                uint rawSize = U32(b, s + 16);
                uint rawStart = U32(b, s + 20);
                if (rva >= va && rva - va < rawSize)
                {
                    if (rawSize > MaxSectionBytes)
                    {
                        throw new InvalidDataException($"its resource section is {rawSize} bytes, more than the {MaxSectionBytes / (1024 * 1024)} MiB read");
                    }

                    return (rawStart, (int)rawSize, va, rva - va);
                }
            }

            throw new InvalidDataException("no section of its file holds its resource directory");
        }

        /// <summary>The fixed file version of the first VERSIONINFO resource in the resource section <paramref name="s"/>.</summary>
        internal static (int Major, int Minor, int Build, int Revision) ReadVersion(byte[] s, int length, uint sectionRva, uint root)
        {
            // type (RT_VERSION by id), then its first name, then that name's first language: three levels, never more
            uint names = Subdirectory(s, length, Find(s, length, root, ResourceTypeVersion) ?? throw new InvalidDataException("it has no version resource"));
            uint languages = Subdirectory(s, length, Find(s, length, names, null) ?? throw new InvalidDataException("its version resource is empty"));
            uint leaf = Find(s, length, languages, null) ?? throw new InvalidDataException("its version resource is empty");
            if ((leaf & 0x80000000) != 0)
            {
                throw new InvalidDataException("its resource directory is not a tree of type, name and language");
            }

            if ((long)leaf + 16 > length)
            {
                throw new InvalidDataException("its version resource entry points outside its resource section");
            }

            long at = (long)U32(s, (int)leaf) - sectionRva;
            long size = U32(s, (int)leaf + 4);
            if (at < 0 || size > MaxVersionInfoBytes || at + size > length)
            {
                throw new InvalidDataException("its version resource lies outside its resource section");
            }

            return FixedFileVersion(s, (int)at, (int)size);
        }

        /// <summary>The OffsetToData of the entry of directory <paramref name="dir"/> with id <paramref name="id"/> (the first entry for null).</summary>
        private static uint? Find(byte[] s, int length, uint dir, int? id)
        {
            if ((long)dir + 16 > length)
            {
                throw new InvalidDataException("its resource directory lies outside its resource section");
            }

            int named = U16(s, (int)dir + 12);
            int count = named + U16(s, (int)dir + 14);
            if ((long)dir + 16 + (count * 8L) > length)
            {
                throw new InvalidDataException("its resource directory lies outside its resource section");
            }

            for (int i = id == null ? 0 : named; i < count; i++)
            {
                int e = (int)dir + 16 + (i * 8);
                if (id == null || U32(s, e) == (uint)id.Value)
                {
                    return U32(s, e + 4);
                }
            }

            return null;
        }

        private static uint Subdirectory(byte[] s, int length, uint entry) =>
            (entry & 0x80000000) != 0 ? entry & 0x7FFFFFFF : throw new InvalidDataException("its resource directory is not a tree of type, name and language");

        /// <summary>dwFileVersionMS/LS of the VS_FIXEDFILEINFO that opens a VS_VERSIONINFO of <paramref name="size"/> bytes at <paramref name="at"/>.</summary>
        private static (int, int, int, int) FixedFileVersion(byte[] s, int at, int size)
        {
            // WORD wLength, WORD wValueLength, WORD wType, "VS_VERSION_INFO\0" in UTF-16, padding to 32 bits, the value
            int keyEnd = 6 + ((VersionInfoKey.Length + 1) * 2);
            int value = (keyEnd + 3) & ~3;
            int total = size >= 2 ? U16(s, at) : 0;
            if (total > size || total < value + 52 || U16(s, at + 2) < 52)
            {
                throw new InvalidDataException("its version resource is too short for a VS_FIXEDFILEINFO");
            }

            for (int i = 0; i <= VersionInfoKey.Length; i++)
            {
                char expected = i < VersionInfoKey.Length ? VersionInfoKey[i] : '\0';
                if (U16(s, at + 6 + (i * 2)) != expected)
                {
                    throw new InvalidDataException("its version resource is not a VS_VERSIONINFO");
                }
            }

            if (U32(s, at + value) != FixedFileInfoSignature)
            {
                throw new InvalidDataException("its version resource has no VS_FIXEDFILEINFO signature");
            }

            uint ms = U32(s, at + value + 8);
            uint ls = U32(s, at + value + 12);
            return ((int)(ms >> 16), (int)(ms & 0xFFFF), (int)(ls >> 16), (int)(ls & 0xFFFF));
        }

        private static int U16(byte[] b, int at) => b[at] | (b[at + 1] << 8);

        private static uint U32(byte[] b, int at) => (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));

        /// <summary>
        /// The third number of the file version python.org's installer of <paramref name="v"/> carries: CPython's build
        /// (PCbuild's Field3Value, the bundle's Version) encodes micro, release level and serial as
        /// MICRO×1000 + LEVEL×10 + SERIAL, with LEVEL 10 for alpha, 11 for beta, 12 for release candidates and 15 for
        /// finals (3.13.5 → 3.13.5150, 3.14.0rc2 → 3.14.122). Null when it does not fit a version field (16 bits).
        /// </summary>
        internal static int? Field3(PythonVersion v)
        {
            int level = v.PreRelease switch
            {
                PreReleaseKind.Alpha => 10,
                PreReleaseKind.Beta => 11,
                PreReleaseKind.ReleaseCandidate => 12,
                _ => 15,
            };
            long field = (v.Patch * 1000L) + (level * 10) + v.PreReleaseNumber;
            return field <= ushort.MaxValue && v.PreReleaseNumber < 10 ? (int)field : (int?)null;
        }

        /// <summary>The CPython version a file version stands for under that encoding ("3.13.5"), or null when it stands for none.</summary>
        internal static string? Release(int major, int minor, int build)
        {
            int micro = build / 1000;
            int level = build % 1000 / 10;
            int serial = build % 10;
            string? suffix = level switch
            {
                10 => "a",
                11 => "b",
                12 => "rc",
                15 when serial == 0 => string.Empty,
                _ => null,
            };
            if (suffix == null)
            {
                return null;
            }

            string text = string.Format(CultureInfo.InvariantCulture, "{0}.{1}.{2}", major, minor, micro);
            return suffix.Length == 0 ? text : text + suffix + serial.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>
        /// Null when the installer whose bytes went through <paramref name="tap"/> carries the file version of
        /// <paramref name="v"/> (major, minor and the encoded third number; the fourth is 0 for every release and not
        /// compared); otherwise what was found instead (for the message).
        /// </summary>
        internal static string? Mismatch(InstallerVersion tap, PythonVersion v)
        {
            (int Major, int Minor, int Build, int Revision) found;
            try
            {
                found = tap.FileVersion();
            }
            catch (InvalidDataException ex)
            {
                return ex.Message;
            }

            if (found.Major == v.Major && found.Minor == v.Minor && found.Build == Field3(v))
            {
                return null;
            }

            string shown = string.Format(CultureInfo.InvariantCulture, "{0}.{1}.{2}.{3}", found.Major, found.Minor, found.Build, found.Revision);
            string? release = Release(found.Major, found.Minor, found.Build);
            return $"its version resource says {shown}" + (release != null ? $", the file version of the installer of {release}" : string.Empty);
        }

        /// <summary>The file version the installer of <paramref name="v"/> carries, as the message shows it ("3.14.6150.*").</summary>
        internal static string Expected(PythonVersion v)
        {
            int? field3 = Field3(v);
            return field3 == null
                ? "no file version (its number does not fit one)"
                : string.Format(CultureInfo.InvariantCulture, "the file version {0}.{1}.{2}.*", v.Major, v.Minor, field3.Value);
        }
    }
}
