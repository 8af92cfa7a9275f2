using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Injection
{
    /// <summary>
    /// The injection suite of issue 9: for every field that reaches a Dockerfile, every string of <see cref="HostileCorpus"/> is
    /// either rejected with a specific ErrorId (and nothing is written), or provably inert: (a) the real engine parses the
    /// generated Dockerfile to the same number of instructions as the clean one ("Step 1/N" of the classic builder), and
    /// (b) the download step, run by the engine, passes the value to wget/gpg as one literal argument and creates no file
    /// the clean run does not (no /tmp/pwned). Windows download steps are checked with PowerShell's own parser.
    /// </summary>
    public sealed class InjectionTests : IClassFixture<EngineProbe>, IClassFixture<InjectionSession>
    {
        private const string Version = "3.13";
        private const string Variant = "slim-trixie";
        private const string Windows = "windows/windowsservercore-ltsc2025";

        private readonly EngineProbe engine;
        private readonly ModuleSession session;

        public InjectionTests(EngineProbe engine, InjectionSession session)
        {
            this.engine = engine;
            this.session = session.Session;
        }

        // ----- rendering through the cmdlets ------------------------------------------------------------------------

        private sealed class Outcome
        {
            public string? Dockerfile { get; init; }
            public ErrorRecord? Error { get; init; }
            public bool WroteNothing { get; init; }
        }

        /// <summary>New-PythonDockerfile into a fresh folder with the given parameters; the file's text, or the error.</summary>
        private Outcome Generate(IDictionary<string, object> parameters, string? version = Version, string? variant = Variant)
        {
            string root = Path.Combine(Path.GetTempPath(), "pi-h9-dockerfile-inj-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
            try
            {
                var r = session.Invoke(ps =>
                {
                    ps.AddCommand("New-PythonDockerfile").AddParameter("Path", root).AddParameter("WarningAction", "SilentlyContinue");
                    if (version != null) ps.AddParameter("Version", version);
                    if (variant != null) ps.AddParameter("Variant", variant);
                    foreach (var kv in parameters)
                    {
                        ps.AddParameter(kv.Key, kv.Value);
                    }
                });
                var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
                var error = r.AllErrors.FirstOrDefault();
                if (error != null)
                {
                    return new Outcome { Error = error, WroteNothing = files.Length == 0 && Directory.GetDirectories(root).Length == 0 };
                }

                return new Outcome { Dockerfile = File.ReadAllText(Assert.Single(files)) };
            }
            finally
            {
                Directory.Delete(root, true);
            }
        }

        private static void AssertRejected(Outcome o, string what, params string[] errorIdPrefixes)
        {
            Assert.NotNull(o.Error);
            string id = o.Error!.FullyQualifiedErrorId.Split(',')[0];
            Assert.True(errorIdPrefixes.Any(p => id.StartsWith(p, StringComparison.Ordinal)), $"{what}: rejected with {id}, expected one of {string.Join(", ", errorIdPrefixes)}: {o.Error.Exception.Message}");
            Assert.True(o.WroteNothing, what + ": something was written although the value was rejected");
        }

        private static string Env(string dockerfile, string name) =>
            Regex.Match(dockerfile, "^ENV " + name + " (\\S+)$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no ENV " + name);

        // ----- the clean references ----------------------------------------------------------------------------------

        private readonly Dictionary<string, (string Text, ProbeResult Probe)> clean = new Dictionary<string, (string, ProbeResult)>();

        private (string Text, ProbeResult Probe) Clean(string key, IDictionary<string, object> parameters, string variant = Variant)
        {
            if (!clean.TryGetValue(key, out var c))
            {
                var o = Generate(parameters, variant: variant);
                Assert.Null(o.Error);
                c = (o.Dockerfile!, engine.Probe(o.Dockerfile!));
                clean[key] = c;
            }

            return c;
        }

        /// <summary>(a) and (b) against the clean rendering: same instruction count, same files changed, no marker.</summary>
        private static void AssertSameShape(ProbeResult clean, ProbeResult hostile, string what)
        {
            Assert.True(clean.Steps == hostile.Steps, $"{what}: the engine counts {hostile.Steps} instructions, the clean Dockerfile has {clean.Steps}\n{hostile.Output}");
            Assert.DoesNotContain(hostile.Changes, c => c.Contains("pwned", StringComparison.Ordinal));
            Assert.Equal(clean.Changes.OrderBy(c => c, StringComparer.Ordinal), hostile.Changes.OrderBy(c => c, StringComparer.Ordinal));
            Assert.Equal(clean.Calls.Select(c => c.Command), hostile.Calls.Select(c => c.Command));
        }

        [DockerFact]
        public void TheProbeItselfSeesAnInjectionThatRuns()
        {
            // The probe must be able to fail: a RUN that does run a payload leaves /tmp/pwned in the diff and changes the count.
            var (text, probe) = Clean("mirror", new Dictionary<string, object> { ["SourceMirror"] = "https://m.example/clean/" });
            string injected = text.Replace("wget -O python.tar.xz ", "touch /tmp/pwned; wget -O python.tar.xz ", StringComparison.Ordinal)
                .Replace("\nCMD [\"python3\"]", "\nRUN touch /pwned\nCMD [\"python3\"]", StringComparison.Ordinal);
            var bad = engine.Probe(injected);
            Assert.True(probe.Steps + 1 == bad.Steps, bad.Output);
            Assert.True(bad.Changes.Contains("A /tmp/pwned"), string.Join("\n", bad.Changes) + "\n" + bad.Output);
            Assert.True(probe.Calls.Count >= 6, string.Join(", ", probe.Calls.Select(c => c.Command)) + "\n" + probe.Output);
            Assert.DoesNotContain(probe.Changes, c => c.Contains("pwned", StringComparison.Ordinal));
            Assert.Equal(new[] { "-O", "python.tar.xz", "https://m.example/clean/" + Env(text, "PYTHON_VERSION") + "/Python-" + Env(text, "PYTHON_VERSION") + ".tar.xz" }, probe.Args("wget"));
        }

        // ----- -SourceMirror ---------------------------------------------------------------------------------------

        [DockerTheory]
        [MemberData(nameof(HostileCorpus.Indices), MemberType = typeof(HostileCorpus))]
        public void SourceMirror(int index)
        {
            string h = HostileCorpus.Strings[index];
            string what = "-SourceMirror with " + HostileCorpus.Show(h);
            string mirror = "https://m.example/" + h + "/";
            var o = Generate(new Dictionary<string, object> { ["SourceMirror"] = mirror });
            if (o.Error != null)
            {
                AssertRejected(o, what, "Dockerfile.InvalidUri");
                return;
            }

            var (_, cleanProbe) = Clean("mirror", new Dictionary<string, object> { ["SourceMirror"] = "https://m.example/clean/" });
            var probe = engine.Probe(o.Dockerfile!);
            AssertSameShape(cleanProbe, probe, what);
            string version = Env(o.Dockerfile!, "PYTHON_VERSION");
            string tarball = mirror + version + "/Python-" + version + ".tar.xz";
            var wgets = probe.Calls.Where(c => c.Command == "wget").Select(c => c.Args).ToList();
            Assert.Equal(2, wgets.Count);
            Assert.Equal(new[] { "-O", "python.tar.xz", tarball }, wgets[0]);
            Assert.Equal(new[] { "-O", "python.tar.xz.asc", tarball + ".asc" }, wgets[1]);

            WindowsDownloadIsOneVerbatimString(mirror, what);
        }

        /// <summary>
        /// The Windows installer URL, read by PowerShell's parser: the script parses without errors into the same statements and
        /// commands as the clean one, and the URL is one single-quoted constant whose -f formatting is exactly the mirror's URL.
        /// The engine parses the Windows Dockerfile to the same number of instructions.
        /// </summary>
        private void WindowsDownloadIsOneVerbatimString(string mirror, string what)
        {
            var o = Generate(new Dictionary<string, object> { ["SourceMirror"] = mirror }, "3.14", Windows);
            Assert.Null(o.Error);
            var c = Generate(new Dictionary<string, object> { ["SourceMirror"] = "https://m.example/clean/" }, "3.14", Windows);
            var (ast, commands) = PowerShellRun(o.Dockerfile!, what);
            var (cleanAst, cleanCommands) = PowerShellRun(c.Dockerfile!, "clean");
            Assert.Equal(cleanAst.EndBlock.Statements.Count, ast.EndBlock.Statements.Count);
            Assert.Equal(cleanCommands, commands);

            var assignment = Assert.IsAssignableFrom<AssignmentStatementAst>(ast.EndBlock.Statements[0]);
            var format = assignment.Right.FindAll(a => a is StringConstantExpressionAst s && s.StringConstantType == StringConstantType.SingleQuoted, true)
                .Cast<StringConstantExpressionAst>().First();
            Assert.Empty(assignment.FindAll(a => a is SubExpressionAst || a is ExpandableStringExpressionAst || a is CommandAst, true));
            string version = Env(o.Dockerfile!, "PYTHON_VERSION");
            string expected = mirror.Replace("\"", "%22", StringComparison.Ordinal) + version + "/python-" + version + "-amd64.exe";
            Assert.Equal(expected, string.Format(System.Globalization.CultureInfo.InvariantCulture, format.Value, version, version));

            Assert.Equal(engine.Steps(c.Dockerfile!), engine.Steps(o.Dockerfile!));
        }

        /// <summary>The Windows RUN as the engine hands it to powershell -Command (continuations joined), parsed by PowerShell.</summary>
        private static (ScriptBlockAst Ast, string[] Commands) PowerShellRun(string dockerfile, string what)
        {
            var lines = dockerfile.Split('\n');
            int i = Array.FindIndex(lines, l => l.StartsWith("RUN ", StringComparison.Ordinal));
            var parts = new List<string> { lines[i].Substring(4) };
            while (parts[^1].EndsWith('\\'))
            {
                parts[^1] = parts[^1].Substring(0, parts[^1].Length - 1);
                parts.Add(lines[++i]);
            }

            var ast = Parser.ParseInput(string.Concat(parts), out _, out ParseError[] errors);
            Assert.True(errors.Length == 0, what + ": " + string.Join("; ", errors.Select(e => e.Message)));
            var commands = ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>().Select(c => c.GetCommandName() ?? "?").ToArray();
            return (ast, commands);
        }

        [DockerFact]
        public void TheIssuesPlainHttpMirrorIsInertWithTheOptIn()
        {
            string mirror = "http://m/$(touch${IFS}/tmp/pwned)/";
            var o = Generate(new Dictionary<string, object> { ["SourceMirror"] = mirror, ["AllowInsecureSource"] = true });
            Assert.Null(o.Error);
            var (_, cleanProbe) = Clean("mirror", new Dictionary<string, object> { ["SourceMirror"] = "https://m.example/clean/" });
            var probe = engine.Probe(o.Dockerfile!);
            AssertSameShape(cleanProbe, probe, "http mirror");
            string version = Env(o.Dockerfile!, "PYTHON_VERSION");
            Assert.Equal(mirror + version + "/Python-" + version + ".tar.xz", probe.Args("wget")[2]);
            Assert.Contains("echo \"$PYTHON_SHA256 *python.tar.xz\" | sha256sum -c -", o.Dockerfile!);
        }

        // ----- -KeyServer ------------------------------------------------------------------------------------------

        [DockerTheory]
        [MemberData(nameof(HostileCorpus.Indices), MemberType = typeof(HostileCorpus))]
        public void KeyServer(int index)
        {
            string h = HostileCorpus.Strings[index];
            string what = "-KeyServer with " + HostileCorpus.Show(h);
            string keyServer = "hkps://k.example/" + h;
            var o = Generate(new Dictionary<string, object> { ["KeyServer"] = keyServer });
            if (o.Error != null)
            {
                AssertRejected(o, what, "Dockerfile.InvalidUri");
                return;
            }

            var (_, cleanProbe) = Clean("keyserver", new Dictionary<string, object> { ["KeyServer"] = "hkps://k.example/clean" });
            var probe = engine.Probe(o.Dockerfile!);
            AssertSameShape(cleanProbe, probe, what);
            Assert.Equal(new[] { "--batch", "--keyserver", keyServer.TrimEnd('/'), "--recv-keys", Env(o.Dockerfile!, "GPG_KEY") }, probe.Args("gpg"));
        }

        [DockerFact]
        public void TheIssuesHkpKeyServerIsInertWithTheOptIn()
        {
            string keyServer = "hkp://k/;touch${IFS}/tmp/pwned;";
            var o = Generate(new Dictionary<string, object> { ["KeyServer"] = keyServer, ["AllowInsecureSource"] = true });
            Assert.Null(o.Error);
            var (_, cleanProbe) = Clean("keyserver", new Dictionary<string, object> { ["KeyServer"] = "hkps://k.example/clean" });
            var probe = engine.Probe(o.Dockerfile!);
            AssertSameShape(cleanProbe, probe, "hkp key server");
            Assert.Equal(keyServer, probe.Args("gpg")[2]);
        }

        // ----- -BaseImageRegistry -----------------------------------------------------------------------------------

        [DockerTheory]
        [MemberData(nameof(HostileCorpus.Indices), MemberType = typeof(HostileCorpus))]
        public void BaseImageRegistry(int index)
        {
            string h = HostileCorpus.Strings[index];
            string what = "-BaseImageRegistry with " + HostileCorpus.Show(h);
            string registry = "127.0.0.1:5000/pi-h9-dockerfile" + h;
            var o = Generate(new Dictionary<string, object> { ["BaseImageRegistry"] = registry });
            if (o.Error != null)
            {
                AssertRejected(o, what, "Dockerfile.InvalidRegistry");
                return;
            }

            // Accepted: the FROM line names exactly registry/base, and the engine counts the clean number of instructions.
            var c = Generate(new Dictionary<string, object> { ["BaseImageRegistry"] = "127.0.0.1:5000/pi-h9-dockerfile" });
            Assert.Contains("\nFROM " + registry + "/debian:trixie-slim\n", "\n" + o.Dockerfile);
            Assert.Equal(engine.StepsOnly(c.Dockerfile!), engine.StepsOnly(o.Dockerfile!));
        }

        // ----- matrix fields, through New-PythonDockerfile -MatrixPath ----------------------------------------------

        private const string CleanSha = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        private const string CleanGpg = "A035C8C19219BA821ECEA86B64E628F8D684696D";

        /// <summary>A one-version matrix (3.11, the series with setuptools and PGP) with one field replaced.</summary>
        private static string Matrix(string field, string value)
        {
            string F(string name, string cleanValue) => HostileCorpus.Yaml(name == field ? value : cleanValue);
            return "repository: " + F("repository", "https://github.com/docker-library/python") + "\n"
                + "aliases:\n  '3.11': [" + F("aliases", "3") + "]\n"
                + "versions:\n"
                + "  '3.11':\n"
                + "    version: " + F("version", "3.11.9") + "\n"
                + "    checksums:\n      source: {sha256: " + F("sha256", CleanSha) + "}\n"
                + "    setuptools: {version: " + F("setuptools", "79.0.1") + "}\n"
                + "    pip: {version: " + F("pip", "24.0") + "}\n"
                + "    gpgKey: " + F("gpgKey", CleanGpg) + "\n"
                + "    variants: [" + F("variant", "slim-trixie") + "]\n";
        }

        public static IEnumerable<object[]> MatrixCases() =>
            from field in new[] { "version", "sha256", "gpgKey", "setuptools", "pip", "variant", "repository", "aliases" }
            from i in Enumerable.Range(0, HostileCorpus.Strings.Count)
            from replace in new[] { false, true }
            select new object[] { field, i, replace };

        /// <summary>Fields the loader accepts and ignores or that never reach a Dockerfile: an accepted value must leave it unchanged.</summary>
        private static readonly HashSet<string> NotInDockerfile = new HashSet<string>(StringComparer.Ordinal) { "pip", "repository", "aliases" };

        [DockerTheory]
        [MemberData(nameof(MatrixCases))]
        public void MatrixField(string field, int index, bool replace)
        {
            string h = HostileCorpus.Strings[index];
            string what = $"matrix {field} {(replace ? "=" : "+")} {HostileCorpus.Show(h)}";
            string cleanValue = field switch
            {
                "version" => "3.11.9",
                "sha256" => CleanSha,
                "gpgKey" => CleanGpg,
                "setuptools" => "79.0.1",
                "pip" => "24.0",
                "variant" => "slim-trixie",
                "repository" => "https://github.com/docker-library/python",
                _ => "3",
            };
            string hostile = replace ? h : cleanValue + h;
            var o = GenerateFromMatrix(Matrix(field, hostile));
            if (o.Error != null)
            {
                AssertRejected(o, what, "Dockerfile.", "Matrix.");
                return;
            }

            var c = GenerateFromMatrix(Matrix("none", string.Empty));
            Assert.Null(c.Error);
            if (NotInDockerfile.Contains(field))
            {
                Assert.Equal(c.Dockerfile, o.Dockerfile);
                return;
            }

            // Accepted into the Dockerfile: it must be inert in the engine, in the download step and in the pip step.
            var cleanProbe = engine.Probe(c.Dockerfile!);
            var probe = engine.Probe(o.Dockerfile!);
            AssertSameShape(cleanProbe, probe, what);
            var pip = o.Dockerfile!.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("pip3 install ", StringComparison.Ordinal));
            var run = engine.RunStatement(pip.TrimEnd('\\', ' ', ';'), new Dictionary<string, string>());
            Assert.False(run.Pwned, what + ": the pip step created " + HostileCorpus.Marker + "\n" + run.Output);
            Assert.Single(run.Calls);
        }

        private Outcome GenerateFromMatrix(string yaml)
        {
            string file = Path.Combine(Path.GetTempPath(), "pi-h9-dockerfile-matrix-" + Guid.NewGuid().ToString("N") + ".yaml");
            File.WriteAllText(file, yaml);
            try
            {
                return Generate(new Dictionary<string, object> { ["MatrixPath"] = file }, version: null, variant: null);
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>One runspace with the module for the whole suite.</summary>
    public sealed class InjectionSession : IDisposable
    {
        public ModuleSession Session { get; } = new ModuleSession();

        public void Dispose() => Session.Dispose();
    }
}
