using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PythonImages.Security;

namespace PythonImages.Apps
{
    /// <summary>How an app's dependencies are installed in its image.</summary>
    public enum AppInstall
    {
        /// <summary>Neither requirements.txt nor pyproject.toml: nothing to install.</summary>
        None,

        /// <summary>requirements.txt: copied alone first and installed with pip, so the layer is reused while it is unchanged.</summary>
        Requirements,

        /// <summary>pyproject.toml: the app is installed as a package (pip install .) after it is copied.</summary>
        Project,

        /// <summary>Both: requirements.txt first (cached layer), then the package itself.</summary>
        RequirementsAndProject,
    }

    /// <summary>How the app is started: a script (python ./app.py) or a module (python -m app).</summary>
    public enum EntryPointKind
    {
        /// <summary>A script run by python (python ./app.py).</summary>
        Script,
        /// <summary>A module run by python -m (python -m app).</summary>
        Module,
    }

    /// <summary>The app's entry point, already checked against its grammar.</summary>
    public sealed class AppEntryPoint
    {
        private AppEntryPoint(EntryPointKind kind, string value)
        {
            Kind = kind;
            Value = value;
        }

        /// <summary>Script or module.</summary>
        public EntryPointKind Kind { get; }

        /// <summary>The script path relative to the app folder ('/'-separated), or the module name.</summary>
        public string Value { get; }

        /// <summary>A script, relative to the app folder; the path must pass the script grammar.</summary>
        public static AppEntryPoint Script(string relativePath) =>
            new AppEntryPoint(EntryPointKind.Script, InputGrammar.Require(AppGrammar.ScriptPath, relativePath, AppErrorIds.UnsafeValue, "The script path"));

        /// <summary>A module; the name must pass the module grammar.</summary>
        public static AppEntryPoint Module(string name) =>
            new AppEntryPoint(EntryPointKind.Module, InputGrammar.Require(AppGrammar.ModuleName, name, AppErrorIds.UnsafeValue, "The module name"));

        /// <summary>The script path, or -m and the module.</summary>
        public override string ToString() => Kind == EntryPointKind.Script ? Value : "-m " + Value;
    }

    /// <summary>
    /// What New-PythonAppDockerfile finds in an app folder: how to install it, what starts it, and which virtual
    /// environments to keep out of the image. Nothing in the folder is opened or executed; only names and kinds are read.
    /// </summary>
    public sealed class AppLayout
    {
        /// <summary>The pip requirements file that is installed first (a cached layer).</summary>
        public const string RequirementsFile = "requirements.txt";
        /// <summary>The project file that makes the app a package (pip install .).</summary>
        public const string ProjectFile = "pyproject.toml";

        /// <summary>Top-level Python files that are never the app's entry point.</summary>
        private static readonly string[] NotEntryPoints = { "setup.py", "conftest.py" };

        private AppLayout(string folder, AppInstall install, AppEntryPoint entryPoint, IReadOnlyList<string> virtualEnvironments, IReadOnlyList<string> skippedVirtualEnvironments)
        {
            Folder = folder;
            Install = install;
            EntryPoint = entryPoint;
            VirtualEnvironments = virtualEnvironments;
            SkippedVirtualEnvironments = skippedVirtualEnvironments;
        }

        /// <summary>The app folder (full path).</summary>
        public string Folder { get; }

        /// <summary>How the dependencies are installed.</summary>
        public AppInstall Install { get; }

        /// <summary>What starts the app.</summary>
        public AppEntryPoint EntryPoint { get; }

        /// <summary>Top-level folders holding a pyvenv.cfg (virtual environments) whose names can be written to .dockerignore.</summary>
        public IReadOnlyList<string> VirtualEnvironments { get; }

        /// <summary>Virtual environments whose names cannot be written safely (shown with control characters escaped); the caller warns.</summary>
        public IReadOnlyList<string> SkippedVirtualEnvironments { get; }

