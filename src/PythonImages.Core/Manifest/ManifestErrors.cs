using static PythonImages.FailureCategory;

namespace PythonImages
{
    /// <summary>Stable error ids of the manifest parser, writer and validator and of the manifest cmdlets ("Manifest.Reason").</summary>
    public static class ManifestErrorIds
    {
        /// <summary>The manifest file does not exist.</summary>
        public const string FileNotFound = "Manifest.FileNotFound";

        /// <summary>The manifest has no entries.</summary>
        public const string Empty = "Manifest.Empty";

        /// <summary>An indented continuation line comes before any field.</summary>
        public const string ContinuationWithoutField = "Manifest.ContinuationWithoutField";

        /// <summary>A line is not "Field: value".</summary>
        public const string MissingColon = "Manifest.MissingColon";

        /// <summary>A field name holds characters a field name cannot.</summary>
        public const string InvalidFieldName = "Manifest.InvalidFieldName";

        /// <summary>The text is the old line-based manifest format, which is not read.</summary>
        public const string LineBasedFormat = "Manifest.LineBasedFormat";

        /// <summary>A field the manifest format does not know.</summary>
        public const string UnknownField = "Manifest.UnknownField";

        /// <summary>A field appears twice in one paragraph.</summary>
        public const string DuplicateField = "Manifest.DuplicateField";

        /// <summary>The header paragraph has Tags (only entries do).</summary>
        public const string TagsInHeader = "Manifest.TagsInHeader";

        /// <summary>The header has no Maintainers.</summary>
        public const string MissingMaintainers = "Manifest.MissingMaintainers";

        /// <summary>A maintainer is not "Name &lt;email&gt; (@github)".</summary>
        public const string InvalidMaintainer = "Manifest.InvalidMaintainer";

        /// <summary>An entry has no Tags.</summary>
        public const string MissingTags = "Manifest.MissingTags";

        /// <summary>A tag is not a valid Docker tag.</summary>
        public const string InvalidTag = "Manifest.InvalidTag";

        /// <summary>A tag appears in two entries (or twice in one).</summary>
        public const string DuplicateTag = "Manifest.DuplicateTag";

        /// <summary>A shared tag is also some entry's simple tag.</summary>
        public const string SharedTagIsSimpleTag = "Manifest.SharedTagIsSimpleTag";

        /// <summary>No GitRepo in the header or the entry.</summary>
        public const string MissingGitRepo = "Manifest.MissingGitRepo";

        /// <summary>A GitFetch is not a refs/heads/ or refs/tags/ name.</summary>
        public const string InvalidGitFetch = "Manifest.InvalidGitFetch";

        /// <summary>An entry has no GitCommit.</summary>
        public const string MissingGitCommit = "Manifest.MissingGitCommit";

        /// <summary>A GitCommit (or -GitCommit, -GeneratorCommit) is not a full commit id.</summary>
        public const string InvalidGitCommit = "Manifest.InvalidGitCommit";

        /// <summary>An architecture bashbrew does not know.</summary>
        public const string UnknownArchitecture = "Manifest.UnknownArchitecture";

        /// <summary>A field value is not accepted by its rule.</summary>
        public const string InvalidValue = "Manifest.InvalidValue";

        /// <summary>git is not installed or not on PATH (-GitRepository needs it).</summary>
        public const string GitNotFound = "Manifest.GitNotFound";

        /// <summary>git could not read the repository (not a work tree, no commit).</summary>
        public const string GitFailed = "Manifest.GitFailed";

        /// <summary>No commit touched an entry's Dockerfile, and no -GitCommit names it.</summary>
        public const string NoCommitForDirectory = "Manifest.NoCommitForDirectory";

        /// <summary>The file is larger than a manifest can be.</summary>
        public const string TooLarge = "Manifest.TooLarge";

        /// <summary>A value holds a control or format character.</summary>
        public const string InvalidCharacter = "Manifest.InvalidCharacter";

        /// <summary>The file is not UTF-8 text.</summary>
        public const string InvalidEncoding = "Manifest.InvalidEncoding";

        /// <summary>The path names a directory, FIFO, device or socket (or is not a file-system path).</summary>
        public const string NotAFile = "Manifest.NotAFile";

        /// <summary>The file exists but cannot be read.</summary>
        public const string ReadFailed = "Manifest.ReadFailed";

