using System;
using System.IO;
using System.Management.Automation;
using PythonImages.Builds;
using PythonImages.Engine.Builds;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>-LogPath of Invoke-PythonImageBuild: where build logs may be written.</summary>
    internal static class LogPathCheck
    {
        /// <summary>
        /// A file-system path without control characters; an existing target is a folder (one log per image) or a regular
        /// file (all logs), never a device, pipe or socket; its nearest existing parent is a folder. A terminating error otherwise.
        /// </summary>
        public static BuildLogTarget Validate(PSCmdlet cmdlet, string path)
        {
            void Fail(string why, Exception? inner = null) => cmdlet.ThrowTerminatingError(Errors.Create(
                new ArgumentException($"-LogPath '{InputGrammar.Show(path)}' cannot hold build logs: {why}.", inner),
                ImageBuildErrorIds.InvalidLogPath,
                InputGrammar.Show(path),
                "Give a folder (ending in / for a new one: one log per image) or a file (all logs in one) on the file system."));

            for (int i = 0; i < path.Length; i++)
            {
                char c = path[i];
                if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029')
                {
                    Fail($"it contains the control character U+{(int)c:X4} at position {i + 1}");
                }
            }

            string full;
            ProviderInfo provider;
            try
            {
                full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException || ex is NotSupportedException || ex is ArgumentException || ex is PSInvalidOperationException)
            {
                Fail(ex.Message.TrimEnd('.'), ex);
                throw; // not reached: Fail throws
            }

            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                Fail($"it is a {provider.Name} path, not a file-system path");
            }

            if (Directory.Exists(full))
            {
                return new BuildLogTarget(full, isDirectory: true);
            }

            if (File.Exists(full))
            {
                string? type = UnixItemType(cmdlet, full);
                if (type != null && type != "regular file")
                {
                    Fail($"{full} is a {type}, not a regular file");
                }
            }

            for (string? parent = Path.GetDirectoryName(full); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
            {
                if (Directory.Exists(parent))
                {
                    break;
                }

                if (File.Exists(parent))
                {
                    Fail($"{parent} is a file, so nothing can be created below it");
                }
            }

            return new BuildLogTarget(full, path.EndsWith("/", StringComparison.Ordinal) || path.EndsWith("\\", StringComparison.Ordinal));
        }

        /// <summary>What kind of file-system entry <paramref name="full"/> is on Unix (PowerShell 7's UnixStat), or null when unknown.</summary>
        private static string? UnixItemType(PSCmdlet cmdlet, string full)
        {
            try
            {
                var items = cmdlet.InvokeProvider.Item.Get(new[] { full }, true, true);
                var stat = items.Count > 0 ? items[0].Properties["UnixStat"]?.Value : null;
                var mode = stat == null ? null : PSObject.AsPSObject(stat).Properties["Mode"]?.Value;
                if (mode == null)
                {
                    return null;
                }

                int type = Convert.ToInt32(mode, System.Globalization.CultureInfo.InvariantCulture) & 0xF000;
                return type switch
                {
                    0x8000 => "regular file",
                    0x4000 => "folder",
                    0xA000 => "regular file", // a link is replaced by the new log, its target is not touched
                    0x1000 => "named pipe (FIFO)",
                    0x2000 => "character device",
                    0x6000 => "block device",
                    0xC000 => "socket",
                    _ => "special file",
                };
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                return null;
            }
        }
    }
}
