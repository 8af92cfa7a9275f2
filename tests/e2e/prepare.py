#!/usr/bin/env python3
"""Prepares the loopback mirror for the end-to-end run.

Downloads (once, into a cache) the CPython source tarball and its signature from Debian's pool, where they are
byte-identical to python.org's, and the release manager's key from the Debian source package
(debian/upstream/signing-key.asc). Every download is checked: the tarball against the fixed sha256, the other
files against the sha256 in Debian's Sources index, the key by fingerprint, the signature with gpg.
Then lays out
  <mirror>/<version>/Python-<version>.tar.xz(.asc)     as python.org does
  <keys>/<FINGERPRINT>.asc                              for the HKP endpoint of mirror.py
With --corrupt the served tarball has one byte changed (the cache keeps the good copy).
"""
import argparse
import hashlib
import lzma
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

DEBIAN = "http://deb.debian.org/debian"
SOURCE_PACKAGE = "python3.13"
POOL = DEBIAN + "/pool/main/p/" + SOURCE_PACKAGE
SUITES = ("trixie", "sid", "forky")


def log(msg):
    print("prepare: " + msg, file=sys.stderr, flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(url, dest, expected_sha256=None):
    """Downloads url to dest unless dest already holds the expected bytes; verifies the sha256 when given."""
    if os.path.exists(dest) and expected_sha256 and sha256(dest) == expected_sha256:
        log("cached " + os.path.basename(dest))
        return dest
    log("downloading " + url)
    part = dest + ".part"
    with urllib.request.urlopen(url, timeout=120) as r, open(part, "wb") as f:
        shutil.copyfileobj(r, f)
    if expected_sha256:
        got = sha256(part)
        if got != expected_sha256:
            os.remove(part)
            sys.exit("prepare: %s has sha256 %s, expected %s" % (url, got, expected_sha256))
    os.replace(part, dest)
    return dest


def source_stanza(cache, orig_name):
    """The Sources stanza of the python3.13 upload whose files include orig_name (first suite that has it)."""
    for suite in SUITES:
        index = os.path.join(cache, "Sources-%s.xz" % suite)
        if not os.path.exists(index):
            try:
                fetch("%s/dists/%s/main/source/Sources.xz" % (DEBIAN, suite), index)
            except Exception as e:  # a suite may be gone from the mirror
                log("no Sources index for %s: %s" % (suite, e))
                continue
        with lzma.open(index, "rt", encoding="utf-8", errors="replace") as f:
            stanza = []
            for line in f:
                if line.strip() == "":
                    text = "".join(stanza)
                    if ("Package: %s\n" % SOURCE_PACKAGE) in text and orig_name in text:
                        log("found %s in the %s Sources index" % (orig_name, suite))
                        return text
                    stanza = []
                else:
                    stanza.append(line)
    sys.exit("prepare: no Sources index lists %s" % orig_name)


def checksums(stanza):
    """file name -> sha256 from the Checksums-Sha256 field."""
    result, inside = {}, False
    for line in stanza.splitlines():
        if line.startswith("Checksums-Sha256:"):
            inside = True
            continue
        if inside:
            if not line.startswith(" "):
                break
            digest, _size, name = line.split()
            result[name] = digest
    return result


def gpg(home, *args, check=True):
    return subprocess.run(["gpg", "--homedir", home, "--batch"] + list(args), check=check,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cache", required=True)
    p.add_argument("--mirror", required=True, help="download tree to lay out")
    p.add_argument("--keys", required=True, help="key directory for the HKP endpoint")
    p.add_argument("--version", default="3.13.5")
    p.add_argument("--sha256", default="93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640")
    p.add_argument("--fingerprint", default="7169605F62C751356D054A26A821E680E5FA6305")
    p.add_argument("--corrupt", action="store_true", help="serve the tarball with one byte changed")
    a = p.parse_args()
    os.makedirs(a.cache, exist_ok=True)

    orig = "%s_%s.orig.tar.xz" % (SOURCE_PACKAGE, a.version)
    stanza = source_stanza(a.cache, orig)
    sums = checksums(stanza)
    if sums.get(orig) != a.sha256:
        sys.exit("prepare: Debian lists %s with sha256 %s, not %s" % (orig, sums.get(orig), a.sha256))
    debian_tar = next((n for n in sums if n.endswith(".debian.tar.xz")), None)
    if debian_tar is None or orig + ".asc" not in sums:
        sys.exit("prepare: the Sources stanza lacks the .debian.tar.xz or the .asc")

    tarball = fetch(POOL + "/" + orig, os.path.join(a.cache, orig), a.sha256)
    signature = fetch(POOL + "/" + orig + ".asc", os.path.join(a.cache, orig + ".asc"), sums[orig + ".asc"])
    packaging = fetch(POOL + "/" + debian_tar, os.path.join(a.cache, debian_tar), sums[debian_tar])

    key = os.path.join(a.cache, "signing-key.asc")
    with tarfile.open(packaging) as t:
        member = t.extractfile("debian/upstream/signing-key.asc")
        if member is None:
            sys.exit("prepare: %s has no debian/upstream/signing-key.asc" % debian_tar)
        with open(key, "wb") as f:
            f.write(member.read())

    home = tempfile.mkdtemp(prefix="pyimg-e2e-gnupg-")
    try:
        gpg(home, "--import", key)
        listing = gpg(home, "--with-colons", "--list-keys").stdout
        fprs = [l.split(":")[9] for l in listing.splitlines() if l.startswith("fpr:")]
        if a.fingerprint not in fprs:
            sys.exit("prepare: signing-key.asc does not contain %s (has %s)" % (a.fingerprint, ", ".join(fprs)))
        verify = gpg(home, "--verify", signature, tarball, check=False)
        if verify.returncode != 0:
            sys.exit("prepare: the signature does not verify:\n" + verify.stderr)
        log("signature by %s verified (the key may be marked expired; gpg still accepts the signature)" % a.fingerprint)
        os.makedirs(a.keys, exist_ok=True)
        exported = gpg(home, "--armor", "--export", a.fingerprint).stdout
        with open(os.path.join(a.keys, a.fingerprint + ".asc"), "w") as f:
            f.write(exported)
    finally:
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], stderr=subprocess.DEVNULL)
        shutil.rmtree(home, ignore_errors=True)

    target_dir = os.path.join(a.mirror, a.version)
    os.makedirs(target_dir, exist_ok=True)
    served = os.path.join(target_dir, "Python-%s.tar.xz" % a.version)
    for path in (served, served + ".asc"):
        if os.path.exists(path):
            os.remove(path)
    shutil.copyfile(signature, served + ".asc")
    if a.corrupt:
        shutil.copyfile(tarball, served)
        with open(served, "r+b") as f:
            offset = os.path.getsize(served) // 2
            f.seek(offset)
            b = f.read(1)
            f.seek(offset)
            f.write(bytes([b[0] ^ 0xFF]))
        log("corrupted byte %d of the served tarball: sha256 is now %s" % (offset, sha256(served)))
    else:
        try:
            os.link(tarball, served)
        except OSError:
            shutil.copyfile(tarball, served)
    log("mirror ready: %s" % target_dir)


if __name__ == "__main__":
    main()
