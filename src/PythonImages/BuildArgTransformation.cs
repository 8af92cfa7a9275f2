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
    public sealed class BuildArgTransformationAttribute : KeyValueStringsTransformationAttribute
    {
        /// <inheritdoc/>
        protected override object FromStrings(IEnumerable items) => Table(items);

        private static Hashtable Table(IEnumerable items)
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

    /// <summary>
    /// The binding of a parameter that takes a hashtable or docker's 'KEY=value' strings: a hashtable (or nothing) is taken
    /// as it is; one string or a list of strings becomes the table <see cref="FromStrings"/> makes of them.
    /// </summary>
    public abstract class KeyValueStringsTransformationAttribute : ArgumentTransformationAttribute
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

        /// <summary>The table made of <paramref name="items"/> (strings as the user typed them).</summary>
        protected abstract object FromStrings(IEnumerable items);
    }
}
