namespace PythonImages.Security
{
    /// <summary>The allowlist grammars of the values a build ledger holds (besides references, tags and platforms, which have their own).</summary>
    public static class LedgerGrammar
    {
        /// <summary>A content digest as the engine and registries write it: sha256:&lt;64 lowercase hex digits&gt;.</summary>
        public static readonly Grammar Digest = new Grammar(
            "sha256 digest", "sha256: followed by 64 lowercase hexadecimal digits",
            "sha256:[0-9a-f]{64}", 71);

        /// <summary>
        /// What a ledger records of a build argument's value: its fingerprint (pbkdf2-sha256:&lt;64 hex&gt;, see
        /// <see cref="Ledger.BuildArgFingerprint"/>), keyed with a ledger key (hmac-pbkdf2-sha256:&lt;key id&gt;:&lt;64 hex&gt;),
        /// or the plain sha256 earlier ledgers recorded (read, never written).
        /// </summary>
        public static readonly Grammar BuildArgDigest = new Grammar(
            "build argument fingerprint", "pbkdf2-sha256: (or, written by an earlier version, sha256:) followed by 64 lowercase hexadecimal digits, or hmac-pbkdf2-sha256: followed by 16 lowercase hexadecimal digits, a colon and 64 more",
            "(pbkdf2-sha256|sha256):[0-9a-f]{64}|hmac-pbkdf2-sha256:[0-9a-f]{16}:[0-9a-f]{64}", 100);

        /// <summary>
        /// What names an image in a ledger: the matrix directory of a python image (3.14/slim-trixie), or the full path of
        /// the Dockerfile of a build of a folder (printable text; the ledger compares it, nothing runs it).
        /// </summary>
        public static readonly Grammar ImageKey = new Grammar(
            "image key", "a matrix directory such as 3.14/slim-trixie, or the full path of a Dockerfile",
            "[ -~]{1,4096}", 4096, allowSpace: true);
    }
}
