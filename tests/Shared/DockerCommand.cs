using System;
using System.Diagnostics;

namespace PythonImages.Tests
{
    /// <summary>
    /// The docker CLI, for arranging and checking what the code under test did (never for what is tested). The classic
    /// builder (DOCKER_BUILDKIT=0, as the module's engine builds are) is used for every command.
    /// </summary>
    internal static class DockerCommand
    {
        /// <summary>
        /// What the classic builder says when its cache probe lists an image that another client removes before the probe
        /// reads it. For a step after FROM scratch the probe lists every image without a parent, so any test's clean-up
        /// (rmi) running at that moment can fail an unrelated build. It is the engine's race, not the build's fault.
        /// </summary>
        private const string ProbeRace = "unable to find image \"sha256:";

        private const int BuildAttempts = 3;

        /// <summary>Runs docker with <paramref name="args"/>; a build that failed on the engine's cache-probe race is run again (up to 3 times in all).</summary>
        public static (int Code, string Output) Run(TimeSpan timeout, params string[] args)
        {
            bool build = args.Length > 0 && args[0] == "build";
            for (int attempt = 1; ; attempt++)
            {
                var result = RunOnce(timeout, args);
                if (result.Code == 0 || !build || attempt == BuildAttempts || !result.Output.Contains(ProbeRace, StringComparison.Ordinal))
                {
                    return result;
                }
            }
        }

        public static (int Code, string Output) Run(params string[] args) => Run(TimeSpan.FromMinutes(5), args);

        private static (int Code, string Output) RunOnce(TimeSpan timeout, string[] args)
        {
            var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.Environment["DOCKER_BUILDKIT"] = "0";
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit((int)timeout.TotalMilliseconds))
            {
                p.Kill(entireProcessTree: true);
                return (-1, "timed out: docker " + string.Join(" ", args));
            }

            return (p.ExitCode, output.Result + err.Result);
        }
    }
}
