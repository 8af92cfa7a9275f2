using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using PythonImages.Apps;
using Xunit;

namespace PythonImages.Tests.Apps
{
    public sealed class AppDockerfileTests
    {
        private static AppDockerfileSpec Spec(AppInstall install, AppForm form = AppForm.Debian, string? user = null, AppEntryPoint? entry = null) => new AppDockerfileSpec
        {
            PythonTag = form == AppForm.Windows ? "3.14-windowsservercore-ltsc2025" : form == AppForm.Alpine ? "3.13-alpine" : "3.14-slim",
            BaseImage = form == AppForm.Windows ? "python:3.14-windowsservercore-ltsc2025" : form == AppForm.Alpine ? "python:3.13-alpine" : "python:3.14-slim",
            Form = form,
            Install = install,
            EntryPoint = entry ?? AppEntryPoint.Script("app.py"),
            User = user,
        };

        [Fact]
        public void RequirementsAreCopiedAndInstalledBeforeTheAppForLayerCaching()
        {
            var r = AppDockerfile.Render(Spec(AppInstall.Requirements));
            var i = DockerfileText.Instructions(r.Dockerfile);
            Assert.Equal(
                new (string, string)[]
                {
                    ("FROM", "python:3.14-slim"),
                    ("ENV", "PYTHONUNBUFFERED=1"),
                    ("WORKDIR", "/usr/src/app"),
                    ("COPY", "requirements.txt ./"),
                    ("RUN", "pip install --no-cache-dir -r requirements.txt"),
                    ("COPY", ". ."),
                    ("CMD", "[\"python\", \"./app.py\"]"),
                },
                i);
            Assert.Equal(new[] { "python", "./app.py" }, r.Command);
            Assert.Equal("/usr/src/app", r.WorkingDirectory);
            Assert.StartsWith("# ", r.Dockerfile);
            Assert.EndsWith("\n", r.Dockerfile);
            Assert.DoesNotContain("\r", r.Dockerfile);
        }

        [Fact]
        public void APyprojectIsInstalledAsAPackageAfterTheCopy()
        {
            var keywords = DockerfileText.Instructions(AppDockerfile.Render(Spec(AppInstall.Project)).Dockerfile);
            int copy = keywords.IndexOf(("COPY", ". ."));
            Assert.Equal(("RUN", "pip install --no-cache-dir ."), keywords[copy + 1]);
            Assert.DoesNotContain(keywords, k => k.Arguments.Contains("requirements.txt", StringComparison.Ordinal));
        }

        [Fact]
        public void BothInstallTheRequirementsFirstAndThenThePackage()
        {
            var runs = DockerfileText.Instructions(AppDockerfile.Render(Spec(AppInstall.RequirementsAndProject)).Dockerfile).Where(k => k.Keyword == "RUN").Select(k => k.Arguments).ToArray();
            Assert.Equal(new[] { "pip install --no-cache-dir -r requirements.txt", "pip install --no-cache-dir ." }, runs);
        }

        [Fact]
        public void WithoutDependenciesThereIsNoInstallStep()
        {
            var text = AppDockerfile.Render(Spec(AppInstall.None)).Dockerfile;
            Assert.DoesNotContain("pip", text);
            Assert.Equal(new[] { "FROM", "ENV", "WORKDIR", "COPY", "CMD" }, DockerfileText.Keywords(text));
        }

        [Theory]
        [InlineData(AppForm.Debian, "if ! id -u 'app' >/dev/null 2>&1; then if cut -d: -f1 /etc/group | grep -qxF -e 'app'; then useradd --create-home --gid 'app' --shell /usr/sbin/nologin 'app'; "
            + "else useradd --create-home --user-group --shell /usr/sbin/nologin 'app'; fi; "
            + "elif [ \"$(id -u 'app')\" = 0 ]; then echo 'The account named by -User has user id 0 (root) in this image: give New-PythonAppDockerfile -User another name.' >&2; exit 1; fi "
            + "&& gids=\"$(id -G 'app')\" && case \" $gids \" in *\" 0 \"*) echo 'The account named by -User is in group id 0 (the root group) in this image: give New-PythonAppDockerfile -User another name.' >&2; exit 1;; esac")]
        [InlineData(AppForm.Alpine, "if ! id -u 'app' >/dev/null 2>&1; then if cut -d: -f1 /etc/group | grep -qxF -e 'app'; then adduser -D -s /sbin/nologin -G 'app' 'app'; "
            + "else adduser -D -s /sbin/nologin 'app'; fi; "
            + "elif [ \"$(id -u 'app')\" = 0 ]; then echo 'The account named by -User has user id 0 (root) in this image: give New-PythonAppDockerfile -User another name.' >&2; exit 1; fi "
            + "&& gids=\"$(id -G 'app')\" && case \" $gids \" in *\" 0 \"*) echo 'The account named by -User is in group id 0 (the root group) in this image: give New-PythonAppDockerfile -User another name.' >&2; exit 1;; esac")]
        [InlineData(AppForm.Windows, "New-LocalUser -Name 'app' -NoPassword | Out-Null")]
        public void AUserIsCreatedEarlyAndTheAppRunsAsIt(AppForm form, string addUser)
        {
            var i = DockerfileText.Instructions(AppDockerfile.Render(Spec(AppInstall.Requirements, form, "app")).Dockerfile);
            int workdir = i.FindIndex(k => k.Keyword == "WORKDIR");
            Assert.Equal(("RUN", addUser), i[workdir + 1]);

            // installs still run with the image's own rights; only the app runs as the user
            int user = i.IndexOf(("USER", "app"));
            Assert.True(user > i.FindLastIndex(k => k.Keyword == "RUN" || k.Keyword == "COPY"));
            Assert.Equal("CMD", i[user + 1].Keyword);
        }

