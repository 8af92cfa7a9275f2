using System;
using System.Management.Automation;
using PythonImages.Builds;
using PythonImages.Engine.Registry;

namespace PythonImages.Commands
{
    /// <summary>Invoke-PythonImageBuild's registry logins for pulling base images (-Credential, -CredentialRegistry).</summary>
    public sealed partial class InvokePythonImageBuildCommand
    {
        /// <summary>
        /// The login for pulling base images from a registry that needs one (with -Pull, and whenever the engine lacks a base
        /// image). Default: the docker configuration (credHelpers, credsStore, auths), like the docker CLI. Only registries
        /// the Dockerfile's FROM lines name get a login.
        /// </summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>The registry -Credential is for (host[:port], docker.io for Docker Hub); needed when a Dockerfile names several registries.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CredentialRegistry { get; set; }

        /// <summary>Where each build's logins come from; a terminating error for a -CredentialRegistry that is no registry.</summary>
        internal BuildRegistryLogins ReadRegistryLogins()
        {
            try
            {
                if (CredentialRegistry != null && Credential == null)
                {
                    throw new BuildLoginException(ImageBuildErrorIds.InvalidCredentialRegistry, "-CredentialRegistry names the registry of -Credential, which is not given.");
                }

                var credential = Credential == null ? null : new RegistryCredential(Credential.UserName, Credential.GetNetworkCredential().Password, "-Credential");
                return new BuildRegistryLogins(credential, CredentialRegistry);
            }
            catch (BuildLoginException ex)
            {
                ThrowTerminatingError(Errors.Create(ex, ex.ErrorId, CredentialRegistry, ex.RecommendedAction));
                throw;
            }
        }
    }
}
