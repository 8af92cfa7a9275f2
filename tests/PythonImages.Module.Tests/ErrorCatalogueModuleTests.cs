using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// The module side of the error catalogue: Core's FailureCategory is PowerShell's ErrorCategory name for name and
    /// number (the module casts one to the other), and a real error carries its catalogue category and action.
    /// </summary>
    public sealed class ErrorCatalogueModuleTests
    {
        [Fact]
        public void FailureCategoryMirrorsErrorCategoryNameForNameAndNumberForNumber()
        {
            // The built Core assembly the module ships, loaded on its own: only its enum is read.
            string core = Path.Combine(ModuleSession.RepoRoot, "bin", "dependencies", "PythonImages.Core.dll");
            var failure = Assembly.LoadFile(core).GetType("PythonImages.FailureCategory", throwOnError: true)!;
            var ours = Enum.GetNames(failure).Select(n => (n, Convert.ToInt32(Enum.Parse(failure, n), System.Globalization.CultureInfo.InvariantCulture))).ToList();
            var powershell = Enum.GetNames<ErrorCategory>().Select(n => (n, (int)Enum.Parse<ErrorCategory>(n))).ToList();
            Assert.Equal(powershell, ours);
        }

        [Fact]
        public void AnErrorCarriesItsCatalogueCategoryTargetAndAction()
        {
            using var s = new ModuleSession();
            var r = s.Run("Get-PythonTag -Name 'no-such-tag'");
            var e = Assert.Single(r.AllErrors);
            Assert.Equal("PythonTag.NotFound,PythonImages.Commands.GetPythonTagCommand", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Equal("no-such-tag", e.TargetObject);
            Assert.False(string.IsNullOrEmpty(e.ErrorDetails?.RecommendedAction));

            // A parameter value that breaks a manifest rule: the catalogue's other category for a parameter.
            var p = s.Run("Export-PythonLibraryManifest -GitCommit 'ABC'");
            var pe = Assert.Single(p.AllErrors);
            Assert.StartsWith("Manifest.InvalidGitCommit,", pe.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidArgument, pe.CategoryInfo.Category);
        }
    }
}
