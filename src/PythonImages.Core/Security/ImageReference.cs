using System;
using System.Text.RegularExpressions;

namespace PythonImages.Security
{
    /// <summary>
    /// A Docker image reference in the distribution grammar: [registry[:port]/]path[:tag][@digest].
    /// The one parser for image names in the module (build, test and push use it).
    /// </summary>
    public sealed class ImageReference : IEquatable<ImageReference>
    {
        private static Regex? digestPattern;

        private ImageReference(string? registry, string path, string? tag, string? digest)
        {
            Registry = registry;
            Path = path;
            Tag = tag;
            Digest = digest;
        }

        /// <summary>The registry host[:port], or null when the reference names none (Docker Hub, or a local name).</summary>
        public string? Registry { get; }

        /// <summary>The repository path below the registry: python, library/python, team/app.</summary>
        public string Path { get; }

        /// <summary>The tag, when there is one.</summary>
        public string? Tag { get; }

        /// <summary>algorithm:hex, or null.</summary>
        public string? Digest { get; }

        /// <summary>registry/path (or just path): the repository part without tag or digest.</summary>
        public string Repository => Registry == null ? Path : Registry + "/" + Path;

        private static Regex DigestPattern => digestPattern ??= new Regex(
            @"\A[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}\z", RegexOptions.CultureInvariant);

        /// <summary>Parses a reference; throws <see cref="InputRejectedException"/> (<paramref name="errorId"/>) when it is not one.</summary>
        public static ImageReference Parse(string? text, string errorId = "ImageReference.Invalid", string what = "The image reference")
        {
            if (TryParse(text, out var reference, out string? why))
            {
                return reference!;
            }

            throw new InputRejectedException(errorId, InputGrammar.RepositoryPath, what + " '" + InputGrammar.Show(text) + "'", why!);
        }

        /// <summary>
        /// True when Docker reads <paramref name="firstComponent"/>, the part of a reference before its first '/', as a
        /// registry host: it has a '.' or a ':port', is localhost, or has an uppercase letter. An IPv6 address in brackets
        /// ([::1], [::1]:5000) is one by its ':'; brackets around anything else ([ab]) are not, as for Docker. Any other first
        /// part is a Docker Hub namespace (mirror/python is docker.io/mirror/python). The one reading of the module: image
        /// references, -BaseImageRegistry and Publish-PythonImage -Registry all use it.
        /// </summary>
        public static bool NamesRegistryHost(string firstComponent) =>
            firstComponent.IndexOf('.') >= 0 || firstComponent.IndexOf(':') >= 0 || firstComponent == "localhost" ||
            !string.Equals(firstComponent, firstComponent.ToLowerInvariant(), StringComparison.Ordinal);

        /// <summary>Parses <paramref name="text"/>; false when it is not a reference.</summary>
        public static bool TryParse(string? text, out ImageReference? reference) => TryParse(text, out reference, out _);

        /// <summary>Parses a reference, or says why it is not one.</summary>
        public static bool TryParse(string? text, out ImageReference? reference, out string? why)
        {
            reference = null;
            if (string.IsNullOrEmpty(text))
            {
                why = "the reference is empty";
                return false;
            }

            int bad = InputGrammar.FirstNonPrintable(text!);
            if (bad >= 0)
            {
                why = $"it contains the character U+{(int)text![bad]:X4} at position {bad + 1}";
                return false;
            }

            string rest = text!;
            string? digest = null;
            int at = rest.IndexOf('@');
            if (at >= 0)
            {
                digest = rest.Substring(at + 1);
                rest = rest.Substring(0, at);
                if (!DigestPattern.IsMatch(digest))
                {
                    why = "the digest after '@' is not algorithm:hex (e.g. sha256:<64 hex digits>)";
                    return false;
                }
            }

            string? registry = null;
            int slash = rest.IndexOf('/');
            if (slash > 0)
            {
                string first = rest.Substring(0, slash);
                if (NamesRegistryHost(first))
                {
                    registry = first;
                    rest = rest.Substring(slash + 1);
                    if (!InputGrammar.RegistryHost.IsMatch(registry))
                    {
                        why = $"'{registry}' is not a valid registry host[:port]";
                        return false;
                    }
                }
            }

            string? tag = null;
            int colon = rest.LastIndexOf(':');
            if (colon >= 0)
            {
                tag = rest.Substring(colon + 1);
                rest = rest.Substring(0, colon);
                if (!InputGrammar.DockerTag.IsMatch(tag))
                {
                    why = $"the tag '{tag}' is not valid (a letter, digit or '_' followed by up to 127 letters, digits, '_', '.' or '-')";
                    return false;
                }
            }

            if (!InputGrammar.RepositoryPath.IsMatch(rest))
            {
                why = $"the repository '{rest}' is not valid (lowercase letters and digits; components joined by '.', '_', '__' or '-' and separated by '/')";
                return false;
            }

            if ((registry == null ? 0 : registry.Length + 1) + rest.Length > 255)
            {
                why = "the repository name is longer than 255 characters";
                return false;
            }

            why = null;
            reference = new ImageReference(registry, rest, tag, digest);
            return true;
        }