        [Fact]
        public void TheWindowsFormUsesABacktickEscapeAndWindowsPaths()
        {
            var r = AppDockerfile.Render(Spec(AppInstall.Requirements, AppForm.Windows, entry: AppEntryPoint.Script("tools/run.py")));
            Assert.StartsWith("# escape=`\n", r.Dockerfile);
            var i = DockerfileText.Instructions(r.Dockerfile);
            Assert.Equal(("#directive", "escape=`"), i[0]);
            Assert.Contains(("WORKDIR", "C:\\src\\app"), i);
            Assert.Equal(("CMD", "[\"python\", \"tools\\\\run.py\"]"), i.Last());
            Assert.Equal(new[] { "python", "tools\\run.py" }, JsonSerializer.Deserialize<string[]>(i.Last().Arguments));
        }

        [Fact]
        public void AModuleStartsWithPythonDashM()
        {
            var r = AppDockerfile.Render(Spec(AppInstall.Project, entry: AppEntryPoint.Module("my_app.server")));
            Assert.Equal(("CMD", "[\"python\", \"-m\", \"my_app.server\"]"), DockerfileText.Instructions(r.Dockerfile).Last());
        }

        [Fact]
        public void TheDockerignoreCoversGitCachesBytecodeAndVirtualEnvironments()
        {
            var spec = Spec(AppInstall.None);
            spec.ExtraIgnores.Add("env-3.12");
            var lines = AppDockerfile.Render(spec).Dockerignore.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
            foreach (var expected in new[] { ".git", "**/__pycache__", "**/*.pyc", ".venv", "venv", "env-3.12" })
            {
                Assert.Contains(expected, lines);
            }

            Assert.DoesNotContain("requirements.txt", lines);
            Assert.DoesNotContain("*.py", lines);
        }

        public static IEnumerable<object[]> HostileSpecs()
        {
            yield return new object[] { "tag", (Action<AppDockerfileSpec>)(s => s.PythonTag = "3\nRUN touch /pwned") };
            yield return new object[] { "base image with a line break", (Action<AppDockerfileSpec>)(s => s.BaseImage = "python:3\nRUN touch /pwned") };
            yield return new object[] { "base image with a space", (Action<AppDockerfileSpec>)(s => s.BaseImage = "python:3 AS x") };
            yield return new object[] { "base image with a digest", (Action<AppDockerfileSpec>)(s => s.BaseImage = "python@sha256:" + new string('a', 64)) };
            yield return new object[] { "user with a quote", (Action<AppDockerfileSpec>)(s => s.User = "app'; touch /pwned; '") };
            yield return new object[] { "user with a substitution", (Action<AppDockerfileSpec>)(s => s.User = "$(id)") };
            yield return new object[] { "user with a line break", (Action<AppDockerfileSpec>)(s => s.User = "app\nUSER root") };
            yield return new object[] { "ignore pattern", (Action<AppDockerfileSpec>)(s => s.ExtraIgnores.Add("*")) };
            yield return new object[] { "ignore negation", (Action<AppDockerfileSpec>)(s => s.ExtraIgnores.Add("!secret")) };
            yield return new object[] { "ignore with a line break", (Action<AppDockerfileSpec>)(s => s.ExtraIgnores.Add("venv\n!.env")) };
        }

        [Theory]
        [MemberData(nameof(HostileSpecs))]
        public void EveryValueIsCheckedAgainBeforeItIsWritten(string what, Action<AppDockerfileSpec> spoil)
        {
            var spec = Spec(AppInstall.Requirements, user: "app");
            spoil(spec);
            var ex = Assert.Throws<AppException>(() => AppDockerfile.Render(spec));
            Assert.True(ex.ErrorId == "App.UnsafeValue", what);
            Assert.DoesNotContain("\n", ex.Message);
        }

        [Fact]
        public void AnEntryPointCannotBeMadeFromAnUnsafeName()
        {
            Assert.ThrowsAny<Exception>(() => AppEntryPoint.Script("x\"]\nRUN [\"id"));
            Assert.ThrowsAny<Exception>(() => AppEntryPoint.Module("os;id"));
        }

        [Theory]
        [InlineData("plain")]
        [InlineData("quote \" and backslash \\")]
        [InlineData("line\nbreak\r\tand\u0000nul")]
        [InlineData("\u001b[31mred\u001b[0m")]
        [InlineData("ünïcødé ✓ \ud83d\udc0d")]
        [InlineData("\"]\nRUN [\"sh\", \"-c\", \"id")]
        public void JsonStringsReadBackAsTheSameTextAndStayOnOneLine(string value)
        {
            string json = AppDockerfile.JsonString(value);
            Assert.Equal(value, JsonSerializer.Deserialize<string>(json));
            Assert.DoesNotContain('\n', json);
            Assert.DoesNotContain('\r', json);
            Assert.True(json.All(c => c >= 0x20 && c <= 0x7E), json);
        }

        [Fact]
        public void RandomArgumentVectorsRoundTripThroughTheExecForm()
        {
            var random = new Random(15);
            for (int n = 0; n < 500; n++)
            {
                var words = Enumerable.Range(0, random.Next(1, 5)).Select(_ => new string(Enumerable.Range(0, random.Next(0, 12)).Select(__ => (char)random.Next(0, 0x3000)).ToArray())).ToArray();
                words = words.Select(w => new string(w.Where(c => !char.IsSurrogate(c)).ToArray())).ToArray();
                Assert.Equal(words, JsonSerializer.Deserialize<string[]>(AppDockerfile.ExecForm(words)));
            }
        }
    }
}
