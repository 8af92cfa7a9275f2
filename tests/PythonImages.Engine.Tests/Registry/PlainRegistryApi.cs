using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;
using PythonImages.Engine.Registry;
using Xunit;

namespace PythonImages.Engine.Tests.Registry
{
    /// <summary>
    /// The distribution API of a plain-HTTP registry on loopback, spoken directly (not through the client under test): blobs
    /// uploaded in one piece, manifests written and read, to arrange what a registry already holds and to check what a
    /// publish left there.
    /// </summary>
    internal sealed class PlainRegistryApi : IDisposable
    {
        private readonly HttpClient http = new HttpClient();
        private readonly string baseUri;

        public PlainRegistryApi(string registry) => baseUri = "http://" + registry;

        /// <summary>Uploads <paramref name="content"/> as a blob of <paramref name="repository"/>; returns its digest.</summary>
        public async Task<string> PutBlobAsync(string repository, byte[] content)
        {
            string digest = RegistryClient.Digest(content);
            using var start = await http.PostAsync($"{baseUri}/v2/{repository}/blobs/uploads/", null);
            Assert.True(start.StatusCode == System.Net.HttpStatusCode.Accepted, $"starting an upload to {repository}: HTTP {(int)start.StatusCode}");
            var location = start.Headers.Location!;
            var target = location.IsAbsoluteUri ? location : new Uri(new Uri(baseUri), location);
            string separator = target.Query.Length > 0 ? "&" : "?";
            using var body = new ByteArrayContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var put = await http.PutAsync(target + separator + "digest=" + Uri.EscapeDataString(digest), body);
            Assert.True(put.StatusCode == System.Net.HttpStatusCode.Created, $"uploading {digest} to {repository}: HTTP {(int)put.StatusCode}");
            return digest;
        }

        /// <summary>The blob of a JSON text.</summary>
        public Task<string> PutBlobAsync(string repository, string json) => PutBlobAsync(repository, Encoding.UTF8.GetBytes(json));

        /// <summary>Writes a manifest or index under <paramref name="reference"/>; returns its digest.</summary>
        public async Task<string> PutManifestAsync(string repository, string reference, string mediaType, string json)
        {
            using var body = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            using var put = await http.PutAsync($"{baseUri}/v2/{repository}/manifests/{reference}", body);
            string answer = await put.Content.ReadAsStringAsync();
            Assert.True(put.StatusCode == System.Net.HttpStatusCode.Created, $"writing the manifest {repository}:{reference}: HTTP {(int)put.StatusCode} {answer}");
            return RegistryClient.Digest(Encoding.UTF8.GetBytes(json));
        }

        /// <summary>Status, media type and body of a manifest or index.</summary>
        public async Task<(int Status, string? MediaType, string Body)> GetManifestAsync(string repository, string reference)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUri}/v2/{repository}/manifests/{reference}");
            foreach (var type in MediaTypes.Accepted)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            }

            using var response = await http.SendAsync(request);
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
        }

        public void Dispose() => http.Dispose();
    }
}
