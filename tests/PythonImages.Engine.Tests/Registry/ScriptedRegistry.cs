using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Engine.Registry;
using Xunit;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>A plain-HTTP registry on loopback whose every answer is scripted by the test (no auth unless the script asks).</summary>
    internal sealed class ScriptedRegistry : IDisposable
    {
        private readonly HttpListener listener = new HttpListener();
        private readonly Func<HttpListenerRequest, (int Status, string Type, byte[] Body, IDictionary<string, string>? Headers)> route;
        private readonly Task loop;

        public ScriptedRegistry(Func<HttpListenerRequest, (int, string, byte[], IDictionary<string, string>?)> route)
        {
            this.route = route;
            Port = PythonImages.Tests.LoopbackHttp.StartOnFreePort(listener);
            loop = Task.Run(async () =>
            {
                while (true)
                {
                    HttpListenerContext ctx;
                    try
                    {
                        ctx = await listener.GetContextAsync();
                    }
                    catch (Exception)
                    {
                        return;
                    }

                    Requests.Enqueue(ctx.Request.HttpMethod + " " + ctx.Request.Url!.PathAndQuery + " auth=" + (ctx.Request.Headers["Authorization"] ?? string.Empty));
                    try
                    {
                        var (status, type, body, headers) = this.route(ctx.Request);
                        PythonImages.Tests.LoopbackHttp.Respond(ctx, status, type, body, headers);
                    }
                    catch (Exception)
                    {
                        ctx.Response.Abort();
                    }
                }
            });
        }

        public int Port { get; }

        public string Host => "127.0.0.1:" + Port;

        public ConcurrentQueue<string> Requests { get; } = new ConcurrentQueue<string>();

        public static (int, string, byte[], IDictionary<string, string>?) Answer(int status, string type, string body, IDictionary<string, string>? headers = null) =>
            (status, type, Encoding.UTF8.GetBytes(body), headers);

        public void Dispose()
        {
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
        }
    }

    /// <summary>Images, manifests and a registry that serves them, for the publisher's tests.</summary>
    internal static class RegistryFixtures
    {
        public static RegistryClientOptions Options(RegistryCredential? credential = null) =>
            new RegistryClientOptions { Credential = credential, RetryDelay = TimeSpan.FromMilliseconds(5), Retries = 1, CertsDirectory = Path.GetTempPath() };

        public static string Config(string architecture) => "{\"architecture\":\"" + architecture + "\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

        public static string ImageManifest(string config) =>
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":" + Encoding.UTF8.GetByteCount(config) + ",\"digest\":\"" + Dg(config) + "\"},\"layers\":[]}";

        public static string Dg(string s) => RegistryClient.Digest(Encoding.UTF8.GetBytes(s));

        /// <summary>A registry that serves these blobs and manifests (by tag or digest) and accepts every PUT (its body recorded in <paramref name="puts"/>).</summary>
        public static ScriptedRegistry Serve(Dictionary<string, string> blobs, Dictionary<string, (string Type, string Body)> manifests, List<string>? puts = null) =>
            new ScriptedRegistry(r =>
            {
                string p = r.Url!.AbsolutePath;
                if (p == "/v2/")
                {
                    return ScriptedRegistry.Answer(200, "application/json", "{}");
                }

                if (r.HttpMethod == "PUT")
                {
                    puts?.Add(new StreamReader(r.InputStream).ReadToEnd());
                    return ScriptedRegistry.Answer(201, "text/plain", string.Empty);
                }

                string last = Uri.UnescapeDataString(p[(p.LastIndexOf('/') + 1)..]);
                if (p.Contains("/blobs/", StringComparison.Ordinal) && blobs.TryGetValue(last, out var b))
                {
                    return ScriptedRegistry.Answer(200, "application/octet-stream", b);
                }

                if (p.Contains("/manifests/", StringComparison.Ordinal) && manifests.TryGetValue(last, out var m))
                {
                    return ScriptedRegistry.Answer(200, m.Type, m.Body);
                }

                return ScriptedRegistry.Answer(404, "application/json", "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"unknown\"}]}");
            });
    }

    /// <summary>An engine whose image calls are scripted (the rest is never called by the publisher).</summary>
    internal sealed class StubEngine : IDockerEngine
    {
        public Func<string, ImageDetails?> Inspect { get; set; } = _ => null;

        public Action<string> Tag { get; set; } = _ => { };

        public Func<EnginePushRequest, EnginePushResult> Push { get; set; } = _ => new EnginePushResult { Succeeded = true };

        public string Endpoint => "stub://engine";

        public TimeSpan InactivityTimeout => TimeSpan.FromMinutes(1);

        public IDockerEngine WithInactivityTimeout(TimeSpan inactivityTimeout) => this;

        public Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<EngineIdentity> GetIdentityAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<EngineBuildResult> BuildAsync(EngineBuildRequest request, IProgress<BuildEvent>? events, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ImageDetails?> InspectImageAsync(string image, CancellationToken cancellationToken) => Task.FromResult(Inspect(image));

        public Task<ContainerRunResult> RunAsync(ContainerRunRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task TagImageAsync(string image, string repository, string tag, CancellationToken cancellationToken)
        {
            Tag(image);
            return Task.CompletedTask;
        }

        public Task<EnginePushResult> PushImageAsync(EnginePushRequest request, IProgress<PushEvent>? events, CancellationToken cancellationToken) => Task.FromResult(Push(request));

        public Task PullImageAsync(string reference, IProgress<PullEvent>? events, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<AttachedRunResult> RunAttachedAsync(AttachedRunRequest request, IContainerStreams streams, CancellationToken cancellationToken) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
