using System;

namespace PythonImages.Builds
{
    /// <summary>The engine's own warnings in a build log ("[Warning] One or more build-args [X] were not consumed").</summary>
    public static class EngineWarnings
    {
        private const string Marker = "[Warning]";

        /// <summary>The warning text of a log line the engine wrote as a warning, or null for any other line (a RUN step's output included).</summary>
        public static string? Warning(string? line)
        {
            if (line == null)
            {
                return null;
            }

            string text = line.Trim();
            if (!text.StartsWith(Marker, StringComparison.Ordinal))
            {
                return null;
            }

            string rest = text.Substring(Marker.Length).Trim();
            return rest.Length == 0 ? null : "The engine warns: " + rest;
        }
    }
}
