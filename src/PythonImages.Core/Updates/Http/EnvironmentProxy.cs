using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace PythonImages.Updates.Http
{
    /// <summary>
    /// The proxy the environment names, as curl and most tools read it: http_proxy / HTTP_PROXY for http,
    /// https_proxy / HTTPS_PROXY for https (all_proxy / ALL_PROXY as the fallback), no_proxy / NO_PROXY for exceptions
    /// (host names match themselves and their subdomains, '*' matches everything). Loopback is never proxied.
    /// Credentials in a proxy URL are used for the proxy and never shown.
    /// </summary>
    public sealed class EnvironmentProxy : IWebProxy
    {
        private static readonly char[] Colon = { ':' };

        private static readonly char[] ListSeparators = { ',', ' ' };

        private readonly Uri? http;
        private readonly Uri? https;
        private readonly string[] noProxy;

        private EnvironmentProxy(Uri? http, Uri? https, string[] noProxy)
        {
            // the URLs handed out (GetProxy) carry no user info: .NET quotes them in its error messages
            this.http = http == null ? null : WithoutUserInfo(http);
            this.https = https == null ? null : WithoutUserInfo(https);
            this.noProxy = noProxy;
            Credentials = new PerProxyCredentials(
                (this.http, CredentialOf(http)),
                (this.https, CredentialOf(https)));
        }

        /// <summary>
        /// The proxies' credentials (from the proxy URLs): each proxy gets only the ones its own URL carried, so that
        /// a 407 from the other proxy never draws them out.
        /// </summary>
        public ICredentials? Credentials { get; set; }

        /// <summary>The proxy URL without credentials, for messages.</summary>
        public string Describe(Uri destination)
        {
            var p = GetProxy(destination);
            return p == null || IsBypassed(destination) ? "no proxy" : "proxy " + p.GetLeftPart(UriPartial.Authority);
        }

        /// <summary>The proxy the variables name, or null when they name none.</summary>
        public static EnvironmentProxy? FromEnvironment(Func<string, string?>? getVariable = null)
        {
            getVariable ??= Environment.GetEnvironmentVariable;
            string? Get(string name) => NonEmpty(getVariable(name.ToLowerInvariant())) ?? NonEmpty(getVariable(name.ToUpperInvariant()));
            Uri? all = Parse(Get("all_proxy"));
            Uri? http = Parse(Get("http_proxy")) ?? all;
            Uri? https = Parse(Get("https_proxy")) ?? all;
            if (http == null && https == null)
            {
                return null;
            }

            // "*" alone bypasses the proxy for every host; "*.example.org" and ".example.org" mean example.org and its
            // subdomains. An entry with nothing left ("." or "*.") matches no host, as with curl and Go (and docker).
            string[] bypass = (Get("no_proxy") ?? string.Empty)
                .Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries)
                .Select(e => e.Trim().ToLowerInvariant())
                .Select(e => e == "*" ? e : e.TrimStart('*').TrimStart('.'))
                .Where(e => e.Length > 0)
                .ToArray();
            return new EnvironmentProxy(http, https, bypass);
        }

        /// <inheritdoc/>
        public Uri? GetProxy(Uri destination) => destination.Scheme == "https" ? https : http;

        /// <inheritdoc/>
        public bool IsBypassed(Uri host)
        {
            if (host.IsLoopback || GetProxy(host) == null)
            {
                return true;
            }

            string h = host.IdnHost.TrimEnd('.').ToLowerInvariant();
            foreach (string entry in noProxy)
            {
                string e = entry;
                int colon = e.LastIndexOf(':');
                if (colon > 0 && e.IndexOf(']') < colon && !e.Contains("::"))
                {
                    e = e.Substring(0, colon); // a port in the entry: the host part decides
                }

                if (e == "*" || h == e || h.EndsWith("." + e, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        private static Uri WithoutUserInfo(Uri uri) =>
            string.IsNullOrEmpty(uri.UserInfo) ? uri : new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri;

        private static NetworkCredential? CredentialOf(Uri? uri)
        {
            if (uri == null || string.IsNullOrEmpty(uri.UserInfo))
            {
                return null;
            }

            string[] parts = uri.UserInfo.Split(Colon, 2);
            return new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
        }

        private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s!.Trim();

        private static Uri? Parse(string? value)
        {
            if (value == null)
            {
                return null;
            }

            // "proxy:3128" without a scheme means http, as curl reads it.
            string text = value.Contains("://") ? value : "http://" + value;
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https") ? uri : null;
        }

        /// <summary>Credentials answered only for the proxy (scheme, host and port) whose URL carried them.</summary>
        private sealed class PerProxyCredentials : ICredentials
        {
            private readonly (Uri? Proxy, NetworkCredential? Credential)[] entries;

            public PerProxyCredentials(params (Uri? Proxy, NetworkCredential? Credential)[] entries) => this.entries = entries;

            public NetworkCredential? GetCredential(Uri uri, string authType)
            {
                foreach (var (proxy, credential) in entries)
                {
                    if (proxy != null && credential != null
                        && string.Equals(proxy.Scheme, uri.Scheme, StringComparison.OrdinalIgnoreCase)
                        && string.Equals(proxy.IdnHost, uri.IdnHost, StringComparison.OrdinalIgnoreCase)
                        && proxy.Port == uri.Port)
                    {
                        return credential;
                    }
                }

                return null;
            }
        }
    }
}
