#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Write a stand-in for XRadio's XR809 RAM stub, XR809_Stub.bin
(docs/protocols/xradio.md §6); the vendor binary is never committed.

The device model never runs the code: it takes the real file by its SHA-256,
or a stand-in of the real size (5868 bytes) that starts with the stub's
vector table (initial SP 0x0007E000, reset 0x00010101), carries a tag at
0x100 and ends with the SHA-256 of everything before it, so a truncated or
corrupted upload makes the model hang as the chip would.

usage: gen-xradio-stub.py OUT [--gzip] [--corrupt]
"""
import gzip
import hashlib
import random
import struct
import sys

SIZE = 5868
TAG = b"XR809 BROM stub stand-in"


def image():
    body = bytearray(random.Random("xr809-stub").randbytes(SIZE - 32))
    body[0:8] = struct.pack("<II", 0x0007E000, 0x00010101)
    body[0x100:0x100 + len(TAG)] = TAG
    return bytes(body) + hashlib.sha256(body).digest()


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__.strip().splitlines()[-1])
    data = bytearray(image())
    if "--corrupt" in args:
        data[0x800] ^= 0x01
    if "--gzip" in args:
        data = gzip.compress(bytes(data), mtime=0)
    with open(args[0], "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