        /// <summary>
        /// Inspects <paramref name="folder"/> (a full path). The entry point is <paramref name="script"/> (a path relative to
        /// the folder, or a full path inside it), or <paramref name="module"/>, or else the only top-level .py file (setup.py,
        /// conftest.py and hidden files do not count). Throws <see cref="AppException"/> for anything that cannot be used.
        /// </summary>
        public static AppLayout Inspect(string folder, string? script, string? module)
        {
            var kind = FileProbe.KindOf(folder);
            if (kind == FileKind.Missing)
            {
                throw new AppException(AppErrorIds.PathNotFound, $"The app folder {folder} does not exist.",
                    "Pass the folder that holds your app's .py files with -Path (the current location by default).", folder);
            }

            if (kind != FileKind.Directory)
            {
                throw new AppException(AppErrorIds.InvalidPath, $"{folder} is not a folder.",
                    "Pass the folder that holds your app's .py files with -Path, not a file in it (name the script with -Script).", folder);
            }

            bool requirements = IsPresentFile(folder, RequirementsFile);
            bool project = IsPresentFile(folder, ProjectFile);
            var install = requirements && project ? AppInstall.RequirementsAndProject
                : requirements ? AppInstall.Requirements
                : project ? AppInstall.Project
                : AppInstall.None;

            AppEntryPoint entryPoint = module != null ? ModuleEntryPoint(module)
                : script != null ? ScriptEntryPoint(folder, script)
                : DetectEntryPoint(folder);

            var (venvs, skipped) = FindVirtualEnvironments(folder);
            return new AppLayout(folder, install, entryPoint, venvs, skipped);
        }

        /// <summary>True when <paramref name="name"/> is a regular file in the folder; a folder, FIFO or device with that name is refused.</summary>
        private static bool IsPresentFile(string folder, string name)
        {
            string path = Path.Combine(folder, name);
            switch (FileProbe.KindOf(path))
            {
                case FileKind.Missing:
                    return false;
                case FileKind.Regular:
                    return true;
                default:
                    throw new AppException(AppErrorIds.NotAFile, $"{path} is not a regular file, so it cannot be installed from.",
                        $"Replace {name} with a regular file, or move it away.", path);
            }
        }

        private static AppEntryPoint ModuleEntryPoint(string module)
        {
            string? why = AppGrammar.ModuleName.Why(module);
            if (why != null)
            {
                throw new AppException(AppErrorIds.InvalidModule, $"The -Module value '{InputGrammar.Show(module)}' is not accepted: {why}.",
                    "Give the module as python -m takes it, e.g. -Module myapp or -Module myapp.server.", InputGrammar.Show(module));
            }

            return AppEntryPoint.Module(module);
        }

        /// <summary>-Script: relative to the folder (or a full path inside it), an existing regular file, and a safe name.</summary>
        private static AppEntryPoint ScriptEntryPoint(string folder, string script)
        {
            string shown = InputGrammar.Show(script);
            string? relative = RelativeInside(folder, script);
            if (relative == null)
            {
                throw new AppException(AppErrorIds.InvalidScript, $"The -Script value '{shown}' is not a file inside the app folder {folder}.",
                    "Give the script relative to the app folder (-Script app.py or -Script tools/run.py); it is copied into the image with the rest of the folder.", shown);
            }

            string? why = AppGrammar.ScriptPath.Why(relative);
            if (why != null)
            {
                throw new AppException(AppErrorIds.InvalidScript, $"The -Script value '{shown}' is not accepted: {why}.",
                    "Rename the script to letters, digits, '_', '.' and '-' ending in .py (e.g. main.py), or start the app as a module with -Module.", shown);
            }

            string full = Path.Combine(folder, relative.Replace('/', Path.DirectorySeparatorChar));
            var kind = FileProbe.KindOf(full);
            if (kind == FileKind.Missing)
            {
                throw new AppException(AppErrorIds.ScriptNotFound, $"The script {full} does not exist.",
                    "Check the name; -Script is relative to the app folder (-Path).", full);
            }

            if (kind != FileKind.Regular)
            {
                throw new AppException(AppErrorIds.NotAFile, $"The script {full} is not a regular file.",
                    "Name a .py file with -Script.", full);
            }

            return AppEntryPoint.Script(relative);
        }

