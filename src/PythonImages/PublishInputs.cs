using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using PythonImages.Engine;
using PythonImages.Engine.Registry;
using PythonImages.Publish;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>Publish-PythonImage's inputs as publish targets: piped objects, image names and tested images.</summary>
    internal static class PublishInputs
    {
        /// <summary>The image, its tags (local references) and shared tags, from whatever was piped; null (after a warning) for a failed build.</summary>
        internal static PublishTarget? Target(PSObject input, string repository, IReadOnlyList<string> sharedTag, Action<string> warn)
        {
            object value = input.BaseObject;
            if (value is string name)
            {
                return new PublishTarget(name, new[] { ImageReference.Parse(name, PublishErrorIds.InvalidImage, "The image") }, sharedTag);
            }

            var image = value as PythonImage ?? (input.Properties["Image"]?.Value is PSObject wrapped ? wrapped.BaseObject : input.Properties["Image"]?.Value) as PythonImage;
            if (input.Properties["Succeeded"]?.Value is bool ok && !ok)
            {
                warn($"Not publishing {input}: its build failed.");
                return null;
            }

            var tags = Strings(value is PythonImage ? image!.Tags : input.Properties["Tags"]?.Value)
                .Select(t => ImageReference.FromTagOrReference(t, repository, PublishErrorIds.InvalidImage)).ToList();
            var shared = Strings(input.Properties["SharedTags"]?.Value ?? image?.SharedTags).Concat(sharedTag).Distinct(StringComparer.Ordinal).ToList();
            foreach (var tag in shared)
            {
                InputGrammar.Require(InputGrammar.DockerTag, tag, PublishErrorIds.InvalidImage, "The shared tag");
            }

            if (tags.Count == 0)
            {
                throw new RegistryException(PublishErrorIds.UnsupportedInput, $"Cannot publish '{InputGrammar.Show(input.ToString())}': it has no Tags. Pipe build results or python images (Tags, SharedTags), or use -Image.");
            }

            string source = input.Properties["ImageId"]?.Value as string is { Length: > 0 } id && EngineGrammar.ImageId.Why(id) == null ? id : tags[0].ToString();
            return new PublishTarget(source, tags, shared);
        }

        /// <summary>A tested image: every tag and shared tag of the matrix image its name carries, under the same repository.</summary>
        internal static PublishTarget TestedTarget(string key, string image, IReadOnlyList<string> sharedTag)
        {
            var reference = ImageReference.Parse(image, PublishErrorIds.InvalidImage, "The tested image");
            var known = reference.Tag == null ? null : MatrixCache.Get(null).Images.FirstOrDefault(i => i.Tags.Contains(reference.Tag, StringComparer.Ordinal));
            var tags = known?.Tags.Select(t => reference.WithTag(t)).ToList() ?? new List<ImageReference> { reference };
            return new PublishTarget(EngineGrammar.ImageId.Why(key) == null ? key : image, tags, (known?.SharedTags ?? Array.Empty<string>()).Concat(sharedTag).Distinct(StringComparer.Ordinal).ToList());
        }

        private static IEnumerable<string> Strings(object? value) => (value is PSObject p ? p.BaseObject : value) switch
        {
            null => Array.Empty<string>(),
            string s => new[] { s },
            IEnumerable e => e.Cast<object>().Select(o => o?.ToString()).Where(s => !string.IsNullOrEmpty(s)).Select(s => s!),
            var other => new[] { other.ToString() ?? string.Empty },
        };
    }

    /// <summary>A push's layer progress as progress records: the first, at most one every 250 ms after it, and every finished layer.</summary>
    internal sealed class PublishProgressWriter : IProgress<PublishProgress>
    {
        /// <summary>The progress id of Publish-PythonImage's records.</summary>
        internal const int ProgressId = 70;

        private readonly Stopwatch clock = new Stopwatch();
        private readonly Action<ProgressRecord> write;

        /// <summary>A writer that hands each record to <paramref name="write"/> (called on the push's thread).</summary>
        internal PublishProgressWriter(Action<ProgressRecord> write) => this.write = write;

        /// <summary>The record that ends the progress bar.</summary>
        internal static ProgressRecord Completed => new ProgressRecord(ProgressId, "Publish-PythonImage", "done") { RecordType = ProgressRecordType.Completed };

        /// <inheritdoc/>
        public void Report(PublishProgress value)
        {
            var p = value;
            if ((!clock.IsRunning || clock.ElapsedMilliseconds > 250 || IsFinished(p.Layer.Status)) && (p.Layer.Layer + p.Layer.Status).Trim().Length > 0)
            {
                clock.Restart();
                string bytes = p.Layer.Total > 0 ? $" {p.Layer.Current / 1048576.0:0.0}/{p.Layer.Total / 1048576.0:0.0} MB" : string.Empty;
                write(new ProgressRecord(ProgressId, "Publish-PythonImage " + p.Reference, $"{p.Layer.Layer} {p.Layer.Status}{bytes}".Trim())
                {
                    PercentComplete = p.Layer.Total > 0 ? (int)Math.Min(100, p.Layer.Current * 100 / p.Layer.Total) : -1,
                });
            }
        }

        /// <summary>Whether the engine's layer status ends that layer's push: pushed, already there, or mounted from another repository.</summary>
        internal static bool IsFinished(string? status) => status != null
            && (status == "Pushed" || status == "Layer already exists" || status.StartsWith("Mounted from ", StringComparison.Ordinal));
    }
}
