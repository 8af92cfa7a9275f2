using System;
using PythonImages.Updates;
using static PythonImages.FailureCategory;

namespace PythonImages.Updates
{
    /// <summary>Stable error ids of Update-PythonMatrix ("Update.Reason"); cmdlets surface them as ErrorRecord ids.</summary>
    public static class UpdateErrorIds
    {
        /// <summary>The matrix file to update does not exist or cannot be read.</summary>
        public const string FileNotFound = "Update.FileNotFound";

        /// <summary>A version key is not MAJOR.MINOR or MAJOR.MINOR-rc.</summary>
        public const string InvalidVersionKey = "Update.InvalidVersionKey";

        /// <summary>A version key to update or remove is not in the matrix.</summary>
        public const string UnknownVersionKey = "Update.UnknownVersionKey";

        /// <summary>A version key to add is already in the matrix.</summary>
        public const string KeyExists = "Update.KeyExists";

        /// <summary>The same key is both added (or updated) and removed.</summary>
        public const string KeyConflict = "Update.KeyConflict";

        /// <summary>The update would leave the matrix without any version.</summary>
        public const string EmptyMatrix = "Update.EmptyMatrix";

        /// <summary>A source URI parameter is not an absolute URI without credentials.</summary>
        public const string InvalidUri = "Update.InvalidUri";

        /// <summary>A source URI uses plain http without -AllowInsecureSource.</summary>
        public const string InsecureSource = "Update.InsecureSource";

        /// <summary>A signer identity (release manager and issuer) is not accepted.</summary>
        public const string InvalidIdentity = "Update.InvalidIdentity";

        /// <summary>The sigstore trusted root (-TrustedRootPath or the embedded one) cannot be used.</summary>
        public const string TrustedRootInvalid = "Update.TrustedRootInvalid";

        /// <summary>python.org has no release for the version key.</summary>
        public const string ReleaseNotFound = "Update.ReleaseNotFound";

        /// <summary>A final release would go under an -rc key.</summary>
        public const string FinalUnderRcKey = "Update.FinalUnderRcKey";

        /// <summary>The newest release found is older than the matrix's version.</summary>
        public const string VersionDowngrade = "Update.VersionDowngrade";

        /// <summary>No checksum is published for a file the matrix needs.</summary>
        public const string NoChecksum = "Update.NoChecksum";

        /// <summary>A downloaded file does not match its published checksum, or its sigstore bundle and SBOM disagree.</summary>
        public const string ChecksumMismatch = "Update.ChecksumMismatch";

        /// <summary>The checksum of an already known release changed.</summary>
        public const string ChecksumChanged = "Update.ChecksumChanged";

        /// <summary>A release's signed checksum is the one the matrix has for another version (a replayed release).</summary>
        public const string ChecksumOfOtherVersion = "Update.ChecksumOfOtherVersion";

        /// <summary>
        /// A release file matches its checksum but is another release: a source tarball whose files are not under
        /// Python-X.Y.Z/, or a Windows installer whose VERSIONINFO carries another version (or none).
        /// </summary>
        public const string ReleaseContentMismatch = "Update.ReleaseContentMismatch";

        /// <summary>A release file was sent compressed (a Content-Encoding other than identity) instead of as stored.</summary>
        public const string EncodedReleaseFile = "Update.EncodedReleaseFile";

        /// <summary>The release's bundled setuptools cannot be found where the matrix needs it.</summary>
        public const string SetuptoolsMissing = "Update.SetuptoolsMissing";

        /// <summary>A release bundles setuptools where none is expected.</summary>
        public const string SetuptoolsUnexpected = "Update.SetuptoolsUnexpected";

        /// <summary>PyPI has no such setuptools version.</summary>
        public const string SetuptoolsNotOnPyPI = "Update.SetuptoolsNotOnPyPI";

        /// <summary>The release's ensurepip (bundled pip) cannot be found.</summary>
        public const string EnsurepipNotFound = "Update.EnsurepipNotFound";

        /// <summary>A value from a server fails the grammar it would be written under.</summary>
        public const string RejectedValue = "Update.RejectedValue";

        /// <summary>A server's answer is not what its API returns.</summary>
        public const string MalformedResponse = "Update.MalformedResponse";

        /// <summary>A sigstore bundle cannot be read.</summary>
        public const string MalformedBundle = "Update.MalformedBundle";

