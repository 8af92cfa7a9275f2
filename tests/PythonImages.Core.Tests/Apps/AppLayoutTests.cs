using System;
using System.IO;
using System.Linq;
using PythonImages.Apps;
using Xunit;

namespace PythonImages.Tests.Apps
{
    public sealed class AppLayoutTests
    {
        private static AppException Fails(Action action) => Assert.Throws<AppException>(action);

        [Theory]
        [InlineData(false, false, AppInstall.None)]
        [InlineData(true, false, AppInstall.Requirements)]
        [InlineData(false, true, AppInstall.Project)]
        [InlineData(true, true, AppInstall.RequirementsAndProject)]
        public void InstallFollowsTheFilesPresent(bool requirements, bool project, AppInstall expected)
        {
            using var app = new AppTestFolder();
            app.File("main.py");
            if (requirements)
            {
                app.File("requirements.txt", "requests\n");
            }

            if (project)
            {
                app.File("pyproject.toml", "[project]\nname = 'x'\n");
            }

            var layout = AppLayout.Inspect(app.Root, null, null);
            Assert.Equal(expected, layout.Install);
            Assert.Equal(EntryPointKind.Script, layout.EntryPoint.Kind);
            Assert.Equal("main.py", layout.EntryPoint.Value);
        }

        [Fact]
        public void TheOnlyTopLevelScriptIsTheEntryPointAndPackagingScriptsDoNotCount()
        {
            using var app = new AppTestFolder();
            app.File("server.py");
            app.File("setup.py");
            app.File("conftest.py");
            app.File(".hidden.py");
            app.File("lib/helper.py");
            app.File("notes.txt");
            Assert.Equal("server.py", AppLayout.Inspect(app.Root, null, null).EntryPoint.Value);
        }

        [Fact]
        public void SeveralScriptsAreAmbiguousAndEveryCandidateIsListedWithControlCharactersEscaped()
        {
            using var app = new AppTestFolder();
            app.File("app.py");
            app.File("worker.py");
            app.File("odd\u001bname.py");
            var ex = Fails(() => AppLayout.Inspect(app.Root, null, null));
            Assert.Equal("App.AmbiguousEntryPoint", ex.ErrorId);
            Assert.Equal(FailureCategory.InvalidOperation, ex.Category);
            Assert.Contains("'app.py'", ex.Message);
            Assert.Contains("'worker.py'", ex.Message);
            Assert.Contains("'odd\\u001Bname.py'", ex.Message);
            Assert.False(ex.Message.Contains('\u001b', System.StringComparison.Ordinal), ex.Message);
            Assert.Contains("-Script", ex.RecommendedAction);
        }

        [Fact]
        public void AFolderWithoutScriptsNeedsAnEntryPoint()
        {
            using var app = new AppTestFolder();
            app.File("requirements.txt", "flask\n");
            app.File("pkg/__main__.py");
            var ex = Fails(() => AppLayout.Inspect(app.Root, null, null));
            Assert.Equal("App.NoEntryPoint", ex.ErrorId);
            Assert.Equal(FailureCategory.ObjectNotFound, ex.Category);

            // a module needs no file at the top
            var layout = AppLayout.Inspect(app.Root, null, "pkg");
            Assert.Equal(EntryPointKind.Module, layout.EntryPoint.Kind);
            Assert.Equal("pkg", layout.EntryPoint.Value);
        }

        [Theory]
        [InlineData("it's.py")]
        [InlineData("$(touch pwned).py")]
        [InlineData("a b.py")]
        [InlineData("-c.py")]
        [InlineData("tab\there.py")]
        [InlineData("new\nline.py")]
        public void AnOnlyScriptWithAnUnsafeNameIsRefusedNotWritten(string name)
        {
            using var app = new AppTestFolder();
            app.File(name);
            var ex = Fails(() => AppLayout.Inspect(app.Root, null, null));
            Assert.Equal("App.UnsafeFileName", ex.ErrorId);
            Assert.Equal(FailureCategory.InvalidData, ex.Category);
            Assert.DoesNotContain("\n", ex.Message.Replace(Environment.NewLine, string.Empty));
            Assert.DoesNotContain("\t", ex.Message);
        }

