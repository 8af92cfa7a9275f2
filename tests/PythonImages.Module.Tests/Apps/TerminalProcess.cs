using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Apps
{
    /// <summary>
    /// A Docker test that runs a real pwsh on a pseudo-terminal (util-linux script): skipped when pwsh or script is not
    /// on PATH (whatever CI says: they are not part of the machine the suite requires), and like <see cref="DockerFactAttribute"/> otherwise.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class TerminalDockerFactAttribute : FactAttribute
    {
        public TerminalDockerFactAttribute()
        {
            if (TerminalProcess.Pwsh == null || TerminalProcess.Script == null)
            {
                Skip = "pwsh and util-linux 'script' are needed on PATH to run PowerShell on a terminal.";
            }
            else if (!DockerProbe.Available && !DockerProbe.IsCi)
            {
                Skip = "No Docker engine reachable at " + DockerProbe.Endpoint + ".";
            }
        }
    }

    /// <summary>pwsh running a script file on a pseudo-terminal: what it writes is collected, keys are typed into it.</summary>
    internal sealed class TerminalProcess : IDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output = new StringBuilder();
        private readonly Task reader;

        public TerminalProcess(string scriptFile)
        {
            var start = new ProcessStartInfo(Script!) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-qfec", Pwsh + " -NoProfile -NonInteractive -File '" + scriptFile.Replace("'", "'\\''") + "'", "/dev/null" })
            {
                start.ArgumentList.Add(a);
            }

            start.Environment["TERM"] = "xterm";
            process = Process.Start(start)!;
            reader = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                var stream = process.StandardOutput.BaseStream;
                int n;
                while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    lock (output)
                    {
                        output.Append(Encoding.UTF8.GetString(buffer, 0, n));
                    }
                }
            });
        }

        public static string? Pwsh { get; } = OnPath("pwsh");

        public static string? Script { get; } = OnPath("script");

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        public bool WaitFor(string text, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < timeout)
            {
                if (Output.Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }

                if (process.HasExited)
                {
                    Thread.Sleep(200);
                    return Output.Contains(text, StringComparison.Ordinal);
                }

                Thread.Sleep(100);
            }

            return false;
        }

        /// <summary>Types bytes at the terminal (\u0003 is Ctrl+C: the terminal sends SIGINT to pwsh).</summary>
        public void Type(string keys)
        {
            process.StandardInput.Write(keys);
            process.StandardInput.Flush();
        }

        public bool WaitForExit(TimeSpan timeout)
        {
            bool exited = process.WaitForExit((int)timeout.TotalMilliseconds);
            if (exited)
            {
                reader.Wait(TimeSpan.FromSeconds(5));
            }

            return exited;
        }

        public int ExitCode => process.ExitCode;

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }

        private static string? OnPath(string name) =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Select(d => Path.Combine(d, name))
                .FirstOrDefault(File.Exists);
    }
}
