using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using PythonImages.Publish;
using PythonImages.Security;

namespace PythonImages.Engine.Registry
{
    /// <summary>How to reach and log in to a registry.</summary>
    public sealed class RegistryClientOptions
    {
        /// <summary>The login (null: anonymous; a challenge then fails with <see cref="PublishErrorIds.AuthenticationFailed"/>).</summary>
        public RegistryCredential? Credential { get; set; }

        /// <summary>A folder with ca.crt (and client.cert + client.key) for this registry, instead of the certs.d folder.</summary>
        public string? CertificatePath { get; set; }

        /// <summary>The docker CLI's per-registry certificate folders (default /etc/docker/certs.d, %ProgramData%\docker\certs.d on Windows).</summary>
        public string? CertsDirectory { get; set; }

        /// <summary>Allow plain HTTP (and fall back to it) for a registry that is not on loopback.</summary>
        public bool AllowInsecure { get; set; }

        /// <summary>Retries of a request after a connection failure, a reset or a 5xx/429 answer.</summary>
        public int Retries { get; set; } = 4;

        /// <summary>The first retry's delay (exponential backoff with jitter after it).</summary>
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

        /// <summary>How long one request may take.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>Verbose lines (requests retried, the scheme chosen); never a secret.</summary>
        public Action<string>? Log { get; set; }
    }

    /// <summary>A manifest (or index) as the registry stores it.</summary>
    public sealed class ManifestInfo
    {
        /// <summary>The annotation that marks an index entry as an attestation (buildx provenance, SBOM).</summary>
        public const string ReferenceTypeAnnotation = "vnd.docker.reference.type";

        /// <summary>The annotation naming the manifest an attestation is about.</summary>
        public const string ReferenceDigestAnnotation = "vnd.docker.reference.digest";

        internal ManifestInfo(string mediaType, string digest, byte[] content, string? name = null)
        {
            MediaType = mediaType;
            Digest = digest;
            Content = content;
            Name = name ?? digest;
        }

        /// <summary>Its media type.</summary>
        public string MediaType { get; }

        /// <summary>sha256 of its bytes.</summary>
        public string Digest { get; }

        /// <summary>Its size in bytes.</summary>
        public long Size => Content.Length;

        /// <summary>Its bytes.</summary>
        public byte[] Content { get; }

        /// <summary>Which manifest it is, for messages: registry/repository:reference.</summary>
        public string Name { get; }

        /// <summary>The config digest of an image manifest (null for an index); a <see cref="RegistryException"/> when the manifest is not JSON.</summary>
        public string? ConfigDigest
        {
            get
            {
                using var doc = Parse();
                return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object
                    && c.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            }
        }

