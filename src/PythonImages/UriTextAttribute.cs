using System;
using System.Management.Automation;

namespace PythonImages.Commands
{
    /// <summary>
    /// Binds a [uri] to a string parameter as the text it was made from (its OriginalString), so that the value is
    /// validated exactly as typed; anything else is left to PowerShell's usual conversion.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class UriTextAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            return value is Uri uri ? uri.OriginalString : inputData;
        }
    }
}
