using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// Issue 10's acceptance, kept: a cmdlet file (src/PythonImages) only binds parameters and writes to the streams, so it
    /// stays under <see cref="MaxCmdletFileLines"/> lines; no method, constructor, accessor, local function or lambda body
    /// anywhere in src is longer than <see cref="MaxMethodLines"/> lines. Units are measured on Roslyn's syntax tree
    /// (first to last line of the declaration, attributes and XML comments excluded).
    /// </summary>
    public class UnitSizeTests
    {
        /// <summary>The longest cmdlet file accepted.</summary>
        public const int MaxCmdletFileLines = 200;

        /// <summary>The longest method accepted.</summary>
        public const int MaxMethodLines = 80;

        /// <summary>
        /// Known offenders: none. Nothing may be added; a long unit is split into named steps instead. Paths are relative
        /// to the repository root, '/'-separated; a directory entry ends with '/'.
        /// </summary>
        private static readonly string[] AllowList = Array.Empty<string>();

        private static readonly string RepoRoot = FindRepoRoot();

        [Fact]
        public void CmdletFilesAreShort()
        {
            var offenders = new List<string>();
            // A cmdlet file is one that declares a cmdlet ([Cmdlet(...)]); helpers beside them are measured by method.
            foreach (var file in SourceFiles().Where(f => f.Relative.StartsWith("src/PythonImages/", StringComparison.Ordinal) && File.ReadAllText(f.Full).Contains("[Cmdlet(", StringComparison.Ordinal)))
            {
                int lines = File.ReadAllLines(file.Full).Length;
                if (lines > MaxCmdletFileLines && !Allowed(file.Relative))
                {
                    offenders.Add($"{file.Relative}: {lines} lines");
                }
            }

            Assert.True(offenders.Count == 0, $"Cmdlet files above {MaxCmdletFileLines} lines (move the work into Core or the engine):\n" + string.Join("\n", offenders));
        }

        [Fact]
        public void MethodsAreShort()
        {
            var offenders = new List<string>();
            foreach (var file in SourceFiles().Where(f => !Allowed(f.Relative)))
            {
                foreach (var (name, lines, line) in Units(File.ReadAllText(file.Full)))
                {
                    if (lines > MaxMethodLines)
                    {
                        offenders.Add($"{file.Relative}:{line}: {name} has {lines} lines");
                    }
                }
            }

            Assert.True(offenders.Count == 0, $"Methods above {MaxMethodLines} lines (split them into named steps):\n" + string.Join("\n", offenders));
        }

        [Fact]
        public void TheMeasureSeesLongMethodsAndLambdas()
        {
            string body = string.Concat(Enumerable.Repeat("        x++;\n", MaxMethodLines));
            string code = "class C\n{\n    /// <summary>doc</summary>\n    [System.Obsolete]\n    void Long()\n    {\n" + body + "    }\n"
                + "    void Short() { System.Action a = () =>\n    {\n" + body + "    }; }\n}\n";
            var units = Units(code).ToList();
            var longOne = Assert.Single(units, u => u.Name == "C.Long");
            Assert.Equal(MaxMethodLines + 3, longOne.Lines); // the signature, the braces and the body; not the doc comment or attribute
            Assert.Equal(5, longOne.Line);
            Assert.Contains(units, u => u.Name.StartsWith("C.Short lambda", StringComparison.Ordinal) && u.Lines == MaxMethodLines + 3);
        }

        [Fact]
        public void TheAllowListNamesOnlyExistingOffenders()
        {
            foreach (var entry in AllowList)
            {
                string full = Path.Combine(RepoRoot, entry.TrimEnd('/').Replace('/', Path.DirectorySeparatorChar));
                Assert.True(entry.EndsWith('/') ? Directory.Exists(full) : File.Exists(full), $"{entry} no longer exists: remove it from the allow-list.");
            }
        }

        private static bool Allowed(string relative) =>
            AllowList.Any(a => a.EndsWith('/') ? relative.StartsWith(a, StringComparison.Ordinal) : relative == a);

        /// <summary>Every method-like unit of <paramref name="code"/>: its name, its length in lines and its first line.</summary>
        internal static IEnumerable<(string Name, int Lines, int Line)> Units(string code)
        {
            var root = CSharpSyntaxTree.ParseText(code).GetRoot();
            foreach (var node in root.DescendantNodes())
            {
                string? name = node switch
                {
                    BaseMethodDeclarationSyntax m => Owner(m) + "." + (m switch
                    {
                        MethodDeclarationSyntax md => md.Identifier.Text,
                        ConstructorDeclarationSyntax cd => cd.Identifier.Text + " constructor",
                        OperatorDeclarationSyntax od => "operator " + od.OperatorToken.Text,
                        _ => m.Kind().ToString(),
                    }),
                    AccessorDeclarationSyntax a => Owner(a) + "." + (a.Parent?.Parent is PropertyDeclarationSyntax p ? p.Identifier.Text : "this") + " " + a.Keyword.Text,
                    LocalFunctionStatementSyntax l => Owner(l) + "." + l.Identifier.Text,
                    AnonymousFunctionExpressionSyntax f => Owner(f) + "." + Enclosing(f) + " lambda",
                    _ => null,
                };
                if (name == null)
                {
                    continue;
                }

                // From the declaration's first token (past attributes and doc comments) to its last.
                var first = node.ChildNodesAndTokens().FirstOrDefault(c => !c.IsKind(SyntaxKind.AttributeList));
                int start = (first.IsToken ? first.AsToken().GetLocation() : first.AsNode()!.GetFirstToken().GetLocation()).GetLineSpan().StartLinePosition.Line;
                int end = node.GetLastToken().GetLocation().GetLineSpan().EndLinePosition.Line;
                if (node is BaseMethodDeclarationSyntax bm && bm.Modifiers.Count > 0 && first.IsToken)
                {
                    start = bm.Modifiers[0].GetLocation().GetLineSpan().StartLinePosition.Line;
                }

                yield return (name, end - start + 1, start + 1);
            }
        }

        private static string Owner(SyntaxNode node) =>
            node.Ancestors().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault()?.Identifier.Text ?? "(top level)";

        private static string Enclosing(SyntaxNode node) => node.Ancestors().Select(a => a switch
        {
            MethodDeclarationSyntax m => m.Identifier.Text,
            ConstructorDeclarationSyntax c => c.Identifier.Text,
            PropertyDeclarationSyntax p => p.Identifier.Text,
            FieldDeclarationSyntax f => f.Declaration.Variables.First().Identifier.Text,
            _ => null,
        }).FirstOrDefault(n => n != null) ?? "(unnamed)";

        private static IEnumerable<(string Full, string Relative)> SourceFiles()
        {
            string src = Path.Combine(RepoRoot, "src");
            var files = Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories)
                .Select(f => (Full: f, Relative: Path.GetRelativePath(RepoRoot, f).Replace('\\', '/')))
                .Where(f => !f.Relative.Contains("/obj/", StringComparison.Ordinal) && !f.Relative.Contains("/bin/", StringComparison.Ordinal))
                .OrderBy(f => f.Relative, StringComparer.Ordinal)
                .ToList();
            Assert.True(files.Count > 50, "the src tree was not found under " + src);
            return files;
        }

        private static string FindRepoRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "PythonImages.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("The repository root (PythonImages.sln) was not found above " + AppContext.BaseDirectory);
        }
    }
}
