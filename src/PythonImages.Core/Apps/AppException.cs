using System;

namespace PythonImages.Apps
{
    /// <summary>
    /// A failure of the app area the user can fix (New-PythonAppDockerfile, and Invoke-PythonContainer's folder, script
    /// and value checks): an <see cref="AppErrorIds"/> or <see cref="PythonContainerErrorIds"/> id, its category, the value
    /// it is about and what to do.
    /// </summary>
    public sealed class AppException : CatalogueException
    {
        /// <summary>A failure with id <paramref name="errorId"/>; see <see cref="CatalogueException"/>.</summary>
        public AppException(string errorId, string message, string recommendedAction, string? target = null, Exception? inner = null, FailureCategory? category = null)
            : base(errorId, message, recommendedAction, target, inner, category)
        {
        }
    }
}
