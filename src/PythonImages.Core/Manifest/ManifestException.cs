using System;

namespace PythonImages
{
    /// <summary>Stable error ids of the manifest parser, writer and validator ("Manifest.Reason").</summary>
    public static class ManifestErrorIds
    {
        public const string FileNotFound = "Manifest.FileNotFound";
        public const string Empty = "Manifest.Empty";
        public const string ContinuationWithoutField = "Manifest.ContinuationWithoutField";
        public const string MissingColon = "Manifest.MissingColon";
        public const string InvalidFieldName = "Manifest.InvalidFieldName";
        public const string LineBasedFormat = "Manifest.LineBasedFormat";
        public const string UnknownField = "Manifest.UnknownField";
        public const string DuplicateField = "Manifest.DuplicateField";
        public const string TagsInHeader = "Manifest.TagsInHeader";
        public const string MissingMaintainers = "Manifest.MissingMaintainers";
        public const string InvalidMaintainer = "Manifest.InvalidMaintainer";
        public const string MissingTags = "Manifest.MissingTags";
        public const string InvalidTag = "Manifest.InvalidTag";
        public const string DuplicateTag = "Manifest.DuplicateTag";
        public const string SharedTagIsSimpleTag = "Manifest.SharedTagIsSimpleTag";
        public const string MissingGitRepo = "Manifest.MissingGitRepo";
        public const string InvalidGitFetch = "Manifest.InvalidGitFetch";
        public const string MissingGitCommit = "Manifest.MissingGitCommit";
        public const string InvalidGitCommit = "Manifest.InvalidGitCommit";
        public const string UnknownArchitecture = "Manifest.UnknownArchitecture";
        public const string InvalidValue = "Manifest.InvalidValue";
        public const string GitNotFound = "Manifest.GitNotFound";
        public const string GitFailed = "Manifest.GitFailed";
        public const string NoCommitForDirectory = "Manifest.NoCommitForDirectory";
        public const string TooLarge = "Manifest.TooLarge";
        public const string InvalidCharacter = "Manifest.InvalidCharacter";
        public const string InvalidEncoding = "Manifest.InvalidEncoding";
        public const string NotAFile = "Manifest.NotAFile";
        public const string ReadFailed = "Manifest.ReadFailed";
        public const string InvalidDirectory = "Manifest.InvalidDirectory";
        public const string InvalidFile = "Manifest.InvalidFile";
        public const string InvalidGitRepo = "Manifest.InvalidGitRepo";
        public const string InvalidBuilder = "Manifest.InvalidBuilder";
        public const string InvalidConstraint = "Manifest.InvalidConstraint";
        public const string InvalidComment = "Manifest.InvalidComment";
        public const string MissingArchitectures = "Manifest.MissingArchitectures";
        public const string DuplicateEntry = "Manifest.DuplicateEntry";
        public const string RoundTripMismatch = "Manifest.RoundTripMismatch";
        public const string HeaderFieldNotOverridable = "Manifest.HeaderFieldNotOverridable";
    }

    /// <summary>A manifest problem: which rule, where (file and line for parsed files, the entry for generated ones).</summary>
    public sealed class ManifestException : Exception
    {
        public ManifestException(string errorId, string message, string? file, int line, string? entry = null, Exception? inner = null)
            : base(Format(message, file, line), inner)
        {
            ErrorId = errorId;
            File = file;
            Line = line;
            Entry = entry;
            Reason = message;
        }

        public string ErrorId { get; }

        /// <summary>The manifest file (null when the manifest is generated).</summary>
        public string? File { get; }

        /// <summary>1-based line (0 when the manifest is generated).</summary>
        public int Line { get; }

        /// <summary>The entry concerned (its Directory or first tag), when there is one.</summary>
        public string? Entry { get; }

        /// <summary>The object concerned (the PythonImage of a generated entry), when there is one.</summary>
        public object? Subject { get; set; }

        /// <summary>The message without the file:line prefix.</summary>
        public string Reason { get; }

        public bool IsNotFound => ErrorId == ManifestErrorIds.FileNotFound;

        private static string Format(string message, string? file, int line)
        {
            if (file == null)
            {
                return message;
            }

            return line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}";
        }
    }
}
