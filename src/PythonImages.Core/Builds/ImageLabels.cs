using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace PythonImages.Builds
{
    /// <summary>
    /// The labels Invoke-PythonImageBuild puts on the images it builds: a marker that says the module built the image
    /// (so that replacing a tag of an image it did not build can be warned about), and the OCI image annotations of the
    /// images built from the matrix.
    /// </summary>
    public static class ImageLabels
    {
        /// <summary>The marker label: its value is the module that built the image ("PythonImages").</summary>
        public const string BuiltBy = "io.github.pythonimages.built-by";

        /// <summary>The marker label's value.</summary>
        public const string BuiltByValue = "PythonImages";

        /// <summary>org.opencontainers.image.version: the Python version (3.14.6).</summary>
        public const string Version = "org.opencontainers.image.version";

        /// <summary>org.opencontainers.image.source: the repository of the Dockerfiles.</summary>
        public const string Source = "org.opencontainers.image.source";

        /// <summary>org.opencontainers.image.revision: the commit of the Dockerfile, when known.</summary>
        public const string Revision = "org.opencontainers.image.revision";

        /// <summary>org.opencontainers.image.created: when the image was built (RFC 3339, UTC).</summary>
        public const string Created = "org.opencontainers.image.created";

        /// <summary>org.opencontainers.image.base.name: the reference of the base image (the last FROM).</summary>
        public const string BaseName = "org.opencontainers.image.base.name";

        /// <summary>org.opencontainers.image.base.digest: the digest of the base image.</summary>
        public const string BaseDigest = "org.opencontainers.image.base.digest";

        private static Regex? fromLine;

        private static Regex FromLine => fromLine ??= new Regex(
            @"^[ \t]*FROM[ \t]+(?:--[^ \t]+[ \t]+)*(?<image>[^ \t\r\n]+)", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant);

        /// <summary>
        /// The OCI labels of an image built from the matrix: version, source (the image's GitRepo, or the matrix's default
        /// repository), revision (the image's GitCommit, when known), created, base name and digest (when known).
        /// Values that would not pass as label values are left out.
        /// </summary>
        public static IDictionary<string, string> ForMatrixImage(PythonImage image, DateTime createdUtc, string? baseName, string? baseDigest)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            void Add(string key, string? value)
            {
                if (!string.IsNullOrEmpty(value) && Security.EngineGrammar.WhyNotFreeText(value, 1024) == null)
                {
                    labels[key] = value!;
                }
            }

            Add(Version, image.Version);
            string source = string.IsNullOrEmpty(image.GitRepo) ? Matrix.DefaultRepository : image.GitRepo!;
            Add(Source, source.EndsWith(".git", StringComparison.Ordinal) ? source.Substring(0, source.Length - 4) : source);
            Add(Revision, image.GitCommit);
            Add(Created, createdUtc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            Add(BaseName, baseName);
            Add(BaseDigest, baseDigest);
            return labels;
        }

        /// <summary>The image of the last FROM line of a Dockerfile (the final stage's base), or null; "scratch" is no image.</summary>
        public static string? BaseImageOf(string dockerfileText)
        {
            string? last = FromLine.Matches(dockerfileText).Cast<Match>().Select(m => m.Groups["image"].Value).LastOrDefault();
            return last == null || string.Equals(last, "scratch", StringComparison.OrdinalIgnoreCase) || last.IndexOf('$') >= 0 ? null : last;
        }

        /// <summary>
        /// The digest of a base image from what the engine knows about it: the digest of its repository digest for the
        /// same repository (the manifest digest a registry gave), else the first repository digest, else its image id
        /// (the digest of its configuration: a local image that never came from a registry has no other).
        /// </summary>
        public static string? BaseDigestOf(string baseName, IEnumerable<string> repoDigests, string? imageId)
        {
            var digests = repoDigests.Where(d => d.IndexOf('@') > 0).ToList();
            string repository = baseName;
            int at = repository.IndexOf('@');
            if (at >= 0)
            {
                return repository.Substring(at + 1);
            }

            int colon = repository.LastIndexOf(':');
            if (colon > repository.LastIndexOf('/'))
            {
                repository = repository.Substring(0, colon);
            }

            string? same = digests.FirstOrDefault(d => string.Equals(d.Substring(0, d.IndexOf('@')), repository, StringComparison.Ordinal)
                || d.Substring(0, d.IndexOf('@')).EndsWith("/" + repository, StringComparison.Ordinal));
            string? chosen = same ?? digests.FirstOrDefault();
            return chosen != null ? chosen.Substring(chosen.IndexOf('@') + 1) : (string.IsNullOrEmpty(imageId) ? null : imageId);
        }
    }
}
