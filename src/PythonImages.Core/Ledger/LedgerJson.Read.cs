using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using PythonImages.Security;

namespace PythonImages.Ledger
{
    /// <content>Reading one entry: every key known, every value checked against its grammar.</content>
    public static partial class LedgerJson
    {
        private static LedgerEntry ReadEntry(JsonElement element, string source, string where)
        {
            var o = Object(element, source, where, EntryKeys);
            var entry = new LedgerEntry
            {
                Image = Checked(o, "image", LedgerGrammar.ImageKey, source, where),
                Platform = Checked(o, "platform", EngineGrammar.Platform, source, where),
                DockerfileSha256 = Checked(o, "dockerfileSha256", InputGrammar.Sha256, source, where).ToLowerInvariant(),
                ContextDigest = Checked(o, "contextDigest", LedgerGrammar.Digest, source, where),
                BaseImage = Optional(o, "baseImage", source, where, v => Reference(v, allowDigest: true)),
                BaseImageId = Optional(o, "baseImageId", source, where, LedgerGrammar.Digest.Why),
                BaseImageDigest = Optional(o, "baseImageDigest", source, where, LedgerGrammar.Digest.Why),
                ImageId = Checked(o, "imageId", LedgerGrammar.Digest, source, where),
                Created = Created(o, source, where),
            };
            foreach (var kv in Map(o, "buildArgs", source, where, EngineGrammar.BuildArgName.Why, LedgerGrammar.BuildArgDigest.Why))
            {
                entry.BuildArgs[kv.Key] = kv.Value;
            }

            foreach (var tag in List(o, "tags", source, where, v => Reference(v, allowDigest: false)))
            {
                entry.Tags.Add(tag);
            }

            foreach (var tag in List(o, "sharedTags", source, where, InputGrammar.DockerTag.Why))
            {
                entry.SharedTags.Add(tag);
            }

            foreach (var kv in Map(o, "pushed", source, where, v => Reference(v, allowDigest: false), LedgerGrammar.Digest.Why))
            {
                entry.Pushed[kv.Key] = kv.Value;
            }

            return entry;
        }

        /// <summary>Why <paramref name="value"/> is not an image reference with a tag (or, when allowed, a digest); null when it is one.</summary>
        private static string? Reference(string value, bool allowDigest)
        {
            if (!ImageReference.TryParse(value, out var reference, out string? why))
            {
                return why ?? "it is not an image reference";
            }

            if (reference!.Digest != null && !allowDigest)
            {
                return "a tag reference cannot carry a digest";
            }

            return reference.Tag == null && reference.Digest == null && !allowDigest ? "it has no tag" : null;
        }

        private static Dictionary<string, JsonElement> Object(JsonElement element, string source, string where, string[] known)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(source, $"{where} is not an object");
            }

            var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in element.EnumerateObject())
            {
                if (System.Array.IndexOf(known, p.Name) < 0)
                {
                    throw Invalid(source, $"{where} has the unknown key '{InputGrammar.Show(p.Name)}'");
                }

                if (result.ContainsKey(p.Name))
                {
                    throw Invalid(source, $"{where} has the key '{p.Name}' twice");
                }

                result.Add(p.Name, p.Value);
            }

            return result;
        }

        private static string Text(Dictionary<string, JsonElement> o, string key, string source, string where)
        {
            if (!o.TryGetValue(key, out var value) || value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(source, $"{where} has no text '{key}'");
            }

            return value.GetString()!;
        }

        private static string Checked(Dictionary<string, JsonElement> o, string key, Grammar grammar, string source, string where)
        {
            string value = Text(o, key, source, where);
            string? why = grammar.Why(value);
            return why == null ? value : throw Invalid(source, $"{where}.{key} '{InputGrammar.Show(value)}' is not accepted: {why}");
        }

        private static string? Optional(Dictionary<string, JsonElement> o, string key, string source, string where, Func<string, string?> why)
        {
            if (!o.TryGetValue(key, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            string text = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Invalid(source, $"{where}.{key} is neither text nor null");
            string? problem = InputGrammar.FirstNonPrintable(text) >= 0 ? "it holds a character outside printable ASCII" : why(text);
            return problem == null ? text : throw Invalid(source, $"{where}.{key} '{InputGrammar.Show(text)}' is not accepted: {problem}");
        }

        private static List<JsonElement> Array(Dictionary<string, JsonElement> o, string key, string source, string where, int max)
        {
            if (!o.TryGetValue(key, out var value) || value.ValueKind != JsonValueKind.Array)
            {
                throw Invalid(source, $"{where} has no list '{key}'");
            }

            var items = new List<JsonElement>();
            foreach (var item in value.EnumerateArray())
            {
                items.Add(items.Count < max ? item : throw Invalid(source, $"{where}.{key} has more than {max} items"));
            }

            return items;
        }

        private static List<string> List(Dictionary<string, JsonElement> o, string key, string source, string where, Func<string, string?> why)
        {
            var result = new List<string>();
            foreach (var item in Array(o, key, source, where, MaxItems))
            {
                string text = item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Invalid(source, $"{where}.{key} holds something that is not text");
                string? problem = InputGrammar.FirstNonPrintable(text) >= 0 ? "it holds a character outside printable ASCII" : why(text);
                result.Add(problem == null ? text : throw Invalid(source, $"{where}.{key} '{InputGrammar.Show(text)}' is not accepted: {problem}"));
            }

            return result;
        }

        private static List<KeyValuePair<string, string>> Map(Dictionary<string, JsonElement> o, string key, string source, string where, Func<string, string?> whyKey, Func<string, string?> whyValue)
        {
            if (!o.TryGetValue(key, out var value) || value.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(source, $"{where} has no map '{key}'");
            }

            var result = new List<KeyValuePair<string, string>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in value.EnumerateObject())
            {
                string? problem = InputGrammar.FirstNonPrintable(p.Name) >= 0 ? "it holds a character outside printable ASCII" : whyKey(p.Name);
                string text = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : string.Empty;
                problem ??= !seen.Add(p.Name) ? "it appears twice" : result.Count >= MaxItems ? $"there are more than {MaxItems}" : whyValue(text);
                if (problem != null)
                {
                    throw Invalid(source, $"{where}.{key} '{InputGrammar.Show(p.Name)}' is not accepted: {problem}");
                }

                result.Add(new KeyValuePair<string, string>(p.Name, text));
            }

            return result;
        }

        private static DateTime Created(Dictionary<string, JsonElement> o, string source, string where)
        {
            string text = Text(o, "created", source, where);
            if (text.Length > 40 || !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created))
            {
                throw Invalid(source, $"{where}.created '{InputGrammar.Show(text)}' is not a date and time (ISO 8601)");
            }

            return created;
        }
    }
}
