using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Dockerfiles;

namespace PythonImages.Commands
{
    /// <summary>
    /// -Path (wildcards) and -LiteralPath inputs of the cmdlets that read files or folders, resolved the way PowerShell's
    /// own item cmdlets do: a literal path that does not exist is an ItemNotFound error (the caller's ErrorId, category
    /// ObjectNotFound); a wildcard that matches nothing is no error (as Get-Item); paths of other providers are refused.
    /// </summary>
    internal static class PathInputs
    {
        /// <summary>
        /// The existing file-system items <paramref name="paths"/> name, in order. Problems are written as non-terminating
        /// errors through <paramref name="cmdlet"/>: a missing item under <paramref name="notFoundId"/>, an unusable path
        /// (another provider, NUL, an unknown drive) under <paramref name="invalidPathId"/>.
        /// </summary>
        public static List<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal, string notFoundId, string invalidPathId, string what)
        {
            var result = new List<string>();
            foreach (var path in paths.Where(p => p != null))
            {
                try
                {
                    if (path.Any(c => c < 0x20 || c == 0x7F))
                    {
                        throw new ArgumentException("it contains a control character");
                    }

                    if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
                    {
                        string full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
                        RequireFileSystem(provider, path);
                        if (File.Exists(full) || Directory.Exists(full))
                        {
                            result.Add(full);
                        }
                        else
                        {
                            cmdlet.WriteError(NotFound(path, full, notFoundId, what));
                        }

                        continue;
                    }

                    var resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var wildcardProvider);
                    RequireFileSystem(wildcardProvider, path);
                    result.AddRange(resolved.Where(f => File.Exists(f) || Directory.Exists(f)));
                }
                catch (ItemNotFoundException)
                {
                    // A wildcard that matches nothing (a literal path was checked above).
                }
                catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is System.Management.Automation.DriveNotFoundException
                    || ex is ProviderNotFoundException || ex is PSInvalidOperationException || ex is WildcardPatternException)
                {
                    cmdlet.WriteError(Errors.Create(
                        new ArgumentException($"'{Security.InputGrammar.Show(path)}' is not a usable file-system path: {ex.Message}", ex),
                        invalidPathId,
                        Security.InputGrammar.Show(path),
                        $"Pass the path of {what} on the file system (wildcards are allowed with -Path; use -LiteralPath for a name with '[' or '*').",
                        category: FailureCategory.InvalidArgument));
                }
            }

            return result;
        }

        /// <summary>
        /// The images folders (Test-PythonDockerfile) <paramref name="given"/> names, as full roots; a missing one is a
        /// Dockerfile.PathNotFound error, a file a Dockerfile.RootIsFile error.
        /// </summary>
        public static List<string> ImagesFolders(PSCmdlet cmdlet, string[] given, bool literal)
        {
            var roots = new List<string>();
            foreach (var full in Resolve(cmdlet, given, literal, DockerfileErrorIds.PathNotFound, DockerfileErrorIds.InvalidPath, "images folder"))
            {
                if (File.Exists(full))
                {
                    cmdlet.WriteError(Errors.Create(
                        new IOException($"-Path {full} is a file; it must be the directory that holds the <version>/<variant> folders."),
                        DockerfileErrorIds.RootIsFile,
                        full,
                        "Pass the images folder New-PythonDockerfile wrote (the one that holds 3.14/trixie/Dockerfile ...).",
                        category: FailureCategory.InvalidArgument));
                    continue;
                }

                roots.Add(DockerfileStore.FullRoot(full));
            }

            return roots;
        }

        /// <summary>
        /// A path on the file system, not resolved (it need not exist); a path of another provider, or with control
        /// characters, is refused (ArgumentException).
        /// </summary>
        public static string FileSystemPath(PSCmdlet cmdlet, string path)
        {
            if (path.Any(c => c < 0x20 || c == 0x7F))
            {
                throw new ArgumentException($"'{Security.InputGrammar.Show(path)}' contains a control character");
            }

            string full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"'{Security.InputGrammar.Show(path)}' is a path of the {provider.Name} provider, not of the file system");
            }

            return full;
        }

        /// <summary>The ItemNotFound record of a path that does not exist.</summary>
        public static ErrorRecord NotFound(string path, string full, string errorId, string what) => Errors.Create(
            new ItemNotFoundException($"Cannot find path '{full}' because it does not exist."),
            errorId,
            Security.InputGrammar.Show(path),
            $"Pass the path of an existing {what}; Get-ChildItem lists what is there.");

        /// <summary>Refuses (NotSupportedException) a path whose provider is not the file system.</summary>
        internal static void RequireFileSystem(ProviderInfo provider, string path)
        {
            if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            {
                throw new NotSupportedException($"'{Security.InputGrammar.Show(path)}' is a path of the {provider.Name} provider, not of the file system");
            }
        }
    }
}
