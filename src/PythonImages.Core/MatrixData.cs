using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace PythonImages
{
    /// <summary>
    /// The embedded matrix as data: what parsing Data/matrix.yaml gives, written once at build time
    /// (tools/PythonImages.MatrixData, run by the module's build) and read back without YAML, grammars or tag
    /// validation, all of which the build already ran. The module ships the file beside PythonImages.Core.dll; without
    /// it (unit tests, a flat build output) the embedded YAML is parsed as before.
    /// </summary>
    internal static class MatrixData
    {
        /// <summary>The file name beside PythonImages.Core.dll.</summary>
        public const string FileName = "PythonImages.matrix.bin";

        private const int Magic = 0x444D4950; // "PIMD"
        private const int FormatVersion = 1;

        /// <summary>The matrix from the data file beside <paramref name="coreAssemblyPath"/>, or null when there is none.</summary>
        public static Matrix? TryReadBeside(string? coreAssemblyPath, string source)
        {
            string? dir = string.IsNullOrEmpty(coreAssemblyPath) ? null : Path.GetDirectoryName(coreAssemblyPath);
            if (dir == null)
            {
                return null;
            }

            string path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                return null;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            return Read(new MemoryStream(ReadAll(stream)), source);
        }

        /// <summary>Writes <paramref name="matrix"/> (the build's side).</summary>
        public static void Write(Matrix matrix, Stream output)
        {
            using var w = new BinaryWriter(output, new UTF8Encoding(false), leaveOpen: true);
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(matrix.Repository);
            Strings(w, matrix.Maintainers);
            Strings(w, matrix.ExcludeArchitectures);
            w.Write(matrix.Architectures.Count);
            foreach (var kv in matrix.Architectures.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.Write(kv.Key);
                Strings(w, kv.Value);
            }

            w.Write(matrix.Aliases != null);
            if (matrix.Aliases != null)
            {
                w.Write(matrix.Aliases.Count);
                foreach (var kv in matrix.Aliases.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.Write(kv.Key);
                    Strings(w, kv.Value);
                }
            }

            w.Write(matrix.Versions.Count);
            foreach (var v in matrix.Versions)
            {
                w.Write(v.Key.Text);
                w.Write(v.Version.Text);
                w.Write(v.Line);
                Optional(w, v.SourceSha256);
                Optional(w, v.WindowsSha256);
                Optional(w, v.SetuptoolsVersion);
                Optional(w, v.GpgKey);
                Strings(w, v.ExcludeArchitectures);
                w.Write(v.Variants.Count);
                foreach (var variant in v.Variants)
                {
                    w.Write(variant.Path);
                    w.Write((int)variant.Family);
                    w.Write(variant.Distro);
                    w.Write(variant.BaseImage);
                }
            }
        }

        /// <summary>Reads what <see cref="Write"/> wrote; a file from another format version is refused.</summary>
        public static Matrix Read(Stream input, string source)
        {
            using var r = new BinaryReader(input, new UTF8Encoding(false), leaveOpen: true);
            if (r.ReadInt32() != Magic || r.ReadInt32() != FormatVersion)
            {
                throw new InvalidDataException($"{FileName} is not matrix data of format {FormatVersion}: rebuild the module.");
            }

            string repository = r.ReadString();
            var maintainers = Strings(r);
            var exclude = Strings(r);
            int archCount = r.ReadInt32();
            var architectures = new Dictionary<string, IReadOnlyList<string>>(archCount, StringComparer.Ordinal);
            for (int i = 0; i < archCount; i++)
            {
                string key = r.ReadString();
                architectures[key] = Strings(r);
            }

            Dictionary<string, IReadOnlyList<string>>? aliases = null;
            if (r.ReadBoolean())
            {
                int aliasCount = r.ReadInt32();
                aliases = new Dictionary<string, IReadOnlyList<string>>(aliasCount, StringComparer.Ordinal);
                for (int i = 0; i < aliasCount; i++)
                {
                    string key = r.ReadString();
                    aliases[key] = Strings(r);
                }
            }

            int versionCount = r.ReadInt32();
            var versions = new List<MatrixVersion>(versionCount);
            for (int i = 0; i < versionCount; i++)
            {
                string keyText = r.ReadString();
                string versionText = r.ReadString();
                if (!VersionKey.TryParse(keyText, out var key) || !PythonVersion.TryParse(versionText, out var version))
                {
                    throw new InvalidDataException($"{FileName} holds the version {keyText} = {versionText}, which does not parse: rebuild the module.");
                }

                int line = r.ReadInt32();
                string? sourceSha = Optional(r), windowsSha = Optional(r), setuptools = Optional(r), gpg = Optional(r);
                var versionExclude = Strings(r);
                int variantCount = r.ReadInt32();
                var variants = new VariantInfo[variantCount];
                for (int j = 0; j < variantCount; j++)
                {
                    variants[j] = VariantInfo.FromData(r.ReadString(), (ImageFamily)r.ReadInt32(), r.ReadString(), r.ReadString());
                }

                versions.Add(new MatrixVersion(key!, version!, variants)
                {
                    SourceSha256 = sourceSha,
                    WindowsSha256 = windowsSha,
                    SetuptoolsVersion = setuptools,
                    GpgKey = gpg,
                    ExcludeArchitectures = versionExclude,
                    Line = line,
                });
            }

            return new Matrix(versions)
            {
                Source = source,
                Aliases = aliases,
                Architectures = architectures,
                ExcludeArchitectures = exclude,
                Repository = repository,
                Maintainers = maintainers,
            };
        }

        private static byte[] ReadAll(Stream stream)
        {
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }

        private static void Strings(BinaryWriter w, IReadOnlyList<string> values)
        {
            w.Write(values.Count);
            foreach (var value in values)
            {
                w.Write(value);
            }
        }

        private static string[] Strings(BinaryReader r)
        {
            int count = r.ReadInt32();
            var result = count == 0 ? Array.Empty<string>() : new string[count];
            for (int i = 0; i < count; i++)
            {
                result[i] = r.ReadString();
            }

            return result;
        }

        private static void Optional(BinaryWriter w, string? value)
        {
            w.Write(value != null);
            if (value != null)
            {
                w.Write(value);
            }
        }

        private static string? Optional(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
    }
}
