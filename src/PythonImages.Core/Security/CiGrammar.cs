namespace PythonImages.Security
{
    /// <summary>
    /// The allowlist grammars of the CI files Export-PythonBuildMatrix writes (GitHub Actions workflows, Azure Pipelines).
    /// Additive to <see cref="InputGrammar"/>: none of them accepts a quote, '$', '{', '}', '[', ']', '#', ':' followed by
    /// a space, a space or a line break, so an accepted value can neither end a YAML scalar nor open a CI expression
    /// (<c>${{ }}</c>, <c>$( )</c>, <c>$[ ]</c>) nor reach a shell as anything but one word.
    /// </summary>
    public static class CiGrammar
    {
        /// <summary>A runner label (GitHub <c>runs-on</c>) or hosted image name (Azure <c>vmImage</c>): ubuntu-24.04, windows-2025.</summary>
        public static readonly Grammar RunnerLabel = new Grammar(
            "runner label", "a letter or digit followed by up to 99 letters, digits, '.', '_' or '-', e.g. ubuntu-24.04",
            "[A-Za-z0-9][A-Za-z0-9._-]{0,99}", 100);

        /// <summary>
        /// A platform key of the runner table: os/architecture[/variant], and for Windows the server version:
        /// linux/amd64, linux/arm64, linux/arm/v7, windows/amd64/ltsc2025.
        /// </summary>
        public static readonly Grammar PlatformKey = new Grammar(
            "platform", "os/architecture[/variant] in lowercase, e.g. linux/amd64, linux/arm/v7 or windows/amd64/ltsc2025",
            "(?:linux|windows)/[a-z0-9]{1,16}(?:/[a-z0-9]{1,16})?", 40);

        /// <summary>
        /// A git revision for -ChangedSince: a branch, tag, remote branch or commit id, optionally with ~N or ^N suffixes
        /// (main, origin/main, v1.2.0, HEAD~3, a1b2c3d). Never starts with '-' (an option), and holds no '..' (a range),
        /// ':' (a path), '@{' (the reflog), spaces or wildcards.
        /// </summary>
        public static readonly Grammar GitRevision = new Grammar(
            "git revision", "a branch, tag or commit (letters, digits, '.', '_', '/', '+', '-') with optional ~N or ^N suffixes, e.g. origin/main or HEAD~1",
            @"(?!.*\.\.)(?!.*//)(?!.*\.lock(?:[/~^]|\z))[A-Za-z0-9_+](?:[A-Za-z0-9_.+/-]{0,199}[A-Za-z0-9_+])?(?:[~^][0-9]{0,4}){0,8}",
            256);

        /// <summary>A branch name for -DefaultBranch: main, release/3.14 (git's ref-name rules, no spaces or quotes).</summary>
        public static readonly Grammar BranchName = new Grammar(
            "branch name", "letters, digits, '.', '_', '+', '-' and '/' (no '..', no component starting or ending with '.'), e.g. main",
            @"(?!.*\.\.)(?!.*//)(?!.*\.lock(?:/|\z))(?!.*/\.)(?!.*\./)[A-Za-z0-9_+](?:[A-Za-z0-9_.+/-]{0,198}[A-Za-z0-9_+])?",
            200);

        /// <summary>The module version a leg installs: 0.1.0, 1.2.3-preview1.</summary>
        public static readonly Grammar ModuleVersion = new Grammar(
            "module version", "MAJOR.MINOR.PATCH[.REVISION] with an optional -prerelease of letters and digits, e.g. 0.1.0",
            "[0-9]{1,9}(?:\\.[0-9]{1,9}){1,3}(?:-[A-Za-z0-9]{1,32})?", 64);

        /// <summary>
        /// A relative file or directory path inside the repository (an image's Directory, the images folder, the matrix file), or '.':
        /// components of letters, digits, '.', '_' and '-' that start with a letter, digit or '_' (so never '..', a hidden
        /// name or something a program could read as an option).
        /// </summary>
        public static readonly Grammar RepositoryPath = new Grammar(
            "repository path", "'.' or path components of letters, digits, '.', '_' and '-', each starting with a letter, digit or '_', separated by '/'",
            @"\.|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(?:/[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}){0,15}", 1024);
    }
}
