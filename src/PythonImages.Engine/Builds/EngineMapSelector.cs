using System;
using System.Collections.Generic;
using System.Linq;
using PythonImages.Builds;
using PythonImages.Ci;

namespace PythonImages.Engine.Builds
{
    /// <summary>One entry of -Engine: a platform and the engine that builds it.</summary>
    public sealed class EngineRoute
    {
        /// <summary>The engine at <paramref name="endpoint"/> builds <paramref name="platform"/>.</summary>
        public EngineRoute(EnginePlatform platform, EngineEndpoint endpoint)
        {
            Platform = platform;
            Endpoint = endpoint;
        }

        /// <summary>The platform key.</summary>
        public EnginePlatform Platform { get; }

        /// <summary>The engine's endpoint (resolved: an address, or a docker context's).</summary>
        public EngineEndpoint Endpoint { get; }

        /// <summary>The engine as messages name it: its address (userinfo masked) and, for a context, the context.</summary>
        public string Display => Endpoint.Host + (Endpoint.Source == EndpointSource.Context ? " (docker context '" + Endpoint.ContextName + "')" : string.Empty);
    }

    /// <summary>Why a job has no engine: the failure to report for it (nothing was uploaded).</summary>
    public sealed class EngineRouteException : Exception
    {
        /// <summary>A routing failure reported as <paramref name="failure"/>.</summary>
        public EngineRouteException(BuildFailure failure)
            : base(failure.Message, failure.Exception)
        {
            Failure = failure;
        }

        /// <summary>The failure event of the job.</summary>
        public BuildFailure Failure { get; }
    }

    /// <summary>
    /// Engines per platform (Invoke-PythonImageBuild -Engine): each job goes to the engine whose platform key best fits the
    /// platform it is built for (-Platform, else the image's architectures in order, else its OS), with its Windows version
    /// from the variant. Each engine is connected on first use, and its /version checked once against its key; a job with no
    /// fitting key, or routed to an engine that does not fit or does not answer, fails with <see cref="EngineRouteException"/>.
    /// </summary>
    public sealed class EngineMapSelector : IEngineSelector
    {
        private readonly IReadOnlyList<EngineRoute> routes;
        private readonly Func<EngineEndpoint, IDockerEngine> create;
        private readonly Func<IDockerEngine, EngineInfo> connect;
        private readonly Dictionary<string, IDockerEngine> engines = new Dictionary<string, IDockerEngine>(StringComparer.Ordinal);
        private readonly Dictionary<EngineRoute, EngineTarget> targets = new Dictionary<EngineRoute, EngineTarget>();
        private readonly Dictionary<EngineRoute, BuildFailure> refused = new Dictionary<EngineRoute, BuildFailure>();
        private readonly Dictionary<string, (EngineRoute Route, IDockerEngine Engine)> daemons = new Dictionary<string, (EngineRoute, IDockerEngine)>(StringComparer.Ordinal);

        /// <summary>
        /// A selector over <paramref name="routes"/>: <paramref name="create"/> makes an engine client for an endpoint
        /// (once per endpoint), <paramref name="connect"/> asks it for its /version (once per engine; the engine layer's
        /// exceptions become failures of the jobs routed there).
        /// </summary>
        public EngineMapSelector(IReadOnlyList<EngineRoute> routes, Func<EngineEndpoint, IDockerEngine> create, Func<IDockerEngine, EngineInfo> connect)
        {
            this.routes = routes;
            this.create = create;
            this.connect = connect;
        }

        /// <summary>Called with a line for the verbose stream when an engine is connected and checked.</summary>
        public Action<string>? Connected { get; set; }

        /// <summary>
        /// Asks an engine which daemon it is (its /info; the engine layer's exceptions mean "cannot tell"), when -Engine gives
        /// more than one address: two addresses of one daemon become one engine. Null: every address is an engine of its own.
        /// </summary>
        public Func<IDockerEngine, EngineIdentity>? Identify { get; set; }

        /// <summary>Called with a warning when two addresses of -Engine reach one daemon (built there as one engine).</summary>
        public Action<string>? Duplicate { get; set; }

