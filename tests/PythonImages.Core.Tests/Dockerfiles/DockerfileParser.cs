using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace PythonImages.Tests.Dockerfiles
{
    /// <summary>One Dockerfile instruction: keyword, its continuation lines (comments dropped, trailing '\' removed) and the joined arguments.</summary>
    public sealed class Instruction
    {
        public Instruction(string keyword, IReadOnlyList<string> lines)
        {
            Keyword = keyword;
            Lines = lines;
            Arguments = string.Join(" ", lines.Select(l => l.Trim())).Trim();
        }

        public string Keyword { get; }

        /// <summary>The physical lines after the keyword, trimmed of indentation and of the continuation backslash.</summary>
        public IReadOnlyList<string> Lines { get; }

        public string Arguments { get; }

        /// <summary>The lines as shell statements: trimmed, a trailing ';' removed, empty lines dropped.</summary>
        public IReadOnlyList<string> Statements => Lines
            .Select(l => l.Trim())
            .Select(l => l.EndsWith(';') && !l.EndsWith(";;", StringComparison.Ordinal) && l != ";" ? l.Substring(0, l.Length - 1).TrimEnd() : l)
            .Where(l => l.Length > 0)
            .ToList();
    }

    /// <summary>
    /// A small Dockerfile reader (the test's own, independent of the generator): the instruction stream per the
    /// Dockerfile syntax, then the facts of the python images' RUN scripts.
    /// </summary>
    public sealed class ParsedDockerfile
    {
        public ParsedDockerfile(string text)
        {
            Text = text;
            Instructions = Tokenize(text);
        }

        public string Text { get; }

        public IReadOnlyList<Instruction> Instructions { get; }

        public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

        public string From => All("FROM").Single().Arguments;

        public IReadOnlyList<string>? Shell => All("SHELL").Select(i => JsonArray(i.Arguments)).SingleOrDefault();

        public IReadOnlyList<string> Cmd => JsonArray(All("CMD").Single().Arguments);

        public IReadOnlyList<Instruction> Runs => All("RUN").ToList();

        /// <summary>ENV pairs in file order (both the "NAME value" and the "NAME=value" forms).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Env
        {
            get
            {
                var list = new List<KeyValuePair<string, string>>();
                foreach (var env in All("ENV"))
                {
                    string a = env.Arguments;
                    int space = a.IndexOf(' ');
                    int eq = a.IndexOf('=');
                    if (eq > 0 && (space < 0 || eq < space))
                    {
                        list.Add(new KeyValuePair<string, string>(a.Substring(0, eq), a.Substring(eq + 1)));
                    }
                    else
                    {
                        list.Add(new KeyValuePair<string, string>(a.Substring(0, space), a.Substring(space + 1).Trim()));
                    }
                }

                return list;
            }
        }

        /// <summary>Lines that begin with '#' before the first instruction.</summary>
        public IReadOnlyList<string> LeadingComments => Text.Split('\n').TakeWhile(l => l.StartsWith('#')).ToList();

        private static List<Instruction> Tokenize(string text)
        {
            if (text.Contains('\r'))
            {
                throw new FormatException("CR in Dockerfile (expected LF line endings)");
            }

            var result = new List<Instruction>();
            var lines = text.Split('\n');
            int i = 0;
            while (i < lines.Length)
            {
                string line = lines[i++];
                string trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                {
                    continue;
                }

                int sp = trimmed.IndexOf(' ');
                if (sp < 0)
                {
                    throw new FormatException("instruction without arguments: " + trimmed);
                }

                string keyword = trimmed.Substring(0, sp).ToUpperInvariant();
                if (!Regex.IsMatch(keyword, "^(FROM|RUN|ENV|CMD|SHELL|COPY|ADD|WORKDIR|ARG|LABEL|ENTRYPOINT|USER|EXPOSE|VOLUME|STOPSIGNAL|HEALTHCHECK|ONBUILD)$"))
                {
                    throw new FormatException("unknown instruction: " + keyword);
                }

                var body = new List<string>();
                string current = trimmed.Substring(sp + 1);
                while (true)
                {
                    bool continued = current.EndsWith('\\');
                    body.Add(continued ? current.Substring(0, current.Length - 1).TrimEnd() : current);
                    if (!continued)
                    {
                        break;
                    }

                    // Comment lines inside a continuation are removed by Docker; blank lines are tolerated.
                    while (i < lines.Length && lines[i].Trim().StartsWith('#'))
                    {
                        i++;
                    }

                    if (i >= lines.Length)
                    {
                        throw new FormatException("continuation at end of file");
                    }

                    current = lines[i++];
                }

                result.Add(new Instruction(keyword, body));
            }

            return result;
        }

        public static IReadOnlyList<string> JsonArray(string text)
        {
            var doc = System.Text.Json.JsonDocument.Parse(text);
            return doc.RootElement.EnumerateArray().Select(e => e.GetString()!).ToList();
        }
    }

    /// <summary>The facts of a Linux python Dockerfile's RUN scripts.</summary>
    public sealed class LinuxScript
    {
        private readonly List<string> runtime;
        private readonly List<string> build;
        private readonly List<string> links;

        public LinuxScript(ParsedDockerfile file)
        {
            var runs = file.Runs;
            if (runs.Count != 3)
            {
                throw new FormatException("expected 3 RUN instructions, found " + runs.Count);
            }

            runtime = runs[0].Statements.ToList();
            build = runs[1].Statements.ToList();
            links = runs[2].Statements.ToList();
            if (runtime[0] != "set -eux" || build[0] != "set -eux")
            {
                throw new FormatException("RUN scripts must start with set -eux");
            }
        }

        public string PackageManager => runtime.Any(l => l.StartsWith("apk add", StringComparison.Ordinal)) ? "apk" : "apt";

        public IReadOnlyList<string> RuntimePackages => ListAfter(runtime, l => l.StartsWith("apt-get install", StringComparison.Ordinal) || l.StartsWith("apk add", StringComparison.Ordinal)) ?? new List<string>();

        /// <summary>The statement after the runtime install list (apt cleanup), or null.</summary>
        public string? RuntimeCleanup
        {
            get
            {
                int close = IndexAfterList(runtime, l => l.StartsWith("apt-get install", StringComparison.Ordinal));
                return close >= 0 && close + 1 < runtime.Count ? runtime[close + 1] : null;
            }
        }

        public bool RuntimeRunsAptUpdateFirst => runtime.Count > 1 && runtime[1] == "apt-get update";

        /// <summary>Build packages as install-list lines (an Alpine line may name two packages).</summary>
        public IReadOnlyList<string> BuildPackageLines => ListAfter(build, l => l.StartsWith("apt-get install", StringComparison.Ordinal) || l.StartsWith("apk add --no-cache --virtual .build-deps", StringComparison.Ordinal)) ?? new List<string>();

        public IReadOnlyList<string> BuildPackages => BuildPackageLines.SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();

        public string? BuildDepsVirtualName
        {
            get
            {
                var m = build.Select(l => Regex.Match(l, @"^apk add --no-cache --virtual (\S+)$")).FirstOrDefault(x => x.Success);
                return m?.Groups[1].Value;
            }
        }

        public bool SavesAptMark => build.Any(l => l == "savedAptMark=\"$(apt-mark showmanual)\"");

        public string? SourceUrl => Quoted(build.FirstOrDefault(l => l.StartsWith("wget -O python.tar.xz ", StringComparison.Ordinal)));

        public string? SignatureUrl => Quoted(build.FirstOrDefault(l => l.StartsWith("wget -O python.tar.xz.asc ", StringComparison.Ordinal)));

        public bool VerifiesSha256 => build.Any(l => l == "echo \"$PYTHON_SHA256 *python.tar.xz\" | sha256sum -c -");

        public bool VerifiesGpg => build.Any(l => l == "gpg --batch --verify python.tar.xz.asc python.tar.xz");

        public string? KeyServer
        {
            get
            {
                var m = build.Select(l => Regex.Match(l, "^gpg --batch --keyserver (\\S+) --recv-keys \"\\$GPG_KEY\"$")).FirstOrDefault(x => x.Success);
                return m == null ? null : ShellWord.Unquote(m.Groups[1].Value);
            }
        }

        public bool CleansGpg => build.Any(l => l == "gpgconf --kill all") && build.Any(l => l == "rm -rf \"$GNUPGHOME\" python.tar.xz.asc");

        public bool ExtractsToUsrSrcPython => build.Any(l => l == "tar --extract --directory /usr/src/python --strip-components=1 --file python.tar.xz") && build.Any(l => l == "rm python.tar.xz");

        /// <summary>Configure flags in order; a flag emitted through a CPU test is reported as (flag, skipped cpu).</summary>
        public IReadOnlyList<(string Flag, string? SkippedOnCpu)> ConfigureFlags
        {
            get
            {
                var items = ListAfter(build, l => l == "./configure") ?? throw new FormatException("no ./configure");
                var result = new List<(string, string?)>();
                foreach (var item in items)
                {
                    var v = Regex.Match(item, @"^\$(\w+)$");
                    if (!v.Success)
                    {
                        result.Add((item, null));
                        continue;
                    }

                    // A variable: its value is assigned earlier, and cleared by a case on the CPU part of gnuArch.
                    string name = v.Groups[1].Value;
                    var assign = build.Select(l => Regex.Match(l, "^" + name + "='([^']*)'$")).First(x => x.Success && x.Groups[1].Value.Length > 0);
                    var clear = build.Select(l => Regex.Match(l, "^case \"\\$\\{gnuArch%%-\\*\\}\" in ([\\w| ]+)\\) " + name + "='' ;; esac$")).Single(x => x.Success);
                    result.Add((assign.Groups[1].Value, clear.Groups[1].Value.Trim()));
                }

                return result;
            }
        }

        public bool ConfiguresInUsrSrcPython => build.IndexOf("cd /usr/src/python") >= 0 && build.IndexOf("cd /usr/src/python") < build.IndexOf("./configure");

        public bool GnuArchFromDpkgArchitecture => build.Contains("gnuArch=\"$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)\"");

        public bool JobsFromNproc => build.Contains("nproc=\"$(nproc)\"");

        /// <summary>Values assigned to a shell variable, in order (the quotes removed).</summary>
        public IReadOnlyList<string> Assignments(string name) => build
            .Select(l => Regex.Match(l, "^" + name + "=(\"(.*)\"|'(.*)')$"))
            .Where(m => m.Success)
            .Select(m => m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value)
            .ToList();

        /// <summary>The command that sets $arch for the frame-pointer switch, or null.</summary>
        public string? ArchCommand
        {
            get
            {
                string? l = build.FirstOrDefault(x => x.StartsWith("arch=", StringComparison.Ordinal));
                return l;
            }
        }

        /// <summary>Frame-pointer switch: case pattern (e.g. "amd64|arm64", "*") → flags appended to EXTRA_CFLAGS.</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>>? FramePointerCases
        {
            get
            {
                int start = build.IndexOf("case \"$arch\" in");
                if (start < 0)
                {
                    return null;
                }

                var cases = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                for (int i = start + 1; build[i] != "esac"; i++)
                {
                    var m = Regex.Match(build[i], @"^([^)]+)\)\s*(.*?)\s*;;$");
                    if (!m.Success)
                    {
                        throw new FormatException("case arm: " + build[i]);
                    }

                    string pattern = Regex.Replace(m.Groups[1].Value, @"\s+", string.Empty);
                    string body = m.Groups[2].Value;
                    var flags = new List<string>();
                    if (body.Length > 0)
                    {
                        var a = Regex.Match(body, "^EXTRA_CFLAGS=\"\\$\\{EXTRA_CFLAGS:-\\} (.*)\"$");
                        if (!a.Success)
                        {
                            throw new FormatException("case body: " + body);
                        }

                        flags.AddRange(a.Groups[1].Value.Split(' '));
                    }

                    cases[pattern] = flags;
                }

                return cases;
            }
        }

        /// <summary>The make invocations with -j "$nproc": variables (name → value) and targets, in order.</summary>
        public IReadOnlyList<MakeCall> Makes
        {
            get
            {
                var result = new List<MakeCall>();
                for (int i = 0; i < build.Count; i++)
                {
                    if (build[i] != "make -j \"$nproc\"")
                    {
                        continue;
                    }

                    var call = new MakeCall(i);
                    for (int j = i + 1; build[j] != ";"; j++)
                    {
                        var v = Regex.Match(build[j], "^\"(\\w+)=(.*)\"$");
                        if (v.Success)
                        {
                            call.Variables.Add(new KeyValuePair<string, string>(v.Groups[1].Value, v.Groups[2].Value));
                        }
                        else
                        {
                            call.Targets.Add(build[j]);
                        }
                    }

                    result.Add(call);
                }

                return result;
            }
        }

        public int IndexOf(string statement) => build.ToList().IndexOf(statement);

        /// <summary>The one make call that is not -j "$nproc" (the install).</summary>
        public string LastMakeInstall() => build.Single(l => l.StartsWith("make ", StringComparison.Ordinal) && l != "make -j \"$nproc\"");

        public bool InstallsGdbHelper =>
            build.Contains("bin=\"$(readlink -ve /usr/local/bin/python3)\"")
            && build.Contains("mkdir -p \"/usr/share/gdb/auto-load/$dir\"")
            && build.Contains("cp -vL Tools/gdb/libpython.py \"/usr/share/gdb/auto-load/$bin-gdb.py\"");

        /// <summary>The prune find: root, directory names and file patterns it deletes.</summary>
        public (string Root, IReadOnlyList<string> Dirs, IReadOnlyList<string> Files, bool DepthFirst, bool Deletes) Prune
        {
            get
            {
                int i = build.ToList().FindIndex(l => l.StartsWith("find /usr/local -depth", StringComparison.Ordinal));
                var text = string.Join(" ", build.Skip(i).TakeWhile(l => l != ";"));
                var m = Regex.Match(text, @"^find (\S+) (-depth) \\\( -type d \\\( (.*?) \\\) -o -type f \\\( (.*?) \\\) \\\) -exec rm -rf '\{\}' \+$");
                if (!m.Success)
                {
                    throw new FormatException("prune: " + text);
                }

                return (m.Groups[1].Value, Names(m.Groups[3].Value), Names(m.Groups[4].Value), true, true);

                static IReadOnlyList<string> Names(string tests) =>
                    tests.Split(new[] { " -o " }, StringSplitOptions.None).Select(t => Regex.Match(t, "^-name (.+)$").Groups[1].Value.Trim('\'')).ToList();
            }
        }

        public bool RemovesSources => build.Contains("cd /") && build.Contains("rm -rf /usr/src/python");

        public bool RunsLdconfig => build.Contains("ldconfig");

        /// <summary>The virtual package name that scanelf-found sonames are installed as, or null.</summary>
        public string? ScanelfRundeps
        {
            get
            {
                int i = build.ToList().FindIndex(l => l.StartsWith("find /usr/local -type f -executable -not -name '*tkinter*' -exec scanelf --needed", StringComparison.Ordinal));
                if (i < 0)
                {
                    return null;
                }

                var pipe = build.Skip(i).TakeWhile(l => l != ";").ToList();
                bool dropsLocal = pipe.Any(l => l.Contains("/usr/local/lib/") && l.Contains("so:"));
                var add = pipe.Select(l => Regex.Match(l, @"^\| xargs -rt apk add --no-network --virtual (\S+)$")).FirstOrDefault(x => x.Success);
                return dropsLocal && add != null ? add.Groups[1].Value : null;
            }
        }

        public bool LddDpkgAptMarkRundeps
        {
            get
            {
                int i = build.ToList().FindIndex(l => l.StartsWith("find /usr/local -type f -executable -not -name '*tkinter*' -exec ldd", StringComparison.Ordinal));
                if (i < 0)
                {
                    return false;
                }

                var pipe = build.Skip(i).TakeWhile(l => l != ";").ToList();
                return build.Contains("apt-mark auto '.*' > /dev/null")
                    && build.Any(l => l.Contains("apt-mark manual $savedAptMark"))
                    && pipe.Any(l => l.Contains("/usr/local/") && l.Contains("^/(usr/)?"))
                    && pipe.Contains("| xargs -r dpkg-query --search")
                    && pipe.Contains("| cut -d: -f1")
                    && pipe.Last() == "| xargs -r apt-mark manual";
            }
        }

        /// <summary>The purge of auto-installed packages (recommends not important; suggests may also be declared not important).</summary>
        public bool PurgesAutoRemove => PurgeIndex >= 0;

        private int PurgeIndex => build.FindIndex(l =>
            l == "apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false"
            || l == "apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false -o APT::AutoRemove::SuggestsImportant=false");

        public bool DeletesBuildDeps => build.Contains("apk del --no-network .build-deps");

        /// <summary>The apt cleanup after the purge, or null.</summary>
        public string? FinalAptCleanup
        {
            get
            {
                int i = PurgeIndex;
                return i >= 0 && i + 1 < build.Count ? build[i + 1] : null;
            }
        }

        public bool ExportsNoBytecode => build.Contains("export PYTHONDONTWRITEBYTECODE=1");

        /// <summary>pip3 install options and requirements, or null when there is no pip install.</summary>
        public (IReadOnlyList<string> Options, IReadOnlyList<string> Requirements)? PipInstall
        {
            get
            {
                string? line = build.FirstOrDefault(l => l.StartsWith("pip3 install ", StringComparison.Ordinal));
                if (line == null)
                {
                    return null;
                }

                var words = Regex.Matches(line.Substring("pip3 install ".Length), "'[^']*'|\\S+").Select(m => m.Value).ToList();
                return (words.Where(w => w.StartsWith("--", StringComparison.Ordinal)).ToList(),
                        words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).Select(w => w.Trim('\'')).ToList());
            }
        }

        public IReadOnlyList<string> VersionChecks => build.Where(l => Regex.IsMatch(l, @"^(python3|pip3) --version$")).ToList();

        /// <summary>The last statement of the build RUN.</summary>
        public string LastBuildStatement => build.Last();

        /// <summary>Links in /usr/local/bin: name → target, from the links RUN.</summary>
        public IReadOnlyDictionary<string, string> Symlinks
        {
            get
            {
                if (!links.Contains("cd /usr/local/bin") || !links.Contains("ln -svT \"$target\" \"$name\"") || !links.Contains("[ -s \"$target\" ]") || !links.Contains("[ ! -e \"$name\" ]"))
                {
                    throw new FormatException("links RUN");
                }

                var m = links.Select(l => Regex.Match(l, @"^for link in (.*); do$")).Single(x => x.Success);
                return m.Groups[1].Value.Split(' ').ToDictionary(p => p.Split(':')[0], p => p.Split(':')[1], StringComparer.Ordinal);
            }
        }

        private static string? Quoted(string? line)
        {
            if (line == null)
            {
                return null;
            }

            // The last word of the line: "…" (python.org) or '<mirror>'"…" (a mirror as a single-quoted literal).
            var m = Regex.Match(line, "((?:'[^']*'|\\\\')*\"[^\"]*\")$");
            return m.Success ? ShellWord.Unquote(m.Groups[1].Value) : null;
        }

        private static IReadOnlyList<string>? ListAfter(IReadOnlyList<string> statements, Func<string, bool> head)
        {
            int i = statements.ToList().FindIndex(l => head(l));
            if (i < 0)
            {
                return null;
            }

            var items = new List<string>();
            for (int j = i + 1; j < statements.Count && statements[j] != ";"; j++)
            {
                items.Add(statements[j]);
            }

            return items;
        }

        private static int IndexAfterList(IReadOnlyList<string> statements, Func<string, bool> head)
        {
            int i = statements.ToList().FindIndex(l => head(l));
            if (i < 0)
            {
                return -1;
            }

            int j = i + 1;
            while (j < statements.Count && statements[j] != ";") j++;
            return j;
        }
    }

    public sealed class MakeCall
    {
        public MakeCall(int index) => Index = index;

        public int Index { get; }
        public List<KeyValuePair<string, string>> Variables { get; } = new List<KeyValuePair<string, string>>();
        public List<string> Targets { get; } = new List<string>();
    }

    /// <summary>The facts of a Windows python Dockerfile's installer RUN.</summary>
    public sealed class WindowsScript
    {
        private readonly IReadOnlyList<string> s;

        public WindowsScript(ParsedDockerfile file)
        {
            s = file.Runs.Single().Statements;
        }

        /// <summary>(format as written between the quotes, '' for a quote; regex removed from PYTHON_VERSION for {0}; value for {1}).</summary>
        public (string Format, string Regex, string Arg1) InstallerUrl
        {
            get
            {
                var m = Regex.Match(s[0], @"^\$url = \('((?:[^']|'')*)' -f \(\$env:PYTHON_VERSION -replace '([^']*)', ''\), \$env:(\w+)\)$");
                if (!m.Success)
                {
                    throw new FormatException("url: " + s[0]);
                }

                return (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
            }
        }

        public bool ForcesTls12 => s.Contains("[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12");

        public string? DownloadTo
        {
            get
            {
                var m = s.Select(l => Regex.Match(l, @"^Invoke-WebRequest -Uri \$url -OutFile '([^']+)'$")).FirstOrDefault(x => x.Success);
                return m?.Groups[1].Value;
            }
        }

        public bool VerifiesSha256
        {
            get
            {
                int i = s.ToList().IndexOf("if ((Get-FileHash python.exe -Algorithm sha256).Hash -ne $env:PYTHON_SHA256) {");
                return i >= 0 && s.Skip(i).TakeWhile(l => l != "}").Contains("exit 1");
            }
        }

        public IReadOnlyList<string> InstallerArguments
        {
            get
            {
                int i = s.ToList().FindIndex(l => l == "$exitCode = (Start-Process python.exe -Wait -NoNewWindow -PassThru -ArgumentList @(");
                if (i < 0)
                {
                    throw new FormatException("no Start-Process");
                }

                var args = new List<string>();
                for (int j = i + 1; s[j] != ")).ExitCode"; j++)
                {
                    args.Add(s[j].TrimEnd(',').Trim('\''));
                }

                return args;
            }
        }

        public bool ExitsWithInstallerCode
        {
            get
            {
                int i = s.ToList().IndexOf("if ($exitCode -ne 0) {");
                if (i < 0) return false;
                var block = s.Skip(i).TakeWhile(l => l != "}").ToList();
                return block.Contains("exit $exitCode") && block.Any(l => l.Contains("Get-ChildItem $env:TEMP") && l.Contains("LastWriteTime") && l.Contains("-First 1") && l.EndsWith("Get-Content", StringComparison.Ordinal));
            }
        }

        public bool RefreshesPathFromMachine => s.Contains("$env:PATH = [Environment]::GetEnvironmentVariable('PATH', [EnvironmentVariableTarget]::Machine)");

        public IReadOnlyList<string> Removed => s.Select(l => Regex.Match(l, @"^Remove-Item (\S+) -Force$")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

        public bool SetsNoBytecode => s.Contains("$env:PYTHONDONTWRITEBYTECODE = '1'");

        public IReadOnlyList<string> Statements => s;
    }

    /// <summary>
    /// The value of one POSIX shell word made of '…' (literal), "…" and bare parts, read strictly: a bare part may only hold
    /// characters the shell gives no meaning (letters, digits, ./:%@=+,_-), a "…" part only plain text and the parameter
    /// expansions $NAME / ${NAME…} (kept as written, unexpanded, so the test sees "${PYTHON_VERSION%%[a-z]*}"). Anything
    /// the shell would interpret ($(…), `…`, ;, |, &amp;, a space outside quotes) is a <see cref="FormatException"/>.
    /// </summary>
    public static class ShellWord
    {
        private static readonly Regex Bare = new Regex(@"\A[A-Za-z0-9./:%@=+,_-]\z");
        private static readonly Regex Expansion = new Regex(@"\G\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*(?:[%#]{1,2}[^$`\\(){}""]*)?\})");

        public static string Unquote(string word)
        {
            var sb = new System.Text.StringBuilder();
            int i = 0;
            while (i < word.Length)
            {
                char c = word[i];
                if (c == '\'')
                {
                    int end = word.IndexOf('\'', i + 1);
                    if (end < 0)
                    {
                        throw new FormatException("unterminated ' in " + word);
                    }

                    sb.Append(word, i + 1, end - i - 1);
                    i = end + 1;
                }
                else if (c == '"')
                {
                    i++;
                    while (true)
                    {
                        if (i >= word.Length)
                        {
                            throw new FormatException("unterminated \" in " + word);
                        }

                        char d = word[i];
                        if (d == '"')
                        {
                            i++;
                            break;
                        }

                        if (d == '$')
                        {
                            var m = Expansion.Match(word, i);
                            if (!m.Success)
                            {
                                throw new FormatException("the shell would interpret '$' at " + i + " in " + word);
                            }

                            sb.Append(m.Value);
                            i += m.Length;
                            continue;
                        }

                        if (d == '`' || d == '\\')
                        {
                            throw new FormatException($"the shell would interpret '{d}' at {i} in {word}");
                        }

                        sb.Append(d);
                        i++;
                    }
                }
                else if (c == '\\' && i + 1 < word.Length && word[i + 1] == '\'')
                {
                    sb.Append('\'');
                    i += 2;
                }
                else if (Bare.IsMatch(c.ToString()))
                {
                    sb.Append(c);
                    i++;
                }
                else
                {
                    throw new FormatException($"the shell would interpret '{c}' at {i} in {word}");
                }
            }

            return sb.ToString();
        }
    }
}
