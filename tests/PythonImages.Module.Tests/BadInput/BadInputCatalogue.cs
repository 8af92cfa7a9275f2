using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace PythonImages.Tests.BadInput
{
    /// <summary>What an area of the bad-input catalogue provides: its cases and how many it must have at least.</summary>
    public interface IBadInputArea
    {
        /// <summary>The fewest cases the area may have (a catalogue that shrinks by accident fails).</summary>
        static abstract int Minimum { get; }

        /// <summary>The area's cases, each with a name unique within the area.</summary>
        static abstract List<BadInputCase> Create();
    }

    /// <summary>
    /// One area of the bad-input catalogue as tests: every case of <typeparamref name="TArea"/> is a row of
    /// <see cref="Rejected"/>, run by the shared <see cref="BadInputRunner"/> (through <see cref="AssertRejected"/>, which an
    /// area may extend); the area keeps its share and unique names.
    /// </summary>
    public abstract class BadInputCatalogue<TArea> : IClassFixture<BadInputRunner>
        where TArea : BadInputCatalogue<TArea>, IBadInputArea
    {
        private readonly BadInputRunner runner;

        protected BadInputCatalogue(BadInputRunner runner) => this.runner = runner;

        /// <summary>The theory rows: one case name each.</summary>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "xUnit reads theory rows from a public static member of the test class; here it is one per area.")]
        public static IEnumerable<object[]> Cases => All.Select(c => new object[] { c.Name });

        /// <summary>The area's cases, made once per test run.</summary>
        protected static IReadOnlyList<BadInputCase> All { get; } = TArea.Create();

        [Theory]
        [MemberData(nameof(Cases))]
        public void Rejected(string name) => AssertRejected(All.Single(c => c.Name == name));

        [Fact]
        public void TheCatalogueHasItsShare()
        {
            Assert.True(All.Count >= TArea.Minimum, $"{All.Count} cases, at least {TArea.Minimum} expected");
            Assert.Equal(All.Count, All.Select(c => c.Name).Distinct().Count());
        }

        /// <summary>
        /// Runs one case through the shared runner. An area that checks more after a case, or cannot run some of its cases
        /// on this system, overrides it and calls the base for the run itself.
        /// </summary>
        protected virtual void AssertRejected(BadInputCase c) => runner.AssertRejected(c);
    }
}
