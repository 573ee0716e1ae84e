#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Write a stand-in for an ESWIN loader (docs/protocols/eswin.md §4); the
vendor and community binaries are never committed.

The device model never runs the code: it takes the real file by its SHA-256,
or a stand-in of the real size that carries a tag (ECR6600: at 0x100; TR6260:
the loader's version text at 0x20 after its `02 26 20 18` header) and ends
with the SHA-256 of everything before it, so a truncated or corrupted upload
is refused as the chip would crash on it.

usage: gen-eswin-loader.py {ecr6600|tr6260} OUT [--gzip] [--corrupt]
"""
import gzip
import hashlib
import random
import sys

LOADERS = {
    # chip: (size of the real file, tag offset, tag, header)
    "ecr6600": (26096, 0x100, b"ECR6600 A5 stub stand-in", b""),
    "tr6260": (17088, 0x20, b"boot-version-debug", bytes([0x02, 0x26, 0x20, 0x18])),
}


def image(chip):
    size, off, tag, head = LOADERS[chip]
    body = bytearray(random.Random(chip).randbytes(size - 32))
    body[0:len(head)] = head
    body[off:off + len(tag)] = tag
    return bytes(body) + hashlib.sha256(body).digest()


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] not in LOADERS:
        sys.exit(__doc__.strip().splitlines()[-1])
    data = bytearray(image(args[0]))
    if "--corrupt" in args:
        data[0x1000] ^= 0x01
    if "--gzip" in args:
        data = gzip.compress(bytes(data), mtime=0)
    with open(args[1], "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
