using System;
using System.Management.Automation;
using PythonImages.Engine;
using PythonImages.ImageTests;

namespace PythonImages.Commands
{
    /// <summary>Test-PythonImage's streams for an <see cref="ImageTestSession"/>'s events (written on the pipeline thread).</summary>
    internal sealed class TestStreamWriter : IImageTestEvents
    {
        private readonly TestPythonImageCommand cmdlet;
        private readonly string display;
        private readonly int progressId;

        public TestStreamWriter(TestPythonImageCommand cmdlet, string display, int progressId)
        {
            this.cmdlet = cmdlet;
            this.display = display;
            this.progressId = progressId;
        }

        public void Progress(string activity, string status, int percent, bool completed) => cmdlet.OnPipeline(() =>
            cmdlet.WriteProgress(completed
                ? new ProgressRecord(progressId, activity, status) { RecordType = ProgressRecordType.Completed }
                : new ProgressRecord(progressId, activity, status) { PercentComplete = percent }));

        public void Result(ImageTestResult result) => cmdlet.OnPipeline(() => cmdlet.WriteObject(result));

        public void Failure(ImageTest test, Exception exception, string operation) =>
            cmdlet.OnPipeline(() => cmdlet.WriteError(cmdlet.EngineError(exception, display, operation)));

        public void Warning(string message) => cmdlet.OnPipeline(() => cmdlet.WriteWarning(message));
    }

    /// <summary>Checks -Test names against the test catalogue; the error lists the known tests.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateImageTestAttribute : ValidateEnumeratedArgumentsAttribute
    {
        /// <inheritdoc/>
        protected override void ValidateElement(object element)
        {
            string? name = (element is PSObject p ? p.BaseObject : element) as string;
            string? why = PythonImageTests.WhyUnknown(name);
            if (why != null)
            {
                throw new ValidationMetadataException(why);
            }
        }
    }
}
