using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using PythonImages.Builds;
using PythonImages.Engine.Registry;
using PythonImages.Security;

namespace PythonImages.Engine.Builds
{
    /// <content>The registry logins of each job's base-image pulls: chosen when the job is prepared, sent with its build,
    /// and named (never their secrets) when a registry refuses one.</content>
    public sealed partial class BuildOrchestrator
    {
        /// <summary>Fragments (lowercase) of the engine's message when a registry refused a pull's login.</summary>
        private static readonly string[] LoginRefusals =
        {
            "unauthorized", "authentication required", "no basic auth credentials", "incorrect username or password", "denied: ",
        };

        private readonly ConcurrentDictionary<ImageBuildJob, IReadOnlyList<BuildRegistryLogin>> logins =
            new ConcurrentDictionary<ImageBuildJob, IReadOnlyList<BuildRegistryLogin>>();

        /// <summary>Chooses the job's logins (on the caller's thread); false, with a failure event, when they cannot be chosen.</summary>
        private bool PrepareLogins(ImageBuildJob job)
        {
            if (options.RegistryLogins == null)
            {
                return true;
            }

            try
            {
                logins[job] = options.RegistryLogins.For(job.DockerfilePath, options.BuildArgs, line => events.LogLine(job, line), warning => events.Warning(job, warning));
                return true;
            }
            catch (BuildLoginException ex)
            {
                events.Failure(job, new BuildFailure(BuildFailureKind.Login, $"Cannot build {job.DisplayName}: {ex.Message}")
                {
                    ErrorId = ex.ErrorId,
                    Exception = ex,
                    RecommendedAction = ex.RecommendedAction,
                });
                return false;
            }
        }

        /// <summary>The logins to send with <paramref name="job"/>'s build.</summary>
        private List<BuildRegistryLogin> LoginsOf(ImageBuildJob job) =>
            logins.TryGetValue(job, out var list) ? list.ToList() : new List<BuildRegistryLogin>();

        /// <summary>
        /// A base image that could not be pulled because its registry refused the login the build sent: the failure names the
        /// registry, the user and where the login came from, never the secret. Null for any other failure.
        /// </summary>
        private BuildFailure? LoginRefused(BuildRun run, BuildFailureCause cause, BuildFailure failure)
        {
            string lower = (run.Build?.ErrorMessage ?? string.Empty).ToLowerInvariant();
            if (cause.Kind != BuildCauseKind.BaseImage || !logins.TryGetValue(run.Job, out var sent) || sent.Count == 0 || !LoginRefusals.Any(lower.Contains))
            {
                return null;
            }

            var login = cause.Image != null && ImageReference.TryParse(cause.Image, out var image)
                ? sent.FirstOrDefault(l => string.Equals(l.Registry, DockerfileBaseImages.RegistryOf(image!), StringComparison.OrdinalIgnoreCase))
                : (sent.Count == 1 ? sent[0] : null);
            if (login == null)
            {
                return null;
            }

            string what = cause.Image != null ? $"the base image '{cause.Image}'" : "a base image";
            string message = $"The registry {login.Registry} refused the login {login.Credential} for {what}. " + failure.Message;
            return new BuildFailure(BuildFailureKind.BuildFailed, message)
            {
                ErrorId = ImageBuildErrorIds.BaseImageLoginFailed,
                FailedStep = failure.FailedStep,
                RecommendedAction = $"Check the login for {login.Registry} ({login.Credential.Source}): " + ErrorCatalogue.Get(ImageBuildErrorIds.BaseImageLoginFailed).RecommendedAction,
            };
        }
    }
}
