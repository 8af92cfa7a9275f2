using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>Runs only with PYTHONIMAGES_SLOW_DOCKER_TESTS=1 and a Docker engine: it downloads ~100 MB of Debian packages.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class SlowDockerFactAttribute : FactAttribute
    {
        public SlowDockerFactAttribute()
        {
            if (Environment.GetEnvironmentVariable("PYTHONIMAGES_SLOW_DOCKER_TESTS") != "1")
            {
                Skip = "Slow engine test (installs the build dependencies from the Debian mirror); set PYTHONIMAGES_SLOW_DOCKER_TESTS=1 to run it.";
            }
            else if (!DockerProbe.Available)
            {
                Skip = "No Docker engine reachable at " + DockerProbe.Endpoint + ".";
            }
        }
    }

    /// <summary>
    /// The whole build RUN of a generated slim-bookworm Dockerfile, executed by the engine against a stand-in CPython
    /// source tarball (fixtures/fake-cpython: a configure that records its flags and a Makefile that compiles a small C
    /// program linked to libsqlite3) served from a loopback -SourceMirror: download, sha256 check, extraction, both makes,
    /// rpath, strip, prune, run-dependency detection with ldd/dpkg-query/apt-mark, purge, apt cleanup, links.
    /// </summary>
    public class DockerfileFakeBuildTests
    {
        [SlowDockerFact]
        public void GeneratedSlimBookwormBuildStepRunsEndToEnd()
        {
            using var tmp = new TempDir();
            string src = tmp.File("src/Python-3.14.6");
            Directory.CreateDirectory(src);
            foreach (var name in new[] { "configure", "fake.c", "Makefile.in" })
            {
                File.Copy(ModuleSession.Fixture("fake-cpython/" + name), Path.Combine(src, name));
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(src, "configure"), (UnixFileMode)Convert.ToInt32("755", 8));
            }
            string www = tmp.File("www/3.14.6");
            Directory.CreateDirectory(www);
            Assert.Equal(0, Run("tar", "-C", tmp.File("src"), "-cJf", Path.Combine(www, "Python-3.14.6.tar.xz"), "Python-3.14.6").Code);
            string sha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(www, "Python-3.14.6.tar.xz")))).ToLowerInvariant();
            string matrix = tmp.File("matrix.yaml");
            File.WriteAllText(matrix, $"versions:\n  '3.14':\n    version: 3.14.6\n    checksums:\n      source: {{sha256: {sha}}}\n    variants: [slim-bookworm]\n");

            using var server = new FileServer(tmp.File("www"));
            using var s = new ModuleSession();
            var r = s.Run("New-PythonDockerfile -MatrixPath $m -Path $out -SourceMirror $mirror -AllowInsecureSource", new Dictionary<string, object?>
            {
                ["m"] = matrix,
                ["out"] = tmp.File("out"),
                ["mirror"] = server.Prefix,
            });
            Assert.Empty(r.Errors);
            string context = (string)r.Output.Single().Properties["ContextPath"].Value;

            string tag = "pi-issue4-fake-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                var build = Run("docker", "build", "--network", "host", "--no-cache", "-t", tag, context);
                Assert.True(build.Code == 0, build.Output);
                Assert.Contains("python.tar.xz: OK", build.Output);
                Assert.Equal(1, server.Requests);

                var q = Run("docker", "run", "--rm", "--network", "none", tag, "sh", "-c",
                    "python --version; pip --version; readlink /usr/local/bin/python /usr/local/bin/pip /usr/local/bin/python-config; "
                    + "cat /tmp/make.log; apt-mark showmanual | grep -x libsqlite3-0; dpkg -s libsqlite3-dev >/dev/null 2>&1 || echo no-sqlite-dev; "
                    + "for p in gcc make dpkg-dev gnupg wget; do dpkg -s $p >/dev/null 2>&1 && echo still-installed=$p; done; "
                    + "echo leftovers=$(find /usr/local -name test -o -name '*.pyc' -o -name 'libpython*.a' | wc -l) lists=$(ls /var/lib/apt/lists | wc -l) src=$(ls /usr/src | wc -l)");
                Assert.True(q.Code == 0, q.Output);
                string o = q.Output;
                Assert.Contains("Python 3.14.6 (fake, sqlite", o);
                Assert.Contains("pip 25.0 fake", o);
                Assert.Contains("python3\npip3\npython3-config\n", o);

                // The binary, inspected on the host (binutils is purged from the image with the other build dependencies).
                string container = tag + "-copy";
                Assert.Equal(0, Run("docker", "create", "--name", container, tag).Code);
                try
                {
                    Assert.Equal(0, Run("docker", "cp", container + ":/usr/local/bin/python3.14", tmp.File("python3.14")).Code);
                }
                finally
                {
                    Run("docker", "rm", container);
                }

                string dynamic = Run("readelf", "-d", tmp.File("python3.14")).Output;
                Assert.Contains("Library runpath: [$ORIGIN/../lib]", dynamic);
                Assert.Contains("Shared library: [libsqlite3.so.0]", dynamic);
                Assert.DoesNotContain(".symtab", Run("readelf", "-S", tmp.File("python3.14")).Output); // stripped (slim)
                Assert.Matches("all EXTRA_CFLAGS=.*-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer LDFLAGS=.* -Wl,--strip-all\n", o);
                Assert.Contains("\nlibsqlite3-0\n", o);                // runtime dependency found through ldd and kept
                Assert.Contains("no-sqlite-dev", o);                  // build dependency purged
                Assert.DoesNotContain("still-installed=", o);         // ... all of them, even on a base without docker-autoremove-suggests
                Assert.Contains("leftovers=0 lists=0 src=0", o);
            }
            finally
            {
                Run("docker", "rmi", "-f", tag);
            }
        }

        private static (int Code, string Output) Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(1_800_000))
            {
                p.Kill(true);
                throw new TimeoutException(file);
            }

            return (p.ExitCode, output + err.Result);
        }

        /// <summary>A loopback HTTP server for one directory (the -SourceMirror of the test).</summary>
        private sealed class FileServer : IDisposable
        {
            private readonly HttpListener listener = new HttpListener();
            private readonly string root;
            private readonly Task loop;
            private int requests;

            public FileServer(string root)
            {
                this.root = root;
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                int port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                Prefix = $"http://127.0.0.1:{port}/";
                listener.Prefixes.Add(Prefix);
                listener.Start();
                loop = Task.Run(Serve);
            }

            public string Prefix { get; }

            public int Requests => Volatile.Read(ref requests);

            private async Task Serve()
            {
                while (listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try
                    {
                        ctx = await listener.GetContextAsync();
                    }
                    catch (Exception) when (!listener.IsListening)
                    {
                        return;
                    }

                    Interlocked.Increment(ref requests);
                    string path = Path.GetFullPath(Path.Combine(root, ctx.Request.Url!.AbsolutePath.TrimStart('/')));
                    if (path.StartsWith(root, StringComparison.Ordinal) && File.Exists(path))
                    {
                        byte[] body = File.ReadAllBytes(path);
                        ctx.Response.ContentLength64 = body.Length;
                        await ctx.Response.OutputStream.WriteAsync(body);
                    }
                    else
                    {
                        ctx.Response.StatusCode = 404;
                    }

                    ctx.Response.Close();
                }
            }

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
    }
}
