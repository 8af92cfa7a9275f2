using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.ImageTests;

namespace PythonImages.Engine
{
    /// <summary>What an <see cref="ImageTestSession"/> reports: progress, results, failures to run a test, a summary warning.</summary>
    public interface IImageTestEvents
    {
        /// <summary>The session's progress: the test about to run, or (completed) the end of the session.</summary>
        void Progress(string activity, string status, int percent, bool completed);

        /// <summary>A test's result (passed, failed or skipped).</summary>
        void Result(ImageTestResult result);

        /// <summary>A test that could not be run for a reason that is not the image's (the engine refused a request, failed).</summary>
        void Failure(ImageTest test, Exception exception, string operation);

        /// <summary>The summary of failed tests.</summary>
        void Warning(string message);
    }

    /// <summary>
    /// The tests of one image, run one at a time through <see cref="ImageTestRunner"/> (a container each), reported as events.
    /// A stalled or unavailable engine ends the session (the exception propagates: every further test would wait as long), and
    /// so does a -Network the engine does not have (<see cref="NetworkNotFoundException"/>: every further test would fail alike).
    /// </summary>
    public sealed class ImageTestSession
    {
        private readonly IDockerEngine engine;
        private readonly ImageTestTarget target;
        private readonly IReadOnlyList<ImageTest> tests;
        private readonly ImageTestOptions options;
        private readonly IImageTestEvents events;
        private readonly List<ImageTestResult> results = new List<ImageTestResult>();
        private int next;

        /// <summary>A session that runs <paramref name="tests"/> on <paramref name="target"/>.</summary>
        public ImageTestSession(IDockerEngine engine, ImageTestTarget target, IReadOnlyList<ImageTest> tests, ImageTestOptions options, IImageTestEvents events)
        {
            this.engine = engine;
            this.target = target;
            this.tests = tests;
            this.options = options;
            this.events = events;
        }

        /// <summary>The name of the image in results and messages.</summary>
        public string DisplayName => target.DisplayName;

        /// <summary>The progress activity of the session.</summary>
        public string Activity => "Test-PythonImage " + target.DisplayName;

        /// <summary>True while tests remain.</summary>
        public bool HasNext => next < tests.Count;

        /// <summary>The results so far.</summary>
        public IReadOnlyList<ImageTestResult> Results => results;

        /// <summary>Every remaining test, then <see cref="Finish"/>.</summary>
        public async Task RunAllAsync(CancellationToken cancellationToken)
        {
            while (HasNext)
            {
                await RunNextAsync(cancellationToken).ConfigureAwait(false);
            }

            Finish();
        }

        /// <summary>Runs the next test: its progress, then its result or why it could not run.</summary>
        public async Task RunNextAsync(CancellationToken cancellationToken)
        {
            int i = next++;
            var test = tests[i];
            events.Progress(Activity, $"{test.Name} ({i + 1}/{tests.Count})", i * 100 / tests.Count, completed: false);
            ImageTestResult result;
            try
            {
                result = await ImageTestRunner.RunAsync(engine, target, test, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is EngineStalledException) && !(ex is EngineUnavailableException) && !(ex is NetworkNotFoundException))
            {
                events.Failure(test, ex, $"Running {test.Name} on {target.DisplayName}");
                return;
            }

            results.Add(result);
            events.Result(result);
        }

        /// <summary>Ends the session: its progress, and a warning that sums up the failed tests.</summary>
        public void Finish()
        {
            events.Progress(Activity, "done", -1, completed: true);
            var failed = results.Where(r => r.Status == ImageTestStatus.Failed).ToList();
            if (failed.Count > 0)
            {
                events.Warning($"{target.DisplayName}: {failed.Count} of {results.Count(r => r.Status != ImageTestStatus.Skipped)} tests failed: " +
                    string.Join(", ", failed.Select(f => f.Test)) + ".");
            }
        }
    }
}
