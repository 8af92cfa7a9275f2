using System;
using System.Collections.Generic;
using System.Linq;
using PythonImages.Dockerfiles;
using Xunit;

namespace PythonImages.Tests.Dockerfiles
{
    /// <summary>
    /// Every Dockerfile of the embedded matrix, parsed back with the test's own parser, against the per-file facts
    /// of the upstream Dockerfiles (fixtures/image-facts.yaml).
    /// </summary>
    public class ConformanceTests
    {
        public static IEnumerable<object[]> Cases => Facts.Cases;

        private static readonly IReadOnlyList<PythonImage> Images = TagRules.Compute(MatrixLoader.Default);

        [Fact]
        public void TheMatrixAndTheFactsDescribeTheSame42Files()
        {
            var fromFacts = Facts.All.Select(f => f.Path).OrderBy(p => p, StringComparer.Ordinal).ToList();
            var rendered = Images.Select(i => DockerfileRenderer.Render(i).RelativePath).OrderBy(p => p, StringComparer.Ordinal).ToList();
            Assert.Equal(42, fromFacts.Count);
            Assert.Equal(fromFacts, rendered);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void RenderedDockerfileHasEveryUpstreamFact(string path)
        {
            var fact = Facts.For(path);
            var image = Images.Single(i => i.Directory + "/Dockerfile" == path);
            var rendered = DockerfileRenderer.Render(image);
            string text = rendered.Content;

            // File-level conventions: our banner, then a blank line; LF endings; ends with the CMD line and LF.
            Assert.StartsWith(DockerfileRenderer.BannerMarker, text);
            Assert.DoesNotContain("\r", text);
            var file = new ParsedDockerfile(text);
            int firstInstruction = text.Split('\n').ToList().FindIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal));
            Assert.Equal(string.Empty, text.Split('\n')[file.LeadingComments.Count]);
            Assert.True(firstInstruction > file.LeadingComments.Count);
            Assert.Contains($"Get-PythonTag -Version {fact.Str("version_key")} -Variant {fact.Str("variant")} | New-PythonDockerfile -Path .", file.LeadingComments[2]);
            Assert.EndsWith("CMD " + System.Text.Json.JsonSerializer.Serialize(fact.List("cmd")) + "\n", text);
            Assert.Equal("CMD", file.Instructions.Last().Keyword);

            Assert.Equal(fact.Str("from"), file.From);
            Assert.Equal(fact.MapAt("env")!.Select(kv => kv.Key + "=" + (string)kv.Value!), file.Env.Select(kv => kv.Key + "=" + kv.Value));
            Assert.Equal(int.Parse(fact.Str("run_instruction_count")!, System.Globalization.CultureInfo.InvariantCulture), file.Runs.Count);
            Assert.Equal(fact.List("cmd"), file.Cmd);

            if (fact.Str("family") == "windows-servercore")
            {
                Windows(fact, file);
            }
            else
            {
                Assert.Null(file.Shell);
                Linux(fact, file);
            }
        }

