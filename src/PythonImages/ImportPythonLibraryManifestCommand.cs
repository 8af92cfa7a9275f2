using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Reads official-images library manifests (RFC 2822 form) into python image objects.</para>
    /// <para type="description">Each entry becomes a PythonImage (VersionKey, Version and Variant derived from the Directory and the tags,
    /// plus GitRepo, GitFetch, GitCommit, File, Builder, Constraints and per-architecture fields), so imported images flow through the same
    /// cmdlets as Get-PythonTag's. A file that bashbrew would reject gives one error naming the file and line.</para>
    /// </summary>
    [Cmdlet(VerbsData.Import, "PythonLibraryManifest", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(PythonImage))]
    public sealed class ImportPythonLibraryManifestCommand : PSCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string ContentSet = "Content";

        /// <summary>Manifest files; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Manifest files, taken literally (no wildcards).</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>The manifest text itself.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ContentSet)]
        [AllowEmptyString]
        public string Content { get; set; } = string.Empty;

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ContentSet)
            {
                Emit(Content, null);
                return;
            }

            foreach (var file in Resolve())
            {
                string text;
                try
                {
                    text = ManifestFile.ReadAllText(file);
                }
                catch (ManifestException ex)
                {
                    WriteError(Errors.FromManifest(ex, file));
                    continue;
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    WriteError(Errors.Create(ex, ManifestErrorIds.ReadFailed, file, "Check that the file is readable."));
                    continue;
                }

                Emit(text, file);
            }
        }

        private void Emit(string text, string? file)
        {
            ParsedManifest parsed;
            try
            {
                parsed = LibraryManifest.Parse(text, file);
            }
            catch (ManifestException ex)
            {
                WriteError(Errors.FromManifest(ex, (object?)file ?? "(content)"));
                return;
            }

            foreach (var image in parsed.Images)
            {
                WriteObject(image);
            }
        }

        /// <summary>
        /// The files to read. A literal path that is missing is Manifest.FileNotFound, a directory Manifest.NotAFile; FIFOs
        /// and devices are passed on and refused by the reader before it opens them. Wildcards skip directories.
        /// </summary>
        private List<string> Resolve()
        {
            var result = new List<string>();
            if (ParameterSetName == LiteralPathSet)
            {
                return ResolveLiteral();
            }

            foreach (var p in Path)
            {
                try
                {
                    var paths = GetResolvedProviderPathFromPSPath(p, out var provider);
                    if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
                    {
                        WriteError(Errors.Create(
                            new ArgumentException($"'{p}' is not a file system path."), ManifestErrorIds.NotAFile, p, "Pass the path of a manifest file."));
                        continue;
                    }

                    bool wildcard = WildcardPattern.ContainsWildcardCharacters(p);
                    bool any = false;
                    foreach (var full in paths)
                    {
                        if (File.Exists(full))
                        {
                            result.Add(full);
                            any = true;
                        }
                        else if (Directory.Exists(full) && !wildcard)
                        {
                            IsDirectory(full);
                            any = true;
                        }
                    }

                    if (!any && !wildcard)
                    {
                        NotFound(p);
                    }
                }
                catch (ItemNotFoundException)
                {
                    if (!WildcardPattern.ContainsWildcardCharacters(p))
                    {
                        NotFound(p);
                    }
                }
            }

            return result;
        }

        /// <summary>-LiteralPath: each a file-system path; another provider's is Manifest.NotAFile (Env:X would be the file X in the process's directory).</summary>
        private List<string> ResolveLiteral()
        {
            var result = new List<string>();
            foreach (var p in LiteralPath)
            {
                string full;
                try
                {
                    full = PathInputs.FileSystemPath(this, p);
                }
                catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
                {
                    WriteError(Errors.Create(
                        new ArgumentException($"'{Security.InputGrammar.Show(p)}' is not a usable file system path: {ex.Message}.", ex),
                        ManifestErrorIds.NotAFile,
                        p,
                        "Pass the path of a manifest file on the file system (for example official-images/library/python)."));
                    continue;
                }

                if (Directory.Exists(full))
                {
                    IsDirectory(full);
                }
                else if (File.Exists(full))
                {
                    result.Add(full);
                }
                else
                {
                    NotFound(p);
                }
            }

            return result;
        }

        private void IsDirectory(string path) =>
            WriteError(Errors.Create(
                new IOException($"'{path}' is a directory, not a manifest file."),
                ManifestErrorIds.NotAFile,
                path,
                "Pass the path of the manifest file itself (for example official-images/library/python)."));

        private void NotFound(string path) =>
            WriteError(Errors.Create(
                new FileNotFoundException($"The manifest file '{path}' does not exist."),
                ManifestErrorIds.FileNotFound,
                path,
                "Pass the path of an existing library manifest (for example official-images/library/python)."));
    }
}
