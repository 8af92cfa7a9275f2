using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Builds;

namespace PythonImages.Engine
{
    /// <summary>What a context entry is.</summary>
    public enum ContextEntryKind
    {
        /// <summary>A regular file.</summary>
        File,
        /// <summary>A directory.</summary>
        Directory,
        /// <summary>A symbolic link (sent as a link).</summary>
        Symlink,
        /// <summary>A named pipe: sent as a header of its type, never opened (opening one waits for a writer).</summary>
        Fifo,
        /// <summary>A character device: sent as a header with its device numbers, never opened.</summary>
        CharacterDevice,
        /// <summary>A block device: sent as a header with its device numbers, never opened.</summary>
        BlockDevice,
        /// <summary>A further name of a file already sent (same inode): sent as a hard link to the first name, as docker does.</summary>
        HardLink,
    }

    /// <summary>One thing sent in the build context.</summary>
    public sealed class ContextEntry
    {
        /// <summary>'/'-separated path relative to the context root.</summary>
        public string Path { get; set; } = string.Empty;

        /// <summary>The full path on disk.</summary>
        public string FullPath { get; set; } = string.Empty;

        /// <summary>File, directory or link.</summary>
        public ContextEntryKind Kind { get; set; }

        /// <summary>The link's target, for a symbolic link; for a hard link, the context path of the name sent first.</summary>
        public string? LinkTarget { get; set; }

        /// <summary>The device's major number, for a character or block device.</summary>
        public int DeviceMajor { get; set; }

        /// <summary>The device's minor number, for a character or block device.</summary>
        public int DeviceMinor { get; set; }

        /// <summary>
        /// The device and inode the scan found (lstat), where the runtime tells them: the file the upload opens must be
        /// that one, whatever its path leads to by then.
        /// </summary>
        internal (long Device, long Inode)? Identity { get; set; }

        /// <summary>The Unix permission bits.</summary>
        public int Mode { get; set; }

        /// <summary>The last write time (UTC).</summary>
        public DateTime ModifiedUtc { get; set; }

        /// <summary>A file's size when the context was scanned: exactly this many bytes are sent for it.</summary>
        public long Size { get; set; }

        /// <summary>Its file capabilities (the security.capability attribute), sent as the docker CLI sends them; null for none.</summary>
        internal byte[]? Capability { get; set; }
    }

    /// <summary>Why a build context cannot be sent.</summary>
    public enum BuildContextFailure
    {
        /// <summary>The context folder or the Dockerfile does not exist.</summary>
        NotFound,

        /// <summary>A symbolic link points outside the context.</summary>
        SymlinkEscapes,

        /// <summary>The Dockerfile lies outside the context folder.</summary>
        DockerfileOutside,

        /// <summary>A folder of the context cannot be read.</summary>
        Unreadable,

        /// <summary>The .dockerignore holds a pattern the docker CLI refuses.</summary>
        InvalidIgnorePattern,
    }

    /// <summary>A context that cannot be sent (missing Dockerfile, a symlink escaping the context, unreadable folder).</summary>
    public sealed class BuildContextException : Exception
    {
        /// <summary>A context failure of kind <paramref name="reason"/> at <paramref name="path"/>.</summary>
        public BuildContextException(BuildContextFailure reason, string path, string message, Exception? inner = null)
            : base(message, inner)
        {
            Reason = reason;
            Path = path;
        }

        /// <summary>Why the context cannot be sent.</summary>
        public BuildContextFailure Reason { get; }

        /// <summary>The ErrorId Invoke-PythonImageBuild reports it under.</summary>
        public string ErrorId => Reason switch
        {
            BuildContextFailure.NotFound => ImageBuildErrorIds.ContextNotFound,
            BuildContextFailure.SymlinkEscapes => ImageBuildErrorIds.ContextSymlinkEscapes,
            BuildContextFailure.DockerfileOutside => ImageBuildErrorIds.ContextDockerfileOutside,
            BuildContextFailure.InvalidIgnorePattern => ImageBuildErrorIds.InvalidDockerignore,
            _ => ImageBuildErrorIds.ContextUnreadable,
        };