        private static void Linux(Fact fact, ParsedDockerfile file)
        {
            var s = new LinuxScript(file);
            string family = fact.Str("family")!;

            // Runtime dependencies.
            Assert.Equal(fact.Str("package_manager"), s.PackageManager);
            Assert.Equal(fact.List("runtime_packages"), s.RuntimePackages);
            Assert.Equal(fact.Str("runtime_apt_cleanup"), s.RuntimeCleanup);
            Assert.Equal(s.PackageManager == "apt", s.RuntimeRunsAptUpdateFirst);

            // Build dependencies, in order (install list lines sorted by code point).
            Assert.Equal(fact.List("build_packages"), s.BuildPackages);
            Assert.Equal(s.BuildPackageLines.OrderBy(l => l, StringComparer.Ordinal), s.BuildPackageLines);
            if (fact.Has("build_deps_virtual_name"))
            {
                Assert.Equal(fact.Str("build_deps_virtual_name"), s.BuildDepsVirtualName);
                Assert.Contains("dpkg-dev dpkg", s.BuildPackageLines);
            }

            Assert.Equal(family != "alpine" && fact.List("build_packages").Count > 0, s.SavesAptMark);

            // Source, checks.
            Assert.Equal(fact.Str("source_url_pattern"), s.SourceUrl);
            Assert.Equal(fact.Bool("verify_sha256"), s.VerifiesSha256);
            Assert.Equal(fact.Bool("verify_gpg"), s.VerifiesGpg);
            Assert.Equal(fact.Str("gpg_keyserver"), s.KeyServer);
            if (fact.Bool("verify_gpg"))
            {
                Assert.Equal(fact.Str("source_url_pattern") + ".asc", s.SignatureUrl);
                Assert.True(s.CleansGpg);
            }
            else
            {
                Assert.Null(s.SignatureUrl);
            }

            Assert.True(s.ExtractsToUsrSrcPython);

            // configure.
            Assert.True(s.ConfiguresInUsrSrcPython);
            Assert.True(s.GnuArchFromDpkgArchitecture);
            var expectedFlags = ((List<object?>)fact.Get("configure_flags")!).Select(f => f switch
            {
                string plain => plain,
                Dictionary<string, object?> cond => (string)cond["flag"]! + " [" + (string)cond["condition"]! + "]",
                _ => throw new InvalidOperationException(),
            });
            var actualFlags = s.ConfigureFlags.Select(f => f.SkippedOnCpu == null ? f.Flag : f.Flag + $" [omitted when GNU build triplet cpu part is {f.SkippedOnCpu}]");
            Assert.Equal(expectedFlags, actualFlags);

            // Compiler and linker flags.
            Assert.Equal("nproc", fact.Str("make.jobs"));
            Assert.True(s.JobsFromNproc);
            var cflags = s.Assignments("EXTRA_CFLAGS");
            string cflagsInitial = fact.Str("make.extra_cflags_initial")!;
            Assert.Equal(cflagsInitial.StartsWith("output of: ", StringComparison.Ordinal) ? "$(" + cflagsInitial[11..] + ")" : cflagsInitial, cflags.Single());
            var ldflags = s.Assignments("LDFLAGS");
            string ldInitial = fact.Str("make.ldflags_initial")!;
            var expectedLd = new List<string>();
            if (ldInitial != "(unset/empty)")
            {
                expectedLd.Add("$(" + ldInitial[11..] + ")");
            }

            expectedLd.AddRange(fact.List("make.ldflags_appended").Select(f => "${LDFLAGS:-} " + f));
            Assert.Equal(expectedLd, ldflags);

            var fp = fact.MapAt("make")!["frame_pointers"] as Dictionary<string, object?>;
            if (fp == null)
            {
                Assert.Null(s.FramePointerCases);
                Assert.Null(s.ArchCommand);
            }
            else
            {
                string archFrom = (string)fp["arch_from"]!;
                Assert.Equal(
                    archFrom.StartsWith("apk", StringComparison.Ordinal) ? "arch=\"$(apk --print-arch)\"" : "arch=\"$(dpkg --print-architecture)\"; arch=\"${arch##*-}\"",
                    s.ArchCommand);
                var expected = ((Dictionary<string, object?>)fp["extra_cflags_appended_by_arch"]!)
                    .ToDictionary(kv => kv.Key, kv => ((List<object?>)kv.Value!).Cast<string>().ToList());
                var actual = s.FramePointerCases!;
                Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
                foreach (var kv in expected)
                {
                    Assert.Equal(kv.Value, actual[kv.Key]);
                }

                Assert.Equal("*", actual.Keys.Last()); // the default arm comes last
            }

            // Two makes with the python binary removed in between, then make install.
            var makes = s.Makes;
            Assert.Equal(2, makes.Count);
            Assert.Equal(fact.List("make.first_make_vars"), makes[0].Variables.Select(v => v.Key));
            Assert.Empty(makes[0].Targets);
            Assert.Equal("(default)", fact.Str("make.first_make_target"));
            Assert.Equal("${EXTRA_CFLAGS:-}", makes[0].Variables[0].Value);
            Assert.Equal("${LDFLAGS:-}", makes[0].Variables[1].Value);
            Assert.Equal(fact.Bool("make.remove_python_binary_between_makes"), s.IndexOf("rm python") > makes[0].Index && s.IndexOf("rm python") < makes[1].Index);
            Assert.Equal(new[] { fact.Str("make.second_make_target") }, makes[1].Targets);
            Assert.Equal(fact.List("make.first_make_vars"), makes[1].Variables.Select(v => v.Key));
            Assert.Equal("${EXTRA_CFLAGS:-}", makes[1].Variables[0].Value);
            Assert.Equal("${LDFLAGS:-} " + string.Join(" ", fact.List("make.second_make_ldflags_extra")), makes[1].Variables[1].Value);
            Assert.Equal(fact.Str("make.second_make_rpath_effective"), ShellThenMake(fact.List("make.second_make_ldflags_extra").Single()));
            Assert.Equal("make " + fact.Str("make.install_target"), s.LastMakeInstall());
            Assert.True(s.IndexOf("make install") > makes[1].Index);
            Assert.Equal(fact.Bool("make.profile_task_passed"), file.Text.Contains("PROFILE_TASK"));

            // After the install.
            Assert.Equal(fact.Bool("post_install.gdb_autoload_libpython_py"), s.InstallsGdbHelper);
            Assert.True(s.RemovesSources);
            var prune = s.Prune;
            Assert.Equal(fact.Str("post_install.find_delete_root"), prune.Root);
            Assert.Equal(fact.List("post_install.find_delete_dirs"), prune.Dirs);
            Assert.Equal(fact.List("post_install.find_delete_files"), prune.Files);
            Assert.Equal(fact.Bool("post_install.ldconfig"), s.RunsLdconfig);
            Assert.Equal(fact.Str("post_install.rundeps_via_scanelf_apk_virtual"), s.ScanelfRundeps);
            Assert.Equal(fact.Bool("post_install.rundeps_via_ldd_dpkg_query_apt_mark"), s.LddDpkgAptMarkRundeps);
            Assert.Equal(fact.Bool("post_install.apt_purge_autoremove"), s.PurgesAutoRemove);
            Assert.Equal(fact.Bool("post_install.apk_del_build_deps"), s.DeletesBuildDeps);
            Assert.Equal(fact.Str("post_install.final_apt_cleanup"), s.FinalAptCleanup);
            Assert.Equal(fact.Bool("post_install.pythondontwritebytecode_exported_in_build"), s.ExportsNoBytecode);

            var pip = fact.MapAt("post_install")!["pip_install"] as Dictionary<string, object?>;
            var actualPip = s.PipInstall;
            if (pip == null)
            {
                Assert.Null(actualPip);
            }
            else
            {
                Assert.NotNull(actualPip);
                Assert.Equal(fact.List("post_install.pip_install.options"), actualPip!.Value.Options);
                Assert.Equal(fact.List("post_install.pip_install.requirements"), actualPip.Value.Requirements);
            }

            Assert.Equal(fact.List("post_install.version_checks"), s.VersionChecks);
            Assert.Equal("pip3 --version", s.LastBuildStatement);

            var links = fact.MapAt("symlinks_in_usr_local_bin")!.ToDictionary(kv => kv.Key, kv => (string)kv.Value!);
            Assert.Equal(links.OrderBy(kv => kv.Key), s.Symlinks.OrderBy(kv => kv.Key));
        }

