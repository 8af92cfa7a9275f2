using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace PythonImages.Updates.Http
{
    /// <summary>Transport settings of the updater.</summary>
    public sealed class FetchOptions
    {
        /// <summary>One attempt (headers and body, redirects included).</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Retries after the first attempt, on 5xx/408/429, connection resets and timeouts.</summary>
        public int Retries { get; set; } = 3;

        /// <summary>First backoff delay; doubled per retry, with jitter.</summary>
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Requests in flight at once.</summary>
        public int MaxParallelRequests { get; set; } = 4;

        /// <summary>Allow http:// (and http redirects from an http base): for loopback test servers and mirrors, knowingly.</summary>
        public bool AllowInsecure { get; set; }

        /// <summary>The proxy; default: the environment's (<see cref="EnvironmentProxy"/>).</summary>
        public IWebProxy? Proxy { get; set; } = EnvironmentProxy.FromEnvironment();

        /// <summary>The most redirects followed for one request.</summary>
        public int MaxRedirects { get; set; } = 5;
    }

    /// <summary>Sees the bytes of a hashed body as they stream through; a new one for each attempt.</summary>
    internal abstract class BodyTap
    {
        /// <summary>The next <paramref name="count"/> bytes of the body.</summary>
        internal abstract void Write(byte[] buffer, int count);
    }

    /// <summary>Keeps the first bytes of a hashed body (at most the limit it is made with), the rest only passes through.</summary>
    internal sealed class PrefixTap : BodyTap
    {
        private readonly byte[] kept;
        private int length;

        /// <summary>A tap that keeps the first <paramref name="limit"/> bytes.</summary>
        internal PrefixTap(int limit) => kept = new byte[limit];

        /// <summary>The bytes kept, as sent.</summary>
        internal byte[] Bytes
        {
            get
            {
                var bytes = new byte[length];
                Array.Copy(kept, bytes, length);
                return bytes;
            }
        }

        /// <inheritdoc/>
        internal override void Write(byte[] buffer, int count)
        {
            int n = Math.Min(count, kept.Length - length);
            Array.Copy(buffer, 0, kept, length, n);
            length += n;
        }
    }

    /// <summary>A fetched body: the bytes and the URL that finally answered.</summary>
    public sealed class Fetched
    {
        /// <summary>A fetched body with its final URI and content type.</summary>
        public Fetched(byte[] body, Uri uri, string? contentType)
        {
            Body = body;
            Uri = uri;
            ContentType = contentType;
        }

        /// <summary>The body.</summary>
        public byte[] Body { get; }

        /// <summary>The URI after redirects.</summary>
        public Uri Uri { get; }

        /// <summary>The content type, if sent.</summary>
        public string? ContentType { get; }

        /// <summary>For a hashed body: the tap that saw all of it (the successful attempt's), if one was asked for.</summary>
        internal BodyTap? Tap { get; set; }
    }

    /// <summary>
    /// GETs and HEADs for the updater: per-attempt timeout, retries with exponential backoff and jitter (Polly) on 5xx,
    /// 408, 429, resets and timeouts, a limit on requests in flight, the environment's proxy, a size limit per response
    /// (also after decompression), and redirects followed by hand only to https on the same host (or python.org's and
    /// GitHub's known hand-overs, <see cref="RedirectPolicy"/>).
    /// 404 and 410 mean "not there" (null / false); any other answer is an <see cref="UpdateException"/>.
    /// </summary>
    public sealed class ReleaseHttpClient : IDisposable
    {
        private readonly HttpClient client;
        private readonly HttpClient raw;
        private readonly FetchOptions options;
        private readonly SemaphoreSlim throttle;
        private readonly ResiliencePipeline<Attempt> retries;
        private readonly ResiliencePipeline<Attempt> timeout;

        /// <summary>A client with the retries, time limits and redirect rules of <paramref name="options"/>; <paramref name="log"/> gets a line per request.</summary>
        public ReleaseHttpClient(FetchOptions options, Action<string>? log = null)
        {
            this.options = options;
            Log = log;
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
                UseProxy = options.Proxy != null,
                Proxy = options.Proxy,
                UseCookies = false,
            };
            client = NewClient(handler);

            // A hashed release file is taken as the server sends it: no Accept-Encoding, no transparent decompression.
            raw = NewClient(new HttpClientHandler
            {
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                UseProxy = options.Proxy != null,
                Proxy = options.Proxy,
                UseCookies = false,
            });
            throttle = new SemaphoreSlim(Math.Max(1, options.MaxParallelRequests));
            var builder = new ResiliencePipelineBuilder<Attempt>();
            if (options.Retries > 0)
            {
                // Polly takes 1 or more retries: none means no retry strategy at all
                builder.AddRetry(new RetryStrategyOptions<Attempt>
                {
                    ShouldHandle = new PredicateBuilder<Attempt>()
                        .Handle<HttpRequestException>()
                        .Handle<IOException>()
                        .Handle<TimeoutRejectedException>()
                        .HandleResult(a => a.Status >= 500 || a.Status == 408 || a.Status == 429),
                    MaxRetryAttempts = options.Retries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryDelay,
                    OnRetry = args =>
                    {
                        string why = args.Outcome.Exception != null ? args.Outcome.Exception.GetType().Name : "HTTP " + args.Outcome.Result!.Status;
                        Log?.Invoke($"Retry {args.AttemptNumber + 1} of {args.Context.Properties.GetValue(UriKey, "?")} in {args.RetryDelay.TotalMilliseconds:0} ms ({why})");
                        return default;
                    },
                });
            }

            retries = builder.Build();
            timeout = new ResiliencePipelineBuilder<Attempt>().AddTimeout(options.Timeout).Build();
        }

        private static HttpClient NewClient(HttpClientHandler handler)
        {
            var c = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            c.DefaultRequestHeaders.UserAgent.ParseAdd("PythonImages-Update-PythonMatrix/" + typeof(ReleaseHttpClient).Assembly.GetName().Version);
            return c;
        }

        private static readonly ResiliencePropertyKey<string> UriKey = new ResiliencePropertyKey<string>("uri");

        /// <summary>Verbose messages: each request and retry.</summary>
        public Action<string>? Log { get; set; }

        /// <summary>The body of <paramref name="uri"/>, or null when the server says it does not exist (404, 410).</summary>
        public async Task<Fetched?> GetAsync(Uri uri, long maxBytes, CancellationToken cancellationToken)
        {
            var a = await RunAsync(uri, head: false, maxBytes, cancellationToken).ConfigureAwait(false);
            return a.Status == 200 ? new Fetched(a.Body!, a.FinalUri, a.ContentType) : null;
        }

        /// <summary>
        /// The SHA-256 of the body of <paramref name="uri"/>, read in chunks and never held whole (at most
        /// <paramref name="maxBytes"/> bytes, else <see cref="UpdateErrorIds.ResponseTooLarge"/>), or null when the server
        /// says it does not exist. The time limit is per read: the body may take longer than one request's limit as long
        /// as data keeps arriving. <paramref name="progress"/> gets the bytes read so far and the announced length. The
        /// bytes hashed are those the server sends: no compression is asked for, and an answer with a Content-Encoding
        /// other than identity is <see cref="UpdateErrorIds.EncodedReleaseFile"/>.
        /// </summary>
        public Task<Fetched?> Sha256Async(Uri uri, long maxBytes, Action<long, long?>? progress, CancellationToken cancellationToken) =>
            Sha256Async(uri, maxBytes, progress, null, cancellationToken);

        /// <summary>
        /// As <see cref="Sha256Async(Uri, long, Action{long, long?}?, CancellationToken)"/>; each attempt also passes the
        /// body through a new tap from <paramref name="tap"/>, and the successful attempt's is <see cref="Fetched.Tap"/>.
        /// </summary>
        internal async Task<Fetched?> Sha256Async(Uri uri, long maxBytes, Action<long, long?>? progress, Func<BodyTap>? tap, CancellationToken cancellationToken)
        {
            var a = await RunAsync(uri, head: false, maxBytes, cancellationToken, new Digest(progress, tap)).ConfigureAwait(false);
            return a.Status == 200 ? new Fetched(a.Body!, a.FinalUri, a.ContentType) { Tap = a.Tap } : null;
        }

        /// <summary>Whether <paramref name="uri"/> exists (HEAD).</summary>
        public async Task<bool> ExistsAsync(Uri uri, CancellationToken cancellationToken)
        {
            var a = await RunAsync(uri, head: true, 0, cancellationToken).ConfigureAwait(false);
            return a.Status == 200;
        }

        private async Task<Attempt> RunAsync(Uri uri, bool head, long maxBytes, CancellationToken cancellationToken, Digest? digest = null)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(UriKey, RedirectPolicy.Show(uri));
            Outcome<Attempt> outcome;
            try
            {
                outcome = await retries.ExecuteOutcomeAsync(
                    (ctx, state) => SlotAttemptAsync(state, head, maxBytes, digest, ctx.CancellationToken, cancellationToken),
                    context,
                    uri).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (outcome.Exception != null)
            {
                throw outcome.Exception switch
                {
                    UpdateException u => u,
                    TimeoutRejectedException _ => new UpdateException(UpdateErrorIds.Timeout, $"{RedirectPolicy.Show(uri)} did not answer within {options.Timeout.TotalSeconds:0.#} s ({options.Retries + 1} attempts).",
                        "Check the network and proxy (https_proxy, no_proxy), or raise -TimeoutSec, then run the command again.", uri.AbsoluteUri, outcome.Exception),
                    OperationCanceledException _ => new UpdateException(UpdateErrorIds.Timeout, $"{RedirectPolicy.Show(uri)} did not answer within {options.Timeout.TotalSeconds:0.#} s.",
                        "Check the network and proxy (https_proxy, no_proxy), or raise -TimeoutSec, then run the command again.", uri.AbsoluteUri, outcome.Exception),
                    _ => new UpdateException(UpdateErrorIds.ConnectionFailed, $"{RedirectPolicy.Show(uri)} could not be fetched ({options.Retries + 1} attempts): {Innermost(outcome.Exception).Message}",
                        "Check the network and proxy settings (https_proxy, http_proxy, no_proxy), then run the command again.", uri.AbsoluteUri, outcome.Exception),
                };
            }

            var a = outcome.Result!;
            if (a.Status == 200 || a.Status == 404 || a.Status == 410)
            {
                return a;
            }

            if (head && a.Status == 405)
            {
                // no HEAD here: a GET whose body is never read (maxBytes < 0) answers the same question
                return await RunAsync(uri, head: false, -1, cancellationToken).ConfigureAwait(false);
            }

            // the address the server answered from (perhaps after its redirects): shown escaped, without query or fragment
            throw new UpdateException(
                UpdateErrorIds.HttpError,
                $"{RedirectPolicy.Show(a.FinalUri)} answered HTTP {a.Status}" + (a.Status >= 500 ? $" after {options.Retries + 1} attempts." : "."),
                a.Status >= 500 ? "The server has trouble: run the command again later." : "Check the base URIs (-PythonOrgUri, -CPythonSourceUri, -PyPIUri) and the proxy settings.",
                RedirectPolicy.Show(a.FinalUri),
                category: a.Status >= 500 ? FailureCategory.ResourceUnavailable : FailureCategory.InvalidOperation);
        }

        /// <summary>One attempt: waits for a free slot (untimed), then runs the request within the per-attempt timeout.</summary>
        private async ValueTask<Outcome<Attempt>> SlotAttemptAsync(Uri uri, bool head, long maxBytes, Digest? digest, CancellationToken retryToken, CancellationToken callerToken)
        {
            // waiting for a free slot is not part of the attempt: only the request itself is timed
            try
            {
                await throttle.WaitAsync(retryToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex)
            {
                return Outcome.FromException<Attempt>(ex);
            }

            var attempt = ResilienceContextPool.Shared.Get(retryToken);
            try
            {
                if (digest != null)
                {
                    return await IdleTimedAttemptAsync(uri, maxBytes, digest, retryToken, callerToken).ConfigureAwait(false);
                }

                return await timeout.ExecuteOutcomeAsync(
                    async (ctx, state) =>
                    {
                        try
                        {
                            return Outcome.FromResult(await AttemptAsync(state, head, maxBytes, null, ctx.CancellationToken).ConfigureAwait(false));
                        }
                        catch (Exception ex) when (!(ex is OperationCanceledException) || !callerToken.IsCancellationRequested)
                        {
                            return Outcome.FromException<Attempt>(ex);
                        }
                    },
                    attempt,
                    uri).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(attempt);
                throttle.Release();
            }
        }

        /// <summary>A digest attempt: times out when no data arrives for the per-request limit (the whole body may take longer).</summary>
        private async Task<Outcome<Attempt>> IdleTimedAttemptAsync(Uri uri, long maxBytes, Digest digest, CancellationToken retryToken, CancellationToken callerToken)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(retryToken);
            idle.CancelAfter(options.Timeout);
            var reading = new Digest(
                (read, total) =>
                {
                    idle.CancelAfter(options.Timeout);
                    digest.Progress?.Invoke(read, total);
                },
                digest.NewTap);
            try
            {
                return Outcome.FromResult(await AttemptAsync(uri, false, maxBytes, reading, idle.Token).ConfigureAwait(false));
            }
            catch (Exception) when (idle.IsCancellationRequested && !retryToken.IsCancellationRequested)
            {
                return Outcome.FromException<Attempt>(new TimeoutRejectedException($"no data for {options.Timeout.TotalSeconds:0.#} s"));
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) || !callerToken.IsCancellationRequested)
            {
                return Outcome.FromException<Attempt>(ex);
            }
        }

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null)
            {
                ex = ex.InnerException;
            }

            return ex;
        }

        private async Task<Attempt> AttemptAsync(Uri uri, bool head, long maxBytes, Digest? digest, CancellationToken ct)
        {
            try
            {
                var current = uri;
                for (int hop = 0; ; hop++)
                {
                    using var request = new HttpRequestMessage(head ? HttpMethod.Head : HttpMethod.Get, current);
                    using var response = await (digest != null ? raw : client).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                    int status = (int)response.StatusCode;
                    Log?.Invoke($"{request.Method} {RedirectPolicy.Show(current)} -> {status}");
                    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308)
                    {
                        var location = response.Headers.Location;
                        if (location == null)
                        {
                            throw RedirectRefused(current, null, "the redirect has no Location");
                        }

                        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                        string? why = RedirectPolicy.Refusal(current, next, options.AllowInsecure);
                        if (why != null)
                        {
                            throw RedirectRefused(current, next, why);
                        }

                        if (hop >= options.MaxRedirects)
                        {
                            throw RedirectRefused(current, next, $"more than {options.MaxRedirects} redirects");
                        }

                        current = next;
                        continue;
                    }

                    if (status != 200 || head || maxBytes < 0)
                    {
                        return new Attempt(status, null, current, null);
                    }

                    long? declared = response.Content.Headers.ContentLength;
                    if (declared > maxBytes)
                    {
                        throw TooLarge(current, maxBytes, declared.Value);
                    }

                    if (digest != null)
                    {
                        RequireIdentity(response, current);
                    }

                    using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    using var abort = ct.Register(() => response.Dispose()); // stream reads that ignore the token (.NET Framework)
                    var (body, tap) = await ReadBodyAsync(stream, current, maxBytes, declared, digest, ct).ConfigureAwait(false);
                    return new Attempt(200, body, current, response.Content.Headers.ContentType?.MediaType) { Tap = tap };
                }
            }
            catch (ObjectDisposedException) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }
        }

        /// <summary>
        /// The body (or, with <paramref name="digest"/>, its SHA-256, the body never held whole, and the digest's new tap
        /// that saw it all), at most <paramref name="maxBytes"/>.
        /// </summary>
        private static async Task<(byte[] Body, BodyTap? Tap)> ReadBodyAsync(Stream stream, Uri current, long maxBytes, long? declared, Digest? digest, CancellationToken ct)
        {
            using var hash = digest != null ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
            var buffer = digest == null ? new MemoryStream() : null;
            var tap = digest?.NewTap?.Invoke();
            var chunk = new byte[digest == null ? 16384 : 81920];
            long read = 0;
            while (true)
            {
                int n = await stream.ReadAsync(chunk, 0, chunk.Length, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    return hash != null ? (hash.GetHashAndReset(), tap) : (buffer!.ToArray(), null);
                }

                if (read + n > maxBytes)
                {
                    throw TooLarge(current, maxBytes, null);
                }

                read += n;
                hash?.AppendData(chunk, 0, n);
                buffer?.Write(chunk, 0, n);
                tap?.Write(chunk, n);
                digest?.Progress?.Invoke(read, declared);
            }
        }

        /// <summary>A hashed file must come as the server stores it: a compressed answer would be hashed after decoding.</summary>
        private static void RequireIdentity(HttpResponseMessage response, Uri current)
        {
            foreach (string coding in response.Content.Headers.ContentEncoding)
            {
                if (!string.Equals(coding, "identity", StringComparison.OrdinalIgnoreCase))
                {
                    throw new UpdateException(
                        UpdateErrorIds.EncodedReleaseFile,
                        $"{RedirectPolicy.Show(current)} was sent with Content-Encoding '{Security.InputGrammar.Show(coding)}', although none was asked for: a release file is checked as the bytes python.org serves, so it was not used.",
                        "Fetch the release files without a proxy or mirror that compresses downloads (check https_proxy and -PythonOrgUri), then run the command again.",
                        RedirectPolicy.Show(current));
                }
            }
        }

        private static UpdateException TooLarge(Uri uri, long max, long? declared) => new UpdateException(
            UpdateErrorIds.ResponseTooLarge,
            $"{RedirectPolicy.Show(uri)} sent more than {max} bytes" + (declared.HasValue ? $" (it announced {declared.Value})" : string.Empty) + "; nothing of it was used.",
            "Check that the base URIs point at python.org, GitHub and PyPI or faithful mirrors of them.",
            RedirectPolicy.Show(uri));

        private static UpdateException RedirectRefused(Uri from, Uri? to, string why) => new UpdateException(
            UpdateErrorIds.RedirectRefused,
            $"{RedirectPolicy.Show(from)} redirected to {(to == null ? "(nothing)" : RedirectPolicy.Show(to))}, which is not followed: {why}.",
            "Point the base URI at the server that holds the files (redirects are only followed to https on the same host, or between python.org and www.python.org, or from github.com to raw.githubusercontent.com).",
            RedirectPolicy.Show(from));

        /// <inheritdoc/>
        public void Dispose()
        {
            client.Dispose();
            raw.Dispose();
            throttle.Dispose();
        }

        /// <summary>Marks a request whose body is hashed, not kept; gets the bytes read so far and the announced length.</summary>
        private sealed class Digest
        {
            public Digest(Action<long, long?>? progress, Func<BodyTap>? newTap = null)
            {
                Progress = progress;
                NewTap = newTap;
            }

            public Action<long, long?>? Progress { get; }

            /// <summary>Makes the tap of one attempt (null: none).</summary>
            public Func<BodyTap>? NewTap { get; }
        }

        private sealed class Attempt
        {
            public Attempt(int status, byte[]? body, Uri finalUri, string? contentType)
            {
                Status = status;
                Body = body;
                FinalUri = finalUri;
                ContentType = contentType;
            }

            public int Status { get; }
            public byte[]? Body { get; }
            public Uri FinalUri { get; }
            public string? ContentType { get; }
            public BodyTap? Tap { get; set; }
        }
    }

    /// <summary>Which redirects the updater follows.</summary>
    public static class RedirectPolicy
    {
        /// <summary>Null when <paramref name="to"/> may be followed from <paramref name="from"/>; otherwise why not.</summary>
        public static string? Refusal(Uri from, Uri to, bool allowInsecure)
        {
            if (!string.IsNullOrEmpty(to.UserInfo))
            {
                return "the target carries credentials";
            }

            bool secure = to.Scheme == "https";
            bool insecureAllowed = to.Scheme == "http" && from.Scheme == "http" && allowInsecure;
            if (!secure && !insecureAllowed)
            {
                return from.Scheme == "https" && to.Scheme == "http" ? "it leaves https for plain http" : $"the scheme '{to.Scheme}' is not https";
            }

            if (!SameSite(from.IdnHost, to.IdnHost))
            {
                return $"{to.Host} is neither {from.Host} nor a host it is known to hand over to";
            }

            return null;
        }

        /// <summary>A URI for messages: scheme, host, port and path, never user info, query or fragment.</summary>
        public static string Show(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

        /// <summary>
        /// Whether a redirect from host <paramref name="from"/> to host <paramref name="to"/> stays with the same site:
        /// the same host (an IP address only itself), or one of the few hand-overs the real servers make.
        /// </summary>
        public static bool SameSite(string from, string to)
        {
            string f = Normalize(from);
            string t = Normalize(to);
            if (string.Equals(f, t, StringComparison.Ordinal))
            {
                return true;
            }

            foreach (var (a, b) in KnownHandOvers)
            {
                if (f == a && t == b)
                {
                    return true;
                }
            }

            return false;
        }

        // python.org's two names redirect to each other; GitHub's raw/ URLs answer with a redirect to its content host
        private static readonly (string From, string To)[] KnownHandOvers =
        {
            ("python.org", "www.python.org"),
            ("www.python.org", "python.org"),
            ("github.com", "raw.githubusercontent.com"),
        };

        private static string Normalize(string host) => host.TrimEnd('.').Trim('[', ']').ToLowerInvariant();
    }
}
