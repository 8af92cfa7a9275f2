using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
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

        /// <summary>
        /// The ledger key of <paramref name="secure"/> (-LedgerKey), else of the environment variable PYTHONIMAGES_LEDGER_KEY
        /// when it is set and not empty, else null; <paramref name="source"/> names where it came from (never its value).
        /// A <see cref="LedgerException"/> (InvalidKey) when it is not usable. The secret's characters are cleared after use.
        /// </summary>
        public static LedgerKey? KeyOf(SecureString? secure, out string? source)
        {
            char[] secret;
            if (secure != null)
            {
                source = "-LedgerKey";
                secret = new char[secure.Length];
                IntPtr unmanaged = Marshal.SecureStringToGlobalAllocUnicode(secure);
                try
                {
                    Marshal.Copy(unmanaged, secret, 0, secret.Length);
                }
                finally
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
                }
            }
            else
            {
                string? variable = Environment.GetEnvironmentVariable(LedgerKey.EnvironmentVariable);
                source = string.IsNullOrEmpty(variable) ? null : "the environment variable " + LedgerKey.EnvironmentVariable;
                if (source == null)
                {
                    return null;
                }

                secret = variable!.ToCharArray();
            }

            try
            {
                return LedgerKey.From(secret, source);
            }
            finally
            {
                Array.Clear(secret, 0, secret.Length);
            }
        }

        /// <summary>
        /// One warning when the ledger's lock does not exclude another process here: .NET's file locking is off in this
        /// process (DOTNET_SYSTEM_IO_DISABLEFILELOCKING, System.IO.DisableFileLocking) or the ledger's file system has no
        /// locks. Two processes changing that ledger at once could then lose each other's records. Under -WhatIf nothing is
        /// written to find out (the lock file an earlier change left is tried, else nothing is said).
        /// </summary>
        public static void WarnIfUnlocked(PSCmdlet cmdlet, string fullPath)
        {
            bool? excludes = cmdlet.IsWhatIf() ? LedgerLock.ExcludesWithoutWriting(fullPath) : LedgerLock.Excludes(fullPath);
            if (excludes != false)
            {
                return;
            }

            string variable = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is { Length: > 0 } v
                ? $"DOTNET_SYSTEM_IO_DISABLEFILELOCKING is '{Security.InputGrammar.Show(v)}' in this process"
                : $"file locking is turned off in this process (System.IO.DisableFileLocking) or the file system of '{Path.GetDirectoryName(fullPath)}' has no locks";
            cmdlet.WriteWarning(
                $"The ledger '{fullPath}' is not protected by its lock: {variable}, so another process changing this ledger at the same time could lose records of this one (or this one of it). "
                + "Let one process at a time write a ledger (e.g. one ledger fragment per CI leg, joined by Merge-PythonBuildLedger), or run without DOTNET_SYSTEM_IO_DISABLEFILELOCKING; add -WarningAction Stop to refuse to run instead.");
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
