using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// A registry on loopback (plain HTTP, no login) whose answers are set per path before a case runs: the hostile
    /// manifests, indexes and configs of the registry-answer catalogue. /v2/ answers 200; a path without an answer is
    /// 404 MANIFEST_UNKNOWN; every write is accepted (201), so a hostile value that slipped through shows as no error.
    /// One for the test process, started on first use, with a fake engine beside it (Publish-PythonImage connects to an
    /// engine even when it only writes indexes; this one answers /_ping and /version, and nothing else).
    /// </summary>
    public static class HostileRegistry
    {
        private static readonly ConcurrentDictionary<string, (string Type, byte[] Body)> Answers = new ConcurrentDictionary<string, (string, byte[])>(StringComparer.Ordinal);
        private static readonly Lazy<int> Started = new Lazy<int>(Start);
        private static readonly Lazy<Fakes.FakeEngine> Engine = new Lazy<Fakes.FakeEngine>(() => new Fakes.FakeEngine());

        /// <summary>127.0.0.1:port.</summary>
        public static string Host => "127.0.0.1:" + Started.Value;

        /// <summary>tcp://127.0.0.1:port of the fake engine.</summary>
        public static string EngineHost => Engine.Value.Host();

        /// <summary>Answers GET <paramref name="path"/> (/v2/...) with 200, <paramref name="type"/> and <paramref name="body"/>.</summary>
        public static void Serve(string path, string type, string body) => Answers[path] = (type, Encoding.UTF8.GetBytes(body));

        private static int Start()
        {
            var listener = new HttpListener();
            int port = PythonImages.Tests.LoopbackHttp.StartOnFreePort(listener);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => listener.Close();
            _ = Task.Run(() => Loop(listener));
            return port;
        }

        private static async Task Loop(HttpListener listener)
        {
            while (listener.IsListening)
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

                string path = ctx.Request.Url!.AbsolutePath;
                var (status, type, body) = path == "/v2/" ? (200, "application/json", Encoding.UTF8.GetBytes("{}"))
                    : ctx.Request.HttpMethod == "PUT" ? (201, "text/plain", Array.Empty<byte>())
                    : Answers.TryGetValue(path, out var a) ? (200, a.Type, a.Body)
                    : (404, "application/json", Encoding.UTF8.GetBytes("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"));
                PythonImages.Tests.LoopbackHttp.Respond(ctx, status, type, body);
            }
        }
    }
}
