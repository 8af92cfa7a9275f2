using System;

namespace PythonImages.Security
{
    /// <summary>
    /// The allowlist grammars of the values that the build and test cmdlets pass to a Docker engine
    /// (anchored, length-limited, printable ASCII, as every <see cref="Grammar"/>).
    /// </summary>
    public static class EngineGrammar
    {
        /// <summary>A platform as the engine takes it: os[/architecture[/variant]], e.g. linux/amd64 or linux/arm/v7.</summary>
        public static readonly Grammar Platform = new Grammar(
            "platform", "os[/architecture[/variant]] of letters, digits, '_', '.' and '-', e.g. linux/amd64 or linux/arm/v7",
            "[A-Za-z][A-Za-z0-9_.-]{0,31}(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,31}){0,2}", 98);

        /// <summary>A network mode: host, bridge, none, default, a network name or id, or container:&lt;name|id&gt;.</summary>
        public static readonly Grammar Network = new Grammar(
            "network", "host, bridge, none, a network name or id (a letter or digit, then letters, digits, '_', '.' or '-'), or container:<name>",
            "(?:container:)?[A-Za-z0-9][A-Za-z0-9_.-]{0,127}", 138);

        /// <summary>A build argument name: what a Dockerfile ARG and the RUN environment can name.</summary>
        public static readonly Grammar BuildArgName = new Grammar(
            "build argument name", "a letter or '_' followed by letters, digits or '_', e.g. HTTP_PROXY",
            "[A-Za-z_][A-Za-z0-9_]{0,127}", 128);

        /// <summary>A label key: reverse-DNS style, e.g. org.opencontainers.image.revision.</summary>
        public static readonly Grammar LabelKey = new Grammar(
            "label key", "letters, digits, '.', '_', '-' and '/', starting and ending with a letter or digit, e.g. org.opencontainers.image.revision",
            "[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,253}[A-Za-z0-9])?", 255);

        /// <summary>An image id or a unique prefix of one: sha256:&lt;hex&gt; or at least 12 hex digits.</summary>
        public static readonly Grammar ImageId = new Grammar(
            "image id", "sha256:<64 hex digits>, or a unique prefix of at least 12 hex digits",
            "(?:sha256:)?[0-9a-f]{12,64}", 71);

        /// <summary>
        /// A platform key of Invoke-PythonImageBuild -Engine: linux or windows, then optionally an architecture and a variant
        /// (linux/arm/v7) or a Windows version (windows/amd64/ltsc2025); lowercase (keys are lowercased before the check).
        /// </summary>
        public static readonly Grammar EnginePlatformKey = new Grammar(
            "engine platform key", "linux or windows[/architecture[/variant or ltsc<year>]] in lowercase letters, digits and '_', e.g. linux/amd64, linux/arm/v7 or windows/amd64/ltsc2025",
            "(?:linux|windows)(?:/[a-z0-9_]{1,16}(?:/[a-z0-9_]{1,16})?)?", 42);

        /// <summary>A docker context name, as the docker CLI allows it (a letter or digit, then letters, digits, '_', '.', '+', '-').</summary>
        public static readonly Grammar ContextName = new Grammar(
            "docker context name", "a letter or digit followed by letters, digits, '_', '.', '+' or '-', e.g. arm-builder",
            "[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}", 128);

        /// <summary>
        /// Why a free-text value (a build argument or label value) cannot be passed on, or null: it may hold spaces and
        /// any printable character, and non-ASCII letters, but no control character (NUL, line breaks, escapes) and no
        /// Unicode line or paragraph separator.
        /// </summary>
        public static string? WhyNotFreeText(string? value, int maxLength = 32 * 1024)
        {
            if (value == null)
            {
                return null;
            }

            if (value.Length > maxLength)
            {
                return $"the value is {value.Length} characters long; at most {maxLength} are allowed";
            }

            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if ((c < 0x20 && c != '\t') || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == '\u2028' || c == '\u2029')
                {
                    return $"the value contains the control character U+{(int)c:X4} at position {i + 1}";
                }
            }

            return null;
        }
    }
}
