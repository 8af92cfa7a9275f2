using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace PythonImages.Updates
{
    /// <summary>A JSON value as a small ordered tree: objects keep their members, scalars their literal text.</summary>
    internal sealed class JsonTree
    {
        // Where each member is, by name (rebuilt after a removal): a versions.json of thousands of versions is read,
        // searched and edited in time proportional to its size, not to the square of its versions.
        private Dictionary<string, int>? index;

        private JsonTree(JsonValueKind kind)
        {
            Kind = kind;
        }

        public JsonValueKind Kind { get; }

        /// <summary>Object members in document order.</summary>
        public List<KeyValuePair<string, JsonTree>> Members { get; } = new List<KeyValuePair<string, JsonTree>>();

        public List<JsonTree> Items { get; } = new List<JsonTree>();

        /// <summary>The string value (Kind String), or the literal text of a number, true, false or null.</summary>
        public string? Scalar { get; private set; }

        public static JsonTree Object() => new JsonTree(JsonValueKind.Object);

        public static JsonTree Array(IEnumerable<JsonTree> items)
        {
            var a = new JsonTree(JsonValueKind.Array);
            a.Items.AddRange(items);
            return a;
        }

        public static JsonTree String(string value) => new JsonTree(JsonValueKind.String) { Scalar = value };

        public JsonTree? Get(string name) => Index.TryGetValue(name, out int i) ? Members[i].Value : null;

        public JsonTree Set(string name, JsonTree value)
        {
            if (Index.TryGetValue(name, out int i))
            {
                Members[i] = new KeyValuePair<string, JsonTree>(name, value);
            }
            else
            {
                Add(name, value);
            }

            return this;
        }

        public void Remove(string name) => Remove(new[] { name });

        /// <summary>Removes every member named in <paramref name="names"/> in one pass over the members.</summary>
        public void Remove(IEnumerable<string> names)
        {
            var gone = new HashSet<string>(names, StringComparer.Ordinal);
            if (Members.RemoveAll(m => gone.Contains(m.Key)) > 0)
            {
                index = null;
            }
        }

        /// <summary>Adds a member; false (and nothing added) when the object has one of that name already.</summary>
        private bool Add(string name, JsonTree value)
        {
            if (Index.ContainsKey(name))
            {
                return false;
            }

            index![name] = Members.Count;
            Members.Add(new KeyValuePair<string, JsonTree>(name, value));
            return true;
        }

        private Dictionary<string, int> Index
        {
            get
            {
                if (index == null)
                {
                    index = new Dictionary<string, int>(Members.Count, StringComparer.Ordinal);
                    for (int i = 0; i < Members.Count; i++)
                    {
                        index[Members[i].Key] = i;
                    }
                }

                return index;
            }
        }

        /// <summary>Parses strict JSON (no comments, no trailing commas, no duplicate member names).</summary>
        public static bool TryParse(string text, out JsonTree? tree)
        {
            tree = null;
            try
            {
                using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
                tree = From(doc.RootElement);
                return tree.Kind == JsonValueKind.Object;
            }
            catch (JsonException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false; // a duplicate member name
            }
        }

        private static JsonTree From(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    var o = Object();
                    foreach (var p in e.EnumerateObject())
                    {
                        if (!o.Add(p.Name, From(p.Value)))
                        {
                            throw new InvalidOperationException("duplicate member " + p.Name);
                        }
                    }

                    return o;
                case JsonValueKind.Array:
                    return Array(e.EnumerateArray().Select(From));
                case JsonValueKind.String:
                    return String(e.GetString()!);
                default:
                    return new JsonTree(e.ValueKind) { Scalar = e.GetRawText() };
            }
        }

        /// <summary>The text jq -S writes: members sorted by code point at every level, two-space indentation, one array
        /// element per line, <c>[]</c> and <c>{}</c> for empty containers, and a trailing newline.</summary>
        public string ToJqSorted()
        {
            var sb = new StringBuilder();
            Write(sb, this, 0);
            sb.Append('\n');
            return sb.ToString();
        }

        private static void Write(StringBuilder sb, JsonTree node, int depth)
        {
            switch (node.Kind)
            {
                case JsonValueKind.Object:
                    if (node.Members.Count == 0)
                    {
                        sb.Append("{}");
                        return;
                    }

                    sb.Append("{\n");
                    var sorted = node.Members.OrderBy(m => m.Key, CodePointComparer.Instance).ToList();
                    for (int i = 0; i < sorted.Count; i++)
                    {
                        Indent(sb, depth + 1);
                        WriteString(sb, sorted[i].Key);
                        sb.Append(": ");
                        Write(sb, sorted[i].Value, depth + 1);
                        sb.Append(i < sorted.Count - 1 ? ",\n" : "\n");
                    }

                    Indent(sb, depth);
                    sb.Append('}');
                    return;
                case JsonValueKind.Array:
                    if (node.Items.Count == 0)
                    {
                        sb.Append("[]");
                        return;
                    }

                    sb.Append("[\n");
                    for (int i = 0; i < node.Items.Count; i++)
                    {
                        Indent(sb, depth + 1);
                        Write(sb, node.Items[i], depth + 1);
                        sb.Append(i < node.Items.Count - 1 ? ",\n" : "\n");
                    }

                    Indent(sb, depth);
                    sb.Append(']');
                    return;
                case JsonValueKind.String:
                    WriteString(sb, node.Scalar!);
                    return;
                default:
                    sb.Append(node.Scalar);
                    return;
            }
        }

        private static void Indent(StringBuilder sb, int depth) => sb.Append(' ', depth * 2);

        /// <summary>jq's string escapes: quote, backslash, \b \f \n \r \t, other controls and DEL as \u00xx; the rest as is.</summary>
        private static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20 || c == 0x7F)
                        {
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            sb.Append('"');
        }
    }

    /// <summary>An upstream versions.json (or a JSON matrix with a 'versions' member), written back as upstream's jq -S.</summary>
    internal sealed class VersionsJsonText : MatrixText
    {
        internal VersionsJsonText(string text, string source)
            : base(text, source)
        {
        }

        public override bool IsJson => true;

        public override string Apply(IReadOnlyList<KeyEntry> set, IReadOnlyCollection<string> remove)
        {
            // Work on a fresh parse: this object can be applied more than once (-WhatIf, then the real run).
            if (!JsonTree.TryParse(Text, out var copy))
            {
                throw EditFailed("the file no longer reads as JSON", null);
            }

            var versions = copy!.Get("versions") is JsonTree v && v.Kind == JsonValueKind.Object ? v : copy;
            versions.Remove(remove);

            foreach (var entry in set)
            {
                var node = versions.Get(entry.Key) ?? JsonTree.Object();
                if (node.Kind != JsonValueKind.Object)
                {
                    node = JsonTree.Object();
                }

                // The fields upstream's updater writes; historical fields go, our own extensions (gpgKey, ...) stay.
                node.Remove("pip");
                node.Remove("get-pip");
                node.Set("version", JsonTree.String(entry.Version));
                node.Set("variants", JsonTree.Array(entry.Variants.Select(JsonTree.String)));
                if (entry.SetuptoolsVersion != null)
                {
                    node.Set("setuptools", JsonTree.Object().Set("version", JsonTree.String(entry.SetuptoolsVersion)));
                }
                else
                {
                    node.Remove("setuptools");
                }

                var checksums = JsonTree.Object();
                if (entry.SourceSha256 != null)
                {
                    checksums.Set("source", JsonTree.Object().Set("sha256", JsonTree.String(entry.SourceSha256)));
                }

                if (entry.WindowsSha256 != null)
                {
                    checksums.Set("windows", JsonTree.Object().Set("sha256", JsonTree.String(entry.WindowsSha256)));
                }

                if (checksums.Members.Count > 0)
                {
                    node.Set("checksums", checksums);
                }
                else
                {
                    node.Remove("checksums");
                }

                versions.Set(entry.Key, node);
            }

            return copy.ToJqSorted();
        }
    }

    /// <summary>
    /// Strings by Unicode code point, as jq -S sorts keys (it compares UTF-8 bytes): unlike UTF-16 ordinal order, a
    /// character above U+FFFF (a surrogate pair) sorts after U+E000..U+FFFF.
    /// </summary>
    internal sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new CodePointComparer();

        public int Compare(string? x, string? y)
        {
            if (x == null || y == null)
            {
                return x == null ? (y == null ? 0 : -1) : 1;
            }

            int n = Math.Min(x.Length, y.Length);
            for (int i = 0; i < n; i++)
            {
                if (x[i] != y[i])
                {
                    return Rank(x[i]).CompareTo(Rank(y[i]));
                }
            }

            return x.Length.CompareTo(y.Length);
        }

        // U+E000..U+FFFF move down below the surrogates, which stand for U+10000 and up
        private static int Rank(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
    }
}