        /// <summary>A sigstore signature does not verify.</summary>
        public const string SignatureInvalid = "Update.SignatureInvalid";

        /// <summary>The signing certificate does not chain to the trusted root.</summary>
        public const string UntrustedCertificate = "Update.UntrustedCertificate";

        /// <summary>The signer is not the release manager of the series.</summary>
        public const string IdentityMismatch = "Update.IdentityMismatch";

        /// <summary>The signature was made outside the certificate's validity.</summary>
        public const string SigningTimeInvalid = "Update.SigningTimeInvalid";

        /// <summary>The transparency-log entry does not verify.</summary>
        public const string TransparencyLogInvalid = "Update.TransparencyLogInvalid";

        /// <summary>A server answered with an HTTP error.</summary>
        public const string HttpError = "Update.HttpError";

        /// <summary>A server did not answer in time.</summary>
        public const string Timeout = "Update.Timeout";

        /// <summary>A server could not be reached.</summary>
        public const string ConnectionFailed = "Update.ConnectionFailed";

        /// <summary>An answer is larger than the limit for its kind.</summary>
        public const string ResponseTooLarge = "Update.ResponseTooLarge";

        /// <summary>A redirect was refused (to another scheme, host or a plain-text location).</summary>
        public const string RedirectRefused = "Update.RedirectRefused";

        /// <summary>The matrix file could not be edited in place.</summary>
        public const string EditFailed = "Update.EditFailed";

        /// <summary>The matrix file changed while the update was prepared; it was left as it is.</summary>
        public const string FileChanged = "Update.FileChanged";

        /// <summary>The matrix file could not be written; it is unchanged.</summary>
        public const string WriteFailed = "Update.WriteFailed";
    }

    /// <summary>A failure of the updater for one version key (or for the whole request): error id, category, what to do next.</summary>
    public sealed class UpdateException : CatalogueException
    {
        /// <summary>A failure with id <paramref name="errorId"/>; see <see cref="CatalogueException"/> (the target is the version key, URL or file).</summary>
        public UpdateException(string errorId, string message, string recommendedAction, string? target = null, Exception? inner = null, FailureCategory? category = null)
            : base(errorId, message, recommendedAction, target, inner, category)
        {
        }

        /// <summary>The same failure attributed to a version key (keeps id, category and advice).</summary>
        internal UpdateException ForKey(string key) =>
            Target == key ? this : new UpdateException(ErrorId, $"{key}: {Message}", RecommendedAction, key, this, Category);
    }
}

namespace PythonImages
{
    /// <summary>The Update-PythonMatrix part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private const string DoNotUseRelease = "Do not use this release file; check where it came from (a mirror, a proxy) and run the command again against python.org.";
        private const string CheckNetwork = "Check the network and proxy settings (https_proxy, http_proxy, no_proxy), then run the command again.";

