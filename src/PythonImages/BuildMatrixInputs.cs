using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using PythonImages.Ci;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>Export-PythonBuildMatrix's inputs and file: runner labels, module version, -MatrixPath inside the repository and the -Path it writes.</summary>
    internal static class BuildMatrixInputs
    {
        /// <summary>-RunnerLabel as platform → label (keys and values as text).</summary>
        internal static Dictionary<string, string> RunnerLabels(Hashtable? table)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry kv in table ?? new Hashtable())
            {
                labels[Text(kv.Key)] = Text(kv.Value);
            }

            return labels;
        }

        /// <summary>The module's version (major.minor.build) that the legs install.</summary>
        internal static string ModuleVersion(InvocationInfo invocation)
        {
            var v = invocation.MyCommand.Module?.Version ?? typeof(ExportPythonBuildMatrixCommand).Assembly.GetName().Version ?? new Version(0, 1, 0);
            return new Version(v.Major, v.Minor, Math.Max(0, v.Build)).ToString();
        }

        /// <summary>-Path as a full file path that can be written: a usable path, not a folder or device, in an existing folder, new unless -Force.</summary>
        internal static string ResolveOutput(PSCmdlet cmdlet, string path, bool force)
        {
            string full = string.Empty;
            try
            {
                full = Path.GetFullPath(PathInputs.FileSystemPath(cmdlet, path));
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is ProviderInvocationException)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(new ArgumentException($"-Path '{InputGrammar.Show(path)}' is not a usable file path: {ex.Message}", ex), BuildMatrixErrorIds.InvalidPath, path));
            }

            var kind = FileProbe.KindOf(full);
            if (kind != FileKind.Missing && kind != FileKind.Regular)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(new IOException($"'{full}' is {FileProbe.Describe(kind)}, not a regular file; nothing is written there."), BuildMatrixErrorIds.NotAFile, full));
            }

            string? parent = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            {
                cmdlet.ThrowTerminatingError(Errors.Create(new DirectoryNotFoundException($"The directory '{parent}' does not exist."), BuildMatrixErrorIds.DirectoryNotFound, parent));
            }

            if (kind == FileKind.Regular && !force)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(new IOException($"The file '{full}' already exists."), BuildMatrixErrorIds.FileExists, full));
            }

            return full;
        }

        /// <summary>-GitRepository as a full file-system path (another provider's path is a terminating BuildMatrix.InvalidPath); without it the current file-system location.</summary>
        internal static string Repository(PSCmdlet cmdlet, string? gitRepository)
        {
            if (gitRepository == null)
            {
                return cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            }

            try
            {
                return Path.GetFullPath(PathInputs.FileSystemPath(cmdlet, gitRepository));
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-GitRepository '{InputGrammar.Show(gitRepository)}' is not a usable file system path: {ex.Message}.", ex),
                    BuildMatrixErrorIds.InvalidPath,
                    gitRepository,
                    "Pass the work tree of the repository that holds the Dockerfiles as a file system path, e.g. ./python-images."));
                return string.Empty; // not reached
            }
        }

        /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="full"/> atomically; a failure is the terminating error of its id.</summary>
        internal static void Write(PSCmdlet cmdlet, string full, string text, bool force)
        {
            try
            {
                AtomicFile.WriteAllBytes(full, new System.Text.UTF8Encoding(false).GetBytes(text), force ? AtomicWriteMode.Replace : AtomicWriteMode.CreateNew);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(ex, File.Exists(full) && !force ? BuildMatrixErrorIds.FileExists : BuildMatrixErrorIds.WriteFailed, full));
            }
        }

        /// <summary>The full matrix path as a path inside the repository (forward slashes); outside it, a <see cref="BuildMatrixException"/>.</summary>
        internal static string RelativeMatrixFile(string full, string repository, string matrixPath)
        {
            string root = Path.GetFullPath(repository).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            string? relative = PathRules.RelativeInside(root, full);
            if (relative == null)
            {
                throw new BuildMatrixException(
                    BuildMatrixErrorIds.InvalidRepositoryPath,
                    $"-MatrixPath '{InputGrammar.Show(full)}' is not inside the repository '{InputGrammar.Show(root)}': the legs read the matrix from their checkout.",
                    matrixPath,
                    "Pass a matrix file inside -GitRepository (default: the current location).");
            }

            return relative;
        }

        private static string Text(object? value) => (value is PSObject p ? p.BaseObject : value)?.ToString() ?? string.Empty;
    }
}
