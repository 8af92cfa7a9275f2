using System;
using System.IO;
using System.Management.Automation;
using PythonImages.Ledger;

namespace PythonImages.Commands
{
    /// <summary>The ledger paths of the cmdlets (-Ledger, -Destination): file-system paths checked before anything runs.</summary>
    internal static class LedgerFiles
    {
        /// <summary>
        /// The full path of a ledger to read and write: a file-system path whose folder exists, and a regular file when
        /// something is there; a terminating Ledger.InvalidPath otherwise.
        /// </summary>
        public static string ResolveTarget(PSCmdlet cmdlet, string path)
        {
            string full;
            try
            {
                full = Path.GetFullPath(PathInputs.FileSystemPath(cmdlet, path));
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException || ex is PSInvalidOperationException)
            {
                throw Terminate(cmdlet, path, $"The ledger path '{Security.InputGrammar.Show(path)}' is not a usable file-system path: {ex.Message}");
            }

            var kind = FileProbe.KindOf(full);
            if (kind != FileKind.Missing && kind != FileKind.Regular)
            {
                throw Terminate(cmdlet, path, $"The ledger path '{full}' is {FileProbe.Describe(kind)}, not a regular file.");
            }

            string? parent = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            {
                throw Terminate(cmdlet, path, $"The folder of the ledger '{full}' does not exist.");
            }

            return full;
        }

        /// <summary>The terminating error record of a ledger failure.</summary>
        public static ErrorRecord Record(LedgerException ex, object? target) => Errors.Create(ex, ex.ErrorId, target, ex.RecommendedAction);

        private static InvalidOperationException Terminate(PSCmdlet cmdlet, string path, string message)
        {
            cmdlet.ThrowTerminatingError(Errors.Create(new ArgumentException(message), LedgerErrorIds.InvalidPath, Security.InputGrammar.Show(path)));
            return new InvalidOperationException(message); // not reached
        }
    }
}
