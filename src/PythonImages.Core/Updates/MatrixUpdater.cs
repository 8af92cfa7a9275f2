using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Dockerfiles;
using PythonImages.Security;
using PythonImages.Updates.Http;
using PythonImages.Updates.Sigstore;

namespace PythonImages.Updates
{
    /// <summary>Something the updater reports while it works (progress per key, warnings, request log).</summary>
    public sealed class UpdateEvent
    {
        /// <summary>An event of the update.</summary>
        public UpdateEvent(UpdateEventKind kind, string? key, string message)
        {
            Kind = kind;
            Key = key;
            Message = message;
        }

        /// <summary>What happened.</summary>
        public UpdateEventKind Kind { get; }

        /// <summary>The version key it is about, if any.</summary>
        public string? Key { get; }

        /// <summary>The text for the user.</summary>
        public string Message { get; }
    }

    /// <summary>The kinds of update events.</summary>
    public enum UpdateEventKind
    {
        /// <summary>Work on a version key started.</summary>
        KeyStarted,
        /// <summary>Work on a version key ended.</summary>
        KeyCompleted,
        /// <summary>A warning for the user.</summary>
        Warning,
        /// <summary>A detail for -Verbose.</summary>
        Verbose,
        /// <summary>A release file is being downloaded to check its checksum (bytes so far).</summary>
        Downloading,
    }

    /// <summary>The outcome of planning: the new text, one result per key, the failures. Nothing is written until <see cref="Commit"/>.</summary>
    public sealed class UpdatePlan
    {
        internal UpdatePlan(string path, string oldText, string? newText, IReadOnlyList<MatrixUpdateResult> results, IReadOnlyList<UpdateException> failures, bool utf8Bom = false)
        {
            Path = path;
            Utf8Bom = utf8Bom;
            OldText = oldText;
            NewText = newText;
            Results = results;
            Failures = failures;
        }

        /// <summary>The matrix file.</summary>
        public string Path { get; }

        /// <summary>Whether the file starts with a UTF-8 byte order mark (kept when it is written).</summary>
        public bool Utf8Bom { get; }

        /// <summary>Its text before the update.</summary>
        public string OldText { get; }

        /// <summary>Null when a key failed (all or nothing).</summary>
        public string? NewText { get; }

        /// <summary>One result per version key.</summary>
        public IReadOnlyList<MatrixUpdateResult> Results { get; }

        /// <summary>The failures, one per version key (or for the whole request).</summary>
        public IReadOnlyList<UpdateException> Failures { get; }

        /// <summary>Whether the new text could be made.</summary>
        public bool Succeeded => Failures.Count == 0 && NewText != null;

        /// <summary>Whether the file would change.</summary>
        public bool Changed => Succeeded && !string.Equals(OldText, NewText, StringComparison.Ordinal);

        /// <summary>The unified diff of the file (empty when nothing changes).</summary>
        public string Diff => Changed ? UnifiedDiff.Create(OldText, NewText!, Path, Path) : string.Empty;

        /// <summary>The file's text now (bounded as when it was read), or null when it is no longer a matrix-sized regular file.</summary>
        private string? CurrentText()
        {
            try
            {
                var now = MatrixUpdater.Decode(InputFile.ReadBytes(Path, MatrixLoader.MaxFileBytes));
                return now.HasValue && now.Value.Bom == Utf8Bom ? now.Value.Text : null; // no longer UTF-8, or the BOM changed: it changed
            }
            catch (InputFileException ex) when (ex.Problem == InputFileProblem.ReadFailed)
            {
                throw new IOException(ex.Message, ex);
            }
            catch (InputFileException)
            {
                return null; // gone, replaced by something else, or grown past the limit: it changed
            }
        }

        /// <summary>Writes the new text atomically, unless the file changed since it was read. Throws <see cref="UpdateException"/>.</summary>
        public void Commit()
        {
            if (!Succeeded)
            {
                throw new InvalidOperationException("A plan with failures is never written.");
            }

            if (!Changed)
            {
                return;
            }

            try
            {
                if (!string.Equals(CurrentText(), OldText, StringComparison.Ordinal))
                {
                    throw new UpdateException(
                        UpdateErrorIds.FileChanged,
                        $"{Path} changed while the update was being prepared; it was left as it is now.",
                        "Run the command again.",
                        Path);
                }

                byte[] body = MatrixUpdater.StrictUtf8.GetBytes(NewText!);
                AtomicFile.WriteAllBytes(Path, Utf8Bom ? MatrixUpdater.Utf8Preamble.Concat(body).ToArray() : body, AtomicWriteMode.Replace);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new UpdateException(
                    UpdateErrorIds.WriteFailed,
                    $"{Path} could not be written: {ex.Message}; it is unchanged.",
                    "Check that the file and its folder are writable, then run the command again.",
                    Path,
                    ex);
            }

            foreach (var r in Results)
            {
                r.Written = true;
            }
        }
    }

