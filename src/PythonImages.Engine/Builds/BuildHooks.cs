using System;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Engine.Builds
{
    /// <summary>An engine and what it said about itself when it was connected.</summary>
    public sealed class EngineTarget
    {
        /// <summary>The connected <paramref name="engine"/> and its <paramref name="info"/>.</summary>
        public EngineTarget(IDockerEngine engine, EngineInfo info)
        {
            Engine = engine;
            Info = info;
        }

        /// <summary>The engine.</summary>
        public IDockerEngine Engine { get; }

        /// <summary>Its OS, version and endpoint.</summary>
        public EngineInfo Info { get; }

        /// <summary>
        /// The platform the engine builds for when it is not its own (an amd64 engine building linux/386 for -Engine
        /// @{ 'linux/386' = ... }); null: the engine's own platform (or -Platform).
        /// </summary>
        public string? Platform { get; set; }
    }

    /// <summary>
    /// Picks the engine that builds a job (by the image's OS and the requested platform). Called on the caller's thread
    /// before the job is built; may connect (and throw the engine layer's exceptions).
    /// </summary>
    public interface IEngineSelector
    {
        /// <summary>The engine for <paramref name="job"/> built for <paramref name="platform"/> (null: the engine's own).</summary>
        EngineTarget Choose(ImageBuildJob job, string? platform);
    }

    /// <summary>Every job on one engine, connected on first use.</summary>
    public sealed class SingleEngineSelector : IEngineSelector
    {
        private readonly Func<EngineTarget> connect;
        private EngineTarget? connected;

        /// <summary>A selector that calls <paramref name="connect"/> once, for the first job.</summary>
        public SingleEngineSelector(Func<EngineTarget> connect)
        {
            this.connect = connect;
        }

        /// <inheritdoc/>
        public EngineTarget Choose(ImageBuildJob job, string? platform) => connected ??= connect();
    }

    /// <summary>What to do with a job: build it, tag an existing image with its references, or leave it.</summary>
    public enum BuildAction
    {
        /// <summary>Build the image.</summary>
        Build,

        /// <summary>Tag an existing image (<see cref="BuildDecision.ImageId"/>) with the job's references instead of building.</summary>
        Retag,

        /// <summary>Neither build nor tag (the image is current).</summary>
        Skip,
    }

    /// <summary>The decision of an <see cref="IBuildDecider"/> for one job, with its reason.</summary>
    public sealed class BuildDecision
    {
        private BuildDecision(BuildAction action, string? reason, string? imageId)
        {
            Action = action;
            Reason = reason;
            ImageId = imageId;
        }

        /// <summary>Build (what happens without a decider).</summary>
        public static BuildDecision Build { get; } = new BuildDecision(BuildAction.Build, null, null);

        /// <summary>What to do.</summary>
        public BuildAction Action { get; }

        /// <summary>Why (shown in the verbose stream).</summary>
        public string? Reason { get; }

        /// <summary>The existing image, for Retag and Skip.</summary>
        public string? ImageId { get; }

        /// <summary>Tag <paramref name="imageId"/> with the job's references instead of building.</summary>
        public static BuildDecision Retag(string imageId, string reason) => new BuildDecision(BuildAction.Retag, reason, imageId);

        /// <summary>Build, and say why (a decider that compared the job with what was built before).</summary>
        public static BuildDecision BuildBecause(string reason) => new BuildDecision(BuildAction.Build, reason, null);

        /// <summary>Leave the job: <paramref name="imageId"/> (when known) is already what it would build.</summary>
        public static BuildDecision Skip(string reason, string? imageId = null) => new BuildDecision(BuildAction.Skip, reason, imageId);
    }

    /// <summary>The pre-build hook: decides, per job, whether it is built, retagged or skipped (a build ledger plugs in here).</summary>
    public interface IBuildDecider
    {
        /// <summary>The decision for <paramref name="job"/> on <paramref name="engine"/>.</summary>
        Task<BuildDecision> DecideAsync(ImageBuildJob job, EngineTarget engine, CancellationToken cancellationToken);
    }

    /// <summary>The post-build hook: runs after every job that produced an image (publishing plugs in here).</summary>
    public interface IPostBuildHook
    {
        /// <summary>Called with the successful <paramref name="outcome"/> before it is reported; may report events of its own.</summary>
        Task AfterBuildAsync(ImageBuildOutcome outcome, EngineTarget engine, IImageBuildEvents events, CancellationToken cancellationToken);
    }
}
