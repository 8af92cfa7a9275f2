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
        /// <summary>The images folders that hold the committed Dockerfiles (the &lt;version&gt;/&lt;variant&gt; folders); wildcards allowed.</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary>The images folders, taken literally (no wildcards); binds the PSPath of piped items (Get-Item ./images | Test-PythonDockerfile).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[]? LiteralPath { get; set; }

        /// <summary>Return only $true (all current) or $false.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        private bool allCurrent = true;
        private bool filtered;
        private readonly Dictionary<string, HashSet<string>> seen = new Dictionary<string, HashSet<string>>(System.StringComparer.Ordinal);
        private string[]? resolvedFrom;
        private List<string> roots = new List<string>();

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            _ = Options;
            if (Path != null && LiteralPath != null)
            {
                ThrowTerminatingError(Errors.Create(
                    new System.ArgumentException("Give the images folder with -Path or with -LiteralPath, not both."),
                    DockerfileErrorIds.InvalidPath,
                    null,
                    "Use -Path (wildcards) or -LiteralPath (taken as it is)."));
            }
        }

        /// <summary>The images folders of this input: -Path / -LiteralPath resolved (once, unless they come from the pipeline).</summary>
        private List<string> Roots()
        {
            var given = LiteralPath ?? Path;
            if (given == null)
            {
                ThrowTerminatingError(Errors.Create(
                    new System.ArgumentException("Test-PythonDockerfile needs the images folder: give -Path, -LiteralPath, or pipe the folder (Get-Item ./images)."),
                    DockerfileErrorIds.InvalidPath,
                    null,
                    "Pass the folder New-PythonDockerfile wrote, e.g. Test-PythonDockerfile -Path ./images."));
            }

            if (ReferenceEquals(given, resolvedFrom))
            {
                return roots;
            }

            resolvedFrom = given;
            roots = PathInputs.ImagesFolders(this, given!, LiteralPath != null);
            allCurrent &= roots.Count > 0; // nothing that exists was checked
            return roots;
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            filtered |= Version != null || Variant != null;
            var images = CurrentImages();
            foreach (var root in Roots())
            {
                if (!seen.TryGetValue(root, out var seenHere))
                {
                    seenHere = new HashSet<string>(System.StringComparer.Ordinal);
                    seen.Add(root, seenHere);
                }

                foreach (var image in images)
                {
                    seenHere.Add(image.Directory);
                    Check(root, image);
                }
            }
        }

        private void Check(string root, PythonImage image)
        {
            var rendered = TryRender(image);
            if (rendered == null)
            {
                allCurrent = false;
                return;
            }

            DockerfileCheck check;
            IReadOnlyList<string> leftovers;
            try
            {
                check = DockerfileStore.Check(root, rendered);
                leftovers = DockerfileStore.FindLeftovers(root, image.Directory);
            }
            catch (DockerfileException ex)
            {
                allCurrent = false;
                WriteError(FromDockerfile(ex, image));
                return;
            }
            catch (System.Exception ex) when (ex is System.IO.IOException || ex is System.UnauthorizedAccessException)
            {
                allCurrent = false;
                WriteError(FromIo(ex, System.IO.Path.Combine(root, image.Directory), "read"));
                return;
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

        /// <inheritdoc/>
        protected override void EndProcessing()
        {
            if (ParameterSetName == ByNameSet && !filtered)
            {
                foreach (var root in seen.Keys)
                {
                    ReportOrphans(root, seen[root]);
                }
            }

            if (Quiet)
            {
                WriteObject(allCurrent);
            }
        }

        private void ReportOrphans(string root, HashSet<string> seenHere)
        {
            System.Collections.Generic.List<string> generated;
            try
            {
                generated = System.Linq.Enumerable.ToList(DockerfileStore.FindGenerated(root));
            }
            catch (System.Exception ex) when (ex is System.IO.IOException || ex is System.UnauthorizedAccessException)
            {
                allCurrent = false;
                WriteError(FromIo(ex, root, "scan"));
                return;
            }

            foreach (var directory in generated)
            {
                if (seenHere.Contains(directory))
                {
                    continue;
                }

                allCurrent = false;
                if (!Quiet)
                {
                    string path = System.IO.Path.Combine(root, directory.Replace('/', System.IO.Path.DirectorySeparatorChar), DockerfileRenderer.FileName);
                    WriteObject(new DockerfileCheck(null, directory, path, DockerfileStatus.Orphaned, null));
                }
            }
        }
    }
}
