using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Apps
{
    /// <summary>The app tests share one Python-capable image and run one after another (the machine is small).</summary>
    [CollectionDefinition(Name)]
    public sealed class PythonImageCollection : ICollectionFixture<PythonImageFixture>
    {
        public const string Name = "h15 python image";
    }

    /// <summary>
    /// A stand-in for the python image, built once per test run: Debian's python3 and pip on debian:bookworm-slim, with
    /// python linked to python3. PyPI is out of reach here, so pip is told never to use an index: it installs from
    /// /wheels, which holds one small local package (h15greeting 1.0), and builds projects without an isolated build
    /// environment (setuptools and wheel come from Debian). Tagged under a registry prefix so that generated app
    /// Dockerfiles can name it: New-PythonAppDockerfile -Tag 3-slim -BaseImageRegistry <see cref="Registry"/> writes
    /// FROM <see cref="Reference"/>. Everything tagged with <see cref="Prefix"/> is removed at the end.
    /// </summary>
    public sealed class PythonImageFixture : IDisposable
    {
        private readonly string context;

        public PythonImageFixture()
        {
            Prefix = "h15-app-" + Guid.NewGuid().ToString("N")[..8];
            Registry = "localhost:5000/" + Prefix;
            Reference = Registry + "/python:3-slim";
            context = Path.Combine(Path.GetTempPath(), Prefix + "-base");
            if (!DockerProbe.Available)
            {
                return;
            }

            Directory.CreateDirectory(Path.Combine(context, "h15greeting", "h15greeting"));
            File.WriteAllText(Path.Combine(context, "h15greeting", "pyproject.toml"),
                "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"h15greeting\"\nversion = \"1.0\"\n");
            File.WriteAllText(Path.Combine(context, "h15greeting", "h15greeting", "__init__.py"), "def greet(name):\n    return 'hello, ' + name\n");
            string stage = Registry + "/python-stage:1";
            // One RUN (one layer) in the stage, and only what the apps need is kept: on the vfs storage driver every later layer
            // and every container of the tests copies the whole file system, so its size is what the app tests pay for. The
            // package archives and apt's caches, documentation, manual pages and translations go (nothing here reads them).
            File.WriteAllText(Path.Combine(context, "Dockerfile"), string.Join("\n", new[]
            {
                "FROM debian:bookworm-slim",
                "COPY h15greeting /tmp/h15greeting",
                "RUN set -eux; \\",
                "    apt-get update; \\",
                "    apt-get install -y --no-install-recommends python3 python3-pip python3-setuptools python3-wheel; \\",
                "    ln -s /usr/bin/python3 /usr/local/bin/python; \\",
                "    rm -f /usr/lib/python3.*/EXTERNALLY-MANAGED; \\",
                "    PIP_NO_INDEX=1 PIP_NO_BUILD_ISOLATION=0 pip wheel --no-deps -w /wheels /tmp/h15greeting; \\",
                "    rm -rf /tmp/h15greeting; \\",
                "    apt-get clean; \\",
                "    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/log/* \\",
                "        /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/*",
                string.Empty,
            }));
            Build(stage, context, "Dockerfile");

            // The debootstrap import on this machine has a root directory of mode 0700, which no later layer can change,
            // so no user but root could run anything. Copied into scratch, the file system gets a root of 0755.
            File.WriteAllText(Path.Combine(context, "Dockerfile.final"), string.Join("\n", new[]
            {
                "FROM scratch",
                "COPY --from=" + stage + " / /",
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \\",
                "    PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels PIP_NO_BUILD_ISOLATION=0 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore",
                "RUN python --version && pip --version",
                "CMD [\"python\"]",
                string.Empty,
            }));
            Build(Reference, context, "Dockerfile.final");
        }

        private static void Build(string tag, string context, string dockerfile)
        {
            var (code, output) = Docker.Run(TimeSpan.FromMinutes(20), "build", "--network", "host", "-f", Path.Combine(context, dockerfile), "-t", tag, context);
            if (code != 0)
            {
                throw new InvalidOperationException($"The stand-in python image ({tag}) did not build:\n" + output);
            }
        }

        /// <summary>h15-app-&lt;random&gt;: every image and container of this run starts with it.</summary>
        public string Prefix { get; }

        /// <summary>The -BaseImageRegistry that makes a generated FROM name <see cref="Reference"/>.</summary>
        public string Registry { get; }

        /// <summary>The stand-in python image, as FROM python:3-slim under <see cref="Registry"/>.</summary>
        public string Reference { get; }

        /// <summary>A fresh folder for one test (removed at the end of the run).</summary>
        public string Folder(string name)
        {
            string path = Path.Combine(context, "work", name + "-" + Guid.NewGuid().ToString("N")[..6]);
            Directory.CreateDirectory(path);
            return path;
        }

        public void Dispose()
        {
            if (DockerProbe.Available)
            {
                var containers = Docker.Lines("ps", "-a", "--format", "{{.Names}}").Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToArray();
                if (containers.Length > 0)
                {
                    Docker.Run(TimeSpan.FromMinutes(2), new[] { "rm", "-f" }.Concat(containers).ToArray());
                }

                var images = Docker.Lines("images", "--format", "{{.Repository}}:{{.Tag}}").Where(i => i.Contains(Prefix, StringComparison.Ordinal)).ToArray();
                if (images.Length > 0)
                {
                    Docker.Run(TimeSpan.FromMinutes(5), new[] { "rmi", "-f" }.Concat(images).ToArray());
                }
            }

            try
            {
                Directory.Delete(context, true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>The docker CLI, for arranging and checking what the module did (never for what is tested).</summary>
    internal static class Docker
    {
        public static (int Code, string Output) Run(params string[] args) => Run(TimeSpan.FromMinutes(5), args);

        public static (int Code, string Output) Run(TimeSpan timeout, params string[] args) => PythonImages.Tests.DockerCommand.Run(timeout, args);

        public static string[] Lines(params string[] args) =>
            Run(args).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public static bool ContainerExists(string name) => Run("container", "inspect", name).Code == 0;

        public static bool ImageExists(string reference) => Run("image", "inspect", reference).Code == 0;

        /// <summary>Containers whose name starts with <paramref name="prefix"/>, polled for a while (removal is asynchronous on a busy engine).</summary>
        public static string[] ContainersAfterCleanup(string prefix, int seconds = 20)
        {
            string[] left = Array.Empty<string>();
            var watch = Stopwatch.StartNew();
            do
            {
                left = Lines("ps", "-a", "--format", "{{.Names}}").Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
                if (left.Length == 0)
                {
                    break;
                }

                System.Threading.Thread.Sleep(250);
            }
            while (watch.Elapsed < TimeSpan.FromSeconds(seconds));
            return left;
        }
    }

    /// <summary>Files of a test app.</summary>
    internal static class TestApp
    {
        public static string Write(string folder, IDictionary<string, string> files)
        {
            foreach (var kv in files)
            {
                string path = Path.Combine(folder, kv.Key);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, kv.Value);
            }

            return folder;
        }
    }
}
