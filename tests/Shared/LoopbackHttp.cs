using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace PythonImages.Tests
{
    /// <summary>What the tests' loopback HTTP servers (imitations of registries) share.</summary>
    internal static class LoopbackHttp
    {
        /// <summary>
        /// Starts <paramref name="listener"/> on a free loopback port and returns it (another process may take a port between
        /// the probe and the start: a few attempts).
        /// </summary>
        public static int StartOnFreePort(HttpListener listener)
        {
            for (int attempt = 0; ; attempt++)
            {
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                int port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                listener.Prefixes.Clear();
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    listener.Start();
                    return port;
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                }
            }
        }

        /// <summary>Sends one whole answer (headers first, if any); a client that went away meanwhile only aborts it.</summary>
        public static void Respond(HttpListenerContext ctx, int status, string type, byte[] body, IDictionary<string, string>? headers = null)
        {
            try
            {
                foreach (var h in headers ?? new Dictionary<string, string>())
                {
                    ctx.Response.Headers[h.Key] = h.Value;
                }

                ctx.Response.StatusCode = status;
                ctx.Response.ContentType = type;
                ctx.Response.ContentLength64 = body.Length;
                ctx.Response.OutputStream.Write(body, 0, body.Length);
                ctx.Response.Close();
            }
            catch (Exception)
            {
                ctx.Response.Abort();
            }
        }
    }
}
