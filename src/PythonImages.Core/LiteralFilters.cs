using System;
using System.Collections.Generic;
using System.Linq;

namespace PythonImages
{
    /// <summary>
    /// Finds the filter values that name nothing: a literal -Version or -Variant (no wildcard) that no image of the
    /// matrix has is a mistake worth an error, as a -Name that no image has; a wildcard that matches nothing is not.
    /// </summary>
    public static class LiteralFilters
    {
        /// <summary>
        /// The literal values of <paramref name="values"/> (those <paramref name="isWildcard"/> says are not patterns) that
        /// equal, ignoring case, none of the <paramref name="keys"/> of any image.
        /// </summary>
        public static IReadOnlyList<string> Unmatched(IEnumerable<string>? values, IEnumerable<PythonImage> images, Func<PythonImage, IEnumerable<string>> keys, Func<string, bool> isWildcard)
        {
            if (values == null)
            {
                return Array.Empty<string>();
            }

            var known = new HashSet<string>(images.SelectMany(keys).Where(k => !string.IsNullOrEmpty(k)), StringComparer.OrdinalIgnoreCase);
            return values.Where(v => v != null && !isWildcard(v) && !known.Contains(v)).Distinct(StringComparer.Ordinal).ToList();
        }
    }
}
