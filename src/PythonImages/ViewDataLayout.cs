namespace PythonImages.Commands
{
    /// <summary>
    /// The layout of PythonImages.views.bin, the module's views as data: written at build time by
    /// tools/PythonImages.MatrixData/ViewData.cs (which links this file) and read on import by
    /// src/PythonImages/FormatViews.cs.
    /// One source compiled into both, so the writer and the reader cannot disagree on a number. Layout (BinaryWriter,
    /// UTF-8 strings): <see cref="Magic"/>, <see cref="Version"/>, view count; per view its name, type names and control
    /// (<see cref="TableControl"/>: wrap, group-by property, headers (label, width, alignment), columns (value kind, value);
    /// <see cref="ListControl"/>: items (label, value kind, value)). Only plain constants here: the tool has no PowerShell
    /// reference.
    /// </summary>
    internal static class ViewDataLayout
    {
        /// <summary>The file's first Int32: "PIVW" in little-endian bytes.</summary>
        public const int Magic = 0x57564950;

        /// <summary>The layout's version, the second Int32; the reader refuses any other.</summary>
        public const int Version = 1;

        /// <summary>Control kind (byte): a table.</summary>
        public const byte TableControl = 1;

        /// <summary>Control kind (byte): a list.</summary>
        public const byte ListControl = 2;

        /// <summary>Value kind (byte) of a column or list item: a property name.</summary>
        public const byte PropertyValue = 1;

        /// <summary>Value kind (byte) of a column or list item: a script block's text.</summary>
        public const byte ScriptBlockValue = 2;

        /// <summary>Header alignment (byte), PowerShell's own numbering (System.Management.Automation.Alignment): none given.</summary>
        public const byte AlignmentUndefined = 0;

        /// <summary>Header alignment (byte): left.</summary>
        public const byte AlignmentLeft = 1;

        /// <summary>Header alignment (byte): center.</summary>
        public const byte AlignmentCenter = 2;

        /// <summary>Header alignment (byte): right.</summary>
        public const byte AlignmentRight = 3;
    }
}
