using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>Checks of engine parameters (grammars, name/value tables): a terminating error for the first unusable value.</summary>
    internal static class ParameterChecks
    {
        /// <summary>A terminating <paramref name="errorId"/> error when <paramref name="value"/> is not in <paramref name="grammar"/>.</summary>
        public static void Require(PSCmdlet cmdlet, Grammar grammar, string value, string errorId, string parameter, string action)
        {
            string? why = grammar.Why(value);
            if (why != null)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(
                    new InputRejectedException(errorId, grammar, $"{parameter} '{InputGrammar.Show(value)}'", why),
                    errorId,
                    value,
                    action));
            }
        }

        /// <summary>
        /// -BuildArg / -Label: names in their grammar, values without control characters. Build argument values can be
        /// secrets (a proxy with a password): they never appear in a message or a target object.
        /// </summary>
        public static void ReadTable(PSCmdlet cmdlet, Hashtable? table, IDictionary<string, string> into, Grammar names, string errorId, string parameter, bool secretValues)
        {
            if (table == null)
            {
                return;
            }

            foreach (DictionaryEntry e in table)
            {
                object? rawKey = e.Key is PSObject pk ? pk.BaseObject : e.Key;
                string key = rawKey as string ?? LanguagePrimitives.ConvertTo<string>(rawKey) ?? string.Empty;
                string? why = names.Why(key);
                if (why != null)
                {
                    cmdlet.ThrowTerminatingError(Errors.Create(
                        new InputRejectedException(errorId, names, $"The {parameter} name '{InputGrammar.Show(key)}'", why),
                        errorId,
                        InputGrammar.Show(key),
                        $"Use {names.Name}s such as " + (parameter == "-BuildArg" ? "HTTP_PROXY or PYTHON_VERSION" : "org.opencontainers.image.revision") + "."));
                }

                object? rawValue = e.Value is PSObject pv ? pv.BaseObject : e.Value;
                string value = rawValue == null ? string.Empty : LanguagePrimitives.ConvertTo<string>(rawValue) ?? string.Empty;
                string? whyValue = EngineGrammar.WhyNotFreeText(value);
                if (whyValue != null)
                {
                    cmdlet.ThrowTerminatingError(Errors.Create(
                        new ArgumentException($"The {parameter} value of '{key}' is not accepted: {whyValue}." + (secretValues ? " (The value itself is not shown.)" : string.Empty)),
                        errorId,
                        key,
                        "Pass values without control characters (line breaks, NUL, escapes)."));
                }

                into[key] = value;
            }
        }
    }
}
