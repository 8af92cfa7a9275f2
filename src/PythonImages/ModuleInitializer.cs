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
        /// <inheritdoc/>
        public void OnImport()
        {
            DependencyResolver.Register();
            FormatRegistration.Register();
        }

        /// <inheritdoc/>
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
                    RegisterCoreClr();
                }
                else
                {
                    AppDomain.CurrentDomain.AssemblyResolve += ResolveOnNetFramework;
                }
            }
        }

        // Kept out of Register so that Windows PowerShell never JIT-compiles a reference to AssemblyLoadContext.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void RegisterCoreClr() => CoreClrIsolation.Register(DependencyDirectory, ReadyToRunDirectory());

        /// <summary>The .NET major version the ready-to-run copies are compiled against (build.ps1 Package).</summary>
        internal const int ReadyToRunRuntimeMajor = 10;

        /// <summary>
        /// PowerShell 7 on .NET <see cref="ReadyToRunRuntimeMajor"/> or later: bin/r2r/&lt;rid&gt;/ holds ahead-of-time compiled
        /// copies of the assemblies in dependencies/ (same IL, plus native code for this platform), so the first command
        /// JIT-compiles far less. Null when the package has none for this platform; the IL copies are used then.
        /// </summary>
        internal static string? ReadyToRunDirectory()
        {
            if (Environment.Version.Major < ReadyToRunRuntimeMajor)
            {
                return null;
            }

            string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
                : string.Empty;
            string arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                _ => string.Empty,
            };
            if (os.Length == 0 || arch.Length == 0)
            {
                return null;
            }

            string dir = Path.Combine(Path.GetDirectoryName(DependencyDirectory) ?? ".", "r2r", os + "-" + arch);
            return Directory.Exists(dir) ? dir : null;
        }

        /// <summary>
        /// Windows PowerShell 5.1: no load contexts. When the default probe fails, LoadFrom our private copy, but only
        /// for requests that come from our own assemblies (or name them): another module asking for YamlDotNet must
        /// not be handed ours, and a copy that is older than what was asked for is never returned.
        /// </summary>
        private static Assembly? ResolveOnNetFramework(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name);
            if (name.Name == null)
            {
                return null;
            }

            bool ours = name.Name.StartsWith("PythonImages.", StringComparison.Ordinal) || IsOurs(args.RequestingAssembly);
            if (!ours)
            {
                return null;
            }

            string path = Path.Combine(DependencyDirectory, name.Name + ".dll");
            if (!File.Exists(path))
            {
                return null;
            }

            try
            {
                var available = AssemblyName.GetAssemblyName(path).Version;
                if (name.Version != null && available != null && available < name.Version)
                {
                    return null;
                }
            }
            catch (Exception ex) when (ex is BadImageFormatException || ex is IOException)
            {
                return null;
            }

            return Assembly.LoadFrom(path);
        }

        private static bool IsOurs(Assembly? requester)
        {
            if (requester == null || requester.IsDynamic)
            {
                // The runtime does not always say who asked (e.g. during type forwarding): fall back to "from our folder only".
                return requester == null;
            }

            string location = requester.Location;
            string moduleDir = Path.GetDirectoryName(DependencyDirectory) ?? DependencyDirectory;
            return location.Length > 0 && location.StartsWith(moduleDir, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>PowerShell 7: one private AssemblyLoadContext holds our dependencies.</summary>
    internal static class CoreClrIsolation
    {
        private static DependencyLoadContext? context;

        internal static System.Runtime.Loader.AssemblyLoadContext? Context => context;

        internal static void Register(string directory, string? readyToRunDirectory)
        {
            context = new DependencyLoadContext(directory, readyToRunDirectory);
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
            private readonly string? readyToRun;
            private readonly HashSet<string> platform;

            public DependencyLoadContext(string directory, string? readyToRun)
            {
                this.directory = directory;
                this.readyToRun = readyToRun;
                platform = PlatformAssemblies();
            }

            public bool Has(AssemblyName name) => File.Exists(Path.Combine(directory, name.Name + ".dll"));

            protected override Assembly? Load(AssemblyName name)
            {
                // Not in our folder (netstandard, System.Runtime, ...): the default context has it. Checked first, so that
                // the framework's own assemblies are never opened to read their version (cold start).
                string path = Path.Combine(directory, name.Name + ".dll");
                if (name.Name == null || !File.Exists(path))
                {
                    return null;
                }

                // The runtime's own copy wins when it is at least as new (System.Memory, System.Text.Json on newer
                // PowerShell): one Span<T>, one JsonSerializer for everybody. Everything else comes from our folder.
                if (platform.Contains(name.Name) && FromPlatform(name) is Assembly shared)
                {
                    return shared;
                }

                // The ready-to-run copy of the same assembly when the package has one for this platform.
                string compiled = readyToRun == null ? string.Empty : Path.Combine(readyToRun, name.Name + ".dll");
                return LoadFromAssemblyPath(compiled.Length > 0 && File.Exists(compiled) ? compiled : path);
            }

            /// <summary>
            /// The shared framework's copy when it is at least the version asked for: the default context's binder loads
            /// it by name and refuses a request for a higher version than it has. No file is opened here to read its
            /// version (that would load System.Reflection.Metadata on every cold start).
            /// </summary>
            private static Assembly? FromPlatform(AssemblyName name)
            {
                try
                {
                    return Default.LoadFromAssemblyName(name);
                }
                catch (Exception ex) when (ex is BadImageFormatException || ex is IOException)
                {
                    return null;
                }
            }

            private static HashSet<string> PlatformAssemblies()
            {
                // Names of the shared framework's assemblies (the runtime's TPA list, minus application files).
                var result = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                string coreDir = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? string.Empty;
                var tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
                foreach (var file in tpa.Split(Path.PathSeparator))
                {
                    if (file.Length > 0 && string.Equals(Path.GetDirectoryName(file), coreDir, StringComparison.OrdinalIgnoreCase))
                    {
                        result.Add(Path.GetFileNameWithoutExtension(file));
                    }
                }

                return result;
            }
        }
    }
}
