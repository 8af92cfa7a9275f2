using System.Management.Automation;
using PythonImages.Dockerfiles;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Checks that the Dockerfiles below -Path are what New-PythonDockerfile would write now: Current, Stale (with a unified diff) or Missing.</para>
    /// <para type="description">For CI: -Quiet returns a single boolean, true when every Dockerfile is current.</para>
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

        protected override void BeginProcessing()
        {
            root = ResolveRoot(Path);
            _ = Options;
        }

        protected override void ProcessRecord()
        {
            foreach (var image in CurrentImages())
            {
                var rendered = TryRender(image);
                if (rendered == null)
                {
                    allCurrent = false;
                    continue;
                }

                DockerfileCheck check;
                try
                {
                    check = DockerfileStore.Check(root!, rendered);
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
            }
        }

        protected override void EndProcessing()
        {
            if (Quiet)
            {
                WriteObject(allCurrent);
            }
        }
    }
}
