using static PythonImages.FailureCategory;

namespace PythonImages.Dockerfiles
{
    /// <summary>Stable error ids of New-, Get- and Test-PythonDockerfile and the renderer ("Dockerfile.Reason").</summary>
    public static class DockerfileErrorIds
    {
        /// <summary>The matrix has no image for the -Version and -Variant given.</summary>
        public const string ImageNotFound = "Dockerfile.ImageNotFound";

        /// <summary>-Path is not a usable file-system path.</summary>
        public const string InvalidPath = "Dockerfile.InvalidPath";

        /// <summary>A -Path or -LiteralPath to check (Test-PythonDockerfile) does not exist.</summary>
        public const string PathNotFound = "Dockerfile.PathNotFound";

        /// <summary>-Path is a file, not the directory of the version folders.</summary>
        public const string RootIsFile = "Dockerfile.RootIsFile";

        /// <summary>A Dockerfile exists that PythonImages did not generate (no banner); it is left as it is.</summary>
        public const string NotOurs = "Dockerfile.NotOurs";

        /// <summary>An image's Directory would put the Dockerfile outside -Path (.., an absolute path, a link out).</summary>
        public const string PathEscape = "Dockerfile.PathEscape";

        /// <summary>A directory stands where the Dockerfile belongs.</summary>
        public const string PathIsDirectory = "Dockerfile.PathIsDirectory";

        /// <summary>Something other than a regular file (a FIFO, a device, a link) stands where the Dockerfile belongs.</summary>
        public const string NotAFile = "Dockerfile.NotAFile";

        /// <summary>A file or folder could not be read or written (other than access denied).</summary>
        public const string IOError = "Dockerfile.IOError";

        /// <summary>Access to a file or folder was denied.</summary>
        public const string AccessDenied = "Dockerfile.AccessDenied";

        /// <summary>-SourceMirror or -KeyServer is not an absolute URI of a known scheme without credentials.</summary>
        public const string InvalidUri = "Dockerfile.InvalidUri";

        /// <summary>-SourceMirror or -KeyServer uses plain http or hkp without -AllowInsecureSource.</summary>
        public const string InsecureSource = "Dockerfile.InsecureSource";

        /// <summary>-BaseImageRegistry is not a registry host (and path).</summary>
        public const string InvalidRegistry = "Dockerfile.InvalidRegistry";

        /// <summary>A value that would be written into the Dockerfile fails its grammar (an image object or option changed by hand).</summary>
        public const string UnsafeValue = "Dockerfile.UnsafeValue";

        /// <summary>The matrix has no release data (checksums, pip, setuptools) for the image's version.</summary>
        public const string NoRelease = "Dockerfile.NoRelease";

        /// <summary>The version has no sha256 for its source (or Windows installer).</summary>
        public const string NoChecksum = "Dockerfile.NoChecksum";

        /// <summary>The image has no base image to build FROM.</summary>
        public const string NoBaseImage = "Dockerfile.NoBaseImage";

        /// <summary>No release-manager PGP key is known for the version's series.</summary>
        public const string NoGpgKey = "Dockerfile.NoGpgKey";
    }
}

namespace PythonImages
{
    using PythonImages.Dockerfiles;

    /// <summary>The Dockerfile part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private static ErrorDescriptor[] Dockerfile() => new[]
        {
            D(DockerfileErrorIds.ImageNotFound, ObjectNotFound, "Run Get-PythonTag to list the versions and variants of the matrix (pass the same -MatrixPath)."),
            D(DockerfileErrorIds.InvalidPath, InvalidArgument, "Pass the path of a directory on the file system (it is created if missing)."),
            D(DockerfileErrorIds.PathNotFound, ObjectNotFound, "Pass the images folder that holds the <version>/<variant> folders (New-PythonDockerfile -Path creates it)."),
            D(DockerfileErrorIds.RootIsFile, InvalidArgument, "Pass a directory (it is created if missing)."),
            D(DockerfileErrorIds.NotOurs, ResourceExists, "Move the file away, or pass -Force to replace it with the generated Dockerfile."),
            D(DockerfileErrorIds.PathEscape, SecurityError, "Give the image a relative Directory of safe names (<version>/<variant>) that stays inside -Path; remove links that point out of it."),
            D(DockerfileErrorIds.PathIsDirectory, ResourceExists, "Remove or rename the directory that stands where the Dockerfile belongs."),
            D(DockerfileErrorIds.NotAFile, InvalidData, "Remove what stands where the Dockerfile belongs (a FIFO, a device, a link); only regular files are read or replaced."),
            D(DockerfileErrorIds.IOError, WriteError, "Check that the directory exists or can be created and is writable, then run the command again; files already written are complete."),
            D(DockerfileErrorIds.AccessDenied, PermissionDenied, "Check that the directory exists or can be created and is writable, then run the command again; files already written are complete."),
            D(DockerfileErrorIds.InvalidUri, InvalidArgument, "Pass an absolute https:// URL (-SourceMirror) or hkps:// / https:// URL (-KeyServer) without a user name or password."),
            D(DockerfileErrorIds.InsecureSource, InvalidArgument, "Use an https:// or hkps:// location, or pass -AllowInsecureSource to accept plain http or hkp knowingly (the sha256 check stays)."),
            D(DockerfileErrorIds.InvalidRegistry, InvalidArgument, "Pass a registry host with an optional port and path, e.g. registry.example:5000/hub."),
            D(DockerfileErrorIds.UnsafeValue, InvalidData, "Pass images as Get-PythonTag produces them and options through the cmdlets' parameters; a value changed by hand must keep its grammar."),
            D(DockerfileErrorIds.NoRelease, InvalidData, "Pass images from Get-PythonTag, or use -Version/-Variant to select them from the matrix."),
            D(DockerfileErrorIds.NoChecksum, InvalidData, "Add the sha256 to the version's checksums in the matrix (Update-PythonMatrix fills it), or pass -AllowUnverifiedSource to generate a Dockerfile without the check."),
            D(DockerfileErrorIds.NoBaseImage, InvalidData, "Pass images from Get-PythonTag."),
            D(DockerfileErrorIds.NoGpgKey, InvalidData, "Add the release manager's key fingerprint to the version in the matrix ('gpgKey')."),
        };
    }
}
