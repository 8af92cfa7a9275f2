using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.ImageTests;

namespace PythonImages.Engine
{
    /// <summary>An image resolved for testing: what to run and what it is.</summary>
    public sealed class ImageTestTarget
    {
        /// <summary>An image to test: how to run it, how to name it, its id and OS.</summary>
        public ImageTestTarget(string reference, string displayName, string imageId, ImageOS os)
        {
            Reference = reference;
            DisplayName = displayName;
            ImageId = imageId;
            OS = os;
        }

        /// <summary>What the containers are created from (an image id or a tag).</summary>
        public string Reference { get; }

        /// <summary>The name in results.</summary>
        public string DisplayName { get; }

        /// <summary>The image id.</summary>
        public string ImageId { get; }

        /// <summary>Linux or Windows.</summary>
        public ImageOS OS { get; }
    }

    /// <summary>The engine has no network of the name the test containers were to join (-Network): every test would fail the same way.</summary>
    public sealed class NetworkNotFoundException : Exception
    {
        /// <summary>The engine refused a container on <paramref name="network"/>, which it does not have.</summary>
        public NetworkNotFoundException(string network, EngineRequestException inner)
            : base(inner.Message, inner)
        {
            Network = network;
        }

        /// <summary>The network name that was asked for.</summary>
        public string Network { get; }
    }

    /// <summary>How Test-PythonImage runs the tests.</summary>
    public sealed class ImageTestOptions
    {
        /// <summary>Skip the tests that need the internet.</summary>
        public bool Offline { get; set; }

        /// <summary>Network mode of the test containers (null: the engine's default).</summary>
        public string? NetworkMode { get; set; }

        /// <summary>The time limit of one test container.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>How long the engine may stay silent about a test container (null: the engine's own setting).</summary>
        public TimeSpan? InactivityTimeout { get; set; }

        /// <summary>A random word per run (override-cmd echoes it).</summary>
        public string Nonce { get; set; } = Guid.NewGuid().ToString("N").Substring(0, 12);
    }

    /// <summary>Runs <see cref="ImageTest"/>s in containers through an <see cref="IDockerEngine"/>.</summary>
    public static class ImageTestRunner
    {
        /// <summary>The most output kept in a failure reason.</summary>
        public const int MaxOutputChars = 4000;

        /// <summary>Inspects the image; null when the engine has no such image.</summary>
        public static async Task<ImageTestTarget?> ResolveAsync(IDockerEngine engine, string reference, string displayName, CancellationToken cancellationToken)
        {
            var details = await engine.InspectImageAsync(reference, cancellationToken).ConfigureAwait(false);
            if (details == null)
            {
                return null;
            }

            var os = string.Equals(details.OS, "windows", StringComparison.OrdinalIgnoreCase) ? ImageOS.Windows : ImageOS.Linux;
            return new ImageTestTarget(reference, displayName, details.Id, os);
        }

        /// <summary>The result of a test that is not run on this image (no form for its OS, or offline); null when it runs.</summary>
        public static ImageTestResult? SkipReason(ImageTestTarget target, ImageTest test, ImageTestOptions options)
        {
            var context = new ImageTestContext(target.OS, options.Nonce);
            string? reason = test.NotApplicableReason(context);
            if (reason == null && options.Offline && test.NeedsInternet)
            {
                reason = "needs the internet (pip install and an HTTPS request); skipped under -Offline";
            }

            return reason == null ? null : Result(target, test, ImageTestStatus.Skipped, reason);
        }

        /// <summary>Runs one test: a container is created, run to completion, its output collected, and removed.</summary>
        public static async Task<ImageTestResult> RunAsync(IDockerEngine engine, ImageTestTarget target, ImageTest test, ImageTestOptions options, CancellationToken cancellationToken)
        {
            var skipped = SkipReason(target, test, options);
            if (skipped != null)
            {
                return skipped;
            }

            var context = new ImageTestContext(target.OS, options.Nonce);
            var command = test.CreateCommand(context);
            var request = new ContainerRunRequest
            {
                Image = target.Reference,
                Command = command.Command,
                Entrypoint = command.Entrypoint,
                Environment = command.Environment,
                NetworkMode = options.NetworkMode,
                Timeout = options.Timeout,
                InactivityTimeout = options.InactivityTimeout,
            };

            var started = DateTime.UtcNow;
            ContainerRunResult run;
            try
            {
                run = await engine.RunAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (EngineRequestException ex) when (options.NetworkMode != null && ex.StatusCode == 404 && EngineMessages.IsNetworkNotFound(ex.Message))
            {
                // -Network names no network of the engine: no test can run, and the image is not at fault.
                throw new NetworkNotFoundException(options.NetworkMode, ex);
            }
            catch (EngineRequestException ex)
            {
                // The engine refused to create or start the command (e.g. no python3 in the image): the image fails the test.
                // A lost or stalled engine is not the image's fault: those propagate.
                var failed = Result(target, test, ImageTestStatus.Failed, "the test container could not run: " + (EngineMessages.Explain(ex.Message) ?? FirstLine(ex.Message)));
                failed.Duration = DateTime.UtcNow - started;
                failed.Output = Cap(ex.Message);
                return failed;
            }

            var testRun = new ImageTestRun
            {
                ExitCode = run.ExitCode,
                StdOut = run.StdOut ?? string.Empty,
                StdErr = run.StdErr ?? string.Empty,
                TimedOut = run.TimedOut,
                Duration = run.Duration,
                Timeout = options.Timeout,
            };
            var verdict = test.Evaluate(context, testRun);
            var result = Result(target, test, verdict.Passed ? ImageTestStatus.Passed : ImageTestStatus.Failed, verdict.Reason);
            result.Duration = run.Duration > TimeSpan.Zero ? run.Duration : DateTime.UtcNow - started;
            // The output passes through the test's redaction (password hashes) before it is capped and kept.
            result.Output = Cap(test.RedactOutput(string.Join("\n", new[] { testRun.StdOut.Trim(), testRun.StdErr.Trim() }.Where(s => s.Length > 0))));
            return result;
        }

        private static ImageTestResult Result(ImageTestTarget target, ImageTest test, ImageTestStatus status, string reason) =>
            new ImageTestResult(target.DisplayName, test.Name, status)
            {
                Reason = reason,
                ImageId = target.ImageId,
                Platform = target.OS == ImageOS.Windows ? "windows" : "linux",
            };

        private static string FirstLine(string text)
        {
            var line = text.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? text;
            return line.Length > 300 ? line.Substring(0, 300) + "..." : line;
        }

        private static string Cap(string text) => text.Length <= MaxOutputChars ? text : text.Substring(0, MaxOutputChars) + "\n... (" + (text.Length - MaxOutputChars) + " more characters)";
    }
}
