using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;

namespace PythonImages.Commands
{
    /// <summary>
    /// The module's views, read from PythonImages.views.bin (written at build time from the same sources as
    /// PythonImages.format.ps1xml by tools/PythonImages.MatrixData/ViewData.cs; the layout is <see cref="ViewDataLayout"/>)
    /// and made with PowerShell's public view builders. No XML is read.
    /// </summary>
    internal static class FormatViews
    {
        /// <summary>The views in <paramref name="path"/>; InvalidDataException when it is not a views file of this version.</summary>
        public static List<ExtendedTypeDefinition> Read(string path)
        {
            using var reader = new BinaryReader(File.OpenRead(path), new UTF8Encoding(false));
            if (reader.ReadInt32() != ViewDataLayout.Magic || reader.ReadInt32() != ViewDataLayout.Version)
            {
                throw new InvalidDataException(path + " is not a PythonImages views file of version " + ViewDataLayout.Version + ".");
            }

            int count = reader.ReadInt32();
            var result = new List<ExtendedTypeDefinition>(count);
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                var types = new string[reader.ReadInt32()];
                for (int t = 0; t < types.Length; t++)
                {
                    types[t] = reader.ReadString();
                }

                PSControl control = reader.ReadByte() switch
                {
                    ViewDataLayout.TableControl => ReadTable(reader),
                    ViewDataLayout.ListControl => ReadList(reader),
                    _ => throw new InvalidDataException(path + ": unknown control kind."),
                };
                foreach (string type in types)
                {
                    result.Add(new ExtendedTypeDefinition(type, new[] { new FormatViewDefinition(name, control) }));
                }
            }

            return result;
        }

        private static TableControl ReadTable(BinaryReader reader)
        {
            bool wrap = reader.ReadBoolean();
            string groupBy = reader.ReadString();
            // The reference assemblies (PowerShellStandard.Library) have no default values: every argument is given.
            var table = TableControl.Create(false, false, false);
            if (groupBy.Length > 0)
            {
                table = table.GroupByProperty(groupBy, null, null);
            }

            int headers = reader.ReadInt32();
            for (int i = 0; i < headers; i++)
            {
                string label = reader.ReadString();
                int width = reader.ReadInt32();
                table = table.AddHeader((Alignment)reader.ReadByte(), width, label.Length > 0 ? label : null);
            }

            var row = table.StartRowDefinition(wrap, null, null);
            int columns = reader.ReadInt32();
            for (int i = 0; i < columns; i++)
            {
                bool property = reader.ReadByte() == ViewDataLayout.PropertyValue;
                string value = reader.ReadString();
                row = property ? row.AddPropertyColumn(value, Alignment.Undefined, null) : row.AddScriptBlockColumn(value, Alignment.Undefined, null);
            }

            return row.EndRowDefinition().EndTable();
        }

        private static ListControl ReadList(BinaryReader reader)
        {
            var entry = ListControl.Create(false).StartEntry(null, null);
            int items = reader.ReadInt32();
            for (int i = 0; i < items; i++)
            {
                string label = reader.ReadString();
                bool property = reader.ReadByte() == ViewDataLayout.PropertyValue;
                string value = reader.ReadString();
                string? shown = label.Length > 0 ? label : null;
                entry = property ? entry.AddItemProperty(value, shown, null) : entry.AddItemScriptBlock(value, shown, null);
            }

            return entry.EndEntry().EndList();
        }
    }
}
