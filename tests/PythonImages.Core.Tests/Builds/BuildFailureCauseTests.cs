using System;
using PythonImages.Builds;
using PythonImages.ImageTests;
using Xunit;

namespace PythonImages.Tests.Builds
{
    /// <summary>Messages as dockerd 20.10's classic builder and runtime write them (see the engine tests for the live ones).</summary>
    public sealed class BuildFailureCauseTests
    {
        [Theory]
        [InlineData("Step 1/3 : FROM 127.0.0.1:5000/x:nope", "manifest for 127.0.0.1:5000/x:nope not found: manifest unknown: manifest unknown", "127.0.0.1:5000/x:nope", ": the registry has no such image or tag")]
        [InlineData("Step 1/9 : FROM --platform=linux/amd64 buildpack-deps:trixie AS build", "pull access denied for buildpack-deps, repository does not exist or may require 'docker login': denied", "buildpack-deps:trixie", ": the repository does not exist, or the registry needs a login")]
        [InlineData(null, "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host", "debian:trixie-slim", ": the registry's host name does not resolve")]
        public void PullFailuresNameTheBaseImageAndTheReason(string? step, string message, string image, string reason)
        {
            var cause = BuildFailureCause.Classify(step, message, "debian:trixie-slim", "/ctx/Dockerfile");
            Assert.Equal(BuildCauseKind.BaseImage, cause.Kind);
            Assert.Equal(ImageBuildErrorIds.BaseImageUnavailable, cause.ErrorId);
            Assert.Equal(image, cause.Image);
            Assert.StartsWith($"The base image '{image}' could not be found or pulled{reason}", cause.Summary);
            Assert.Contains("docker pull " + image, cause.RecommendedAction);
            Assert.Contains("-BaseImageRegistry", cause.RecommendedAction);
        }

        [Fact]
        public void InvalidReferencesAndStepFailuresAreToldApart()
        {
            var reference = BuildFailureCause.Classify("Step 1/1 : FROM Bad/Ref:x", "invalid reference format: repository name must be lowercase", null, "/ctx/Dockerfile");
            Assert.Equal(ImageBuildErrorIds.InvalidReference, reference.ErrorId);
            Assert.Contains("'Bad/Ref:x'", reference.Summary);

            var step = BuildFailureCause.Classify("Step 3/4 : RUN make", "The command '/bin/sh -c make' returned a non-zero code: 2", "debian:trixie", "/ctx/Dockerfile");
            Assert.Equal(BuildCauseKind.Step, step.Kind);
            Assert.Equal(ImageBuildErrorIds.StepFailed, step.ErrorId);
            Assert.Contains("/ctx/Dockerfile", step.RecommendedAction);

            Assert.Equal(ImageBuildErrorIds.Failed, BuildFailureCause.Classify(null, "something else", null, "/ctx/Dockerfile").ErrorId);
            Assert.Null(BuildFailureCause.FromImage("Step 2/3 : RUN FROM x"));
        }

        [Fact]
        public void OnlyTheEnginesOwnWarningsAreWarnings()
        {
            Assert.Equal("The engine warns: One or more build-args [X] were not consumed", EngineWarnings.Warning("[Warning] One or more build-args [X] were not consumed\n"));
            Assert.Null(EngineWarnings.Warning("WARNING: apt does not have a stable CLI interface."));
            Assert.Null(EngineWarnings.Warning("echo [Warning] from a RUN step"));
        }

        [Fact]
        public void AMissingNetworkIsToldFromOtherEngineRefusals()
        {
            Assert.True(EngineMessages.IsNetworkNotFound("The engine at unix:///var/run/docker.sock refused starting the container: network r14-x not found"));
            Assert.True(EngineMessages.IsNetworkNotFound("No such network: r14-x"));
            Assert.False(EngineMessages.IsNetworkNotFound("No such image: python:3"));
            Assert.False(EngineMessages.IsNetworkNotFound("exec: \"python3\": executable file not found in $PATH"));
            Assert.False(EngineMessages.IsNetworkNotFound(null));
        }

        [Fact]
        public void EngineMessagesAreExplainedInWords()
        {
            Assert.StartsWith("the image has no Python interpreter: 'python3' is not on its PATH",
                EngineMessages.Explain("OCI runtime create failed: container_linux.go:380: starting container process caused: exec: \"python3\": executable file not found in $PATH: unknown"));
            Assert.Contains("another CPU architecture", EngineMessages.Explain("standard_init_linux.go:228: exec user process caused: exec format error"));
            Assert.Null(EngineMessages.Explain("conflict: unable to delete"));
        }

        [Fact]
        public void BaseDigestPrefersTheRegistryDigestOfTheSameRepository()
        {
            string a = "sha256:" + new string('a', 64);
            string b = "sha256:" + new string('b', 64);
            Assert.Equal(b, ImageLabels.BaseDigestOf("127.0.0.1:5000/hub/debian:trixie", new[] { "debian@" + a, "127.0.0.1:5000/hub/debian@" + b }, "sha256:id"));
            Assert.Equal(a, ImageLabels.BaseDigestOf("debian:trixie", new[] { "debian@" + a }, "sha256:id"));
            Assert.Equal("sha256:id", ImageLabels.BaseDigestOf("debian:trixie", Array.Empty<string>(), "sha256:id"));
            Assert.Equal("debian:bookworm-slim", ImageLabels.BaseImageOf("# c\nFROM --platform=$X debian:bookworm-slim AS b\nFROM debian:bookworm-slim\nRUN x\n"));
            Assert.Null(ImageLabels.BaseImageOf("FROM scratch\n"));
        }
    }
}
