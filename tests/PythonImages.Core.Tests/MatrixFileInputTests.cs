using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// What LoadFile does with paths that are not a small regular file: each is refused before anything is read (a FIFO
    /// never blocks, a device is never read), with its own ErrorId and kind.
    /// </summary>
    public sealed class MatrixFileInputTests : MatrixFileTest
    {
        private const string Valid = "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie]\n";

        /// <summary>Loads on another thread and fails (instead of hanging the test run) if that takes more than 10 s.</summary>
        private static MatrixException Refused(string path, Action? unblock = null)
        {
            var task = Task.Run(() => MatrixLoader.LoadFile(path));
            if (Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))).Result != task)
            {
                unblock?.Invoke();
                Assert.Fail($"Loading {path} blocked for more than 10 s.");
            }

            var ex = Assert.IsType<MatrixException>(Assert.Single(Assert.IsType<AggregateException>(task.Exception).InnerExceptions));
            Assert.Equal(path, ex.File);
            Assert.StartsWith(path + ":", ex.Message);
            return ex;
        }

        private static bool Unix => !OperatingSystem.IsWindows();

        [Fact]
        public void AFifoIsRefusedWithoutBlocking()
        {
            if (!Unix)
            {
                return;
            }

            string fifo = Path.Combine(Dir, "matrix.fifo");
            SpecialFiles.MakeFifo(fifo);
            var ex = Refused(fifo, () => File.WriteAllText(fifo, string.Empty));
            Assert.Equal(MatrixErrorIds.NotAFile, ex.ErrorId);
            Assert.Equal(MatrixErrorKind.InvalidArgument, ex.Kind);
            Assert.Contains("FIFO", ex.Message);
        }

        [Theory]
        [InlineData("/dev/zero")]
        [InlineData("/dev/null")]
        [InlineData("/dev/urandom")]
        public void ACharacterDeviceIsRefusedWithoutReading(string device)
        {
            if (!Unix || !File.Exists(device))
            {
                return;
            }

            var sw = Stopwatch.StartNew();
            var ex = Refused(device);
            Assert.Equal(MatrixErrorIds.NotAFile, ex.ErrorId);
            Assert.Contains("character device", ex.Message);
            Assert.True(sw.ElapsedMilliseconds < 2000, $"{sw.ElapsedMilliseconds} ms");
        }

        [Fact]
        public void ALinkToADeviceIsRefusedToo()
        {
            if (!Unix)
            {
                return;
            }

            string link = Path.Combine(Dir, "matrix.yaml");
            File.CreateSymbolicLink(link, "/dev/zero");
            Assert.Equal(MatrixErrorIds.NotAFile, Refused(link).ErrorId);
        }

        [Fact]
        public void ASocketIsRefused()
        {
            if (!Unix)
            {
                return;
            }

            string path = Path.Combine(Dir, "matrix.sock");
            using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                socket.Bind(new UnixDomainSocketEndPoint(path));
                var ex = Refused(path);
                Assert.Equal(MatrixErrorIds.NotAFile, ex.ErrorId);
            }
        }

        [Fact]
        public void ADirectoryIsRefused()
        {
            var ex = Refused(Dir);
            Assert.Equal(MatrixErrorIds.NotAFile, ex.ErrorId);
            Assert.Contains("directory", ex.Message);
        }

        [Fact]
        public void ABrokenLinkIsAMissingFile()
        {
            if (!Unix)
            {
                return;
            }

            string link = Path.Combine(Dir, "matrix.yaml");
            File.CreateSymbolicLink(link, Path.Combine(Dir, "nowhere.yaml"));
            var ex = Refused(link);
            Assert.Equal(MatrixErrorIds.FileNotFound, ex.ErrorId);
            Assert.Equal(MatrixErrorKind.NotFound, ex.Kind);
        }

        [Fact]
        public void ALinkToARegularFileIsRead()
        {
            if (!Unix)
            {
                return;
            }

            string target = WriteLines("target.yaml", Valid.TrimEnd('\n').Split('\n'));
            string link = Path.Combine(Dir, "matrix.yaml");
            File.CreateSymbolicLink(link, target);
            Assert.Equal("3.14.6", MatrixLoader.LoadFile(link).Versions.Single().Version.Text);
        }

        [Fact]
        public void AFileOverTheLimitIsRefusedBeforeItIsRead()
        {
            string path = Path.Combine(Dir, "big.yaml");
            File.WriteAllText(path, Valid + "#" + new string('x', MatrixLoader.MaxFileBytes));
            var ex = Refused(path);
            Assert.Equal(MatrixErrorIds.TooLarge, ex.ErrorId);
            Assert.Equal(MatrixErrorKind.LimitsExceeded, ex.Kind);
            Assert.Contains(MatrixLoader.MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
        }

        [Fact]
        public void AHugeSparseFileIsRefusedAtOnce()
        {
            string path = Path.Combine(Dir, "sparse.yaml");
            using (var fs = new FileStream(path, FileMode.CreateNew))
            {
                fs.SetLength(50L * 1024 * 1024 * 1024); // 50 GB of nothing
            }

            var sw = Stopwatch.StartNew();
            var ex = Refused(path);
            Assert.Equal(MatrixErrorIds.TooLarge, ex.ErrorId);
            Assert.Contains("53687091200 bytes", ex.Message);
            Assert.True(sw.ElapsedMilliseconds < 2000, $"{sw.ElapsedMilliseconds} ms");
        }

        [Fact]
        public void AFileOfExactlyTheLimitIsRead()
        {
            string path = Path.Combine(Dir, "full.yaml");
            string text = Valid + "#";
            text += new string('x', MatrixLoader.MaxFileBytes - Encoding.UTF8.GetByteCount(text));
            File.WriteAllText(path, text);
            Assert.Equal(MatrixLoader.MaxFileBytes, new FileInfo(path).Length);
            Assert.Equal("3.14.6", MatrixLoader.LoadFile(path).Versions.Single().Version.Text);
        }

        [Fact]
        public void AUtf16FileWithAByteOrderMarkIsReadAsBefore()
        {
            // Windows PowerShell 5.1's Out-File writes UTF-16 LE with a BOM.
            string path = Path.Combine(Dir, "utf16.yaml");
            File.WriteAllText(path, Valid, Encoding.Unicode);
            Assert.Equal("3.14.6", MatrixLoader.LoadFile(path).Versions.Single().Version.Text);
        }

        [Fact]
        public void AFileWithAUtf8ByteOrderMarkIsRead()
        {
            string path = Path.Combine(Dir, "bom.yaml");
            File.WriteAllText(path, Valid, new UTF8Encoding(true));
            Assert.Equal("3.14.6", MatrixLoader.LoadFile(path).Versions.Single().Version.Text);
        }

        [Fact]
        public void InvalidUtf8NeverReachesAValue()
        {
            string path = Path.Combine(Dir, "latin1.yaml");
            File.WriteAllBytes(path, Encoding.UTF8.GetBytes("versions:\n  '3.14':\n    version: 3.14.6").Concat(new byte[] { 0xE9 }).Concat(Encoding.UTF8.GetBytes("\n    variants: [trixie]\n")).ToArray());
            var ex = Refused(path);
            Assert.Equal(MatrixErrorIds.InvalidVersion, ex.ErrorId);
            Assert.Contains("\\uFFFD", ex.Message);
        }

        [Fact]
        public void APathWithANulCharacterIsAnInvalidPath()
        {
            var ex = Assert.Throws<MatrixException>(() => MatrixLoader.LoadFile(Path.Combine(Dir, "a\0b.yaml")));
            Assert.Equal(MatrixErrorIds.InvalidPath, ex.ErrorId);
            Assert.Equal(MatrixErrorKind.InvalidArgument, ex.Kind);
            Assert.DoesNotContain('\0', ex.Message);
            Assert.Contains("\\u0000", ex.Message);
        }
    }
}
