using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PythonImages.Security;

namespace PythonImages.Updates
{
    /// <summary>
    /// The updater's rules without any I/O: which versions are candidates for a key, what a directory index lists,
    /// where checksums come from and how they must agree, when setuptools is expected, which variants a key gets,
    /// and the grammar every value must pass before it may enter the matrix.
    /// </summary>
    public static class ReleaseRules
    {
        /// <summary>The largest python.org release index read.</summary>
        public const long IndexLimit = 2 * 1024 * 1024;
        /// <summary>The largest sigstore bundle read.</summary>
        public const long BundleLimit = 1024 * 1024;

        /// <summary>The most bytes of a release file (source tarball, Windows installer) hashed: real ones are about 30 MB.</summary>
        public const long ReleaseFileLimit = 256L * 1024 * 1024;
        /// <summary>The largest SBOM read.</summary>
        public const long SbomLimit = 8 * 1024 * 1024;
        /// <summary>The largest ensurepip file read.</summary>
        public const long EnsurepipLimit = 1024 * 1024;
        /// <summary>The largest PyPI answer read.</summary>
        public const long PyPILimit = 2 * 1024 * 1024;

        // ---- directory indexes ---------------------------------------------------------------------------------------------

        /// <summary>
        /// The link targets of an FTP-style HTML directory index (python.org's ftp/python/ pages). The page must be a
        /// complete HTML document with at least one link; names that are not printable ASCII are malformed.
        /// </summary>
        public static IReadOnlyList<string> ParseIndex(byte[] body, string where)
        {
            string html;
            try
            {
                html = new UTF8Encoding(false, true).GetString(body);
            }
            catch (DecoderFallbackException)
            {
                throw Malformed(where, "the directory index is not UTF-8 text");
            }

            if (html.IndexOf('\0') >= 0 || html.IndexOf("</html>", StringComparison.OrdinalIgnoreCase) < 0 || html.IndexOf("<a ", StringComparison.OrdinalIgnoreCase) < 0)
            {
                throw Malformed(where, "it is not a complete HTML directory index (no links, or no closing </html>)");
            }

            var links = new List<string>();
            int i = 0;
            while ((i = html.IndexOf("<a ", i, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                int close = html.IndexOf('>', i);
                if (close < 0)
                {
                    throw Malformed(where, "a link tag is not closed");
                }

                string tag = html.Substring(i, close - i);
                int h = tag.IndexOf("href=\"", StringComparison.OrdinalIgnoreCase);
                if (h >= 0)
                {
                    int end = tag.IndexOf('"', h + 6);
                    if (end < 0)
                    {
                        throw Malformed(where, "a link target is not closed");
                    }

                    links.Add(tag.Substring(h + 6, end - h - 6));
                }

                i = close;
            }

            return links;
        }

        /// <summary>Release directories (M.N.P/) of the key's series in an index, highest first.</summary>
        public static IReadOnlyList<PythonVersion> ReleaseDirectories(IEnumerable<string> links, VersionKey key) =>
            links.Select(l => l.EndsWith("/", StringComparison.Ordinal) ? l.Substring(0, l.Length - 1) : null)
                .Where(l => l != null && InputGrammar.PythonVersion.IsMatch(l) && PythonVersion.TryParse(l, out var v) && !v!.IsPreRelease
                    && v.Major == key.Major && v.Minor == key.Minor)
                .Select(l => PythonVersion.Parse(l!))
                .Distinct()
                .OrderByDescending(v => v)
                .ToList();

        /// <summary>Versions of <c>Python-&lt;version&gt;.tar.xz</c> files in a release directory's index, highest first.</summary>
        public static IReadOnlyList<PythonVersion> SourceTarballs(IEnumerable<string> links, PythonVersion directory) =>
            links.Select(l => l.StartsWith("Python-", StringComparison.Ordinal) && l.EndsWith(".tar.xz", StringComparison.Ordinal)
                    ? l.Substring(7, l.Length - 7 - 7)
                    : null)
                .Where(v => v != null && InputGrammar.PythonVersion.IsMatch(v) && PythonVersion.TryParse(v, out var p) && p!.DownloadDirectory == directory.Text)
                .Select(v => PythonVersion.Parse(v!))
                .Distinct()
                .OrderByDescending(v => v)
                .ToList();

        /// <summary>The source tarball's file name.</summary>
        public static string SourceFileName(PythonVersion v) => "Python-" + v.Text + ".tar.xz";

        /// <summary>The Windows installer's file name.</summary>
        public static string WindowsFileName(PythonVersion v) => "python-" + v.Text + "-amd64.exe";

        // ---- checksums -------------------------------------------------------------------------------------------------------

        /// <summary>The sha256 of the CPython package for <paramref name="fileName"/> in an SPDX SBOM.</summary>
        public static string SbomSha256(byte[] body, string fileName, string where)
        {
            try
            {
                using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
                foreach (var package in doc.RootElement.GetProperty("packages").EnumerateArray())
                {
                    if (package.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && name.GetString() == "CPython"
                        && package.TryGetProperty("packageFileName", out var file) && file.ValueKind == JsonValueKind.String && file.GetString() == fileName)
                    {
                        foreach (var c in package.GetProperty("checksums").EnumerateArray())
                        {
                            if (string.Equals(c.GetProperty("algorithm").GetString(), "SHA256", StringComparison.OrdinalIgnoreCase))
                            {
                                return RequireSha256(c.GetProperty("checksumValue").GetString(), where);
                            }
                        }

                        throw Malformed(where, $"the CPython package for {fileName} has no SHA256 checksum");
                    }
                }

                throw Malformed(where, $"the SBOM has no CPython package for {fileName}");
            }
            catch (Exception ex) when (ex is JsonException || ex is KeyNotFoundException || ex is InvalidOperationException)
            {
                throw Malformed(where, "the SBOM is not the expected SPDX JSON: " + ex.Message);
            }
        }

        /// <summary>Sigstore first, the SBOM as the fallback; when both exist they must agree.</summary>
        public static (string? Sha256, ChecksumOrigin Origin) Reconcile(string? sigstore, string? sbom, string what)
        {
            if (sigstore != null && sbom != null)
            {
                if (!string.Equals(sigstore, sbom, StringComparison.OrdinalIgnoreCase))
                {
                    throw new UpdateException(
                        UpdateErrorIds.ChecksumMismatch,
                        $"The checksums of {what} disagree: the signed sigstore bundle says {sigstore}, the SBOM says {sbom}.",
                        "Do not use this release until python.org corrects it; verify the file by other means before updating the matrix by hand.",
                        what);
                }

                return (sigstore, ChecksumOrigin.SigstoreAndSbom);
            }

            return sigstore != null ? (sigstore, ChecksumOrigin.Sigstore) : sbom != null ? (sbom, ChecksumOrigin.Sbom) : (null, ChecksumOrigin.None);
        }

        // ---- setuptools ------------------------------------------------------------------------------------------------------

        /// <summary>Series below 3.12 bundle setuptools in ensurepip; 3.12 and later must not (cpython issue 95299).</summary>
        public static bool ExpectsSetuptools(VersionKey key) => key.Major < 3 || (key.Major == 3 && key.Minor < 12);

        /// <summary>The value of <c>_SETUPTOOLS_VERSION = "..."</c> in ensurepip's __init__.py, or null.</summary>
        public static string? EnsurepipSetuptools(byte[] body, string where)
        {
            string text;
            try
            {
                text = new UTF8Encoding(false, true).GetString(body);
            }
            catch (DecoderFallbackException)
            {
                throw Malformed(where, "ensurepip's __init__.py is not UTF-8 text");
            }

            foreach (string raw in text.Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                const string prefix = "_SETUPTOOLS_VERSION = \"";
                if (line.StartsWith(prefix, StringComparison.Ordinal) && line.EndsWith("\"", StringComparison.Ordinal) && line.Length > prefix.Length)
                {
                    return line.Substring(prefix.Length, line.Length - prefix.Length - 1);
                }
            }

            return null;
        }

        /// <summary>True when PyPI's JSON for a release names that project and version.</summary>
        public static bool PyPIHasRelease(byte[] body, string project, string version, string where)
        {
            try
            {
                using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
                var info = doc.RootElement.GetProperty("info");
                return string.Equals(info.GetProperty("name").GetString(), project, StringComparison.OrdinalIgnoreCase)
                    && info.GetProperty("version").GetString() == version;
            }
            catch (Exception ex) when (ex is JsonException || ex is KeyNotFoundException || ex is InvalidOperationException)
            {
                throw Malformed(where, "PyPI's answer is not the expected JSON: " + ex.Message);
            }
        }

        // ---- variants --------------------------------------------------------------------------------------------------------

        /// <summary>
        /// The variants of an existing key: its own list, without the Windows variants when no installer exists; with the
        /// Windows variants of <paramref name="windowsDonor"/> appended when an installer appeared and the key had none.
        /// </summary>
        public static IReadOnlyList<string> VariantsForExisting(IReadOnlyList<VariantInfo> current, bool hasWindows, IReadOnlyList<VariantInfo>? windowsDonor)
        {
            bool hadWindows = current.Any(v => v.OS == ImageOS.Windows);
            if (hasWindows && hadWindows)
            {
                return current.Select(v => v.Path).ToList();
            }

            var linux = current.Where(v => v.OS == ImageOS.Linux).Select(v => v.Path);
            return hasWindows && windowsDonor != null
                ? linux.Concat(windowsDonor.Where(v => v.OS == ImageOS.Windows).Select(v => v.Path)).ToList()
                : linux.ToList();
        }

        /// <summary>
        /// The variants of a new key: the Linux variants of the newest key of the same kind (released or -rc, else the
        /// newest key), and Windows variants only when an installer exists (that key's, else the newest key's that has some).
        /// </summary>
        public static IReadOnlyList<string> VariantsForNew(VersionKey key, IReadOnlyList<MatrixVersion> remaining, bool hasWindows)
        {
            var template = remaining.Where(v => v.Key.IsPreRelease == key.IsPreRelease).OrderByDescending(v => v.Key).FirstOrDefault()
                ?? remaining.OrderByDescending(v => v.Key).First();
            var linux = template.Variants.Where(v => v.OS == ImageOS.Linux).Select(v => v.Path);
            if (!hasWindows)
            {
                return linux.ToList();
            }

            var donor = template.Variants.Any(v => v.OS == ImageOS.Windows)
                ? template
                : remaining.Where(v => v.Variants.Any(x => x.OS == ImageOS.Windows)).OrderByDescending(v => v.Key).FirstOrDefault();
            return donor == null ? linux.ToList() : linux.Concat(donor.Variants.Where(v => v.OS == ImageOS.Windows).Select(v => v.Path)).ToList();
        }

        // ---- grammar at the door -----------------------------------------------------------------------------------------------

        /// <summary>The value, if it passes <paramref name="grammar"/>; otherwise Update.RejectedValue (nothing from a server
        /// enters the matrix without passing the project's grammars).</summary>
        public static string Require(Grammar grammar, string? value, string what)
        {
            string? why = grammar.Why(value);
            if (why != null)
            {
                throw new UpdateException(
                    UpdateErrorIds.RejectedValue,
                    $"{what} is not accepted: {why} (value: '{InputGrammar.Show(value)}').",
                    "The server sent a value that cannot be a real release fact; check the base URIs and do not trust this source.",
                    what);
            }

            return value!;
        }

        /// <summary><paramref name="value"/> in lowercase when it is a sha256; otherwise an Update.RejectedValue failure.</summary>
        public static string RequireSha256(string? value, string what) => Require(InputGrammar.Sha256, value, "The sha256 of " + what).ToLowerInvariant();

        internal static UpdateException Malformed(string where, string why) => new UpdateException(
            UpdateErrorIds.MalformedResponse,
            $"{where}: {why}.",
            "Run the command again later (a proxy or cache may have cut the answer short); check that the base URIs point at python.org, GitHub and PyPI or faithful mirrors.",
            where);
    }
}
