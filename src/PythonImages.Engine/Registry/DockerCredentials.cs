using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PythonImages.Publish;

namespace PythonImages.Engine.Registry
{
    /// <summary>Where the docker configuration and credential helpers are looked up (the process environment by default).</summary>
    public sealed class CredentialEnvironment
    {
        /// <summary>DOCKER_CONFIG: the folder holding config.json (null: ~/.docker).</summary>
        public string? DockerConfig { get; set; }

        /// <summary>The home folder (HOME, or USERPROFILE on Windows).</summary>
        public string? Home { get; set; }

        /// <summary>PATH, where docker-credential-NAME programs are found.</summary>
        public string? SearchPath { get; set; }

        /// <summary>The environment of this process.</summary>
        public static CredentialEnvironment Current => new CredentialEnvironment
        {
            DockerConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG"),
            Home = Environment.GetEnvironmentVariable("HOME") ?? Environment.GetEnvironmentVariable("USERPROFILE"),
            SearchPath = Environment.GetEnvironmentVariable("PATH"),
        };

        /// <summary>The config.json in use.</summary>
        public string ConfigFile => Path.Combine(
            !string.IsNullOrEmpty(DockerConfig) ? DockerConfig! : Path.Combine(Home ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"),
            "config.json");
    }

    /// <summary>
    /// Finds the login for a registry the way the docker CLI does: config.json's credHelpers for the host, else its
    /// credsStore, else its auths entry (base64 user:password, or an identity token). Docker Hub is looked up under its
    /// legacy key https://index.docker.io/v1/. Credential helpers are run with the docker-credential-NAME protocol
    /// ("get", the server URL on stdin, JSON on stdout).
    /// </summary>
    public static class DockerCredentials
    {
        /// <summary>The key Docker Hub's login is stored under.</summary>
        public const string DockerHubKey = "https://index.docker.io/v1/";

        /// <summary>The longest config.json read (a real one is a few kilobytes).</summary>
        private const long MaxConfigBytes = 4 * 1024 * 1024;

        private static Regex? helperName;

        private static Regex HelperName => helperName ??= new Regex(@"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z", RegexOptions.CultureInvariant);

        /// <summary>The login for <paramref name="registryHost"/> (host[:port]), or null when the configuration has none.</summary>
        public static RegistryCredential? Find(string registryHost, CredentialEnvironment? environment = null, TimeSpan? helperTimeout = null)
        {
            var env = environment ?? CredentialEnvironment.Current;
            string file = env.ConfigFile;
            if (!File.Exists(file))
            {
                return null;
            }

            using var config = Read(file);
            var root = config.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(file, "its top level is not a JSON object");
            }

            bool hub = IsDockerHub(registryHost);
            string serverUrl = hub ? DockerHubKey : registryHost;
            var keys = Keys(registryHost);

            if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
            {
                foreach (var key in keys)
                {
                    if (helpers.TryGetProperty(key, out var name) && name.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(name.GetString()))
                    {
                        return FromHelper(name.GetString()!, serverUrl, env, file, helperTimeout);
                    }
                }
            }

            if (root.TryGetProperty("credsStore", out var store) && store.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(store.GetString()))
            {
                var fromStore = FromHelper(store.GetString()!, serverUrl, env, file, helperTimeout);
                if (fromStore != null)
                {
                    return fromStore;
                }
            }

            if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in auths.EnumerateObject())
                {
                    if (keys.Contains(entry.Name, StringComparer.OrdinalIgnoreCase) || string.Equals(HostOf(entry.Name), hub ? "index.docker.io" : registryHost, StringComparison.OrdinalIgnoreCase))
                    {
                        var found = FromAuth(entry.Value, file, entry.Name);
                        if (found != null)
                        {
                            return found;
                        }
                    }
                }
            }

