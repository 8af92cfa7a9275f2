using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;
using PythonImages.Apps;
using PythonImages.Security;

namespace PythonImages.Engine
{
    /// <summary>Interactive container runs and image pulls over Docker.DotNet (Invoke-PythonContainer).</summary>
    internal sealed partial class DockerEngine
    {
        /// <summary>The label that marks a container created by <see cref="RunAttachedAsync"/> with the run's own id, so that
        /// a create cancelled before its answer is cleaned up by name without ever touching somebody else's container.</summary>
        internal const string RunIdLabel = "org.pythonimages.run-id";

        /// <summary>How long the engine has to report a container's exit after the container's output failed (a reset).</summary>
        private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(30);

        public async Task PullImageAsync(string reference, IProgress<PullEvent>? events, CancellationToken cancellationToken)
        {
            var parsed = ImageReference.Parse(reference, PythonContainerErrorIds.InvalidImage);
            var docker = await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
            var parameters = new ImagesCreateParameters
            {
                FromImage = parsed.Repository,
                Tag = parsed.Digest ?? parsed.Tag ?? "latest",
            };

            string? error = null;
            var limit = InactivityTimeout;
            using var watchdog = new InactivityWatchdog(limit, cancellationToken);
            var progress = new SyncProgress<JSONMessage>(message =>
            {
                watchdog.Touch();
                if (message.Error != null && !string.IsNullOrEmpty(message.Error.Message))
                {
                    error = Redaction.UrlUserInfo(message.Error.Message!);
                    return;
                }

                if (!string.IsNullOrEmpty(message.Status))
                {
                    events?.Report(new PullEvent(
                        string.IsNullOrEmpty(message.ID) ? null : message.ID,
                        message.Status!,
                        message.Progress?.Current ?? 0,
                        message.Progress?.Total ?? 0));
                }
            });

            string what = "pulling " + parsed;
            try
            {
                await watchdog.RunAsync(async token =>
                {
                    await docker.Images.CreateImageAsync(parameters, new AuthConfig(), progress, token).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
            }
            catch (InactivityTimeoutException)
            {
                throw Stalled(what, limit);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw Translate(ex, what, cancellationToken);
            }

            if (error != null)
            {
                throw new EngineRequestException(Endpoint, 0, $"The engine at {Endpoint} could not pull {parsed}: {error}");
            }
        }

        public async Task<AttachedRunResult> RunAttachedAsync(AttachedRunRequest request, IContainerStreams streams, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(request.Name))
            {
                throw new ArgumentException("A container run needs a name.", nameof(request));
            }

            var limit = request.InactivityTimeout ?? InactivityTimeout;
            string runId = Guid.NewGuid().ToString("N");
            var create = CreateParameters(request, runId);

            var watch = Stopwatch.StartNew();
            var result = new AttachedRunResult { Name = request.Name };
            string? id = null;
            bool exited = false;
            MultiplexedStream? stream = null;
            try
            {
                var created = await CallAsync("creating the container", (d, ct) => d.Containers.CreateContainerAsync(create, ct), cancellationToken, limit).ConfigureAwait(false);
                id = created.ID;
                result.Id = id;
                streams.Created(id);

                var attach = new ContainerAttachParameters { Stream = true, Stdin = request.Stdin, Stdout = true, Stderr = true };
                stream = await CallAsync("attaching to the container", (d, ct) => d.Containers.AttachContainerAsync(id, attach, ct), cancellationToken, limit).ConfigureAwait(false);
                await CallAsync(
                    "starting the container",
                    async (d, ct) =>
                    {
                        await d.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct).ConfigureAwait(false);
                        return true;
                    },
                    cancellationToken,
                    limit).ConfigureAwait(false);

                if (request.Tty && request.TtyWidth > 0 && request.TtyHeight > 0)
                {
                    await ResizeQuietlyAsync(id, request.TtyWidth, request.TtyHeight, limit, cancellationToken).ConfigureAwait(false);
                }

                using var io = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var attached = stream;
                var reader = Task.Run(() => ReadAttachedAsync(attached, streams, io.Token), CancellationToken.None);
                var writer = request.Stdin ? Task.Run(() => WriteAttachedAsync(attached, streams, io.Token), CancellationToken.None) : Task.FromResult<Exception?>(null);
                try
                {
                    // The engine is asked about the container while it runs: a quiet container is fine, a silent engine is not.
                    long exitCode = await WaitUnlessOutputLostAsync(id, reader, writer, limit, cancellationToken).ConfigureAwait(false);
                    exited = true;
                    result.ExitCode = exitCode;

                    // Everything the container wrote is read before the result is given (the stream ends after the exit).
                    var drained = await Task.WhenAny(reader, Task.Delay(limit, cancellationToken)).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (drained == reader && reader.IsFaulted && !(request.Stdin && IsConnectionReset(reader.Exception!)))
                    {
                        throw Translate(reader.Exception!.GetBaseException(), "reading the container's output", cancellationToken);
                    }
                }
                finally
                {
                    io.Cancel();
                    Observe(reader);
                    Observe(writer);
                }

                result.Duration = watch.Elapsed;
                return result;
            }
            finally
            {
                stream?.Dispose();
                result.Removed = await CleanUpAsync(request, id, runId, exited, limit).ConfigureAwait(false);
            }
        }

