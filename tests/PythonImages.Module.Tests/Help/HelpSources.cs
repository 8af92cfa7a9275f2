using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PythonImages.HelpBuilder;
using PythonImages.Tests.Hosting;

namespace PythonImages.Tests.Help
{
    /// <summary>The help sources of the repository (docs/en-US), read with the module's own help builder.</summary>
    internal static class HelpSources
    {
        private static readonly Lazy<(IReadOnlyList<CommandHelp> Commands, IReadOnlyList<AboutTopic> Topics)> Loaded =
            new Lazy<(IReadOnlyList<CommandHelp>, IReadOnlyList<AboutTopic>)>(() => Program.Load(Folder));

        public static string Folder => Path.Combine(ModuleSession.RepoRoot, "docs", "en-US");

        public static IReadOnlyList<CommandHelp> Commands => Loaded.Value.Commands;

        public static IReadOnlyList<AboutTopic> Topics => Loaded.Value.Topics;

        public static CommandHelp? For(string cmdlet) => Commands.FirstOrDefault(c => string.Equals(c.Name, cmdlet, StringComparison.Ordinal));

        /// <summary>The path to show in messages: docs/en-US/&lt;file&gt;.</summary>
        public static string Show(string file) => "docs/en-US/" + Path.GetFileName(file);

        /// <summary>The cmdlets the manifest exports (CmdletsToExport): new cmdlets show up here without any change to the tests.</summary>
        public static IEnumerable<object[]> ExportedCmdlets() =>
            ((object[])ModuleManifestTests.ManifestData()["CmdletsToExport"]!).Select(o => new object[] { (string)o });
    }
}
