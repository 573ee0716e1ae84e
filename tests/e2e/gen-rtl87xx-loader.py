#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# SPDX-FileCopyrightText: 2026 The iotflash developers
"""Write a stand-in for Realtek's AmebaD flash loader (imgtool_flashloader_amebad.bin).

The real loader is Realtek's and is never committed.  The rtl87xx device
model runs an upload as "the loader" when it is at least 1 KiB long and its
first word is the loader's entry word 0x00082021 (what tools read back with
command 0x31 to see that the loader runs, spec section 1.3).  The rest is
filler: the model does not execute it.

usage: gen-rtl87xx-loader.py OUT [--gzip] [--bad]
  --gzip  write it gzip-compressed (as the GUI flasher ships loaders)
  --bad   a wrong first word: the model hangs, as a chip would on bad code
"""
import gzip
import struct
import sys

LOADER_LEN = 4688          # the size of Realtek's file
ENTRY_WORD = 0x00082021    # loader_magic in chipdb/rtl87xx.yaml


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    out = argv[1]
    word = 0xDEADBEEF if "--bad" in argv else ENTRY_WORD
    body = bytes((i * 7 + 3) & 0xFF for i in range(LOADER_LEN - 4))
    data = struct.pack("<I", word) + body
    if "--gzip" in argv:
        data = gzip.compress(data, mtime=0)
    with open(out, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
