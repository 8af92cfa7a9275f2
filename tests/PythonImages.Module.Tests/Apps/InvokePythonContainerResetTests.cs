using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using PythonImages.Tests.Fakes;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Apps
{
    /// <summary>
    /// Invoke-PythonContainer against the loopback imitation of the engine, with pipeline input the script never reads: the
    /// engine ends the attach connection with a reset. After the exit that is the end of the output (the race once seen in
    /// CI in PipelineInputIsTheScriptsStdinLineByLine); while the container still runs it is a lost engine.
    /// </summary>
    public sealed class InvokePythonContainerResetTests
    {
        private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

        private static PsResult Run(FakeEngine fake, string extra)
        {
            using var folder = new TempDir();
            File.WriteAllText(folder.File("ignore.py"), "print('the fake engine runs nothing')\n");
            using var s = new ModuleSession();
            var run = Task.Run(() => s.Run(
                "$ExecutionContext.SessionState.Path.SetLocation($folder) > $null\n'line a', 'line b' | Invoke-PythonContainer ignore.py -Image python:3 -DockerHost $h -PassThru " + extra,
                new Dictionary<string, object?> { ["folder"] = folder.Path, ["h"] = fake.Host() }));
            Assert.True(run.Wait(Guard), "Invoke-PythonContainer did not end");
            return run.Result;
        }

        private static string[] Strings(PsResult r) => r.Output.Where(o => o.BaseObject is string).Select(o => (string)o.BaseObject).ToArray();

        [Fact]
        public void AResetAfterTheExitIsTheEndOfTheOutputAndTheExitCodeIsReported()
        {
            string? input = null;
            var container = new FakeContainerRun(async (run, c) =>
            {
                await run.Started;
                input = await c.ReadInputToEndAsync(); // so that the read of the output, not a write of the input, sees the reset
                await c.SendFrameAsync(1, "one\n");
                await c.SendFrameAsync(2, "a warning\n");
                await c.SendFrameAsync(1, "two\n");
                run.Exit(3);
                await run.WaitAnswered;
                c.Reset();
            });
            using var fake = new FakeEngine(container.Route);

            var r = Run(fake, string.Empty);

            Assert.Null(r.Terminating);
            Assert.Equal("line a\nline b\n", input);
            Assert.Equal(new[] { "one", "two" }, Strings(r));
            Assert.Equal("a warning", Assert.Single(r.Information).MessageData.ToString());
            var error = Assert.Single(r.Errors);
            Assert.Equal("PythonContainer.NonZeroExitCode,PythonImages.Commands.InvokePythonContainerCommand", error.FullyQualifiedErrorId);
            Assert.Equal(3L, (long)PSObject.AsPSObject(error.Exception).Properties["ExitCode"].Value);
            var result = r.Output.Last();
            Assert.Equal(3L, (long)result.Properties["ExitCode"].Value);
            Assert.True((bool)result.Properties["Removed"].Value);
            Assert.Contains(fake.Requests, q => q.Method == "DELETE" && q.Path == "/containers/" + FakeContainerRun.Id);
        }

        [Fact]
        public void AResetWhileTheContainerRunsIsTheLostEngineError()
        {
            var container = FakeContainerRun.ResetWhileRunning();
            using var fake = new FakeEngine(container.Route);

            var r = Run(fake, "-InactivityTimeout 2");

            var error = Assert.Single(r.AllErrors);
            Assert.Equal("PythonContainer.EngineUnavailable,PythonImages.Commands.InvokePythonContainerCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
            Assert.Equal($"Lost the connection to the engine at {fake.Host()} while reading the container's output: the engine closed the connection.", error.Exception.Message);
            Assert.Equal(new[] { "one" }, Strings(r));
            Assert.False(container.WaitAnswered.IsCompleted);
            Assert.Contains(fake.Requests, q => q.Method == "DELETE" && q.Path == "/containers/" + FakeContainerRun.Id && q.Query.Contains("force=1", StringComparison.Ordinal));
        }
    }
}
