using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PythonImages.Commands
{
    /// <summary>Offline completers over the loaded matrix (the -MatrixPath already typed on the line, or the embedded one).</summary>
    public abstract class MatrixCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IReadOnlyList<PythonImage> images;
            try
            {
                string? path = fakeBoundParameters != null && fakeBoundParameters.Contains("MatrixPath") ? fakeBoundParameters["MatrixPath"] as string : null;
                images = MatrixCache.Get(path == null ? null : ResolvePath(path)).Images;
            }
            catch (Exception ex) when (ex is MatrixException || ex is ArgumentException || ex is NotSupportedException || ex is System.IO.IOException || ex is UnauthorizedAccessException || ex is System.Security.SecurityException)
            {
                yield break; // a completer never throws at the prompt (a bad, special or oversized matrix file offers nothing)
            }

            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            foreach (var value in Values(images).Distinct(StringComparer.Ordinal))
            {
                if (pattern.IsMatch(value))
                {
                    string text = value.IndexOfAny(NeedsQuotes) >= 0 ? "'" + value.Replace("'", "''") + "'" : value;
                    yield return new CompletionResult(text, value, CompletionResultType.ParameterValue, value);
                }
            }
        }

        private static readonly char[] NeedsQuotes = { ' ', '\t', '\'', '"', '$', '`', ';', ',', '(', ')', '{', '}', '[', ']', '|', '&', '<', '>', '@', '#', '*', '?' };

        /// <summary>The values offered for completion.</summary>
        protected abstract IEnumerable<string> Values(IReadOnlyList<PythonImage> images);

        /// <summary>Resolves a path typed on the command line against the session's current location (as the cmdlet will).</summary>
        private static string ResolvePath(string path)
        {
            if (System.IO.Path.IsPathRooted(path))
            {
                return path;
            }

            try
            {
                using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
                var result = ps.AddScript("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)").AddArgument(path).Invoke();
                if (result.Count == 1 && result[0]?.BaseObject is string resolved)
                {
                    return resolved;
                }
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                // No usable session (a completer called outside a runspace): fall back to the process directory.
            }

            return System.IO.Path.GetFullPath(path);
        }
    }

    /// <summary>Completes the tags of the matrix (Get-PythonTag -Name).</summary>
    public sealed class TagCompleter : MatrixCompleter
    {
        /// <inheritdoc/>
        protected override IEnumerable<string> Values(IReadOnlyList<PythonImage> images) => images.SelectMany(i => i.Tags.Concat(i.SharedTags));
    }

    /// <summary>Completes version keys and versions (-Version).</summary>
    public sealed class VersionCompleter : MatrixCompleter
    {
        /// <inheritdoc/>
        protected override IEnumerable<string> Values(IReadOnlyList<PythonImage> images) => images.SelectMany(i => new[] { i.VersionKey, i.Version });
    }

    /// <summary>Completes variants (-Variant).</summary>
    public sealed class VariantCompleter : MatrixCompleter
    {
        /// <inheritdoc/>
        protected override IEnumerable<string> Values(IReadOnlyList<PythonImage> images) => images.Select(i => i.Variant);
    }

    /// <summary>Completes the names of the image tests (Test-PythonImage -Test), from the test catalogue.</summary>
    public sealed class ImageTestCompleter : IArgumentCompleter
    {
        /// <inheritdoc/>
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            foreach (var name in ImageTests.PythonImageTests.Names)
            {
                if (name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                {
                    yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, name);
                }
            }
        }
    }
}
