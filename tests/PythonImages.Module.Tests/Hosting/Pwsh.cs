using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace PythonImages.Tests.Hosting
{
    /// <summary>
    /// A real pwsh process, as users run the module: the pwsh on PATH (or the one `dotnet tool install --global PowerShell`
    /// puts in ~/.dotnet/tools, which .ci/run installs), started with -NoProfile -NonInteractive on a script file.
    /// </summary>
    public static class Pwsh
    {
        private static readonly Lazy<string?> Found = new Lazy<string?>(Find);

        /// <summary>The pwsh executable, or null when there is none.</summary>
        public static string? Executable => Found.Value;

        public static bool Available => Executable != null;

        /// <summary>Why pwsh tests are skipped here.</summary>
        public const string MissingReason = "pwsh is not on PATH nor in ~/.dotnet/tools (install it: dotnet tool install --global PowerShell --version 7.6.9; .ci/run does).";

        /// <summary>What every script starts with: plain-text output (no ANSI colours), no progress bars, the caller's culture-free formatting.</summary>
        public const string Prelude = "$PSStyle.OutputRendering = 'PlainText'\n$ProgressPreference = 'SilentlyContinue'\n";

        public sealed class Result
        {
            public int ExitCode { get; init; }
            public string Output { get; init; } = string.Empty;
            public string Error { get; init; } = string.Empty;

            public override string ToString() => $"pwsh exited {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
        }

        private static string? Find()
        {
            string name = OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh";
            var dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
            dirs.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"));
            return dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
        }

        /// <summary>The start information for pwsh running <paramref name="scriptFile"/>.</summary>
        public static ProcessStartInfo StartInfo(string scriptFile, string? workingDirectory = null, IDictionary<string, string?>? environment = null, params string[] arguments)
        {
            var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException(MissingReason))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            start.ArgumentList.Add("-NoProfile");
            start.ArgumentList.Add("-NonInteractive");
            start.ArgumentList.Add("-File");
            start.ArgumentList.Add(scriptFile);
            foreach (var a in arguments)
            {
                start.ArgumentList.Add(a);
            }

            start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
            start.Environment["POWERSHELL_UPDATECHECK"] = "Off";
            start.Environment["NO_COLOR"] = "1";
            start.Environment["TERM"] = "dumb";
            if (environment != null)
            {
                foreach (var kv in environment)
                {
                    start.Environment[kv.Key] = kv.Value;
                }
            }

            return start;
        }

        /// <summary>Writes <paramref name="script"/> (after <see cref="Prelude"/>, unless it starts with a param block) to a temporary .ps1 file and runs it; kills it after the timeout.</summary>
        public static Result Run(string script, string? workingDirectory = null, IDictionary<string, string?>? environment = null, int timeoutSeconds = 300, params string[] arguments)
        {
            string file = Path.Combine(Path.GetTempPath(), "pi-pwsh-" + Guid.NewGuid().ToString("N") + ".ps1");
            // A script with a param block must start with it: such a script sets the prelude itself.
            bool hasParams = script.TrimStart().StartsWith("param(", StringComparison.OrdinalIgnoreCase);
            File.WriteAllText(file, (hasParams ? string.Empty : Prelude) + script, new UTF8Encoding(false));
            try
            {
                using var p = Process.Start(StartInfo(file, workingDirectory, environment, arguments))!;
                p.StandardInput.Close();
                return Collect(p, timeoutSeconds);
            }
            finally
            {
                File.Delete(file);
            }
        }

        /// <summary>Reads a started pwsh's output until it ends; kills it (and throws, with what it wrote) after the timeout.</summary>
        public static Result Collect(Process p, int timeoutSeconds)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutSeconds * 1000))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                throw new TimeoutException($"pwsh did not finish within {timeoutSeconds} s.\n{stdout.Result}\n{stderr.Result}");
            }

            p.WaitForExit();
            return new Result { ExitCode = p.ExitCode, Output = stdout.Result.Replace("\r\n", "\n"), Error = stderr.Result.Replace("\r\n", "\n") };
        }

        /// <summary>A PowerShell single-quoted string literal.</summary>
        public static string Quote(string value) => "'" + value.Replace("'", "''") + "'";
    }

    /// <summary>A test that needs a real pwsh: skipped when there is none, except under CI=true, where it runs and fails.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class PwshFactAttribute : FactAttribute
    {
        public PwshFactAttribute()
        {
            if (!Pwsh.Available && !DockerProbe.IsCi)
            {
                Skip = Pwsh.MissingReason;
            }
        }
    }

    /// <summary>A theory that needs a real pwsh (see <see cref="PwshFactAttribute"/>).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class PwshTheoryAttribute : TheoryAttribute
    {
        public PwshTheoryAttribute()
        {
            if (!Pwsh.Available && !DockerProbe.IsCi)
            {
                Skip = Pwsh.MissingReason;
            }
        }
    }

    /// <summary>A test that needs pwsh and a Docker engine.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class PwshDockerFactAttribute : FactAttribute
    {
        public PwshDockerFactAttribute()
        {
            if (!DockerProbe.IsCi && !Pwsh.Available)
            {
                Skip = Pwsh.MissingReason;
            }
            else if (!DockerProbe.IsCi && !DockerProbe.Available)
            {
                Skip = "No Docker engine reachable at " + DockerProbe.Endpoint + " (set DOCKER_HOST or start dockerd; .ci/run does both).";
            }
        }
    }
}
