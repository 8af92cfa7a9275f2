using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages.ImageTests
{
    /// <summary>What a test needs to know about the image it runs against.</summary>
    public sealed class ImageTestContext
    {
        public ImageTestContext(ImageOS os, string nonce)
        {
            OS = os;
            Nonce = nonce;
        }

        public ImageOS OS { get; }

        /// <summary>A per-run random word, so that a test cannot pass on a cached or canned answer (override-cmd).</summary>
        public string Nonce { get; }

        public bool IsWindows => OS == ImageOS.Windows;
    }

    /// <summary>The container one test runs: engine-neutral (the engine layer maps it to a container run).</summary>
    public sealed class ImageTestCommand
    {
        /// <summary>Replaces the image's ENTRYPOINT when set; null keeps it (override-cmd and the python tests keep it, as the official runner does).</summary>
        public IList<string>? Entrypoint { get; set; }

        public IList<string> Command { get; set; } = new List<string>();

        public IDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The test reaches the internet (skipped under -Offline).</summary>
        public bool NeedsNetwork { get; set; }
    }

    /// <summary>What the container did.</summary>
    public sealed class ImageTestRun
    {
        public long ExitCode { get; set; }
        public string StdOut { get; set; } = string.Empty;
        public string StdErr { get; set; } = string.Empty;
        public bool TimedOut { get; set; }
        public TimeSpan Duration { get; set; }
        public TimeSpan Timeout { get; set; }
    }

    /// <summary>A test's judgement of a run.</summary>
    public sealed class ImageTestVerdict
    {
        private ImageTestVerdict(bool passed, string reason)
        {
            Passed = passed;
            Reason = reason;
        }

        public bool Passed { get; }

        public string Reason { get; }

        public static ImageTestVerdict Pass(string summary) => new ImageTestVerdict(true, summary);

        public static ImageTestVerdict Fail(string reason) => new ImageTestVerdict(false, reason);
    }

    /// <summary>
    /// One of the official-images tests that apply to python images, written for this module: how to run it on
    /// Linux and (where a Windows form exists) on Windows, and how to judge the container's output.
    /// </summary>
    public abstract class ImageTest
    {
        private static readonly char[] NewLine = { '\n' };

        protected ImageTest(string name, string description, bool needsInternet, bool hasWindowsForm)
        {
            Name = name;
            Description = description;
            NeedsInternet = needsInternet;
            HasWindowsForm = hasWindowsForm;
        }

        public string Name { get; }

        public string Description { get; }

        /// <summary>Needs the internet (pip + HTTPS); skipped under -Offline.</summary>
        public bool NeedsInternet { get; }

        public bool HasWindowsForm { get; }

        /// <summary>Null when the test has no form for the image's OS (the result is then Skipped).</summary>
        public string? NotApplicableReason(ImageTestContext context) =>
            context.IsWindows && !HasWindowsForm ? "no Windows form: the official suite runs " + Name + " on Linux images only" : null;

        public abstract ImageTestCommand CreateCommand(ImageTestContext context);

        /// <summary>Judges a finished run. Timeouts and crashes are judged here for every test.</summary>
        public ImageTestVerdict Evaluate(ImageTestContext context, ImageTestRun run)
        {
            if (run.TimedOut)
            {
                return ImageTestVerdict.Fail($"timed out after {run.Timeout.TotalSeconds:0} s");
            }

            if (run.ExitCode > 128 && run.ExitCode < 128 + 65 && !context.IsWindows)
            {
                int signal = (int)(run.ExitCode - 128);
                return ImageTestVerdict.Fail($"the container was killed by signal {signal}{SignalName(signal)} (exit code {run.ExitCode})");
            }

            return Judge(context, run);
        }

        protected abstract ImageTestVerdict Judge(ImageTestContext context, ImageTestRun run);

        /// <summary>
        /// The container's output as results, messages and logs may show it: tests that read secrets (password hashes)
        /// remove them here. The default shows the output as it is.
        /// </summary>
        public virtual string RedactOutput(string output) => output;

        /// <summary>A command that runs <paramref name="script"/> with /bin/sh -c (Linux images only).</summary>
        protected static ImageTestCommand ShellScript(string script) => new ImageTestCommand
        {
            Entrypoint = new List<string> { "/bin/sh", "-c" },
            Command = new List<string> { script },
        };

        protected static string[] Lines(string text) =>
            text.Replace("\r\n", "\n").Split(NewLine, StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();

        /// <summary>The most telling line of a failed run: the last stderr line (a Python exception), else the last stdout line.</summary>
        protected static string LastWords(ImageTestRun run)
        {
            var err = Lines(run.StdErr);
            if (err.Length > 0)
            {
                return err[err.Length - 1];
            }

            var @out = Lines(run.StdOut);
            return @out.Length > 0 ? @out[@out.Length - 1] : "no output";
        }

        private static string SignalName(int signal) => signal switch
        {
            6 => " (SIGABRT)",
            9 => " (SIGKILL, out of memory?)",
            11 => " (SIGSEGV, a crash)",
            _ => string.Empty,
        };
    }
}
