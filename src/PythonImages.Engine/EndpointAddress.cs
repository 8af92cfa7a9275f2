using System;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using PythonImages.Security;

namespace PythonImages.Engine
{
    /// <summary>
    /// A parsed engine address (-DockerHost, DOCKER_HOST, a docker context's host): unix:///path, npipe:////./pipe/name,
    /// tcp://host[:port] (also http/https, and a bare host:port as the docker CLI reads it). Userinfo is accepted but never
    /// kept: it is not sent (the Engine API has no such authentication) and it is masked in <see cref="Display"/>.
    /// </summary>
    public sealed class EndpointAddress
    {
        private static readonly char[] AuthorityEnd = { '/', '?', '#' };

        /// <summary>Longest address accepted.</summary>
        public const int MaxLength = 2048;

        private static Regex? hostName;

        private EndpointAddress(string scheme, string display, string? host, int? port, string? path, bool hadUserInfo)
        {
            Scheme = scheme;
            Display = display;
            HostName = host;
            Port = port;
            Path = path;
            HadUserInfo = hadUserInfo;
        }

        /// <summary>unix, npipe, tcp, http or https.</summary>
        public string Scheme { get; }

        /// <summary>The address as messages show it: normalised, userinfo masked (tcp://***@host:2376).</summary>
        public string Display { get; }

        /// <summary>Host name or IP (IPv6 in brackets) of a network address.</summary>
        public string? HostName { get; }

        /// <summary>The port, when the address names one.</summary>
        public int? Port { get; }

        /// <summary>Socket path (unix) or pipe path (npipe, //./pipe/name).</summary>
        public string? Path { get; }

        /// <summary>Whether the address carried a user name or password (masked in <c>Display</c>).</summary>
        public bool HadUserInfo { get; }

        /// <summary>Whether the endpoint is reached over the network (tcp, http, https).</summary>
        public bool IsNetwork => Scheme == "tcp" || Scheme == "http" || Scheme == "https";

        private static Regex HostNamePattern => hostName ??= new Regex(
            @"\A[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?\z",
            RegexOptions.CultureInvariant);

        /// <summary>The URI for the HTTP layer, without userinfo: tcp becomes http or https with docker's default port.</summary>
        public Uri ToUri(bool tls)
        {
            switch (Scheme)
            {
                case "unix":
                    return new Uri("unix://" + Path);
                case "npipe":
                    return new Uri("npipe://" + Path);
                default:
                    string scheme = Scheme == "tcp" ? (tls ? "https" : "http") : Scheme;
                    int port = Port ?? (Scheme == "http" ? 80 : Scheme == "https" ? 443 : tls ? 2376 : 2375);
                    return new Uri(scheme + "://" + HostName + ":" + port.ToString(CultureInfo.InvariantCulture) + "/");
            }
        }

        /// <inheritdoc/>
        public override string ToString() => Display;

        /// <summary>
        /// Parses <paramref name="text"/>, or throws <see cref="EngineConfigurationException"/> (kind Endpoint) saying what
        /// is wrong with it, in terms of <paramref name="origin"/> ("-DockerHost", "DOCKER_HOST"), never repeating userinfo.
        /// </summary>
        public static EndpointAddress Parse(string? text, string origin, bool isWindows)
        {
            string value = (text ?? string.Empty).Trim();
            string shown = InputGrammar.Show(Redaction.Endpoint(value));
            if (value.Length == 0)
            {
                throw Bad(origin, "is empty");
            }

            if (value.Length > MaxLength)
            {
                throw Bad(origin, $"is {value.Length} characters long; an engine address has at most {MaxLength}");
            }

            int badChar = InputGrammar.FirstNonPrintable(value);
            if (badChar >= 0)
            {
                throw Bad(origin, $"'{shown}' contains the character U+{(int)value[badChar]:X4} at position {badChar + 1}; an engine address is printable ASCII without spaces");
            }

            int sep = value.IndexOf("://", StringComparison.Ordinal);
            string scheme;
            string rest;
            if (sep < 0)
            {
                // The docker CLI reads a bare host:port as tcp://host:port.
                if (value.IndexOf(':') > 0 && value.IndexOf('/') < 0)
                {
                    scheme = "tcp";
                    rest = value;
                }
                else
                {
                    throw Bad(origin, $"'{shown}' is not an engine address");
                }
            }
            else
            {
                scheme = value.Substring(0, sep).ToLowerInvariant();
                rest = value.Substring(sep + 3);
            }

            switch (scheme)
            {
                case "unix":
                    return Unix(rest, origin, shown);
                case "npipe":
                    return NamedPipe(rest, origin, shown, isWindows);
                case "tcp":
                case "http":
                case "https":
                    return Network(scheme, rest, origin, shown);
                case "ssh":
                    throw Bad(origin, $"'{shown}': ssh:// endpoints are not supported; forward the engine socket (ssh -L) and use its unix:// or tcp:// address", hint: false);
                case "":
                    throw Bad(origin, $"'{shown}' has no scheme before '://'");
                default:
                    throw Bad(origin, $"'{shown}': the scheme '{InputGrammar.Show(scheme)}' is not supported; use unix://, npipe:// or tcp://", hint: false);
            }
        }

