using System;
using System.Runtime.InteropServices;

namespace PythonImages
{
    /// <summary>The kinds of file system whose path rules differ: how names compare and which characters separate them.</summary>
    public enum PathPlatform
    {
        /// <summary>Linux (and other Unix): names are case-sensitive; '/' separates.</summary>
        Linux,

        /// <summary>Windows: names are case-insensitive; '\' and '/' separate.</summary>
        Windows,

        /// <summary>macOS: its default volumes are case-insensitive; '/' separates.</summary>
        MacOS,
    }

    /// <summary>
    /// The module's one reading of "is this path inside that folder": every repository, context and mounted-folder
    /// containment check compares with the rule of the platform it runs on (C:\Repo\matrix.yaml is inside c:\repo on
    /// Windows, /Repo/matrix.yaml is not inside /repo on Linux).
    /// </summary>
    public static class PathRules
    {
        /// <summary>The platform this process runs on.</summary>
        public static PathPlatform Current { get; } =
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? PathPlatform.Windows
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? PathPlatform.MacOS
            : PathPlatform.Linux;

        /// <summary>How paths compare on this platform.</summary>
        public static StringComparison Comparison => ComparisonFor(Current);

        /// <summary>How paths compare on <paramref name="platform"/>: ignoring case on Windows and macOS, exactly on Linux.</summary>
        public static StringComparison ComparisonFor(PathPlatform platform) =>
            platform == PathPlatform.Linux ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

        /// <summary>
        /// <paramref name="full"/> (a full path) as a path relative to the folder <paramref name="root"/> (a full path, with or
        /// without a trailing separator), with '/' separators; null when it is not strictly inside (outside, or the folder
        /// itself). Both are taken as they are: the caller makes them full (Path.GetFullPath) first.
        /// </summary>
        public static string? RelativeInside(string root, string full) => RelativeInside(root, full, Current);

        /// <summary><see cref="RelativeInside(string, string)"/> by the rules of <paramref name="platform"/>.</summary>
        public static string? RelativeInside(string root, string full, PathPlatform platform)
        {
            char[] separators = platform == PathPlatform.Windows ? new[] { '\\', '/' } : new[] { '/' };
            string trimmed = root.TrimEnd(separators);
            if (full.Length <= trimmed.Length + 1
                || !full.StartsWith(trimmed, ComparisonFor(platform))
                || Array.IndexOf(separators, full[trimmed.Length]) < 0)
            {
                return null;
            }

            string relative = full.Substring(trimmed.Length + 1).TrimStart(separators);
            if (relative.Length == 0)
            {
                return null;
            }

            return platform == PathPlatform.Windows ? relative.Replace('\\', '/') : relative;
        }
    }
}
