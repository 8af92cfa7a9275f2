using System;

namespace PythonImages
{
    /// <summary>A manifest problem: which rule, where (file and line for parsed files, the entry for generated ones).</summary>
    public sealed class ManifestException : Exception
    {
        /// <summary>A problem with id <paramref name="errorId"/> (a <see cref="ManifestErrorIds"/> or <see cref="TagMarkdownErrorIds"/> constant), at a line of a file or in an entry.</summary>
        public ManifestException(string errorId, string message, string? file, int line, string? entry = null, Exception? inner = null)
            : base(Format(message, file, line), inner)
        {
            ErrorId = errorId;
            File = file;
            Line = line;
            Entry = entry;
            Reason = message;
        }

        /// <summary>The ErrorId.</summary>
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

        /// <summary>Whether the manifest file does not exist.</summary>
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
