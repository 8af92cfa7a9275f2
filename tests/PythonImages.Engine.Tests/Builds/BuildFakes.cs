using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Engine.Builds;

namespace PythonImages.Engine.Tests.Builds
{
    /// <summary>An in-process engine whose builds do what each test says; it records what it was asked.</summary>
    internal sealed class ScriptedEngine : IDockerEngine
    {
        public ScriptedEngine(string os = "linux")
        {
            Info = new EngineInfo { Endpoint = "fake://engine", OSType = os, ServerVersion = "0", ApiVersion = "1.41", NegotiatedApiVersion = "1.41", Architecture = "x86_64" };
        }

        public EngineInfo Info { get; }

        public Func<EngineBuildRequest, IProgress<BuildEvent>?, CancellationToken, Task<EngineBuildResult>> OnBuild { get; set; } =
            (r, p, ct) => Task.FromResult(new EngineBuildResult { Succeeded = true, ImageId = "sha256:" + new string('a', 64) });

        public ConcurrentQueue<EngineBuildRequest> Builds { get; } = new ConcurrentQueue<EngineBuildRequest>();

        public ConcurrentQueue<(string Image, string Reference)> TagCalls { get; } = new ConcurrentQueue<(string, string)>();

        public string Endpoint => Info.Endpoint;

        public TimeSpan InactivityTimeout => TimeSpan.FromMinutes(1);

        public IDockerEngine WithInactivityTimeout(TimeSpan inactivityTimeout) => this;

        public Task<EngineInfo> GetInfoAsync(CancellationToken cancellationToken) => Task.FromResult(Info);

        /// <summary>Who the fake daemon is: a daemon of its own unless a test gives two fakes one identity.</summary>
        public EngineIdentity Identity { get; set; } = new EngineIdentity { Id = Guid.NewGuid().ToString("N"), Name = "fake", RootDirectory = "/var/lib/docker" };

        public Task<EngineIdentity> GetIdentityAsync(CancellationToken cancellationToken) => Task.FromResult(Identity);

        public Task PullImageAsync(string reference, IProgress<PullEvent>? events, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<AttachedRunResult> RunAttachedAsync(AttachedRunRequest request, IContainerStreams streams, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<EngineBuildResult> BuildAsync(EngineBuildRequest request, IProgress<BuildEvent>? events, CancellationToken cancellationToken)
        {
            Builds.Enqueue(request);
            return OnBuild(request, events, cancellationToken);
        }

        public Task<ImageDetails?> InspectImageAsync(string image, CancellationToken cancellationToken) =>
            Task.FromResult<ImageDetails?>(new ImageDetails { Id = image, Size = 4242 });

        public Task<ContainerRunResult> RunAsync(ContainerRunRequest request, CancellationToken cancellationToken) =>
            throw new NotSupportedException("no containers here");

        public Task TagImageAsync(string image, string repository, string tag, CancellationToken cancellationToken)
        {
            TagCalls.Enqueue((image, repository + ":" + tag));
            return Task.CompletedTask;
        }

        public Task<EnginePushResult> PushImageAsync(EnginePushRequest request, IProgress<PushEvent>? events, CancellationToken cancellationToken) =>
            throw new NotSupportedException("no pushes here");

        public void Dispose()
        {
        }
    }

    /// <summary>Every event an orchestrator reported, in order (any thread).</summary>
    internal sealed class RecordingEvents : IImageBuildEvents
    {
        private readonly object gate = new object();
        private readonly List<object> all = new List<object>();

        public List<object> All
        {
            get
            {
                lock (gate)
                {
                    return all.ToList();
                }
            }
        }

        public List<BuildFailure> Failures => All.OfType<(ImageBuildJob, BuildFailure)>().Select(f => f.Item2).ToList();

        public List<ImageBuildOutcome> Results => All.OfType<ImageBuildOutcome>().ToList();

        public List<string> Lines => All.OfType<(ImageBuildJob, string)>().Select(l => l.Item2).ToList();

        public List<BuildProgress> Progresses => All.OfType<BuildProgress>().ToList();

        public void Progress(BuildProgress progress) => Add(progress);

        public void LogLine(ImageBuildJob job, string text) => Add((job, text));

        public void Warning(ImageBuildJob job, string message) => Add(("warning", message));

        public void Failure(ImageBuildJob job, BuildFailure failure) => Add((job, failure));

        public void Result(ImageBuildOutcome outcome) => Add(outcome);

        private void Add(object e)
        {
            lock (gate)
            {
                all.Add(e);
            }
        }
    }

    /// <summary>Build contexts with a Dockerfile, and jobs for them.</summary>
    internal sealed class JobFolder : IDisposable
    {
        private readonly TempContext root = new TempContext();

        public string Root => root.Root;

        public ImageBuildJob Job(int index, string dockerfile = "FROM scratch\nCOPY a.txt /a.txt\n", params string[] references)
        {
            string dir = System.IO.Path.Combine(root.Root, "img" + index);
            root.Write("img" + index + "/Dockerfile", dockerfile);
            root.Write("img" + index + "/a.txt", "content " + index + "\n");
            var refs = references.Length > 0 ? references : new[] { "pitest5-orch-" + index + ":t" };
            return new ImageBuildJob(index, "target" + index, dir, System.IO.Path.Combine(dir, "Dockerfile"), refs);
        }

        public void Dispose() => root.Dispose();
    }
}
