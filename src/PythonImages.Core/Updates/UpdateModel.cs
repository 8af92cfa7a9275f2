using System;
using System.Collections.Generic;

namespace PythonImages.Updates
{
    /// <summary>What happened to a version key.</summary>
    public enum UpdateChange
    {
        /// <summary>The version key's entry stays as it is.</summary>
        Unchanged,
        /// <summary>The entry gets a newer release.</summary>
        Updated,
        /// <summary>A new version key.</summary>
        Added,
        /// <summary>The version key is removed.</summary>
        Removed,
    }

    /// <summary>Where a checksum came from.</summary>
    public enum ChecksumOrigin
    {
        /// <summary>No checksum (only with -AllowUnverifiedSource), or no such file.</summary>
        None,

        /// <summary>The digest signed in the verified .sigstore bundle.</summary>
        Sigstore,

        /// <summary>The CPython package of the .spdx.json SBOM (no sigstore bundle was published).</summary>
        Sbom,

        /// <summary>The verified sigstore bundle, and the SBOM agrees.</summary>
        SigstoreAndSbom,
    }

    /// <summary>One version key after Update-PythonMatrix: old and new version, checksums and their origin, Windows, setuptools.</summary>
    public sealed class MatrixUpdateResult
    {
        /// <summary>The version key.</summary>
        public string VersionKey { get; set; } = string.Empty;
        /// <summary>The version before the update.</summary>
        public string? OldVersion { get; set; }
        /// <summary>The version after the update.</summary>
        public string? NewVersion { get; set; }
        /// <summary>Unchanged, Updated, Added or Removed.</summary>
        public UpdateChange Change { get; set; }
        /// <summary>The source tarball's sha256.</summary>
        public string? SourceSha256 { get; set; }
        /// <summary>Where that checksum was verified from.</summary>
        public ChecksumOrigin SourceChecksumOrigin { get; set; }
        /// <summary>Whether the version has Windows images.</summary>
        public bool HasWindows { get; set; }
        /// <summary>The Windows installer's sha256.</summary>
        public string? WindowsSha256 { get; set; }
        /// <summary>Where that checksum was verified from.</summary>
        public ChecksumOrigin WindowsChecksumOrigin { get; set; }
        /// <summary>The setuptools version pinned, if any.</summary>
        public string? SetuptoolsVersion { get; set; }

        /// <summary>True when a checksum is missing and -AllowUnverifiedSource let it through.</summary>
        public bool Unverified { get; set; }

        /// <summary>The verified signer of the source bundle: e-mail and OIDC issuer.</summary>
        public string? SignedBy { get; set; }

        /// <summary>The variants of the key after the update, in priority order.</summary>
        public IReadOnlyList<string> Variants { get; set; } = Array.Empty<string>();

        /// <summary>The matrix file.</summary>
        public string Path { get; set; } = string.Empty;

        /// <summary>False when -WhatIf (or a failure of another key) kept the file as it was.</summary>
        public bool Written { get; set; }

        /// <inheritdoc/>
        public override string ToString() => $"{VersionKey}: {OldVersion ?? "-"} -> {NewVersion ?? "-"} ({Change})";
    }

    /// <summary>What to update.</summary>
    public sealed class UpdateRequest
    {
        /// <summary>Keys to refresh; null: every key of the file, unless <see cref="Add"/> or <see cref="Remove"/> is given (then none).</summary>
        public IReadOnlyList<string>? VersionKeys { get; set; }

        /// <summary>Version keys to add.</summary>
        public IReadOnlyList<string> Add { get; set; } = Array.Empty<string>();

        /// <summary>Version keys to remove.</summary>
        public IReadOnlyList<string> Remove { get; set; } = Array.Empty<string>();

        /// <summary>Accept a release without any checksum (sigstore bundle and SBOM both missing); the key is marked Unverified.</summary>
        public bool AllowUnverifiedSource { get; set; }
    }

    /// <summary>Where releases come from. Defaults are the public services; tests point them at a loopback server.</summary>
    public sealed class UpdateSources
    {
        /// <summary>python.org.</summary>
        public static readonly Uri DefaultPythonOrg = new Uri("https://www.python.org/");
        /// <summary>Where CPython's source files are read (ensurepip's bundled versions).</summary>
        public static readonly Uri DefaultCPythonSource = new Uri("https://github.com/python/cpython/raw");
        /// <summary>PyPI's JSON API.</summary>
        public static readonly Uri DefaultPyPI = new Uri("https://pypi.org/pypi");

        /// <summary>The python.org base URI (-PythonOrgUri).</summary>
        public Uri PythonOrg { get; set; } = DefaultPythonOrg;
        /// <summary>The CPython source base URI (-CPythonSourceUri).</summary>
        public Uri CPythonSource { get; set; } = DefaultCPythonSource;
        /// <summary>The PyPI base URI (-PyPIUri).</summary>
        public Uri PyPI { get; set; } = DefaultPyPI;

        /// <summary>https://www.python.org/ftp/python/</summary>
        public Uri FtpRoot => Combine(PythonOrg, "ftp/python/");

        /// <summary>The release directory <paramref name="directory"/> on the download server.</summary>
        public Uri ReleaseDirectory(string directory) => Combine(FtpRoot, directory + "/");

        /// <summary>A file of a release directory on the download server.</summary>
        public Uri ReleaseFile(string directory, string file) => Combine(FtpRoot, directory + "/" + file);

        /// <summary>&lt;base&gt;/v&lt;version&gt;/Lib/ensurepip/__init__.py</summary>
        public Uri Ensurepip(string version) => Combine(CPythonSource, "v" + version + "/Lib/ensurepip/__init__.py");

        /// <summary>&lt;base&gt;/setuptools/&lt;version&gt;/json</summary>
        public Uri PyPIRelease(string project, string version) => Combine(PyPI, project + "/" + version + "/json");

        private static Uri Combine(Uri baseUri, string relative)
        {
            string b = baseUri.AbsoluteUri;
            return new Uri(b.EndsWith("/", StringComparison.Ordinal) ? b + relative : b + "/" + relative);
        }
    }
}
