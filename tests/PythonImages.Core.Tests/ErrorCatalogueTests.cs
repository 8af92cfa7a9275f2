using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using PythonImages.Updates;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// The error catalogue: every ErrorId constant is in it (and nothing else), the user documentation lists exactly its ids
    /// with their categories and actions, and no ErrorRecord or exception in src is made with an id outside it.
    /// </summary>
    public sealed class ErrorCatalogueTests
    {
        private static readonly string RepoRoot = FindRepoRoot();

        private static readonly string DocPath = Path.Combine(RepoRoot, "docs", "en-US", "about_PythonImages_Errors.md");

        /// <summary>Every public const string of every *ErrorIds class in Core: (class, field, value).</summary>
        private static List<(Type Type, string Field, string Id)> Constants() =>
            typeof(ErrorCatalogue).Assembly.GetTypes()
                .Where(t => t.IsPublic && t.IsAbstract && t.IsSealed && t.Name.EndsWith("ErrorIds", StringComparison.Ordinal))
                .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
                    .Where(f => f.IsLiteral && f.FieldType == typeof(string))
                    .Select(f => (t, f.Name, (string)f.GetRawConstantValue()!)))
                .ToList();

        [Fact]
        public void EveryErrorIdConstantIsInTheCatalogueAndNothingElseIs()
        {
            var constants = Constants();
            Assert.True(constants.Count >= 150, $"only {constants.Count} ErrorId constants found");
            var catalogue = ErrorCatalogue.All.Select(d => d.Id).ToList();
            Assert.Equal(catalogue.Count, catalogue.Distinct(StringComparer.Ordinal).Count());
            Assert.Empty(constants.Select(c => c.Id).Except(catalogue, StringComparer.Ordinal));
            Assert.Empty(catalogue.Except(constants.Select(c => c.Id), StringComparer.Ordinal));
            foreach (var (type, field, id) in constants)
            {
                // "Area.Reason": the area is the class name without ErrorIds, the reason the constant's name.
                Assert.Equal(type.Name[..^"ErrorIds".Length] + "." + field, id);
            }
        }

        [Fact]
        public void EveryEntryHasAnActionAndDistinctCategories()
        {
            foreach (var d in ErrorCatalogue.All)
            {
                Assert.Matches(@"\A[A-Z][A-Za-z]+\.[A-Z][A-Za-z]+\z", d.Id);
                Assert.True(d.RecommendedAction.Length > 10 && d.RecommendedAction.EndsWith('.'), d.Id + ": " + d.RecommendedAction);
                Assert.NotEqual(FailureCategory.NotSpecified, d.Category);
                Assert.DoesNotContain(d.Category, d.OtherCategories);
                Assert.True(d.Allows(d.Category));
                Assert.Same(d, ErrorCatalogue.Get(d.Id));
            }
        }

        [Fact]
        public void AnIdOutsideTheCatalogueIsRefused()
        {
            Assert.False(ErrorCatalogue.Contains("Matrix.NoSuchThing"));
            Assert.Throws<ArgumentException>(() => ErrorCatalogue.Get("Matrix.NoSuchThing"));
            Assert.Throws<ArgumentException>(() => new UpdateException("Update.NoSuchThing", "m", "a"));
        }

        [Fact]
        public void AnUpdateFailureTakesItsCategoryFromTheCatalogueAndOnlyAnAllowedOther()
        {
            Assert.Equal(FailureCategory.SecurityError, new UpdateException(UpdateErrorIds.ChecksumMismatch, "m", "a").Category);
            Assert.Equal(FailureCategory.ResourceUnavailable, new UpdateException(UpdateErrorIds.HttpError, "m", "a", category: FailureCategory.ResourceUnavailable).Category);
            Assert.Throws<ArgumentException>(() => new UpdateException(UpdateErrorIds.ChecksumMismatch, "m", "a", category: FailureCategory.ReadError));
            var forKey = new UpdateException(UpdateErrorIds.HttpError, "m", "a", category: FailureCategory.ResourceUnavailable).ForKey("3.14");
            Assert.Equal(FailureCategory.ResourceUnavailable, forKey.Category);
        }

        [Fact]
        public void MatrixErrorKindsFollowTheCatalogueCategories()
        {
            foreach (var d in ErrorCatalogue.All.Where(d => d.Area == "Matrix"))
            {
                var expected = d.Category switch
                {
                    FailureCategory.ObjectNotFound => MatrixErrorKind.NotFound,
                    FailureCategory.InvalidArgument => MatrixErrorKind.InvalidArgument,
                    FailureCategory.LimitsExceeded => MatrixErrorKind.LimitsExceeded,
                    FailureCategory.ReadError => MatrixErrorKind.ReadError,
                    FailureCategory.InvalidData => MatrixErrorKind.InvalidData,
                    _ => throw new InvalidOperationException(d.Id + " has a category no MatrixErrorKind names: " + d.Category),
                };
                Assert.Equal(expected, MatrixErrorIds.KindOf(d.Id));
            }
        }

        [Fact]
        public void TheUserDocumentationListsEveryIdWithItsCategoryAndAction()
        {
            Assert.True(File.Exists(DocPath), DocPath + " is missing");
            var rows = DocumentedRows();
            var duplicates = rows.GroupBy(r => r.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.Empty(duplicates);
            var documented = rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
            var missing = ErrorCatalogue.All.Where(d => !documented.ContainsKey(d.Id)).Select(d => d.Id).ToList();
            Assert.True(missing.Count == 0, "not documented in about_PythonImages_Errors.md: " + string.Join(", ", missing));
            var unknown = documented.Keys.Where(id => !ErrorCatalogue.Contains(id)).ToList();
            Assert.True(unknown.Count == 0, "documented but not in the catalogue: " + string.Join(", ", unknown));

            foreach (var d in ErrorCatalogue.All)
            {
                var row = documented[d.Id];
                var categories = new[] { d.Category }.Concat(d.OtherCategories).Select(c => c.ToString());
                Assert.Equal(string.Join(", ", categories), row.Category);
                Assert.True(row.Meaning.Length > 10, d.Id + " has no meaning in the documentation");
                Assert.Equal(d.RecommendedAction, row.Action);
            }
        }

        [Fact]
        public void EveryIdMentionedAnywhereInTheDocumentationExists()
        {
            string text = File.ReadAllText(DocPath);
            var areas = new HashSet<string>(ErrorCatalogue.All.Select(d => d.Area), StringComparer.Ordinal);
            foreach (Match m in Regex.Matches(text, @"`([A-Z][A-Za-z]+)\.([A-Z][A-Za-z]+)`"))
            {
                if (areas.Contains(m.Groups[1].Value))
                {
                    Assert.True(ErrorCatalogue.Contains(m.Groups[1].Value + "." + m.Groups[2].Value), m.Value + " is not an ErrorId");
                }
            }
        }

        /// <summary>Ids reach ErrorRecords only as catalogue constants: no literal "Area.Reason" outside an ErrorIds constant, one factory.</summary>
        [Fact]
        public void NoErrorIsMadeWithAnIdOutsideTheCatalogue()
        {
            var areas = string.Join("|", ErrorCatalogue.All.Select(d => d.Area).Distinct());
            var literal = new Regex("\"(" + areas + @")\.[A-Z][A-Za-z]*\b");
            var constant = new Regex(@"^\s*public const string [A-Za-z]+ = ""[A-Za-z]+\.[A-Za-z]+"";\s*$");
            var problems = new List<string>();
            var sources = Directory.GetFiles(Path.Combine(RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .ToList();
            Assert.True(sources.Count > 50, "the src tree was not found");
            foreach (var file in sources)
            {
                string rel = Path.GetRelativePath(RepoRoot, file).Replace('\\', '/');
                var lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                {
                    string line = lines[i];
                    if (literal.IsMatch(line) && !constant.IsMatch(line) && !line.TrimStart().StartsWith("///", StringComparison.Ordinal) && !line.TrimStart().StartsWith("//", StringComparison.Ordinal))
                    {
                        problems.Add($"{rel}:{i + 1}: an ErrorId written as a literal: {line.Trim()}");
                    }

                    if (line.Contains("new ErrorRecord(", StringComparison.Ordinal) && rel != "src/PythonImages/Errors.cs")
                    {
                        problems.Add($"{rel}:{i + 1}: an ErrorRecord built outside Errors.cs: {line.Trim()}");
                    }
                }
            }

            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }

        private static List<(string Id, string Category, string Meaning, string Action)> DocumentedRows()
        {
            var rows = new List<(string, string, string, string)>();
            foreach (string line in File.ReadAllLines(DocPath))
            {
                var m = Regex.Match(line, @"^\| `([^`]+)` \| (.*) \|\s*$");
                if (!m.Success)
                {
                    continue;
                }

                // Cells are separated by " | "; a '|' inside a cell is written "\|".
                var cells = Regex.Split(m.Groups[2].Value, @"(?<!\\) \| ").Select(c => c.Replace("\\|", "|", StringComparison.Ordinal).Trim()).ToArray();
                Assert.True(cells.Length == 3, "a table row of about_PythonImages_Errors.md does not have four cells: " + line);
                rows.Add((m.Groups[1].Value, cells[0], cells[1], cells[2]));
            }

            return rows;
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
