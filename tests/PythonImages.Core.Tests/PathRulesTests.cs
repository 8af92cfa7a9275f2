using System;
using Xunit;

namespace PythonImages.Tests
{
    /// <summary>
    /// The one containment rule of the module (a matrix inside the repository, a Dockerfile inside its context, a script
    /// inside the mounted folder), with the platform as an input: only Linux runs here, yet the Windows and macOS rule is
    /// what a user there gets.
    /// </summary>
    public class PathRulesTests
    {
        [Theory]
        [InlineData(PathPlatform.Linux, StringComparison.Ordinal)]
        [InlineData(PathPlatform.Windows, StringComparison.OrdinalIgnoreCase)]
        [InlineData(PathPlatform.MacOS, StringComparison.OrdinalIgnoreCase)]
        public void NamesCompareByThePlatformsRule(PathPlatform platform, StringComparison expected) =>
            Assert.Equal(expected, PathRules.ComparisonFor(platform));

        [Fact]
        public void ThisProcessUsesItsOwnPlatformsRule()
        {
            var expected = OperatingSystem.IsWindows() ? PathPlatform.Windows : OperatingSystem.IsMacOS() ? PathPlatform.MacOS : PathPlatform.Linux;
            Assert.Equal(expected, PathRules.Current);
            Assert.Equal(PathRules.ComparisonFor(expected), PathRules.Comparison);
        }

        [Theory]
        // Windows: a drive letter or folder typed in another case is the same place.
        [InlineData(PathPlatform.Windows, @"c:\repo", @"C:\Repo\matrix.yaml", "matrix.yaml")]
        [InlineData(PathPlatform.Windows, @"C:\Repo\", @"c:\repo\images\Matrix.yaml", "images/Matrix.yaml")]
        [InlineData(PathPlatform.Windows, @"C:\Repo", @"C:\Repo/sub/m.yaml", "sub/m.yaml")]
        [InlineData(PathPlatform.Windows, @"C:\", @"c:\m.yaml", "m.yaml")]
        [InlineData(PathPlatform.Windows, @"C:\Repo", @"C:\Repository\m.yaml", null)]
        [InlineData(PathPlatform.Windows, @"C:\Repo", @"D:\Repo\m.yaml", null)]
        [InlineData(PathPlatform.Windows, @"C:\Repo", @"c:\repo", null)]
        [InlineData(PathPlatform.Windows, @"C:\Repo", @"c:\repo\", null)]
        // macOS: its default volumes ignore case too, and only '/' separates.
        [InlineData(PathPlatform.MacOS, "/Users/me/Repo", "/users/me/repo/matrix.yaml", "matrix.yaml")]
        [InlineData(PathPlatform.MacOS, "/Users/me/Repo", "/Users/me/Repo\\m.yaml", null)]
        [InlineData(PathPlatform.MacOS, "/Users/me/Repo", "/Users/me/RepoX/m.yaml", null)]
        // Linux: another case is another folder; a backslash is part of a name.
        [InlineData(PathPlatform.Linux, "/srv/repo", "/srv/Repo/matrix.yaml", null)]
        [InlineData(PathPlatform.Linux, "/srv/repo/", "/srv/repo/images/matrix.yaml", "images/matrix.yaml")]
        [InlineData(PathPlatform.Linux, "/srv/repo", "/srv/repo\\m.yaml", null)]
        [InlineData(PathPlatform.Linux, "/srv/repo", "/srv/repo/a\\b.yaml", "a\\b.yaml")]
        [InlineData(PathPlatform.Linux, "/srv/repo", "/srv/repo2/m.yaml", null)]
        [InlineData(PathPlatform.Linux, "/srv/repo", "/srv/repo", null)]
        [InlineData(PathPlatform.Linux, "/", "/m.yaml", "m.yaml")]
        public void APathIsInsideAFolderByThePlatformsRule(PathPlatform platform, string root, string full, string? expected) =>
            Assert.Equal(expected, PathRules.RelativeInside(root, full, platform));
    }
}
