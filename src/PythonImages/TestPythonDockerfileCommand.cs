using System.Collections.Generic;
using System.Management.Automation;
using PythonImages.Dockerfiles;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Checks that the Dockerfiles below -Path are what New-PythonDockerfile would write now: Current, Stale (with a unified diff) or Missing;
    /// a temporary file left in an image's folder by an interrupted write is reported as Leftover (with a warning naming it).</para>
    /// <para type="description">For CI: -Quiet returns a single boolean, true when every Dockerfile is current. When the whole
    /// matrix is checked (no -Version, -Variant or pipeline input), generated Dockerfiles of images that are no longer in the
    /// matrix are reported as Orphaned.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "PythonDockerfile", DefaultParameterSetName = ByNameSet)]
    [OutputType(typeof(DockerfileCheck), typeof(bool))]
    public sealed class TestPythonDockerfileCommand : DockerfileCmdlet
    {
        /// <summary>The images root that holds the committed Dockerfiles.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>Return only $true (all current) or $false.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        private string? root;
        private bool allCurrent = true;
        private readonly System.Collections.Generic.HashSet<string> seen = new System.Collections.Generic.HashSet<string>(System.StringComparer.Ordinal);

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            root = ResolveRoot(Path);
            _ = Options;
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (var image in CurrentImages())
            {
                seen.Add(image.Directory);
                var rendered = TryRender(image);
                if (rendered == null)
                {
                    allCurrent = false;
                    continue;
                }

                DockerfileCheck check;
                IReadOnlyList<string> leftovers;
                try
                {
                    check = DockerfileStore.Check(root!, rendered);
                    leftovers = DockerfileStore.FindLeftovers(root!, image.Directory);
                }
                catch (DockerfileException ex)
                {
                    allCurrent = false;
                    WriteError(FromDockerfile(ex, image));
                    continue;
                }
                catch (System.Exception ex) when (ex is System.IO.IOException || ex is System.UnauthorizedAccessException)
                {
                    allCurrent = false;
                    WriteError(FromIo(ex, System.IO.Path.Combine(root!, image.Directory), "read"));
                    continue;
                }

                if (check.Status != DockerfileStatus.Current)
                {
                    allCurrent = false;
                }

                if (!Quiet)
                {
                    WriteObject(check);
                }

                foreach (var leftover in leftovers)
                {
                    // Every file in the folder goes into the build context: say so, whatever the Dockerfile's status.
                    allCurrent = false;
                    WriteWarning($"{leftover} is a temporary file left by an interrupted write; it would be sent with the build context of {image.Directory}. "
                        + "New-PythonDockerfile removes it the next time it writes this folder; or remove it yourself.");
                    if (!Quiet)
                    {
                        WriteObject(new DockerfileCheck(image, image.Directory, leftover, DockerfileStatus.Leftover, null));
                    }
                }
            }
        }

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            if (ParameterSetName == ByNameSet && Version == null && Variant == null && !MyInvocation.ExpectingInput)
            {
                ReportOrphans();
            }

            if (Quiet)
            {
                WriteObject(allCurrent);
            }
        }

        private void ReportOrphans()
        {
            System.Collections.Generic.List<string> generated;
            try
            {
                generated = System.Linq.Enumerable.ToList(DockerfileStore.FindGenerated(root!));
            }
            catch (System.Exception ex) when (ex is System.IO.IOException || ex is System.UnauthorizedAccessException)
            {
                allCurrent = false;
                WriteError(FromIo(ex, root!, "scan"));
                return;
            }

            foreach (var directory in generated)
            {
                if (seen.Contains(directory))
                {
                    continue;
                }

                allCurrent = false;
                if (!Quiet)
                {
                    string path = System.IO.Path.Combine(root!, directory.Replace('/', System.IO.Path.DirectorySeparatorChar), DockerfileRenderer.FileName);
                    WriteObject(new DockerfileCheck(null, directory, path, DockerfileStatus.Orphaned, null));
                }
            }
        }
    }
}
