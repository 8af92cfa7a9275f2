using PythonImages.Ledger;
using static PythonImages.FailureCategory;

namespace PythonImages.Ledger
{
    /// <summary>Stable error ids of the build ledger (-Ledger of Invoke-PythonImageBuild and Publish-PythonImage, Merge-PythonBuildLedger).</summary>
    public static class LedgerErrorIds
    {
        /// <summary>The ledger file is not a build ledger: not JSON, another schema or version, or a value outside its grammar.</summary>
        public const string Invalid = "Ledger.Invalid";

        /// <summary>The ledger file cannot be read (a directory, a device, too large, no permission).</summary>
        public const string ReadFailed = "Ledger.ReadFailed";

        /// <summary>The ledger file could not be written (the previous file, if any, is unchanged).</summary>
        public const string WriteFailed = "Ledger.WriteFailed";

        /// <summary>The ledger path is not a usable file-system path, or its folder does not exist.</summary>
        public const string InvalidPath = "Ledger.InvalidPath";

        /// <summary>A ledger fragment to merge does not exist.</summary>
        public const string NotFound = "Ledger.NotFound";

        /// <summary>Two ledger fragments record different builds of the same image and platform.</summary>
        public const string Conflict = "Ledger.Conflict";

        /// <summary>The merge destination exists and -Force was not given.</summary>
        public const string DestinationExists = "Ledger.DestinationExists";

        /// <summary>Another process kept the ledger's lock for longer than a change waits; nothing was written.</summary>
        public const string Busy = "Ledger.Busy";

        /// <summary>The ledger key (-LedgerKey, PYTHONIMAGES_LEDGER_KEY) is not usable: too short or too long, or given without -Ledger.</summary>
        public const string InvalidKey = "Ledger.InvalidKey";
    }
}

namespace PythonImages
{
    /// <summary>The build ledger part of the error catalogue.</summary>
    public static partial class ErrorCatalogue
    {
        private static ErrorDescriptor[] Ledger() => new[]
        {
            D(LedgerErrorIds.Invalid, InvalidData, "Pass a ledger written by Invoke-PythonImageBuild -Ledger or Merge-PythonBuildLedger; if the file was damaged, delete it (the next build writes a new one and rebuilds everything once)."),
            D(LedgerErrorIds.ReadFailed, ReadError, "Pass a regular, readable ledger file (at most 16 MiB)."),
            D(LedgerErrorIds.WriteFailed, WriteError, "Check that the ledger's folder is writable and has free space; the previous ledger, if any, was left unchanged."),
            D(LedgerErrorIds.InvalidPath, InvalidArgument, "Give a file-system path whose folder exists, e.g. -Ledger ./ledger.json."),
            D(LedgerErrorIds.NotFound, ObjectNotFound, "Pass existing ledger fragments (the legs' pi-out/ledger/*.json) or the ledger written by Invoke-PythonImageBuild -Ledger."),
            D(LedgerErrorIds.Conflict, InvalidData, "Each image and platform must be built by one leg: merge the fragments of one run only, or drop the stale fragment."),
            D(LedgerErrorIds.DestinationExists, ResourceExists, "Add -Force to replace it, or choose another -Destination."),
            D(LedgerErrorIds.InvalidKey, InvalidArgument, "Give -LedgerKey (or PYTHONIMAGES_LEDGER_KEY) a random secret of 16 to 1024 characters, and -LedgerKey only with -Ledger; or leave both out for unkeyed fingerprints."),
            D(LedgerErrorIds.Busy, ResourceBusy, "Let the other command that writes this ledger (another terminal, CI step or job) finish, then run again; the lock is released when the process holding it ends."),
        };
    }
}
