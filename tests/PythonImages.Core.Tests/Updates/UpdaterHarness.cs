using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using PythonImages.Tests.ReleaseFixture;
using PythonImages.Updates;
using PythonImages.Updates.Http;
using PythonImages.Updates.Sigstore;

namespace PythonImages.Tests.Updates
{
    /// <summary>What one update run did: the plan (or the request-level failure) and the file before and after.</summary>
    public sealed class UpdateRun
    {
        public UpdatePlan? Plan { get; init; }
        public UpdateException? Error { get; init; }
        public string Before { get; init; } = string.Empty;
        public string After { get; init; } = string.Empty;
        public List<UpdateEvent> Events { get; init; } = new List<UpdateEvent>();

        public IReadOnlyList<UpdateException> Failures => Error != null ? new[] { Error } : Plan!.Failures;

        public MatrixUpdateResult Result(string key) => Plan!.Results.Single(r => r.VersionKey == key);

        public bool Unchanged => Before == After;
    }

    /// <summary>Runs the updater against a <see cref="PythonOrgFixture"/> on a matrix file in a temporary folder.</summary>
    public static class UpdaterHarness
    {
        /// <summary>3.14.6's source tarball and Windows installer on the loopback python.org.</summary>
        public const string Tarball = "/ftp/python/3.14.6/Python-3.14.6.tar.xz";

        public const string Installer = "/ftp/python/3.14.6/python-3.14.6-amd64.exe";

        /// <summary>An update of the 3.14 key only.</summary>
        public static readonly UpdateRequest Only314 = new UpdateRequest { VersionKeys = new[] { "3.14" } };

        /// <summary>The bytes <paramref name="f"/> serves at <paramref name="path"/>.</summary>
        public static byte[] Get(PythonOrgFixture f, string path)
        {
            using var client = new System.Net.Http.HttpClient();
            return client.GetByteArrayAsync(new Uri(new Uri(f.PythonOrgUri), path.TrimStart('/'))).GetAwaiter().GetResult();
        }

        public static FetchOptions Fast() => new FetchOptions
        {
            AllowInsecure = true,
            Proxy = null,
            Timeout = TimeSpan.FromSeconds(10),
            Retries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(20),
        };

        public static UpdateRun Run(
            PythonOrgFixture fixture,
            string matrixText,
            UpdateRequest? request = null,
            string extension = ".yaml",
            FetchOptions? fetch = null,
            IEnumerable<SignerIdentity>? identities = null,
            bool commit = true,
            TrustedRoot? root = null)
        {
            string dir = Path.Combine(Path.GetTempPath(), "pi-i12-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, "matrix" + extension);
            File.WriteAllText(path, matrixText);
            var events = new List<UpdateEvent>();
            try
            {
                var sources = new UpdateSources
                {
                    PythonOrg = new Uri(fixture.PythonOrgUri),
                    CPythonSource = new Uri(fixture.CPythonSourceUri),
                    PyPI = new Uri(fixture.PyPIUri),
                };
                using var updater = new MatrixUpdater(sources, fetch ?? Fast(), root ?? TrustedRoot.Load(fixture.TrustedRootPath), identities, e => { lock (events) events.Add(e); });
                UpdatePlan? plan = null;
                UpdateException? error = null;
                try
                {
                    plan = updater.PlanAsync(path, request ?? new UpdateRequest(), CancellationToken.None).GetAwaiter().GetResult();
                    if (commit && plan.Succeeded)
                    {
                        plan.Commit();
                    }
                }
                catch (UpdateException ex)
                {
                    error = ex;
                }

                return new UpdateRun { Plan = plan, Error = error, Before = matrixText, After = File.ReadAllText(path), Events = events };
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        /// <summary>The standard world: 3.10 … 3.15-rc with newer releases than <see cref="Matrix"/> has for 3.14 and 3.15-rc.</summary>
        public static PythonOrgFixture World()
        {
            var f = new PythonOrgFixture();
            f.Add("3.10.19", windows: false, setuptools: "79.0.1");
            f.Add("3.10.20", windows: false, setuptools: "79.0.1");
            f.Add("3.11.15", windows: false, setuptools: "79.0.1");
            f.Add("3.12.13", windows: false);
            f.Add("3.13.14");
            f.Add("3.14.5");
            f.Add("3.14.6");
            f.Add("3.15.0b2");
            f.Add("3.15.0b3");
            return f;
        }

        /// <summary>A matrix in the embedded file's style; 3.14 and 3.15-rc one release behind the <see cref="World"/>.</summary>
        public static string Matrix(PythonOrgFixture f) => $@"# test matrix
versions:
  '3.15-rc':
    version: 3.15.0b2
    checksums:
      source: {{sha256: {Sha(f, "3.15.0b2")}}}
      windows: {{sha256: {WinSha(f, "3.15.0b2")}}}
    variants:
      - trixie
      - slim-trixie
      - alpine3.24
      - windows/windowsservercore-ltsc2025
  '3.14':
    version: 3.14.5
    checksums:
      source: {{sha256: {Sha(f, "3.14.5")}}}
      windows: {{sha256: {WinSha(f, "3.14.5")}}}
    variants:
      - trixie
      - slim-trixie
      - alpine3.24
      - windows/windowsservercore-ltsc2025
  '3.13':
    version: 3.13.14
    checksums:
      source: {{sha256: {Sha(f, "3.13.14")}}}
      windows: {{sha256: {WinSha(f, "3.13.14")}}}
    variants:
      - trixie
      - slim-trixie
      - windows/windowsservercore-ltsc2025
  '3.11':
    version: 3.11.15
    checksums:
      source: {{sha256: {Sha(f, "3.11.15")}}}
    setuptools: {{version: 79.0.1}}
    variants:
      - trixie
      - slim-trixie
";

        public static string Sha(PythonOrgFixture f, string v) => f.Releases.Single(r => r.Version == v).SourceSha256;

        public static string WinSha(PythonOrgFixture f, string v) => f.Releases.Single(r => r.Version == v).WindowsSha256!;
    }
}
