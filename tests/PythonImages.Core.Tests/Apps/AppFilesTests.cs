using System.IO;
using System.Linq;
using PythonImages.Apps;
using Xunit;

namespace PythonImages.Tests.Apps
{
    public sealed class AppFilesTests
    {
        private static RenderedApp Rendered(string user = "app") => AppDockerfile.Render(new AppDockerfileSpec
        {
            PythonTag = "3",
            BaseImage = "python:3",
            Install = AppInstall.None,
            EntryPoint = AppEntryPoint.Script("main.py"),
            User = user,
        });

        [Fact]
        public void BothFilesAreCreatedThenLeftAloneWhenUnchanged()
        {
            using var app = new AppTestFolder();
            var r = Rendered();
            var plans = AppFiles.Plan(app.Root, r, force: false);
            Assert.Equal(new[] { ".dockerignore", "Dockerfile" }, plans.Select(p => Path.GetFileName(p.Path)));
            Assert.All(plans, p => Assert.Equal(AppFileAction.Create, p.Action));
            AppFiles.Commit(plans);
            Assert.Equal(r.Dockerfile, File.ReadAllText(Path.Combine(app.Root, "Dockerfile")));
            Assert.Equal(r.Dockerignore, File.ReadAllText(Path.Combine(app.Root, ".dockerignore")));

            Assert.All(AppFiles.Plan(app.Root, r, force: false), p => Assert.Equal(AppFileAction.Unchanged, p.Action));
            Assert.Empty(Directory.GetFiles(app.Root, "*.tmp"));
        }

        [Fact]
        public void OtherContentIsNeverReplacedWithoutForceAndBothConflictsAreNamed()
        {
            using var app = new AppTestFolder();
            string dockerfile = app.File("Dockerfile", "FROM mine\n");
            string ignore = app.File(".dockerignore", "secret\n");
            var ex = Assert.Throws<AppException>(() => AppFiles.Plan(app.Root, Rendered(), force: false));
            Assert.Equal("App.FileExists", ex.ErrorId);
            Assert.Equal(FailureCategory.ResourceExists, ex.Category);
            Assert.Contains(dockerfile, ex.Message);
            Assert.Contains(ignore, ex.Message);
            Assert.Equal("FROM mine\n", File.ReadAllText(dockerfile));

            var plans = AppFiles.Plan(app.Root, Rendered(), force: true);
            Assert.All(plans, p => Assert.Equal(AppFileAction.Replace, p.Action));
            AppFiles.Commit(plans);
            Assert.StartsWith("# The image of a Python app", File.ReadAllText(dockerfile));
        }

        [Fact]
        public void AFolderNamedDockerfileIsNotReplacedEvenWithForce()
        {
            using var app = new AppTestFolder();
            app.Folder("Dockerfile");
            var ex = Assert.Throws<AppException>(() => AppFiles.Plan(app.Root, Rendered(), force: true));
            Assert.Equal("App.NotAFile", ex.ErrorId);
            Assert.False(File.Exists(Path.Combine(app.Root, ".dockerignore")));
        }

        [Fact]
        public void WhenTheSecondWriteFailsTheFirstIsUndone()
        {
            using var app = new AppTestFolder();
            var plans = AppFiles.Plan(app.Root, Rendered(), force: false);

            // The Dockerfile appears (with other content) between the plan and the write: it is kept, and the
            // .dockerignore written just before is removed again.
            app.File("Dockerfile", "FROM theirs\n");
            var ex = Assert.Throws<AppException>(() => AppFiles.Commit(plans));
            Assert.Equal("App.FileExists", ex.ErrorId);
            Assert.Equal("FROM theirs\n", File.ReadAllText(Path.Combine(app.Root, "Dockerfile")));
            Assert.False(File.Exists(Path.Combine(app.Root, ".dockerignore")));
            Assert.Empty(Directory.GetFiles(app.Root, "*.tmp", SearchOption.AllDirectories));
        }

        [Fact]
        public void AReplacedFileIsRestoredWhenTheNextWriteFails()
        {
            using var app = new AppTestFolder();
            string ignore = app.File(".dockerignore", "old\n");
            var plans = AppFiles.Plan(app.Root, Rendered(), force: true);
            Assert.Equal(AppFileAction.Replace, plans[0].Action);
            Assert.Equal(AppFileAction.Create, plans[1].Action);
            app.File("Dockerfile", "FROM theirs\n");
            Assert.Throws<AppException>(() => AppFiles.Commit(plans));
            Assert.Equal("old\n", File.ReadAllText(ignore));
        }
    }
}
