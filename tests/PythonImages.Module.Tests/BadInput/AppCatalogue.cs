using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// The app cmdlets' share of the bad-input catalogue. New-PythonAppDockerfile: tags, scripts, modules, users, registries,
    /// app folders that cannot be used, hostile file names, and files that are there already; none of them may write a byte.
    /// Invoke-PythonContainer: every parameter that reaches the engine, scripts and folders; each case points at a socket
    /// that does not exist, so a value that slipped through validation would show as PythonContainer.EngineUnavailable.
    /// </summary>
    public sealed class AppCatalogue : BadInputCatalogue<AppCatalogue>, IBadInputArea
    {
        private const string Area = "app";

        /// <summary>Writes the app in $work/app (the case's files are below it).</summary>
        private const string New = "New-PythonAppDockerfile -Path \"$work/app\" ";

        /// <summary>Runs $work/hello.py against an engine that is not there.</summary>
        private const string Run = "Invoke-PythonContainer hello.py -DockerHost \"unix://$work/none.sock\" ";

        public AppCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 60;

        [Fact]
        public void BothAppCmdletsHaveCases()
        {
            Assert.Contains(All, c => c.Script.StartsWith("New-PythonAppDockerfile", System.StringComparison.Ordinal));
            Assert.Contains(All, c => c.Script.Contains("Invoke-PythonContainer", System.StringComparison.Ordinal));
        }

        public static List<BadInputCase> Create()
        {
            var list = new List<BadInputCase>();

            BadInputCase App(string name, string script, string errorId, ErrorCategory category = ErrorCategory.InvalidArgument, params string[] files)
            {
                var c = new BadInputCase(Area, "New-PythonAppDockerfile " + name, script, errorId, category);
                foreach (var f in files.Length == 0 ? new[] { "main.py" } : files)
                {
                    c.WithFile("app/" + f, f.EndsWith(".py", System.StringComparison.Ordinal) ? "print('app')\n" : "x\n");
                }

                list.Add(c);
                return c;
            }

            BadInputCase Container(string name, string script, string errorId, ErrorCategory category = ErrorCategory.InvalidArgument)
            {
                var c = new BadInputCase(Area, "Invoke-PythonContainer " + name, script, errorId, category).WithFile("hello.py", "print('hello')\n");
                list.Add(c);
                return c;
            }

            // ----- New-PythonAppDockerfile: -Tag ------------------------------------------------------------------
            App("-Tag not in the matrix", New + "-Tag nope", "App.TagNotFound", ErrorCategory.ObjectNotFound);
            App("-Tag of a series the matrix does not have", New + "-Tag 3.9-slim", "App.TagNotFound", ErrorCategory.ObjectNotFound);
            App("-Tag with a wildcard", New + "-Tag '3*'", "App.InvalidTag");
            App("-Tag with a line break", New + "-Tag \"3`nRUN touch /pwned\"", "App.InvalidTag");
            App("-Tag with a repository", New + "-Tag 'python:3'", "App.InvalidTag");
            App("-Tag with a space", New + "-Tag '3 AS evil'", "App.InvalidTag");
            App("-Tag longer than 128 characters", New + "-Tag ('3' * 200)", "App.InvalidTag");
            App("-Tag with a non-ASCII letter", New + "-Tag \"3`u{e9}\"", "App.InvalidTag");

            // ----- -Script ------------------------------------------------------------------------------------
            App("-Script going up", New + "-Script ../main.py", "App.InvalidScript");
            App("-Script outside as a full path", New + "-Script /etc/hostname", "App.InvalidScript");
            App("-Script with a space", New + "-Script 'my app.py'", "App.InvalidScript", ErrorCategory.InvalidArgument, "my app.py");
            App("-Script with a quote", New + "-Script \"it's.py\"", "App.InvalidScript", ErrorCategory.InvalidArgument, "it's.py");
            App("-Script with a substitution", New + "-Script '$(id).py'", "App.InvalidScript", ErrorCategory.InvalidArgument, "$(id).py");
            App("-Script with a double quote and bracket", New + "-Script 'x\"].py'", "App.InvalidScript", ErrorCategory.InvalidArgument, "x\"].py");
            App("-Script with a line break", New + "-Script \"main.py`nRUN id\"", "App.InvalidScript");
            App("-Script looking like an option", New + "-Script '-c.py'", "App.InvalidScript", ErrorCategory.InvalidArgument, "-c.py");
            App("-Script hidden", New + "-Script '.hidden.py'", "App.InvalidScript", ErrorCategory.InvalidArgument, ".hidden.py");
            App("-Script not ending in .py", New + "-Script main.txt", "App.InvalidScript", ErrorCategory.InvalidArgument, "main.txt");
            App("-Script with a backslash", New + "-Script 'sub\\main.py'", "App.InvalidScript");
            App("-Script that does not exist", New + "-Script missing.py", "App.ScriptNotFound", ErrorCategory.ObjectNotFound);
            App("-Script that is a folder", New + "-Script pkg.py", "App.NotAFile", ErrorCategory.InvalidData).Arrange = w => Directory.CreateDirectory(Path.Combine(w, "app", "pkg.py"));

            // ----- -Module ------------------------------------------------------------------------------------
            App("-Module with a semicolon", New + "-Module 'os; id'", "App.InvalidModule");
            App("-Module starting with a digit", New + "-Module 1app", "App.InvalidModule");
            App("-Module with an empty part", New + "-Module 'a..b'", "App.InvalidModule");
            App("-Module with a dash", New + "-Module my-app", "App.InvalidModule");
            App("-Module with a line break", New + "-Module \"app`nUSER root\"", "App.InvalidModule");
            App("-Module with a JSON breakout", New + "-Module 'app\", \"-c'", "App.InvalidModule");

            // ----- -User ------------------------------------------------------------------------------------
            App("-User root", New + "-User root", "App.InvalidUser");
            App("-User in uppercase", New + "-User App", "App.InvalidUser");
            App("-User with a space", New + "-User 'app user'", "App.InvalidUser");
            App("-User with a quote", New + "-User \"app'; touch /pwned; '\"", "App.InvalidUser");
            App("-User with a substitution", New + "-User '$(id)'", "App.InvalidUser");
            App("-User with a colon", New + "-User 'app:root'", "App.InvalidUser");
            App("-User with a line break", New + "-User \"app`nUSER root\"", "App.InvalidUser");
            App("-User too long for Windows", New + "-User ('a' * 21)", "App.InvalidUser");
            App("-User starting with a dash", New + "-User '-o'", "App.InvalidUser");

            // ----- -BaseImageRegistry ---------------------------------------------------------------------------
            App("-BaseImageRegistry with a scheme", New + "-BaseImageRegistry https://registry.example", "App.InvalidRegistry");
            App("-BaseImageRegistry with a space", New + "-BaseImageRegistry 'registry example'", "App.InvalidRegistry");
            App("-BaseImageRegistry with a line break", New + "-BaseImageRegistry \"registry.example`nRUN id\"", "App.InvalidRegistry");
            App("-BaseImageRegistry in uppercase", New + "-BaseImageRegistry registry.example/Hub", "App.InvalidRegistry");
            App("-BaseImageRegistry that Docker reads as a Docker Hub namespace", New + "-BaseImageRegistry mirror/hub", "App.InvalidRegistry");
            App("-BaseImageRegistry of one word without a port", New + "-BaseImageRegistry mirror", "App.InvalidRegistry");

            // ----- the app folder -------------------------------------------------------------------------------
            App("an app without a script", New, "App.NoEntryPoint", ErrorCategory.ObjectNotFound, "requirements.txt");
            App("an app with two scripts", New, "App.AmbiguousEntryPoint", ErrorCategory.InvalidOperation, "main.py", "worker.py");
            App("an app whose only script has a quote", New, "App.UnsafeFileName", ErrorCategory.InvalidData, "it's.py");
            App("an app whose only script has a substitution", New, "App.UnsafeFileName", ErrorCategory.InvalidData, "$(touch pwned).py");
            App("an app whose only script has a line break", New, "App.UnsafeFileName", ErrorCategory.InvalidData, "new\nline.py");
            App("an app whose only script has a JSON breakout", New, "App.UnsafeFileName", ErrorCategory.InvalidData, "x\", \"-c\", \"import os.py");
            App("a requirements.txt that is a folder", New, "App.NotAFile", ErrorCategory.InvalidData).Arrange = w => Directory.CreateDirectory(Path.Combine(w, "app", "requirements.txt"));
            App("a pyproject.toml that is a folder", New, "App.NotAFile", ErrorCategory.InvalidData).Arrange = w => Directory.CreateDirectory(Path.Combine(w, "app", "pyproject.toml"));
            App("an existing Dockerfile", New, "App.FileExists", ErrorCategory.ResourceExists, "main.py", "Dockerfile");
            App("an existing .dockerignore", New, "App.FileExists", ErrorCategory.ResourceExists, "main.py", ".dockerignore");
            App("a Dockerfile that is a folder, even with -Force", New + "-Force", "App.NotAFile", ErrorCategory.ResourceExists).Arrange = w => Directory.CreateDirectory(Path.Combine(w, "app", "Dockerfile"));
            App("a folder that does not exist", "New-PythonAppDockerfile -Path \"$work/nope\"", "App.PathNotFound", ErrorCategory.ObjectNotFound);
            App("a file as the folder", "New-PythonAppDockerfile -Path \"$work/app/main.py\"", "App.InvalidPath");
            App("a folder on another provider", "New-PythonAppDockerfile -Path Env:", "App.InvalidPath");
            App("a path with NUL", "New-PythonAppDockerfile -Path \"$work/app`0x\"", "App.InvalidPath");

            // ----- Invoke-PythonContainer: what reaches the engine -----------------------------------------------
            Container("-Name with a space", Run + "-Name 'my run'", "PythonContainer.InvalidName");
            Container("-Name with a line break", Run + "-Name \"run`n\"", "PythonContainer.InvalidName");
            Container("-Name starting with a dash", Run + "-Name '-run'", "PythonContainer.InvalidName");
            Container("-Name of one character", Run + "-Name a", "PythonContainer.InvalidName");
            Container("-Name with a slash", Run + "-Name 'a/b'", "PythonContainer.InvalidName");
            Container("-Network with a semicolon", Run + "-Network 'host;id'", "PythonContainer.InvalidNetwork");
            Container("-Network with a line break", Run + "-Network \"host`n\"", "PythonContainer.InvalidNetwork");
            Container("-Environment name with a space", Run + "-Environment @{ 'A B' = '1' }", "PythonContainer.InvalidEnvironment");
            Container("-Environment name with an equals sign", Run + "-Environment @{ 'A=B' = '1' }", "PythonContainer.InvalidEnvironment");
            Container("-Environment name starting with a digit", Run + "-Environment @{ '1X' = '1' }", "PythonContainer.InvalidEnvironment");
            Container("-Environment value with NUL", Run + "-Environment @{ TOKEN = \"secret`0\" }", "PythonContainer.InvalidEnvironment");
            Container("-ArgumentList with NUL", Run + "-ArgumentList 'ok', \"a`0b\"", "PythonContainer.InvalidArgument");
            Container("-Image with a space", "Invoke-PythonContainer -Image 'my image' -DockerHost \"unix://$work/none.sock\"", "PythonContainer.InvalidImage");
            Container("-Image in uppercase", "Invoke-PythonContainer -Image 'MyApp' -DockerHost \"unix://$work/none.sock\"", "PythonContainer.InvalidImage");
            Container("-Image with a line break", "Invoke-PythonContainer -Image \"app`n\" -DockerHost \"unix://$work/none.sock\"", "PythonContainer.InvalidImage");
            Container("-Image with a bad digest", "Invoke-PythonContainer -Image 'app@sha256:zz' -DockerHost \"unix://$work/none.sock\"", "PythonContainer.InvalidImage");
            Container("-Tag not in the matrix", Run + "-Tag nope", "PythonContainer.TagNotFound", ErrorCategory.ObjectNotFound);
            Container("-Tag with a wildcard", Run + "-Tag '3*'", "PythonContainer.InvalidTag");
            Container("-Tag with a line break", Run + "-Tag \"3`n\"", "PythonContainer.InvalidTag");
            Container("-InactivityTimeout zero", Run + "-InactivityTimeout 0", "PythonContainer.InvalidInactivityTimeout");
            Container("-DockerHost garbage", "Invoke-PythonContainer hello.py -DockerHost garbage", "PythonContainer.InvalidDockerHost");
            Container("an engine that is not there", Run, "PythonContainer.EngineUnavailable", ErrorCategory.ConnectionError);

            // ----- scripts and folders ------------------------------------------------------------------------
            Container("-Script that does not exist", "Invoke-PythonContainer missing.py -DockerHost \"unix://$work/none.sock\"", "PythonContainer.ScriptNotFound", ErrorCategory.ObjectNotFound);
            Container("-Script outside the folder", "Invoke-PythonContainer /etc/hostname -DockerHost \"unix://$work/none.sock\"", "PythonContainer.ScriptOutsidePath");
            Container("-Script outside -Path", "Invoke-PythonContainer hello.py -Path \"$work/sub\" -DockerHost \"unix://$work/none.sock\"", "PythonContainer.ScriptOutsidePath").Arrange = w => Directory.CreateDirectory(Path.Combine(w, "sub"));
            Container("-Script that is a folder", "Invoke-PythonContainer sub -DockerHost \"unix://$work/none.sock\"", "PythonContainer.InvalidScript").Arrange = w => Directory.CreateDirectory(Path.Combine(w, "sub"));
            Container("-Script with a tab in its name", "Invoke-PythonContainer \"a`tb.py\" -DockerHost \"unix://$work/none.sock\"", "PythonContainer.InvalidScript").WithFile("a\tb.py", "print(1)\n");
            Container("-Script with an escape in its name", "Invoke-PythonContainer \"a`e[2Jb.py\" -DockerHost \"unix://$work/none.sock\"", "PythonContainer.InvalidScript").WithFile("a\u001b[2Jb.py", "print(1)\n");
            Container("-Script on another provider", "Invoke-PythonContainer Env:PATH -DockerHost \"unix://$work/none.sock\"", "PythonContainer.InvalidScript");
            Container("-Path that does not exist", Run + "-Path \"$work/nope\"", "PythonContainer.PathNotFound", ErrorCategory.ObjectNotFound);
            Container("-Path that is a file", Run + "-Path \"$work/hello.py\"", "PythonContainer.InvalidPath");
            Container("-Path on another provider", Run + "-Path Env:", "PythonContainer.InvalidPath");

            return list;
        }
    }
}
