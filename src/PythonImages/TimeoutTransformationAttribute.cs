using System;
using System.Globalization;
using System.Management.Automation;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// Binds a timeout given as seconds (90, 1.5, '90') or as a time span ('00:45:00', [TimeSpan]) to a TimeSpan parameter.
    /// PowerShell alone would read a bare number as ticks.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class TimeoutTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc/>
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object? value = inputData is PSObject p ? p.BaseObject : inputData;
            switch (value)
            {
                case null:
                    return inputData;
                case TimeSpan span:
                    return span;
                case string text:
                    string t = text.Trim();
                    if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed))
                    {
                        return Seconds(parsed, text);
                    }

                    if (TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var fromText))
                    {
                        return fromText;
                    }

                    throw new ArgumentTransformationMetadataException($"'{InputGrammar.Show(text)}' is not a timeout: give seconds (90) or a time span (00:45:00).");
                case byte _:
                case sbyte _:
                case short _:
                case ushort _:
                case int _:
                case uint _:
                case long _:
                case ulong _:
                case float _:
                case double _:
                case decimal _:
                    return Seconds(Convert.ToDouble(value, CultureInfo.InvariantCulture), value);
                default:
                    return inputData;
            }
        }

        private static TimeSpan Seconds(double seconds, object original)
        {
            if (double.IsNaN(seconds) || double.IsInfinity(seconds))
            {
                throw new ArgumentTransformationMetadataException($"'{original}' is not a timeout: give seconds (90) or a time span (00:45:00).");
            }

            // Out-of-range values are kept out of range (and reported by the cmdlet), not wrapped or thrown here.
            if (seconds >= TimeSpan.MaxValue.TotalSeconds)
            {
                return TimeSpan.MaxValue;
            }

            if (seconds <= TimeSpan.MinValue.TotalSeconds)
            {
                return TimeSpan.MinValue;
            }

            return TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
        }
    }
}
