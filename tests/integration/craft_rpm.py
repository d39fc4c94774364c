#!/usr/bin/env python3
"""Replaces the payload of an RPM with a hand-made cpio (newc) stream and
fixes every digest and size that covers it, so the package passes yumda's
digest checks and the extractor itself has to deal with the entries.

  craft_rpm.py BASE.rpm OUT.rpm ENTRIES.json   # [{"name","type","mode","data"}...]
  craft_rpm.py BASE.rpm OUT.rpm --cpio FILE    # a ready cpio stream

type: file, dir, symlink (data = target), chr, blk, fifo. mode: permission
bits (int). The payload is compressed with what BASE's header names (gzip,
xz or none). Signatures are not kept valid (use gpgcheck=0)."""
import gzip
import hashlib
import json
import lzma
import struct
import sys

MAGIC = b"\x8e\xad\xe8\x01"
TYPES = {"file": 0o100000, "dir": 0o040000, "symlink": 0o120000, "chr": 0o020000, "blk": 0o060000,
         "fifo": 0o010000}


def make_cpio(entries):
    out = bytearray()

    def add(name, mode, data=b"", rdev=(0, 0), ino=1):
        nb = name.encode("utf-8", "surrogateescape") + b"\0"
        hdr = "070701" + "".join("%08x" % v for v in (
            ino, mode, 0, 0, 1, 1700000000, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0))
        out.extend(hdr.encode() + nb)
        out.extend(b"\0" * ((4 - len(out) % 4) % 4))
        out.extend(data)
        out.extend(b"\0" * ((4 - len(out) % 4) % 4))

    for i, e in enumerate(entries):
        t = e.get("type", "file")
        data = e.get("data", "").encode("utf-8", "surrogateescape") if t in ("file", "symlink") else b""
        rdev = (1, 3) if t in ("chr", "blk") else (0, 0)
        add(e["name"], TYPES[t] | e.get("mode", 0o644), data, rdev, ino=i + 2)
    add("TRAILER!!!", 0, ino=0)
    return bytes(out)


def parse_header(buf, off):
    if buf[off:off + 4] != MAGIC:
        sys.exit("craft_rpm: no header at %d" % off)
    nindex, hsize = struct.unpack(">II", buf[off + 8:off + 16])
    index = {}
    for i in range(nindex):
        tag, typ, offset, count = struct.unpack(">iiii", buf[off + 16 + 16 * i:off + 32 + 16 * i])
        index[tag] = (typ, offset, count)
    data = off + 16 + 16 * nindex
    return index, data, data + hsize


def str_at(buf, pos):
    return bytes(buf[pos:buf.index(b"\0", pos)])


def main():
    base, out = sys.argv[1], sys.argv[2]
    if sys.argv[3] == "--cpio":
        cpio = open(sys.argv[4], "rb").read()
    else:
        cpio = make_cpio(json.load(open(sys.argv[3])))
    buf = bytearray(open(base, "rb").read())
    sig, sig_data, sig_end = parse_header(buf, 96)
    hstart = sig_end + (8 - sig_end % 8) % 8
    hdr, h_data, h_end = parse_header(buf, hstart)

    comp = str_at(buf, h_data + hdr[1125][1]).decode() if 1125 in hdr else "gzip"
    if comp == "gzip":
        payload = gzip.compress(cpio)
    elif comp in ("xz", "lzma"):
        payload = lzma.compress(cpio, format=lzma.FORMAT_XZ if comp == "xz" else lzma.FORMAT_ALONE)
    elif comp in ("", "none"):
        payload = cpio
    else:
        sys.exit("craft_rpm: base payload compressor %s not supported" % comp)

    # Main header: payload digests (hex strings, same length, rewritten in place).
    algo = struct.unpack(">i", buf[h_data + hdr[5093][1]:h_data + hdr[5093][1] + 4])[0] if 5093 in hdr else 8
    hfun = {8: hashlib.sha256, 2: hashlib.sha1, 1: hashlib.md5, 9: hashlib.sha384, 10: hashlib.sha512}[algo]
    for tag, blob in ((5092, payload), (5097, cpio)):
        if tag in hdr:
            pos = h_data + hdr[tag][1]
            old = str_at(buf, pos)
            new = hfun(blob).hexdigest().encode()
            assert len(new) == len(old), tag
            buf[pos:pos + len(old)] = new
    header = bytes(buf[hstart:h_end])

    # Signature header: header digests, MD5 of header+payload, sizes.
    def put(tag, value):
        if tag not in sig:
            return
        typ, offset, _ = sig[tag]
        pos = sig_data + offset
        if typ == 6:  # string (hex digest)
            old = str_at(buf, pos)
            assert len(value) == len(old), tag
            buf[pos:pos + len(old)] = value
        elif typ == 7:  # bin
            buf[pos:pos + len(value)] = value
        elif typ == 4:
            buf[pos:pos + 4] = struct.pack(">I", value)
        elif typ == 5:
            buf[pos:pos + 8] = struct.pack(">Q", value)

    put(269, hashlib.sha1(header).hexdigest().encode())
    put(273, hashlib.sha256(header).hexdigest().encode())
    put(1004, hashlib.md5(header + payload).digest())
    put(1000, len(header) + len(payload))
    put(270, len(header) + len(payload))
    put(1007, len(cpio))
    put(271, len(cpio))
    open(out, "wb").write(bytes(buf[:h_end]) + payload)


if __name__ == "__main__":
    main()
