using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Sockets;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// The matrix share of the bad-input catalogue: matrix files (content, structure, the file itself) and the parameters
    /// of Get-PythonTag / -MatrixPath. Each case asserts its ErrorId, its category and that nothing was written.
    /// </summary>
    public sealed class MatrixCatalogue : BadInputCatalogue<MatrixCatalogue>, IBadInputArea
    {
        private const string Area = "matrix";
        private const string Sha = "143b1dddefaec3bd2e21e3b839b34a2b7fb9842272883c576420d605e9f30c63";
        private const string Load = "Get-PythonTag -MatrixPath ./m.yaml";

        public MatrixCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 60;

        public static List<BadInputCase> Create() => Each().ToList();

        /// <summary>
        /// A case whose script first makes $work the current location through the engine's API (the hosted session has no
        /// Set-Location: only Microsoft.PowerShell.Core is loaded), so that relative paths and anything a cmdlet might
        /// write land in the folder the harness compares.
        /// </summary>
        private static BadInputCase C(string name, string script, string errorId, ErrorCategory category) =>
            new BadInputCase(Area, name, "$ExecutionContext.SessionState.Path.SetLocation($work) | Out-Null\n" + script, errorId, category);

        private static BadInputCase Arranged(BadInputCase c, Action<string> arrange)
        {
            c.Arrange = arrange;
            return c;
        }

        /// <summary>A matrix file ./m.yaml, loaded by Get-PythonTag.</summary>
        private static BadInputCase M(string name, string yaml, string errorId, ErrorCategory category = ErrorCategory.InvalidData, string script = Load) =>
            C(name, script, errorId, category).WithFile("m.yaml", yaml);

        /// <summary>A matrix with one 3.14 entry whose line 4 is <paramref name="field"/>.</summary>
        private static BadInputCase Field(string name, string field, string errorId) =>
            M(name, "versions:\n  '3.14':\n    version: 3.14.6\n" + field + "\n    variants: [trixie]\n", errorId);

        /// <summary>A top-level setting in front of a valid versions map.</summary>
        private static BadInputCase Top(string name, string line, string errorId) =>
            M(name, line + "\nversions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie, slim-trixie]\n", errorId);

        private static BadInputCase P(string name, string script, string errorId, ErrorCategory category = ErrorCategory.InvalidArgument) =>
            C(name, script, errorId, category);

        private const string Two = "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie, slim-trixie]\n  '3.13':\n    version: 3.13.14\n    variants: [trixie, slim-trixie]\n";

        private static readonly List<Socket> OpenSockets = new List<Socket>();

        /// <summary>The cases in catalogue order, for <see cref="Create"/>.</summary>
        private static IEnumerable<BadInputCase> Each()
        {
            // ---------------------------------------------------------------- the file itself
            yield return P("missing file", "Get-PythonTag -MatrixPath ./absent.yaml", "Matrix.FileNotFound", ErrorCategory.ObjectNotFound);
            yield return P("directory", "Get-PythonTag -MatrixPath $work", "Matrix.NotAFile");
            yield return Arranged(C("directory named like a matrix", "Get-PythonTag -MatrixPath ./m.yaml", "Matrix.NotAFile", ErrorCategory.InvalidArgument), w => Directory.CreateDirectory(Path.Combine(w, "m.yaml")));
            yield return P("/dev/zero", "Get-PythonTag -MatrixPath /dev/zero", "Matrix.NotAFile");
            yield return P("/dev/null", "Get-PythonTag -MatrixPath /dev/null", "Matrix.NotAFile");
            yield return P("/dev/urandom", "Get-PythonTag -MatrixPath /dev/urandom", "Matrix.NotAFile");
            var fifo = Arranged(C("FIFO without a writer", "Get-PythonTag -MatrixPath ./m.fifo", "Matrix.NotAFile", ErrorCategory.InvalidArgument), w => SpecialFiles.MakeFifo(Path.Combine(w, "m.fifo")));
            fifo.SpecialFiles.Add("m.fifo");
            yield return fifo;
            var socket = Arranged(C("unix socket", "Get-PythonTag -MatrixPath ./m.sock", "Matrix.NotAFile", ErrorCategory.InvalidArgument), w =>
                {
                    // Kept open: .NET removes the socket file when a bound socket is closed. The harness removes the folder.
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    s.Bind(new UnixDomainSocketEndPoint(Path.Combine(w, "m.sock")));
                    OpenSockets.Add(s);
                });
            socket.SpecialFiles.Add("m.sock");
            yield return socket;
            var link = Arranged(C("link to /dev/zero", Load, "Matrix.NotAFile", ErrorCategory.InvalidArgument), w => File.CreateSymbolicLink(Path.Combine(w, "m.yaml"), "/dev/zero"));
            link.SpecialFiles.Add("m.yaml");
            yield return link;
            var broken = Arranged(C("broken link", Load, "Matrix.FileNotFound", ErrorCategory.ObjectNotFound), w => File.CreateSymbolicLink(Path.Combine(w, "m.yaml"), Path.Combine(w, "nowhere.yaml")));
            broken.SpecialFiles.Add("m.yaml");
            yield return broken;
            yield return M("over 1 MiB", "versions: {'3.14': {version: 3.14.6, variants: [trixie]}}\n#" + new string('x', 1024 * 1024) + "\n", "Matrix.TooLarge", ErrorCategory.LimitsExceeded);
            // One version's tags are its aliases times its variants: 1,000 × 1,000 in 37 KB would be three million tags.
            yield return M(
                "aliases times variants past the tag limit",
                "aliases:\n  '3.14': [" + string.Join(", ", Enumerable.Range(0, 1000).Select(i => "a" + i)) + "]\nversions:\n  '3.14':\n    version: 3.14.6\n"
                    + "    checksums:\n      source: {sha256: " + Sha + "}\n      windows: {sha256: " + Sha + "}\n"
                    + "    variants: [" + string.Join(", ", Enumerable.Range(0, 1000).Select(i => "windows/windowsservercore-r" + i)) + "]\n",
                "Matrix.TooLarge",
                ErrorCategory.LimitsExceeded);
            var sparse = Arranged(C("50 GB sparse file", Load, "Matrix.TooLarge", ErrorCategory.LimitsExceeded), w =>
                {
                    using var fs = new FileStream(Path.Combine(w, "m.yaml"), FileMode.CreateNew);
                    fs.SetLength(50L * 1024 * 1024 * 1024);
                });
            sparse.SpecialFiles.Add("m.yaml"); // compared by name: hashing 50 GB of zeros would take minutes
            yield return sparse;
            yield return M("empty file", string.Empty, "Matrix.Empty");
            yield return M("only comments", "# nothing\n\n   # here\n", "Matrix.Empty");
            yield return P("NUL in -MatrixPath", "Get-PythonTag -MatrixPath \"./m`0.yaml\"", "Matrix.InvalidPath");
            yield return P("-MatrixPath on the Env: provider", "Get-PythonTag -MatrixPath Env:/PATH", "Matrix.InvalidPath");
            yield return P("-MatrixPath on the Variable: provider", "Get-PythonTag -MatrixPath Variable:/PWD", "Matrix.InvalidPath");
            yield return P("-MatrixPath on an unknown drive", "Get-PythonTag -MatrixPath nosuchdrive:/m.yaml", "Matrix.InvalidPath");
            yield return P("-MatrixPath empty", "Get-PythonTag -MatrixPath ''", "ParameterArgumentValidationError", ErrorCategory.InvalidData);

            // ---------------------------------------------------------------- YAML structure
            yield return M("100,000 nested [", new string('[', 100_000) + new string(']', 100_000), "Matrix.TooDeep", ErrorCategory.LimitsExceeded);
            yield return M("100,000 nested flow maps", string.Concat(Enumerable.Repeat("{a: ", 100_000)) + "1" + new string('}', 100_000), "Matrix.TooDeep", ErrorCategory.LimitsExceeded);
            yield return M("deep block indentation", string.Concat(Enumerable.Range(0, 60).Select(i => new string(' ', i) + "k:\n")) + new string(' ', 60) + "x\n", "Matrix.TooDeep", ErrorCategory.LimitsExceeded);
            yield return M("deep nesting inside a version entry", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: " + new string('[', 40) + new string(']', 40) + "\n", "Matrix.TooDeep", ErrorCategory.LimitsExceeded);
            yield return M("two YAML documents", Two + "---\nversions: {}\n", "Matrix.MultipleDocuments");
            yield return M("anchor and alias", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: &v [trixie]\n  '3.13':\n    version: 3.13.14\n    variants: *v\n", "Matrix.AnchorNotAllowed");
            yield return M("billion laughs", string.Concat(Enumerable.Range(0, 12).Select(i => i == 0 ? "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" : $"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat("*a" + (i - 1), 10))}]\n")) + "versions: {'3.14': {version: 3.14.6, variants: [trixie]}}\n", "Matrix.AnchorNotAllowed");
            yield return M("YAML tag !!str", "versions:\n  '3.14':\n    version: !!str 3.14.6\n    variants: [trixie]\n", "Matrix.YamlTagNotAllowed");
            yield return M("YAML tag !python/object", "versions:\n  '3.14':\n    version: !python/object/apply:os.system ['touch /tmp/pwned']\n    variants: [trixie]\n", "Matrix.YamlTagNotAllowed");
            yield return M("duplicate top-level key", Two + "versions: {}\n", "Matrix.DuplicateKey");
            yield return M("duplicate version key", Two + "  '3.14':\n    version: 3.14.5\n    variants: [bookworm]\n", "Matrix.DuplicateKey");
            yield return M("unclosed flow sequence", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie, slim-trixie\n", "Matrix.MalformedYaml");
            yield return M("NUL byte in the file", "versions:\n  '3.14':\n    version: 3.14.6\0\n    variants: [trixie]\n", "Matrix.InvalidCharacter");
            yield return M("escape sequence byte in the file", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie]\n# \u001b]0;pwned\u0007\n", "Matrix.InvalidCharacter");
            yield return M("top level is a list", "- versions\n", "Matrix.WrongType");
            yield return M("complex mapping key", "? [a, b]\n: 1\nversions: {'3.14': {version: 3.14.6, variants: [trixie]}}\n", "Matrix.WrongType");

            // ---------------------------------------------------------------- values of a version entry
            yield return M("version with a trailing newline", "versions:\n  '3.14':\n    version: \"3.14.6\\n\"\n    variants: [trixie]\n", "Matrix.InvalidVersion");
            yield return M("version with a command", "versions:\n  '3.14':\n    version: \"3.14.6$(touch /tmp/pwned)\"\n    variants: [trixie]\n", "Matrix.InvalidVersion");
            yield return M("version with U+2028", "versions:\n  '3.14':\n    version: \"3.14.6\\u2028\"\n    variants: [trixie]\n", "Matrix.InvalidVersion");
            yield return M("version overflowing an int", "versions:\n  '3.14':\n    version: 3.14.99999999999\n    variants: [trixie]\n", "Matrix.NumberOutOfRange");
            yield return M("version key overflowing an int", "versions:\n  '99999999999.1':\n    version: 3.14.6\n    variants: [trixie]\n", "Matrix.NumberOutOfRange");
            yield return M("versions.json key overflowing an int", "{\"3.99999999999\": {\"version\": \"3.14.6\", \"variants\": [\"trixie\"]}}\n", "Matrix.NumberOutOfRange");
            yield return M("version key with a trailing newline", "versions:\n  \"3.14\\n\":\n    version: 3.14.6\n    variants: [trixie]\n", "Matrix.InvalidVersionKey");
            yield return Field("sha256 with a trailing newline", "    checksums: {source: {sha256: \"" + Sha + "\\n\"}}", "Matrix.InvalidChecksum");
            yield return Field("sha256 with a shell command", "    checksums: {source: {sha256: \"" + Sha + "; touch /tmp/pwned\"}}", "Matrix.InvalidChecksum");
            yield return Field("windows sha256 with quotes", "    checksums: {windows: {sha256: \"'\\\"'\\\"\"}}", "Matrix.InvalidChecksum");
            yield return Field("sha1 of the wrong length", "    checksums: {source: {sha1: abc}}", "Matrix.InvalidChecksum");
            yield return Field("sha512 that is not hex", "    checksums: {source: {sha512: \"" + new string('z', 128) + "\"}}", "Matrix.InvalidChecksum");
            yield return Field("md5 with a newline", "    checksums: {source: {md5: \"0123456789abcdef0123456789abcdef\\n\"}}", "Matrix.InvalidChecksum");
            yield return Field("gpgKey with a trailing newline", "    gpgKey: \"A035C8C19219BA821ECEA86B64E628F8D684696D\\n\"", "Matrix.InvalidGpgKey");
            yield return Field("gpgKey with a command", "    gpgKey: \"A035C8C19219BA821ECEA86B64E628F8D684696D;curl${IFS}evil\"", "Matrix.InvalidGpgKey");
            yield return Field("setuptools.version injecting RUN", "    setuptools: {version: \"79.0.1' 'x'; true\\nRUN touch /pwned\"}", "Matrix.InvalidSetuptoolsVersion");
            yield return Field("setuptools.version with $()", "    setuptools: {version: \"$(touch /tmp/pwned)\"}", "Matrix.InvalidSetuptoolsVersion");
            yield return Field("setuptools.version with backticks", "    setuptools: {version: \"79.0.1`id`\"}", "Matrix.InvalidSetuptoolsVersion");
            yield return Field("setuptools.version with a trailing newline", "    setuptools: {version: \"79.0.1\\n\"}", "Matrix.InvalidSetuptoolsVersion");
            yield return Field("setuptools.version as a list", "    setuptools: {version: [79.0.1]}", "Matrix.WrongType");
            yield return Field("pip.version with a pipe", "    pip: {version: \"25.1.1 | sh\"}", "Matrix.InvalidPipVersion");
            yield return Field("pip with an unknown key", "    pip: {url: x}", "Matrix.UnknownKey");
            yield return Field("get-pip sha256 with a newline", "    get-pip: {sha256: \"" + Sha + "\\n\"}", "Matrix.InvalidGetPip");
            yield return Field("get-pip url over ftp", "    get-pip: {url: \"ftp://example.com/get-pip.py\"}", "Matrix.InvalidGetPip");
            yield return Field("get-pip url with $()", "    get-pip: {url: \"https://example.com/$(id)/get-pip.py\"}", "Matrix.InvalidGetPip");
            yield return Field("excluded architecture with a newline", "    excludeArchitectures: [\"amd64\\n\"]", "Matrix.UnknownArchitecture");
            yield return Field("unknown key", "    varients: [trixie]", "Matrix.UnknownKey");
            yield return M("variant with a newline", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [\"trixie\\n\"]\n", "Matrix.InvalidVariantPath");
            yield return M("variant ../x", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [\"../x\"]\n", "Matrix.InvalidVariantPath");
            yield return M("variant with a space", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [\"tri xie\"]\n", "Matrix.InvalidVariantPath");
            yield return M("variant with $()", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [\"$(id)\"]\n", "Matrix.UnknownVariantForm");
            yield return M("variant of 500 characters", "versions:\n  '3.14':\n    version: 3.14.6\n    variants: [" + new string('a', 500) + "]\n", "Matrix.InvalidVariantPath");

            // ---------------------------------------------------------------- top-level values
            yield return Top("repository with a space", "repository: foo bar", "Matrix.InvalidRepository");
            yield return Top("repository ../x", "repository: ../x", "Matrix.InvalidRepository");
            yield return Top("repository with a newline", "repository: \"https://github.com/docker-library/python\\nGitRepo: https://evil\"", "Matrix.InvalidRepository");
            yield return Top("repository with credentials", "repository: \"https://user:secret@github.com/x/python\"", "Matrix.InvalidRepository");
            yield return Top("repository with markdown", "repository: \"https://github.com/x/python)[x](javascript:alert(1)\"", "Matrix.InvalidRepository");
            yield return Top("repository file URL", "repository: \"file:///etc/passwd\"", "Matrix.InvalidRepository");
            yield return Top("maintainer with a newline", "maintainers: [\"Jane Doe <jane@example.com> (@jane)\\nGitRepo: https://evil\"]", "Matrix.InvalidMaintainer");
            yield return Top("maintainer with HTML", "maintainers: [\"<img src=x onerror=alert(1)> (@x)\"]", "Matrix.InvalidMaintainer");
            yield return Top("maintainer with a comma", "maintainers: [\"Jane Doe, John Doe (@jane)\"]", "Matrix.InvalidMaintainer");
            yield return Top("base image with a command", "architectures: {\"buildpack-deps:trixie;id\": [amd64]}", "Matrix.InvalidBaseImage");
            yield return Top("architecture unknown", "architectures: {\"buildpack-deps:trixie\": [amd64, sparc]}", "Matrix.UnknownArchitecture");
            yield return Top("alias with a space", "aliases: {'3.14': [\"foo bar\"]}", "Matrix.InvalidAlias");
            yield return Top("alias ../x", "aliases: {'3.14': [../x]}", "Matrix.InvalidAlias");
            yield return Top("alias with a newline", "aliases: {'3.14': [\"latest\\nRUN id\"]}", "Matrix.InvalidAlias");
            yield return Top("alias with a colon", "aliases: {'3.14': [\"x:y\"]}", "Matrix.InvalidAlias");
            yield return Top("aliases key overflowing an int", "aliases: {'3.99999999999': [x]}", "Matrix.NumberOutOfRange");
            yield return Top("unknown top-level key", "alias: {'3.14': [latest]}", "Matrix.UnknownKey");

            // ---------------------------------------------------------------- tags, at load (Get-PythonTag, not only Export)
            yield return M("latest on 3.14 and 3.13", "aliases:\n  '3.14': ['3', latest]\n  '3.13': [latest]\n" + Two, "Matrix.AliasCollision");
            yield return M("alias listed twice", "aliases:\n  '3.14': ['3', '3']\n" + Two, "Matrix.AliasCollision");
            yield return M("alias naming another version key", "aliases:\n  '3.14': ['3.13']\n" + Two, "Matrix.AliasCollision");
            yield return M("alias naming another full version", "aliases:\n  '3.14': ['3.13.14']\n" + Two, "Matrix.AliasCollision");
            yield return M("two images claiming one tag", "aliases:\n  '3.14': ['3-slim']\n  '3.13': ['3']\n" + Two, "Matrix.DuplicateTag");
            yield return M("shared tag that is another image's tag", "aliases:\n  '3.13': ['3.14-alpine']\nversions:\n  '3.14':\n    version: 3.14.6\n    variants: [alpine3.24]\n  '3.13':\n    version: 3.13.14\n    variants: [windows/windowsservercore-ltsc2025]\n", "Matrix.DuplicateTag");
            yield return M("tag longer than 128 characters", "aliases:\n  '3.14': [" + new string('a', 125) + "]\n" + Two, "Matrix.InvalidTag");
            yield return M("every architecture excluded", "architectures: {'buildpack-deps:trixie': [amd64, arm64v8]}\nexcludeArchitectures: [amd64, arm64v8]\nversions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie]\n", "Matrix.NoArchitectures");
            yield return M("base with an empty architecture list", "architectures: {'debian:trixie-slim': []}\nversions:\n  '3.14':\n    version: 3.14.6\n    variants: [trixie, slim-trixie]\n", "Matrix.NoArchitectures");

            // ---------------------------------------------------------------- Get-PythonTag's own parameters
            yield return P("-Name with a newline", "Get-PythonTag -Name \"3.14`nRUN id\"", "PythonTag.InvalidName");
            yield return P("-Name with an ANSI escape", "Get-PythonTag -Name \"`e[31mlatest\"", "PythonTag.InvalidName");
            yield return P("-Name with an unclosed [", "Get-PythonTag -Name '3.14['", "PythonTag.InvalidName");
            yield return P("-Name of 300 characters", "Get-PythonTag -Name ('a' * 300)", "PythonTag.InvalidName");
            yield return P("-Name from the pipeline with NUL", "\"latest`0\" | Get-PythonTag", "PythonTag.InvalidName");
            yield return P("-Version with an unclosed [", "Get-PythonTag -Version '3.1['", "PythonTag.InvalidVersion");
            yield return P("-Version with a newline", "Get-PythonTag -Version \"3.14`n\"", "PythonTag.InvalidVersion");
            yield return P("-Variant with U+2028", "Get-PythonTag -Variant \"trixie$([char]0x2028)\"", "PythonTag.InvalidVariant");
            yield return P("-Variant with an unclosed [", "Get-PythonTag -Variant 'slim-[ab'", "PythonTag.InvalidVariant");
            yield return P("-OS unknown", "Get-PythonTag -OS Plan9", "CannotConvertArgumentNoMessage");

            // ---------------------------------------------------------------- every cmdlet that loads a matrix
            yield return M("Get-PythonDockerfile with a deep matrix", new string('[', 100_000), "Matrix.TooDeep", ErrorCategory.LimitsExceeded, "Get-PythonDockerfile -MatrixPath ./m.yaml -Version 3.14 -Variant trixie -Raw");
            yield return M("New-PythonDockerfile with an alias collision", "aliases:\n  '3.14': [latest]\n  '3.13': [latest]\n" + Two, "Matrix.AliasCollision", ErrorCategory.InvalidData, "New-PythonDockerfile -Path $work -MatrixPath ./m.yaml");
            yield return M("New-PythonDockerfile with a setuptools injection", "versions:\n  '3.11':\n    version: 3.11.15\n    checksums: {source: {sha256: " + Sha + "}}\n    setuptools: {version: \"79.0.1' 'x'; true\\nRUN touch /pwned\"}\n    variants: [trixie]\n", "Matrix.InvalidSetuptoolsVersion", ErrorCategory.InvalidData, "New-PythonDockerfile -Path $work -MatrixPath ./m.yaml");
            yield return P("Test-PythonDockerfile with /dev/zero as matrix", "Test-PythonDockerfile -Path $work -MatrixPath /dev/zero", "Matrix.NotAFile");
            yield return M("Export-PythonLibraryManifest with a bad repository", "repository: \"https://github.com/x/python\\nMaintainers: evil\"\n" + Two, "Matrix.InvalidRepository", ErrorCategory.InvalidData, "Export-PythonLibraryManifest -MatrixPath ./m.yaml -GitCommit " + new string('a', 40) + " -Path ./library-python");
        }
    }
}
