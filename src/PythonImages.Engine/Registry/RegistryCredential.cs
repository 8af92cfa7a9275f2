using System;
using PythonImages.Publish;

namespace PythonImages.Engine.Registry
{
    /// <summary>
    /// A login for one registry: a user name with a password, or an identity (refresh) token. The secret is internal and
    /// never part of <see cref="ToString"/>, a message or a result.
    /// </summary>
    public sealed class RegistryCredential
    {
        /// <summary>A user name and password (or token) from <paramref name="source"/> (-Credential, config.json, a helper).</summary>
        public RegistryCredential(string username, string secret, string source, bool isIdentityToken = false)
        {
            Username = username ?? string.Empty;
            Secret = secret ?? string.Empty;
            Source = source;
            IsIdentityToken = isIdentityToken;
        }

        /// <summary>The user name ("&lt;token&gt;" for an identity token from a credential helper).</summary>
        public string Username { get; }

        /// <summary>Where the credential came from (-Credential, the auths of a config.json, docker-credential-NAME).</summary>
        public string Source { get; }

        /// <summary>Whether <see cref="Secret"/> is an identity (OAuth refresh) token rather than a password.</summary>
        public bool IsIdentityToken { get; }

        /// <summary>The password or token. Never shown.</summary>
        internal string Secret { get; }

        /// <summary>The user and the source, never the secret.</summary>
        public override string ToString() => (IsIdentityToken ? "identity token" : Username) + " (" + Source + ")";
    }

    /// <summary>A registry operation that failed, with the ErrorId the module reports it under (a <see cref="PublishErrorIds"/> constant).
    /// The message names the registry and never a secret.</summary>
    public sealed class RegistryException : Exception
    {
        /// <summary>A failure with the id <paramref name="errorId"/>.</summary>
        public RegistryException(string errorId, string message, string? registry = null, string? recommendedAction = null, Exception? inner = null, int statusCode = 0)
            : base(message, inner)
        {
            ErrorId = errorId;
            Registry = registry;
            RecommendedAction = recommendedAction;
            StatusCode = statusCode;
        }

        /// <summary>The ErrorId (Publish.*).</summary>
        public string ErrorId { get; }

        /// <summary>The registry host[:port] concerned, when there is one.</summary>
        public string? Registry { get; }

        /// <summary>A more precise recommended action than the catalogue's, when there is one.</summary>
        public string? RecommendedAction { get; }

        /// <summary>The HTTP status of the registry's answer (0 when there was none).</summary>
        public int StatusCode { get; }
    }
}
