using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace PythonImages.Commands
{
    /// <summary>
    /// Gives the session the module's views on import. The manifest lists no FormatsToProcess: PowerShell answers a
    /// listed format file by rebuilding the session's whole format database (every built-in view again, ~35 ms of a
    /// cold one-shot command on the reference machine), and then reads the file with its XML loader. On PowerShell 7 the
    /// views are instead read from PythonImages.views.bin (<see cref="FormatViews"/>) and added to the session's
    /// database with PowerShell's own loader for view definitions, and listed in the session's formats so that any
    /// later rebuild (another module's import, Update-FormatData) keeps them. Where that is not possible (Windows
    /// PowerShell 5.1, a shared or locked format table, a PowerShell whose internals differ, no views file) the format
    /// file is added with Update-FormatData, which is what FormatsToProcess would have done.
    /// </summary>
    internal static class FormatRegistration
    {
        private const BindingFlags Members = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
        private static readonly ConditionalWeakTable<Runspace, string> Registered = new ConditionalWeakTable<Runspace, string>();

        /// <summary>How the views reached the current runspace: "data", "file", or null when they did not (tests).</summary>
        internal static string? RouteFor(Runspace runspace) => Registered.TryGetValue(runspace, out string route) ? route : null;

        /// <summary>Adds the views to the session importing the module, once per runspace.</summary>
        internal static void Register()
        {
            var runspace = Runspace.DefaultRunspace;
            if (runspace == null)
            {
                return;
            }

            lock (Registered)
            {
                if (Registered.TryGetValue(runspace, out _))
                {
                    return; // Import-Module -Force, or after Remove-Module: the views are still in the session
                }

                string bin = Path.GetDirectoryName(typeof(FormatRegistration).Assembly.Location) ?? ".";
                string data = Path.Combine(bin, "PythonImages.views.bin");
                string file = Path.Combine(bin, "PythonImages.format.ps1xml");
                string? route = DependencyResolver.IsCoreClr && File.Exists(data) && TryAddData(runspace, data) ? "data"
                    : File.Exists(file) && TryAddFile(file) ? "file"
                    : null;
                if (route != null)
                {
                    Registered.Add(runspace, route);
                }
            }
        }

        // PowerShell 7: the views into the live database, under PowerShell's own update lock. False (nothing listed) when
        // any member it needs is missing, the table is shared or locked, or the loader refuses a view.
        private static bool TryAddData(Runspace runspace, string data)
        {
            try
            {
                var sma = typeof(PSObject).Assembly;
                object? context = typeof(Runspace).GetProperty("ExecutionContext", Members)?.GetValue(runspace);
                object? manager = context?.GetType().GetProperty("FormatDBManager", Members)?.GetValue(context);
                var session = context?.GetType().GetProperty("InitialSessionState", Members)?.GetValue(context) as InitialSessionState;
                Type? managerType = manager?.GetType();
                PropertyInfo? database = managerType?.GetProperty("Database", Members);
                object? updateLock = managerType?.GetField("updateDatabaseLock", Members)?.GetValue(manager);
                Type? loaderType = sma.GetType("Microsoft.PowerShell.Commands.Internal.Format.TypeInfoDataBaseLoader");
                Type? factoryType = sma.GetType("Microsoft.PowerShell.Commands.Internal.Format.PSPropertyExpressionFactory");
                MethodInfo? load = database == null || loaderType == null || factoryType == null ? null : loaderType.GetMethod(
                    "LoadFormattingData", Members, null, new[] { typeof(ExtendedTypeDefinition), database.PropertyType, factoryType, typeof(bool), typeof(bool) }, null);
                if (session == null || load == null || updateLock == null || !Equals(managerType!.GetField("isShared", Members)?.GetValue(manager), false)
                    || !Equals(managerType.GetProperty("DisableFormatTableUpdates", Members)?.GetValue(manager), false))
                {
                    return false;
                }

                var views = FormatViews.Read(data);
                lock (updateLock)
                {
                    object? db = database!.GetValue(manager);
                    object factory = Activator.CreateInstance(factoryType!, nonPublic: true)!;
                    foreach (var view in views)
                    {
                        object loader = Activator.CreateInstance(loaderType!, nonPublic: true)!;
                        using (loader as IDisposable)
                        {
                            // Not built-in: script blocks are trusted as PowerShell trusts any module's view data.
                            if (db == null || !(bool)load.Invoke(loader, new[] { view, db, factory, false, false })!)
                            {
                                return false; // the file route rebuilds the database without the views added so far
                            }
                        }
                    }

                    foreach (var view in views)
                    {
                        session.Formats.Add(new SessionStateFormatEntry(view));
                    }
                }

                return true;
            }
            catch (Exception ex) when (ex is TargetInvocationException || ex is MemberAccessException || ex is InvalidCastException
                || ex is IOException || ex is InvalidDataException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
            {
                return false;
            }
        }

        // What FormatsToProcess does: the format file appended to the session's formats, the database rebuilt.
        private static bool TryAddFile(string file)
        {
            try
            {
                using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
                shell.AddCommand("Microsoft.PowerShell.Utility\\Update-FormatData").AddParameter("AppendPath", file).Invoke();
                return !shell.HadErrors;
            }
            catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException)
            {
                return false;
            }
        }
    }
}
