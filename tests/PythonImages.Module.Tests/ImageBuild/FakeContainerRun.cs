using System;
using System.Threading;
using System.Threading.Tasks;

namespace PythonImages.Tests.Fakes
{
    /// <summary>
    /// The engine's side of one attached container run, as routes for <see cref="FakeEngine"/>: any image is there (a
    /// linux/amd64 one), create answers the id
    /// <see cref="Id"/>, attach hands its upgraded connection to the test's script, start and remove succeed, inspect says
    /// the container runs until <see cref="Exit"/>, and the wait answers only then (never, if the test never calls it).
    /// The script decides what the container writes and when the attach connection ends: in order or with a reset,
    /// before or after the wait has answered.
    /// </summary>
    internal sealed class FakeContainerRun
    {
        public const string Id = "fakeid";

        private readonly TaskCompletionSource<long> exit = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource waitAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<Exception?> attachEnded = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Func<FakeContainerRun, FakeHijackedConnection, Task> attach;

        public FakeContainerRun(Func<FakeContainerRun, FakeHijackedConnection, Task> attach) => this.attach = attach;

        /// <summary>
        /// A run whose engine goes on saying the container runs (its wait never answers): once started, it reads the input
        /// to its end, sends "one\n" on stdout and resets the attach connection.
        /// </summary>
        public static FakeContainerRun ResetWhileRunning() => new FakeContainerRun(async (run, c) =>
        {
            await run.Started;
            await c.ReadInputToEndAsync();
            await c.SendFrameAsync(1, "one\n");
            c.Reset();
        });

        /// <summary>Completes when the client has asked to start the container.</summary>
        public Task Started => started.Task;

        /// <summary>Completes once the answer to the wait (the exit code) has been sent.</summary>
        public Task WaitAnswered => waitAnswered.Task;

        /// <summary>Completes when the attach script has ended, with its exception if it failed (null otherwise).</summary>
        public Task<Exception?> AttachEnded => attachEnded.Task;

        /// <summary>The container exits with <paramref name="code"/>: inspect says so, and the wait answers.</summary>
        public void Exit(long code) => exit.TrySetResult(code);

        /// <summary>The routes of a run (everything else is a 404 in the engine's words).</summary>
        public FakeResponse Route(FakeRequest r)
        {
            const string Container = "/containers/" + Id;
            if (r.Method == "GET" && r.Path.StartsWith("/images/", StringComparison.Ordinal) && r.Path.EndsWith("/json", StringComparison.Ordinal))
            {
                return FakeResponse.Json("{\"Id\":\"sha256:" + new string('7', 64) + "\",\"Os\":\"linux\",\"Architecture\":\"amd64\",\"Config\":{\"Cmd\":[\"python3\"]}}");
            }

            switch (r.Method, r.Path)
            {
                case ("POST", "/containers/create"):
                    return FakeResponse.Json("{\"Id\":\"" + Id + "\",\"Warnings\":[]}", 201);
                case ("POST", Container + "/attach"):
                    return new FakeResponse { Hijack = RunAttachAsync };
                case ("POST", Container + "/start"):
                    started.TrySetResult();
                    return new FakeResponse { Status = 204 };
                case ("POST", Container + "/wait"):
                    return new FakeResponse { DeferredBody = WaitBodyAsync(), Answered = () => waitAnswered.TrySetResult() };
                case ("GET", Container + "/json"):
                    return FakeResponse.Json(Inspect());
                case ("POST", Container + "/kill"):
                case ("DELETE", Container):
                    return new FakeResponse { Status = 204 };
                default:
                    return FakeResponse.Json("{\"message\":\"not implemented by the test engine\"}", 404);
            }
        }

        private async Task<string> WaitBodyAsync() => "{\"StatusCode\":" + await exit.Task + "}";

        private string Inspect() => exit.Task.IsCompleted
            ? "{\"Id\":\"" + Id + "\",\"State\":{\"Status\":\"exited\",\"Running\":false,\"ExitCode\":" + exit.Task.Result + "},\"Config\":{\"Tty\":false}}"
            : "{\"Id\":\"" + Id + "\",\"State\":{\"Status\":\"running\",\"Running\":true},\"Config\":{\"Tty\":false}}";

        private async Task RunAttachAsync(FakeHijackedConnection connection)
        {
            try
            {
                await attach(this, connection);
                attachEnded.TrySetResult(null);
            }
            catch (Exception ex)
            {
                attachEnded.TrySetResult(ex);
                throw;
            }
        }
    }
}
