using System;
using System.IO;
using System.Linq;
using PythonImages.Builds;

namespace PythonImages.Engine.Builds
{
    /// <summary>Where each job's log goes (-LogPath): one file per image in a folder, or every log appended to one file.</summary>
    internal sealed class BuildLogs
    {
        private static readonly char[] ExtraInvalidNameCharacters = { ':', '/', '\\' };

        private readonly BuildLogTarget? target;
        private readonly object gate = new object();
        private bool combinedStarted;

        public BuildLogs(BuildLogTarget? target)
        {
            this.target = target;
        }

        public bool Enabled => target != null;

        /// <summary>The log file of one job: the target file, or a file named after the image in the target folder.</summary>
        public string FileFor(ImageBuildJob job)
        {
            if (!target!.IsDirectory)
            {
                return target.Path;
            }

            string name = job.References.Count > 0 ? job.References[0] : "image-" + job.Index;
            foreach (var c in Path.GetInvalidFileNameChars().Concat(ExtraInvalidNameCharacters))
            {
                name = name.Replace(c, '_');
            }

            return Path.Combine(target.Path, name + ".log");
        }

        /// <summary>Puts a finished log in place (appended to the one file after the first build); the failure, or null.</summary>
        public Exception? Commit(BuildLogFile log, string header)
        {
            try
            {
                lock (gate)
                {
                    log.Commit(header, appendToTarget: !target!.IsDirectory && combinedStarted);
                    combinedStarted = true;
                }

                return null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return ex;
            }
        }

        /// <summary>The first line of a job's log: what was built and how it ended.</summary>
        public static string Header(BuildRun run)
        {
            var build = run.Build;
            string state = run.Stalled != null
                ? "STALLED" + (run.Stalled.Step != null ? " at " + run.Stalled.Step : string.Empty) + $" (no sign of life for {EngineStalledException.Describe(run.Stalled.Timeout)})"
                : build!.Succeeded ? "succeeded " + build.ImageId : "FAILED" + (build.FailedStep != null ? " at " + build.FailedStep : string.Empty);
            return $"# {run.Job.DisplayName} ({run.Job.DockerfilePath}) — {state}";
        }
    }
}
