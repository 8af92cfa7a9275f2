using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using YamlDotNet.RepresentationModel;

namespace PythonImages.Tests.Dockerfiles
{
    /// <summary>image-facts.yaml read with YamlDotNet into plain values: maps, lists, strings and nulls.</summary>
    public static class Facts
    {
        private static readonly Lazy<IReadOnlyList<Fact>> Entries = new Lazy<IReadOnlyList<Fact>>(Load);

        public static IReadOnlyList<Fact> All => Entries.Value;

        public static IEnumerable<object[]> Cases => All.Select(f => new object[] { f.Path });

        public static Fact For(string dockerfilePath) => All.Single(f => f.Path == dockerfilePath);

        private static IReadOnlyList<Fact> Load()
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "fixtures", "image-facts.yaml")))
            {
                yaml.Load(reader);
            }

            var root = (Dictionary<string, object?>)Convert(yaml.Documents[0].RootNode)!;
            return ((List<object?>)root["entries"]!).Select(e => new Fact((Dictionary<string, object?>)e!)).ToList();
        }

        private static object? Convert(YamlNode node) => node switch
        {
            YamlMappingNode map => map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => Convert(kv.Value), StringComparer.Ordinal),
            YamlSequenceNode seq => seq.Children.Select(Convert).ToList(),
            YamlScalarNode scalar => scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value == "null" ? null : scalar.Value,
            _ => throw new InvalidDataException("unexpected YAML node " + node.NodeType),
        };
    }

    /// <summary>One entry of image-facts.yaml.</summary>
    public sealed class Fact
    {
        public Fact(Dictionary<string, object?> map) => Map = map;

        public Dictionary<string, object?> Map { get; }

        public string Path => Str("dockerfile_path")!;

        public string? Str(string dotted) => (string?)Get(dotted);

        public bool Bool(string dotted) => Str(dotted) == "true";

        public IReadOnlyList<string> List(string dotted) => ((List<object?>?)Get(dotted) ?? new List<object?>()).Select(x => (string)x!).ToList();

        public Dictionary<string, object?>? MapAt(string dotted) => (Dictionary<string, object?>?)Get(dotted);

        public object? Get(string dotted)
        {
            object? current = Map;
            foreach (var part in dotted.Split('.'))
            {
                if (current is not Dictionary<string, object?> map || !map.TryGetValue(part, out current))
                {
                    throw new KeyNotFoundException($"{Path}: no fact '{dotted}'");
                }
            }

            return current;
        }

        public bool Has(string key) => Map.ContainsKey(key);

        public override string ToString() => Path;
    }
}
