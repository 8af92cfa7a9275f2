using System;
using PythonImages.Ci;
using static PythonImages.FailureCategory;

namespace PythonImages.Ci
{
    /// <summary>Stable error ids of Export-PythonBuildMatrix ("BuildMatrix.Reason").</summary>
    public static class BuildMatrixErrorIds
    {
        /// <summary>An image's Directory, tag, architecture or constraint fails its grammar (it would be written into the CI file).</summary>
        public const string InvalidImage = "BuildMatrix.InvalidImage";

        /// <summary>An image names an architecture the module cannot map to a platform.</summary>
        public const string UnknownArchitecture = "BuildMatrix.UnknownArchitecture";

        /// <summary>Two images have the same Directory.</summary>
        public const string DuplicateImage = "BuildMatrix.DuplicateImage";

        /// <summary>A -RunnerLabel key is not a platform or its value not a runner label.</summary>
        public const string InvalidRunnerLabel = "BuildMatrix.InvalidRunnerLabel";

        /// <summary>-Registry is not host[:port][/namespace].</summary>
        public const string InvalidRegistry = "BuildMatrix.InvalidRegistry";

        /// <summary>-DefaultBranch is not a branch name.</summary>
        public const string InvalidBranch = "BuildMatrix.InvalidBranch";

        /// <summary>-ImagesPath or the matrix file is not a relative path inside the repository.</summary>
        public const string InvalidRepositoryPath = "BuildMatrix.InvalidRepositoryPath";

        /// <summary>-ChangedSince is not a git revision.</summary>
        public const string InvalidRevision = "BuildMatrix.InvalidRevision";

        /// <summary>-ChangedSince names a revision the repository does not have.</summary>
        public const string RevisionNotFound = "BuildMatrix.RevisionNotFound";

        /// <summary>-GitRepository does not exist.</summary>
        public const string RepositoryNotFound = "BuildMatrix.RepositoryNotFound";

        /// <summary>git could not be started.</summary>
        public const string GitNotFound = "BuildMatrix.GitNotFound";

        /// <summary>git failed (not a work tree, unreadable history).</summary>
        public const string GitFailed = "BuildMatrix.GitFailed";

        /// <summary>The matrix file at the -ChangedSince revision cannot be read as a matrix.</summary>
        public const string OldMatrixInvalid = "BuildMatrix.OldMatrixInvalid";

        /// <summary>The plan has more legs than a GitHub Actions matrix runs (256); GitHub would refuse the workflow.</summary>
        public const string TooManyLegs = "BuildMatrix.TooManyLegs";

        /// <summary>A value reached the CI writer without passing its grammar (defence in depth); nothing is written.</summary>
        public const string UnsafeValue = "BuildMatrix.UnsafeValue";

        /// <summary>-Path is not a usable file path.</summary>
        public const string InvalidPath = "BuildMatrix.InvalidPath";

        /// <summary>-Path is a directory, FIFO, device or socket.</summary>
        public const string NotAFile = "BuildMatrix.NotAFile";

        /// <summary>The folder of -Path does not exist.</summary>
        public const string DirectoryNotFound = "BuildMatrix.DirectoryNotFound";

        /// <summary>-Path exists and -Force was not given.</summary>
        public const string FileExists = "BuildMatrix.FileExists";

        /// <summary>-Path could not be written.</summary>
        public const string WriteFailed = "BuildMatrix.WriteFailed";
    }

    /// <summary>A failure of the CI file generation: an ErrorId of <see cref="BuildMatrixErrorIds"/> and the object it is about.</summary>
    public sealed class BuildMatrixException : Exception
    {
        /// <summary>A failure with id <paramref name="errorId"/> about <paramref name="target"/>.</summary>
        public BuildMatrixException(string errorId, string message, object? target = null, string? recommendedAction = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Target = target;
            RecommendedAction = recommendedAction;
        }

        /// <summary>The ErrorId (a <see cref="BuildMatrixErrorIds"/> constant).</summary>
        public string ErrorId { get; }

