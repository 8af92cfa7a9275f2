using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace PythonImages.Engine.Tests
{
    /// <summary>A container as the engine lists it (what the tests check for leftovers).</summary>
    public sealed class ContainerSummary
    {
        public string Id { get; set; } = string.Empty;

        public string Image { get; set; } = string.Empty;

        public string ImageId { get; set; } = string.Empty;

        public string Command { get; set; } = string.Empty;

        public string State { get; set; } = string.Empty;

        public IReadOnlyList<string> Names { get; set; } = Array.Empty<string>();
    }

    /// <summary>
    /// Engine calls only the tests need (clean-up and leftover checks), made through the engine's own connection,
    /// watchdog and error translation; the module's <see cref="IDockerEngine"/> does not carry them.
    /// </summary>
    internal static class EngineTestHelpers
    {
        /// <summary>Removes an image; an image that is already gone is not an error.</summary>
        public static Task RemoveImageAsync(this IDockerEngine engine, string image, bool force, CancellationToken cancellationToken) =>
            Engine(engine).CallAsync(
                "removing the image " + image,
                async (docker, ct) =>
                {
                    try
                    {
                        await docker.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = force }, ct).ConfigureAwait(false);
                    }
                    catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                    {
                        // already gone
                    }

                    return true;
                },
                cancellationToken);

        /// <summary>Containers known to the engine (all states when <paramref name="all"/>).</summary>
        public static async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(this IDockerEngine engine, bool all, CancellationToken cancellationToken)
        {
            var list = await Engine(engine).CallAsync(
                "listing containers",
                (docker, ct) => docker.Containers.ListContainersAsync(new ContainersListParameters { All = all }, ct),
                cancellationToken).ConfigureAwait(false);
            return list.Select(c => new ContainerSummary
            {
                Id = c.ID ?? string.Empty,
                Image = c.Image ?? string.Empty,
                ImageId = c.ImageID ?? string.Empty,
                Command = c.Command ?? string.Empty,
                State = c.State ?? string.Empty,
                Names = (c.Names ?? new List<string>()).ToArray(),
            }).ToList();
        }

        private static DockerEngine Engine(IDockerEngine engine) =>
            engine as DockerEngine ?? throw new ArgumentException("The test helpers work on the real engine client (DockerEngine), not on " + engine.GetType().Name + ".", nameof(engine));
    }
}
