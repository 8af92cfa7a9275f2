using System;

namespace PythonImages.Updates
{
    /// <summary>Stable error ids of Update-PythonMatrix ("Update.Reason"); cmdlets surface them as ErrorRecord ids.</summary>
    public static class UpdateErrorIds
    {
        // The request itself
        public const string FileNotFound = "Update.FileNotFound";
        public const string InvalidVersionKey = "Update.InvalidVersionKey";
        public const string UnknownVersionKey = "Update.UnknownVersionKey";
        public const string KeyExists = "Update.KeyExists";
        public const string KeyConflict = "Update.KeyConflict";
        public const string EmptyMatrix = "Update.EmptyMatrix";
        public const string InvalidUri = "Update.InvalidUri";
        public const string InsecureSource = "Update.InsecureSource";
        public const string InvalidIdentity = "Update.InvalidIdentity";
        public const string TrustedRootInvalid = "Update.TrustedRootInvalid";

        // What python.org, GitHub and PyPI answer
        public const string ReleaseNotFound = "Update.ReleaseNotFound";
        public const string FinalUnderRcKey = "Update.FinalUnderRcKey";
        public const string VersionDowngrade = "Update.VersionDowngrade";
        public const string NoChecksum = "Update.NoChecksum";
        public const string ChecksumMismatch = "Update.ChecksumMismatch";
        public const string ChecksumChanged = "Update.ChecksumChanged";
        public const string SetuptoolsMissing = "Update.SetuptoolsMissing";
        public const string SetuptoolsUnexpected = "Update.SetuptoolsUnexpected";
        public const string SetuptoolsNotOnPyPI = "Update.SetuptoolsNotOnPyPI";
        public const string EnsurepipNotFound = "Update.EnsurepipNotFound";
        public const string RejectedValue = "Update.RejectedValue";
        public const string MalformedResponse = "Update.MalformedResponse";

        // Sigstore verification
        public const string MalformedBundle = "Update.MalformedBundle";
        public const string SignatureInvalid = "Update.SignatureInvalid";
        public const string UntrustedCertificate = "Update.UntrustedCertificate";
        public const string IdentityMismatch = "Update.IdentityMismatch";
        public const string SigningTimeInvalid = "Update.SigningTimeInvalid";
        public const string TransparencyLogInvalid = "Update.TransparencyLogInvalid";

        // Transport
        public const string HttpError = "Update.HttpError";
        public const string Timeout = "Update.Timeout";
        public const string ConnectionFailed = "Update.ConnectionFailed";
        public const string ResponseTooLarge = "Update.ResponseTooLarge";
        public const string RedirectRefused = "Update.RedirectRefused";

        // Writing
        public const string EditFailed = "Update.EditFailed";
        public const string FileChanged = "Update.FileChanged";
        public const string WriteFailed = "Update.WriteFailed";
    }

    /// <summary>The kind of failure, named after the PowerShell ErrorCategory the cmdlet reports (Core has no PowerShell reference).</summary>
    public enum UpdateErrorCategory
    {
        InvalidArgument,
        ObjectNotFound,
        InvalidData,
        SecurityError,
        ConnectionError,
        OperationTimeout,
        LimitsExceeded,
        InvalidOperation,
        WriteError,
        ResourceUnavailable,
    }

    /// <summary>A failure of the updater for one version key (or for the whole request): error id, category, what to do next.</summary>
    public sealed class UpdateException : Exception
    {
        public UpdateException(string errorId, UpdateErrorCategory category, string message, string recommendedAction, string? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            RecommendedAction = recommendedAction;
            Target = target;
        }

        public string ErrorId { get; }

        public UpdateErrorCategory Category { get; }

        public string RecommendedAction { get; }

        /// <summary>The version key, URL or file the failure is about.</summary>
        public string? Target { get; }

        /// <summary>The same failure attributed to a version key (keeps id, category and advice).</summary>
        internal UpdateException ForKey(string key) =>
            Target == key ? this : new UpdateException(ErrorId, Category, $"{key}: {Message}", RecommendedAction, key, this);
    }
}
