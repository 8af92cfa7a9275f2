using System;
using System.IO;
using System.Net.Sockets;
using Xunit;

namespace PythonImages.Tests.Hosting
{
    /// <summary>
    /// A test that needs a real Docker engine. Reported as skipped (never as passed) when none is reachable;
    /// under CI=true a missing engine is not a reason to skip, so the test runs and fails.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class DockerFactAttribute : FactAttribute
    {
        public DockerFactAttribute()
        {
            if (!DockerProbe.Available && !DockerProbe.IsCi)
            {
                Skip = "No Docker engine reachable at " + DockerProbe.Endpoint + " (set DOCKER_HOST or start dockerd; .ci/run does both).";
            }
        }
    }

    /// <summary>A [Theory] that needs a real Docker engine (skipped without one, run and failing under CI=true), like [DockerFact].</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class DockerTheoryAttribute : TheoryAttribute
    {
        public DockerTheoryAttribute()
        {
            if (!DockerProbe.Available && !DockerProbe.IsCi)
            {
                Skip = "No Docker engine reachable at " + DockerProbe.Endpoint + " (set DOCKER_HOST or start dockerd; .ci/run does both).";
            }
        }
    }

    public static class DockerProbe
    {
        private static readonly Lazy<bool> Probe = new Lazy<bool>(Check);

        public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        public static string Endpoint => Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } h ? h : "unix:///var/run/docker.sock";

        public static bool Available => Probe.Value;

        private static bool Check()
        {
            try
            {
                var uri = new Uri(Endpoint);
                if (uri.Scheme == "unix")
                {
                    if (!File.Exists(uri.AbsolutePath) && !Directory.Exists(uri.AbsolutePath) && !IsSocket(uri.AbsolutePath))
                    {
                        return false;
                    }

                    using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    s.Connect(new UnixDomainSocketEndPoint(uri.AbsolutePath));
                    return true;
                }

                if (uri.Scheme == "tcp")
                {
                    using var c = new TcpClient();
                    return c.ConnectAsync(uri.Host, uri.Port).Wait(TimeSpan.FromSeconds(2)) && c.Connected;
                }

                return false;
            }
            catch (Exception)
            {
                return false;
            }
        }

        private static bool IsSocket(string path)
        {
            try
            {
                return (File.GetAttributes(path) & FileAttributes.Device) != 0 || new FileInfo(path).Exists;
            }
            catch (IOException)
            {
                return false;
            }
        }
    }
}