        /// <summary>Called once a route's client is in use (connected, fits its key, and the only address of its daemon so far).</summary>
        public Action<EngineEndpoint>? Keep { get; set; }

        /// <summary>
        /// Called when a route's client is not used: its daemon builds through the client of another address of -Engine. The
        /// selector never uses that client again (a later route with the same address gets the other address's client).
        /// </summary>
        public Action<EngineEndpoint>? Release { get; set; }

        /// <inheritdoc/>
        public EngineTarget Choose(ImageBuildJob job, string? platform)
        {
            var wanted = Wanted(job, platform);
            foreach (var candidate in wanted)
            {
                var best = routes
                    .Select(r => (Route: r, Score: r.Platform.Score(candidate)))
                    .Where(r => r.Score >= 0)
                    .OrderByDescending(r => r.Score)
                    .ThenBy(r => r.Route.Platform.Key, StringComparer.Ordinal)
                    .Select(r => r.Route)
                    .FirstOrDefault();
                if (best != null)
                {
                    return Target(best);
                }
            }

            string needs = string.Join(", ", wanted.Select(w => w.Key).Distinct(StringComparer.Ordinal));
            string message = $"No engine of -Engine builds {job.DisplayName}: it is built for {needs}" +
                (platform != null ? " (-Platform)" : job.Image?.Architectures.Length > 0 ? " (its architectures, in order)" : string.Empty) +
                $", and -Engine maps {string.Join(", ", routes.Select(r => r.Platform.Key))}. Nothing was uploaded for it.";
            throw new EngineRouteException(new BuildFailure(BuildFailureKind.EngineRoute, message)
            {
                ErrorId = BuildEngineErrorIds.NoEngine,
                Exception = new InvalidOperationException(message),
            });
        }

        /// <summary>
        /// The platforms <paramref name="job"/> may be built for, best first: -Platform; else each architecture of the image (in
        /// its order: python images list amd64 first); else its OS. A Windows job carries its version (from the variant, its
        /// constraints or the Dockerfile's FROM line).
        /// </summary>
        public static IReadOnlyList<EnginePlatform> Wanted(ImageBuildJob job, string? platform)
        {
            string os = job.OS ?? BuildPlatform.SniffOS(job.DockerfilePath) ?? "linux";
            string? windowsVersion = string.Equals(os, "windows", StringComparison.OrdinalIgnoreCase) ? WindowsVersionOf(job) : null;
            var wanted = new List<EnginePlatform>();
            if (platform != null)
            {
                var parsed = EnginePlatform.Parse(platform, out _);
                wanted.Add((parsed ?? EnginePlatform.OfOS(os, windowsVersion)).WithWindowsVersion(windowsVersion));
                return wanted;
            }

            foreach (var architecture in job.Image?.Architectures ?? Array.Empty<string>())
            {
                string key;
                try
                {
                    key = BuildPlanner.PlatformOf(job.Image!, architecture).Key;
                }
                catch (BuildMatrixException)
                {
                    continue; // an architecture without a platform (mips64le is one): no engine can be keyed by it
                }

                var parsed = EnginePlatform.Parse(key, out _);
                if (parsed != null && string.Equals(parsed.OS, os, StringComparison.OrdinalIgnoreCase))
                {
                    wanted.Add(parsed.WithWindowsVersion(windowsVersion));
                }
            }

            if (wanted.Count == 0)
            {
                wanted.Add(EnginePlatform.OfOS(os, windowsVersion));
            }

            return wanted;
        }

