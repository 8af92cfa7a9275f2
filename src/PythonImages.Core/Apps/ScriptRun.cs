using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using PythonImages.Security;

namespace PythonImages.Apps
{
    /// <summary>
    /// How a one-off script runs in a container, the way the python image's documentation runs one with docker run: the
    /// folder bind-mounted at <see cref="LinuxFolder"/> (<see cref="WindowsFolder"/> for Windows containers), which is also
    /// the working directory, and <c>python &lt;script&gt; &lt;arguments&gt;</c> as an argument vector (no shell sees it,
    /// so any file name and any argument reach python as they are).
    /// </summary>
    public sealed class ScriptRun
    {
        /// <summary>Where the folder is mounted in a Linux container (the python image's documentation uses it).</summary>
        public const string LinuxFolder = "/usr/src/myapp";
        /// <summary>Where the folder is mounted in a Windows container.</summary>
        public const string WindowsFolder = "C:\\src";

        private ScriptRun(string folder, string script, string mountTarget, IReadOnlyList<string> command)
        {
            Folder = folder;
            Script = script;
            MountTarget = mountTarget;
            Command = command;
        }

        /// <summary>The host folder that is mounted (full path).</summary>
        public string Folder { get; }

        /// <summary>The script, relative to the folder ('/'-separated).</summary>
        public string Script { get; }

        /// <summary>Where the folder appears in the container; also the working directory.</summary>
        public string MountTarget { get; }

        /// <summary>python ./script args...</summary>
        public IReadOnlyList<string> Command { get; }

        /// <summary>
        /// Plans the run of <paramref name="scriptFull"/> (a full path) from <paramref name="folderFull"/>. Throws
        /// <see cref="AppException"/> with a PythonContainer.* id when the script is outside the folder, missing, not a file,
        /// or has a name that cannot be passed on (a control character), and when an argument holds a NUL.
        /// </summary>
        public static ScriptRun Plan(string folderFull, string scriptFull, IEnumerable<string>? arguments, bool windows)
        {
            var folderKind = FileProbe.KindOf(folderFull);
            if (folderKind == FileKind.Missing)
            {
                throw new AppException(PythonContainerErrorIds.PathNotFound, $"The folder {folderFull} does not exist.",
                    "Pass an existing folder with -Path (the current location by default); it is mounted into the container.", folderFull);
            }

            if (folderKind != FileKind.Directory)
            {
                throw new AppException(PythonContainerErrorIds.InvalidPath, $"{folderFull} is not a folder.",
                    "Pass the folder to mount with -Path and the script with -Script.", folderFull);
            }

            string? why = WhyNotPassable(scriptFull);
            if (why != null)
            {
                throw new AppException(PythonContainerErrorIds.InvalidScript, $"The script '{InputGrammar.Show(scriptFull)}' cannot be passed to python: {why}.",
                    "Rename the script without control characters (line breaks, tabs, escapes) and run it again.", InputGrammar.Show(scriptFull));
            }

            string? relative = AppLayout.RelativeInside(folderFull, scriptFull);
            if (relative == null)
            {
                throw new AppException(PythonContainerErrorIds.ScriptOutsidePath,
                    $"The script {scriptFull} is not inside the folder {folderFull}, which is the only folder the container sees.",
                    $"Pass the script's folder with -Path (e.g. -Path {Path.GetDirectoryName(scriptFull)}), or move the script into {folderFull}.", scriptFull);
            }

            var kind = FileProbe.KindOf(scriptFull);
            if (kind == FileKind.Missing)
            {
                throw new AppException(PythonContainerErrorIds.ScriptNotFound, $"The script {scriptFull} does not exist.",
                    "Check the name; a relative -Script is looked for in -Path first, then in the current location.", scriptFull);
            }

            if (kind != FileKind.Regular)
            {
                throw new AppException(PythonContainerErrorIds.InvalidScript, $"{scriptFull} is not a regular file, so python cannot run it.",
                    "Name the script file with -Script.", scriptFull);
            }

            var command = new List<string> { "python", InContainer(relative, windows) };
            int index = 0;
            foreach (var argument in arguments ?? Array.Empty<string>())
            {
                command.Add(CheckArgument(argument, index++));
            }

            return new ScriptRun(folderFull, relative, windows ? WindowsFolder : LinuxFolder, command);
        }

        /// <summary>
        /// The script as python is given it: relative to the working directory and always starting with ./ (or .\), so that
        /// a name starting with '-' is never read as an option.
        /// </summary>
        public static string InContainer(string relative, bool windows) => windows ? ".\\" + relative.Replace('/', '\\') : "./" + relative;

