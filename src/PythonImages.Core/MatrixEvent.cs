using System;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PythonImages
{
    /// <summary>The kinds of YAML parser event the matrix reader looks at.</summary>
    internal enum MatrixEventKind : byte
    {
        /// <summary>No event: past the end of the stream.</summary>
        None,
        StreamStart,
        StreamEnd,
        DocumentStart,
        DocumentEnd,
        MappingStart,
        MappingEnd,
        SequenceStart,
        SequenceEnd,
        Scalar,

        /// <summary>An alias (<c>*name</c>); its name is the value.</summary>
        Alias,

        /// <summary>An event the reader never expects (a comment event, which the parser does not emit).</summary>
        Other,
    }

    /// <summary>
    /// One parser event as the matrix reader needs it: its kind, the scalar's value and whether it was plain (unquoted),
    /// and the 1-based line where it starts. Fed by YamlDotNet's parser (<see cref="YamlEventSource"/>) or, for the subset
    /// of YAML a matrix uses, by <see cref="MatrixSubsetScanner"/>.
    /// </summary>
    internal readonly struct MatrixEvent
    {
        public MatrixEvent(MatrixEventKind kind, int line, string? value = null, bool plain = false)
        {
            Kind = kind;
            Line = line;
            Value = value;
            Plain = plain;
        }

        public MatrixEventKind Kind { get; }

        /// <summary>The 1-based line where the event starts (YamlDotNet's mark, at least 1).</summary>
        public int Line { get; }

        /// <summary>A scalar's value, an alias's name; otherwise null.</summary>
        public string? Value { get; }

        /// <summary>A scalar written plain (YamlDotNet's Plain or Any style), not quoted.</summary>
        public bool Plain { get; }

        /// <inheritdoc/>
        public override string ToString() => Kind == MatrixEventKind.Scalar
            ? $"{Kind} {Line} {(Plain ? "plain" : "quoted")} '{Value}'"
            : Value != null ? $"{Kind} {Line} {Value}" : $"{Kind} {Line}";
    }

    /// <summary>YamlDotNet's parser as an event source: every YAML text, with YamlDotNet's errors.</summary>
    internal sealed class YamlEventSource
    {
        private readonly Parser parser;

        public YamlEventSource(string text)
        {
            parser = new Parser(new StringReader(text));
        }

        /// <summary>The anchor of the last event (a node event), or null.</summary>
        public string? Anchor { get; private set; }

        /// <summary>The tag of the last event (a node event), or null.</summary>
        public string? Tag { get; private set; }

        /// <summary>The next event; false at the end. Throws YamlDotNet's exceptions for a text that is not YAML.</summary>
        public bool Next(out MatrixEvent e)
        {
            Anchor = null;
            Tag = null;
            if (!parser.MoveNext() || parser.Current == null)
            {
                e = default;
                return false;
            }

            var p = parser.Current;
            int line = Math.Max(1, (int)p.Start.Line);
            if (p is NodeEvent node)
            {
                Anchor = node.Anchor.IsEmpty ? null : node.Anchor.ToString();
                Tag = node.Tag.IsEmpty ? null : node.Tag.ToString();
            }

            e = p switch
            {
                Scalar s => new MatrixEvent(MatrixEventKind.Scalar, line, s.Value, s.Style == ScalarStyle.Plain || s.Style == ScalarStyle.Any),
                MappingStart => new MatrixEvent(MatrixEventKind.MappingStart, line),
                MappingEnd => new MatrixEvent(MatrixEventKind.MappingEnd, line),
                SequenceStart => new MatrixEvent(MatrixEventKind.SequenceStart, line),
                SequenceEnd => new MatrixEvent(MatrixEventKind.SequenceEnd, line),
                AnchorAlias alias => new MatrixEvent(MatrixEventKind.Alias, line, alias.Value.ToString()),
                DocumentStart => new MatrixEvent(MatrixEventKind.DocumentStart, line),
                DocumentEnd => new MatrixEvent(MatrixEventKind.DocumentEnd, line),
                StreamStart => new MatrixEvent(MatrixEventKind.StreamStart, line),
                StreamEnd => new MatrixEvent(MatrixEventKind.StreamEnd, line),
                _ => new MatrixEvent(MatrixEventKind.Other, line),
            };
            return true;
        }
    }
}
