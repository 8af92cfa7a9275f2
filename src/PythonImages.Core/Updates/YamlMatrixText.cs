using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace PythonImages.Updates
{
    /// <summary>
    /// Edits a YAML matrix by the parser's positions: a changed value replaces exactly its scalar (keeping its quoting),
    /// added or removed entries, list items and version blocks are whole lines in the style of their neighbours.
    /// Comments, key order, blank lines and everything not touched stay byte for byte.
    /// </summary>
    internal sealed class YamlMatrixText : MatrixText
    {
        private readonly string newline;

        internal YamlMatrixText(string text, string source)
            : base(text, source)
        {
            newline = text.Contains("\r\n") ? "\r\n" : "\n";
        }

        public override bool IsJson => false;

        public override string Apply(IReadOnlyList<KeyEntry> set, IReadOnlyCollection<string> remove)
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(Text));
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            var versions = root.Children.TryGetValue(new YamlScalarNode("versions"), out var v) && v is YamlMappingNode vm ? vm : root;
            if (versions.Style == MappingStyle.Flow)
            {
                throw new InvalidOperationException("the 'versions' map is written in flow style ({ ... }); write it in block style to let the updater edit it");
            }

            var edits = new Edits(Text);
            var entries = versions.Children.Select(kv => (Key: (YamlScalarNode)kv.Key, Value: kv.Value)).ToList();

            foreach (string key in remove)
            {
                var e = entries.First(x => x.Key.Value == key);
                edits.Remove(LineStart(e.Key.Start.Index), LineEndAfter(ContentEnd(e.Value)));
            }

            var style = new BlockStyle(this, entries);
            foreach (var entry in set)
            {
                var existing = entries.FirstOrDefault(x => x.Key.Value == entry.Key);
                if (existing.Key != null)
                {
                    EditEntry(edits, (YamlMappingNode)existing.Value, entry, style);
                }
                else
                {
                    var remaining = entries.Where(x => !remove.Contains(x.Key.Value!)).ToList();
                    InsertBlock(edits, remaining, entry, style);
                }
            }

            return edits.Apply();
        }

        // ---- one existing version entry -------------------------------------------------------------------------------

        private void EditEntry(Edits edits, YamlMappingNode map, KeyEntry entry, BlockStyle style)
        {
            var version = Child(map, "version")!.Value;
            ReplaceScalar(edits, (YamlScalarNode)version.Value, entry.Version);

            // checksums
            var checksums = Child(map, "checksums");
            bool wantChecksums = entry.SourceSha256 != null || entry.WindowsSha256 != null;
            if (checksums == null && wantChecksums)
            {
                // a flow-style entry ({version: ..., variants: [...]}) gets a flow-style value: a block one cannot stand there
                string value = map.Style == MappingStyle.Flow ? BlockStyle.FlowChecksumsValue(entry) : style.ChecksumsValue(entry, MapIndent(map));
                InsertEntryAfter(edits, map, version.Value, "checksums", value, 1);
            }
            else if (checksums != null && !wantChecksums)
            {
                RemoveEntry(edits, map, checksums.Value.Key);
            }
            else if (checksums != null)
            {
                var cmap = (YamlMappingNode)checksums.Value.Value;
                EditChecksumType(edits, cmap, "source", entry.SourceSha256, map);
                EditChecksumType(edits, cmap, "windows", entry.WindowsSha256, map);
            }

            // setuptools
            var setuptools = Child(map, "setuptools");
            if (setuptools == null && entry.SetuptoolsVersion != null)
            {
                var after = checksums != null ? checksums.Value.Value : version.Value;
                InsertEntryAfter(edits, map, after, "setuptools", "{version: " + entry.SetuptoolsVersion + "}", 2);
            }
            else if (setuptools != null && entry.SetuptoolsVersion == null)
            {
                RemoveEntry(edits, map, setuptools.Value.Key);
            }
            else if (setuptools != null)
            {
                var smap = (YamlMappingNode)setuptools.Value.Value;
                var sv = Child(smap, "version")!.Value;
                ReplaceScalar(edits, (YamlScalarNode)sv.Value, entry.SetuptoolsVersion!);
            }

            // variants
            var variants = (YamlSequenceNode)Child(map, "variants")!.Value.Value;
            EditVariants(edits, variants, entry.Variants);
        }

        private void EditChecksumType(Edits edits, YamlMappingNode cmap, string type, string? sha256, YamlMappingNode versionMap)
        {
            var node = Child(cmap, type);
            if (node == null && sha256 == null)
            {
                return;
            }

            if (node == null)
            {
                var sibling = cmap.Children.Last();
                string value = sibling.Value is YamlMappingNode sm && sm.Style != MappingStyle.Flow
                    ? newline + new string(' ', Column(sm.Children.First().Key)) + "sha256: " + sha256
                    : "{sha256: " + sha256 + "}";
                if (cmap.Style == MappingStyle.Flow)
                {
                    edits.Insert(ContentEnd(sibling.Value), ", " + type + ": " + value, 3);
                }
                else
                {
                    var after = type == "windows" ? sibling : cmap.Children.First();
                    InsertLineAfter(edits, ContentEnd(after.Value), new string(' ', Column(after.Key)) + type + ":" + (value.StartsWith(newline, StringComparison.Ordinal) ? value : " " + value), type == "windows" ? 4 : 3);
                }

                return;
            }

            if (sha256 == null)
            {
                if (cmap.Children.Count == 1)
                {
                    // the last checksum of the map goes: the whole 'checksums' entry goes
                    RemoveEntry(edits, versionMap, versionMap.Children.First(kv => ((YamlScalarNode)kv.Key).Value == "checksums").Key);
                }
                else
                {
                    RemoveEntry(edits, cmap, node.Value.Key);
                }

                return;
            }

            if (node.Value.Value is YamlMappingNode tmap && tmap.Children.Count == 1 && Child(tmap, "sha256") is { } sha)
            {
                ReplaceScalar(edits, (YamlScalarNode)sha.Value, sha256);
            }
            else
            {
                // other SBOM algorithms beside sha256 would be stale: the whole value becomes {sha256: ...}
                edits.Replace(node.Value.Value.Start.Index, ContentEnd(node.Value.Value), "{sha256: " + sha256 + "}");
            }
        }

        private void EditVariants(Edits edits, YamlSequenceNode seq, IReadOnlyList<string> wanted)
        {
            var items = seq.Children.Cast<YamlScalarNode>().ToList();
            var current = items.Select(i => i.Value!).ToList();
            if (current.SequenceEqual(wanted, StringComparer.Ordinal))
            {
                return;
            }

            if (seq.Style == SequenceStyle.Flow)
            {
                edits.Replace(seq.Start.Index, FlowEnd((int)seq.Start.Index), "[" + string.Join(", ", wanted) + "]");
                return;
            }

            string prefix = Text.Substring(LineStart(items[0].Start.Index), (int)items[0].Start.Index - LineStart(items[0].Start.Index));
            var kept = current.Where(c => wanted.Contains(c, StringComparer.Ordinal)).ToList();
            bool removalsAndAppends = kept.SequenceEqual(wanted.Take(kept.Count), StringComparer.Ordinal);
            if (removalsAndAppends && kept.Count > 0)
            {
                foreach (var item in items.Where(i => !wanted.Contains(i.Value!, StringComparer.Ordinal)))
                {
                    edits.Remove(LineStart(item.Start.Index), LineEndAfter(item.End.Index));
                }

                var lastKept = items.Last(i => wanted.Contains(i.Value!, StringComparer.Ordinal));
                foreach (string add in wanted.Skip(kept.Count))
                {
                    InsertLineAfter(edits, (int)lastKept.End.Index, prefix + add, 5);
                }

                return;
            }

            // any other change: the items are written anew in place of the old ones
            edits.Remove(LineStart(items[0].Start.Index), LineEndAfter(items[items.Count - 1].End.Index));
            edits.Insert(LineStart(items[0].Start.Index), string.Concat(wanted.Select(w => prefix + w + newline)), 5);
        }

        // ---- a new version block ----------------------------------------------------------------------------------------

        private void InsertBlock(Edits edits, List<(YamlScalarNode Key, YamlNode Value)> remaining, KeyEntry entry, BlockStyle style)
        {
            var keys = remaining.Select(r => VersionKey.Parse(r.Key.Value!)).ToList();
            var newKey = VersionKey.Parse(entry.Key);
            bool descending = keys.Count < 2 || keys.Zip(keys.Skip(1), (a, b) => a.CompareTo(b) > 0).All(x => x);
            bool ascending = keys.Count >= 2 && keys.Zip(keys.Skip(1), (a, b) => a.CompareTo(b) < 0).All(x => x);
            string block = style.Block(entry);

            int index;
            if (remaining.Count == 0)
            {
                throw new InvalidOperationException("no version block is left to place the new one beside");
            }
            else if (descending || ascending)
            {
                // after the last block that sorts before it in the file's order; before the first block otherwise
                int last = -1;
                for (int i = 0; i < keys.Count; i++)
                {
                    if (descending ? keys[i].CompareTo(newKey) > 0 : keys[i].CompareTo(newKey) < 0)
                    {
                        last = i;
                    }
                }

                if (last < 0)
                {
                    edits.Insert(LineStart(remaining[0].Key.Start.Index), block, 10);
                    return;
                }

                index = last;
            }
            else
            {
                index = remaining.Count - 1;
            }

            int end = ContentEnd(remaining[index].Value);
            int at = LineEndAfter(end);
            edits.Insert(at, (at == Text.Length && !Text.EndsWith("\n", StringComparison.Ordinal) ? newline : string.Empty) + block, 10);
        }

        /// <summary>How the file writes its version blocks, learnt from the existing ones.</summary>
        private sealed class BlockStyle
        {
            private readonly YamlMatrixText owner;
            private readonly int keyColumn;
            private readonly int step;
            private readonly ScalarStyle keyStyle;
            private readonly int dashOffset;
            private readonly bool flowVariants;

            public BlockStyle(YamlMatrixText owner, List<(YamlScalarNode Key, YamlNode Value)> entries)
            {
                this.owner = owner;
                var first = entries.FirstOrDefault();
                keyColumn = first.Key == null ? 2 : owner.Column(first.Key);
                keyStyle = first.Key?.Style ?? ScalarStyle.SingleQuoted;
                step = 2;
                dashOffset = 2;
                var map = entries.Select(e => e.Value).OfType<YamlMappingNode>().FirstOrDefault(m => m.Style != MappingStyle.Flow);
                if (map != null)
                {
                    step = Math.Max(1, owner.Column(map.Children.First().Key) - keyColumn);
                    var variants = Child(map, "variants");
                    if (variants?.Value is YamlSequenceNode seq && seq.Children.Count > 0)
                    {
                        flowVariants = seq.Style == SequenceStyle.Flow;
                        int dash = owner.Text.LastIndexOf('-', (int)seq.Children[0].Start.Index);
                        dashOffset = dash - owner.LineStart(dash) - owner.Column(variants.Value.Key);
                    }
                }
            }

            public string ChecksumsValue(KeyEntry e, int mapIndent)
            {
                string nl = owner.newline;
                string pad = new string(' ', mapIndent + step);
                var sb = new StringBuilder();
                if (e.SourceSha256 != null) sb.Append(nl).Append(pad).Append("source: {sha256: ").Append(e.SourceSha256).Append('}');
                if (e.WindowsSha256 != null) sb.Append(nl).Append(pad).Append("windows: {sha256: ").Append(e.WindowsSha256).Append('}');
                return sb.ToString();
            }

            public static string FlowChecksumsValue(KeyEntry e)
            {
                var parts = new List<string>();
                if (e.SourceSha256 != null) parts.Add("source: {sha256: " + e.SourceSha256 + "}");
                if (e.WindowsSha256 != null) parts.Add("windows: {sha256: " + e.WindowsSha256 + "}");
                return "{" + string.Join(", ", parts) + "}";
            }

            public string Block(KeyEntry e)
            {
                string nl = owner.newline;
                string indent = new string(' ', keyColumn);
                string child = new string(' ', keyColumn + step);
                var sb = new StringBuilder();
                sb.Append(indent).Append(Quote(e.Key)).Append(':').Append(nl);
                sb.Append(child).Append("version: ").Append(e.Version).Append(nl);
                if (e.SourceSha256 != null || e.WindowsSha256 != null)
                {
                    sb.Append(child).Append("checksums:").Append(ChecksumsValue(e, keyColumn + step)).Append(nl);
                }

                if (e.SetuptoolsVersion != null)
                {
                    sb.Append(child).Append("setuptools: {version: ").Append(e.SetuptoolsVersion).Append('}').Append(nl);
                }

                if (flowVariants)
                {
                    sb.Append(child).Append("variants: [").Append(string.Join(", ", e.Variants)).Append(']').Append(nl);
                }
                else
                {
                    sb.Append(child).Append("variants:").Append(nl);
                    string dash = new string(' ', Math.Max(0, keyColumn + step + dashOffset));
                    foreach (string v in e.Variants)
                    {
                        sb.Append(dash).Append("- ").Append(v).Append(nl);
                    }
                }

                return sb.ToString();
            }

            private string Quote(string key) => keyStyle switch
            {
                ScalarStyle.DoubleQuoted => "\"" + key + "\"",
                ScalarStyle.Plain => key,
                _ => "'" + key + "'",
            };
        }

        // ---- primitive edits -------------------------------------------------------------------------------------------

        private static void ReplaceScalar(Edits edits, YamlScalarNode node, string value)
        {
            if (node.Value == value)
            {
                return;
            }

            string text = node.Style switch
            {
                ScalarStyle.SingleQuoted => "'" + value + "'",
                ScalarStyle.DoubleQuoted => "\"" + value + "\"",
                ScalarStyle.Plain => value,
                _ => throw new InvalidOperationException($"the value at line {node.Start.Line} is a block scalar; write it as a plain or quoted value"),
            };
            edits.Replace(node.Start.Index, node.End.Index, text);
        }

        /// <summary>Inserts "key: value" as an entry of <paramref name="map"/> right after the entry whose value is <paramref name="after"/>.</summary>
        private void InsertEntryAfter(Edits edits, YamlMappingNode map, YamlNode after, string key, string value, int order)
        {
            if (map.Style == MappingStyle.Flow)
            {
                edits.Insert(ContentEnd(after), ", " + key + ": " + value.Trim(), order);
                return;
            }

            InsertLineAfter(edits, ContentEnd(after), new string(' ', MapIndent(map)) + key + ":" + (value.StartsWith(newline, StringComparison.Ordinal) ? value : " " + value), order);
        }

        private void RemoveEntry(Edits edits, YamlMappingNode map, YamlNode key)
        {
            var value = map.Children[key];
            if (map.Style == MappingStyle.Flow)
            {
                int i = map.Children.Keys.ToList().IndexOf(key);
                if (i > 0)
                {
                    int prevEnd = ContentEnd(map.Children.Values.ElementAt(i - 1));
                    edits.Remove(prevEnd, ContentEnd(value));
                }
                else if (map.Children.Count > 1)
                {
                    edits.Remove(key.Start.Index, map.Children.Keys.ElementAt(1).Start.Index);
                }
                else
                {
                    edits.Remove(key.Start.Index, ContentEnd(value));
                }

                return;
            }

            edits.Remove(LineStart(key.Start.Index), LineEndAfter(ContentEnd(value)));
        }

        /// <summary>A new line after the line on which <paramref name="index"/> (an exclusive end) lies.</summary>
        private void InsertLineAfter(Edits edits, long index, string line, int order)
        {
            int at = LineEndAfter(index);
            bool needNewline = at == Text.Length && !Text.EndsWith("\n", StringComparison.Ordinal);
            edits.Insert(at, (needNewline ? newline : string.Empty) + line + (needNewline ? string.Empty : newline), order);
        }

        private int MapIndent(YamlMappingNode map) => Column(map.Children.First().Key);

        /// <summary>0-based column of a node.</summary>
        private int Column(YamlNode node) => (int)node.Start.Index - LineStart((int)node.Start.Index);

        private static KeyValuePair<YamlNode, YamlNode>? Child(YamlMappingNode map, string name)
        {
            foreach (var kv in map.Children)
            {
                if (kv.Key is YamlScalarNode s && s.Value == name)
                {
                    return kv;
                }
            }

            return null;
        }

        /// <summary>Where the node's own text ends (a block collection's end mark lies at the next token, past comments;
        /// a flow collection ends at its closing bracket, which the parser's marks do not always say).</summary>
        private int ContentEnd(YamlNode node) => node switch
        {
            YamlScalarNode s => (int)s.End.Index,
            YamlSequenceNode q when q.Style == SequenceStyle.Flow => FlowEnd((int)q.Start.Index),
            YamlMappingNode m when m.Style == MappingStyle.Flow => FlowEnd((int)m.Start.Index),
            YamlSequenceNode q when q.Children.Count > 0 => ContentEnd(q.Children[q.Children.Count - 1]),
            YamlMappingNode m when m.Children.Count > 0 => ContentEnd(m.Children.Last().Value),
            _ => (int)node.End.Index,
        };

        /// <summary>The index just past the bracket that closes the flow collection opening at <paramref name="start"/>.</summary>
        private int FlowEnd(int start)
        {
            int depth = 0;
            for (int i = start; i < Text.Length; i++)
            {
                char c = Text[i];
                if (c == '\'' || c == '"')
                {
                    int close = Text.IndexOf(c, i + 1);
                    while (c == '"' && close > 0 && Text[close - 1] == '\\')
                    {
                        close = Text.IndexOf(c, close + 1);
                    }

                    if (close < 0)
                    {
                        break;
                    }

                    i = close;
                }
                else if (c == '[' || c == '{')
                {
                    depth++;
                }
                else if (c == ']' || c == '}')
                {
                    if (--depth == 0)
                    {
                        return i + 1;
                    }
                }
                else if (c == '#' && i > 0 && char.IsWhiteSpace(Text[i - 1]))
                {
                    int nl = Text.IndexOf('\n', i);
                    i = nl < 0 ? Text.Length : nl;
                }
            }

            throw new InvalidOperationException($"the flow collection at offset {start} is not closed");
        }

        private int LineStart(long index)
        {
            int i = (int)Math.Min(index, Text.Length);
            while (i > 0 && Text[i - 1] != '\n')
            {
                i--;
            }

            return i;
        }

        /// <summary>The start of the line after the one holding the character before <paramref name="end"/> (keeps a trailing comment with its line).</summary>
        private int LineEndAfter(long end)
        {
            int nl = Text.IndexOf('\n', (int)Math.Max(0, end - 1));
            return nl < 0 ? Text.Length : nl + 1;
        }

        private sealed class Edits
        {
            private readonly string text;
            private readonly List<(int Start, int End, string Text, int Order, int Seq)> list = new List<(int, int, string, int, int)>();

            public Edits(string text) => this.text = text;

            public void Replace(long start, long end, string replacement) => list.Add(((int)start, (int)end, replacement, 0, list.Count));

            public void Remove(long start, long end) => list.Add(((int)start, (int)end, string.Empty, 0, list.Count));

            public void Insert(long at, string insertion, int order) => list.Add(((int)at, (int)at, insertion, order, list.Count));

            public string Apply()
            {
                var ranges = list.Where(e => e.End > e.Start).OrderBy(e => e.Start).ToList();
                for (int i = 1; i < ranges.Count; i++)
                {
                    if (ranges[i].Start < ranges[i - 1].End)
                    {
                        throw new InvalidOperationException($"two edits overlap at offset {ranges[i].Start}");
                    }
                }

                foreach (var ins in list.Where(e => e.End == e.Start))
                {
                    if (ranges.Any(r => ins.Start > r.Start && ins.Start < r.End))
                    {
                        throw new InvalidOperationException($"an insertion falls inside a removed range at offset {ins.Start}");
                    }
                }

                var sb = new StringBuilder(text);
                // From the end backwards; at the same offset removals first, then insertions so that the one made
                // first (lower order, then earlier) ends up first.
                foreach (var e in list.OrderByDescending(e => e.Start).ThenByDescending(e => e.End - e.Start).ThenByDescending(e => e.Order).ThenByDescending(e => e.Seq))
                {
                    sb.Remove(e.Start, e.End - e.Start);
                    sb.Insert(e.Start, e.Text);
                }

                return sb.ToString();
            }
        }
    }
}
