using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Dockerfiles;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Writes the Dockerfile of each python image to &lt;Path&gt;/&lt;Directory&gt;/Dockerfile, as the official images build them.</para>
    /// <para type="description">Writes are atomic (temporary file, then rename), stay below -Path, and never replace a file that
    /// PythonImages did not generate unless -Force is given. -Prune removes our Dockerfiles of images that are not in the input.
    /// Outputs the images with DockerfilePath and ContextPath set, ready for Invoke-PythonImageBuild.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "PythonDockerfile", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByNameSet)]
    [OutputType(typeof(PythonImage))]
    public sealed class NewPythonDockerfileCommand : DockerfileCmdlet
    {
        /// <summary>The images root: the directory that holds 3.14/trixie/Dockerfile and so on.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Replace Dockerfiles that PythonImages did not generate (no PythonImages banner).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>After writing, remove our generated Dockerfiles of images not in this input (and directories this empties).</summary>
        [Parameter]
        public SwitchParameter Prune { get; set; }

        internal const string OutputTypeName = "PythonImages.PythonImage#Dockerfile";
        private const int ProgressId = 40;

        private readonly HashSet<string> keep = new HashSet<string>(StringComparer.Ordinal);
        private string? root;
        private int done;
        private int? total;
        private DelayedProgress? progress;

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            progress = new DelayedProgress(this, ProgressId, "Writing Dockerfiles");
            root = ResolveRoot(Path);
            _ = Options;
            if (ParameterSetName == ByNameSet && !MyInvocation.ExpectingInput)
            {
                total = SelectFromMatrix().Count;
            }
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (var image in CurrentImages())
            {
                keep.Add(image.Directory);
                Progress(image.Directory);
                Write(image);
                done++;
            }
        }

        private void Write(PythonImage image)
        {
            var rendered = TryRender(image);
            if (rendered == null)
            {
                return;
            }

            DockerfilePlan plan;
            try
            {
                plan = DockerfileStore.Plan(root!, rendered);
            }
            catch (DockerfileException ex)
            {
                WriteError(FromDockerfile(ex, image));
                return;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(FromIo(ex, System.IO.Path.Combine(root!, image.Directory), "read"));
                return;
            }

            if (plan.Action == DockerfileAction.Overwrite && !Force)
            {
                WriteError(FromDockerfile(DockerfileStore.NotOurs(plan.FullPath), plan.FullPath));
                return;
            }

            string action = plan.Description;
            if (plan.Action != DockerfileAction.Unchanged && !ShouldProcess(plan.FullPath, action))
            {
                return;
            }

            try
            {
                DockerfileStore.Commit(plan);
            }
            catch (DockerfileException ex)
            {
                WriteError(FromDockerfile(ex, plan.FullPath));
                return;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(FromIo(ex, plan.FullPath, "write"));
                return;
            }

            foreach (string leftover in plan.RemovedLeftovers)
            {
                WriteVerbose($"Removed leftover temporary file {leftover} (an interrupted earlier write)");
            }

            WriteVerbose($"{action}: {plan.FullPath}");
            var result = image.Clone();
            result.DockerfilePath = plan.FullPath;
            result.ContextPath = plan.ContextPath;
            var output = new PSObject(result);
            output.TypeNames.Insert(0, OutputTypeName);
            output.Properties.Add(new PSNoteProperty("DockerfileAction", plan.Outcome));
            WriteObject(output);
        }

        private void Progress(string directory) => progress!.Write(
            directory,
            total.HasValue && total.Value > 0 ? Math.Min(100, done * 100 / total.Value) : -1,
            $"{done} written" + (total.HasValue ? $" of {total.Value}" : string.Empty));

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            if (Prune)
            {
                PruneStale();
            }

            progress?.Complete();
        }

        private void PruneStale()
        {
            if (keep.Count == 0)
            {
                WriteWarning("-Prune did nothing: no image was given, and pruning against an empty set would remove every generated Dockerfile.");
                return;
            }

            List<string> generated;
            try
            {
                generated = DockerfileStore.FindGenerated(root!).ToList();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(FromIo(ex, root!, "scan"));
                return;
            }

            foreach (var directory in generated.Where(d => !keep.Contains(d)))
            {
                string path = System.IO.Path.Combine(root!, directory.Replace('/', System.IO.Path.DirectorySeparatorChar), DockerfileRenderer.FileName);
                if (!ShouldProcess(path, "Remove generated Dockerfile of an image that is not in the input"))
                {
                    continue;
                }

                try
                {
                    if (DockerfileStore.DeleteGenerated(root!, directory))
                    {
                        WriteVerbose($"Removed {path}");
                    }
                }
                catch (DockerfileException ex)
                {
                    WriteError(FromDockerfile(ex, path));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    WriteError(FromIo(ex, path, "remove"));
                }
            }
        }
    }
}
