using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using PythonImages.Security;

namespace PythonImages.Apps
{
    /// <summary>Which form of app Dockerfile a base image needs: how a user is added, and where the app lives.</summary>
    public enum AppForm
    {
        /// <summary>Debian (full or slim): /usr/src/app, useradd.</summary>
        Debian,

        /// <summary>Alpine: /usr/src/app, BusyBox adduser.</summary>
        Alpine,

        /// <summary>Windows Server Core: C:\src\app, PowerShell RUN lines (the image's SHELL), New-LocalUser.</summary>
        Windows,
    }

    /// <summary>Everything an app Dockerfile is made of, checked again by <see cref="AppDockerfile.Render"/> before it is written.</summary>
    public sealed class AppDockerfileSpec
    {
        /// <summary>The python image's tag (3.14-slim), for the banner.</summary>
        public string PythonTag { get; set; } = "3";

        /// <summary>The FROM reference: python:3.14-slim, or registry.example:5000/hub/python:3.14-slim.</summary>
        public string BaseImage { get; set; } = "python:3";

        /// <summary>The form of the python image: Debian, Alpine or Windows (the commands that add a user, the paths, the shell).</summary>
        public AppForm Form { get; set; }

        /// <summary>How the app's dependencies are installed (requirements.txt, pyproject.toml, both or none).</summary>
        public AppInstall Install { get; set; }

        /// <summary>What starts the app: a script or a module (required).</summary>
        public AppEntryPoint? EntryPoint { get; set; }

        /// <summary>A non-root user to create and run as; null runs as the image's user (root / ContainerAdministrator).</summary>
        public string? User { get; set; }

        /// <summary>Extra folders for .dockerignore (virtual environments found in the app folder); plain file names only.</summary>
        public IList<string> ExtraIgnores { get; set; } = new List<string>();
    }

    /// <summary>The rendered pair of files and the container command they start.</summary>
    public sealed class RenderedApp
    {
        /// <summary>The rendered files, the CMD and the working directory.</summary>
        public RenderedApp(string dockerfile, string dockerignore, IReadOnlyList<string> command, string workingDirectory)
        {
            Dockerfile = dockerfile;
            Dockerignore = dockerignore;
            Command = command;
            WorkingDirectory = workingDirectory;
        }

        /// <summary>The Dockerfile's text.</summary>
        public string Dockerfile { get; }

        /// <summary>The .dockerignore's text.</summary>
        public string Dockerignore { get; }

        /// <summary>The CMD as an argument vector (python ./app.py).</summary>
        public IReadOnlyList<string> Command { get; }

        /// <summary>Where the app lives in the image.</summary>
        public string WorkingDirectory { get; }
    }

    /// <summary>
    /// Writes the Dockerfile and .dockerignore of a Python app built on a python image. Every value is checked against its
    /// grammar here again, whatever checked it before, and written so that nothing interprets it: CMD is an exec-form JSON
    /// array (JSON-escaped), a user name in a RUN line is one quoted shell (or PowerShell) word, USER and FROM take only
    /// grammar-checked words, and .dockerignore lines are plain file names.
    /// </summary>
    public static class AppDockerfile
    {
        /// <summary>The Dockerfile's name in the app folder.</summary>
        public const string DockerfileName = "Dockerfile";
        /// <summary>The .dockerignore's name in the app folder.</summary>
        public const string DockerignoreName = ".dockerignore";
        /// <summary>Where a Linux image keeps the app (the WORKDIR).</summary>
        public const string LinuxWorkingDirectory = "/usr/src/app";
        /// <summary>Where a Windows image keeps the app (the WORKDIR).</summary>
        public const string WindowsWorkingDirectory = "C:\\src\\app";

