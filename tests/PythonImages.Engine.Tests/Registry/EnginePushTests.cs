using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PythonImages.Tests.Fakes;
using Xunit;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>The engine's push API against a fake engine on loopback.</summary>
    public class EnginePushTests
    {
        [Theory]
        [InlineData("sha256:3b1c4a8d0e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d", "sha256:3b1c4a8d0e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d")]
        [InlineData("sha256:\\u001b[2J", null)]
        public async Task ThePushedDigestComesFromTheEnginesAuxMessageWhenItIsADigest(string sent, string? expected)
        {
            string stream = "{\"status\":\"The push refers to repository [127.0.0.1:5000/library/python]\"}\n"
                + "{\"status\":\"Pushed\",\"progressDetail\":{},\"id\":\"abc123\"}\n"
                + "{\"status\":\"3.14: digest: x size: 1\"}\n"
                + "{\"progressDetail\":{},\"aux\":{\"Tag\":\"3.14\",\"Digest\":\"" + sent + "\",\"Size\":529}}\n";
            using var fake = new FakeEngine(r => r.Path.EndsWith("/push", System.StringComparison.Ordinal) ? FakeResponse.Json(stream) : FakeResponse.Json("{}"));
            using var engine = EngineFactory.Create(fake.Host());
            var result = await engine.PushImageAsync(new EnginePushRequest { Repository = "127.0.0.1:5000/library/python", Tag = "3.14", ServerAddress = "127.0.0.1:5000" }, null, CancellationToken.None);
            Assert.True(result.Succeeded, result.ErrorMessage);
            Assert.Equal(expected, result.Digest);
            Assert.Equal(1, result.LayersPushed);
            Assert.Contains(fake.Requests, r => r.Path.EndsWith("/push", System.StringComparison.Ordinal));
        }
    }
}