        /// <summary>The image, parameter value or file the error is about.</summary>
        public object? Target { get; }

        /// <summary>A more precise action than the catalogue's, when known.</summary>
        public string? RecommendedAction { get; }
    }
}

namespace PythonImages
{
    /// <summary>The Export-PythonBuildMatrix part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private static ErrorDescriptor[] BuildMatrix() => new[]
        {
            D(BuildMatrixErrorIds.InvalidImage, InvalidData, "Pass images from Get-PythonTag or Import-PythonLibraryManifest; values changed by hand must follow the matrix rules."),
            D(BuildMatrixErrorIds.UnknownArchitecture, InvalidData, "Use the architectures bashbrew knows (amd64, arm64v8, arm32v7, windows-amd64, ...)."),
            D(BuildMatrixErrorIds.DuplicateImage, InvalidData, "Pass each image once (Get-PythonTag emits each image once; check a pipeline that concatenates lists)."),
            D(BuildMatrixErrorIds.InvalidRunnerLabel, InvalidArgument, "Pass a hashtable platform → label, e.g. -RunnerLabel @{ 'linux/arm64' = 'my-arm-runner' }."),
            D(BuildMatrixErrorIds.InvalidRegistry, InvalidArgument, "Pass host[:port][/namespace], e.g. ghcr.io/my-org or localhost:5000/library."),
            D(BuildMatrixErrorIds.InvalidBranch, InvalidArgument, "Pass a branch name, e.g. main."),
            D(BuildMatrixErrorIds.InvalidRepositoryPath, InvalidArgument, "Pass a relative path inside the repository (letters, digits, '.', '_', '-' and '/'), e.g. images or matrix.yaml."),
            D(BuildMatrixErrorIds.InvalidRevision, InvalidArgument, "Pass a branch, tag or commit, e.g. -ChangedSince origin/main or -ChangedSince HEAD~1."),
            D(BuildMatrixErrorIds.RevisionNotFound, ObjectNotFound, "Fetch the revision first (a shallow CI checkout lacks history: fetch-depth 0), or name one that exists."),
            D(BuildMatrixErrorIds.RepositoryNotFound, ObjectNotFound, "Pass the work tree of the repository that holds the Dockerfiles (and the matrix file) to -GitRepository."),
            D(BuildMatrixErrorIds.GitNotFound, ResourceUnavailable, "Install git and make sure it is on PATH."),
            D(BuildMatrixErrorIds.GitFailed, ReadError, "Pass the path of a git work tree with at least one commit to -GitRepository."),
            D(BuildMatrixErrorIds.OldMatrixInvalid, InvalidData, "Pass a -ChangedSince revision whose matrix file is valid, or leave -ChangedSince out to build every image."),
            D(BuildMatrixErrorIds.TooManyLegs, LimitsExceeded, "Use -PerLineage (one leg per base image and platform), remove platforms with -RunnerLabel @{ '<platform>' = '' }, or write one workflow per subset of the images (Get-PythonTag -Version ...)."),
            D(BuildMatrixErrorIds.UnsafeValue, InvalidData, "Report this as a bug: a value reached the CI file writer without passing its grammar; nothing was written."),
            D(BuildMatrixErrorIds.InvalidPath, InvalidArgument, "Pass a file system path without NUL or other characters the file system refuses, e.g. ./.github/workflows/images.yml."),
            D(BuildMatrixErrorIds.NotAFile, InvalidArgument, "Pass the path of a regular file (or of a new one); directories, FIFOs, devices and sockets are never written."),
            D(BuildMatrixErrorIds.DirectoryNotFound, ObjectNotFound, "Create the directory first, or choose another -Path."),
            D(BuildMatrixErrorIds.FileExists, ResourceExists, "Add -Force to overwrite it, or choose another -Path."),
            D(BuildMatrixErrorIds.WriteFailed, WriteError, "Check that the directory is writable; the previous file, if any, was left unchanged."),
        };
    }
}
