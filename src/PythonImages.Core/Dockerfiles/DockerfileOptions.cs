using System;
using System.Collections.Generic;
using PythonImages.Security;

namespace PythonImages.Dockerfiles
{
    /// <summary>Choices that change the generated text beyond the matrix (mirrors for networks without internet access).</summary>
    public sealed class DockerfileOptions
    {
        /// <summary>The options of a plain New-PythonDockerfile: python.org, keys.openpgp.org, Docker Hub.</summary>
        public static readonly DockerfileOptions Default = new DockerfileOptions();

        /// <summary>Replaces https://www.python.org/ftp/python/ (same layout below it: &lt;dir&gt;/Python-&lt;version&gt;.tar.xz).</summary>
        public Uri? SourceMirror { get; set; }

        /// <summary>Replaces hkps://keys.openpgp.org in <c>gpg --recv-keys</c>.</summary>
        public Uri? KeyServer { get; set; }

        /// <summary>Prefix for every FROM image, e.g. registry.example:5000/hub (a trailing '/' is optional).</summary>
        public string? BaseImageRegistry { get; set; }

        /// <summary>Render versions without a checksum (the check is then left out) instead of failing.</summary>
        public bool AllowUnverifiedSource { get; set; }

        /// <summary>
        /// Accept a plain-text (http, hkp) mirror or key server. <see cref="Create"/> refuses one without it; the renderer
        /// reports every image that uses one (<see cref="RenderedDockerfile.Warnings"/>), and the sha256 check stays.
        /// </summary>
        public bool AllowInsecureSource { get; set; }

        /// <summary>
        /// The options as the cmdlets' parameters give them, validated where they enter the module: mirror and key server
        /// with <see cref="SourceUri"/> (absolute, known scheme, no credentials, printable ASCII; http/hkp only with
        /// <paramref name="allowInsecureSource"/>), the registry with <see cref="InputGrammar.RegistryPrefix"/>.
        /// Throws <see cref="DockerfileException"/> (<see cref="DockerfileErrorIds.InvalidUri"/>, <see cref="DockerfileErrorIds.InsecureSource"/>,
        /// <see cref="DockerfileErrorIds.InvalidRegistry"/>); its message never repeats a user name or password.
        /// </summary>
        public static DockerfileOptions Create(string? sourceMirror, string? keyServer, string? baseImageRegistry, bool allowUnverifiedSource, bool allowInsecureSource)
        {
            return new DockerfileOptions
            {
                SourceMirror = sourceMirror == null ? null : ParseSource(sourceMirror, SourceUri.DownloadSchemes, allowInsecureSource, "-SourceMirror",
                    "Pass the absolute https:// URL of a directory laid out like https://www.python.org/ftp/python/ (e.g. https://mirror.example/python/)."),
                KeyServer = keyServer == null ? null : ParseSource(keyServer, SourceUri.KeyServerSchemes, allowInsecureSource, "-KeyServer",
                    "Pass the absolute hkps:// or https:// URL of a PGP key server (e.g. hkps://keys.example:443)."),
                BaseImageRegistry = baseImageRegistry == null ? null : ParseRegistry(baseImageRegistry),
                AllowUnverifiedSource = allowUnverifiedSource,
                AllowInsecureSource = allowInsecureSource,
            };
        }

        private static Uri ParseSource(string text, string[] schemes, bool allowInsecure, string parameter, string action)
        {
            try
            {
                return SourceUri.Parse(text, schemes, allowInsecure, DockerfileErrorIds.InvalidUri, DockerfileErrorIds.InsecureSource, "The " + parameter + " value");
            }
            catch (InputRejectedException ex)
            {
                bool insecure = ex.ErrorId == DockerfileErrorIds.InsecureSource;
                throw new DockerfileException(
                    ex.ErrorId,
                    ex.Message,
                    insecure
                        ? $"Use a TLS location for {parameter} (https, hkps), or add -AllowInsecureSource to accept this one knowingly: every image that uses it is then reported with a warning, and the sha256 check still protects the download."
                        : action,
                    ex)
                {
                    Target = SourceUri.RedactUserInfo(text),
                };
            }
        }

        private static string ParseRegistry(string text)
        {
            string? why = InputGrammar.RegistryPrefix.Why(text.EndsWith("/", StringComparison.Ordinal) ? text.Substring(0, text.Length - 1) : text);
            if (why != null)
            {
                throw new DockerfileException(
                    DockerfileErrorIds.InvalidRegistry,
                    $"The -BaseImageRegistry value '{InputGrammar.Show(SourceUri.RedactUserInfo(text))}' is not a registry prefix: {why}.",
                    "Pass a registry host with an optional port and namespace, without a scheme, e.g. registry.example:5000/hub.")
                {
                    Target = SourceUri.RedactUserInfo(text),
                };
            }

            // With the prefix "mirror", FROM mirror/debian:trixie-slim would pull docker.io/mirror/debian, whoever owns that
            // Docker Hub namespace.
            string trimmed = text.TrimEnd('/');
            int slash = trimmed.IndexOf('/');
            string first = slash < 0 ? trimmed : trimmed.Substring(0, slash);
            if (!ImageReference.NamesRegistryHost(first))
            {
                throw new DockerfileException(
                    DockerfileErrorIds.InvalidRegistry,
                    $"The -BaseImageRegistry value '{InputGrammar.Show(text)}' does not start with a registry host: Docker would read '{trimmed}/debian:trixie-slim' as an image of the Docker Hub namespace '{InputGrammar.Show(first)}', not of a registry named {InputGrammar.Show(first)}.",
                    "Start it with the registry's host name with a '.' or a :port, or localhost, e.g. registry.example:5000/hub or mirror.internal.")
                {
                    Target = text,
                };
            }

            return text;
        }

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

