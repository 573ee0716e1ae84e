#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Write a stand-in for one of the OPL1000A2 loader files
(docs/protocols/a5-stub-families.md §4); the binaries are never committed.

The device model never runs the code: it takes the real files by SHA-256
(stage 1 with its baud word at offset 8 masked), or stand-ins of the real
sizes that begin as the real ones do, carry a tag at 0x40 followed by their
length (u32 LE), and end with the SHA-256 of everything before (stage 1:
with the baud word as stored), so a truncated or corrupted upload is refused
as the chip would crash on it (plugins/opl1000/protocol.h).

usage: gen-opl1000-standin.py {stage1|stage2} OUT [--gzip] [--corrupt]
"""
import gzip
import hashlib
import random
import struct
import sys

TAG = b"OPL1000A2 stand-in"
STAGES = {
    # stage: (size of the real file, its first bytes)
    "stage1": (399, bytes.fromhex("000045004900440000080700")),
    "stage2": (17474, bytes.fromhex("2de98048")),
}


def image(stage):
    size, head = STAGES[stage]
    body = bytearray(random.Random(stage).randbytes(size - 32))
    body[0:len(head)] = head
    body[0x40:0x40 + len(TAG)] = TAG
    body[0x40 + len(TAG):0x44 + len(TAG)] = struct.pack("<I", size)
    return bytes(body) + hashlib.sha256(body).digest()


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] not in STAGES:
        sys.exit(__doc__.strip().splitlines()[-1])
    data = bytearray(image(args[0]))
    if "--corrupt" in args:
        data[len(data) // 2] ^= 0x01
    if "--gzip" in args:
        data = gzip.compress(bytes(data), mtime=0)
    with open(args[1], "wb") as f:
        f.write(data)


main()
