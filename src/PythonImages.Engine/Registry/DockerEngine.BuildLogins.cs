using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using PythonImages.Engine.Registry;

namespace PythonImages.Engine
{
    /// <summary>The logins a build sends for its base-image pulls (the X-Registry-Config header).</summary>
    internal sealed partial class DockerEngine
    {
        /// <summary>The engine's header for build logins.</summary>
        internal const string RegistryConfigHeader = "X-Registry-Config";

        /// <summary>
        /// The X-Registry-Config header of <paramref name="logins"/> (null when there are none): a JSON object of the logins
        /// by server address, base64url-encoded with padding, as the engine decodes it. Written here rather than through the
        /// client library, whose standard base64 the engine would silently fail to decode when it holds '+' or '/'.
        /// </summary>
        internal static IDictionary<string, string>? BuildLoginHeaders(IEnumerable<BuildRegistryLogin>? logins)
        {
            var list = new List<BuildRegistryLogin>(logins ?? Array.Empty<BuildRegistryLogin>());
            if (list.Count == 0)
            {
                return null;
            }

            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                foreach (var login in list)
                {
                    json.WriteStartObject(login.ServerAddress);
                    if (login.Credential.IsIdentityToken)
                    {
                        json.WriteString("identitytoken", login.Credential.Secret);
                    }
                    else
                    {
                        json.WriteString("username", login.Credential.Username);
                        json.WriteString("password", login.Credential.Secret);
                    }

                    json.WriteString("serveraddress", login.ServerAddress);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            string encoded = Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length).Replace('+', '-').Replace('/', '_');
            return new Dictionary<string, string>(StringComparer.Ordinal) { [RegistryConfigHeader] = encoded };
        }
    }
}