        private static ErrorDescriptor[] Update() => new[]
        {
            D(UpdateErrorIds.FileNotFound, ObjectNotFound, "Pass the path of an existing, readable matrix.yaml or versions.json to -Path."),
            D(UpdateErrorIds.InvalidVersionKey, InvalidArgument, "Pass version keys as MAJOR.MINOR or MAJOR.MINOR-rc, e.g. 3.14 or 3.15-rc."),
            D(UpdateErrorIds.UnknownVersionKey, ObjectNotFound, "Pass a version key of the matrix (Get-PythonTag lists them), or add it with -Add."),
            D(UpdateErrorIds.KeyExists, InvalidArgument, "Update the existing key (pass it without -Add), or remove it first."),
            D(UpdateErrorIds.KeyConflict, InvalidArgument, "Name each key in only one of -VersionKey/-Add and -Remove."),
            D(UpdateErrorIds.EmptyMatrix, InvalidArgument, "Keep at least one version in the matrix."),
            D(UpdateErrorIds.InvalidUri, InvalidArgument, "Pass an absolute https URI without credentials, query or fragment."),
            D(UpdateErrorIds.InsecureSource, SecurityError, "Use an https URI, or pass -AllowInsecureSource to accept plain http knowingly (a loopback test server, an internal mirror)."),
            D(UpdateErrorIds.InvalidIdentity, InvalidArgument, "Give the signer as an email address and the issuer as an https URL, as sigstore certificates name them."),
            D(UpdateErrorIds.TrustedRootInvalid, InvalidData, "Pass a sigstore trusted_root.json (as 'sigstore trust-root' or the TUF repository provides it) to -TrustedRootPath, or leave it out to use the embedded one."),
            D(UpdateErrorIds.ReleaseNotFound, ObjectNotFound, "Check the version key; a series that python.org has not released yet cannot be added."),
            D(UpdateErrorIds.FinalUnderRcKey, InvalidOperation, "Move the series to its MAJOR.MINOR key (remove the -rc key and add the final one)."),
            D(UpdateErrorIds.VersionDowngrade, SecurityError, DoNotUseRelease),
            D(UpdateErrorIds.NoChecksum, SecurityError, "Wait until the release's checksums are published, then run the command again."),
            D(UpdateErrorIds.ChecksumMismatch, SecurityError, DoNotUseRelease),
            D(UpdateErrorIds.ChecksumChanged, SecurityError, DoNotUseRelease),
            D(UpdateErrorIds.ChecksumOfOtherVersion, SecurityError, DoNotUseRelease),
            D(UpdateErrorIds.ReleaseContentMismatch, SecurityError, DoNotUseRelease),
            D(UpdateErrorIds.EncodedReleaseFile, InvalidData, "Fetch the release files without a proxy or mirror that compresses downloads (check https_proxy and -PythonOrgUri), then run the command again."),
            D(UpdateErrorIds.SetuptoolsMissing, InvalidData, "Check the release on python.org; pass the version keys of other series to update them meanwhile."),
            D(UpdateErrorIds.SetuptoolsUnexpected, InvalidData, "Check the release on python.org; pass the version keys of other series to update them meanwhile."),
            D(UpdateErrorIds.SetuptoolsNotOnPyPI, ObjectNotFound, "Check the PyPI base URI (-PyPIUri) and the proxy settings, then run the command again."),
            D(UpdateErrorIds.EnsurepipNotFound, ObjectNotFound, "Check the CPython source base URI (-CPythonSourceUri) and the proxy settings, then run the command again."),
            D(UpdateErrorIds.RejectedValue, InvalidData, DoNotUseRelease),
            D(UpdateErrorIds.MalformedResponse, InvalidData, "Check the base URIs (-PythonOrgUri, -CPythonSourceUri, -PyPIUri) and the proxy settings."),
            D(UpdateErrorIds.MalformedBundle, InvalidData, DoNotUseRelease),
            D(UpdateErrorIds.SignatureInvalid, SecurityError, DoNotUseRelease),
            D(UpdateErrorIds.UntrustedCertificate, SecurityError, "Do not use this release file; if you run your own sigstore instance, pass its trusted_root.json to -TrustedRootPath."),
            D(UpdateErrorIds.IdentityMismatch, SecurityError, DoNotUseRelease),
            D(UpdateErrorIds.SigningTimeInvalid, SecurityError, DoNotUseRelease),
            D(UpdateErrorIds.TransparencyLogInvalid, SecurityError, DoNotUseRelease),
            D(UpdateErrorIds.HttpError, InvalidOperation, "Check the base URIs (-PythonOrgUri, -CPythonSourceUri, -PyPIUri) and the proxy settings; after a server error (5xx), run the command again later.", ResourceUnavailable),
            D(UpdateErrorIds.Timeout, OperationTimeout, "Check the network and proxy (https_proxy, no_proxy), or raise -TimeoutSec, then run the command again."),
            D(UpdateErrorIds.ConnectionFailed, ConnectionError, CheckNetwork),
            D(UpdateErrorIds.ResponseTooLarge, LimitsExceeded, "Check the base URIs: the answer is far larger than the file it should be."),
            D(UpdateErrorIds.RedirectRefused, SecurityError, "Point the base URIs at the final https location, or pass -AllowInsecureSource for a plain-http test server."),
            D(UpdateErrorIds.EditFailed, InvalidOperation, "Edit the matrix by hand at the place the message names, or run the command on an unmodified matrix file."),
            D(UpdateErrorIds.FileChanged, InvalidOperation, "Run the command again."),
            D(UpdateErrorIds.WriteFailed, WriteError, "Check that the file and its folder are writable, then run the command again."),
        };
    }
}
