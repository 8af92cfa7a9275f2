using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages.ImageTests
{
    /// <summary>What a test needs to know about the image it runs against.</summary>
    public sealed class ImageTestContext
    {
        /// <summary>The context of one test run: the image's OS and a nonce for the expected output.</summary>
        public ImageTestContext(ImageOS os, string nonce)
        {
            OS = os;
            Nonce = nonce;
        }

        /// <summary>The OS of the image under test.</summary>
        public ImageOS OS { get; }

        /// <summary>A per-run random word, so that a test cannot pass on a cached or canned answer (override-cmd).</summary>
        public string Nonce { get; }

        /// <summary>Whether the image is a Windows image.</summary>
        public bool IsWindows => OS == ImageOS.Windows;
    }

    /// <summary>The container one test runs: engine-neutral (the engine layer maps it to a container run).</summary>
    public sealed class ImageTestCommand
    {
        /// <summary>Replaces the image's ENTRYPOINT when set; null keeps it (override-cmd and the python tests keep it, as the official runner does).</summary>
        public IList<string>? Entrypoint { get; set; }

        /// <summary>The command the container runs.</summary>
        public IList<string> Command { get; set; } = new List<string>();

        /// <summary>Extra environment variables of the container.</summary>
        public IDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The test reaches the internet (skipped under -Offline).</summary>
        public bool NeedsNetwork { get; set; }
    }

    /// <summary>What the container did.</summary>
    public sealed class ImageTestRun
    {
        /// <summary>The exit code of the container.</summary>
        public long ExitCode { get; set; }
        /// <summary>What the container wrote to standard output.</summary>
        public string StdOut { get; set; } = string.Empty;
        /// <summary>What the container wrote to standard error.</summary>
        public string StdErr { get; set; } = string.Empty;
        /// <summary>Whether the container was stopped at its time limit.</summary>
        public bool TimedOut { get; set; }
        /// <summary>How long the container ran.</summary>
        public TimeSpan Duration { get; set; }
        /// <summary>The time limit it had.</summary>
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

        /// <summary>Whether the test passed.</summary>
        public bool Passed { get; }

        /// <summary>What was seen (a pass) or why it failed.</summary>
        public string Reason { get; }

        /// <summary>A pass with a short summary of what was seen.</summary>
        public static ImageTestVerdict Pass(string summary) => new ImageTestVerdict(true, summary);

        /// <summary>A failure with its reason.</summary>
        public static ImageTestVerdict Fail(string reason) => new ImageTestVerdict(false, reason);
    }

    /// <summary>
    /// One of the official-images tests that apply to python images, written for this module: how to run it on
    /// Linux and (where a Windows form exists) on Windows, and how to judge the container's output.
    /// </summary>
    public abstract class ImageTest
    {
        private static readonly char[] NewLine = { '\n' };

        /// <summary>A test with its name, description and needs.</summary>
        protected ImageTest(string name, string description, bool needsInternet, bool hasWindowsForm)
        {
            Name = name;
            Description = description;
            NeedsInternet = needsInternet;
            HasWindowsForm = hasWindowsForm;
        }

        /// <summary>The test's name, as -Test takes it (e.g. python-imports).</summary>
        public string Name { get; }

        /// <summary>What the test checks.</summary>
        public string Description { get; }

        /// <summary>Needs the internet (pip + HTTPS); skipped under -Offline.</summary>
        public bool NeedsInternet { get; }

        /// <summary>Whether the test also runs on Windows images.</summary>
        public bool HasWindowsForm { get; }

        /// <summary>Null when the test has no form for the image's OS (the result is then Skipped).</summary>
        public string? NotApplicableReason(ImageTestContext context) =>
            context.IsWindows && !HasWindowsForm ? "no Windows form: the official suite runs " + Name + " on Linux images only" : null;

        /// <summary>The container command of this test.</summary>
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

        /// <summary>Decides the verdict from the container's run.</summary>
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

        /// <summary>The non-empty lines of <paramref name="text"/>, line ends and trailing spaces removed.</summary>
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
