using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace PythonImages.Dockerfiles
{
    /// <summary>What writing a Dockerfile does to the file on disk.</summary>
    public enum DockerfileAction
    {
        /// <summary>No file yet: it is created.</summary>
        Create,

        /// <summary>Our older file: it is replaced.</summary>
        Update,

        /// <summary>The file already has this content: nothing is written.</summary>
        Unchanged,

        /// <summary>A file we did not generate (no PythonImages banner): replaced only with -Force.</summary>
        Overwrite,
    }

    /// <summary>Where one rendered Dockerfile goes and what writing it would do.</summary>
    public sealed class DockerfilePlan
    {
        internal DockerfilePlan(RenderedDockerfile rendered, string fullPath, string contextPath, DockerfileAction action, byte[] bytes)
        {
            Rendered = rendered;
            FullPath = fullPath;
            ContextPath = contextPath;
            Action = action;
            Bytes = bytes;
        }

        /// <summary>The Dockerfile to write.</summary>
        public RenderedDockerfile Rendered { get; }
        /// <summary>Where it goes.</summary>
        public string FullPath { get; }
        /// <summary>Its folder, the build context.</summary>
        public string ContextPath { get; }
        /// <summary>Create, overwrite or leave unchanged.</summary>
        public DockerfileAction Action { get; }
        internal byte[] Bytes { get; }

        /// <summary>Leftover temporary files (of an interrupted earlier write) that <see cref="DockerfileStore.Commit"/> removed from this folder.</summary>
        public IReadOnlyList<string> RemovedLeftovers { get; internal set; } = Array.Empty<string>();
    }

    /// <summary>Dockerfiles on disk below an images root: planning, atomic writes, pruning and staleness checks.</summary>
    public static class DockerfileStore
    {
        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        /// <summary>Prefix of the temporary files a write creates next to its target (.Dockerfile.&lt;32 hex&gt;.tmp; only a killed run leaves one).</summary>
        public const string TempPrefix = ".Dockerfile.";

        /// <summary>Test hook (per thread): called with the temporary file's path just before it replaces the target.</summary>
        [ThreadStatic]
        internal static Action<string>? BeforeCommit;

        /// <summary>The full path of the output root (-Path).</summary>
        public static string FullRoot(string root)
        {
            string full = Path.GetFullPath(root);
            return full.Length > 1 ? full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : full;
        }

        /// <summary>The absolute path of an image's Dockerfile; refuses any path that would leave the root.</summary>
        public static string PathFor(string fullRoot, string directory)
        {
            DockerfileRenderer.CheckDirectory(directory);
            string dir = Path.GetFullPath(Path.Combine(fullRoot, directory.Replace('/', Path.DirectorySeparatorChar)));
            string prefix = fullRoot.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? fullRoot : fullRoot + Path.DirectorySeparatorChar;
            if (!dir.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw Escape(directory, fullRoot);
            }

            // A link inside the root could point outside it.
            for (var d = new DirectoryInfo(dir); d != null && d.FullName.Length > prefix.Length - 1; d = d.Parent)
            {
                if (d.Exists && (d.Attributes & FileAttributes.ReparsePoint) != 0)
                {
                    throw Escape(directory, fullRoot, " through the link " + d.FullName);
                }
            }

            return Path.Combine(dir, DockerfileRenderer.FileName);
        }

        private static DockerfileException Escape(string directory, string root, string how = "") => new DockerfileException(
            DockerfileErrorIds.PathEscape,
            $"The Dockerfile of '{directory}' would be written outside the images root {root}{how}.",
            "Use images from Get-PythonTag, whose directories are <versionKey>/<variant>, and a -Path without links inside it.");

        /// <summary>Decides what writing <paramref name="rendered"/> under <paramref name="fullRoot"/> does; throws <see cref="DockerfileException"/> for a path that escapes the root or is not a file.</summary>
        public static DockerfilePlan Plan(string fullRoot, RenderedDockerfile rendered)
        {
            string path = PathFor(fullRoot, rendered.Directory);
            byte[] bytes = Utf8.GetBytes(rendered.Content);
            DockerfileAction action = DockerfileAction.Create;
            var kind = FileProbe.KindOf(path);
            if (kind == FileKind.Directory)
            {
                throw new DockerfileException(
                    DockerfileErrorIds.PathIsDirectory,
                    $"{path} is a directory, so the Dockerfile cannot be written there.",
                    "Remove or rename that directory.");
            }

            if (kind != FileKind.Missing)
            {
                byte[] old = ReadExisting(path, kind);
                if (old.AsSpanEquals(bytes))
                {
                    action = DockerfileAction.Unchanged;
                }
                else
                {
                    action = DockerfileRenderer.IsGenerated(Utf8.GetString(old)) ? DockerfileAction.Update : DockerfileAction.Overwrite;
                }
            }

            return new DockerfilePlan(rendered, path, Path.GetDirectoryName(path)!, action, bytes);
        }

        /// <summary>The bytes of an existing Dockerfile; a FIFO, device or socket of that name is refused without being opened.</summary>
        private static byte[] ReadExisting(string path, FileKind kind)
        {
            if (kind != FileKind.Regular)
            {
                throw new DockerfileException(
                    DockerfileErrorIds.NotAFile,
                    $"{path} is {FileProbe.Describe(kind)}, not a regular file; it was not opened.",
                    "Remove it; a Dockerfile must be a regular file.");
            }

            return File.ReadAllBytes(path);
        }

        /// <summary>
        /// Writes the plan's file atomically: the bytes go to a temporary file in the same directory, which then
        /// replaces the target with one rename. The target is always either the old or the new file. Leftover temporary
        /// files of an interrupted earlier write in that folder are removed first (see <see cref="DockerfilePlan.RemovedLeftovers"/>);
        /// a temporary file that another running write holds is never touched. A file that appears meanwhile is never
        /// replaced by a Create, unless it already holds exactly the same bytes (a concurrent identical write: success).
        /// </summary>
        public static void Commit(DockerfilePlan plan)
        {
            if (plan.Action == DockerfileAction.Unchanged)
            {
                return;
            }

            if (plan.Action == DockerfileAction.Create)
            {
                Directory.CreateDirectory(plan.ContextPath);
            }

            plan.RemovedLeftovers = AtomicFile.RemoveLeftovers(plan.ContextPath, DockerfileRenderer.FileName);

            // No fsync: the rename makes the replacement atomic for readers and for an interrupted run; syncing
            // every file would make regenerating the matrix I/O-bound for no gain in that guarantee.
            AtomicFile.WriteAllBytes(
                plan.FullPath,
                plan.Bytes,
                plan.Action == DockerfileAction.Create ? AtomicWriteMode.CreateNew : AtomicWriteMode.Replace,
                BeforeCommit);
        }

        /// <summary>Leftover temporary files (of an interrupted write) in an image's folder: they would be sent with its build context.</summary>
        public static IReadOnlyList<string> FindLeftovers(string fullRoot, string directory) =>
            AtomicFile.FindLeftovers(Path.GetDirectoryName(PathFor(fullRoot, directory))!, DockerfileRenderer.FileName);

        /// <summary>Our generated Dockerfiles below the root (files named Dockerfile that start with our banner), as relative directories.</summary>
        public static IEnumerable<string> FindGenerated(string fullRoot)
        {
            if (!Directory.Exists(fullRoot))
            {
                yield break;
            }

            var pending = new Stack<string>();
            pending.Push(fullRoot);
            while (pending.Count > 0)
            {
                string dir = pending.Pop();
                string file = Path.Combine(dir, DockerfileRenderer.FileName);
                if (dir != fullRoot && FileProbe.KindOf(file) == FileKind.Regular && StartsWithBanner(file))
                {
                    yield return Relative(fullRoot, dir);
                }

                foreach (var sub in Directory.EnumerateDirectories(dir).OrderBy(x => x, StringComparer.Ordinal).Reverse())
                {
                    var info = new DirectoryInfo(sub);
                    if (!info.Name.StartsWith(".", StringComparison.Ordinal) && (info.Attributes & FileAttributes.ReparsePoint) == 0)
                    {
                        pending.Push(sub);
                    }
                }
            }
        }

        /// <summary>Deletes a generated Dockerfile (only if it still carries our banner) and the directories this leaves empty, up to the root.</summary>
        public static bool DeleteGenerated(string fullRoot, string directory)
        {
            string path = PathFor(fullRoot, directory);
            if (FileProbe.KindOf(path) != FileKind.Regular || !StartsWithBanner(path))
            {
                return false;
            }

            File.Delete(path);
            AtomicFile.RemoveLeftovers(Path.GetDirectoryName(path)!, DockerfileRenderer.FileName);
            for (var dir = new DirectoryInfo(Path.GetDirectoryName(path)!); dir != null && dir.FullName.Length > fullRoot.Length && dir.FullName.StartsWith(fullRoot, StringComparison.Ordinal); dir = dir.Parent)
            {
                if (dir.EnumerateFileSystemInfos().Any())
                {
                    break;
                }

                dir.Delete();
            }

            return true;
        }

        /// <summary>Whether the file at <paramref name="path"/> starts with the PythonImages banner.</summary>
        public static bool StartsWithBanner(string path)
        {
            byte[] marker = Utf8.GetBytes(DockerfileRenderer.BannerMarker);
            var buffer = new byte[marker.Length];
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            int read = 0;
            while (read < buffer.Length)
            {
                int n = stream.Read(buffer, read, buffer.Length - read);
                if (n == 0)
                {
                    return false;
                }

                read += n;
            }

            return buffer.AsSpanEquals(marker);
        }

        /// <summary>Compares the file on disk with the rendering.</summary>
        public static DockerfileCheck Check(string fullRoot, RenderedDockerfile rendered)
        {
            string path = PathFor(fullRoot, rendered.Directory);
            var kind = FileProbe.KindOf(path);
            if (kind == FileKind.Missing)
            {
                return new DockerfileCheck(rendered.Image, rendered.Directory, path, DockerfileStatus.Missing, null);
            }

            string old = Utf8.GetString(ReadExisting(path, kind));
            if (string.Equals(old, rendered.Content, StringComparison.Ordinal))
            {
                return new DockerfileCheck(rendered.Image, rendered.Directory, path, DockerfileStatus.Current, null);
            }

            string diff = UnifiedDiff.Create(old, rendered.Content, "a/" + rendered.RelativePath, "b/" + rendered.RelativePath);
            return new DockerfileCheck(rendered.Image, rendered.Directory, path, DockerfileStatus.Stale, diff);
        }

        private static string Relative(string fullRoot, string dir) =>
            dir.Substring(fullRoot.Length).TrimStart(Path.DirectorySeparatorChar).Replace(Path.DirectorySeparatorChar, '/');

        private static bool AsSpanEquals(this byte[] a, byte[] b)
        {
            if (a.Length != b.Length)
            {
                return false;
            }

            for (int i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i])
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>How a Dockerfile on disk compares with the generated one.</summary>
    public enum DockerfileStatus
    {
        /// <summary>The file is what the generator writes now.</summary>
        Current,

        /// <summary>The file differs (see Diff).</summary>
        Stale,

        /// <summary>The image has no file.</summary>
        Missing,

        /// <summary>A generated file whose image is no longer in the matrix (New-PythonDockerfile -Prune removes it).</summary>
        Orphaned,

        /// <summary>
        /// A temporary file left in the image's folder by an interrupted write (Path names it): it would be sent with the
        /// build context. The next New-PythonDockerfile that writes this folder removes it.
        /// </summary>
        Leftover,
    }

    /// <summary>Test-PythonDockerfile's answer for one image.</summary>
    public sealed class DockerfileCheck
    {
        /// <summary>The result of comparing one Dockerfile.</summary>
        public DockerfileCheck(PythonImage? image, string directory, string path, DockerfileStatus status, string? diff)
        {
            Image = image;
            Directory = directory;
            Path = path;
            Status = status;
            Diff = diff;
        }

        /// <summary>The image checked; null for an Orphaned file.</summary>
        public PythonImage? Image { get; }

        /// <summary>The version key (from the image, or the first part of the directory).</summary>
        public string VersionKey => Image?.VersionKey ?? Directory.Split('/')[0];

        /// <summary>The variant (from the image, or the rest of the directory).</summary>
        public string Variant => Image?.Variant ?? Directory.Substring(Directory.IndexOf('/') + 1);
        /// <summary>The image's directory, &lt;version&gt;/&lt;variant&gt;.</summary>
        public string Directory { get; }
        /// <summary>The full path of the Dockerfile.</summary>
        public string Path { get; }
        /// <summary>Up to date, different, missing or not ours.</summary>
        public DockerfileStatus Status { get; }

        /// <summary>Unified diff from the file on disk (a/) to the current rendering (b/), for Stale files.</summary>
        public string? Diff { get; }

        /// <inheritdoc/>
        public override string ToString() => Directory + ": " + Status;
    }
}
