using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

/// <summary>Commands in a warm hosted runspace, as the module's users run them; any error stops the benchmark.</summary>
internal static class BenchRunspace
{
    /// <summary>Runs what <paramref name="build"/> adds in <paramref name="runspace"/>; its output, or an exception naming the errors.</summary>
    public static List<PSObject> Invoke(Runspace runspace, Action<PowerShell> build, bool tolerateErrors = false)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        build(ps);
        var output = ps.Invoke().ToList();
        if (ps.Streams.Error.Count > 0 && !tolerateErrors)
        {
            throw new InvalidOperationException(string.Join("; ", ps.Streams.Error));
        }

        return output;
    }
}
