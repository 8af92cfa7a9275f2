using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using PythonImages.Engine.Registry;
using PythonImages.Security;

namespace PythonImages.Engine
{
    /// <summary>What to push: one tag of a repository on its registry.</summary>
    public sealed class EnginePushRequest
    {
        /// <summary>registry/path, e.g. localhost:5000/library/python.</summary>
        public string Repository { get; set; } = string.Empty;

        /// <summary>The tag to push.</summary>
        public string Tag { get; set; } = string.Empty;

        /// <summary>The registry as the login names it (host[:port], or https://index.docker.io/v1/).</summary>
        public string ServerAddress { get; set; } = string.Empty;

        /// <summary>The login sent to the engine as X-Registry-Auth (null: anonymous).</summary>
        public RegistryCredential? Credential { get; set; }

        /// <summary>No progress for this long stalls the push (null: the engine's inactivity timeout).</summary>
        public TimeSpan? InactivityTimeout { get; set; }
    }

    /// <summary>One progress message of a push: a layer's state ("Preparing", "Pushing", "Pushed", "Layer already exists") and bytes.</summary>
    public sealed class PushEvent
    {
        /// <summary>A progress message.</summary>
        public PushEvent(string layer, string status, long current, long total)
        {
            Layer = layer;
            Status = status;
            Current = current;
            Total = total;
        }

        /// <summary>The layer (short id), empty for a message about the whole push.</summary>
        public string Layer { get; }

        /// <summary>What the engine says about it.</summary>
        public string Status { get; }

        /// <summary>Bytes sent so far (0 when unknown).</summary>
        public long Current { get; }

        /// <summary>Bytes in all (0 when unknown).</summary>
        public long Total { get; }
    }

    /// <summary>The outcome of one push.</summary>
    public sealed class EnginePushResult
    {
        /// <summary>Whether the engine pushed the tag.</summary>
        public bool Succeeded { get; set; }

        /// <summary>The engine's error, when it did not (never a secret: the engine does not echo the login).</summary>
        public string? ErrorMessage { get; set; }

        /// <summary>Layers the registry already had.</summary>
        public int LayersPresent { get; set; }

        /// <summary>Layers sent.</summary>
        public int LayersPushed { get; set; }

        /// <summary>The digest of the manifest this push stored (the engine's aux message), when it sent a valid one.</summary>
        public string? Digest { get; set; }
    }

    /// <summary>The push half of the engine (tag, push with per-layer progress).</summary>
    internal sealed partial class DockerEngine
    {
        public Task TagImageAsync(string image, string repository, string tag, CancellationToken cancellationToken) =>
            CallAsync<bool>(
                $"tagging {image} as {repository}:{tag}",
                async (docker, ct) =>
                {
                    await docker.Images.TagImageAsync(image, new ImageTagParameters { RepositoryName = repository, Tag = tag, }, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken);

        public async Task<EnginePushResult> PushImageAsync(EnginePushRequest request, IProgress<PushEvent>? events, CancellationToken cancellationToken)
        {
            var docker = await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
            string what = $"pushing {request.Repository}:{request.Tag}";
            var limit = request.InactivityTimeout ?? InactivityTimeout;
            using var watchdog = new InactivityWatchdog(limit, cancellationToken);
            var result = new EnginePushResult();
            var layers = new Dictionary<string, string>(StringComparer.Ordinal);
            var auth = AuthFor(request);
            var progress = new SyncProgress<JSONMessage>(m =>
            {
                watchdog.Touch();
                if (m.Error != null || !string.IsNullOrEmpty(m.Error?.Message))
                {
                    result.ErrorMessage ??= Redaction.UrlUserInfo(m.Error?.Message ?? "the push failed");
                    return;
                }

                if (PushedDigest(m) is { } digest)
                {
                    result.Digest = digest;
                }

                string layer = m.ID ?? string.Empty;
                string status = m.Status ?? string.Empty;
                if (layer.Length > 0 && status.Length > 0)
                {
                    layers[layer] = status;
                }

                events?.Report(new PushEvent(layer, status, m.Progress?.Current ?? 0, m.Progress?.Total ?? 0));
            });

            try
            {
                await watchdog.RunAsync(async token =>
                {
                    await docker.Images.PushImageAsync(
                        request.Repository,
                        new ImagePushParameters { Tag = request.Tag, RegistryAuth = auth },
                        auth,
                        progress,
                        token).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
            }
            catch (InactivityTimeoutException)
            {
                throw Stalled(what, limit);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                var translated = Translate(ex, what, cancellationToken);
                if (translated is EngineRequestException refused)
                {
                    // The engine refused the push itself (no such image, bad reference): a failed result, like a failed build.
                    result.ErrorMessage = refused.Message;
                    return result;
                }

                throw translated;
            }

            CountLayers(result, layers.Values);
            result.Succeeded = result.ErrorMessage == null;
            return result;
        }

        /// <summary>The manifest digest of a push's aux message ({"Tag":..,"Digest":"sha256:..","Size":..}), when it is one.</summary>
        internal static string? PushedDigest(JSONMessage message)
        {
            if (message.Aux?.ExtensionData == null)
            {
                return null;
            }

            foreach (var pair in message.Aux.ExtensionData)
            {
                if (string.Equals(pair.Key, "Digest", StringComparison.OrdinalIgnoreCase))
                {
                    string? value = pair.Value?.ToString();
                    return LedgerGrammar.Digest.IsMatch(value) ? value : null;
                }
            }

            return null;
        }

        /// <summary>The login the engine sends to the registry (X-Registry-Auth): an identity token or user and password.</summary>
        private static AuthConfig AuthFor(EnginePushRequest request)
        {
            var auth = new AuthConfig { ServerAddress = request.ServerAddress };
            if (request.Credential is { } c)
            {
                if (c.IsIdentityToken)
                {
                    auth.IdentityToken = c.Secret;
                }
                else
                {
                    auth.Username = c.Username;
                    auth.Password = c.Secret;
                }
            }

            return auth;
        }

        /// <summary>Counts the layers by their last state: already on the registry (or mounted) or sent.</summary>
        private static void CountLayers(EnginePushResult result, IEnumerable<string> states)
        {
            foreach (var status in states)
            {
                if (status.IndexOf("already exists", StringComparison.OrdinalIgnoreCase) >= 0 || status.StartsWith("Mounted from", StringComparison.Ordinal))
                {
                    result.LayersPresent++;
                }
                else if (string.Equals(status, "Pushed", StringComparison.Ordinal))
                {
                    result.LayersPushed++;
                }
            }
        }
    }
}
