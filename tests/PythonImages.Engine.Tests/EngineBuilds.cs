using System;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Engine.Builds;

namespace PythonImages.Engine.Tests
{
    /// <summary>
    /// A build on the real engine as the module makes it (BuildOrchestrator): one that lost the classic builder's cache-probe race
    /// (another test's clean-up removed an image the probe was reading: <c>unable to find image "sha256:…"</c>, nothing
    /// of the build's) is run again, up to 3 attempts in all. Any other outcome is returned as it is.
    /// </summary>
    internal static class EngineBuilds
    {
        private const int Attempts = 3;

        public static async Task<EngineBuildResult> BuildRetryingAsync(this IDockerEngine engine, EngineBuildRequest request, IProgress<BuildEvent>? events, CancellationToken cancellationToken)
        {
            for (int attempt = 1; ; attempt++)
            {
                var result = await engine.BuildAsync(request, events, cancellationToken).ConfigureAwait(false);
                if (attempt == Attempts || BuildOrchestrator.LostCachedImage(result) == null)
                {
                    return result;
                }
            }
        }
    }
}