        /// <summary>A Directory is not a relative path of safe names inside the repository.</summary>
        public const string InvalidDirectory = "Manifest.InvalidDirectory";

        /// <summary>A File is not a plain file name.</summary>
        public const string InvalidFile = "Manifest.InvalidFile";

        /// <summary>A GitRepo is not an https URL of a git repository.</summary>
        public const string InvalidGitRepo = "Manifest.InvalidGitRepo";

        /// <summary>A Builder (or -Builder) is not buildkit, classic or oci-import.</summary>
        public const string InvalidBuilder = "Manifest.InvalidBuilder";

        /// <summary>A Constraints value is not accepted.</summary>
        public const string InvalidConstraint = "Manifest.InvalidConstraint";

        /// <summary>A comment line (or -GeneratedBy) holds control or format characters.</summary>
        public const string InvalidComment = "Manifest.InvalidComment";

        /// <summary>An entry has no Architectures.</summary>
        public const string MissingArchitectures = "Manifest.MissingArchitectures";

        /// <summary>Two entries would be the same image.</summary>
        public const string DuplicateEntry = "Manifest.DuplicateEntry";

        /// <summary>The manifest as it would be written does not read back the same; nothing was written.</summary>
        public const string RoundTripMismatch = "Manifest.RoundTripMismatch";

        /// <summary>An entry sets a header field that entries cannot override.</summary>
        public const string HeaderFieldNotOverridable = "Manifest.HeaderFieldNotOverridable";

        /// <summary>-GeneratorCommit and -GeneratedBy are both given.</summary>
        public const string ConflictingParameters = "Manifest.ConflictingParameters";

        /// <summary>-GitCommit is neither a commit id nor a hashtable Directory → commit.</summary>
        public const string InvalidGitCommitArgument = "Manifest.InvalidGitCommitArgument";

        /// <summary>-Path is not a usable file path.</summary>
        public const string InvalidPath = "Manifest.InvalidPath";

        /// <summary>-Path is a directory.</summary>
        public const string PathIsDirectory = "Manifest.PathIsDirectory";

        /// <summary>The folder of -Path does not exist.</summary>
        public const string DirectoryNotFound = "Manifest.DirectoryNotFound";

        /// <summary>-Path exists and -Force is not given.</summary>
        public const string FileExists = "Manifest.FileExists";

        /// <summary>The manifest could not be written; the previous file, if any, is unchanged.</summary>
        public const string WriteFailed = "Manifest.WriteFailed";

        /// <summary>-GitRepository does not exist.</summary>
        public const string GitRepositoryNotFound = "Manifest.GitRepositoryNotFound";
    }

    /// <summary>The manifest part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private const string FixManifestLine = "Fix the line the message names; the format is the official-images RFC 2822 manifest (docker-library/official-images).";
        private const string FixManifestValue = "Fix the value named in the message (on the image objects, the matrix, the parameters or the manifest line); nothing was written.";
        private const string GiveCommits = "Commit the generated Dockerfiles and pass the repository to -GitRepository, or pass -GitCommit (one commit, or a hashtable Directory → commit).";