        private static void Windows(Fact fact, ParsedDockerfile file)
        {
            Assert.Equal(fact.List("shell"), file.Shell);
            var s = new WindowsScript(file);
            var url = s.InstallerUrl;
            Assert.Equal(fact.Str("installer_url_format"), url.Format);
            Assert.Equal(fact.Str("installer_url_arg0.regex"), url.Regex);
            Assert.Equal(fact.Str("installer_url_arg1"), url.Arg1);
            Assert.Equal(fact.Bool("tls12_forced"), s.ForcesTls12);
            Assert.Equal(fact.Str("download_to"), s.DownloadTo);
            Assert.Equal(fact.Bool("verify_sha256"), s.VerifiesSha256);
            Assert.Equal(fact.List("installer_args"), s.InstallerArguments);
            Assert.StartsWith("Start-Process python.exe -Wait -NoNewWindow -PassThru", fact.Str("installer_invocation"));
            Assert.True(s.ExitsWithInstallerCode);
            Assert.Equal(fact.Bool("refresh_path_from_machine_env"), s.RefreshesPathFromMachine);
            Assert.Equal(fact.List("post_install.removed"), s.Removed);
            Assert.Equal(fact.Bool("post_install.sets_PYTHONDONTWRITEBYTECODE_in_step"), s.SetsNoBytecode);

            // Order: PATH refresh, python --version, cleanup, pip --version.
            var st = s.Statements.ToList();
            int path = st.FindIndex(l => l.StartsWith("$env:PATH = ", StringComparison.Ordinal));
            int python = st.IndexOf(fact.Str("post_install.version_check")!);
            int pipCheck = st.IndexOf(fact.Str("post_install.pip_check")!);
            int removed = st.FindIndex(l => l.StartsWith("Remove-Item", StringComparison.Ordinal));
            Assert.True(path >= 0 && path < python && python < removed && removed < pipCheck, string.Join(" | ", st));
            Assert.DoesNotContain(st, l => l.Contains("setuptools") || l.Contains("ENV PATH"));
        }

        /// <summary>What the linker receives: the shell removes the backslashes, make turns $$ into $, the single quotes go at the shell make runs.</summary>
        private static string ShellThenMake(string written)
        {
            string afterShell = written.Replace("\\$", "$");
            string afterMake = afterShell.Replace("$$", "$");
            int eq = afterMake.IndexOf('=');
            return afterMake.Substring(eq + 1).Trim('\'');
        }
    }
}
