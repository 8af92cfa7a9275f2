using System.Management.Automation;
using PythonImages.Dockerfiles;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Renders the Dockerfile of each python image as text (for review and diffs); writes no file.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "PythonDockerfile", DefaultParameterSetName = ByNameSet)]
    [OutputType(typeof(RenderedDockerfile), typeof(string))]
    public sealed class GetPythonDockerfileCommand : DockerfileCmdlet
    {
        /// <summary>Emit only the Dockerfile text (one string per image).</summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        /// <inheritdoc/>
        protected override void BeginProcessing() => _ = Options;

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            foreach (var image in CurrentImages())
            {
                var rendered = TryRender(image);
                if (rendered != null)
                {
                    WriteObject(Raw ? (object)rendered.Content : rendered);
                }
            }
        }
    }
}
