using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>
    /// The manifest share of the bad-input catalogue: hostile manifests for Import-PythonLibraryManifest, hostile image
    /// objects and parameters for Export-PythonLibraryManifest, hostile values for ConvertTo-PythonTagMarkdown, and files
    /// that are not files (FIFOs, devices, directories, oversized). Each is refused with its ErrorId and category, and
    /// the case's folder is left exactly as it was.
    /// </summary>
    public sealed class ManifestCatalogue : BadInputCatalogue<ManifestCatalogue>, IBadInputArea
    {
        private const string Area = "Manifest";
        private const string Sha = "0123456789abcdef0123456789abcdef01234567";
        private const string Header = "Maintainers: A B <a@b.c> (@ab)\nGitRepo: https://github.com/o/r.git\n\n";
        private const string Entry = "Tags: a\nGitCommit: " + Sha + "\n";

        /// <summary>Import of m.txt (and -Content of the same text is the same parser).</summary>
        private const string ImportFile = "Import-PythonLibraryManifest -Path \"$work/m.txt\"";

        /// <summary>Export of two real images with one commit, into out.txt (which must not appear).</summary>
        private const string Images = "$i = @(Get-PythonTag -Version 3.14 -Variant trixie, slim-trixie)\n";
        private const string ExportOut = " | Export-PythonLibraryManifest -GitCommit " + Sha + " -Path \"$work/out.txt\"";

        /// <summary>The 2026 reference manifest, imported, for ConvertTo-PythonTagMarkdown.</summary>
        private const string Reference = "$i = @(Import-PythonLibraryManifest -Path \"$work/library-python\")\n";

        public ManifestCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 45;

        private static BadInputCase Import(string name, string text, string errorId, ErrorCategory category = ErrorCategory.InvalidData) =>
            new BadInputCase(Area, name, ImportFile, errorId, category).WithFile("m.txt", text);

        private static BadInputCase Export(string name, string mutate, string errorId, ErrorCategory category = ErrorCategory.InvalidData, string parameters = "") =>
            new BadInputCase(Area, name, Images + mutate + "\n$i" + ExportOut + parameters, errorId, category);

        private static BadInputCase Render(string name, string mutate, string errorId, string parameters = "", ErrorCategory category = ErrorCategory.InvalidData)
        {
            var c = new BadInputCase(Area, name, Reference + mutate + "\n$i | ConvertTo-PythonTagMarkdown" + parameters, errorId, category);
            c.Arrange = work => File.Copy(Fixture("library-python-2026-06.txt"), Path.Combine(work, "library-python"));
            return c;
        }

        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

        private static BadInputCase WithFifo(BadInputCase c, string relative)
        {
            c.Arrange = work =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(work, relative))!);
                SpecialFiles.MakeFifo(Path.Combine(work, relative));
            };
            c.SpecialFiles.Add(relative);
            return c;
        }

        public static List<BadInputCase> Create() => new List<BadInputCase>
        {
            // ---------------------------------------------------------------- Import: Directory and File (bashbrew's rules)
            Import("import Directory ../../etc", Header + Entry + "Directory: ../../etc\n", "Manifest.InvalidDirectory"),
            Import("import Directory absolute", Header + Entry + "Directory: /etc\n", "Manifest.InvalidDirectory"),
            Import("import Directory with .. inside", Header + Entry + "Directory: 3.14/../../x\n", "Manifest.InvalidDirectory"),
            Import("import Directory not canonical", Header + Entry + "Directory: ./3.14/trixie/\n", "Manifest.InvalidDirectory"),
            Import("import Directory HTML", Header + Entry + "Directory: 3.14/<img/src=x/onerror=alert(1)>\n", "Manifest.InvalidDirectory"),
            Import("import Directory Markdown link", Header + Entry + "Directory: [x](javascript:alert(1))\n", "Manifest.InvalidDirectory"),
            Import("import Directory backslash", Header + Entry + "Directory: ..\\..\\etc\n", "Manifest.InvalidDirectory"),
            Import("import amd64-Directory escape", Header + Entry + "amd64-Directory: ../x\n", "Manifest.InvalidDirectory"),
            Import("import header Directory without entries", "Maintainers: A B (@ab)\nGitRepo: https://github.com/o/r.git\nDirectory: /abs\n", "Manifest.InvalidDirectory"),
            Import("import File with a path", Header + Entry + "File: ../Dockerfile\n", "Manifest.InvalidFile"),
            Import("import File with markup", Header + Entry + "File: Dockerfile<br>\n", "Manifest.InvalidFile"),
            Import("import arm64v8-File with a path", Header + Entry + "arm64v8-File: sub/Dockerfile\n", "Manifest.InvalidFile"),

            // ---------------------------------------------------------------- Import: every other field
            Import("import GitRepo javascript", "Maintainers: A B (@ab)\nGitRepo: javascript:alert(1)\n\n" + Entry, "Manifest.InvalidGitRepo"),
            Import("import GitRepo with credentials", Header + Entry + "GitRepo: https://user:secret@github.com/o/r.git\n", "Manifest.InvalidGitRepo"),
            Import("import GitRepo continuation injects a field", Header + Entry + "GitRepo: https://github.com/o/r.git\n Tags: injected\n", "Manifest.InvalidGitRepo"),
            Import("import GitFetch continuation", Header + Entry + "GitFetch: refs/heads/x\n Directory: ../..\n", "Manifest.InvalidGitFetch"),
            Import("import GitCommit with a trailing line", Header + "Tags: a\nGitCommit: " + Sha + "\n " + Sha + "\n", "Manifest.InvalidGitCommit"),
            Import("import GitCommit uppercase", Header + "Tags: a\nGitCommit: " + Sha.ToUpperInvariant() + "\n", "Manifest.InvalidGitCommit"),
            Import("import Builder unknown", Header + Entry + "Builder: shell\n", "Manifest.InvalidBuilder"),
            Import("import Constraints command substitution", Header + Entry + "Constraints: $(id)\n", "Manifest.InvalidConstraint"),
            Import("import Maintainer split over lines", "Maintainers: A B\n (@ab)\nGitRepo: https://github.com/o/r.git\n\n" + Entry, "Manifest.InvalidMaintainer"),
            Import("import Tags with markup", Header + "Tags: a, <b>x</b>\nGitCommit: " + Sha + "\n", "Manifest.InvalidTag"),
            Import("import SharedTags with backticks", Header + Entry + "SharedTags: `x`\n", "Manifest.InvalidTag"),
            Import("import unknown architecture override", Header + Entry + "sparc-GitCommit: " + Sha + "\n", "Manifest.UnknownArchitecture"),

            // ---------------------------------------------------------------- Import: characters, size, encoding, non-files
            Import("import NUL in a value", Header + Entry + "Directory: 3.14\0/x\n", "Manifest.InvalidCharacter"),
            Import("import bidi override in a comment", "# safe \u202Etxt.exe\n" + Header + Entry, "Manifest.InvalidCharacter"),
            Import("import line separator in a value", Header + Entry + "Directory: a\u2028Tags: b\n", "Manifest.InvalidCharacter"),
            Import("import lone carriage return", Header + Entry + "Directory: a\rTags: b\n", "Manifest.InvalidCharacter"),
            Import("import bell in a comment", "# \u0007\n" + Header + Entry, "Manifest.InvalidCharacter"),
            new BadInputCase(Area, "import -Content NUL", "Import-PythonLibraryManifest -Content \"Maintainers: A (@a)`0`n\"", "Manifest.InvalidCharacter", ErrorCategory.InvalidData),
            new BadInputCase(Area, "import oversized file", ImportFile, "Manifest.TooLarge", ErrorCategory.LimitsExceeded)
            {
                Arrange = work =>
                {
                    using var s = File.Create(Path.Combine(work, "m.txt"));
                    s.SetLength(5L * 1024 * 1024);
                },
            },
            new BadInputCase(Area, "import oversized -Content", "Import-PythonLibraryManifest -Content ('#' * 5mb)", "Manifest.TooLarge", ErrorCategory.LimitsExceeded),
            new BadInputCase(Area, "import invalid UTF-8", ImportFile, "Manifest.InvalidEncoding", ErrorCategory.InvalidData)
            {
                Arrange = work => File.WriteAllBytes(Path.Combine(work, "m.txt"), new byte[] { (byte)'M', (byte)':', 0xC3, 0x28, (byte)'\n' }),
            },
            WithFifo(new BadInputCase(Area, "import FIFO by -LiteralPath", "Import-PythonLibraryManifest -LiteralPath \"$work/pipe\"", "Manifest.NotAFile", ErrorCategory.InvalidArgument), "pipe"),
            WithFifo(new BadInputCase(Area, "import FIFO by -Path", "Import-PythonLibraryManifest -Path \"$work/pipe\"", "Manifest.NotAFile", ErrorCategory.InvalidArgument), "pipe"),
            new BadInputCase(Area, "import /dev/zero", "Import-PythonLibraryManifest -LiteralPath /dev/zero", "Manifest.NotAFile", ErrorCategory.InvalidArgument),
            new BadInputCase(Area, "import a directory", "Import-PythonLibraryManifest -Path \"$work/sub\"", "Manifest.NotAFile", ErrorCategory.InvalidArgument)
            {
                Arrange = work => Directory.CreateDirectory(Path.Combine(work, "sub")),
            },

            // ---------------------------------------------------------------- Export: parameters, checked at entry
            Export("export -GeneratorCommit with a newline", string.Empty, "Manifest.InvalidGitCommit", ErrorCategory.InvalidArgument, " -GeneratorCommit \"" + Sha + "`n\""),
            Export("export -GeneratorCommit uppercase", string.Empty, "Manifest.InvalidGitCommit", ErrorCategory.InvalidArgument, " -GeneratorCommit " + Sha.ToUpperInvariant()),
            new BadInputCase(Area, "export -GitCommit with a newline", Images + "$i | Export-PythonLibraryManifest -Path \"$work/out.txt\" -GitCommit \"" + Sha + "`n\"", "Manifest.InvalidGitCommit", ErrorCategory.InvalidArgument),
            new BadInputCase(Area, "export -GitCommit table key escapes", Images + "$i | Export-PythonLibraryManifest -Path \"$work/out.txt\" -GitCommit @{ '../../x' = '" + Sha + "' }", "Manifest.InvalidDirectory", ErrorCategory.InvalidArgument),
            new BadInputCase(Area, "export -GitCommit table value is a ref", Images + "$i | Export-PythonLibraryManifest -Path \"$work/out.txt\" -GitCommit @{ '3.14/trixie' = 'refs/heads/main' }", "Manifest.InvalidGitCommit", ErrorCategory.InvalidArgument),
            new BadInputCase(Area, "export -GitCommit table names a directory twice", Images + "$i | Export-PythonLibraryManifest -Path \"$work/out.txt\" -GitCommit @{ '3.14/trixie' = '" + Sha + "'; '3.14/trixie/' = '" + Sha.Replace('0', 'e') + "' }", "Manifest.InvalidGitCommitArgument", ErrorCategory.InvalidArgument),
            // Another provider's path (Env:X is "X" to it) was a file relative to the process's directory, not PowerShell's location.
            new BadInputCase(Area, "export -Path on another provider", Images + "$i" + ExportOut.Replace("\"$work/out.txt\"", "Env:PI_BADINPUT_OUT"), "Manifest.InvalidPath", ErrorCategory.InvalidArgument),
            new BadInputCase(Area, "export -GitRepository on another provider", Images + "$i | Export-PythonLibraryManifest -GitRepository Env:PI_BADINPUT_REPO -Path \"$work/out.txt\"", "Manifest.InvalidPath", ErrorCategory.InvalidArgument),
            new BadInputCase(Area, "import -LiteralPath on another provider", "Import-PythonLibraryManifest -LiteralPath Env:PI_BADINPUT_IN", "Manifest.NotAFile", ErrorCategory.InvalidArgument),
            new BadInputCase(Area, "export -GitCommit of another type", Images + "$i | Export-PythonLibraryManifest -Path \"$work/out.txt\" -GitCommit 1, 2", "Manifest.InvalidGitCommitArgument", ErrorCategory.InvalidArgument),
            Export("export -Builder unknown", string.Empty, "Manifest.InvalidBuilder", ErrorCategory.InvalidArgument, " -Builder shell"),
            Export("export -Builder with a newline", string.Empty, "Manifest.InvalidBuilder", ErrorCategory.InvalidArgument, " -Builder \"buildkit`nTags: x\""),
            Export("export -GeneratedBy with NUL", string.Empty, "Manifest.InvalidComment", ErrorCategory.InvalidArgument, " -GeneratedBy \"made`0by\""),
            Export("export -GeneratedBy with a bidi override", string.Empty, "Manifest.InvalidComment", ErrorCategory.InvalidArgument, " -GeneratedBy \"made by `u{202E}evil\""),

            // ---------------------------------------------------------------- Export: values of the image objects
            Export("export Directory escapes", "$i[0].Directory = '../../etc'", "Manifest.InvalidDirectory"),
            Export("export Directory absolute", "$i[0].Directory = '/etc/python'", "Manifest.InvalidDirectory"),
            Export("export Directory with markup", "$i[1].Directory = '3.14/<script>'", "Manifest.InvalidDirectory"),
            Export("export Directory with a newline", "$i[0].Directory = \"3.14/trixie`nTags: evil\"", "Manifest.InvalidDirectory"),
            Export("export File with a path", "$i[0].File = 'sub/Dockerfile'", "Manifest.InvalidFile"),
            Export("export Tags with a newline", "$i[0].Tags = @(\"x`nDirectory: ../..\")", "Manifest.InvalidTag"),
            Export("export SharedTags with markup", "$i[0].SharedTags = @('<b>')", "Manifest.InvalidTag"),
            Export("export no architectures", "$i[0].Architectures = @()", "Manifest.MissingArchitectures"),
            Export("export unknown architecture", "$i[0].Architectures = @('amd64', 'vax')", "Manifest.UnknownArchitecture"),
            Export("export GitRepo javascript", "$i[0].GitRepo = 'javascript:alert(1)'", "Manifest.InvalidGitRepo"),
            Export("export Builder injection", "$i[0].Builder = 'classic; rm -rf /'", "Manifest.InvalidBuilder"),
            Export("export Constraints with a newline", "$i[0].Constraints = @(\"x`ny\")", "Manifest.InvalidConstraint"),
            Export("export per-architecture field not a field", "$i[0].ArchitectureFields['amd64-Tags'] = 'x'", "Manifest.UnknownField"),
            new BadInputCase(Area, "export Directory escapes with -GitRepository", Images + "$i[0].Directory = '../../etc'; $i[1].Directory = '/etc'\n$i | Export-PythonLibraryManifest -GitRepository \"$work\" -Path \"$work/out.txt\"", "Manifest.InvalidDirectory", ErrorCategory.InvalidData),
            Export("export same entry twice", "$i = @($i[0], $i[0])", "Manifest.DuplicateTag"),
            new BadInputCase(Area, "export imported header comment with a newline", Reference + "$i[0].ManifestHeader.CommentLines.Add(\"# a`nTags: b\")\n$i | Export-PythonLibraryManifest -Path \"$work/out.txt\"", "Manifest.InvalidComment", ErrorCategory.InvalidData)
            {
                Arrange = work => File.Copy(Fixture("library-python-2026-06.txt"), Path.Combine(work, "library-python")),
            },
            new BadInputCase(Area, "export imported header maintainer with a newline", Reference + "$i[0].ManifestHeader.Maintainers[0] = \"A`nGitRepo: x (@a)\"\n$i | Export-PythonLibraryManifest -Path \"$work/out.txt\"", "Manifest.InvalidMaintainer", ErrorCategory.InvalidData)
            {
                Arrange = work => File.Copy(Fixture("library-python-2026-06.txt"), Path.Combine(work, "library-python")),
            },

            // ---------------------------------------------------------------- Export: where it writes
            WithFifo(new BadInputCase(Area, "export -Path is a FIFO", Images + "$i | Export-PythonLibraryManifest -GitCommit " + Sha + " -Path \"$work/out.fifo\" -Force", "Manifest.NotAFile", ErrorCategory.InvalidArgument), "out.fifo"),
            new BadInputCase(Area, "export -Path with NUL", Images + "$i | Export-PythonLibraryManifest -GitCommit " + Sha + " -Path \"$work/out`0.txt\"", "Manifest.InvalidPath", ErrorCategory.InvalidArgument),
            new BadInputCase(Area, "export -Path is a directory", Images + "$i | Export-PythonLibraryManifest -GitCommit " + Sha + " -Path \"$work/sub\" -Force", "Manifest.PathIsDirectory", ErrorCategory.InvalidArgument)
            {
                Arrange = work => Directory.CreateDirectory(Path.Combine(work, "sub")),
            },
            new BadInputCase(Area, "export -Path exists without -Force", Images + "$i | Export-PythonLibraryManifest -GitCommit " + Sha + " -Path \"$work/out.txt\"", "Manifest.FileExists", ErrorCategory.ResourceExists)
                .WithFile("out.txt", "keep me\n"),

            // ---------------------------------------------------------------- ConvertTo-PythonTagMarkdown
            Render("markdown entry passed twice", "$i += $i[0]", "TagMarkdown.DuplicateTag"),
            Render("markdown Directory with HTML", "$i[0].Directory = '3.14/<img src=x onerror=alert(1)>'", "TagMarkdown.InvalidDirectory"),
            Render("markdown Directory breaks out of the link", "$i[0].Directory = '3.14)[x](javascript:alert(1)'", "TagMarkdown.InvalidDirectory"),
            Render("markdown File with a newline", "$i[0].File = \"Dockerfile`n# Heading\"", "TagMarkdown.InvalidFile"),
            Render("markdown GitRepo javascript", "$i[0].GitRepo = 'javascript:alert(1)//github.com/o/r'", "TagMarkdown.InvalidGitRepo"),
            Render("markdown GitCommit breaks out of the URL", "$i[0].GitCommit = 'main) [x](http://evil'", "TagMarkdown.InvalidGitCommit"),
            Render("markdown tag with backticks", "$i[0].Tags = @('x` <b>y</b> `z')", "TagMarkdown.InvalidTag"),
            Render("markdown per-architecture field", "$i[0].ArchitectureFields['amd64-Directory'] = '<x>'", "TagMarkdown.InvalidDirectory"),
            Render("markdown architecture with markup", "$i[0].Architectures = @('amd64`](javascript:x)')", "TagMarkdown.UnknownArchitecture", " -Architectures"),
            Render("markdown -ImageName with a newline", string.Empty, "TagMarkdown.InvalidImageName", " -ImageName \"python`n\"", ErrorCategory.InvalidArgument),
            Render("markdown -ImageName with a path", string.Empty, "TagMarkdown.InvalidImageName", " -ImageName '../python'", ErrorCategory.InvalidArgument),

            // ---------------------------------------------------------------- Dockerfile store: a FIFO where a Dockerfile belongs
            WithFifo(new BadInputCase(Area, "New-PythonDockerfile over a FIFO", "Get-PythonTag -Version 3.14 -Variant slim-trixie | New-PythonDockerfile -Path \"$work/img\"", "Dockerfile.NotAFile", ErrorCategory.InvalidData), "img/3.14/slim-trixie/Dockerfile"),
            WithFifo(new BadInputCase(Area, "Test-PythonDockerfile of a FIFO", "Get-PythonTag -Version 3.14 -Variant slim-trixie | Test-PythonDockerfile -Path \"$work/img\"", "Dockerfile.NotAFile", ErrorCategory.InvalidData), "img/3.14/slim-trixie/Dockerfile"),
        };

        /// <summary>Runs the case; on Windows a case with special files is left out (and passes): there are no FIFOs there.</summary>
        protected override void AssertRejected(BadInputCase c)
        {
            if (OperatingSystem.IsWindows() && c.SpecialFiles.Count > 0)
            {
                return; // no FIFOs there
            }

            base.AssertRejected(c);
        }
    }
}
