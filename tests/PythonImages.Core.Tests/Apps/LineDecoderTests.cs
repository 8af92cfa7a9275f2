using System.Collections.Generic;
using System.Linq;
using System.Text;
using PythonImages.Apps;
using Xunit;

namespace PythonImages.Tests.Apps
{
    public sealed class LineDecoderTests
    {
        private static List<string> Feed(LineDecoder d, byte[] bytes, params int[] cuts)
        {
            var lines = new List<string>();
            int start = 0;
            foreach (var cut in cuts.Append(bytes.Length))
            {
                lines.AddRange(d.Add(bytes, start, cut - start));
                start = cut;
            }

            return lines;
        }

        [Fact]
        public void LinesAreSplitAtLineBreaksWhateverTheChunks()
        {
            var bytes = Encoding.UTF8.GetBytes("one\ntwo\r\n\nthree");
            for (int cut = 0; cut <= bytes.Length; cut++)
            {
                var d = new LineDecoder();
                var lines = Feed(d, bytes, cut);
                Assert.Equal(new[] { "one", "two", string.Empty }, lines);
                Assert.Equal("three", d.Flush());
                Assert.Null(d.Flush());
                Assert.Equal(4, d.Lines);
            }
        }

        [Fact]
        public void AMultiByteCharacterSplitAcrossChunksIsDecodedWhole()
        {
            var bytes = Encoding.UTF8.GetBytes("snake \ud83d\udc0d and ü\n");
            for (int cut = 1; cut < bytes.Length; cut++)
            {
                Assert.Equal(new[] { "snake \ud83d\udc0d and ü" }, Feed(new LineDecoder(), bytes, cut));
            }
        }

        [Fact]
        public void InvalidBytesBecomeReplacementCharacters()
        {
            var d = new LineDecoder();
            Assert.Equal(new[] { "a\ufffdb" }, d.Add(new byte[] { (byte)'a', 0xff, (byte)'b', (byte)'\n' }, 0, 4));
        }

        [Fact]
        public void AnEndlessLineIsPassedOnInBoundedPieces()
        {
            var d = new LineDecoder(maxLineChars: 10);
            var lines = Feed(d, Encoding.ASCII.GetBytes(new string('x', 25) + "\nend\n"), 7, 13);
            Assert.Equal(new[] { new string('x', 10), new string('x', 10), new string('x', 5), "end" }, lines);
        }
    }
}
