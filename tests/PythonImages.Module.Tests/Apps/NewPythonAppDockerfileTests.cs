using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Apps
{
    /// <summary>New-PythonAppDockerfile in a hosted runspace: files, -WhatIf, -Force, output, view and completion (no engine needed).</summary>
    public sealed class NewPythonAppDockerfileTests : IDisposable
    {
        private readonly string root = Path.Combine(Path.GetTempPath(), "h15-app-new-" + Guid.NewGuid().ToString("N")[..8]);
        private readonly ModuleSession s = new ModuleSession();

        public NewPythonAppDockerfileTests() => Directory.CreateDirectory(root);

        private string App(string name, params (string Path, string Content)[] files)
        {
            string folder = Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            foreach (var (p, c) in files)
            {
                File.WriteAllText(Path.Combine(folder, p), c);
            }

            return folder;
        }

        private PsResult Run(string script, string folder) =>
            s.Run("$ExecutionContext.SessionState.Path.SetLocation($folder) > $null\n" + script, new Dictionary<string, object?> { ["folder"] = folder });

        [Fact]
        public void TheCurrentFolderGetsBothFilesAndAnObjectThatBindsToTheBuild()
        {
            string app = App("current", ("main.py", "print(1)\n"), ("requirements.txt", "flask\n"));
            var r = Run("New-PythonAppDockerfile -Tag 3.13-slim", app);
            Assert.Empty(r.AllErrors);
            var o = Assert.Single(r.Output);
            Assert.Equal("PythonImages.Commands.PythonAppDockerfile", o.BaseObject.GetType().FullName);
            Assert.Equal(app, o.Properties["AppPath"].Value);
            Assert.Equal(app, o.Properties["ContextPath"].Value);
            Assert.Equal(Path.Combine(app, "Dockerfile"), o.Properties["DockerfilePath"].Value);
            Assert.Equal("Linux", o.Properties["OS"].Value);
            Assert.Equal("python:3.13-slim", o.Properties["BaseImage"].Value);
            Assert.Equal("Requirements", o.Properties["Install"].Value);
            Assert.Equal("main.py", o.Properties["Script"].Value);
            Assert.Equal(new[] { "python", "./main.py" }, (string[])o.Properties["Command"].Value);
            Assert.Equal("Created", o.Properties["DockerfileAction"].Value);
            Assert.Contains("FROM python:3.13-slim\n", File.ReadAllText(Path.Combine(app, "Dockerfile")));
            Assert.True(File.Exists(Path.Combine(app, ".dockerignore")));

            // Every parameter that the object should bind to is there, under its name.
            var build = s.Run("(Get-Command Invoke-PythonImageBuild).Parameters.Values | Where-Object { $_.ParameterSets.Values.ValueFromPipelineByPropertyName -contains $true } | ForEach-Object Name");
            var bound = build.Output.Select(x => (string)x.BaseObject).Intersect(o.Properties.Select(p => p.Name)).OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(new[] { "AppPath", "ContextPath", "DockerfilePath", "OS" }, bound);

            // Run again: nothing changes, no error.
            var again = Run("New-PythonAppDockerfile -Tag 3.13-slim", app);
            Assert.Empty(again.AllErrors);
            Assert.Equal("Unchanged", again.Output.Single().Properties["DockerfileAction"].Value);
        }

        [Fact]
        public void ExistingFilesAreKeptWithoutForceAndWhatIfWritesNothing()
        {
            string app = App("existing", ("app.py", "print(1)\n"), ("Dockerfile", "FROM mine\n"));
            var r = Run("New-PythonAppDockerfile", app);
            var error = Assert.Single(r.Errors);
            Assert.Equal("App.FileExists", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
            Assert.Contains("-Force", error.ErrorDetails.RecommendedAction);
            Assert.Equal("FROM mine\n", File.ReadAllText(Path.Combine(app, "Dockerfile")));
            Assert.False(File.Exists(Path.Combine(app, ".dockerignore")));

            var whatIf = Run("New-PythonAppDockerfile -Force -WhatIf", app);
            Assert.Empty(whatIf.AllErrors);
            Assert.Empty(whatIf.Output);
            Assert.Contains("Replace Dockerfile", whatIf.HostText);
            Assert.Contains("Create .dockerignore", whatIf.HostText);
            Assert.Equal("FROM mine\n", File.ReadAllText(Path.Combine(app, "Dockerfile")));

            var forced = Run("New-PythonAppDockerfile -Force", app);
            Assert.Empty(forced.AllErrors);
            Assert.Equal("Replaced", forced.Output.Single().Properties["DockerfileAction"].Value);
            Assert.StartsWith("# The image of a Python app", File.ReadAllText(Path.Combine(app, "Dockerfile")));
        }

        [Fact]
        public void ConfirmAsksOnceForThePairAndNoWritesNothing()
        {
            string app = App("confirm", ("app.py", "print(1)\n"));
            s.Host.Choices.Enqueue(2); // "No"
            var r = Run("New-PythonAppDockerfile -Confirm", app);
            Assert.Empty(r.AllErrors);
            Assert.Single(s.Host.Prompts);
            Assert.DoesNotContain(Directory.GetFiles(app), f => !f.EndsWith("app.py", StringComparison.Ordinal));
        }

        [Fact]
        public void PathsComeFromThePipelineAndEachFailsOnItsOwn()
        {
            string good = App("good", ("app.py", "print(1)\n"));
            string ambiguous = App("ambiguous", ("a.py", "1\n"), ("b.py", "2\n"));
            string empty = App("empty");
            var r = s.Run("$paths | New-PythonAppDockerfile -Tag alpine -User web", new Dictionary<string, object?> { ["paths"] = new[] { ambiguous, good, empty } });
            Assert.Equal(new[] { "App.AmbiguousEntryPoint", "App.NoEntryPoint" }, r.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
            var o = Assert.Single(r.Output);
            Assert.Equal(good, o.Properties["AppPath"].Value);
            Assert.Equal("web", o.Properties["User"].Value);
            Assert.Contains("RUN if ! id -u 'web' >/dev/null 2>&1; then if cut -d: -f1 /etc/group | grep -qxF -e 'web'; then adduser -D -s /sbin/nologin -G 'web' 'web'; else adduser -D -s /sbin/nologin 'web'; fi; elif ", File.ReadAllText(Path.Combine(good, "Dockerfile")));
            Assert.False(File.Exists(Path.Combine(ambiguous, "Dockerfile")));
            Assert.False(File.Exists(Path.Combine(empty, "Dockerfile")));
        }

        [Fact]
        public void AWindowsTagGivesTheWindowsForm()
        {
            string app = App("windows", ("app.py", "print(1)\n"));
            var r = Run("New-PythonAppDockerfile -Tag 3.14-windowsservercore-ltsc2025 -User app", app);
            Assert.Empty(r.AllErrors);
            Assert.Equal("Windows", r.Output.Single().Properties["OS"].Value);
            string text = File.ReadAllText(Path.Combine(app, "Dockerfile"));
            Assert.StartsWith("# escape=`\n", text);
            Assert.Contains("WORKDIR C:\\src\\app\n", text);
            Assert.Contains("RUN New-LocalUser -Name 'app' -NoPassword | Out-Null\n", text);
            Assert.Contains("CMD [\"python\", \"app.py\"]\n", text);
        }

        [Fact]
        public void TheDefaultViewIsATable()
        {
            string app = App("view", ("app.py", "print(1)\n"));
            var r = Run("New-PythonAppDockerfile | Out-Default", app);
            Assert.Empty(r.AllErrors);
            string header = r.HostText.Split('\n').First(l => l.Length > 0);
            Assert.StartsWith("Dockerfile", header);
            Assert.Contains("BaseImage", header);
            Assert.Contains("python:3 ", r.HostText);
            Assert.Contains("python ./app.py", r.HostText);
        }

        [Fact]
        public void TagsCompleteFromTheMatrix()
        {
            foreach (var command in new[] { "New-PythonAppDockerfile -Tag 3.13-sl", "Invoke-PythonContainer x.py -Tag 3.13-sl" })
            {
                var r = s.Run("(TabExpansion2 -inputScript $c -cursorColumn $c.Length).CompletionMatches | ForEach-Object CompletionText", new Dictionary<string, object?> { ["c"] = command });
                Assert.Equal(new[] { "3.13-slim", "3.13-slim-bookworm", "3.13-slim-trixie" }, r.Output.Select(o => (string)o.BaseObject).OrderBy(t => t, StringComparer.Ordinal));
            }
        }

        public void Dispose()
        {
            s.Dispose();
            try
            {
                Directory.Delete(root, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
