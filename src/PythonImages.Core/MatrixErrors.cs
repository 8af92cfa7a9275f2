using static PythonImages.FailureCategory;

namespace PythonImages
{
    /// <summary>Stable error ids of matrix loading ("Matrix.Reason"); their categories and actions are in <see cref="ErrorCatalogue"/>.</summary>
    public static class MatrixErrorIds
    {
        /// <summary>The matrix file does not exist.</summary>
        public const string FileNotFound = "Matrix.FileNotFound";

        /// <summary>The file or its 'versions' map is empty.</summary>
        public const string Empty = "Matrix.Empty";

        /// <summary>The file is not well-formed YAML (or JSON).</summary>
        public const string MalformedYaml = "Matrix.MalformedYaml";

        /// <summary>A key appears twice in the same map.</summary>
        public const string DuplicateKey = "Matrix.DuplicateKey";

        /// <summary>A key the matrix format does not know (often a typo).</summary>
        public const string UnknownKey = "Matrix.UnknownKey";

        /// <summary>A required key (e.g. 'versions') is missing.</summary>
        public const string MissingKey = "Matrix.MissingKey";

        /// <summary>A value has the wrong shape (a list where a map belongs, a map where a text belongs).</summary>
        public const string WrongType = "Matrix.WrongType";

        /// <summary>A version key is not MAJOR.MINOR or MAJOR.MINOR-rc.</summary>
        public const string InvalidVersionKey = "Matrix.InvalidVersionKey";

        /// <summary>A version entry has no 'version'.</summary>
        public const string MissingVersion = "Matrix.MissingVersion";

        /// <summary>A 'version' is not a CPython version (3.14.6, 3.15.0b3).</summary>
        public const string InvalidVersion = "Matrix.InvalidVersion";

        /// <summary>A 'version' does not belong to its key (3.13.2 under '3.14', a final release under an -rc key).</summary>
        public const string VersionKeyMismatch = "Matrix.VersionKeyMismatch";

        /// <summary>A checksum is not a sha256 (64 hexadecimal digits) or an SBOM checksum of a known algorithm.</summary>
        public const string InvalidChecksum = "Matrix.InvalidChecksum";

        /// <summary>A variant name is not one of the known forms (bookworm, slim-trixie, alpine3.22, windows/...).</summary>
        public const string UnknownVariantForm = "Matrix.UnknownVariantForm";

        /// <summary>A variant is not a safe directory name.</summary>
        public const string InvalidVariantPath = "Matrix.InvalidVariantPath";

        /// <summary>A version lists the same variant twice.</summary>
        public const string DuplicateVariant = "Matrix.DuplicateVariant";

        /// <summary>A version has no variants.</summary>
        public const string EmptyVariants = "Matrix.EmptyVariants";

        /// <summary>A variant family has no architectures list.</summary>
        public const string MissingArchitectures = "Matrix.MissingArchitectures";

        /// <summary>An architecture that bashbrew does not know.</summary>
        public const string UnknownArchitecture = "Matrix.UnknownArchitecture";

        /// <summary>A 'gpgKey' is not a full 40-digit fingerprint.</summary>
        public const string InvalidGpgKey = "Matrix.InvalidGpgKey";

        /// <summary>The -MatrixPath value is not a usable file path.</summary>
        public const string InvalidPath = "Matrix.InvalidPath";

        /// <summary>The path names a directory, FIFO, device or socket, not a regular file.</summary>
        public const string NotAFile = "Matrix.NotAFile";

        /// <summary>The file is larger than a matrix can be, or it makes more tags than a matrix may.</summary>
        public const string TooLarge = "Matrix.TooLarge";

        /// <summary>The file exists but cannot be read.</summary>
        public const string ReadFailed = "Matrix.ReadFailed";

        /// <summary>The YAML nests deeper than a matrix does.</summary>
        public const string TooDeep = "Matrix.TooDeep";

        /// <summary>The file holds more than one YAML document.</summary>
        public const string MultipleDocuments = "Matrix.MultipleDocuments";

        /// <summary>The YAML uses anchors or aliases, which a matrix does not.</summary>
        public const string AnchorNotAllowed = "Matrix.AnchorNotAllowed";

        /// <summary>The YAML uses an explicit tag (!!str, !custom), which a matrix does not.</summary>
        public const string YamlTagNotAllowed = "Matrix.YamlTagNotAllowed";

        /// <summary>A value holds a control or non-printable character.</summary>
        public const string InvalidCharacter = "Matrix.InvalidCharacter";

        /// <summary>A number in a version is out of range.</summary>
        public const string NumberOutOfRange = "Matrix.NumberOutOfRange";

        /// <summary>A setuptools version is not a plain version number.</summary>
        public const string InvalidSetuptoolsVersion = "Matrix.InvalidSetuptoolsVersion";

        /// <summary>A pip version is not a plain version number.</summary>
        public const string InvalidPipVersion = "Matrix.InvalidPipVersion";

        /// <summary>A get-pip entry (URL or sha256) is not accepted.</summary>
        public const string InvalidGetPip = "Matrix.InvalidGetPip";

        /// <summary>The 'repository' is not an https URL of a git repository.</summary>
        public const string InvalidRepository = "Matrix.InvalidRepository";

