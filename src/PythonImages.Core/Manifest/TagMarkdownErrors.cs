using static PythonImages.FailureCategory;

namespace PythonImages
{
    /// <summary>Stable error ids of the README renderer, ConvertTo-PythonTagMarkdown ("TagMarkdown.Reason").</summary>
    public static class TagMarkdownErrorIds
    {
        /// <summary>An image has no tags; every README entry needs one.</summary>
        public const string MissingTags = "TagMarkdown.MissingTags";

        /// <summary>An image has no GitCommit, so its Dockerfile link cannot be built.</summary>
        public const string MissingGitCommit = "TagMarkdown.MissingGitCommit";

        /// <summary>A tag is not a valid Docker tag (it would be written into Markdown).</summary>
        public const string InvalidTag = "TagMarkdown.InvalidTag";

        /// <summary>A Directory is not a relative path of safe names.</summary>
        public const string InvalidDirectory = "TagMarkdown.InvalidDirectory";

        /// <summary>A File is not a plain file name.</summary>
        public const string InvalidFile = "TagMarkdown.InvalidFile";

        /// <summary>A GitRepo is not an https URL of a git repository.</summary>
        public const string InvalidGitRepo = "TagMarkdown.InvalidGitRepo";

        /// <summary>A GitCommit is not a full commit id.</summary>
        public const string InvalidGitCommit = "TagMarkdown.InvalidGitCommit";

        /// <summary>An architecture bashbrew does not know.</summary>
        public const string UnknownArchitecture = "TagMarkdown.UnknownArchitecture";

        /// <summary>A per-architecture field is not &lt;arch&gt;-GitRepo/GitFetch/GitCommit/Directory/File/Builder.</summary>
        public const string InvalidField = "TagMarkdown.InvalidField";

        /// <summary>-ImageName is not a Docker Hub repository name.</summary>
        public const string InvalidImageName = "TagMarkdown.InvalidImageName";

        /// <summary>A tag names two entries: a simple tag repeats, or is also another entry's shared tag (bashbrew refuses such a manifest).</summary>
        public const string DuplicateTag = "TagMarkdown.DuplicateTag";
    }

    /// <summary>The README-renderer part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private const string RenderKnownImages = "Render images imported with Import-PythonLibraryManifest or produced by Get-PythonTag / Export-PythonLibraryManifest -PassThru; values changed by hand must follow the manifest rules (nothing that Markdown or HTML would interpret).";

        private static ErrorDescriptor[] TagMarkdown() => new[]
        {
            D(TagMarkdownErrorIds.MissingTags, InvalidData, "Pass images from Get-PythonTag or Import-PythonLibraryManifest."),
            D(TagMarkdownErrorIds.MissingGitCommit, InvalidData, "Resolve the commits first: Get-PythonTag | Export-PythonLibraryManifest -GitRepository <repo> -PassThru | ConvertTo-PythonTagMarkdown, or import a manifest with Import-PythonLibraryManifest."),
            D(TagMarkdownErrorIds.InvalidTag, InvalidData, RenderKnownImages),
            D(TagMarkdownErrorIds.InvalidDirectory, InvalidData, RenderKnownImages),
            D(TagMarkdownErrorIds.InvalidFile, InvalidData, RenderKnownImages),
            D(TagMarkdownErrorIds.InvalidGitRepo, InvalidData, RenderKnownImages),
            D(TagMarkdownErrorIds.InvalidGitCommit, InvalidData, RenderKnownImages),
            D(TagMarkdownErrorIds.UnknownArchitecture, InvalidData, RenderKnownImages),
            D(TagMarkdownErrorIds.InvalidField, InvalidData, RenderKnownImages),
            D(TagMarkdownErrorIds.DuplicateTag, InvalidData, "Pass each manifest entry once, from one manifest (Import-PythonLibraryManifest of one file, or Get-PythonTag | Export-PythonLibraryManifest -PassThru); a tag names one entry."),
            D(TagMarkdownErrorIds.InvalidImageName, InvalidArgument, "Pass the Docker Hub repository name, e.g. python.", InvalidData),
        };
    }
}
