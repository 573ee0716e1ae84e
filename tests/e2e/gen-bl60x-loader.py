#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Write a stand-in eflash_loader image for the bl60x device model.

The real loaders are Bouffalo's and never part of this project.  This file
has the same shape (docs/protocols/bl60x.md §3.2-3.4): a 176-byte boot
header, one 16-byte segment header for RAM at 0x22010000, then "code"
(deterministic filler: the model checks the headers but never runs it).

usage: gen-bl60x-loader.py bl602|bl702 OUT
"""
import random
import struct
import sys
import zlib

CODE_LEN = {"bl602": 38592, "bl702": 59200}   # GUI BL602 / DevCube BL702 sizes
XTAL = {"bl602": 4, "bl702": 1}               # code byte 0xE0: 40 MHz / 32 MHz
RAM = 0x22010000


def boot_header():
    h = bytearray(176)
    h[0:4] = b"BFNP"
    struct.pack_into("<I", h, 4, 1)
    h[12:20] = bytes([0x04, 0x01, 0x01, 0x01, 0x66, 0x99, 0xFF, 0x03])
    struct.pack_into("<I", h, 96, zlib.crc32(bytes(h[12:96])))
    h[104:112] = bytes([0x04, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00])
    struct.pack_into("<I", h, 112, zlib.crc32(bytes(h[104:112])))
    struct.pack_into("<IIII", h, 116, 0x00030300, 1, 0, RAM)
    struct.pack_into("<I", h, 132, 0xDEADBEEF)   # hash placeholder
    struct.pack_into("<I", h, 172, 0xDEADBEEF)   # crc_ignore placeholder
    return bytes(h)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CODE_LEN:
        sys.exit(__doc__.strip().splitlines()[-1])
    chip, out = sys.argv[1], sys.argv[2]
    code = bytearray(random.Random(chip).randbytes(CODE_LEN[chip]))
    code[0xE0] = XTAL[chip]
    seg = struct.pack("<III", RAM, len(code), zlib.crc32(bytes(code)))
    seg += struct.pack("<I", zlib.crc32(seg))
    with open(out, "wb") as f:
        f.write(boot_header() + seg + bytes(code))


if __name__ == "__main__":
    main()