        private static string? WindowsVersionOf(ImageBuildJob job)
        {
            if (job.Image != null)
            {
                foreach (var name in job.Image.Constraints.Concat(new[] { job.Image.Variant }))
                {
                    string? version = EnginePlatform.WindowsVersionIn(name ?? string.Empty);
                    if (version != null)
                    {
                        return version;
                    }
                }
            }

            try
            {
                var from = DockerfileReader.ReadText(job.DockerfilePath).Split('\n').Select(l => l.TrimEnd('\r'))
                    .FirstOrDefault(l => l.TrimStart().StartsWith("FROM ", StringComparison.OrdinalIgnoreCase));
                return from == null ? null : EnginePlatform.WindowsVersionIn(from);
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>The route's engine, connected and checked once; the same failure for every job routed to a refused engine.</summary>
        private EngineTarget Target(EngineRoute route)
        {
            if (targets.TryGetValue(route, out var known))
            {
                return known;
            }

            if (refused.TryGetValue(route, out var failure))
            {
                throw new EngineRouteException(failure);
            }

            string key = route.Endpoint.ClientKey;
            if (!engines.TryGetValue(key, out var engine))
            {
                engine = create(route.Endpoint);
                engines[key] = engine;
            }

            EngineInfo info;
            try
            {
                info = connect(engine);
            }
            catch (Exception ex) when (ex is EngineUnavailableException || ex is EngineConfigurationException || ex is EngineStalledException || ex is EngineRequestException)
            {
                throw Refuse(route, new BuildFailure(BuildFailureKind.Engine, $"The engine for {route.Platform.Key}, {route.Display}, cannot be used: {ex.Message} Nothing was uploaded to it.")
                {
                    Exception = ex,
                    Operation = "Connecting to the engine for " + route.Platform.Key,
                });
            }

            string? why = route.Platform.WhyNotOn(info);
            if (why != null)
            {
                string message = $"The engine for {route.Platform.Key}, {route.Display}, does not fit that platform: {why} ('docker version' says {info.OSType}/{info.Architecture}). Nothing was uploaded to it.";
                throw Refuse(route, new BuildFailure(BuildFailureKind.EngineRoute, message)
                {
                    ErrorId = BuildEngineErrorIds.PlatformMismatch,
                    Exception = new InvalidOperationException(message),
                });
            }

            Connected?.Invoke($"Docker engine {info.ServerVersion} ({info.OSType}/{info.Architecture}) at {info.Endpoint}, API {info.NegotiatedApiVersion}, builds {route.Platform.Key}.");
            var used = SameDaemon(route, engine, info);
            if (ReferenceEquals(used, engine))
            {
                Keep?.Invoke(route.Endpoint);
            }
            else
            {
                engines[key] = used;
                Release?.Invoke(route.Endpoint);
            }

            var target = new EngineTarget(used, info) { Platform = route.Platform.RequestOn(info) };
            targets[route] = target;
            return target;
        }

        /// <summary>
        /// The client of the daemon <paramref name="engine"/> reaches: the first route's when an earlier route reached the same
        /// daemon under another address (one client, one -ThrottleLimit; a warning names both addresses), else its own.
        /// </summary>
        private IDockerEngine SameDaemon(EngineRoute route, IDockerEngine engine, EngineInfo info)
        {
            if (Identify == null || routes.Select(r => r.Endpoint.ClientKey).Distinct(StringComparer.Ordinal).Count() < 2)
            {
                return engine;
            }

            string? key;
            try
            {
                key = Identify(engine).Key(info);
            }
            catch (Exception ex) when (ex is EngineUnavailableException || ex is EngineStalledException || ex is EngineRequestException)
            {
                key = null; // it builds all the same; only duplicates cannot be found
            }

            if (key == null)
            {
                return engine;
            }

            if (daemons.TryGetValue(key, out var first))
            {
                if (!string.Equals(first.Route.Endpoint.ClientKey, route.Endpoint.ClientKey, StringComparison.Ordinal))
                {
                    Duplicate?.Invoke($"-Engine gives {route.Platform.Key} {route.Display} and {first.Route.Platform.Key} {first.Route.Display}: both reach the same Docker engine (one daemon: same ID, host name and data root), " +
                        "so it builds the images of both platforms as one engine, at most -ThrottleLimit at once. Give each platform an engine of its own to build them side by side.");
                }

                return first.Engine;
            }

            daemons[key] = (route, engine);
            return engine;
        }

        private EngineRouteException Refuse(EngineRoute route, BuildFailure failure)
        {
            refused[route] = failure;
            return new EngineRouteException(failure);
        }
    }
}
