#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Stand-ins for OpenBeken's Beken release images, for `iotflash install`.

Usage: gen-openbeken.py CHIP KIND SIZE OUT
  CHIP  bk7231n or bk7231t: whose bootloader (fingerprint) a QIO image carries
  KIND  ua   the application as stored at 0x11000 (Beken-encrypted with the
             Tuya key, CRC-16 interleaved), as OpenBK7231T_UA_*.bin
        qio  the bootloader (0..0x11000) then the same application, as
             OpenBK7231N_QIO_*.bin
  SIZE  the application's logical size in bytes (a multiple of 32)

Built with tests/fixtures/mkimage.py's encoders (a second implementation of
the formats, not the library's), from a seed of its own: the code differs
from the Tuya firmware of the fixture images.
"""
import os
import random
import sys

sys.dont_write_bytecode = True  # nothing left in the source tree (make distcheck)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import mkimage  # noqa: E402


def main():
    chip, kind, size, out = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), sys.argv[4]
    gen = mkimage.CodeLike(random.Random(4711))
    app = mkimage.application(gen, size, b"OpenBeken stand-in " + chip.encode())
    if kind == "qio":
        boot, _ = mkimage.bootloader(mkimage.CodeLike(random.Random(4712)), chip)
        data = boot + app
    else:
        data = app
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
