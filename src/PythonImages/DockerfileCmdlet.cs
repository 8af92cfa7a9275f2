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
        protected const string ImageSet = "Image";
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

        /// <summary>Download base replacing https://www.python.org/ftp/python/ (the same layout below it).</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? SourceMirror { get; set; }

        /// <summary>PGP key server replacing hkps://keys.openpgp.org, e.g. hkp://127.0.0.1:11371.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? KeyServer { get; set; }

        /// <summary>Registry prefix for every FROM image, e.g. registry.example:5000/hub.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BaseImageRegistry { get; set; }

        /// <summary>Generate Dockerfiles for versions without a checksum (without the check) instead of failing.</summary>
        [Parameter]
        public SwitchParameter AllowUnverifiedSource { get; set; }

        private DockerfileOptions? options;

        protected DockerfileOptions Options
        {
            get
            {
                if (options == null)
                {
                    foreach (var uri in new[] { SourceMirror, KeyServer })
                    {
                        if (uri != null && !uri.IsAbsoluteUri)
                        {
                            ThrowTerminatingError(Errors.Create(
                                new ArgumentException($"'{uri.OriginalString}' is not an absolute URI."),
                                "Dockerfile.InvalidUri",
                                ErrorCategory.InvalidArgument,
                                uri.OriginalString,
                                "Pass an absolute URI such as http://127.0.0.1:8080/python/ or hkp://127.0.0.1:11371."));
                        }
                    }

                    if (BaseImageRegistry != null && (BaseImageRegistry.IndexOfAny(new[] { ' ', '\t', '\n', '\r', '"', '@' }) >= 0 || BaseImageRegistry.Contains("://")))
                    {
                        ThrowTerminatingError(Errors.Create(
                            new ArgumentException($"'{BaseImageRegistry}' is not a registry prefix."),
                            "Dockerfile.InvalidRegistry",
                            ErrorCategory.InvalidArgument,
                            BaseImageRegistry,
                            "Pass a registry host with an optional path and no scheme, e.g. registry.example:5000/hub."));
                    }

                    options = new DockerfileOptions
                    {
                        SourceMirror = SourceMirror,
                        KeyServer = KeyServer,
                        BaseImageRegistry = BaseImageRegistry,
                        AllowUnverifiedSource = AllowUnverifiedSource.IsPresent,
                    };
                }

                return options;
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
                string what = "version " + (Version == null ? "(any)" : string.Join(", ", Version)) + " and variant " + (Variant == null ? "(any)" : string.Join(", ", Variant));
                WriteError(Errors.Create(
                    new ItemNotFoundException($"The matrix has no image for {what}."),
                    "Dockerfile.ImageNotFound",
                    ErrorCategory.ObjectNotFound,
                    what,
                    "Run Get-PythonTag to list the versions and variants of the matrix (pass the same -MatrixPath)."));
            }

            return selected;
        }

        /// <summary>The matrix images that -Version and -Variant select (all of them when neither is given).</summary>
        protected List<PythonImage> SelectFromMatrix() =>
            LoadMatrix().Images.Where(i => Matches(Version, i.VersionKey, i.Version) && Matches(Variant, i.Variant, i.VariantName)).ToList();

        private static bool Matches(string[]? patterns, string a, string b) =>
            patterns == null || patterns.Any(p =>
            {
                var w = new WildcardPattern(p, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                return w.IsMatch(a) || w.IsMatch(b);
            });

        /// <summary>Renders one image; a failure is written as a non-terminating error and gives null.</summary>
        protected RenderedDockerfile? TryRender(PythonImage image)
        {
            try
            {
                return DockerfileRenderer.Render(image, Options);
            }
            catch (DockerfileException ex)
            {
                WriteError(FromDockerfile(ex, image));
                return null;
            }
        }

        protected string ResolveRoot(string path) => DockerfileStore.FullRoot(GetUnresolvedProviderPathFromPSPath(path));

        internal static ErrorRecord FromDockerfile(DockerfileException ex, object target)
        {
            var category = ex.ErrorId switch
            {
                "Dockerfile.NotOurs" => ErrorCategory.ResourceExists,
                "Dockerfile.PathEscape" => ErrorCategory.SecurityError,
                "Dockerfile.PathIsDirectory" => ErrorCategory.ResourceExists,
                _ => ErrorCategory.InvalidData,
            };
            return Errors.Create(ex, ex.ErrorId, category, target, ex.RecommendedAction);
        }

        internal static ErrorRecord FromIo(Exception ex, string path, string doing) => Errors.Create(
            new IOException($"Could not {doing} {path}: {ex.Message}", ex),
            ex is UnauthorizedAccessException ? "Dockerfile.AccessDenied" : "Dockerfile.IOError",
            ex is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError,
            path,
            "Check that the directory exists or can be created and is writable, then run the command again; files already written are complete.");
    }
}
