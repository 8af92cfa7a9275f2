using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace PythonImages.Apps
{
    /// <summary>What writing one of an app's files does.</summary>
    public enum AppFileAction
    {
        /// <summary>The file does not exist and is created.</summary>
        Create,
        /// <summary>The file exists with other content and is replaced (-Force).</summary>
        Replace,
        /// <summary>The file exists with the same content and is left alone.</summary>
        Unchanged,
    }

    /// <summary>One file to write: where, what, and what is there now (kept for a roll-back).</summary>
    public sealed class AppFilePlan
    {
        internal AppFilePlan(string path, byte[] content, AppFileAction action, byte[]? previous)
        {
            Path = path;
            Content = content;
            Action = action;
            Previous = previous;
        }

        /// <summary>The file's full path.</summary>
        public string Path { get; }

        /// <summary>What is written (UTF-8, no BOM).</summary>
        public byte[] Content { get; }

        /// <summary>What writing it does.</summary>
        public AppFileAction Action { get; }

        internal byte[]? Previous { get; }
    }

    /// <summary>
    /// Writes an app's Dockerfile and .dockerignore as a pair: both are planned (and every conflict found) before either is
    /// written; each write is atomic (<see cref="AtomicFile"/>); a file that is there is never replaced without force (not
    /// even one that appears between the plan and the write), and when the second write fails the first is undone.
    /// </summary>
    public static class AppFiles
    {
        private static readonly Encoding Utf8NoBom = new UTF8Encoding(false);

        /// <summary>The largest replaced file kept in memory to be restored if the second write fails.</summary>
        private const long MaxRestoreBytes = 16 * 1024 * 1024;

        /// <summary>Plans the writes; throws <see cref="AppException"/> (App.FileExists, App.NotAFile, App.IOError) before anything is written.</summary>
        public static IReadOnlyList<AppFilePlan> Plan(string folder, RenderedApp rendered, bool force)
        {
            var plans = new List<AppFilePlan>();
            var conflicts = new List<string>();

            // .dockerignore first: while the Dockerfile is missing, nobody builds with a half-written pair.
            foreach (var (name, text) in new[] { (AppDockerfile.DockerignoreName, rendered.Dockerignore), (AppDockerfile.DockerfileName, rendered.Dockerfile) })
            {
                string path = Path.Combine(folder, name);
                byte[] content = Utf8NoBom.GetBytes(text);
                var kind = FileProbe.KindOf(path);
                if (kind == FileKind.Missing)
                {
                    plans.Add(new AppFilePlan(path, content, AppFileAction.Create, null));
                    continue;
                }

                if (kind != FileKind.Regular)
                {
                    throw new AppException(AppErrorIds.NotAFile, $"{path} is not a regular file ({kind}), so it is not replaced.",
                        $"Move {path} away and run the command again.", path, category: FailureCategory.ResourceExists);
                }

                byte[]? existing;
                bool same;
                try
                {
                    // Read only what can be the same file, or what a roll-back would restore (a Dockerfile is small).
                    long length = new FileInfo(path).Length;
                    existing = length == content.Length || (force && length <= MaxRestoreBytes) ? AtomicFile.ReadAllBytes(path) : null;
                    same = existing != null && existing.SequenceEqual(content);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw new AppException(ex is UnauthorizedAccessException ? AppErrorIds.AccessDenied : AppErrorIds.IOError,
                        $"{path} cannot be read: {ex.Message}", "Check that you may read and write the app folder, then run the command again.", path, ex,
                        ex is UnauthorizedAccessException ? (FailureCategory?)null : FailureCategory.ReadError);
                }

                if (same)
                {
                    plans.Add(new AppFilePlan(path, content, AppFileAction.Unchanged, existing));
                }
                else if (force)
                {
                    plans.Add(new AppFilePlan(path, content, AppFileAction.Replace, existing));
                }
                else
                {
                    conflicts.Add(path);
                }
            }

            if (conflicts.Count > 0)
            {
                throw new AppException(AppErrorIds.FileExists,
                    $"{string.Join(" and ", conflicts)} already exist{(conflicts.Count == 1 ? "s" : string.Empty)} with other content; nothing was written.",
                    "Pass -Force to replace " + (conflicts.Count == 1 ? "it" : "them") + " with the generated " + (conflicts.Count == 1 ? "file" : "files") + " (see -WhatIf first), or move " + (conflicts.Count == 1 ? "it" : "them") + " away.",
                    conflicts[0]);
            }

            return plans;
        }

        /// <summary>Writes the planned files in order; when one fails, those written before are restored and the failure is rethrown as <see cref="AppException"/>.</summary>
        public static void Commit(IReadOnlyList<AppFilePlan> plans)
        {
            var done = new List<AppFilePlan>();
            foreach (var plan in plans)
            {
                if (plan.Action == AppFileAction.Unchanged)
                {
                    continue;
                }

                try
                {
                    AtomicFile.WriteAllBytes(plan.Path, plan.Content, plan.Action == AppFileAction.Create ? AtomicWriteMode.CreateNew : AtomicWriteMode.Replace);
                    done.Add(plan);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    Undo(done);
                    bool appeared = plan.Action == AppFileAction.Create && File.Exists(plan.Path) && !(ex is UnauthorizedAccessException);
                    throw new AppException(
                        appeared ? AppErrorIds.FileExists : ex is UnauthorizedAccessException ? AppErrorIds.AccessDenied : AppErrorIds.IOError,
                        $"{plan.Path} could not be written: {ex.Message} Nothing was changed.",
                        appeared ? "The file appeared while the command ran; check it, then run again (with -Force to replace it)." : "Check that the app folder is writable, then run the command again.",
                        plan.Path,
                        ex);
                }
            }
        }

        private static void Undo(List<AppFilePlan> done)
        {
            foreach (var plan in Enumerable.Reverse(done))
            {
                try
                {
                    if (plan.Action == AppFileAction.Create)
                    {
                        File.Delete(plan.Path);
                    }
                    else if (plan.Previous != null)
                    {
                        AtomicFile.WriteAllBytes(plan.Path, plan.Previous, AtomicWriteMode.Replace);
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    // best effort: the error that caused the roll-back is what the user sees
                }
            }
        }
    }
}