        [Fact]
        public void ScriptIsRelativeToTheFolderAndMayBeNested()
        {
            using var app = new AppTestFolder();
            app.File("a.py");
            app.File("b.py");
            app.File("tools/run.py");
            Assert.Equal("b.py", AppLayout.Inspect(app.Root, "b.py", null).EntryPoint.Value);
            Assert.Equal("b.py", AppLayout.Inspect(app.Root, "./b.py", null).EntryPoint.Value);
            Assert.Equal("tools/run.py", AppLayout.Inspect(app.Root, "tools/run.py", null).EntryPoint.Value);
            Assert.Equal("tools/run.py", AppLayout.Inspect(app.Root, Path.Combine(app.Root, "tools", "run.py"), null).EntryPoint.Value);
        }

        [Theory]
        [InlineData("../outside.py", "App.InvalidScript")]
        [InlineData("/etc/passwd", "App.InvalidScript")]
        [InlineData("missing.py", "App.ScriptNotFound")]
        [InlineData("a b.py", "App.InvalidScript")]
        [InlineData("x'y.py", "App.InvalidScript")]
        [InlineData("$(id).py", "App.InvalidScript")]
        [InlineData("-m.py", "App.InvalidScript")]
        [InlineData("notes.txt", "App.InvalidScript")]
        [InlineData("sub", "App.InvalidScript")]
        [InlineData("dir.py", "App.NotAFile")]
        public void BadScriptsAreRefused(string script, string errorId)
        {
            using var app = new AppTestFolder();
            app.File("a b.py");
            app.File("x'y.py");
            app.File("$(id).py");
            app.File("-m.py");
            app.File("notes.txt", "x");
            app.Folder("sub");
            app.Folder("dir.py");
            Assert.Equal(errorId, Fails(() => AppLayout.Inspect(app.Root, script, null)).ErrorId);
        }

        [Theory]
        [InlineData("app")]
        [InlineData("my_app.server")]
        [InlineData("_private")]
        public void ModulesFollowPythonsDottedNames(string module)
        {
            using var app = new AppTestFolder();
            Assert.Equal(module, AppLayout.Inspect(app.Root, null, module).EntryPoint.Value);
        }

        [Theory]
        [InlineData("1app")]
        [InlineData("a..b")]
        [InlineData("a.")]
        [InlineData("os; rm -rf /")]
        [InlineData("app\nRUN id")]
        [InlineData("-m")]
        [InlineData("app-server")]
        public void BadModulesAreRefused(string module)
        {
            using var app = new AppTestFolder();
            var ex = Fails(() => AppLayout.Inspect(app.Root, null, module));
            Assert.Equal("App.InvalidModule", ex.ErrorId);
            Assert.Equal(FailureCategory.InvalidArgument, ex.Category);
        }

        [Fact]
        public void RequirementsThatIsNotAFileIsRefused()
        {
            using var app = new AppTestFolder();
            app.File("main.py");
            app.Folder("requirements.txt");
            Assert.Equal("App.NotAFile", Fails(() => AppLayout.Inspect(app.Root, null, null)).ErrorId);
        }

        [Fact]
        public void AMissingFolderAndAFileAreRefused()
        {
            using var app = new AppTestFolder();
            string file = app.File("main.py");
            Assert.Equal("App.PathNotFound", Fails(() => AppLayout.Inspect(Path.Combine(app.Root, "nope"), null, null)).ErrorId);
            Assert.Equal("App.InvalidPath", Fails(() => AppLayout.Inspect(file, null, null)).ErrorId);
        }

        [Fact]
        public void VirtualEnvironmentsAreFoundByTheirPyvenvCfgAndOnlySafeNamesAreKept()
        {
            using var app = new AppTestFolder();
            app.File("main.py");
            app.File("env-3.12/pyvenv.cfg", "home = /usr/bin\n");
            app.File(".venv/pyvenv.cfg", "home = /usr/bin\n");        // already in the standard list
            app.File("my env/pyvenv.cfg", "home = /usr/bin\n");       // a space: not written
            app.File("*glob/pyvenv.cfg", "home = /usr/bin\n");        // a pattern character: not written
            app.File("src/pyvenv.txt", "not a venv\n");
            var layout = AppLayout.Inspect(app.Root, null, null);
            Assert.Equal(new[] { "env-3.12" }, layout.VirtualEnvironments);
            Assert.Equal(new[] { "*glob", "my env" }, layout.SkippedVirtualEnvironments.OrderBy(s => s, StringComparer.Ordinal));
        }
    }
}
