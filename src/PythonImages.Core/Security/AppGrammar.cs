namespace PythonImages.Security
{
    /// <summary>
    /// The allowlist grammars of the values that New-PythonAppDockerfile writes into an app's Dockerfile and
    /// .dockerignore, and that Invoke-PythonContainer passes to the engine (anchored, length-limited, printable ASCII,
    /// as every <see cref="Grammar"/>).
    /// </summary>
    public static class AppGrammar
    {
        /// <summary>
        /// A script of the app, relative to its folder: '/'-separated components that start with a letter, digit or '_'
        /// (so never '.', '..', a hidden name or something python would read as an option) and hold letters, digits, '_',
        /// '.' and '-'; the last one ends in .py.
        /// </summary>
        public static readonly Grammar ScriptPath = new Grammar(
            "script path", "a .py file inside the app folder: components of letters, digits, '_', '.' and '-' that start with a letter, digit or '_', separated by '/', e.g. app.py or tools/run.py",
            "(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}/){0,15}[A-Za-z0-9_][A-Za-z0-9_.-]{0,124}\\.py", 1024);

        /// <summary>A Python module name as <c>python -m</c> takes it: dotted identifiers (ASCII).</summary>
        public static readonly Grammar ModuleName = new Grammar(
            "Python module name", "dotted identifiers of letters, digits and '_' that do not start with a digit, e.g. myapp or myapp.server",
            "[A-Za-z_][A-Za-z0-9_]{0,99}(?:\\.[A-Za-z_][A-Za-z0-9_]{0,99}){0,15}", 255);

        /// <summary>
        /// A user name that useradd (Debian), adduser (Alpine) and Windows all accept: a lowercase letter or '_', then up to
        /// 19 lowercase letters, digits, '_' or '-' (Windows allows 20 characters in all).
        /// </summary>
        public static readonly Grammar UserName = new Grammar(
            "user name", "a lowercase letter or '_' followed by up to 19 lowercase letters, digits, '_' or '-', e.g. app or web-user",
            "[a-z_][a-z0-9_-]{0,19}", 20);

        /// <summary>A container name as the engine accepts it.</summary>
        public static readonly Grammar ContainerName = new Grammar(
            "container name", "a letter or digit followed by 1 to 127 letters, digits, '_', '.' or '-'",
            "[A-Za-z0-9][A-Za-z0-9_.-]{1,127}", 128);

        /// <summary>The name of an environment variable passed to a container.</summary>
        public static readonly Grammar EnvironmentName = new Grammar(
            "environment variable name", "a letter or '_' followed by letters, digits or '_', e.g. APP_MODE",
            "[A-Za-z_][A-Za-z0-9_]{0,254}", 255);
    }
}