        /// <summary>
        /// A tag or a full reference as users type it: a bare tag ("3.14-slim") goes under <paramref name="repository"/>;
        /// anything with ':', '/' or '@' is a full reference of its own.
        /// </summary>
        public static ImageReference FromTagOrReference(string text, string repository, string errorId = "ImageReference.Invalid")
        {
            if (IsBareTag(text))
            {
                var repo = Parse(repository, errorId, "The repository");
                if (repo.Tag != null || repo.Digest != null)
                {
                    throw new InputRejectedException(errorId, InputGrammar.RepositoryPath, $"The repository '{InputGrammar.Show(repository)}'", "a repository has no tag or digest");
                }

                string? why = InputGrammar.DockerTag.Why(text);
                if (why != null)
                {
                    throw new InputRejectedException(errorId, InputGrammar.DockerTag, $"The tag '{InputGrammar.Show(text)}'", why);
                }

                return new ImageReference(repo.Registry, repo.Path, text, null);
            }

            return Parse(text, errorId);
        }

        /// <summary>
        /// The one rule that names an image from a tag (build, test and push use it): a bare tag (no ':', '/' or '@') goes
        /// under <paramref name="repository"/> as repository:tag; anything else is a reference of its own, kept as written.
        /// Checks nothing: callers check the tag or the result against the grammar (<see cref="FromTagOrReference"/>).
        /// </summary>
        public static string Qualify(string tagOrReference, string repository) =>
            IsBareTag(tagOrReference) ? repository + ":" + tagOrReference : tagOrReference;

        /// <summary>True when <paramref name="text"/> has no ':', '/' or '@': a tag, not a reference.</summary>
        public static bool IsBareTag(string text) => text.IndexOf(':') < 0 && text.IndexOf('/') < 0 && text.IndexOf('@') < 0;

        /// <summary>The same repository with another tag (and no digest).</summary>
        public ImageReference WithTag(string tag)
        {
            InputGrammar.Require(InputGrammar.DockerTag, tag, "ImageReference.Invalid", "The tag");
            return new ImageReference(Registry, Path, tag, null);
        }

        /// <summary>The same path and tag under another registry prefix ("localhost:5000/library").</summary>
        public ImageReference InRegistry(string registryPrefix)
        {
            InputGrammar.Require(InputGrammar.RegistryPrefix, registryPrefix, "ImageReference.Invalid", "The registry");
            var prefix = Parse(registryPrefix.TrimEnd('/') + "/x");
            string path = prefix.Path.Substring(0, prefix.Path.Length - 1) + LastComponent;
            return new ImageReference(prefix.Registry, path, Tag, Digest);
        }

        /// <summary>The last path component (the image name without namespace): python for library/python.</summary>
        public string LastComponent
        {
            get
            {
                int i = Path.LastIndexOf('/');
                return i < 0 ? Path : Path.Substring(i + 1);
            }
        }

        /// <inheritdoc/>
        public override string ToString() =>
            Repository + (Tag != null ? ":" + Tag : string.Empty) + (Digest != null ? "@" + Digest : string.Empty);

        /// <inheritdoc/>
        public bool Equals(ImageReference? other) => other is not null && string.Equals(ToString(), other.ToString(), StringComparison.Ordinal);

        /// <inheritdoc/>
        public override bool Equals(object? obj) => Equals(obj as ImageReference);

        /// <inheritdoc/>
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
    }
}
