using System;
using System.IO;
using System.Linq;
using PythonImages.Security;

namespace PythonImages.Ci
{
    /// <summary>
    /// A folder inside the repository as a user writes it (./images, .\images, images/, or a full path inside the work
    /// tree) in the form the generated pipeline needs: relative to the repository's root, '/'-separated, without '.'
    /// components or trailing separators ('.' for the root itself). Only the spelling changes: the result is still
    /// checked against <see cref="CiGrammar.RepositoryPath"/> (so '..', hidden names and options stay refused), and a full
    /// path outside the repository is refused here.
    /// </summary>
    public static class RepositoryRelativePath
    {
        /// <summary>
        /// <paramref name="value"/> relative to <paramref name="repository"/> (a full path); a <see cref="BuildMatrixException"/>
        /// (BuildMatrix.InvalidRepositoryPath) for a full path outside it.
        /// </summary>
        public static string Normalize(string value, string repository, string parameter)
        {
            string text = value;
            if (Path.IsPathRooted(value))
            {
                string full = Path.GetFullPath(value).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
                string root = Path.GetFullPath(repository).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
                if (string.Equals(full, root, PathRules.Comparison))
                {
                    return ".";
                }

                // the module's one containment rule (case by platform, a separator after the root)
                string? inside = PathRules.RelativeInside(root, full);
                if (inside == null)
                {
                    throw new BuildMatrixException(
                        BuildMatrixErrorIds.InvalidRepositoryPath,
                        $"{parameter} '{InputGrammar.Show(value)}' is not inside the repository '{InputGrammar.Show(root)}': the legs find the folder in their checkout.",
                        value,
                        $"Pass a folder inside -GitRepository (default: the current location), relative to its root, e.g. {parameter} images.");
                }

                text = inside;
            }

            var parts = text.Replace('\\', '/').Split('/').Where(p => p.Length > 0 && p != ".").ToArray();
            return parts.Length == 0 ? "." : string.Join("/", parts);
        }
    }
}