        /// <summary>The engine's create parameters for an attached run, labelled with the run's own id.</summary>
        private static CreateContainerParameters CreateParameters(AttachedRunRequest request, string runId)
        {
            var labels = new Dictionary<string, string>(request.Labels) { [RunIdLabel] = runId };
            return new CreateContainerParameters
            {
                Image = request.Image,
                Name = request.Name,
                Cmd = request.Command?.ToList()!,
                Env = request.Environment.Select(kv => kv.Key + "=" + kv.Value).ToList(),
                WorkingDir = OrNull(request.WorkingDirectory),
                Labels = labels,
                Tty = request.Tty,
                OpenStdin = request.Stdin,
                StdinOnce = request.Stdin,
                AttachStdin = request.Stdin,
                AttachStdout = true,
                AttachStderr = true,
                HostConfig = new HostConfig
                {
                    NetworkMode = OrNull(request.NetworkMode),
                    Mounts = request.Mounts.Select(m => new Mount { Type = "bind", Source = m.Source, Target = m.Target, ReadOnly = m.ReadOnly }).ToList(),
                },
            };
        }

        /// <summary>
        /// Waits for the container to exit and gives its exit code. The engine ends the output as the program exits, a moment
        /// before it reports the exit, with a reset when the program left input unread (seen by the read of the output, or
        /// by a write of the input that came first). An output that ends first leaves the engine <see cref="ExitGrace"/> (at
        /// most the inactivity limit) to report the exit; if it has not by then and the output failed, the connection was
        /// lost and the run fails, rather than wait in silence for an exit that the output would never show.
        /// </summary>
        private async Task<long> WaitUnlessOutputLostAsync(string id, Task reader, Task<Exception?> writer, TimeSpan limit, CancellationToken cancellationToken)
        {
            using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var waiting = WaitAsync(id, TimeSpan.MaxValue, limit, waitCts.Token);
            try
            {
                if (await Task.WhenAny(waiting, reader).ConfigureAwait(false) == reader)
                {
                    var grace = limit < ExitGrace ? limit : ExitGrace;
                    if (await Task.WhenAny(waiting, Task.Delay(grace, waitCts.Token)).ConfigureAwait(false) != waiting)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var lost = reader.IsFaulted ? reader.Exception!.GetBaseException()
                            : writer.Status == System.Threading.Tasks.TaskStatus.RanToCompletion && writer.Result != null && IsConnectionReset(writer.Result) ? writer.Result.GetBaseException()
                            : null;
                        if (lost != null)
                        {
                            throw Translate(lost, "reading the container's output", cancellationToken);
                        }

                        // An orderly end of the output: the program closed its stdout and stderr, and runs on.
                    }
                }

                return (await waiting.ConfigureAwait(false)).ExitCode;
            }
            finally
            {
                waitCts.Cancel();
                Observe(waiting);
            }
        }

        /// <summary>
        /// Whether the attach connection was reset by the engine. When a container exits before it has read all of its
        /// input, the engine closes the connection with that input still unread, and the socket reports a reset instead of
        /// the end of the stream; everything the container wrote was delivered before it (the reset comes after the queued
        /// data), so after the exit it is the end of the output, not a lost engine.
        /// </summary>
        private static bool IsConnectionReset(Exception ex)
        {
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (e is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
                {
                    return IsConnectionReset(aggregate.InnerExceptions[0]);
                }

                if (e is System.Net.Sockets.SocketException socket
                    && (socket.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionReset || socket.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionAborted))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Reports the container's output until the engine ends the stream.</summary>
        private static async Task ReadAttachedAsync(MultiplexedStream stream, IContainerStreams streams, CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read.EOF || read.Count == 0)
                {
                    return;
                }

                streams.Output(read.Target == MultiplexedStream.TargetStream.StandardError ? ContainerStreamKind.StdErr : ContainerStreamKind.StdOut, buffer, 0, read.Count);
            }
        }