    /// <summary>
    /// Update-PythonMatrix without PowerShell: finds the newest release of each version key on python.org (directory
    /// indexes), takes its checksums from the verified sigstore bundle and the SBOM (which must agree), checks for the
    /// Windows installer and the bundled setuptools, and edits the matrix file, all or nothing.
    /// </summary>
    public sealed class MatrixUpdater : IDisposable
    {
        private readonly UpdateSources sources;
        private readonly ReleaseHttpClient http;
        private readonly SigstoreVerifier verifier;
        private readonly IReadOnlyList<SignerIdentity> identities;
        private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<string>?>>> indexes =
            new ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<string>?>>>(StringComparer.Ordinal);

        /// <summary>An updater reading from <paramref name="sources"/> and verifying against <paramref name="trustedRoot"/>.</summary>
        public MatrixUpdater(UpdateSources sources, FetchOptions fetch, TrustedRoot trustedRoot, IEnumerable<SignerIdentity>? extraIdentities = null, Action<UpdateEvent>? events = null)
        {
            this.sources = sources;
            Events = events;
            http = new ReleaseHttpClient(fetch, m => Events?.Invoke(new UpdateEvent(UpdateEventKind.Verbose, null, m)));
            verifier = new SigstoreVerifier(trustedRoot);
            identities = (extraIdentities ?? Enumerable.Empty<SignerIdentity>()).ToList();
            foreach (var i in identities)
            {
                i.Validate();
            }
        }

        /// <summary>Receives progress, warnings and details.</summary>
        public Action<UpdateEvent>? Events { get; set; }

        /// <summary>
        /// The matrix file's text, bounded as the matrix loader reads a file: a regular file of at most
        /// <see cref="MatrixLoader.MaxFileBytes"/> bytes (a larger file, a FIFO or /dev/zero is refused before it is read),
        /// decoded as strict UTF-8 (see <see cref="ReadMatrixFile"/>).
        /// </summary>
        internal static string ReadMatrixText(string path) => ReadMatrixFile(path).Text;

        /// <summary>
        /// The matrix file's text and whether it starts with a UTF-8 byte order mark, bounded as
        /// <see cref="ReadMatrixText"/>. The matrix loader reads any bytes (what is not UTF-8 becomes U+FFFD); the updater
        /// writes the file back, so a file that is not UTF-8 (Latin-1 in a comment, UTF-16) is refused before anything
        /// is fetched or written, as the edit would change bytes it never touched.
        /// </summary>
        internal static (string Text, bool Bom) ReadMatrixFile(string path)
        {
            byte[] bytes = ReadMatrixBytes(path);
            return Decode(bytes) ?? throw new UpdateException(
                UpdateErrorIds.EditFailed,
                $"The matrix file {path} is not UTF-8 text (it has bytes that are no UTF-8 character, e.g. Latin-1 in a comment, or it is UTF-16); it was not changed, as writing it back would change bytes outside the edit.",
                "Save the matrix file as UTF-8 (with or without a byte order mark), then run the command again.",
                path);
        }

        /// <summary>UTF-8 that throws on bytes that are no UTF-8 character (and never writes a BOM itself).</summary>
        internal static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);

        /// <summary>The UTF-8 byte order mark.</summary>
        internal static readonly byte[] Utf8Preamble = { 0xEF, 0xBB, 0xBF };

