using System;
using System.Linq;
using Xunit;

namespace PythonImages.Tests.PwshSuite
{
    /// <summary>The steps of a GitHub workflow the module generated, for tests that run them as the runner would.</summary>
    internal static class WorkflowSteps
    {
        /// <summary>The run block of the step <paramref name="name"/> of a GitHub workflow.</summary>
        public static string RunBlock(string workflow, string name)
        {
            var lines = workflow.Split('\n');
            int at = Array.FindIndex(lines, l => l == "      - name: " + name);
            Assert.True(at >= 0, "no step " + name);
            int run = Array.FindIndex(lines, at, l => l == "        run: |");
            var body = lines.Skip(run + 1).TakeWhile(l => l.Length == 0 || l.StartsWith("          ", StringComparison.Ordinal)).Select(l => l.Length == 0 ? l : l.Substring(10));
            return string.Join("\n", body).TrimEnd() + "\n";
        }
    }
}
