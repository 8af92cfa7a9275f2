using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// The build-login area of the bad-input catalogue: -CredentialRegistry of Invoke-PythonImageBuild. Every case points at
    /// a socket that does not exist, so a value that slipped through validation would show as ImageBuild.EngineUnavailable.
    /// </summary>
    [Collection(EngineEnvironmentCollection.Name)]
    public sealed class BuildLoginCatalogue : BadInputCatalogue<BuildLoginCatalogue>, IBadInputArea
    {
        private const string Area = "build-login";
        private const string Build = "Invoke-PythonImageBuild -Path \"$work/ctx\" -DockerHost \"unix://$work/none.sock\"";
        private const string Credential = " -Credential ([pscredential]::new('u', ([System.Net.NetworkCredential]::new('', 's4-secret-pw')).SecurePassword))";

        public BuildLoginCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 8;

        public static List<BadInputCase> Create()
        {
            var list = new List<BadInputCase>();
            foreach (var (name, registry) in new[]
            {
                ("credential registry with a scheme", "https://registry.example"),
                ("credential registry with a path", "registry.example/team"),
                ("credential registry with a shell metacharacter", "registry.example;id"),
                ("credential registry with a newline", "registry.example`n"),
                ("credential registry with a space", "registry example"),
                ("credential registry with user info", "user@registry.example"),
                ("credential registry with a control character", "registry.example`t"),
            })
            {
                list.Add(new BadInputCase(Area, name, Build + $" -CredentialRegistry \"{registry}\"" + Credential, "ImageBuild.InvalidCredentialRegistry", ErrorCategory.InvalidArgument)
                    .WithFile("ctx/Dockerfile", "FROM registry.example/base:1\nCOPY Dockerfile /x\n"));
            }

            list.Add(new BadInputCase(Area, "credential registry without a credential", Build + " -CredentialRegistry registry.example", "ImageBuild.InvalidCredentialRegistry", ErrorCategory.InvalidArgument)
                .WithFile("ctx/Dockerfile", "FROM registry.example/base:1\nCOPY Dockerfile /x\n"));
            return list;
        }
    }
}
