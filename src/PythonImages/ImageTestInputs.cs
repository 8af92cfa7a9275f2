using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using PythonImages.Builds;
using PythonImages.ImageTests;
using PythonImages.Security;

namespace PythonImages.Commands
{
    /// <summary>What Test-PythonImage tests for one pipeline input: the image to run and the name its results carry.</summary>
    internal readonly struct ImageToTest
    {
        public ImageToTest(string reference, string display)
        {
            Reference = reference;
            Display = display;
        }

        /// <summary>An image id or reference.</summary>
        public string Reference { get; }

        /// <summary>The name in results and messages.</summary>
        public string Display { get; }
    }

    /// <summary>Test-PythonImage's inputs (names, python images, build results) as images to test, under -Repository.</summary>
    internal static class ImageTestInputs
    {
        /// <summary>
        /// The image one input names; null when there is none (after a warning for a failed build, or an error for an input
        /// that names no image).
        /// </summary>
        public static ImageToTest? Resolve(TestPythonImageCommand cmdlet, PSObject input)
        {
            switch (input.BaseObject)
            {
                case string name:
                    return new ImageToTest(name, name);
                case PythonImage image:
                    return FromPythonImage(cmdlet, image, input);
            }

            var imageId = input.Properties["ImageId"]?.Value as string;
            var succeeded = input.Properties["Succeeded"]?.Value;
            var tags = Strings(input.Properties["Tags"]?.Value);
            var source = input.Properties["Image"]?.Value as PythonImage;
            string? named = tags.Length > 0 ? tags[0] : (source != null && source.Tags.Length > 0 ? Qualify(cmdlet, source.Tags[0]) : null);
            if (succeeded is bool ok && !ok)
            {
                string name = named ?? input.Properties["ContextPath"]?.Value as string ?? imageId ?? "an image";
                cmdlet.WriteWarning($"Not testing {InputGrammar.Show(name)}: its build failed.");
                return null;
            }

            if (!string.IsNullOrEmpty(imageId))
            {
                // The name only labels results and messages, but it comes with the object: one that is no image reference
                // (a control character, say) is shown escaped.
                string display = Qualify(cmdlet, named ?? imageId!);
                return new ImageToTest(imageId!, ImageReference.TryParse(display, out _) || EngineGrammar.ImageId.IsMatch(display) ? display : InputGrammar.Show(display));
            }

            if (tags.Length > 0)
            {
                return new ImageToTest(Qualify(cmdlet, tags[0]), Qualify(cmdlet, tags[0]));
            }

            cmdlet.WriteError(Errors.Create(
                new ArgumentException($"Cannot test '{input}': pipe build results (ImageId), python images (Tags) or image names, or use -Image."),
                ImageTestErrorIds.UnsupportedInput,
                input,
                "Pipe Invoke-PythonImageBuild or Get-PythonTag output, or pass -Image <name>."));
            return null;
        }

        /// <summary>An image id, or a reference in Docker's grammar: nothing else is sent to the engine. Writes the error otherwise.</summary>
        public static bool Check(PSCmdlet cmdlet, ImageToTest image)
        {
            if (EngineGrammar.ImageId.Why(image.Reference) == null || ImageReference.TryParse(image.Reference, out _, out string? why))
            {
                return true;
            }

            cmdlet.WriteError(Errors.Create(
                new InputRejectedException(ImageTestErrorIds.InvalidImage, InputGrammar.RepositoryPath, $"The image '{InputGrammar.Show(image.Reference)}'", why!),
                ImageTestErrorIds.InvalidImage,
                InputGrammar.Show(image.Display),
                "Give an image reference (python:3.14-slim, registry.example/python:3.14) or an image id (sha256:...)."));
            return false;
        }

        private static ImageToTest? FromPythonImage(TestPythonImageCommand cmdlet, PythonImage image, PSObject input)
        {
            if (image.Tags.Length == 0)
            {
                cmdlet.WriteError(Errors.Create(
                    new ArgumentException($"The image {image.Directory} has no tags to find it by."),
                    ImageTestErrorIds.NoTag,
                    input,
                    "Pass the image by name with -Image, or pipe the build result of Invoke-PythonImageBuild."));
                return null;
            }

            var reference = Qualify(cmdlet, image.Tags[0]);
            return new ImageToTest(reference, reference);
        }

        /// <summary>A tag under -Repository, by the one rule Invoke-PythonImageBuild also names its images by.</summary>
        private static string Qualify(TestPythonImageCommand cmdlet, string tag) => ImageReference.Qualify(tag, cmdlet.Repository);

        private static string[] Strings(object? value)
        {
            if (value is PSObject p)
            {
                value = p.BaseObject;
            }

            return value switch
            {
                null => Array.Empty<string>(),
                string s => new[] { s },
                IEnumerable e => e.Cast<object>().Select(o => o?.ToString()).Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToArray(),
                _ => new[] { value.ToString() ?? string.Empty },
            };
        }
    }
}
