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
    public sealed class BuildLoginCatalogue : IClassFixture<BadInputRunner>
    {
        private const string Area = "build-login";
        private const string Build = "Invoke-PythonImageBuild -Path \"$work/ctx\" -DockerHost \"unix://$work/none.sock\"";
        private const string Credential = " -Credential ([pscredential]::new('u', ([System.Net.NetworkCredential]::new('', 's4-secret-pw')).SecurePassword))";

        private readonly BadInputRunner runner;

        public BuildLoginCatalogue(BadInputRunner runner) => this.runner = runner;

        public static IEnumerable<object[]> Cases => All.Select(c => new object[] { c.Name });

        private static readonly IReadOnlyList<BadInputCase> All = Create();

        [Theory]
        [MemberData(nameof(Cases))]
        public void Rejected(string name) => runner.AssertRejected(All.Single(c => c.Name == name));

        [Fact]
        public void TheCatalogueHasItsShare() => Assert.True(All.Count >= 8 && All.Select(c => c.Name).Distinct().Count() == All.Count);

        private static List<BadInputCase> Create()
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
