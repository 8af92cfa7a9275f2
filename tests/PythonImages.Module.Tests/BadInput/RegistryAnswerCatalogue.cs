using System.Collections.Generic;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// The registry-answer area of the bad-input catalogue: hostile values a registry sends back, checked by the registry
    /// grammars (platform fields, media types, annotations) and the digest grammar (a config digest, an index entry's
    /// digest). Each case is Publish-PythonImage -SharedTagsOnly from a ledger whose pushed image lives in its own
    /// repository of the <see cref="HostileRegistry"/>: the image's manifest and config, or the shared tag's existing index,
    /// carry the hostile value. That registry accepts every write, so a value that slipped through would show as an index
    /// written (no error) instead of its id.
    /// </summary>
    [Collection(EngineEnvironmentCollection.Name)]
    public sealed class RegistryAnswerCatalogue : BadInputCatalogue<RegistryAnswerCatalogue>, IBadInputArea
    {
        private const string Area = "registry-answer";
        private const string Config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
        private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
        private const string OciIndex = "application/vnd.oci.image.index.v1+json";
        private const string Linux = "{\"os\":\"linux\",\"architecture\":\"arm64\"}";
        private const string Other = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

        public RegistryAnswerCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 30;

        public static List<BadInputCase> Create()
        {
            var list = new List<BadInputCase>();

            // The pushed image's config (its platform, read for the index): the index is not written, naming the image.
            void ConfigCase(string name, string config) => Add(list, name, "Publish.PushFailed", ErrorCategory.InvalidResult, config);
            ConfigCase("a config os with an escape sequence", Platform("linux\u001b]0;owned\u0007", "amd64"));
            ConfigCase("a config os in uppercase", Platform("Linux", "amd64"));
            ConfigCase("a config architecture with a line break", Platform("linux", "amd64\nx"));
            ConfigCase("a config architecture longer than 64 characters", Platform("linux", new string('a', 65)));
            ConfigCase("a config architecture with a slash", Platform("linux", "arm64/v8"));
            ConfigCase("a config variant with a shell metacharacter", Platform("linux", "arm", ",\"variant\":\"v7;id\""));
            ConfigCase("a config os.version with a space", Platform("windows", "amd64", ",\"os.version\":\"10.0 20348\""));
            ConfigCase("a config os.version outside ASCII", Platform("windows", "amd64", ",\"os.version\":\"10.0.\u0663\""));
            ConfigCase("a config without an os", "{\"architecture\":\"amd64\"}");
            ConfigCase("a config that is not JSON", "<html>proxy</html>");

            // The pushed image's manifest: its config digest (put in a URL) and its media type.
            void ManifestCase(string name, string manifest, string type = OciManifest) => Add(list, name, "Publish.PushFailed", ErrorCategory.InvalidResult, Config, manifest, type);
            ManifestCase("a config digest with an escape sequence", Manifest("sha256:\u001b[2J"));
            ManifestCase("a config digest going up a path", Manifest("sha256:../../../v2/_catalog"));
            ManifestCase("a config digest in uppercase hex", Manifest("sha256:" + new string('A', 64)));
            ManifestCase("a config digest of another algorithm", Manifest("md5:" + new string('a', 32)));
            ManifestCase("a manifest media type in uppercase", Manifest(Digest(Config)), "Application/Vnd.Oci.Image.Manifest.V1+Json");
            ManifestCase("a manifest media type with a character outside the grammar", Manifest(Digest(Config)), "application/vnd.oci~image.manifest");

            // The shared tag's existing index: each entry is checked before it is merged into the new index.
            void IndexCase(string name, string entry, string type = OciIndex) =>
                Add(list, name, "Publish.RegistryError", ErrorCategory.ProtocolError, index: "{\"schemaVersion\":2,\"mediaType\":\"" + OciIndex + "\",\"manifests\":[" + entry + "]}", indexType: type);
            IndexCase("an index entry os with an escape sequence", Entry("{\"os\":\"linux\\u001b[2J\",\"architecture\":\"amd64\"}"));
            IndexCase("an index entry architecture with a line break", Entry("{\"os\":\"linux\",\"architecture\":\"amd64\\r\\nX-Injected: 1\"}"));
            IndexCase("an index entry architecture in uppercase", Entry("{\"os\":\"linux\",\"architecture\":\"AMD64\"}"));
            IndexCase("an index entry without an architecture", Entry("{\"os\":\"linux\"}"));
            IndexCase("an index entry variant with a shell substitution", Entry("{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"$(id)\"}"));
            IndexCase("an index entry os.version longer than 64 characters", Entry("{\"os\":\"windows\",\"architecture\":\"amd64\",\"os.version\":\"" + new string('1', 65) + "\"}"));
            IndexCase("an index entry media type with parameters", Entry(Linux, mediaType: "application/vnd.oci.image.manifest.v1+json; charset=utf-8"));
            IndexCase("an index entry media type without a subtype", Entry(Linux, mediaType: "application"));
            IndexCase("an index entry digest going up a path", Entry(Linux, digest: "sha256:../../x"));
            IndexCase("an index entry digest with an escape sequence", Entry(Linux, digest: "sha256:\u001b[2J"));
            IndexCase("an index entry that is not an object", "\"sha256:" + new string('1', 64) + "\"");
            IndexCase("an annotation key with a space", Entry(Linux, annotations: "{\"vnd.docker reference\":\"x\"}"));
            IndexCase("an annotation key with an escape sequence", Entry(Linux, annotations: "{\"vnd\\u001b[2J\":\"x\"}"));
            IndexCase("an annotation key starting with a dot", Entry(Linux, annotations: "{\".hidden\":\"x\"}"));
            IndexCase("an annotation key longer than 255 characters", Entry(Linux, annotations: "{\"" + new string('k', 256) + "\":\"x\"}"));
            IndexCase("an annotation value with a line break", Entry(Linux, annotations: "{\"org.opencontainers.image.title\":\"python\\nX-Injected: 1\"}"));
            IndexCase("an annotation value with an escape sequence", Entry(Linux, annotations: "{\"org.opencontainers.image.title\":\"\\u001b]0;owned\\u0007\"}"));
            IndexCase("an annotation value longer than 4096 characters", Entry(Linux, annotations: "{\"org.opencontainers.image.title\":\"" + new string('v', 4097) + "\"}"));
            IndexCase("an annotation value that is not a string", Entry(Linux, annotations: "{\"org.opencontainers.image.title\":{\"x\":1}}"));
            IndexCase("an index media type with a character outside the grammar", Entry(Linux), type: "application/vnd.oci.image.index.v1+json~");
            return list;
        }

        /// <summary>
        /// A case in its own repository (/v2/rNN/python): the image's config and manifest (by digest) and, when given, the
        /// shared tag 3.14's index are served; the ledger records the image as pushed there.
        /// </summary>
        private static void Add(List<BadInputCase> list, string name, string errorId, ErrorCategory category, string config = Config, string? manifest = null, string manifestType = OciManifest, string? index = null, string indexType = OciIndex)
        {
            string ns = "r" + (list.Count + 1).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
            string repository = "/v2/" + ns + "/python";
            manifest ??= Manifest(Digest(config), Encoding.UTF8.GetByteCount(config));
            HostileRegistry.Serve(repository + "/blobs/" + Digest(config), "application/octet-stream", config);
            HostileRegistry.Serve(repository + "/manifests/" + Digest(manifest), manifestType, manifest);
            if (index != null)
            {
                HostileRegistry.Serve(repository + "/manifests/3.14", indexType, index);
            }

            string pushed = "{" + Q(HostileRegistry.Host + "/" + ns + "/python:3.14-slim") + ": " + Q(Digest(manifest)) + "}";
            list.Add(new BadInputCase(Area, name, $"Publish-PythonImage -Registry '{HostileRegistry.Host}/{ns}' -Ledger ./ledger.json -SharedTagsOnly -DockerHost '{HostileRegistry.EngineHost}'", errorId, category)
                .WithFile("ledger.json", LedgerCatalogue.Ledger(LedgerCatalogue.Entry("pushed", pushed))));
        }

        private static string Platform(string os, string architecture, string more = "") =>
            "{\"architecture\":" + Q(architecture) + ",\"os\":" + Q(os) + more + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

        private static string Manifest(string configDigest, int configSize = 2) =>
            "{\"schemaVersion\":2,\"mediaType\":\"" + OciManifest + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":" + configSize + ",\"digest\":" + Q(configDigest) + "},\"layers\":[]}";

        /// <summary>An index entry with <paramref name="platform"/> (raw JSON) and, as given, a media type, digest or annotations (raw JSON).</summary>
        private static string Entry(string platform, string mediaType = OciManifest, string digest = Other, string? annotations = null) =>
            "{\"mediaType\":" + Q(mediaType) + ",\"digest\":" + Q(digest) + ",\"size\":500,\"platform\":" + platform + (annotations == null ? string.Empty : ",\"annotations\":" + annotations) + "}";

        private static string Digest(string text) => "sha256:" + System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));

        private static string Q(string s) => JsonSerializer.Serialize(s);
    }
}
