using System;
using System.Text.RegularExpressions;

namespace PythonImages.ImageTests
{
    /// <summary>
    /// Says in words what an engine error means for an image under test: the runtime's "exec: "python3": executable file
    /// not found in $PATH" is an image without that interpreter, "exec format error" an image for another CPU, and so on.
    /// </summary>
    public static class EngineMessages
    {
        private static Regex? missingExecutable;

        private static Regex MissingExecutable => missingExecutable ??= new Regex(
            @"exec(?:: |ing )?""?(?<exe>[^"":\s]+)""?: (?:executable file not found in \$?PATH|no such file or directory)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private static Regex? networkNotFound;

        private static Regex NetworkNotFound => networkNotFound ??= new Regex(
            @"\bnetwork \S+ not found\b|\bno such network\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>
        /// True when <paramref name="engineMessage"/> is the engine's answer to a container on a network it does not have
        /// ("network x not found", "No such network: x"): the caller's -Network, not the image, is at fault.
        /// </summary>
        public static bool IsNetworkNotFound(string? engineMessage) => !string.IsNullOrEmpty(engineMessage) && NetworkNotFound.IsMatch(engineMessage!);

        /// <summary>A plain-words explanation of <paramref name="engineMessage"/>, or null when the message is not one of the known causes.</summary>
        public static string? Explain(string? engineMessage)
        {
            if (string.IsNullOrEmpty(engineMessage))
            {
                return null;
            }

            string message = engineMessage!;
            var missing = MissingExecutable.Match(message);
            if (missing.Success)
            {
                string exe = missing.Groups["exe"].Value;
                bool python = exe.IndexOf("python", StringComparison.OrdinalIgnoreCase) >= 0;
                return python
                    ? $"the image has no Python interpreter: '{exe}' is not on its PATH (is it a python image, and was the build complete?)"
                    : $"the image has no '{exe}' on its PATH, which the test runs (is it a python image of this module?)";
            }

            string lower = message.ToLowerInvariant();
            if (lower.Contains("exec format error"))
            {
                return "the image's programs are for another CPU architecture than the engine's (check -Platform of the build, or run the test on a matching engine)";
            }

            if (lower.Contains("no such image") || lower.Contains("no such container"))
            {
                return "the image is no longer on the engine (it was removed while the test ran)";
            }

            if (lower.Contains("operating system") && lower.Contains("cannot be used on this platform"))
            {
                return "the image is for another operating system than the engine's containers (Windows vs Linux)";
            }

            if (lower.Contains("no space left on device"))
            {
                return "the engine has no disk space left for the test container (docker system prune frees some)";
            }

            if (lower.Contains("permission denied") && lower.Contains("exec"))
            {
                return "the image's interpreter cannot be run (permission denied: its file mode or the user of the image is wrong)";
            }

            return null;
        }
    }
}
