using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using PythonImages;

// Build-time data for the module, two modes:
//   PythonImages.MatrixData <matrix.yaml> <output .bin>
//     Parses the matrix exactly as the module parses its embedded YAML (every grammar and tag check runs here, at build
//     time) and writes it as data.
//   PythonImages.MatrixData --formats <output .format.ps1xml> <source .format.ps1xml>...
//     Joins the views of the source format files (src/PythonImages/Formats, one per area, kept readable) into the one
//     file the module ships, without indentation, and writes the same views as data beside it (<name>.views.bin,
//     ViewData.cs), which PowerShell 7 imports without reading XML or rebuilding the session's format database.
// Either output file is replaced only once it is complete.
if (args.Length >= 3 && args[0] == "--formats")
{
    return Formats(args[1], args.Skip(2).ToArray());
}

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PythonImages.MatrixData <matrix.yaml> <output>");
    Console.Error.WriteLine("       PythonImages.MatrixData --formats <output> <source>...");
    return 64;
}

try
{
    var matrix = MatrixLoader.Parse(File.ReadAllText(args[0]), MatrixLoader.EmbeddedSource, null);
    Replace(args[1], stream => MatrixData.Write(matrix, stream));
    Console.WriteLine($"matrix data: {matrix.Versions.Count} versions -> {Path.GetFullPath(args[1])}");
    return 0;
}
catch (MatrixException ex)
{
    Console.Error.WriteLine($"{args[0]}: {ex.Message}");
    return 1;
}

static int Formats(string output, string[] sources)
{
    var views = new XElement("ViewDefinitions");
    foreach (string source in sources.OrderBy(s => Path.GetFileName(s), StringComparer.Ordinal))
    {
        var doc = XDocument.Load(source);
        var root = doc.Root;
        var own = root?.Element("ViewDefinitions");
        if (root == null || root.Name != "Configuration" || own == null || root.Elements().Count() != 1)
        {
            Console.Error.WriteLine($"{source}: a format source must be <Configuration> with only <ViewDefinitions> in it.");
            return 1;
        }

        foreach (var view in own.Elements())
        {
            if (view.Name != "View")
            {
                Console.Error.WriteLine($"{source}: <ViewDefinitions> may hold only <View> elements, not <{view.Name}>.");
                return 1;
            }

            views.Add(new XElement(view));
        }
    }

    // The same views as data for PowerShell 7's import (no XML reader, no rebuild of the session's format database),
    // encoded first: a view the data cannot say stops the build before either file is written.
    var data = new MemoryStream();
    try
    {
        ViewData.Write(views.Elements().ToList(), data);
    }
    catch (InvalidDataException ex)
    {
        Console.Error.WriteLine($"format data: {ex.Message}");
        return 1;
    }

    var merged = new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("Configuration", views));
    Replace(output, stream =>
    {
        using var writer = System.Xml.XmlWriter.Create(stream, new System.Xml.XmlWriterSettings { Encoding = new System.Text.UTF8Encoding(false), Indent = false });
        merged.Save(writer);
    });
    string dataPath = ViewDataPath(output);
    Replace(dataPath, stream => data.WriteTo(stream));
    Console.WriteLine($"format data: {views.Elements().Count()} views from {sources.Length} files -> {Path.GetFullPath(output)}, {dataPath}");
    return 0;
}

// PythonImages.format.ps1xml -> PythonImages.views.bin, beside it.
static string ViewDataPath(string formatFile)
{
    string name = Path.GetFileName(formatFile);
    const string suffix = ".format.ps1xml";
    string stem = name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? name.Substring(0, name.Length - suffix.Length) : Path.GetFileNameWithoutExtension(name);
    return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(formatFile))!, stem + ".views.bin");
}

static void Replace(string path, Action<Stream> write)
{
    string output = Path.GetFullPath(path);
    Directory.CreateDirectory(Path.GetDirectoryName(output)!);
    string temporary = output + "." + Environment.ProcessId + ".tmp";
    using (var stream = File.Create(temporary))
    {
        write(stream);
    }

    File.Move(temporary, output, overwrite: true);
}
