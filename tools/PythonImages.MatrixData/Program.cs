using System;
using System.IO;
using PythonImages;

// Usage: PythonImages.MatrixData <matrix.yaml> <output .bin>
// Parses the matrix exactly as the module parses its embedded YAML (every grammar and tag check runs here, at build
// time) and writes it as data; the file is replaced only once it is complete.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PythonImages.MatrixData <matrix.yaml> <output>");
    return 64;
}

try
{
    var matrix = MatrixLoader.Parse(File.ReadAllText(args[0]), MatrixLoader.EmbeddedSource, null);
    string output = Path.GetFullPath(args[1]);
    Directory.CreateDirectory(Path.GetDirectoryName(output)!);
    string temporary = output + "." + Environment.ProcessId + ".tmp";
    using (var stream = File.Create(temporary))
    {
        MatrixData.Write(matrix, stream);
    }

    File.Move(temporary, output, overwrite: true);
    Console.WriteLine($"matrix data: {matrix.Versions.Count} versions -> {output}");
    return 0;
}
catch (MatrixException ex)
{
    Console.Error.WriteLine($"{args[0]}: {ex.Message}");
    return 1;
}