        /// <summary>The text of UTF-8 bytes (a leading BOM taken off and reported), or null when they are not UTF-8.</summary>
        internal static (string Text, bool Bom)? Decode(byte[] bytes)
        {
            bool bom = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF;
            int start = bom ? 3 : 0;
            try
            {
                return (StrictUtf8.GetString(bytes, start, bytes.Length - start), bom);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }

        private static byte[] ReadMatrixBytes(string path)
        {
            try
            {
                return InputFile.ReadBytes(path, MatrixLoader.MaxFileBytes);
            }
            catch (InputFileException ex) when (ex.Problem == InputFileProblem.NotFound)
            {
                throw new UpdateException(UpdateErrorIds.FileNotFound, $"The matrix file {path} does not exist.", "Pass the path of an existing matrix.yaml or versions.json to -Path.", path, ex);
            }
            catch (InputFileException ex) when (ex.Problem == InputFileProblem.TooLarge)
            {
                throw new MatrixException(MatrixErrorIds.TooLarge, ex.Message + $" A matrix file may be at most {MatrixLoader.MaxFileBytes} bytes (1 MiB); nothing was read past the limit.", path, 0, null, ex);
            }
            catch (InputFileException ex) when (ex.Problem == InputFileProblem.NotAFile)
            {
                throw new MatrixException(MatrixErrorIds.NotAFile, ex.Message + " A matrix is a YAML or versions.json file.", path, 0, null, ex);
            }
            catch (InputFileException ex)
            {
                throw new UpdateException(UpdateErrorIds.FileNotFound, $"The matrix file {path} cannot be read: {ex.Message}", "Pass the path of a readable matrix.yaml or versions.json to -Path.", path, ex);
            }
        }

        /// <summary>Reads and checks the file and the request, then resolves every key (in parallel). Writes nothing.</summary>
        public async Task<UpdatePlan> PlanAsync(string path, UpdateRequest request, CancellationToken cancellationToken)
        {
            var (text, bom) = ReadMatrixFile(path);

            var matrix = MatrixLoader.Parse(text, path, MatrixLoader.Default.Architectures);
            var doc = MatrixText.Open(text, path);
            var (refresh, add, remove) = Validate(matrix, request);

            var remaining = matrix.Versions.Where(v => !remove.Contains(v.Key.Text)).ToList();
            var work = refresh.Select(k => (Key: k, Existing: matrix.Find(k))).Concat(add.Select(k => (Key: k, Existing: (MatrixVersion?)null))).ToList();
            var tasks = work.Select(w => ResolveGuardedAsync(w.Key, w.Existing, remaining, request, path, cancellationToken)).ToList();
            var outcomes = await Task.WhenAll(tasks).ConfigureAwait(false);

            var failures = outcomes.Where(o => o.Failure != null).Select(o => o.Failure!).ToList();
            var results = outcomes.Where(o => o.Result != null).Select(o => o.Result!).ToList();
            foreach (string key in remove)
            {
                var old = matrix.Find(key)!;
                results.Add(new MatrixUpdateResult { VersionKey = key, OldVersion = old.Version.Text, Change = UpdateChange.Removed, Path = path });
            }

            results = results.OrderByDescending(r => VersionKey.Parse(r.VersionKey)).ToList();
            if (failures.Count > 0)
            {
                return new UpdatePlan(path, text, null, results, failures, bom);
            }

            var entries = outcomes.Select(o => o.Entry!).ToList();
            string newText = doc.ApplyChecked(matrix, entries, remove);
            return new UpdatePlan(path, text, newText, results, failures, bom);
        }

        private static (IReadOnlyList<string> Refresh, IReadOnlyList<string> Add, IReadOnlyList<string> Remove) Validate(Matrix matrix, UpdateRequest request)
        {
            foreach (string k in (request.VersionKeys ?? Array.Empty<string>()).Concat(request.Add).Concat(request.Remove))
            {
                string? why = InputGrammar.VersionKey.Why(k);
                if (why != null)
                {
                    throw new UpdateException(UpdateErrorIds.InvalidVersionKey, $"'{InputGrammar.Show(k)}' is not a version key: {why}.", "Pass version keys as MAJOR.MINOR or MAJOR.MINOR-rc, e.g. 3.14 or 3.15-rc.", k);
                }
            }

            var conflict = request.Add.Intersect(request.Remove).Concat((request.VersionKeys ?? Array.Empty<string>()).Intersect(request.Remove)).FirstOrDefault();
            if (conflict != null)
            {
                throw new UpdateException(UpdateErrorIds.KeyConflict, $"The version key {conflict} is both kept (-VersionKey or -Add) and removed (-Remove).", "Name each key in one of -VersionKey, -Add and -Remove only.", conflict);
            }

            var existing = new HashSet<string>(matrix.Versions.Select(v => v.Key.Text), StringComparer.Ordinal);
            foreach (string k in (request.VersionKeys ?? Array.Empty<string>()).Concat(request.Remove))
            {
                if (!existing.Contains(k))
                {
                    throw new UpdateException(UpdateErrorIds.UnknownVersionKey, $"The matrix {matrix.Source} has no version key {k} (it has {string.Join(", ", existing)}).",
                        $"Use -Add {k} to add a new version key, or pick one of the existing keys.", k);
                }
            }

            foreach (string k in request.Add)
            {
                if (existing.Contains(k))
                {
                    throw new UpdateException(UpdateErrorIds.KeyExists, $"The matrix already has the version key {k}.", $"Use -VersionKey {k} to refresh it.", k);
                }
            }

            var remove = request.Remove.Distinct(StringComparer.Ordinal).ToList();
            if (existing.Count - remove.Count + request.Add.Distinct().Count() <= 0)
            {
                throw new UpdateException(UpdateErrorIds.EmptyMatrix, "The update would remove every version key; a matrix needs at least one.", "Keep at least one key, or -Add one.", matrix.Source);
            }

            var refresh = request.VersionKeys?.Distinct(StringComparer.Ordinal).ToList()
                ?? (request.Add.Count + request.Remove.Count > 0 ? new List<string>() : matrix.Versions.Select(v => v.Key.Text).ToList());
            return (refresh, request.Add.Distinct(StringComparer.Ordinal).ToList(), remove);
        }

        private sealed class KeyOutcome
        {
            public KeyEntry? Entry { get; set; }
            public MatrixUpdateResult? Result { get; set; }
            public UpdateException? Failure { get; set; }
        }

        private async Task<KeyOutcome> ResolveGuardedAsync(string key, MatrixVersion? existing, IReadOnlyList<MatrixVersion> remaining, UpdateRequest request, string path, CancellationToken ct)
        {
            Events?.Invoke(new UpdateEvent(UpdateEventKind.KeyStarted, key, existing == null ? "Adding " + key : "Checking " + key));
            try
            {
                var outcome = await ResolveAsync(key, existing, remaining, request, path, ct).ConfigureAwait(false);
                Events?.Invoke(new UpdateEvent(UpdateEventKind.KeyCompleted, key, $"{key}: {outcome.Result!.NewVersion}"));
                return outcome;
            }
            catch (UpdateException ex)
            {
                Events?.Invoke(new UpdateEvent(UpdateEventKind.KeyCompleted, key, $"{key}: failed"));
                return new KeyOutcome { Failure = ex.ForKey(key) };
            }
        }

        private async Task<KeyOutcome> ResolveAsync(string keyText, MatrixVersion? existing, IReadOnlyList<MatrixVersion> remaining, UpdateRequest request, string path, CancellationToken ct)
        {
            var key = VersionKey.Parse(keyText);
            var (found, source) = await FindReleaseAsync(key, ct).ConfigureAwait(false);
            string version = ReleaseRules.Require(InputGrammar.PythonVersion, found.Text, $"The version of {keyText}");
            if (existing != null && found.CompareTo(existing.Version) < 0)
            {
                throw new UpdateException(UpdateErrorIds.VersionDowngrade, $"python.org offers {found} for {keyText}, older than the {existing.Version} in the matrix.",
                    "A cache or mirror may be stale (or rolled back on purpose): run the command again later, or edit the version by hand after checking python.org.",
                    keyText);
            }

            var windows = await CheckFileAsync(found.DownloadDirectory, ReleaseRules.WindowsFileName(found), key, ct).ConfigureAwait(false);
            bool unverified = CheckVerified(keyText, found, source, windows, request.AllowUnverifiedSource);
            CheckNotReplaced(keyText, found, existing, source, windows);
            CheckNotReplayed(keyText, found, remaining, source, windows);
            bool same = existing != null && existing.Version.Equals(found);
            await CheckBytesAsync(keyText, source, same ? existing!.SourceSha256 : null, ct, version).ConfigureAwait(false);
            await CheckBytesAsync(keyText, windows, same ? existing!.WindowsSha256 : null, ct, installerOf: found).ConfigureAwait(false);
            string? setuptools = await SetuptoolsAsync(key, version, ct).ConfigureAwait(false);
            var variants = Variants(key, existing, remaining, windows.Exists);

            var entry = new KeyEntry(keyText, version, variants)
            {
                SourceSha256 = source.Sha256 ?? Known(existing, found, existing?.SourceSha256),
                WindowsSha256 = windows.Exists ? windows.Sha256 ?? Known(existing, found, existing?.WindowsSha256) : null,
                SetuptoolsVersion = setuptools,
            };
            var result = new MatrixUpdateResult
            {
                VersionKey = keyText,
                OldVersion = existing?.Version.Text,
                NewVersion = version,
                Change = existing == null ? UpdateChange.Added : entry.SameAs(existing) ? UpdateChange.Unchanged : UpdateChange.Updated,
                SourceSha256 = entry.SourceSha256,
                SourceChecksumOrigin = source.Origin,
                HasWindows = windows.Exists,
                WindowsSha256 = entry.WindowsSha256,
                WindowsChecksumOrigin = windows.Exists ? windows.Origin : ChecksumOrigin.None,
                SetuptoolsVersion = setuptools,
                Unverified = unverified,
                SignedBy = source.Signer,
                Variants = variants,
                Path = path,
            };
            return new KeyOutcome { Entry = entry, Result = result };
        }

        /// <summary>The highest release of the key's kind whose source tarball verifiably exists, and its facts.</summary>
        private async Task<(PythonVersion Version, FileFacts Source)> FindReleaseAsync(VersionKey key, CancellationToken ct)
        {
            var root = await IndexAsync(sources.FtpRoot, ct).ConfigureAwait(false)
                ?? throw NotFound(key.Text, $"the release index {sources.FtpRoot} does not exist");
            foreach (var dir in ReleaseRules.ReleaseDirectories(root, key))
            {
                IEnumerable<PythonVersion> candidates = new[] { dir };
                if (key.IsPreRelease)
                {
                    var listing = await IndexAsync(sources.ReleaseDirectory(dir.Text), ct).ConfigureAwait(false) ?? Array.Empty<string>();
                    var tarballs = ReleaseRules.SourceTarballs(listing, dir);
                    if (tarballs.Any(t => !t.IsPreRelease))
                    {
                        throw new UpdateException(UpdateErrorIds.FinalUnderRcKey, $"{dir} is released as a final version, but {key.Text} is the pre-release key of the series.",
                            $"Rename the key: run Update-PythonMatrix -Add {key.RcVersion} -Remove {key.Text} (the new key copies the variants of the newest released key).",
                            key.Text);
                    }

                    candidates = tarballs;
                }

                foreach (var candidate in candidates)
                {
                    var facts = await CheckFileAsync(dir.Text, ReleaseRules.SourceFileName(candidate), key, ct).ConfigureAwait(false);
                    if (facts.Exists)
                    {
                        return (candidate, facts);
                    }
                }
            }

            throw NotFound(key.Text, $"python.org has no {(key.IsPreRelease ? "pre-release" : "release")} of {key.RcVersion} with a source tarball");
        }

        /// <summary>Refuses a file without checksum unless unverified sources are allowed; true when one was let through.</summary>
        private bool CheckVerified(string keyText, PythonVersion found, FileFacts source, FileFacts windows, bool allowUnverified)
        {
            bool unverified = false;
            foreach (var (facts, what) in new[] { (source, ReleaseRules.SourceFileName(found)), (windows, ReleaseRules.WindowsFileName(found)) })
            {
                if (facts.Exists && facts.Sha256 == null)
                {
                    if (!allowUnverified)
                    {
                        throw new UpdateException(UpdateErrorIds.NoChecksum, $"{what} exists, but python.org publishes neither a sigstore bundle nor an SBOM for it, so it has no checksum.",
                            "Wait for the release to be completed on python.org, or pass -AllowUnverifiedSource to accept it without a checksum (the Dockerfiles then cannot verify the download).",
                            keyText);
                    }

                    unverified = true;
                    Events?.Invoke(new UpdateEvent(UpdateEventKind.Warning, keyText, $"{keyText}: {what} has no checksum; accepted because of -AllowUnverifiedSource."));
                }
            }

            return unverified;
        }

        /// <summary>
        /// The matrix's checksum of a file of the same release that python.org no longer publishes a checksum for (its
        /// bundle and SBOM are gone; accepted only with -AllowUnverifiedSource): kept, never dropped, so the Dockerfiles
        /// still verify the download. Null for another release.
        /// </summary>
        private static string? Known(MatrixVersion? existing, PythonVersion found, string? known) =>
            existing != null && existing.Version.Equals(found) ? known : null;

        /// <summary>The same version with another checksum means a published file was replaced: refused.</summary>
        private static void CheckNotReplaced(string keyText, PythonVersion found, MatrixVersion? existing, FileFacts source, FileFacts windows)
        {
            if (existing == null || !existing.Version.Equals(found))
            {
                return;
            }

            foreach (var (old, now, what) in new[] { (existing.SourceSha256, source.Sha256, ReleaseRules.SourceFileName(found)), (existing.WindowsSha256, windows.Sha256, ReleaseRules.WindowsFileName(found)) })
            {
                if (old != null && now != null && !string.Equals(old, now, StringComparison.OrdinalIgnoreCase))
                {
                    throw new UpdateException(UpdateErrorIds.ChecksumChanged, $"The checksum of {what} changed on python.org without a new version: the matrix has {old}, python.org now says {now}.",
                        "A published file was replaced. Find out why (python.org announcements) before trusting it; to accept it, remove the old checksum from the matrix and run the command again.",
                        keyText);
                }
            }
        }

        /// <summary>
        /// A checksum the matrix holds for another version means the file of that older release (with its genuine bundle)
        /// is served under this release's name: refused before anything is downloaded.
        /// </summary>
        private static void CheckNotReplayed(string keyText, PythonVersion found, IReadOnlyList<MatrixVersion> matrix, FileFacts source, FileFacts windows)
        {
            foreach (var (now, what) in new[] { (source.Sha256, ReleaseRules.SourceFileName(found)), (windows.Sha256, ReleaseRules.WindowsFileName(found)) })
            {
                var other = now == null ? null : matrix.FirstOrDefault(v => !v.Version.Equals(found)
                    && (string.Equals(v.SourceSha256, now, StringComparison.OrdinalIgnoreCase) || string.Equals(v.WindowsSha256, now, StringComparison.OrdinalIgnoreCase)));
                if (other != null)
                {
                    throw new UpdateException(UpdateErrorIds.ChecksumOfOtherVersion, $"The checksum python.org publishes for {what} ({now}) is the one the matrix has for {other.Version} ({other.Key.Text}): the file of another release is served under this name (a replayed release); nothing was written.",
                        "Do not use this release file; check where it came from (a mirror, a proxy) and run the command again against python.org.",
                        keyText);
                }
            }
        }

        /// <summary>The key's variants (its own, or copied for a new key), each checked against the variant grammar.</summary>
        private IReadOnlyList<string> Variants(VersionKey key, MatrixVersion? existing, IReadOnlyList<MatrixVersion> remaining, bool hasWindows)
        {
            IReadOnlyList<string> variants;
            if (existing != null)
            {
                var donor = remaining.Where(v => v.Variants.Any(x => x.OS == ImageOS.Windows)).OrderByDescending(v => v.Key).FirstOrDefault();
                variants = ReleaseRules.VariantsForExisting(existing.Variants, hasWindows, donor?.Variants);
            }
            else
            {
                variants = ReleaseRules.VariantsForNew(key, remaining, hasWindows);
            }

            foreach (string v in variants)
            {
                ReleaseRules.Require(InputGrammar.VariantName, v, $"The variant of {key.Text}");
            }

            if (hasWindows && !variants.Any(v => v.StartsWith(VariantInfo.WindowsPrefix, StringComparison.Ordinal)))
            {
                Events?.Invoke(new UpdateEvent(UpdateEventKind.Verbose, key.Text, $"{key.Text}: a Windows installer exists, but no key of the matrix has Windows variants to copy."));
            }

            return variants;
        }

        private sealed class FileFacts
        {
            public bool Exists { get; set; }
            public string? Sha256 { get; set; }
            public ChecksumOrigin Origin { get; set; }
            public string? Signer { get; set; }
            public Uri? Url { get; set; }
        }

        /// <summary>
        /// Downloads the file whose checksum is to be recorded and hashes it as it arrives: a sigstore bundle signs a digest,
        /// not a file name, so a genuine bundle of another release served under this name would otherwise be taken. A
        /// checksum the matrix already has for this very version is not downloaded again. With <paramref name="tarballOf"/>,
        /// the file is the source tarball of that version, and its first entry must lie under Python-VERSION/ (a genuine
        /// tarball of another release, with its genuine bundle, matches the checksum too); with <paramref name="installerOf"/>,
        /// the file is the Windows installer of that version, and its VERSIONINFO must carry that version's file version.
        /// </summary>
        private async Task CheckBytesAsync(string keyText, FileFacts facts, string? known, CancellationToken ct, string? tarballOf = null, PythonVersion? installerOf = null)
        {
            if (facts.Sha256 == null || string.Equals(facts.Sha256, known, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            var url = facts.Url!;
            string file = url.Segments[url.Segments.Length - 1];
            long shown = -1;
            void Progress(long read, long? total)
            {
                long mib = read >> 20;
                if (mib != Interlocked.Exchange(ref shown, mib))
                {
                    string of = total.HasValue ? $" of {total.Value >> 20}" : string.Empty;
                    Events?.Invoke(new UpdateEvent(UpdateEventKind.Downloading, keyText, $"{keyText}: checking {InputGrammar.Show(file)} ({mib}{of} MiB)"));
                }
            }

            // What is read from the file besides its digest, as it streams through: the installer's version resource, or the
            // tarball's first compressed bytes (decoded only once the digest matched).
            Func<BodyTap>? tap = installerOf != null ? () => new InstallerVersion()
                : tarballOf != null ? () => new PrefixTap(TarballHead.PrefixBytes)
                : (Func<BodyTap>?)null;
            var got = await http.Sha256Async(url, ReleaseRules.ReleaseFileLimit, Progress, tap, ct).ConfigureAwait(false)
                ?? throw new UpdateException(UpdateErrorIds.ReleaseNotFound, $"{RedirectPolicy.Show(url)} does not exist, although a checksum is published for it.",
                    "The release may still be uploading: run the command again later, or check -PythonOrgUri.", keyText);
            string actual = ToHex(got.Body);
            if (!string.Equals(actual, facts.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new UpdateException(
                    UpdateErrorIds.ChecksumMismatch,
                    $"{RedirectPolicy.Show(got.Uri)} has sha256 {actual}, but its {Describe(facts.Origin)} says {facts.Sha256}: the file served is not the one the checksum is for (a replayed bundle of another release, or a corrupted or replaced file); nothing was written.",
                    "Do not use this release file; check where it came from (a mirror, a proxy) and run the command again against python.org.",
                    keyText);
            }

            if (tarballOf != null)
            {
                CheckTarball(keyText, got, tarballOf);
            }

            if (installerOf != null)
            {
                CheckInstaller(keyText, got, installerOf);
            }
        }

        /// <summary>Refuses a Windows installer whose VERSIONINFO does not carry the file version of <paramref name="version"/>.</summary>
        private static void CheckInstaller(string keyText, Fetched got, PythonVersion version)
        {
            string? why = InstallerVersion.Mismatch((InstallerVersion)got.Tap!, version);
            if (why != null)
            {
                throw new UpdateException(
                    UpdateErrorIds.ReleaseContentMismatch,
                    $"{RedirectPolicy.Show(got.Uri)} matches its checksum, but {why}, while the installer of {version} carries {InstallerVersion.Expected(version)} in its VERSIONINFO resource: it is not that release's installer (a replayed installer of another release, or no release at all); nothing was written.",
                    "Do not use this release file; check where it came from (a mirror, a proxy) and run the command again against python.org.",
                    keyText);
            }
        }

        /// <summary>Refuses a source tarball whose first entry is not under Python-<paramref name="version"/>/.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void CheckTarball(string keyText, Fetched got, string version)
        {
            string? why = TarballHead.Mismatch(((PrefixTap)got.Tap!).Bytes, version);
            if (why != null)
            {
                throw new UpdateException(
                    UpdateErrorIds.ReleaseContentMismatch,
                    $"{RedirectPolicy.Show(got.Uri)} matches its checksum, but {why}, while the source of {version} keeps its files under {TarballHead.ExpectedDirectory(version)}/: it is not that release's tarball (a replayed tarball of another release, or no release at all); nothing was written.",
                    "Do not use this release file; check where it came from (a mirror, a proxy) and run the command again against python.org.",
                    keyText);
            }
        }

        private static string Describe(ChecksumOrigin origin) => origin switch
        {
            ChecksumOrigin.Sbom => "SBOM",
            ChecksumOrigin.SigstoreAndSbom => "signed sigstore bundle (and SBOM)",
            _ => "signed sigstore bundle",
        };

        private static string ToHex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (byte b in bytes)
            {
                sb.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }

        /// <summary>python.org's check of one release file: the .sigstore bundle (verified), the .spdx.json SBOM, else the file itself.</summary>
        private async Task<FileFacts> CheckFileAsync(string directory, string file, VersionKey key, CancellationToken ct)
        {
            var url = sources.ReleaseFile(directory, file);
            var bundleTask = http.GetAsync(new Uri(url.AbsoluteUri + ".sigstore"), ReleaseRules.BundleLimit, ct);
            var sbomTask = http.GetAsync(new Uri(url.AbsoluteUri + ".spdx.json"), ReleaseRules.SbomLimit, ct);
            await Task.WhenAll(bundleTask, sbomTask).ConfigureAwait(false);
            var bundle = bundleTask.Result;
            var sbom = sbomTask.Result;

            VerifiedBundle? verified = null;
            if (bundle != null)
            {
                verified = verifier.Verify(bundle.Body, file, SignerIdentities.For(key.RcVersion, identities));
            }

            string? sbomSha = sbom != null ? ReleaseRules.SbomSha256(sbom.Body, file, RedirectPolicy.Show(sbom.Uri)) : null;
            var (sha, origin) = ReleaseRules.Reconcile(verified?.Sha256, sbomSha, file);
            if (sha != null)
            {
                return new FileFacts { Exists = true, Sha256 = ReleaseRules.RequireSha256(sha, file), Origin = origin, Signer = verified?.Signer, Url = url };
            }

            bool exists = await http.ExistsAsync(url, ct).ConfigureAwait(false);
            return new FileFacts { Exists = exists, Origin = ChecksumOrigin.None };
        }

        private async Task<string?> SetuptoolsAsync(VersionKey key, string version, CancellationToken ct)
        {
            var url = sources.Ensurepip(version);
            var ensurepip = await http.GetAsync(url, ReleaseRules.EnsurepipLimit, ct).ConfigureAwait(false)
                ?? throw new UpdateException(UpdateErrorIds.EnsurepipNotFound, $"{url} does not exist, so the setuptools that {version} bundles cannot be checked.",
                    "The release may not be tagged yet: run the command again later, or check -CPythonSourceUri.", url.AbsoluteUri);
            string? bundled = ReleaseRules.EnsurepipSetuptools(ensurepip.Body, url.AbsoluteUri);
            if (!ReleaseRules.ExpectsSetuptools(key))
            {
                if (bundled != null)
                {
                    throw new UpdateException(UpdateErrorIds.SetuptoolsUnexpected, $"{version} bundles setuptools {InputGrammar.Show(bundled)} in ensurepip, but {key.RcVersion} and later are not expected to (cpython issue 95299).",
                        "Check the release: the image rules install setuptools only for 3.11 and older.", url.AbsoluteUri);
                }

                return null;
            }

            if (bundled == null)
            {
                throw new UpdateException(UpdateErrorIds.SetuptoolsMissing, $"{version}'s ensurepip names no _SETUPTOOLS_VERSION, but {key.RcVersion} bundles setuptools.",
                    "Check the release and -CPythonSourceUri; the matrix needs the bundled setuptools version for 3.11 and older.", url.AbsoluteUri);
            }

            string setuptools = ReleaseRules.Require(InputGrammar.PackageVersion, bundled, $"The setuptools version bundled by {version}");
            var pypiUrl = sources.PyPIRelease("setuptools", setuptools);
            var pypi = await http.GetAsync(pypiUrl, ReleaseRules.PyPILimit, ct).ConfigureAwait(false);
            if (pypi == null || !ReleaseRules.PyPIHasRelease(pypi.Body, "setuptools", setuptools, pypiUrl.AbsoluteUri))
            {
                throw new UpdateException(UpdateErrorIds.SetuptoolsNotOnPyPI, $"setuptools {setuptools} (bundled by {version}) is not on PyPI ({pypiUrl}).",
                    "The image build would fail to install it: check -PyPIUri, or wait until the release is on PyPI.", pypiUrl.AbsoluteUri);
            }

            return setuptools;
        }

        private Task<IReadOnlyList<string>?> IndexAsync(Uri uri, CancellationToken ct) =>
            indexes.GetOrAdd(uri.AbsoluteUri, _ => new Lazy<Task<IReadOnlyList<string>?>>(async () =>
            {
                var page = await http.GetAsync(uri, ReleaseRules.IndexLimit, ct).ConfigureAwait(false);
                return page == null ? null : ReleaseRules.ParseIndex(page.Body, uri.AbsoluteUri);
            })).Value;

        private static UpdateException NotFound(string key, string why) => new UpdateException(
            UpdateErrorIds.ReleaseNotFound, $"No release found for {key}: {why}.",
            "Check the key (3.15-rc for pre-releases, 3.15 once 3.15.0 is out) and -PythonOrgUri; python.org's index may lag behind a brand-new release.",
            key);

        /// <inheritdoc/>
        public void Dispose() => http.Dispose();
    }
}
