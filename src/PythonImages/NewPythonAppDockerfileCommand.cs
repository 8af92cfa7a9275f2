using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PythonImages.Apps;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Writes a Dockerfile and a .dockerignore for a Python app, built on a python image.</para>
    /// <para type="description">requirements.txt is copied and installed before the rest of the app (a cached layer); a
    /// pyproject.toml is installed with pip install .; the entry point is -Script, -Module or the only top-level .py file.
    /// Existing files are replaced only with -Force. The output binds to Invoke-PythonImageBuild.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "PythonAppDockerfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = DetectSet)]
    [OutputType(typeof(PythonAppDockerfile))]
    public sealed class NewPythonAppDockerfileCommand : MatrixCmdlet
    {
        private const string DetectSet = "Detect";
        private const string ScriptSet = "Script";
        private const string ModuleSet = "Module";

        private PythonBase? pythonBase;

        /// <summary>The app folder (default: the current location).</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary>The python image's tag: 3, 3.13-slim, alpine, 3.14-windowsservercore-ltsc2025... (default 3).</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TagCompleter))]
        public string Tag { get; set; } = "3";

        /// <summary>The script that starts the app, relative to the app folder.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ScriptSet)]
        [ValidateNotNullOrEmpty]
        public string? Script { get; set; }

        /// <summary>The module that starts the app (python -m).</summary>
        [Parameter(Mandatory = true, ParameterSetName = ModuleSet)]
        [ValidateNotNullOrEmpty]
        public string? Module { get; set; }

        /// <summary>A user without administrator rights to create in the image and run the app as.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? User { get; set; }

        /// <summary>Registry prefix for the FROM image, e.g. registry.example:5000/hub (a mirror of Docker Hub).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BaseImageRegistry { get; set; }

        /// <summary>Replace an existing Dockerfile or .dockerignore.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            try
            {
                pythonBase = PythonBase.Resolve(LoadMatrix().Images, Tag, BaseImageRegistry);
            }
            catch (AppException ex)
            {
                ThrowTerminatingError(AppErrors.From(ex));
            }

            if (User != null)
            {
                string? why = AppGrammar.UserName.Why(User) ?? (User == "root" ? "root is the image's own user; -User adds one without administrator rights" : null);
                if (why != null)
                {
                    ThrowTerminatingError(AppErrors.From(new AppException(AppErrorIds.InvalidUser,
                        $"The -User value '{InputGrammar.Show(User)}' is not accepted: {why}.",
                        "Give a user name of lowercase letters, digits, '_' and '-' (at most 20 characters), e.g. -User app.", InputGrammar.Show(User))));
                }
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (var path in Path ?? new[] { SessionState.Path.CurrentFileSystemLocation.ProviderPath })
            {
                WriteApp(path);
            }
        }

        private void WriteApp(string path)
        {
            string? folder = AppErrors.FileSystemPath(this, path, out string? why);
            if (folder == null)
            {
                WriteError(AppErrors.From(new AppException(AppErrorIds.InvalidPath,
                    $"-Path '{InputGrammar.Show(path)}' is not a usable file-system path: {why}.", "Pass the folder that holds your app.", InputGrammar.Show(path))));
                return;
            }

            try
            {
                var layout = AppLayout.Inspect(folder, Script, Module);
                foreach (var skipped in layout.SkippedVirtualEnvironments)
                {
                    WriteWarning($"The virtual environment '{skipped}' in {folder} is not added to .dockerignore: its name cannot be written there safely. Rename it (e.g. .venv) or delete it before you build.");
                }

                var spec = new AppDockerfileSpec
                {
                    PythonTag = pythonBase!.Tag,
                    BaseImage = pythonBase.Reference,
                    Form = pythonBase.Form,
                    Install = layout.Install,
                    EntryPoint = layout.EntryPoint,
                    User = User,
                    ExtraIgnores = layout.VirtualEnvironments.ToList(),
                };
                var rendered = AppDockerfile.Render(spec);
                var plans = AppFiles.Plan(folder, rendered, Force.IsPresent);
                if (plans.Any(p => p.Action != AppFileAction.Unchanged)
                    && !ShouldProcess(folder, string.Join(", ", plans.Select(p => Describe(p.Action) + " " + System.IO.Path.GetFileName(p.Path))) + $" (FROM {spec.BaseImage}, CMD {AppDockerfile.ExecForm(rendered.Command)})"))
                {
                    return;
                }

                AppFiles.Commit(plans);
                foreach (var plan in plans)
                {
                    WriteVerbose($"{Describe(plan.Action)}: {plan.Path}");
                }

                WriteObject(new PythonAppDockerfile
                {
                    AppPath = folder,
                    DockerfilePath = plans.Single(p => System.IO.Path.GetFileName(p.Path) == AppDockerfile.DockerfileName).Path,
                    DockerignorePath = plans.Single(p => System.IO.Path.GetFileName(p.Path) == AppDockerfile.DockerignoreName).Path,
                    ContextPath = folder,
                    OS = pythonBase.OS.ToString(),
                    PythonTag = pythonBase.Tag,
                    BaseImage = pythonBase.Reference,
                    Install = layout.Install.ToString(),
                    Script = layout.EntryPoint.Kind == EntryPointKind.Script ? layout.EntryPoint.Value : null,
                    Module = layout.EntryPoint.Kind == EntryPointKind.Module ? layout.EntryPoint.Value : null,
                    Command = rendered.Command.ToArray(),
                    User = User,
                    DockerfileAction = Done(plans, AppDockerfile.DockerfileName),
                    DockerignoreAction = Done(plans, AppDockerfile.DockerignoreName),
                });
            }
            catch (AppException ex)
            {
                WriteError(AppErrors.From(ex));
            }
        }

        private static string Describe(AppFileAction action) => action switch
        {
            AppFileAction.Create => "Create",
            AppFileAction.Replace => "Replace",
            _ => "Keep unchanged",
        };

        private static string Done(IEnumerable<AppFilePlan> plans, string name) =>
            plans.Single(p => System.IO.Path.GetFileName(p.Path) == name).Action switch
            {
                AppFileAction.Create => "Created",
                AppFileAction.Replace => "Replaced",
                _ => "Unchanged",
            };
    }
}
