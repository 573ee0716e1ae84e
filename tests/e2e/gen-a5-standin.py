#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Write a stand-in for one of BK7231GUIFlashTool's A5 RAM stubs
(docs/protocols/a5-stub-families.md §4); the binaries are never committed.

The device models never run the code: they take the real file by its SHA-256,
or a stand-in of the real size that begins as the real one does (the RTL
stubs' RAM start table: the entry word five times, then 12 zero bytes),
carries a tag at 0x100 followed by its length (u32 LE), and ends with the
SHA-256 of everything before it, so a truncated or corrupted upload is
refused as the chip would crash on it (plugins/rtl87xx/protocol-a5.h).

usage: gen-a5-standin.py {rtl8721da|rtl8720e} OUT [--gzip] [--corrupt]
"""
import gzip
import hashlib
import random
import struct
import sys

TAG = b"Realtek A5 stub stand-in"
STUBS = {
    # chip: (size of the real file, start-table entry word)
    "rtl8721da": (78528, 0x300100D5),
    "rtl8720e": (77856, 0x30010171),
}


def image(chip):
    size, entry = STUBS[chip]
    body = bytearray(random.Random(chip).randbytes(size - 32))
    body[0:32] = struct.pack("<5I", *([entry] * 5)) + bytes(12)
    body[0x100:0x100 + len(TAG)] = TAG
    body[0x100 + len(TAG):0x104 + len(TAG)] = struct.pack("<I", size)
    return bytes(body) + hashlib.sha256(body).digest()


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] not in STUBS:
        sys.exit(__doc__.strip().splitlines()[-1])
    data = bytearray(image(args[0]))
    if "--corrupt" in args:
        data[len(data) // 2] ^= 0x01
    if "--gzip" in args:
        data = gzip.compress(bytes(data), mtime=0)
    with open(args[1], "wb") as f:
        f.write(data)


main()
