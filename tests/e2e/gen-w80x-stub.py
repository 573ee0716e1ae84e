#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Write a stand-in for WinnerMicro's W800_Stub.bin (never committed): a valid
W800 image header for RAM 0x20004000 (docs/protocols/w80x.md §5) and a body of
filler code.  The device model only checks the header and body CRCs, then
"runs" it.  Usage: gen-w80x-stub.py OUT [--gzip] [--bad-crc]"""
import gzip
import struct
import sys
import zlib

MAGIC = 0xA0FFFF9F
RAM_ADDR = 0x20004000
ATTR = 0x200


def crc32_nofinal(data):
    # CRC-32 with no final XOR = bitwise NOT of zlib's CRC-32 (§5).
    return zlib.crc32(data) ^ 0xFFFFFFFF


def image(body, bad_crc=False):
    body_crc = crc32_nofinal(body) ^ (1 if bad_crc else 0)
    head = struct.pack('<IIIIIII I', MAGIC, ATTR, RAM_ADDR, len(body), RAM_ADDR, 0, body_crc, 0)
    head += b'1.0.01\n'.ljust(16, b'\0') + struct.pack('<III', 0, 0, 0)
    assert len(head) == 60
    return head + struct.pack('<I', crc32_nofinal(head)) + body


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    body = bytes((i * 7 + 3) & 0xFF for i in range(3140 - 64))  # the real stub's size
    data = image(body, '--bad-crc' in args)
    if '--gzip' in args:
        data = gzip.compress(data, mtime=0)
    with open(args[0], 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main()
