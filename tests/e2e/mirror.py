#!/usr/bin/env python3
"""Loopback-only mirror for the end-to-end run.

Serves a python.org-shaped download tree (<root>/<version>/Python-<version>.tar.xz and .asc) and a minimal
HKP keyserver endpoint (/pks/lookup?op=get&search=0x<fingerprint or key id>) from a directory of armored
public keys named <FINGERPRINT>.asc. Binds 127.0.0.1 only.
"""
import argparse
import functools
import http.server
import os
import socketserver
import sys
import urllib.parse


class Handler(http.server.SimpleHTTPRequestHandler):
    keys_dir = None

    def do_GET(self):
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/pks/lookup":
            return self.lookup(urllib.parse.parse_qs(parsed.query))
        return super().do_GET()

    def lookup(self, query):
        op = (query.get("op") or [""])[0]
        search = (query.get("search") or [""])[0].strip().upper()
        if search.startswith("0X"):
            search = search[2:]
        if op != "get":
            self.send_error(501, "only op=get is served")
            return
        if len(search) not in (8, 16, 40) or any(c not in "0123456789ABCDEF" for c in search):
            self.send_error(400, "search must be 0x followed by a key id or fingerprint")
            return
        for name in sorted(os.listdir(self.keys_dir)):
            fpr = name[:-4].upper()
            if name.endswith(".asc") and fpr.endswith(search):
                with open(os.path.join(self.keys_dir, name), "rb") as f:
                    body = f.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/pgp-keys")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        self.send_error(404, "no key matches " + search)

    def log_message(self, fmt, *args):
        sys.stderr.write("mirror: %s %s\n" % (self.address_string(), fmt % args))
        sys.stderr.flush()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True, help="download tree")
    p.add_argument("--keys", required=True, help="directory of <FINGERPRINT>.asc files")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="write the bound port here once listening")
    a = p.parse_args()
    Handler.keys_dir = os.path.abspath(a.keys)
    handler = functools.partial(Handler, directory=os.path.abspath(a.root))
    with Server(("127.0.0.1", a.port), handler) as httpd:
        port = httpd.server_address[1]
        if a.port_file:
            tmp = a.port_file + ".tmp"
            with open(tmp, "w") as f:
                f.write(str(port))
            os.replace(tmp, a.port_file)
        sys.stderr.write("mirror: serving %s and keys from %s on http://127.0.0.1:%d/\n" % (a.root, a.keys, port))
        httpd.serve_forever()


if __name__ == "__main__":
    main()
