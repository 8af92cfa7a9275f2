using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace PythonImages.Commands
{
    /// <summary>Base of the cmdlets that read the matrix: the shared -MatrixPath parameter and its loading.</summary>
    public abstract class MatrixCmdlet : PSCmdlet
    {
        /// <summary>A matrix file (YAML in the module's format, or a bare upstream versions.json). Default: the embedded matrix.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? MatrixPath { get; set; }

        // A reference-type field only: value-type fields over our domain types would make the runtime resolve
        // PythonImages.Core while PowerShell scans this assembly, before the dependency resolver is registered.
        private LoadedMatrix? loaded;

        /// <summary>The matrix and its images; a bad matrix stops the command with a terminating error.</summary>
        protected LoadedMatrix LoadMatrix()
        {
            if (loaded == null)
            {
                try
                {
                    var (matrix, images) = MatrixCache.Get(ResolveMatrixPath());
                    loaded = new LoadedMatrix(matrix, images);
                }
                catch (MatrixException ex)
                {
                    ThrowTerminatingError(Errors.FromMatrix(ex));
                }
            }

            return loaded!;
        }

        /// <summary>
        /// -MatrixPath as a full file system path (null without it); another provider, an unknown drive or NUL is the
        /// terminating Matrix.InvalidPath error every reader of -MatrixPath gives.
        /// </summary>
        protected string? MatrixFullPath()
        {
            try
            {
                string? resolved = ResolveMatrixPath();
                try
                {
                    return resolved == null ? null : System.IO.Path.GetFullPath(resolved);
                }
                catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is System.IO.PathTooLongException)
                {
                    throw new MatrixException(MatrixErrorIds.InvalidPath, "The matrix path cannot be resolved: " + ex.Message, MatrixPath!, 0, null, ex);
                }
            }
            catch (MatrixException ex)
            {
                ThrowTerminatingError(Errors.FromMatrix(ex));
                throw; // not reached
            }
        }

        /// <summary>-MatrixPath as a file system path; anything else (another provider, an unknown drive, NUL) is a MatrixException.</summary>
        private string? ResolveMatrixPath()
        {
            if (MatrixPath == null)
            {
                return null;
            }

            string resolved;
            ProviderInfo provider;
            try
            {
                resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(MatrixPath, out provider, out _);
            }
            catch (Exception ex) when ((ex is RuntimeException && !(ex is PipelineStoppedException)) || ex is ArgumentException || ex is NotSupportedException || ex is System.IO.IOException)
            {
                throw new MatrixException(MatrixErrorIds.InvalidPath, "The matrix path cannot be resolved: " + ex.Message, MatrixPath, 0, null, ex);
            }

            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                throw new MatrixException(MatrixErrorIds.InvalidPath, $"The matrix path is on the {provider.Name} provider; -MatrixPath takes a file system path.", MatrixPath, 0, null);
            }

            return resolved;
        }
    }

    /// <summary>A loaded matrix and the images computed from it.</summary>
    public sealed class LoadedMatrix
    {
        /// <summary>A loaded matrix and its images.</summary>
        public LoadedMatrix(Matrix matrix, IReadOnlyList<PythonImage> images)
        {
            Matrix = matrix;
            Images = images;
        }

        /// <summary>The matrix.</summary>
        public Matrix Matrix { get; }

        /// <summary>Its images with their tags.</summary>
        public IReadOnlyList<PythonImage> Images { get; }

        /// <summary>Deconstructs into matrix and images.</summary>
        public void Deconstruct(out Matrix matrix, out IReadOnlyList<PythonImage> images)
        {
            matrix = Matrix;
            images = Images;
        }
    }
}