        /// <summary>
        /// The manifests an index lists, with their platforms (empty for an image manifest). Attestation entries
        /// (<see cref="ReferenceTypeAnnotation"/>) are listed too (unknown/unknown when they name no platform); other
        /// entries without a platform are left out. Every value is checked: a <see cref="RegistryException"/> says which is not accepted.
        /// </summary>
        public IReadOnlyList<IndexEntry> IndexEntries()
        {
            var list = new List<IndexEntry>();
            using var doc = Parse();
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
            {
                return list;
            }

            int number = 0;
            foreach (var m in manifests.EnumerateArray())
            {
                number++;
                if (m.ValueKind != JsonValueKind.Object)
                {
                    throw Refused($"its entry {number} is not an object");
                }

                var annotations = new List<KeyValuePair<string, string>>();
                if (m.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
                {
                    foreach (var pair in a.EnumerateObject())
                    {
                        string value = pair.Value.ValueKind == JsonValueKind.String ? pair.Value.GetString() ?? string.Empty : throw Refused($"the annotation '{InputGrammar.Show(pair.Name)}' of its entry {number} is not a string");
                        Check(RegistryGrammar.AnnotationKey, pair.Name, $"an annotation key of its entry {number}");
                        if (value.Length > 0)
                        {
                            Check(RegistryGrammar.AnnotationValue, value, $"the annotation {pair.Name} of its entry {number}");
                        }

                        annotations.Add(new KeyValuePair<string, string>(pair.Name, value));
                    }
                }

                bool attestation = annotations.Any(p => p.Key == ReferenceTypeAnnotation && p.Value == "attestation-manifest");
                bool hasPlatform = m.TryGetProperty("platform", out var p) && p.ValueKind == JsonValueKind.Object;
                if (!hasPlatform && !attestation)
                {
                    continue;
                }

                string digest = Check(LedgerGrammar.Digest, S(m, "digest"), $"the digest of its entry {number}");
                string mediaType = S(m, "mediaType") is { } type ? Check(RegistryGrammar.MediaType, type, $"the media type of its entry {number}") : MediaTypes.DockerManifest;
                long size = m.TryGetProperty("size", out var z) && z.ValueKind == JsonValueKind.Number && z.TryGetInt64(out long n) && n >= 0 ? n : 0;
                var platform = hasPlatform
                    ? new ImagePlatform(
                        Check(RegistryGrammar.PlatformField, S(p, "os"), $"the os of its entry {number}"),
                        Check(RegistryGrammar.PlatformField, S(p, "architecture"), $"the architecture of its entry {number}"),
                        Optional(S(p, "variant"), $"the variant of its entry {number}"),
                        Optional(S(p, "os.version"), $"the os.version of its entry {number}"))
                    : new ImagePlatform("unknown", "unknown");
                list.Add(new IndexEntry(digest, mediaType, size, platform, digest, annotations));
            }

            return list;

            static string? S(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

            string? Optional(string? value, string what) => string.IsNullOrEmpty(value) ? null : Check(RegistryGrammar.PlatformField, value, what);
        }

        private string Check(Grammar grammar, string? value, string what)
        {
            string? why = grammar.Why(value);
            if (why != null)
            {
                throw Refused($"{what} '{InputGrammar.Show(value)}' is not accepted: {why}");
            }

            return value!;
        }

        private RegistryException Refused(string why) =>
            new RegistryException(PublishErrorIds.RegistryError, $"The manifest {Name} that the registry sent cannot be used: {why}.");

        private JsonDocument Parse()
        {
            try
            {
                return JsonDocument.Parse(Content);
            }
            catch (JsonException ex)
            {
                throw new RegistryException(PublishErrorIds.RegistryError, $"The registry answered {Name} with something that is not JSON ({InputGrammar.Show(MediaType)}, {Content.Length} bytes): a proxy's page, or not a registry.", inner: ex);
            }
        }
    }

    /// <summary>
    /// A client of one registry's distribution API (v2): manifests GET/HEAD/PUT and blobs GET, with the docker CLI's
    /// login (Basic, or Bearer tokens from the challenge's realm), TLS (certs.d or -CertificatePath; plain HTTP only on
    /// loopback or when allowed) and retries with backoff on connection failures and 5xx answers.
    /// </summary>
    public sealed class RegistryClient : IDisposable
    {
        private const long MaxBody = 8 * 1024 * 1024;

        private static readonly ResiliencePropertyKey<string> WhatKey = new ResiliencePropertyKey<string>("what");

        private readonly HttpClient http;
        private readonly RegistryClientOptions options;
        private readonly ResiliencePipeline<Answer> pipeline;
        private readonly List<X509Certificate2> authorities = new List<X509Certificate2>();
        private readonly X509Certificate2? clientCertificate;
        private readonly ConcurrentDictionary<string, string> tokens = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        private readonly SemaphoreSlim schemeGate = new SemaphoreSlim(1, 1);
        private volatile bool basic;
        private string? scheme;
        private int certificateRejected;
        private SslPolicyErrors rejectedBecause;

        private RegistryClient(string registry, RegistryClientOptions options)
        {
            Registry = registry;
            this.options = options;
            string? folder = options.CertificatePath ?? CertsFolder(registry, options.CertsDirectory);
            if (options.CertificatePath != null && !Directory.Exists(options.CertificatePath))
            {
                throw new RegistryException(PublishErrorIds.InvalidCertificate, $"-CertificatePath '{options.CertificatePath}' is not an existing folder.", registry);
            }

            if (folder != null && Directory.Exists(folder))
            {
                foreach (var file in Directory.GetFiles(folder, "*.crt").OrderBy(f => f, StringComparer.Ordinal))
                {
                    try
                    {
                        authorities.AddRange(ReadCertificates(file));
                    }
                    catch (Exception ex) when (ex is CryptographicException || ex is FormatException || ex is IOException || ex is UnauthorizedAccessException)
                    {
                        throw new RegistryException(PublishErrorIds.InvalidCertificate, $"The CA certificate {file} cannot be read: {ex.Message.Trim()}", registry, inner: ex);
                    }
                }

                string cert = Path.Combine(folder, "client.cert");
                string key = Path.Combine(folder, "client.key");
                if (File.Exists(cert) != File.Exists(key))
                {
                    throw new RegistryException(PublishErrorIds.InvalidCertificate, $"{folder} has only one of client.cert and client.key; a client certificate needs both.", registry);
                }

                if (File.Exists(cert))
                {
                    try
                    {
                        clientCertificate = TlsAuthProvider.LoadPem(cert, key);
                    }
                    catch (EngineConfigurationException ex)
                    {
                        throw new RegistryException(PublishErrorIds.InvalidCertificate, ex.Message, registry, inner: ex);
                    }
                }
            }

            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,
                ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) => Validate(certificate, errors),
            };
            if (clientCertificate != null)
            {
                handler.ClientCertificateOptions = ClientCertificateOption.Manual;
                handler.ClientCertificates.Add(clientCertificate);
            }

            http = new HttpClient(handler) { Timeout = options.RequestTimeout };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("PythonImages-Publish/" + typeof(RegistryClient).Assembly.GetName().Version);
            pipeline = RetryPipeline();
        }

