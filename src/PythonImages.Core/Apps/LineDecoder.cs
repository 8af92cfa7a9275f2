using System;
using System.Collections.Generic;
using System.Text;

namespace PythonImages.Apps
{
    /// <summary>
    /// Turns a byte stream (a container's stdout or stderr) into text lines as the bytes arrive: UTF-8 decoded across
    /// chunk boundaries (invalid bytes become U+FFFD), split at '\n', a trailing '\r' removed. A line longer than
    /// <see cref="MaxLineChars"/> is passed on in pieces of that size, so memory stays bounded whatever the program writes.
    /// </summary>
    public sealed class LineDecoder
    {
        /// <summary>The longest piece of a line kept before it is passed on (1 Mi characters).</summary>
        public const int MaxLineChars = 1024 * 1024;

        private readonly Decoder decoder = new UTF8Encoding(false, false).GetDecoder();
        private readonly StringBuilder partial = new StringBuilder();
        private readonly int maxLineChars;
        private char[] chars = new char[4096];

        /// <summary>A decoder that passes on lines (and pieces of at most <paramref name="maxLineChars"/> characters of longer ones).</summary>
        public LineDecoder(int maxLineChars = MaxLineChars)
        {
            if (maxLineChars < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(maxLineChars));
            }

            this.maxLineChars = maxLineChars;
        }

        /// <summary>Complete lines seen so far.</summary>
        public long Lines { get; private set; }

        /// <summary>Decodes <paramref name="count"/> bytes and returns the lines they complete (possibly none).</summary>
        public IReadOnlyList<string> Add(byte[] buffer, int offset, int count)
        {
            var lines = new List<string>();
            int needed = decoder.GetCharCount(buffer, offset, count, flush: false);
            if (needed > chars.Length)
            {
                chars = new char[Math.Max(needed, chars.Length * 2)];
            }

            int n = decoder.GetChars(buffer, offset, count, chars, 0, flush: false);
            int start = 0;
            for (int i = 0; i < n; i++)
            {
                if (chars[i] == '\n')
                {
                    partial.Append(chars, start, i - start);
                    lines.Add(Take());
                    start = i + 1;
                }
                else if (partial.Length + (i - start) >= maxLineChars)
                {
                    partial.Append(chars, start, i - start);
                    lines.Add(Take(cut: true));
                    start = i;
                }
            }

            partial.Append(chars, start, n - start);
            return lines;
        }

        /// <summary>The last line when the stream ended without a line break; null when there is none.</summary>
        public string? Flush()
        {
            int n = decoder.GetChars(Array.Empty<byte>(), 0, 0, chars, 0, flush: true);
            partial.Append(chars, 0, n);
            return partial.Length > 0 ? Take() : null;
        }

        private string Take(bool cut = false)
        {
            int length = partial.Length;
            if (!cut && length > 0 && partial[length - 1] == '\r')
            {
                length--;
            }

            string line = partial.ToString(0, length);
            partial.Clear();
            Lines++;
            return line;
        }
    }
}
