using System;

namespace PythonImages.Apps
{
    /// <summary>
    /// A failure of the app area the user can fix (New-PythonAppDockerfile, and Invoke-PythonContainer's folder, script
    /// and value checks): an ErrorId of the <see cref="ErrorCatalogue"/>, its category, the value it is about and what to do.
    /// </summary>
    public sealed class AppException : Exception
    {
        /// <summary>A failure with id <paramref name="errorId"/>; its category is the catalogue's unless <paramref name="category"/> names another one the id allows.</summary>
        /// <param name="errorId">An <see cref="AppErrorIds"/> or <see cref="PythonContainerErrorIds"/> constant.</param>
        /// <param name="message">What went wrong.</param>
        /// <param name="recommendedAction">What to do next, precisely for this failure.</param>
        /// <param name="target">The value or path the error is about, safe to show (control characters escaped).</param>
        /// <param name="inner">The exception that caused it, if any.</param>
        /// <param name="category">One of the other categories the catalogue allows for <paramref name="errorId"/>.</param>
        public AppException(string errorId, string message, string recommendedAction, string? target = null, Exception? inner = null, FailureCategory? category = null)
            : base(message, inner)
        {
            var descriptor = ErrorCatalogue.Get(errorId);
            if (category is { } c && !descriptor.Allows(c))
            {
                throw new ArgumentException($"{errorId} is never {c}.", nameof(category));
            }

            ErrorId = errorId;
            Category = category ?? descriptor.Category;
            RecommendedAction = recommendedAction;
            Target = target;
        }

        /// <summary>The ErrorId ("App.Reason" or "PythonContainer.Reason").</summary>
        public string ErrorId { get; }

        /// <summary>The category (named as PowerShell's ErrorCategory).</summary>
        public FailureCategory Category { get; }

        /// <summary>What to do next.</summary>
        public string RecommendedAction { get; }

        /// <summary>The value or path the error is about, safe to show (control characters escaped).</summary>
        public string? Target { get; }
    }
}
