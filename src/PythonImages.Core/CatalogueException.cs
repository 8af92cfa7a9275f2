using System;

namespace PythonImages
{
    /// <summary>
    /// A failure the user can fix, named by an id of the <see cref="ErrorCatalogue"/>: its category (the catalogue's, or
    /// another one the id allows), what to do next, and the value it is about. The module turns it into an ErrorRecord
    /// as it is.
    /// </summary>
    public abstract class CatalogueException : Exception
    {
        /// <summary>A failure with id <paramref name="errorId"/>; its category is the catalogue's unless <paramref name="category"/> names another one the id allows.</summary>
        /// <param name="errorId">A constant of an area's ErrorIds class.</param>
        /// <param name="message">What went wrong.</param>
        /// <param name="recommendedAction">What to do next, precisely for this failure.</param>
        /// <param name="target">The value or path the error is about, safe to show (control characters escaped).</param>
        /// <param name="inner">The exception that caused it, if any.</param>
        /// <param name="category">One of the other categories the catalogue allows for <paramref name="errorId"/>.</param>
        protected CatalogueException(string errorId, string message, string recommendedAction, string? target, Exception? inner, FailureCategory? category)
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

        /// <summary>The ErrorId ("Area.Reason").</summary>
        public string ErrorId { get; }

        /// <summary>The category (named as PowerShell's ErrorCategory).</summary>
        public FailureCategory Category { get; }

        /// <summary>What to do next.</summary>
        public string RecommendedAction { get; }

        /// <summary>The value, key or path the error is about, safe to show (control characters escaped).</summary>
        public string? Target { get; }
    }
}
