using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace PythonImages.Commands
{
    /// <summary>
    /// Runs when the module is imported: routes our domain/engine assemblies and every third-party dependency
    /// (YamlDotNet, Docker.DotNet, System.Text.Json, ...) to the module's private dependencies/ folder so that
    /// other modules in the session cannot hand us a different version, and we cannot hand them ours.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        public void OnImport() => DependencyResolver.Register();

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            // The resolver stays registered: types already handed out must keep resolving for the rest of the session.
        }
    }

    internal static class DependencyResolver
    {
        private static readonly object Gate = new object();
        private static bool registered;

        internal static string DependencyDirectory { get; } = Path.Combine(
            Path.GetDirectoryName(typeof(DependencyResolver).Assembly.Location) ?? ".", "dependencies");

        internal static bool IsCoreClr => RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal) == false;

        internal static void Register()
        {
            lock (Gate)
            {
                if (registered)
                {
                    return;
                }

                registered = true;
                if (!Directory.Exists(DependencyDirectory))
                {
                    return; // running from a flat build output (unit tests): nothing to isolate
                }

                if (IsCoreClr)
                {
                    CoreClrIsolation.Register(DependencyDirectory);
                }
                else
                {
                    AppDomain.CurrentDomain.AssemblyResolve += ResolveOnNetFramework;
                }
            }
        }

        // Windows PowerShell 5.1: no load contexts; LoadFrom our private copy when the default probe fails.
        private static Assembly? ResolveOnNetFramework(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name);
            string path = Path.Combine(DependencyDirectory, name.Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }

    /// <summary>PowerShell 7: one private AssemblyLoadContext holds our dependencies.</summary>
    internal static class CoreClrIsolation
    {
        private static DependencyLoadContext? context;

        internal static System.Runtime.Loader.AssemblyLoadContext? Context => context;

        internal static void Register(string directory)
        {
            context = new DependencyLoadContext(directory);
            System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (defaultContext, name) =>
            {
                // Only our own assemblies are bridged from the default context; their dependencies then
                // resolve inside the private context (DependencyLoadContext.Load).
                return name.Name != null && name.Name.StartsWith("PythonImages.", StringComparison.Ordinal) && context.Has(name)
                    ? context.LoadFromAssemblyName(name)
                    : null;
            };
        }

        private sealed class DependencyLoadContext : System.Runtime.Loader.AssemblyLoadContext
        {
            private readonly string directory;
            private readonly Dictionary<string, string> platform;

            public DependencyLoadContext(string directory)
            {
                this.directory = directory;
                platform = PlatformAssemblies();
            }

            public bool Has(AssemblyName name) => File.Exists(Path.Combine(directory, name.Name + ".dll"));

            protected override Assembly? Load(AssemblyName name)
            {
                // The runtime's own copy wins when it is at least as new (System.Memory, System.Text.Json on newer
                // PowerShell): one Span<T>, one JsonSerializer for everybody. Everything else comes from our folder.
                if (name.Name != null && platform.TryGetValue(name.Name, out var file) && IsAtLeast(file, name.Version))
                {
                    return null;
                }

                string path = Path.Combine(directory, name.Name + ".dll");
                return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
            }

            private static bool IsAtLeast(string file, Version? wanted)
            {
                try
                {
                    var available = AssemblyName.GetAssemblyName(file).Version;
                    return wanted == null || (available != null && available >= wanted);
                }
                catch (Exception ex) when (ex is BadImageFormatException || ex is IOException)
                {
                    return false;
                }
            }

            private static Dictionary<string, string> PlatformAssemblies()
            {
                // File name → path of the shared framework's assemblies (the runtime's TPA list, minus application files).
                var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                string coreDir = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? string.Empty;
                var tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
                foreach (var file in tpa.Split(Path.PathSeparator))
                {
                    if (file.Length > 0 && string.Equals(Path.GetDirectoryName(file), coreDir, StringComparison.OrdinalIgnoreCase))
                    {
                        result[Path.GetFileNameWithoutExtension(file)] = file;
                    }
                }

                return result;
            }
        }
    }
}
