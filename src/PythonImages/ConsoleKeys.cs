using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Commands
{
    /// <summary>
    /// Forwards the keys typed at the console to a container's terminal while it runs (Invoke-PythonContainer -Interactive):
    /// keys are read without echo (the container's terminal echoes), as the bytes a terminal sends. The console is polled,
    /// never blocked on, so no key typed after the run is taken from the next prompt. Ctrl+C stays PowerShell's: it stops the
    /// command, which stops and removes the container.
    /// </summary>
    internal sealed class ConsoleKeys : IDisposable
    {
        private static readonly Encoding Utf8NoBom = new UTF8Encoding(false);

        private readonly CancellationTokenSource stop = new CancellationTokenSource();
        private readonly Task loop;

        public ConsoleKeys(Func<byte[], CancellationToken, Task> send)
        {
            loop = Task.Run(() => RunAsync(send, stop.Token));
        }

        /// <summary>True when this process has a console whose input and output are both a terminal.</summary>
        public static bool HostHasTerminal()
        {
            try
            {
                return !Console.IsInputRedirected && !Console.IsOutputRedirected;
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is System.IO.IOException || ex is PlatformNotSupportedException)
            {
                return false;
            }
        }

        /// <summary>The bytes a terminal sends for a key; empty for keys that send nothing.</summary>
        public static byte[] Bytes(ConsoleKeyInfo key)
        {
            switch (key.Key)
            {
                case ConsoleKey.UpArrow:
                    return Ascii("\x1b[A");
                case ConsoleKey.DownArrow:
                    return Ascii("\x1b[B");
                case ConsoleKey.RightArrow:
                    return Ascii("\x1b[C");
                case ConsoleKey.LeftArrow:
                    return Ascii("\x1b[D");
                case ConsoleKey.Home:
                    return Ascii("\x1b[H");
                case ConsoleKey.End:
                    return Ascii("\x1b[F");
                case ConsoleKey.Delete:
                    return Ascii("\x1b[3~");
                case ConsoleKey.Backspace:
                    return new byte[] { 0x7F };
                case ConsoleKey.Enter:
                    return new byte[] { (byte)'\r' };
            }

            return key.KeyChar == '\0' ? Array.Empty<byte>() : Utf8NoBom.GetBytes(new[] { key.KeyChar });
        }

        private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

        private static async Task RunAsync(Func<byte[], CancellationToken, Task> send, CancellationToken token)
        {
            try
            {
                while (!token.IsCancellationRequested)
                {
                    if (!Console.KeyAvailable)
                    {
                        await Task.Delay(15, token).ConfigureAwait(false);
                        continue;
                    }

                    var bytes = Bytes(Console.ReadKey(intercept: true));
                    if (bytes.Length > 0)
                    {
                        await send(bytes, token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // the run is over
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is System.IO.IOException)
            {
                // the console went away: nothing more to forward
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            try
            {
                loop.Wait(TimeSpan.FromSeconds(1));
            }
            catch (AggregateException)
            {
                // ended with an error it already handled
            }

            stop.Dispose();
        }
    }
}
