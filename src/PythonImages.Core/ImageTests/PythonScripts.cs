using System.Text;

namespace PythonImages.ImageTests
{
    /// <summary>
    /// The python test scripts. Each starts with a "# pythonimages-test: name" line, prints what it checked, and ends
    /// with <see cref="PythonImageTests.OkMarker"/>; a failed check raises SystemExit with a one-line reason (stderr, exit 1).
    /// </summary>
    internal static class PythonScripts
    {
        private static string Header(string name) => "# pythonimages-test: " + name + "\n";

        private const string Ok = "print('" + PythonImageTests.OkMarker + "')\n";

        /// <summary>The Linux form imports the modules that need system libraries (curses, readline, gdbm, ndbm); Windows builds have none of them.</summary>
        public static string Imports(ImageTestContext context)
        {
            var s = new StringBuilder(Header(PythonImageTests.PythonImports));
            s.Append(
                "import importlib, sys\n" +
                "print('python', sys.version.split()[0])\n");
            if (!context.IsWindows)
            {
                s.Append(
                    "for name in ('curses', 'readline', 'dbm.gnu', 'dbm.ndbm'):\n" +
                    "    try:\n" +
                    "        importlib.import_module(name)\n" +
                    "    except ImportError as e:\n" +
                    "        raise SystemExit('cannot import %s: %s' % (name, e))\n" +
                    "    print('import', name)\n");
            }

            s.Append(
                "payload = b'pythonimages round trip ' * 64\n" +
                "codecs = ['bz2', 'zlib', 'lzma']\n" +
                "if sys.version_info >= (3, 14):\n" +
                "    codecs.append('compression.zstd')\n" +
                "for name in codecs:\n" +
                "    try:\n" +
                "        mod = importlib.import_module(name)\n" +
                "    except ImportError as e:\n" +
                "        raise SystemExit('cannot import %s: %s' % (name, e))\n" +
                "    if mod.decompress(mod.compress(payload)) != payload:\n" +
                "        raise SystemExit('%s round trip returned different bytes' % name)\n" +
                "    print('round trip', name)\n" +
                // setuptools and wheel come with the image exactly when the interpreter is older than 3.12.
                "bundled = sys.version_info < (3, 12)\n" +
                "for name in ('setuptools', 'wheel'):\n" +
                "    try:\n" +
                "        importlib.import_module(name)\n" +
                "        found = True\n" +
                "    except ImportError:\n" +
                "        found = False\n" +
                "    if found != bundled:\n" +
                "        raise SystemExit('%s is %s on Python %d.%d, but must be %s (importable iff Python < 3.12)' % (name, 'importable' if found else 'not importable', sys.version_info[0], sys.version_info[1], 'importable' if bundled else 'absent'))\n" +
                "    print(name, 'importable' if found else 'absent', 'as expected')\n" +
                "print('checked', ', '.join(codecs), 'on Python', sys.version.split()[0])\n" +
                Ok);
            return s.ToString();
        }

        public static string Sqlite3(ImageTestContext context) =>
            Header(PythonImageTests.PythonSqlite3) +
            "import sqlite3\n" +
            "con = sqlite3.connect(':memory:')\n" +
            "con.execute('CREATE TABLE pythonimages (id INTEGER PRIMARY KEY, word TEXT NOT NULL)')\n" +
            "con.executemany('INSERT INTO pythonimages (word) VALUES (?)', [('alpha',), ('beta',)])\n" +
            "rows = con.execute('SELECT id, word FROM pythonimages ORDER BY id').fetchall()\n" +
            "if rows != [(1, 'alpha'), (2, 'beta')]:\n" +
            "    raise SystemExit('sqlite3 returned %r' % (rows,))\n" +
            "con.execute('DROP TABLE pythonimages')\n" +
            "con.close()\n" +
            "print('sqlite', sqlite3.sqlite_version)\n" +
            Ok;

        public static string StackSize(ImageTestContext context) =>
            Header(PythonImageTests.PythonStackSize) +
            "import threading\n" +
            "outcome = []\n" +
            "def deeper(n):\n" +
            "    return deeper(n + 1)\n" +
            "def worker():\n" +
            "    try:\n" +
            "        deeper(0)\n" +
            "    except RecursionError:\n" +
            "        outcome.append('RecursionError')\n" +
            "t = threading.Thread(target=worker)\n" +
            "t.start()\n" +
            "t.join()\n" +
            "if outcome != ['RecursionError']:\n" +
            "    raise SystemExit('unbounded recursion in a thread did not end in a RecursionError')\n" +
            "print('RecursionError caught in a thread')\n" +
            Ok;

        public static string PipRequestsSsl(ImageTestContext context) =>
            Header(PythonImageTests.PythonPipRequestsSsl) +
            "import importlib, subprocess, sys\n" +
            "subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--quiet', 'requests'])\n" +
            "importlib.invalidate_caches()\n" +
            "import requests\n" +
            "r = requests.get('https://www.google.com/', timeout=60)\n" +
            "if r.status_code != 200:\n" +
            "    raise SystemExit('GET https://www.google.com/ answered %d' % r.status_code)\n" +
            "print('requests', requests.__version__, 'GET https://www.google.com/', r.status_code)\n" +
            Ok;
    }
}
