using System.Management.Automation;

namespace PythonImages.Commands
{
    /// <summary>What ShouldProcess will answer, known before it is asked: for work that would come before it (a probe, a folder).</summary>
    internal static class ShouldProcessMode
    {
        /// <summary>
        /// True when this invocation only shows what it would do: -WhatIf, or $WhatIfPreference true without -WhatIf:$false
        /// (as PowerShell decides it for ShouldProcess). Nothing may be written or created then, not even a probe file:
        /// every ShouldProcess of a cmdlet that supports it answers no.
        /// </summary>
        public static bool IsWhatIf(this PSCmdlet cmdlet)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var bound))
            {
                return bound is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(bound);
            }

            // PowerShell converts the preference to bool and takes "no" when it cannot (a value that is not a bool-like).
            object? preference = cmdlet.SessionState.PSVariable.GetValue("WhatIfPreference");
            return preference != null && LanguagePrimitives.TryConvertTo(preference, out bool on) && on;
        }
    }
}