        /// <summary>The key server as written into <c>gpg --recv-keys</c>.</summary>
        public string KeyServerText => KeyServer == null ? ImageRules.DefaultKeyServer : KeyServer.OriginalString.TrimEnd('/');

        /// <summary>True when the mirror is reached without TLS (http).</summary>
        public bool MirrorIsInsecure => SourceMirror != null && SourceMirror.IsAbsoluteUri && SourceUri.Security(SourceMirror) == TransportSecurity.Insecure;

        /// <summary>True when the key server is reached without TLS (hkp, http).</summary>
        public bool KeyServerIsInsecure => KeyServer != null && KeyServer.IsAbsoluteUri && SourceUri.Security(KeyServer) == TransportSecurity.Insecure;

        /// <summary>The FROM reference for a base image, with the registry prefix when one is set.</summary>
        public string From(string baseImage)
        {
            if (string.IsNullOrEmpty(BaseImageRegistry))
            {
                return baseImage;
            }

            return BaseImageRegistry!.TrimEnd('/') + "/" + baseImage;
        }

        /// <summary>
        /// The cmdlet parameters that reproduce these options (for the regeneration hint in the banner), each value a
        /// PowerShell verbatim string. -AllowInsecureSource appears when a plain-text source is in use (not merely allowed),
        /// so that the same sources give the same text whichever switches were passed.
        /// </summary>
        public string ToParameterText()
        {
            var sb = new System.Text.StringBuilder();
            if (SourceMirror != null) sb.Append(" -SourceMirror ").Append(Quoting.PowerShell(SourceMirror.OriginalString));
            if (KeyServer != null) sb.Append(" -KeyServer ").Append(Quoting.PowerShell(KeyServer.OriginalString));
            if (!string.IsNullOrEmpty(BaseImageRegistry)) sb.Append(" -BaseImageRegistry ").Append(Quoting.PowerShell(BaseImageRegistry!));
            if (MirrorIsInsecure || KeyServerIsInsecure) sb.Append(" -AllowInsecureSource");
            if (AllowUnverifiedSource) sb.Append(" -AllowUnverifiedSource");
            return sb.ToString();
        }

        /// <summary>
        /// Checks these options again right before they are written (they may have been built without <see cref="Create"/>):
        /// the same URI and registry grammars, plain-text schemes allowed. Throws <see cref="DockerfileException"/>
        /// (<see cref="DockerfileErrorIds.UnsafeValue"/>) naming the option.
        /// </summary>
        internal void CheckWritable()
        {
            CheckUri(SourceMirror, SourceUri.DownloadSchemes, "-SourceMirror");
            CheckUri(KeyServer, SourceUri.KeyServerSchemes, "-KeyServer");
            if (BaseImageRegistry != null)
            {
                string? why = InputGrammar.RegistryPrefix.Why(BaseImageRegistry.EndsWith("/", StringComparison.Ordinal) ? BaseImageRegistry.Substring(0, BaseImageRegistry.Length - 1) : BaseImageRegistry);
                if (why != null)
                {
                    throw DockerfileRenderer.Unsafe("-BaseImageRegistry", SourceUri.RedactUserInfo(BaseImageRegistry), why, "the options");
                }
            }
        }

        private static void CheckUri(Uri? uri, string[] schemes, string name)
        {
            if (uri == null)
            {
                return;
            }

            try
            {
                SourceUri.Parse(uri.OriginalString, schemes, true, DockerfileErrorIds.UnsafeValue, DockerfileErrorIds.UnsafeValue, "The " + name + " value");
            }
            catch (InputRejectedException ex)
            {
                throw new DockerfileException(
                    DockerfileErrorIds.UnsafeValue,
                    ex.Message + " It cannot be written into a Dockerfile.",
                    "Pass the option through New-PythonDockerfile's parameters, which accept absolute http(s) and hkp(s) URIs without credentials.",
                    ex)
                {
                    Target = SourceUri.RedactUserInfo(uri.OriginalString),
                };
            }
        }
    }

    /// <summary>A Dockerfile cannot be rendered or written; carries a stable error id and the next step for the user.</summary>
    public sealed class DockerfileException : Exception
    {
        /// <summary>A failure with id <paramref name="errorId"/> (a <see cref="DockerfileErrorIds"/> constant) and what to do next.</summary>
        public DockerfileException(string errorId, string message, string recommendedAction, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            RecommendedAction = recommendedAction;
        }

        /// <summary>The ErrorId ("Dockerfile.Reason").</summary>
        public string ErrorId { get; }

        /// <summary>What to do next.</summary>
        public string RecommendedAction { get; }

        /// <summary>What the error is about when it is not the image (a parameter value, secrets removed); null otherwise.</summary>
        public object? Target { get; set; }
    }
}
