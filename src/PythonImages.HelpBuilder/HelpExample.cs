using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages.HelpBuilder
{
    /// <summary>One example of a cmdlet: its code, explanation and what it needs to run (docs/README.md, "Examples").</summary>
    public sealed class HelpExample
    {
        /// <summary>What an example may require: a Docker engine, the internet, Windows.</summary>
        public static readonly IReadOnlyList<string> Requirements = new[] { "engine", "internet", "windows" };

        /// <summary>1, 2, ...</summary>
        public int Number { get; init; }

        /// <summary>The title after "Example N: ".</summary>
        public string Title { get; init; } = string.Empty;

        /// <summary>The line of the ### heading.</summary>
        public int Line { get; init; }

        /// <summary>The PowerShell code.</summary>
        public string Code { get; init; } = string.Empty;

        /// <summary>The explanation (paragraphs, lists, an output block).</summary>
        public IReadOnlyList<MarkdownBlock> Remarks { get; init; } = Array.Empty<MarkdownBlock>();

        /// <summary>What it needs (engine, internet, windows); empty when it runs offline.</summary>
        public IReadOnlyList<string> Requires { get; init; } = Array.Empty<string>();

        /// <summary>An engine example that takes seconds here (run against the real engine by the tests).</summary>
        public bool Cheap { get; init; }

        /// <summary>Code run first (not shown).</summary>
        public IReadOnlyList<string> Setup { get; init; } = Array.Empty<string>();

        /// <summary>Code run afterwards (not shown).</summary>
        public IReadOnlyList<string> Cleanup { get; init; } = Array.Empty<string>();

        /// <summary>The ErrorId the example shows on purpose, or null.</summary>
        public string? ExpectError { get; init; }

        /// <summary>Reads an example's blocks (after its heading).</summary>
        public static HelpExample Parse(int number, string title, int line, IReadOnlyList<MarkdownBlock> blocks, string file)
        {
            ArgumentNullException.ThrowIfNull(blocks);
            var code = blocks.OfType<CodeBlock>().Where(b => b.Language == "powershell").ToList();
            if (code.Count != 1)
            {
                throw new HelpSourceException(file, line, $"example {number} has {code.Count} ```powershell blocks; it needs exactly one.");
            }

            var other = blocks.OfType<CodeBlock>().FirstOrDefault(b => b.Language != "powershell" && b.Language != "output");
            if (other != null)
            {
                throw new HelpSourceException(file, other.Line, "an example holds one ```powershell block and optionally one ```output block.");
            }

            var requires = new List<string>();
            var setup = new List<string>();
            var cleanup = new List<string>();
            bool cheap = false;
            string? expectError = null;
            foreach (var comment in blocks.OfType<CommentBlock>())
            {
                int colon = comment.Text.IndexOf(':', StringComparison.Ordinal);
                string key = (colon < 0 ? comment.Text : comment.Text.Substring(0, colon)).Trim();
                string value = colon < 0 ? string.Empty : comment.Text.Substring(colon + 1).Trim();
                switch (key)
                {
                    case "requires":
                        foreach (var r in value.Split(',').Select(s => s.Trim()))
                        {
                            if (!Requirements.Contains(r, StringComparer.Ordinal))
                            {
                                throw new HelpSourceException(file, comment.Line, $"unknown requirement '{r}'; use {string.Join(", ", Requirements)}.");
                            }

                            requires.Add(r);
                        }

                        break;
                    case "cheap" when value.Length == 0:
                        cheap = true;
                        break;
                    case "setup" when value.Length > 0:
                        setup.Add(value);
                        break;
                    case "cleanup" when value.Length > 0:
                        cleanup.Add(value);
                        break;
                    case "expect-error" when value.Length > 0:
                        expectError = value;
                        break;
                    default:
                        throw new HelpSourceException(file, comment.Line, $"unknown example comment '<!-- {comment.Text} -->'; use requires:, cheap, setup:, cleanup: or expect-error: (docs/README.md).");
                }
            }

            if (cheap && !requires.Contains("engine", StringComparer.Ordinal))
            {
                throw new HelpSourceException(file, line, "<!-- cheap --> only applies to an example that has <!-- requires: engine -->.");
            }

            return new HelpExample
            {
                Number = number,
                Title = title,
                Line = line,
                Code = code[0].Code,
                Remarks = blocks.Where(b => b != code[0] && b is not CommentBlock).ToList(),
                Requires = requires,
                Cheap = cheap,
                Setup = setup,
                Cleanup = cleanup,
                ExpectError = expectError,
            };
        }
    }
}
