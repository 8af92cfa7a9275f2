using System.Linq;
using System.Management.Automation;
using PythonImages.Tests.Hosting;
using Xunit;

namespace PythonImages.Tests
{
    public class GetPythonTagTests
    {
        [Fact]
        public void ShortSlimTagNamesOneImage()
        {
            using var s = new ModuleSession();
            var r = s.Run("Get-PythonTag -Name 3-slim");
            Assert.Empty(r.Errors);
            var img = Assert.Single(r.Output);
            Assert.Equal("3.14/slim-trixie", img.Properties["Directory"].Value);
        }
    }
}
