using static PythonImages.FailureCategory;

namespace PythonImages
{
    /// <summary>Stable error ids of Get-PythonTag ("PythonTag.Reason").</summary>
    public static class PythonTagErrorIds
    {
        /// <summary>No image has the tag given to -Name.</summary>
        public const string NotFound = "PythonTag.NotFound";

        /// <summary>A -Name value is not accepted (control characters, too long).</summary>
        public const string InvalidName = "PythonTag.InvalidName";

        /// <summary>A -Version value is not accepted.</summary>
        public const string InvalidVersion = "PythonTag.InvalidVersion";

        /// <summary>A -Variant value is not accepted.</summary>
        public const string InvalidVariant = "PythonTag.InvalidVariant";
    }

    /// <summary>The Get-PythonTag part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private const string PassTagWords = "Pass a tag, version or variant of printable ASCII (wildcards allowed); Get-PythonTag without parameters lists them all.";

        private static ErrorDescriptor[] PythonTag() => new[]
        {
            D(PythonTagErrorIds.NotFound, ObjectNotFound, "Run Get-PythonTag without -Name to list every image with its tags, or use wildcards (e.g. -Name '3.14*')."),
            D(PythonTagErrorIds.InvalidName, InvalidArgument, PassTagWords),
            D(PythonTagErrorIds.InvalidVersion, InvalidArgument, PassTagWords),
            D(PythonTagErrorIds.InvalidVariant, InvalidArgument, PassTagWords),
        };
    }
}
