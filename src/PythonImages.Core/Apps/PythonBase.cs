using System;
using System.Collections.Generic;
using System.Linq;
using PythonImages.Security;

namespace PythonImages.Apps
{
    /// <summary>
    /// A python image named by one of its tags, as an app or a one-off script uses it: checked against the matrix
    /// (simple and shared tags, as Get-PythonTag -Name finds them), with the form its containers need.
    /// </summary>
    public sealed class PythonBase
    {
        /// <summary>The repository of the official python images.</summary>
        public const string Repository = "python";

        private PythonBase(string tag, string reference, AppForm form, IReadOnlyList<PythonImage> images)
        {
            Tag = tag;
            Reference = reference;
            Form = form;
            Images = images;
        }

        /// <summary>The tag as the matrix spells it (3.14-slim).</summary>
        public string Tag { get; }

        /// <summary>The image reference: python:3.14-slim, or under a registry prefix.</summary>
        public string Reference { get; }

        /// <summary>
        /// Debian, Alpine or Windows. A shared tag that names Linux and Windows images (3.14, latest) gives the Linux form,
        /// as the first image of the tag; only a tag whose images are all Windows Server Core gives the Windows form.
        /// </summary>
        public AppForm Form { get; }

        /// <summary>The OS of the containers the form runs in.</summary>
        public ImageOS OS => Form == AppForm.Windows ? ImageOS.Windows : ImageOS.Linux;

        /// <summary>The matrix images that carry the tag.</summary>
        public IReadOnlyList<PythonImage> Images { get; }

        /// <summary>
        /// Finds <paramref name="tag"/> among the images' tags and shared tags (case-insensitively; no wildcards). Throws
        /// <see cref="AppException"/> (App.InvalidTag, App.TagNotFound, App.InvalidRegistry) when it cannot be used.
        /// </summary>
        public static PythonBase Resolve(IReadOnlyList<PythonImage> images, string tag, string? registryPrefix = null)
        {
            string? why = InputGrammar.DockerTag.Why(tag);
            if (why != null)
            {
                throw new AppException(AppErrorIds.InvalidTag, $"The -Tag value '{InputGrammar.Show(tag)}' is not accepted: {why}.",
                    "Give a tag of the python image, e.g. -Tag 3, -Tag 3.13-slim or -Tag alpine (Get-PythonTag lists them; Tab completes them).", InputGrammar.Show(tag));
            }

            var hits = images.Where(i => i.Tags.Concat(i.SharedTags).Any(t => string.Equals(t, tag, StringComparison.OrdinalIgnoreCase))).ToList();
            if (hits.Count == 0)
            {
                throw new AppException(AppErrorIds.TagNotFound, $"No python image has the tag '{tag}'.",
                    "Run Get-PythonTag to list the tags (or press Tab after -Tag); for example -Tag 3, -Tag 3.13-slim or -Tag alpine.", tag);
            }

            string canonical = hits[0].Tags.Concat(hits[0].SharedTags).First(t => string.Equals(t, tag, StringComparison.OrdinalIgnoreCase));
            var linux = hits.FirstOrDefault(i => i.OS == ImageOS.Linux);
            var form = linux != null ? AppDockerfile.FormOf(linux.Family) : AppForm.Windows;

            var reference = ImageReference.Parse(Repository + ":" + canonical, AppErrorIds.InvalidTag, "The python image");
            if (registryPrefix != null)
            {
                string? whyRegistry = InputGrammar.RegistryPrefix.Why(registryPrefix.TrimEnd('/'));
                if (whyRegistry != null)
                {
                    throw new AppException(AppErrorIds.InvalidRegistry,
                        $"The -BaseImageRegistry value '{InputGrammar.Show(registryPrefix)}' is not accepted: {whyRegistry}.",
                        "Give host[:port] optionally followed by /namespace, e.g. registry.example:5000/hub.", InputGrammar.Show(registryPrefix));
                }

                reference = reference.InRegistry(registryPrefix.TrimEnd('/'));
                if (reference.Registry == null)
                {
                    // Docker reads a first component without '.', ':port' or localhost as a Docker Hub namespace:
                    // FROM mirror/python:3 would pull docker.io/mirror/python:3, whoever owns that namespace.
                    throw new AppException(AppErrorIds.InvalidRegistry,
                        $"The -BaseImageRegistry value '{InputGrammar.Show(registryPrefix)}' does not start with a registry host: Docker would read '{reference}' as an image of Docker Hub.",
                        "Start it with the registry's host name with a '.' or a :port, or localhost, e.g. registry.example:5000/hub or mirror.internal.", InputGrammar.Show(registryPrefix));
                }
            }

            return new PythonBase(canonical, reference.ToString(), form, hits);
        }
    }
}
