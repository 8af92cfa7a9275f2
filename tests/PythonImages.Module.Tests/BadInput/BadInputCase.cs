using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// One entry of the bad-input catalogue: a script run in a hosted runspace with the module imported, in a fresh
    /// working folder <c>$work</c> (also the current location) that <see cref="Arrange"/> may fill first. The case
    /// passes when the script writes an error with <see cref="ErrorId"/> and <see cref="Category"/> and the folder
    /// holds exactly what it held before (nothing written, nothing half written, nothing removed).
    /// </summary>
    public sealed class BadInputCase
    {
        public BadInputCase(string area, string name, string script, string errorId, ErrorCategory category)
        {
            Area = area;
            Name = name;
            Script = script;
            ErrorId = errorId;
            Category = category;
        }

        public string Area { get; }

        /// <summary>Unique within the area; shown as the theory's case name.</summary>
        public string Name { get; }

        /// <summary>PowerShell; <c>$work</c> is the case's folder (also the current location).</summary>
        public string Script { get; }

        public string ErrorId { get; }

        public ErrorCategory Category { get; }

        /// <summary>Files to create in $work first: relative path → content (written as UTF-8 without BOM, as is).</summary>
        public IDictionary<string, string> Files { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Anything else to prepare in the folder (a FIFO, a directory, a big file).</summary>
        public Action<string>? Arrange { get; set; }

        /// <summary>Relative paths of FIFOs or device nodes made by <see cref="Arrange"/>: compared by name, never opened.</summary>
        public ISet<string> SpecialFiles { get; } = new HashSet<string>(StringComparer.Ordinal);

        public BadInputCase WithFile(string relativePath, string content)
        {
            Files[relativePath] = content;
            return this;
        }

        public override string ToString() => Area + ": " + Name;
    }

    /// <summary>Runs catalogue cases. One runspace per test class (xunit class fixture), one folder per case.</summary>
    public sealed class BadInputRunner : IDisposable
    {
        private readonly ModuleSession session = new ModuleSession();

        public void AssertRejected(BadInputCase c)
        {
            string work = Path.Combine(Path.GetTempPath(), "pi-badinput-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(work);
            try
            {
                foreach (var f in c.Files)
                {
                    string full = Path.Combine(work, f.Key);
                    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                    File.WriteAllText(full, f.Value);
                }

                c.Arrange?.Invoke(work);
                var before = Snapshot(work, c.SpecialFiles);

                // Through the engine's API: the hosted runspace has no Microsoft.PowerShell.Management (no Set-Location).
                var result = session.Run(
                    "$ExecutionContext.SessionState.Path.SetLocation($work) > $null\n" + c.Script,
                    new Dictionary<string, object?> { ["work"] = work });

                var errors = result.AllErrors.ToList();
                Assert.True(
                    errors.Any(e => e.FullyQualifiedErrorId.Split(',')[0] == c.ErrorId),
                    $"{c}: expected ErrorId {c.ErrorId}; got: " +
                    (errors.Count == 0 ? "no error" : string.Join(" | ", errors.Select(e => e.FullyQualifiedErrorId + " (" + e.CategoryInfo.Category + "): " + e.Exception?.Message))));
                var match = errors.First(e => e.FullyQualifiedErrorId.Split(',')[0] == c.ErrorId);
                Assert.True(c.Category == match.CategoryInfo.Category, $"{c}: expected category {c.Category}, got {match.CategoryInfo.Category}");
                Assert.False(
                    match.Exception is NullReferenceException || match.Exception is IndexOutOfRangeException || match.Exception is InvalidCastException,
                    $"{c}: a raw .NET exception escaped: {match.Exception}");

                var after = Snapshot(work, c.SpecialFiles);
                Assert.True(before.SequenceEqual(after), $"{c}: the folder changed.\nbefore: {string.Join(", ", before)}\nafter:  {string.Join(", ", after)}");
            }
            finally
            {
                session.Run("$ExecutionContext.SessionState.Path.SetLocation([IO.Path]::GetTempPath()) > $null");
                TryDelete(work);
            }
        }

        public void Dispose() => session.Dispose();

        /// <summary>Every entry below the folder with its content hash; <see cref="BadInputCase.SpecialFiles"/> (FIFOs, devices) by name only.</summary>
        private static List<string> Snapshot(string root, ISet<string> special)
        {
            var list = new List<string>();
            foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
            {
                string rel = Path.GetRelativePath(root, entry.FullName).Replace('\\', '/');
                if (entry is DirectoryInfo)
                {
                    list.Add(rel + "/");
                }
                else if (special.Contains(rel))
                {
                    list.Add(rel + " (special)");
                }
                else
                {
                    using var s = File.OpenRead(entry.FullName);
                    list.Add(rel + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(s)));
                }
            }

            list.Sort(StringComparer.Ordinal);
            return list;
        }

        private static void TryDelete(string dir)
        {
            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
