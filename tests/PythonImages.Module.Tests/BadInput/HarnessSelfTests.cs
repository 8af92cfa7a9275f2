using System.Collections.Generic;
using System.Management.Automation;
using Xunit;
using Xunit.Sdk;

namespace PythonImages.Tests.BadInput
{
    /// <summary>The harness itself must fail when a case is not rejected, or when something was written.</summary>
    public sealed class HarnessSelfTests : IClassFixture<BadInputRunner>
    {
        private readonly BadInputRunner runner;

        public HarnessSelfTests(BadInputRunner runner) => this.runner = runner;

        [Fact]
        public void AcceptedInputFailsTheCase() =>
            Assert.ThrowsAny<XunitException>(() => runner.AssertRejected(
                new BadInputCase("self", "accepted", "Get-PythonTag -Name latest", "PythonTag.NotFound", ErrorCategory.ObjectNotFound)));

        [Fact]
        public void AWrittenFileFailsTheCase() =>
            Assert.ThrowsAny<XunitException>(() => runner.AssertRejected(
                new BadInputCase("self", "writes", "[IO.File]::WriteAllText(\"$work/x\", 'x'); Get-PythonTag -Name nope", "PythonTag.NotFound", ErrorCategory.ObjectNotFound)));

        [Fact]
        public void WrongCategoryFailsTheCase() =>
            Assert.ThrowsAny<XunitException>(() => runner.AssertRejected(
                new BadInputCase("self", "category", "Get-PythonTag -Name nope", "PythonTag.NotFound", ErrorCategory.InvalidData)));

        [Fact]
        public void ARejectedCaseWithNothingWrittenPasses() =>
            runner.AssertRejected(
                new BadInputCase("self", "rejected", "Get-PythonTag -Name nope", "PythonTag.NotFound", ErrorCategory.ObjectNotFound)
                    .WithFile("x", "kept"));
    }
}