        /// <summary>An argument for the container's command: anything but NUL (an argument vector cannot hold one).</summary>
        public static string CheckArgument(string? argument, int index)
        {
            if (argument == null)
            {
                throw new AppException(PythonContainerErrorIds.InvalidArgument, $"Argument {index + 1} of -ArgumentList is null.",
                    "Pass strings to -ArgumentList (an empty string is fine).", "argument " + (index + 1).ToString(CultureInfo.InvariantCulture));
            }

            if (argument.IndexOf('\0') >= 0)
            {
                throw new AppException(PythonContainerErrorIds.InvalidArgument,
                    $"Argument {index + 1} of -ArgumentList ('{InputGrammar.Show(argument)}') contains a NUL character, which a program's arguments cannot hold.",
                    "Remove the NUL character from the argument.", InputGrammar.Show(argument));
            }

            return argument;
        }

        /// <summary>
        /// Checks -Environment: names by <see cref="AppGrammar.EnvironmentName"/>, values without NUL. The values are never
        /// shown in an error (they may be secrets).
        /// </summary>
        public static IDictionary<string, string> CheckEnvironment(IEnumerable<KeyValuePair<string, string?>> variables)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in variables)
            {
                string? why = AppGrammar.EnvironmentName.Why(kv.Key);
                if (why != null)
                {
                    throw new AppException(PythonContainerErrorIds.InvalidEnvironment,
                        $"The -Environment name '{InputGrammar.Show(kv.Key)}' is not accepted: {why}.",
                        "Name variables with letters, digits and '_' (not starting with a digit), e.g. @{ APP_MODE = 'test' }.", InputGrammar.Show(kv.Key));
                }

                if (kv.Value != null && kv.Value.IndexOf('\0') >= 0)
                {
                    throw new AppException(PythonContainerErrorIds.InvalidEnvironment,
                        $"The value of the -Environment variable {kv.Key} contains a NUL character, which an environment variable cannot hold.",
                        "Remove the NUL character from the value.", kv.Key);
                }

                if (result.ContainsKey(kv.Key))
                {
                    throw new AppException(PythonContainerErrorIds.InvalidEnvironment,
                        $"The -Environment variable {kv.Key} is given twice.", "Give each variable once.", kv.Key);
                }

                result[kv.Key] = kv.Value ?? string.Empty;
            }

            return result;
        }

        /// <summary>A default container name: recognisable, and unique enough to find a container kept with -KeepContainer.</summary>
        public static string DefaultName() => "python-run-" + Guid.NewGuid().ToString("N").Substring(0, 12);

        /// <summary>Why a path cannot be passed on as one argument (a control character, which a terminal or log would interpret), or null.</summary>
        private static string? WhyNotPassable(string path)
        {
            for (int i = 0; i < path.Length; i++)
            {
                char c = path[i];
                if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029')
                {
                    return $"its name contains the control character U+{(int)c:X4} at position {i + 1}";
                }
            }

            return null;
        }

        /// <summary>The folder, script and command in words, for -WhatIf and verbose output.</summary>
        public override string ToString() => Display(Command) + " in " + MountTarget + " (" + Folder + ")";

        /// <summary>
        /// A command as messages show it (-WhatIf, verbose, errors): each word as PowerShell would take it, so that words with
        /// spaces stay apart, and never a control character, line break or bidirectional formatting character as it is (an
        /// argument may hold anything, and a terminal or log must not interpret it): such a word is a double-quoted string
        /// with backtick escapes ("a`nb", "`e[2J", "`u{202E}").
        /// </summary>
        public static string Display(IEnumerable<string> words) => string.Join(" ", words.Select(DisplayWord));

        private static string DisplayWord(string word)
        {
            if (word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_./\\:=".IndexOf(c) >= 0))
            {
                return word;
            }

            if (!word.Any(InputGrammar.IsUnsafeToShow))
            {
                return Quoting.PowerShell(word);
            }

            var sb = new System.Text.StringBuilder(word.Length + 8).Append('"');
            foreach (char c in word)
            {
                switch (c)
                {
                    case '\0': sb.Append("`0"); break;
                    case '\a': sb.Append("`a"); break;
                    case '\b': sb.Append("`b"); break;
                    case '\t': sb.Append("`t"); break;
                    case '\n': sb.Append("`n"); break;
                    case '\v': sb.Append("`v"); break;
                    case '\f': sb.Append("`f"); break;
                    case '\r': sb.Append("`r"); break;
                    case '\u001B': sb.Append("`e"); break;
                    case '`':
                    case '"':
                    case '$':
                    case '\u201C':
                    case '\u201D':
                    case '\u201E':
                        sb.Append('`').Append(c);
                        break;
                    default:
                        if (InputGrammar.IsUnsafeToShow(c))
                        {
                            sb.Append("`u{").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('}');
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
    }
}
