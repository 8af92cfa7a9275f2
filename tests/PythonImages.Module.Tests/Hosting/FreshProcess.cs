using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PythonImages.Tests.Hosting
{
    /// <summary>
    /// Runs a script in a new process with its own PowerShell engine (this test assembly's entry point), for what one
    /// process cannot do twice: import a second copy of the module from another folder, or measure a first import.
    /// </summary>
    public static class FreshProcess
    {
        public sealed class Result
        {
            public int ExitCode { get; init; }
            public string[] Output { get; init; } = Array.Empty<string>();
            public string Error { get; init; } = string.Empty;

            public override string ToString() => $"exit {ExitCode}\n{string.Join("\n", Output)}\n{Error}";
        }

        /// <summary>The entry point of the test assembly (the Test SDK's generated one is turned off).</summary>
        public static int Main(string[] args)
        {
            if (args.Length != 2 || args[0] != "--run-script")
            {
                Console.Error.WriteLine("usage: PythonImages.Module.Tests --run-script <script>");
                return 64;
            }

            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript(args[1]);
            try
            {
                foreach (var o in ps.Invoke())
                {
                    Console.WriteLine(o?.ToString());
                }
            }
            catch (RuntimeException ex)
            {
                Console.Error.WriteLine(ex.ErrorRecord.FullyQualifiedErrorId + ": " + ex.Message);
                return 2;
            }

            foreach (var e in ps.Streams.Error)
            {
                Console.Error.WriteLine(e.FullyQualifiedErrorId + ": " + e);
            }

            return ps.Streams.Error.Count > 0 ? 1 : 0;
        }

        /// <summary>Runs <paramref name="script"/> in a fresh process; each output object becomes one line.</summary>
        public static Result Run(string script, int timeoutSeconds = 120)
        {
            using var p = Start(script);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutSeconds * 1000))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"The fresh PowerShell process did not finish within {timeoutSeconds} s.");
            }

            return new Result
            {
                ExitCode = p.ExitCode,
                Output = stdout.Result.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray(),
                Error = stderr.Result,
            };
        }

        /// <summary>Starts <paramref name="script"/> in a fresh process (the test assembly's own entry point), not waited for.</summary>
        public static Process Start(string script)
        {
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
            var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(typeof(FreshProcess).Assembly.Location);
            start.ArgumentList.Add("--run-script");
            start.ArgumentList.Add(script);
            return Process.Start(start)!;
        }

        /// <summary>A PowerShell single-quoted string literal.</summary>
        public static string Quote(string value) => "'" + value.Replace("'", "''") + "'";
    }
}