        /// <summary>
        /// The retries of every request: on a transport failure, a timeout that the caller did not ask for, a 5xx or a 429,
        /// with exponential backoff and jitter. Retries = 0 means none: Polly's retry strategy refuses MaxRetryAttempts = 0,
        /// so it is left out then.
        /// </summary>
        private ResiliencePipeline<Answer> RetryPipeline()
        {
            var builder = new ResiliencePipelineBuilder<Answer>();
            if (options.Retries > 0)
            {
                builder.AddRetry(new RetryStrategyOptions<Answer>
                {
                    ShouldHandle = args => new ValueTask<bool>(
                        args.Outcome.Exception is HttpRequestException || args.Outcome.Exception is IOException
                        || (args.Outcome.Exception is TaskCanceledException && !args.Context.CancellationToken.IsCancellationRequested)
                        || (args.Outcome.Result != null && (args.Outcome.Result.Status >= 500 || args.Outcome.Result.Status == 429))),
                    MaxRetryAttempts = options.Retries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryDelay,
                    OnRetry = args =>
                    {
                        string why = args.Outcome.Exception != null ? args.Outcome.Exception.GetType().Name : "HTTP " + args.Outcome.Result!.Status;
                        options.Log?.Invoke($"{Registry}: retry {args.AttemptNumber + 1} of {args.Context.Properties.GetValue(WhatKey, "?")} in {args.RetryDelay.TotalMilliseconds:0} ms ({why}).");
                        return default;
                    },
                });
            }

            return builder.Build();
        }

        /// <summary>The registry host[:port].</summary>
        public string Registry { get; }

        /// <summary>https or http, once the first request chose it.</summary>
        public string? Scheme => scheme;

        /// <summary>A client of <paramref name="registry"/> (host[:port]); its certificates are read now, nothing is contacted.</summary>
        public static RegistryClient Create(string registry, RegistryClientOptions? options = null)
        {
            if (InputGrammar.RegistryHost.Why(registry) is { } why)
            {
                throw new RegistryException(PublishErrorIds.InvalidRegistry, $"The registry '{InputGrammar.Show(registry)}' is not accepted: {why}.", null);
            }

            return new RegistryClient(registry, options ?? new RegistryClientOptions());
        }

        /// <summary>Whether the host of <paramref name="registry"/> is a loopback address (localhost, 127.0.0.0/8, ::1).</summary>
        public static bool IsLoopback(string registry)
        {
            string host = registry;
            if (host.StartsWith("[", StringComparison.Ordinal))
            {
                int end = host.IndexOf(']');
                host = end > 0 ? host.Substring(1, end - 1) : host;
            }
            else
            {
                int colon = host.LastIndexOf(':');
                if (colon >= 0 && host.IndexOf(':') == colon)
                {
                    host = host.Substring(0, colon);
                }
            }

            return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
        }

