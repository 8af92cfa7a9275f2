using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests.Apps
{
    /// <summary>
    /// The first recipe end to end: New-PythonAppDockerfile writes the files, Invoke-PythonImageBuild builds them (bound by
    /// property name, -Tag naming the app's image), Invoke-PythonContainer -Image runs the image, and the output is the app's.
    /// </summary>
    [Collection(PythonImageCollection.Name)]
    public sealed class AppImageTests
    {
        private readonly PythonImageFixture python;

        public AppImageTests(PythonImageFixture python) => this.python = python;

        private PsResult Build(ModuleSession s, string app, string image, string extra = "", string buildExtra = "") =>
            s.Run($"New-PythonAppDockerfile -Path $app -Tag 3-slim -BaseImageRegistry $registry {extra} | Invoke-PythonImageBuild -Tag $image -Verbose {buildExtra}",
                new Dictionary<string, object?> { ["app"] = app, ["registry"] = python.Registry, ["image"] = image });

        private static PsResult Run(ModuleSession s, string image, string extra = "") =>
            s.Run($"Invoke-PythonContainer -Image $image -Name ($image + '-run') {extra}", new Dictionary<string, object?> { ["image"] = image });

        private static string[] Lines(PsResult r)
        {
            Assert.True(!r.AllErrors.Any(), string.Join("\n", r.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
            return r.Output.Select(o => (string)o.BaseObject).ToArray();
        }

        private static void Built(PsResult r, string image)
        {
            Assert.True(!r.AllErrors.Any(), string.Join("\n", r.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.ErrorDetails?.Message + " " + e)) + "\n" + string.Join("\n", r.Verbose.Select(v => v.Message)));
            var result = Assert.Single(r.Output);
            Assert.True((bool)result.Properties["Succeeded"].Value);
            Assert.Equal(new[] { image + ":latest" }, (string[])result.Properties["Tags"].Value);
            Assert.True(Docker.ImageExists(image + ":latest"));
        }

        [DockerFact]
        public void ARequirementsAppInstallsItsDependenciesInACachedLayerAndRuns()
        {
            string app = TestApp.Write(python.Folder("req"), new Dictionary<string, string>
            {
                ["requirements.txt"] = "# one dependency, from the local wheelhouse of the stand-in image\nh15greeting==1.0\n",
                ["main.py"] = "import sys\nfrom h15greeting import greet\nprint(greet('requirements'))\nprint('args', sys.argv[1:])\n",
            });
            string image = python.Prefix + "-req";
            using var s = new ModuleSession();

            // -NoCache: layers an earlier run left on the engine must not hide the install (the second build shows the cache).
            var r = Build(s, app, image, buildExtra: "-NoCache");
            Built(r, image);
            Assert.Contains(r.Verbose, v => v.Message.Contains("Successfully installed h15greeting-1.0", StringComparison.Ordinal));

            var run = Run(s, image);
            Assert.Empty(run.AllErrors);
            Assert.Equal(new[] { "hello, requirements", "args []" }, Lines(run));

            // Arguments replace the image's CMD, as with docker run <image> <command>.
            var args = Run(s, image, "-ArgumentList python, ./main.py, one, 'two words'");
            Assert.Equal(new[] { "hello, requirements", "args ['one', 'two words']" }, Lines(args));

            // A change to the app alone reuses the dependency layer.
            File.WriteAllText(Path.Combine(app, "main.py"), "from h15greeting import greet\nprint(greet('again'))\n");
            var again = Build(s, app, image, "-Force");
            Built(again, image);
            var log = again.Verbose.Select(v => v.Message).ToList();
            int pip = log.FindIndex(m => m.StartsWith("Step ", StringComparison.Ordinal) && m.EndsWith("RUN pip install --no-cache-dir -r requirements.txt", StringComparison.Ordinal));
            int copy = log.FindIndex(m => m.StartsWith("Step ", StringComparison.Ordinal) && m.EndsWith("COPY . .", StringComparison.Ordinal));
            Assert.True(pip > 0 && copy > pip, string.Join("\n", log));
            Assert.Contains(log.Skip(pip + 1).Take(copy - pip - 1), m => m.Contains("Using cache", StringComparison.Ordinal));
            Assert.DoesNotContain(log.Skip(copy + 1).Take(2), m => m.Contains("Using cache", StringComparison.Ordinal));
            Assert.Equal(new[] { "hello, again" }, Lines(Run(s, image)));
        }

        [DockerFact]
        public void APyprojectAppIsInstalledAsAPackageAndStartsAsAModule()
        {
            string app = TestApp.Write(python.Folder("project"), new Dictionary<string, string>
            {
                ["pyproject.toml"] = "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"greeter\"\nversion = \"1.2.3\"\n\n[tool.setuptools]\npackages = [\"greeter\"]\n",
                ["greeter/__init__.py"] = string.Empty,
                ["greeter/__main__.py"] = "import importlib.metadata, os\nprint('installed', importlib.metadata.version('greeter'))\nprint('cwd', os.getcwd())\n",
            });
            string image = python.Prefix + "-project";
            using var s = new ModuleSession();
            var r = Build(s, app, image, "-Module greeter");
            Built(r, image);
            Assert.Contains(r.Verbose, v => v.Message.EndsWith("RUN pip install --no-cache-dir .", StringComparison.Ordinal));
            Assert.Equal(new[] { "installed 1.2.3", "cwd /usr/src/app" }, Lines(Run(s, image)));
        }

        [DockerFact]
        public void AnAppWithoutDependenciesRunsAsItsOwnUserAndLeavesCachesAndHostileNamesAlone()
        {
            string app = TestApp.Write(python.Folder("plain"), new Dictionary<string, string>
            {
                ["app.py"] = "import getpass, os\nprint('user', getpass.getuser(), os.getuid() != 0)\nfor name in sorted(os.listdir('.')):\n    print(ascii(name))\nprint('pwned' if os.path.exists('/pwned') or os.path.exists('pwned') else 'clean')\n",
                [".git/config"] = "[core]\n",
                ["__pycache__/app.cpython-311.pyc"] = "x",
                ["lib/__pycache__/x.pyc"] = "x",
                ["env-old/pyvenv.cfg"] = "home = /usr/bin\n",
                ["data.txt"] = "data\n",
                ["it's $(touch pwned) `touch pwned`.txt"] = "hostile\n",
                ["new\nline; touch pwned"] = "hostile\n",
                ["-rf"] = "hostile\n",
            });
            string image = python.Prefix + "-plain";
            using var s = new ModuleSession();
            var r = Build(s, app, image, "-User app");
            Built(r, image);
            var dockerfile = File.ReadAllText(Path.Combine(app, "Dockerfile"));
            Assert.DoesNotContain("pwned", dockerfile);
            Assert.DoesNotContain("pip", dockerfile);
            Assert.Contains("env-old", File.ReadAllLines(Path.Combine(app, ".dockerignore")));

            Assert.Equal(
                new[]
                {
                    "user app True",
                    "'-rf'",
                    "'.dockerignore'",
                    "'Dockerfile'",
                    "'app.py'",
                    "'data.txt'",
                    "\"it's $(touch pwned) `touch pwned`.txt\"",
                    "'lib'",
                    "'new\\nline; touch pwned'",
                    "clean",
                },
                Lines(Run(s, image)));
            Assert.False(File.Exists(Path.Combine(app, "pwned")));
        }

        [DockerFact]
        public void AnAccountTheImageAlreadyHasIsUsedAndOneWithUserIdZeroStopsTheBuild()
        {
            // www-data is in both Debian's and Alpine's python images: adding it again failed the build.
            string app = TestApp.Write(python.Folder("www-data"), new Dictionary<string, string>
            {
                ["app.py"] = "import getpass, os\nprint('user', getpass.getuser(), os.getuid(), os.getgid())\n",
            });
            string image = python.Prefix + "-www-data";
            using var s = new ModuleSession();
            Built(Build(s, app, image, "-User www-data"), image);
            Assert.Equal(new[] { "user www-data 33 33" }, Lines(Run(s, image)));

            // An account of the image whose user id is 0 is root under another name: the build stops rather than run the app as root.
            string baseFolder = TestApp.Write(python.Folder("uid0-base"), new Dictionary<string, string>
            {
                ["Dockerfile"] = "FROM " + python.Reference + "\nRUN echo 'toor:x:0:0:root alias:/root:/usr/sbin/nologin' >> /etc/passwd\n",
            });
            string uid0Registry = python.Registry + "-uid0";
            var (code, output) = Docker.Run("build", "-t", uid0Registry + "/python:3-slim", baseFolder);
            Assert.True(code == 0, output);
            string rootApp = TestApp.Write(python.Folder("uid0"), new Dictionary<string, string> { ["app.py"] = "print('ran')\n" });
            string rootImage = python.Prefix + "-uid0-app";
            var r = s.Run("New-PythonAppDockerfile -Path $app -Tag 3-slim -BaseImageRegistry $registry -User toor | Invoke-PythonImageBuild -Tag $image -Verbose",
                new Dictionary<string, object?> { ["app"] = rootApp, ["registry"] = uid0Registry, ["image"] = rootImage });
            var error = Assert.Single(r.Errors);
            Assert.StartsWith("ImageBuild.", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            // the line the RUN step echoed (the step's own line, which holds the same words inside its command, does not count)
            Assert.Contains(r.Verbose, v => v.Message.Trim() == "The account named by -User has user id 0 (root) in this image: give New-PythonAppDockerfile -User another name.");
            Assert.False(Docker.ImageExists(rootImage + ":latest"));
        }

        [DockerFact]
        public void AGroupTheImageHasWithoutAnAccountOfThatNameBecomesTheNewAccountsGroup()
        {
            // Debian has a group 'staff' (50) but no account of that name: useradd --user-group stopped with "group staff exists".
            string app = TestApp.Write(python.Folder("staff"), new Dictionary<string, string>
            {
                ["app.py"] = "import getpass, grp, os\nprint('user', getpass.getuser(), os.getuid() != 0, grp.getgrgid(os.getgid()).gr_name, os.getgid())\n",
            });
            string image = python.Prefix + "-staff";
            using var s = new ModuleSession();
            var r = Build(s, app, image, "-User staff");
            Built(r, image);
            Assert.Equal(new[] { "user staff True staff 50" }, Lines(Run(s, image)));
        }

        [DockerFact]
        public void AnAccountThatWouldBeInRootsGroupStopsTheBuild()
        {
            // A custom base image can name group id 0 more than once (sysadm here), and can have an account whose group is 0
            // (operator, user id 11, has group 0 in some distributions' passwd files): either way the app would get the root group's file access.
            string baseFolder = TestApp.Write(python.Folder("gid0-base"), new Dictionary<string, string>
            {
                ["Dockerfile"] = "FROM " + python.Reference + "\nRUN groupadd -o -g 0 sysadm && echo 'operator:x:11:0:operator:/root:/usr/sbin/nologin' >> /etc/passwd\n",
            });
            string gid0Registry = python.Registry + "-gid0";
            var (code, output) = Docker.Run("build", "-t", gid0Registry + "/python:3-slim", baseFolder);
            Assert.True(code == 0, output);
            using var s = new ModuleSession();
            foreach (string user in new[] { "sysadm", "operator" })
            {
                string app = TestApp.Write(python.Folder("gid0-" + user), new Dictionary<string, string>
                {
                    ["app.py"] = "import os\nprint('ran', os.getuid(), os.getgid(), os.getgroups())\n",
                });
                string image = python.Prefix + "-gid0-" + user;
                var r = s.Run("New-PythonAppDockerfile -Path $app -Tag 3-slim -BaseImageRegistry $registry -User $user | Invoke-PythonImageBuild -Tag $image -Verbose",
                    new Dictionary<string, object?> { ["app"] = app, ["registry"] = gid0Registry, ["user"] = user, ["image"] = image });
                var error = Assert.Single(r.Errors);
                Assert.StartsWith("ImageBuild.", error.FullyQualifiedErrorId, StringComparison.Ordinal);
                Assert.True(r.Verbose.Any(v => v.Message.Trim() == "The account named by -User is in group id 0 (the root group) in this image: give New-PythonAppDockerfile -User another name."),
                    string.Join("\n", r.Verbose.Select(v => v.Message)));
                Assert.False(Docker.ImageExists(image + ":latest"));
            }
        }

        [DockerFact]
        public void AnAmbiguousAppNamesItsCandidatesAndBuildsOnceAScriptIsChosen()
        {
            string app = TestApp.Write(python.Folder("ambiguous"), new Dictionary<string, string>
            {
                ["first.py"] = "print('first')\n",
                ["second.py"] = "print('second')\n",
            });
            using var s = new ModuleSession();
            var r = s.Run("New-PythonAppDockerfile -Path $app -Tag 3-slim", new Dictionary<string, object?> { ["app"] = app });
            var error = Assert.Single(r.Errors);
            Assert.Equal("App.AmbiguousEntryPoint,PythonImages.Commands.NewPythonAppDockerfileCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
            Assert.Contains("'first.py', 'second.py'", error.Exception.Message);
            Assert.Empty(r.Output);
            Assert.Equal(new[] { "first.py", "second.py" }, Directory.GetFiles(app).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));

            string image = python.Prefix + "-ambiguous";
            Built(Build(s, app, image, "-Script second.py"), image);
            Assert.Equal(new[] { "second" }, Lines(Run(s, image)));
        }

        [DockerFact]
        public void AWindowsAppBindsItsOSAndIsNotSentToALinuxEngine()
        {
            string app = TestApp.Write(python.Folder("windows"), new Dictionary<string, string> { ["app.py"] = "print('hi')\n" });
            using var s = new ModuleSession();
            var r = s.Run("New-PythonAppDockerfile -Path $app -Tag 3.14-windowsservercore-ltsc2025 | Invoke-PythonImageBuild -Tag $image",
                new Dictionary<string, object?> { ["app"] = app, ["image"] = python.Prefix + "-windows" });
            var error = Assert.Single(r.Errors);
            Assert.Equal("ImageBuild.OSMismatch", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("Windows image", error.Exception.Message);
            Assert.False(Docker.ImageExists(python.Prefix + "-windows"));
        }
    }
}
