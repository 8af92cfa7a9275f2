using System;
using System.Collections.Generic;
using System.IO;
using PythonImages.Apps;
using Xunit;

namespace PythonImages.Tests.Apps
{
    public sealed class ScriptRunTests
    {
        [Fact]
        public void TheFolderIsMountedWhereTheDocumentationMountsItAndPythonRunsTheScript()
        {
            using var app = new AppTestFolder();
            string script = app.File("tools/my script.py");
            var linux = ScriptRun.Plan(app.Root, script, new[] { "--flag", "two words", string.Empty }, windows: false);
            Assert.Equal("/usr/src/myapp", linux.MountTarget);
            Assert.Equal(new[] { "python", "./tools/my script.py", "--flag", "two words", string.Empty }, linux.Command);
            Assert.Equal("tools/my script.py", linux.Script);

            var windows = ScriptRun.Plan(app.Root, script, null, windows: true);
            Assert.Equal("C:\\src", windows.MountTarget);
            Assert.Equal(new[] { "python", ".\\tools\\my script.py" }, windows.Command);
        }

        [Theory]
        [InlineData("-c")]
        [InlineData("--version")]
        [InlineData("it's $(touch pwned) `x` \"q\".py")]
        public void AnyNameReachesPythonAsOneLiteralArgumentNeverAsAnOption(string name)
        {
            using var app = new AppTestFolder();
            var run = ScriptRun.Plan(app.Root, app.File(name), null, windows: false);
            Assert.Equal("./" + name, run.Command[1]);
        }

        [Fact]
        public void AScriptOutsideTheFolderIsRefused()
        {
            using var app = new AppTestFolder();
            string inner = app.Folder("inner");
            string outside = app.File("outside.py");
            var ex = Assert.Throws<AppException>(() => ScriptRun.Plan(inner, outside, null, false));
            Assert.Equal("PythonContainer.ScriptOutsidePath", ex.ErrorId);
            Assert.Contains(app.Root, ex.RecommendedAction);
        }

        [Fact]
        public void MissingScriptsFoldersAndControlCharactersAreRefused()
        {
            using var app = new AppTestFolder();
            string dir = app.Folder("dir");
            string tabbed = app.File("tab\there.py");
            Assert.Equal("PythonContainer.ScriptNotFound", Assert.Throws<AppException>(() => ScriptRun.Plan(app.Root, Path.Combine(app.Root, "nope.py"), null, false)).ErrorId);
            Assert.Equal("PythonContainer.InvalidScript", Assert.Throws<AppException>(() => ScriptRun.Plan(app.Root, dir, null, false)).ErrorId);
            var ex = Assert.Throws<AppException>(() => ScriptRun.Plan(app.Root, tabbed, null, false));
            Assert.Equal("PythonContainer.InvalidScript", ex.ErrorId);
            Assert.DoesNotContain("\t", ex.Message);
            Assert.Equal("PythonContainer.PathNotFound", Assert.Throws<AppException>(() => ScriptRun.Plan(Path.Combine(app.Root, "nope"), tabbed, null, false)).ErrorId);
            Assert.Equal("PythonContainer.InvalidPath", Assert.Throws<AppException>(() => ScriptRun.Plan(tabbed, tabbed, null, false)).ErrorId);
        }

        [Fact]
        public void ArgumentsMayHoldAnythingButNul()
        {
            Assert.Equal("a\nb $(x) 'y'", ScriptRun.CheckArgument("a\nb $(x) 'y'", 0));
            var ex = Assert.Throws<AppException>(() => ScriptRun.CheckArgument("a\0b", 1));
            Assert.Equal("PythonContainer.InvalidArgument", ex.ErrorId);
            Assert.Contains("Argument 2", ex.Message);
            Assert.Equal("PythonContainer.InvalidArgument", Assert.Throws<AppException>(() => ScriptRun.CheckArgument(null, 0)).ErrorId);
        }

        /// <summary>
        /// An argument may hold anything but NUL, but the messages that show the command (-WhatIf, verbose, the exit error)
        /// must not pass a control character on to the terminal or log: an escape sequence, a line break that forges a log
        /// line, or a bidirectional override that shows the words in another order.
        /// </summary>
        [Fact]
        public void TheCommandIsShownWordByWordWithControlCharactersEscaped()
        {
            using var app = new AppTestFolder();
            var run = ScriptRun.Plan(app.Root, app.File("my app.py"), new[] { "--flag", "x\u001b]0;owned\u0007y", "l1\nVERBOSE: forged", "it's", "$HOME", "a\u202Eb", "\u009b2J", string.Empty }, windows: false);
            string shown = ScriptRun.Display(run.Command);
            Assert.Equal("python './my app.py' --flag \"x`e]0;owned`ay\" \"l1`nVERBOSE: forged\" 'it''s' '$HOME' \"a`u{202E}b\" \"`u{009B}2J\" ''", shown);
            Assert.DoesNotContain(shown, c => char.IsControl(c) || c == '\u202E');
            Assert.StartsWith(shown, run.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void EnvironmentNamesFollowTheGrammarAndValuesAreNeverShown()
        {
            var ok = ScriptRun.CheckEnvironment(new[] { KV("APP_MODE", "multi\nline"), KV("_x1", null) });
            Assert.Equal("multi\nline", ok["APP_MODE"]);
            Assert.Equal(string.Empty, ok["_x1"]);

            foreach (var bad in new[] { "A B", "1X", "X=Y", "X\n", "$(id)", string.Empty })
            {
                Assert.Equal("PythonContainer.InvalidEnvironment", Assert.Throws<AppException>(() => ScriptRun.CheckEnvironment(new[] { KV(bad, "v") })).ErrorId);
            }

            var secret = Assert.Throws<AppException>(() => ScriptRun.CheckEnvironment(new[] { KV("TOKEN", "hunter2\0") }));
            Assert.DoesNotContain("hunter2", secret.Message);
            Assert.DoesNotContain("hunter2", secret.Target);
        }

        [Fact]
        public void DefaultNamesAreValidContainerNamesAndUnique()
        {
            var a = ScriptRun.DefaultName();
            Assert.True(PythonImages.Security.AppGrammar.ContainerName.IsMatch(a));
            Assert.NotEqual(a, ScriptRun.DefaultName());
        }

        private static KeyValuePair<string, string?> KV(string k, string? v) => new KeyValuePair<string, string?>(k, v);
    }
}