            return null;
        }

        /// <summary>Whether <paramref name="host"/> is Docker Hub (docker.io and its aliases).</summary>
        public static bool IsDockerHub(string host) =>
            string.Equals(host, "docker.io", StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, "index.docker.io", StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, "registry-1.docker.io", StringComparison.OrdinalIgnoreCase);

        private static List<string> Keys(string host)
        {
            if (IsDockerHub(host))
            {
                return new List<string> { DockerHubKey, "index.docker.io", "docker.io", "https://index.docker.io", "registry-1.docker.io" };
            }

            return new List<string> { host, "https://" + host, "http://" + host, "https://" + host + "/v1/", "https://" + host + "/v2/" };
        }

        /// <summary>The host[:port] of an auths key (https://host:port/v1/ → host:port).</summary>
        private static string HostOf(string key)
        {
            string k = key;
            int scheme = k.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                k = k.Substring(scheme + 3);
            }

            int slash = k.IndexOf('/');
            return slash >= 0 ? k.Substring(0, slash) : k;
        }

        private static JsonDocument Read(string file)
        {
            try
            {
                var info = new FileInfo(file);
                if (info.Length > MaxConfigBytes)
                {
                    throw Invalid(file, $"it is larger than {MaxConfigBytes} bytes");
                }

                return JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException ex)
            {
                // The parser's message names a line and position, never the text.
                throw Invalid(file, "it is not valid JSON" + (ex.LineNumber != null ? $" (line {ex.LineNumber + 1})" : string.Empty));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw Invalid(file, "it cannot be read: " + ex.Message.Trim());
            }
        }

        private static RegistryException Invalid(string file, string why) =>
            new RegistryException(PublishErrorIds.InvalidDockerConfig, $"The docker configuration {file} cannot be used: {why}.");

        private static RegistryCredential? FromAuth(JsonElement entry, string file, string key)
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? user = null;
            string? password = null;
            if (entry.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(auth.GetString()))
            {
                string decoded;
                try
                {
                    decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth.GetString()!));
                }
                catch (FormatException)
                {
                    throw Invalid(file, $"the 'auth' of '{key}' is not base64 of user:password");
                }

                int colon = decoded.IndexOf(':');
                if (colon < 0)
                {
                    throw Invalid(file, $"the 'auth' of '{key}' is not base64 of user:password");
                }

                user = decoded.Substring(0, colon);
                password = decoded.Substring(colon + 1);
            }
            else
            {
                if (entry.TryGetProperty("username", out var u) && u.ValueKind == JsonValueKind.String)
                {
                    user = u.GetString();
                }

                if (entry.TryGetProperty("password", out var p) && p.ValueKind == JsonValueKind.String)
                {
                    password = p.GetString();
                }
            }

            if (entry.TryGetProperty("identitytoken", out var token) && token.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(token.GetString()))
            {
                return new RegistryCredential(user ?? "<token>", token.GetString()!, "identity token in " + file, isIdentityToken: true);
            }

            if (!string.IsNullOrEmpty(user) && password != null)
            {
                return new RegistryCredential(user!, password, "auths in " + file);
            }

            return null;
        }

        /// <summary>Runs docker-credential-<paramref name="name"/> get; null when it has no login for the server.</summary>
        internal static RegistryCredential? FromHelper(string name, string serverUrl, CredentialEnvironment env, string file, TimeSpan? timeout)
        {
            if (!HelperName.IsMatch(name))
            {
                throw Invalid(file, $"the credential helper name '{Security.InputGrammar.Show(name)}' is not a program name (letters, digits, '_', '.', '-')");
            }

            string program = "docker-credential-" + name;
            string? path = FindProgram(program, env.SearchPath);
            if (path == null)
            {
                throw new RegistryException(
                    PublishErrorIds.CredentialHelperFailed,
                    $"The credential helper {program} that {file} names for {serverUrl} is not on PATH.",
                    serverUrl,
                    $"Install {program}, or change credHelpers/credsStore in {file}, or pass -Credential.");
            }

            var start = new ProcessStartInfo(path, "get")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
                StandardOutputEncoding = Encoding.UTF8,
            };
            using var process = new Process { StartInfo = start };
            string stdout;
            try
            {
                process.Start();
                var readOut = process.StandardOutput.ReadToEndAsync();
                var readErr = process.StandardError.ReadToEndAsync();
                process.StandardInput.Write(serverUrl);
                process.StandardInput.Close();
                if (!process.WaitForExit((int)(timeout ?? TimeSpan.FromSeconds(60)).TotalMilliseconds))
                {
                    try
                    {
                        process.Kill();
                    }
                    catch (InvalidOperationException)
                    {
                        // exited meanwhile
                    }

                    throw new RegistryException(PublishErrorIds.CredentialHelperFailed, $"The credential helper {program} did not answer for {serverUrl} within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s.", serverUrl);
                }

                stdout = readOut.GetAwaiter().GetResult();
                _ = readErr.GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception || ex is IOException)
            {
                throw new RegistryException(PublishErrorIds.CredentialHelperFailed, $"The credential helper {program} could not be run: {ex.Message.Trim()}", serverUrl, inner: ex);
            }

            if (process.ExitCode != 0)
            {
                // The protocol's "not found" answer; anything else is a failure (its output is not shown: it may hold a secret).
                if (stdout.IndexOf("credentials not found", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return null;
                }

                throw new RegistryException(PublishErrorIds.CredentialHelperFailed, $"The credential helper {program} failed for {serverUrl} (exit code {process.ExitCode}).", serverUrl);
            }

            return HelperAnswer(stdout, program, serverUrl);
        }

        /// <summary>The helper's JSON answer (Username, Secret) as a credential; null without a secret.</summary>
        private static RegistryCredential? HelperAnswer(string stdout, string program, string serverUrl)
        {
            try
            {
                using var answer = JsonDocument.Parse(stdout);
                var root = answer.RootElement;
                string? user = root.TryGetProperty("Username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
                string? secret = root.TryGetProperty("Secret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                if (string.IsNullOrEmpty(secret))
                {
                    return null;
                }

                bool token = string.Equals(user, "<token>", StringComparison.Ordinal);
                return new RegistryCredential(user ?? string.Empty, secret!, program, isIdentityToken: token);
            }
            catch (JsonException)
            {
                throw new RegistryException(PublishErrorIds.CredentialHelperFailed, $"The credential helper {program} answered something that is not its JSON (Username, Secret) for {serverUrl}.", serverUrl);
            }
        }

        private static string? FindProgram(string program, string? searchPath)
        {
            bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var names = windows ? new[] { program + ".exe", program + ".cmd", program + ".bat" } : new[] { program };
            foreach (var dir in (searchPath ?? string.Empty).Split(Path.PathSeparator).Where(d => d.Length > 0))
            {
                foreach (var n in names)
                {
                    string candidate;
                    try
                    {
                        candidate = Path.Combine(dir, n);
                    }
                    catch (ArgumentException)
                    {
                        continue;
                    }

                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }

            return null;
        }
    }
}