        /// <summary>The path the failure is about.</summary>
        public string Path { get; }
    }

    /// <summary>
    /// A build context: the list of entries to send (decided up front, so refusals happen before any upload) and a
    /// streaming tar writer that reads each file only while writing it.
    /// </summary>
    public sealed class BuildContext
    {
        private static readonly MethodInfo? GetUnixFileMode = typeof(File).GetMethod("GetUnixFileMode", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string) }, null);
        private static readonly PropertyInfo? LinkTargetProperty = typeof(FileSystemInfo).GetProperty("LinkTarget");

        private BuildContext(string root, string dockerfile, DockerIgnore ignore, IReadOnlyList<ContextEntry> entries, IReadOnlyList<string> skipped)
        {
            Root = root;
            Dockerfile = dockerfile;
            Ignore = ignore;
            Entries = entries;
            Skipped = skipped;
        }

        /// <summary>The full path of the context folder.</summary>
        public string Root { get; }

        /// <summary>The Dockerfile, '/'-separated, relative to the context.</summary>
        public string Dockerfile { get; }

        /// <summary>The .dockerignore rules applied.</summary>
        public DockerIgnore Ignore { get; }

        /// <summary>The entries to send, in tar order.</summary>
        public IReadOnlyList<ContextEntry> Entries { get; }

        /// <summary>
        /// The context paths left out although .dockerignore lets them through: sockets, which a tar cannot hold (docker
        /// skips them too, with a warning). The build reports them as log lines.
        /// </summary>
        public IReadOnlyList<string> Skipped { get; }

        /// <summary>Walks the context, applying .dockerignore, and validates it.</summary>
        public static BuildContext Scan(string contextDirectory, string? dockerfile = null)
        {
            string root = System.IO.Path.GetFullPath(contextDirectory);
            if (!Directory.Exists(root))
            {
                throw new BuildContextException(BuildContextFailure.NotFound, root, $"The build context folder {root} does not exist.");
            }

            string rootWithSep = root.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
            string dockerfileFull = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, string.IsNullOrEmpty(dockerfile) ? "Dockerfile" : dockerfile!));
            if (string.IsNullOrEmpty(dockerfile) && !Exists(dockerfileFull) && Exists(System.IO.Path.Combine(root, "dockerfile")))
            {
                // Like docker build without -f: "Dockerfile", else "dockerfile" when only that one is there.
                dockerfileFull = System.IO.Path.Combine(root, "dockerfile");
            }

            if (!dockerfileFull.StartsWith(rootWithSep, PathComparison))
            {
                throw new BuildContextException(BuildContextFailure.DockerfileOutside, dockerfileFull, $"The Dockerfile {dockerfileFull} is not inside the build context {root}.");
            }

            if (!File.Exists(dockerfileFull))
            {
                throw new BuildContextException(BuildContextFailure.NotFound, dockerfileFull, $"The Dockerfile {dockerfileFull} does not exist.");
            }

            // A Dockerfile that is a FIFO, a device or a link to one (it comes with the project) is refused here, before
            // anything reads it; the readers of its FROM lines read at most DockerfileReader.MaxBytes of a regular file.
            var dockerfileKind = PythonImages.FileProbe.KindOf(dockerfileFull);
            if (dockerfileKind != PythonImages.FileKind.Regular && dockerfileKind != PythonImages.FileKind.EmptyOrSpecial)
            {
                throw new BuildContextException(BuildContextFailure.Unreadable, dockerfileFull, $"The Dockerfile {dockerfileFull} is {PythonImages.FileProbe.Describe(dockerfileKind)}, not a regular file.");
            }

            // Like docker build, a Dockerfile that is a symbolic link (or lies in a linked folder) is its target: that is
            // the file the engine is told to read, so it must be in the context, and it is sent even if .dockerignore
            // excludes it.
            dockerfileFull = ResolveDockerfile(rootWithSep, dockerfileFull);

            string relDockerfile = dockerfileFull.Substring(rootWithSep.Length).Replace('\\', '/');

            var patterns = new List<string>();
            string ignoreFile = System.IO.Path.Combine(root, ".dockerignore");
            if (File.Exists(ignoreFile))
            {
                patterns.AddRange(DockerIgnore.ReadPatterns(ReadIgnoreFile(ignoreFile)));
            }

            // The Dockerfile and .dockerignore are always sent (the daemon needs them), as the docker CLI does.
            var probe = new DockerIgnore(patterns);
            if (probe.FirstProblem is string problem)
            {
                throw new BuildContextException(BuildContextFailure.InvalidIgnorePattern, ignoreFile, problem + "; docker build refuses it too. Fix or remove that line of " + ignoreFile + ".");
            }

            if (probe.IsExcluded(".dockerignore"))
            {
                patterns.Add("!.dockerignore");
            }

            if (probe.IsExcluded(relDockerfile))
            {
                patterns.Add("!" + relDockerfile);
            }

            var ignore = new DockerIgnore(patterns);
            var walk = new WalkState(rootWithSep, ignore) { RealRootWithSep = (RealPath(root) ?? root).TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar };
            Walk(root, string.Empty, null, walk);
            return new BuildContext(root, relDockerfile, ignore, walk.Entries, walk.Skipped);
        }

        /// <summary>Whether something, a dangling link included, is at <paramref name="path"/>.</summary>
        private static bool Exists(string path)
        {
            var info = new FileInfo(path);
            return info.Exists || Directory.Exists(path) || (int)info.Attributes != -1;
        }

        /// <summary>
        /// <paramref name="dockerfileFull"/> with every symbolic link along it replaced by its target, as docker build
        /// evaluates it (the context folder's own links included, so a link to the folder's real path stays inside);
        /// refused when that leaves the context. The result names the file under <paramref name="rootWithSep"/>. Where the
        /// runtime cannot read a link (.NET Framework), the path is kept as it is.
        /// </summary>
        private static string ResolveDockerfile(string rootWithSep, string dockerfileFull)
        {
            string rootNoSep = rootWithSep.Substring(0, rootWithSep.Length - 1);
            string? realRoot = RealPath(rootNoSep);
            string? current = realRoot == null ? null : RealPath(realRoot + dockerfileFull.Substring(rootNoSep.Length));
            if (realRoot == null || current == null)
            {
                return dockerfileFull;
            }

            string realRootWithSep = realRoot.TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
            if (!current.StartsWith(realRootWithSep, PathComparison))
            {
                throw new BuildContextException(
                    BuildContextFailure.DockerfileOutside,
                    dockerfileFull,
                    $"The Dockerfile {dockerfileFull} is a symbolic link to '{PythonImages.Security.InputGrammar.Show(current)}', outside the build context {rootNoSep}; the engine would not see it. Copy the file into the context instead of linking to it.");
            }

            if (!File.Exists(current))
            {
                throw new BuildContextException(BuildContextFailure.NotFound, dockerfileFull, $"The Dockerfile {dockerfileFull} is a symbolic link to '{PythonImages.Security.InputGrammar.Show(current)}', which does not exist.");
            }

            return rootWithSep + current.Substring(realRootWithSep.Length);
        }

        /// <summary>
        /// The full <paramref name="path"/> with every symbolic link along it replaced by its target, from the top of the
        /// file system down (what remains after a missing part is kept as it is), or null where the runtime cannot read a
        /// link (.NET Framework).
        /// </summary>
        private static string? RealPath(string path)
        {
            string current = System.IO.Path.GetPathRoot(path) ?? string.Empty;
            var parts = new List<string>(path.Substring(current.Length).Split(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar));
            int links = 0;
            while (parts.Count > 0)
            {
                string part = parts[0];
                parts.RemoveAt(0);
                if (part.Length == 0 || part == ".")
                {
                    continue;
                }

                if (part == "..")
                {
                    current = System.IO.Path.GetDirectoryName(current) ?? current;
                    continue;
                }

                string next = System.IO.Path.Combine(current, part);
                var info = new FileInfo(next);
                if ((int)info.Attributes == -1 || (info.Attributes & FileAttributes.ReparsePoint) == 0)
                {
                    current = next;
                    continue;
                }

                if (LinkTargetProperty?.GetValue(info) is not string target)
                {
                    return null;
                }

                if (++links > 40)
                {
                    throw new BuildContextException(BuildContextFailure.NotFound, path, $"The path {path} goes through a chain of more than 40 symbolic links.");
                }

                // Go on from the target, then with the rest of the path.
                if (System.IO.Path.IsPathRooted(target))
                {
                    current = System.IO.Path.GetPathRoot(target) ?? current;
                    target = target.Substring(current.Length);
                }

                parts.InsertRange(0, target.Split(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar));
            }

            return current;
        }

        /// <summary>The most a .dockerignore may hold (real ones are a few hundred bytes).</summary>
        public const long MaxIgnoreFileBytes = 1024 * 1024;

        /// <summary>
        /// The text of the context's .dockerignore, read with a limit: the file comes with the project (a pull request may
        /// make it a link to /dev/zero or a FIFO), so it is read only if it is a regular file of at most 1 MiB.
        /// </summary>
        private static string ReadIgnoreFile(string path)
        {
            try
            {
                return PythonImages.Security.InputFile.ReadText(path, MaxIgnoreFileBytes);
            }
            catch (PythonImages.Security.InputFileException ex)
            {
                throw new BuildContextException(BuildContextFailure.Unreadable, path, $"The context's .dockerignore ({path}) cannot be used: {ex.Message}", ex);
            }
        }

        private static StringComparison PathComparison => PathRules.Comparison;

        /// <summary>What a walk of the context has found so far.</summary>
        private sealed class WalkState
        {
            public WalkState(string rootWithSep, DockerIgnore ignore)
            {
                RootWithSep = rootWithSep;
                Ignore = ignore;
            }

            public string RootWithSep { get; }

            /// <summary>The context folder's real path (its links resolved), with a trailing separator.</summary>
            public string RealRootWithSep { get; set; } = string.Empty;

            public DockerIgnore Ignore { get; }

            public List<ContextEntry> Entries { get; } = new List<ContextEntry>();

            public List<string> Skipped { get; } = new List<string>();

            /// <summary>The context path first sent for each (device, inode): a later name of it is a hard link.</summary>
            public Dictionary<(long Device, long Inode), (string Name, long Size)> FirstNames { get; } = new Dictionary<(long Device, long Inode), (string Name, long Size)>();
        }

        /// <summary>
        /// Adds the entries of <paramref name="dir"/> (relative path <paramref name="relDir"/>), whose per-pattern
        /// .dockerignore results are <paramref name="dirMatches"/> (null at the root): docker decides each path with its
        /// folder's results, so an exception skipped at a folder does not re-include what another pattern excluded below it.
        /// Each file's type comes from lstat: only regular files are ever opened (later, while the tar is written).
        /// </summary>
        private static void Walk(string dir, string relDir, bool[]? dirMatches, WalkState walk)
        {
            FileSystemInfo[] children;
            try
            {
                children = new DirectoryInfo(dir).GetFileSystemInfos();
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException || ex is IOException)
            {
                throw new BuildContextException(BuildContextFailure.Unreadable, dir, $"Cannot read {dir}: {ex.Message}", ex);
            }

            foreach (var child in children.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                string rel = relDir.Length == 0 ? child.Name : relDir + "/" + child.Name;
                bool isLink = (child.Attributes & FileAttributes.ReparsePoint) != 0;
                bool isDir = !isLink && (child.Attributes & FileAttributes.Directory) != 0;
                if (walk.Ignore.IsExcluded(rel, dirMatches, out bool[] matches))
                {
                    if (isDir && walk.Ignore.HasExclusions && walk.Ignore.MustWalkExcludedDirectory(rel))
                    {
                        Walk(child.FullName, rel, matches, walk);
                    }

                    continue;
                }

                var status = PythonImages.FileProbe.LinkStatus(child.FullName);
                if (status == null && child.Name.IndexOf('\uFFFD') >= 0 && !File.Exists(child.FullName) && !Directory.Exists(child.FullName))
                {
                    throw NotUtf8(dir, relDir, child.Name);
                }

                var entry = new ContextEntry
                {
                    Path = rel,
                    FullPath = child.FullName,
                    ModifiedUtc = child.LastWriteTimeUtc,
                    Mode = isLink ? LinkMode : ModeOf(child.FullName),
                    Capability = SecurityCapability.Of(child.FullName),
                };
                if (isLink)
                {
                    entry.Kind = ContextEntryKind.Symlink;
                    entry.LinkTarget = CheckedLinkTarget(child, walk.RootWithSep, walk.RealRootWithSep, rel);
                    walk.Entries.Add(entry);
                }
                else if (isDir)
                {
                    entry.Kind = ContextEntryKind.Directory;
                    walk.Entries.Add(entry);
                    Walk(child.FullName, rel, matches, walk);
                }
                else if (status != null && status.Kind == PythonImages.FileKind.Socket)
                {
                    walk.Skipped.Add(rel); // a tar has no type for a socket; docker leaves it out too
                }
                else
                {
                    walk.Entries.Add(FileEntry(entry, child, status, walk));
                }
            }
        }

        /// <summary>
        /// A context entry that is neither a folder nor a link, by its lstat type: a regular file, a FIFO or a device
        /// (header-only), or a later name of a file already in the tar (a hard link to its first name, as docker sends it).
        /// </summary>
        private static ContextEntry FileEntry(ContextEntry entry, FileSystemInfo child, PythonImages.FileStatus? status, WalkState walk)
        {
            entry.Kind = status?.Kind switch
            {
                PythonImages.FileKind.Fifo => ContextEntryKind.Fifo,
                PythonImages.FileKind.CharacterDevice => ContextEntryKind.CharacterDevice,
                PythonImages.FileKind.BlockDevice => ContextEntryKind.BlockDevice,
                _ => ContextEntryKind.File,
            };
            entry.DeviceMajor = status?.DeviceMajor ?? 0;
            entry.DeviceMinor = status?.DeviceMinor ?? 0;
            entry.Size = entry.Kind == ContextEntryKind.File && child is FileInfo file ? file.Length : 0;
            if (status != null && status.HasIdentity)
            {
                entry.Identity = (status.Device, status.Inode);
                if (walk.FirstNames.TryGetValue((status.Device, status.Inode), out var first) && first.Size == entry.Size)
                {
                    // Two names of one file have one size; a different size means the identities cannot be trusted, and
                    // the bytes are sent.
                    entry.Kind = ContextEntryKind.HardLink;
                    entry.LinkTarget = first.Name;
                    entry.Size = 0;
                }
                else if (first.Name == null)
                {
                    walk.FirstNames[(status.Device, status.Inode)] = (entry.Path, entry.Size);
                }
            }

            return entry;
        }

        /// <summary>The failure of a name .NET cannot use: not valid UTF-8, so it is read with replacement characters.</summary>
        private static BuildContextException NotUtf8(string dir, string relDir, string name) => new BuildContextException(
            BuildContextFailure.Unreadable,
            dir,
            $"The folder '{PythonImages.Security.InputGrammar.Show(relDir.Length == 0 ? "." : relDir)}' of the build context holds a file whose name is not valid UTF-8 ('{PythonImages.Security.InputGrammar.Show(name)}' as read); it cannot be opened by that name. Rename it, or add it to .dockerignore (a '?' or '*' matches the unreadable characters).");

        /// <summary>
        /// The link's target as stored in the tar; refuses targets that resolve outside the context (the folder named by
        /// <paramref name="rootWithSep"/>, or by its real path <paramref name="realRootWithSep"/>).
        /// </summary>
        private static string CheckedLinkTarget(FileSystemInfo link, string rootWithSep, string realRootWithSep, string rel)
        {
            string? target = LinkTargetProperty?.GetValue(link) as string;
            if (target == null)
            {
                throw new BuildContextException(BuildContextFailure.SymlinkEscapes, link.FullName, $"Cannot read the symbolic link {link.FullName} on this platform; replace it with a copy of its target.");
            }

            string linkDir = System.IO.Path.GetDirectoryName(link.FullName) ?? rootWithSep;
            string resolved = System.IO.Path.GetFullPath(System.IO.Path.IsPathRooted(target) ? target : System.IO.Path.Combine(linkDir, target));
            if ((resolved + System.IO.Path.DirectorySeparatorChar).StartsWith(realRootWithSep, PathComparison))
            {
                // By the context folder's real path (the folder was given by a link): the same place.
                resolved = (rootWithSep + (resolved + System.IO.Path.DirectorySeparatorChar).Substring(realRootWithSep.Length)).TrimEnd(System.IO.Path.DirectorySeparatorChar);
            }

            string rootNoSep = rootWithSep.Substring(0, rootWithSep.Length - 1);
            if (!(resolved + System.IO.Path.DirectorySeparatorChar).StartsWith(rootWithSep, PathComparison) && !string.Equals(resolved, rootNoSep, PathComparison))
            {
                throw new BuildContextException(
                    BuildContextFailure.SymlinkEscapes,
                    link.FullName,
                    $"The symbolic link '{PythonImages.Security.InputGrammar.Show(rel)}' -> '{PythonImages.Security.InputGrammar.Show(target)}' points outside the build context {rootNoSep}; the engine would not see its target. Copy the target into the context or add the link to .dockerignore.");
            }

            if (System.IO.Path.IsPathRooted(target))
            {
                // An absolute path means something else inside the image: store it relative to the link.
                string fromDir = linkDir.TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
                target = MakeRelative(fromDir, resolved);
            }

            return target.Replace('\\', '/');
        }

        private static string MakeRelative(string fromDirWithSep, string to)
        {
            var from = new Uri(fromDirWithSep);
            var rel = from.MakeRelativeUri(new Uri(to));
            string s = Uri.UnescapeDataString(rel.ToString());
            return s.Length == 0 ? "." : s;
        }

        /// <summary>
        /// The mode of a symbolic link itself, as the docker CLI sends it (lstat's permission bits): 0777 on Linux, which
        /// gives every link those; elsewhere 0755 (macOS's usual, and what the CLI sends on Windows). .NET reads a link's
        /// mode through the link, so the target's mode (a 0600 file's, say) is never the link's.
        /// </summary>
        private static int LinkMode => System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) ? 0x1FF : 0x1ED;

        private static int ModeOf(string path)
        {
            if (GetUnixFileMode != null && System.IO.Path.DirectorySeparatorChar == '/')
            {
                try
                {
                    return Convert.ToInt32(GetUnixFileMode.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture) & 0xFFF;
                }
                catch (TargetInvocationException)
                {
                }
            }

            // Windows (or .NET Framework): no POSIX modes; the docker CLI sends 0755 there.
            return 0x1ED;
        }

        /// <summary>
        /// The exact number of bytes <see cref="WriteTarAsync"/> writes: the upload announces it as Content-Length, so the
        /// transport sends the body as it is, in large writes, without chunked framing.
        /// </summary>
        public long TarLength
        {
            get
            {
                long total = TarWriter.EndLength;
                foreach (var e in Entries)
                {
                    total += e.Kind switch
                    {
                        ContextEntryKind.Directory => TarWriter.HeaderLength(e.Path + "/", 0, null, e.ModifiedUtc, e.Capability),
                        ContextEntryKind.Symlink or ContextEntryKind.HardLink => TarWriter.HeaderLength(e.Path, 0, e.LinkTarget, e.ModifiedUtc, e.Capability),
                        ContextEntryKind.File => TarWriter.HeaderLength(e.Path, e.Size, null, e.ModifiedUtc, e.Capability) + TarWriter.Padded(e.Size),
                        _ => TarWriter.HeaderLength(e.Path, 0, null, e.ModifiedUtc, e.Capability),
                    };
                }

                return total;
            }
        }

        /// <summary>The failure of a file that changed size between the scan and the upload.</summary>
        internal static BuildContextException Changed(ContextEntry e) => new BuildContextException(
            BuildContextFailure.Unreadable,
            e.FullPath,
            $"The file '{PythonImages.Security.InputGrammar.Show(e.Path)}' of the build context changed size while it was being sent; nothing was built. Build again once nothing writes into the context.");

        /// <summary>
        /// The context as a tar, read front to back (<see cref="ContextTarStream"/>): each file is read only while its part
        /// of the tar is read, straight into the reader's buffer, and exactly <see cref="TarLength"/> bytes come out. A file
        /// whose size changed since the scan ends the stream with a <see cref="BuildContextException"/>.
        /// </summary>
        public Stream OpenTar() => new ContextTarStream(Entries);

        /// <summary>
        /// Streams the context as a tar to <paramref name="output"/> in writes of <see cref="UploadStream.WriteBytes"/> bytes;
        /// each file is read only while it is written, and exactly <see cref="TarLength"/> bytes are written. A file whose size
        /// changed since the scan stops the upload with a <see cref="BuildContextException"/> (the engine gets a cut request
        /// and builds nothing): an image is never built from a file that was cut or filled up.
        /// </summary>
        public async Task WriteTarAsync(Stream output, CancellationToken cancellationToken)
        {
            using var tar = OpenTar();
            var buffer = new byte[UploadStream.WriteBytes];
            int n;
            while ((n = tar.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await output.WriteAsync(buffer, 0, n, cancellationToken).ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A minimal streaming tar (ustar + PAX records for long or non-ASCII names, large sizes and times after 2242).</summary>
    internal static class TarWriter
    {
        private const int Block = 512;

        /// <summary>The two zero blocks that end an archive.</summary>
        public const int EndLength = Block * 2;

        /// <summary>
        /// The largest number a ustar numeric field of 12 bytes holds: 11 octal digits, 8^11 - 1 (C# has no octal literals:
        /// the 077777777777L written here before was the decimal 77,777,777,777, so a file of 8 to 72 GiB got a cut size).
        /// </summary>
        private const long MaxOctal11 = (1L << 33) - 1;

        /// <summary>Bytes of the header(s) <see cref="HeaderBytes"/> makes for an entry (PAX records included).</summary>
        public static long HeaderLength(string name, long size, string? linkName, DateTime mtimeUtc, byte[]? capability = null)
        {
            var pax = PaxFields(name, size, linkName, Seconds(mtimeUtc), capability);
            return pax.Count == 0 ? Block : Block + Padded(PaxRecords(pax).Length) + Block;
        }

        /// <summary><paramref name="size"/> rounded up to whole blocks.</summary>
        public static long Padded(long size) => (size + Block - 1) / Block * Block;

        /// <summary>
        /// The header block(s) of an entry, as <see cref="HeaderLength"/> counts them: a PAX extended header (with its records,
        /// padded to whole blocks) when the name, link, size or time does not fit ustar, then the ustar header (with the device
        /// numbers of a character or block device).
        /// </summary>
        public static byte[] HeaderBytes(string name, char type, int mode, long size, DateTime mtimeUtc, string? linkName, int devMajor = 0, int devMinor = 0, byte[]? capability = null)
        {
            long mtime = Seconds(mtimeUtc);
            var pax = PaxFields(name, size, linkName, mtime, capability);
            var header = Header(Truncate(name, 100), type, mode, size > MaxOctal11 ? 0 : size, UstarTime(mtime), linkName == null ? null : Truncate(linkName, 100), devMajor, devMinor);
            if (pax.Count == 0)
            {
                return header;
            }

            byte[] records = PaxRecords(pax);
            string paxName = "PaxHeaders.0/" + Truncate(System.IO.Path.GetFileName(name.TrimEnd('/')), 80);
            var paxHeader = Header(paxName, 'x', 0x1A4, records.Length, UstarTime(mtime), null, 0, 0);
            var all = new byte[Block + Padded(records.Length) + Block];
            Array.Copy(paxHeader, 0, all, 0, Block);
            Array.Copy(records, 0, all, Block, records.Length);
            Array.Copy(header, 0, all, all.Length - Block, Block);
            return all;
        }

        /// <summary>Zero bytes that pad <paramref name="size"/> to whole blocks.</summary>
        public static int PaddingOf(long size) => (int)((Block - (size % Block)) % Block);

        /// <summary>Whole seconds since 1970, rounded down (negative before 1970, as Go's Unix() gives them to docker).</summary>
        private static long Seconds(DateTime utc) =>
            (long)Math.Floor((utc - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds);

        /// <summary>The time in the ustar field: 0 when it does not fit there (then a PAX record carries it).</summary>
        private static long UstarTime(long mtime) => mtime < 0 || mtime > MaxOctal11 ? 0 : mtime;

        private static List<KeyValuePair<string, byte[]>> PaxFields(string name, long size, string? linkName, long mtime, byte[]? capability)
        {
            var pax = new List<KeyValuePair<string, byte[]>>();
            if (!FitsUstar(name, 100))
            {
                pax.Add(Record("path", name));
            }

            if (linkName != null && !FitsUstar(linkName, 100))
            {
                pax.Add(Record("linkpath", linkName));
            }

            if (size > MaxOctal11)
            {
                pax.Add(Record("size", size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            if (capability != null)
            {
                // The attribute's bytes as they are (binary), as the docker CLI writes them.
                pax.Add(new KeyValuePair<string, byte[]>(SecurityCapability.PaxRecord, capability));
            }

            if (mtime > MaxOctal11 || mtime < 0)
            {
                // After 2242 the ustar field overflows, and it holds no time before 1970: the docker CLI sends both as a
                // PAX record (a file from 1960 keeps its time in the image, and the COPY cache key is the CLI's).
                pax.Add(Record("mtime", mtime.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            return pax;
        }

        private static bool FitsUstar(string value, int length) =>
            value.Length <= length && value.All(c => c > 0 && c < 128);

        private static string Truncate(string value, int length)
        {
            var ascii = new string(value.Select(c => c > 0 && c < 128 ? c : '_').ToArray());
            return ascii.Length <= length ? ascii : ascii.Substring(0, length);
        }

        private static KeyValuePair<string, byte[]> Record(string key, string value) => new KeyValuePair<string, byte[]>(key, Encoding.UTF8.GetBytes(value));

        private static byte[] PaxRecords(List<KeyValuePair<string, byte[]>> records)
        {
            var all = new System.IO.MemoryStream();
            foreach (var kv in records)
            {
                // "<len> <key>=<value>\n", where len counts the whole record in bytes, its own digits included.
                int body = 1 + Encoding.UTF8.GetByteCount(kv.Key) + 1 + kv.Value.Length + 1;
                int len = body + 1;
                while (len.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + body > len)
                {
                    len++;
                }

                var head = Encoding.UTF8.GetBytes(len.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + kv.Key + "=");
                all.Write(head, 0, head.Length);
                all.Write(kv.Value, 0, kv.Value.Length);
                all.WriteByte((byte)'\n');
            }

            return all.ToArray();
        }

        private static byte[] Header(string name, char type, int mode, long size, long mtime, string? linkName, int devMajor, int devMinor)
        {
            var h = new byte[Block];
            Ascii(h, 0, 100, name);
            Octal(h, 100, 8, mode);
            Octal(h, 108, 8, 0);
            Octal(h, 116, 8, 0);
            Octal(h, 124, 12, size);
            Octal(h, 136, 12, mtime);
            for (int i = 148; i < 156; i++)
            {
                h[i] = (byte)' ';
            }

            h[156] = (byte)type;
            if (linkName != null)
            {
                Ascii(h, 157, 100, linkName);
            }

            Ascii(h, 257, 6, "ustar");
            h[263] = (byte)'0';
            h[264] = (byte)'0';
            if (type == '3' || type == '4')
            {
                Octal(h, 329, 8, devMajor);
                Octal(h, 337, 8, devMinor);
            }

            int sum = 0;
            foreach (var b in h)
            {
                sum += b;
            }

            string chk = Convert.ToString(sum, 8).PadLeft(6, '0');
            Ascii(h, 148, 6, chk);
            h[154] = 0;
            h[155] = (byte)' ';
            return h;
        }

        private static void Ascii(byte[] h, int offset, int length, string value)
        {
            var bytes = Encoding.ASCII.GetBytes(value);
            Array.Copy(bytes, 0, h, offset, Math.Min(bytes.Length, length));
        }

        private static void Octal(byte[] h, int offset, int length, long value)
        {
            string s = Convert.ToString(value, 8).PadLeft(length - 1, '0');
            Ascii(h, offset, length - 1, s);
            h[offset + length - 1] = 0;
        }
    }
}
