using System;
using System.Collections.Generic;

namespace PythonImages.Builds
{
    /// <summary>
    /// The last lines of a log, bounded in lines and characters, for error messages and results; the full log goes to
    /// a file as it arrives. A line longer than <see cref="MaxLineChars"/> is kept as its start and a note of its length.
    /// </summary>
    public sealed class LogTail
    {
        /// <summary>The number of lines kept by default.</summary>
        public const int DefaultMaxLines = 200;
        /// <summary>The number of characters kept by default.</summary>
        public const int DefaultMaxChars = 64 * 1024;
        /// <summary>Longer lines are cut to this many characters.</summary>
        public const int MaxLineChars = 2000;

        private readonly Queue<string> lines = new Queue<string>();
        private readonly int maxLines;
        private readonly int maxChars;
        private int chars;

        /// <summary>A tail of at most <paramref name="maxLines"/> lines and <paramref name="maxChars"/> characters.</summary>
        public LogTail(int maxLines = DefaultMaxLines, int maxChars = DefaultMaxChars)
        {
            if (maxLines < 1 || maxChars < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(maxLines));
            }

            this.maxLines = maxLines;
            this.maxChars = maxChars;
        }

        /// <summary>Lines seen in all (kept or not).</summary>
        public long TotalLines { get; private set; }

        /// <summary>Characters seen in all (kept or not), line breaks not counted.</summary>
        public long TotalChars { get; private set; }

        /// <summary>The number of lines kept.</summary>
        public int Count => lines.Count;

        /// <summary>Adds a line, dropping the oldest ones beyond the limits.</summary>
        public void Add(string line)
        {
            TotalLines++;
            TotalChars += line.Length;
            if (line.Length > MaxLineChars)
            {
                line = line.Substring(0, MaxLineChars) + $"… ({line.Length - MaxLineChars} more characters on this line)";
            }

            lines.Enqueue(line);
            chars += line.Length;
            while (lines.Count > maxLines || (chars > maxChars && lines.Count > 1))
            {
                chars -= lines.Dequeue().Length;
            }
        }

        /// <summary>The kept lines, oldest first.</summary>
        public string[] ToArray() => lines.ToArray();
    }
}