        /// <summary>
        /// Copies the caller's input to the container's stdin, then closes it (the program sees end of input). Gives null,
        /// or the failure that ended the input early.
        /// </summary>
        private static async Task<Exception?> WriteAttachedAsync(MultiplexedStream stream, IContainerStreams streams, CancellationToken cancellationToken)
        {
            try
            {
                while (true)
                {
                    var chunk = await streams.ReadInputAsync(cancellationToken).ConfigureAwait(false);
                    if (chunk == null)
                    {
                        break;
                    }

                    if (chunk.Length > 0)
                    {
                        await stream.WriteAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false);
                    }
                }

                stream.CloseWrite();
                return null;
            }
            catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException || ex is System.Net.Sockets.SocketException)
            {
                // The program stopped reading (it exited, or closed its stdin): the rest of the input has nowhere to go, as with a
                // closed pipe. A reset seen here is not seen by the read of the output, which then ends as if in order.
                return ex;
            }
        }

        private async Task ResizeQuietlyAsync(string id, int width, int height, TimeSpan limit, CancellationToken cancellationToken)
        {
            try
            {
                await CallAsync(
                    "resizing the container's terminal",
                    async (d, ct) =>
                    {
                        await d.Containers.ResizeContainerTtyAsync(id, new ContainerResizeParameters { Width = width, Height = height }, ct).ConfigureAwait(false);
                        return true;
                    },
                    cancellationToken,
                    limit).ConfigureAwait(false);
            }
            catch (EngineRequestException)
            {
                // The program may already have exited; the terminal keeps the engine's default size.
            }
        }

        /// <summary>
        /// Removes the container (or, when it is kept, stops it if it may still run), with a bounded last chance when the
        /// engine is slow. A create that was cancelled before its answer is looked up by name and removed only if it carries
        /// this run's id. Returns whether the container is gone.
        /// </summary>
        private async Task<bool> CleanUpAsync(AttachedRunRequest request, string? id, string runId, bool exited, TimeSpan limit)
        {
            var cleanup = limit < EngineTimeouts.MaxCleanup ? limit : EngineTimeouts.MaxCleanup;
            try
            {
                if (id == null)
                {
                    return await RemoveInterruptedAsync(request.Name, runId, cleanup).ConfigureAwait(false);
                }

                if (request.KeepContainer)
                {
                    if (!exited)
                    {
                        await KillQuietlyAsync(id, cleanup).ConfigureAwait(false);
                    }

                    return false;
                }

                return await CallAsync(
                    "removing the container",
                    async (d, ct) =>
                    {
                        try
                        {
                            await d.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct).ConfigureAwait(false);
                        }
                        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                        {
                            // already gone
                        }

                        return true;
                    },
                    CancellationToken.None,
                    cleanup).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is EngineStalledException || ex is EngineUnavailableException || ex is EngineRequestException)
            {
                return false; // the engine is gone, stalled or refused: nothing more can be done from here
            }
        }

        /// <summary>A create that was cancelled before its answer: the container of that name is removed only if it carries the run's id.</summary>
        private Task<bool> RemoveInterruptedAsync(string name, string runId, TimeSpan cleanup)
        {
            return CallAsync(
                "removing a container whose creation was interrupted",
                async (d, ct) =>
                {
                    ContainerInspectResponse found;
                    try
                    {
                        found = await d.Containers.InspectContainerAsync(name, ct).ConfigureAwait(false);
                    }
                    catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                    {
                        return true; // never created
                    }

                    if (found.Config?.Labels == null || !found.Config.Labels.TryGetValue(RunIdLabel, out var label) || label != runId)
                    {
                        return true; // somebody else's container with that name: not ours to remove
                    }

                    await d.Containers.RemoveContainerAsync(found.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct).ConfigureAwait(false);
                    return true;
                },
                CancellationToken.None,
                cleanup);
        }

        /// <summary>Stops a kept container that may still run (one that is not running any more is fine).</summary>
        private Task KillQuietlyAsync(string id, TimeSpan cleanup) =>
            KillQuietlyAsync(id, "stopping the container", cleanup, CancellationToken.None);

        /// <summary>
        /// Kills container <paramref name="id"/>, as <paramref name="operation"/> within <paramref name="limit"/>; a container
        /// that is not running (any more) is no error.
        /// </summary>
        private async Task KillQuietlyAsync(string id, string operation, TimeSpan limit, CancellationToken cancellationToken)
        {
            await CallAsync(
                operation,
                async (d, ct) =>
                {
                    try
                    {
                        await d.Containers.KillContainerAsync(id, new ContainerKillParameters(), ct).ConfigureAwait(false);
                    }
                    catch (DockerApiException)
                    {
                        // not running (any more)
                    }

                    return true;
                },
                cancellationToken,
                limit).ConfigureAwait(false);
        }

        private static void Observe(Task task) =>
            _ = task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
