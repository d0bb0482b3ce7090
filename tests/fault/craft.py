#!/usr/bin/env python3
"""craft.py KIND [N] -- write a hostile binary feature stream (am-stream(5))
to stdout, with valid checksums so that the reader gets past them:

  header-len N    a header that declares N bytes and holds none
  feat-count N    a valid-checksum header declaring N feature names
  block-len N     a valid header, then a block declaring N bytes
  rows N          a valid header, then a block declaring N rows in 1 byte
"""
import struct
import sys

MAGIC = b"\x89AMF\r\n\x1a\n"


def fletcher64(data):
    data = data + b"\0" * (-len(data) % 4)
    s1 = s2 = 0
    m = 0xFFFFFFFF
    for (w,) in struct.iter_unpack("<I", data):
        s1 = (s1 + w) % m
        s2 = (s2 + s1) % m
    return s2 << 32 | s1


def header(body):
    return MAGIC + struct.pack("<IIQ", 1, len(body), fletcher64(body)) + body


def name(s):
    return struct.pack("<I", len(s)) + s


def main():
    kind = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    one = (struct.pack("<I", 1) + name(b"y") + struct.pack("<III", 0, 0, 1)
           + name(b"x"))
    if kind == "header-len":
        out = MAGIC + struct.pack("<IIQ", 1, n, 0)
    elif kind == "feat-count":
        body = struct.pack("<IIII", 0, 0, 0, n) + name(b"x")
        out = header(body)
    elif kind == "block-len":
        out = header(one) + struct.pack("<IIQ", 1, n, 0)
    elif kind == "rows":
        out = header(one) + struct.pack("<IIQ", n, 1, fletcher64(b"\0")) + b"\0"
    else:
        sys.exit("craft.py: unknown kind '%s'" % kind)
    sys.stdout.buffer.write(out)


main()
