using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PythonImages.Apps;
using PythonImages.Builds;
using PythonImages.Engine;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// Invoke-PythonContainer's parameters checked and planned: every value that reaches the engine is checked here,
    /// before the engine is contacted; terminating errors with PythonContainer.* ids.
    /// </summary>
    internal sealed class ContainerRunInputs
    {
        private readonly InvokePythonContainerCommand cmdlet;
        private string? folder;
        private string? scriptFull;
        private string? tagOS; // Linux or Windows when the tag names images of one OS only (a string: no Core value type in a field)

        public ContainerRunInputs(InvokePythonContainerCommand cmdlet)
        {
            this.cmdlet = cmdlet;
        }

        /// <summary>The image to run (checked -Image, or python:&lt;tag&gt; resolved in the matrix).</summary>
        public string Image { get; private set; } = string.Empty;

        /// <summary>The container's name.</summary>
        public string Name { get; private set; } = string.Empty;

        /// <summary>The script run's plan (null with -Image alone).</summary>
        public ScriptRun? Plan { get; private set; }

        /// <summary>The container's environment (with PYTHONUNBUFFERED).</summary>
        public IDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The checked arguments.</summary>
        public string[] Arguments { get; private set; } = Array.Empty<string>();

        /// <summary>The command the container runs: the script's, the arguments, or (null) the image's CMD.</summary>
        public string[]? Command => Plan?.Command.ToArray() ?? (cmdlet.ArgumentList != null ? Arguments : null);

        /// <summary>What the run does, for ShouldProcess.</summary>
        public string Description => Plan != null ? ScriptRun.Display(Plan.Command) + $" with {Plan.Folder} mounted at {Plan.MountTarget}" : (cmdlet.ArgumentList != null ? ScriptRun.Display(Arguments) : "its CMD");

        /// <summary>Checks every parameter and plans the run.</summary>
        public void Read()
        {
            Name = cmdlet.Name ?? ScriptRun.DefaultName();
            Require(AppGrammar.ContainerName, Name, PythonContainerErrorIds.InvalidName, "-Name", "Give a name of letters, digits, '_', '.' and '-' that starts with a letter or digit, e.g. -Name my-script.");
            if (cmdlet.Network != null)
            {
                Require(EngineGrammar.Network, cmdlet.Network, PythonContainerErrorIds.InvalidNetwork, "-Network", "Give host, bridge, none or the name of an existing network.");
            }

            Arguments = Checked(() => (cmdlet.ArgumentList ?? Array.Empty<string>()).Select((a, i) => ScriptRun.CheckArgument(a, i)).ToArray());
            var pairs = (cmdlet.Environment ?? new Hashtable()).Cast<DictionaryEntry>()
                .Select(e => new KeyValuePair<string, string?>(LanguagePrimitives.ConvertTo<string>(e.Key) ?? string.Empty, EnvironmentValue(e.Value)));
            Environment = Checked(() => ScriptRun.CheckEnvironment(pairs));
            if (!Environment.ContainsKey("PYTHONUNBUFFERED"))
            {
                Environment["PYTHONUNBUFFERED"] = "1"; // lines leave python as they are printed, not when a buffer fills
            }

            ReadImage();
            if (cmdlet.Script != null)
            {
                ReadScript(cmdlet.Script);
            }
        }

        /// <summary>A terminating error when the tag's images are of another OS than the engine's; then the plan for the engine's OS.</summary>
        public void PlanFor(EngineInfo info, bool windows)
        {
            if (tagOS != null && (tagOS == "Windows") != windows)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(
                    new InvalidOperationException($"python:{cmdlet.Tag} is a {tagOS} image, but the engine at {info.Endpoint} runs {(windows ? "Windows" : "Linux")} containers."),
                    PythonContainerErrorIds.OSMismatch, cmdlet.Tag,
                    "Use a tag of the engine's OS (Get-PythonTag -OS " + (windows ? "Windows" : "Linux") + "), or point -DockerHost / DOCKER_HOST at an engine of the image's OS."));
            }

            if (scriptFull != null)
            {
                Plan = Checked(() => ScriptRun.Plan(folder!, scriptFull, Arguments, windows));
            }
        }

        /// <summary>A value of -Environment as text: a SecureString is the secret it holds (converted, it was its type name).</summary>
        private static string? EnvironmentValue(object? value)
        {
            object? bare = value is PSObject wrapped ? wrapped.BaseObject : value;
            return bare switch
            {
                null => null,
                System.Security.SecureString secure => new System.Net.NetworkCredential(string.Empty, secure).Password,
                _ => LanguagePrimitives.ConvertTo<string>(value),
            };
        }

        private void ReadImage()
        {
            if (cmdlet.Image != null)
            {
                string given = cmdlet.Image;
                if (EngineGrammar.ImageId.Why(given) != null && !ImageReference.TryParse(given, out _, out string? why))
                {
                    cmdlet.ThrowTerminatingError(Errors.Create(
                        new InputRejectedException(PythonContainerErrorIds.InvalidImage, InputGrammar.RepositoryPath, $"-Image '{InputGrammar.Show(given)}'", why!),
                        PythonContainerErrorIds.InvalidImage, InputGrammar.Show(given),
                        "Give an image reference (my-python-app, registry.example/team/app:1.0) or an image id (sha256:...)."));
                }

                Image = given;
            }
            else
            {
                var matrixImages = MatrixCache.Get(null).Images;
                var python = Checked(() => PythonBase.Resolve(matrixImages, cmdlet.Tag), PythonContainerErrorIds.InvalidTag, PythonContainerErrorIds.TagNotFound);
                Image = python.Reference;
                tagOS = python.Images.All(i => i.OS == ImageOS.Windows) ? "Windows" : python.Images.All(i => i.OS == ImageOS.Linux) ? "Linux" : null;
            }
        }

        private void ReadScript(string script)
        {
            string? path = cmdlet.Path;
            folder = path != null ? FileSystemPathOrFail(path, "-Path") : cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath;
            scriptFull = FileSystemPathOrFail(script, "-Script");
            if (path != null && !System.IO.Path.IsPathRooted(script) && !(script == "~" || script.StartsWith("~/", StringComparison.Ordinal) || script.StartsWith("~\\", StringComparison.Ordinal)))
            {
                // A relative script is looked for in the folder the container sees (its working directory) first, and only
                // then beside the current location (a path as tab completion writes it): the file in -Path wins when both
                // exist, and is the one a missing script is reported as.
                string inFolder = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, script));
                if (FileProbe.KindOf(inFolder) != FileKind.Missing || FileProbe.KindOf(scriptFull) == FileKind.Missing)
                {
                    scriptFull = inFolder;
                }
            }

            Plan = Checked(() => ScriptRun.Plan(folder, scriptFull, Arguments, windows: false));
        }

        private string FileSystemPathOrFail(string path, string parameter)
        {
            string? full = AppErrors.FileSystemPath(cmdlet, path, out string? why);
            if (full == null)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(
                    new ArgumentException($"{parameter} '{InputGrammar.Show(path)}' is not a usable file-system path: {why}."),
                    parameter == "-Path" ? PythonContainerErrorIds.InvalidPath : PythonContainerErrorIds.InvalidScript, InputGrammar.Show(path),
                    parameter == "-Path" ? "Pass the folder to mount as a file-system path." : "Pass the script as a file-system path."));
            }

            return full!;
        }

        /// <summary>Runs a domain check; its <see cref="AppException"/> becomes a terminating error (App.* ids renamed to the given PythonContainer.* ones).</summary>
        private T Checked<T>(Func<T> check, string? invalidTagId = null, string? tagNotFoundId = null)
        {
            try
            {
                return check();
            }
            catch (AppException ex)
            {
                string id = ex.ErrorId == AppErrorIds.InvalidTag && invalidTagId != null ? invalidTagId
                    : ex.ErrorId == AppErrorIds.TagNotFound && tagNotFoundId != null ? tagNotFoundId
                    : ex.ErrorId;
                cmdlet.ThrowTerminatingError(AppErrors.From(id == ex.ErrorId ? ex : new AppException(id, ex.Message, ex.RecommendedAction, ex.Target, ex.InnerException)));
                throw; // not reached
            }
        }

        private void Require(Grammar grammar, string value, string errorId, string parameter, string action)
        {
            string? why = grammar.Why(value);
            if (why != null)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(
                    new InputRejectedException(errorId, grammar, $"{parameter} '{InputGrammar.Show(value)}'", why),
                    errorId, InputGrammar.Show(value), action));
            }
        }
    }
}
