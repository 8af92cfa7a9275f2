using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// The ledger area of the bad-input catalogue: hostile or damaged ledger files given to Invoke-PythonImageBuild -Ledger,
    /// Publish-PythonImage -Ledger and Merge-PythonBuildLedger, and unusable ledger paths. The engine is a socket that does
    /// not exist, so a ledger that slipped through validation would show as an engine error instead of its own id.
    /// </summary>
    [Collection(EngineEnvironmentCollection.Name)]
    public sealed class LedgerCatalogue : BadInputCatalogue<LedgerCatalogue>, IBadInputArea
    {
        private const string Area = "ledger";
        private const string Engine = " -DockerHost \"unix://$work/none.sock\"";
        private const string Build = "Invoke-PythonImageBuild -Path ./ctx -Repository pitest-ledger -Ledger ./ledger.json" + Engine;
        private const string Id = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        private const string Sha = "2222222222222222222222222222222222222222222222222222222222222222";

        public LedgerCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 30;

        /// <summary>A valid ledger entry with one field replaced (raw JSON).</summary>
        internal static string Entry(string? field = null, string? json = null, string image = "3.14/slim-trixie")
        {
            var fields = new List<(string Key, string Json)>
            {
                ("image", Q(image)),
                ("platform", Q("linux/amd64")),
                ("dockerfileSha256", Q(Sha)),
                ("contextDigest", Q("sha256:" + Sha)),
                ("buildArgs", "{}"),
                ("baseImage", Q("debian:trixie-slim")),
                ("baseImageId", Q(Id)),
                ("baseImageDigest", "null"),
                ("imageId", Q(Id)),
                ("tags", "[" + Q("python:3.14-slim") + "]"),
                ("sharedTags", "[" + Q("3.14") + "]"),
                ("created", Q("2026-11-30T10:00:00Z")),
                ("pushed", "{}"),
            };
            var parts = fields.Select(f => f.Key == field ? (json == null ? null : Q(f.Key) + ": " + json) : Q(f.Key) + ": " + f.Json).Where(p => p != null);
            if (field != null && !fields.Any(f => f.Key == field))
            {
                parts = parts.Append(Q(field) + ": " + json);
            }

            return "{ " + string.Join(", ", parts) + " }";
        }

        internal static string Ledger(params string[] entries) => "{ \"schema\": \"pythonimages/build-ledger\", \"version\": 1, \"images\": [" + string.Join(", ", entries) + "] }";

        private static string Q(string s) => System.Text.Json.JsonSerializer.Serialize(s);

        public static List<BadInputCase> Create()
        {
            var list = new List<BadInputCase>();
            void Add(string name, string script, string errorId, ErrorCategory category, string? ledger = null, Action<string>? arrange = null, ISet<string>? special = null)
            {
                var c = new BadInputCase(Area, name, script, errorId, category) { Arrange = arrange }
                    .WithFile("ctx/Dockerfile", "FROM scratch\n");
                if (ledger != null)
                {
                    c.WithFile("ledger.json", ledger);
                }

                foreach (var s in special ?? new HashSet<string>())
                {
                    c.SpecialFiles.Add(s);
                }

                list.Add(c);
            }

            void Hostile(string name, string ledger) => Add("build: " + name, Build, "Ledger.Invalid", ErrorCategory.InvalidData, ledger);

            Hostile("not JSON", "{ \"schema\": ");
            Hostile("an empty file", string.Empty);
            Hostile("a JSON list", "[]");
            Hostile("another schema", "{ \"schema\": \"other\", \"version\": 1, \"images\": [] }");
            Hostile("a newer version", "{ \"schema\": \"pythonimages/build-ledger\", \"version\": 2, \"images\": [] }");
            Hostile("a version as text", "{ \"schema\": \"pythonimages/build-ledger\", \"version\": \"1\", \"images\": [] }");
            Hostile("images not a list", "{ \"schema\": \"pythonimages/build-ledger\", \"version\": 1, \"images\": {} }");
            Hostile("an unknown top-level key", "{ \"schema\": \"pythonimages/build-ledger\", \"version\": 1, \"images\": [], \"run\": \"id\" }");
            Hostile("a key twice", "{ \"schema\": \"pythonimages/build-ledger\", \"schema\": \"pythonimages/build-ledger\", \"version\": 1, \"images\": [] }");
            Hostile("nested too deep", "{ \"schema\": \"pythonimages/build-ledger\", \"version\": 1, \"images\": [" + new string('[', 40) + new string(']', 40) + "] }");
            Hostile("an unknown entry key", Ledger(Entry("command", Q("id"))));
            Hostile("an entry without imageId", Ledger(Entry("imageId")));
            Hostile("a tag with a shell metacharacter", Ledger(Entry("tags", "[" + Q("python:3.14;rm -rf /") + "]")));
            Hostile("a tag with a line break", Ledger(Entry("tags", "[" + Q("python:3.14\nRUN id") + "]")));
            Hostile("a tag with uppercase", Ledger(Entry("tags", "[" + Q("Python:3.14") + "]")));
            Hostile("a tag with a digest", Ledger(Entry("tags", "[" + Q("python@sha256:" + Sha) + "]")));
            Hostile("a tag that is not text", Ledger(Entry("tags", "[42]")));
            Hostile("a tag outside ASCII", Ledger(Entry("tags", "[" + Q("python:3.14\u00e9") + "]")));
            Hostile("a shared tag with a dash first", Ledger(Entry("sharedTags", "[" + Q("-bad") + "]")));
            Hostile("a shared tag with a dollar", Ledger(Entry("sharedTags", "[" + Q("${{ secrets.X }}") + "]")));
            Hostile("a pushed reference with a space", Ledger(Entry("pushed", "{ " + Q("localhost:5000/library/python :3.14") + ": " + Q("sha256:" + Sha) + " }")));
            Hostile("a pushed digest of another algorithm", Ledger(Entry("pushed", "{ " + Q("localhost:5000/library/python:3.14") + ": " + Q("md5:0123456789abcdef0123456789abcdef") + " }")));
            Hostile("a short image id", Ledger(Entry("imageId", Q("sha256:abc"))));
            Hostile("a platform with a semicolon", Ledger(Entry("platform", Q("linux/amd64;id"))));
            Hostile("a build argument name with a dash", Ledger(Entry("buildArgs", "{ " + Q("HTTP-PROXY") + ": " + Q("sha256:" + Sha) + " }")));
            Hostile("a build argument value in clear", Ledger(Entry("buildArgs", "{ " + Q("HTTP_PROXY") + ": " + Q("http://user:hunter2@proxy:3128") + " }")));
            Hostile("a Dockerfile sha256 too short", Ledger(Entry("dockerfileSha256", Q("abc"))));
            Hostile("a date that is not one", Ledger(Entry("created", Q("yesterday"))));
            Hostile("an image key with a bell", Ledger(Entry("image", Q("3.14/slim\u0007"))));
            Hostile("a base image with a command substitution", Ledger(Entry("baseImage", Q("$(id)"))));
            Hostile("the same image twice", Ledger(Entry(), Entry()));

            Add("build: ledger is a folder", Build, "Ledger.InvalidPath", ErrorCategory.InvalidArgument, arrange: w => Directory.CreateDirectory(Path.Combine(w, "ledger.json")));
            Add("build: ledger in a missing folder", Build.Replace("./ledger.json", "./missing/ledger.json", StringComparison.Ordinal), "Ledger.InvalidPath", ErrorCategory.InvalidArgument);
            if (!OperatingSystem.IsWindows())
            {
                Add("build: ledger is a FIFO", Build, "Ledger.InvalidPath", ErrorCategory.InvalidArgument, arrange: w => SpecialFiles.MakeFifo(Path.Combine(w, "ledger.json")), special: new HashSet<string> { "ledger.json" });
            }

            Add("build: ledger too large", Build, "Ledger.ReadFailed", ErrorCategory.ReadError, arrange: w => File.WriteAllBytes(Path.Combine(w, "ledger.json"), new byte[(16 * 1024 * 1024) + 1]));

            const string Publish = "Publish-PythonImage -Registry localhost:5000/library -Ledger ./ledger.json";
            Add("publish: hostile ledger", Publish + " -Image python:3.14" + Engine, "Ledger.Invalid", ErrorCategory.InvalidData, Ledger(Entry("tags", "[" + Q("python:3.14|id") + "]")));
            Add("publish: shared tags without a ledger file", Publish + " -SharedTagsOnly" + Engine, "Ledger.NotFound", ErrorCategory.ObjectNotFound);
            Add("publish: shared tags from a hostile ledger", Publish + " -SharedTagsOnly" + Engine, "Ledger.Invalid", ErrorCategory.InvalidData, Ledger(Entry("pushed", "{ " + Q("localhost:5000/library/python:3.14") + ": " + Q("sha256:../../etc") + " }")));

            const string Merge = "Merge-PythonBuildLedger -Path ./a.json, ./b.json -Destination ./merged.json";
            list.Add(new BadInputCase(Area, "merge: hostile fragment", Merge, "Ledger.Invalid", ErrorCategory.InvalidData)
                .WithFile("a.json", Ledger(Entry())).WithFile("b.json", Ledger(Entry("platform", Q("linux/amd64 && id")))));
            list.Add(new BadInputCase(Area, "merge: missing fragment", Merge, "Ledger.NotFound", ErrorCategory.ObjectNotFound).WithFile("a.json", Ledger(Entry())));
            list.Add(new BadInputCase(Area, "merge: two builds of one image", Merge, "Ledger.Conflict", ErrorCategory.InvalidData)
                .WithFile("a.json", Ledger(Entry())).WithFile("b.json", Ledger(Entry("imageId", Q("sha256:" + Sha)))));
            list.Add(new BadInputCase(Area, "merge: one tag pushed with two digests", Merge, "Ledger.Conflict", ErrorCategory.InvalidData)
                .WithFile("a.json", Ledger(Entry("pushed", "{ " + Q("localhost:5000/library/python:3.14") + ": " + Q("sha256:" + Sha) + " }")))
                .WithFile("b.json", Ledger(Entry("pushed", "{ " + Q("localhost:5000/library/python:3.14") + ": " + Q(Id) + " }"))));
            list.Add(new BadInputCase(Area, "merge: destination exists", Merge, "Ledger.DestinationExists", ErrorCategory.ResourceExists)
                .WithFile("a.json", Ledger(Entry())).WithFile("b.json", Ledger(Entry(image: "3.13/slim-trixie"))).WithFile("merged.json", "old"));
            list.Add(new BadInputCase(Area, "merge: destination in a missing folder", Merge.Replace("./merged.json", "./no/merged.json", StringComparison.Ordinal), "Ledger.InvalidPath", ErrorCategory.InvalidArgument)
                .WithFile("a.json", Ledger(Entry())).WithFile("b.json", Ledger(Entry())));
            // Another provider's path is a Ledger.InvalidPath whether it has a wildcard or not (Env:* was Ledger.NotFound).
            foreach (var (how, path) in new[] { ("-Path wildcard", "-Path Env:*"), ("-Path wildcard on Function:", "-Path Function:*"), ("-Path", "-Path Env:PATH"), ("-LiteralPath", "-LiteralPath Env:PATH") })
            {
                list.Add(new BadInputCase(Area, "merge: " + how + " on another provider", "Merge-PythonBuildLedger " + path + " -Destination ./merged.json", "Ledger.InvalidPath", ErrorCategory.InvalidArgument));
            }

            list.Add(new BadInputCase(Area, "merge: fragment is a folder", "Merge-PythonBuildLedger -Path ./a.json, ./ctx -Destination ./merged.json", "Ledger.ReadFailed", ErrorCategory.ReadError)
                .WithFile("a.json", Ledger(Entry())).WithFile("ctx/Dockerfile", "FROM scratch\n"));
            return list;
        }
    }
}
