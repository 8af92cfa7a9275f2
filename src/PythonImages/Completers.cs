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
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IReadOnlyList<PythonImage> images;
            try
            {
                string? path = fakeBoundParameters != null && fakeBoundParameters.Contains("MatrixPath") ? fakeBoundParameters["MatrixPath"] as string : null;
                if (path != null && !System.IO.Path.IsPathRooted(path))
                {
                    path = System.IO.Path.GetFullPath(path);
                }

                images = MatrixCache.Get(path).Images;
            }
            catch (MatrixException)
            {
                yield break; // a completer never throws at the prompt
            }

            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            foreach (var value in Values(images).Distinct(StringComparer.Ordinal))
            {
                if (pattern.IsMatch(value))
                {
                    string text = value.IndexOfAny(new[] { ' ', '/', '*' }) >= 0 ? "'" + value + "'" : value;
                    yield return new CompletionResult(text, value, CompletionResultType.ParameterValue, value);
                }
            }
        }

        protected abstract IEnumerable<string> Values(IReadOnlyList<PythonImage> images);
    }

    public sealed class TagCompleter : MatrixCompleter
    {
        protected override IEnumerable<string> Values(IReadOnlyList<PythonImage> images) => images.SelectMany(i => i.Tags.Concat(i.SharedTags));
    }

    public sealed class VersionCompleter : MatrixCompleter
    {
        protected override IEnumerable<string> Values(IReadOnlyList<PythonImage> images) => images.SelectMany(i => new[] { i.VersionKey, i.Version });
    }

    public sealed class VariantCompleter : MatrixCompleter
    {
        protected override IEnumerable<string> Values(IReadOnlyList<PythonImage> images) => images.Select(i => i.Variant);
    }
}
