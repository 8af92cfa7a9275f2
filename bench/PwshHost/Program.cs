namespace PythonImages.Bench.PwshHost
{
    /// <summary>pwsh: PowerShell's console host with the command line as given (-NoProfile, -Command, -File, ...).</summary>
    internal static class Program
    {
        private static int Main(string[] args) => Microsoft.PowerShell.UnmanagedPSEntry.Start(args, args.Length);
    }
}
