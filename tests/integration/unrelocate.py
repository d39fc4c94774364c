#!/usr/bin/env python3
"""Undo relocation's rewrites in a layer, for tests: every file yumda rewrote
(its installed.json 'relocated.rewritten') gets the content its package
shipped back, and every retargeted symlink its shipped target. What is left
is a layer whose files were merely moved under /opt, which is what people did
by hand before yumda relocated packages.

usage: unrelocate.py LAYER PACKAGES_DIR [PATH ...]
With PATHs (relative to LAYER), only those files are restored."""
import json
import os
import subprocess
import sys


def cpio_members(data):
    """(name, bytes) of each regular file in a newc cpio archive."""
    pos = 0
    while pos + 110 <= len(data):
        hdr = data[pos:pos + 110]
        if hdr[:6] not in (b"070701", b"070702"):
            raise SystemExit("not a newc cpio archive")
        mode = int(hdr[14:22], 16)
        size = int(hdr[54:62], 16)
        namesize = int(hdr[94:102], 16)
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        pos = (pos + 110 + namesize + 3) & ~3
        body = data[pos:pos + size]
        pos = (pos + size + 3) & ~3
        if name == "TRAILER!!!":
            break
        if mode & 0o170000 == 0o100000:
            yield name.lstrip(".") if name.startswith("./") else "/" + name.lstrip("/"), body


def main():
    layer, pkgdir, only = sys.argv[1], sys.argv[2], set(sys.argv[3:])
    state = json.load(open(os.path.join(layer, ".yumda", "installed.json")))
    restored = 0
    for p in state["packages"]:
        rel = p.get("relocated") or {}
        todo = [r for r in rel.get("rewritten", []) if not only or r["path"] in only]
        if not todo:
            continue
        evr = ("%s:" % p["epoch"] if p.get("epoch") not in (None, "", "0") else "") + p["version"] + "-" + p["release"]
        rpm = [f for f in os.listdir(pkgdir) if f == "%s-%s-%s.%s.rpm" % (p["name"], p["version"], p["release"], p["arch"])]
        if not rpm:
            raise SystemExit("no RPM for %s-%s in %s" % (p["name"], evr, pkgdir))
        payload = subprocess.run(["rpm2cpio", os.path.join(pkgdir, rpm[0])], check=True, capture_output=True).stdout
        shipped = dict(cpio_members(payload))
        for r in todo:
            dest = os.path.join(layer, r["path"])
            if "target" in r:
                os.unlink(dest)
                os.symlink(r["target_shipped"], dest)
            else:
                mode = os.stat(dest).st_mode
                os.chmod(dest, mode | 0o200)
                with open(dest, "wb") as f:
                    f.write(shipped[rel["moved_from"].get(r["path"], "/opt/" + r["path"])])
                os.chmod(dest, mode)
            restored += 1
    print("restored %d files" % restored)


main()
