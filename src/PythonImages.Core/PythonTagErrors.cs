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

        /// <summary>A literal -Version (no wildcard) names no version of the matrix.</summary>
        public const string VersionNotFound = "PythonTag.VersionNotFound";

        /// <summary>A literal -Variant (no wildcard) names no variant of the matrix.</summary>
        public const string VariantNotFound = "PythonTag.VariantNotFound";
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
            D(PythonTagErrorIds.VersionNotFound, ObjectNotFound, "Run Get-PythonTag without -Version to list the versions of the matrix (pass the same -MatrixPath), or use wildcards (e.g. -Version '3.1*')."),
            D(PythonTagErrorIds.VariantNotFound, ObjectNotFound, "Run Get-PythonTag without -Variant to list the variants of the matrix (pass the same -MatrixPath), or use wildcards (e.g. -Variant 'slim*')."),
        };
    }
}
