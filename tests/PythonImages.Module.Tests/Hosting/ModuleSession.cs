using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PythonImages.Tests.Hosting
{
    /// <summary>What one pipeline produced, stream by stream.</summary>
    public sealed class PsResult
    {
        public IReadOnlyList<PSObject> Output { get; init; } = Array.Empty<PSObject>();
        public IReadOnlyList<ErrorRecord> Errors { get; init; } = Array.Empty<ErrorRecord>();
        public IReadOnlyList<WarningRecord> Warnings { get; init; } = Array.Empty<WarningRecord>();
        public IReadOnlyList<VerboseRecord> Verbose { get; init; } = Array.Empty<VerboseRecord>();
        public IReadOnlyList<ProgressRecord> Progress { get; init; } = Array.Empty<ProgressRecord>();
        public IReadOnlyList<InformationRecord> Information { get; init; } = Array.Empty<InformationRecord>();

        /// <summary>Text the host received during this pipeline (formatted tables, -WhatIf lines).</summary>
        public string HostText { get; init; } = string.Empty;

        /// <summary>The exception that stopped the pipeline, if one did (a terminating error).</summary>
        public RuntimeException? Terminating { get; init; }

        public IEnumerable<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>();

        public IEnumerable<ErrorRecord> AllErrors => Terminating?.ErrorRecord != null ? Errors.Append(Terminating.ErrorRecord) : Errors;
    }

    /// <summary>A real PowerShell runspace (System.Management.Automation 7.6) with the built PythonImages.psd1 imported.</summary>
    public sealed class ModuleSession : IDisposable
    {
        private readonly Runspace runspace;

        public ModuleSession(bool importModule = true)
        {
            var iss = InitialSessionState.CreateDefault2();
            Host = new CapturingHost();
            runspace = RunspaceFactory.CreateRunspace(Host, iss);
            runspace.Open();
            if (importModule)
            {
                var r = Run($"Import-Module '{ManifestPath}' -ErrorAction Stop");
                if (r.Terminating != null || r.Errors.Count > 0)
                {
                    throw new InvalidOperationException("Import-Module failed: " + string.Join("; ", r.AllErrors.Select(e => e.ToString())));
                }
            }
        }

        public CapturingHost Host { get; }

        public Runspace Runspace => runspace;

        public static string RepoRoot { get; } = FindRepoRoot();

        public static string ManifestPath => Path.Combine(RepoRoot, "PythonImages.psd1");

        /// <summary>A fixture copied next to the test assembly.</summary>
        public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

        /// <summary>Runs a script; variables are set first. A terminating error is captured, not thrown.</summary>
        public PsResult Run(string script, IDictionary<string, object?>? variables = null)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            if (variables != null)
            {
                foreach (var kv in variables)
                {
                    runspace.SessionStateProxy.SetVariable(kv.Key, kv.Value);
                }
            }

            ps.AddScript(script);
            return Invoke(ps);
        }

        /// <summary>Builds a pipeline with the PowerShell API (AddCommand/AddParameter) and runs it.</summary>
        public PsResult Invoke(Action<PowerShell> build)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            build(ps);
            return Invoke(ps);
        }

        private PsResult Invoke(PowerShell ps)
        {
            Host.ClearText();
            IReadOnlyList<PSObject> output = Array.Empty<PSObject>();
            RuntimeException? terminating = null;
            try
            {
                output = ps.Invoke().ToList();
            }
            catch (RuntimeException ex)
            {
                terminating = ex;
            }

            return new PsResult
            {
                Output = output,
                Errors = ps.Streams.Error.ToList(),
                Warnings = ps.Streams.Warning.ToList(),
                Verbose = ps.Streams.Verbose.ToList(),
                Progress = ps.Streams.Progress.ToList(),
                Information = ps.Streams.Information.ToList(),
                HostText = Host.Text,
                Terminating = terminating,
            };
        }

        public void Dispose() => runspace.Dispose();

        private static string FindRepoRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PythonImages.psd1")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("PythonImages.psd1 not found above " + AppContext.BaseDirectory);
        }
    }
}
