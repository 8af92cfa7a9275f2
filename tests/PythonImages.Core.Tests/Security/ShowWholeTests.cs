using PythonImages.Security;
using Xunit;

namespace PythonImages.Tests.Security
{
    /// <summary>InputGrammar.ShowWhole: a user's path or message in an error, with what a terminal would act on escaped.</summary>
    public class ShowWholeTests
    {
        [Theory]
        [InlineData("/home/user/certs", "/home/user/certs")]
        [InlineData("/home/üser/certs dir", "/home/üser/certs dir")]
        [InlineData("/tmp/\u001B]0;pwned\u0007x", "/tmp/\\u001B]0;pwned\\u0007x")]
        [InlineData("a\nb\rc\u0085d", "a\\u000Ab\\u000Dc\\u0085d")]
        [InlineData("cert\u202Emep.exe", "cert\\u202Emep.exe")]
        [InlineData("x\u2028y\u2029z\u200Bw", "x\\u2028y\\u2029z\\u200Bw")]
        public void WhatATerminalWouldActOnIsEscapedAndTheRestKept(string text, string shown) =>
            Assert.Equal(shown, InputGrammar.ShowWhole(text));

        [Fact]
        public void ALongTextIsNeverShortened()
        {
            string path = "/" + new string('a', 500) + "\u001B";
            Assert.Equal("/" + new string('a', 500) + "\\u001B", InputGrammar.ShowWhole(path));
        }
    }
}
