using System;
using System.Linq;
using System.Management.Automation;
using PythonImages.Builds;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>Invoke-PythonImageBuild for apps (New-PythonAppDockerfile's output): how a bare -Tag names the image.</summary>
    public sealed partial class InvokePythonImageBuildCommand
    {
        private string[]? appReferences;

        /// <summary>
        /// The app folder, bound from New-PythonAppDockerfile's output. An app is not a python image: a bare -Tag names
        /// the app's image as docker build -t does (-Tag my-python-app builds my-python-app:latest) instead of a tag under
        /// -Repository, unless -Repository is given (then -Tag 1.0 builds &lt;repository&gt;:1.0).
        /// </summary>
        [Parameter(ParameterSetName = ImageSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? AppPath { get; set; }

        /// <summary>
        /// The references an app is tagged with (checked once; a terminating error when one is not an image name): with
        /// -Repository the references -Tag gives under it (<paramref name="repositoryReferences"/>).
        /// </summary>
        internal string[] AppReferences(string[] repositoryReferences)
        {
            if (appReferences != null)
            {
                return appReferences;
            }

            if (MyInvocation.BoundParameters.ContainsKey(nameof(Repository)))
            {
                return appReferences = repositoryReferences;
            }

            appReferences = (Tag ?? Array.Empty<string>()).Select(tag =>
            {
                if (tag.IndexOf(':') >= 0 || tag.IndexOf('/') >= 0)
                {
                    return tag; // a full reference of its own, checked in BeginProcessing
                }

                if (!ImageReference.TryParse(tag, out var reference, out string? why) || reference!.Tag != null || reference.Digest != null)
                {
                    ThrowTerminatingError(Errors.Create(
                        new InputRejectedException(ImageBuildErrorIds.InvalidTag, InputGrammar.RepositoryPath, $"-Tag '{InputGrammar.Show(tag)}'", why ?? "it is not an image name"),
                        ImageBuildErrorIds.InvalidTag,
                        tag,
                        "Name an app's image in lowercase (letters, digits, '.', '_', '-'), e.g. -Tag my-python-app or -Tag my-python-app:1.0."));
                }

                return tag + ":latest";
            }).ToArray();
            return appReferences;
        }
    }
}
