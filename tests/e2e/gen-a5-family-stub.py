#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Write a stand-in for a GUI A5 stub (docs/protocols/a5-stub-families.md §4);
the vendor and community binaries are never committed.

The device models never run the code: they take the real file by its SHA-256,
or a stand-in of the real size that starts with the real file's first bytes,
carries a tag at 0x100 and ends with the SHA-256 of everything before it, so
a truncated or corrupted upload is refused as the chip would crash on it.

usage: gen-a5-family-stub.py {gd32vw553|rda5981} OUT [--gzip] [--corrupt]
"""
import gzip
import hashlib
import random
import sys

STUBS = {
    # chip: (size of the real file, tag, first bytes of the real file)
    "gd32vw553": (36480, b"GD32VW553 A5 stub stand-in", bytes([0xC1, 0xAA, 0x01, 0x00])),
    "rda5981": (18232, b"RDA5981 A5 stub stand-in", bytes([0x72, 0xB6])),
}


def image(chip):
    size, tag, head = STUBS[chip]
    body = bytearray(random.Random(chip).randbytes(size - 32))
    body[0:len(head)] = head
    body[0x100:0x100 + len(tag)] = tag
    return bytes(body) + hashlib.sha256(body).digest()


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] not in STUBS:
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
