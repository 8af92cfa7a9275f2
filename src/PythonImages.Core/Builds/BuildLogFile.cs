using System;
using System.IO;
using System.Text;

namespace PythonImages.Builds
{
    /// <summary>
    /// A build log written as it arrives, to a temporary file next to its target, and put in place atomically at the end
    /// (<see cref="Commit"/>): readers see the previous file or the complete new one, never a half-written log, and
    /// memory holds a write buffer only, whatever the size of the log. Disposing without a commit removes the
    /// temporary file.
    /// </summary>
    public sealed class BuildLogFile : IDisposable
    {
        private static readonly Encoding Utf8NoBom = new UTF8Encoding(false);

        private readonly object gate = new object();
        private readonly string bodyPath;
        private StreamWriter? body;
        private bool committed;

        private BuildLogFile(string target, string bodyPath, StreamWriter body)
        {
            Target = target;
            this.bodyPath = bodyPath;
            this.body = body;
        }

        /// <summary>The file the log is committed to.</summary>
        public string Target { get; }

        /// <summary>The first write failure (disk full, permissions); later lines are dropped, the build goes on.</summary>
        public Exception? WriteFailure { get; private set; }

        /// <summary>Starts a log for <paramref name="target"/>; creates its folder. Throws IOException/UnauthorizedAccessException.</summary>
        public static BuildLogFile Start(string target)
        {
            string full = Path.GetFullPath(target);
            string directory = Path.GetDirectoryName(full) ?? ".";
            Directory.CreateDirectory(directory);
            string temp = TempName(full);
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024);
            return new BuildLogFile(full, temp, new StreamWriter(stream, Utf8NoBom, 64 * 1024) { NewLine = Environment.NewLine });
        }

        /// <summary>Appends one line (any thread). A write failure is remembered, not thrown.</summary>
        public void WriteLine(string line)
        {
            lock (gate)
            {
                if (body == null || WriteFailure != null)
                {
                    return;
                }

                try
                {
                    body.WriteLine(line);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    WriteFailure = ex;
                }
            }
        }

        /// <summary>
        /// Puts the log in place: <paramref name="header"/>, then every line, after the current content of the target when
        /// <paramref name="appendToTarget"/> (one file collecting several builds). Atomic: a temporary file renamed over
        /// the target. Throws IOException/UnauthorizedAccessException; the temporary files never outlive a failure.
        /// </summary>
        public void Commit(string header, bool appendToTarget)
        {
            lock (gate)
            {
                if (committed)
                {
                    throw new InvalidOperationException("The log was already committed.");
                }

                if (WriteFailure != null)
                {
                    throw new IOException($"Writing the build log {Target} failed: {WriteFailure.Message}", WriteFailure);
                }

                body!.Dispose();
                body = null;
                string final = TempName(Target);
                try
                {
                    using (var output = new FileStream(final, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
                    {
                        if (appendToTarget && File.Exists(Target))
                        {
                            using var previous = new FileStream(Target, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
                            previous.CopyTo(output);
                        }

                        var head = Utf8NoBom.GetBytes(header + Environment.NewLine);
                        output.Write(head, 0, head.Length);
                        using (var lines = new FileStream(bodyPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024))
                        {
                            lines.CopyTo(output);
                        }
                    }

                    if (File.Exists(Target))
                    {
                        File.Replace(final, Target, null);
                    }
                    else
                    {
                        File.Move(final, Target);
                    }

                    committed = true;
                }
                finally
                {
                    TryDelete(final);
                    TryDelete(bodyPath);
                }
            }
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            lock (gate)
            {
                try
                {
                    body?.Dispose();
                }
                catch (IOException)
                {
                }

                body = null;
                TryDelete(bodyPath);
            }
        }

        private static string TempName(string full) =>
            Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");

        private static void TryDelete(string path)
        {
            try
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
