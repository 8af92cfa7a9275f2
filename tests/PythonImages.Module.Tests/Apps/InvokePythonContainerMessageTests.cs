using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Apps
{
    /// <summary>What Invoke-PythonContainer shows about a run before any engine is contacted (-WhatIf): no engine needed.</summary>
    public sealed class InvokePythonContainerMessageTests : IDisposable
    {
        private readonly string root = Path.Combine(Path.GetTempPath(), "r14-run-msg-" + Guid.NewGuid().ToString("N")[..8]);
        private readonly ModuleSession s = new ModuleSession();

        public InvokePythonContainerMessageTests()
        {
            Directory.CreateDirectory(root);
            File.WriteAllText(Path.Combine(root, "hello.py"), "print('hello')\n");
        }

        /// <summary>
        /// An argument may hold anything but NUL (it is a program's argument), but the -WhatIf message must not pass an escape
        /// sequence, a BEL or a line break on to the terminal: a hostile argument (from a file, say) could retitle the
        /// terminal, clear it, or forge a line of its own. Such words are shown as PowerShell double-quoted strings with
        /// backtick escapes, and a word with a space stays one quoted word.
        /// </summary>
        [Fact]
        public void WhatIfShowsArgumentsWithControlCharactersEscaped()
        {
            var r = s.Run(
                "$ExecutionContext.SessionState.Path.SetLocation($folder) > $null\n" +
                "Invoke-PythonContainer hello.py -ArgumentList $arguments -DockerHost \"unix://$folder/none.sock\" -WhatIf",
                new Dictionary<string, object?>
                {
                    ["folder"] = root,
                    ["arguments"] = new[] { "x\u001b]0;owned\u0007", "two words", "l1\nWhat if: forged", "\u009b2J" },
                });
            Assert.Empty(r.AllErrors);
            Assert.Contains("python ./hello.py \"x`e]0;owned`a\" 'two words' \"l1`nWhat if: forged\" \"`u{009B}2J\" with " + root, r.HostText);
            Assert.DoesNotContain(r.HostText, c => c == '\u001b' || c == '\u0007' || c == '\u009b');
            Assert.DoesNotContain("\nWhat if: forged", r.HostText);
        }

        public void Dispose()
        {
            s.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }
}
