using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>
    /// A small registry with a token server on loopback (plain HTTP): /v2/ answers 401 with a Bearer challenge whose realm
    /// is this server's /token; /token hands out a token for Basic user:password (GET) or an identity (refresh) token
    /// (POST, the OAuth form); manifests are stored in memory. Every request is recorded (never the secrets in a message).
    /// Failures can be queued: a status to answer, or a connection reset. With <c>hubScopes</c> it checks scopes as Docker
    /// Hub does: a challenge names the scope of the refused request (pull for a read, pull,push for a write), a token
    /// allows only the scopes it was issued for, and the token server refuses a pull-only token for a repository that
    /// does not exist yet (has no manifest).
    /// </summary>
    internal sealed class LoopbackRegistry : IDisposable
    {
        public const string User = "h13-user";
        public const string Password = "h13-password-9f8e7d";
        public const string IdentityToken = "h13-identity-token-1a2b3c";

        private readonly HttpListener listener = new HttpListener();
        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly ConcurrentDictionary<string, (string Type, byte[] Body)> manifests = new ConcurrentDictionary<string, (string, byte[])>();
        private readonly ConcurrentQueue<int> failures = new ConcurrentQueue<int>();
        private readonly ConcurrentDictionary<string, byte[]> blobs = new ConcurrentDictionary<string, byte[]>();
        private readonly ConcurrentDictionary<string, string> granted = new ConcurrentDictionary<string, string>();
        private readonly bool hubScopes;
        private readonly Task loop;
        private int issued;

        public LoopbackRegistry(bool hubScopes = false)
        {
            this.hubScopes = hubScopes;
            Port = PythonImages.Tests.LoopbackHttp.StartOnFreePort(listener);
            loop = Task.Run(LoopAsync);
        }

        public int Port { get; }

        public string Host => "127.0.0.1:" + Port;

        public ConcurrentQueue<string> Requests { get; } = new ConcurrentQueue<string>();

        public ConcurrentQueue<string> Authorizations { get; } = new ConcurrentQueue<string>();

        /// <summary>The scope of every token request (empty when it named none), in order.</summary>
        public ConcurrentQueue<string> TokenScopes { get; } = new ConcurrentQueue<string>();

        /// <summary>Stores a manifest as a push would (under its tag and its digest), without a request.</summary>
        public void StoreManifest(string repository, string tag, string mediaType, byte[] body)
        {
            manifests[repository + "/manifests/" + tag] = (mediaType, body);
            manifests[repository + "/manifests/" + PythonImages.Engine.Registry.RegistryClient.Digest(body)] = (mediaType, body);
        }

        /// <summary>Stores a blob (an image config) as a push would, without a request.</summary>
        public void StoreBlob(string repository, byte[] body) => blobs[repository + "/blobs/" + PythonImages.Engine.Registry.RegistryClient.Digest(body)] = body;

        /// <summary>The next requests to /v2/&lt;name&gt;/... fail: an HTTP status, or 0 for a connection reset.</summary>
        public void FailNext(params int[] statuses)
        {
            foreach (var s in statuses)
            {
                failures.Enqueue(s);
            }
        }

        private async Task LoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    return;
                }

                try
                {
                    Handle(ctx);
                }
                catch (Exception)
                {
                    try
                    {
                        ctx.Response.Abort();
                    }
                    catch (Exception)
                    {
                    }
                }
            }
        }

        private void Handle(HttpListenerContext ctx)
        {
            var req = ctx.Request;
            string path = req.Url!.AbsolutePath;
            Requests.Enqueue(req.HttpMethod + " " + path);
            string auth = req.Headers["Authorization"] ?? string.Empty;
            Authorizations.Enqueue(auth);
            var res = ctx.Response;

            if (path == "/token")
            {
                Token(req, res, auth);
                return;
            }

            if (!path.StartsWith("/v2/", StringComparison.Ordinal))
            {
                Send(res, 404, "text/plain", "no");
                return;
            }

            if (path != "/v2/" && failures.TryDequeue(out int failure))
            {
                if (failure == 0)
                {
                    res.Abort();
                    return;
                }

                Send(res, failure, "application/json", "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"try later\"}]}");
                return;
            }

            string? needed = hubScopes && path != "/v2/" ? "repository:" + RepositoryOf(path) + (req.HttpMethod == "GET" || req.HttpMethod == "HEAD" ? ":pull" : ":pull,push") : null;
            if (!auth.StartsWith("Bearer bearer-", StringComparison.Ordinal) || (needed != null && !Allows(auth.Substring(7), needed)))
            {
                res.Headers["WWW-Authenticate"] = $"Bearer realm=\"http://127.0.0.1:{Port}/token\",service=\"h13-test\"" + (path == "/v2/" ? string.Empty : $",scope=\"{needed ?? "repository:x:pull,push"}\"");
                Send(res, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                return;
            }

            if (path == "/v2/")
            {
                Send(res, 200, "application/json", "{}");
                return;
            }

            int m = path.IndexOf("/manifests/", StringComparison.Ordinal);
            if (m > 0)
            {
                string key = path.Substring(4);
                if (req.HttpMethod == "PUT")
                {
                    using var body = new MemoryStream();
                    req.InputStream.CopyTo(body);
                    manifests[key] = (req.ContentType ?? string.Empty, body.ToArray());
                    var digest = PythonImages.Engine.Registry.RegistryClient.Digest(body.ToArray());
                    manifests[string.Concat(path.AsSpan(4, m - 4 + 11), digest)] = manifests[key];
                    res.Headers["Docker-Content-Digest"] = digest;
                    Send(res, 201, "text/plain", string.Empty);
                    return;
                }

                if (manifests.TryGetValue(key, out var stored))
                {
                    res.StatusCode = 200;
                    res.ContentType = stored.Type;
                    res.OutputStream.Write(stored.Body, 0, stored.Body.Length);
                    res.Close();
                    return;
                }

                Send(res, 404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
                return;
            }

            if (path.Contains("/blobs/", StringComparison.Ordinal) && blobs.TryGetValue(path.Substring(4), out var blob))
            {
                res.StatusCode = 200;
                res.ContentType = "application/octet-stream";
                res.OutputStream.Write(blob, 0, blob.Length);
                res.Close();
                return;
            }

            Send(res, 404, "text/plain", "no");
        }

        /// <summary>
        /// The token server: a token for the Basic login (GET) or the identity token (POST form). With hubScopes it
        /// refuses a pull-only scope for a repository without a manifest, and remembers what each token allows.
        /// </summary>
        private void Token(HttpListenerRequest req, HttpListenerResponse res, string auth)
        {
            string? form = req.HttpMethod == "POST" ? new StreamReader(req.InputStream).ReadToEnd() : null;
            string scope = form != null
                ? string.Join(" ", form.Split('&').Where(p => p.StartsWith("scope=", StringComparison.Ordinal)).Select(p => Uri.UnescapeDataString(p[6..])))
                : string.Join(" ", req.QueryString.GetValues("scope") ?? Array.Empty<string>());
            TokenScopes.Enqueue(scope);
            bool login = (req.HttpMethod == "GET" && auth == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Password)))
                || (form != null && form.Contains("grant_type=refresh_token", StringComparison.Ordinal) && form.Contains("refresh_token=" + IdentityToken, StringComparison.Ordinal));
            if (!login || (hubScopes && scope.Split(' ').Any(PullOnlyForANewRepository)))
            {
                Send(res, 401, "application/json", "{\"details\":\"" + (login ? "access to the requested resource is not authorized" : "bad login") + "\"}");
                return;
            }

            string token = "bearer-" + Interlocked.Increment(ref issued);
            granted[token] = scope;
            Send(res, 200, "application/json", "{\"" + (form != null ? "access_token" : "token") + "\":\"" + token + "\"}");
        }

        private bool PullOnlyForANewRepository(string scope)
        {
            string[] parts = scope.Split(':');
            return parts.Length == 3 && parts[0] == "repository" && parts[2] == "pull"
                && !manifests.Keys.Any(k => k.StartsWith(parts[1] + "/manifests/", StringComparison.Ordinal));
        }

        /// <summary>Whether <paramref name="token"/> was issued for <paramref name="needed"/> (pull,push covers pull).</summary>
        private bool Allows(string token, string needed) =>
            granted.TryGetValue(token, out var scopes) && scopes.Split(' ').Any(s => s == needed || s == needed.Replace(":pull", ":pull,push", StringComparison.Ordinal));

        /// <summary>The repository of /v2/&lt;name&gt;/manifests/... or /v2/&lt;name&gt;/blobs/...</summary>
        private static string RepositoryOf(string path)
        {
            int end = path.IndexOf("/manifests/", StringComparison.Ordinal);
            end = end > 0 ? end : path.IndexOf("/blobs/", StringComparison.Ordinal);
            return end > 4 ? path.Substring(4, end - 4) : path.Substring(4).TrimEnd('/');
        }

        private static void Send(HttpListenerResponse res, int status, string type, string body)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            res.StatusCode = status;
            res.ContentType = type;
            res.ContentLength64 = bytes.Length;
            res.OutputStream.Write(bytes, 0, bytes.Length);
            res.Close();
        }

        public void Dispose()
        {
            stop.Cancel();
            // Close alone: Stop first would make Close remove the listener a second time, which binds its port again
            // (.NET's managed HttpListener) and fails when another test has taken that port meanwhile.
            listener.Close();
            try
            {
                loop.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }

            stop.Dispose();
        }
    }
}
