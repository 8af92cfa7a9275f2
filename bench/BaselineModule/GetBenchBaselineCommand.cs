using System.Management.Automation;

namespace BaselineModule
{
    public sealed class BaselineItem
    {
        public string Name { get; set; }
    }

    [Cmdlet(VerbsCommon.Get, "BenchBaseline")]
    [OutputType(typeof(BaselineItem))]
    public sealed class GetBenchBaselineCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        public string Name { get; set; } = "baseline";

        protected override void ProcessRecord() => WriteObject(new BaselineItem { Name = Name });
    }
}
