using System;
using System.Management.Automation;
using PythonImages.Apps;

namespace PythonImages.Commands
{
    /// <summary>ErrorRecords for the app area (New-PythonAppDockerfile, Invoke-PythonContainer).</summary>
    internal static class AppErrors
    {
        /// <summary>The record for <paramref name="ex"/>: its id, category and action, and its target unless <paramref name="target"/> is given.</summary>
        public static ErrorRecord From(AppException ex, object? target = null) =>
            Errors.Create(ex, ex.ErrorId, target ?? ex.Target, ex.RecommendedAction, category: ex.Category);

        /// <summary>A path typed by the user as a full file-system path (relative to the current location); null with a reason when it is not one.</summary>
        public static string? FileSystemPath(PSCmdlet cmdlet, string path, out string? why)
        {
            why = null;
            if (path.IndexOf('\0') >= 0)
            {
                why = "it contains a NUL character";
                return null;
            }

            try
            {
                string resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
                if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
                {
                    why = $"it is a path of the {provider.Name} provider, not of the file system";
                    return null;
                }

                return System.IO.Path.GetFullPath(resolved);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is System.IO.IOException || (ex is RuntimeException && !(ex is PipelineStoppedException)))
            {
                why = ex.Message.TrimEnd('.');
                return null;
            }
        }
    }
}