        private static ErrorDescriptor[] Manifest() => new[]
        {
            D(ManifestErrorIds.FileNotFound, ObjectNotFound, "Pass the path of an existing library manifest (for example official-images/library/python)."),
            D(ManifestErrorIds.Empty, InvalidData, FixManifestLine),
            D(ManifestErrorIds.ContinuationWithoutField, InvalidData, FixManifestLine),
            D(ManifestErrorIds.MissingColon, InvalidData, FixManifestLine),
            D(ManifestErrorIds.InvalidFieldName, InvalidData, FixManifestLine),
            D(ManifestErrorIds.LineBasedFormat, InvalidData, FixManifestLine),
            D(ManifestErrorIds.UnknownField, InvalidData, FixManifestLine),
            D(ManifestErrorIds.DuplicateField, InvalidData, FixManifestLine),
            D(ManifestErrorIds.TagsInHeader, InvalidData, FixManifestLine),
            D(ManifestErrorIds.MissingMaintainers, InvalidData, FixManifestValue),
            D(ManifestErrorIds.InvalidMaintainer, InvalidData, FixManifestValue),
            D(ManifestErrorIds.MissingTags, InvalidData, FixManifestValue),
            D(ManifestErrorIds.InvalidTag, InvalidData, FixManifestValue),
            D(ManifestErrorIds.DuplicateTag, InvalidData, FixManifestValue),
            D(ManifestErrorIds.SharedTagIsSimpleTag, InvalidData, FixManifestValue),
            D(ManifestErrorIds.MissingGitRepo, InvalidData, FixManifestValue),
            D(ManifestErrorIds.InvalidGitFetch, InvalidData, FixManifestValue),
            D(ManifestErrorIds.MissingGitCommit, InvalidData, GiveCommits),
            D(ManifestErrorIds.InvalidGitCommit, InvalidData, "Give a full commit id (40 or 64 lowercase hexadecimal digits, as printed by git rev-parse HEAD).", InvalidArgument),
            D(ManifestErrorIds.UnknownArchitecture, InvalidData, FixManifestValue),
            D(ManifestErrorIds.InvalidValue, InvalidData, FixManifestValue),
            D(ManifestErrorIds.GitNotFound, ResourceUnavailable, "Install git and make sure it is on PATH, or pass the commits with -GitCommit."),
            D(ManifestErrorIds.GitFailed, ReadError, "Pass the path of a git work tree with at least one commit to -GitRepository, or pass the commits with -GitCommit."),
            D(ManifestErrorIds.NoCommitForDirectory, ObjectNotFound, GiveCommits),
            D(ManifestErrorIds.TooLarge, LimitsExceeded, "Pass a library manifest (library/python is about 10 KB); the limit is there so that a wrong path (a log, /dev/zero) cannot exhaust memory."),
            D(ManifestErrorIds.InvalidCharacter, InvalidData, FixManifestValue),
            D(ManifestErrorIds.InvalidEncoding, InvalidData, "Save the manifest as UTF-8 text."),
            D(ManifestErrorIds.NotAFile, InvalidArgument, "Pass the path of a regular file; FIFOs, devices, sockets and directories are not read."),
            D(ManifestErrorIds.ReadFailed, ReadError, "Check that the file is readable."),
            D(ManifestErrorIds.InvalidDirectory, InvalidData, FixManifestValue, InvalidArgument),
            D(ManifestErrorIds.InvalidFile, InvalidData, FixManifestValue),
            D(ManifestErrorIds.InvalidGitRepo, InvalidData, FixManifestValue),
            D(ManifestErrorIds.InvalidBuilder, InvalidData, "Use buildkit, classic or oci-import (-Builder '' leaves the header's Builder out).", InvalidArgument),
            D(ManifestErrorIds.InvalidConstraint, InvalidData, FixManifestValue),
            D(ManifestErrorIds.InvalidComment, InvalidData, "Pass plain text lines (no control or format characters); each becomes one '# ' comment line.", InvalidArgument),
            D(ManifestErrorIds.MissingArchitectures, InvalidData, FixManifestValue),
            D(ManifestErrorIds.DuplicateEntry, InvalidData, "Give each entry its own Directory (or commit); entries with identical build inputs are folded together by bashbrew."),
            D(ManifestErrorIds.RoundTripMismatch, InvalidData, "Check the value named in the message (an image object changed by hand, or a header field an entry cannot override); nothing was written."),
            D(ManifestErrorIds.HeaderFieldNotOverridable, InvalidData, FixManifestValue),
            D(ManifestErrorIds.ConflictingParameters, InvalidArgument, "Pass either -GeneratorCommit or -GeneratedBy."),
            D(ManifestErrorIds.InvalidGitCommitArgument, InvalidArgument, "Pass -GitCommit 'abc…' or -GitCommit @{ '3.14/trixie' = 'abc…' }."),
            D(ManifestErrorIds.InvalidPath, InvalidArgument, "Pass a file system path without NUL or other characters the file system refuses, e.g. ./library/python."),
            D(ManifestErrorIds.PathIsDirectory, InvalidArgument, "Pass a file path, e.g. library/python."),
            D(ManifestErrorIds.DirectoryNotFound, ObjectNotFound, "Create the directory first, or choose another -Path."),
            D(ManifestErrorIds.FileExists, ResourceExists, "Add -Force to overwrite it, or choose another -Path."),
            D(ManifestErrorIds.WriteFailed, WriteError, "Check that the directory is writable; the previous file, if any, was left unchanged."),
            D(ManifestErrorIds.GitRepositoryNotFound, ObjectNotFound, "Pass the work tree that holds the generated Dockerfiles (the directory with 3.14/trixie/Dockerfile...)."),
        };
    }
}
