using System;

namespace PythonImages.Dockerfiles
{
    /// <summary>Choices that change the generated text beyond the matrix (mirrors for networks without internet access).</summary>
    public sealed class DockerfileOptions
    {
        public static readonly DockerfileOptions Default = new DockerfileOptions();

        /// <summary>Replaces https://www.python.org/ftp/python/ (same layout below it: &lt;dir&gt;/Python-&lt;version&gt;.tar.xz).</summary>
        public Uri? SourceMirror { get; set; }

        /// <summary>Replaces hkps://keys.openpgp.org in <c>gpg --recv-keys</c>.</summary>
        public Uri? KeyServer { get; set; }

        /// <summary>Prefix for every FROM image, e.g. registry.example:5000/hub (a trailing '/' is optional).</summary>
        public string? BaseImageRegistry { get; set; }

        /// <summary>Render versions without a checksum (the check is then left out) instead of failing.</summary>
        public bool AllowUnverifiedSource { get; set; }

        /// <summary>The download base, always ending with '/'.</summary>
        public string DownloadBase
        {
            get
            {
                if (SourceMirror == null)
                {
                    return ImageRules.PythonOrgDownloads;
                }

                string s = SourceMirror.OriginalString;
                return s.EndsWith("/", StringComparison.Ordinal) ? s : s + "/";
            }
        }

        public string KeyServerText => KeyServer == null ? ImageRules.DefaultKeyServer : KeyServer.OriginalString.TrimEnd('/');

        /// <summary>The FROM reference for a base image, with the registry prefix when one is set.</summary>
        public string From(string baseImage)
        {
            if (string.IsNullOrEmpty(BaseImageRegistry))
            {
                return baseImage;
            }

            return BaseImageRegistry!.TrimEnd('/') + "/" + baseImage;
        }

        /// <summary>The cmdlet parameters that reproduce these options (for the regeneration hint in the banner).</summary>
        public string ToParameterText()
        {
            var sb = new System.Text.StringBuilder();
            if (SourceMirror != null) sb.Append(" -SourceMirror ").Append(Quote(SourceMirror.OriginalString));
            if (KeyServer != null) sb.Append(" -KeyServer ").Append(Quote(KeyServer.OriginalString));
            if (!string.IsNullOrEmpty(BaseImageRegistry)) sb.Append(" -BaseImageRegistry ").Append(Quote(BaseImageRegistry!));
            if (AllowUnverifiedSource) sb.Append(" -AllowUnverifiedSource");
            return sb.ToString();
        }

        private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
    }

    /// <summary>A Dockerfile cannot be rendered or written; carries a stable error id and the next step for the user.</summary>
    public sealed class DockerfileException : Exception
    {
        public DockerfileException(string errorId, string message, string recommendedAction, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            RecommendedAction = recommendedAction;
        }

        public string ErrorId { get; }

        public string RecommendedAction { get; }
    }
}
