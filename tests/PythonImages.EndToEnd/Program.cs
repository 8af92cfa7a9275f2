using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PythonImages.EndToEnd
{
    /// <summary>
    /// The end-to-end run (started by tests/e2e/run.sh, which provides the engine, the base image and the loopback mirror):
    /// in a hosted PowerShell runspace, Get-PythonTag | New-PythonDockerfile | Invoke-PythonImageBuild | Test-PythonImage -Offline;
    /// prints every test result, the image size and the build time; exit code 0 only when everything required passed.
    /// With --corrupt the mirror serves a damaged tarball and success means: the build failed at the checksum, and said so.
    /// </summary>
    public static class Program
    {
        private static readonly string[] Required =
        {
            "python-imports", "python-no-pyc", "python-sqlite3", "python-stack-size", "utc", "no-hard-coded-passwords", "override-cmd",
        };

        private const string ExpectedVersion = "3.13.5";

        // The loopback mirror and key server speak plain HTTP/HKP: -AllowInsecureSource accepts them (with a warning per image);
        // the sha256 and PGP checks stay in the Dockerfile.
        private const string Generate =
            "Get-PythonTag -MatrixPath $Matrix -Version 3.13 -Variant slim-bookworm |\n" +
            "    New-PythonDockerfile -Path $Dir -SourceMirror $Mirror -KeyServer $KeyServer -AllowInsecureSource -Force";

        private const string Pipeline =
            "param($Matrix, $Mirror, $KeyServer, $Dir, [switch] $NoCache)\n" +
            Generate + " |\n" +
            "    Invoke-PythonImageBuild -Network host -NoCache:$NoCache -OutVariable build -Verbose |\n" +
            "    Test-PythonImage -Offline\n";

        public static int Main(string[] args)
        {
            Options o;
            try
            {
                o = Options.Parse(args);
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine("e2e: " + ex.Message);
                Console.Error.WriteLine("usage: PythonImages.EndToEnd --matrix <yaml> --mirror <url> --keyserver <hkp url> --work <dir> [--corrupt | --generate-only] [--module <psd1>]");
                return 2;
            }

            Directory.CreateDirectory(o.Work);
            var dockerfiles = Path.Combine(o.Work, "images");
            var logPath = Path.Combine(o.Work, "build.log");
            using var log = new StreamWriter(logPath, append: false) { AutoFlush = true };

            var iss = InitialSessionState.CreateDefault2();
            using var runspace = RunspaceFactory.CreateRunspace(iss);
            runspace.Open();
            using (var import = PowerShell.Create())
            {
                import.Runspace = runspace;
                import.AddCommand("Import-Module").AddParameter("Name", o.Module).AddParameter("ErrorAction", "Stop");
                try
                {
                    import.Invoke();
                }
                catch (RuntimeException ex)
                {
                    Console.Error.WriteLine("e2e: Import-Module " + o.Module + " failed: " + ex.Message);
                    return 2;
                }
            }

            if (o.GenerateOnly)
            {
                return GenerateOnly(runspace, o, dockerfiles);
            }

            Console.WriteLine($"e2e: {(o.Corrupt ? "corrupted-mirror run" : "full run")}, mirror {o.Mirror}, key server {o.KeyServer}");
            Console.WriteLine("e2e: Get-PythonTag -MatrixPath <matrix> -Version 3.13 -Variant slim-bookworm | New-PythonDockerfile -Path <dir> -SourceMirror <mirror> -KeyServer <hkp> -AllowInsecureSource -Force | Invoke-PythonImageBuild -Network host | Test-PythonImage -Offline");
            Console.WriteLine("e2e: full build log: " + logPath);

            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            if (o.Image != null)
            {
                // Re-test an image built earlier (the build result is then the image as inspected).
                ps.AddScript("param($Image) $build = @([pscustomobject]@{ ImageId = $Image; Tags = @($Image); Succeeded = $true; Duration = 'n/a (not built in this run)'; Size = 'n/a' }); Test-PythonImage -Image $Image -Offline")
                    .AddParameter("Image", o.Image);
            }
            else
            {
                ps.AddScript(Pipeline)
                    .AddParameter("Matrix", o.Matrix)
                    .AddParameter("Mirror", o.Mirror)
                    .AddParameter("KeyServer", o.KeyServer)
                    .AddParameter("Dir", dockerfiles)
                    .AddParameter("NoCache", false);
            }

            var results = new List<PSObject>();
            var errors = new List<ErrorRecord>();
            var verbose = new List<string>();
            string lastStatus = string.Empty;
            var clock = Stopwatch.StartNew();
            string Stamp() => clock.Elapsed.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);

            ps.Streams.Verbose.DataAdded += (_, e) =>
            {
                var line = ps.Streams.Verbose[e.Index].Message;
                verbose.Add(line);
                log.WriteLine(line);
                if (line.StartsWith("Step ", StringComparison.Ordinal))
                {
                    Console.WriteLine($"[{Stamp()}] {Truncate(line, 150)}");
                }
            };
            ps.Streams.Progress.DataAdded += (_, e) =>
            {
                var p = ps.Streams.Progress[e.Index];
                var status = p.Activity + ": " + p.StatusDescription;
                if (p.RecordType != ProgressRecordType.Completed && status != lastStatus && !p.StatusDescription.Contains("Step ", StringComparison.Ordinal))
                {
                    lastStatus = status;
                    Console.WriteLine($"[{Stamp()}] {Truncate(status, 150)}");
                }
            };
            ps.Streams.Warning.DataAdded += (_, e) => Console.WriteLine($"[{Stamp()}] WARNING: {ps.Streams.Warning[e.Index].Message}");
            ps.Streams.Error.DataAdded += (_, e) =>
            {
                var err = ps.Streams.Error[e.Index];
                errors.Add(err);
                Console.WriteLine($"[{Stamp()}] ERROR: {err}");
            };

            var output = new PSDataCollection<PSObject>();
            output.DataAdded += (_, e) =>
            {
                var r = output[e.Index];
                results.Add(r);
                Console.WriteLine($"[{Stamp()}] {Prop(r, "Test"),-26} {Prop(r, "Status"),-8} {Prop(r, "Reason")}");
            };

            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                Console.WriteLine("e2e: stopping the pipeline (Ctrl+C)");
                ps.BeginStop(null, null);
            };

            RuntimeException? terminating = null;
            try
            {
                ps.Invoke(null, output);
            }
            catch (RuntimeException ex)
            {
                terminating = ex;
                Console.WriteLine($"[{Stamp()}] TERMINATING ERROR: {ex.ErrorRecord}");
            }

            clock.Stop();
            var builds = AsList(runspace.SessionStateProxy.GetVariable("build"));
            return o.Corrupt
                ? ReportCorrupt(builds, errors, terminating, verbose, clock.Elapsed, logPath)
                : ReportFull(builds, results, errors, terminating, clock.Elapsed, logPath);
        }

        /// <summary>--generate-only: the pipeline's first two commands exactly as the full run has them; prints the Dockerfile.</summary>
        private static int GenerateOnly(Runspace runspace, Options o, string dockerfiles)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript("param($Matrix, $Mirror, $KeyServer, $Dir)\n" + Generate)
                .AddParameter("Matrix", o.Matrix).AddParameter("Mirror", o.Mirror).AddParameter("KeyServer", o.KeyServer).AddParameter("Dir", dockerfiles);
            Collection<PSObject> output;
            try
            {
                output = ps.Invoke();
            }
            catch (RuntimeException ex)
            {
                Console.WriteLine("e2e: TERMINATING ERROR: " + ex.ErrorRecord);
                return 1;
            }

            foreach (var w in ps.Streams.Warning)
            {
                Console.WriteLine("WARNING: " + w.Message);
            }

            foreach (var e in ps.Streams.Error)
            {
                Console.WriteLine("ERROR: " + e);
            }

            var path = output.Select(r => Prop(r, "DockerfilePath")).FirstOrDefault(p => !string.IsNullOrEmpty(p));
            if (ps.Streams.Error.Count > 0 || path == null)
            {
                return 1;
            }

            Console.WriteLine("e2e: generated " + path);
            Console.Write(File.ReadAllText(path));
            return 0;
        }

        private static int ReportFull(IReadOnlyList<PSObject> builds, List<PSObject> results, List<ErrorRecord> errors, RuntimeException? terminating, TimeSpan elapsed, string logPath)
        {
            var failures = new List<string>();
            Console.WriteLine();
            Console.WriteLine("==================== end-to-end summary ====================");
            var build = builds.FirstOrDefault();
            string? imageId = null;
            if (build == null)
            {
                failures.Add("Invoke-PythonImageBuild produced no result");
            }
            else
            {
                imageId = Prop(build, "ImageId");
                var tags = Prop(build, "Tags");
                Console.WriteLine($"image:      {FirstTag(build) ?? "?"} ({imageId})");
                Console.WriteLine($"tags:       {tags}");
                Console.WriteLine($"build time: {FormatDuration(build.Properties["Duration"]?.Value)}");
                Console.WriteLine($"image size: {FormatSize(build.Properties["Size"]?.Value)}");
                if (!string.Equals(Prop(build, "Succeeded"), "True", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(imageId))
                {
                    failures.Add("the build did not succeed");
                }
            }

            if (!string.IsNullOrEmpty(imageId))
            {
                var (code, stdout, stderr) = Docker("run", "--rm", "--network", "none", imageId!, "python3", "--version");
                var said = (stdout + stderr).Trim();
                Console.WriteLine($"python3 --version: {said}");
                if (code != 0 || said != "Python " + ExpectedVersion)
                {
                    failures.Add($"python3 --version said '{said}' (exit code {code}), expected 'Python {ExpectedVersion}'");
                }
            }

            Console.WriteLine();
            Console.WriteLine($"{"Test",-26} {"Status",-8} {"Duration",9}  Reason");
            foreach (var r in results)
            {
                Console.WriteLine($"{Prop(r, "Test"),-26} {Prop(r, "Status"),-8} {FormatSeconds(r.Properties["Duration"]?.Value),9}  {Prop(r, "Reason")}");
                if (Prop(r, "Status") == "Failed")
                {
                    failures.Add($"{Prop(r, "Test")} failed: {Prop(r, "Reason")}");
                    var outputText = Prop(r, "Output");
                    if (outputText.Length > 0)
                    {
                        Console.WriteLine("    " + outputText.Replace("\n", "\n    "));
                    }
                }
            }

            foreach (var name in Required)
            {
                var r = results.FirstOrDefault(x => Prop(x, "Test") == name);
                if (r == null)
                {
                    failures.Add(name + " did not run");
                }
                else if (Prop(r, "Status") != "Passed")
                {
                    if (Prop(r, "Status") != "Failed")
                    {
                        failures.Add($"{name} was {Prop(r, "Status")}: {Prop(r, "Reason")}");
                    }
                }
            }

            failures.AddRange(errors.Select(e => "error: " + e));
            if (terminating != null)
            {
                failures.Add("terminating error: " + terminating.Message);
            }

            return Finish(failures, elapsed, logPath);
        }

        private static int ReportCorrupt(IReadOnlyList<PSObject> builds, List<ErrorRecord> errors, RuntimeException? terminating, List<string> verbose, TimeSpan elapsed, string logPath)
        {
            var failures = new List<string>();
            Console.WriteLine();
            Console.WriteLine("==================== corrupted-mirror summary ====================");
            var all = errors.Concat(terminating?.ErrorRecord != null ? new[] { terminating.ErrorRecord } : Array.Empty<ErrorRecord>()).ToList();
            if (all.Count == 0)
            {
                failures.Add("no error was reported: a corrupted tarball must fail the build");
            }

            foreach (var e in all)
            {
                Console.WriteLine("What the user sees:");
                Console.WriteLine(Indent(UserView(e)));
            }

            var seen = string.Join("\n", all.Select(UserView));
            bool mentionsChecksum = seen.Contains("checksum", StringComparison.OrdinalIgnoreCase);
            bool sha256Failed = seen.Contains("sha256sum", StringComparison.Ordinal) &&
                (seen.Contains("did NOT match", StringComparison.Ordinal) || seen.Contains("python.tar.xz: FAILED", StringComparison.Ordinal));
            if (!mentionsChecksum || !sha256Failed)
            {
                failures.Add("the error shown to the user does not say that the sha256 checksum failed");
            }

            if (verbose.Any(l => l.StartsWith("checking build system type", StringComparison.Ordinal)))
            {
                failures.Add("the build went on to ./configure: the checksum did not stop it");
            }

            if (builds.Any(b => string.Equals(Prop(b, "Succeeded"), "True", StringComparison.OrdinalIgnoreCase)))
            {
                failures.Add("Invoke-PythonImageBuild reported success");
            }

            Console.WriteLine($"failed after: {elapsed:hh\\:mm\\:ss}");
            return Finish(failures, elapsed, logPath);
        }

        private static int Finish(List<string> failures, TimeSpan elapsed, string logPath)
        {
            Console.WriteLine();
            Console.WriteLine($"total time: {elapsed:hh\\:mm\\:ss}; build log: {logPath}");
            if (failures.Count == 0)
            {
                Console.WriteLine("e2e: PASSED");
                return 0;
            }

            Console.WriteLine($"e2e: FAILED ({failures.Count})");
            foreach (var f in failures)
            {
                Console.WriteLine("  - " + Truncate(f, 400));
            }

            return 1;
        }

        /// <summary>The error as PowerShell's error view shows it: message, details, recommended action, id and category.</summary>
        private static string UserView(ErrorRecord e)
        {
            var lines = new List<string> { e.ErrorDetails?.Message ?? e.Exception?.Message ?? e.ToString() };
            if (e.ErrorDetails?.Message != null && e.Exception != null && e.Exception.Message != e.ErrorDetails.Message)
            {
                lines.Add(e.Exception.Message);
            }

            if (!string.IsNullOrEmpty(e.ErrorDetails?.RecommendedAction))
            {
                lines.Add("RecommendedAction: " + e.ErrorDetails!.RecommendedAction);
            }

            lines.Add("FullyQualifiedErrorId: " + e.FullyQualifiedErrorId);
            lines.Add("CategoryInfo: " + e.CategoryInfo);
            lines.Add("TargetObject: " + e.TargetObject);
            return string.Join("\n", lines);
        }

        private static (int Code, string Out, string Err) Docker(params string[] args)
        {
            var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            try
            {
                using var p = Process.Start(psi)!;
                var err = p.StandardError.ReadToEndAsync();
                var output = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                return (p.ExitCode, output, err.Result);
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                return (-1, string.Empty, "docker CLI not found: " + ex.Message);
            }
        }

        private static IReadOnlyList<PSObject> AsList(object? value) => value switch
        {
            null => Array.Empty<PSObject>(),
            PSObject p when p.BaseObject is IList l => l.Cast<object>().Select(PSObject.AsPSObject).ToList(),
            IList l => l.Cast<object>().Select(PSObject.AsPSObject).ToList(),
            _ => new[] { PSObject.AsPSObject(value) },
        };

        private static string Prop(PSObject o, string name)
        {
            var v = o.Properties[name]?.Value;
            return v switch
            {
                null => string.Empty,
                string s => s,
                IEnumerable e => string.Join(", ", e.Cast<object>()),
                _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty,
            };
        }

        private static string? FirstTag(PSObject build) =>
            build.Properties["Tags"]?.Value is IEnumerable e ? e.Cast<object>().Select(x => x.ToString()).FirstOrDefault() : null;

        private static string FormatDuration(object? value) => value is TimeSpan t ? $"{t:hh\\:mm\\:ss} ({t.TotalMinutes:0.0} min)" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "?";

        private static string FormatSeconds(object? value) => value is TimeSpan t ? $"{t.TotalSeconds:0.0} s" : string.Empty;

        private static string FormatSize(object? value)
        {
            try
            {
                var bytes = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return $"{bytes / 1e6:0.0} MB ({bytes} bytes)";
            }
            catch (Exception ex) when (ex is FormatException || ex is InvalidCastException)
            {
                return "?";
            }
        }

        private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "...";

        private static string Indent(string s) => "    " + s.Replace("\n", "\n    ");

        private sealed class Options
        {
            public string Matrix { get; private set; } = string.Empty;
            public string Mirror { get; private set; } = string.Empty;
            public string KeyServer { get; private set; } = string.Empty;
            public string Work { get; private set; } = string.Empty;
            public string Module { get; private set; } = string.Empty;
            public bool Corrupt { get; private set; }

            /// <summary>Only Get-PythonTag | New-PythonDockerfile (no engine, no mirror needed): checks the generation step.</summary>
            public bool GenerateOnly { get; private set; }

            /// <summary>Test an existing image only (no mirror, no build): Test-PythonImage -Image <ref> -Offline.</summary>
            public string? Image { get; private set; }

            public static Options Parse(string[] args)
            {
                var o = new Options();
                for (int i = 0; i < args.Length; i++)
                {
                    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException(args[i] + " needs a value");
                    switch (args[i])
                    {
                        case "--matrix": o.Matrix = Path.GetFullPath(Next()); break;
                        case "--mirror": o.Mirror = Next(); break;
                        case "--keyserver": o.KeyServer = Next(); break;
                        case "--work": o.Work = Path.GetFullPath(Next()); break;
                        case "--module": o.Module = Path.GetFullPath(Next()); break;
                        case "--corrupt": o.Corrupt = true; break;
                        case "--generate-only": o.GenerateOnly = true; break;
                        case "--image": o.Image = Next(); break;
                        default: throw new ArgumentException("unknown argument " + args[i]);
                    }
                }

                if (o.Image == null && (o.Matrix.Length == 0 || o.Mirror.Length == 0 || o.KeyServer.Length == 0) || o.Work.Length == 0)
                {
                    throw new ArgumentException("--work and either --image or --matrix, --mirror and --keyserver are required");
                }

                if (o.Module.Length == 0)
                {
                    var dir = new DirectoryInfo(AppContext.BaseDirectory);
                    while (dir != null && !File.Exists(Path.Combine(dir.FullName, "PythonImages.psd1")))
                    {
                        dir = dir.Parent;
                    }

                    o.Module = dir != null ? Path.Combine(dir.FullName, "PythonImages.psd1") : throw new ArgumentException("PythonImages.psd1 not found; pass --module");
                }

                return o;
            }
        }
    }
}
