using System.Collections.Generic;
using System.Management.Automation;

namespace PythonImages.Tests.BadInput
{
    /// <summary>Update-PythonMatrix: bad requests are refused before anything is fetched, and the matrix is never touched.</summary>
    public sealed class UpdateCatalogue : BadInputCatalogue<UpdateCatalogue>, IBadInputArea
    {
        private const string Matrix = "versions:\n  '3.14':\n    version: 3.14.5\n    variants: [trixie]\n";
        private const string Local = " -PythonOrgUri http://127.0.0.1:9/ -CPythonSourceUri http://127.0.0.1:9/c -PyPIUri http://127.0.0.1:9/p -AllowInsecureSource";

        public UpdateCatalogue(BadInputRunner runner)
            : base(runner)
        {
        }

        public static int Minimum => 18;

        public static List<BadInputCase> Create() => new List<BadInputCase>
        {
            new BadInputCase("Update", "missing file", "Update-PythonMatrix -Path $work/nope.yaml" + Local, "Update.FileNotFound", ErrorCategory.ObjectNotFound),
            new BadInputCase("Update", "broken matrix", "Update-PythonMatrix -Path $work/m.yaml" + Local, "Matrix.MalformedYaml", ErrorCategory.InvalidData)
                .WithFile("m.yaml", "versions:\n  '3.14': [\n"),
            new BadInputCase("Update", "key with a shell word", "Update-PythonMatrix -Path $work/m.yaml -VersionKey '3.14;rm -rf ~'" + Local, "Update.InvalidVersionKey", ErrorCategory.InvalidArgument)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "key with a newline", "Update-PythonMatrix -Path $work/m.yaml -Add \"3.15`n\"" + Local, "Update.InvalidVersionKey", ErrorCategory.InvalidArgument)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "unknown key", "Update-PythonMatrix -Path $work/m.yaml -VersionKey 3.9" + Local, "Update.UnknownVersionKey", ErrorCategory.ObjectNotFound)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "remove unknown key", "Update-PythonMatrix -Path $work/m.yaml -Remove 3.9" + Local, "Update.UnknownVersionKey", ErrorCategory.ObjectNotFound)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "add existing key", "Update-PythonMatrix -Path $work/m.yaml -Add 3.14" + Local, "Update.KeyExists", ErrorCategory.InvalidArgument)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "add and remove the same key", "Update-PythonMatrix -Path $work/m.yaml -Add 3.15 -Remove 3.15" + Local, "Update.KeyConflict", ErrorCategory.InvalidArgument)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "remove every key", "Update-PythonMatrix -Path $work/m.yaml -Remove 3.14" + Local, "Update.EmptyMatrix", ErrorCategory.InvalidArgument)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "plain http without opt-in", "Update-PythonMatrix -Path $work/m.yaml -PythonOrgUri http://www.python.org/", "Update.InsecureSource", ErrorCategory.SecurityError)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "credentials in a base URI", "Update-PythonMatrix -Path $work/m.yaml -PyPIUri https://user:secret@pypi.org/pypi", "Update.InvalidUri", ErrorCategory.InvalidArgument)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "query in a base URI", "Update-PythonMatrix -Path $work/m.yaml -PythonOrgUri 'http://127.0.0.1:9/?token=x' -CPythonSourceUri http://127.0.0.1:9/c -PyPIUri http://127.0.0.1:9/p -AllowInsecureSource", "Update.InvalidUri", ErrorCategory.InvalidArgument)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "unknown URI scheme", "Update-PythonMatrix -Path $work/m.yaml -CPythonSourceUri ftp://github.com/x", "Update.InvalidUri", ErrorCategory.InvalidArgument)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "trusted root that is not one", "Update-PythonMatrix -Path $work/m.yaml -TrustedRootPath $work/root.json" + Local, "Update.TrustedRootInvalid", ErrorCategory.InvalidData)
                .WithFile("m.yaml", Matrix).WithFile("root.json", "{\"certificateAuthorities\": [{\"certChain\": {\"certificates\": [{\"rawBytes\": \"bm90IGEgY2VydA==\"}]}}]}"),
            new BadInputCase("Update", "missing trusted root", "Update-PythonMatrix -Path $work/m.yaml -TrustedRootPath $work/none.json" + Local, "Update.TrustedRootInvalid", ErrorCategory.InvalidData)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "identity that is not an e-mail", "Update-PythonMatrix -Path $work/m.yaml -Identity @{ Email = 'nobody'; Issuer = 'https://github.com/login/oauth' }" + Local, "Update.InvalidIdentity", ErrorCategory.InvalidArgument)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "identity with a plain-http issuer", "Update-PythonMatrix -Path $work/m.yaml -Identity @{ Email = 'a@b.c'; Issuer = 'http://issuer' }" + Local, "Update.InvalidIdentity", ErrorCategory.InvalidArgument)
                .WithFile("m.yaml", Matrix),
            new BadInputCase("Update", "nothing listens", "Update-PythonMatrix -Path $work/m.yaml -TimeoutSec 1" + Local, "Update.ConnectionFailed", ErrorCategory.ConnectionError)
                .WithFile("m.yaml", Matrix),
        };
    }
}
