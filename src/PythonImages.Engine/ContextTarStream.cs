using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Engine
{
    /// <summary>
    /// A build context's tar, produced while it is read: each entry's header, then a file's bytes read from disk straight
    /// into the reader's buffer, then its padding, and the two end blocks. Nothing is read ahead and nothing is kept: the
    /// caller's buffer is all the memory an upload needs, whatever the size of the context. A file whose size changed since
    /// the scan, or that can no longer be read, ends the stream with a <see cref="BuildContextException"/> before a byte of
    /// another size is produced. Every read fills the caller's buffer unless the tar ends first.
    /// </summary>
    internal sealed class ContextTarStream : Stream
    {
        private readonly IReadOnlyList<ContextEntry> entries;
        private int next;
        private byte[]? header;
        private int headerOffset;
        private ContextEntry? fileEntry;
        private FileStream? file;
        private long fileLeft;
        private int zeros;
        private bool ended;
        private long position;

        public ContextTarStream(IReadOnlyList<ContextEntry> entries)
        {
            this.entries = entries;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int total = 0;
            while (total < count)
            {
                int n = ReadPart(buffer, offset + total, count - total);
                if (n < 0)
                {
                    break; // the tar has ended
                }

                total += n;
            }

            position += total;
            return total;
        }

        /// <summary>Bytes of the current part (0: the part is over, the next one starts); -1 once the tar has ended.</summary>
        private int ReadPart(byte[] buffer, int offset, int count)
        {
            if (header != null)
            {
                int n = Math.Min(count, header.Length - headerOffset);
                Array.Copy(header, headerOffset, buffer, offset, n);
                headerOffset += n;
                if (headerOffset == header.Length)
                {
                    header = null;
                }

                return n;
            }

            if (file != null)
            {
                return ReadFile(buffer, offset, count);
            }

            if (zeros > 0)
            {
                int n = Math.Min(count, zeros);
                Array.Clear(buffer, offset, n);
                zeros -= n;
                return n;
            }

            if (next < entries.Count)
            {
                Start(entries[next++]);
                return 0;
            }

            if (!ended)
            {
                ended = true;
                zeros = TarWriter.EndLength;
                return 0;
            }

            return -1;
        }

        /// <summary>The next bytes of the current file; at its announced end, checks that it ends there too.</summary>
        private int ReadFile(byte[] buffer, int offset, int count)
        {
            var entry = fileEntry!;
            try
            {
                if (fileLeft > 0)
                {
                    int n = file!.Read(buffer, offset, (int)Math.Min(count, fileLeft));
                    if (n == 0)
                    {
                        throw BuildContext.Changed(entry); // cut since the scan
                    }

                    fileLeft -= n;
                    return n;
                }

                if (file!.ReadByte() >= 0)
                {
                    throw BuildContext.Changed(entry); // filled up since the scan
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw Unreadable(entry, ex);
            }

            CloseFile();
            zeros = TarWriter.PaddingOf(entry.Size);
            return 0;
        }

        private void Start(ContextEntry e)
        {
            switch (e.Kind)
            {
                case ContextEntryKind.Directory:
                    header = TarWriter.HeaderBytes(e.Path + "/", '5', e.Mode, 0, e.ModifiedUtc, null, capability: e.Capability);
                    break;
                case ContextEntryKind.Symlink:
                    header = TarWriter.HeaderBytes(e.Path, '2', e.Mode == 0 ? 0x1FF : e.Mode, 0, e.ModifiedUtc, e.LinkTarget, capability: e.Capability);
                    break;
                case ContextEntryKind.HardLink:
                    header = TarWriter.HeaderBytes(e.Path, '1', e.Mode, 0, e.ModifiedUtc, e.LinkTarget, capability: e.Capability);
                    break;

                // FIFOs and devices are headers of their type, as docker sends them, and are never opened: opening a
                // FIFO waits for a writer (forever, and no cancellation reaches a thread blocked in open).
                case ContextEntryKind.Fifo:
                    header = TarWriter.HeaderBytes(e.Path, '6', e.Mode, 0, e.ModifiedUtc, null, capability: e.Capability);
                    break;
                case ContextEntryKind.CharacterDevice:
                    header = TarWriter.HeaderBytes(e.Path, '3', e.Mode, 0, e.ModifiedUtc, null, e.DeviceMajor, e.DeviceMinor, e.Capability);
                    break;
                case ContextEntryKind.BlockDevice:
                    header = TarWriter.HeaderBytes(e.Path, '4', e.Mode, 0, e.ModifiedUtc, null, e.DeviceMajor, e.DeviceMinor, e.Capability);
                    break;
                default:
                    file = OpenRegular(e);

                    fileEntry = e;
                    fileLeft = e.Size;
                    header = TarWriter.HeaderBytes(e.Path, '0', e.Mode, e.Size, e.ModifiedUtc, null, capability: e.Capability);
                    break;
            }

            headerOffset = 0;
        }

        /// <summary>
        /// Opens a file the scan found regular, only if it still is that file: open(2) follows links and waits on a FIFO,
        /// so a name swapped for a link (to a file outside the context, say) or a FIFO since the scan is refused before
        /// it is opened, and the opened file's device and inode must be the ones the scan found (or, for an entry the scan
        /// did not identify, the name's just before the open): that also catches a folder on the way swapped for a link,
        /// which lstat of the name follows, and a swap between the check and the open. Where the runtime tells neither
        /// (Windows), the file is opened as it is.
        /// </summary>
        private static FileStream OpenRegular(ContextEntry e)
        {
            var before = PythonImages.FileProbe.LinkStatus(e.FullPath);
            if (before != null && before.Kind != PythonImages.FileKind.Regular)
            {
                throw Replaced(e, PythonImages.FileProbe.Describe(before.Kind));
            }

            FileStream stream;
            try
            {
                // Unbuffered, synchronous reads: the bytes go straight into the reader's buffer.
                stream = new FileStream(e.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: false);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw Unreadable(e, ex);
            }

            var expected = e.Identity ?? (before != null && before.HasIdentity ? (before.Device, before.Inode) : null);
            if (expected != null && PythonImages.FileProbe.HandleStatus(stream.SafeFileHandle) is { HasIdentity: true } opened
                && (opened.Device, opened.Inode) != expected.Value)
            {
                stream.Dispose();
                throw Replaced(e, "another file");
            }

            return stream;
        }

        private static BuildContextException Replaced(ContextEntry e, string what) => new BuildContextException(
            BuildContextFailure.Unreadable,
            e.FullPath,
            $"The file '{PythonImages.Security.InputGrammar.Show(e.Path)}' of the build context was replaced by {what} while it was being sent; nothing was built. Build again once nothing writes into the context.");

        private static BuildContextException Unreadable(ContextEntry e, Exception ex) => new BuildContextException(
            BuildContextFailure.Unreadable,
            e.FullPath,
            $"The file '{PythonImages.Security.InputGrammar.Show(e.Path)}' of the build context could not be read while it was being sent ({ex.Message.Replace(e.FullPath, PythonImages.Security.InputGrammar.Show(e.Path))}); nothing was built.",
            ex);

        private void CloseFile()
        {
            file?.Dispose();
            file = null;
            fileEntry = null;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                CloseFile();
                next = entries.Count;
                header = null;
                zeros = 0;
                ended = true;
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// The request body of a build: the context's tar (<see cref="ContextTarStream"/>), handed to the HTTP transport in
    /// writes of <see cref="WriteBytes"/> bytes from one buffer. It says how long it is (seekable, with a length), so the
    /// request carries a Content-Length and the transport copies it straight to the socket: no chunk framing, which
    /// Docker.DotNet's transport writes as three socket writes per chunk. The tar is produced by the thread that writes it,
    /// as the socket takes it: no producer thread, no pipe, nothing buffered beyond one write (see CopyToAsync). Every
    /// block produced and every block the transport took is a sign of life.
    /// </summary>
    internal sealed class UploadStream : Stream
    {
        /// <summary>Bytes per write to the transport (and at most per read from the context files).</summary>
        internal const int WriteBytes = 128 * 1024;

        private readonly Stream source;
        private readonly long length;
        private readonly Action touch;
        private readonly CancellationToken cancellation;
        private long position;

        public UploadStream(Stream source, long length, Action touch, CancellationToken cancellation)
        {
            this.source = source;
            this.length = length;
            this.touch = touch;
            this.cancellation = cancellation;
        }

        public override bool CanRead => true;

        // Seekable only in name: it reports its length and position (what StreamContent needs for a Content-Length);
        // the only seek it accepts is to where it already is.
        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => position;
            set => Seek(value, SeekOrigin.Begin);
        }

        /// <summary>Fills <paramref name="count"/> bytes unless the tar ends first; a tar shorter than announced is an IOException.</summary>
        public override int Read(byte[] buffer, int offset, int count)
        {
            cancellation.ThrowIfCancellationRequested();
            int n = source.Read(buffer, offset, count);
            position += n;
            if (n > 0)
            {
                touch();
            }
            else if (position != length)
            {
                throw new IOException($"The build context ended after {position} of {length} bytes.");
            }

            return n;
        }

        /// <summary>The files are read synchronously (page cache), on the caller's thread: no hand-off to another thread.</summary>
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                return Task.FromResult(Read(buffer, offset, count));
            }
            catch (Exception ex)
            {
                return Task.FromException<int>(ex);
            }
        }

        /// <summary>
        /// Copies in <see cref="WriteBytes"/> writes from one buffer whatever size the caller suggests (StreamContent asks
        /// for 4–80 KiB), on a thread of its own that blocks in each write until the socket takes it. Awaited writes cost
        /// half again as much CPU as the docker CLI: the engine drains a local socket in small reads, so about one write
        /// in five waits for room, and each wait went through the socket engine and a thread-pool worker, which then spun
        /// before it slept (a third of the upload's CPU, system and user time). A blocked write is woken directly.
        /// Cancellation (the caller's token, the watchdog's) closes <paramref name="destination"/>, which ends a blocked
        /// write; it is reported as the cancellation it is.
        /// </summary>
        public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
        {
            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cancellation) : null;
            var token = linked?.Token ?? cancellation;
            await Task.Factory.StartNew(() => CopyBlocking(destination, token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        }

        private void CopyBlocking(Stream destination, CancellationToken token)
        {
            var buffer = new byte[WriteBytes];
            using var abort = token.Register(destination.Dispose);
            try
            {
                int n;
                while ((n = Read(buffer, 0, buffer.Length)) > 0)
                {
                    token.ThrowIfCancellationRequested();
                    destination.Write(buffer, 0, n);
                    touch();
                }
            }
            catch (Exception ex) when (token.IsCancellationRequested && !(ex is OperationCanceledException))
            {
                throw new OperationCanceledException("The upload of the build context was cancelled.", ex, token);
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            long target = origin == SeekOrigin.Begin ? offset : origin == SeekOrigin.Current ? position + offset : length + offset;
            if (target != position)
            {
                throw new NotSupportedException("The build context is streamed: it cannot be rewound.");
            }

            return position;
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                source.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
