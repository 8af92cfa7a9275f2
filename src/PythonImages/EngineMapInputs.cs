using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PythonImages.Builds;
using PythonImages.Engine;
using PythonImages.Engine.Builds;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// Invoke-PythonImageBuild -Engine checked before anything is contacted: every key a platform (<see cref="EnginePlatform"/>),
    /// each platform once, every value an engine address (the -DockerHost grammar) or an existing docker context. Terminating
    /// errors (BuildEngine.*) name the key; an engine value is shown only with its user name and password masked.
    /// </summary>
    internal static class EngineMapInputs
    {
        public static IReadOnlyList<EngineRoute> Read(PSCmdlet cmdlet, Hashtable table, bool dockerHostGiven)
        {
            if (dockerHostGiven)
            {
                Fail(cmdlet, BuildEngineErrorIds.InvalidEngine, "-Engine", "-Engine and -DockerHost were both given; -Engine names the engine of every platform.",
                    "Use -Engine alone (add the -DockerHost engine to it under its platform), or -DockerHost alone.");
            }

            if (table is EngineMapStrings strings && strings.Repeated != null)
            {
                Fail(cmdlet, BuildEngineErrorIds.InvalidPlatformKey, ShowKey(strings.Repeated), $"-Engine names the platform '{ShowKey(strings.Repeated)}' twice.", null);
            }

            if (table.Count == 0)
            {
                Fail(cmdlet, BuildEngineErrorIds.InvalidEngine, "-Engine", "-Engine maps no platform to an engine.", null);
            }

            var routes = new List<EngineRoute>();
            foreach (DictionaryEntry entry in table)
            {
                var platform = Key(cmdlet, entry.Key);
                if (routes.Any(r => r.Platform.Key == platform.Key))
                {
                    Fail(cmdlet, BuildEngineErrorIds.InvalidPlatformKey, platform.Key, $"-Engine names the platform {platform.Key} twice (keys are compared lowercase, x86_64 is amd64, aarch64 arm64).", null);
                }

                routes.Add(new EngineRoute(platform, Endpoint(cmdlet, platform, entry.Value)));
            }

            return routes.OrderBy(r => r.Platform.Key, StringComparer.Ordinal).ToList();
        }

        private static EnginePlatform Key(PSCmdlet cmdlet, object rawKey)
        {
            object key = rawKey is PSObject pk ? pk.BaseObject : rawKey;
            string text = key as string ?? string.Empty;
            var platform = key is string ? EnginePlatform.Parse(text, out string? why) : null;
            if (platform == null)
            {
                why = key is string ? EngineGrammar.EnginePlatformKey.Why(text.ToLowerInvariant()) ?? WhyNot(text) : $"a key is a platform string, not {key.GetType().Name}";
                Fail(cmdlet, BuildEngineErrorIds.InvalidPlatformKey, ShowKey(text), $"The -Engine key '{ShowKey(text)}' is not a platform: {why}.", null);
            }

            return platform!;
        }

        /// <summary>A key as messages show it: an engine address given without its platform= is a key too, shown with its userinfo masked.</summary>
        private static string ShowKey(string key) => InputGrammar.Show(Redaction.Endpoint(key));

        private static string WhyNot(string text)
        {
            EnginePlatform.Parse(text, out string? why);
            return why ?? "it is not a platform";
        }

        private static EngineEndpoint Endpoint(PSCmdlet cmdlet, EnginePlatform platform, object? rawValue)
        {
            object? value = rawValue is PSObject pv ? pv.BaseObject : rawValue;
            if (!(value is string text) || text.Length == 0)
            {
                string what = value == null || value is string ? "no engine" : "a " + value.GetType().Name + ", not an engine address or docker context name";
                Fail(cmdlet, BuildEngineErrorIds.InvalidEngine, platform.Key, $"-Engine gives {platform.Key} {what}.", null);
                throw new InvalidOperationException(); // not reached
            }

            string origin = "-Engine's engine for " + platform.Key;
            if (text.IndexOf("://", StringComparison.Ordinal) < 0)
            {
                string? why = EngineGrammar.ContextName.Why(text);
                if (why != null)
                {
                    Fail(cmdlet, BuildEngineErrorIds.InvalidEngine, platform.Key,
                        $"{origin}, '{InputGrammar.Show(Redaction.Endpoint(text))}', is neither an engine address (scheme://...) nor a docker context name: {why}.", null);
                }
            }

            try
            {
                return EndpointResolver.ResolveEngine(text, origin);
            }
            catch (EngineConfigurationException ex)
            {
                Fail(cmdlet, BuildEngineErrorIds.InvalidEngine, platform.Key, ex.Message, null);
                throw; // not reached
            }
        }

        private static void Fail(PSCmdlet cmdlet, string errorId, string target, string message, string? action) =>
            cmdlet.ThrowTerminatingError(Errors.Create(new ArgumentException(message), errorId, target, action));
    }

    /// <summary>
    /// Binds -Engine given as 'platform=engine' strings (linux/arm64=tcp://arm-builder:2376) to the hashtable the cmdlet takes;
    /// a hashtable is taken as it is. A string without '=' becomes a key without an engine, which the cmdlet refuses with its
    /// own error (BuildEngine.InvalidEngine).
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class EngineMapTransformationAttribute : KeyValueStringsTransformationAttribute
    {
        /// <inheritdoc/>
        protected override object FromStrings(IEnumerable items) => Table(items);

        private static EngineMapStrings Table(IEnumerable items)
        {
            var table = new EngineMapStrings();
            foreach (var raw in items)
            {
                object? item = raw is PSObject p ? p.BaseObject : raw;
                if (item is IDictionary dictionary)
                {
                    foreach (DictionaryEntry e in dictionary)
                    {
                        if (table.ContainsKey(e.Key))
                        {
                            table.Repeated ??= e.Key as string ?? "(not a string)";
                        }

                        table[e.Key] = e.Value;
                    }

                    continue;
                }

                string text = item as string ?? string.Empty;
                int equals = text.IndexOf('=');
                int scheme = text.IndexOf("://", StringComparison.Ordinal);
                if (scheme >= 0 && scheme < equals)
                {
                    equals = -1; // an engine address without its platform (whose password holds '='): all of it is the key
                }

                string key = equals < 0 ? text : text.Substring(0, equals);
                key = key.Length == 0 ? "(empty)" : key;
                if (table.ContainsKey(key))
                {
                    table.Repeated ??= key; // refused by the cmdlet, which says so with its own error
                }

                table[key] = equals < 0 ? null : text.Substring(equals + 1);
            }

            return table;
        }
    }

    /// <summary>-Engine given as strings: the table, and the first platform named twice (a hashtable cannot hold it twice).</summary>
    internal sealed class EngineMapStrings : Hashtable
    {
        public EngineMapStrings()
            : base(StringComparer.OrdinalIgnoreCase)
        {
        }

        /// <summary>The first key given twice, or null.</summary>
        public string? Repeated { get; set; }
    }
}
