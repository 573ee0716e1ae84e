#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Write a stand-in for an LN882H/LN8825 RAM-code image (docs/protocols/ln882h.md §1.4).

The vendor binaries are never committed.  The device model never runs the
code, so a stand-in only needs a valid 32-byte header (load address, length,
body and header CRC-32) and the command strings by which the model tells the
GUI flasher's build (`flash_crc32`, `fwrite`) from Lightning's official one.

usage: gen-ln882h-loader.py {official|gui} {ln882h|ln8825} OUT
"""
import random
import struct
import sys
import zlib

# Sizes and load addresses of the real files (§0, §1.4).
IMAGES = {
    ("official", "ln882h"): (37872, 0x20000000),
    ("gui", "ln882h"): (29448, 0x20000000),
    ("gui", "ln8825"): (35692, 0x1FFE0000),
}
STRINGS = {
    "official": b"ferase\0ferase_all\0fdump\0upgrade\0startaddr\0baudrate\0flash_read\0",
    "gui": b"ferase\0fdump\0fdumpz\0fwrite\0fwritez\0flash_crc32\0flash_id\0",
}
HEADER = 32


def image(build, chip):
    size, load = IMAGES[(build, chip)]
    rng = random.Random(f"{build}-{chip}")
    body = bytearray(rng.randbytes(size - HEADER))
    body[0x100:0x100 + len(STRINGS[build])] = STRINGS[build]
    head = struct.pack("<IHHII I", load, size, HEADER, zlib.crc32(body), load + 0x100, 0)
    head += struct.pack("<I", zlib.crc32(head)) + bytes(8)
    return head + bytes(body)


def main():
    if len(sys.argv) != 4 or (sys.argv[1], sys.argv[2]) not in IMAGES:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[3], "wb") as f:
        f.write(image(sys.argv[1], sys.argv[2]))


if __name__ == "__main__":
    main()
