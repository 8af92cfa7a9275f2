using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
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

        /// <summary>Build results of Invoke-PythonImageBuild (ImageId, Tags), images of Get-PythonTag/New-PythonDockerfile (Tags, under -Repository), or image names.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
        public PSObject? InputObject { get; set; }

        /// <summary>Images to test by reference (python:3.13-slim, an image id, ...).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = ImageSet)]
        [ValidateNotNullOrEmpty]
        public string[] Image { get; set; } = Array.Empty<string>();

        /// <summary>Only these tests (default: all that apply).</summary>
        [Parameter]
        [ValidateSet("python-imports", "python-no-pyc", "python-sqlite3", "python-stack-size", "python-pip-requests-ssl", "utc", "no-hard-coded-passwords", "override-cmd")]
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

        private ImageTestOptions? options;

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
                    TestOne(name, name);
                }

                return;
            }

            var input = InputObject;
            if (input == null)
            {
                return;
            }

            switch (input.BaseObject)
            {
                case string name:
                    TestOne(name, name);
                    return;
                case PythonImage image:
                    TestPythonImage(image, input);
                    return;
            }

            var imageId = input.Properties["ImageId"]?.Value as string;
            var succeeded = input.Properties["Succeeded"]?.Value;
            var tags = Strings(input.Properties["Tags"]?.Value);
            if (succeeded is bool ok && !ok)
            {
                var source = input.Properties["Image"]?.Value as PythonImage;
                string name = (tags.Length > 0 ? tags[0] : null)
                    ?? (source != null && source.Tags.Length > 0 ? Qualify(source.Tags[0]) : null)
                    ?? input.Properties["ContextPath"]?.Value as string
                    ?? imageId
                    ?? "an image";
                WriteWarning($"Not testing {name}: its build failed.");
                return;
            }

            if (!string.IsNullOrEmpty(imageId))
            {
                string display = (tags.Length > 0 ? tags[0] : null) ?? (input.Properties["Image"]?.Value is PythonImage built && built.Tags.Length > 0 ? Qualify(built.Tags[0]) : imageId!);
                TestOne(imageId!, Qualify(display));
                return;
            }

            if (tags.Length > 0)
            {
                TestOne(Qualify(tags[0]), Qualify(tags[0]));
                return;
            }

            WriteError(Errors.Create(
                new ArgumentException($"Cannot test '{input}': pipe build results (ImageId), python images (Tags) or image names, or use -Image."),
                ImageTestErrorIds.UnsupportedInput,
                input,
                "Pipe Invoke-PythonImageBuild or Get-PythonTag output, or pass -Image <name>."));
        }

        private void TestPythonImage(PythonImage image, PSObject input)
        {
            if (image.Tags.Length == 0)
            {
                WriteError(Errors.Create(
                    new ArgumentException($"The image {image.Directory} has no tags to find it by."),
                    ImageTestErrorIds.NoTag,
                    input,
                    "Pass the image by name with -Image, or pipe the build result of Invoke-PythonImageBuild."));
                return;
            }

            var reference = Qualify(image.Tags[0]);
            TestOne(reference, reference);
        }

        /// <summary>A tag becomes repository:tag unless it already names a repository.</summary>
        private string Qualify(string tag) => tag.IndexOf(':') >= 0 || tag.IndexOf('@') >= 0 || tag.StartsWith("sha256", StringComparison.Ordinal) ? tag : Repository + ":" + tag;

        private void TestOne(string reference, string display)
        {
            // An image id, or a reference in Docker's grammar: nothing else is sent to the engine.
            if (EngineGrammar.ImageId.Why(reference) != null && !ImageReference.TryParse(reference, out _, out string? why))
            {
                WriteError(Errors.Create(
                    new InputRejectedException(ImageTestErrorIds.InvalidImage, InputGrammar.RepositoryPath, $"The image '{InputGrammar.Show(reference)}'", why!),
                    ImageTestErrorIds.InvalidImage,
                    InputGrammar.Show(display),
                    "Give an image reference (python:3.14-slim, registry.example/python:3.14) or an image id (sha256:...)."));
                return;
            }

            var eng = Engine;
            ImageTestTarget? target;
            try
            {
                target = RunPumped(ct => ImageTestRunner.ResolveAsync(eng, reference, display, ct));
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
                    new ItemNotFoundException($"No image '{reference}' on the engine at {eng.Endpoint}."),
                    ImageTestErrorIds.ImageNotFound,
                    display,
                    "Build it first (New-PythonDockerfile | Invoke-PythonImageBuild), or pass the name of an existing image with -Image."));
                return;
            }

            var tests = Selected();
            var results = new List<ImageTestResult>();
            for (int i = 0; i < tests.Count; i++)
            {
                var test = tests[i];
                WriteProgress(new ProgressRecord(ProgressId, "Test-PythonImage " + display, $"{test.Name} ({i + 1}/{tests.Count})")
                {
                    PercentComplete = i * 100 / tests.Count,
                });
                ImageTestResult result;
                try
                {
                    result = RunPumped(ct => ImageTestRunner.RunAsync(eng, target, test, options!, ct));
                }
                catch (Exception ex) when (ex is EngineStalledException || ex is EngineUnavailableException)
                {
                    // The engine stopped answering: every further test would wait as long. The container was removed if the
                    // engine allowed it.
                    WriteProgress(new ProgressRecord(ProgressId, "Test-PythonImage " + display, "stopped") { RecordType = ProgressRecordType.Completed });
                    ThrowTerminatingError(EngineError(ex, display));
                    return;
                }
                catch (Exception ex) when (!(ex is RuntimeException) && !(ex is OperationCanceledException))
                {
                    WriteError(EngineError(ex, display, $"Running {test.Name} on {display}"));
                    continue;
                }

                results.Add(result);
                WriteObject(result);
            }

            WriteProgress(new ProgressRecord(ProgressId, "Test-PythonImage " + display, "done") { RecordType = ProgressRecordType.Completed });
            var failed = results.Where(r => r.Status == ImageTestStatus.Failed).ToList();
            if (failed.Count > 0)
            {
                WriteWarning($"{display}: {failed.Count} of {results.Count(r => r.Status != ImageTestStatus.Skipped)} tests failed: " +
                    string.Join(", ", failed.Select(f => f.Test)) + ".");
            }
        }

        private List<ImageTest> Selected()
        {
            if (Test == null || Test.Length == 0)
            {
                return PythonImageTests.All.ToList();
            }

            return PythonImageTests.All.Where(t => Test.Any(n => string.Equals(n, t.Name, StringComparison.OrdinalIgnoreCase))).ToList();
        }

        private static string[] Strings(object? value)
        {
            if (value is PSObject p)
            {
                value = p.BaseObject;
            }

            return value switch
            {
                null => Array.Empty<string>(),
                string s => new[] { s },
                IEnumerable e => e.Cast<object>().Select(o => o?.ToString()).Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToArray(),
                _ => new[] { value.ToString() ?? string.Empty },
            };
        }
    }
}
