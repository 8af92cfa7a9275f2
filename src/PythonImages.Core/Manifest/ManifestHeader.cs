using System;
using System.Collections.Generic;

namespace PythonImages
{
    /// <summary>
    /// The global part of an official-images library manifest: the comment lines above it, Maintainers, the header's
    /// GitRepo/GitFetch/Builder and any other field the header sets for every entry. Imported images reference it so
    /// that Export-PythonLibraryManifest can write the file back as it was read.
    /// </summary>
    public sealed class ManifestHeader
    {
        /// <summary>The comment lines before the header paragraph (the generated-by line), each with its '#'.</summary>
        public IList<string> CommentLines { get; set; } = new List<string>();

        /// <summary>The first comment line, or null.</summary>
        public string? GeneratedBy => CommentLines.Count > 0 ? CommentLines[0] : null;

        /// <summary>The maintainers, "Name &lt;email&gt; (@github)".</summary>
        public IList<string> Maintainers { get; set; } = new List<string>();

        /// <summary>The repository of the Dockerfiles.</summary>
        public string? GitRepo { get; set; }

        /// <summary>GitFetch as written in the header (null: the default refs/heads/master).</summary>
        public string? GitFetch { get; set; }

        /// <summary>The default Builder of every entry (buildkit since 2023), null or empty when not written.</summary>
        public string? Builder { get; set; }

        /// <summary>Other header fields in file order (Architectures, Directory, per-architecture fields...), as written.</summary>
        public IList<KeyValuePair<string, string>> OtherFields { get; set; } = new List<KeyValuePair<string, string>>();

        /// <summary>The file the header was read from (null when built in code).</summary>
        public string? Source { get; set; }

        /// <summary>GitFetch every entry inherits.</summary>
        public string EffectiveGitFetch => string.IsNullOrEmpty(GitFetch) ? LibraryManifest.DefaultGitFetch : GitFetch!;

        /// <summary>A copy that can be changed without changing this one.</summary>
        public ManifestHeader Clone()
        {
            var c = (ManifestHeader)MemberwiseClone();
            c.CommentLines = new List<string>(CommentLines ?? new List<string>());
            c.Maintainers = new List<string>(Maintainers ?? new List<string>());
            c.OtherFields = new List<KeyValuePair<string, string>>(OtherFields ?? new List<KeyValuePair<string, string>>());
            return c;
        }

        /// <inheritdoc/>
        public override string ToString() => (GitRepo ?? "(no GitRepo)") + " (" + Maintainers.Count + " maintainers)";
    }
}