        /// <summary>A maintainer is not "Name &lt;email&gt; (@github)".</summary>
        public const string InvalidMaintainer = "Matrix.InvalidMaintainer";

        /// <summary>A base image is not a name:tag as written in FROM.</summary>
        public const string InvalidBaseImage = "Matrix.InvalidBaseImage";

        /// <summary>An alias is not a valid tag word.</summary>
        public const string InvalidAlias = "Matrix.InvalidAlias";

        /// <summary>Two aliases produce the same tag.</summary>
        public const string AliasCollision = "Matrix.AliasCollision";

        /// <summary>A tag names two images, or is both a shared and a simple tag.</summary>
        public const string DuplicateTag = "Matrix.DuplicateTag";

        /// <summary>A computed tag is not a valid Docker tag (too long, bad characters).</summary>
        public const string InvalidTag = "Matrix.InvalidTag";

        /// <summary>An image ends up with no architecture.</summary>
        public const string NoArchitectures = "Matrix.NoArchitectures";

        /// <summary>What kind of problem an id names (from its category in the <see cref="ErrorCatalogue"/>).</summary>
        public static MatrixErrorKind KindOf(string errorId)
        {
            if (!ErrorCatalogue.Contains(errorId))
            {
                return MatrixErrorKind.InvalidData;
            }

            switch (ErrorCatalogue.Get(errorId).Category)
            {
                case ObjectNotFound:
                    return MatrixErrorKind.NotFound;
                case InvalidArgument:
                    return MatrixErrorKind.InvalidArgument;
                case LimitsExceeded:
                    return MatrixErrorKind.LimitsExceeded;
                case ReadError:
                    return MatrixErrorKind.ReadError;
                default:
                    return MatrixErrorKind.InvalidData;
            }
        }
    }

    /// <summary>The matrix part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private const string FixMatrix = "Fix the matrix file at the line and key the message names; the format is described in the README section 'The matrix'.";

        private static ErrorDescriptor[] Matrix() => new[]
        {
            D(MatrixErrorIds.FileNotFound, ObjectNotFound, "Pass the path of an existing matrix file (YAML or versions.json) to -MatrixPath, or omit -MatrixPath to use the embedded matrix."),
            D(MatrixErrorIds.Empty, InvalidData, FixMatrix),
            D(MatrixErrorIds.MalformedYaml, InvalidData, FixMatrix),
            D(MatrixErrorIds.DuplicateKey, InvalidData, FixMatrix),
            D(MatrixErrorIds.UnknownKey, InvalidData, FixMatrix),
            D(MatrixErrorIds.MissingKey, InvalidData, FixMatrix),
            D(MatrixErrorIds.WrongType, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidVersionKey, InvalidData, FixMatrix),
            D(MatrixErrorIds.MissingVersion, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidVersion, InvalidData, FixMatrix),
            D(MatrixErrorIds.VersionKeyMismatch, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidChecksum, InvalidData, FixMatrix),
            D(MatrixErrorIds.UnknownVariantForm, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidVariantPath, InvalidData, FixMatrix),
            D(MatrixErrorIds.DuplicateVariant, InvalidData, FixMatrix),
            D(MatrixErrorIds.EmptyVariants, InvalidData, FixMatrix),
            D(MatrixErrorIds.MissingArchitectures, InvalidData, FixMatrix),
            D(MatrixErrorIds.UnknownArchitecture, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidGpgKey, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidPath, InvalidArgument, "Pass the path of a regular matrix file (YAML or versions.json) on the file system to -MatrixPath, or omit -MatrixPath to use the embedded matrix."),
            D(MatrixErrorIds.NotAFile, InvalidArgument, "Pass the path of a regular matrix file (YAML or versions.json) on the file system to -MatrixPath, or omit -MatrixPath to use the embedded matrix."),
            D(MatrixErrorIds.TooLarge, LimitsExceeded, "Pass a matrix file of at most 1 MiB (a full matrix is a few kilobytes) that makes at most 262,144 tags (the tags of a version are its aliases times its variants); check that -MatrixPath names the matrix."),
            D(MatrixErrorIds.ReadFailed, ReadError, "Check that the matrix file is readable by you, then run the command again."),
            D(MatrixErrorIds.TooDeep, LimitsExceeded, FixMatrix),
            D(MatrixErrorIds.MultipleDocuments, InvalidData, FixMatrix),
            D(MatrixErrorIds.AnchorNotAllowed, InvalidData, FixMatrix),
            D(MatrixErrorIds.YamlTagNotAllowed, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidCharacter, InvalidData, FixMatrix),
            D(MatrixErrorIds.NumberOutOfRange, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidSetuptoolsVersion, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidPipVersion, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidGetPip, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidRepository, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidMaintainer, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidBaseImage, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidAlias, InvalidData, FixMatrix),
            D(MatrixErrorIds.AliasCollision, InvalidData, FixMatrix),
            D(MatrixErrorIds.DuplicateTag, InvalidData, FixMatrix),
            D(MatrixErrorIds.InvalidTag, InvalidData, FixMatrix),
            D(MatrixErrorIds.NoArchitectures, InvalidData, FixMatrix),
        };
    }
}
