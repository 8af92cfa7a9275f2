using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PythonImages.Tests.ReleaseFixture
{
    /// <summary>One CPython release as the fixture publishes it.</summary>
    public sealed class FixtureRelease
    {
        public FixtureRelease(string version)
        {
            Version = version;
            SourceContent = ReleaseTarball.Of(version);
            SourceSha256 = Sha256(SourceContent);
            WindowsContent = InstallerImage.Of(version);
            WindowsSha256 = Sha256(WindowsContent);
            (SignerEmail, SignerIssuer) = PythonOrgFixture.ReleaseManager(version);
        }

        public string Version { get; }

        /// <summary>python.org's download directory (3.15.0 for 3.15.0b3).</summary>
        public string Directory => new string(Version.TakeWhile(c => !char.IsLetter(c)).ToArray());

        /// <summary>The sha256 the bundle signs (and the SBOM states by default): that of <see cref="SourceContent"/> unless a test lies.</summary>
        public string SourceSha256 { get; set; }

        /// <summary>The bytes served as the source tarball (a real .tar.xz of Python-VERSION/ unless a test sets others).</summary>
        public byte[] SourceContent { get; set; }

        /// <summary>The bytes served as the Windows installer (a PE image whose VERSIONINFO carries this version, unless a test sets others).</summary>
        public byte[] WindowsContent { get; set; }

        public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

        /// <summary>Serves <paramref name="content"/> as the source tarball, signed and stated with its own checksum.</summary>
        public FixtureRelease WithSource(byte[] content)
        {
            SourceContent = content;
            SourceSha256 = Sha256(content);
            return this;
        }

        /// <summary>Serves <paramref name="content"/> as the Windows installer, signed with its own checksum.</summary>
        public FixtureRelease WithWindows(byte[] content)
        {
            WindowsContent = content;
            WindowsSha256 = Sha256(content);
            return this;
        }

        /// <summary>Null: no Windows installer.</summary>
        public string? WindowsSha256 { get; set; }

        /// <summary>The _SETUPTOOLS_VERSION of ensurepip at this tag (null: none).</summary>
        public string? Setuptools { get; set; }

        public bool SourceTarball { get; set; } = true;
        public bool SourceBundle { get; set; } = true;
        public bool WindowsBundle { get; set; } = true;
        public bool SourceSbom { get; set; } = true;
        public bool WindowsSbom { get; set; }
        public bool Ensurepip { get; set; } = true;

        /// <summary>The sha256 the SBOM states for the source tarball (default: the real one).</summary>
        public string? SbomSourceSha256 { get; set; }

        public BundleFlaw SourceFlaw { get; set; }
        public BundleFlaw WindowsFlaw { get; set; }
        public string SignerEmail { get; set; }
        public string SignerIssuer { get; set; }

        public string SourceFile => "Python-" + Version + ".tar.xz";
        public string WindowsFile => "python-" + Version + "-amd64.exe";
    }

    /// <summary>
    /// python.org, GitHub's raw CPython sources and PyPI's JSON API on one loopback server: FTP-style directory indexes
    /// under /ftp/python/, release files with .sigstore bundles (signed by a <see cref="TestSigstore"/>) and .spdx.json
    /// SBOMs, /cpython/v&lt;version&gt;/Lib/ensurepip/__init__.py and /pypi/setuptools/&lt;version&gt;/json. Any path can be
    /// overridden to inject faults.
    /// </summary>
    public sealed class PythonOrgFixture : IDisposable
    {
        private readonly ConcurrentDictionary<string, byte[]> bundles = new ConcurrentDictionary<string, byte[]>();
        private readonly string workDir = Path.Combine(Path.GetTempPath(), "pi-i12-fixture-" + Guid.NewGuid().ToString("N")[..8]);

        public PythonOrgFixture()
        {
            Sigstore = new TestSigstore();
            Server = new FixtureServer(Route);
            Directory.CreateDirectory(workDir);
            TrustedRootPath = Path.Combine(workDir, "trusted_root.json");
            File.WriteAllText(TrustedRootPath, Sigstore.TrustedRootJson());
        }

        public TestSigstore Sigstore { get; }

        public FixtureServer Server { get; }

        public string TrustedRootPath { get; }

        public List<FixtureRelease> Releases { get; } = new List<FixtureRelease>();

        /// <summary>setuptools versions PyPI knows.</summary>
        public HashSet<string> PyPISetuptools { get; } = new HashSet<string>(StringComparer.Ordinal) { "79.0.1", "65.5.0" };

        /// <summary>Extra links in the /ftp/python/ index (noise, hostile names).</summary>
        public List<string> ExtraRootLinks { get; } = new List<string> { "2.7.18/", "3.9.0/", "README.html", "../" };

        /// <summary>Path → answer, consulted before the normal routes; return null to fall through.</summary>
        public ConcurrentDictionary<string, Func<FixtureRequest, FixtureResponse?>> Overrides { get; } = new ConcurrentDictionary<string, Func<FixtureRequest, FixtureResponse?>>(StringComparer.Ordinal);

        public string PythonOrgUri => Server.BaseUrl;
        public string CPythonSourceUri => Server.BaseUrl + "cpython";
        public string PyPIUri => Server.BaseUrl + "pypi";

        public FixtureRelease Add(string version, bool windows = true, string? setuptools = null)
        {
            var r = new FixtureRelease(version) { Setuptools = setuptools };
            if (!windows)
            {
                r.WindowsSha256 = null;
            }

            Releases.RemoveAll(x => x.Version == version);
            Releases.Add(r);
            return r;
        }

        /// <summary>Requests made for a path (GET and HEAD).</summary>
        public int Count(string path) => Server.Requests.Count(r => r.Path == path);

        /// <summary>The release manager python.org names for a version's series (the fixture signs as them by default).</summary>
        public static (string Email, string Issuer) ReleaseManager(string version)
        {
            string series = string.Join(".", version.Split('.').Take(2));
            return series switch
            {
                "3.10" or "3.11" => ("pablogsal@python.org", "https://accounts.google.com"),
                "3.12" or "3.13" => ("thomas@python.org", "https://accounts.google.com"),
                "3.14" or "3.15" => ("hugo@python.org", "https://github.com/login/oauth"),
                _ => ("release-manager@python.test", "https://issuer.test"),
            };
        }

        /// <summary>Answers a 500 the first <paramref name="times"/> requests of a path, then the normal answer.</summary>
        public void FailFirst(string path, int times, int status = 500)
        {
            int seen = 0;
            Overrides[path] = _ => System.Threading.Interlocked.Increment(ref seen) <= times ? new FixtureResponse { Status = status, Body = Encoding.ASCII.GetBytes("oops") } : null;
        }

        private FixtureResponse Route(FixtureRequest request)
        {
            string path = request.Path.Split('?')[0];
            if (Overrides.TryGetValue(path, out var over) && over(request) is { } answer)
            {
                return answer;
            }

            if (path == "/ftp/python/")
            {
                return FixtureResponse.Text(Index("/ftp/python/", Releases.Select(r => r.Directory + "/").Distinct().Concat(ExtraRootLinks)));
            }

            if (path.StartsWith("/ftp/python/", StringComparison.Ordinal))
            {
                string[] parts = path["/ftp/python/".Length..].Split('/');
                string dir = parts[0];
                var inDir = Releases.Where(r => r.Directory == dir).ToList();
                if (parts.Length == 2 && parts[1].Length == 0)
                {
                    return inDir.Count == 0 ? FixtureResponse.NotFound() : FixtureResponse.Text(Index(path, inDir.SelectMany(Files)));
                }

                return parts.Length == 2 ? ReleaseFile(inDir, parts[1]) : FixtureResponse.NotFound();
            }

            if (path.StartsWith("/cpython/v", StringComparison.Ordinal) && path.EndsWith("/Lib/ensurepip/__init__.py", StringComparison.Ordinal))
            {
                string version = path["/cpython/v".Length..^"/Lib/ensurepip/__init__.py".Length];
                var r = Releases.FirstOrDefault(x => x.Version == version);
                if (r == null || !r.Ensurepip)
                {
                    return FixtureResponse.NotFound();
                }

                var sb = new StringBuilder("import collections\nimport os\n\n\n__all__ = [\"version\", \"bootstrap\"]\n");
                if (r.Setuptools != null)
                {
                    sb.Append("_SETUPTOOLS_VERSION = \"").Append(r.Setuptools).Append("\"\n");
                }

                sb.Append("_PIP_VERSION = \"25.1.1\"\n");
                return FixtureResponse.Text(sb.ToString(), "text/plain");
            }

            if (path.StartsWith("/pypi/setuptools/", StringComparison.Ordinal) && path.EndsWith("/json", StringComparison.Ordinal))
            {
                string version = path["/pypi/setuptools/".Length..^"/json".Length];
                return PyPISetuptools.Contains(version)
                    ? FixtureResponse.Text(JsonSerializer.Serialize(new { info = new { name = "setuptools", version }, urls = Array.Empty<object>() }), "application/json")
                    : FixtureResponse.NotFound();
            }

            return FixtureResponse.NotFound();
        }

        private static IEnumerable<string> Files(FixtureRelease r)
        {
            if (r.SourceTarball)
            {
                yield return r.SourceFile;
            }

            if (r.SourceBundle)
            {
                yield return r.SourceFile + ".sigstore";
            }

            if (r.SourceSbom)
            {
                yield return r.SourceFile + ".spdx.json";
            }

            if (r.WindowsSha256 != null)
            {
                yield return r.WindowsFile;
                if (r.WindowsBundle)
                {
                    yield return r.WindowsFile + ".sigstore";
                }
            }
        }

        private FixtureResponse ReleaseFile(List<FixtureRelease> inDir, string name)
        {
            foreach (var r in inDir)
            {
                if (name == r.SourceFile && r.SourceTarball)
                {
                    return new FixtureResponse { Body = r.SourceContent, ContentType = "application/x-tar" };
                }

                if (name == r.SourceFile + ".sigstore" && r.SourceBundle)
                {
                    return Bundle(name, r.SourceSha256, r, r.SourceFlaw);
                }

                if (name == r.SourceFile + ".spdx.json" && r.SourceSbom)
                {
                    return Sbom(r, r.SourceFile, r.SbomSourceSha256 ?? r.SourceSha256);
                }

                if (r.WindowsSha256 != null)
                {
                    if (name == r.WindowsFile)
                    {
                        return new FixtureResponse { Body = r.WindowsContent, ContentType = "application/octet-stream" };
                    }

                    if (name == r.WindowsFile + ".sigstore" && r.WindowsBundle)
                    {
                        return Bundle(name, r.WindowsSha256, r, r.WindowsFlaw);
                    }

                    if (name == r.WindowsFile + ".spdx.json" && r.WindowsSbom)
                    {
                        return Sbom(r, r.WindowsFile, r.WindowsSha256);
                    }
                }
            }

            return FixtureResponse.NotFound();
        }

        private FixtureResponse Bundle(string name, string sha256, FixtureRelease r, BundleFlaw flaw)
        {
            byte[] body = bundles.GetOrAdd(name + "|" + sha256 + "|" + flaw + "|" + r.SignerEmail, _ => Sigstore.Bundle(sha256, r.SignerEmail, r.SignerIssuer, flaw));
            return new FixtureResponse { Body = body, ContentType = "application/json" };
        }

        private static FixtureResponse Sbom(FixtureRelease r, string file, string sha256) =>
            FixtureResponse.Text(JsonSerializer.Serialize(new
            {
                spdxVersion = "SPDX-2.3",
                dataLicense = "CC0-1.0",
                SPDXID = "SPDXRef-DOCUMENT",
                name = file,
                packages = new object[]
                {
                    new { SPDXID = "SPDXRef-PACKAGE-expat", name = "expat", versionInfo = "2.7.1", checksums = new[] { new { algorithm = "SHA256", checksumValue = new string('0', 64) } } },
                    new
                    {
                        SPDXID = "SPDXRef-PACKAGE-cpython",
                        name = "CPython",
                        versionInfo = r.Version,
                        packageFileName = file,
                        checksums = new[] { new { algorithm = "SHA1", checksumValue = new string('1', 40) }, new { algorithm = "SHA256", checksumValue = sha256 } },
                    },
                },
            }), "application/json");

        /// <summary>An index page in the style of python.org's (nginx autoindex).</summary>
        public static string Index(string path, IEnumerable<string> links)
        {
            var sb = new StringBuilder();
            sb.Append("<html>\r\n<head><title>Index of ").Append(path).Append("</title></head>\r\n<body>\r\n<h1>Index of ").Append(path).Append("</h1><hr><pre>");
            foreach (string l in links)
            {
                sb.Append("<a href=\"").Append(l).Append("\">").Append(l).Append("</a>").Append(' ', Math.Max(1, 51 - l.Length)).Append("23-Jun-2026 10:00                   -\r\n");
            }

            sb.Append("</pre><hr></body>\r\n</html>\r\n");
            return sb.ToString();
        }

        public void Dispose()
        {
            Server.Dispose();
            Sigstore.Dispose();
            try
            {
                System.IO.Directory.Delete(workDir, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
