using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// The publish area of the bad-input catalogue: -Registry, -Image, -SharedTag, -Repository, piped objects and the
    /// docker configuration. Every case points at a socket that does not exist, so a value that slipped through
    /// validation would show as Publish.EngineUnavailable instead of its own id.
    /// </summary>
    [Collection(EngineEnvironmentCollection.Name)]
    public sealed class PublishCatalogue : BadInputCatalogue<PublishCatalogue>, IBadInputArea
    {
        private const string Area = "publish";
        private const string Engine = " -DockerHost \"unix://$work/none.sock\"";

        public PublishCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 15;

        public static List<BadInputCase> Create()
        {
            var list = new List<BadInputCase>();
            void Add(string name, string script, string errorId, ErrorCategory category = ErrorCategory.InvalidArgument) =>
                list.Add(new BadInputCase(Area, name, script, errorId, category));

            foreach (var (name, registry) in new[]
            {
                ("registry without a host", "library"),
                ("registry with uppercase namespace", "localhost:5000/Library"),
                ("registry with a tag", "localhost:5000/library:3.14"),
                ("registry with a scheme", "https://localhost:5000/library"),
                ("registry with a shell metacharacter", "localhost:5000/lib;id"),
                ("registry with a newline", "localhost:5000/lib`nrary"),
                ("registry with a space", "localhost:5000/ library"),
                ("registry with a digest", "localhost:5000/library@sha256:0123456789abcdef0123456789abcdef"),
                ("registry of a Docker Hub namespace", "library/python"),
                ("registry in brackets that are no IPv6 address", "[ab]/library"),
            })
            {
                Add(name, $"Publish-PythonImage -Image python:3.14-slim -Registry \"{registry}\"" + Engine, "Publish.InvalidRegistry");
            }

            foreach (var (name, image) in new[]
            {
                ("image with uppercase", "Python:3.14"),
                ("image with a bad tag", "python:-bad"),
                ("image with a shell metacharacter", "python:3.14;rm"),
                ("image with a control character", "python:3.14`t"),
                ("image with an empty tag", "python:"),
            })
            {
                Add(name, $"Publish-PythonImage -Image \"{image}\" -Registry localhost:5000/library" + Engine, "Publish.InvalidImage");
            }

            Add("shared tag with a slash", "Publish-PythonImage -Image python:3.14 -SharedTag 'a/b' -Registry localhost:5000/library" + Engine, "Publish.InvalidImage");
            Add("shared tag too long", "Publish-PythonImage -Image python:3.14 -SharedTag ('x' * 129) -Registry localhost:5000/library" + Engine, "Publish.InvalidImage");
            Add("repository with a tag", "Publish-PythonImage -Image python:3.14 -Repository 'python:3' -Registry localhost:5000/library" + Engine, "Publish.InvalidImage");
            Add("inactivity timeout of zero", "Publish-PythonImage -Image python:3.14 -InactivityTimeout 0 -Registry localhost:5000/library" + Engine, "Publish.InvalidInactivityTimeout");
            Add("docker host garbage", "Publish-PythonImage -Image python:3.14 -Registry localhost:5000/library -DockerHost garbage", "Publish.InvalidDockerHost");
            Add("no engine at the socket", "Publish-PythonImage -Image python:3.14 -Registry localhost:5000/library" + Engine, "Publish.EngineUnavailable", ErrorCategory.ConnectionError);

            // A config.json that cannot be read: the id names the problem, never the text of the file.
            list.Add(new BadInputCase(Area, "docker config not json",
                "$env:DOCKER_CONFIG = $work; try { Publish-PythonImage -Image python:3.14 -Registry localhost:5000/library" + Engine + " } finally { $env:DOCKER_CONFIG = $null }",
                "Publish.InvalidDockerConfig", ErrorCategory.InvalidData).WithFile("config.json", "{ not json"));
            list.Add(new BadInputCase(Area, "docker config helper missing",
                "$env:DOCKER_CONFIG = $work; try { Publish-PythonImage -Image python:3.14 -Registry localhost:5000/library" + Engine + " } finally { $env:DOCKER_CONFIG = $null }",
                "Publish.CredentialHelperFailed", ErrorCategory.ResourceUnavailable).WithFile("config.json", "{\"credHelpers\":{\"localhost:5000\":\"h13-none\"}}"));
            list.Add(new BadInputCase(Area, "docker config helper name with a path",
                "$env:DOCKER_CONFIG = $work; try { Publish-PythonImage -Image python:3.14 -Registry localhost:5000/library" + Engine + " } finally { $env:DOCKER_CONFIG = $null }",
                "Publish.InvalidDockerConfig", ErrorCategory.InvalidData).WithFile("config.json", "{\"credsStore\":\"../../../bin/sh\"}"));
            return list;
        }
    }
}
