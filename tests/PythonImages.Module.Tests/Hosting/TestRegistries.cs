using System;
using System.IO;
using System.Net.Sockets;
using Xunit;

namespace PythonImages.Tests.Hosting
{
    /// <summary>
    /// The registries .ci/run starts on loopback: a plain one on 127.0.0.1:5000, and one with TLS (a test CA) and htpasswd
    /// basic auth on 127.0.0.1:5001, whose CA and login live in /tmp/pythonimages-ci/auth-registry.
    /// </summary>
    public static class TestRegistries
    {
        public const string Plain = "127.0.0.1:5000";
        public const string Auth = "127.0.0.1:5001";

        public static string AuthDirectory => Environment.GetEnvironmentVariable("PYTHONIMAGES_AUTH_REGISTRY_DIR") is { Length: > 0 } d ? d : "/tmp/pythonimages-ci/auth-registry";

        public static string CaFile => Path.Combine(AuthDirectory, "ca.crt");

        /// <summary>The auth registry's user and password (written by .ci/run).</summary>
        public static (string User, string Password) Login
        {
            get
            {
                string line = File.ReadAllText(Path.Combine(AuthDirectory, "credentials")).Trim();
                int colon = line.IndexOf(':');
                return (line.Substring(0, colon), line.Substring(colon + 1));
            }
        }

        public static bool Listens(string hostPort)
        {
            try
            {
                int colon = hostPort.LastIndexOf(':');
                using var c = new TcpClient();
                return c.ConnectAsync(hostPort.Substring(0, colon), int.Parse(hostPort.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture)).Wait(TimeSpan.FromSeconds(2)) && c.Connected;
            }
            catch (Exception)
            {
                return false;
            }
        }

        public static bool AuthReady => Listens(Auth) && File.Exists(Path.Combine(AuthDirectory, "credentials")) && File.Exists(CaFile);
    }

    /// <summary>A test that needs the registries of .ci/run (and, with <see cref="Engine"/>, the Docker engine): skipped on a
    /// machine without them, run (and failing) under CI=true.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class RegistryFactAttribute : FactAttribute
    {
        public RegistryFactAttribute(bool engine = true, bool auth = false)
        {
            if (DockerProbe.IsCi)
            {
                return;
            }

            if (engine && !DockerProbe.Available)
            {
                Skip = "No Docker engine reachable at " + DockerProbe.Endpoint + " (.ci/run starts one).";
            }
            else if (!TestRegistries.Listens(TestRegistries.Plain))
            {
                Skip = "No registry on " + TestRegistries.Plain + " (.ci/run starts one).";
            }
            else if (auth && !TestRegistries.AuthReady)
            {
                Skip = "No TLS + basic-auth registry on " + TestRegistries.Auth + " with its login in " + TestRegistries.AuthDirectory + " (.ci/run starts one).";
            }
        }
    }
}
