using System;
using System.IO;
using System.Net.Sockets;
using Xunit;

namespace PythonImages.Tests.Hosting
{
    /// <summary>
    /// A test that needs two Docker engines: the usual one (<see cref="DockerProbe"/>) and a second dockerd with its own socket
    /// (PYTHONIMAGES_SECOND_ENGINE, else unix:///run/pythonimages-ci/docker2.sock, which .ci/run starts). Skipped without them,
    /// except under CI=true, where it fails instead (like <see cref="DockerFactAttribute"/>).
    /// </summary>
    public sealed class SecondEngineFactAttribute : FactAttribute
    {
        public SecondEngineFactAttribute()
        {
            if ((!DockerProbe.Available || !SecondEngine.Available) && !DockerProbe.IsCi)
            {
                Skip = "Needs a second Docker engine at " + SecondEngine.Endpoint + " (PYTHONIMAGES_SECOND_ENGINE; .ci/run starts one) besides " + DockerProbe.Endpoint + ".";
            }
        }
    }

    public static class SecondEngine
    {
        private static readonly Lazy<bool> Probe = new Lazy<bool>(Check);

        public static string Endpoint => Environment.GetEnvironmentVariable("PYTHONIMAGES_SECOND_ENGINE") is { Length: > 0 } e ? e : "unix:///run/pythonimages-ci/docker2.sock";

        public static bool Available => Probe.Value;

        private static bool Check()
        {
            try
            {
                var uri = new Uri(Endpoint);
                if (uri.Scheme != "unix" || !File.Exists(uri.AbsolutePath))
                {
                    return false;
                }

                using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                s.Connect(new UnixDomainSocketEndPoint(uri.AbsolutePath));
                return true;
            }
            catch (Exception ex) when (ex is SocketException || ex is IOException || ex is UriFormatException || ex is UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
