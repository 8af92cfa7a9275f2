using System;
using System.Management.Automation;
using PythonImages.Dockerfiles;
using PythonImages.Updates;

namespace PythonImages.Commands
{
    /// <summary>
    /// The one factory of the module's ErrorRecords. Every record names an ErrorId of the <see cref="ErrorCatalogue"/>
    /// and takes its category and (unless the caller knows a more precise one) its recommended action from there.
    /// </summary>
    internal static class Errors
    {
        /// <summary>The record for <paramref name="errorId"/> in its catalogue category.</summary>
        /// <param name="exception">What went wrong; its message is the record's message unless <paramref name="message"/> is given.</param>
        /// <param name="errorId">An id of the catalogue (an *ErrorIds constant).</param>
        /// <param name="target">The object the error is about.</param>
        /// <param name="recommendedAction">What to do next here, when more precise than the catalogue's action.</param>
        /// <param name="message">The message shown instead of the exception's.</param>
        /// <param name="category">One of the other categories the catalogue allows for <paramref name="errorId"/> (e.g. InvalidArgument for a value given as a parameter).</param>
        public static ErrorRecord Create(Exception exception, string errorId, object? target, string? recommendedAction = null, string? message = null, FailureCategory? category = null) =>
            Build(exception, ErrorCatalogue.Get(errorId), category, target, recommendedAction, message);

        /// <summary>PowerShell's ErrorCategory of the same name and number.</summary>
        public static ErrorCategory ToErrorCategory(FailureCategory category) => (ErrorCategory)(int)category;

        /// <summary>The ErrorRecord for a matrix that cannot be loaded (terminating for the command that needs it).</summary>
        public static ErrorRecord FromMatrix(MatrixException ex)
        {
            string fix = $"Fix {ex.File} at line {ex.Line}" + (ex.Key != null ? $" (key '{ex.Key}')" : string.Empty) + "; the format is described in the README section 'The matrix'.";
            string action = ex.Kind switch
            {
                MatrixErrorKind.NotFound or MatrixErrorKind.InvalidArgument or MatrixErrorKind.ReadError => ErrorCatalogue.Get(ex.ErrorId).RecommendedAction,
                MatrixErrorKind.LimitsExceeded when ex.ErrorId == MatrixErrorIds.TooLarge =>
                    $"Pass a matrix file of at most {MatrixLoader.MaxFileBytes} bytes (a full matrix is a few kilobytes); check that -MatrixPath names the matrix.",
                _ => fix,
            };
            return Create(ex, ex.ErrorId, ex.File, action);
        }

        /// <summary>The ErrorRecord for a manifest problem: its ErrorId, the file or entry as target, what to do next.</summary>
        public static ErrorRecord FromManifest(ManifestException ex, object? target = null)
        {
            string? action = ex.ErrorId switch
            {
                ManifestErrorIds.GitNotFound or ManifestErrorIds.GitFailed or ManifestErrorIds.MissingGitCommit or ManifestErrorIds.NoCommitForDirectory
                    or ManifestErrorIds.InvalidGitCommit or ManifestErrorIds.TooLarge or ManifestErrorIds.NotAFile or ManifestErrorIds.InvalidEncoding
                    or ManifestErrorIds.RoundTripMismatch or ManifestErrorIds.DuplicateEntry => null,
                _ when ex.File == "(text)" && ex.Line > 0 => $"Fix line {ex.Line} of the manifest text; the format is the official-images RFC 2822 manifest (docker-library/official-images).",
                _ when ex.File != null && ex.Line > 0 => $"Fix line {ex.Line} of {ex.File}; the format is the official-images RFC 2822 manifest (docker-library/official-images).",
                _ when ex.File != null => $"Check {ex.File}: it must be an official-images library manifest.",
                _ => "Fix the value named in the message (on the image objects, the matrix or the parameters) before writing the manifest; nothing was written.",
            };
            return Create(ex, ex.ErrorId, target ?? (object?)ex.Entry ?? ex.File, action);
        }

        /// <summary>The ErrorRecord for a Dockerfile that cannot be rendered or written.</summary>
        public static ErrorRecord FromDockerfile(DockerfileException ex, object? target) =>
            Create(ex, ex.ErrorId, target, ex.RecommendedAction);

        /// <summary>The ErrorRecord for a failure named by the catalogue (app, updater): its id, category and action; its own target before <paramref name="target"/>.</summary>
        public static ErrorRecord FromCatalogue(CatalogueException ex, object? target) =>
            Create(ex, ex.ErrorId, ex.Target ?? target, ex.RecommendedAction, category: ex.Category);

        private static ErrorRecord Build(Exception exception, ErrorDescriptor error, FailureCategory? category, object? target, string? recommendedAction, string? message)
        {
            var chosen = category ?? error.Category;
            if (!error.Allows(chosen))
            {
                throw new InvalidOperationException($"{error.Id} is never {chosen} (the catalogue allows {error.Category}).");
            }

            return new ErrorRecord(exception, error.Id, ToErrorCategory(chosen), target)
            {
                ErrorDetails = new ErrorDetails(message ?? exception.Message)
                {
                    RecommendedAction = recommendedAction ?? error.RecommendedAction,
                },
            };
        }
    }
}
