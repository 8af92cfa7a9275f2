using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace PythonImages.Tests.Hosting
{
    /// <summary>A PowerShell host that records everything written to it (formatted output, -WhatIf lines, progress)
    /// and answers -Confirm prompts from a script of choices.</summary>
    public sealed class CapturingHost : PSHost
    {
        private readonly CapturingUI ui = new CapturingUI();
        private readonly Guid id = Guid.NewGuid();

        public override string Name => "PythonImagesTestHost";
        public override Version Version => new Version(1, 0);
        public override Guid InstanceId => id;
        public override PSHostUserInterface UI => ui;
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

        /// <summary>Everything written as text to the host, ANSI decoration removed.</summary>
        public string Text { get { lock (ui.Buffer) return ui.Buffer.ToString(); } }

        public void ClearText() { lock (ui.Buffer) ui.Buffer.Clear(); }

        /// <summary>Answers for PromptForChoice (index into the offered choices), consumed in order.</summary>
        public Queue<int> Choices => ui.Choices;

        /// <summary>The captions of the prompts that were answered.</summary>
        public List<string> Prompts => ui.Prompts;

        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }

        private sealed class CapturingUI : PSHostUserInterface
        {
            public readonly StringBuilder Buffer = new StringBuilder();
            public readonly Queue<int> Choices = new Queue<int>();
            public readonly List<string> Prompts = new List<string>();
            private readonly RawUI raw = new RawUI();

            public override PSHostRawUserInterface RawUI => raw;

            private void Append(string value)
            {
                var plain = new System.Management.Automation.Internal.StringDecorated(value).ToString(OutputRendering.PlainText);
                lock (Buffer) Buffer.Append(plain);
            }

            public override void Write(string value) => Append(value);
            public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);
            public override void WriteLine(string value) => Append(value + "\n");
            public override void WriteErrorLine(string value) => Append(value + "\n");
            public override void WriteDebugLine(string message) => Append("DEBUG: " + message + "\n");
            public override void WriteVerboseLine(string message) => Append("VERBOSE: " + message + "\n");
            public override void WriteWarningLine(string message) => Append("WARNING: " + message + "\n");
            public override void WriteProgress(long sourceId, ProgressRecord record) { }
            public override string ReadLine() => string.Empty;
            public override SecureString ReadLineAsSecureString() => new SecureString();

            public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
                throw new NotSupportedException("The test host does not answer prompts for values.");

            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
                throw new NotSupportedException();

            public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
                throw new NotSupportedException();

            public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            {
                lock (Prompts) Prompts.Add(caption + ": " + message);
                if (Choices.Count == 0)
                {
                    throw new InvalidOperationException("The test host was asked to confirm '" + message + "' but has no scripted answer.");
                }

                return Choices.Dequeue();
            }
        }

        private sealed class RawUI : PSHostRawUserInterface
        {
            public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
            public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
            public override Coordinates CursorPosition { get; set; }
            public override Coordinates WindowPosition { get; set; }
            public override int CursorSize { get; set; }
            public override Size BufferSize { get; set; } = new Size(200, 3000);
            public override Size WindowSize { get; set; } = new Size(200, 50);
            public override Size MaxWindowSize => new Size(200, 50);
            public override Size MaxPhysicalWindowSize => new Size(200, 50);
            public override bool KeyAvailable => false;
            public override string WindowTitle { get; set; } = string.Empty;
            public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
            public override void FlushInputBuffer() { }
            public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
            public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
            public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
            public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        }
    }
}
