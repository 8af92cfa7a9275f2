using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// The Export-PythonBuildMatrix share of the bad-input catalogue: hostile image objects (matrix values arrive from pull
    /// requests), hostile parameters, a hostile matrix file, bad -ChangedSince revisions and unusable -Path values. Each is
    /// refused with its ErrorId and category, and the case's folder is left exactly as it was (nothing written).
    /// </summary>
    public sealed class BuildMatrixCatalogue : BadInputCatalogue<BuildMatrixCatalogue>, IBadInputArea
    {
        private const string Area = "BuildMatrix";
        private const string Images = "$i = @(Get-PythonTag -Version 3.14 -Variant trixie, slim-trixie | ForEach-Object { $_.Clone() })\n";
        private const string Export = "\n$i | Export-PythonBuildMatrix -Format GitHubActions -Path \"$work/wf.yml\"";

        public BuildMatrixCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 45;

        private static BadInputCase Image(string name, string mutate, string errorId = "BuildMatrix.InvalidImage") =>
            new BadInputCase(Area, name, Images + mutate + Export, errorId, ErrorCategory.InvalidData);

        private static BadInputCase Parameter(string name, string parameters, string errorId, ErrorCategory category = ErrorCategory.InvalidArgument, string format = "GitHubActions") =>
            new BadInputCase(Area, name, "Get-PythonTag -Version 3.14 | Export-PythonBuildMatrix -Format " + format + " -Path \"$work/wf.yml\" " + parameters, errorId, category);

        /// <summary>$work/repo: a git repository with one commit (a README).</summary>
        private static void Repo(string work)
        {
            string repo = Path.Combine(work, "repo");
            Directory.CreateDirectory(repo);
            GitTestRepository.RunIn(repo, "init", "-q", "-b", "main");
            File.WriteAllText(Path.Combine(repo, "README.md"), "x\n");
            GitTestRepository.RunIn(repo, "add", "README.md");
            GitTestRepository.RunIn(repo, "commit", "-q", "-m", "seed");
        }

        private static BadInputCase Changed(string name, string revision, string errorId, ErrorCategory category)
        {
            var c = new BadInputCase(Area, name, "Get-PythonTag -Version 3.14 | Export-PythonBuildMatrix -Format GitHubActions -GitRepository \"$work/repo\" -Path \"$work/wf.yml\" -ChangedSince " + revision, errorId, category);
            c.Arrange = Repo;
            return c;
        }

        private static BadInputCase MatrixPathOf(string name, string matrixPath) => new BadInputCase(
            Area,
            name,
            "Export-PythonBuildMatrix -Format GitHubActions -MatrixPath " + matrixPath + " -GitRepository \"$work/repo\" -Path \"$work/wf.yml\"",
            "Matrix.InvalidPath",
            ErrorCategory.InvalidArgument)
        { Arrange = Repo };

        public static List<BadInputCase> Create() => new List<BadInputCase>
        {
            // ---------------------------------------------------------------- image objects: every field that reaches the file
            Image("Directory with a quote", "$i[0].Directory = \"3.14/x'y\""),
            Image("Directory with a CI expression", "$i[0].Directory = '3.14/${{ secrets.TOKEN }}'"),
            Image("Directory with an Azure macro", "$i[0].Directory = '3.14/$(System.AccessToken)'"),
            Image("Directory with a line break", "$i[0].Directory = \"3.14/x`nrun: curl evil\""),
            Image("Directory with a command substitution", "$i[0].Directory = '3.14/$(touch /tmp/pwned)'"),
            Image("Directory going up", "$i[0].Directory = '../../etc'"),
            Image("Directory absolute", "$i[0].Directory = '/etc'"),
            Image("Directory like an option", "$i[0].Directory = '--output=x'"),
            Image("Directory is the root", "$i[0].Directory = '.'"),
            Image("Directory with a space", "$i[0].Directory = '3.14/a b'"),
            Image("Directory with U+2028", "$i[0].Directory = \"3.14/a$([char]0x2028)b\""),
            Image("Directory with a bidi override", "$i[0].Directory = \"3.14/a$([char]0x202E)b\""),
            Image("Tag with a YAML comment", "$i[0].Tags = @('x #y')"),
            Image("Tag with backticks", "$i[0].Tags = @('`id`')"),
            Image("Tag with a NUL", "$i[0].Tags = @(\"a$([char]0)b\")"),
            Image("No tags", "$i[0].Tags = @()"),
            Image("Architecture with a semicolon", "$i[0].Architectures = @('amd64;id')"),
            Image("Architecture with a line break", "$i[0].Architectures = @(\"amd64`n- x\")"),
            Image("Architecture unknown", "$i[0].Architectures = @('sparc64')", "BuildMatrix.UnknownArchitecture"),
            Image("No architectures", "$i[0].Architectures = @()"),
            Image("Constraint with a quote", "$i[0].Constraints = @(\"a'b\")"),
            Image("Two images in one folder", "$i[1].Directory = $i[0].Directory", "BuildMatrix.DuplicateImage"),

            // ---------------------------------------------------------------- parameters
            Parameter("Registry with a CI expression", "-Registry 'ghcr.io/${{ secrets.X }}'", "BuildMatrix.InvalidRegistry"),
            Parameter("Registry with credentials", "-Registry 'user:pw@ghcr.io/x'", "BuildMatrix.InvalidRegistry"),
            Parameter("Registry with a line break", "-Registry \"ghcr.io/x`nfoo: bar\"", "BuildMatrix.InvalidRegistry"),
            Parameter("Registry with a quote (Azure)", "-Registry \"ghcr.io/x'\"", "BuildMatrix.InvalidRegistry", format: "AzurePipelines"),
            Parameter("Branch with a quote", "-DefaultBranch \"main' || true || '\"", "BuildMatrix.InvalidBranch"),
            Parameter("Branch with an Azure runtime expression", "-DefaultBranch '$[variables.x]'", "BuildMatrix.InvalidBranch", format: "AzurePipelines"),
            Parameter("Branch with a range", "-DefaultBranch 'a..b'", "BuildMatrix.InvalidBranch"),
            Parameter("Runner label with a space", "-RunnerLabel @{ 'linux/amd64' = 'self-hosted linux' }", "BuildMatrix.InvalidRunnerLabel"),
            Parameter("Runner label with an expression", "-RunnerLabel @{ 'linux/amd64' = '${{ github.token }}' }", "BuildMatrix.InvalidRunnerLabel"),
            Parameter("Runner platform unknown shape", "-RunnerLabel @{ 'Linux AMD64' = 'x' }", "BuildMatrix.InvalidRunnerLabel"),
            Parameter("Runner label with a line break", "-RunnerLabel @{ 'linux/amd64' = \"x`ny\" }", "BuildMatrix.InvalidRunnerLabel", format: "AzurePipelines"),
            Parameter("ImagesPath going up", "-ImagesPath '../elsewhere'", "BuildMatrix.InvalidRepositoryPath"),
            Parameter("ImagesPath with a macro", "-ImagesPath '$(Build.SourcesDirectory)'", "BuildMatrix.InvalidRepositoryPath", format: "AzurePipelines"),
            Parameter("ImagesPath absolute", "-ImagesPath '/srv/images'", "BuildMatrix.InvalidRepositoryPath"),
            new BadInputCase(
                Area,
                "More legs than a GitHub matrix runs",
                "Get-PythonTag | Export-PythonBuildMatrix -Format GitHubActions -Path \"$work/wf.yml\" -RunnerLabel @{ 'linux/arm/v5' = 'a'; 'linux/arm/v6' = 'a'; 'linux/arm/v7' = 'a'; 'linux/386' = 'a'; 'linux/ppc64le' = 'a'; 'linux/s390x' = 'a'; 'linux/riscv64' = 'a' }",
                "BuildMatrix.TooManyLegs",
                ErrorCategory.LimitsExceeded),
            Parameter("MaxParallel zero", "-MaxParallel 0", "ParameterArgumentValidationError", ErrorCategory.InvalidData),
            Parameter("Path is a directory", string.Empty, "BuildMatrix.NotAFile").WithFile("wf.yml/keep", "x"),
            new BadInputCase(Area, "Path in a missing folder", "Get-PythonTag -Version 3.14 | Export-PythonBuildMatrix -Format GitHubActions -Path \"$work/missing/wf.yml\"", "BuildMatrix.DirectoryNotFound", ErrorCategory.ObjectNotFound),
            new BadInputCase(Area, "Path exists without Force", "Get-PythonTag -Version 3.14 | Export-PythonBuildMatrix -Format GitHubActions -Path \"$work/wf.yml\"", "BuildMatrix.FileExists", ErrorCategory.ResourceExists).WithFile("wf.yml", "keep me\n"),
            new BadInputCase(Area, "Path with a NUL", "Get-PythonTag -Version 3.14 | Export-PythonBuildMatrix -Format GitHubActions -Path \"$work/a$([char]0)b.yml\"", "BuildMatrix.InvalidPath", ErrorCategory.InvalidArgument),
            // Another provider's path (Function:X is "X" to it) was a file relative to the process's directory, not PowerShell's location.
            new BadInputCase(Area, "Path on another provider", "Get-PythonTag -Version 3.14 | Export-PythonBuildMatrix -Format GitHubActions -Path Function:PI_BADINPUT_WF", "BuildMatrix.InvalidPath", ErrorCategory.InvalidArgument),
            new BadInputCase(Area, "GitRepository on another provider", "Get-PythonTag -Version 3.14 | Export-PythonBuildMatrix -Format GitHubActions -GitRepository Env:PI_BADINPUT_REPO -Path \"$work/wf.yml\" -ChangedSince HEAD", "BuildMatrix.InvalidPath", ErrorCategory.InvalidArgument),
            // -MatrixPath with -GitRepository: a path that is not a file (another provider, an unknown drive, NUL) is the Matrix.InvalidPath
            // every reader of -MatrixPath gives, not "outside the repository" (Env:X was read as ./X) nor an id of PowerShell's own.
            MatrixPathOf("MatrixPath on the Env: provider", "Env:PI_BADINPUT_MATRIX"),
            MatrixPathOf("MatrixPath on the Variable: provider", "Variable:PWD"),
            MatrixPathOf("MatrixPath on an unknown drive", "nosuchdrive:/matrix.yaml"),
            MatrixPathOf("MatrixPath with a NUL", "\"$work/repo/m$([char]0).yaml\""),
            new BadInputCase(Area, "MatrixPath outside the repository", "Export-PythonBuildMatrix -Format GitHubActions -MatrixPath \"$work/m/matrix.yaml\" -GitRepository \"$work/repo\" -Path \"$work/wf.yml\"", "BuildMatrix.InvalidRepositoryPath", ErrorCategory.InvalidArgument) { Arrange = Repo },

            // ---------------------------------------------------------------- -ChangedSince
            Changed("Revision like an option", "'--output=/tmp/pi-h14-pwned'", "BuildMatrix.InvalidRevision", ErrorCategory.InvalidArgument),
            Changed("Revision with a command substitution", "'$(touch /tmp/pi-h14-pwned)'", "BuildMatrix.InvalidRevision", ErrorCategory.InvalidArgument),
            Changed("Revision with a path", "'HEAD:README.md'", "BuildMatrix.InvalidRevision", ErrorCategory.InvalidArgument),
            Changed("Revision range", "'HEAD~1..HEAD'", "BuildMatrix.InvalidRevision", ErrorCategory.InvalidArgument),
            Changed("Revision with a line break", "\"main`n-p\"", "BuildMatrix.InvalidRevision", ErrorCategory.InvalidArgument),
            Changed("Revision that does not exist", "no-such-branch", "BuildMatrix.RevisionNotFound", ErrorCategory.ObjectNotFound),
            new BadInputCase(Area, "Repository that does not exist", "Get-PythonTag -Version 3.14 | Export-PythonBuildMatrix -Format GitHubActions -GitRepository \"$work/nope\" -Path \"$work/wf.yml\" -ChangedSince HEAD", "BuildMatrix.RepositoryNotFound", ErrorCategory.ObjectNotFound),
            new BadInputCase(Area, "Repository that is not a git work tree", "Get-PythonTag -Version 3.14 | Export-PythonBuildMatrix -Format GitHubActions -GitRepository \"$work/plain\" -Path \"$work/wf.yml\" -ChangedSince HEAD", "BuildMatrix.GitFailed", ErrorCategory.ReadError).WithFile("plain/README.md", "x\n"),

            // ---------------------------------------------------------------- a hostile matrix never reaches the file
            new BadInputCase(Area, "Hostile matrix variant", "Export-PythonBuildMatrix -Format GitHubActions -MatrixPath \"$work/matrix.yaml\" -GitRepository $work -Path \"$work/wf.yml\"", "Matrix.InvalidVariantPath", ErrorCategory.InvalidData)
                .WithFile("matrix.yaml", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [\"trixie'${{ secrets.X }}\"]\n"),
        };

        /// <summary>Runs the case, then checks that no revision reached git as an option or a command (it would write this file).</summary>
        protected override void AssertRejected(BadInputCase c)
        {
            base.AssertRejected(c);
            Assert.False(File.Exists("/tmp/pi-h14-pwned"));
        }
    }
}
