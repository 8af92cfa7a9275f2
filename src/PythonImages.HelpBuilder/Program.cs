using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace PythonImages.HelpBuilder
{
    /// <summary>
    /// dotnet PythonImages.HelpBuilder.dll &lt;sources&gt; &lt;output&gt; [&lt;maml file name&gt;]: builds &lt;output&gt;/PythonImages.dll-Help.xml from
    /// every &lt;Verb-Noun&gt;.md and &lt;output&gt;/about_X.help.txt from every about_X.md in &lt;sources&gt;.
    /// </summary>
    public static class Program
    {
        /// <summary>The MAML file name PowerShell looks for next to a binary module named PythonImages.dll.</summary>
        public const string MamlFileName = "PythonImages.dll-Help.xml";

        /// <summary>Entry point: 0 on success, 1 on a mistake in a source (printed as file:line: error: message), 64 on bad arguments.</summary>
        public static int Main(string[] args)
        {
            ArgumentNullException.ThrowIfNull(args);
            if (args.Length != 2)
            {
                Console.Error.WriteLine("usage: PythonImages.HelpBuilder <docs/en-US folder> <output folder>");
                return 64;
            }

            try
            {
                var written = Build(args[0], args[1]);
                Console.WriteLine($"PythonImages.HelpBuilder: {written.Count} help files in {Path.GetFullPath(args[1])}");
                return 0;
            }
            catch (HelpSourceException ex)
            {
                // MSBuild shows "file(line): error HELP001: message" as a build error pointing at the source.
                Console.Error.WriteLine($"{Path.GetFullPath(ex.File)}({ex.SourceLine}): error HELP001: {ex.Reason}");
                return 1;
            }
        }

        /// <summary>Reads the sources and writes the help files (each atomically); removes about_*.help.txt whose source is gone.</summary>
        public static IReadOnlyList<string> Build(string sourceDir, string outputDir)
        {
            var (commands, topics) = Load(sourceDir);
            Directory.CreateDirectory(outputDir);
            var written = new List<string> { Write(Path.Combine(outputDir, MamlFileName), MamlWriter.Write(commands)) };
            foreach (var topic in topics)
            {
                written.Add(Write(Path.Combine(outputDir, topic.Name + ".help.txt"), topic.ToText()));
            }

            foreach (var stale in Directory.GetFiles(outputDir, "about_*.help.txt"))
            {
                if (!written.Contains(stale, StringComparer.Ordinal))
                {
                    File.Delete(stale);
                }
            }

            return written;
        }

        /// <summary>Every cmdlet file (sorted by name) and every about topic of a sources folder.</summary>
        public static (IReadOnlyList<CommandHelp> Commands, IReadOnlyList<AboutTopic> Topics) Load(string sourceDir)
        {
            var commands = new List<CommandHelp>();
            var topics = new List<AboutTopic>();
            foreach (var file in Directory.GetFiles(sourceDir, "*.md").OrderBy(f => f, StringComparer.Ordinal))
            {
                string text = File.ReadAllText(file, Encoding.UTF8);
                string name = Path.GetFileNameWithoutExtension(file);
                if (name.StartsWith("about_", StringComparison.Ordinal))
                {
                    topics.Add(AboutTopic.Parse(text, file));
                    continue;
                }

                var command = CommandHelp.Parse(text, file);
                if (!string.Equals(command.Name, name, StringComparison.Ordinal))
                {
                    throw new HelpSourceException(file, 1, $"the file documents {command.Name}; name it {command.Name}.md.");
                }

                commands.Add(command);
            }

            return (commands, topics);
        }

        private static string Write(string path, string content)
        {
            string temp = path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllText(temp, content, new UTF8Encoding(false));
            File.Move(temp, path, overwrite: true);
            return path;
        }
    }
}
