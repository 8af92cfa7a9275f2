using System;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>A real engine with a step of the test's run right after each push returns (another CI leg, say).</summary>
    internal sealed class ForwardingEngine : IDockerEngine
    {
        private readonly IDockerEngine inner;
        private readonly Func<EnginePushRequest, Task> afterPush;

        public ForwardingEngine(IDockerEngine inner, Func<EnginePushRequest, Task> afterPush)
        {
            this.inner = inner;
            this.afterPush = afterPush;
        }

        public string Endpoint => inner.Endpoint;

        public TimeSpan InactivityTimeout => inner.InactivityTimeout;

        public IDockerEngine WithInactivityTimeout(TimeSpan inactivityTimeout) => new ForwardingEngine(inner.WithInactivityTimeout(inactivityTimeout), afterPush);

        public Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken) => inner.GetInfoAsync(cancellationToken);

        public Task<EngineIdentity> GetIdentityAsync(CancellationToken cancellationToken) => inner.GetIdentityAsync(cancellationToken);

        public Task<EngineBuildResult> BuildAsync(EngineBuildRequest request, IProgress<BuildEvent>? events, CancellationToken cancellationToken) => inner.BuildAsync(request, events, cancellationToken);

        public Task<ImageDetails?> InspectImageAsync(string image, CancellationToken cancellationToken) => inner.InspectImageAsync(image, cancellationToken);

        public Task<ContainerRunResult> RunAsync(ContainerRunRequest request, CancellationToken cancellationToken) => inner.RunAsync(request, cancellationToken);

        public Task TagImageAsync(string image, string repository, string tag, CancellationToken cancellationToken) => inner.TagImageAsync(image, repository, tag, cancellationToken);

        public async Task<EnginePushResult> PushImageAsync(EnginePushRequest request, IProgress<PushEvent>? events, CancellationToken cancellationToken)
        {
            var result = await inner.PushImageAsync(request, events, cancellationToken).ConfigureAwait(false);
            await afterPush(request).ConfigureAwait(false);
            return result;
        }

        public Task PullImageAsync(string reference, IProgress<PullEvent>? events, CancellationToken cancellationToken) => inner.PullImageAsync(reference, events, cancellationToken);

        public Task<AttachedRunResult> RunAttachedAsync(AttachedRunRequest request, IContainerStreams streams, CancellationToken cancellationToken) => inner.RunAttachedAsync(request, streams, cancellationToken);

        public void Dispose() => inner.Dispose();
    }
}
