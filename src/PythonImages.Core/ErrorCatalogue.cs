using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace PythonImages
{
    /// <summary>
    /// The kind of a failure, named and numbered exactly as PowerShell's ErrorCategory (Core has no PowerShell reference;
    /// the module maps each value to the ErrorCategory of the same name and number).
    /// </summary>
    public enum FailureCategory
    {
        /// <summary>No category given.</summary>
        NotSpecified = 0,

        /// <summary>Something could not be opened.</summary>
        OpenError = 1,

        /// <summary>Something could not be closed.</summary>
        CloseError = 2,

        /// <summary>A device failed.</summary>
        DeviceError = 3,

        /// <summary>A deadlock was detected.</summary>
        DeadlockDetected = 4,

        /// <summary>A parameter or argument is not accepted.</summary>
        InvalidArgument = 5,

        /// <summary>The data read (a file, an image object, an answer) is not valid.</summary>
        InvalidData = 6,

        /// <summary>The operation is not possible in the current state.</summary>
        InvalidOperation = 7,

        /// <summary>The operation ran but its result is a failure.</summary>
        InvalidResult = 8,

        /// <summary>A value has the wrong type.</summary>
        InvalidType = 9,

        /// <summary>Metadata is wrong.</summary>
        MetadataError = 10,

        /// <summary>Not implemented.</summary>
        NotImplemented = 11,

        /// <summary>Something needed is not installed.</summary>
        NotInstalled = 12,

        /// <summary>What was asked for does not exist.</summary>
        ObjectNotFound = 13,

        /// <summary>The operation was stopped.</summary>
        OperationStopped = 14,

        /// <summary>The operation took too long.</summary>
        OperationTimeout = 15,

        /// <summary>A syntax error.</summary>
        SyntaxError = 16,

        /// <summary>A parser error.</summary>
        ParserError = 17,

        /// <summary>Access was denied.</summary>
        PermissionDenied = 18,

        /// <summary>A resource is busy.</summary>
        ResourceBusy = 19,

        /// <summary>Something already exists.</summary>
        ResourceExists = 20,

        /// <summary>A resource (a program, a server) is not available.</summary>
        ResourceUnavailable = 21,

        /// <summary>Reading failed.</summary>
        ReadError = 22,

        /// <summary>Writing failed.</summary>
        WriteError = 23,

        /// <summary>A native command wrote to standard error.</summary>
        FromStdErr = 24,

        /// <summary>A security rule refused the operation.</summary>
        SecurityError = 25,

        /// <summary>A protocol was not followed.</summary>
        ProtocolError = 26,

        /// <summary>A connection could not be made or was lost.</summary>
        ConnectionError = 27,

        /// <summary>Authentication failed.</summary>
        AuthenticationError = 28,

        /// <summary>A size or count limit was exceeded.</summary>
        LimitsExceeded = 29,

        /// <summary>A quota was exceeded.</summary>
        QuotaExceeded = 30,

        /// <summary>A feature is not enabled.</summary>
        NotEnabled = 31,
    }

    /// <summary>
    /// One entry of the error catalogue: a stable ErrorId ("Area.Reason"), its category and what the user does next.
    /// Only the catalogue creates them; every ErrorRecord of the module is built from one.
    /// </summary>
    public sealed class ErrorDescriptor
    {
        internal ErrorDescriptor(string id, FailureCategory category, string recommendedAction, FailureCategory[] otherCategories)
        {
            Id = id;
            Category = category;
            RecommendedAction = recommendedAction;
            OtherCategories = otherCategories;
        }

        /// <summary>The ErrorId, "Area.Reason" (e.g. Matrix.FileNotFound).</summary>
        public string Id { get; }

        /// <summary>The area, the part of <see cref="Id"/> before the dot (Matrix, Manifest, Dockerfile, ...).</summary>
        public string Area => Id.Substring(0, Id.IndexOf('.'));

        /// <summary>The category the error has (unless the place that raises it names one of <see cref="OtherCategories"/>).</summary>
        public FailureCategory Category { get; }

        /// <summary>Further categories the same id takes in a documented situation (a value given as a parameter rather than read from data, a server error rather than a refusal).</summary>
        public IReadOnlyList<FailureCategory> OtherCategories { get; }

        /// <summary>What to do next, in general; the place that raises the error may give a more precise action.</summary>
        public string RecommendedAction { get; }

        /// <summary>Whether <paramref name="category"/> is one this id may take.</summary>
        public bool Allows(FailureCategory category) => category == Category || OtherCategories.Contains(category);

        /// <summary>The ErrorId.</summary>
        public override string ToString() => Id;
    }

    /// <summary>
    /// Every ErrorId the module reports, grouped by area (each area's ids are constants in its *ErrorIds class, next to
    /// its part of this catalogue). docs/en-US/about_PythonImages_Errors.md lists them for users; a test keeps both in step.
    /// </summary>
    public static partial class ErrorCatalogue
    {
        private static Catalogue? built;

        /// <summary>Every entry, area by area, in catalogue order.</summary>
        public static IReadOnlyList<ErrorDescriptor> All => Built().All;

        /// <summary>The entry of <paramref name="errorId"/>; an id outside the catalogue is a programming error (<see cref="ArgumentException"/>).</summary>
        public static ErrorDescriptor Get(string errorId)
        {
            if (errorId != null && Built().ById.TryGetValue(errorId, out var descriptor))
            {
                return descriptor;
            }

            throw new ArgumentException($"'{errorId}' is not an ErrorId of the error catalogue.", nameof(errorId));
        }

        /// <summary>Whether <paramref name="errorId"/> is in the catalogue.</summary>
        public static bool Contains(string errorId) => errorId != null && Built().ById.ContainsKey(errorId);

        /// <summary>Built on first use (an error, or a test), never at load: the catalogue costs nothing until then.</summary>
        private static Catalogue Built()
        {
            var catalogue = Volatile.Read(ref built);
            if (catalogue == null)
            {
                var all = Areas().SelectMany(a => a).ToList();
                var byId = new Dictionary<string, ErrorDescriptor>(StringComparer.Ordinal);
                foreach (var descriptor in all)
                {
                    byId.Add(descriptor.Id, descriptor);
                }

                catalogue = new Catalogue(all, byId);
                catalogue = Interlocked.CompareExchange(ref built, catalogue, null) ?? catalogue;
            }

            return catalogue;
        }

        private static IEnumerable<ErrorDescriptor[]> Areas()
        {
            yield return Matrix();
            yield return PythonTag();
            yield return Dockerfile();
            yield return ImageBuild();
            yield return ImageTest();
            yield return Manifest();
            yield return TagMarkdown();
            yield return Update();
            yield return App();
            yield return PythonContainer();
            yield return BuildMatrix();
            yield return Publish();
            yield return BuildLogins();
            yield return Ledger();
            yield return BuildEngine();
        }

        private sealed class Catalogue
        {
            public Catalogue(IReadOnlyList<ErrorDescriptor> all, Dictionary<string, ErrorDescriptor> byId)
            {
                All = all;
                ById = byId;
            }

            public IReadOnlyList<ErrorDescriptor> All { get; }

            public Dictionary<string, ErrorDescriptor> ById { get; }
        }

        private static ErrorDescriptor D(string id, FailureCategory category, string recommendedAction, params FailureCategory[] otherCategories) =>
            new ErrorDescriptor(id, category, recommendedAction, otherCategories);
    }
}
