using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using PythonImages.Commands;

/// <summary>
/// The module's views as data (PythonImages.views.bin beside the joined format file), read on import by
/// src/PythonImages/FormatViews.cs without an XML reader. Only the part of the format-file schema our views use is
/// encoded; a source that uses anything else stops the build, so that the data and the file cannot say different
/// things. The layout and its numbers are src/PythonImages/ViewDataLayout.cs, compiled into this tool and the module.
/// </summary>
internal static class ViewData
{
    public static void Write(IReadOnlyList<XElement> views, Stream stream)
    {
        using var writer = new BinaryWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        writer.Write(ViewDataLayout.Magic);
        writer.Write(ViewDataLayout.Version);
        writer.Write(views.Count);
        foreach (var view in views)
        {
            WriteView(view, writer);
        }
    }

    private static void WriteView(XElement view, BinaryWriter writer)
    {
        Only(view, "Name", "ViewSelectedBy", "GroupBy", "TableControl", "ListControl");
        writer.Write(Text(view, "Name"));
        var types = One(view, "ViewSelectedBy");
        Only(types, "TypeName");
        var names = types.Elements("TypeName").Select(t => t.Value).ToList();
        writer.Write(names.Count);
        names.ForEach(writer.Write);
        var group = view.Element("GroupBy");
        var table = view.Element("TableControl");
        var list = view.Element("ListControl");
        if ((table == null) == (list == null))
        {
            throw Unsupported(view, "a view needs exactly one TableControl or ListControl");
        }

        if (table != null)
        {
            writer.Write(ViewDataLayout.TableControl);
            WriteTable(table, group, writer);
        }
        else
        {
            if (group != null)
            {
                throw Unsupported(group, "GroupBy is encoded for tables only");
            }

            writer.Write(ViewDataLayout.ListControl);
            WriteList(list!, writer);
        }
    }

    private static void WriteTable(XElement table, XElement? group, BinaryWriter writer)
    {
        Only(table, "TableHeaders", "TableRowEntries");
        var row = One(One(table, "TableRowEntries"), "TableRowEntry");
        Only(row, "Wrap", "TableColumnItems");
        writer.Write(row.Element("Wrap") != null);
        if (group != null)
        {
            Only(group, "PropertyName");
        }

        writer.Write(group == null ? string.Empty : Text(group, "PropertyName"));
        var headers = One(table, "TableHeaders").Elements().ToList();
        writer.Write(headers.Count);
        foreach (var header in headers)
        {
            Only(header, "Label", "Width", "Alignment");
            writer.Write(header.Element("Label")?.Value ?? string.Empty);
            writer.Write(header.Element("Width") is XElement width ? int.Parse(width.Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
            writer.Write(Alignment(header.Element("Alignment")));
        }

        var columns = One(row, "TableColumnItems").Elements().ToList();
        writer.Write(columns.Count);
        foreach (var column in columns)
        {
            Only(column, "PropertyName", "ScriptBlock");
            WriteValue(column, writer);
        }
    }

    private static void WriteList(XElement list, BinaryWriter writer)
    {
        Only(list, "ListEntries");
        var entry = One(One(list, "ListEntries"), "ListEntry");
        Only(entry, "ListItems");
        var items = One(entry, "ListItems").Elements().ToList();
        writer.Write(items.Count);
        foreach (var item in items)
        {
            Only(item, "Label", "PropertyName", "ScriptBlock");
            writer.Write(item.Element("Label")?.Value ?? string.Empty);
            WriteValue(item, writer);
        }
    }

    // A column or list item shows a property or a script block's value, never both.
    private static void WriteValue(XElement item, BinaryWriter writer)
    {
        var property = item.Element("PropertyName");
        var script = item.Element("ScriptBlock");
        if ((property == null) == (script == null))
        {
            throw Unsupported(item, "needs exactly one PropertyName or ScriptBlock");
        }

        writer.Write(property != null ? ViewDataLayout.PropertyValue : ViewDataLayout.ScriptBlockValue);
        writer.Write((property ?? script)!.Value);
    }

    private static byte Alignment(XElement? alignment) => alignment?.Value switch
    {
        null => ViewDataLayout.AlignmentUndefined,
        "Left" => ViewDataLayout.AlignmentLeft,
        "Center" => ViewDataLayout.AlignmentCenter,
        "Right" => ViewDataLayout.AlignmentRight,
        _ => throw Unsupported(alignment, $"alignment '{alignment.Value}'"),
    };

    private static void Only(XElement element, params string[] allowed)
    {
        var other = element.Elements().FirstOrDefault(e => !allowed.Contains(e.Name.LocalName, StringComparer.Ordinal));
        if (other != null || element.Attributes().Any())
        {
            throw Unsupported(other ?? element, "not encoded");
        }
    }

    private static XElement One(XElement parent, string name)
    {
        var found = parent.Elements(name).ToList();
        return found.Count == 1 ? found[0] : throw Unsupported(parent, $"needs exactly one <{name}>");
    }

    private static string Text(XElement parent, string name) => One(parent, name).Value;

    private static InvalidDataException Unsupported(XElement element, string why) => new InvalidDataException(
        $"<{element.Name.LocalName}> in view '{element.AncestorsAndSelf("View").FirstOrDefault()?.Element("Name")?.Value}': {why}. " +
        "Extend tools/PythonImages.MatrixData/ViewData.cs, src/PythonImages/ViewDataLayout.cs and src/PythonImages/FormatViews.cs together.");
}
