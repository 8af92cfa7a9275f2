using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace PythonImages.Dockerfiles
{
    /// <summary>A line-based unified diff (the format of <c>diff -u</c> and <c>git diff</c>), with 3 lines of context.</summary>
    public static class UnifiedDiff
    {
        private enum Op
        {
            Equal,
            Delete,
            Insert,
        }

        /// <summary>A unified diff of two texts with <paramref name="context"/> lines of context; empty when they are equal.</summary>
        public static string Create(string oldText, string newText, string oldName, string newName, int context = 3)
        {
            var a = SplitLines(oldText);
            var b = SplitLines(newText);
            var script = EditScript(a, b);

            var sb = new StringBuilder();
            sb.Append("--- ").Append(oldName).Append('\n');
            sb.Append("+++ ").Append(newName).Append('\n');

            int k = 0;
            while (k < script.Count)
            {
                // Find the next change.
                while (k < script.Count && script[k].Op == Op.Equal)
                {
                    k++;
                }

                if (k == script.Count)
                {
                    break;
                }

                int start = Math.Max(0, k - context);
                int end = k;

                // Extend the hunk while changes are separated by at most 2*context equal lines.
                while (true)
                {
                    while (end < script.Count && script[end].Op != Op.Equal)
                    {
                        end++;
                    }

                    int equal = end;
                    while (equal < script.Count && script[equal].Op == Op.Equal)
                    {
                        equal++;
                    }

                    if (equal < script.Count && equal - end <= 2 * context)
                    {
                        end = equal;
                        continue;
                    }

                    end = Math.Min(script.Count, end + context);
                    break;
                }

                int oldStart = script[start].A, newStart = script[start].B, oldCount = 0, newCount = 0;
                for (int i = start; i < end; i++)
                {
                    if (script[i].Op != Op.Insert) oldCount++;
                    if (script[i].Op != Op.Delete) newCount++;
                }

                sb.Append("@@ -").Append(Range(oldStart, oldCount)).Append(" +").Append(Range(newStart, newCount)).Append(" @@\n");
                for (int i = start; i < end; i++)
                {
                    var e = script[i];
                    string line = e.Op == Op.Insert ? b[e.B] : a[e.A];
                    sb.Append(e.Op == Op.Equal ? ' ' : e.Op == Op.Delete ? '-' : '+');
                    if (line.EndsWith("\n", StringComparison.Ordinal))
                    {
                        sb.Append(line);
                    }
                    else
                    {
                        sb.Append(line).Append("\n\\ No newline at end of file\n");
                    }
                }

                k = end;
            }

            return sb.ToString();
        }

        private static string Range(int start, int count) =>
            count == 0
                ? start.ToString(CultureInfo.InvariantCulture) + ",0"
                : (start + 1).ToString(CultureInfo.InvariantCulture) + (count == 1 ? string.Empty : "," + count.ToString(CultureInfo.InvariantCulture));

        /// <summary>Lines with their terminator, so that a last line without newline differs from the same line with one.</summary>
        private static List<string> SplitLines(string text)
        {
            var lines = new List<string>();
            int start = 0;
            while (start < text.Length)
            {
                int nl = text.IndexOf('\n', start);
                int end = nl < 0 ? text.Length : nl + 1;
                lines.Add(text.Substring(start, end - start));
                start = end;
            }

            return lines;
        }

        private readonly struct Edit
        {
            public Edit(Op op, int a, int b)
            {
                Op = op;
                A = a;
                B = b;
            }

            public Op Op { get; }

            /// <summary>Index in the old lines (for Insert: the old position it goes before).</summary>
            public int A { get; }

            /// <summary>Index in the new lines (for Delete: the new position it is removed at).</summary>
            public int B { get; }
        }

        /// <summary>A shortest edit script by longest common subsequence (common prefix and suffix trimmed first).</summary>
        private static List<Edit> EditScript(List<string> a, List<string> b)
        {
            int pre = 0;
            while (pre < a.Count && pre < b.Count && a[pre] == b[pre]) pre++;
            int suf = 0;
            while (suf < a.Count - pre && suf < b.Count - pre && a[a.Count - 1 - suf] == b[b.Count - 1 - suf]) suf++;

            int n = a.Count - pre - suf, m = b.Count - pre - suf;
            var lcs = new int[n + 1, m + 1];
            for (int i = n - 1; i >= 0; i--)
            {
                for (int j = m - 1; j >= 0; j--)
                {
                    lcs[i, j] = a[pre + i] == b[pre + j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
                }
            }

            var script = new List<Edit>(a.Count + b.Count);
            for (int i = 0; i < pre; i++) script.Add(new Edit(Op.Equal, i, i));
            int x = 0, y = 0;
            while (x < n || y < m)
            {
                if (x < n && y < m && a[pre + x] == b[pre + y])
                {
                    script.Add(new Edit(Op.Equal, pre + x, pre + y));
                    x++;
                    y++;
                }
                else if (y < m && (x == n || lcs[x, y + 1] > lcs[x + 1, y]))
                {
                    script.Add(new Edit(Op.Insert, pre + x, pre + y));
                    y++;
                }
                else
                {
                    script.Add(new Edit(Op.Delete, pre + x, pre + y));
                    x++;
                }
            }

            for (int i = 0; i < suf; i++) script.Add(new Edit(Op.Equal, a.Count - suf + i, b.Count - suf + i));
            return script;
        }
    }
}