        private static EndpointAddress Unix(string rest, string origin, string shown)
        {
            if (rest.Length == 0)
            {
                throw Bad(origin, $"'{shown}' names no socket; write the socket's absolute path, e.g. unix:///var/run/docker.sock");
            }

            if (rest[0] != '/')
            {
                throw Bad(origin, $"'{shown}': the socket path must be absolute (three slashes), e.g. unix:///var/run/docker.sock");
            }

            foreach (char c in rest)
            {
                if (c == '?' || c == '#' || c == '%')
                {
                    throw Bad(origin, $"'{shown}': the socket path contains '{c}'; use a path without '?', '#' or '%'");
                }
            }

            if (!Uri.TryCreate("unix://" + rest, UriKind.Absolute, out var uri) || uri.AbsolutePath != rest)
            {
                throw Bad(origin, $"'{shown}': the socket path cannot be used as written; use letters, digits and / . _ - in it");
            }

            return new EndpointAddress("unix", "unix://" + rest, null, null, rest, false);
        }

        private static EndpointAddress NamedPipe(string rest, string origin, string shown, bool isWindows)
        {
            if (!isWindows)
            {
                throw Bad(origin, $"'{shown}': named pipes (npipe://) exist only on Windows; on this system use the engine's unix socket (unix:///var/run/docker.sock) or tcp://host:port");
            }

            int pipe = rest.IndexOf("/pipe/", StringComparison.OrdinalIgnoreCase);
            if (!rest.StartsWith("//", StringComparison.Ordinal) || pipe < 3 || pipe + 6 >= rest.Length || rest.IndexOf('/', pipe + 6) >= 0
                || rest.IndexOf('?') >= 0 || rest.IndexOf('#') >= 0 || rest.IndexOf('%') >= 0)
            {
                throw Bad(origin, $"'{shown}' is not a named pipe address; write npipe:////./pipe/<name>, e.g. npipe:////./pipe/docker_engine");
            }

            if (!Uri.TryCreate("npipe://" + rest, UriKind.Absolute, out _))
            {
                throw Bad(origin, $"'{shown}' is not a named pipe address; write npipe:////./pipe/<name>, e.g. npipe:////./pipe/docker_engine");
            }

            return new EndpointAddress("npipe", "npipe://" + rest, null, null, rest, false);
        }

        private static EndpointAddress Network(string scheme, string rest, string origin, string shown)
        {
            int slash = rest.IndexOfAny(AuthorityEnd);
            string authority = slash < 0 ? rest : rest.Substring(0, slash);
            string tail = slash < 0 ? string.Empty : rest.Substring(slash);
            if (tail.Length > 0 && tail != "/")
            {
                throw Bad(origin, $"'{shown}': a {scheme}:// address is host[:port] only, without a path, query or fragment");
            }

            bool userInfo = false;
            int at = authority.LastIndexOf('@');
            if (at >= 0)
            {
                userInfo = true;
                authority = authority.Substring(at + 1);
            }

            string host;
            string? portText = null;
            if (authority.StartsWith("[", StringComparison.Ordinal))
            {
                int close = authority.IndexOf(']');
                if (close < 0)
                {
                    throw Bad(origin, $"'{shown}': the IPv6 address has no closing ']'");
                }

                host = authority.Substring(0, close + 1);
                string after = authority.Substring(close + 1);
                if (after.Length > 0)
                {
                    if (after[0] != ':')
                    {
                        throw Bad(origin, $"'{shown}': expected ':port' after the IPv6 address");
                    }

                    portText = after.Substring(1);
                }

                if (!IPAddress.TryParse(host.Substring(1, host.Length - 2), out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                {
                    throw Bad(origin, $"'{shown}': '{InputGrammar.Show(host)}' is not an IPv6 address");
                }
            }
            else
            {
                int colon = authority.IndexOf(':');
                host = colon < 0 ? authority : authority.Substring(0, colon);
                portText = colon < 0 ? null : authority.Substring(colon + 1);
                if (host.Length == 0)
                {
                    throw Bad(origin, $"'{shown}' names no host; write {scheme}://host:port, e.g. {scheme}://127.0.0.1:2375");
                }

                if (host.Length > 253 || !HostNamePattern.IsMatch(host))
                {
                    throw Bad(origin, $"'{shown}': '{InputGrammar.Show(host)}' is not a host name or IP address");
                }
            }

            int? port = portText == null ? null : PortOf(portText, origin, shown);

            if (!Uri.TryCreate("http://" + host + "/", UriKind.Absolute, out _))
            {
                throw Bad(origin, $"'{shown}': '{InputGrammar.Show(host)}' is not a host name or IP address");
            }

            string display = scheme + "://" + (userInfo ? Redaction.Mask + "@" : string.Empty) + host + (port.HasValue ? ":" + port.Value.ToString(CultureInfo.InvariantCulture) : string.Empty);
            return new EndpointAddress(scheme, display, host, port, null, userInfo);
        }

        private static int PortOf(string portText, string origin, string shown)
        {
            if (portText.Length == 0)
            {
                throw Bad(origin, $"'{shown}': the port after ':' is missing");
            }

            foreach (char c in portText)
            {
                if (c < '0' || c > '9')
                {
                    throw Bad(origin, $"'{shown}': the port '{InputGrammar.Show(portText)}' is not a number");
                }
            }

            int number = portText.Length > 5 ? int.MaxValue : int.Parse(portText, CultureInfo.InvariantCulture);
            if (number < 1 || number > 65535)
            {
                throw Bad(origin, $"'{shown}': the port {InputGrammar.Show(portText)} is out of range (1-65535)");
            }

            return number;
        }

        private static EngineConfigurationException Bad(string origin, string what, bool hint = true) =>
            new EngineConfigurationException(
                EngineConfigurationKind.Endpoint,
                origin + " " + what + "." + (hint ? " Engine addresses look like unix:///var/run/docker.sock, npipe:////./pipe/docker_engine or tcp://host:2376." : string.Empty));
    }
}
