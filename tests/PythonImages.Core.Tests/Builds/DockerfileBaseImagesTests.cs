using System;
using System.Collections.Generic;
using System.Linq;
using PythonImages.Builds;
using Xunit;

namespace PythonImages.Tests.Builds
{
    /// <summary>Which base images (and so which registries' logins) a Dockerfile's FROM lines need.</summary>
    public sealed class DockerfileBaseImagesTests
    {
        private static string[] Images(string dockerfile, IDictionary<string, string>? args = null) =>
            DockerfileBaseImages.Of(dockerfile, args).Select(i => i.ToString()).ToArray();

        [Fact]
        public void APlainFromNamesItsImageAndDockerHubAsItsRegistry()
        {
            const string text = "FROM debian:trixie-slim\nRUN true\n";
            Assert.Equal(new[] { "debian:trixie-slim" }, Images(text));
            Assert.Equal(new[] { "docker.io" }, DockerfileBaseImages.Registries(text));
        }

        [Fact]
        public void PlatformFlagsStageNamesScratchAndDuplicatesAreNoExtraBaseImages()
        {
            const string text =
                "# syntax comment\n" +
                "FROM --platform=linux/amd64 registry.example:5000/hub/buildpack-deps:trixie AS build\n" +
                "RUN make\n" +
                "from build AS test\n" +
                "FROM scratch\n" +
                "FROM registry.example:5000/hub/buildpack-deps:trixie\n" +
                "FROM Localhost:5001/base:1\n" +
                "COPY --from=build /x /x\n";
            Assert.Equal(new[] { "registry.example:5000/hub/buildpack-deps:trixie", "Localhost:5001/base:1" }, Images(text));
            Assert.Equal(new[] { "registry.example:5000", "localhost:5001" }, DockerfileBaseImages.Registries(text));
        }

        [Fact]
        public void GlobalArgsAreSubstitutedFromTheirDefaultsOrTheBuildArguments()
        {
            const string text =
                "ARG REGISTRY=registry.example:5000\n" +
                "ARG TAG\n" +
                "ARG EMPTY=\n" +
                "FROM ${REGISTRY}/debian:${TAG:-trixie} AS a\n" +
                "FROM $REGISTRY/alpine${EMPTY:+nope}:3.24\n" +
                "ARG LATE=other.example\n" +
                "FROM ${LATE}/x:1\n"; // a stage ARG is no global ARG: '/x:1' is no reference
            Assert.Equal(new[] { "registry.example:5000/debian:trixie", "registry.example:5000/alpine:3.24" }, Images(text));
            var args = new Dictionary<string, string>(StringComparer.Ordinal) { ["REGISTRY"] = "mirror.internal", ["TAG"] = "bookworm" };
            Assert.Equal(new[] { "mirror.internal/debian:bookworm", "mirror.internal/alpine:3.24" }, Images(text, args));
            Assert.Equal(new[] { "mirror.internal" }, DockerfileBaseImages.Registries(text, args));
        }

        [Fact]
        public void ContinuationLinesCommentsAndTheEscapeDirectiveAreHonoured()
        {
            Assert.Equal(new[] { "registry.example/python:3.14" }, Images("FROM \\\n  registry.example/python:3.14 \\\n  AS base\n"));
            Assert.Equal(new[] { "mcr.microsoft.com/windows/servercore:ltsc2025" }, Images("# escape=`\r\nFROM `\r\n mcr.microsoft.com/windows/servercore:ltsc2025\r\nRUN echo\r\n"));
            Assert.Empty(Images("# FROM registry.example/commented:1\nFROM scratch\n"));
        }

        [Theory]
        [InlineData("FROM\n")]
        [InlineData("FROM Not A Reference\n")]
        [InlineData("FROM $UNSET\n")]
        [InlineData("FROM registry.example/x:1;id\n")]
        [InlineData("")]
        public void UnreadableReferencesAreLeftToTheEngine(string text) => Assert.Empty(Images(text));

        [Theory]
        [InlineData(null, "docker.io")]
        [InlineData("index.docker.io", "docker.io")]
        [InlineData("registry-1.docker.io", "docker.io")]
        [InlineData("Registry.Example:5000", "registry.example:5000")]
        public void RegistryNamesAreNormalized(string? registry, string expected) => Assert.Equal(expected, DockerfileBaseImages.Normalize(registry));
    }
}
