using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace PythonImages.Tests
{
    /// <summary>A deliberately tiny reader of the reference manifests, independent of the module's own parser,
    /// used as the oracle for the tag rules.</summary>
    internal static class ManifestOracle
    {
        public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

        public static List<Dictionary<string, string>> Entries(string fixture)
        {
            var text = File.ReadAllText(Fixture(fixture)).Replace("\r\n", "\n");
            var paragraphs = text.Split(new[] { "\n\n" }, StringSplitOptions.RemoveEmptyEntries);
            var result = new List<Dictionary<string, string>>();
            foreach (var p in paragraphs)
            {
                var fields = new Dictionary<string, string>();
                foreach (var line in p.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#') && !char.IsWhiteSpace(l[0])))
                {
                    int colon = line.IndexOf(':');
                    fields[line.Substring(0, colon)] = line.Substring(colon + 1).Trim();
                }

                if (fields.ContainsKey("Tags"))
                {
                    result.Add(fields);
                }
            }

            return result;
        }

        public static string Get(Dictionary<string, string> entry, string field) => entry.TryGetValue(field, out var v) ? v : string.Empty;
    }
}
