using System;
using System.IO;
using System.Management.Automation;
using System.Text;

namespace PythonImages.Commands
{
    /// <summary>ErrorRecords and file writing shared by the manifest cmdlets.</summary>
    internal static class ManifestErrors
    {
        /// <summary>The ErrorRecord for a manifest problem: its ErrorId, the file or entry as target, what to do next.</summary>
        public static ErrorRecord From(ManifestException ex, object? target = null)
        {
            var category = ex.ErrorId switch
            {
                ManifestErrorIds.FileNotFound => ErrorCategory.ObjectNotFound,
                ManifestErrorIds.GitNotFound => ErrorCategory.ResourceUnavailable,
                ManifestErrorIds.GitFailed => ErrorCategory.ReadError,
                ManifestErrorIds.NoCommitForDirectory => ErrorCategory.ObjectNotFound,
                ManifestErrorIds.TooLarge => ErrorCategory.LimitsExceeded,
                ManifestErrorIds.NotAFile => ErrorCategory.InvalidArgument,
                ManifestErrorIds.ReadFailed => ErrorCategory.ReadError,
                _ => ErrorCategory.InvalidData,
            };
            string action = ex.ErrorId switch
            {
                ManifestErrorIds.GitNotFound => "Install git and make sure it is on PATH, or pass the commits with -GitCommit.",
                ManifestErrorIds.GitFailed => "Pass the path of a git work tree with at least one commit to -GitRepository, or pass the commits with -GitCommit.",
                ManifestErrorIds.MissingGitCommit or ManifestErrorIds.NoCommitForDirectory =>
                    "Commit the generated Dockerfiles and pass the repository to -GitRepository, or pass -GitCommit (one commit, or a hashtable Directory → commit).",
                ManifestErrorIds.InvalidGitCommit => "Give a full commit id (40 or 64 lowercase hexadecimal digits, as printed by git rev-parse HEAD).",
                ManifestErrorIds.TooLarge => "Pass a library manifest (library/python is about 10 KB); the limit is there so that a wrong path (a log, /dev/zero) cannot exhaust memory.",
                ManifestErrorIds.NotAFile => "Pass the path of a regular file; FIFOs, devices, sockets and directories are not read.",
                ManifestErrorIds.InvalidEncoding => "Save the manifest as UTF-8 text.",
                ManifestErrorIds.RoundTripMismatch => "Check the value named in the message (an image object changed by hand, or a header field an entry cannot override); nothing was written.",
                ManifestErrorIds.DuplicateEntry => "Give each entry its own Directory (or commit); entries with identical build inputs are folded together by bashbrew.",
                _ when ex.File == "(text)" && ex.Line > 0 => $"Fix line {ex.Line} of the manifest text; the format is the official-images RFC 2822 manifest (docker-library/official-images).",
                _ when ex.File != null && ex.Line > 0 => $"Fix line {ex.Line} of {ex.File}; the format is the official-images RFC 2822 manifest (docker-library/official-images).",
                _ when ex.File != null => $"Check {ex.File}: it must be an official-images library manifest.",
                _ => "Fix the value named in the message (on the image objects, the matrix or the parameters) before writing the manifest; nothing was written.",
            };
            return Errors.Create(ex, ex.ErrorId, category, target ?? (object?)ex.Entry ?? ex.File, action);
        }
    }
}
