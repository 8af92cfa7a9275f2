using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Builds;
using PythonImages.Engine.Builds;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>
    /// Invoke-PythonImageBuild's parameters checked and turned into the orchestrator's options and jobs: every value that
    /// reaches the engine or the disk is checked here, before anything is uploaded or written.
    /// </summary>
    internal sealed class ImageBuildInputs
    {
        private readonly InvokePythonImageBuildCommand cmdlet;
        private string[] extraReferences = Array.Empty<string>();
        private int index;

        public ImageBuildInputs(InvokePythonImageBuildCommand cmdlet)
        {
            this.cmdlet = cmdlet;
        }

        /// <summary>The options shared by every image; a terminating error for the first unusable parameter.</summary>
        public ImageBuildOptions ReadOptions()
        {
            ValidateRepository();
            extraReferences = (cmdlet.Tag ?? Array.Empty<string>()).Select(ValidateTag).ToArray();
            if (cmdlet.Platform != null)
            {
                ParameterChecks.Require(cmdlet, EngineGrammar.Platform, cmdlet.Platform, ImageBuildErrorIds.InvalidPlatform, "-Platform", "Give os[/architecture[/variant]], e.g. linux/amd64 or windows/amd64.");
            }

            if (cmdlet.Network != null)
            {
                ParameterChecks.Require(cmdlet, EngineGrammar.Network, cmdlet.Network, ImageBuildErrorIds.InvalidNetwork, "-Network", "Give host, bridge, none or the name of an existing network.");
            }

            var options = new ImageBuildOptions
            {
                NoCache = cmdlet.NoCache.IsPresent,
                Pull = cmdlet.Pull.IsPresent,
                Network = cmdlet.Network,
                Platform = cmdlet.Platform,
                ThrottleLimit = cmdlet.ThrottleLimit,
            };
            ParameterChecks.ReadTable(cmdlet, cmdlet.BuildArg, options.BuildArgs, EngineGrammar.BuildArgName, ImageBuildErrorIds.InvalidBuildArg, "-BuildArg", secretValues: true);
            ParameterChecks.ReadTable(cmdlet, cmdlet.Label, options.Labels, EngineGrammar.LabelKey, ImageBuildErrorIds.InvalidLabel, "-Label", secretValues: false);
            if (cmdlet.LogPath != null)
            {
                options.Log = LogPathCheck.Validate(cmdlet, cmdlet.LogPath);
            }

            // Registry logins for base-image pulls (-Credential, -CredentialRegistry, the docker configuration).
            options.RegistryLogins = cmdlet.ReadRegistryLogins();

            return options;
        }

        /// <summary>
        /// The jobs of this input: the piped image, or one per existing item of -Path (wildcards) / -LiteralPath (a folder is
        /// a build context, a file a Dockerfile built in its folder). Missing items and unusable inputs are written as errors.
        /// </summary>
        public List<ImageBuildJob> ResolveAll()
        {
            bool literal = cmdlet.ParameterSetName == InvokePythonImageBuildCommand.LiteralPathSet;
            var given = (literal ? cmdlet.LiteralPath : cmdlet.Path) ?? Array.Empty<string>();
            var inputs = cmdlet.ParameterSetName == InvokePythonImageBuildCommand.ImageSet
                ? new List<string?> { null }
                : PathInputs.Resolve(cmdlet, given, literal, ImageBuildErrorIds.ContextNotFound, ImageBuildErrorIds.InvalidPath, "build context folder or Dockerfile").Cast<string?>().ToList();
            return inputs.Select(Resolve).Where(j => j != null).Select(j => j!).ToList();
        }

        /// <summary>Binds one input (the piped image, or one resolved -Path item) to a job, or writes why it cannot be built (null).</summary>
        private ImageBuildJob? Resolve(string? pathFull)
        {
            var image = cmdlet.InputObject;
            object target = (object?)image ?? pathFull ?? (object?)cmdlet.DockerfilePath ?? cmdlet.ContextPath ?? "input";
            bool pathIsFile = pathFull != null && File.Exists(pathFull);
            string? dockerfile = pathIsFile ? pathFull : cmdlet.DockerfilePath ?? image?.DockerfilePath;
            string? context = pathFull != null ? (pathIsFile ? Path.GetDirectoryName(pathFull) : pathFull) : (cmdlet.ContextPath ?? image?.ContextPath);
            if (dockerfile == null && context == null)
            {
                cmdlet.WriteError(Errors.Create(
                    new ArgumentException($"{target} has no DockerfilePath or ContextPath, so there is nothing to build."),
                    ImageBuildErrorIds.NoDockerfile,
                    target,
                    "Generate the Dockerfiles first (Get-PythonTag ... | New-PythonDockerfile | Invoke-PythonImageBuild), or pass a context folder with -Path."));
                return null;
            }

            string? contextFull;
            string dockerfileFull;
            try
            {
                contextFull = context == null ? null : PathInputs.FileSystemPath(cmdlet, context);
                dockerfileFull = dockerfile != null
                    ? (Path.IsPathRooted(dockerfile) || contextFull == null ? PathInputs.FileSystemPath(cmdlet, dockerfile) : Path.GetFullPath(Path.Combine(contextFull, dockerfile)))
                    : Path.Combine(contextFull!, "Dockerfile");
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException || ex is PSInvalidOperationException)
            {
                cmdlet.WriteError(Errors.Create(
                    new ArgumentException($"Cannot build {target}: its context or Dockerfile path is not a usable file-system path: {ex.Message}", ex),
                    ImageBuildErrorIds.InvalidPath,
                    target,
                    "Pass the context folder and Dockerfile as file-system paths (New-PythonDockerfile sets them)."));
                return null;
            }

            var references = ImageReferences(image, target, pathFull != null);
            return references == null ? null : new ImageBuildJob(index++, target, contextFull ?? Path.GetDirectoryName(dockerfileFull)!, dockerfileFull, references)
            {
                Image = image,
                OS = cmdlet.OS ?? (image != null ? BuildPlatform.OSOf(image).ToString() : null),
            };
        }

        /// <summary>The image's tags and shared tags under -Repository, then -Tag's references; null (with an error) for a bad tag.</summary>
        private string[]? ImageReferences(PythonImage? image, object target, bool pathBuild)
        {
            var refs = new List<string>();
            foreach (var t in (cmdlet.Tags ?? image?.Tags ?? Array.Empty<string>()).Concat(cmdlet.SharedTags ?? image?.SharedTags ?? Array.Empty<string>()))
            {
                string? why = InputGrammar.DockerTag.Why(t);
                if (why != null)
                {
                    cmdlet.WriteError(Errors.Create(
                        new InputRejectedException(ImageBuildErrorIds.InvalidTag, InputGrammar.DockerTag, $"The tag '{InputGrammar.Show(t)}' of {target}", why),
                        ImageBuildErrorIds.InvalidTag,
                        target,
                        "Fix the tag where the image comes from (the matrix, or the object's Tags/SharedTags); nothing was built for this image."));
                    return null;
                }

                refs.Add(ImageReference.Qualify(t, cmdlet.Repository));
            }

            refs.AddRange(cmdlet.AppPath != null ? cmdlet.AppReferences(extraReferences) : extraReferences);
            if (pathBuild && refs.Count == 0 && cmdlet.MyInvocation.BoundParameters.ContainsKey(nameof(cmdlet.Repository)))
            {
                // -Repository applies to a -Path build too: without -Tag it is Repository:latest, as docker build -t repo.
                refs.Add(cmdlet.Repository + ":latest");
            }

            return refs.Distinct(StringComparer.Ordinal).ToArray();
        }

        /// <summary>-Repository: a repository name in Docker's reference grammar, without tag or digest.</summary>
        private void ValidateRepository()
        {
            string repository = cmdlet.Repository;
            if (!ImageReference.TryParse(repository, out var reference, out string? why) || reference!.Tag != null || reference.Digest != null)
            {
                why ??= "a repository has no tag or digest (the tags come from the images and -Tag)";
                cmdlet.ThrowTerminatingError(Errors.Create(
                    new InputRejectedException(ImageBuildErrorIds.InvalidRepository, InputGrammar.RepositoryPath, $"-Repository '{InputGrammar.Show(repository)}'", why),
                    ImageBuildErrorIds.InvalidRepository,
                    repository,
                    "Give a repository such as python, library/python or registry.example:5000/team/python (lowercase, no tag)."));
            }
        }

        /// <summary>-Tag: a bare tag goes under -Repository, anything with ':' or '/' is a reference of its own; no digests.</summary>
        private string ValidateTag(string tag)
        {
            try
            {
                var reference = ImageReference.FromTagOrReference(tag, cmdlet.Repository, ImageBuildErrorIds.InvalidTag);
                if (reference.Digest != null)
                {
                    throw new InputRejectedException(ImageBuildErrorIds.InvalidTag, InputGrammar.DockerTag, $"-Tag '{InputGrammar.Show(tag)}'", "an image cannot be tagged with a digest (@sha256:...)");
                }

                // A full reference without a tag gets :latest, as the engine would give it.
                string qualified = ImageReference.Qualify(tag, cmdlet.Repository);
                return reference.Tag == null ? qualified + ":latest" : qualified;
            }
            catch (InputRejectedException ex)
            {
                cmdlet.ThrowTerminatingError(Errors.Create(ex, ImageBuildErrorIds.InvalidTag, tag,
                    "Give a tag (letters, digits, '_', '.', '-'; at most 128) that goes under -Repository, or a full reference such as registry.example/python:ci-123."));
                throw;
            }
        }
    }
}
