using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Engine.Builds
{
    /// <content>The plan of a prepared job before it runs (what -WhatIf shows).</content>
    public sealed partial class BuildOrchestrator
    {
        /// <summary>
        /// What the pre-build hook decides for the prepared <paramref name="job"/> (Build without a hook). A decider that
        /// remembers its decisions (the ledger's) runs the same plan later; the engine layer's exceptions propagate.
        /// </summary>
        public Task<BuildDecision> PlanAsync(ImageBuildJob job, CancellationToken cancellationToken) =>
            Decider == null || job.Engine == null ? Task.FromResult(BuildDecision.Build) : Decider.DecideAsync(job, job.Engine, cancellationToken);
    }
}
