using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Dockerfiles;

namespace PythonImages.Commands
{
    /// <summary>
    /// Shared input of the Dockerfile cmdlets: images from the pipeline (Get-PythonTag output) or selected from the
    /// matrix with -Version/-Variant, and the rendering options for mirrored networks.
    /// </summary>
    public abstract class DockerfileCmdlet : MatrixCmdlet
    {
        /// <summary>The parameter set of piped images.</summary>
        protected const string ImageSet = "Image";
        /// <summary>The parameter set of -Version/-Variant.</summary>
        protected const string ByNameSet = "ByName";

        /// <summary>Images to render, as Get-PythonTag emits them.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ImageSet)]
        [ValidateNotNull]
        public PythonImage[]? Image { get; set; }

        /// <summary>Version keys (3.14, 3.15-rc) or full versions (3.14.6), wildcards allowed. Default: every version of the matrix.</summary>
        [Parameter(ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
        [Alias("VersionKey")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VersionCompleter))]
        public string[]? Version { get; set; }

        /// <summary>Variants (trixie, slim-bookworm, alpine3.24, windows/windowsservercore-ltsc2025 or its basename), wildcards allowed. Default: every variant.</summary>
        [Parameter(ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VariantCompleter))]
        public string[]? Variant { get; set; }

        /// <summary>
        /// Download base replacing https://www.python.org/ftp/python/ (the same layout below it). An absolute https URL
        /// without credentials; http only with -AllowInsecureSource. Taken as text (a [uri] gives its original string).
        /// </summary>
        [Parameter]
        [ValidateNotNull]
        [UriText]
        public string? SourceMirror { get; set; }

        /// <summary>PGP key server replacing hkps://keys.openpgp.org (hkps or https; hkp and http only with -AllowInsecureSource).</summary>
        [Parameter]
        [ValidateNotNull]
        [UriText]
        public string? KeyServer { get; set; }

        /// <summary>Registry prefix for every FROM image, e.g. registry.example:5000/hub.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BaseImageRegistry { get; set; }

        /// <summary>Generate Dockerfiles for versions without a checksum (without the check) instead of failing; each such image gets a warning.</summary>
        [Parameter]
        public SwitchParameter AllowUnverifiedSource { get; set; }

        /// <summary>Accept an http:// -SourceMirror or an hkp:// or http:// -KeyServer; each image that uses one gets a warning (the sha256 check stays).</summary>
        [Parameter]
        public SwitchParameter AllowInsecureSource { get; set; }

        private DockerfileOptions? options;

        /// <summary>The Dockerfile options of the parameters, checked once (a terminating error when one is not accepted).</summary>
        protected DockerfileOptions Options
        {
            get
            {
                if (options == null)
                {
                    try
                    {
                        options = DockerfileOptions.Create(SourceMirror, KeyServer, BaseImageRegistry, AllowUnverifiedSource.IsPresent, AllowInsecureSource.IsPresent);
                    }
                    catch (DockerfileException ex)
                    {
                        ThrowTerminatingError(Errors.Create(ex, ex.ErrorId, ex.Target, ex.RecommendedAction));
                    }
                }

                return options!;
            }
        }

        /// <summary>The images of this ProcessRecord call: the piped ones, or those the -Version/-Variant filters select from the matrix.</summary>
        protected List<PythonImage> CurrentImages()
        {
            if (ParameterSetName == ImageSet)
            {
                return Image!.Where(i => i != null).ToList();
            }

            var selected = SelectFromMatrix();
            if (selected.Count == 0 && (Version ?? Array.Empty<string>()).Concat(Variant ?? Array.Empty<string>()).All(p => !WildcardPattern.ContainsWildcardCharacters(p)))
            {
                string what = "version " + (Version == null ? "(any)" : string.Join(", ", Version.Select(v => Security.InputGrammar.Show(v)))) + " and variant " + (Variant == null ? "(any)" : string.Join(", ", Variant.Select(v => Security.InputGrammar.Show(v))));
                WriteError(Errors.Create(
                    new ItemNotFoundException($"The matrix has no image for {what}."),
                    DockerfileErrorIds.ImageNotFound,
                    what,
                    "Run Get-PythonTag to list the versions and variants of the matrix (pass the same -MatrixPath)."));
            }

            return selected;
        }

        /// <summary>The matrix images that -Version and -Variant select (all of them when neither is given).</summary>
        protected List<PythonImage> SelectFromMatrix() =>
            new ImageFilter(Wildcards(Version), Wildcards(Variant)).Select(LoadMatrix().Images).ToList();

        private static Func<string, bool>[]? Wildcards(string[]? patterns) =>
            patterns?.Select(p => (Func<string, bool>)new WildcardPattern(p, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant).IsMatch).ToArray();

        /// <summary>
        /// Renders one image; a failure is written as a non-terminating error and gives null. What the user opted into that
        /// weakens the image's download (insecure source, no checksum) is written as a warning per image.
        /// </summary>
        protected RenderedDockerfile? TryRender(PythonImage image)
        {
            try
            {
                var rendered = DockerfileRenderer.Render(image, Options);
                foreach (var warning in rendered.Warnings)
                {
                    WriteWarning(warning);
                }

                return rendered;
            }
            catch (DockerfileException ex)
            {
                WriteError(FromDockerfile(ex, image));
                return null;
            }
        }

        /// <summary>
        /// The images root as a full file-system path. A path PowerShell cannot resolve (NUL, another provider, too many '..')
        /// is Dockerfile.InvalidPath and an existing file is Dockerfile.RootIsFile, both terminating and InvalidArgument.
        /// </summary>
        protected string ResolveRoot(string path)
        {
            string root;
            try
            {
                string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
                if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
                {
                    throw new NotSupportedException($"it is a path of the {provider.Name} provider, not of the file system");
                }

                root = DockerfileStore.FullRoot(resolved);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is IOException || (ex is RuntimeException && ex is not PipelineStoppedException))
            {
                ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"-Path '{Security.InputGrammar.Show(path)}' is not a usable file-system path: {ex.Message}", ex),
                    DockerfileErrorIds.InvalidPath,
                    Security.InputGrammar.Show(path),
                    "Pass the path of a directory on the file system (it is created if missing)."));
                throw; // not reached
            }

            if (File.Exists(root))
            {
                ThrowTerminatingError(Errors.Create(
                    new IOException($"-Path {root} is a file; it must be the directory that holds the <version>/<variant> folders."),
                    DockerfileErrorIds.RootIsFile,
                    root,
                    "Pass a directory (it is created if missing)."));
            }

            return root;
        }

        internal static ErrorRecord FromDockerfile(DockerfileException ex, object target) => Errors.FromDockerfile(ex, target);

        internal static ErrorRecord FromIo(Exception ex, string path, string doing) => Errors.Create(
            new IOException($"Could not {doing} {path}: {ex.Message}", ex),
            ex is UnauthorizedAccessException ? DockerfileErrorIds.AccessDenied : DockerfileErrorIds.IOError,
            path,
            "Check that the directory exists or can be created and is writable, then run the command again; files already written are complete.");
    }
}