        private static string? CertsFolder(string registry, string? root)
        {
            string dir = root ?? (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "docker", "certs.d")
                : "/etc/docker/certs.d");
            try
            {
                return Path.Combine(dir, registry);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        /// <summary>
        /// Every certificate of a CA file, as docker reads it: each PEM CERTIFICATE block of a bundle, or the file as one DER
        /// certificate when it holds no PEM block (parsed here: Windows PowerShell 5.1 has no ImportFromPemFile).
        /// </summary>
        internal static List<X509Certificate2> ReadCertificates(string file)
        {
            const string Begin = "-----BEGIN CERTIFICATE-----";
            const string End = "-----END CERTIFICATE-----";
            byte[] bytes = File.ReadAllBytes(file);
            string text = Encoding.ASCII.GetString(bytes);
            var found = new List<X509Certificate2>();
            try
            {
                for (int at = text.IndexOf(Begin, StringComparison.Ordinal); at >= 0; at = text.IndexOf(Begin, at, StringComparison.Ordinal))
                {
                    int start = at + Begin.Length;
                    int end = text.IndexOf(End, start, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        throw new FormatException("a BEGIN CERTIFICATE line has no END CERTIFICATE line");
                    }

                    string base64 = new string(text.Substring(start, end - start).Where(c => !char.IsWhiteSpace(c)).ToArray());
                    found.Add(new X509Certificate2(Convert.FromBase64String(base64)));
                    at = end + End.Length;
                }

                if (found.Count == 0)
                {
                    found.Add(new X509Certificate2(bytes));
                }

                return found;
            }
            catch (Exception)
            {
                foreach (var c in found)
                {
                    c.Dispose();
                }

                throw;
            }
        }

        private bool Validate(X509Certificate? certificate, SslPolicyErrors errors)
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate != null && authorities.Count > 0 && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0)
            {
                using var own = new X509Chain();
                own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                own.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                foreach (var ca in authorities)
                {
                    own.ChainPolicy.ExtraStore.Add(ca);
                }

                using var presented = new X509Certificate2(certificate);
                if (own.Build(presented))
                {
                    var root = own.ChainElements[own.ChainElements.Count - 1].Certificate;
                    if (authorities.Any(ca => string.Equals(ca.Thumbprint, root.Thumbprint, StringComparison.OrdinalIgnoreCase)))
                    {
                        return true;
                    }
                }
            }

            rejectedBecause = errors;
            Interlocked.Exchange(ref certificateRejected, 1);
            return false;
        }

        /// <summary>
        /// Checks that the registry answers the distribution API and accepts the login (GET /v2/, following its challenge).
        /// Chooses https, or http for a loopback registry (or with <see cref="RegistryClientOptions.AllowInsecure"/>) that does not speak TLS.
        /// </summary>
        public async Task PingAsync(CancellationToken cancellationToken)
        {
            using var answer = await SendAsync(HttpMethod.Get, "/v2/", null, null, null, cancellationToken).ConfigureAwait(false);
            if (answer.Status != 200)
            {
                throw Failed(answer, "checking the API (GET /v2/)");
            }
        }

