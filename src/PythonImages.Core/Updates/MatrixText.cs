using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages.Updates
{
    /// <summary>The wanted content of one version key after the update.</summary>
    internal sealed class KeyEntry
    {
        public KeyEntry(string key, string version, IReadOnlyList<string> variants)
        {
            Key = key;
            Version = version;
            Variants = variants;
        }

        public string Key { get; }
        public string Version { get; }
        public IReadOnlyList<string> Variants { get; }
        public string? SourceSha256 { get; set; }
        public string? WindowsSha256 { get; set; }
        public string? SetuptoolsVersion { get; set; }

        /// <summary>The entry as a matrix version (for comparison with what a reader of the new text sees).</summary>
        internal bool SameAs(MatrixVersion v) =>
            v.Version.Text == Version
            && v.SourceSha256 == SourceSha256
            && v.WindowsSha256 == WindowsSha256
            && v.SetuptoolsVersion == SetuptoolsVersion
            && v.Variants.Select(x => x.Path).SequenceEqual(Variants, StringComparer.Ordinal);
    }

    /// <summary>
    /// A matrix file as text, edited in place: a YAML matrix by the parser's positions (only changed scalars and
    /// added or removed blocks change), an upstream versions.json rewritten as upstream writes it (jq -S).
    /// </summary>
    internal abstract class MatrixText
    {
        protected MatrixText(string text, string source)
        {
            Text = text;
            Source = source;
        }

        public string Text { get; }

        public string Source { get; }

        /// <summary>True for a JSON document (written back in upstream's jq -S form).</summary>
        public abstract bool IsJson { get; }

        /// <summary>Opens matrix text: JSON when it is a JSON object, otherwise YAML.</summary>
        public static MatrixText Open(string text, string source)
        {
            string trimmed = text.TrimStart(' ', '\t', '\r', '\n', '\uFEFF');
            if (trimmed.StartsWith("{", StringComparison.Ordinal) && JsonTree.TryParse(text, out _))
            {
                return new VersionsJsonText(text, source);
            }

            return new YamlMatrixText(text, source);
        }

        /// <summary>The new text: <paramref name="set"/> entries replaced or added, <paramref name="remove"/> keys removed.</summary>
        public abstract string Apply(IReadOnlyList<KeyEntry> set, IReadOnlyCollection<string> remove);

        /// <summary>
        /// Applies the edits, then reads the result back with the matrix loader and checks that it says exactly what was
        /// asked (and that untouched keys still say what they said): an editing mistake can never reach the file.
        /// </summary>
        public string ApplyChecked(Matrix before, IReadOnlyList<KeyEntry> set, IReadOnlyCollection<string> remove)
        {
            string result;
            try
            {
                result = Apply(set, remove);
            }
            catch (UpdateException)
            {
                throw;
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is ArgumentException || ex is YamlDotNet.Core.YamlException)
            {
                throw EditFailed("the edit could not be made: " + ex.Message, ex);
            }

            Matrix after;
            try
            {
                after = MatrixLoader.Parse(result, Source, MatrixLoader.Default.Architectures);
            }
            catch (MatrixException ex)
            {
                throw EditFailed("the edited text is not a valid matrix: " + ex.Message, ex);
            }

            var expectedKeys = before.Versions.Select(v => v.Key.Text).Where(k => !remove.Contains(k))
                .Concat(set.Select(s => s.Key)).Distinct(StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal).ToList();
            var actualKeys = after.Versions.Select(v => v.Key.Text).OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (!expectedKeys.SequenceEqual(actualKeys, StringComparer.Ordinal))
            {
                throw EditFailed($"the edited file has the keys {string.Join(", ", actualKeys)} instead of {string.Join(", ", expectedKeys)}", null);
            }

            foreach (var v in after.Versions)
            {
                var wanted = set.FirstOrDefault(s => s.Key == v.Key.Text);
                if (wanted != null)
                {
                    if (!wanted.SameAs(v))
                    {
                        throw EditFailed($"key {v.Key.Text} reads back differently from what was written", null);
                    }
                }
                else
                {
                    var old = before.Find(v.Key.Text)!;
                    var unchanged = new KeyEntry(old.Key.Text, old.Version.Text, old.Variants.Select(x => x.Path).ToList())
                    {
                        SourceSha256 = old.SourceSha256,
                        WindowsSha256 = old.WindowsSha256,
                        SetuptoolsVersion = old.SetuptoolsVersion,
                    };
                    if (!unchanged.SameAs(v) || old.GpgKey != v.GpgKey || !old.ExcludeArchitectures.SequenceEqual(v.ExcludeArchitectures))
                    {
                        throw EditFailed($"key {v.Key.Text} was not to change, but reads back differently", null);
                    }
                }
            }

            return result;
        }

        internal UpdateException EditFailed(string why, Exception? inner) => new UpdateException(
            UpdateErrorIds.EditFailed,
            $"{Source}: {why}; the file was left unchanged.",
            "Report this with the matrix file attached; meanwhile edit the file by hand (the result objects of -WhatIf -PassThru list the new values).",
            Source,
            inner);
    }
}
