using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages.Builds
{
    /// <summary>What kind of failure ended a build, as far as the step and the engine's message tell.</summary>
    public enum BuildCauseKind
    {
        /// <summary>A step (RUN, COPY, ...) failed: the step and the end of the log say why.</summary>
        Step,

        /// <summary>The base image of a FROM step could not be found or pulled.</summary>
        BaseImage,

        /// <summary>The engine refused an image reference (FROM line or tag) as invalid.</summary>
        InvalidReference,

        /// <summary>The build failed before or outside any step.</summary>
        Other,
    }

    /// <summary>
    /// Tells a failed build's cause from its failed step and the engine's message, so that the error names the cause
    /// (the base image that cannot be pulled, the reference the engine refuses, the step that failed) and says what to do
    /// about that cause, instead of one advice for every failure.
    /// </summary>
    public sealed class BuildFailureCause
    {
        /// <summary>What to do when a base image cannot be pulled.</summary>
        public const string PullAction =
            "Check the base image's name and that its registry is reachable: pull it yourself (docker pull <image>), log in if the registry needs it (docker login <registry>), check the network or proxy of the engine, or generate the Dockerfiles with -BaseImageRegistry <your mirror> and build again.";

        /// <summary>What to do when the engine refuses a reference.</summary>
        public const string ReferenceAction =
            "Fix the image reference the message names (the FROM line of the Dockerfile, or -Repository / -Tag): lowercase repository, tag of letters, digits, '_', '.', '-'.";

        private static readonly char[] Blanks = { ' ', '\t' };

        /// <summary>Fragments of the engine's message when a pull failed (lowercase).</summary>
        private static readonly string[] PullFailures =
        {
            "pull access denied", "manifest unknown", "repository does not exist", "may require 'docker login'", "no such host",
            "dial tcp", "i/o timeout", "connection refused", "tls handshake timeout", "unauthorized: ", "toomanyrequests",
            "server gave http response to https client", "no matching manifest", "error pulling image", "failed to resolve reference",
            "not found: manifest", "x509: ", "network is unreachable", "no basic auth credentials",
        };

        private BuildFailureCause(BuildCauseKind kind, string errorId, string summary, string recommendedAction, string? image)
        {
            Kind = kind;
            ErrorId = errorId;
            Summary = summary;
            RecommendedAction = recommendedAction;
            Image = image;
        }

        /// <summary>The kind of failure.</summary>
        public BuildCauseKind Kind { get; }

        /// <summary>The ErrorId of the failure (ImageBuild.StepFailed, ImageBuild.BaseImageUnavailable, ...).</summary>
        public string ErrorId { get; }

        /// <summary>One sentence that names the cause (the base image, the reference); empty for a plain step failure.</summary>
        public string Summary { get; }

        /// <summary>What to do about this cause.</summary>
        public string RecommendedAction { get; }

        /// <summary>The base image or reference concerned, when known.</summary>
        public string? Image { get; }

        /// <summary>
        /// Classifies a failed build. <paramref name="failedStep"/> is "Step 1/5 : FROM debian:bookworm-slim" (or null),
        /// <paramref name="engineMessage"/> the engine's error, <paramref name="baseImage"/> the image's base as the matrix
        /// names it (used when the step does not name one), <paramref name="dockerfile"/> the Dockerfile for the advice.
        /// </summary>
        public static BuildFailureCause Classify(string? failedStep, string? engineMessage, string? baseImage, string dockerfile)
        {
            string message = engineMessage ?? string.Empty;
            string lower = message.ToLowerInvariant();
            string? fromImage = FromImage(failedStep);
            bool atFrom = fromImage != null;

            if (lower.Contains("invalid reference format"))
            {
                string what = atFrom ? $"The FROM line of {dockerfile} names '{fromImage}', which the engine refuses as an image reference" : "The engine refused an image reference of this build (a FROM line, -Repository or a tag)";
                return new BuildFailureCause(BuildCauseKind.InvalidReference, ImageBuildErrorIds.InvalidReference, what + ": " + message.Trim(), ReferenceAction, fromImage);
            }

            if (atFrom || PullFailures.Any(f => lower.Contains(f)))
            {
                string? image = fromImage ?? baseImage;
                string what = image != null ? $"The base image '{image}' could not be found or pulled" : "A base image could not be found or pulled";
                string reason = Reason(lower);
                string action = (image != null ? PullAction.Replace("<image>", image) : PullAction)
                    + $" (Dockerfile: {dockerfile})";
                return new BuildFailureCause(BuildCauseKind.BaseImage, ImageBuildErrorIds.BaseImageUnavailable, what + reason + ".", action, image);
            }

            if (failedStep != null)
            {
                return new BuildFailureCause(BuildCauseKind.Step, ImageBuildErrorIds.StepFailed, string.Empty,
                    $"Fix the failing step in {dockerfile} (the message shows it and the last log lines), then build again; add -NoCache if a cached layer is stale.", null);
            }

            return new BuildFailureCause(BuildCauseKind.Other, ImageBuildErrorIds.Failed, string.Empty,
                "Read the engine's message and the end of the log, fix the Dockerfile or the context, then build again.", null);
        }

        /// <summary>The image of a "Step n/m : FROM [--platform=..] image [AS name]" step, or null.</summary>
        public static string? FromImage(string? step)
        {
            if (string.IsNullOrEmpty(step))
            {
                return null;
            }

            string text = step!;
            int colon = text.IndexOf(" : ", StringComparison.Ordinal);
            if (text.StartsWith("Step ", StringComparison.Ordinal) && colon > 0)
            {
                text = text.Substring(colon + 3);
            }

            var words = text.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || !string.Equals(words[0], "FROM", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            return words.Skip(1).FirstOrDefault(w => !w.StartsWith("--", StringComparison.Ordinal));
        }

        private static string Reason(string lower)
        {
            var reasons = new List<(string Fragment, string Why)>
            {
                ("no basic auth credentials", ": the registry needs a login"),
                ("unauthorized", ": the registry needs a login (or the repository does not exist)"),
                ("pull access denied", ": the repository does not exist, or the registry needs a login"),
                ("manifest unknown", ": the registry has no such image or tag"),
                ("not found", ": the registry has no such image or tag"),
                ("no matching manifest", ": the image has no variant for this platform"),
                ("toomanyrequests", ": the registry's pull rate limit was reached"),
                ("no such host", ": the registry's host name does not resolve (no network, or a wrong name)"),
                ("i/o timeout", ": the registry did not answer (no network, or a proxy is needed)"),
                ("connection refused", ": the registry refused the connection"),
                ("network is unreachable", ": the engine has no network"),
                ("dial tcp", ": the registry cannot be reached"),
                ("x509: ", ": the registry's TLS certificate is not trusted"),
                ("server gave http response to https client", ": the registry speaks plain http (configure it as an insecure registry of the engine)"),
            };

            return reasons.Where(r => lower.Contains(r.Fragment)).Select(r => r.Why).FirstOrDefault() ?? string.Empty;
        }
    }
}
