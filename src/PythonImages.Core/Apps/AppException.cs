using System;

namespace PythonImages.Apps
{
    /// <summary>What kind of failure an <see cref="AppException"/> is; the cmdlets map it to an ErrorCategory.</summary>
    public enum AppErrorKind
    {
        /// <summary>A parameter value that is not accepted.</summary>
        InvalidArgument,

        /// <summary>Something in the app folder that cannot be used as it is (a file name, a folder where a file belongs).</summary>
        InvalidData,

        /// <summary>Something that should be there is not (the folder, the script, a python tag).</summary>
        NotFound,

        /// <summary>More than one way to go and nothing to choose by (several scripts could be the entry point).</summary>
        Ambiguous,

        /// <summary>A file that would be replaced is there already.</summary>
        Exists,
    }

    /// <summary>Error ids of the app area (New-PythonAppDockerfile and Invoke-PythonContainer's folder and script checks).</summary>
    public static class AppErrorIds
    {
        public const string PathNotFound = "App.PathNotFound";
        public const string InvalidPath = "App.InvalidPath";
        public const string NoEntryPoint = "App.NoEntryPoint";
        public const string AmbiguousEntryPoint = "App.AmbiguousEntryPoint";
        public const string ScriptNotFound = "App.ScriptNotFound";
        public const string InvalidScript = "App.InvalidScript";
        public const string UnsafeFileName = "App.UnsafeFileName";
        public const string InvalidModule = "App.InvalidModule";
        public const string InvalidUser = "App.InvalidUser";
        public const string NotAFile = "App.NotAFile";
        public const string InvalidTag = "App.InvalidTag";
        public const string TagNotFound = "App.TagNotFound";
        public const string InvalidRegistry = "App.InvalidRegistry";
        public const string FileExists = "App.FileExists";
        public const string UnsafeValue = "App.UnsafeValue";
        public const string IOError = "App.IOError";
        public const string AccessDenied = "App.AccessDenied";
    }

    /// <summary>A failure of the app area the user can fix: a stable error id, a kind, the value it is about and what to do.</summary>
    public sealed class AppException : Exception
    {
        public AppException(string errorId, AppErrorKind kind, string message, string recommendedAction, string? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            RecommendedAction = recommendedAction;
            Target = target;
        }

        public string ErrorId { get; }

        public AppErrorKind Kind { get; }

        public string RecommendedAction { get; }

        /// <summary>The value or path the error is about, safe to show (control characters escaped).</summary>
        public string? Target { get; }
    }
}