        /// <summary>
        /// The manifest <paramref name="reference"/> (tag or digest) of <paramref name="repository"/>; null when there is none.
        /// <paramref name="forPush"/>: a read on the way to a push, asked with the pull,push token the push needs (a registry
        /// like Docker Hub refuses a pull-only token for a repository that does not exist yet).
        /// </summary>
        public async Task<ManifestInfo?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken, bool forPush = false)
        {
            using var answer = await SendAsync(HttpMethod.Get, $"/v2/{repository}/manifests/{reference}", Scope(repository, forPush), null, null, cancellationToken).ConfigureAwait(false);
            if (answer.Status == 404)
            {
                return null;
            }

            if (answer.Status != 200)
            {
                throw Failed(answer, $"reading the manifest {repository}:{reference}");
            }

            if (answer.ContentType != null && RegistryGrammar.MediaType.Why(answer.ContentType) is { } badType)
            {
                throw new RegistryException(PublishErrorIds.RegistryError, $"The registry {Registry} answered the manifest {repository}:{reference} with the media type '{InputGrammar.Show(answer.ContentType)}', which is not accepted: {badType}.", Registry);
            }

            string digest = Digest(answer.Body);
            if (reference.IndexOf(':') > 0 && !string.Equals(reference, digest, StringComparison.Ordinal))
            {
                throw new RegistryException(PublishErrorIds.RegistryError, $"The registry {Registry} answered {repository}@{reference} with a manifest whose digest is {digest}.", Registry);
            }

            return new ManifestInfo(answer.ContentType ?? MediaTypes.DockerManifest, digest, answer.Body, Registry + "/" + repository + (reference.IndexOf(':') > 0 ? "@" : ":") + reference);
        }

        /// <summary>
        /// The bytes of the blob <paramref name="digest"/> (an image config), checked against the digest; <paramref name="forPush"/>
        /// as for <see cref="GetManifestAsync"/>.
        /// </summary>
        public async Task<byte[]> GetBlobAsync(string repository, string digest, CancellationToken cancellationToken, bool forPush = false)
        {
            using var answer = await SendAsync(HttpMethod.Get, $"/v2/{repository}/blobs/{digest}", Scope(repository, forPush), null, null, cancellationToken, followRedirect: true).ConfigureAwait(false);
            if (answer.Status != 200)
            {
                throw Failed(answer, $"reading the blob {repository}@{digest}");
            }

            if (!string.Equals(Digest(answer.Body), digest, StringComparison.Ordinal))
            {
                throw new RegistryException(PublishErrorIds.RegistryError, $"The registry {Registry} answered the blob {digest} of {repository} with other content.", Registry);
            }

            return answer.Body;
        }

        /// <summary>Stores a manifest or index under <paramref name="tag"/>; returns its digest.</summary>
        public async Task<string> PutManifestAsync(string repository, string tag, string mediaType, byte[] content, CancellationToken cancellationToken)
        {
            using var answer = await SendAsync(HttpMethod.Put, $"/v2/{repository}/manifests/{tag}", Scope(repository, true), content, mediaType, cancellationToken).ConfigureAwait(false);
            if (answer.Status != 201 && answer.Status != 200)
            {
                throw Failed(answer, $"writing the manifest {repository}:{tag}");
            }

            return Digest(content);
        }

        /// <summary>sha256:hex of <paramref name="content"/>.</summary>
        public static string Digest(byte[] content)
        {
            using var sha = SHA256.Create();
            return "sha256:" + string.Concat(sha.ComputeHash(content).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        private static string Scope(string repository, bool push) => "repository:" + repository + (push ? ":pull,push" : ":pull");

        private RegistryException Failed(Answer answer, string what)
        {
            if (answer.Status == 401 || answer.Status == 403)
            {
                return AuthFailed(answer.Status == 403 ? "denied the access" : "refused the login");
            }

            string detail = ErrorText(answer.Body);
            return new RegistryException(
                PublishErrorIds.RegistryError,
                $"The registry {Registry} answered HTTP {answer.Status} while {what}" + (detail.Length > 0 ? ": " + detail : "."),
                Registry,
                statusCode: answer.Status);
        }

        private RegistryException AuthFailed(string what)
        {
            var c = options.Credential;
            string who = c == null ? "without credentials (none were given or found in the docker configuration)" : "for " + c;
            return new RegistryException(PublishErrorIds.AuthenticationFailed, $"The registry {Registry} {what} {who}.", Registry, statusCode: 401);
        }

        /// <summary>The registry's error codes and messages ({"errors":[{"code","message"}]}), shortened and printable.</summary>
        private static string ErrorText(byte[] body)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                {
                    // Each item should be {"code":"...","message":"..."}; anything else (a bare string, a numeric code) is shown as its JSON text.
                    static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() ?? string.Empty : e.GetRawText();
                    static string Field(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? Text(v) : string.Empty;
                    return InputGrammar.Show(string.Join("; ", errors.EnumerateArray().Select(e =>
                        e.ValueKind == JsonValueKind.Object ? (Field(e, "code") + " " + Field(e, "message")).Trim() : Text(e))));
                }
            }
            catch (JsonException)
            {
                // not the API's error body
            }

            return string.Empty;
        }

        private async Task<Answer> SendAsync(HttpMethod method, string path, string? scope, byte[]? body, string? contentType, CancellationToken cancellationToken, bool followRedirect = false)
        {
            await EnsureSchemeAsync(cancellationToken).ConfigureAwait(false);
            var uri = new Uri(scheme + "://" + Registry + path);
            var answer = await AttemptAsync(method, uri, scope, body, contentType, cancellationToken).ConfigureAwait(false);
            if (answer.Status == 401)
            {
                var challenge = answer.Challenge;
                answer.Dispose();
                if (challenge == null)
                {
                    throw AuthFailed("asked for a login (HTTP 401 without a challenge)");
                }

                await AnswerChallengeAsync(challenge, scope, cancellationToken).ConfigureAwait(false);
                answer = await AttemptAsync(method, uri, scope, body, contentType, cancellationToken).ConfigureAwait(false);
                if (answer.Status == 401)
                {
                    answer.Dispose();
                    throw AuthFailed("refused the login");
                }
            }

            return await FollowAsync(answer, method, uri, followRedirect, cancellationToken).ConfigureAwait(false);
        }

        private static bool IsRedirect(int status) => status == 301 || status == 302 || status == 303 || status == 307 || status == 308;

        /// <summary>
        /// A redirect of a read that follows one (a blob GET, to the registry's storage): followed once, without credentials,
        /// to https (http only on loopback or with AllowInsecure); a 303 is followed with GET (HEAD stays HEAD), the others
        /// with the same method. A redirect of any other request (a write, whose body would go elsewhere or be dropped by a
        /// 303, or a manifest) is refused; nothing is sent to its address.
        /// </summary>
        private async Task<Answer> FollowAsync(Answer answer, HttpMethod method, Uri uri, bool followRedirect, CancellationToken cancellationToken)
        {
            if (!IsRedirect(answer.Status))
            {
                return answer;
            }

            int status = answer.Status;
            var location = answer.Location;
            answer.Dispose();
            bool read = method == HttpMethod.Get || method == HttpMethod.Head;
            if (!followRedirect || !read || location == null)
            {
                string why = !read ? "a write is not redirected" : location == null ? "it named no address" : "only blob reads follow a redirect";
                throw new RegistryException(PublishErrorIds.RegistryError, $"The registry {Registry} answered {method.Method} {uri.AbsolutePath} with a redirect (HTTP {status}), which was not followed: {why}.", Registry, statusCode: status);
            }

            var target = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (target.Scheme != Uri.UriSchemeHttps && !(target.Scheme == Uri.UriSchemeHttp && (options.AllowInsecure || IsLoopback(target.Authority))))
            {
                throw new RegistryException(PublishErrorIds.RegistryError, $"The registry {Registry} redirected a blob to a plain-HTTP address.", Registry);
            }

            var next = status == 303 && method != HttpMethod.Head ? HttpMethod.Get : method;
            return await AttemptAsync(next, target, null, null, null, cancellationToken, anonymous: true).ConfigureAwait(false);
        }

        private async Task AnswerChallengeAsync(AuthenticationHeaderValue challenge, string? scope, CancellationToken cancellationToken)
        {
            var c = options.Credential;
            if (string.Equals(challenge.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
            {
                if (c == null || c.IsIdentityToken || basic)
                {
                    throw AuthFailed(basic ? "refused the login" : "asked for a login");
                }

                basic = true;
                return;
            }

            if (!string.Equals(challenge.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                throw AuthFailed($"asked for an unsupported kind of login ({InputGrammar.Show(challenge.Scheme)})");
            }

            var parameters = ChallengeParameters(challenge.Parameter ?? string.Empty);
            if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri)
                || (realmUri.Scheme != Uri.UriSchemeHttps && !(realmUri.Scheme == Uri.UriSchemeHttp && (options.AllowInsecure || IsLoopback(realmUri.Authority)))))
            {
                throw new RegistryException(PublishErrorIds.RegistryError, $"The registry {Registry} named a token server that is not an https address; no credentials were sent to it.", Registry);
            }

            parameters.TryGetValue("service", out var service);
            // The scope this request needs, as the docker CLI asks: the challenge's scope only names what the refused
            // request needed (pull for a read), and a token for it alone would be refused again for the push that follows.
            string? wanted = scope ?? (parameters.TryGetValue("scope", out var s) ? s : null);
            var query = new List<string>();
            if (!string.IsNullOrEmpty(service))
            {
                query.Add("service=" + Uri.EscapeDataString(service));
            }

            if (!string.IsNullOrEmpty(wanted))
            {
                query.Add("scope=" + Uri.EscapeDataString(wanted));
            }

            Answer answer;
            if (c != null && c.IsIdentityToken)
            {
                var form = new List<string> { "grant_type=refresh_token", "client_id=pythonimages", "refresh_token=" + Uri.EscapeDataString(c.Secret) };
                form.AddRange(query);
                answer = await AttemptAsync(HttpMethod.Post, realmUri, null, Encoding.UTF8.GetBytes(string.Join("&", form)), "application/x-www-form-urlencoded", cancellationToken, anonymous: true).ConfigureAwait(false);
            }
            else
            {
                var builder = new UriBuilder(realmUri) { Query = string.Join("&", query) };
                answer = await AttemptAsync(HttpMethod.Get, builder.Uri, null, null, null, cancellationToken, anonymous: c == null, basicFor: c).ConfigureAwait(false);
            }

            using (answer)
            {
                tokens[scope ?? string.Empty] = TokenOf(answer);
            }
        }

        /// <summary>The token of the token server's answer (token or access_token); a refusal or an answer without one is an error.</summary>
        private string TokenOf(Answer answer)
        {
            if (answer.Status == 401 || answer.Status == 403)
            {
                throw AuthFailed("refused the login at its token server");
            }

            if (answer.Status != 200)
            {
                throw new RegistryException(PublishErrorIds.RegistryError, $"The token server of {Registry} answered HTTP {answer.Status}.", Registry, statusCode: answer.Status);
            }

            string? token = null;
            try
            {
                using var doc = JsonDocument.Parse(answer.Body);
                foreach (var name in new[] { "token", "access_token" })
                {
                    if (doc.RootElement.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(t.GetString()))
                    {
                        token = t.GetString();
                        break;
                    }
                }
            }
            catch (JsonException)
            {
                token = null;
            }

            if (token == null)
            {
                throw new RegistryException(PublishErrorIds.RegistryError, $"The token server of {Registry} answered without a token.", Registry);
            }

            return token;
        }

        /// <summary>
        /// The challenge to answer when a 401 offers several (Basic and Bearer, in one header or in several): Bearer, whose
        /// password goes only to the token server and whose token is scoped, then Basic, then the first.
        /// </summary>
        internal static AuthenticationHeaderValue? PreferredChallenge(IEnumerable<AuthenticationHeaderValue> challenges)
        {
            var all = challenges.ToList();
            return all.FirstOrDefault(c => string.Equals(c.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
                ?? all.FirstOrDefault(c => string.Equals(c.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
                ?? all.FirstOrDefault();
        }

        /// <summary>key="value" pairs of a challenge (values may hold commas inside quotes; spaces may stand around '=').</summary>
        internal static Dictionary<string, string> ChallengeParameters(string text)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            int i = 0;
            while (i < text.Length)
            {
                while (i < text.Length && (text[i] == ',' || text[i] == ' '))
                {
                    i++;
                }

                int eq = text.IndexOf('=', i);
                if (eq < 0)
                {
                    break;
                }

                string key = text.Substring(i, eq - i).Trim();
                i = eq + 1;
                while (i < text.Length && (text[i] == ' ' || text[i] == '\t'))
                {
                    i++;
                }

                var value = new StringBuilder();
                if (i < text.Length && text[i] == '"')
                {
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\\' && i + 1 < text.Length)
                        {
                            i++;
                        }

                        value.Append(text[i++]);
                    }

                    i++;
                }
                else
                {
                    while (i < text.Length && text[i] != ',')
                    {
                        value.Append(text[i++]);
                    }
                }

                result[key] = value.ToString().Trim();
            }

            return result;
        }

        private async Task EnsureSchemeAsync(CancellationToken cancellationToken)
        {
            if (scheme != null)
            {
                return;
            }

            await schemeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (scheme != null)
                {
                    return;
                }

                try
                {
                    using var probe = await AttemptAsync(HttpMethod.Get, new Uri("https://" + Registry + "/v2/"), null, null, null, cancellationToken, anonymous: true, retry: false).ConfigureAwait(false);
                    scheme = "https";
                }
                catch (RegistryException ex) when (ex.ErrorId == PublishErrorIds.RegistryUnavailable && Volatile.Read(ref certificateRejected) == 0 && !Refused(ex))
                {
                    // It answers, but not with TLS.
                    if (!options.AllowInsecure && !IsLoopback(Registry))
                    {
                        throw new RegistryException(PublishErrorIds.InsecureRegistry, $"The registry {Registry} does not speak TLS; plain HTTP is used only for a loopback registry or with -AllowInsecureRegistry.", Registry);
                    }

                    options.Log?.Invoke($"{Registry} does not speak TLS: using plain HTTP ({(IsLoopback(Registry) ? "loopback" : "allowed by -AllowInsecureRegistry")}).");
                    scheme = "http";
                }

                if (Volatile.Read(ref certificateRejected) != 0 && scheme == null)
                {
                    throw TlsRejected();
                }
            }
            finally
            {
                schemeGate.Release();
            }
        }

        private RegistryException TlsRejected() => new RegistryException(
            PublishErrorIds.TlsFailed,
            $"The TLS certificate of the registry {Registry} is not trusted ({rejectedBecause}); nothing was sent.",
            Registry,
            $"Trust its CA: put ca.crt in {CertsFolder(Registry, options.CertsDirectory) ?? "/etc/docker/certs.d/<host:port>"} or pass -CertificatePath; check that the certificate names {Registry}.");

        /// <summary>Whether the failure is "nothing listens" (connection refused, host unknown): no TLS question then.</summary>
        private static bool Refused(Exception ex)
        {
            for (var e = ex.InnerException; e != null; e = e.InnerException)
            {
                if (e is SocketException)
                {
                    return true;
                }
            }

            return false;
        }

        private async Task<Answer> AttemptAsync(HttpMethod method, Uri uri, string? scope, byte[]? body, string? contentType, CancellationToken cancellationToken, bool anonymous = false, RegistryCredential? basicFor = null, bool retry = true)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(WhatKey, method.Method + " " + uri.AbsolutePath);
            Outcome<Answer> outcome;
            try
            {
                Func<ResilienceContext, Task<Outcome<Answer>>> once = async ctx =>
                {
                    try
                    {
                        return Outcome.FromResult(await OnceAsync(method, uri, scope, body, contentType, anonymous, basicFor, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex) when (!(ex is OperationCanceledException) || !cancellationToken.IsCancellationRequested)
                    {
                        return Outcome.FromException<Answer>(ex);
                    }
                };
                outcome = retry
                    ? await pipeline.ExecuteOutcomeAsync((ctx, _) => new ValueTask<Outcome<Answer>>(once(ctx)), context, 0).ConfigureAwait(false)
                    : await once(context).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (outcome.Exception != null)
            {
                if (Volatile.Read(ref certificateRejected) != 0)
                {
                    throw TlsRejected();
                }

                if (outcome.Exception is RegistryException known)
                {
                    throw known;
                }

                string reason = outcome.Exception is TaskCanceledException ? $"no answer within {options.RequestTimeout.TotalSeconds:0} s" : Reason(outcome.Exception);
                throw new RegistryException(PublishErrorIds.RegistryUnavailable, $"The registry {Registry} cannot be reached ({reason}).", Registry, inner: outcome.Exception);
            }

            var answer = outcome.Result!;
            if (answer.Status >= 500 || answer.Status == 429)
            {
                string detail = ErrorText(answer.Body);
                answer.Dispose();
                throw new RegistryException(PublishErrorIds.RegistryError, $"The registry {Registry} answered HTTP {answer.Status} to {method.Method} {uri.AbsolutePath}" + (retry ? $" {Math.Max(0, options.Retries) + 1} times" : string.Empty) + (detail.Length > 0 ? ": " + detail : "."), Registry, statusCode: answer.Status);
            }

            return answer;
        }

        private static string Reason(Exception ex)
        {
            var inner = ex;
            while (inner.InnerException != null)
            {
                inner = inner.InnerException;
            }

            return Redaction.UrlUserInfo(inner.Message.Trim().TrimEnd('.'));
        }

        private async Task<Answer> OnceAsync(HttpMethod method, Uri uri, string? scope, byte[]? body, string? contentType, bool anonymous, RegistryCredential? basicFor, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(method, uri);
            if (method == HttpMethod.Get && uri.AbsolutePath.Contains("/manifests/"))
            {
                foreach (var type in MediaTypes.Accepted)
                {
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
                }
            }

            if (body != null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/octet-stream");
            }

            var c = basicFor ?? options.Credential;
            if (basicFor != null || (!anonymous && basic && c != null))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(c!.Username + ":" + c.Secret)));
            }
            else if (!anonymous && scope != null && tokens.TryGetValue(scope, out var token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            else if (!anonymous && scope == null && tokens.TryGetValue(string.Empty, out var plain))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", plain);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            byte[] content = Array.Empty<byte>();
            if (method != HttpMethod.Head && response.Content != null)
            {
                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                using var buffer = new MemoryStream();
                var chunk = new byte[81920];
                int read;
                while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxBody)
                    {
                        throw new RegistryException(PublishErrorIds.RegistryError, $"The registry {Registry} answered {uri.AbsolutePath} with more than {MaxBody} bytes.", Registry);
                    }

                    buffer.Write(chunk, 0, read);
                }

                content = buffer.ToArray();
            }

            return new Answer(
                (int)response.StatusCode,
                content,
                response.Content?.Headers.ContentType?.MediaType,
                PreferredChallenge(response.Headers.WwwAuthenticate),
                response.Headers.Location);
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            http.Dispose();
            clientCertificate?.Dispose();
            foreach (var ca in authorities)
            {
                ca.Dispose();
            }

            schemeGate.Dispose();
        }

        /// <summary>A whole (small) answer of the registry.</summary>
        private sealed class Answer : IDisposable
        {
            public Answer(int status, byte[] body, string? contentType, AuthenticationHeaderValue? challenge, Uri? location)
            {
                Status = status;
                Body = body;
                ContentType = contentType;
                Challenge = challenge;
                Location = location;
            }

            public int Status { get; }

            public byte[] Body { get; }

            public string? ContentType { get; }

            public AuthenticationHeaderValue? Challenge { get; }

            public Uri? Location { get; }

            public void Dispose()
            {
                // The body is already read; nothing is held.
            }
        }
    }
}
