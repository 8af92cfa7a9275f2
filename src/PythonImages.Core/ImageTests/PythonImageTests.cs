using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages.ImageTests
{
    /// <summary>The official-images tests that apply to python images, in the order the official runner lists them.</summary>
    public static class PythonImageTests
    {
        /// <summary>Imports the modules that need the image's C libraries.</summary>
        public const string PythonImports = "python-imports";
        /// <summary>No compiled bytecode is left in the image.</summary>
        public const string PythonNoPyc = "python-no-pyc";
        /// <summary>sqlite3 works.</summary>
        public const string PythonSqlite3 = "python-sqlite3";
        /// <summary>Deep recursion does not crash (thread stack size).</summary>
        public const string PythonStackSize = "python-stack-size";
        /// <summary>pip installs over TLS (needs the internet).</summary>
        public const string PythonPipRequestsSsl = "python-pip-requests-ssl";
        /// <summary>The time zone is UTC.</summary>
        public const string Utc = "utc";
        /// <summary>No account has a hard-coded or empty password.</summary>
        public const string NoHardCodedPasswords = "no-hard-coded-passwords";
        /// <summary>The image runs a command given in place of its CMD.</summary>
        public const string OverrideCmd = "override-cmd";

        /// <summary>Every test, in the order they run.</summary>
        public static IReadOnlyList<ImageTest> All { get; } = new ImageTest[]
        {
            new UtcTest(),
            new NoHardCodedPasswordsTest(),
            new OverrideCmdTest(),
            new PythonScriptTest(PythonImports, "imports curses, readline, dbm; compression round trips; setuptools/wheel iff < 3.12", false, PythonScripts.Imports),
            new NoPycTest(),
            new PythonScriptTest(PythonPipRequestsSsl, "pip install requests, then an HTTPS GET must answer 200", true, PythonScripts.PipRequestsSsl),
            new PythonScriptTest(PythonSqlite3, "in-memory sqlite3 create, insert, select, drop", false, PythonScripts.Sqlite3),
            new PythonScriptTest(PythonStackSize, "unbounded recursion in a thread ends in a caught RecursionError, not a crash", false, PythonScripts.StackSize),
        };

        /// <summary>The names of every test.</summary>
        public static IReadOnlyList<string> Names { get; } = All.Select(t => t.Name).ToArray();

        /// <summary>The test of that name (any case), or null.</summary>
        public static ImageTest? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>The tests named in <paramref name="names"/> (any case), in the order they run; every test when there are no names.</summary>
        public static IReadOnlyList<ImageTest> Select(IReadOnlyCollection<string>? names) =>
            names == null || names.Count == 0
                ? All
                : All.Where(t => names.Any(n => string.Equals(n, t.Name, StringComparison.OrdinalIgnoreCase))).ToArray();

        /// <summary>Why <paramref name="name"/> names no test (the message lists the known ones), or null when it names one.</summary>
        public static string? WhyUnknown(string? name) =>
            name != null && Find(name) != null
                ? null
                : $"'{Security.InputGrammar.Show(name)}' is not a python image test. Known tests: {string.Join(", ", Names)}.";

        /// <summary>The environment variable that carries a python test's script into the container.</summary>
        public const string ScriptVariable = "PYTHONIMAGES_TEST_SCRIPT";

        /// <summary>The line every python test script prints last when all its checks held.</summary>
        public const string OkMarker = "pythonimages-test: ok";

        /// <summary>
        /// What the container runs for a python test: a one-liner that executes the script from the environment,
        /// so that no quoting (cmd.exe, PowerShell or sh) ever touches the script text.
        /// </summary>
        public const string Bootstrap = "import os; exec(compile(os.environ['" + ScriptVariable + "'], '<pythonimages-test>', 'exec'))";
    }

    /// <summary>A python snippet run by the image's interpreter (python3 on Linux, python.exe on Windows).</summary>
    public sealed class PythonScriptTest : ImageTest
    {
        private readonly Func<ImageTestContext, string> script;

        /// <summary>A test that runs a Python script in the image.</summary>
        public PythonScriptTest(string name, string description, bool needsInternet, Func<ImageTestContext, string> script)
            : base(name, description, needsInternet, hasWindowsForm: true)
        {
            this.script = script;
        }

        /// <summary>The script for this run.</summary>
        public string Script(ImageTestContext context) => script(context);

        /// <inheritdoc/>
        public override ImageTestCommand CreateCommand(ImageTestContext context)
        {
            var cmd = new ImageTestCommand
            {
                Command = new List<string> { context.IsWindows ? "python" : "python3", "-c", PythonImageTests.Bootstrap },
                NeedsNetwork = NeedsInternet,
            };
            cmd.Environment[PythonImageTests.ScriptVariable] = Script(context);
            if (NeedsInternet)
            {
                // As the official runner sets them for pip.
                cmd.Environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1";
                cmd.Environment["PIP_NO_PYTHON_VERSION_WARNING"] = "1";
                cmd.Environment["PIP_ROOT_USER_ACTION"] = "ignore";
            }

            return cmd;
        }

        /// <inheritdoc/>
        protected override ImageTestVerdict Judge(ImageTestContext context, ImageTestRun run)
        {
            var lines = Lines(run.StdOut);
            if (run.ExitCode == 0 && lines.Length > 0 && lines[lines.Length - 1] == PythonImageTests.OkMarker)
            {
                var detail = lines.Take(lines.Length - 1).LastOrDefault();
                return ImageTestVerdict.Pass(detail ?? "ok");
            }

            if (run.ExitCode == 0)
            {
                return ImageTestVerdict.Fail("the script exited 0 without reporting success: " + LastWords(run));
            }

            return ImageTestVerdict.Fail(LastWords(run) + $" (exit code {run.ExitCode})");
        }
    }

    /// <summary>utc: the image's clock reports the UTC zone (no TZ baked in).</summary>
    public sealed class UtcTest : ImageTest
    {
        /// <summary>The utc test.</summary>
        public UtcTest()
            : base(PythonImageTests.Utc, "date +%Z prints UTC", false, hasWindowsForm: false)
        {
        }

        /// <inheritdoc/>
        public override ImageTestCommand CreateCommand(ImageTestContext context) => new ImageTestCommand
        {
            Entrypoint = new List<string> { "date" },
            Command = new List<string> { "+%Z" },
        };

        /// <inheritdoc/>
        protected override ImageTestVerdict Judge(ImageTestContext context, ImageTestRun run)
        {
            var zone = run.StdOut.Trim();
            if (run.ExitCode != 0)
            {
                return ImageTestVerdict.Fail("date failed: " + LastWords(run) + $" (exit code {run.ExitCode})");
            }

            return zone == "UTC" ? ImageTestVerdict.Pass("UTC") : ImageTestVerdict.Fail($"the time zone is '{zone}', not UTC");
        }
    }

    /// <summary>override-cmd: the image's CMD can be replaced (an ENTRYPOINT must not swallow it).</summary>
    public sealed class OverrideCmdTest : ImageTest
    {
        /// <summary>The override-cmd test.</summary>
        public OverrideCmdTest()
            : base(PythonImageTests.OverrideCmd, "the CMD can be replaced (echo; cmd /Q /S /C on Windows)", false, hasWindowsForm: true)
        {
        }

        /// <summary>The line the overriding command prints.</summary>
        public static string Expected(ImageTestContext context) => "pythonimages override-cmd " + context.Nonce;

        /// <inheritdoc/>
        public override ImageTestCommand CreateCommand(ImageTestContext context) => new ImageTestCommand
        {
            Command = context.IsWindows
                ? new List<string> { "cmd", "/Q", "/S", "/C", "echo " + Expected(context) }
                : new List<string> { "echo", Expected(context) },
        };

        /// <inheritdoc/>
        protected override ImageTestVerdict Judge(ImageTestContext context, ImageTestRun run)
        {
            var got = run.StdOut.Trim();
            if (run.ExitCode == 0 && got == Expected(context))
            {
                return ImageTestVerdict.Pass("CMD replaced");
            }

            var shown = got.Length > 80 ? got.Substring(0, 80) + "..." : got;
            return ImageTestVerdict.Fail($"running the command '{(context.IsWindows ? "cmd /Q /S /C " : string.Empty)}echo {Expected(context)}' printed '{shown}' (exit code {run.ExitCode}); is an ENTRYPOINT swallowing the command?");
        }
    }

    /// <summary>python-no-pyc: no compiled bytecode shipped under /usr/local or /opt.</summary>
    public sealed class NoPycTest : ImageTest
    {
        internal const string Script =
            "set -e; for d in /usr/local /opt; do if [ -d \"$d\" ]; then find \"$d\" \\( -name '*.pyc' -o -name '*.pyo' \\) -print; fi; done";

        /// <summary>The python-no-pyc test.</summary>
        public NoPycTest()
            : base(PythonImageTests.PythonNoPyc, "no *.pyc or *.pyo under /usr/local or /opt", false, hasWindowsForm: false)
        {
        }

        /// <inheritdoc/>
        public override ImageTestCommand CreateCommand(ImageTestContext context) => ShellScript(Script);

        /// <inheritdoc/>
        protected override ImageTestVerdict Judge(ImageTestContext context, ImageTestRun run)
        {
            if (run.ExitCode != 0)
            {
                return ImageTestVerdict.Fail("find failed: " + LastWords(run) + $" (exit code {run.ExitCode})");
            }

            var found = Lines(run.StdOut);
            if (found.Length == 0)
            {
                return ImageTestVerdict.Pass("no .pyc/.pyo files");
            }

            return ImageTestVerdict.Fail($"{found.Length} compiled file(s) found, e.g. " + string.Join(", ", found.Take(3)));
        }
    }

    /// <summary>no-hard-coded-passwords: no account in /etc/passwd or /etc/shadow has an empty or a usable password.</summary>
    public sealed class NoHardCodedPasswordsTest : ImageTest
    {
        internal const string PasswdMarker = "--- /etc/passwd";
        internal const string ShadowMarker = "--- /etc/shadow";

        internal const string Script =
            "set -e; echo '" + PasswdMarker + "'; cat /etc/passwd; if [ -e /etc/shadow ]; then echo '" + ShadowMarker + "'; cat /etc/shadow; fi";

        /// <summary>The no-hard-coded-passwords test.</summary>
        public NoHardCodedPasswordsTest()
            : base(PythonImageTests.NoHardCodedPasswords, "no empty or hard-coded password in /etc/passwd or /etc/shadow", false, hasWindowsForm: false)
        {
        }

        /// <inheritdoc/>
        public override ImageTestCommand CreateCommand(ImageTestContext context) => ShellScript(Script);

        /// <inheritdoc/>
        protected override ImageTestVerdict Judge(ImageTestContext context, ImageTestRun run)
        {
            if (run.ExitCode != 0)
            {
                return ImageTestVerdict.Fail("reading the account files failed: " + RedactOutput(LastWords(run)) + $" (exit code {run.ExitCode})");
            }

            var problems = FindProblems(run.StdOut, out int accounts);
            if (accounts == 0)
            {
                return ImageTestVerdict.Fail("no accounts found in /etc/passwd");
            }

            return problems.Count == 0
                ? ImageTestVerdict.Pass($"{accounts} accounts, none with a password")
                : ImageTestVerdict.Fail(string.Join("; ", problems));
        }

        /// <summary>Accounts with an empty or usable password in the dump of /etc/passwd (and /etc/shadow).</summary>
        public static IReadOnlyList<string> FindProblems(string dump, out int accounts)
        {
            var problems = new List<string>();
            accounts = 0;
            string? file = null;
            foreach (var line in Lines(dump))
            {
                if (line == PasswdMarker || line == ShadowMarker)
                {
                    file = line.Substring(4);
                    continue;
                }

                if (file == null || line.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = line.Split(':');
                if (fields.Length < 2)
                {
                    continue;
                }

                string user = fields[0], password = fields[1];
                if (file == "/etc/passwd")
                {
                    accounts++;
                    if (password == "x")
                    {
                        continue; // the password lives in /etc/shadow
                    }
                }

                if (password.Length == 0)
                {
                    problems.Add($"{user} has an empty password in {file}");
                }
                else if (!IsLocked(password))
                {
                    problems.Add($"{user} has a hard-coded password in {file}");
                }
            }

            return problems;
        }

        /// <summary>
        /// The dump with every password field described instead of shown (<see cref="Security.Redaction.PasswordField"/>):
        /// user names, the other fields and whether a password is empty, locked or set stay; hashes go. A line that is not
        /// an account entry (no ':') is replaced as a whole, since it could be anything.
        /// </summary>
        public override string RedactOutput(string output)
        {
            var lines = output.Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                string trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed == PasswdMarker || trimmed == ShadowMarker)
                {
                    continue;
                }

                var fields = line.Split(':');
                if (fields.Length < 2)
                {
                    lines[i] = "<line redacted>";
                    continue;
                }

                fields[1] = Security.Redaction.PasswordField(fields[1]);
                lines[i] = string.Join(":", fields);
            }

            return string.Join("\n", lines);
        }

        /// <summary>'*', '!', '!!', '!*' and '!&lt;hash&gt;' (a locked hash) cannot be used to log in.</summary>
        private static bool IsLocked(string password) => password[0] == '*' || password[0] == '!';
    }
}
