using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;
using PythonImages.Ledger;
using PythonImages.Security;

namespace PythonImages.Engine.Builds
{
    /// <summary>
    /// What a build of one job is made of, as the ledger records it: the image key and platform, the Dockerfile's sha256,
    /// the context digest, the build arguments (as fingerprints, see <see cref="BuildArgFingerprint"/>), and the base image with its id on the engine now.
    /// </summary>
    public sealed class LedgerInputs
    {
        private LedgerInputs(LedgerEntry entry)
        {
            Entry = entry;
        }

        /// <summary>The inputs as a ledger entry without outputs (no image id, tags or pushes yet).</summary>
        public LedgerEntry Entry { get; }

        /// <summary>The key of <paramref name="job"/> in a ledger: its matrix directory, or its Dockerfile's full path ('/' separated).</summary>
        public static string KeyOf(ImageBuildJob job) =>
            job.Image != null && job.Image.Directory.Length > 0 ? job.Image.Directory : job.DockerfilePath.Replace('\\', '/');

        /// <summary>The platform a job is built for: the requested one, or the engine's own (linux/amd64).</summary>
        public static string PlatformOf(string? platform, EngineInfo engine)
        {
            if (!string.IsNullOrEmpty(platform))
            {
                return platform!;
            }

            string arch = engine.Architecture switch
            {
                "x86_64" => "amd64",
                "aarch64" => "arm64",
                var a => a,
            };
            string os = engine.OSType.Length > 0 ? engine.OSType.ToLowerInvariant() : "linux";
            return arch.Length > 0 ? os + "/" + arch : os;
        }

        /// <summary>
        /// Reads the inputs of <paramref name="job"/> (the files, then the base image on <paramref name="engine"/>);
        /// <see cref="LedgerException"/> when they cannot be read (the job is then built, and nothing recorded). Build
        /// arguments are fingerprinted with <paramref name="key"/> when one is given.
        /// </summary>
        public static async Task<LedgerInputs> ReadAsync(ImageBuildJob job, IDockerEngine engine, string platform, IDictionary<string, string> buildArgs, LedgerKey? key, CancellationToken ct)
        {
            string imageKey = KeyOf(job);
            string? why = LedgerGrammar.ImageKey.Why(imageKey) ?? EngineGrammar.Platform.Why(platform);
            if (why != null)
            {
                throw new LedgerException(LedgerErrorIds.InvalidPath, $"{job.DisplayName} cannot be recorded in a ledger: {why}.");
            }

            var entry = new LedgerEntry { Image = imageKey, Platform = platform };
            string dockerfileText;
            try
            {
                byte[] dockerfile = DockerfileReader.ReadBytes(job.DockerfilePath);
                entry.DockerfileSha256 = Hex(dockerfile);
                dockerfileText = Encoding.UTF8.GetString(dockerfile);
                entry.ContextDigest = ContextDigest(job);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is BuildContextException)
            {
                throw new LedgerException(LedgerErrorIds.ReadFailed, $"The inputs of {job.DisplayName} cannot be read: {ex.Message}", null, ex);
            }

            foreach (var arg in buildArgs)
            {
                entry.BuildArgs[arg.Key] = BuildArgFingerprint.Of(arg.Key, arg.Value ?? string.Empty, imageKey, platform, key);
            }

            string? baseName = ImageLabels.BaseImageOf(dockerfileText);
            if (baseName != null && ImageReference.TryParse(baseName, out _))
            {
                entry.BaseImage = baseName;
                await ReadBaseAsync(entry, engine, ct).ConfigureAwait(false);
            }

            return new LedgerInputs(entry);
        }

        /// <summary>Sets the base image's id and digest as the engine has it now (none when it is not there).</summary>
        internal static async Task ReadBaseAsync(LedgerEntry entry, IDockerEngine engine, CancellationToken ct)
        {
            entry.BaseImageId = null;
            entry.BaseImageDigest = null;
            if (entry.BaseImage == null)
            {
                return;
            }

            var details = await engine.InspectImageAsync(entry.BaseImage, ct).ConfigureAwait(false);
            if (details != null && LedgerGrammar.Digest.IsMatch(details.Id))
            {
                entry.BaseImageId = details.Id;
                string? digest = ImageLabels.BaseDigestOf(entry.BaseImage, details.RepoDigests, details.Id);
                entry.BaseImageDigest = digest != null && LedgerGrammar.Digest.IsMatch(digest) ? digest : null;
            }
        }

        /// <summary>
        /// The digest of the context as the engine receives it: every entry .dockerignore lets through, in path order, with
        /// its kind, mode, link target and (for a file) the sha256 of its content. Times are left out, as the engine's
        /// build cache leaves them out.
        /// </summary>
        public static string ContextDigest(ImageBuildJob job)
        {
            string relative = PathRules.RelativeInside(job.ContextPath, job.DockerfilePath) ?? job.DockerfilePath;
            var context = BuildContext.Scan(job.ContextPath, relative);
            using var sha = SHA256.Create();
            var text = new StringBuilder();
            foreach (var e in context.Entries.OrderBy(e => e.Path, StringComparer.Ordinal))
            {
                text.Append(e.Kind).Append(' ').Append(e.Path).Append(' ').Append(Convert.ToString(e.Mode, 8)).Append(' ').Append(e.LinkTarget ?? string.Empty);
                if (e.Kind == ContextEntryKind.File)
                {
                    using var file = File.OpenRead(e.FullPath);
                    text.Append(' ').Append(ToHex(sha.ComputeHash(file)));
                }

                text.Append('\n');
            }

            return "sha256:" + Hex(Encoding.UTF8.GetBytes(text.ToString()));
        }

        private static string Hex(byte[] bytes)
        {
            using var sha = SHA256.Create();
            return ToHex(sha.ComputeHash(bytes));
        }

        private static string ToHex(byte[] hash)
        {
            var sb = new StringBuilder(hash.Length * 2);
            foreach (byte b in hash)
            {
                sb.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }
    }
}
