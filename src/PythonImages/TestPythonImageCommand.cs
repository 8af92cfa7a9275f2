using System;
using System.Management.Automation;
using PythonImages.Builds;
using PythonImages.Engine;
using PythonImages.ImageTests;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// <para type="synopsis">Runs the official-images tests that apply to python images against built images.</para>
    /// <para type="description">Each test runs in its own container through the Docker Engine API (created, run, output collected,
    /// removed): python-imports, python-no-pyc, python-sqlite3, python-stack-size, python-pip-requests-ssl, utc,
    /// no-hard-coded-passwords and override-cmd; Windows images run the Windows forms where they exist. Writes one result per
    /// test (Status Passed, Failed or Skipped). A failing test is a result, not an error; a warning sums up the failures.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "PythonImage", DefaultParameterSetName = InputSet)]
    [OutputType(typeof(ImageTestResult))]
    public sealed class TestPythonImageCommand : EngineCmdlet
    {
        private const string InputSet = "InputObject";
        private const string ImageSet = "Image";
        private const int ProgressId = 60;

        private ImageTestOptions? options;

        /// <summary>Build results of Invoke-PythonImageBuild (ImageId, Tags), images of Get-PythonTag/New-PythonDockerfile (Tags, under -Repository), or image names.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
        public PSObject? InputObject { get; set; }

        /// <summary>Images to test by reference (python:3.13-slim, an image id, ...).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ImageSet)]
        [ValidateNotNullOrEmpty]
        public string[] Image { get; set; } = Array.Empty<string>();

        /// <summary>Only these tests (default: all that apply); the names come from the test catalogue and complete on Tab.</summary>
        [Parameter]
        [ValidateImageTest]
        [ArgumentCompleter(typeof(ImageTestCompleter))]
        public string[]? Test { get; set; }

        /// <summary>Skip the tests that need the internet (pip install and HTTPS); they are reported as Skipped.</summary>
        [Parameter]
        public SwitchParameter Offline { get; set; }

        /// <summary>The repository that image objects' Tags belong to (default python).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Repository { get; set; } = "python";

        /// <summary>Network mode of the test containers (default: the engine's; host where bridge networking is off).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Network { get; set; }

        /// <summary>Seconds one test container may run before it is stopped and the test fails.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 300;

        /// <inheritdoc/>
        protected override EngineFailureIds EngineErrorIds => EngineFailureIds.ImageTest;

        /// <inheritdoc/>
        protected override void BeginProcessing()
        {
            // Everything that reaches the engine is checked before the first container is created.
            ValidateEngineParameters();
            if (!ImageReference.TryParse(Repository, out var repository, out string? why) || repository!.Tag != null || repository.Digest != null)
            {
                ThrowTerminatingError(Errors.Create(
                    new InputRejectedException(ImageTestErrorIds.InvalidRepository, InputGrammar.RepositoryPath, $"-Repository '{InputGrammar.Show(Repository)}'", why ?? "a repository has no tag or digest"),
                    ImageTestErrorIds.InvalidRepository,
                    Repository,
                    "Give a repository such as python or registry.example:5000/team/python (lowercase, no tag)."));
            }

            if (Network != null && EngineGrammar.Network.Why(Network) is { } whyNetwork)
            {
                ThrowTerminatingError(Errors.Create(
                    new InputRejectedException(ImageTestErrorIds.InvalidNetwork, EngineGrammar.Network, $"-Network '{InputGrammar.Show(Network)}'", whyNetwork),
                    ImageTestErrorIds.InvalidNetwork,
                    Network,
                    "Give host, bridge, none or the name of an existing network."));
            }

            options = new ImageTestOptions
            {
                Offline = Offline.IsPresent,
                NetworkMode = Network,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                InactivityTimeout = InactivityTimeout,
            };
        }

        /// <inheritdoc/>
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ImageSet)
            {
                foreach (var name in Image)
                {
                    TestOne(new ImageToTest(name, name));
                }

                return;
            }

            var image = InputObject == null ? null : ImageTestInputs.Resolve(this, InputObject);
            if (image != null)
            {
                TestOne(image.Value);
            }
        }

        private void TestOne(ImageToTest image)
        {
            if (!ImageTestInputs.Check(this, image))
            {
                return;
            }

            string display = image.Display;
            var eng = Engine;
            ImageTestTarget? target;
            try
            {
                target = RunPumped(ct => ImageTestRunner.ResolveAsync(eng, image.Reference, display, ct));
            }
            catch (EngineRequestException ex)
            {
                WriteError(EngineError(ex, display));
                return;
            }
            catch (Exception ex) when (ex is EngineStalledException || ex is EngineUnavailableException)
            {
                ThrowTerminatingError(EngineError(ex, display));
                return;
            }
            catch (Exception ex) when (!(ex is RuntimeException) && !(ex is OperationCanceledException))
            {
                WriteError(EngineError(ex, display, "Inspecting " + display));
                return;
            }

            if (target == null)
            {
                WriteError(Errors.Create(
                    new ItemNotFoundException($"No image '{image.Reference}' on the engine at {eng.Endpoint}."),
                    ImageTestErrorIds.ImageNotFound,
                    display,
                    "Build it first (New-PythonDockerfile | Invoke-PythonImageBuild), or pass the name of an existing image with -Image."));
                return;
            }

            RunSession(new ImageTestSession(eng, target, PythonImageTests.Select(Test), options!, new TestStreamWriter(this, display, ProgressId)));
        }

        /// <summary>One test per pumped run, so that results are written (and a stopped pipeline noticed) between tests.</summary>
        private void RunSession(ImageTestSession session)
        {
            try
            {
                while (session.HasNext)
                {
                    RunPumped(async ct =>
                    {
                        await session.RunNextAsync(ct).ConfigureAwait(false);
                        return true;
                    });
                }
            }
            catch (Exception ex) when (ex is EngineStalledException || ex is EngineUnavailableException)
            {
                // The engine stopped answering: every further test would wait as long. The container was removed if the
                // engine allowed it.
                WriteProgress(new ProgressRecord(ProgressId, session.Activity, "stopped") { RecordType = ProgressRecordType.Completed });
                ThrowTerminatingError(EngineError(ex, session.DisplayName));
            }
            catch (NetworkNotFoundException ex)
            {
                // Not the image's fault, and every further test (and image) would fail alike.
                WriteProgress(new ProgressRecord(ProgressId, session.Activity, "stopped") { RecordType = ProgressRecordType.Completed });
                ThrowTerminatingError(Errors.Create(ex, ImageTestErrorIds.NetworkNotFound, ex.Network, message: $"No test can run: the engine has no network '{ex.Network}' (-Network). {ex.Message}"));
            }

            session.Finish();
        }
    }
}