        /// <summary>What every app's .dockerignore keeps out of the image, by section.</summary>
        private static readonly (string Comment, string[] Patterns)[] IgnoreSections =
        {
            ("Version control", new[] { ".git", ".hg", ".svn" }),
            ("Bytecode caches", new[] { "**/__pycache__", "**/*.pyc", "**/*.pyo" }),
            ("Virtual environments", new[] { ".venv", "venv" }),
            ("Caches of test and lint tools, and build metadata", new[] { ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox", "**/*.egg-info" }),
            ("Local settings and secrets: pass them to the container at run time instead", new[] { ".env" }),
        };

        /// <summary>Top-level names the standard sections already cover.</summary>
        public static IReadOnlyList<string> StandardIgnores { get; } = IgnoreSections.SelectMany(s => s.Patterns).Where(p => p.IndexOf('*') < 0).ToArray();

        /// <summary>The form a python image needs.</summary>
        public static AppForm FormOf(ImageFamily family) => family switch
        {
            ImageFamily.Alpine => AppForm.Alpine,
            ImageFamily.WindowsServerCore => AppForm.Windows,
            _ => AppForm.Debian,
        };

        /// <summary>Renders the Dockerfile and .dockerignore of <paramref name="spec"/>; every value is checked again (<see cref="AppException"/> App.UnsafeValue when one slipped through).</summary>
        public static RenderedApp Render(AppDockerfileSpec spec)
        {
            if (spec.EntryPoint == null)
            {
                throw new ArgumentException("The spec has no entry point.", nameof(spec));
            }

            CheckAgain(spec);
            bool windows = spec.Form == AppForm.Windows;
            string workdir = windows ? WindowsWorkingDirectory : LinuxWorkingDirectory;
            var command = Command(spec.EntryPoint, windows);
            var d = new Lines();

            if (windows)
            {
                // A parser directive must be the first line: with '`' as the escape character, the '\' of Windows paths is literal.
                d.Add("# escape=`");
            }

            d.Add("# The image of a Python app, written by PythonImages (New-PythonAppDockerfile, python tag " + spec.PythonTag + ").");
            d.Add("# Edit it as you need: New-PythonAppDockerfile replaces an existing Dockerfile only with -Force.");
            d.Add("FROM " + spec.BaseImage);
            d.Add(string.Empty);
            d.Add("# Log lines reach 'docker logs' as they are written, not when a buffer fills.");
            d.Add("ENV PYTHONUNBUFFERED=1");
            d.Add(string.Empty);
            d.Add("WORKDIR " + workdir);
            d.Add(string.Empty);

            if (spec.User != null)
            {
                d.Add("# The account the app runs as: not an administrator, so a compromised app cannot change the image's system files.");
                if (spec.Form != AppForm.Windows)
                {
                    d.Add("# The image's own account of that name (such as www-data) is used when it has one; the build stops if its user id or a group id is 0.");
                }
                d.Add("RUN " + AddUser(spec.Form, spec.User));
                d.Add(string.Empty);
            }

            bool requirements = spec.Install == AppInstall.Requirements || spec.Install == AppInstall.RequirementsAndProject;
            bool project = spec.Install == AppInstall.Project || spec.Install == AppInstall.RequirementsAndProject;
            if (requirements)
            {
                d.Add("# Dependencies first: this layer is built again only when requirements.txt changes.");
                d.Add("COPY " + AppLayout.RequirementsFile + " ./");
                d.Add("RUN pip install --no-cache-dir -r " + AppLayout.RequirementsFile);
                d.Add(string.Empty);
            }

            d.Add("# The app itself (.dockerignore keeps caches, virtual environments and version control out).");
            d.Add("COPY . .");
            if (project)
            {
                d.Add("RUN pip install --no-cache-dir .");
            }

            d.Add(string.Empty);
            if (spec.User != null)
            {
                d.Add("USER " + spec.User);
                d.Add(string.Empty);
            }

            d.Add("CMD " + ExecForm(command));

            return new RenderedApp(d.ToString(), Ignore(spec), command, workdir);
        }

        /// <summary>Defence in depth: every value of <paramref name="spec"/> is checked again, right before it is written.</summary>
        private static void CheckAgain(AppDockerfileSpec spec)
        {
            Check(InputGrammar.DockerTag, spec.PythonTag, "python tag");
            if (!ImageReference.TryParse(spec.BaseImage, out var reference, out string? whyBase) || reference!.Digest != null)
            {
                throw Unsafe("base image", spec.BaseImage, whyBase ?? "a digest is not expected here");
            }

            var grammar = spec.EntryPoint!.Kind == EntryPointKind.Script ? AppGrammar.ScriptPath : AppGrammar.ModuleName;
            Check(grammar, spec.EntryPoint.Value, spec.EntryPoint.Kind == EntryPointKind.Script ? "script" : "module");
            if (spec.User != null)
            {
                Check(AppGrammar.UserName, spec.User, "user");
            }

            foreach (var name in spec.ExtraIgnores)
            {
                Check(InputGrammar.FileName, name, ".dockerignore entry");
            }
        }

        /// <summary>The .dockerignore of <paramref name="spec"/>: the usual sections and the virtual environments found.</summary>
        private static string Ignore(AppDockerfileSpec spec)
        {
            var ignore = new Lines();
            ignore.Add("# What the image of this app does not need, written by PythonImages (New-PythonAppDockerfile).");
            foreach (var (comment, patterns) in IgnoreSections)
            {
                ignore.Add(string.Empty);
                ignore.Add("# " + comment);
                foreach (var p in patterns)
                {
                    ignore.Add(p);
                }
            }

            if (spec.ExtraIgnores.Count > 0)
            {
                ignore.Add(string.Empty);
                ignore.Add("# Virtual environments found in this folder");
                foreach (var name in spec.ExtraIgnores)
                {
                    ignore.Add(name);
                }
            }

            return ignore.ToString();
        }

        /// <summary>The container command: python ./app.py, python tools\run.py (Windows) or python -m app.</summary>
        public static IReadOnlyList<string> Command(AppEntryPoint entryPoint, bool windows)
        {
            if (entryPoint.Kind == EntryPointKind.Module)
            {
                return new[] { "python", "-m", entryPoint.Value };
            }

            return new[] { "python", windows ? entryPoint.Value.Replace('/', '\\') : "./" + entryPoint.Value };
        }

        /// <summary>An exec-form instruction argument: a JSON array of JSON strings.</summary>
        public static string ExecForm(IEnumerable<string> words) => "[" + string.Join(", ", words.Select(JsonString)) + "]";

        /// <summary>A JSON string literal: quotes, backslashes and every control character escaped; non-ASCII as \u escapes.</summary>
        public static string JsonString(string value)
        {
            var sb = new StringBuilder(value.Length + 2).Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"':
                        sb.Append("\\\"");
                        break;
                    case '\\':
                        sb.Append("\\\\");
                        break;
                    default:
                        if (c < 0x20 || c > 0x7E)
                        {
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            return sb.Append('"').ToString();
        }

        /// <summary>
        /// The RUN command that provides the user, the name as one quoted word of the shell that runs it. On Linux an account
        /// the image already has (www-data in both Debian and Alpine) is used as it is, unless its user id is 0 (the build
        /// stops: the app would run as root); any other name is created, in the image's group of that name when there is one
        /// (staff or users in Debian: useradd and adduser refuse to create a group that exists), else in a new group of its
        /// own. Last, the build stops when the account is in group id 0, as its primary group or another (a custom image's
        /// second name for root's group, or an account whose group is 0, as operator and halt are in some distributions):
        /// the app would have the root group's file access. Each step runs only when the one before it succeeded, so a
        /// failed useradd or adduser still fails the build. id, [, cut, grep -qxF, if/elif and case are POSIX, so Debian's
        /// dash and BusyBox's ash both run it.
        /// </summary>
        private static string AddUser(AppForm form, string user)
        {
            if (form == AppForm.Windows)
            {
                return "New-LocalUser -Name " + Quoting.PowerShell(user) + " -NoPassword | Out-Null";
            }

            string name = Quoting.PosixShell(user);
            string join = form == AppForm.Alpine
                ? "adduser -D -s /sbin/nologin -G " + name + " " + name
                : "useradd --create-home --gid " + name + " --shell /usr/sbin/nologin " + name;
            string create = form == AppForm.Alpine
                ? "adduser -D -s /sbin/nologin " + name
                : "useradd --create-home --user-group --shell /usr/sbin/nologin " + name;
            return "if ! id -u " + name + " >/dev/null 2>&1; then "
                + "if cut -d: -f1 /etc/group | grep -qxF -e " + name + "; then " + join + "; else " + create + "; fi; "
                + "elif [ \"$(id -u " + name + ")\" = 0 ]; then echo " + Quoting.PosixShell(RootAccount) + " >&2; exit 1; fi "
                + "&& gids=\"$(id -G " + name + ")\" && case \" $gids \" in *\" 0 \"*) echo " + Quoting.PosixShell(RootGroup) + " >&2; exit 1;; esac";
        }

        /// <summary>What the build says when the image's account of the -User name has user id 0.</summary>
        public const string RootAccount = "The account named by -User has user id 0 (root) in this image: give New-PythonAppDockerfile -User another name.";

        /// <summary>What the build says when the account of the -User name (the image's, or the one just added to the image's group of that name) is in group id 0.</summary>
        public const string RootGroup = "The account named by -User is in group id 0 (the root group) in this image: give New-PythonAppDockerfile -User another name.";

        private static void Check(Grammar grammar, string value, string field)
        {
            string? why = grammar.Why(value);
            if (why != null)
            {
                throw Unsafe(field, value, why);
            }
        }

        private static AppException Unsafe(string field, string value, string why) =>
            new AppException(AppErrorIds.UnsafeValue, $"The {field} '{InputGrammar.Show(value)}' cannot be written into the app's Dockerfile: {why}.",
                "Check the values passed to New-PythonAppDockerfile (-Tag, -Script, -Module, -User, -BaseImageRegistry); nothing was written.", InputGrammar.Show(value));

        /// <summary>LF-terminated lines; a line break inside a line is refused (it would start an instruction of its own).</summary>
        private sealed class Lines
        {
            private readonly StringBuilder text = new StringBuilder(1024);

            public void Add(string line)
            {
                foreach (char c in line)
                {
                    if (Quoting.IsLineBreak(c))
                    {
                        throw Unsafe("line", line, "it contains a line break");
                    }
                }

                text.Append(line).Append('\n');
            }

            public override string ToString() => text.ToString();
        }
    }
}
