using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text;
using PythonImages.HelpBuilder;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Help
{
    /// <summary>
    /// Every exported cmdlet has a help file, and every parameter a section whose attributes are the cmdlet's own. A cmdlet
    /// or parameter added later fails here until it is documented, and the message says what to add where.
    /// </summary>
    public sealed class HelpCoverageTests : IClassFixture<HelpCoverageTests.Session>
    {
        public sealed class Session : IDisposable
        {
            public ModuleSession Module { get; } = new ModuleSession();

            public CommandInfo Command(string name)
            {
                var r = Module.Invoke(ps => ps.AddCommand("Get-Command").AddParameter("Name", name).AddParameter("Module", "PythonImages"));
                Assert.Empty(r.AllErrors);
                return (CommandInfo)Assert.Single(r.Output).BaseObject;
            }

            public void Dispose() => Module.Dispose();
        }

        private readonly Session session;

        public HelpCoverageTests(Session session) => this.session = session;

        public static IEnumerable<object[]> ExportedCmdlets() => HelpSources.ExportedCmdlets();

        [Theory]
        [MemberData(nameof(ExportedCmdlets))]
        public void EveryExportedCmdletHasAHelpFile(string cmdlet)
        {
            var help = HelpSources.For(cmdlet);
            Assert.True(help != null, $"{cmdlet} has no help. Add docs/en-US/{cmdlet}.md with the sections # {cmdlet}, ## SYNOPSIS, ## DESCRIPTION, "
                + "## EXAMPLES (at least two), ## PARAMETERS, ## INPUTS, ## OUTPUTS (format: docs/README.md; Get-PythonTag.md is an example). "
                + "`dotnet build` turns it into the module's help.");
            Assert.True(help!.Examples.Count >= 2, $"{HelpSources.Show(help.File)} has {help.Examples.Count} example(s); every cmdlet needs at least two.");
        }

        [Fact]
        public void EveryHelpFileDocumentsAnExportedCmdlet()
        {
            var exported = ExportedCmdlets().Select(o => (string)o[0]).ToHashSet(StringComparer.Ordinal);
            var stale = HelpSources.Commands.Where(c => !exported.Contains(c.Name)).Select(c => HelpSources.Show(c.File)).ToList();
            Assert.True(stale.Count == 0, "Help for cmdlets the module does not export (remove the files, or export the cmdlets in PythonImages.psd1): " + string.Join(", ", stale));
            Assert.NotEmpty(HelpSources.Commands);
        }

        [Theory]
        [MemberData(nameof(ExportedCmdlets))]
        public void EveryParameterIsDocumentedAsTheCmdletDeclaresIt(string cmdlet)
        {
            var help = HelpSources.For(cmdlet);
            Assert.True(help != null, $"{cmdlet} has no help file (see EveryExportedCmdletHasAHelpFile).");
            var command = session.Command(cmdlet);
            var problems = Problems(command, help!);
            Assert.True(problems.Count == 0, $"{problems.Count} problem(s) in {HelpSources.Show(help!.File)}:\n\n" + string.Join("\n\n", problems));
        }

        /// <summary>The parameters that need help: all but the common ones (-Verbose, -ErrorAction, ...); -WhatIf and -Confirm need it.</summary>
        internal static IEnumerable<ParameterMetadata> DocumentedParameters(CommandInfo command) =>
            command.Parameters.Values.Where(p => !Cmdlet.CommonParameters.Contains(p.Name) && p.Name != "UseTransaction").OrderBy(p => p.Name, StringComparer.Ordinal);

        internal static List<string> Problems(CommandInfo command, CommandHelp help)
        {
            var problems = new List<string>();
            string file = HelpSources.Show(help.File);
            var real = DocumentedParameters(command).ToList();
            foreach (var parameter in real)
            {
                var doc = help.Parameters.FirstOrDefault(p => string.Equals(p.Name, parameter.Name, StringComparison.Ordinal));
                if (doc == null)
                {
                    problems.Add($"{file}: -{parameter.Name} is not documented. Add this section under ## PARAMETERS (then describe the parameter and fill in its default):\n\n"
                        + Suggested(parameter));
                    continue;
                }

                foreach (var (set, meta) in parameter.ParameterSets)
                {
                    bool all = set == ParameterAttribute.AllParameterSets;
                    var entry = all ? doc.Sets.FirstOrDefault(s => s.AllSets) : doc.Sets.FirstOrDefault(s => s.SetNames.Contains(set, StringComparer.Ordinal));
                    string where = all ? "(All)" : "set " + set;
                    if (entry == null)
                    {
                        problems.Add($"{file}:{doc.Line}: -{parameter.Name} has no ```yaml block for {(all ? "Parameter Sets: (All)" : "Parameter Sets: " + set)}. The cmdlet declares it in: "
                            + string.Join(", ", parameter.ParameterSets.Keys.Select(k => k == ParameterAttribute.AllParameterSets ? "(All)" : k)) + ". Expected:\n\n" + Suggested(parameter));
                        continue;
                    }

                    void Compare(string field, object docValue, object realValue)
                    {
                        if (!Equals(docValue, realValue))
                        {
                            problems.Add($"{file}:{doc.Line}: -{parameter.Name} ({where}): {field} is '{docValue}' in the help but '{realValue}' in the cmdlet.");
                        }
                    }

                    Compare("Type", entry.Type, parameter.ParameterType.Name);
                    Compare("Required", entry.Required, meta.IsMandatory);
                    Compare("Position", entry.Position?.ToString(CultureInfo.InvariantCulture) ?? "Named", Position(meta));
                    Compare("Accept pipeline input", entry.PipelineInput, Pipeline(meta));
                    Compare("Aliases", Aliases(entry.Aliases), Aliases(parameter.Aliases));
                    Compare("Accept wildcard characters", entry.Wildcards, parameter.Attributes.OfType<SupportsWildcardsAttribute>().Any());
                }

                foreach (var entry in doc.Sets)
                {
                    if (entry.AllSets && !parameter.ParameterSets.ContainsKey(ParameterAttribute.AllParameterSets))
                    {
                        problems.Add($"{file}:{doc.Line}: -{parameter.Name} says Parameter Sets: (All), but the cmdlet declares it only in " + string.Join(", ", parameter.ParameterSets.Keys) + ".");
                    }

                    foreach (var name in entry.SetNames.Where(n => !parameter.ParameterSets.ContainsKey(n)))
                    {
                        problems.Add($"{file}:{doc.Line}: -{parameter.Name} names the parameter set '{name}', which the parameter is not in (its sets: "
                            + string.Join(", ", parameter.ParameterSets.Keys.Select(k => k == ParameterAttribute.AllParameterSets ? "(All)" : k)) + ").");
                    }
                }
            }

            foreach (var doc in help.Parameters.Where(d => !real.Any(p => string.Equals(p.Name, d.Name, StringComparison.Ordinal))))
            {
                problems.Add($"{file}:{doc.Line}: documents -{doc.Name}, which {command.Name} does not have; remove the section (or fix the name's spelling and case).");
            }

            return problems;
        }

        private static string Position(ParameterSetMetadata meta) => meta.Position == int.MinValue ? "Named" : meta.Position.ToString(CultureInfo.InvariantCulture);

        private static string Pipeline(ParameterSetMetadata meta) =>
            !meta.ValueFromPipeline && !meta.ValueFromPipelineByPropertyName ? "False"
            : "True (" + string.Join(", ", new[] { meta.ValueFromPipeline ? "ByValue" : null, meta.ValueFromPipelineByPropertyName ? "ByPropertyName" : null }.Where(s => s != null)) + ")";

        private static string Aliases(IEnumerable<string> aliases) => aliases.Any() ? string.Join(", ", aliases.OrderBy(a => a, StringComparer.OrdinalIgnoreCase)) : "None";

        /// <summary>The section to add for a parameter, with its attributes read from the cmdlet (one yaml block per group of sets).</summary>
        internal static string Suggested(ParameterMetadata parameter)
        {
            var sb = new StringBuilder();
            sb.Append("### -").Append(parameter.Name).Append('\n').Append("<What the parameter means, what it accepts, its default.>\n");
            var groups = parameter.ParameterSets
                .GroupBy(kv => (kv.Value.IsMandatory, Position(kv.Value), Pipeline(kv.Value)))
                .ToList();
            foreach (var group in groups)
            {
                var names = group.Select(kv => kv.Key).ToList();
                bool wildcards = parameter.Attributes.OfType<SupportsWildcardsAttribute>().Any();
                sb.Append("\n```yaml\n")
                    .Append("Type: ").Append(parameter.ParameterType.Name).Append('\n')
                    .Append("Parameter Sets: ").Append(names.Contains(ParameterAttribute.AllParameterSets) ? "(All)" : string.Join(", ", names)).Append('\n')
                    .Append("Aliases: ").Append(Aliases(parameter.Aliases)).Append('\n')
                    .Append("Required: ").Append(group.Key.IsMandatory ? "True" : "False").Append('\n')
                    .Append("Position: ").Append(group.Key.Item2).Append('\n')
                    .Append("Default value: ").Append(parameter.SwitchParameter ? "False" : "None").Append('\n')
                    .Append("Accept pipeline input: ").Append(group.Key.Item3).Append('\n')
                    .Append("Accept wildcard characters: ").Append(wildcards ? "True" : "False").Append('\n')
                    .Append("```\n");
            }

            return sb.ToString();
        }
    }
}
