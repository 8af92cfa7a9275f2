using System;
using System.Linq;
using System.Management.Automation;
using PythonImages.Security;
using PythonImages.Updates;
using PythonImages.Updates.Http;

namespace PythonImages.Commands
{
    /// <summary>Update-PythonMatrix's translations to PowerShell: error records, host lines, parameter URIs.</summary>
    internal static class UpdateRecords
    {
        public static string Summary(UpdatePlan plan) =>
            string.Join(", ", plan.Results.Where(r => r.Change != UpdateChange.Unchanged).Select(r => r.VersionKey + " " + r.Change.ToString().ToLowerInvariant()));

        public static string Line(MatrixUpdateResult r) => r.Change switch
        {
            UpdateChange.Removed => $"{r.VersionKey}: removed ({r.OldVersion})",
            UpdateChange.Added => $"{r.VersionKey}: {r.NewVersion} (added)",
            UpdateChange.Updated => $"{r.VersionKey}: {r.NewVersion} (was {r.OldVersion})" + (r.Written ? string.Empty : " [not written]"),
            _ => $"{r.VersionKey}: {r.NewVersion}",
        };

        /// <summary>The updater's inputs from the cmdlet's parameters: sources (checked URIs), fetch options and the request.</summary>
        internal static (UpdateSources Sources, FetchOptions Fetch, UpdateRequest Request) Inputs(UpdatePythonMatrixCommand c)
        {
            var sources = new UpdateSources
            {
                PythonOrg = UpdateRecords.ParseUri(c.PythonOrgUri, UpdateSources.DefaultPythonOrg, "-PythonOrgUri", c.AllowInsecureSource),
                CPythonSource = UpdateRecords.ParseUri(c.CPythonSourceUri, UpdateSources.DefaultCPythonSource, "-CPythonSourceUri", c.AllowInsecureSource),
                PyPI = UpdateRecords.ParseUri(c.PyPIUri, UpdateSources.DefaultPyPI, "-PyPIUri", c.AllowInsecureSource),
            };
            var fetch = new FetchOptions
            {
                AllowInsecure = c.AllowInsecureSource,
                MaxParallelRequests = c.ThrottleLimit,
                Timeout = TimeSpan.FromSeconds(c.TimeoutSec),
            };
            var request = new UpdateRequest
            {
                VersionKeys = c.VersionKey,
                Add = c.Add ?? Array.Empty<string>(),
                Remove = c.Remove ?? Array.Empty<string>(),
                AllowUnverifiedSource = c.AllowUnverifiedSource,
            };
            return (sources, fetch, request);
        }

        /// <summary>A base URI parameter through the project's URI rules; the default when not given.</summary>
        public static Uri ParseUri(string? text, Uri fallback, string what, bool allowInsecure)
        {
            if (text == null)
            {
                return fallback;
            }

            Uri uri;
            try
            {
                uri = SourceUri.Parse(text, SourceUri.DownloadSchemes, allowInsecure, UpdateErrorIds.InvalidUri, UpdateErrorIds.InsecureSource, "The " + what + " value");
            }
            catch (InputRejectedException ex)
            {
                throw new UpdateException(
                    ex.ErrorId,
                    ex.Message,
                    ex.ErrorId == UpdateErrorIds.InsecureSource
                        ? "Use an https URI, or pass -AllowInsecureSource to accept plain http knowingly (a loopback test server, an internal mirror)."
                        : $"Pass an absolute https URI without credentials, query or fragment to {what}.",
                    InputGrammar.Show(SourceUri.RedactUserInfo(text)), // the target is shown: never the password
                    ex);
            }

            if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                // the files' addresses are paths appended to the base: after a query or fragment they would be part of it
                // (and a token in the query would reach the messages); the value is shown without them
                string shown = RedirectPolicy.Show(uri);
                throw new UpdateException(
                    UpdateErrorIds.InvalidUri,
                    $"The {what} value '{shown}...' has a query or fragment ('?' or '#' and what follows); a base URI is where the files' paths are appended, so it ends with its path.",
                    $"Pass {what} without '?' or '#' (e.g. {shown}).",
                    shown);
            }

            return uri;
        }

        public static ErrorRecord Record(UpdateException ex, object target) => Errors.FromCatalogue(ex, target);
    }
}
