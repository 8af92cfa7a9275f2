using System;

namespace PythonImages.ImageTests
{
    /// <summary>The outcome of one test on one image.</summary>
    public enum ImageTestStatus
    {
        /// <summary>The test passed.</summary>
        Passed,
        /// <summary>The test failed.</summary>
        Failed,
        /// <summary>The test did not run (no Windows form, -Offline, ...).</summary>
        Skipped,
    }

    /// <summary>The outcome of one official-images test against one image (what Test-PythonImage writes).</summary>
    public sealed class ImageTestResult
    {
        /// <summary>The result of <paramref name="test"/> on <paramref name="image"/>.</summary>
        public ImageTestResult(string image, string test, ImageTestStatus status)
        {
            Image = image;
            Test = test;
            Status = status;
        }

        /// <summary>The image as the user knows it (first tag, or the reference given with -Image).</summary>
        public string Image { get; }

        /// <summary>The test name (python-imports, utc, ...).</summary>
        public string Test { get; }

        /// <summary>Passed, Failed or Skipped.</summary>
        public ImageTestStatus Status { get; }

        /// <summary>True or false when the test ran; null when it was skipped (see <see cref="Reason"/>).</summary>
        public bool? Passed => Status == ImageTestStatus.Skipped ? (bool?)null : Status == ImageTestStatus.Passed;

        /// <summary>Wall time of the test container (create, run, collect, remove); zero when skipped.</summary>
        public TimeSpan Duration { get; set; }

        /// <summary>What the test container printed (stdout, then stderr), trimmed and capped.</summary>
        public string Output { get; set; } = string.Empty;

        /// <summary>Why the test failed or was skipped; a short summary when it passed.</summary>
        public string Reason { get; set; } = string.Empty;

        /// <summary>The image id the test ran against (sha256:...), when known.</summary>
        public string? ImageId { get; set; }

        /// <summary>linux or windows: which form of the test ran.</summary>
        public string Platform { get; set; } = string.Empty;

        /// <inheritdoc/>
        public override string ToString() => $"{Image} {Test}: {Status}" + (Reason.Length > 0 ? " (" + Reason + ")" : string.Empty);
    }
}
