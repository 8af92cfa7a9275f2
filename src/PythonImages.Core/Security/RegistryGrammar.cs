namespace PythonImages.Security
{
    /// <summary>
    /// The allowlist grammars of the values a registry sends that Publish-PythonImage shows, writes into an index or puts
    /// in a URL (digests use <see cref="LedgerGrammar.Digest"/>).
    /// </summary>
    public static class RegistryGrammar
    {
        /// <summary>One platform field of an image config or index entry (os, architecture, variant, os.version): linux, arm64, v8, 10.0.20348.2655.</summary>
        public static readonly Grammar PlatformField = new Grammar(
            "platform field", "lowercase letters, digits, '.', '_' and '-' (at most 64), e.g. linux, arm64, v7 or 10.0.20348.2655",
            "[a-z0-9][a-z0-9._-]{0,63}", 64);

        /// <summary>A media type of a manifest or index (application/vnd.oci.image.manifest.v1+json).</summary>
        public static readonly Grammar MediaType = new Grammar(
            "media type", "type/subtype of lowercase letters, digits, '.', '+', '_' and '-', e.g. application/vnd.oci.image.manifest.v1+json",
            "[a-z0-9][a-z0-9.+_-]{0,126}/[a-z0-9][a-z0-9.+_-]{0,126}", 255);

        /// <summary>The key of an index entry's annotation: reverse-DNS style, e.g. vnd.docker.reference.type.</summary>
        public static readonly Grammar AnnotationKey = new Grammar(
            "annotation key", "letters, digits, '.', '_', '-' and '/', starting and ending with a letter or digit, e.g. vnd.docker.reference.type",
            "[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,253}[A-Za-z0-9])?", 255);

        /// <summary>The value of an index entry's annotation: text on one line (no control characters), at most 4096 characters.</summary>
        public static readonly Grammar AnnotationValue = new Grammar(
            "annotation value", "text on one line without control characters, at most 4096 characters", "[^\\r\\n]*", 4096, allowUnicode: true);
    }
}
