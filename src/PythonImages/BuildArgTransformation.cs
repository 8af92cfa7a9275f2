using System;
using System.Collections;
using System.Management.Automation;

namespace PythonImages.Commands
{
    /// <summary>
    /// Binds -BuildArg given as docker's strings ('NAME=value', or 'NAME' alone for the value of the environment variable
    /// NAME, left out when it is not set) to the hashtable the cmdlet takes; a hashtable is taken as it is. The names and
    /// values are checked by the cmdlet afterwards, as for a hashtable; values are never shown.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class BuildArgTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc/>
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            switch (value)
            {
                case null:
                case IDictionary _:
                    return inputData;
                case string text:
                    return FromStrings(new object[] { text });
                case IEnumerable list:
                    return FromStrings(list);
                default:
                    return inputData;
            }
        }

        private static Hashtable FromStrings(IEnumerable items)
        {
            var table = new Hashtable(StringComparer.Ordinal);
            foreach (var raw in items)
            {
                object? item = raw is PSObject p ? p.BaseObject : raw;
                if (item is IDictionary dictionary)
                {
                    foreach (DictionaryEntry e in dictionary)
                    {
                        table[e.Key] = e.Value;
                    }

                    continue;
                }

                if (!(item is string text))
                {
                    throw new ArgumentTransformationMetadataException($"-BuildArg takes a hashtable (@{{ NAME = 'value' }}) or NAME=value strings, not {item?.GetType().Name ?? "null"}.");
                }

                int equals = text.IndexOf('=');
                if (equals == 0)
                {
                    throw new ArgumentTransformationMetadataException("-BuildArg has an entry without a name before '='; give NAME=value (the value is not shown).");
                }

                if (equals < 0)
                {
                    // As docker build --build-arg NAME: the value of the environment variable, or nothing when it is not set.
                    string? fromEnvironment = Environment.GetEnvironmentVariable(text);
                    if (fromEnvironment != null)
                    {
                        table[text] = fromEnvironment;
                    }

                    continue;
                }

                table[text.Substring(0, equals)] = text.Substring(equals + 1);
            }

            return table;
        }
    }
}