        /// <summary>
        /// The path of <paramref name="path"/> relative to <paramref name="folder"/> with '/' separators, or null when it is
        /// outside (or is the folder itself). A relative path is taken relative to the folder; './' and '\' are accepted.
        /// </summary>
        public static string? RelativeInside(string folder, string path)
        {
            if (path.IndexOf('\0') >= 0)
            {
                return null;
            }

            string full;
            try
            {
                full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(folder, path));
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is System.Security.SecurityException)
            {
                return null;
            }

            return PathRules.RelativeInside(Path.GetFullPath(folder), full);
        }

        /// <summary>The only top-level .py file, or an error that lists the candidates (their names shown with control characters escaped).</summary>
        private static AppEntryPoint DetectEntryPoint(string folder)
        {
            List<string> candidates;
            try
            {
                candidates = Directory.EnumerateFiles(folder, "*", SearchOption.TopDirectoryOnly)
                    .Select(Path.GetFileName)
                    .Where(n => n.EndsWith(".py", StringComparison.Ordinal) && !n.StartsWith(".", StringComparison.Ordinal)
                        && !NotEntryPoints.Contains(n, StringComparer.Ordinal))
                    .OrderBy(n => n, StringComparer.Ordinal)
                    .ToList();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new AppException(AppErrorIds.IOError, $"The app folder {folder} cannot be read: {ex.Message}",
                    "Check that you may read the folder, or name the entry point with -Script or -Module.", folder, ex, FailureCategory.ReadError);
            }

            if (candidates.Count == 0)
            {
                throw new AppException(AppErrorIds.NoEntryPoint, $"The app folder {folder} has no top-level .py file to start the app with.",
                    "Name the entry point: -Script path/to/main.py (relative to the folder) or -Module yourpackage.", folder);
            }

            if (candidates.Count > 1)
            {
                string list = string.Join(", ", candidates.Select(c => "'" + InputGrammar.Show(c) + "'"));
                throw new AppException(AppErrorIds.AmbiguousEntryPoint,
                    $"The app folder {folder} has {candidates.Count} top-level .py files, so the entry point is ambiguous: {list}.",
                    "Choose one with -Script (e.g. -Script " + (AppGrammar.ScriptPath.IsMatch(candidates[0]) ? candidates[0] : "main.py") + "), or start a package with -Module.",
                    folder);
            }

            string only = candidates[0];
            string? why = AppGrammar.ScriptPath.Why(only);
            if (why != null)
            {
                throw new AppException(AppErrorIds.UnsafeFileName,
                    $"The only top-level .py file, '{InputGrammar.Show(only)}', cannot be named in a Dockerfile: {why}.",
                    "Rename it to letters, digits, '_', '.' and '-' ending in .py (e.g. main.py), or name another entry point with -Script or -Module.",
                    InputGrammar.Show(only));
            }

            return AppEntryPoint.Script(only);
        }

        /// <summary>Top-level folders with a pyvenv.cfg; those whose names are not plain file names are reported separately.</summary>
        private static (IReadOnlyList<string> Safe, IReadOnlyList<string> Skipped) FindVirtualEnvironments(string folder)
        {
            var safe = new List<string>();
            var skipped = new List<string>();
            IEnumerable<string> directories;
            try
            {
                directories = Directory.EnumerateDirectories(folder, "*", SearchOption.TopDirectoryOnly).ToList();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return (safe, skipped);
            }

            foreach (var directory in directories.OrderBy(d => d, StringComparer.Ordinal))
            {
                if (FileProbe.KindOf(Path.Combine(directory, "pyvenv.cfg")) != FileKind.Regular)
                {
                    continue;
                }

                string name = Path.GetFileName(directory);
                if (AppDockerfile.StandardIgnores.Contains(name, StringComparer.Ordinal))
                {
                    continue; // already ignored by name
                }

                if (InputGrammar.FileName.IsMatch(name))
                {
                    safe.Add(name);
                }
                else
                {
                    skipped.Add(InputGrammar.Show(name));
                }
            }

            return (safe, skipped);
        }
    }
}
